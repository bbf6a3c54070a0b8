//! Validation: the published experiments needlemap reproduces, prediction against measurement.
//!
//! Each experiment is one design file under `designs/validation/` with an `[experiment]`
//! table: the study, the conditions it reports (and, for those it does not, the assumption
//! the design states in its comments), and one `[[experiment.measured]]` entry per figure:
//! the quantity, the measured mean and SD, the band the prediction must meet (`sd`: within
//! one SD; `relative`: within a stated fraction of the mean), and its role: `calibration`
//! when a parameter of the skin preset was fitted to that figure (the row then shows that
//! the fit holds with everything else in place), `validation` when the figure was held out.
//! Entries with `gate = false` are shown but never fail the run (a figure with no reported
//! spread, checked against an assumed condition).
//!
//! There is one set of skin parameters per species preset, shared by every experiment.

use crate::base::error::LimitError;
use crate::base::progress::Progress;
use crate::design::experiment::{Measured, Quantity};
use crate::design::Design;
use crate::metrics::analysis::{self, Analysis};
use serde::Serialize;

/// The analysis' prediction of `q` in its file unit (mm, N, a ratio); `None` when no channel
/// was made. The failure force is that of the design's first needle as designed, pressed
/// axially with its point held (a failure test presses needles on a plate, not into skin).
pub fn predict(q: Quantity, a: &Analysis) -> Option<f64> {
    use crate::model::strength::buckling::{
        shared_elastic, transition_slenderness, BucklingCapacity, K_CLAMPED_PINNED,
    };
    use crate::model::strength::geometry::NeedleGeometry;
    match q {
        Quantity::FailureForceN => {
            let nd = &a.design.needle;
            let (_, _, length_mm) = *a.design.device.kind_of().nominal().first()?;
            let g = NeedleGeometry {
                length_mm,
                shaft_diameter_mm: nd.diameter_mm,
                tip_length_mm: nd.tip_length_mm,
                tip_radius_um: nd.tip_radius_um,
            };
            let cap = BucklingCapacity::new(&g, shared_elastic(&g), &nd.material);
            Some(cap.critical_held_n)
        }
        Quantity::TransitionAspect => {
            let m = &a.design.needle.material;
            let lambda = transition_slenderness(m.youngs_modulus_mpa, m.yield_strength_mpa);
            Some(lambda / (4.0 * K_CLAMPED_PINNED))
        }
        Quantity::DepthMm => a.metrics.mean_depth_mm,
        Quantity::ChannelDepthMm => a.metrics.mean_channel_depth_mm,
        Quantity::OpeningMm => {
            let (n, sum) = a
                .field
                .in_region()
                .fold((0u64, 0.0), |(n, s), c| (n + 1, s + 2.0 * c.radius_mm));
            (n > 0).then(|| sum / n as f64)
        }
    }
}

/// One row of the validation table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Design name.
    pub design: String,
    /// The study.
    pub study: String,
    /// DOI.
    pub doi: String,
    /// Skin preset.
    pub skin: String,
    /// The figure.
    pub measured: Measured,
    /// The prediction in the figure's unit (`None`: no channel made).
    pub predicted: Option<f64>,
    /// (prediction − mean)/mean.
    pub relative_error: Option<f64>,
    /// Whether the prediction lies in the band.
    pub within: bool,
}

impl Row {
    /// `pass`, `FAIL`, or `info` for a figure outside its band that does not gate.
    pub fn verdict(&self) -> &'static str {
        match (self.within, self.measured.gate) {
            (true, _) => "pass",
            (false, true) => "FAIL",
            (false, false) => "info",
        }
    }
}

/// Analyzes every design that carries an experiment and compares prediction with measurement.
/// Designs without an `[experiment]` table are skipped.
pub fn validate(designs: &[Design], progress: &dyn Progress) -> Result<Vec<Row>, LimitError> {
    let mut rows = Vec::new();
    for d in designs {
        let Some(e) = &d.experiment else { continue };
        let a = analysis::analyze(d, progress)?;
        for m in &e.measured {
            let predicted = predict(m.quantity, &a);
            let (lo, hi) = m.bounds();
            let within = predicted.is_some_and(|p| (lo..=hi).contains(&p));
            rows.push(Row {
                design: d.name.clone(),
                study: e.study.clone(),
                doi: e.doi.clone(),
                skin: d.skin.preset.clone(),
                measured: m.clone(),
                predicted,
                // a range has no mean to be off from
                relative_error: predicted
                    .filter(|_| !matches!(m.band, crate::design::experiment::Band::Range(..)))
                    .map(|p| (p - m.mean) / m.mean),
                within,
            });
        }
    }
    Ok(rows)
}

/// Whether every gating row lies in its band.
pub fn all_pass(rows: &[Row]) -> bool {
    rows.iter().all(|r| r.within || !r.measured.gate)
}
