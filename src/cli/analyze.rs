//! `needlemap analyze`.

use super::{emit, load_designs, prepare_dir, CmdResult, Failure, Format, Global};
use crate::metrics::analysis::{self, Analysis};
use crate::output::{csv as csv_out, json, table};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// Design files, or folders of them
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Output on stdout
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Output folder: writes DIR/<name>/
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Skip the pictures
    #[arg(long)]
    pub no_plots: bool,
    #[command(flatten)]
    pub model: super::ModelFlags,
    /// QA inspection CSV (needle,length_mm,missing[,tip_radius_um]) replacing the drawn device
    #[arg(long, value_name = "FILE")]
    pub as_built: Option<PathBuf>,
}

pub fn run(g: &Global, args: &AnalyzeArgs) -> CmdResult {
    let mut designs = load_designs(&args.designs, g)?;
    if let Some(f) = &args.as_built {
        apply_as_built(&mut designs, f, g)?;
    }
    prepare_dir(&args.out)?;
    super::check_outputs(&args.out, designs.iter().map(|d| d.name.as_str()), None)?;
    let mut done = Vec::with_capacity(designs.len());
    for d in &designs {
        let keep = if args.no_plots {
            analysis::Keep::METRICS
        } else {
            analysis::Keep::default()
        };
        let a = analyze_one(d, g, keep)?;
        write_outputs(&a, &args.out, !args.no_plots)?;
        done.push(a);
    }
    let refs: Vec<&Analysis> = done.iter().collect();
    let bytes = match args.format {
        Format::Table if g.quiet => return Ok(()),
        Format::Table => table::metrics_table(&refs).into_bytes(),
        Format::Json => json::document(&refs, json::NoExtra {}),
        Format::Csv => csv_out::summary(&refs),
    };
    emit(&bytes)
}

/// Analyses one design with progress bars; `keep` says which per-cell maps to keep.
pub fn analyze_one(
    d: &crate::design::Design,
    g: &Global,
    keep: analysis::Keep,
) -> Result<Analysis, Failure> {
    let bars = super::progress::Bars::new(&d.name, g.quiet);
    let a = analysis::analyze_with(d.clone(), None, keep, &bars)?;
    // never silent, whatever the format: the metrics of an empty region are zeros and blanks
    if let Some(adv) = a.advisories.iter().find(|x| x.code == "no_channels") {
        eprintln!("warning: {}: {}", d.name, adv.message);
    }
    Ok(a)
}

/// Writes out/<name>/ as a whole ([`crate::output::write_design_dir`]): a reader never
/// pairs one run's summary with another's channels, and what else the folder holds stays.
pub fn write_outputs(a: &Analysis, out: &Path, plots: bool) -> CmdResult {
    crate::output::write_design_dir(a, out, plots)
        .map(drop)
        .map_err(|e| super::out_failure(&out.join(&a.design.name), e))
}

/// Replaces the drawn device of the one design in `designs` with the inspection data in
/// `file` (`--as-built`); an inspection describes one built device, so more designs are an
/// input error.
pub fn apply_as_built(
    designs: &mut [crate::design::Design],
    file: &Path,
    _g: &Global,
) -> Result<(), Failure> {
    let d = match designs {
        [d] => d,
        _ => {
            return Err(Failure::Input(anyhow::anyhow!(
                "--as-built {} describes one built device, but {} designs were given ({}); \
                 give only the design it was built from",
                file.display(),
                designs.len(),
                designs
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    };
    let n = crate::kinematics::needle_count(d);
    let ab = crate::design::as_built::AsBuilt::load(file, n, d.needle.diameter_mm / 2.0 * 1000.0)
        .map_err(|e| {
        Failure::Input(anyhow::Error::from(e).context(format!("--as-built for {}", d.name)))
    })?;
    d.as_built = Some(std::sync::Arc::new(ab));
    Ok(())
}
