//! Drives the real `needlemap` binary: outputs, exit codes, bad input, determinism.

mod common;

use common::{bin, design, root};
use std::path::{Path, PathBuf};

/// Runs analyze on `design` into a fresh temp folder, returns (folder, stdout).
fn analyze(args: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("analyze")
        .args(args)
        .arg("--out")
        .arg(dir.path())
        .arg("--no-plots")
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, String::from_utf8(out.stdout).unwrap())
}

#[test]
fn mf8_json_density_and_keys() {
    let (_dir, stdout) = analyze(&[design("mf8-192.toml").to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["tool"], "needlemap");
    assert!(v["version"].is_string());
    let r = &v["results"][0];
    assert_eq!(r["name"], "mf8-192");
    assert_eq!(r["kind"], "roller");
    let m = &r["metrics"];
    for k in [
        "channels",
        "density_per_cm2",
        "coverage_fraction",
        "treated_fraction",
        "max_gap_mm",
        "mean_depth_mm",
        "min_depth_mm",
        "max_depth_mm",
        "density_cv",
        "overlap_fraction",
        "puncture_rate_per_s",
        "time_s",
    ] {
        assert!(m[k].is_number(), "metric {k} missing or null: {m}");
    }
    // 15 passes × 192/(π · 2 cm · 2 cm) = 229.2 /cm² (model arithmetic on Schwarz & Laaff's drum)
    let dens = m["density_per_cm2"].as_f64().unwrap();
    assert!((dens / 229.18 - 1.0).abs() < 0.02, "density {dens}");
    for k in [
        "stratum_corneum",
        "viable_epidermis",
        "papillary_dermis",
        "reticular_dermis",
        "subcutis",
    ] {
        assert!(r["layers"][k].is_number());
    }
    assert!(r["advisories"].is_array());
    let p = &r["provenance"];
    for k in [
        "design_file",
        "design_sha256",
        "seed",
        "resolution_um",
        "tile_mm",
        "influence_radius_mm",
        "threads",
    ] {
        assert!(!p[k].is_null(), "provenance {k}");
    }
    assert_eq!(p["design_sha256"].as_str().unwrap().len(), 64);
}

/// Regression: a pitch that does not divide the region (40 mm at 30 µm is 1333.33 pixels,
/// at 300 µm 133.33) made the raster count other tiles than the channel counts, and writing
/// tiles.csv indexed past the raster's tiles (exit 101). Both now use one tile grid.
#[test]
fn pitch_that_does_not_divide_the_region_writes_every_tile() {
    for (res, file, name) in [
        ("30", "pen-12-110.toml", "pen-12-110"),
        ("300", "mf8-192.toml", "mf8-192"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = bin()
            .args(["--resolution-um", res, "analyze"])
            .arg(design(file))
            .arg("--out")
            .arg(dir.path())
            .args(["--no-plots", "--quiet"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file} at {res} µm: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tiles = std::fs::read_to_string(dir.path().join(name).join("tiles.csv")).unwrap();
        // 40 mm in tiles of 5 mm: 8 × 8 whole tiles, and the header
        assert_eq!(tiles.lines().count(), 1 + 64, "{file} at {res} µm");
    }
}

#[test]
fn every_shipped_design_writes_its_files() {
    let (dir, stdout) = analyze(&[root().join("designs").to_str().unwrap()]);
    assert!(stdout.is_empty(), "--quiet prints no table");
    let names: Vec<String> = std::fs::read_dir(root().join("designs"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    assert!(names.len() >= 8);
    for n in names {
        for f in ["summary.csv", "channels.csv", "tiles.csv", "needles.csv"] {
            let p = dir.path().join(&n).join(f);
            assert!(p.is_file(), "{} missing", p.display());
        }
    }
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn one_and_two_threads_give_identical_bytes() {
    let d = design("mf8-192.toml");
    let (a, _) = analyze(&[d.to_str().unwrap(), "--threads", "1"]);
    let (b, _) = analyze(&[d.to_str().unwrap(), "--threads", "2"]);
    let fa = files_of(a.path());
    let fb = files_of(b.path());
    assert_eq!(fa.len(), fb.len());
    for ((na, ba), (nb, bb)) in fa.iter().zip(&fb) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between 1 and 2 threads");
    }
}

#[test]
fn another_seed_moves_channels_not_density() {
    let d = design("mf8-192.toml");
    let (a, _) = analyze(&[d.to_str().unwrap(), "--seed", "1"]);
    let (b, _) = analyze(&[d.to_str().unwrap(), "--seed", "2"]);
    let ca = std::fs::read(a.path().join("mf8-192/channels.csv")).unwrap();
    let cb = std::fs::read(b.path().join("mf8-192/channels.csv")).unwrap();
    assert_ne!(ca, cb);
    let dens = |dir: &Path| -> f64 {
        let s = std::fs::read_to_string(dir.join("mf8-192/summary.csv")).unwrap();
        s.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap()
    };
    // per-pass count noise is a few channels of ~245: 15 passes stay within 2 %
    assert!((dens(a.path()) / dens(b.path()) - 1.0).abs() < 0.02);
}

/// A design that fails must exit 2, name the file (and the key), and write nothing.
fn rejects(toml: &[u8], needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, toml).unwrap();
    let out_dir = dir.path().join("out");
    let out = bin()
        .arg("analyze")
        .arg(&f)
        .arg("--out")
        .arg(&out_dir)
        .arg("--quiet")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("bad.toml"), "no file named: {err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in: {err}");
    }
    assert!(!out_dir.exists(), "outputs written for a bad design");
    assert!(!err.contains("panicked"), "{err}");
}

fn mf8_with(from: &str, to: &str) -> Vec<u8> {
    let s = std::fs::read_to_string(design("mf8-192.toml")).unwrap();
    assert!(s.contains(from), "fixture lacks {from}");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn bad_inputs_exit_2_with_file_line_and_key() {
    rejects(b"name = \"x\"\nkind = [", &["line 2"]);
    rejects(
        &mf8_with("drum_width_mm = 20.0", "drum_widht_mm = 20.0"),
        &["drum_widht_mm", "line"],
    );
    rejects(&mf8_with("length_mm = 1.5\n", ""), &["length_mm"]);
    rejects(
        &mf8_with("drum_width_mm = 20.0", "drum_width_mm = \"wide\""),
        &["drum_width_mm"],
    );
    rejects(
        &mf8_with("drum_diameter_mm = 20.0", "drum_diameter_mm = 0.0"),
        &["roller.drum_diameter_mm", "greater than 0", ":16:20:"],
    );
    rejects(
        &mf8_with("drum_diameter_mm = 20.0", "drum_diameter_mm = -20.0"),
        &["roller.drum_diameter_mm"],
    );
    rejects(
        &mf8_with("roll_speed_mm_s = 30.0", "roll_speed_mm_s = nan"),
        &["roller.roll_speed_mm_s", "NaN"],
    );
    rejects(
        &mf8_with("length_mm = 1.5", "length_mm = inf"),
        &["needle.length_mm", "inf"],
    );
    rejects(
        &mf8_with("needles_per_ring = 24", "needles_per_ring = 0"),
        &["needles_per_ring", "from 1"],
    );
    rejects(
        &mf8_with("rings = 8", "rings = 90"),
        &["ring_pitch_mm", "at most"],
    );
    rejects(
        &mf8_with("needles_per_ring = 24", "needles_per_ring = 300"),
        &["needles_per_ring", "collide"],
    );
    rejects(&mf8_with("passes = [", "passes = []\nold = ["), &["passes"]);
    rejects(
        &mf8_with("kind = \"roller\"", "kind = \"drum\""),
        &["drum", "roller"],
    );
    rejects(
        &mf8_with("pattern = \"rings\"", "pattern = \"spiral\""),
        &["spiral"],
    );
    rejects(b"", &["empty"]);
    rejects(b"   \n\n", &["empty"]);
    rejects(b"name = \"\xff\xfe\"\n", &["UTF-8"]);
    rejects(
        &mf8_with("area_mm = [40.0, 40.0]", "area_mm = [40.0]"),
        &["treatment.area_mm"],
    );
    rejects(&mf8_with("seed = 1", "seed = -4"), &["treatment.seed"]);
}

/// `file` (a shipped design) with `from` replaced by `to`, once.
fn shipped_with(file: &str, from: &str, to: &str) -> Vec<u8> {
    let s = std::fs::read_to_string(design(file)).unwrap();
    assert!(s.contains(from), "{file} lacks {from}");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn bad_strength_inputs_exit_2_with_file_line_key_and_value() {
    let mat = "material = \"ss304\"";
    let with = |extra: &str| mf8_with(mat, &format!("{mat}\n{extra}"));
    // an unknown material: its line and column, the value, and the valid names
    rejects(
        &mf8_with(mat, "material = \"steel\""),
        &[
            ":31:12:",
            "`needle.material` = \"steel\"",
            "unknown material",
            "ss304 | ss316l | ss-spring",
        ],
    );
    rejects(
        &with("youngs_modulus_gpa = 0.0"),
        &[":32:", "`needle.youngs_modulus_gpa` = 0", "greater than 0"],
    );
    rejects(
        &with("youngs_modulus_gpa = -193.0"),
        &["`needle.youngs_modulus_gpa` = -193", "greater than 0"],
    );
    rejects(
        &with("yield_strength_mpa = nan"),
        &[":32:", "`needle.yield_strength_mpa` = NaN", "finite"],
    );
    rejects(
        &with("yield_strength_mpa = 0.0"),
        &["`needle.yield_strength_mpa` = 0", "greater than 0"],
    );
    rejects(
        &with("youngs_modulus_gpa = 193000.0"),
        &["`needle.youngs_modulus_gpa` = 193000", "at most 1000 GPa"],
    );
    rejects(
        &mf8_with(
            "preset = \"face\"",
            "preset = \"face\"\nneedle_friction = 5.0",
        ),
        &["`skin.needle_friction` = 5", "at most 3"],
    );
    rejects(
        &mf8_with(
            "preset = \"face\"",
            "preset = \"face\"\nlateral_strength_mpa = 0.0",
        ),
        &["`skin.lateral_strength_mpa` = 0", "greater than 0"],
    );
    let pen = |to: &str| shipped_with("pen-12-110.toml", "frequency_hz = 110.0", to);
    rejects(
        &pen("frequency_hz = 110.0\nmisalignment_deg = 60.0"),
        &["`pen.misalignment_deg` = 60", "at most 45 °"],
    );
    rejects(
        &pen("frequency_hz = 110.0\nsession_s = 0.0"),
        &["`pen.session_s` = 0", "greater than 0"],
    );
    rejects(
        &shipped_with(
            "stamp-35.toml",
            "force_n = 10.0",
            "force_n = 10.0\nmisalignment_deg = -1.0",
        ),
        &["`stamp.misalignment_deg` = -1", "0 or greater"],
    );
}

#[test]
fn missing_path_exits_2() {
    let out = bin()
        .args(["analyze", "no/such/design.toml", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/design.toml"));
}

#[test]
fn oversized_work_is_refused_up_front() {
    // 2 m × 2 m at 1 µm: the pixel limit, with the resolution that would fit
    let out = bin()
        .args([
            "analyze",
            design("mf8-192.toml").to_str().unwrap(),
            "--quiet",
            "--resolution-um",
            "0.01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("limit") && err.contains("--resolution-um"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("huge.toml");
    std::fs::write(
        &f,
        mf8_with("seed = 1", "seed = 1\nlane_spacing_mm = 0.001"),
    )
    .unwrap();
    let out = bin()
        .arg("analyze")
        .arg(&f)
        .args(["--quiet", "--resolution-um", "100"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("channels") && err.contains("limit"), "{err}");
    // a region past any body's size is refused by its range before any estimate
    std::fs::write(
        &f,
        mf8_with("area_mm = [40.0, 40.0]", "area_mm = [4000.0, 4000.0]"),
    )
    .unwrap();
    let out = bin()
        .arg("analyze")
        .arg(&f)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("treatment.area_mm") && err.contains("at most 1000 mm"),
        "{err}"
    );
}

#[test]
fn unwritable_output_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let out = bin()
        .arg("analyze")
        .arg(design("mf8-192.toml"))
        .arg("--out")
        .arg(blocker.join("sub"))
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

// ---- Shell integration and help (issue 19, items 4 and 5) ----

fn run_ok(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_name_every_command() {
    let bash = run_ok(&["completions", "bash"]);
    for c in [
        "analyze",
        "check",
        "baseline",
        "compare",
        "sweep",
        "layout",
        "validate",
        "completions",
        "man",
    ] {
        assert!(bash.contains(c), "bash completions lack `{c}`");
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        assert!(
            run_ok(&["completions", shell]).contains("analyze"),
            "{shell}"
        );
    }
    let bad = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn man_page_is_roff_with_every_command() {
    let page = run_ok(&["man"]);
    // clap_mangen opens with the quote-string preamble (.ie/.el), then the title line.
    let first_macro = page
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .unwrap();
    assert!(first_macro.starts_with(".TH needlemap 1"), "{first_macro}");
    assert!(page.contains(".SH NAME") && page.contains("analyze") && page.contains("layout"));
}

fn help(command: &str) -> String {
    run_ok(&[command, "--help"])
}

#[test]
fn out_help_says_what_it_writes() {
    for c in ["analyze", "sweep", "layout"] {
        let h = help(c);
        assert!(h.contains("writes DIR/<name>/"), "{c}: {h}");
        assert!(!h.contains("Folder for out/"), "{c}: {h}");
    }
    assert!(help("compare").contains("writes DIR/compare-<names>.png"));
}

#[test]
fn each_command_lists_only_the_flags_it_uses() {
    let layout = help("layout");
    assert!(
        !layout.contains("--seed") && !layout.contains("--resolution-um"),
        "{layout}"
    );
    for shared in ["--threads", "--quiet", "--root", "--allow-outside"] {
        assert!(layout.contains(shared), "layout lacks {shared}");
    }
    for c in [
        "analyze", "check", "baseline", "compare", "sweep", "validate",
    ] {
        let h = help(c);
        assert!(
            h.contains("--seed") && h.contains("--resolution-um"),
            "{c}: {h}"
        );
    }
    // Before the command's name they still work, hidden from the top-level help…
    let top = run_ok(&["--help"]);
    assert!(!top.contains("--seed"), "{top}");
    // …but not for a command that would ignore them.
    for flag in [["--seed", "3"], ["--resolution-um", "30"]] {
        let out = bin()
            .args(flag)
            .arg("layout")
            .arg(design("mf8-192.toml"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{} does nothing for `needlemap layout`", flag[0])),
            "{err}"
        );
    }
    let out = bin()
        .args(["layout", "--seed", "3"])
        .arg(design("mf8-192.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn seed_and_pitch_work_before_and_after_the_command() {
    let d = design("mf8-192.toml");
    let d = d.to_str().unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let dir = tempfile::tempdir().unwrap();
        let mut all: Vec<&str> = args.to_vec();
        let out = dir.path().to_str().unwrap();
        all.extend(["--out", out, "--no-plots", "--quiet", "--format", "json"]);
        serde_json::from_str(&run_ok(&all)).unwrap()
    };
    let p = |v: &serde_json::Value| v["results"][0]["provenance"].clone();
    let before = p(&json(&[
        "--seed",
        "2",
        "--resolution-um",
        "200",
        "analyze",
        d,
    ]));
    let after = p(&json(&[
        "analyze",
        d,
        "--seed",
        "2",
        "--resolution-um",
        "200",
    ]));
    assert_eq!(before["seed"], 2);
    assert_eq!(before["resolution_um"], 200.0);
    assert_eq!(before["seed"], after["seed"]);
    assert_eq!(before["resolution_um"], after["resolution_um"]);
    // Given both places, the later (the command's own) wins, as for any repeated flag.
    let both = p(&json(&[
        "--seed",
        "2",
        "analyze",
        d,
        "--seed",
        "5",
        "--resolution-um",
        "200",
    ]));
    assert_eq!(both["seed"], 5);
}

#[test]
fn a_sweep_given_to_analyze_and_a_design_given_to_sweep_say_so() {
    let sweep = root().join("designs/sweeps/mf8-passes.toml");
    let dir = tempfile::tempdir().unwrap();
    for (cmd, file, says) in [
        ("analyze", sweep.clone(), "this looks like a sweep file"),
        ("check", sweep.clone(), "this looks like a sweep file"),
        (
            "sweep",
            design("mf8-192.toml"),
            "this looks like a design file",
        ),
    ] {
        let mut c = bin();
        c.arg(cmd).arg(&file).arg("--quiet");
        if cmd == "check" {
            c.arg("--baseline").arg(design("baseline.csv"));
        } else {
            c.arg("--out").arg(dir.path());
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{cmd}: {err}");
        assert!(!err.contains("unknown field"), "{cmd}: {err}");
        let run = if cmd == "sweep" {
            "needlemap analyze"
        } else {
            "needlemap sweep"
        };
        assert!(
            err.contains(&format!("run `{run} {}`", file.display())),
            "{err}"
        );
    }
}
