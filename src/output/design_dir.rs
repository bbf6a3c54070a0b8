//! A design's output folder `out/<name>/`: its CSVs and pictures written as one set, for the
//! command line and the Python package alike.

use super::csv as csv_out;
use super::plot::{self, DESIGN_PICTURES};
use crate::base::outdir::{write_atomic, Staging};
use crate::metrics::analysis::Analysis;
use std::path::{Path, PathBuf};

/// The CSV files of a design's analysis, in the order they are written.
pub const ANALYSIS_CSVS: [&str; 4] = ["summary.csv", "channels.csv", "tiles.csv", "needles.csv"];

/// The files of a design's analysis in `out/<name>/`: what [`write_design_dir`] writes (the
/// pictures, PNG and SVG of each registered one, only with plots). An analysis replaces these
/// where the folder's manifest lists them, and keeps every other file (a sweep's, a study's
/// folder, the user's).
pub fn analysis_files() -> Vec<String> {
    let pictures = DESIGN_PICTURES
        .iter()
        .flat_map(|p| ["png", "svg"].map(|ext| format!("{}.{ext}", p.name)));
    ANALYSIS_CSVS
        .iter()
        .map(|s| s.to_string())
        .chain(pictures)
        .collect()
}

/// Writes `<out>/<name>/` as a whole (`out` is made if missing): the CSVs and, with `plots`, the
/// pictures go into a staged folder that then replaces the old set ([`Staging`]), so a reader
/// never pairs one run's summary with another's channels, and nothing in the folder that is
/// not the old set's is lost. A folder needlemap did not make at that path is refused. An
/// analysis of an inspected device (`--as-built`) goes to `<out>/<name>/as-built-<stem>/`.
/// Returns the folder.
pub fn write_design_dir(a: &Analysis, out: &Path, plots: bool) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(out)?;
    let files = analysis_files();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    // an inspected device is written apart from the nominal design's files
    let staging = match &a.design.as_built {
        Some(ab) => Staging::new_sub(out, &a.design.name, &ab.folder())?,
        None => Staging::new(out, &a.design.name, Some(&names))?,
    };
    let dir = staging.dir();
    let named = |path: &Path| {
        let p = path.display().to_string();
        move |e: std::io::Error| std::io::Error::new(e.kind(), format!("cannot write {p}: {e}"))
    };
    let csvs = [
        csv_out::summary(&[a]),
        csv_out::channels(a),
        csv_out::tiles(a),
        csv_out::needles(a),
    ];
    for (name, bytes) in ANALYSIS_CSVS.iter().zip(csvs) {
        let p = dir.join(name);
        write_atomic(&p, &bytes).map_err(named(&p))?;
    }
    if plots {
        plot::write_all(a, dir).map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    staging.commit()
}
