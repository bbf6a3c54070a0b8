//! `--best` and `--where`: ranking a sweep's valid rows by one metric under conditions on
//! others.

use super::{show_value, Row};
use crate::model::registry::{self, Better};
use std::fmt;

/// The metric a `--best` ranking sorts by, and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Best {
    /// A key of [`crate::model::registry::METRICS`].
    pub metric: &'static str,
    /// Larger is better.
    pub maximize: bool,
}

impl std::str::FromStr for Best {
    type Err = String;
    /// `METRIC[:min|max]`; without a direction, the metric's [`Better`] direction in the
    /// registry (larger coverage, smaller gap, …); metrics with none (the depths) need one.
    fn from_str(s: &str) -> Result<Best, String> {
        let (m, dir) = match s.split_once(':') {
            Some((m, d)) => (m, Some(d)),
            None => (s, None),
        };
        let info = registry::lookup(m)?;
        let maximize = match dir {
            Some("max") => true,
            Some("min") => false,
            Some(d) => {
                return Err(format!(
                    "`{d}` is not a direction; write {m}:min or {m}:max"
                ))
            }
            None => match info.better {
                Better::Higher => true,
                Better::Lower => false,
                Better::None => return Err(format!("say which way is better: {m}:min or {m}:max")),
            },
        };
        Ok(Best {
            metric: info.key,
            maximize,
        })
    }
}

impl Best {
    /// Up to `n` rows without error, with the metric defined and passing every filter, best
    /// first (ties: lower index first).
    pub fn top<'a>(&self, rows: &'a [Row], n: usize, filters: &[Filter]) -> Vec<&'a Row> {
        let mut ok: Vec<(&Row, f64)> = rows
            .iter()
            .filter(|r| filters.iter().all(|f| f.admits(r)))
            .filter_map(|r| r.metric(self.metric).map(|v| (r, v)))
            .collect();
        ok.sort_by(|a, b| {
            let o = a.1.total_cmp(&b.1);
            (if self.maximize { o.reverse() } else { o }).then(a.0.index.cmp(&b.0.index))
        });
        ok.into_iter().take(n).map(|(r, _)| r).collect()
    }
}

/// A condition on a metric that rows must meet to be ranked: `METRIC>=X` or `METRIC<=X`
/// (fractions as fractions: `treated_fraction>=0.99`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Filter {
    /// A key of [`crate::model::registry::METRICS`].
    pub metric: &'static str,
    /// `>=` (true) or `<=` (false).
    pub at_least: bool,
    /// The bound.
    pub value: f64,
}

impl Filter {
    /// Whether `row` is valid, has the metric and meets the bound.
    pub fn admits(&self, row: &Row) -> bool {
        row.metric(self.metric).is_some_and(|v| {
            if self.at_least {
                v >= self.value
            } else {
                v <= self.value
            }
        })
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.metric,
            if self.at_least { "≥" } else { "≤" },
            show_value(self.value)
        )
    }
}

impl std::str::FromStr for Filter {
    type Err = String;
    fn from_str(s: &str) -> Result<Filter, String> {
        let (m, at_least, v) = if let Some((m, v)) = s.split_once(">=") {
            (m, true, v)
        } else if let Some((m, v)) = s.split_once("<=") {
            (m, false, v)
        } else {
            return Err(format!(
                "`{s}` is not METRIC>=X or METRIC<=X, e.g. treated_fraction>=0.99"
            ));
        };
        let info = registry::lookup(m.trim())?;
        let value: f64 = v
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| format!("`{}` is not a finite number", v.trim()))?;
        info.check_bound(value)?;
        Ok(Filter {
            metric: info.key,
            at_least,
            value,
        })
    }
}
