//! A whole check — every design's verdict and the baseline rows no design matched — and the
//! words its serializers share. The serializers are one file each: `table` for the
//! terminal, `json`, and `junit` for CI systems.

mod json;
mod junit;
mod table;

use super::tolerance::{decimals, step};
use super::verdict::{DesignCheck, MetricCheck};
use crate::report::fmt_num;
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

/// A value as the baseline writes it; "undefined" for none.
pub(super) fn show(key: &str, v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".to_string(), |x| fmt_num(x, decimals(key)))
}

pub(super) fn show_change(m: &MetricCheck) -> String {
    match (m.baseline, m.now, m.change) {
        (_, _, Some(c)) => {
            let abs = fmt_num(c, decimals(m.metric));
            let abs = if c > 0.0 { format!("+{abs}") } else { abs };
            match m.relative_change {
                Some(r) => format!(
                    "{abs} ({}{}%)",
                    if r > 0.0 { "+" } else { "" },
                    trim(r * 100.0, 2)
                ),
                None => abs,
            }
        }
        (Some(_), None, _) => "became undefined".to_string(),
        (None, Some(_), _) => "became defined".to_string(),
        _ => "none".to_string(),
    }
}

pub(super) fn show_tolerance(m: &MetricCheck) -> String {
    match m.allowed_change {
        None => "none (undefined)".to_string(),
        Some(_) if m.tolerance_rel == 0.0 && step(m.metric) == 0.0 => "exact".to_string(),
        Some(a) if m.tolerance_rel == 0.0 => format!("±{}", fmt_num(a, decimals(m.metric))),
        Some(a) => format!(
            "±{}% (±{})",
            trim(m.tolerance_rel * 100.0, 4),
            fmt_num(a, decimals(m.metric))
        ),
    }
}

/// A number with at most `decimals` decimals and no trailing zeros.
fn trim(x: f64, decimals: usize) -> String {
    let s = fmt_num(x, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
