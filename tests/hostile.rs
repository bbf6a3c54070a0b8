//! The properties of issue 26, driven through the real binary: needlemap deletes only what it
//! wrote (table-driven over every command that writes), never prints a secret or more than a
//! few kB for any input, bounds every run's work before it starts, and says what it refuses.

mod common;

use assert_cmd::Command;
use common::{write, RINGS};
use std::path::Path;
use std::time::Duration;

/// The canary planted in the environment of every run here.
const CANARY: &str = "canary-26-do-not-print";

/// Longest stderr any refusal may print, bytes.
const MAX_STDERR: usize = 4096;

fn bin() -> Command {
    let mut c = Command::cargo_bin("needlemap").unwrap();
    c.timeout(Duration::from_secs(60));
    c.env("NEEDLEMAP_CANARY", CANARY);
    c
}

/// Exit code and stderr of a run.
struct Run {
    code: Option<i32>,
    stderr: String,
}

impl Run {
    fn expect(&self, code: i32, says: &[&str]) -> &Self {
        assert_eq!(self.code, Some(code), "stderr: {}", self.stderr);
        for s in says {
            assert!(
                self.stderr.contains(s),
                "expected {s:?} in: {}",
                self.stderr
            );
        }
        self
    }
}

/// Runs `args` in `cwd`, and checks what every run must: no canary, a bounded stderr.
fn go(cwd: &Path, args: &[&str]) -> Run {
    let out = bin().current_dir(cwd).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stderr.contains(CANARY) && !stdout.contains(CANARY),
        "{args:?} printed the environment: {stderr}"
    );
    assert!(
        out.stderr.len() <= MAX_STDERR,
        "{args:?}: {} bytes of stderr",
        out.stderr.len()
    );
    Run {
        code: out.status.code(),
        stderr,
    }
}

fn small(name: &str) -> String {
    common::SmallRoller {
        name,
        layout: RINGS,
        ..Default::default()
    }
    .toml()
}

/// A folder holding the design `d.toml` (named `name`), a sweep over it and an empty `out/`.
fn project(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "d.toml", &small(name));
    write(dir.path(), "p.toml", &pen(&format!("{name}-pen")));
    write(
        dir.path(),
        "s.toml",
        &format!(
            "name = \"{name}\"\nbase = \"d.toml\"\n[vary]\n\"needle.length_mm\" = [1.0, 1.5]\n"
        ),
    );
    std::fs::create_dir(dir.path().join("out")).unwrap();
    dir
}

fn pen(name: &str) -> String {
    format!(
        "name = \"{name}\"\nkind = \"pen\"\n[pen]\ndepth_mm = 1.0\nfrequency_hz = 100.0\nhand_speed_mm_s = 25.0\n[pen.cartridge]\npattern = \"grid\"\nrows = 2\ncols = 2\npitch_mm = 1.0\n[needle]\ndiameter_mm = 0.25\n[treatment]\narea_mm = [10.0, 10.0]\npasses = [ {{ angle_deg = 0.0 }} ]\n[analysis]\nresolution_um = 20.0\n"
    )
}

/// Every command that writes under --out, with the output path it would write (relative to
/// the project) for a design or sweep named "d".
fn writers() -> Vec<(&'static str, Vec<&'static str>, &'static str)> {
    vec![
        ("analyze", vec!["analyze", "d.toml", "--no-plots"], "out/d"),
        ("layout", vec!["layout", "d.toml"], "out/d"),
        ("mc", vec!["mc", "d.toml", "--runs", "2"], "out/d"),
        (
            "mc (study folder)",
            vec!["mc", "d.toml", "--runs", "2"],
            "out/d/mc",
        ),
        ("sweep", vec!["sweep", "s.toml", "--no-plots"], "out/d"),
        (
            "sweep shard",
            vec!["sweep", "s.toml", "--shard", "1/2"],
            "out/d",
        ),
        (
            "compare",
            vec!["compare", "d.toml", "p.toml"],
            "out/compare-d-vs-d-pen.png",
        ),
        ("report", vec!["report", "d.toml"], "out/report.html"),
    ]
}

/// What a user may keep at an output path.
#[derive(Clone, Copy, Debug)]
enum Planted {
    Folder,
    File,
    Link,
}

fn plant(at: &Path, what: Planted, elsewhere: &Path) {
    if let Some(p) = at.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    match what {
        Planted::Folder => {
            std::fs::create_dir(at).unwrap();
            std::fs::write(at.join("keep.txt"), "the user's").unwrap();
        }
        Planted::File => std::fs::write(at, "the user's").unwrap(),
        Planted::Link => {
            std::fs::create_dir_all(elsewhere).unwrap();
            std::fs::write(elsewhere.join("keep.txt"), "the user's").unwrap();
            std::os::unix::fs::symlink(elsewhere, at).unwrap();
        }
    }
}

fn intact(at: &Path, what: Planted, elsewhere: &Path) -> bool {
    match what {
        Planted::Folder => {
            std::fs::read_to_string(at.join("keep.txt")).is_ok_and(|s| s == "the user's")
                && std::fs::read_dir(at).unwrap().count() == 1
        }
        Planted::File => std::fs::read_to_string(at).is_ok_and(|s| s == "the user's"),
        Planted::Link => {
            std::fs::symlink_metadata(at).is_ok_and(|m| m.file_type().is_symlink())
                && std::fs::read_dir(elsewhere).unwrap().count() == 1
        }
    }
}

#[test]
fn what_the_user_keeps_at_an_output_path_survives_every_command() {
    for (label, args, path) in writers() {
        for what in [Planted::Folder, Planted::File, Planted::Link] {
            let dir = project("d");
            let at = dir.path().join(path);
            let elsewhere = dir.path().join("elsewhere");
            // a folder at the study path needs its parent to be needlemap's to be reached
            if path == "out/d/mc" {
                go(dir.path(), &["analyze", "d.toml", "--no-plots", "--quiet"]).expect(0, &[]);
            }
            plant(&at, what, &elsewhere);
            let r = go(dir.path(), &args);
            r.expect(3, &[&at.file_name().unwrap().to_string_lossy()]);
            assert!(
                intact(&at, what, &elsewhere),
                "{label}: {what:?} at {path} was touched"
            );
            // nothing left behind: no temporary, no lock
            let left: Vec<_> = std::fs::read_dir(dir.path().join("out"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".needlemap-"))
                .collect();
            assert!(left.is_empty(), "{label}: left {left:?}");
        }
    }
}

#[test]
fn studies_and_sweeps_survive_an_analysis_of_the_same_name() {
    let dir = project("d");
    let p = dir.path();
    go(p, &["mc", "d.toml", "--runs", "3", "--quiet"]).expect(0, &[]);
    go(p, &["sweep", "s.toml", "--shard", "1/2", "--quiet"]).expect(0, &[]);
    std::fs::write(p.join("out/d/notes.txt"), "the user's notes").unwrap();
    let runs = std::fs::read(p.join("out/d/mc/runs.csv")).unwrap();
    let shard = std::fs::read(p.join("out/d/sweep.1-of-2.csv")).unwrap();
    for plots in [true, false] {
        let mut args = vec!["analyze", "d.toml", "--quiet"];
        if !plots {
            args.push("--no-plots");
        }
        go(p, &args).expect(0, &[]);
        assert_eq!(std::fs::read(p.join("out/d/mc/runs.csv")).unwrap(), runs);
        assert_eq!(
            std::fs::read(p.join("out/d/sweep.1-of-2.csv")).unwrap(),
            shard
        );
        assert!(p.join("out/d/notes.txt").is_file());
        // the analysis set is one run's whole: no pictures of the run with plots remain
        assert_eq!(p.join("out/d/coverage.png").is_file(), plots);
    }
    // the second shard and the merge still find the first
    go(p, &["sweep", "s.toml", "--shard", "2/2", "--quiet"]).expect(0, &[]);
    go(
        p,
        &["sweep", "s.toml", "--merge", "2", "--quiet", "--no-plots"],
    )
    .expect(0, &[]);
    assert!(p.join("out/d/sweep.csv").is_file());
    // every file of an analysis with pictures is one of the set's names (so that the next
    // analysis replaces it rather than keeping a stale one)
    go(p, &["analyze", "d.toml", "--quiet"]).expect(0, &[]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("out/d/needlemap-manifest.json")).unwrap())
            .unwrap();
    for f in manifest["files"].as_array().unwrap() {
        let f = f.as_str().unwrap();
        assert!(
            needlemap::output::analysis_files().iter().any(|a| a == f) || f.starts_with("sweep."),
            "{f}"
        );
    }
}

/// A secret-bearing file every reader must refuse: a link to the process's environment.
fn environ_link(at: &Path) {
    std::os::unix::fs::symlink("/proc/self/environ", at).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn no_file_read_ever_prints_the_environment() {
    let dir = project("d");
    let p = dir.path();
    go(
        p,
        &["baseline", "d.toml", "--output", "base.csv", "--quiet"],
    )
    .expect(0, &[]);
    std::fs::create_dir(p.join("designs")).unwrap();
    std::fs::copy(p.join("d.toml"), p.join("designs/d.toml")).unwrap();
    environ_link(&p.join("designs/evil.toml"));
    environ_link(&p.join("evil.toml"));
    environ_link(&p.join("evil.csv"));
    write(
        p,
        "sweep-evil.toml",
        "name = \"e\"\nbase = \"evil.toml\"\n[vary]\n\"needle.length_mm\" = [1.0]\n",
    );
    write(
        p,
        "sweep-abs.toml",
        "name = \"e\"\nbase = \"/proc/self/environ\"\n[vary]\n\"needle.length_mm\" = [1.0]\n",
    );
    write(
        p,
        "csv-evil.toml",
        &common::SmallRoller {
            name: "c",
            layout: "pattern = \"explicit\"\nneedles_csv = \"evil.csv\"",
            ..Default::default()
        }
        .toml(),
    );
    let says = "/proc or /sys";
    for args in [
        vec!["analyze", "designs/", "--quiet"],
        vec!["analyze", "evil.toml", "--quiet"],
        vec!["check", "designs/", "--baseline", "base.csv"],
        vec!["check", "d.toml", "--baseline", "evil.csv"],
        vec!["baseline", "evil.toml"],
        vec!["layout", "evil.toml"],
        vec!["mc", "evil.toml", "--runs", "2"],
        vec!["compare", "d.toml", "evil.toml"],
        vec!["sweep", "sweep-evil.toml", "--allow-outside"],
        vec!["sweep", "sweep-abs.toml", "--allow-outside"],
        vec!["analyze", "csv-evil.toml", "--allow-outside"],
        vec!["analyze", "d.toml", "--as-built", "evil.csv"],
    ] {
        go(p, &args).expect(2, &[says]);
    }
}

#[test]
fn no_message_is_longer_than_a_few_kilobytes() {
    let dir = project("d");
    let p = dir.path();
    // a 5 MB line with a syntax error, a 1 MB key, a 1 MB name in a baseline, a 1 MB CSV cell
    write(
        p,
        "line.toml",
        &format!("name = \"{}\n", "a".repeat(5_000_000)),
    );
    write(
        p,
        "key.toml",
        &format!("{} = 1\n{}", "k".repeat(1_000_000), small("x")),
    );
    go(p, &["analyze", "line.toml"]).expect(2, &["line.toml", "line 1"]);
    go(p, &["analyze", "key.toml"]).expect(2, &["key.toml", "unknown field"]);
    go(
        p,
        &["baseline", "d.toml", "--output", "base.csv", "--quiet"],
    )
    .expect(0, &[]);
    let base = std::fs::read_to_string(p.join("base.csv")).unwrap();
    let row = base.lines().nth(1).unwrap();
    let big = format!("{base}{}{}\n", "N".repeat(1_000_000), &row[1..]);
    write(p, "big.csv", &big);
    go(p, &["check", "d.toml", "--baseline", "big.csv"])
        .expect(2, &["big.csv:3", "not a design name"]);
    write(
        p,
        "n.csv",
        &format!("axial_mm,angle_deg\n0,{}\n", "9".repeat(1_000_000)),
    );
    write(
        p,
        "e.toml",
        &common::SmallRoller {
            name: "e",
            layout: "pattern = \"explicit\"\nneedles_csv = \"n.csv\"",
            ..Default::default()
        }
        .toml(),
    );
    go(p, &["analyze", "e.toml"]).expect(2, &["n.csv:2", "angle_deg"]);
}

#[test]
fn numbers_in_outputs_and_messages_have_a_bounded_width() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let stamp = std::fs::read_to_string(common::design("stamp-35.toml"))
        .unwrap()
        .replace("force_n = 10.0", "force_n = 10.0\npresses_per_s = 1e-300");
    write(p, "st.toml", &stamp);
    let out = bin()
        .current_dir(p)
        .args(["analyze", "st.toml", "--no-plots", "--out", "o"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    let widest = table
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .map(str::len)
        .max()
        .unwrap();
    assert!(widest < 30, "a {widest}-character cell in: {table}");
    let summary = std::fs::read_to_string(p.join("o/stamp-35/summary.csv")).unwrap();
    assert!(summary.lines().all(|l| l.len() < 1000), "{summary}");
    // a value of 1e300 in a message is 1e300, not 301 digits
    write(
        p,
        "r.toml",
        &common::SmallRoller {
            name: "r",
            layout: "pattern = \"explicit\"\nneedles = [[1e300, 0.0]]",
            ..Default::default()
        }
        .toml(),
    );
    go(p, &["analyze", "r.toml"]).expect(2, &["1e300"]);
}

#[test]
fn a_covered_region_and_coordinates_far_away_end_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // the 12-needle pen with 1.0 mm needles (a short tip, pressed firmly, so each opening is
    // the full width) at its 1.0 mm pitch: every point covered many times over (the exact gap used to split the whole region down to 0.5 µm)
    let pen = std::fs::read_to_string(common::design("pen-12-110.toml"))
        .unwrap()
        .replace("diameter_mm = 0.25", "diameter_mm = 1.0")
        .replace("tip_length_mm = 0.5", "tip_length_mm = 0.05")
        .replace(
            "drive_force_n = 5.0",
            "drive_force_n = 100.0\npreload_n = 100.0",
        );
    assert!(pen.contains("tip_length_mm = 0.05") && pen.contains("preload_n = 100.0"));
    write(p, "p.toml", &pen);
    let out = bin()
        .current_dir(p)
        .args([
            "analyze",
            "p.toml",
            "--no-plots",
            "--format",
            "json",
            "--out",
            "o",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gap = v["results"][0]["metrics"]["max_gap_mm"].as_f64().unwrap();
    assert!(gap < 0.01, "{gap}");
    // explicit coordinates have a range: a needle 1e12 mm along the stroke is refused
    let far = pen.replace(
        "pattern = \"grid\"\nrows = 3\ncols = 4\npitch_mm = 1.0",
        "pattern = \"explicit\"\nneedles = [[0.0, 0.0], [1e12, 0.0]]",
    );
    assert_ne!(far, pen, "the pen file's cartridge changed");
    write(p, "far.toml", &far);
    go(p, &["analyze", "far.toml", "--no-plots", "--out", "o"]).expect(
        2,
        &["pen.cartridge.needles[1]", "along_mm must be at least -25"],
    );
}

#[test]
fn needle_counts_are_checked_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let mut csv = String::from("axial_mm,angle_deg\n");
    for _ in 0..1_000_000 {
        csv.push_str("0,0\n");
    }
    write(p, "n.csv", &csv);
    write(
        p,
        "d.toml",
        &common::SmallRoller {
            name: "d",
            layout: "pattern = \"explicit\"\nneedles_csv = \"n.csv\"",
            ..Default::default()
        }
        .toml(),
    );
    go(p, &["layout", "d.toml"]).expect(2, &["n.csv:20002", "more than 20000"]);
}

#[test]
fn every_key_column_and_flag_goes_through_the_range_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let explicit = |name: &str, layout: &str| {
        common::SmallRoller {
            name,
            layout,
            ..Default::default()
        }
        .toml()
    };
    write(
        p,
        "a.toml",
        &explicit(
            "a",
            "pattern = \"explicit\"\nneedles = [[0.0, 1e300], [2.0, 90.0]]",
        ),
    );
    go(p, &["layout", "a.toml"]).expect(2, &["roller.layout.needles[0]", "angle_deg", "360"]);
    write(p, "n.csv", "axial_mm,angle_deg,length_mm\n0,0,11\n2,90,1\n");
    write(
        p,
        "l.toml",
        &explicit("l", "pattern = \"explicit\"\nneedles_csv = \"n.csv\""),
    );
    go(p, &["layout", "l.toml"]).expect(2, &["n.csv:2", "length_mm", "at most 10 mm"]);
    // the same range for the key in a file and for the flag
    let res = small("r").replace("resolution_um = 20.0", "resolution_um = 1500.0");
    write(p, "r.toml", &res);
    go(p, &["analyze", "r.toml"]).expect(2, &["analysis.resolution_um", "at most 1000"]);
    write(p, "d.toml", &small("d"));
    go(p, &["analyze", "d.toml", "--resolution-um", "1500"])
        .expect(2, &["analysis.resolution_um", "at most 1000"]);
    go(p, &["--threads", "1000000", "analyze", "d.toml"]).expect(2, &["from 1 to 256"]);
    go(
        p,
        &[
            "--threads",
            "256",
            "analyze",
            "d.toml",
            "--quiet",
            "--no-plots",
            "--out",
            "o",
        ],
    )
    .expect(0, &[]);
}

#[test]
fn nothing_is_silent() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "d.toml", &small("d"));
    let n = 192;
    // every needle missing: no result means anything
    let mut all = String::from("needle,length_mm,missing\n");
    for i in 0..n {
        all.push_str(&format!("{i},1.5,1\n"));
    }
    write(p, "all.csv", &all);
    go(p, &["analyze", "d.toml", "--as-built", "all.csv"])
        .expect(2, &["every one of the 192 needles is marked missing"]);
    // a missing needle's length may be blank, as the README says
    let mut blank = String::from("needle,length_mm,missing\n");
    for i in 0..n {
        blank.push_str(&if i == 5 {
            "5,,1\n".to_string()
        } else {
            format!("{i},1.5,0\n")
        });
    }
    write(p, "blank.csv", &blank);
    go(
        p,
        &[
            "analyze",
            "d.toml",
            "--as-built",
            "blank.csv",
            "--no-plots",
            "--quiet",
            "--out",
            "o",
        ],
    )
    .expect(0, &[]);
    // a sweep whose every combination is invalid exits 2 with the first reasons
    write(
        p,
        "s.toml",
        "name = \"allbad\"\nbase = \"d.toml\"\n[vary]\n\"roller.layout.ring_pitch_mm\" = [5.0, 10.0]\n",
    );
    go(p, &["sweep", "s.toml", "--out", "o"]).expect(
        2,
        &[
            "every one of the 2 combinations",
            "allbad-1",
            "ring_pitch_mm",
        ],
    );
    assert!(!p.join("o/allbad/sweep.csv").exists());
    // no channel in the region: an advisory and a warning, in every format
    let never = small("z").replace("length_mm = 1.5", "length_mm = 0.01");
    write(p, "z.toml", &never);
    let out = bin()
        .current_dir(p)
        .args([
            "analyze",
            "z.toml",
            "--no-plots",
            "--format",
            "csv",
            "--out",
            "o",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no_channels"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no channel lies in the treatment region")
    );
}

#[test]
fn long_work_is_estimated_and_refused_beyond_the_limit_with_what_fits() {
    let dir = project("d");
    let p = dir.path();
    let mf8 = common::design("mf8-192.toml");
    let mf8 = mf8.to_str().unwrap();
    go(p, &["mc", mf8, "--runs", "250000", "--allow-outside"]).expect(
        2,
        &[
            "250000 runs would take about",
            "--runs",
            "fits",
            "--max-cpu-min",
        ],
    );
    // a sweep of 10^5 combinations: refused with the shards that fit
    let values: Vec<String> = (0..10)
        .map(|i| format!("{:.1}", 1.0 + 0.1 * f64::from(i)))
        .collect();
    let list = values.join(", ");
    let keys = [
        "needle.length_mm",
        "roller.force_n",
        "roller.roll_speed_mm_s",
        "needle.tip_length_mm",
        "skin.coupling_length_mm",
    ];
    let mut sweep = format!("name = \"big\"\nbase = {mf8:?}\n[vary]\n");
    for k in keys {
        sweep.push_str(&format!("\"{k}\" = [{list}]\n"));
    }
    write(p, "big.toml", &sweep);
    let r = go(p, &["sweep", "big.toml", "--allow-outside"]);
    r.expect(
        2,
        &[
            "100000 combinations would take about",
            "--shard K/",
            "--merge",
        ],
    );
    // a lower limit refuses a small study, and says the estimate
    go(
        p,
        &["mc", "d.toml", "--runs", "50", "--max-cpu-min", "0.0001"],
    )
    .expect(2, &["50 runs would take about"]);
    // compare takes at most 16 designs
    let mut args: Vec<String> = vec!["compare".into()];
    for i in 0..17 {
        write(p, &format!("c{i}.toml"), &small(&format!("c{i}")));
        args.push(format!("c{i}.toml"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    go(p, &args).expect(2, &["17 designs", "at most 16"]);
}

#[test]
fn progress_is_shown_off_a_terminal() {
    let dir = project("d");
    let out = bin()
        .current_dir(dir.path())
        .env("NEEDLEMAP_PROGRESS_SECS", "0")
        .args(["mc", "d.toml", "--runs", "20"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("d runs: ") && err.contains("/20 ("), "{err}");
    // and nothing with --quiet
    let out = bin()
        .current_dir(dir.path())
        .env("NEEDLEMAP_PROGRESS_SECS", "0")
        .args(["mc", "d.toml", "--runs", "20", "--quiet"])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn referenced_files_resolve_from_the_named_files_project_wherever_it_runs() {
    // a project (with designs/) whose sweep names ../base.toml, and a design whose
    // needles_csv sits beside it, run from an unrelated folder by absolute path
    let proj = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let designs = proj.path().join("designs");
    std::fs::create_dir_all(designs.join("sweeps")).unwrap();
    write(&designs, "base.toml", &small("b"));
    write(
        &designs.join("sweeps"),
        "s.toml",
        "name = \"s\"\nbase = \"../base.toml\"\n[vary]\n\"needle.length_mm\" = [1.0]\n",
    );
    write(&designs, "n.csv", "axial_mm,angle_deg\n0,0\n5,90\n");
    write(
        &designs,
        "x.toml",
        &common::SmallRoller {
            name: "x",
            layout: "pattern = \"explicit\"\nneedles_csv = \"n.csv\"",
            ..Default::default()
        }
        .toml(),
    );
    let e = elsewhere.path();
    let sweep = designs.join("sweeps/s.toml");
    let x = designs.join("x.toml");
    go(
        e,
        &["sweep", sweep.to_str().unwrap(), "--no-plots", "--quiet"],
    )
    .expect(0, &[]);
    go(e, &["layout", x.to_str().unwrap(), "--quiet"]).expect(0, &[]);
    // a file outside the project is still refused, naming the root and how it was chosen
    let outside = elsewhere.path().join("o.csv");
    std::fs::write(&outside, "axial_mm,angle_deg\n0,0\n").unwrap();
    write(
        &designs,
        "y.toml",
        &common::SmallRoller {
            name: "y",
            layout: &format!(
                "pattern = \"explicit\"\nneedles_csv = {:?}",
                outside.display().to_string()
            ),
            ..Default::default()
        }
        .toml(),
    );
    let y = designs.join("y.toml");
    let root = proj.path().canonicalize().unwrap();
    go(e, &["layout", y.to_str().unwrap()]).expect(
        2,
        &[
            "outside the project root",
            &root.display().to_string(),
            "holds designs/",
        ],
    );
    // the shipped sweeps run from outside the repository
    let shipped = common::root().join("designs/sweeps/mf8-force.toml");
    go(
        e,
        &[
            "sweep",
            shipped.to_str().unwrap(),
            "--resolution-um",
            "100",
            "--no-plots",
            "--quiet",
        ],
    )
    .expect(0, &[]);
}

#[test]
fn the_outputs_of_the_shipped_designs_carry_a_manifest_and_nothing_else_new() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let d = common::design("mf8-192.toml");
    let r = bin()
        .args([
            "analyze",
            d.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(r.status.success());
    let mut names: Vec<String> = std::fs::read_dir(out.join("mf8-192"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = needlemap::output::analysis_files()
        .into_iter()
        .chain(["needlemap-manifest.json".to_string()])
        .collect();
    want.sort();
    assert_eq!(names, want);
}
