//! `needlemap analyze`.

use super::{emit, load_designs, prepare_dir, write_file, CmdResult, Failure, Format, Global};
use crate::base::outdir::Staging;
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
    clean_stale(&args.out);
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

/// Analyzes one design with progress bars.
/// Analyses one design with progress bars; `keep` says which per-cell maps to keep.
pub fn analyze_one(
    d: &crate::design::Design,
    g: &Global,
    keep: analysis::Keep,
) -> Result<Analysis, Failure> {
    let bars = super::progress::Bars::new(&d.name, g.quiet);
    Ok(analysis::analyze_with(d.clone(), None, keep, &bars)?)
}

/// Writes out/<name>/ as a whole: summary.csv, channels.csv, tiles.csv, needles.csv and the
/// pictures go into a temporary folder that then replaces the old set in one rename, so a
/// reader never pairs one run's summary with another's channels.
pub fn write_outputs(a: &Analysis, out: &Path, plots: bool) -> CmdResult {
    let staging = Staging::new(out, &a.design.name).map_err(|e| {
        Failure::Io(anyhow::anyhow!(
            "cannot create a temporary folder in {}: {e}",
            out.display()
        ))
    })?;
    let dir = staging.dir();
    write_file(&dir.join("summary.csv"), &csv_out::summary(&[a]))?;
    write_file(&dir.join("channels.csv"), &csv_out::channels(a))?;
    write_file(&dir.join("tiles.csv"), &csv_out::tiles(a))?;
    write_file(&dir.join("needles.csv"), &csv_out::needles(a))?;
    if plots {
        crate::output::plot::write_all(a, dir).map_err(|e| Failure::Io(e.into()))?;
    }
    super::commit(staging)?;
    Ok(())
}

/// Removes temporaries that killed runs left in `out`; a failure only warns (it costs disk
/// space, not correctness).
fn clean_stale(out: &Path) {
    if let Err(e) = crate::base::outdir::clean_stale(out) {
        eprintln!(
            "warning: cannot remove old temporaries in {}: {e}",
            out.display()
        );
    }
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
