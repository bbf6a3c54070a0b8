//! Advisories in every output format: `analyze --format csv` carries the codes of the JSON's
//! advisories (`non_piercing` when the force is below a single tip's puncture force), and a
//! `[skin] deflection_mm` beyond the tenting at puncture F_p/k is reported as capped — and,
//! being capped, changes no number.

mod common;

use common::{bin, design};
use serde_json::Value;

/// The shipped 12-needle pen with `drive_force_n` and, if given, `[skin] deflection_mm`.
fn pen(force_n: f64, deflection_mm: Option<f64>) -> String {
    let t = std::fs::read_to_string(design("pen-12-110.toml")).unwrap();
    let mut t = t.replace(
        "drive_force_n = 5.0",
        &format!("drive_force_n = {force_n:?}"),
    );
    assert!(t.contains(&format!("drive_force_n = {force_n:?}")));
    if let Some(d) = deflection_mm {
        t = t.replace(
            "preset = \"face\"",
            &format!("preset = \"face\"\ndeflection_mm = {d:?}"),
        );
    }
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
    let weak = pen(0.01, None);
    let (json, _) = codes_json(&weak);
    assert!(json.contains(&"non_piercing".to_string()), "{json:?}");
    assert_eq!(codes_csv(&weak), json);
    // 5 N pierces: no such advisory, and the column says what the JSON says
    let firm = pen(5.0, None);
    let (json, _) = codes_json(&firm);
    assert!(!json.contains(&"non_piercing".to_string()), "{json:?}");
    assert_eq!(codes_csv(&firm), json);
}

#[test]
fn a_deflection_beyond_the_puncture_tenting_is_capped_and_said() {
    // face: F_p = 0.020 N + 150 N/mm² · π · (0.004 mm)² ≈ 0.0275 N, k = 0.14 N/mm: w_p ≈ 0.196 mm
    let skin = needlemap::model::skin::Skin::preset("face").unwrap();
    let m = needlemap::model::insertion::Mechanics::new(&skin, 0.25, 0.5, 4.0);
    let wp = m.puncture_displacement_mm();
    assert!((0.15..0.25).contains(&wp), "{wp}");
    let (below, rb) = codes_json(&pen(5.0, Some(wp * 0.5)));
    assert!(
        !below.contains(&"deflection_capped".to_string()),
        "{below:?}"
    );
    let (c1, r1) = codes_json(&pen(5.0, Some(wp * 2.0)));
    let (c2, r2) = codes_json(&pen(5.0, Some(wp * 4.0)));
    for c in [&c1, &c2] {
        assert!(c.contains(&"deflection_capped".to_string()), "{c:?}");
    }
    // capped: both deflections give the same depths, those of δ_r = w_p; below the cap the
    // tip stands deeper by the difference
    let depth = |r: &Value| r["metrics"]["mean_depth_mm"].as_f64().unwrap();
    assert_eq!(depth(&r1), depth(&r2));
    assert!(
        (depth(&rb) - depth(&r1) - (wp - wp * 0.5)).abs() < 1e-3,
        "{} {}",
        depth(&rb),
        depth(&r1)
    );
    let msg = r1["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "deflection_capped")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains(&format!("{:.3} mm", wp)), "{msg}");
}
