//! Depth from force, end to end: the published experiments, the two depths of every channel,
//! the hand stamp, and the advisory for needles that do not pierce.

mod common;

use common::{bin, design, root};
use needlemap::base::progress::Silent;
use needlemap::design::{Design, Device};
use needlemap::metrics::analysis;

fn load(name: &str) -> Design {
    Design::load(&design(name)).unwrap()
}

fn with_force(mut d: Design, f: f64) -> Design {
    d.device.set_force_n(f);
    d
}

#[test]
fn validate_passes_on_the_shipped_experiments_and_reports_json() {
    let out = bin()
        .current_dir(root())
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["pass"], true);
    let rows = v["rows"].as_array().unwrap();
    let find = |design: &str, q: &str| {
        rows.iter()
            .find(|r| r["design"] == design && r["quantity"] == q)
            .unwrap_or_else(|| panic!("no row {design} {q}"))
    };
    // Kalluri 2011: channel depth within one SD of 152.5 ± 9.6 µm
    let k = find("kalluri-2011-roller-rat", "channel_depth_mm");
    let p = k["predicted_mm"].as_f64().unwrap();
    assert!((p - 0.1525).abs() <= 0.0096, "{p}");
    // Donnelly 2010: insertion depth within 10 % of 460 µm
    let d = find("donnelly-2010-array-human", "depth_mm");
    let p = d["predicted_mm"].as_f64().unwrap();
    assert!((p / 0.46 - 1.0).abs() <= 0.10, "{p}");
    // every row says whether a parameter was fitted to it
    assert!(rows
        .iter()
        .all(|r| r["role"] == "calibration" || r["role"] == "validation"));
}

#[test]
fn validate_exits_1_when_a_prediction_leaves_its_band() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(design("validation/donnelly-2010-array-human.toml")).unwrap();
    // a tenth of the force: the array no longer presses to its base
    let weak = text.replace("force_n = 30.0", "force_n = 3.0");
    assert_ne!(weak, text);
    std::fs::write(dir.path().join("weak.toml"), weak).unwrap();
    let out = bin().arg("validate").arg(dir.path()).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(table.contains("FAIL"), "{table}");
}

#[test]
fn shipped_mf8_has_a_depth_distribution_with_two_depths() {
    let a = analysis::analyze(&load("mf8-192.toml"), &Silent).unwrap();
    let m = &a.metrics;
    let (lo, hi) = (m.min_depth_mm.unwrap(), m.max_depth_mm.unwrap());
    assert!(hi - lo > 0.01, "a spread, not one value: {lo}..{hi}");
    assert!(m.p05_depth_mm.unwrap() < m.p95_depth_mm.unwrap());
    assert!(hi < 1.5, "never deeper than the needle");
    for c in &a.field.channels {
        assert!(c.channel_depth_mm <= c.depth_mm);
        assert!(c.depth_mm > 0.0 && c.depth_mm < 1.5 + 0.1);
    }
    assert!(m.mean_channel_depth_mm.unwrap() < m.mean_depth_mm.unwrap());
}

#[test]
fn depth_rises_with_force_on_every_device_and_never_passes_the_length() {
    for (name, limit) in [
        ("mf8-192.toml", 1.6),
        ("pen-12-110.toml", 1.0),
        ("stamp-35.toml", 1.0),
    ] {
        let mut last = 0.0;
        let mut rose = false;
        for f in [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0] {
            let mut d = with_force(load(name), f);
            d.treatment.area_mm = [10.0, 10.0];
            d.analysis.resolution_um = 20.0;
            let a = analysis::analyze(&d, &Silent).unwrap();
            let depth = a.metrics.mean_depth_mm.unwrap_or(0.0);
            assert!(depth >= last - 1e-12, "{name} at {f} N: {depth} < {last}");
            assert!(depth < limit, "{name} at {f} N: {depth}");
            rose |= depth > last + 0.05 && last > 0.0;
            last = depth;
        }
        assert!(rose, "{name}: depth rises between puncture and saturation");
    }
}

#[test]
fn below_puncture_no_channel_exit_0_and_the_advisory_names_the_force() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(design("pen-12-110.toml")).unwrap();
    let weak = text.replace("drive_force_n = 5.0", "drive_force_n = 0.1");
    assert_ne!(weak, text);
    let f = dir.path().join("weak.toml");
    std::fs::write(&f, weak).unwrap();
    let out = bin()
        .args([
            "analyze",
            "--format",
            "json",
            "--no-plots",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["results"][0];
    assert_eq!(r["metrics"]["channels"], 0);
    assert!(r["metrics"]["mean_depth_mm"].is_null());
    let adv = r["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "non_piercing")
        .expect("non_piercing advisory");
    let msg = adv["message"].as_str().unwrap();
    assert!(msg.contains("12 of 12 needles do not pierce"), "{msg}");
    assert!(msg.contains("0.1 N") && msg.contains("would at"), "{msg}");
}

#[test]
fn a_stamp_lays_n_over_step_times_lane_per_pass() {
    let d = load("stamp-35.toml");
    let a = analysis::analyze(&d, &Silent).unwrap();
    let Device::Stamp(s) = &d.device else {
        panic!("stamp")
    };
    // 35 needles per press, a press every 4 mm, lanes 5.6 mm apart (the array's width)
    let per_pass = 35.0 / (s.step_mm * d.treatment.lane_spacing_mm);
    assert!((s.step_mm - 4.0).abs() < 1e-12);
    assert!((a.made.density_per_pass_mm2 - per_pass).abs() < 1e-12);
    let expect = per_pass * 2.0 * 100.0;
    assert!(
        (a.metrics.density_per_cm2 / expect - 1.0).abs() < 0.03,
        "{} vs {expect}",
        a.metrics.density_per_cm2
    );
    assert!((a.metrics.puncture_rate_per_s - 35.0).abs() < 1e-12);
}

#[test]
fn channels_csv_has_both_depths() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["analyze", "--no-plots", "--quiet", "--out"])
        .arg(dir.path())
        .arg(design("cit8-0.5.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("cit8-0.5/channels.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    let i = h.iter().position(|x| x == "depth_mm").unwrap();
    let j = h.iter().position(|x| x == "channel_depth_mm").unwrap();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let (d, c): (f64, f64) = (rec[i].parse().unwrap(), rec[j].parse().unwrap());
        assert!(c <= d && d <= 0.5);
        n += 1;
    }
    assert!(n > 1000);
}

/// A design that is refused: exit 2 within the second, the key and the reason named.
fn refused(from: &str, to: &str, name: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(design(name)).unwrap();
    let bad = text.replacen(from, to, 1);
    assert_ne!(bad, text, "{from}");
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, bad).unwrap();
    let out = bin()
        .args(["analyze", "--no-plots", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .arg(&f)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{from} → {to}: {err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
    assert!(!dir.path().join("out").exists());
}

#[test]
fn typos_and_impossible_shapes_are_refused_with_the_key_and_its_range() {
    refused(
        "length_mm = 1.5",
        "length_mm = 1500",
        "mf8-192.toml",
        &["needle.length_mm", "at most 10 mm"],
    );
    refused(
        "force_n = 3.0",
        "force_n = 1e300",
        "mf8-192.toml",
        &["roller.force_n", "at most 1000 N"],
    );
    refused(
        "length_sd_mm = 0.02",
        "length_sd_mm = 100",
        "mf8-192.toml",
        &["tolerance.length_sd_mm"],
    );
    refused(
        "tip_length_mm = 0.5\n",
        "tip_length_mm = 0.5\ntip_radius_um = 200\n",
        "mf8-192.toml",
        &["needle.tip_radius_um", "125 µm"],
    );
    refused(
        "rows = 5\ncols = 7",
        "rows = 1000\ncols = 1000",
        "stamp-35.toml",
        &["stamp.array.cols", "1000000 needles"],
    );
    refused(
        "drive_force_n = 5.0",
        "drive_force_n = 1e300",
        "pen-12-110.toml",
        &["pen.drive_force_n"],
    );
}

/// A measured tip radius in an inspection file enters that needle's force balance: a device
/// inspected with every tip at 15 µm analyses exactly as the design built with
/// `needle.tip_radius_um = 15`; a row without a radius keeps the design's; a radius wider than
/// the shaft is refused.
#[test]
fn as_built_tip_radius_enters_the_force_balance() {
    use needlemap::design::as_built::AsBuilt;
    let base = load("mf8-192.toml");
    let shaft_um = base.needle.diameter_mm / 2.0 * 1000.0;
    let n = needlemap::kinematics::needle_count(&base);
    let inspect = |d: &Design, tip: &str| {
        let mut csv = String::from("needle,length_mm,missing,tip_radius_um\n");
        for i in 0..n {
            csv.push_str(&format!("{i},1.5,0,{tip}\n"));
        }
        let ab = AsBuilt::parse(csv.as_bytes(), "i.csv".as_ref(), n, shaft_um).unwrap();
        let mut d = d.clone();
        d.as_built = Some(std::sync::Arc::new(ab));
        analysis::analyze(&d, &Silent).unwrap().metrics
    };
    let mut blunt_design = base.clone();
    blunt_design.needle.tip_radius_um = 15.0;
    let nominal = inspect(&base, "");
    assert_eq!(
        nominal,
        inspect(&base, &base.needle.tip_radius_um.to_string())
    );
    let blunt = inspect(&base, "15");
    assert_eq!(
        blunt,
        inspect(&blunt_design, ""),
        "measured = designed 15 µm tips"
    );
    assert_ne!(
        blunt.mean_depth_mm, nominal.mean_depth_mm,
        "the radius is used"
    );
    let wide = format!(
        "needle,length_mm,missing,tip_radius_um\n0,1.5,0,{}\n",
        shaft_um + 1.0
    );
    let e = AsBuilt::parse(wide.as_bytes(), "i.csv".as_ref(), 1, shaft_um).unwrap_err();
    assert!(e.to_string().contains("shaft's radius"), "{e}");
}
