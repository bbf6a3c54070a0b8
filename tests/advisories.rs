//! Advisories in every output format: `analyze --format csv` carries the codes of the JSON's
//! advisories (`non_piercing` when the force is below a single tip's puncture force), and the
//! first depth model's `[skin]` keys are refused with what replaced them.

mod common;

use common::{bin, design};
use serde_json::Value;

/// The shipped 12-needle pen with `drive_force_n` (and as much hand preload).
fn pen(force_n: f64) -> String {
    let t = std::fs::read_to_string(design("pen-12-110.toml")).unwrap();
    let mut t = t.replace(
        "drive_force_n = 5.0",
        &format!("drive_force_n = {force_n:?}"),
    );
    assert!(t.contains(&format!("drive_force_n = {force_n:?}")));
    t = t.replace(
        &format!("drive_force_n = {force_n:?}"),
        &format!("drive_force_n = {force_n:?}\npreload_n = {force_n:?}"),
    );
    t
}

/// analyze of a design text in `format`: stdout.
fn analyze(text: &str, format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("d.toml");
    std::fs::write(&f, text).unwrap();
    let o = bin()
        .arg("analyze")
        .arg(&f)
        .args([
            "--format",
            format,
            "--quiet",
            "--no-plots",
            "--resolution-um",
            "50",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn codes_json(text: &str) -> (Vec<String>, Value) {
    let v: Value = serde_json::from_str(&analyze(text, "json")).unwrap();
    let r = v["results"][0].clone();
    let codes = r["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_string())
        .collect();
    (codes, r)
}

fn codes_csv(text: &str) -> Vec<String> {
    let out = analyze(text, "csv");
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "advisories")
        .expect("an advisories column");
    let row = r.records().next().unwrap().unwrap();
    row[col]
        .split(';')
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn csv_carries_the_advisories_of_the_json() {
    // 0.01 N shared by 12 needles is far below one sharp tip's ≈ 0.0275 N puncture force
    let weak = pen(0.01);
    let (json, _) = codes_json(&weak);
    assert!(json.contains(&"non_piercing".to_string()), "{json:?}");
    assert_eq!(codes_csv(&weak), json);
    // 5 N pierces: no such advisory, and the column says what the JSON says
    let firm = pen(5.0);
    let (json, _) = codes_json(&firm);
    assert!(!json.contains(&"non_piercing".to_string()), "{json:?}");
    assert_eq!(codes_csv(&firm), json);
}

#[test]
fn keys_of_the_first_depth_model_are_refused_with_their_replacement() {
    for (key, names) in [
        ("deflection_mm", "tenting_stiffness_n_mm"),
        ("insertion_resistance_n_mm", "friction_n_mm2"),
    ] {
        let text = pen(5.0).replace(
            "preset = \"face\"",
            &format!("preset = \"face\"\n{key} = 0.14"),
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.toml");
        std::fs::write(&path, text).unwrap();
        let out = bin()
            .args(["analyze", path.to_str().unwrap(), "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("skin.{key}")) && err.contains(names),
            "{err}"
        );
        assert!(!dir.path().join("out").exists());
    }
}
