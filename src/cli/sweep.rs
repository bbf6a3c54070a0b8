//! `needlemap sweep`: a thin shell over [`crate::studies::sweep`] — flags, one progress bar over
//! designs, files in out/<name>/, and the table, CSV or JSON on stdout.

use super::{emit, prepare_dir, CmdResult, Failure, Format, Global};
use crate::model::registry;
use crate::output::sweep::{self as output, chart as plot};
use crate::studies::sweep::{merge, provenance, Best, Filter, Shard, Sweep};
use clap::Args;
use std::path::PathBuf;

/// Rows `--best` shows.
const BEST_ROWS: usize = 5;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Sweep file: name, base design and a [vary] table
    pub sweep: PathBuf,
    /// Output on stdout
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show the 5 best valid rows by METRIC (larger or smaller is better: :max or :min)
    #[arg(long, value_name = "METRIC[:min|max]")]
    pub best: Option<Best>,
    /// Rank with --best only rows meeting METRIC>=X or METRIC<=X (repeatable), e.g. treated_fraction>=0.99
    #[arg(long = "where", value_name = "CONDITION", requires = "best")]
    pub filters: Vec<Filter>,
    /// Run only the K-th of N contiguous slices of the combinations (K from 1); writes sweep.K-of-N.csv, its provenance sweep.K-of-N.json, and no picture
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Analyze nothing: check the N shards' provenance (sweep.K-of-N.json), merge their sweep.K-of-N.csv into sweep.csv, draw the picture, print the table
    #[arg(long, value_name = "N", conflicts_with = "shard", value_parser = clap::value_parser!(u32).range(1..))]
    pub merge: Option<u32>,
    /// Output folder: writes DIR/<name>/, <name> the sweep file's `name`
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Metric drawn in sweep.png/.svg
    #[arg(long, value_name = "METRIC", default_value = "coverage_fraction", value_parser = metric_key)]
    pub plot: String,
    /// Skip the pictures
    #[arg(long)]
    pub no_plots: bool,
    #[command(flatten)]
    pub model: super::ModelFlags,
    #[command(flatten)]
    pub limit: super::WorkLimit,
}

fn metric_key(s: &str) -> Result<String, String> {
    registry::lookup(s).map(|m| m.key.to_string())
}

pub fn run(g: &Global, args: &SweepArgs) -> CmdResult {
    let sweep = Sweep::load_with(&args.sweep, &g.read_policy())?;
    sweep.check_overrides(&g.overrides())?;
    let dir = args.out.join(&sweep.name);
    prepare_dir(&args.out)?;
    super::check_outputs(&args.out, [sweep.name.as_str()], None)?;
    let total = sweep.len();
    // written at the end, in one step under the folder's lock, listed in its manifest
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let rows = match args.merge {
        Some(n) => {
            provenance::check(&sweep, &g.overrides(), &dir, n as usize, provenance::SWEEP)?;
            let (bytes, rows) = merge::merge(&sweep, &dir, n as usize)?;
            files.push(("sweep.csv".into(), bytes));
            rows
        }
        None => {
            let range = args.shard.map_or(0..total, |s| s.range(total));
            let shard = args.shard.map(|s| (s.k, s.n));
            let cpu_s = sweep
                .check_work(range.clone(), shard, &g.overrides(), args.limit.cpu_s())
                .map_err(|e| {
                    Failure::Input(anyhow::anyhow!(
                        "{}: {e}; or raise the limit (--max-cpu-min)",
                        args.sweep.display()
                    ))
                })?;
            super::say_estimate(
                g,
                &format!("sweep {}: {} combinations", sweep.name, range.len()),
                cpu_s,
            );
            let bars = super::progress::Bars::new(&sweep.name, g.quiet);
            let rows = sweep.run(range, &g.overrides(), &bars);
            let csv_name = args.shard.map_or_else(
                || "sweep.csv".to_string(),
                |s| merge::shard_file_name("sweep", s),
            );
            let csv = output::csv(&sweep, &rows);
            if let Some(s) = args.shard {
                let p = provenance::Provenance::new(&sweep, &g.overrides(), s).with_csv(&csv);
                files.push((provenance::sidecar_name("sweep", s), p.to_bytes()));
            }
            files.push((csv_name, csv));
            rows
        }
    };
    // A sweep with no valid combination has no result to write (a shard may: the others
    // can have valid rows).
    if args.shard.is_none() && !rows.is_empty() && rows.iter().all(|r| r.outcome.is_err()) {
        let first: Vec<String> = rows
            .iter()
            .take(3)
            .map(|r| {
                let why = r.outcome.as_ref().err().map_or("", String::as_str);
                format!("{}: {}", r.name, crate::base::input::bound(why, 300))
            })
            .collect();
        return Err(Failure::Input(anyhow::anyhow!(
            "{}: every one of the {} combinations is an invalid design, so the sweep has no result (nothing written); the first: {}",
            args.sweep.display(),
            rows.len(),
            first.join("; ")
        )));
    }
    if args.shard.is_none() && !args.no_plots {
        let chart = plot::chart(&sweep, &rows, &args.plot, &g.overrides());
        let pic = crate::output::plot::sweep::render(&chart).map_err(|e| Failure::Io(e.into()))?;
        files.push(("sweep.png".into(), pic.png));
        files.push(("sweep.svg".into(), pic.svg));
    }
    crate::base::outdir::write_into(&args.out, &sweep.name, &files)
        .map_err(|e| super::out_failure(&dir, e))?;

    let bad = rows.iter().filter(|r| r.outcome.is_err()).count();
    if bad > 0 && !g.quiet {
        eprintln!(
            "note: {bad} of {} combinations are not valid designs (see the error column)",
            rows.len()
        );
    }
    let best = args
        .best
        .map(|b| (b, b.top(&rows, BEST_ROWS, &args.filters)));
    let bytes = match args.format {
        Format::Table => {
            let mut s = if g.quiet {
                String::new()
            } else {
                output::table(&sweep, &rows, None)
            };
            if let Some((b, top)) = &best {
                if !s.is_empty() {
                    s.push('\n');
                }
                s.push_str(&output::best_table(
                    &sweep,
                    *b,
                    top,
                    rows.len(),
                    &args.filters,
                ));
            }
            s.into_bytes()
        }
        Format::Csv => match &best {
            Some((_, top)) => output::csv(&sweep, top.iter().copied()),
            None => output::csv(&sweep, &rows),
        },
        Format::Json => output::json(
            &sweep,
            &rows,
            args.shard,
            best.clone(),
            rayon::current_num_threads(),
        ),
    };
    emit(&bytes)
}
