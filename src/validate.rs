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

use crate::analysis::{self, Analysis};
use crate::design::Design;
use crate::error::LimitError;
use crate::progress::Progress;
use serde::Serialize;

/// A quantity an experiment measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Mean insertion depth over the channels, mm (`mean_depth_mm`).
    DepthMm,
    /// Mean depth of the channels left after withdrawal, mm (`mean_channel_depth_mm`).
    ChannelDepthMm,
    /// Mean width of the openings across their short axis (2r), mm.
    OpeningMm,
}

impl Quantity {
    /// The keys design files use.
    pub const KEYS: [&'static str; 3] = ["depth_mm", "channel_depth_mm", "opening_mm"];

    /// The quantity named `key`.
    pub fn from_key(key: &str) -> Option<Quantity> {
        match key {
            "depth_mm" => Some(Quantity::DepthMm),
            "channel_depth_mm" => Some(Quantity::ChannelDepthMm),
            "opening_mm" => Some(Quantity::OpeningMm),
            _ => None,
        }
    }

    /// Its key.
    pub fn key(self) -> &'static str {
        Quantity::KEYS[self as usize]
    }

    /// Plain words for the table.
    pub fn label(self) -> &'static str {
        match self {
            Quantity::DepthMm => "insertion depth",
            Quantity::ChannelDepthMm => "channel depth",
            Quantity::OpeningMm => "opening width",
        }
    }

    /// The analysis' prediction of this quantity, mm; `None` when no channel was made.
    pub fn predict(self, a: &Analysis) -> Option<f64> {
        match self {
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
}

/// The band a prediction must meet.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Within one standard deviation of the measured mean.
    OneSd,
    /// Within this fraction of the measured mean.
    Relative(f64),
}

/// Whether a parameter was fitted to the figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A skin parameter was fitted to this figure.
    Calibration,
    /// The figure was held out.
    Validation,
}

/// One measured figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measured {
    /// What was measured.
    pub quantity: Quantity,
    /// Measured mean, mm.
    pub mean: f64,
    /// Measured standard deviation, mm, where reported.
    pub sd: Option<f64>,
    /// The band the prediction must meet.
    pub band: Band,
    /// Calibration or validation.
    pub role: Role,
    /// What was fitted, or what the figure checks.
    pub note: String,
    /// Whether leaving the band fails `needlemap validate`.
    pub gate: bool,
}

impl Measured {
    /// The band as (low, high), mm.
    pub fn bounds(&self) -> (f64, f64) {
        let half = match self.band {
            Band::OneSd => self.sd.unwrap_or(0.0),
            Band::Relative(t) => t * self.mean,
        };
        (self.mean - half, self.mean + half)
    }
}

/// A published experiment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Experiment {
    /// Authors, journal and year.
    pub study: String,
    /// DOI, where there is one.
    pub doi: String,
    /// The conditions the study reports, in words.
    pub conditions: String,
    /// The figures it measured.
    pub measured: Vec<Measured>,
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
    /// The prediction, mm (`None`: no channel made).
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
            let predicted = m.quantity.predict(&a);
            let (lo, hi) = m.bounds();
            let within = predicted.is_some_and(|p| (lo..=hi).contains(&p));
            rows.push(Row {
                design: d.name.clone(),
                study: e.study.clone(),
                doi: e.doi.clone(),
                skin: d.skin.preset.clone(),
                measured: m.clone(),
                predicted,
                relative_error: predicted.map(|p| (p - m.mean) / m.mean),
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

/// The table as text, µm.
pub fn table(rows: &[Row]) -> String {
    let mut out = vec![vec![
        "study".to_string(),
        "design".into(),
        "skin".into(),
        "quantity".into(),
        "measured µm".into(),
        "predicted µm".into(),
        "error".into(),
        "band µm".into(),
        "role".into(),
        "verdict".into(),
    ]];
    for r in rows {
        let m = &r.measured;
        let (lo, hi) = m.bounds();
        let measured = match m.sd {
            Some(sd) => format!("{:.1} ± {:.1}", m.mean * 1000.0, sd * 1000.0),
            None => format!("{:.1}", m.mean * 1000.0),
        };
        out.push(vec![
            r.study.clone(),
            r.design.clone(),
            r.skin.clone(),
            m.quantity.label().to_string(),
            measured,
            r.predicted
                .map_or("—".into(), |p| format!("{:.1}", p * 1000.0)),
            r.relative_error
                .map_or("—".into(), |e| format!("{:+.1} %", e * 100.0)),
            format!("{:.1}–{:.1}", lo * 1000.0, hi * 1000.0),
            match m.role {
                Role::Calibration => "calibration".into(),
                Role::Validation => "validation".into(),
            },
            r.verdict().to_string(),
        ]);
    }
    crate::report::table::render_with(&out, |i, _| !(4..8).contains(&i))
}

/// The JSON record.
pub fn json(rows: &[Row]) -> Vec<u8> {
    let v = serde_json::json!({
        "tool": "needlemap",
        "version": env!("CARGO_PKG_VERSION"),
        "pass": all_pass(rows),
        "rows": rows.iter().map(|r| {
            let (lo, hi) = r.measured.bounds();
            serde_json::json!({
                "design": r.design, "study": r.study, "doi": r.doi, "skin": r.skin,
                "quantity": r.measured.quantity.key(),
                "measured_mm": r.measured.mean, "sd_mm": r.measured.sd,
                "band_mm": [lo, hi], "predicted_mm": r.predicted,
                "relative_error": r.relative_error, "role": r.measured.role,
                "gate": r.measured.gate, "note": r.measured.note, "verdict": r.verdict(),
            })
        }).collect::<Vec<_>>(),
    });
    let mut b = serde_json::to_vec_pretty(&v).expect("JSON of plain values");
    b.push(b'\n');
    b
}
