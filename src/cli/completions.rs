//! `needlemap completions SHELL` and `needlemap man`: the shell completion script and the
//! manual page, both generated from the clap definition so they list exactly the commands and
//! flags the binary takes (hidden flags stay hidden).

use super::{emit, Cli, CmdResult, Failure};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `args.shell` to stdout.
pub fn completions(args: &CompletionsArgs) -> CmdResult {
    let mut cmd = Cli::command();
    let mut bytes = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "needlemap", &mut bytes);
    emit(&bytes)
}

/// Writes the manual page (roff) to stdout: the top-level page, listing every command.
pub fn man() -> CmdResult {
    let mut bytes = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut bytes)
        .map_err(|e| Failure::Io(anyhow::anyhow!("cannot render the manual page: {e}")))?;
    emit(&bytes)
}
