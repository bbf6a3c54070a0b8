//! `needlemap compare`: the designs side by side, every roller–pen pair at each other's
//! density, optionally every design at a target density, and the comparison picture
//! out/compare-<names>.png/.svg.

use super::{emit, load_designs, positive_f64, prepare_dir, CmdResult, Failure, Format, Global};
use crate::metrics::analysis::Analysis;
use crate::output::compare as text;
use crate::output::plot;
use crate::output::{csv as csv_out, json};
use crate::studies::compare;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Design files, or folders of them (two designs or more in all)
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Output on stdout
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also bring every design to this density, channels/cm²
    #[arg(long = "target-density", value_parser = positive_f64)]
    pub target_density: Option<f64>,
    /// Output folder: writes DIR/compare-<names>.png and .svg
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub model: super::ModelFlags,
    /// Also run each design with seeds seed..seed+N−1 and state each difference of means
    /// with its 95 % CI and whether it is within noise (table, JSON
    /// `differences_over_runs`, and DIR/compare-<names>-differences.csv)
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub runs: Option<u32>,
    #[command(flatten)]
    pub limit: super::WorkLimit,
}

pub fn run(g: &Global, args: &CompareArgs) -> CmdResult {
    // Each argument is loaded on its own so that a design may be compared with itself
    let mut loaded = Vec::new();
    for p in &args.designs {
        loaded.extend(load_designs(std::slice::from_ref(p), g)?);
    }
    let given = || {
        let paths: Vec<String> = args
            .designs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        paths.join(", ")
    };
    let (designs, cpu_s) =
        compare::prepare(loaded, args.target_density, args.runs, args.limit.cpu_s()).map_err(
            |e| match e {
                compare::CompareError::TooFew { .. } => {
                    Failure::Input(anyhow::anyhow!("{e} ({})", given()))
                }
                compare::CompareError::TooLong { .. } => {
                    Failure::Input(anyhow::anyhow!("{e}, or raise the limit (--max-cpu-min)"))
                }
                e => compare_failure(e),
            },
        )?;
    super::say_estimate(g, &format!("compare: {} designs", designs.len()), cpu_s);
    prepare_dir(&args.out)?;
    let stem = {
        let names: Vec<&str> = designs.iter().map(|d| d.name.as_str()).collect();
        plot::compare::file_stem(&names)
    };
    let mut top = vec![format!("{stem}.png"), format!("{stem}.svg")];
    if args.runs.is_some() {
        top.push(format!("{stem}-differences.csv"));
    }
    super::check_top_outputs(&args.out, &top)?;
    let mut done: Vec<Analysis> = Vec::with_capacity(designs.len());
    for d in &designs {
        done.push(super::analyze::analyze_one(
            d,
            g,
            crate::metrics::analysis::Keep::default(),
        )?);
    }
    let refs: Vec<&Analysis> = done.iter().collect();
    let bars = super::progress::Bars::new("compare", g.quiet);
    let cmp = compare::compare(&refs, args.target_density, &bars).map_err(compare_failure)?;
    let pic = plot::compare::render(&refs, &cmp.pairs).map_err(|e| Failure::Io(e.into()))?;
    super::write_top(
        &args.out,
        &[
            (format!("{stem}.png"), pic.png),
            (format!("{stem}.svg"), pic.svg),
        ],
    )?;
    let noise = match args.runs {
        Some(n) => {
            let nz = noise(&designs, n, g)?;
            super::write_top(
                &args.out,
                &[(
                    format!("{stem}-differences.csv"),
                    crate::output::compare::noise_csv(&nz),
                )],
            )?;
            Some(nz)
        }
        None => None,
    };
    let bytes = match args.format {
        Format::Table if g.quiet => return Ok(()),
        Format::Table => {
            let mut t = text::render(&refs, &cmp);
            if let Some(nz) = &noise {
                t.push_str(&crate::output::compare::noise_text(nz));
            }
            t.into_bytes()
        }
        Format::Json => json::document(
            &refs,
            WithNoise {
                extra: text::extra(&refs, &cmp),
                differences_over_runs: noise.as_ref(),
            },
        ),
        Format::Csv => csv_out::summary(&refs),
    };
    emit(&bytes)
}

/// `compare --format json`: the comparison's sections and, with `--runs`, the differences
/// over seeds.
#[derive(serde::Serialize)]
struct WithNoise<'a> {
    #[serde(flatten)]
    extra: text::Extra<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    differences_over_runs: Option<&'a compare::noise::Noise>,
}

/// A comparison that cannot be made is bad input (exit 2).
fn compare_failure(e: compare::CompareError) -> Failure {
    Failure::Input(e.into())
}

/// Each design run `n` times (seeds seed..seed+n−1) and every metric's difference of means
/// from the first design.
fn noise(
    designs: &[crate::design::Design],
    n: u32,
    g: &Global,
) -> Result<compare::noise::Noise, Failure> {
    let mut studies = Vec::with_capacity(designs.len());
    for d in designs {
        let bars = super::progress::Bars::new(&d.name, g.quiet);
        studies.push(crate::studies::mc::study(d, n, &bars).map_err(|e| Failure::Input(e.into()))?);
    }
    Ok(compare::noise::noise(&studies, n))
}
