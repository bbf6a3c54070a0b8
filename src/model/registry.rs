//! The metric registry (model §5): every fact about a metric — key, unit, decimals, default CI
//! tolerance and why, which way is better, what it means, and its field of [`Metrics`] — in
//! one declaration that makes both the [`Metrics`] struct and the table [`METRICS`], in
//! output order.
//!
//! Every serializer and command reads this table: summary.csv and sweep.csv columns and
//! decimals, the terminal tables' units, the JSON record, the baseline file and its default
//! tolerances, the sweep's `--best` directions and the merge of sharded sweeps. Adding a
//! metric is one entry in the `metrics!` declaration below (its field of [`Metrics`], with
//! its `get` and `set`, comes from it) and its computation in [`crate::metrics::analysis`].

use crate::base::fmt::fmt_num;
use serde::ser::{Serialize, SerializeMap, Serializer};

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
    /// use needlemap::model::registry::metric;
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
const STRENGTH: &str =
    "closed forms and a bisection eigen-solve of each needle's geometry, material and force-balance loads";

/// A metric's value as [`Metrics`] holds it: a count, a number, or a number that may be
/// undefined. The registry's `get` and `set` follow from it.
trait Value {
    fn get(&self) -> Option<f64>;
    /// `None` leaves a plain number at what it is.
    fn set(&mut self, v: Option<f64>);
}

impl Value for u64 {
    fn get(&self) -> Option<f64> {
        Some(*self as f64)
    }
    fn set(&mut self, v: Option<f64>) {
        if let Some(x) = v {
            *self = x as u64;
        }
    }
}

impl Value for f64 {
    fn get(&self) -> Option<f64> {
        Some(*self)
    }
    fn set(&mut self, v: Option<f64>) {
        if let Some(x) = v {
            *self = x;
        }
    }
}

impl Value for Option<f64> {
    fn get(&self) -> Option<f64> {
        *self
    }
    fn set(&mut self, v: Option<f64>) {
        *self = v;
    }
}

/// Declares every metric once: its field of [`Metrics`] (doc comment, name, type) and its
/// [`METRICS`] entry, whose key is the field's name and whose `get`/`set` follow the type.
macro_rules! metrics {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident: $ty:ty {
            unit: $unit:expr,
            table_decimals: $table_decimals:expr,
            decimals: $decimals:expr,
            tolerance_rel: $tolerance_rel:expr,
            tolerance_why: $tolerance_why:expr,
            better: $better:ident,
            description: $description:expr,
        },
    )*) => {
        /// The metrics of one design. Their keys, units, decimals and order are those of
        /// [`METRICS`], declared with them; it serializes as a map in that order (counts as
        /// integers, undefined metrics as null).
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct Metrics {
            $($(#[doc = $doc])* pub $field: $ty,)*
        }

        /// Every metric, in output order (JSON keys, CSV columns, table rows).
        pub const METRICS: &[MetricInfo] = &[$(MetricInfo {
            key: stringify!($field),
            unit: $unit,
            table_decimals: $table_decimals,
            decimals: $decimals,
            tolerance_rel: $tolerance_rel,
            tolerance_why: $tolerance_why,
            better: Better::$better,
            description: $description,
            get: |m| Value::get(&m.$field),
            set: |m, v| Value::set(&mut m.$field, v),
        },)*];
    };
}

metrics! {
    /// Channels whose centre lies in the region.
    channels: u64 {
        unit: "",
        table_decimals: 0,
        decimals: 0,
        tolerance_rel: 0.0,
        tolerance_why: "an integer count of a deterministic simulation",
        better: Higher,
        description: "channels whose centre lies in the region",
    },
    /// Channels per cm² of region.
    density_per_cm2: f64 {
        unit: "/cm²",
        table_decimals: 1,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: "channels / the region's area: moves only when they do",
        better: Higher,
        description: "channels per cm² of region",
    },
    /// Share of the region inside an opening.
    coverage_fraction: Option<f64> {
        unit: "%",
        table_decimals: 2,
        decimals: 6,
        tolerance_rel: 0.0,
        tolerance_why: RASTER_SUMS,
        better: Higher,
        description: "share of the region inside an opening",
    },
    /// Share of the region within the influence radius of an opening.
    treated_fraction: Option<f64> {
        unit: "%",
        table_decimals: 2,
        decimals: 6,
        tolerance_rel: 0.0,
        tolerance_why: RASTER_SUMS,
        better: Higher,
        description: "share of the region within the influence radius of an opening",
    },
    /// Radius of the largest untreated disc, mm.
    max_gap_mm: Option<f64> {
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: "branch and bound on the openings' geometry, within 0.5 um at any pitch",
        better: Lower,
        description: "radius of the largest untreated disc",
    },
    /// Mean insertion depth, mm.
    mean_depth_mm: Option<f64> {
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: None,
        description: "mean insertion depth",
    },
    /// Shallowest insertion, mm.
    min_depth_mm: Option<f64> {
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: None,
        description: "shallowest insertion depth",
    },
    /// Deepest insertion, mm.
    max_depth_mm: Option<f64> {
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: None,
        description: "deepest insertion depth",
    },
    /// 5th percentile of insertion depth, mm.
    p05_depth_mm: Option<f64> {
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: None,
        description: "5th percentile of insertion depth",
    },
    /// 95th percentile of insertion depth, mm.
    p95_depth_mm: Option<f64> {
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: None,
        description: "95th percentile of insertion depth",
    },
    /// Mean depth of the channels left after withdrawal, mm.
    mean_channel_depth_mm: Option<f64> {
        unit: "mm",
        table_decimals: 3,
        decimals: 5,
        tolerance_rel: 0.0,
        tolerance_why: DEPTHS,
        better: None,
        description: "mean depth of the channels left after withdrawal",
    },
    /// Coefficient of variation of channel counts over whole tiles.
    density_cv: Option<f64> {
        unit: "",
        table_decimals: 3,
        decimals: 6,
        tolerance_rel: 0.0,
        tolerance_why: "from integer channel counts per tile",
        better: Lower,
        description: "coefficient of variation of channel counts over whole tiles",
    },
    /// Share of channels whose opening meets an earlier one.
    overlap_fraction: Option<f64> {
        unit: "%",
        table_decimals: 2,
        decimals: 6,
        tolerance_rel: 0.0,
        tolerance_why: "an integer count of exact geometric tests / channels",
        better: Lower,
        description: "share of channels whose opening meets an earlier one",
    },
    /// Channels made per second of treatment.
    puncture_rate_per_s: f64 {
        unit: "/s",
        table_decimals: 1,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: CLOSED_FORM,
        better: Higher,
        description: "channels made per second of treatment",
    },
    /// Treatment time, s.
    time_s: f64 {
        unit: "s",
        table_decimals: 1,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: CLOSED_FORM,
        better: Lower,
        description: "treatment time",
    },
    /// Smallest over the needles of buckling load / axial load (free point before puncture,
    /// held after).
    min_buckling_safety_factor: Option<f64> {
        unit: "",
        table_decimals: 2,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: STRENGTH,
        better: Higher,
        description: "smallest over the needles of buckling load / axial load at insertion",
    },
    /// Smallest over the needles of the side load that yields the weakest section (root or
    /// tip) / the side load at insertion.
    min_bending_safety_factor: Option<f64> {
        unit: "",
        table_decimals: 2,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: STRENGTH,
        better: Higher,
        description: "smallest over the needles of side load that yields the root or tip / side load at insertion",
    },
    /// Pens: smallest over the needles of the fatigue strength at a session's strokes / the
    /// equivalent stress amplitude per stroke (Goodman); undefined for other kinds and for
    /// materials without an endurance limit.
    fatigue_safety_factor: Option<f64> {
        unit: "",
        table_decimals: 2,
        decimals: 4,
        tolerance_rel: 0.0,
        tolerance_why: STRENGTH,
        better: Higher,
        description: "pens: fatigue strength at a session's strokes / stress amplitude per stroke",
    },
}

/// The metric called `key`.
///
/// # Examples
/// ```
/// use needlemap::model::registry::{metric, Better};
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

impl MetricInfo {
    /// Whether `x` can be a bound on this metric: a fraction (shown as % in the tables) is
    /// written as a fraction from 0 to 1, so `11` for 11 % is refused with what it means.
    ///
    /// # Examples
    /// ```
    /// let m = needlemap::model::registry::metric("coverage_fraction").unwrap();
    /// assert!(m.check_bound(0.11).is_ok());
    /// assert!(m.check_bound(11.0).unwrap_err().contains("11 % is 0.11"));
    /// ```
    pub fn check_bound(&self, x: f64) -> Result<(), String> {
        if self.unit == "%" && !(0.0..=1.0).contains(&x) {
            return Err(format!(
                "{} is a fraction from 0 to 1 (the tables show it as %): {} % is {}",
                self.key,
                x,
                x / 100.0
            ));
        }
        Ok(())
    }
}

/// Unit and decimals shown for a metric in tables (from [`METRICS`]; a key that is
/// no metric, such as a derived quantity, shows as a plain number with 3 decimals).
pub fn metric_unit(key: &str) -> (&'static str, usize) {
    metric(key).map_or(("", 3), |m| (m.unit, m.table_decimals))
}

/// A metric value as a table shows it (fractions as percent).
pub fn show_metric(key: &str, v: Option<f64>) -> String {
    let (unit, dec) = metric_unit(key);
    match v {
        None => "—".to_string(),
        Some(x) if unit == "%" => fmt_num(x * 100.0, dec),
        Some(x) => fmt_num(x, dec),
    }
}

impl Metrics {
    /// The metric named `key` (see [`METRICS`]); `None` if undefined or unknown.
    ///
    /// # Examples
    /// ```
    /// let m = needlemap::model::registry::Metrics { channels: 3, ..Default::default() };
    /// assert_eq!(m.get("channels"), Some(3.0));
    /// assert_eq!(m.get("max_gap_mm"), None);
    /// ```
    pub fn get(&self, key: &str) -> Option<f64> {
        metric(key).and_then(|m| (m.get)(self))
    }

    /// Every metric with its value, in registry order.
    pub fn values(&self) -> impl Iterator<Item = (&'static MetricInfo, Option<f64>)> + '_ {
        METRICS.iter().map(move |m| (m, (m.get)(self)))
    }
}

impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(METRICS.len()))?;
        for (m, v) in self.values() {
            match v {
                // Counts are whole numbers: written as integers, not 3681.0.
                Some(x) if m.is_count() => map.serialize_entry(m.key, &(x as u64))?,
                v => map.serialize_entry(m.key, &v)?,
            }
        }
        map.end()
    }
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
