//! # needlemap
//!
//! Design and analysis of microneedle rollers, compared with pen stamping.
//!
//! A [`design::Design`] (one device, one treatment) is turned by [`kinematics`] into the
//! channels it makes in the skin; [`metrics`] measures them (density, coverage, the largest
//! untreated gap, uniformity, overlap, depth and skin layer); [`report`] writes tables, JSON
//! and CSV; [`plot`] draws the pictures. The model and every number's meaning are those of the
//! project's model specification; units are in every name (`_mm`, `_deg`, `_um`, `_hz`, `_s`).
//!
//! # Examples
//! ```no_run
//! use needlemap::{analysis, design::Design, progress::Silent};
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
