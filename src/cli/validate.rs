//! `needlemap validate`: the published experiments under designs/validation/ against the
//! model; exit 1 when a gating prediction leaves its band.

use super::{emit, load_designs, CmdResult, Failure, Global};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Experiment designs, or folders of them
    #[arg(default_value = "designs/validation")]
    pub designs: Vec<PathBuf>,
    /// Output format on stdout
    #[arg(long, value_enum, default_value = "table")]
    pub format: ValidateFormat,
    #[command(flatten)]
    pub model: super::ModelFlags,
}

pub fn run(g: &Global, args: &ValidateArgs) -> CmdResult {
    let designs = load_designs(&args.designs, g)?;
    if designs.iter().all(|d| d.experiment.is_none()) {
        return Err(Failure::Input(anyhow::anyhow!(
            "none of the designs has an [experiment] table; validation designs live in designs/validation/"
        )));
    }
    let bar = super::progress::Bars::new("validate", g.quiet);
    let rows = crate::studies::validation::validate(&designs, &bar)?;
    let pass = crate::studies::validation::all_pass(&rows);
    match args.format {
        ValidateFormat::Json => emit(&crate::output::validation::json(&rows))?,
        ValidateFormat::Table if !g.quiet => {
            let mut t = crate::output::validation::table(&rows);
            t.push_str(if pass {
                "every gating prediction lies in its band\n"
            } else {
                "a gating prediction lies outside its band\n"
            });
            emit(t.as_bytes())?
        }
        ValidateFormat::Table => {}
    }
    if pass {
        Ok(())
    } else {
        Err(Failure::Check)
    }
}
