//! Drives `needlemap baseline` and `needlemap check` as CI would: an unchanged design passes,
//! a changed one fails naming the design, the metric and the hash change, and bad baselines
//! and flags are usage errors (exit 2) naming the line or the flag at fault.
//!
//! Every test works on one small design (cit8-0.5) at a 20 µm raster so it runs in well under
//! a second, against a baseline made by `baseline` in the test itself.

mod common;

use common::{bin, root};
use std::path::{Path, PathBuf};

fn cit8() -> PathBuf {
    root().join("designs").join("cit8-0.5.toml")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let mut cmd = bin();
    if !args.contains(&"--resolution-um") {
        cmd.args(["--resolution-um", "20"]);
    }
    let out = cmd.args(args).output().unwrap();
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A temp folder holding `baseline.csv` made by `needlemap baseline` from `designs`.
fn baseline_of(designs: &[&Path]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("baseline.csv");
    let mut args = vec!["baseline"];
    args.extend(designs.iter().map(|d| s(d)));
    args.extend(["--output", s(&file)]);
    let r = run(&args);
    assert_eq!(r.code, 0, "baseline failed: {}", r.stderr);
    (dir, file)
}

/// A copy of cit8-0.5 (same name) with `needle.length_mm` set to `length_mm`.
fn cit8_with_length(dir: &Path, length_mm: &str) -> PathBuf {
    let text = std::fs::read_to_string(cit8()).unwrap();
    assert!(text.contains("\nlength_mm = 0.5\n"));
    let p = dir.join("cit8-0.5.toml");
    std::fs::write(
        &p,
        text.replace(
            "\nlength_mm = 0.5\n",
            &format!("\nlength_mm = {length_mm}\n"),
        ),
    )
    .unwrap();
    p
}

/// `check DESIGN --baseline BASELINE ARGS…`, run.
fn check_with(design: &Path, baseline: &Path, args: &[&str]) -> Run {
    run(&[&["check", s(design), "--baseline", s(baseline)], args].concat())
}

/// A baseline of cit8-0.5 and a copy of it whose needles are 0.1 mm longer: (folder,
/// baseline, changed design).
fn baseline_and_longer() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, file) = baseline_of(&[&cit8()]);
    let changed = cit8_with_length(&dir.path().join("changed").tap_mkdir(), "0.6");
    (dir, file, changed)
}

#[test]
fn baseline_has_a_row_per_design_with_provenance() {
    let (_d, file) = baseline_of(&[&cit8()]);
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0],
        "name,channels,density_per_cm2,coverage_fraction,treated_fraction,max_gap_mm,mean_depth_mm,min_depth_mm,max_depth_mm,p05_depth_mm,p95_depth_mm,mean_channel_depth_mm,density_cv,overlap_fraction,puncture_rate_per_s,time_s,min_buckling_safety_factor,min_bending_safety_factor,fatigue_safety_factor,stratum_corneum_fraction,viable_epidermis_fraction,papillary_dermis_fraction,reticular_dermis_fraction,subcutis_fraction,tool_version,design_sha256,seed,resolution_um"
    );
    let cells: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(cells[0], "cit8-0.5");
    // Pressed to the drum (3 N over the arc saturates 0.5 mm needles 2.6 mm apart, beyond
    // the skin's coupling): the lone needle's balance, written with 5 decimals as in
    // summary.csv.
    assert_eq!(cells[6], format!("{:.5}", common::pressed_to_body(0.5)));
    assert_eq!(cells[24], env!("CARGO_PKG_VERSION"));
    let sha = cells[25];
    assert_eq!(sha.len(), 64);
    let j = run(&[
        "analyze",
        s(&cit8()),
        "--format",
        "json",
        "--no-plots",
        "--quiet",
        "--out",
        s(&file.parent().unwrap().join("out")),
    ]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["results"][0]["provenance"]["design_sha256"], sha);
    assert_eq!(cells[26], "1");
    assert_eq!(cells[27], "20");
    // Same values as analyze's summary.csv.
    let summary =
        std::fs::read_to_string(file.parent().unwrap().join("out/cit8-0.5/summary.csv")).unwrap();
    let srow: Vec<&str> = summary.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(&srow[..16], &cells[..16]);
    // The layer fractions too, as summary.csv names and writes them.
    let sheader: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let bheader: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(&sheader[16..21], &bheader[16..21]);
    assert_eq!(&srow[16..21], &cells[16..21]);
    // Byte-identical on stdout and with one thread.
    let one = bin()
        .args([
            "--resolution-um",
            "20",
            "--threads",
            "1",
            "baseline",
            s(&cit8()),
        ])
        .output()
        .unwrap();
    assert!(one.status.success());
    assert_eq!(String::from_utf8(one.stdout).unwrap(), text);
}

#[test]
fn unchanged_design_passes_with_any_thread_count() {
    let (_d, file) = baseline_of(&[&cit8()]);
    let design = cit8();
    for threads in [None, Some("1"), Some("2")] {
        let mut args = vec![];
        if let Some(t) = threads {
            args.extend(["--threads", t]);
        }
        args.extend(["check", s(&design), "--baseline", s(&file)]);
        let r = run(&args);
        assert_eq!(r.code, 0, "threads {threads:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout
                .starts_with("check passed: 23 metrics of 1 design(s)"), // 18 metrics, 5 layer fractions
            "{}",
            r.stdout
        );
        assert!(
            r.stderr.is_empty(),
            "no note or warning expected: {}",
            r.stderr
        );
    }
}

#[test]
fn longer_needle_fails_naming_design_metric_and_hash_change() {
    let (_dir, file, changed) = baseline_and_longer();
    let r = check_with(&changed, &file, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let depth_row = r
        .stdout
        .lines()
        .find(|l| l.starts_with("cit8-0.5") && l.contains("max_depth_mm"))
        .unwrap_or_else(|| panic!("no max_depth_mm row:\n{}", r.stdout));
    // The needle grew by 0.1 mm: every channel goes to the balance of the longer needle.
    let (was, now) = (common::pressed_to_body(0.5), common::pressed_to_body(0.6));
    assert!(
        depth_row.contains(&format!("{was:.5}"))
            && depth_row.contains(&format!("{now:.5}"))
            && depth_row.contains(&format!("{:+.5}", now - was)),
        "{depth_row}"
    );
    assert!(depth_row.contains("design file changed"), "{depth_row}");
    assert!(r.stdout.lines().next().unwrap().split_whitespace().eq([
        "design",
        "metric",
        "baseline",
        "now",
        "change",
        "tolerance",
        "note"
    ]));
    assert!(
        r.stderr
            .contains("note: cit8-0.5: design file changed since the baseline (sha256"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("check failed:"), "{}", r.stdout);
    // The drum and treatment did not change: the channel count, rate and time must not move.
    for still in [
        "channels",
        "density_per_cm2",
        "puncture_rate_per_s",
        "time_s",
    ] {
        assert!(
            !r.stdout
                .lines()
                .any(|l| l.split_whitespace().nth(1) == Some(still)),
            "{still} moved:\n{}",
            r.stdout
        );
    }
}

#[test]
fn loosened_tolerance_lets_the_change_pass_and_a_tight_one_does_not() {
    let (_dir, file, changed) = baseline_and_longer();
    let r = check_with(&changed, &file, &["--format", "json"]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["passed"], false);
    let moved: Vec<(String, f64)> = v["designs"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["within"] == false)
        .map(|m| {
            (
                m["metric"].as_str().unwrap().to_string(),
                m["relative_change"].as_f64().unwrap().abs(),
            )
        })
        .collect();
    assert_eq!(v["moved"], moved.len());
    assert!(moved.iter().any(|(k, _)| k == "max_depth_mm"));
    assert!(v["designs"][0]["design_changed"] == true);
    // Twice each relative change passes; half of one of them fails.
    let loose: Vec<String> = moved
        .iter()
        .map(|(k, r)| format!("{k}={}", 2.0 * r))
        .collect();
    let mut args = vec!["check", s(&changed), "--baseline", s(&file)];
    for t in &loose {
        args.extend(["--tolerance", t]);
    }
    let r = run(&args);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("design file changed"),
        "the hash change is still said: {}",
        r.stderr
    );
    let half: Vec<String> = moved
        .iter()
        .enumerate()
        .map(|(i, (k, r))| format!("{k}={}", if i == 0 { 0.5 * r } else { 2.0 * r }))
        .collect();
    let mut args = vec!["check", s(&changed), "--baseline", s(&file)];
    for t in &half {
        args.extend(["--tolerance", t]);
    }
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        r.stdout
            .lines()
            .filter(|l| l.starts_with("cit8-0.5"))
            .count(),
        1,
        "{}",
        r.stdout
    );
}

#[test]
fn undefined_metrics_compare_equal_to_undefined_and_differ_from_numbers() {
    // A 0.1 mm needle never gets through the 0.14 mm the skin tents: no channel, so the depth
    // statistics are undefined (empty cells).
    let dir = tempfile::tempdir().unwrap();
    let none = cit8_with_length(dir.path(), "0.1");
    let (_d, file) = baseline_of(&[&none]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.lines().nth(1).unwrap().contains(",,,,"), "{text}");
    let r = check_with(&none, &file, &[]);
    assert_eq!(r.code, 0, "undefined = undefined: {}{}", r.stdout, r.stderr);
    let r = check_with(&cit8(), &file, &["--tolerance", "max_depth_mm=1000"]);
    assert_eq!(r.code, 1);
    let row = r
        .stdout
        .lines()
        .find(|l| l.contains("max_depth_mm"))
        .unwrap();
    assert!(
        row.contains("undefined") && row.contains("became defined"),
        "{row}"
    );
}

#[test]
fn junit_parses_and_records_the_failure() {
    let (dir, file, changed) = baseline_and_longer();
    let reports = dir.path().join("reports").tap_mkdir(); // --junit creates no folders
    let junit = reports.join("check.xml");
    let r = run(&[
        "check",
        s(&changed),
        "--baseline",
        s(&file),
        "--junit",
        s(&junit),
        "--quiet",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty(), "--quiet prints no table");
    assert!(
        r.stderr
            .contains("metric(s) moved outside tolerance: cit8-0.5: "),
        "{}",
        r.stderr
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    let suite = suites
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("cit8-0.5"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 23, "a test case per metric and layer fraction");
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert!(
        failed.contains(&"max_depth_mm") && !failed.contains(&"channels"),
        "{failed:?}"
    );
    assert_eq!(
        suites.attribute("failures"),
        Some(failed.len().to_string().as_str())
    );
    assert_eq!(
        suite.attribute("failures"),
        Some(failed.len().to_string().as_str())
    );
    let depth = cases
        .iter()
        .find(|c| c.attribute("name") == Some("max_depth_mm"))
        .unwrap();
    let msg = depth
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap()
        .attribute("message")
        .unwrap();
    assert!(
        msg.contains(&format!(
            "baseline {:.5}, now {:.5}",
            common::pressed_to_body(0.5),
            common::pressed_to_body(0.6)
        )) && msg.contains("design file changed"),
        "{msg}"
    );
    // Written atomically: the report and nothing else in its folder.
    assert_eq!(std::fs::read_dir(&reports).unwrap().count(), 1);
}

#[test]
fn junit_on_success_has_no_failure() {
    let (dir, file) = baseline_of(&[&cit8()]);
    let junit = dir.path().join("ok.xml");
    let r = run(&[
        "check",
        s(&cit8()),
        "--baseline",
        s(&file),
        "--junit",
        s(&junit),
    ]);
    assert_eq!(r.code, 0);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        23
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        0
    );
}

#[test]
fn truncated_or_garbled_baseline_is_exit_2_with_the_line() {
    let home = root().join("designs").join("home-0.2.toml");
    let (dir, file) = baseline_of(&[&cit8(), &home]);
    let text = std::fs::read_to_string(&file).unwrap();
    // Truncated in the middle of line 3 (home-0.2's row).
    let bad = dir.path().join("truncated.csv");
    std::fs::write(&bad, &text[..text.len() - 40]).unwrap();
    let r = run(&["check", s(&cit8()), s(&home), "--baseline", s(&bad)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("truncated.csv:3: the row has"),
        "{}",
        r.stderr
    );
    // A garbled number on line 2.
    let bad = dir.path().join("garbled.csv");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let depth = format!("{:.5}", common::pressed_to_body(0.5));
    lines[1] = lines[1].replacen(&format!(",{depth},"), ",0.36OOO,", 1);
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let r = run(&["check", s(&cit8()), "--baseline", s(&bad)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("garbled.csv:2: `mean_depth_mm` = `0.36OOO`: not a number"),
        "{}",
        r.stderr
    );
    // Not a baseline at all.
    let r = run(&["check", s(&cit8()), "--baseline", s(&cit8())]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cit8-0.5.toml:1:"), "{}", r.stderr);
    // Missing file.
    let r = run(&[
        "check",
        s(&cit8()),
        "--baseline",
        s(&dir.path().join("nope.csv")),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("nope.csv: cannot read the baseline"),
        "{}",
        r.stderr
    );
}

#[test]
fn design_absent_from_baseline_is_exit_2_and_unused_row_a_warning() {
    let home = root().join("designs").join("home-0.2.toml");
    let (_d, file) = baseline_of(&[&cit8()]);
    let r = run(&["check", s(&cit8()), s(&home), "--baseline", s(&file)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no row for") && r.stderr.contains("design `home-0.2`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());

    let (_d2, both) = baseline_of(&[&cit8(), &home]);
    let r = run(&["check", s(&cit8()), "--baseline", s(&both)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: ")
            && r.stderr.contains(
                "baseline.csv:3: design `home-0.2` is in the baseline but was not checked"
            ),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_flags_are_exit_2() {
    let (_d, file) = baseline_of(&[&cit8()]);
    for (flag, says) in [
        ("coverage=0.1", "unknown metric `coverage`"),
        ("max_gap_mm=abc", "REL must be"),
        ("max_gap_mm=-0.1", "REL must be"),
        ("max_gap_mm", "METRIC=REL"),
    ] {
        let r = check_with(&cit8(), &file, &["--tolerance", flag]);
        assert_eq!(r.code, 2, "{flag}");
        assert!(r.stderr.contains(says), "{flag}: {}", r.stderr);
    }
    let r = run(&["check", s(&cit8())]);
    assert_eq!(r.code, 2, "--baseline is required");
    let r = check_with(&cit8(), &file, &["--format", "csv"]);
    assert_eq!(r.code, 2);
}

/// `check` of cit8-0.5 against `baseline`, JSON on stdout; `before` goes before `check`.
fn check_json(before: &[&str], baseline: &Path) -> Run {
    let design = cit8();
    let mut args = before.to_vec();
    args.extend([
        "check",
        s(&design),
        "--baseline",
        s(baseline),
        "--format",
        "json",
    ]);
    run(&args)
}

#[test]
fn other_resolution_is_said_and_moves_only_area_metrics() {
    let (_d, file) = baseline_of(&[&cit8()]);
    let r = check_json(&["--resolution-um", "25"], &file);
    assert!(
        r.stderr
            .contains("note: cit8-0.5: analyzed at 25 µm, the baseline at 20 µm"),
        "{}",
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["designs"][0]["design_changed"], false);
    // The raster pitch cannot move what is counted from the channels.
    for m in v["designs"][0]["metrics"].as_array().unwrap() {
        let k = m["metric"].as_str().unwrap();
        if !["coverage_fraction", "treated_fraction", "max_gap_mm"].contains(&k) {
            assert_eq!(m["within"], true, "{k} moved with the pitch: {m}");
            // a roller's fatigue factor is undefined at any pitch: no change to report
            let change = if k == "fatigue_safety_factor" {
                serde_json::Value::Null
            } else {
                0.0.into()
            };
            assert_eq!(m["change"], change, "{k}");
        }
    }
    assert_eq!(r.code, if v["passed"] == true { 0 } else { 1 });
}

#[test]
fn shipped_baseline_covers_every_shipped_design() {
    let file = root().join("designs").join("baseline.csv");
    let b = needlemap::studies::check::read_baseline(&file).unwrap();
    let dir = root().join("designs");
    for d in needlemap::design::expand_paths(&[dir]).unwrap() {
        let design = needlemap::design::Design::load(&d).unwrap();
        let row = b.row(&design.name).unwrap_or_else(|| {
            panic!(
                "{} has no row in designs/baseline.csv; regenerate it (README, Regression gate)",
                design.name
            )
        });
        assert_eq!(
            row.design_sha256, design.source.sha256,
            "{}: designs/baseline.csv is stale; regenerate it (README, Regression gate)",
            design.name
        );
    }
}

#[test]
fn layer_fractions_are_checked_and_old_baselines_warn() {
    let (_d, file) = baseline_of(&[&cit8()]);
    let text = std::fs::read_to_string(&file).unwrap();
    // cit8-0.5 ends every channel in the reticular dermis: 0,0,0,1,0.
    assert!(
        text.contains(",0.000000,0.000000,0.000000,1.000000,0.000000,"),
        "{text}"
    );
    let check = |baseline: &str| {
        std::fs::write(&file, baseline).unwrap();
        check_json(&[], &file)
    };
    let moved = check(&text.replace(
        ",0.000000,1.000000,0.000000,",
        ",0.000100,0.999900,0.000000,",
    ));
    assert_eq!(moved.code, 1, "{}", moved.stderr);
    assert!(
        moved.stderr.contains("papillary_dermis_fraction")
            && moved.stderr.contains("reticular_dermis_fraction"),
        "{}",
        moved.stderr
    );
    // A baseline from before the layer columns passes, saying they went unchecked.
    let old: String = text
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            [&c[..19], &c[24..]].concat().join(",") + "\n"
        })
        .collect();
    let r = check(&old);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("the layer fractions are not checked"),
        "{}",
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["designs"][0]["metrics"].as_array().unwrap().len(),
        needlemap::model::registry::METRICS.len()
    );
    let r = check(&text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("not checked"), "{}", r.stderr);
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}
