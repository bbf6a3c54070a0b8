//! The CI regression gate: a baseline CSV of every design's metrics, and the comparison of a
//! fresh analysis with it, metric by metric, within a tolerance.
//!
//! Teams keep roller designs in git and want CI to fail when a change — to a design or to the
//! tool — moves a metric, and to say exactly which. `needlemap baseline` writes
//! [`baseline_csv`]; `needlemap check` reads it back with [`parse_baseline`] (every error names
//! the line at fault), recomputes the designs, and gives each a verdict ([`fn@verdict`]). The
//! report is serialized by [`crate::output::check`] as a terminal table, JSON or JUnit XML;
//! each serializer returns bytes and writing them is the caller's business.
//!
//! # The baseline file
//! One row per design: `name`, every metric of the [registry](crate::model::registry)
//! written exactly as summary.csv writes it (its `decimals`, an empty cell for an undefined
//! metric), the five layer fractions as summary.csv writes them (optional: a baseline made
//! before them parses, and they go unchecked), then the provenance: `tool_version`, `design_sha256` (of the design file's
//! bytes), `seed` and `resolution_um` (the raster pitch used).
//!
//! # How a metric is compared
//! The fresh value is first written the way the baseline writes it and read back, so an
//! unchanged design compares as exactly equal (change 0), not as "equal to 6 decimals".
//! A metric passes when `|now − baseline| ≤ max(REL × |baseline|, step)`, where REL is the
//! metric's relative tolerance (default below, `--tolerance METRIC=REL` to change it) and
//! `step` is one unit in the last written decimal (none for `channels`, an integer count).
//! The step exists because a value that lies on a rounding boundary may be written with a
//! different last digit by a tool built elsewhere; it is the resolution of the file itself,
//! and no tolerance can ask for less.
//!
//! An undefined metric (no channel in the region; an empty cell) equals an undefined metric.
//! Undefined against a number is always a change, whatever the tolerance: the design went
//! from making channels in the region to making none, or the reverse.
//!
//! # Default tolerances, and why
//! The engine is deterministic: one portable seeded RNG (ChaCha8), portable transcendental
//! functions (the `libm` crate, not the platform's), integer and fixed-point sums that do not
//! depend on how the work is split, and an exact Euclidean distance transform. The same design, seed and resolution give
//! byte-identical results for any thread count and machine, so every default is tight — any
//! movement beyond the last written digit is a real change in the design or in the tool:
//!
//! Each metric's default and its reason are in the registry
//! ([`MetricInfo::tolerance_rel`](crate::model::registry::MetricInfo::tolerance_rel) and
//! `tolerance_why`); today every default is 0 for the reasons above.
//!
//! Loosen one on purpose (`--tolerance coverage_fraction=0.01` allows 1 %), e.g. while a
//! tool change that is expected to move a metric slightly is reviewed.
//!
//! Analyzing at another `--resolution-um` or `--seed` than the baseline's is allowed, and the
//! report says so next to the design: the area metrics depend on the raster pitch (the model
//! allows 0.002 of coverage and one pitch of gap between a pitch and its half), and every
//! metric on the seed.
//!
//! # Files
//! `baseline` reads and writes the baseline file; `tolerance` holds the tolerances and the
//! `METRIC=REL` flag; `verdict` compares one design; `report` gathers the verdicts.

mod baseline;
mod report;
mod tolerance;
mod verdict;

pub use baseline::{
    baseline_csv, header, layer_columns, parse_baseline, read_baseline, Baseline, BaselineError,
    BaselineRow, UnmatchedRow, PROVENANCE_COLUMNS,
};
pub use report::Report;
pub use tolerance::{decimals, parse_tolerance, step, MetricTolerances};
pub use verdict::{verdict, DesignCheck, MetricCheck, Note};

#[cfg(test)]
pub(crate) mod fixtures {
    //! Baseline rows for the tests of the check modules.
    use super::BaselineRow;
    use crate::base::VERSION;
    use crate::model::registry::METRICS;

    /// Index of metric `key` in rows and checks.
    pub fn at(key: &str) -> usize {
        METRICS
            .iter()
            .position(|m| m.key == key)
            .expect("a metric key")
    }

    /// A row with these values (in registry order).
    pub fn row(name: &str, values: Vec<Option<f64>>) -> BaselineRow {
        assert_eq!(values.len(), METRICS.len());
        BaselineRow {
            line: 2,
            name: name.into(),
            values,
            layers: None,
            tool_version: VERSION.into(),
            design_sha256: "a".repeat(64),
            seed: 1,
            resolution_um: 10.0,
        }
    }

    /// A row with every metric at `v`.
    pub fn uniform(name: &str, v: Option<f64>) -> BaselineRow {
        row(name, vec![v; METRICS.len()])
    }

    /// mf8-192's metrics as a baseline writes them (overlap undefined, for the null cases).
    pub fn sample() -> BaselineRow {
        let known = [
            ("channels", Some(3681.0)),
            ("density_per_cm2", Some(230.0625)),
            ("coverage_fraction", Some(0.194474)),
            ("treated_fraction", Some(0.953966)),
            ("max_gap_mm", Some(0.93145)),
            ("mean_depth_mm", Some(1.36)),
            ("min_depth_mm", Some(1.36)),
            ("max_depth_mm", Some(1.36)),
            ("density_cv", Some(0.030888)),
            ("overlap_fraction", None),
            ("puncture_rate_per_s", Some(91.6732)),
            ("time_s", Some(40.0)),
        ];
        let values = METRICS
            .iter()
            .map(|m| {
                known
                    .iter()
                    .find(|(k, _)| *k == m.key)
                    .map_or(Some(1.0), |(_, v)| *v)
            })
            .collect();
        row("mf8", values)
    }
}
