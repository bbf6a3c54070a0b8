//! `needlemap mc`: Monte Carlo over seeds and tolerance, spec limits and yield, as-built data.

mod common;

use common::{bin, write};
use needlemap::design::Design;
use std::path::Path;

fn design(name: &str, tolerance: &str, jitter: bool, spec: &str) -> String {
    common::SmallRoller {
        name,
        tables: tolerance,
        side_mm: 12.0,
        passes: "{ angle_deg = 0.0, count = 1 }, { angle_deg = 90.0, count = 1 }",
        treatment: if jitter { "" } else { "jitter = false" },
        resolution_um: 40.0,
        tail: spec,
        ..Default::default()
    }
    .toml()
}

/// Runs `mc` and returns (exit code, stdout, stderr).
fn mc(args: &[&str]) -> (i32, String, String) {
    let out = bin().arg("--quiet").arg("mc").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

const VARIED: &str = "[tolerance]\nlength_sd_mm = 0.05\nmissing_fraction = 0.05";

#[test]
fn no_randomness_has_zero_sd_and_yield_zero_or_one() {
    let dir = tempfile::tempdir().unwrap();
    let spec = "[spec]\ncoverage_fraction = { min = 0.0 }\nmax_gap_mm = { max = 100.0 }";
    let f = write(dir.path(), "fixed.toml", &design("fixed", "", false, spec));
    let out = dir.path().join("out");
    let (code, _, err) = mc(&[
        f.to_str().unwrap(),
        "--runs",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let summary = read(&out.join("fixed/mc/summary.csv"));
    let mut lines = summary.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let sd = head.iter().position(|h| *h == "sd").unwrap();
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        if !cells[sd].is_empty() {
            assert_eq!(cells[sd].parse::<f64>().unwrap(), 0.0, "{l}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("fixed/mc/summary.json"))).unwrap();
    let y = json["yield"]["fraction"].as_f64().unwrap();
    assert!(y == 0.0 || y == 1.0, "yield {y}");
}

#[test]
fn same_bytes_for_one_and_two_threads_and_runs_are_a_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "v.toml", &design("v", VARIED, true, ""));
    let run = |threads: &str, runs: &str, out: &str| {
        let out = dir.path().join(out);
        let o = bin()
            .args(["--quiet", "--threads", threads, "mc"])
            .arg(&f)
            .args(["--runs", runs, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out.join("v/mc")
    };
    let a = run("1", "3", "a");
    let b = run("2", "3", "b");
    for f in ["runs.csv", "summary.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let c = run("2", "6", "c");
    let short = read(&a.join("runs.csv"));
    let long = read(&c.join("runs.csv"));
    assert_eq!(long.lines().count(), 7);
    assert!(
        long.starts_with(&short),
        "runs 0..3 of 6 differ from a 3-run study"
    );
    // the tolerance varies something: not every row is the same
    let rows: Vec<_> = long
        .lines()
        .skip(1)
        .map(|l| {
            l.split_once(',')
                .unwrap()
                .1
                .split_once(',')
                .unwrap()
                .1
                .to_string()
        })
        .collect();
    assert!(rows.iter().any(|r| *r != rows[0]));
}

#[test]
fn min_yield_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let easy = write(
        dir.path(),
        "easy.toml",
        &design(
            "easy",
            VARIED,
            true,
            "[spec]\ncoverage_fraction = { min = 0.0 }",
        ),
    );
    let hard = write(
        dir.path(),
        "hard.toml",
        &design(
            "hard",
            VARIED,
            true,
            "[spec]\ncoverage_fraction = { min = 0.99 }",
        ),
    );
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let (code, _, err) = mc(&[
        easy.to_str().unwrap(),
        "--runs",
        "3",
        "--min-yield",
        "0.2",
        "--out",
        o,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = mc(&[
        hard.to_str().unwrap(),
        "--runs",
        "3",
        "--min-yield",
        "0.2",
        "--out",
        o,
    ]);
    assert_eq!(code, 1);
    // 3 of 3 passing: the Wilson lower bound is 0.44, below 0.5
    let (code, _, _) = mc(&[
        easy.to_str().unwrap(),
        "--runs",
        "3",
        "--min-yield",
        "0.5",
        "--out",
        o,
    ]);
    assert_eq!(code, 1);
}

#[test]
fn bad_spec_keys_exit_2_naming_line_and_key_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    for (spec, says) in [
        ("[spec]\ncoverage = { min = 0.1 }", "spec.coverage"),
        (
            "[spec]\nmax_gap_mm = { min = 2.0, max = 1.0 }",
            "min must not exceed max",
        ),
        ("[spec]\nmax_gap_mm = { max = nan }", "spec.max_gap_mm.max"),
        ("[spec]\nmax_gap_mm = { most = 1.0 }", "most"),
        // a fraction written as a percentage (the tables print coverage in %)
        (
            "[spec]\ncoverage_fraction = { min = 15.0 }",
            "spec.coverage_fraction.min",
        ),
        (
            "[spec]\ntreated_fraction = { max = -0.1 }",
            "fraction from 0 to 1",
        ),
    ] {
        let f = write(dir.path(), "s.toml", &design("s", "", true, spec));
        let out = dir.path().join("out");
        let (code, _, err) = mc(&[
            f.to_str().unwrap(),
            "--runs",
            "2",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{spec}: {err}");
        assert!(err.contains(says), "{spec}: {err}");
        assert!(err.contains("s.toml"), "{err}");
        assert!(!out.exists(), "{spec}: something was written");
    }
    let f = write(
        dir.path(),
        "s.toml",
        &design("s", "", true, "[spec]\ncoverage = { min = 0.1 }"),
    );
    let (_, _, err) = mc(&[f.to_str().unwrap(), "--runs", "2", "--out", "x"]);
    assert!(err.contains("s.toml:24:1:"), "line of the key: {err}");
}

#[test]
fn bad_inspection_rows_and_zero_runs_exit_2_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.toml", &design("d", "", true, ""));
    let good: String = (0..192).map(|i| format!("{i},1.5,0\n")).collect();
    for (body, says) in [
        (
            format!("needle,length_mm,missing\n{good}0,1.5,0\n"),
            "d.csv:194:1: `needle` = 0: appears twice",
        ),
        (
            format!("needle,length_mm,missing\n{good}192,1.5,0\n"),
            "d.csv:194:1: `needle` = 192",
        ),
        (
            "needle,length_mm,missing\n0,-1.5,0\n".to_string(),
            "d.csv:2:1: `length_mm` = -1.5",
        ),
        (
            "needle,length_mm,missing\n0,1.5,0\n".to_string(),
            "no row for needle 1",
        ),
    ] {
        let csv = write(dir.path(), "d.csv", &body);
        let out = dir.path().join("out");
        let (code, _, err) = mc(&[
            f.to_str().unwrap(),
            "--runs",
            "2",
            "--as-built",
            csv.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says), "{err}");
        assert!(!out.exists());
    }
    let out = dir.path().join("out");
    let (code, _, err) = mc(&[
        f.to_str().unwrap(),
        "--runs",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--runs 0"), "{err}");
    assert!(!out.exists());
}

#[test]
fn as_built_fixes_the_device_so_only_the_hand_varies() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.toml", &design("d", VARIED, true, ""));
    let body: String = std::iter::once("needle,length_mm,missing\n".to_string())
        .chain((0..192).map(|i| {
            format!(
                "{i},{},{}\n",
                1.4 + 0.001 * (i % 7) as f64,
                u8::from(i % 50 == 0)
            )
        }))
        .collect();
    let csv = write(dir.path(), "d.csv", &body);
    let out = dir.path().join("out");
    let (code, _, err) = mc(&[
        f.to_str().unwrap(),
        "--runs",
        "3",
        "--as-built",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // an inspected device's study is written apart from the nominal design's mc/
    assert!(!out.join("d/mc").exists());
    let runs = read(&out.join("d/mc-as-built-d/runs.csv"));
    let tails: Vec<String> = runs
        .lines()
        .skip(1)
        .map(|l| l.rsplitn(5, ',').take(4).collect::<Vec<_>>().join(","))
        .collect();
    assert!(
        tails.iter().all(|t| *t == tails[0]),
        "device differs between runs: {tails:?}"
    );
    assert!(
        tails[0].contains(",4,188"),
        "4 missing of 192: {}",
        tails[0]
    );
}

/// With `missing_fraction = p` and no length error, the number of missing needles over
/// seeds is Binomial(192, p): mean within 3 standard errors, variance within 25 %
/// (the sd of a sample variance of 400 draws is about 7 % of it).
#[test]
fn missing_needles_follow_the_binomial() {
    let p = 0.1;
    let text = design(
        "b",
        &format!("[tolerance]\nmissing_fraction = {p}"),
        true,
        "",
    );
    let d = Design::from_bytes(text.as_bytes(), "b.toml".as_ref()).unwrap();
    let n = needlemap::kinematics::needle_count(&d) as f64;
    let runs = 400;
    let counts: Vec<f64> = (0..runs)
        .map(|k| {
            let mut dk = d.clone();
            dk.treatment.seed = 100 + k;
            n - needlemap::kinematics::MadeDevice::new(&dk).present as f64
        })
        .collect();
    let mean = counts.iter().sum::<f64>() / runs as f64;
    let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (runs - 1) as f64;
    let (m0, v0) = (n * p, n * p * (1.0 - p));
    let se = (v0 / runs as f64).sqrt();
    assert!((mean - m0).abs() < 3.0 * se, "mean {mean} vs {m0} ± {se}");
    assert!((var / v0 - 1.0).abs() < 0.25, "variance {var} vs {v0}");
}

/// The strength factors are metrics like any other: under length and tip tolerance they vary
/// from run to run, and a `[spec]` limit on one enters the yield.
#[test]
fn strength_limits_enter_the_yield_under_length_and_tip_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let tol = "[tolerance]\nlength_sd_mm = 0.1\ntip_radius_sd_um = 2.0";
    let key = "min_bending_safety_factor";
    let run = |name: &str, spec: &str| {
        let f = write(
            dir.path(),
            &format!("{name}.toml"),
            &design(name, tol, true, spec),
        );
        let out = dir.path().join("out");
        let (code, _, err) = mc(&[
            f.to_str().unwrap(),
            "--runs",
            "8",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let runs = read(&out.join(format!("{name}/mc/runs.csv")));
        let mut lines = runs.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = head.iter().position(|h| *h == key).unwrap();
        let values: Vec<f64> = lines
            .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
            .collect();
        let json: serde_json::Value =
            serde_json::from_str(&read(&out.join(format!("{name}/mc/summary.json")))).unwrap();
        (values, json["yield"]["fraction"].as_f64().unwrap())
    };
    let (values, _) = run("free", &format!("[spec]\n{key} = {{ min = 0.0 }}"));
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    assert!(
        sorted[0] < sorted[7],
        "the factor varies with the tolerance: {values:?}"
    );
    // halfway between two runs: runs.csv rounds, the limit must not sit on a rounded value
    assert!(sorted[3] < sorted[4], "{values:?}");
    let limit = 0.5 * (sorted[3] + sorted[4]);
    let (again, y) = run("limited", &format!("[spec]\n{key} = {{ min = {limit:?} }}"));
    assert_eq!(again, values, "the same seeds draw the same needles");
    let passing = values.iter().filter(|v| **v >= limit).count();
    assert_eq!(y, passing as f64 / 8.0);
    assert!(y > 0.0 && y < 1.0, "yield {y}");
}
