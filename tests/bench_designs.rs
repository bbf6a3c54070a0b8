//! The large designs of designs/bench/ (the criterion benches' inputs), checked as designs,
//! not timed: valid, with the channel counts their comments state in closed form, left out of
//! `analyze designs/`, thread-count independent, and silent on stderr when it is not a
//! terminal.

mod common;

use common::{bin, root};
use std::path::PathBuf;

fn bench_design(name: &str) -> PathBuf {
    root().join("designs/bench").join(name)
}

/// Runs `analyze` with `args` into a fresh folder; returns (folder, stdout, stderr).
fn analyze(args: &[&str]) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(args)
        .arg("--out")
        .arg(dir.path())
        .arg("--no-plots")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "stderr: {stderr}");
    (dir, String::from_utf8(out.stdout).unwrap(), stderr)
}

fn channels(json: &str) -> f64 {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["results"][0]["metrics"]["channels"].as_f64().unwrap()
}

#[test]
fn bench_designs_have_the_stated_channel_counts() {
    // Coarse pixels: only the channel counts are checked here.
    // pen: 2 passes × 12 needles × 110 Hz / (30 mm/s × 4 mm lanes) × 3600 mm² = 79 200
    let pen = bench_design("pen-dense-60.toml");
    let (_d, out, _) = analyze(&[
        "--resolution-um",
        "50",
        "analyze",
        pen.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let n = channels(&out);
    assert!((n / 79_200.0 - 1.0).abs() < 0.01, "pen channels {n}");
    // roller: 15 passes × 540 needles / (π · 20 mm · 20 mm) × 10 000 mm² ≈ 64 458
    let body = bench_design("body-540-100.toml");
    let (_d, out, _) = analyze(&[
        "--resolution-um",
        "100",
        "analyze",
        body.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let n = channels(&out);
    let expect = 15.0 * 540.0 / (std::f64::consts::PI * 400.0) * 10_000.0;
    assert!(
        (n / expect - 1.0).abs() < 0.01,
        "body channels {n} vs {expect}"
    );
}

#[test]
fn bench_designs_stay_out_of_the_default_run() {
    let designs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("designs");
    let (_d, out, _) = analyze(&[
        "--resolution-um",
        "100",
        "analyze",
        designs.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(out.lines().count() >= 2, "{out}");
    assert!(out.lines().any(|l| l.starts_with("mf8-192,")));
    assert!(!out.contains("pen-dense-60") && !out.contains("body-540-100"));
}

#[test]
fn dense_pen_outputs_do_not_depend_on_threads_and_stderr_stays_silent() {
    let pen = bench_design("pen-dense-60.toml");
    let run = |threads: &str| {
        analyze(&[
            "--threads",
            threads,
            "--resolution-um",
            "20",
            "analyze",
            pen.to_str().unwrap(),
        ])
    };
    let (one, _, err1) = run("1");
    let (two, _, err2) = run("2");
    // stderr is a pipe here, not a terminal: no progress bars, nothing else either
    assert_eq!(err1, "");
    assert_eq!(err2, "");
    for f in ["summary.csv", "channels.csv", "tiles.csv"] {
        let a = std::fs::read(one.path().join("pen-dense-60").join(f)).unwrap();
        let b = std::fs::read(two.path().join("pen-dense-60").join(f)).unwrap();
        assert!(a.len() > 100, "{f} is empty");
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}
