//! Output: everything needlemap writes for people and other tools. Serializers return bytes
//! (CSV [`csv`], JSON [`json`], terminal tables [`table`], the needle table [`needles`], the
//! studies' files [`compare`], [`sweep`], [`check`], [`validation`]); pictures are [`plot`]'s, the review page [`review`]'s; writing is
//! [`crate::base::outdir`]'s.

pub mod check;
pub mod compare;
pub mod csv;
mod design_dir;
pub mod headline;
pub mod json;
pub mod mc;
pub mod needles;
pub mod optimise;
pub mod plot;
pub mod review;
pub mod sweep;
pub mod table;
pub mod validation;

pub use design_dir::{analysis_files, write_design_dir, ANALYSIS_CSVS};
