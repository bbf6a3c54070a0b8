//! Drives `needlemap sweep`: row counts, the physics the sweep must reproduce (density ∝ rings,
//! depth = h − δ), shards that concatenate into the whole, error rows, bad keys, determinism.

mod common;

use std::path::{Path, PathBuf};

/// The binary; the sweeps live in temp folders outside the working directory, so their
/// `base` is allowed outside the project root.
fn bin() -> assert_cmd::Command {
    let mut c = common::bin();
    c.arg("--allow-outside");
    c
}

/// A small MF8-like base: 20 mm drum, 24 needles per ring, 3 passes over 20 × 20 mm at 20 µm.
fn base() -> String {
    common::SmallRoller::default().toml()
}

/// Writes the base and a sweep with `vary` into a temp folder; returns (folder, sweep path).
fn sweep_file(vary: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sweeps")).unwrap();
    std::fs::write(dir.path().join("small.toml"), base()).unwrap();
    let p = dir.path().join("sweeps/s.toml");
    std::fs::write(
        &p,
        format!("name = \"s\"\nbase = \"../small.toml\"\n\n[vary]\n{vary}"),
    )
    .unwrap();
    (dir, p)
}

/// `needlemap sweep SWEEP --out DIR/out ARGS…`, run.
fn sweep_in(dir: &Path, sweep: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .arg("sweep")
        .arg(sweep)
        .arg("--out")
        .arg(dir.join("out"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `sweep` quietly with extra args, output in `dir/out`; returns stdout.
fn run(dir: &Path, sweep: &Path, args: &[&str]) -> String {
    let out = sweep_in(dir, sweep, &[&["--quiet"], args].concat());
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// sweep.csv as (header, rows as maps).
fn read_csv(path: &Path) -> (Vec<String>, Vec<std::collections::HashMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            h.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (h, rows)
}

fn num(row: &std::collections::HashMap<String, String>, k: &str) -> f64 {
    row[k]
        .parse()
        .unwrap_or_else(|_| panic!("{k} = {:?} is not a number", row[k]))
}

#[test]
fn one_row_per_combination_in_odometer_order() {
    let (dir, s) = sweep_file("\"needle.length_mm\" = [1.0, 1.5, 2.0]\n\"roller.layout.rings\" = [4, 8]\n\"treatment.seed\" = [1, 2]\n");
    run(dir.path(), &s, &[]);
    let (h, rows) = read_csv(&dir.path().join("out/s/sweep.csv"));
    assert_eq!(rows.len(), 3 * 2 * 2);
    assert_eq!(
        &h[..4],
        [
            "needle.length_mm",
            "roller.layout.rings",
            "treatment.seed",
            "name"
        ]
    );
    assert_eq!(h.last().unwrap(), "error");
    assert_eq!(h[h.len() - 2], "advisories");
    assert_eq!(
        h.len(),
        3 + 1 + 18 + 2,
        "keys, name, 18 metrics, advisories, error"
    );
    // first key slowest, last fastest
    let combo: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["needle.length_mm"].clone(),
                r["roller.layout.rings"].clone(),
                r["treatment.seed"].clone(),
            )
        })
        .collect();
    assert_eq!(combo[0], ("1".into(), "4".into(), "1".into()));
    assert_eq!(combo[1], ("1".into(), "4".into(), "2".into()));
    assert_eq!(combo[2], ("1".into(), "8".into(), "1".into()));
    assert_eq!(combo[11], ("2".into(), "8".into(), "2".into()));
    assert_eq!(rows[0]["name"], "s-01");
    assert_eq!(rows[11]["name"], "s-12");
    assert!(rows.iter().all(|r| r["error"].is_empty()));
    assert!(
        dir.path().join("out/s/sweep.png").is_file()
            && dir.path().join("out/s/sweep.svg").is_file()
    );
}

#[test]
fn density_doubles_with_rings_and_matches_closed_form() {
    let (dir, s) = sweep_file("\"roller.layout.rings\" = [4, 8, 16]\n");
    run(dir.path(), &s, &[]);
    let (_, rows) = read_csv(&dir.path().join("out/s/sweep.csv"));
    let d: Vec<f64> = rows.iter().map(|r| num(r, "density_per_cm2")).collect();
    // expected density: passes · N / (π D · lane), lane = drum width 20 mm; per cm² ×100
    for (rings, dens) in [4.0, 8.0, 16.0].iter().zip(&d) {
        let expect = 3.0 * rings * 24.0 / (std::f64::consts::PI * 20.0 * 20.0) * 100.0;
        assert!(
            (dens / expect - 1.0).abs() < 0.05,
            "rings {rings}: density {dens} vs {expect}"
        );
    }
    assert!((d[1] / d[0] - 2.0).abs() < 0.1, "{d:?}");
    assert!((d[2] / d[1] - 2.0).abs() < 0.1, "{d:?}");
}

#[test]
fn depth_is_the_lone_needle_balance_when_pressed_to_the_drum() {
    let (dir, s) = sweep_file(
        "\"needle.length_mm\" = [0.5, 1.0, 1.5, 2.0]\n\"roller.force_n\" = [1000.0]\n\"tolerance.length_sd_mm\" = [0.0]\n",
    );
    run(dir.path(), &s, &[]);
    let (_, rows) = read_csv(&dir.path().join("out/s/sweep.csv"));
    let depth: Vec<f64> = rows.iter().map(|r| num(r, "mean_depth_mm")).collect();
    // face preset: a needle pressed to the drum's body stops where its own load keeps the
    // surface tented around it; deeper with length, but the inserted fraction does not rise
    let hs = [0.5, 1.0, 1.5, 2.0];
    for (h, d) in hs.iter().zip(&depth) {
        assert!(
            (d - common::pressed_to_body(*h)).abs() < 1e-5,
            "h {h}: depth {d}"
        );
    }
    assert!(depth.windows(2).all(|w| w[1] > w[0]));
    let frac: Vec<f64> = hs.iter().zip(&depth).map(|(h, d)| d / h).collect();
    assert!(frac.windows(2).all(|w| w[1] <= w[0]), "{frac:?}");
}

#[test]
fn depth_rises_with_force_and_saturates() {
    let (dir, s) = sweep_file(
        "\"roller.force_n\" = [0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 1000.0]\n\"tolerance.length_sd_mm\" = [0.0]\n",
    );
    run(dir.path(), &s, &[]);
    let (_, rows) = read_csv(&dir.path().join("out/s/sweep.csv"));
    let depth: Vec<f64> = rows
        .iter()
        .map(|r| r["mean_depth_mm"].parse().unwrap_or(0.0))
        .collect();
    let channel: Vec<f64> = rows
        .iter()
        .map(|r| r["mean_channel_depth_mm"].parse().unwrap_or(0.0))
        .collect();
    assert!(depth.windows(2).all(|w| w[1] >= w[0]), "{depth:?}");
    assert!(
        depth.windows(2).any(|w| w[1] > w[0] + 0.1),
        "rises between puncture and saturation: {depth:?}"
    );
    // saturation below the length: the lone 1.5 mm MF8 needle's balance at its base
    let sat = common::pressed_to_body(1.5);
    assert!(
        (depth[depth.len() - 1] - sat).abs() < 1e-5,
        "{depth:?} {sat}"
    );
    assert!(
        (depth[depth.len() - 2] - sat).abs() < 1e-5,
        "{depth:?} {sat}"
    );
    for (c, d) in channel.iter().zip(&depth) {
        assert!(c <= d, "channel depth {c} above insertion depth {d}");
    }
}

#[test]
fn shards_concatenate_into_the_whole() {
    let (dir, s) = sweep_file("\"needle.length_mm\" = [1.0, 1.5, 2.5]\n\"roller.layout.stagger_deg\" = [0.0, 3.75]\n\"roller.layout.rings\" = [4]\n");
    run(dir.path(), &s, &[]);
    let whole = std::fs::read_to_string(dir.path().join("out/s/sweep.csv")).unwrap();
    let mut joined = String::new();
    let mut header = None;
    for k in 1..=3 {
        run(dir.path(), &s, &["--shard", &format!("{k}/3")]);
        let part =
            std::fs::read_to_string(dir.path().join(format!("out/s/sweep.{k}-of-3.csv"))).unwrap();
        let (h, rest) = part.split_once('\n').unwrap();
        header.get_or_insert(h.to_string());
        assert_eq!(header.as_deref(), Some(h));
        joined.push_str(rest);
    }
    let (wh, wrest) = whole.split_once('\n').unwrap();
    assert_eq!(header.as_deref(), Some(wh));
    assert_eq!(
        joined, wrest,
        "shards 1/3..3/3 after their header equal the unsharded rows"
    );
    assert_eq!(wrest.lines().count(), 6);
}

#[test]
fn bad_combination_is_an_error_row() {
    // 80 rings at 2.5 mm pitch span 197.75 mm on a 20 mm drum
    let (dir, s) =
        sweep_file("\"roller.layout.ring_pitch_mm\" = [2.5]\n\"roller.layout.rings\" = [8, 80]\n");
    let out = sweep_in(dir.path(), &s, &[]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, rows) = read_csv(&dir.path().join("out/s/sweep.csv"));
    assert_eq!(rows.len(), 2);
    assert!(rows[0]["error"].is_empty());
    assert!(num(&rows[0], "density_per_cm2") > 0.0);
    assert!(
        rows[1]["error"].contains("roller.layout.ring_pitch_mm")
            && rows[1]["error"].contains("20 mm wide"),
        "{}",
        rows[1]["error"]
    );
    assert!(rows[1]["channels"].is_empty() && rows[1]["coverage_fraction"].is_empty());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("s-2") && table.contains("error"), "{table}");
    assert!(
        table.contains("! s-2:"),
        "the table explains the error: {table}"
    );
}

#[test]
fn unknown_key_is_exit_2_naming_it() {
    let (dir, s) = sweep_file("\"needle.length_mm\" = [1.0]\n\"roller.layout.ringz\" = [4, 8]\n");
    let out = sweep_in(dir.path(), &s, &[]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("s.toml:6:")
            && e.contains("roller.layout.ringz")
            && e.contains("roller.layout.rings"),
        "{e}"
    );
    assert!(!dir.path().join("out/s").exists(), "nothing written");
}

#[test]
fn non_numeric_and_inapplicable_keys_are_exit_2() {
    for (vary, says) in [
        (
            "\"skin.preset\" = [1]\n",
            "every value must be one of: face | body",
        ),
        ("\"kind\" = [\"pen\"]\n", "not a key a sweep may vary"),
        ("\"pen.depth_mm\" = [1.0]\n", "kind = \"pen\""),
        (
            "\"roller.layout.rings\" = [\"eight\"]\n",
            "must be a number",
        ),
    ] {
        let (dir, s) = sweep_file(vary);
        let out = sweep_in(dir.path(), &s, &[]);
        assert_eq!(out.status.code(), Some(2), "{vary}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains("s.toml:5:") && e.contains(says), "{vary}: {e}");
    }
}

#[test]
fn seed_flag_cannot_override_a_varied_seed() {
    let (dir, s) = sweep_file("\"treatment.seed\" = [1, 2]\n");
    let out = sweep_in(dir.path(), &s, &["--seed", "4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seed"));
}

#[test]
fn same_csv_for_one_and_two_threads() {
    let (dir, s) =
        sweep_file("\"needle.length_mm\" = [1.0, 2.0]\n\"treatment.seed\" = [1, 2, 3]\n");
    let a = run(dir.path(), &s, &["--threads", "1", "--format", "csv"]);
    let b = run(dir.path(), &s, &["--threads", "2", "--format", "csv"]);
    assert_eq!(a, b);
    assert_eq!(
        a.as_bytes(),
        std::fs::read(dir.path().join("out/s/sweep.csv")).unwrap()
    );
}

#[test]
fn best_rows_are_the_top_of_the_metric() {
    let (dir, s) = sweep_file("\"needle.length_mm\" = [0.5, 1.0, 1.5, 2.0]\n\"roller.layout.rings\" = [4, 8]\n\"roller.layout.ring_pitch_mm\" = [2.5]\n\"treatment.passes.*.count\" = [1, 2]\n");
    let best = run(
        dir.path(),
        &s,
        &["--format", "csv", "--best", "coverage_fraction:max"],
    );
    let (_, all) = read_csv(&dir.path().join("out/s/sweep.csv"));
    let mut expect: Vec<(f64, String)> = all
        .iter()
        .filter(|r| r["error"].is_empty())
        .map(|r| (num(r, "coverage_fraction"), r["name"].clone()))
        .collect();
    expect.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut r = csv::Reader::from_reader(best.as_bytes());
    let got: Vec<String> = r.records().map(|x| x.unwrap()[4].to_string()).collect();
    assert_eq!(got.len(), 5);
    assert_eq!(
        got,
        expect
            .iter()
            .take(5)
            .map(|e| e.1.clone())
            .collect::<Vec<_>>()
    );
    // --where: only rows meeting every condition are ranked; fewest passes first (time ∝ passes)
    let cut = expect[expect.len() / 2].0;
    let best = run(
        dir.path(),
        &s,
        &[
            "--format",
            "csv",
            "--best",
            "time_s",
            "--where",
            &format!("coverage_fraction>={cut}"),
        ],
    );
    let mut r = csv::Reader::from_reader(best.as_bytes());
    let got: Vec<(f64, f64)> = r
        .records()
        .map(|x| x.unwrap())
        .map(|x| (x[7].parse().unwrap(), x[19].parse().unwrap()))
        .collect();
    assert!(
        !got.is_empty() && got.iter().all(|(cov, _)| *cov >= cut),
        "{got:?}"
    );
    let fastest = all
        .iter()
        .filter(|r| r["error"].is_empty() && num(r, "coverage_fraction") >= cut)
        .map(|r| num(r, "time_s"))
        .fold(f64::INFINITY, f64::min);
    assert_eq!(got[0].1, fastest);
    assert!(got.windows(2).all(|w| w[0].1 <= w[1].1));

    // a larger max gap is worse: the default direction of max_gap_mm is min
    let json = run(
        dir.path(),
        &s,
        &["--format", "json", "--best", "max_gap_mm"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["best"]["order"], "min");
    assert_eq!(v["rows"].as_array().unwrap().len(), 16);
    let first = v["best"]["names"][0].as_str().unwrap();
    let min_gap = all
        .iter()
        .map(|r| num(r, "max_gap_mm"))
        .fold(f64::INFINITY, f64::min);
    let row = all.iter().find(|r| r["name"] == first).unwrap();
    assert_eq!(num(row, "max_gap_mm"), min_gap);
}

#[test]
fn work_beyond_the_limits_is_an_error_row() {
    let (dir, s) = sweep_file("\"analysis.resolution_um\" = [0.1, 40.0]\n");
    run(dir.path(), &s, &[]);
    let (_, rows) = read_csv(&dir.path().join("out/s/sweep.csv"));
    assert!(
        rows[0]["error"].contains("pixels") && rows[0]["error"].contains("--resolution-um"),
        "{}",
        rows[0]["error"]
    );
    assert!(
        !rows[0]["error"].starts_with("s-1"),
        "the row's name is not repeated: {}",
        rows[0]["error"]
    );
    assert!(rows[1]["error"].is_empty() && num(&rows[1], "channels") > 0.0);
}

/// Runs `sweep` with extra args, output in `dir/out`, expecting exit 2; returns stderr.
fn refused(dir: &Path, sweep: &Path, args: &[&str]) -> String {
    let out = sweep_in(dir, sweep, &[&["--quiet"], args].concat());
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8(out.stderr).unwrap()
}

fn sha256_hex(p: &Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(p).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const SHARDED: &str = "\"needle.length_mm\" = [1.0, 2.5]\n\"roller.layout.rings\" = [4, 8]\n\"treatment.seed\" = [1]\n";

#[test]
fn shards_carry_their_provenance_and_merge_to_the_unsharded_bytes() {
    let (dir, s) = sweep_file(SHARDED);
    run(dir.path(), &s, &["--resolution-um", "40"]);
    let out = dir.path().join("out/s");
    let whole = std::fs::read(out.join("sweep.csv")).unwrap();
    std::fs::remove_file(out.join("sweep.csv")).unwrap();
    for k in 1..=3 {
        run(
            dir.path(),
            &s,
            &["--resolution-um", "40", "--shard", &format!("{k}/3")],
        );
        let p: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join(format!("sweep.{k}-of-3.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(p["shard"], format!("{k}/3"));
        assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(p["sweep_sha256"], sha256_hex(&s));
        assert_eq!(p["base_sha256"], sha256_hex(&dir.path().join("small.toml")));
        assert_eq!(
            p["seed"], 3,
            "the base's seed; the varied one is in the sweep file"
        );
        assert_eq!(p["resolution_um"], 40.0);
        assert_eq!(p["combinations"], 4);
        assert_eq!(
            p["csv_sha256"],
            sha256_hex(&out.join(format!("sweep.{k}-of-3.csv")))
        );
    }
    run(dir.path(), &s, &["--resolution-um", "40", "--merge", "3"]);
    assert_eq!(
        std::fs::read(out.join("sweep.csv")).unwrap(),
        whole,
        "merged shards are the unsharded sweep.csv byte for byte"
    );
}

#[test]
fn merge_refuses_shards_that_differ_naming_both_files_and_the_field() {
    let (dir, s) = sweep_file(SHARDED);
    let out = dir.path().join("out/s");
    let shard = |k: usize, res: &str| {
        run(
            dir.path(),
            &s,
            &["--resolution-um", res, "--shard", &format!("{k}/2")],
        );
    };
    shard(1, "40");
    shard(2, "50");
    let e = refused(dir.path(), &s, &["--resolution-um", "40", "--merge", "2"]);
    assert!(
        e.contains("sweep.2-of-2.json")
            && e.contains("sweep.1-of-2.json")
            && e.contains("resolution_um is 50, but")
            && e.contains("has 40"),
        "{e}"
    );
    assert!(!out.join("sweep.csv").exists(), "nothing written");

    // shards that agree with one another, merged at another raster pitch
    shard(2, "40");
    let e = refused(dir.path(), &s, &["--merge", "2"]);
    assert!(
        e.contains("sweep.1-of-2.json")
            && e.contains("resolution_um is 40")
            && e.contains("--resolution-um"),
        "{e}"
    );
    // the base design edited after the shards ran
    let base_file = dir.path().join("small.toml");
    std::fs::write(
        &base_file,
        base().replace("length_mm = 1.5", "length_mm = 1.4"),
    )
    .unwrap();
    let e = refused(dir.path(), &s, &["--resolution-um", "40", "--merge", "2"]);
    assert!(
        e.contains("sweep.1-of-2.json") && e.contains("base_sha256") && e.contains("small.toml"),
        "{e}"
    );
    std::fs::write(&base_file, base()).unwrap();
    // a shard whose provenance was not copied with it
    std::fs::remove_file(out.join("sweep.2-of-2.json")).unwrap();
    let e = refused(dir.path(), &s, &["--resolution-um", "40", "--merge", "2"]);
    assert!(
        e.contains("sweep.2-of-2.json") && e.contains("sweep.2-of-2.csv"),
        "{e}"
    );
    assert!(!out.join("sweep.csv").exists(), "nothing written");
    // restored, the shards merge
    shard(2, "40");
    run(dir.path(), &s, &["--resolution-um", "40", "--merge", "2"]);
    assert!(out.join("sweep.csv").exists());
    // a shard's CSV edited after it was written (one value changed) is refused
    std::fs::remove_file(out.join("sweep.csv")).unwrap();
    let csv = out.join("sweep.2-of-2.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let edited = text.replacen(",92,23.0000,", ",93,23.0000,", 1);
    assert_ne!(edited, text, "the edit changes the CSV");
    std::fs::write(&csv, edited).unwrap();
    let e = refused(dir.path(), &s, &["--resolution-um", "40", "--merge", "2"]);
    assert!(
        e.contains("sweep.2-of-2.csv") && e.contains("changed after it was written"),
        "{e}"
    );
    assert!(!out.join("sweep.csv").exists(), "nothing written");
}

/// A row's advisories reach sweep.csv and the JSON: the MF8 drum pressed with 0.02 N, below one
/// tip's puncture force, leaves needles unpierced (`non_piercing`); at 3 N every needle pierces.
#[test]
fn advisories_reach_sweep_rows() {
    let out = tempfile::tempdir().unwrap();
    let o = bin()
        .current_dir(common::root())
        .args([
            "--quiet",
            "sweep",
            "designs/sweeps/mf8-force.toml",
            "--no-plots",
        ])
        .args(["--resolution-um", "40", "--format", "json", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, rows) = read_csv(&out.path().join("mf8-force/sweep.csv"));
    let at = |f: &str| rows.iter().find(|r| r["roller.force_n"] == f).unwrap();
    assert!(at("0.02")["advisories"].contains("non_piercing"));
    assert!(!at("3")["advisories"].contains("non_piercing"));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &j["rows"][0]["advisories"];
    assert!(
        first
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "non_piercing"),
        "{first}"
    );
}
