//! Argument parsing, exit codes, progress bars and the commands.
//!
//! Exit codes: 0 success · 1 `check` found a metric outside its tolerance · 2 bad input or
//! usage · 3 I/O failure (cannot write outputs). When `check` finds a regression and also
//! cannot write its `--junit` report, the verdict wins: exit 1, the I/O failure as a warning.

// The command line's `///` comments are its --help text (clap), where `<name>` and
// `[spec]` are words for the user, not HTML or links.
#![allow(
    rustdoc::invalid_html_tags,
    rustdoc::broken_intra_doc_links,
    rustdoc::private_intra_doc_links
)]

mod analyze;
mod check;
mod compare;
mod completions;
mod init;
mod layout;
mod mc;
mod optimise;
mod progress;
mod report;
mod schema;
mod sweep;
mod validate;

use crate::base::input::ReadPolicy;
use crate::design::{self, Design};
use crate::metrics::analysis::Overrides;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "needlemap",
    version,
    about = "Design and analyse microneedle rollers and compare them with pen stamping"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

// Flags every command takes, before or after its name: `--threads`, `--quiet`, `--root`,
// `--allow-outside`.
//
// `seed` and `resolution_um` are not among them: only the commands that analyze take them
// (`ModelFlags`, listed in those commands' help and not in `layout --help`). The fields
// here hold the effective values: the hidden top-level flags (`needlemap --seed 3 analyze
// …`, kept so that older scripts run) or, when given, the command's own, filled in by
// `run` before the command starts.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Worker threads (default: all cores; at most 256)
    #[arg(long, global = true, value_parser = threads)]
    pub threads: Option<u16>,
    /// No progress bars and no table
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Hidden: the command's own `--seed`, also accepted before the command's name
    #[arg(long, hide = true, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Hidden: the command's own `--resolution-um`, also accepted before the command's name
    #[arg(long = "resolution-um", hide = true, value_parser = resolution_um)]
    pub resolution_um: Option<f64>,
    /// Project root: files a design or sweep references (`needles_csv`, `base`) must lie in it
    /// (default: the nearest folder above the named file holding .git, Cargo.toml or
    /// designs/, else the file's own folder)
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Let designs and sweeps reference files outside --root
    #[arg(long, global = true)]
    pub allow_outside: bool,
}

// `--seed` and `--resolution-um`: the overrides of the commands that analyze designs
// (analyze, check, baseline, compare, sweep, validate). (Comments, not docs: clap would
// take a doc comment on a flattened struct for the command's help text.)
#[derive(Args, Debug, Clone, Default)]
pub struct ModelFlags {
    /// Overrides treatment.seed: 0 to 9223372036854775807 (2^63 − 1), the range a design file's
    /// `treatment.seed` accepts
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Overrides analysis.resolution_um (raster pitch, µm; the key's range: above 0, at most
    /// 1000)
    #[arg(long = "resolution-um", value_parser = resolution_um)]
    pub resolution_um: Option<f64>,
}

impl Global {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            seed: self.seed,
            resolution_um: self.resolution_um,
        }
    }

    /// What input files may reference: --root and --allow-outside.
    pub fn read_policy(&self) -> ReadPolicy {
        ReadPolicy {
            root: self.root.clone(),
            allow_outside: self.allow_outside,
            ..ReadPolicy::default()
        }
    }

    /// The effective overrides for a command: its own flags (`flags`, `None` for a command
    /// that takes none) over the top-level ones, the later on the line winning as for any
    /// repeated flag. A top-level `--seed` or `--resolution-um` before a command that does not
    /// use it is a usage error rather than silently ignored.
    fn resolve(&mut self, command: &str, flags: Option<&ModelFlags>) -> Result<(), String> {
        match flags {
            Some(f) => {
                self.seed = f.seed.or(self.seed);
                self.resolution_um = f.resolution_um.or(self.resolution_um);
                Ok(())
            }
            None => {
                let given: Vec<&str> = [
                    self.seed.map(|_| "--seed"),
                    self.resolution_um.map(|_| "--resolution-um"),
                ]
                .into_iter()
                .flatten()
                .collect();
                if given.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "{} does nothing for `needlemap {command}`; it applies to analyze, check, baseline, compare, sweep and validate",
                        given.join(" and ")
                    ))
                }
            }
        }
    }
}

/// `--resolution-um`: a number in the range of `analysis.resolution_um` (the one table).
fn resolution_um(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .parse()
        .map_err(|_| format!("`{}` is not a number", crate::base::input::clip(s)))?;
    Overrides {
        resolution_um: Some(x),
        ..Overrides::default()
    }
    .check()
    .map(|()| x)
}

/// `--threads`: 1 to [`crate::metrics::analysis::MAX_THREADS`].
fn threads(s: &str) -> Result<u16, String> {
    let n: usize = s
        .parse()
        .map_err(|_| format!("`{}` is not a whole number", crate::base::input::clip(s)))?;
    crate::metrics::analysis::check_threads(n).map(|n| n as u16)
}

fn positive_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a finite number greater than 0")),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Metrics table on stdout; writes DIR/<name>/ (--out DIR, default out) with CSV files and pictures
    Analyze(analyze::AnalyzeArgs),
    /// CI gate: recompute the designs and compare their metrics with a baseline CSV
    Check(check::CheckArgs),
    /// Write the baseline CSV that `check` compares with (stdout, or --output FILE)
    Baseline(check::BaselineArgs),
    /// Designs side by side, roller vs pen, and the settings at which their densities match
    Compare(compare::CompareArgs),
    /// Parameter sweep over a base design, in parallel: DIR/<name>/sweep.csv and a plot (--out DIR, default out)
    Sweep(sweep::SweepArgs),
    /// Design from a target: the designs of a search space that meet [constraints] best by [objective], their Pareto front and trade-off picture (DIR/<name>/optimise/)
    Optimise(optimise::OptimiseArgs),
    /// Needle table and unrolled-drum / cartridge picture for manufacturing review
    Layout(layout::LayoutArgs),
    /// Published experiments (designs/validation/) against the depth model; exit 1 when one leaves its band
    Validate(validate::ValidateArgs),
    /// Monte Carlo over seeds and [tolerance]: out/<name>/mc/ with runs, summaries and the yield against [spec]
    Mc(mc::McArgs),
    /// out/report.html: one self-contained review page with a datasheet per design (--pdf: report.pdf)
    Report(report::ReportArgs),
    /// JSON Schema of the design or sweep format on stdout (or the doc's key tables)
    Schema(schema::SchemaArgs),
    /// Write a commented starter design NAME.toml that passes validation
    Init(init::InitArgs),
    /// Shell completion script on stdout (bash, zsh, fish, powershell, elvish)
    Completions(completions::CompletionsArgs),
    /// The manual page (roff) on stdout: `needlemap man > needlemap.1`
    Man,
}

impl Command {
    /// The command's name, as typed.
    fn name(&self) -> &'static str {
        match self {
            Command::Analyze(_) => "analyze",
            Command::Check(_) => "check",
            Command::Baseline(_) => "baseline",
            Command::Compare(_) => "compare",
            Command::Sweep(_) => "sweep",
            Command::Optimise(_) => "optimise",
            Command::Layout(_) => "layout",
            Command::Validate(_) => "validate",
            Command::Report(_) => "report",
            Command::Mc(_) => "mc",
            Command::Completions(_) => "completions",
            Command::Man => "man",
            Command::Schema(_) => "schema",
            Command::Init(_) => "init",
        }
    }

    /// The command's `--seed` and `--resolution-um`; `None` for a command without them.
    fn model_flags(&self) -> Option<&ModelFlags> {
        match self {
            Command::Analyze(a) => Some(&a.model),
            Command::Check(a) => Some(&a.model),
            Command::Baseline(a) => Some(&a.model),
            Command::Compare(a) => Some(&a.model),
            Command::Sweep(a) => Some(&a.model),
            Command::Optimise(a) => Some(&a.model),
            Command::Validate(a) => Some(&a.model),
            Command::Report(a) => Some(&a.model),
            Command::Mc(a) => Some(&a.model),
            Command::Layout(_)
            | Command::Completions(_)
            | Command::Man
            | Command::Schema(_)
            | Command::Init(_) => None,
        }
    }
}

/// How a command failed, and so its exit code.
#[derive(Debug)]
pub enum Failure {
    /// `check` found a metric outside its tolerance (1).
    Check,
    /// Bad input or usage (2).
    Input(anyhow::Error),
    /// Cannot write outputs (3).
    Io(anyhow::Error),
}

impl From<crate::base::error::InputError> for Failure {
    fn from(e: crate::base::error::InputError) -> Self {
        Failure::Input(e.into())
    }
}

impl From<crate::base::error::LimitError> for Failure {
    fn from(e: crate::base::error::LimitError) -> Self {
        Failure::Input(e.into())
    }
}

pub type CmdResult = Result<(), Failure>;

pub fn run() -> ExitCode {
    let mut cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            e.print().ok();
            return ExitCode::from(code);
        }
    };
    if let Err(e) = cli
        .global
        .resolve(cli.command.name(), cli.command.model_flags())
    {
        Cli::command()
            .error(clap::error::ErrorKind::ArgumentConflict, e)
            .print()
            .ok();
        return ExitCode::from(2);
    }
    if let Some(n) = cli.global.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build_global()
        {
            eprintln!("error: cannot start {n} worker threads: {e}");
            return ExitCode::from(3);
        }
    }
    let result = match &cli.command {
        Command::Analyze(a) => analyze::run(&cli.global, a),
        Command::Check(a) => check::run_check(&cli.global, a),
        Command::Baseline(a) => check::run_baseline(&cli.global, a),
        Command::Compare(a) => compare::run(&cli.global, a),
        Command::Sweep(a) => sweep::run(&cli.global, a),
        Command::Optimise(a) => optimise::run(&cli.global, a),
        Command::Layout(a) => layout::run(&cli.global, a),
        Command::Validate(a) => validate::run(&cli.global, a),
        Command::Schema(a) => schema::run(a),
        Command::Init(a) => init::run(a),
        Command::Completions(a) => completions::completions(a),
        Command::Man => completions::man(),
        Command::Report(a) => report::run(&cli.global, a),
        Command::Mc(a) => mc::run(&cli.global, a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Check) => ExitCode::from(1),
        Err(Failure::Input(e)) => {
            eprintln!("error: {}", shown(&e));
            ExitCode::from(2)
        }
        Err(Failure::Io(e)) => {
            eprintln!("error: {}", shown(&e));
            ExitCode::from(3)
        }
    }
}

/// Longest error message printed, characters. Messages quote input only in excerpts; this
/// bounds what a path or a chain of causes can add.
const MAX_ERROR_CHARS: usize = 4000;

/// An error as printed: each cause once ([`said_once`]), numbers of bounded width, no control
/// character but the line break, at most [`MAX_ERROR_CHARS`].
pub fn shown(e: &anyhow::Error) -> String {
    let text: String = crate::base::input::shorten_numbers(&said_once(e))
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    crate::base::input::bound(&text, MAX_ERROR_CHARS)
}

/// An error and its causes, each said once: a cause whose text the message already quotes
/// (an error type that both prints and returns its `source()`) is not repeated.
pub fn said_once(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(": ");
            out.push_str(&c);
        }
    }
    out
}

/// Loads every design named by `paths` (folders expand to their *.toml), checks them all
/// before any work starts, and applies the global overrides.
pub fn load_designs(paths: &[PathBuf], g: &Global) -> Result<Vec<Design>, Failure> {
    let files = design::expand_paths(paths)?;
    let policy = g.read_policy();
    let mut out: Vec<Design> = Vec::with_capacity(files.len());
    for f in &files {
        let d = g.overrides().apply(&Design::load_with(f, &policy)?);
        if let Some(prev) = out.iter().find(|p| p.name == d.name) {
            return Err(Failure::Input(anyhow::anyhow!(
                "{}: name {:?} is already used by {}; every design needs its own name (it names out/<name>/)",
                f.display(),
                d.name,
                prev.source.path.display()
            )));
        }
        out.push(d);
    }
    for d in &out {
        crate::metrics::raster::Grid::new(&d.name, d.treatment.area_mm, d.analysis.resolution_um)
            .map_err(|e| limit_failure(d, e))?;
        // The limits need the needles that pierce, not the force search of the advisory:
        // the analysis builds the device whole, once.
        let made = crate::kinematics::MadeDevice::for_limits(d);
        made.check_channel_limit(d, made.default_margin_mm(d))
            .map_err(|e| limit_failure(d, e))?;
    }
    Ok(out)
}

/// A limit refusal that names the design file and the key that drives the cost.
fn limit_failure(d: &Design, e: crate::base::error::LimitError) -> Failure {
    use crate::base::error::LimitError;
    let t = &d.treatment;
    let (key, value) = match &e {
        LimitError::Pixels { fit_um, .. } if *fit_um > 1000.0 => {
            ("treatment.area_mm", format!("{:?}", t.area_mm))
        }
        LimitError::Pixels { resolution_um, .. } | LimitError::Coarse { resolution_um, .. } => {
            ("analysis.resolution_um", format!("{resolution_um:?}"))
        }
        LimitError::Channels { fit_side_mm, .. } if *fit_side_mm >= 1.0 => {
            ("treatment.area_mm", format!("{:?}", t.area_mm))
        }
        // The density itself: the factor furthest beyond the shipped designs' scale (about 10
        // passes, 1 mm lanes, a few hundred needles, ~10 pen stamps per mm).
        LimitError::Channels { .. } => {
            let passes = t.pass_angles_deg.len() as f64;
            let mut factors = vec![
                (
                    "treatment.passes",
                    passes / 10.0,
                    format!("{passes} passes"),
                ),
                (
                    "treatment.lane_spacing_mm",
                    1.0 / t.lane_spacing_mm,
                    format!("{:?}", t.lane_spacing_mm),
                ),
            ];
            factors.push(d.device.channel_cost_factor());
            factors
                .into_iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(k, _, v)| (k, v))
                .expect("three factors")
        }
    };
    Failure::Input(anyhow::Error::from(e).context(format!(
        "{}: `{key}` = {} drives the cost",
        d.source.path.display(),
        crate::base::input::clip(&value)
    )))
}

// `--max-cpu-min`: the limit on a long command's estimated work (sweep, mc, compare).
#[derive(Args, Debug, Clone)]
pub struct WorkLimit {
    /// Refuse work estimated above this many CPU-minutes (default 20: about 10 minutes on 2
    /// cores); the refusal says what fits (fewer runs, shards, fewer designs)
    #[arg(long = "max-cpu-min", value_name = "MINUTES", default_value_t = crate::metrics::analysis::DEFAULT_MAX_CPU_S / 60.0, value_parser = positive_f64)]
    pub max_cpu_min: f64,
}

impl WorkLimit {
    /// The limit, CPU seconds.
    pub fn cpu_s(&self) -> f64 {
        self.max_cpu_min * 60.0
    }
}

/// Before long work: says on stderr how long it should take (unless `--quiet`), when that is
/// 10 s or more on the worker threads.
pub fn say_estimate(g: &Global, what: &str, cpu_s: f64) {
    let threads = rayon::current_num_threads().max(1) as f64;
    let wall = cpu_s / threads.min(num_cores() as f64).max(1.0);
    if !g.quiet && wall >= 10.0 {
        eprintln!(
            "{what}: about {} on {} threads (estimated: {} of CPU time)",
            crate::metrics::analysis::duration_words(wall),
            threads,
            crate::metrics::analysis::duration_words(cpu_s)
        );
    }
}

/// Cores of this machine.
fn num_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |c| c.get())
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub fn emit(bytes: &[u8]) -> CmdResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Io(anyhow::anyhow!("cannot write to stdout: {e}"))),
    }
}

/// Makes sure `dir` exists and is writable before long work starts.
pub fn prepare_dir(dir: &std::path::Path) -> CmdResult {
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::Io(anyhow::anyhow!(
            "cannot create output folder {}: {e}",
            dir.display()
        ))
    })?;
    tempfile::tempfile_in(dir).map_err(|e| {
        Failure::Io(anyhow::anyhow!(
            "cannot write in output folder {}: {e}",
            dir.display()
        ))
    })?;
    Ok(())
}

/// Moves a staged output set into place as a whole, mapping failure to exit code 3.
pub fn commit(staging: crate::base::outdir::Staging) -> CmdResult {
    let target = staging.target();
    staging
        .commit()
        .map(drop)
        .map_err(|e| out_failure(&target, e))
}

/// An output that cannot be written (exit 3): a refusal to replace what needlemap did not
/// make says so itself; any other error is said with the path.
pub fn out_failure(path: &std::path::Path, e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        Failure::Io(anyhow::anyhow!("{e}"))
    } else {
        Failure::Io(anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }
}

/// Before long work: `<out>/<name>/` (and its `sub` folder) is missing or needlemap's, else
/// the refusal (exit 3). Also puts right what killed runs left in `out`.
pub fn check_outputs<'a>(
    out: &std::path::Path,
    names: impl IntoIterator<Item = &'a str>,
    sub: Option<&str>,
) -> CmdResult {
    if let Err(e) = crate::base::outdir::clean_stale(out) {
        eprintln!(
            "warning: cannot put right the temporaries of killed runs in {}: {e}",
            out.display()
        );
    }
    for n in names {
        crate::base::outdir::check_set(out, n, sub).map_err(|e| out_failure(&out.join(n), e))?;
    }
    Ok(())
}

/// Before long work: each of `names` straight in `out` is new or needlemap's (exit 3).
pub fn check_top_outputs(out: &std::path::Path, names: &[String]) -> CmdResult {
    crate::base::outdir::check_top(out, names).map_err(|e| out_failure(out, e))
}

/// Writes `files` straight into `out`, listed in its root manifest (exit 3 on failure).
pub fn write_top(out: &std::path::Path, files: &[(String, Vec<u8>)]) -> CmdResult {
    crate::base::outdir::write_top(out, files).map_err(|e| out_failure(out, e))
}

/// Writes a file atomically, mapping failure to exit code 3.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> CmdResult {
    crate::base::outdir::write_atomic(path, bytes)
        .map_err(|e| Failure::Io(anyhow::anyhow!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot write x.png: {source}")]
    struct Quotes {
        source: std::io::Error,
    }

    #[test]
    fn a_quoted_cause_is_said_once() {
        let os = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = anyhow::Error::from(Quotes { source: os() }).context("design d");
        assert_eq!(
            said_once(&e),
            format!("design d: cannot write x.png: {}", os())
        );
        let plain = anyhow::Error::from(os()).context("cannot read b.csv");
        assert_eq!(said_once(&plain), format!("cannot read b.csv: {}", os()));
    }
}
