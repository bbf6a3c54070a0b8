//! `needlemap analyze`.

use super::{emit, load_designs, prepare_dir, write_file, CmdResult, Failure, Format, Global};
use clap::Args;
use needlemap::analysis::{self, Analysis};
use needlemap::report::{csv_out, json, table};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// Design files, or folders of them
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Output on stdout
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Folder for out/<name>/
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Skip the pictures
    #[arg(long)]
    pub no_plots: bool,
}

pub fn run(g: &Global, args: &AnalyzeArgs) -> CmdResult {
    let designs = load_designs(&args.designs, g)?;
    prepare_dir(&args.out)?;
    let mut done = Vec::with_capacity(designs.len());
    for d in &designs {
        let a = analyze_one(d, g)?;
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
pub fn analyze_one(d: &needlemap::design::Design, g: &Global) -> Result<Analysis, Failure> {
    let bars = super::progress::Bars::new(&d.name, g.quiet);
    Ok(analysis::analyze(d, &bars)?)
}

/// Writes out/<name>/: summary.csv, channels.csv, tiles.csv, needles.csv and the pictures.
pub fn write_outputs(a: &Analysis, out: &Path, plots: bool) -> CmdResult {
    let dir = out.join(&a.design.name);
    write_file(&dir.join("summary.csv"), &csv_out::summary(&[a]))?;
    write_file(&dir.join("channels.csv"), &csv_out::channels(a))?;
    write_file(&dir.join("tiles.csv"), &csv_out::tiles(a))?;
    write_file(&dir.join("needles.csv"), &csv_out::needles(a))?;
    if plots {
        needlemap::plot::write_all(a, &dir).map_err(|e| Failure::Io(e.into()))?;
    }
    Ok(())
}
