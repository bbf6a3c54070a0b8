//! `needlemap optimise`: a thin shell over [`crate::studies::optimise`] — flags, one progress
//! bar over candidates, `out/<name>/optimise/` written whole, the summary on stdout.

use super::{emit, prepare_dir, write_file, CmdResult, Failure, Format, Global};
use crate::base::outdir::Staging;
use crate::output::optimise as output;
use crate::studies::optimise::{self, shards, Optimise};
use crate::studies::sweep::{merge::shard_file_name, provenance, Shard};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct OptimiseArgs {
    /// Optimisation file: name, base design, [search], [constraints] and [objective]
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
    /// Evaluate only the K-th of N contiguous slices of the candidates (K from 1): writes DIR/<name>/candidates.K-of-N.csv and its provenance candidates.K-of-N.json, no front
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Evaluate nothing: check the N shards' provenance, read their candidates and finish the search (front, yield, files) as a whole run would
    #[arg(long, value_name = "N", conflicts_with = "shard", value_parser = clap::value_parser!(u32).range(1..))]
    pub merge: Option<u32>,
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
    let set = args.out.join(&opt.sweep.name);
    let outcome = match args.merge {
        Some(n) => {
            // the shards first: a merge with none to read makes no folder
            let (_, candidates) = shards::merge(&opt, &o, &set, n as usize)?;
            prepare_dir(&args.out)?;
            super::check_outputs(&args.out, [opt.sweep.name.as_str()], Some("optimise"))?;
            let bars = super::progress::Bars::new(&opt.sweep.name, g.quiet);
            optimise::finish(&opt, candidates, None, &o, args.limit.cpu_s(), &bars)
        }
        None => {
            let range = args.shard.map_or(0..total, |s| s.range(total));
            // every candidate analyzed whole is the most the search can cost; the stages cost less
            let cpu_s = opt
                .sweep
                .check_work(
                    range.clone(),
                    args.shard.map(|s| (s.k, s.n)),
                    &o,
                    args.limit.cpu_s(),
                )
                .map_err(|e| {
                    Failure::Input(anyhow::anyhow!(
                        "{}: {e}; or raise the limit (--max-cpu-min)",
                        args.file.display()
                    ))
                })?;
            super::say_estimate(
                g,
                &format!(
                    "optimise {}: {} candidates, at most",
                    opt.sweep.name,
                    range.len()
                ),
                cpu_s,
            );
            prepare_dir(&args.out)?;
            super::check_outputs(&args.out, [opt.sweep.name.as_str()], Some("optimise"))?;
            let bars = super::progress::Bars::new(&opt.sweep.name, g.quiet);
            let (candidates, cpu_s) = optimise::evaluate_range(&opt, range.clone(), &o, &bars);
            if let Some(s) = args.shard {
                return write_shard(g, args, &opt, s, range, candidates, cpu_s);
            }
            optimise::finish(&opt, candidates, Some(cpu_s), &o, args.limit.cpu_s(), &bars)
        }
    }
    .map_err(|e| {
        Failure::Input(anyhow::anyhow!(
            "{}: {e} (nothing written)",
            args.file.display()
        ))
    })?;
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
            optimise::design_text(&opt, k, &o).as_bytes(),
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
        eprint!("{}", output::stage_table(&outcome.stages));
    }
    let bytes = match args.format {
        Format::Table if g.quiet => Vec::new(),
        Format::Table => output::summary(&opt, &outcome).into_bytes(),
        Format::Csv => output::candidates_csv(&opt, &outcome),
        Format::Json => output::json(&opt, &outcome),
    };
    emit(&bytes)
}

/// Writes shard `s`'s candidates (`range` of the search) and their provenance into
/// DIR/<name>/, and says what the merge needs.
fn write_shard(
    g: &Global,
    args: &OptimiseArgs,
    opt: &Optimise,
    s: Shard,
    range: std::ops::Range<usize>,
    candidates: Vec<optimise::Candidate>,
    cpu_s: [f64; 3],
) -> CmdResult {
    let o = g.overrides();
    let csv = output::shard_csv(opt, &candidates);
    let p = provenance::Provenance::new(&opt.sweep, &o, s).with_csv(&csv);
    let files = vec![
        (shard_file_name(shards::STUDY.stem, s), csv),
        (
            provenance::sidecar_name(shards::STUDY.stem, s),
            p.to_bytes(),
        ),
    ];
    let dir = crate::base::outdir::write_into(&args.out, &opt.sweep.name, &files)
        .map_err(|e| super::out_failure(&args.out.join(&opt.sweep.name), e))?;
    let feasible = candidates.iter().filter(|c| c.feasible()).count();
    match args.format {
        // the shard's rows, or its provenance
        Format::Csv => return emit(&files[0].1),
        Format::Json => return emit(&files[1].1),
        Format::Table => {}
    }
    if !g.quiet {
        eprint!(
            "{}",
            output::stage_table(&optimise::stage_counts(&candidates, Some(cpu_s)))
        );
        let text = format!(
            "optimise {} shard {}/{}: candidates {} to {} of {}, {feasible} feasible; written to {}\nwhen every shard's two files are in that folder: needlemap{} optimise {} --merge {}{}\n",
            opt.sweep.name,
            s.k,
            s.n,
            range.start + 1,
            range.end,
            opt.sweep.len(),
            dir.display(),
            // the merge needs the shards' seed, raster pitch and folder
            [
                o.seed.map(|x| format!(" --seed {x}")),
                o.resolution_um.map(|x| format!(" --resolution-um {x}")),
            ]
            .into_iter()
            .flatten()
            .collect::<String>(),
            args.file.display(),
            s.n,
            if args.out == std::path::Path::new("out") {
                String::new()
            } else {
                format!(" --out {}", args.out.display())
            }
        );
        return emit(text.as_bytes());
    }
    Ok(())
}
