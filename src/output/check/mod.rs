//! A check's report as the terminal ([`table()`]), JSON ([`json()`]) and CI systems
//! ([`junit()`]) read it, and the words the three share.

mod json;
mod junit;
mod table;

pub use json::json;
pub use junit::junit;
pub use table::table;

use crate::base::fmt::fmt_num;
use crate::studies::check::{decimals, step, MetricCheck};

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
