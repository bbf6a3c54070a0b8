//! The metric registry: every fact about a metric — key, unit, decimals, default CI
//! tolerance and why, which way is better, what it means, and where its value lives in
//! [`Metrics`] — in one table, [`METRICS`], in output order.
//!
//! Every serializer and command reads this table: summary.csv and sweep.csv columns and
//! decimals, the terminal tables' units, the JSON record, the baseline file and its default
//! tolerances, the sweep's `--best` directions and the merge of sharded sweeps. Adding a
//! metric is one entry here, a field of [`Metrics`] and its computation in
//! [`crate::analysis`].

use super::Metrics;

/// Which way a metric is better, for rankings (`sweep --best METRIC` without `:min|:max`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Larger is better.
    Higher,
    /// Smaller is better.
    Lower,
    /// Neither: a ranking must say which way (depths are chosen, not maximized).
    None,
}

/// One metric.
#[derive(Clone, Copy, Debug)]
pub struct MetricInfo {
    /// JSON key and CSV column (model §5).
    pub key: &'static str,
    /// Unit shown in the terminal tables; `"%"` means the value is a fraction shown as a
    /// percentage there; `""` for a pure number.
    pub unit: &'static str,
    /// Decimals in the terminal tables (of the percentage, for `"%"`).
    pub table_decimals: usize,
    /// Decimals in summary.csv, sweep.csv and the baseline: enough for QA and for the
    /// regression gate. 0 marks an integer count, compared exactly (no last-digit step).
    pub decimals: usize,
    /// Default relative tolerance of `needlemap check` (0.01 is 1 %).
    pub tolerance_rel: f64,
    /// Why that tolerance: what makes the value move.
    pub tolerance_why: &'static str,
    /// Which way is better.
    pub better: Better,
    /// What the metric is, in a few words.
    pub description: &'static str,
    /// The value in a [`Metrics`]; `None` when undefined.
    pub get: fn(&Metrics) -> Option<f64>,
    /// Sets the value in a [`Metrics`] (from a CSV cell); `None` leaves a plain number at its
    /// default.
    pub set: fn(&mut Metrics, Option<f64>),
}

impl MetricInfo {
    /// Whether the metric is an integer count (written with no decimals).
    pub fn is_count(&self) -> bool {
        self.decimals == 0
    }

    /// One unit in the last decimal CSV writes; 0 for integer counts, which are exact.
    ///
    /// # Examples
    /// ```
    /// use needlemap::metrics::registry::metric;
    /// assert_eq!(metric("channels").unwrap().step(), 0.0);
    /// assert_eq!(metric("time_s").unwrap().step(), 1e-4);
    /// ```
    pub fn step(&self) -> f64 {
        if self.is_count() {
            0.0
        } else {
            10f64.powi(-(self.decimals as i32))
        }
    }
}

/// Reasons shared by several metrics' tolerances.
const RASTER_SUMS: &str = "fixed-point integer sums of row lengths on a fixed raster";
const DEPTHS: &str =
    "the force balance per needle (bisection to f64 resolution), with seeded length errors";
const CLOSED_FORM: &str = "a closed form of the design's parameters";

/// Every metric, in output order (JSON keys, CSV columns, table rows).
pub const METRICS: &[MetricInfo] = &[
    MetricInfo {
        key: "channels",
        unit: "",
        table_decimals: 0,
        decimals: 0,
        tolerance_rel: 0.0,
        tolerance_why: "an integer count of a deterministic simulation",
        better: Better::Higher,
        description: "channels whose centre lies in the region",
        get: |m| Some(m.channels as f64),
        set: |m, v| {
            if let Some(x) = v {
                m.channels = x as u64;
            }
        },
    },
    MetricInfo {
        key: "density_per_cm2",
        unit: "/cm²",
        table_decimals: 1,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: "channels / the region's area: moves only when they do",
        better: Better::Higher,
        description: "channels per cm² of region",
        get: |m| Some(m.density_per_cm2),
        set: |m, v| {
            if let Some(x) = v {
                m.density_per_cm2 = x;
            }
        },
    },
    MetricInfo {
        key: "coverage_fraction",
        unit: "%",
        table_decimals: 2,
        decimals: 6,
        tolerance_rel: 0.0,
        tolerance_why: RASTER_SUMS,
        better: Better::Higher,
        description: "share of the region inside an opening",
        get: |m| m.coverage_fraction,
        set: |m, v| m.coverage_fraction = v,
    },
    MetricInfo {
        key: "treated_fraction",
        unit: "%",
        table_decimals: 2,
        decimals: 6,
        tolerance_rel: 0.0,
        tolerance_why: RASTER_SUMS,
        better: Better::Higher,
        description: "share of the region within the influence radius of an opening",
        get: |m| m.treated_fraction,
        set: |m, v| m.treated_fraction = v,
    },
    MetricInfo {
        key: "max_gap_mm",
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: "branch and bound on the openings' geometry, within 0.5 um at any pitch",
        better: Better::Lower,
        description: "radius of the largest untreated disc",
        get: |m| m.max_gap_mm,
        set: |m, v| m.max_gap_mm = v,
    },
    MetricInfo {
        key: "mean_depth_mm",
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: Better::None,
        description: "mean insertion depth",
        get: |m| m.mean_depth_mm,
        set: |m, v| m.mean_depth_mm = v,
    },
    MetricInfo {
        key: "min_depth_mm",
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: Better::None,
        description: "shallowest insertion depth",
        get: |m| m.min_depth_mm,
        set: |m, v| m.min_depth_mm = v,
    },
    MetricInfo {
        key: "max_depth_mm",
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: Better::None,
        description: "deepest insertion depth",
        get: |m| m.max_depth_mm,
        set: |m, v| m.max_depth_mm = v,
    },
    MetricInfo {
        key: "p05_depth_mm",
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: Better::None,
        description: "5th percentile of insertion depth",
        get: |m| m.p05_depth_mm,
        set: |m, v| m.p05_depth_mm = v,
    },
    MetricInfo {
        key: "p95_depth_mm",
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: Better::None,
        description: "95th percentile of insertion depth",
        get: |m| m.p95_depth_mm,
        set: |m, v| m.p95_depth_mm = v,
    },
    MetricInfo {
        key: "mean_channel_depth_mm",
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: Better::None,
        description: "mean depth of the channels left after withdrawal",
        get: |m| m.mean_channel_depth_mm,
        set: |m, v| m.mean_channel_depth_mm = v,
    },
    MetricInfo {
        key: "density_cv",
        unit: "",
        table_decimals: 3,
        decimals: 6,
        tolerance_rel: 0.0,
        tolerance_why: "from integer channel counts per tile",
        better: Better::Lower,
        description: "coefficient of variation of channel counts over whole tiles",
        get: |m| m.density_cv,
        set: |m, v| m.density_cv = v,
    },
    MetricInfo {
        key: "overlap_fraction",
        unit: "%",
        table_decimals: 2,
        decimals: 6,
        tolerance_rel: 0.0,
        tolerance_why: "an integer count of exact geometric tests / channels",
        better: Better::Lower,
        description: "share of channels whose opening meets an earlier one",
        get: |m| m.overlap_fraction,
        set: |m, v| m.overlap_fraction = v,
    },
    MetricInfo {
        key: "puncture_rate_per_s",
        unit: "/s",
        table_decimals: 1,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: CLOSED_FORM,
        better: Better::Higher,
        description: "channels made per second of treatment",
        get: |m| Some(m.puncture_rate_per_s),
        set: |m, v| {
            if let Some(x) = v {
                m.puncture_rate_per_s = x;
            }
        },
    },
    MetricInfo {
        key: "time_s",
        unit: "s",
        table_decimals: 1,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: CLOSED_FORM,
        better: Better::Lower,
        description: "treatment time",
        get: |m| Some(m.time_s),
        set: |m, v| {
            if let Some(x) = v {
                m.time_s = x;
            }
        },
    },
];

/// The metric called `key`.
///
/// # Examples
/// ```
/// use needlemap::metrics::registry::{metric, Better};
/// assert_eq!(metric("max_gap_mm").unwrap().better, Better::Lower);
/// assert!(metric("gap").is_none());
/// ```
pub fn metric(key: &str) -> Option<&'static MetricInfo> {
    METRICS.iter().find(|m| m.key == key)
}

/// Every key, in output order.
pub fn keys() -> impl Iterator<Item = &'static str> + Clone {
    METRICS.iter().map(|m| m.key)
}

/// Every key, comma-separated, for error messages that list the valid metrics.
pub fn key_list() -> String {
    keys().collect::<Vec<_>>().join(", ")
}

/// The metric called `key`, or an error that lists the valid keys.
pub fn lookup(key: &str) -> Result<&'static MetricInfo, String> {
    metric(key).ok_or_else(|| format!("`{key}` is not a metric; valid: {}", key_list()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_round_trip_through_metrics() {
        for (i, m) in METRICS.iter().enumerate() {
            assert!(METRICS[..i].iter().all(|o| o.key != m.key), "{}", m.key);
            assert!(m.tolerance_rel >= 0.0 && !m.tolerance_why.is_empty());
            assert!(!m.description.is_empty());
            let mut v = Metrics::default();
            (m.set)(&mut v, Some(7.0));
            assert_eq!((m.get)(&v), Some(7.0), "{}", m.key);
        }
    }
}
