//! `needlemap optimise`: a thin shell over [`crate::studies::optimise`] — flags, one progress
//! bar over candidates, `out/<name>/optimise/` written whole, the summary on stdout.

use super::{emit, prepare_dir, write_file, CmdResult, Failure, Format, Global};
use crate::base::outdir::Staging;
use crate::output::optimise as output;
use crate::studies::optimise::{self, Optimise};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct OptimiseArgs {
    /// Optimisation file: name, base design, [search], [spec] and the objectives
    pub file: PathBuf,
    /// Output on stdout: the summary (table), every candidate (csv) or the JSON record
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Output folder: writes DIR/<name>/optimise/, <name> the file's `name`
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Skip the picture
    #[arg(long)]
    pub no_plots: bool,
    #[command(flatten)]
    pub model: super::ModelFlags,
    #[command(flatten)]
    pub limit: super::WorkLimit,
}

pub fn run(g: &Global, args: &OptimiseArgs) -> CmdResult {
    let opt = Optimise::load_with(&args.file, &g.read_policy())?;
    let o = g.overrides();
    opt.sweep.check_overrides(&o)?;
    let total = opt.sweep.len();
    // every candidate analyzed whole is the most the search can cost; the stages cost less
    let cpu_s = opt
        .sweep
        .check_work(0..total, None, &o, args.limit.cpu_s())
        .map_err(|e| {
            Failure::Input(anyhow::anyhow!(
                "{}: {e}; or raise the limit (--max-cpu-min)",
                args.file.display()
            ))
        })?;
    super::say_estimate(
        g,
        &format!("optimise {}: {total} candidates, at most", opt.sweep.name),
        cpu_s,
    );
    prepare_dir(&args.out)?;
    super::check_outputs(&args.out, [opt.sweep.name.as_str()], Some("optimise"))?;
    let bars = super::progress::Bars::new(&opt.sweep.name, g.quiet);
    let outcome = optimise::run(&opt, &o, &bars);
    if outcome
        .candidates
        .iter()
        .all(|c| c.stage == optimise::Stage::Invalid)
    {
        return Err(Failure::Input(anyhow::anyhow!(
            "{}: every one of the {total} candidates is an invalid design, so the search has no result (nothing written); the first: {}",
            args.file.display(),
            outcome.candidates[0].failed.clone().unwrap_or_default()
        )));
    }
    let staging = Staging::new_sub(&args.out, &opt.sweep.name, "optimise").map_err(|e| {
        Failure::Io(anyhow::anyhow!(
            "cannot create a temporary folder in {}: {e}",
            args.out.display()
        ))
    })?;
    let tmp = staging.dir();
    write_file(
        &tmp.join("candidates.csv"),
        &output::candidates_csv(&opt, &outcome),
    )?;
    write_file(&tmp.join("pareto.csv"), &output::pareto_csv(&opt, &outcome))?;
    for (rank, (k, _)) in outcome.front_groups().into_iter().enumerate() {
        write_file(
            &tmp.join(output::best_file_name(rank + 1)),
            optimise::design_text(&opt, k).as_bytes(),
        )?;
    }
    if !args.no_plots {
        let base = optimise::base_objectives(&opt, &o);
        let pic = crate::output::plot::pareto::render(&output::trade_off(&opt, &outcome, &base))
            .map_err(|e| Failure::Io(e.into()))?;
        crate::output::plot::write_pictures(&[pic], tmp).map_err(|e| Failure::Io(e.into()))?;
    }
    super::commit(staging)?;
    if !g.quiet {
        eprint!("{}", output::stage_table(&outcome));
    }
    let bytes = match args.format {
        Format::Table if g.quiet => Vec::new(),
        Format::Table => output::summary(&opt, &outcome).into_bytes(),
        Format::Csv => output::candidates_csv(&opt, &outcome),
        Format::Json => output::json(&opt, &outcome),
    };
    emit(&bytes)
}
