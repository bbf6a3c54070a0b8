//! Helpers shared by the integration tests: the binary under test and the shipped designs.
//! Each test binary uses some of them.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::PathBuf;

/// The `needlemap` binary of this build.
pub fn bin() -> Command {
    Command::cargo_bin("needlemap").unwrap()
}

/// The crate's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A shipped design file: designs/`name`.
pub fn design(name: &str) -> PathBuf {
    root().join("designs").join(name)
}
