//! `needlemap init [--kind KIND] NAME`: writes a commented starter design that passes
//! validation, every key at its default. Refuses to overwrite (exit 2). The kinds are the
//! registry's ([`crate::design::kinds::KINDS`]).

use super::{CmdResult, Failure};
use crate::design::kinds::{kind_named, Kind, KINDS};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// `--kind`: one of the registered kinds' names.
fn kind_parser() -> impl TypedValueParser<Value = Kind> {
    let names: Vec<&'static str> = KINDS.iter().map(|k| k.key()).collect();
    PossibleValuesParser::new(names).map(|s| kind_named(&s).expect("a registered kind"))
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The device
    #[arg(long, default_value = "roller", value_parser = kind_parser())]
    pub kind: Kind,
    /// Design name (writes NAME.toml) or a path ending in .toml (the design is named after its stem)
    pub name: PathBuf,
}

pub fn run(args: &InitArgs) -> CmdResult {
    let path = if args.name.extension().is_some_and(|e| e == "toml") {
        args.name.clone()
    } else {
        let mut p = args.name.clone().into_os_string();
        p.push(".toml");
        PathBuf::from(p)
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    if !crate::design::is_valid_name(&stem) {
        return Err(Failure::Input(anyhow::anyhow!(
            "{}: the design name {stem:?} {}",
            path.display(),
            crate::design::NAME_RULE
        )));
    }
    let kind = args.kind;
    let text = crate::design::starter::starter(kind, &stem);
    // create_new: never overwrite, and no race between a check and the write
    let mut f = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Failure::Input(anyhow::anyhow!(
                "{} already exists; init never overwrites: choose another name or remove it",
                path.display()
            )))
        }
        Err(e) => {
            return Err(Failure::Io(anyhow::anyhow!(
                "cannot create {}: {e}",
                path.display()
            )))
        }
    };
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| Failure::Io(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
