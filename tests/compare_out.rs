//! `compare`'s machine-readable outputs: a proposed setting outside its key's physical range
//! is flagged in the table and the JSON (the range is `design::ranges`, the setting the closed
//! form v = P·N·f/(lane·D)); `--runs N` states every difference of means with its 95 % CI in
//! JSON and CSV, checked against Welch's interval computed here from `mc`'s runs of the same
//! seeds.

mod common;

use common::{bin, design};
use serde_json::Value;
use std::path::Path;

const RES: &str = "100";

fn compare(out: &Path, args: &[&str]) -> (String, String) {
    let o = bin()
        .arg("compare")
        .args(args)
        .args(["--resolution-um", RES, "--quiet", "--out"])
        .arg(out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(0), "{err}");
    (String::from_utf8(o.stdout).unwrap(), err)
}

fn p(name: &str) -> String {
    design(name).to_str().unwrap().to_string()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn a_target_speed_beyond_the_pen_range_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let range = needlemap::design::ranges::range_of("pen.hand_speed_mm_s").unwrap();
    let (mf8, pen) = (p("mf8-192.toml"), p("pen-12-110.toml"));
    for (target, outside) in [("1", true), ("500", false)] {
        let (json, _) = compare(
            dir.path(),
            &[&mf8, &pen, "--target-density", target, "--format", "json"],
        );
        let v: Value = serde_json::from_str(&json).unwrap();
        let pen_at = &v["target"]["designs"][1];
        let speed = f(&pen_at["setting"]["pen_hand_speed_mm_s"]);
        // the pen lays 2640/cm² at 25 mm/s and density ∝ 1/v (the analysis then corrects
        // the speed for the channels it counts: at 1/cm² only a few stamps fall in the region)
        let closed = 25.0 * 2640.0 / target.parse::<f64>().unwrap();
        let v0 = f(&pen_at["closed_form"]);
        assert!((v0 / closed - 1.0).abs() < 0.01, "{v0} vs {closed}");
        assert!(
            speed / closed > 0.5 && speed / closed < 2.0,
            "{speed} vs {closed}"
        );
        assert_eq!(speed > range.max, outside, "{speed}");
        let why = &pen_at["outside_range"];
        if outside {
            let why = why.as_str().unwrap();
            assert!(why.contains("pen.hand_speed_mm_s"), "{why}");
            assert!(why.contains(&format!("{}", range.max)), "{why}");
        } else {
            assert!(why.is_null(), "{why}");
        }
        // the roller's passes (1 at 1/cm², about 33 at 500) are within a treatment's limit
        assert!(v["target"]["designs"][0]["outside_range"].is_null());
    }
    // the table marks the setting and says why
    let o = bin()
        .arg("compare")
        .args([
            &mf8,
            &pen,
            "--target-density",
            "1",
            "--resolution-um",
            RES,
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains("(outside range!)"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("! pen-12-110: ") && l.contains("pen.hand_speed_mm_s")),
        "{table}"
    );
}

/// mean, sample sd and n of a column of mc's runs.csv.
fn column_stats(runs_csv: &Path, key: &str) -> Option<(f64, f64, f64)> {
    let mut r = csv::Reader::from_path(runs_csv).unwrap();
    let col = r.headers().unwrap().iter().position(|h| h == key).unwrap();
    let mut xs = Vec::new();
    for row in r.records() {
        let cell = row.unwrap()[col].to_string();
        if cell.is_empty() {
            return None;
        }
        xs.push(cell.parse::<f64>().unwrap());
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Some((mean, var.sqrt(), n))
}

#[test]
fn differences_over_runs_in_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (p("pen-12-110.toml"), p("skinpen-14.toml"));
    let (json, _) = compare(dir.path(), &[&a, &b, "--runs", "3", "--format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let nz = &v["differences_over_runs"];
    assert_eq!(nz["runs"], 3);
    assert_eq!(nz["versus"], "pen-12-110");
    let pair = &nz["designs"][0];
    assert_eq!(pair["design"], "skinpen-14");
    // the same seeds through `mc`: Welch's interval from its runs
    let mc_out = dir.path().join("mc");
    for d in [&a, &b] {
        let o = bin()
            .args([
                "--quiet",
                "mc",
                d,
                "--runs",
                "3",
                "--resolution-um",
                RES,
                "--out",
            ])
            .arg(&mc_out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let diffs = pair["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), needlemap::model::registry::METRICS.len());
    let mut decided = 0;
    for d in diffs {
        let key = d["metric"].as_str().unwrap();
        let info = needlemap::model::registry::metric(key).unwrap();
        // shares are fractions in the machine outputs (the tables print them in %)
        let unit = if info.unit == "%" {
            "fraction"
        } else {
            info.unit
        };
        assert_eq!(d["unit"], unit);
        let (Some(x), Some(y)) = (
            column_stats(&mc_out.join("skinpen-14/mc/runs.csv"), key),
            column_stats(&mc_out.join("pen-12-110/mc/runs.csv"), key),
        ) else {
            assert!(d["mean"].is_null() && d["within_noise"].is_null(), "{d}");
            continue;
        };
        // runs.csv rounds to the metric's decimals
        let tol = 3.0 * 10f64.powi(-(info.decimals as i32)) + 1e-6 * x.0.abs().max(y.0.abs());
        let mean = x.0 - y.0;
        let half = 1.959_964 * (x.1 * x.1 / x.2 + y.1 * y.1 / y.2).sqrt();
        let (m, lo, hi) = (f(&d["mean"]), f(&d["ci95_low"]), f(&d["ci95_high"]));
        assert!((m - mean).abs() <= tol, "{key}: {m} vs {mean}");
        assert!((lo - (mean - half)).abs() <= 2.0 * tol, "{key}: {lo}");
        assert!((hi - (mean + half)).abs() <= 2.0 * tol, "{key}: {hi}");
        let within = d["within_noise"].as_bool().unwrap();
        assert_eq!(within, lo <= 0.0 && hi >= 0.0, "{key}");
        decided += 1;
    }
    assert!(decided >= 10, "{decided} metrics defined");
    // a 14-needle pen and a 12-needle pen do not make the same number of channels
    let channels = diffs.iter().find(|d| d["metric"] == "channels").unwrap();
    assert_eq!(channels["within_noise"], false);

    // the CSV file says the same
    let csv_path = dir
        .path()
        .join("compare-pen-12-110-vs-skinpen-14-differences.csv");
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        head,
        [
            "design",
            "versus",
            "metric",
            "unit",
            "runs",
            "mean_difference",
            "ci95_low",
            "ci95_high",
            "within_noise"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), diffs.len());
    for (row, d) in rows.iter().zip(diffs) {
        assert_eq!(&row[0], "skinpen-14");
        assert_eq!(&row[1], "pen-12-110");
        assert_eq!(&row[2], d["metric"].as_str().unwrap());
        assert_eq!(&row[4], "3");
        match d["mean"].as_f64() {
            Some(m) => {
                let c: f64 = row[5].parse().unwrap();
                assert!((c - m).abs() <= 1e-6 * m.abs().max(1.0), "{row:?}");
                assert_eq!(&row[8], d["within_noise"].as_bool().unwrap().to_string());
            }
            None => assert!(row[5].is_empty() && row[8].is_empty(), "{row:?}"),
        }
    }
}

#[test]
fn a_design_against_itself_is_within_noise_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let a = p("pen-11-90.toml");
    let (json, _) = compare(dir.path(), &[&a, &a, "--runs", "2", "--format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    for d in v["differences_over_runs"]["designs"][0]["differences"]
        .as_array()
        .unwrap()
    {
        if d["mean"].is_null() {
            continue;
        }
        assert_eq!(f(&d["mean"]), 0.0, "{d}");
        assert_eq!(d["within_noise"], true, "{d}");
    }
}
