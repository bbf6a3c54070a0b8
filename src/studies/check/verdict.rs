//! The verdict on one design: each metric of a fresh row against the baseline's, within its
//! tolerance, and the notes on what differs in how the two were obtained.

use super::baseline::BaselineRow;
use super::tolerance::{decimals, step, MetricTolerances};
use crate::model::registry::METRICS;
use crate::model::skin::Layer;
use serde::Serialize;

/// One metric of one design, compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricCheck {
    /// Metric key.
    pub metric: &'static str,
    /// Baseline value; `None` if undefined.
    pub baseline: Option<f64>,
    /// Value now; `None` if undefined.
    pub now: Option<f64>,
    /// now − baseline; `None` when either is undefined.
    pub change: Option<f64>,
    /// (now − baseline) / |baseline|; `None` when either is undefined or the baseline is 0.
    pub relative_change: Option<f64>,
    /// Relative tolerance applied.
    pub tolerance_rel: f64,
    /// The largest change allowed, max(REL × |baseline|, step); `None` when the baseline is
    /// undefined.
    pub allowed_change: Option<f64>,
    /// Whether the metric is within tolerance.
    pub within: bool,
}

impl MetricCheck {
    /// Compares one metric.
    pub fn new(
        metric: &'static str,
        baseline: Option<f64>,
        now: Option<f64>,
        tolerance_rel: f64,
    ) -> MetricCheck {
        let allowed = baseline.map(|b| (tolerance_rel * b.abs()).max(step(metric)));
        let (change, relative_change, within) = match (baseline, now) {
            (None, None) => (None, None, true),
            (Some(b), Some(n)) => {
                // In units of the last written decimal, where both values are whole numbers,
                // so "one digit" is exactly one and not 0.99999 or 1.00001.
                let scale = 10f64.powi(decimals(metric) as i32);
                let diff_units = ((n * scale).round() - (b * scale).round()).abs();
                let allowed_units = allowed.expect("baseline is defined") * scale;
                let within = diff_units <= allowed_units + 1e-6;
                (Some(n - b), (b != 0.0).then(|| (n - b) / b.abs()), within)
            }
            _ => (None, None, false),
        };
        MetricCheck {
            metric,
            baseline,
            now,
            change,
            relative_change,
            tolerance_rel,
            allowed_change: allowed,
            within,
        }
    }
}

/// Something about a design worth saying beside its numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// The design file's bytes differ from the baseline's.
    DesignChanged {
        /// SHA-256 in the baseline.
        baseline: String,
        /// SHA-256 now.
        now: String,
    },
    /// Analyzed with another seed.
    Seed {
        /// Seed in the baseline.
        baseline: u64,
        /// Seed now.
        now: u64,
    },
    /// Analyzed at another raster pitch.
    Resolution {
        /// Pitch in the baseline, µm.
        baseline_um: f64,
        /// Pitch now, µm.
        now_um: f64,
    },
    /// The baseline was made by another needlemap version.
    ToolVersion {
        /// Version in the baseline.
        baseline: String,
        /// This version.
        now: String,
    },
}

impl Note {
    /// A few words for the table's note column; the full text is the `Display` form.
    pub fn short(&self) -> String {
        match self {
            Note::DesignChanged { .. } => "design file changed".to_string(),
            Note::Seed { baseline, now } => format!("seed {now} (baseline {baseline})"),
            Note::Resolution {
                baseline_um,
                now_um,
            } => format!("at {now_um} µm (baseline {baseline_um} µm)"),
            Note::ToolVersion { baseline, now } => format!("needlemap {now} (baseline {baseline})"),
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::DesignChanged { baseline, now } => {
                write!(
                    f,
                    "design file changed since the baseline (sha256 {}… → {}…)",
                    &baseline[..8.min(baseline.len())],
                    &now[..8.min(now.len())]
                )
            }
            Note::Seed { baseline, now } => write!(f, "seed {now}, the baseline used {baseline}"),
            Note::Resolution {
                baseline_um,
                now_um,
            } => {
                write!(f, "analyzed at {now_um} µm, the baseline at {baseline_um} µm: the area metrics depend on the pitch")
            }
            Note::ToolVersion { baseline, now } => {
                write!(f, "baseline made by needlemap {baseline}, this is {now}")
            }
        }
    }
}

/// One design, compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DesignCheck {
    /// Design name.
    pub name: String,
    /// Design file as given.
    pub design_file: String,
    /// Line of its row in the baseline.
    pub baseline_line: u64,
    /// Whether the design file's hash differs from the baseline's.
    pub design_changed: bool,
    /// What differs in provenance.
    pub notes: Vec<Note>,
    /// Every metric, in registry order, then the five layer fractions (`<layer>_fraction`,
    /// tolerance 0 and the last-digit step) when both rows have them.
    pub metrics: Vec<MetricCheck>,
}

impl DesignCheck {
    /// The metrics outside tolerance.
    pub fn moved(&self) -> impl Iterator<Item = &MetricCheck> {
        self.metrics.iter().filter(|m| !m.within)
    }
}

/// The verdict on one design: a fresh row (see [`BaselineRow::from_analysis`]) compared with
/// the baseline's, metric by metric.
pub fn verdict(
    baseline: &BaselineRow,
    now: &BaselineRow,
    design_file: &str,
    tol: &MetricTolerances,
) -> DesignCheck {
    let mut metrics: Vec<MetricCheck> = METRICS
        .iter()
        .enumerate()
        .map(|(i, m)| MetricCheck::new(m.key, baseline.values[i], now.values[i], tol.rel(m.key)))
        .collect();
    if let (Some(b), Some(n)) = (&baseline.layers, &now.layers) {
        metrics.extend(
            Layer::ALL
                .iter()
                .zip(b.iter().zip(n))
                .map(|(l, (b, n))| MetricCheck::new(l.fraction_column(), Some(*b), Some(*n), 0.0)),
        );
    }
    let mut notes = Vec::new();
    let design_changed = baseline.design_sha256 != now.design_sha256;
    if design_changed {
        notes.push(Note::DesignChanged {
            baseline: baseline.design_sha256.clone(),
            now: now.design_sha256.clone(),
        });
    }
    if baseline.seed != now.seed {
        notes.push(Note::Seed {
            baseline: baseline.seed,
            now: now.seed,
        });
    }
    if baseline.resolution_um != now.resolution_um {
        notes.push(Note::Resolution {
            baseline_um: baseline.resolution_um,
            now_um: now.resolution_um,
        });
    }
    if baseline.tool_version != now.tool_version {
        notes.push(Note::ToolVersion {
            baseline: baseline.tool_version.clone(),
            now: now.tool_version.clone(),
        });
    }
    DesignCheck {
        name: now.name.clone(),
        design_file: design_file.to_string(),
        baseline_line: baseline.line,
        design_changed,
        notes,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{at, sample};
    use super::*;

    #[test]
    fn identical_rows_pass_and_report_nothing() {
        let a = sample();
        let c = verdict(&a, &a, "d.toml", &MetricTolerances::default());
        assert!(c.metrics.iter().all(|m| m.within));
        assert!(c.notes.is_empty() && !c.design_changed);
        assert_eq!(c.metrics[0].change, Some(0.0));
        assert_eq!(
            c.metrics[at("overlap_fraction")].change,
            None,
            "null vs null has no change"
        );
    }

    #[test]
    fn one_last_digit_passes_two_do_not() {
        // 0.36000 → 0.36001 is one unit of the 5th decimal: within the default step.
        assert!(MetricCheck::new("mean_depth_mm", Some(0.36), Some(0.36001), 0.0).within);
        assert!(!MetricCheck::new("mean_depth_mm", Some(0.36), Some(0.36002), 0.0).within);
        assert!(MetricCheck::new("coverage_fraction", Some(0.194474), Some(0.194475), 0.0).within);
        assert!(!MetricCheck::new("coverage_fraction", Some(0.194474), Some(0.194476), 0.0).within);
        // Channels are exact: no step.
        assert!(!MetricCheck::new("channels", Some(3681.0), Some(3682.0), 0.0).within);
        assert!(MetricCheck::new("channels", Some(3681.0), Some(3681.0), 0.0).within);
    }

    #[test]
    fn relative_tolerance_is_inclusive_at_its_edge() {
        // 1 % of 100 is exactly 1: 101 passes, 101.0001 does not.
        assert!(MetricCheck::new("density_per_cm2", Some(100.0), Some(101.0), 0.01).within);
        assert!(MetricCheck::new("density_per_cm2", Some(100.0), Some(99.0), 0.01).within);
        assert!(!MetricCheck::new("density_per_cm2", Some(100.0), Some(101.0001), 0.01).within);
        // 27.8 % moves fail 10 %, pass 30 %.
        assert!(!MetricCheck::new("max_depth_mm", Some(0.36), Some(0.46), 0.1).within);
        assert!(MetricCheck::new("max_depth_mm", Some(0.36), Some(0.46), 0.3).within);
        let m = MetricCheck::new("max_depth_mm", Some(0.36), Some(0.46), 0.1);
        assert!((m.relative_change.unwrap() - 0.1 / 0.36).abs() < 1e-12);
        assert!((m.allowed_change.unwrap() - 0.036).abs() < 1e-12);
        // A zero baseline allows only the step under any relative tolerance.
        assert!(!MetricCheck::new("density_cv", Some(0.0), Some(0.00001), 0.5).within);
        assert!(MetricCheck::new("density_cv", Some(0.0), Some(0.000001), 0.5).within);
    }

    #[test]
    fn null_against_number_is_always_a_change() {
        assert!(MetricCheck::new("max_gap_mm", None, None, 0.0).within);
        assert!(!MetricCheck::new("max_gap_mm", None, Some(1.0), 1e9).within);
        assert!(!MetricCheck::new("max_gap_mm", Some(1.0), None, 1e9).within);
    }

    #[test]
    fn layer_fractions_are_checked_to_the_last_digit_when_the_baseline_has_them() {
        let mut b = sample();
        let tol = MetricTolerances::default();
        let mut now = b.clone();
        now.layers = Some([0.0, 0.0, 0.25, 0.75, 0.0]);
        // An old baseline: nothing to compare the layers with.
        assert_eq!(verdict(&b, &now, "d", &tol).metrics.len(), METRICS.len());
        b.layers = Some([0.0, 0.0, 0.250001, 0.749999, 0.0]);
        let c = verdict(&b, &now, "d", &tol);
        assert_eq!(c.metrics.len(), METRICS.len() + 5);
        assert_eq!(
            c.metrics[METRICS.len() + 2].metric,
            "papillary_dermis_fraction"
        );
        assert!(c.metrics.iter().all(|m| m.within), "one last digit passes");
        b.layers = Some([0.0, 0.0, 0.250002, 0.749998, 0.0]);
        let c = verdict(&b, &now, "d", &tol);
        let moved: Vec<&str> = c.moved().map(|m| m.metric).collect();
        assert_eq!(
            moved,
            ["papillary_dermis_fraction", "reticular_dermis_fraction"]
        );
    }
}
