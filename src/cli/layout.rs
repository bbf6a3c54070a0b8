//! `needlemap layout`: the needle table on stdout and out/<name>/needles.csv,
//! needles.png and needles.svg, without running the analysis.

use super::{emit, load_designs, prepare_dir, CmdResult, Failure, Global};
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
    super::check_outputs(&args.out, designs.iter().map(|d| d.name.as_str()), None)?;
    let mut text = String::new();
    for d in &designs {
        let pic = crate::output::plot::needles::render(d).map_err(|e| Failure::Io(e.into()))?;
        let files = [
            ("needles.csv".to_string(), crate::output::needles::csv(d)),
            ("needles.png".to_string(), pic.png),
            ("needles.svg".to_string(), pic.svg),
        ];
        crate::base::outdir::write_into(&args.out, &d.name, &files)
            .map_err(|e| super::out_failure(&args.out.join(&d.name), e))?;
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
