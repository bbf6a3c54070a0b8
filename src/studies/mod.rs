//! Studies: work over many analyses — comparing devices ([`compare`]), Monte Carlo over seeds
//! and tolerances ([`mc`]), parameter sweeps ([`sweep`]), the regression gate against a
//! baseline ([`check`]) and the published experiments ([`validation`]). They compute; their
//! tables, files and pictures are [`crate::output`]'s.

pub mod check;
pub mod compare;
pub mod mc;
pub mod optimise;
pub mod sweep;
pub mod validation;
