//! `needlemap layout`: the needle table on stdout and out/<name>/needles.csv,
//! needles.png and needles.svg, without running the analysis.

use super::{emit, load_designs, prepare_dir, write_file, CmdResult, Failure, Global};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct LayoutArgs {
    /// Design files, or folders of them
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Output folder: writes DIR/<name>/
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
}

pub fn run(g: &Global, args: &LayoutArgs) -> CmdResult {
    let designs = load_designs(&args.designs, g)?;
    prepare_dir(&args.out)?;
    let mut text = String::new();
    for d in &designs {
        let dir = args.out.join(&d.name);
        write_file(&dir.join("needles.csv"), &crate::output::needles::csv(d))?;
        crate::output::plot::write_needles(d, &dir).map_err(|e| Failure::Io(e.into()))?;
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&crate::output::needles::table(d));
    }
    if g.quiet {
        return Ok(());
    }
    emit(text.as_bytes())
}
