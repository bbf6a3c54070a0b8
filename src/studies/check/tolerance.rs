//! Tolerances of the regression gate: each metric's relative tolerance (default from the
//! registry, `--tolerance METRIC=REL` to change it) and the last-digit step no tolerance can
//! go below.

use crate::model::registry::{self, MetricInfo, METRICS};
use crate::model::skin::Layer;

/// The relative tolerance of every metric.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricTolerances {
    /// In registry order.
    rel: Vec<f64>,
}

impl Default for MetricTolerances {
    /// Each metric's default from the registry.
    fn default() -> Self {
        MetricTolerances {
            rel: METRICS.iter().map(|m| m.tolerance_rel).collect(),
        }
    }
}

impl MetricTolerances {
    /// The relative tolerance of `key`.
    pub fn rel(&self, key: &str) -> f64 {
        METRICS
            .iter()
            .position(|m| m.key == key)
            .map_or(0.0, |i| self.rel[i])
    }

    /// Sets the relative tolerance of `key`.
    pub fn set(&mut self, key: &str, rel: f64) -> Result<(), String> {
        let Some(i) = METRICS.iter().position(|m| m.key == key) else {
            return Err(format!(
                "unknown metric `{key}`; the metrics are {}",
                registry::key_list()
            ));
        };
        if !(rel.is_finite() && rel >= 0.0) {
            return Err(format!("`{key}={rel}`: REL must be a finite number, 0 or more, a fraction of the baseline value (0.01 is 1 %)"));
        }
        self.rel[i] = rel;
        Ok(())
    }
}

/// Parses `METRIC=REL` (REL a fraction: 0.01 is 1 %).
///
/// # Examples
/// ```
/// use needlemap::studies::check::parse_tolerance;
/// assert_eq!(parse_tolerance("max_gap_mm=0.05"), Ok(("max_gap_mm", 0.05)));
/// assert!(parse_tolerance("gap=0.05").is_err());
/// assert!(parse_tolerance("max_gap_mm=-1").is_err());
/// ```
pub fn parse_tolerance(arg: &str) -> Result<(&'static str, f64), String> {
    let Some((key, rel)) = arg.split_once('=') else {
        return Err(format!(
            "`{arg}`: expected METRIC=REL, e.g. coverage_fraction=0.01 (1 %)"
        ));
    };
    let (key, rel) = (key.trim(), rel.trim());
    let Some(k) = registry::metric(key).map(|m| m.key) else {
        return Err(format!(
            "unknown metric `{key}`; the metrics are {}",
            registry::key_list()
        ));
    };
    let x = rel.parse::<f64>().unwrap_or(f64::NAN);
    MetricTolerances::default().set(k, x).map_err(|_| format!("`{key}={rel}`: REL must be a finite number, 0 or more, a fraction of the baseline value (0.01 is 1 %)"))?;
    Ok((k, x))
}

/// One unit in the last decimal the baseline writes `key` (a metric or a layer-fraction
/// column) with; 0 for integer counts.
pub fn step(key: &str) -> f64 {
    registry::metric(key).map_or_else(|| 10f64.powi(-(decimals(key) as i32)), MetricInfo::step)
}

/// Decimals the baseline writes `key` (a metric or a layer-fraction column) with.
pub fn decimals(key: &str) -> usize {
    registry::metric(key).map_or(Layer::FRACTION_DECIMALS, |m| m.decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_flags() {
        let mut t = MetricTolerances::default();
        assert_eq!(t.rel("coverage_fraction"), 0.0);
        t.set("coverage_fraction", 0.25).unwrap();
        assert_eq!(t.rel("coverage_fraction"), 0.25);
        assert!(parse_tolerance("coverage")
            .unwrap_err()
            .contains("METRIC=REL"));
        assert!(parse_tolerance("coverage=1")
            .unwrap_err()
            .contains("unknown metric `coverage`"));
        assert!(parse_tolerance("time_s=abc")
            .unwrap_err()
            .contains("REL must be"));
        assert!(parse_tolerance("time_s=NaN").is_err());
        assert!(parse_tolerance("time_s=inf").is_err());
        assert_eq!(parse_tolerance(" time_s = 0 "), Ok(("time_s", 0.0)));
    }
}
