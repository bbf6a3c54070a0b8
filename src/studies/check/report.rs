//! A whole check: every design's verdict and the baseline rows no design matched.

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

/// A baseline row whose design was not checked (a warning, not a failure: a run may check
/// some of the designs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnmatchedRow {
    /// 1-based line in the baseline.
    pub line: u64,
    /// Design name in that row.
    pub name: String,
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
