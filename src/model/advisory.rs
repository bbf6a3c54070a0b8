//! Advisories (model §6): the warnings an analysis attaches to its result, each with a stable
//! code that JSON readers and tests match on and a sentence for the engineer.

use serde::Serialize;

/// A warning worth a device engineer's attention (model §6).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Advisory {
    /// Stable identifier: `no_channels`, `deep`, `channels_close`, `pen_depth_range`,
    /// `subcutis`, `non_piercing`, `coarse_raster`, `gap_at_margin`,
    /// `needle_may_buckle`, `needle_may_bend`, `cartridge_fatigue`.
    pub code: &'static str,
    /// Plain words.
    pub message: String,
}

/// The advisories' codes, `;`-separated (`non_piercing;coarse_raster`): the `advisories`
/// column of summary.csv and sweep.csv; their words are in the JSON.
pub fn codes(advisories: &[Advisory]) -> String {
    let codes: Vec<&str> = advisories.iter().map(|v| v.code).collect();
    codes.join(";")
}
