//! Drives `needlemap compare`: the settings it proposes for equal and target density are
//! written back into the design files and analyzed on their own; closed forms of the model
//! (pen density N·f/(v·lane) per pass, roller n/(2πR·lane) per pass, time = P·A/(lane·v))
//! check the numbers; bad input exits 2 and writes nothing; pictures are whole and stable.

mod common;

use common::{bin, design};
use serde_json::Value;
use std::path::Path;

/// Raster pitch for these tests, µm (density does not depend on it; coverage barely).
const RES: &str = "20";

/// Runs compare into `out`, returns (exit code, stdout, stderr).
fn compare_in(out: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = bin()
        .arg("compare")
        .args(args)
        .args(["--resolution-um", RES, "--out"])
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn compare_json(args: &[&str]) -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().unwrap();
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let (code, out, err) = compare_in(dir.path(), &a);
    assert_eq!(code, Some(0), "stderr: {err}");
    (dir, serde_json::from_str(&out).unwrap())
}

/// Analyzes a design given as TOML text; returns its JSON metrics.
fn analyze_text(toml: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("d.toml");
    std::fs::write(&f, toml).unwrap();
    let o = bin()
        .arg("analyze")
        .arg(&f)
        .args([
            "--format",
            "json",
            "--quiet",
            "--no-plots",
            "--resolution-um",
            RES,
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["results"][0]["metrics"].clone()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn metric(v: &Value, name: &str, key: &str) -> f64 {
    let r = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap();
    f(&r["metrics"][key])
}

fn read(name: &str) -> String {
    std::fs::read_to_string(design(name)).unwrap()
}

/// The pen design with its hand speed replaced.
fn pen_at(text: &str, v: f64) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with("hand_speed_mm_s"))
        .unwrap();
    text.replacen(line, &format!("hand_speed_mm_s = {v:?}"), 1)
}

/// MF8 with `k` passes cycling through its pattern 0°×5, 90°×5, 45°×5.
fn mf8_passes(k: u32) -> String {
    let text = read("mf8-192.toml");
    let start = text.find("passes = [").unwrap();
    let end = start + text[start..].find(" ]\n").unwrap() + 3;
    let pattern: Vec<f64> = [0.0; 5]
        .into_iter()
        .chain([90.0; 5])
        .chain([45.0; 5])
        .collect();
    let passes: Vec<String> = (0..k as usize)
        .map(|i| format!("{{ angle_deg = {:?} }}", pattern[i % 15]))
        .collect();
    format!(
        "{}passes = [ {} ]\n{}",
        &text[..start],
        passes.join(", "),
        &text[end..]
    )
}

#[test]
fn equal_density_settings_hold_when_analyzed_on_their_own() {
    let (_d, v) = compare_json(&[
        design("mf8-192.toml").to_str().unwrap(),
        design("pen-12-110.toml").to_str().unwrap(),
    ]);
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1);
    let p = &pairs[0];
    assert_eq!(p["roller"], "mf8-192");
    assert_eq!(p["pen"], "pen-12-110");
    let roller_d = metric(&v, "mf8-192", "density_per_cm2");
    let pen_d = metric(&v, "pen-12-110", "density_per_cm2");

    // pen: 2 passes × 12 needles × 110 Hz / (4 mm lanes × v) = roller density → v
    let speed = f(&p["equal_density_pen_hand_speed_mm_s"]);
    let closed = 2.0 * 12.0 * 110.0 / (4.0 * roller_d / 100.0);
    assert!(
        (speed / closed - 1.0).abs() < 0.02,
        "speed {speed} vs closed form {closed}"
    );
    let m = analyze_text(&pen_at(&read("pen-12-110.toml"), speed));
    let got = f(&m["density_per_cm2"]);
    assert!(
        (got / roller_d - 1.0).abs() < 0.02,
        "pen at {speed} mm/s reaches {got}/cm², roller {roller_d}"
    );
    // and what compare reported for it is what the pen does there
    assert_eq!(
        f(&p["pen_at_roller_density"]["metrics"]["density_per_cm2"]),
        got
    );
    assert_eq!(
        f(&p["pen_at_roller_density"]["metrics"]["coverage_fraction"]),
        f(&m["coverage_fraction"])
    );

    // roller: k passes of 192/(π · 2 cm · 2 cm) each
    let k = p["equal_density_roller_passes"].as_u64().unwrap() as u32;
    let per_pass = 192.0 / (std::f64::consts::PI * 4.0);
    assert!(
        (k as f64 - pen_d / per_pass).abs() <= 1.0,
        "{k} passes for {pen_d}/cm²"
    );
    let m = analyze_text(&mf8_passes(k));
    let got = f(&m["density_per_cm2"]);
    let one_pass = roller_d / 15.0;
    assert!(
        (got - pen_d).abs() <= one_pass,
        "roller with {k} passes reaches {got}/cm², pen {pen_d}"
    );
    assert_eq!(
        f(&p["roller_at_pen_density"]["metrics"]["max_gap_mm"]),
        f(&m["max_gap_mm"])
    );
    assert_eq!(
        f(&p["roller_at_pen_density"]["metrics"]["time_s"]),
        f(&m["time_s"])
    );
}

#[test]
fn target_density_speed_passes_and_times() {
    let x = 500.0;
    let (_d, v) = compare_json(&[
        design("mf8-192.toml").to_str().unwrap(),
        design("pen-12-110.toml").to_str().unwrap(),
        "--target-density",
        "500",
    ]);
    let p = &v["pairs"][0];
    let speed = f(&p["target_pen_hand_speed_mm_s"]);
    // the pen lays 2640/cm² at 25 mm/s; density ∝ 1/v
    assert!(
        (speed / (25.0 * 2640.0 / x) - 1.0).abs() < 0.02,
        "speed {speed}"
    );
    let k = p["target_roller_passes"].as_u64().unwrap() as f64;
    assert!(
        (k - x / (192.0 / (std::f64::consts::PI * 4.0))).abs() <= 1.0,
        "passes {k}"
    );
    // time = passes × area / lane / speed
    assert!((f(&p["target_roller_time_s"]) - k * 1600.0 / 20.0 / 30.0).abs() < 1e-9);
    assert!((f(&p["target_pen_time_s"]) - 2.0 * 1600.0 / 4.0 / speed).abs() < 1e-9);
    let pen = analyze_text(&pen_at(&read("pen-12-110.toml"), speed));
    assert!((f(&pen["density_per_cm2"]) / x - 1.0).abs() < 0.02);
    let roller = analyze_text(&mf8_passes(k as u32));
    assert!(
        (f(&roller["density_per_cm2"]) - x).abs()
            <= metric(&v, "mf8-192", "density_per_cm2") / 15.0
    );
}

#[test]
fn a_design_compared_with_itself_matches() {
    let d = design("pen-11-90.toml");
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = compare_in(dir.path(), &[d.to_str().unwrap(), d.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("pen-11-90 and pen-11-90#2 match: every metric is the same"),
        "{out}"
    );
    // every metric row reads the same in both columns
    for line in out.lines().skip(2).take_while(|l| !l.is_empty()) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        if cells.len() >= 3 && !line.starts_with('!') {
            assert_eq!(cells[cells.len() - 1], cells[cells.len() - 2], "{line}");
        }
    }
    assert!(!out.contains("larger with"), "{out}");
}

#[test]
fn two_pens_or_two_rollers_have_no_pairs() {
    for (a, b) in [
        ("pen-12-110.toml", "pen-11-90.toml"),
        ("mf8-192.toml", "cit8-0.5.toml"),
    ] {
        let (_d, v) = compare_json(&[
            design(a).to_str().unwrap(),
            design(b).to_str().unwrap(),
            "--target-density",
            "300",
        ]);
        assert_eq!(v["results"].as_array().unwrap().len(), 2);
        assert_eq!(v["pairs"].as_array().unwrap().len(), 0, "{a} vs {b}");
        // the target still brings each design to 300/cm²
        for t in v["target"]["designs"].as_array().unwrap() {
            assert!(
                (f(&t["metrics"]["density_per_cm2"]) - 300.0).abs() <= 300.0 * 0.02 + 16.0,
                "{t}"
            );
        }
    }
}

#[test]
fn several_designs_make_every_roller_pen_pair() {
    let (_d, v) = compare_json(&[
        design("mf8-192.toml").to_str().unwrap(),
        design("cit8-0.5.toml").to_str().unwrap(),
        design("pen-12-110.toml").to_str().unwrap(),
    ]);
    let pairs: Vec<(String, String)> = v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["roller"].as_str().unwrap().into(),
                p["pen"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("mf8-192".into(), "pen-12-110".into()),
            ("cit8-0.5".into(), "pen-12-110".into())
        ]
    );
    assert!(v["differences"].as_array().unwrap().len() > 3);
}

#[test]
fn csv_has_one_row_per_design_and_table_words_the_differences() {
    let dir = tempfile::tempdir().unwrap();
    let (r, p) = (design("mf8-192.toml"), design("pen-12-110.toml"));
    let (code, out, err) = compare_in(
        dir.path(),
        &[r.to_str().unwrap(), p.to_str().unwrap(), "--format", "csv"],
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("name,channels,density_per_cm2"));
    assert!(lines[1].starts_with("mf8-192,") && lines[2].starts_with("pen-12-110,"));
    let (code, out, _) = compare_in(dir.path(), &[r.to_str().unwrap(), p.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("pen-12-110 (pen) openings are round, 0.25 mm across"),
        "{out}"
    );
    assert!(
        out.contains("mf8-192 (roller) openings are oval, 0.33 × 0.25 mm"),
        "{out}"
    );
    assert!(
        out.contains("At the roller's density") && out.contains("At the pen's density"),
        "{out}"
    );
}

#[test]
fn picture_is_written_whole_with_one_image_per_map() {
    let (dir, _) = compare_json(&[
        design("mf8-192.toml").to_str().unwrap(),
        design("pen-12-110.toml").to_str().unwrap(),
    ]);
    let png = dir.path().join("compare-mf8-192-vs-pen-12-110.png");
    let img = image::open(&png).unwrap();
    assert!(
        img.width() >= 1000 && img.height() >= 1000,
        "{}×{}",
        img.width(),
        img.height()
    );
    let svg =
        std::fs::read_to_string(dir.path().join("compare-mf8-192-vs-pen-12-110.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let images = doc
        .descendants()
        .filter(|n| n.has_tag_name("image"))
        .count();
    // two maps per design and the colour bar, each one embedded image
    assert_eq!(images, 5);
    assert!(
        doc.descendants().filter(|n| n.has_tag_name("rect")).count() < 200,
        "heatmaps drawn as rectangles"
    );
}

#[test]
fn one_and_two_threads_give_identical_outputs() {
    let args = [design("mf8-192.toml"), design("pen-11-90.toml")];
    let run = |threads: &str| {
        let dir = tempfile::tempdir().unwrap();
        let o = bin()
            .arg("compare")
            .args(&args)
            .args([
                "--format",
                "csv",
                "--resolution-um",
                RES,
                "--threads",
                threads,
                "--out",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success());
        let png = std::fs::read(dir.path().join("compare-mf8-192-vs-pen-11-90.png")).unwrap();
        let svg = std::fs::read(dir.path().join("compare-mf8-192-vs-pen-11-90.svg")).unwrap();
        (o.stdout, png, svg)
    };
    assert!(
        run("1") == run("2"),
        "outputs differ between 1 and 2 threads"
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        read("pen-12-110.toml").replace("frequency_hz = 110.0", "frequency_hz = -110.0"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = compare_in(
        &out,
        &[
            design("mf8-192.toml").to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("bad.toml") && err.contains("pen.frequency_hz"),
        "{err}"
    );
    assert!(!out.exists(), "outputs written for a bad design");

    let (code, _, err) = compare_in(&out, &[design("mf8-192.toml").to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("two designs"), "{err}");
    let (code, _, err) = compare_in(
        &out,
        &[
            design("mf8-192.toml").to_str().unwrap(),
            design("pen-12-110.toml").to_str().unwrap(),
            "--target-density",
            "-5",
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("-5"), "{err}");
    // a target no roller treatment may reach: more passes than a treatment may have
    let (code, _, err) = compare_in(
        &out,
        &[
            design("mf8-192.toml").to_str().unwrap(),
            design("pen-12-110.toml").to_str().unwrap(),
            "--target-density",
            "1e6",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("passes") && err.contains("10000"), "{err}");
    assert!(
        !out.exists(),
        "outputs written for a target that cannot be reached"
    );
}
