//! The physical model (the project's model specification): the skin and its layers
//! ([`skin`]), how deep a needle goes under a force ([`insertion`]), the channel a needle
//! leaves ([`channel`]), the advisories of model §6 ([`advisory`]), the needle materials
//! ([`material`]) and whether a needle survives its load ([`strength`]). Nothing here knows a
//! design file or a device kind.

pub mod advisory;
pub mod channel;
pub mod insertion;
pub mod material;
pub mod registry;
pub mod skin;
pub mod strength;
