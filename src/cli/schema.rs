//! `needlemap schema [design|sweep|optimise] [--markdown]`: the JSON Schema of a file format on
//! stdout, generated from the parser's own file mirrors (the committed schema/*.json are
//! this output), or the key tables of docs/design-format.md.

use super::{emit, CmdResult, Failure};
use clap::{Args, ValueEnum};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// Design files (designs/*.toml)
    Design,
    /// Sweep files (designs/sweeps/*.toml)
    Sweep,
    /// Optimisation files (designs/optimise/*.toml)
    Optimise,
}

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Which file format
    #[arg(value_enum, default_value = "design")]
    pub which: Which,
    /// The key tables of docs/design-format.md in Markdown instead of the JSON Schema
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(args: &SchemaArgs) -> CmdResult {
    let text = match (args.which, args.markdown) {
        (Which::Design, false) => crate::design::schema::to_text(&crate::design::schema::design()),
        (Which::Sweep, false) => crate::design::schema::to_text(&crate::studies::sweep::schema()),
        (Which::Optimise, false) => {
            crate::design::schema::to_text(&crate::studies::optimise::schema())
        }
        (Which::Design, true) => crate::design::schema::design_markdown(),
        (Which::Sweep | Which::Optimise, true) => {
            return Err(Failure::Input(anyhow::anyhow!(
                "--markdown is for `schema design`: the searched keys are the design's"
            )))
        }
    };
    emit(text.as_bytes())
}
