//! `needlemap mc`: Monte Carlo over seeds and `[tolerance]`, with the yield against `[spec]`.

use super::{emit, load_designs, prepare_dir, write_file, CmdResult, Failure, Global};
use crate::base::outdir::Staging;
use crate::output::mc::{runs_csv, summary_csv, summary_json, summary_table};
use crate::studies::mc::{self, Study};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct McArgs {
    /// Design files, or folders of them
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Runs per design; run k uses seed + k for the hand and for the drawn device
    #[arg(long, default_value_t = mc::DEFAULT_RUNS)]
    pub runs: u32,
    /// Exit 1 when the lower end of the yield's Wilson 95 % interval is below this (0 to 1)
    #[arg(long, value_parser = unit_fraction)]
    pub min_yield: Option<f64>,
    /// QA inspection CSV (needle,length_mm,missing[,tip_radius_um]) replacing the drawn device
    #[arg(long, value_name = "FILE")]
    pub as_built: Option<PathBuf>,
    /// Output folder: writes DIR/<name>/mc/
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub model: super::ModelFlags,
    #[command(flatten)]
    pub limit: super::WorkLimit,
}

fn unit_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a number from 0 to 1")),
    }
}

pub fn run(g: &Global, args: &McArgs) -> CmdResult {
    let mut designs = load_designs(&args.designs, g)?;
    if let Some(f) = &args.as_built {
        super::analyze::apply_as_built(&mut designs, f, g)?;
    }
    let mut cpu_s = 0.0;
    for d in &designs {
        let here = |e: mc::StudyError| {
            Failure::Input(anyhow::Error::from(e).context(format!("{}", d.source.path.display())))
        };
        mc::check_work(d, args.runs).map_err(here)?;
        cpu_s += mc::check_time(d, args.runs, args.limit.cpu_s()).map_err(here)?;
    }
    if cpu_s > args.limit.cpu_s() {
        return Err(Failure::Input(anyhow::anyhow!(
            "{} studies of {} runs would take about {} of CPU time together, more than the limit of {} (--max-cpu-min): run the designs one by one, with fewer runs, or raise the limit",
            designs.len(),
            args.runs,
            crate::metrics::analysis::duration_words(cpu_s),
            crate::metrics::analysis::duration_words(args.limit.cpu_s())
        )));
    }
    super::say_estimate(g, &format!("mc: {} runs", args.runs), cpu_s);
    if args.min_yield.is_some() {
        if let Some(d) = designs.iter().find(|d| d.spec.is_empty()) {
            return Err(Failure::Input(anyhow::anyhow!(
                "{}: --min-yield needs a [spec] table with limits (e.g. coverage_fraction = {{ min = 0.15 }})",
                d.source.path.display()
            )));
        }
    }
    prepare_dir(&args.out)?;
    super::check_outputs(
        &args.out,
        designs.iter().map(|d| d.name.as_str()),
        Some("mc"),
    )?;
    let mut low = false;
    let mut table = String::new();
    for d in &designs {
        let bars = super::progress::Bars::new(&d.name, g.quiet);
        let s = mc::study(d, args.runs, &bars).map_err(|e| Failure::Input(e.into()))?;
        write_set(&s, &args.out)?;
        table.push_str(&summary_table(&s));
        if let (Some(min), Some(y)) = (args.min_yield, &s.yield_) {
            if y.wilson95_lo < min {
                low = true;
                table.push_str(&format!(
                    "{}: yield lower 95 % bound {:.3} is below --min-yield {min}\n",
                    d.name, y.wilson95_lo
                ));
            }
        }
    }
    if !g.quiet {
        emit(table.as_bytes())?;
    }
    if low {
        Err(Failure::Check)
    } else {
        Ok(())
    }
}

/// Writes out/<name>/mc/ whole (an inspected device's study: out/<name>/mc-as-built-<stem>/):
/// runs.csv, summary.csv, summary.json and the picture (and out/<name>/ with its manifest when
/// missing).
fn write_set(s: &Study, out: &Path) -> CmdResult {
    let sub = match &s.design.as_built {
        Some(ab) => format!("mc-{}", ab.folder()),
        None => "mc".to_string(),
    };
    let staging = Staging::new_sub(out, &s.design.name, &sub).map_err(|e| {
        Failure::Io(anyhow::anyhow!(
            "cannot create a temporary folder in {}: {e}",
            out.display()
        ))
    })?;
    let tmp = staging.dir();
    write_file(&tmp.join("runs.csv"), &runs_csv(s))?;
    write_file(&tmp.join("summary.csv"), &summary_csv(s))?;
    write_file(&tmp.join("summary.json"), &summary_json(s))?;
    let pic = crate::output::plot::mc::render(s).map_err(|e| Failure::Io(e.into()))?;
    crate::output::plot::write_pictures(&[pic], tmp).map_err(|e| Failure::Io(e.into()))?;
    super::commit(staging)?;
    Ok(())
}
