//! A whole check: every design's verdict and the baseline rows no design matched.

use super::baseline::UnmatchedRow;
use super::verdict::DesignCheck;
use serde::Serialize;

/// A whole check: every design compared with the baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The baseline file.
    pub baseline: String,
    /// One per design checked, in the order given.
    pub designs: Vec<DesignCheck>,
    /// Baseline rows that no checked design matched.
    pub unmatched_rows: Vec<UnmatchedRow>,
}

impl Report {
    /// Metrics outside tolerance, over every design.
    pub fn moved(&self) -> usize {
        self.designs.iter().map(|d| d.moved().count()).sum()
    }

    /// Whether every metric of every design is within tolerance.
    pub fn passed(&self) -> bool {
        self.moved() == 0
    }
}
