//! Drives the real binary with hostile or unlucky inputs and runs (issue 18): files a design
//! may not read, special files, output sets that belong together, leftovers of killed runs,
//! and the edges of exit codes and limits.

mod common;

use assert_cmd::Command;
use common::{write, RINGS};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::cargo_bin("needlemap").unwrap();
    // A special file that blocks must fail the test, not hang it.
    c.timeout(Duration::from_secs(120));
    c
}

/// Exit code, stdout and stderr of a run.
struct Run {
    code: Option<i32>,
    stderr: String,
}

impl Run {
    /// Asserts the exit code and that stderr says each of `says`.
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

    /// Asserts that stderr does not say `s`.
    fn never_says(&self, s: &str) {
        assert!(!self.stderr.contains(s), "{s:?} in: {}", self.stderr);
    }
}

/// Runs the binary with `args`.
fn go(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Run {
    run(bin().args(args.iter().map(|a| a.as_ref())))
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A small roller: 20 × 20 mm, 3 passes, 20 µm, 10 % missing needles so that the channel
/// count depends on the seed, with the layout table's keys `layout`.
fn small(name: &str, layout: &str) -> String {
    common::SmallRoller {
        name,
        layout,
        tables: "[tolerance]\nmissing_fraction = 0.1",
        ..Default::default()
    }
    .toml()
}

fn explicit(csv: &str) -> String {
    small(
        "x",
        &format!("pattern = \"explicit\"\nneedles_csv = {csv:?}"),
    )
}

fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

/// `layout` reads and checks designs without analysing them, run inside `cwd`.
fn layout(cwd: &Path, args: &[&str]) -> Run {
    run(bin()
        .current_dir(cwd)
        .arg("layout")
        .args(args)
        .arg("--out")
        .arg(cwd.join("out"))
        .arg("--quiet"))
}

// ---- 1. Reading only what a design may read ----

#[test]
fn needles_csv_may_not_read_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "d.toml", &explicit("/proc/self/environ"));
    for extra in [&[][..], &["--allow-outside"][..]] {
        let r = run(bin()
            .current_dir(dir.path())
            .env("NEEDLEMAP_SECRET", "hunter2")
            .arg("layout")
            .arg("d.toml")
            .args(extra)
            .arg("--quiet"));
        r.expect(2, &["d.toml:9:", "roller.layout.needles_csv"])
            .never_says("hunter2");
        if extra.is_empty() {
            r.expect(2, &["outside the project root"]);
        }
    }
}

#[test]
fn needles_csv_stays_under_the_root_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    // no folder above sub/ holds .git, Cargo.toml or designs/: the root is sub/ itself
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    write(dir.path(), "n.csv", "axial_mm,angle_deg\n0,0\n0,90\n");
    write(&sub, "d.toml", &explicit("../n.csv"));
    layout(&sub, &["d.toml"]).expect(2, &["d.toml:9:", "n.csv is outside", "--allow-outside"]);
    layout(&sub, &["d.toml", "--root", ".."]).expect(0, &[]);
    layout(&sub, &["d.toml", "--allow-outside"]).expect(0, &[]);
}

#[test]
fn needles_csv_must_be_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    mkfifo(&dir.path().join("fifo.csv"));
    for (target, says) in [
        ("folder", "a folder, not a regular file"),
        ("fifo.csv", "a FIFO (named pipe), not a regular file"),
        ("/dev/zero", "a device, not a regular file"),
    ] {
        write(dir.path(), "d.toml", &explicit(target));
        layout(dir.path(), &["d.toml", "--allow-outside"]).expect(2, &[says]);
    }
}

#[test]
fn needles_csv_errors_quote_the_line_and_a_clipped_field() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "d.toml", &explicit("n.csv"));
    let long = "y".repeat(60);
    write(
        dir.path(),
        "n.csv",
        &format!("axial_mm,angle_deg\n0,0\n\n1,{long}\n"),
    );
    layout(dir.path(), &["d.toml"])
        .expect(2, &["n.csv:4: angle_deg", &"y".repeat(40)])
        .never_says(&long);

    write(dir.path(), "n.csv", "axial_mm,angle_deg,axial_mm\n0,0,1\n");
    layout(dir.path(), &["d.toml"]).expect(
        2,
        &["n.csv:1: the header names column \"axial_mm\" twice (columns 1 and 3)"],
    );
}

#[test]
fn sweep_base_stays_under_the_root_and_is_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sweeps");
    std::fs::create_dir(&sub).unwrap();
    write(dir.path(), "base.toml", &small("b", RINGS));
    let sweep = |base: &str| {
        write(
            &sub,
            "s.toml",
            &format!("name = \"s\"\nbase = {base:?}\n[vary]\n\"needle.length_mm\" = [1.0]\n"),
        );
    };
    let sweep_in_sub = |extra: &[&str]| {
        run(bin()
            .current_dir(&sub)
            .arg("sweep")
            .arg("s.toml")
            .args(extra)
            .arg("--out")
            .arg(dir.path().join("out"))
            .arg("--no-plots")
            .arg("--quiet"))
    };
    sweep("../base.toml");
    sweep_in_sub(&[]).expect(2, &["s.toml:2:", "`base`", "outside the project root"]);
    sweep_in_sub(&["--root", ".."]).expect(0, &[]);
    sweep("/dev/zero");
    sweep_in_sub(&["--allow-outside"]).expect(2, &["s.toml:2:", "a device"]);
}

// ---- 3. Special files wherever a file is read ----

#[test]
fn a_fifo_is_refused_as_design_baseline_and_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.toml");
    mkfifo(&fifo);
    let d = write(dir.path(), "d.toml", &small("d", RINGS));
    let runs = [
        go(&[&"layout", &fifo, &"--quiet"]),
        go(&[&"check", &d, &"--baseline", &fifo, &"--quiet"]),
        go(&[&"sweep", &fifo, &"--quiet"]),
    ];
    for r in runs {
        r.expect(2, &["pipe.toml", "a FIFO (named pipe)"]);
    }
}

#[test]
fn an_os_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = write(dir.path(), "d.toml", &small("d", RINGS));
    let missing = dir.path().join("missing.csv");
    let r = go(&[&"check", &d, &"--baseline", &missing, &"--quiet"]);
    r.expect(2, &["missing.csv: cannot read the baseline: No such file"]);
    assert_eq!(r.stderr.matches("No such file").count(), 1, "{}", r.stderr);
    // A picture that cannot be written (a folder in its place): exit 3, the reason once.
    let out = dir.path().join("out");
    go(&[&"layout", &d, &"--out", &out, &"--quiet"]).expect(0, &[]);
    std::fs::remove_file(out.join("d/needles.png")).unwrap();
    std::fs::create_dir_all(out.join("d/needles.png")).unwrap();
    let r = go(&[&"layout", &d, &"--out", &out, &"--quiet"]);
    r.expect(3, &["needles.png: it is a folder"]);
    assert_eq!(r.stderr.matches("is a folder").count(), 1, "{}", r.stderr);
}

// ---- 3. --junit ----

/// A design, its baseline, and the same design changed so that `check` finds a regression.
fn baseline_and_change(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let d = write(dir, "d.toml", &small("d", RINGS));
    let baseline = dir.join("baseline.csv");
    go(&[&"baseline", &d, &"--output", &baseline, &"--quiet"]).expect(0, &[]);
    std::fs::create_dir(dir.join("changed")).unwrap();
    let changed = write(
        &dir.join("changed"),
        "d.toml",
        &small("d", RINGS).replace("length_mm = 1.5", "length_mm = 1.0"),
    );
    (d, baseline, changed)
}

#[test]
fn junit_creates_no_folder_and_the_verdict_outranks_it() {
    let dir = tempfile::tempdir().unwrap();
    let (d, baseline, changed) = baseline_and_change(dir.path());
    let check = |design: &Path, junit: &Path| {
        go(&[
            &"check",
            &design,
            &"--baseline",
            &baseline,
            &"--junit",
            &junit,
            &"--quiet",
        ])
    };
    // Passing check, junit into a missing folder: exit 3, no folder made.
    let missing = dir.path().join("reports");
    check(&d, &missing.join("j.xml")).expect(3, &["reports does not exist", "creates no folders"]);
    assert!(!missing.exists());
    // Regression and an unwritable junit (a folder in its place): the verdict's 1, a warning.
    let in_the_way = dir.path().join("j.xml");
    std::fs::create_dir(&in_the_way).unwrap();
    check(&changed, &in_the_way).expect(1, &["warning: cannot write", "verdict (1)"]);
}

// ---- 3. Seeds, names, limits ----

#[test]
fn seed_range_is_the_same_on_the_command_line_and_in_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let max = i64::MAX.to_string();
    let over = (i64::MAX as u64 + 1).to_string();
    let d = write(dir.path(), "d.toml", &small("d", RINGS));
    let with_seed = |seed: &str| {
        go(&[
            &"analyze",
            &d,
            &"--seed",
            &seed,
            &"--quiet",
            &"--no-plots",
            &"--out",
            &out,
        ])
    };
    with_seed(&max).expect(0, &[]);
    with_seed(&over).expect(2, &["--seed", "0..=9223372036854775807"]);

    let in_file = |seed: &str| {
        let text = small("s", RINGS).replace("seed = 3", &format!("seed = {seed}"));
        let f = write(dir.path(), "s.toml", &text);
        go(&[&"layout", &f, &"--quiet", &"--out", &out])
    };
    in_file(&max).expect(0, &[]);
    in_file(&over).expect(2, &["s.toml"]);
}

#[test]
fn a_long_name_is_refused_as_input_not_as_io() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let f = write(dir.path(), "d.toml", &small(&"n".repeat(300), RINGS));
    go(&[&"analyze", &f, &"--out", &out, &"--quiet"])
        .expect(2, &["d.toml:2:", "at most 100"])
        .never_says(&"n".repeat(41));
    let ok = write(dir.path(), "ok.toml", &small(&"n".repeat(100), RINGS));
    go(&[&"layout", &ok, &"--quiet", &"--out", &out]).expect(0, &[]);
    // A sweep's variants `<name>-<i>` obey the rule too, so its name leaves room for them.
    write(dir.path(), "base.toml", &small("b", RINGS));
    let vary = "[vary]\n\"needle.length_mm\" = [1.0, 1.5]\n";
    let name = "s".repeat(99);
    write(
        dir.path(),
        "s.toml",
        &format!("name = \"{name}\"\nbase = \"base.toml\"\n{vary}"),
    );
    run(bin()
        .current_dir(dir.path())
        .args(["sweep", "s.toml", "--quiet", "--out", "out"]))
    .expect(2, &["s.toml:1:", "use at most 98 characters"]);
}

#[test]
fn limit_errors_name_file_and_key_without_saturated_counts() {
    let dir = tempfile::tempdir().unwrap();
    let dense = small("dense", RINGS).replace("seed = 3", "seed = 3\nlane_spacing_mm = 1e-300");
    let f = write(dir.path(), "dense.toml", &dense);
    go(&[
        &"analyze",
        &f,
        &"--out",
        &dir.path().join("out"),
        &"--quiet",
    ])
    .expect(
        2,
        &[
            "dense.toml",
            "`treatment.lane_spacing_mm`",
            "more than a trillion",
        ],
    )
    .never_says("18446744073709551615");
}

// ---- 2. Outputs that belong together ----

/// Column `name` of the CSV file `path`, one value per row.
fn column(path: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let col = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records()
        .map(|rec| rec.unwrap()[col].to_string())
        .collect()
}

/// summary.csv's channel count and the in-region rows of channels.csv in `dir`.
fn counts(dir: &Path) -> (u64, u64) {
    let summary = column(&dir.join("summary.csv"), "channels")[0]
        .parse()
        .unwrap();
    let in_region = column(&dir.join("channels.csv"), "in_region");
    (
        summary,
        in_region.iter().filter(|v| *v == "1").count() as u64,
    )
}

#[test]
fn concurrent_runs_leave_one_runs_whole_set() {
    let dir = tempfile::tempdir().unwrap();
    let d = write(dir.path(), "d.toml", &small("d", RINGS));
    let out = dir.path().join("out");
    let spawn = |seed: &str| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("needlemap"))
            .arg("analyze")
            .arg(&d)
            .arg("--seed")
            .arg(seed)
            .arg("--out")
            .arg(&out)
            .arg("--quiet")
            .arg("--threads")
            .arg("1")
            .spawn()
            .unwrap()
    };
    // Writing file by file, about 3 rounds in 20 ended with a mixed set; 8 rounds catch that
    // more often than not, and any mix at all is a failure.
    for _ in 0..8 {
        let (mut a, mut b) = (spawn("11"), spawn("12"));
        assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
        let (summary, rows) = counts(&out.join("d"));
        assert_eq!(
            summary, rows,
            "summary.csv and channels.csv of different runs"
        );
        let left: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("d")],
            "temporaries left"
        );
    }
    // The two seeds give different counts, so a mix would have been caught.
    let one = |seed: &str| {
        let o = dir.path().join(format!("solo-{seed}"));
        go(&[
            &"analyze",
            &d,
            &"--seed",
            &seed,
            &"--out",
            &o,
            &"--quiet",
            &"--no-plots",
        ])
        .expect(0, &[]);
        counts(&o.join("d")).0
    };
    assert_ne!(one("11"), one("12"));
}

#[test]
fn a_killed_runs_leftovers_are_cleaned_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = write(dir.path(), "d.toml", &small("d", RINGS));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // A run killed while writing leaves its temporaries under its pid, now dead: the pid of a
    // process that has exited (not reused this soon).
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    // (a staged folder still being written has no manifest; an old folder renamed aside has
    // the manifest that lists its files)
    let stale = [
        out.join(format!(".needlemap-tmp-d-{dead}-0")),
        out.join(format!(".needlemap-old-d-{dead}-3")),
    ];
    for s in &stale {
        std::fs::create_dir(s).unwrap();
        std::fs::write(s.join("channels.csv"), "half").unwrap();
    }
    std::fs::write(
        stale[1].join("needlemap-manifest.json"),
        r#"{"tool": "needlemap", "version": "0.1.0", "kind": "set", "files": ["channels.csv"]}"#,
    )
    .unwrap();
    std::fs::write(out.join(format!(".needlemap-part-{dead}-Ab3xYz")), "half").unwrap();
    // A live run's temporary (this test's own pid) is not touched.
    let live = out.join(format!(".needlemap-tmp-d-{}-0", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    go(&[&"analyze", &d, &"--out", &out, &"--no-plots", &"--quiet"]).expect(0, &[]);
    for s in &stale {
        assert!(!s.exists(), "{} left", s.display());
    }
    assert!(!out.join(format!(".needlemap-part-{dead}-Ab3xYz")).exists());
    assert!(live.exists());
    assert!(out.join("d/summary.csv").is_file());
}

#[test]
fn a_run_killed_while_writing_is_cleaned_up_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let design = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/mf8-192.toml");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("needlemap"))
        .arg("analyze")
        .arg(&design)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .spawn()
        .unwrap();
    // Kill it as soon as its temporary folder appears (the pictures take a while yet).
    let tmp = loop {
        let found = std::fs::read_dir(&out).ok().and_then(|rd| {
            rd.filter_map(Result::ok).find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".needlemap-tmp-")
            })
        });
        if let Some(e) = found {
            break e.path();
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended first");
        std::thread::sleep(Duration::from_millis(2));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(tmp.exists() && !out.join("mf8-192").exists());
    go(&[
        &"analyze",
        &design,
        &"--out",
        &out,
        &"--no-plots",
        &"--quiet",
    ])
    .expect(0, &[]);
    assert!(!tmp.exists(), "{} left", tmp.display());
    assert!(out.join("mf8-192/summary.csv").is_file());
}

// ---- Found by a new-user probe ----

#[test]
fn outputs_never_replace_what_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = write(dir.path(), "d.toml", &small("d", RINGS));
    let kept = write(dir.path(), "kept.csv", "kept\n");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&kept, &link).unwrap();
    let fifo = dir.path().join("fifo.csv");
    mkfifo(&fifo);
    for target in [&link, &fifo] {
        go(&[&"baseline", &d, &"--output", target, &"--quiet"])
            .expect(3, &["needlemap writes only new or regular files"]);
    }
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "kept\n");
    // an ordinary file is replaced as before
    go(&[&"baseline", &d, &"--output", &kept, &"--quiet"]).expect(0, &[]);
    assert!(std::fs::read_to_string(&kept).unwrap().starts_with("name,"));
}

#[test]
fn a_needles_csv_column_it_does_not_know_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "n.csv",
        "axial_mm,angle_deg,lenght_mm\n0,0,1.0\n5,90,1.0\n",
    );
    write(dir.path(), "d.toml", &explicit("n.csv"));
    layout(dir.path(), &["d.toml"]).expect(2, &["n.csv:1", "\"lenght_mm\"", "length_mm"]);
}

#[test]
fn an_inspection_file_goes_with_one_design() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (a, b) = (
        common::design("mf8-192.toml"),
        common::design("cit8-0.5.toml"),
    );
    let lot = common::root().join("designs/inspection/mf8-192-lot-a.csv");
    for cmd in ["analyze", "mc"] {
        go(&[
            &cmd,
            &a,
            &b,
            &"--as-built",
            &lot,
            &"--out",
            &out,
            &"--quiet",
        ])
        .expect(2, &["describes one built device", "mf8-192, cit8-0.5"]);
    }
    assert!(!out.exists(), "nothing written");
}

/// An as-built analysis is written apart from the nominal design's files, and says which
/// inspection it is in its summary, JSON and table.
#[test]
fn an_as_built_analysis_is_written_apart_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let a = common::design("mf8-192.toml");
    let lot = common::root().join("designs/inspection/mf8-192-lot-a.csv");
    go(&[&"analyze", &a, &"--out", &out, &"--no-plots", &"--quiet"]).expect(0, &[]);
    let nominal = std::fs::read(out.join("mf8-192/summary.csv")).unwrap();
    let run = |extra: &[&str]| {
        let o = bin()
            .arg("analyze")
            .arg(&a)
            .arg("--as-built")
            .arg(&lot)
            .arg("--out")
            .arg(&out)
            .arg("--no-plots")
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let table = run(&[]);
    assert!(
        table.contains("as built mf8-192: the device inspected in"),
        "{table}"
    );
    // the nominal set is untouched; the inspected one has its own folder
    assert_eq!(
        std::fs::read(out.join("mf8-192/summary.csv")).unwrap(),
        nominal
    );
    let built =
        std::fs::read_to_string(out.join("mf8-192/as-built-mf8-192-lot-a/summary.csv")).unwrap();
    let (head, row) = built.split_once('\n').unwrap();
    assert!(head.ends_with(",as_built"));
    assert!(row.trim_end().ends_with("mf8-192-lot-a.csv"), "{row}");
    let json = run(&["--format", "json"]);
    assert!(
        json.contains("\"as_built\": \"") && json.contains("mf8-192-lot-a.csv"),
        "{json}"
    );
}
