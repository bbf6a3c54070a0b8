//! `needlemap report`: the page parsed with a real HTML parser (scraper/html5ever) — its
//! structure, every summary value against `analyze --format json` at the registry's table
//! decimals, units, inline pictures at the page's width (palette PNG or SVG that decode), no
//! script and no network reference, the Monte Carlo summary against `mc` — and its exit codes.

mod common;

use common::{bin, design, root};
use needlemap::base::fmt::fmt_num;
use needlemap::model::registry::METRICS;
use needlemap::output::review::{embed, utc_date};
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: scraper::ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// Width of the page's text column: no embedded picture is wider.
const PAGE_WIDTH_PX: u32 = 1120;

/// Decodes an `<img src>` data URI: a PNG (base64) or an SVG (percent-encoded); checks that
/// it is a well-formed image no wider than the page and returns its kind.
fn check_picture(src: &str) -> &'static str {
    use base64::Engine as _;
    if let Some(b64) = src.strip_prefix("data:image/png;base64,") {
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR: width, height, bit depth, colour type (3: palette)
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert!(w <= PAGE_WIDTH_PX, "PNG {w} px wide");
        assert_eq!((png[24], png[25]), (8, 3), "8-bit palette PNG");
        "png"
    } else {
        let svg = embed::svg_from_data_uri(src).expect("a PNG or an SVG");
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        "svg"
    }
}

/// Runs `report` on `designs` into a fresh folder; returns the folder and the parsed page.
fn report(designs: &[&str], extra: &[&str]) -> (tempfile::TempDir, Html, String) {
    let dir = tempfile::tempdir().unwrap();
    let (page, raw) = report_into(&dir, designs, extra);
    (dir, page, raw)
}

/// Runs `report` on `designs` into `dir`; returns the parsed page and its text.
fn report_into(dir: &tempfile::TempDir, designs: &[&str], extra: &[&str]) -> (Html, String) {
    let mut cmd = bin();
    cmd.current_dir(root()).args(["--quiet", "report"]);
    for d in designs {
        cmd.arg(design(d));
    }
    cmd.arg("--out").arg(dir.path()).args(extra);
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    cmd.assert().success();
    let s = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    (Html::parse_document(&s), s)
}

#[test]
fn summary_values_match_analyze_json_and_the_page_is_self_contained() {
    let names = ["mf8-192.toml", "pen-11-90.toml"];
    let (_dir, page, raw) = report(&names, &[]);

    // Same designs through analyze --format json.
    let out = tempfile::tempdir().unwrap();
    let mut cmd = bin();
    cmd.current_dir(root())
        .args(["--quiet", "analyze", "--format", "json", "--no-plots"]);
    for d in names {
        cmd.arg(design(d));
    }
    let json = cmd.arg("--out").arg(out.path()).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);

    // Summary table: one column per design, one row per registry metric, units shown.
    let heads: Vec<String> = page
        .select(&sel("table.summary thead th[data-design]"))
        .map(text)
        .collect();
    assert_eq!(heads, ["mf8-192", "pen-11-90"]);
    for m in METRICS {
        let row = page
            .select(&sel(&format!("table.summary tr[data-key=\"{}\"]", m.key)))
            .next()
            .unwrap_or_else(|| panic!("no summary row for {}", m.key));
        let cells: Vec<String> = row.select(&sel("td")).map(text).collect();
        // the reviewer's words, the key as the tooltip
        let mut words = m.description.chars();
        let first = words.next().unwrap().to_uppercase().collect::<String>();
        assert_eq!(cells[0], format!("{first}{}", words.as_str()), "{}", m.key);
        assert!(row
            .select(&sel(&format!("span[title=\"{}\"]", m.key)))
            .next()
            .is_some());
        assert_eq!(cells[1], m.unit, "unit of {}", m.key);
        for (i, r) in results.iter().enumerate() {
            let j = &r["metrics"][m.key];
            let want = match j.as_f64() {
                None => "—".to_string(),
                Some(x) if m.unit == "%" => fmt_num(100.0 * x, m.table_decimals),
                Some(x) => fmt_num(x, m.table_decimals),
            };
            assert_eq!(cells[2 + i], want, "{} of {}", m.key, r["name"]);
        }
    }
    // Spec hook row and advisories row are present.
    assert!(page.select(&sel("tr[data-key=\"spec\"]")).next().is_some());
    assert!(page
        .select(&sel("tr[data-key=\"advisories\"]"))
        .next()
        .is_some());

    // A datasheet per design, every figure with its unit.
    for (r, name) in results.iter().zip(["mf8-192", "pen-11-90"]) {
        let sec = page
            .select(&sel(&format!("section.design[data-design=\"{name}\"]")))
            .next()
            .unwrap();
        let item = |id: &str| -> (String, String, String) {
            let tr = sec
                .select(&sel(&format!("table.datasheet tr[data-item=\"{id}\"]")))
                .next()
                .unwrap_or_else(|| panic!("{name}: no datasheet row {id}"));
            let c: Vec<String> = tr.select(&sel("td")).map(text).collect();
            (c[1].clone(), c[2].clone(), c[3].clone())
        };
        for id in [
            "kind",
            "needle_count",
            "layout",
            "length",
            "diameter",
            "tip_length",
            "tip_radius",
            "force",
            "max_depth",
            "p95_depth",
            "mean_channel_depth",
            "puncture_rate",
            "density_per_pass",
            "density_per_treatment",
            "material",
            "youngs_modulus",
            "yield_strength",
            "endurance_limit",
            "buckling_factor",
            "bending_factor",
            "root_factor",
            "tip_curl_factor",
        ] {
            item(id);
        }
        // the strength rows: figures with units and sources, factors as the metrics
        let two = |k: &str| fmt_num(r["metrics"][k].as_f64().unwrap(), 2);
        assert_eq!(item("buckling_factor").0, two("min_buckling_safety_factor"));
        assert_eq!(item("bending_factor").0, two("min_bending_safety_factor"));
        assert!(item("buckling_factor").2.starts_with("needle "), "{name}");
        let bending = item("bending_factor").2;
        assert!(bending.contains("skin bears"), "{name}: {bending}");
        let how = if name.starts_with("pen") {
            "off square"
        } else {
            "skin friction"
        };
        assert!(bending.contains(how), "{name}: {bending}");
        assert_eq!(item("youngs_modulus").1, "GPa");
        assert_eq!(item("yield_strength").1, "MPa");
        assert!(item("yield_strength").2.starts_with("[M] "), "{name}");
        assert_eq!(item("material").2, "design file (assumption)", "{name}");
        if name.starts_with("pen") {
            assert_eq!(item("fatigue_factor").0, two("fatigue_safety_factor"));
            assert!(item("fatigue_factor").2.contains("strokes a session"));
            item("cartridge_sessions");
        }
        let mm = |k: &str| fmt_num(r["metrics"][k].as_f64().unwrap(), 3);
        assert_eq!(item("max_depth").0, mm("max_depth_mm"));
        assert_eq!(item("max_depth").1, "mm");
        assert!(item("max_depth").2.starts_with("reaches the "), "{name}");
        assert_eq!(item("p95_depth").0, mm("p95_depth_mm"));
        assert_eq!(item("diameter").1, "mm");
        assert_eq!(item("tip_radius").1, "µm");
        assert_eq!(item("puncture_rate").1, "/s");
        assert_eq!(item("density_per_pass").1, "/cm²");
        assert_eq!(item("force").1, "N");
        // Both shipped files leave the tip radius at its default.
        assert!(item("tip_radius").2.starts_with("default"), "{name}");
        // The device's size and the skin it is pressed into, with units and sources.
        let size = if name.starts_with("pen") {
            "cartridge"
        } else {
            "drum"
        };
        assert_eq!(item(size).1, "mm", "{name}");
        assert_eq!(item("skin").0, "face", "{name}");
        // Pictures inline: five data URIs that decode, none wider than the page.
        let pics: Vec<String> = sec
            .select(&sel("figure[data-picture]"))
            .map(|f| f.value().attr("data-picture").unwrap().to_string())
            .collect();
        assert_eq!(
            pics,
            ["coverage", "density", "depth", "detail", "needles", "strength"]
        );
        for img in sec.select(&sel("figure img")) {
            check_picture(img.value().attr("src").unwrap());
            let w: u32 = img.value().attr("width").unwrap().parse().unwrap();
            assert!(w <= PAGE_WIDTH_PX);
        }
    }
    // The pen's datasheet names the range pens offer; the roller's force is marked an assumption.
    assert!(raw.contains("within the 0.25–2.5 mm pens offer"));
    assert!(raw.contains("design file (assumption)"));

    // Roller and pen: one comparison, as compare prints it, with its picture.
    let cmp = page
        .select(&sel("section.compare"))
        .next()
        .expect("compare");
    assert_eq!(cmp.select(&sel("div.pair")).count(), 1);
    let pre = cmp.select(&sel("pre")).next().map(text).unwrap();
    assert!(pre.contains("At the roller's density"), "{pre}");
    assert!(cmp
        .select(&sel("figure[data-picture=\"compare\"] img"))
        .next()
        .is_some());

    // Validation table from designs/validation (found from the current directory).
    let vrows = page.select(&sel("table.validation tbody tr")).count();
    assert!(vrows >= 3, "{vrows} validation rows");

    // Provenance: hashes, the date from SOURCE_DATE_EPOCH, the command line.
    for r in results {
        let sha = r["provenance"]["design_sha256"].as_str().unwrap();
        assert!(raw.contains(sha));
    }
    assert!(raw.contains(&utc_date(1_700_000_000)));
    assert!(raw.contains("report"));

    // Self-contained: no script, no external reference, CSS inline with print rules.
    assert_eq!(page.select(&sel("script")).count(), 0);
    assert_eq!(page.select(&sel("link")).count(), 0);
    for e in page.select(&sel("[src], [href]")) {
        for a in ["src", "href"] {
            if let Some(u) = e.value().attr(a) {
                assert!(u.starts_with("data:") || u.starts_with('#'), "{a}={u}");
            }
        }
    }
    let css = page.select(&sel("style")).map(text).collect::<String>();
    assert!(css.contains("break-before: page"));
    assert!(css.contains("break-inside: avoid"));
}

#[test]
fn same_date_gives_the_same_bytes() {
    // The command line is part of the page: same folder, same arguments.
    let dir = tempfile::tempdir().unwrap();
    let (_, one) = report_into(&dir, &["home-0.2.toml"], &["--date", "review 7"]);
    let (_, two) = report_into(&dir, &["home-0.2.toml"], &["--date", "review 7"]);
    assert!(one == two, "two runs differ");
    assert!(one.contains("review 7"));
    // One roller, no pen: no comparison section.
    assert!(!one.contains("class=\"compare\""));
}

#[test]
fn runs_add_a_monte_carlo_summary_whose_means_are_those_of_the_seeds() {
    let (_dir, page, _) = report(&["home-0.2.toml"], &["--runs", "3"]);
    // Run k of the study is the design analyzed with seed 1 + k (home-0.2 has seed 1).
    let mut sums = vec![0.0; METRICS.len()];
    for seed in 1..=3 {
        let out = tempfile::tempdir().unwrap();
        let a = bin()
            .current_dir(root())
            .args(["--quiet", "analyze", "--format", "json", "--no-plots"])
            .arg(design("home-0.2.toml"))
            .args(["--seed", &seed.to_string(), "--out"])
            .arg(out.path())
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
        for (s, m) in sums.iter_mut().zip(METRICS) {
            *s += v["results"][0]["metrics"][m.key].as_f64().unwrap_or(0.0);
        }
    }
    let mc = page
        .select(&sel("section.design div.mc"))
        .next()
        .expect("mc");
    for key in [
        "channels",
        "density_per_cm2",
        "coverage_fraction",
        "max_gap_mm",
    ] {
        let (i, m) = METRICS
            .iter()
            .enumerate()
            .find(|(_, m)| m.key == key)
            .unwrap();
        let tr = mc
            .select(&sel(&format!("table.mc tr[data-key=\"{key}\"]")))
            .next()
            .unwrap();
        let cells: Vec<String> = tr.select(&sel("td")).map(text).collect();
        let scale = if m.unit == "%" { 100.0 } else { 1.0 };
        let mean = sums[i] / 3.0 * scale;
        assert_eq!(cells[1], m.unit, "{key}");
        assert_eq!(
            cells[2],
            fmt_num(mean, m.table_decimals + 1),
            "mean of {key}"
        );
    }
    assert!(mc.select(&sel("figure[data-picture] img")).next().is_some());
}

#[test]
fn unwritable_out_exits_3_and_bad_design_exits_2_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    bin()
        .current_dir(root())
        .args(["--quiet", "report"])
        .arg(design("home-0.2.toml"))
        .arg("--out")
        .arg(file.join("out"))
        .assert()
        .code(3);
    assert!(!file.join("out/report.html").exists());

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"bad\"\nkind = \"roller\"\n").unwrap();
    let out = dir.path().join("out");
    bin()
        .current_dir(root())
        .args(["--quiet", "report"])
        .arg(design("home-0.2.toml"))
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.join("report.html").exists());
}

#[test]
fn pdf_without_chromium_exits_2_saying_how_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let a = bin()
        .current_dir(root())
        .env("PATH", dir.path())
        .args(["--quiet", "report"])
        .arg(design("home-0.2.toml"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--pdf")
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("apt-get install chromium"), "{err}");
    assert!(!dir.path().join("out/report.html").exists());
}
