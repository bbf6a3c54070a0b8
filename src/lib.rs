//! # needlemap
//!
//! Design and analysis of microneedle rollers, compared with pen stamping.
//!
//! The crate reads top-down, one floor on another; every `use crate::` points down this list
//! (`tests/floors.rs` keeps it so):
//!
//! 1. [`base`]: math, random streams, errors, guarded input, progress, numbers and tables as
//!    written, whole-or-nothing output files and folders.
//! 2. [`model`]: the physical model — skin, insertion, the channel, advisories and the
//!    metric registry (what every number means).
//! 3. [`design`]: the design file and its check into a [`design::Design`]; the device kinds,
//!    one file each ([`design::kinds`]); the published experiments.
//! 4. [`kinematics`]: the engine that turns a device moving over the skin into channels.
//! 5. [`metrics`]: what the channels measure, and [`metrics::analysis`] of one design.
//! 6. [`studies`]: work over many analyses — compare, Monte Carlo, sweep, check, validation.
//! 7. [`output`]: CSV, JSON, tables, words, pictures and the review page.
//! 8. `cli`: the command line, behind the `cli` feature (on by default); the library and
//!    the Python extension build without it.
//!
//! Units are in every name (`_mm`, `_deg`, `_um`, `_hz`, `_s`).
//!
//! # Examples
//! ```no_run
//! use needlemap::{base::progress::Silent, design::Design, metrics::analysis};
//! let d = Design::load("designs/mf8-192.toml".as_ref()).unwrap();
//! let a = analysis::analyze(&d, &Silent).unwrap();
//! println!("{:.1} channels/cm²", a.metrics.density_per_cm2);
//! ```

pub mod base;
#[cfg(feature = "cli")]
pub mod cli;
pub mod design;
pub mod kinematics;
pub mod metrics;
pub mod model;
pub mod output;
pub mod studies;
