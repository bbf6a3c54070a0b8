//! Fuzzing the design reader and the command line: random design and sweep texts (the shipped
//! ones, intact or mutated: a line deleted or repeated, a number replaced by an extreme or a
//! wrong type, the kind changed, the text cut short, unicode inserted, hostile keys added) run
//! with random flags through the commands. Whatever the input, needlemap must answer with exit
//! 0, 1, 2 or 3 — never a panic, an abort, a signal — within bounded time and memory, with at
//! most 16 kB of stderr and never the environment (each subprocess carries a canary variable,
//! and `hostile/environ.*` in its folder are links to `/proc/self/environ` for the corpus to
//! name).
//!
//! Every case is checked in-process (the library's reading and limit checks under
//! `catch_unwind`); one case in `NEEDLEMAP_FUZZ_FULL_EVERY` (default 3) also runs the real
//! binary as a subprocess, under a 2 GiB address-space limit and a 120 s deadline, at a
//! coarse raster unless the case is about the raster. Cases: `NEEDLEMAP_FUZZ_CASES` (default
//! 800, about half a minute with the corpus); the generator's seed: `NEEDLEMAP_FUZZ_SEED`. The long run:
//!
//! ```text
//! NEEDLEMAP_FUZZ_CASES=100000 NEEDLEMAP_FUZZ_SEED=$RANDOM \
//!     cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! Every file of `tests/fuzz/corpus/` is replayed in full on every run: its first line is
//! `#! <command and flags>` (`{}` stands for the file, `{designs}` for the shipped designs'
//! folder, `{out}` for the output folder, else `--out` is added), the rest the input. A failing generated case is written there as `crash-*.toml`
//! so that it stays a regression case once fixed.

use needlemap::base::input::ReadPolicy;
use needlemap::design::Design;
use needlemap::metrics::analysis::Overrides;
use needlemap::studies::sweep::Sweep;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Planted in every subprocess's environment; no output may hold it.
const CANARY: &str = "fuzz-canary-26";
/// Most stderr a subprocess may print, bytes: messages quote input only in excerpts.
const MAX_STDERR: usize = 16 << 10;

/// Longest a subprocess may run.
const DEADLINE: Duration = Duration::from_secs(120);
/// Address-space limit of a subprocess, KiB (2 GiB).
const MEMORY_KIB: u64 = 2 << 20;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn env_num(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A shipped input the mutations start from.
#[derive(Clone, Debug)]
struct Seed {
    /// Folder under designs/ (sweeps name their base relative to it).
    dir: &'static str,
    name: String,
    text: String,
    sweep: bool,
}

fn seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    for dir in ["", "validation", "sweeps", "bench"] {
        let folder = crate_root().join("designs").join(dir);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            out.push(Seed {
                dir,
                name: f.file_stem().unwrap().to_string_lossy().into_owned(),
                sweep: dir == "sweeps",
                text,
            });
        }
    }
    assert!(
        out.len() >= 10,
        "the shipped designs are the fuzzer's seeds"
    );
    out
}

/// Values a number may be replaced by: extremes, wrong signs, non-finite, wrong types.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "-0.0",
    "1e-9",
    "1e-300",
    "5e-324",
    "1e9",
    "1e300",
    "1.7976931348623157e308",
    "nan",
    "+inf",
    "-inf",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967296",
    "1500",
    "1e4",
    "100",
    "49",
    "0.5",
    "3",
    "\"1.5\"",
    "true",
    "[]",
    "[1.0, 2.0, 3.0]",
    "{ }",
    "\"\"",
    "1979-05-27",
];

/// Strings inserted anywhere.
const UNICODE: &[&str] = &[
    "é",
    "\u{202e}",
    "\u{feff}",
    "\u{0}",
    "𝔁",
    "\u{2028}",
    "\\u0000",
    "\"",
    "[",
    "]]",
    "=",
    "#",
    "\\",
    "'''",
    "\u{1F4A9}",
    "\r",
];

/// Whole lines inserted: keys that exist, with hostile values, and keys that do not.
const LINES: &[&str] = &[
    "needles_csv = \"/etc/passwd\"",
    "needles_csv = \"/dev/zero\"",
    "needles_csv = \"/proc/self/environ\"",
    "needles_csv = \"../../../../../../etc/passwd\"",
    "needles_csv = \"sweeps\"",
    "length_mm = 1500",
    "length_mm = 1e4",
    "length_sd_mm = 100",
    "length_sd_mm = 1e-9",
    "influence_radius_mm = 50",
    "tile_mm = 1e-6",
    "tip_length_mm = 49",
    "tip_radius_um = 1e9",
    "coupling_length_mm = 9.0",
    "missing_fraction = 1.0",
    "rows = 1000\ncols = 1000",
    "rings = 100000",
    "needles_per_ring = 4294967295",
    "drum_diameter_mm = 1e300",
    "hand_speed_mm_s = 1e300",
    "hand_speed_mm_s = 1e-300",
    "frequency_hz = 1e300",
    "lane_spacing_mm = 1e-9",
    "area_mm = [1e-9, 1e-9]",
    "area_mm = [1000.0, 1000.0]",
    "area_mm = [40.0]",
    "resolution_um = 0.01",
    "resolution_um = 1e9",
    "seed = 18446744073709551615",
    "seed = -1",
    "passes = []",
    "passes = [ { angle_deg = 0.0, count = 4000000000 } ]",
    "passes = [ { angle_deg = nan } ]",
    "name = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
    "name = \"../../escape\"",
    "name = \"\"",
    "kind = \"stamp\"",
    "kind = \"pen\"",
    "kind = \"roller\"",
    "kind = 3",
    "base = \"/etc/passwd\"",
    "base = \"../mf8-192.toml\"",
    "base = \"../sweeps/mf8-force.toml\"",
    "[tolerance]",
    "[spec]\ncoverage_fraction = { min = 2.0 }",
    "[spec]\nmax_gap_mm = { max = -1 }",
    "[skin]\npreset = \"rat\"",
    "[skin]\npreset = \"moon\"",
    "[analysis]\nresolution_um = 1e-3",
    "[vary]\n\"needle.length_mm\" = [0.5, 1e300]",
    "[vary]\n\"no.such_key\" = [1.0]",
    "\"roller.force_n\" = []",
    "\"treatment.passes.*.count\" = [0, 1]",
    "[[x]]",
    "a.b.c = 1",
    "[needle]",
    "[pen.cartridge]\npattern = \"grid\"\nrows = 0\ncols = 0\npitch_mm = 0",
];

/// One change to a text; every index is taken modulo what it indexes.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    ReplaceNumber(usize, usize),
    ScaleNumber(usize, i32),
    ChangeKind(usize),
    Truncate(usize),
    Insert(usize, usize),
    InsertLine(usize, usize),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = any::<usize>;
    prop_oneof![
        3 => i().prop_map(Mutation::DeleteLine),
        2 => i().prop_map(Mutation::DuplicateLine),
        6 => (i(), i()).prop_map(|(a, b)| Mutation::ReplaceNumber(a, b)),
        3 => (i(), -12i32..12).prop_map(|(a, b)| Mutation::ScaleNumber(a, b)),
        1 => i().prop_map(Mutation::ChangeKind),
        1 => i().prop_map(Mutation::Truncate),
        2 => (i(), i()).prop_map(|(a, b)| Mutation::Insert(a, b)),
        5 => (i(), i()).prop_map(|(a, b)| Mutation::InsertLine(a, b)),
        1 => (i(), i()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

/// Spans of the numbers in `text` (outside comments, roughly: whatever looks like one).
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts =
            b[i].is_ascii_digit() || (b[i] == b'-' && i + 1 < b.len() && b[i + 1].is_ascii_digit());
        let glued = i > 0 && (b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'_' | b'.'));
        if starts && !glued {
            let s = i;
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_digit() || matches!(b[i], b'.' | b'e' | b'E' | b'_'))
                || (i < b.len() && matches!(b[i], b'+' | b'-') && matches!(b[i - 1], b'e' | b'E'))
            {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, m: &Mutation) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let line_of = |k: usize| k % lines.len().max(1);
    match *m {
        Mutation::DeleteLine(k) if !lines.is_empty() => {
            let k = line_of(k);
            lines
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, l)| *l)
                .collect()
        }
        Mutation::DuplicateLine(k) if !lines.is_empty() => {
            let k = line_of(k);
            let mut v = lines.clone();
            v.insert(k, lines[k]);
            v.concat()
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => {
            let mut v = lines.clone();
            v.swap(line_of(a), line_of(b));
            v.concat()
        }
        Mutation::InsertLine(k, w) => {
            let mut v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            let at = k % (v.len() + 1);
            v.insert(at, format!("{}\n", LINES[w % LINES.len()]));
            v.concat()
        }
        Mutation::ReplaceNumber(k, w) => {
            let nums = numbers(text);
            if nums.is_empty() {
                return text.to_string();
            }
            let (s, e) = nums[k % nums.len()];
            format!(
                "{}{}{}",
                &text[..s],
                EXTREMES[w % EXTREMES.len()],
                &text[e..]
            )
        }
        Mutation::ScaleNumber(k, p) => {
            let nums = numbers(text);
            if nums.is_empty() {
                return text.to_string();
            }
            let (s, e) = nums[k % nums.len()];
            let v: f64 = text[s..e].replace('_', "").parse().unwrap_or(1.0);
            let scaled = v * 10f64.powi(p);
            // integers stay integers where they can, so that counts are scaled too
            let shown = if text[s..e].contains(['.', 'e', 'E']) || scaled.fract() != 0.0 {
                format!("{scaled:?}")
            } else {
                format!("{}", scaled as i128)
            };
            format!("{}{}{}", &text[..s], shown, &text[e..])
        }
        Mutation::ChangeKind(w) => {
            let kinds = [
                "\"roller\"",
                "\"pen\"",
                "\"stamp\"",
                "\"disk\"",
                "1",
                "\"\"",
            ];
            let k = kinds[w % kinds.len()];
            let mut out = String::new();
            for l in &lines {
                if l.trim_start().starts_with("kind") {
                    out.push_str(&format!("kind = {k}\n"));
                } else {
                    out.push_str(l);
                }
            }
            out
        }
        Mutation::Truncate(k) => {
            let at = floor_char(text, k % (text.len() + 1));
            text[..at].to_string()
        }
        Mutation::Insert(k, w) => {
            let at = floor_char(text, k % (text.len() + 1));
            format!(
                "{}{}{}",
                &text[..at],
                UNICODE[w % UNICODE.len()],
                &text[at..]
            )
        }
        _ => text.to_string(),
    }
}

/// What the binary is asked to do with the case's file.
#[derive(Clone, Debug)]
enum Cmd {
    Analyze {
        format: usize,
        plots: bool,
    },
    Layout,
    Check {
        junit: bool,
    },
    Compare {
        with: usize,
        target: Option<usize>,
        runs: bool,
        format: usize,
    },
    Mc {
        runs: u32,
    },
    Sweep {
        format: usize,
        shard: bool,
    },
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        8 => (0usize..4, prop::bool::weighted(0.1))
            .prop_map(|(format, plots)| Cmd::Analyze { format, plots }),
        2 => Just(Cmd::Layout),
        1 => any::<bool>().prop_map(|junit| Cmd::Check { junit }),
        2 => (any::<usize>(), prop::option::weighted(0.3, 0usize..6), prop::bool::weighted(0.15), 0usize..4)
            .prop_map(|(with, target, runs, format)| Cmd::Compare { with, target, runs, format }),
        1 => (2u32..4).prop_map(|runs| Cmd::Mc { runs }),
        2 => (0usize..4, any::<bool>()).prop_map(|(format, shard)| Cmd::Sweep { format, shard }),
    ]
}

const FORMATS: [&str; 4] = ["table", "json", "csv", "yaml"];
const TARGETS: [&str; 6] = ["1", "1e-9", "100", "250", "1e9", "nan"];
const SEEDS_FLAG: [&str; 7] = [
    "0",
    "1",
    "7",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "-1",
];
/// Raster pitches: mostly coarse (cheap); the rest probe the checks on the flag itself.
const RESOLUTIONS: [&str; 12] = [
    "200", "250", "400", "150", "300", "100", "1e9", "1e6", "100000", "0", "-5", "nan",
];
const THREADS: [&str; 6] = ["1", "2", "3", "1", "0", "1025"];

/// The flags of a case.
#[derive(Clone, Debug)]
struct Flags {
    seed: Option<usize>,
    resolution: usize,
    threads: Option<usize>,
    quiet: bool,
    before: bool,
}

fn flags() -> impl Strategy<Value = Flags> {
    (
        prop::option::weighted(0.3, 0..SEEDS_FLAG.len()),
        prop_oneof![9 => 0usize..6, 1 => 6..RESOLUTIONS.len()],
        prop::option::weighted(0.5, 0..THREADS.len()),
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(seed, resolution, threads, quiet, before)| Flags {
            seed,
            resolution,
            threads,
            quiet,
            before,
        })
}

#[derive(Clone, Debug)]
struct Case {
    seed: usize,
    mutations: Vec<Mutation>,
    cmd: Cmd,
    flags: Flags,
    full: bool,
}

fn case(n_seeds: usize, full_every: u64) -> impl Strategy<Value = Case> {
    (
        0..n_seeds,
        prop::collection::vec(mutation(), 0..4),
        cmd(),
        flags(),
        prop::bool::weighted(1.0 / full_every.max(1) as f64),
    )
        .prop_map(|(seed, mutations, cmd, flags, full)| Case {
            seed,
            mutations,
            cmd,
            flags,
            full,
        })
}

/// The shared folder: a copy of designs/ (so that sweeps find their bases) and the cases.
struct Env {
    root: tempfile::TempDir,
    seeds: Vec<Seed>,
    counter: AtomicUsize,
    bin: PathBuf,
    full_runs: AtomicUsize,
    /// Runs of the binary per exit code 0..=3, and the slowest run (seconds, arguments).
    codes: [AtomicUsize; 4],
    slowest: std::sync::Mutex<(f64, String)>,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let q = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &q);
        } else {
            std::fs::copy(&p, &q).unwrap();
        }
    }
}

impl Env {
    fn new() -> Env {
        let root = tempfile::tempdir().unwrap();
        copy_dir(&crate_root().join("designs"), &root.path().join("designs"));
        // Files that hold a secret: links to this process's environment, which holds CANARY.
        // Corpus cases name them (`hostile/environ.toml`) as designs, baselines, bases, CSVs.
        let hostile = root.path().join("hostile");
        std::fs::create_dir(&hostile).unwrap();
        #[cfg(target_os = "linux")]
        for name in ["environ.toml", "environ.csv"] {
            std::os::unix::fs::symlink("/proc/self/environ", hostile.join(name)).unwrap();
        }
        Env {
            root,
            seeds: seeds(),
            counter: AtomicUsize::new(0),
            // NEEDLEMAP_FUZZ_BIN: a copy of the binary, so that a long run is not disturbed
            // by builds
            bin: std::env::var_os("NEEDLEMAP_FUZZ_BIN").map_or_else(
                || PathBuf::from(env!("CARGO_BIN_EXE_needlemap")),
                PathBuf::from,
            ),
            full_runs: AtomicUsize::new(0),
            codes: Default::default(),
            slowest: Default::default(),
        }
    }

    fn path(&self) -> &Path {
        self.root.path()
    }

    /// The case's text, written where its seed lives; returns the path relative to the root.
    fn write(&self, dir: &str, text: &[u8]) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let rel = Path::new("designs")
            .join(dir)
            .join(format!("case-{n}.toml"));
        std::fs::write(self.path().join(&rel), text).unwrap();
        rel
    }
}

thread_local! {
    /// Whether a panic on this thread is expected to be caught and reported by the fuzzer.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Where the last panic on this thread happened.
    static WHERE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// A panic hook that notes where a panic happened and keeps caught panics quiet.
fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let at = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            WHERE.with(|w| *w.borrow_mut() = at);
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// The library's reading and the command line's up-front checks, in-process.
fn in_process(env: &Env, rel: &Path, sweep: bool, res: Option<f64>) -> Result<(), String> {
    let path = env.path().join(rel);
    let policy = ReadPolicy::new(env.path());
    let overrides = Overrides {
        seed: None,
        resolution_um: res,
    };
    install_hook();
    QUIET.with(|q| q.set(true));
    let outcome = std::panic::catch_unwind(|| {
        if sweep {
            if let Ok(s) = Sweep::load_with(&path, &policy) {
                let _ = s.check_overrides(&overrides);
                for i in 0..s.len().min(3) {
                    let _ = s.variant_name(i);
                    let _ = s.variant(i, &overrides);
                }
            }
        } else if let Ok(d) = Design::load_with(&path, &policy) {
            let d = overrides.apply(&d);
            let grid = needlemap::metrics::raster::Grid::new(
                &d.name,
                d.treatment.area_mm,
                d.analysis.resolution_um,
            );
            let made = needlemap::kinematics::MadeDevice::new(&d);
            let fits = made.check_channel_limit(&d, made.default_margin_mm(&d));
            let _ = (grid, fits);
        }
    });
    QUIET.with(|q| q.set(false));
    outcome.map_err(|p| {
        let at = WHERE.with(|w| w.borrow().clone());
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("panic in-process at {at}: {msg}")
    })
}

/// What a subprocess did.
struct Ran {
    code: i32,
    stderr: String,
    secs: f64,
}

/// Runs the binary in the shared folder with `args`, bounded in time and address space.
fn run_bin(env: &Env, args: &[String]) -> Result<Ran, String> {
    let n = env.full_runs.fetch_add(1, Ordering::Relaxed);
    let err_path = env.path().join(format!("stderr-{n}.txt"));
    let err_file = std::fs::File::create(&err_path).unwrap();
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(&env.bin)
        .args(args)
        .current_dir(env.path())
        .env("NO_COLOR", "1")
        .env("NEEDLEMAP_CANARY", CANARY)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err_file)
        .spawn()
        .map_err(|e| format!("cannot start the binary: {e}"))?;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > DEADLINE {
            child.kill().ok();
            child.wait().ok();
            return Err(format!("still running after {DEADLINE:?}"));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let secs = start.elapsed().as_secs_f64();
    let stderr =
        String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into_owned();
    std::fs::remove_file(&err_path).ok();
    use std::os::unix::process::ExitStatusExt;
    let Some(code) = status.code() else {
        return Err(format!(
            "killed by signal {:?} after {secs:.1} s; stderr: {}",
            status.signal(),
            tail(&stderr)
        ));
    };
    if stderr.contains(CANARY) {
        return Err(format!("printed the environment: {}", tail(&stderr)));
    }
    if stderr.len() > MAX_STDERR {
        return Err(format!(
            "{} bytes of stderr: {}",
            stderr.len(),
            tail(&stderr)
        ));
    }
    if stderr.contains("panicked") || !(0..=3).contains(&code) {
        return Err(format!(
            "exit {code} after {secs:.1} s; stderr: {}",
            tail(&stderr)
        ));
    }
    env.codes[code as usize].fetch_add(1, Ordering::Relaxed);
    let mut slow = env.slowest.lock().unwrap();
    if secs > slow.0 {
        *slow = (secs, args.join(" "));
    }
    Ok(Ran { code, stderr, secs })
}

impl Env {
    fn stats(&self) -> String {
        let c: Vec<usize> = self
            .codes
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        let slow = self.slowest.lock().unwrap();
        format!(
            "exit 0: {}, 1: {}, 2: {}, 3: {}; slowest {:.2} s: {}",
            c[0], c[1], c[2], c[3], slow.0, slow.1
        )
    }
}

fn tail(s: &str) -> &str {
    &s[floor_char(s, s.len().saturating_sub(1500))..]
}

/// The command line of a case whose file is `rel`.
fn args_of(env: &Env, c: &Case, rel: &Path, out: &str) -> Vec<String> {
    let f = &c.flags;
    let file = rel.display().to_string();
    let mut model = vec![
        "--resolution-um".to_string(),
        RESOLUTIONS[f.resolution].to_string(),
    ];
    if let Some(s) = f.seed {
        model.extend(["--seed".to_string(), SEEDS_FLAG[s].to_string()]);
    }
    let mut a: Vec<String> = Vec::new();
    if let Some(t) = f.threads {
        a.extend(["--threads".to_string(), THREADS[t].to_string()]);
    }
    if f.quiet {
        a.push("--quiet".into());
    }
    let takes_model = !matches!(c.cmd, Cmd::Layout);
    if f.before && takes_model {
        a.append(&mut model);
    }
    let s = |x: &str| x.to_string();
    match &c.cmd {
        Cmd::Analyze { format, plots } => {
            a.extend([
                s("analyze"),
                file,
                s("--out"),
                s(out),
                s("--format"),
                s(FORMATS[*format]),
            ]);
            if !plots {
                a.push(s("--no-plots"));
            }
        }
        Cmd::Layout => a.extend([s("layout"), file, s("--out"), s(out)]),
        Cmd::Check { junit } => {
            a.extend([s("check"), file, s("--baseline"), s("designs/baseline.csv")]);
            if *junit {
                a.extend([s("--junit"), format!("{out}/missing/junit.xml")]);
            }
        }
        Cmd::Compare {
            with,
            target,
            runs,
            format,
        } => {
            let designs: Vec<&Seed> = env.seeds.iter().filter(|s| s.dir.is_empty()).collect();
            let other = designs[with % designs.len()];
            a.extend([
                s("compare"),
                file,
                format!("designs/{}.toml", other.name),
                s("--out"),
                s(out),
                s("--format"),
                s(FORMATS[*format]),
            ]);
            if let Some(t) = target {
                a.extend([s("--target-density"), s(TARGETS[*t])]);
            }
            if *runs {
                a.extend([s("--runs"), s("2")]);
            }
        }
        Cmd::Mc { runs } => a.extend([
            s("mc"),
            file,
            s("--runs"),
            runs.to_string(),
            s("--out"),
            s(out),
        ]),
        Cmd::Sweep { format, shard } => {
            a.extend([
                s("sweep"),
                file,
                s("--out"),
                s(out),
                s("--format"),
                s(FORMATS[*format]),
            ]);
            a.push(s("--no-plots"));
            if *shard {
                a.extend([s("--shard"), s("1/8")]);
            }
        }
    }
    if !f.before && takes_model {
        a.append(&mut model);
    }
    a
}

/// The case as run: a sweep text runs `sweep`, a design text anything but.
fn effective(c: &Case, sweep: bool) -> Case {
    let mut c = c.clone();
    if sweep {
        if !matches!(c.cmd, Cmd::Sweep { .. }) {
            c.cmd = Cmd::Sweep {
                format: 0,
                shard: true,
            };
        }
    } else if matches!(c.cmd, Cmd::Sweep { .. }) {
        c.cmd = Cmd::Analyze {
            format: 1,
            plots: false,
        };
    }
    c
}

/// One case: the text, in-process always, the binary when `full`.
fn check_case(env: &Env, c: &Case) -> Result<(), String> {
    let seed = &env.seeds[c.seed];
    let mut text = seed.text.clone();
    for m in &c.mutations {
        text = apply(&text, m);
    }
    // a sweep case runs `sweep`, a design case anything but
    let sweep_text = seed.sweep;
    let rel = env.write(seed.dir, text.as_bytes());
    let res: Option<f64> = RESOLUTIONS[c.flags.resolution]
        .parse()
        .ok()
        .filter(|x: &f64| x.is_finite() && *x > 0.0);
    let result = in_process(env, &rel, sweep_text, res).and_then(|()| {
        if !c.full {
            return Ok(());
        }
        let mut c = c.clone();
        if sweep_text {
            if !matches!(c.cmd, Cmd::Sweep { .. }) {
                c.cmd = Cmd::Sweep {
                    format: 0,
                    shard: true,
                };
            }
        } else if matches!(c.cmd, Cmd::Sweep { .. }) {
            c.cmd = Cmd::Analyze {
                format: 1,
                plots: false,
            };
        }
        let out = format!("out-{}", env.counter.load(Ordering::Relaxed));
        let args = args_of(env, &c, &rel, &out);
        let ran = run_bin(env, &args);
        std::fs::remove_dir_all(env.path().join(&out)).ok();
        ran.map(drop)
            .map_err(|e| format!("{e}\nargs: {}", args.join(" ")))
    });
    std::fs::remove_file(env.path().join(&rel)).ok();
    result.map_err(|e| format!("{e}\ninput ({} {}):\n{text}", seed.dir, seed.name))
}

/// The text of a case.
fn text_of(env: &Env, c: &Case) -> String {
    let mut text = env.seeds[c.seed].text.clone();
    for m in &c.mutations {
        text = apply(&text, m);
    }
    text
}

/// Where a failure happened: `panicked at FILE:LINE` or the in-process location, else its
/// first line.
fn signature(why: &str) -> String {
    for (mark, end) in [("panicked at ", ":\n"), ("panic in-process at ", ": ")] {
        if let Some(i) = why.find(mark) {
            let rest = &why[i + mark.len()..];
            return rest[..rest.find(end).unwrap_or(rest.len()).min(120)].to_string();
        }
    }
    why.lines().next().unwrap_or("").chars().take(120).collect()
}

/// Keeps a failing input in the corpus (a regression case once fixed).
fn save_crash(env: &Env, c: &Case) {
    let text = &text_of(env, c);
    let seed = &env.seeds[c.seed];
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    let c = effective(c, seed.sweep);
    let cmd = args_of(env, &c, Path::new("{}"), "{out}").join(" ");
    let dir = crate_root().join("tests/fuzz/corpus");
    let name = format!("crash-{:016x}.toml", h.finish());
    let body = format!(
        "#! {cmd}\n# seed: designs/{}/{}.toml\n{text}",
        seed.dir, seed.name
    );
    std::fs::create_dir_all(&dir).ok();
    std::fs::write(dir.join(name), body).ok();
}

#[test]
fn generated_inputs_never_crash() {
    let cases = env_num("NEEDLEMAP_FUZZ_CASES", 800) as u32;
    let full_every = env_num("NEEDLEMAP_FUZZ_FULL_EVERY", 3);
    let seed = env_num("NEEDLEMAP_FUZZ_SEED", 20_261_202);
    let env = Env::new();
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    // NEEDLEMAP_FUZZ_KNOWN: `|`-separated failure signatures (see `signature`) that a long
    // run counts and keeps going past, so that it can find the next bug (`*`: every failure)
    let known: Vec<String> = std::env::var("NEEDLEMAP_FUZZ_KNOWN")
        .map(|k| {
            k.split('|')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let hits = std::sync::Mutex::new(std::collections::BTreeMap::<String, (u64, Case)>::new());
    let start = Instant::now();
    let done = AtomicUsize::new(0);
    let result = runner.run(&case(env.seeds.len(), full_every), |c| {
        let k = done.fetch_add(1, Ordering::Relaxed) + 1;
        if k % 5000 == 0 {
            eprintln!(
                "fuzz: {k} cases, {:.0} s; {}",
                start.elapsed().as_secs_f64(),
                env.stats()
            );
        }
        check_case(&env, &c).or_else(|why| {
            let sig = signature(&why);
            if known.iter().any(|k| k == "*" || sig.contains(k.as_str())) {
                let mut hits = hits.lock().unwrap();
                if !hits.contains_key(&sig) {
                    // said at once, so that a run stopped early still tells
                    eprintln!("new failure {sig}:\n{why}\n{c:?}");
                    save_crash(&env, &c);
                }
                hits.entry(sig).or_insert((0, c.clone())).0 += 1;
                Ok(())
            } else {
                Err(TestCaseError::fail(why))
            }
        })
    });
    for (sig, (n, _)) in hits.lock().unwrap().iter() {
        eprintln!("known failure {sig}: {n} cases (the first is in tests/fuzz/corpus/)");
    }
    eprintln!(
        "fuzz: {cases} cases (seed {seed}), {} runs of the binary, {:.1} s; {}",
        env.full_runs.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64(),
        env.stats()
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, c)) => {
            save_crash(&env, &c);
            panic!("{why}\nminimal case: {c:#?}")
        }
        Err(e) => panic!("{e}"),
    }
}

/// A corpus file: its command line and its input.
fn corpus() -> Vec<(PathBuf, String, String)> {
    let dir = crate_root().join("tests/fuzz/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
            let cmd = first
                .strip_prefix("#! ")
                .unwrap_or_else(|| panic!("{}: first line must be `#! <command>`", f.display()))
                .to_string();
            (f, cmd, rest.to_string())
        })
        .collect()
}

#[test]
fn corpus_replays_without_crash() {
    let env = Env::new();
    let files = corpus();
    assert!(files.len() >= 10, "the corpus holds the interesting inputs");
    let mut failures = Vec::new();
    for (f, cmd, text) in &files {
        let sweep = cmd.starts_with("sweep") || cmd.contains(" sweep ");
        let rel = env.write(if sweep { "sweeps" } else { "" }, text.as_bytes());
        let out = format!("out-corpus-{}", env.counter.load(Ordering::Relaxed));
        let args: Vec<String> = cmd
            .split_whitespace()
            .map(|w| {
                w.replace("{}", &rel.display().to_string())
                    .replace("{designs}", "designs")
                    .replace("{out}", &out)
            })
            .chain(
                ["--out".to_string(), out.clone()]
                    .into_iter()
                    .filter(|_| !cmd.contains("--out") && !cmd.contains("check ")),
            )
            .collect();
        let res: Option<f64> = None;
        let r = in_process(&env, &rel, sweep, res).and_then(|()| run_bin(&env, &args));
        match r {
            Ok(ran) => eprintln!(
                "corpus {}: exit {} in {:.2} s: {}",
                f.file_name().unwrap().to_string_lossy(),
                ran.code,
                ran.secs,
                ran.stderr
                    .lines()
                    .last()
                    .unwrap_or("")
                    .chars()
                    .take(160)
                    .collect::<String>()
            ),
            Err(e) => failures.push(format!("{}: {e}\nargs: {}", f.display(), args.join(" "))),
        }
        std::fs::remove_dir_all(env.path().join(&out)).ok();
        std::fs::remove_file(env.path().join(&rel)).ok();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The mutations do what they say (the fuzzer's own test).
#[test]
fn mutations_change_what_they_name() {
    let t = "a = 1.5\nb = [2, -3e2]\nname_1 = \"x\"\n";
    assert_eq!(numbers(t).len(), 3, "{:?}", numbers(t));
    assert_eq!(
        apply(t, &Mutation::DeleteLine(1)),
        "a = 1.5\nname_1 = \"x\"\n"
    );
    assert_eq!(
        apply(t, &Mutation::ReplaceNumber(2, 9)),
        "a = 1.5\nb = [2, nan]\nname_1 = \"x\"\n"
    );
    assert_eq!(
        apply(t, &Mutation::ScaleNumber(1, 3)),
        "a = 1.5\nb = [2000, -3e2]\nname_1 = \"x\"\n"
    );
    assert_eq!(
        apply("kind = \"pen\"\n", &Mutation::ChangeKind(0)),
        "kind = \"roller\"\n"
    );
    assert_eq!(apply("é", &Mutation::Truncate(1)), "");
}
