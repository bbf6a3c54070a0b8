//! `needlemap baseline` and `needlemap check`: the CI regression gate. The logic (baseline
//! format, comparison, tolerances, reports) lives in the library's `check` module; this is the
//! shell: arguments, the order of the work, stderr notes and the exit code.

use super::analyze::analyze_one;
use super::{emit, load_designs, prepare_dir, write_file, CmdResult, Failure, Global};
use crate::studies::check::{self, BaselineRow, MetricTolerances, Report};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct BaselineArgs {
    /// Design files, or folders of them
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Write the baseline to FILE (atomically) instead of stdout
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub model: super::ModelFlags,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Design files, or folders of them
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Baseline CSV written by `needlemap baseline`
    #[arg(long, required = true)]
    pub baseline: PathBuf,
    /// Relative tolerance of a metric, METRIC=REL (0.01 is 1 %); repeatable
    #[arg(long, value_name = "METRIC=REL", value_parser = tolerance)]
    pub tolerance: Vec<(&'static str, f64)>,
    /// Report on stdout
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Also write a JUnit XML report to FILE, for CI systems to display. Its folder must exist.
    /// If it cannot be written: exit 3, or, when a metric moved, a warning and exit 1 (the
    /// verdict outranks the report)
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    #[command(flatten)]
    pub model: super::ModelFlags,
}

fn tolerance(s: &str) -> Result<(&'static str, f64), String> {
    check::parse_tolerance(s)
}

pub fn run_baseline(g: &Global, args: &BaselineArgs) -> CmdResult {
    let designs = load_designs(&args.designs, g)?;
    if let Some(out) = &args.output {
        prepare_dir(parent_of(out))?;
    }
    let mut rows = Vec::with_capacity(designs.len());
    for d in &designs {
        rows.push(BaselineRow::from_analysis(&analyze_one(
            d,
            g,
            crate::metrics::analysis::Keep::METRICS,
        )?));
    }
    let bytes = check::baseline_csv(&rows);
    match &args.output {
        Some(out) => write_file(out, &bytes),
        None => emit(&bytes),
    }
}

pub fn run_check(g: &Global, args: &CheckArgs) -> CmdResult {
    let designs = load_designs(&args.designs, g)?;
    let baseline = check::read_baseline(&args.baseline).map_err(|e| Failure::Input(e.into()))?;
    let mut tol = MetricTolerances::default();
    for (k, rel) in &args.tolerance {
        tol.set(k, *rel)
            .map_err(|e| Failure::Input(anyhow::anyhow!(e)))?;
    }
    let missing: Vec<String> = designs
        .iter()
        .filter(|d| baseline.row(&d.name).is_none())
        .map(|d| format!("{} (design `{}`)", d.source.path.display(), d.name))
        .collect();
    if !missing.is_empty() {
        return Err(Failure::Input(anyhow::anyhow!(
            "{}: no row for {}; add it by re-baselining: `needlemap baseline DESIGN... --output {}`",
            baseline.path.display(),
            missing.join(", "),
            baseline.path.display()
        )));
    }
    let no_layers: Vec<&str> = designs
        .iter()
        .filter_map(|d| baseline.row(&d.name))
        .filter(|r| r.layers.is_none())
        .map(|r| r.name.as_str())
        .collect();
    if !no_layers.is_empty() {
        eprintln!(
            "warning: {}: no layer fractions for {} (a baseline made before they were added); the layer fractions are not checked; re-baseline to check them: `needlemap baseline DESIGN... --output {}`",
            baseline.path.display(),
            if baseline.layers { no_layers.join(", ") } else { "any design".to_string() },
            baseline.path.display()
        );
    }
    let unmatched = baseline.unmatched(designs.iter().map(|d| d.name.as_str()));
    for u in &unmatched {
        eprintln!(
            "warning: {}:{}: design `{}` is in the baseline but was not checked",
            baseline.path.display(),
            u.line,
            crate::base::input::clip(&u.name)
        );
    }

    let mut checks = Vec::with_capacity(designs.len());
    for d in &designs {
        let row = baseline
            .row(&d.name)
            .expect("every design has a row, checked above");
        let now = BaselineRow::from_analysis(&analyze_one(
            d,
            g,
            crate::metrics::analysis::Keep::METRICS,
        )?);
        checks.push(check::verdict(
            row,
            &now,
            &d.source.path.display().to_string(),
            &tol,
        ));
    }
    let report = Report {
        baseline: baseline.path.display().to_string(),
        designs: checks,
        unmatched_rows: unmatched,
    };
    for d in &report.designs {
        for n in &d.notes {
            eprintln!("note: {}: {n}", d.name);
        }
    }
    let junit = match &args.junit {
        Some(j) => write_junit(j, &crate::output::check::junit(&report)),
        None => Ok(()),
    };
    match args.format {
        CheckFormat::Json => emit(&crate::output::check::json(&report))?,
        CheckFormat::Table if g.quiet => {}
        CheckFormat::Table => emit(crate::output::check::table(&report).as_bytes())?,
    }
    if report.passed() {
        junit
    } else {
        if let Err(Failure::Io(e)) = junit {
            eprintln!(
                "warning: {}; the exit code is the check's verdict (1)",
                super::said_once(&e)
            );
        }
        if g.quiet || args.format == CheckFormat::Json {
            let moved: Vec<String> = report
                .designs
                .iter()
                .flat_map(|d| d.moved().map(move |m| format!("{}: {}", d.name, m.metric)))
                .collect();
            eprintln!(
                "error: {} metric(s) moved outside tolerance: {}",
                moved.len(),
                moved.join(", ")
            );
        }
        Err(Failure::Check)
    }
}

/// Writes the JUnit report into an existing folder (it creates none: a mistyped path should
/// not grow folders in CI workspaces). The caller decides what a failure means: the
/// regression verdict (exit 1) outranks it, so it is exit 3 only when the check passed.
fn write_junit(path: &Path, bytes: &[u8]) -> CmdResult {
    let dir = parent_of(path);
    if !dir.is_dir() {
        return Err(Failure::Io(anyhow::anyhow!(
            "cannot write the JUnit report {}: the folder {} does not exist (--junit creates no folders)",
            path.display(),
            dir.display()
        )));
    }
    write_file(path, bytes)
}

fn parent_of(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}
