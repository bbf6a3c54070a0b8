//! The design file as written: plain serde structs that mirror `designs/*.toml` key for key.
//!
//! Every table denies unknown keys, so a typo is an error with its line and column. Values
//! that are checked after parsing keep their [`Spanned`] position, so a later error can point
//! at the line of the offending key. Nothing here is trusted by the engine: [`super::validate`]
//! turns these into the checked types.

use serde::Deserialize;
use toml::Spanned;

/// A value with its byte span in the file.
pub type S<T> = Spanned<T>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignFile {
    pub name: S<String>,
    pub description: Option<String>,
    pub kind: S<Kind>,
    pub roller: Option<S<RollerFile>>,
    pub pen: Option<S<PenFile>>,
    pub stamp: Option<S<StampFile>>,
    pub needle: S<NeedleFile>,
    pub tolerance: Option<ToleranceFile>,
    pub skin: Option<SkinFile>,
    pub treatment: S<TreatmentFile>,
    pub analysis: Option<AnalysisFile>,
    pub experiment: Option<ExperimentFile>,
    /// `[spec]`: metric key → limits (`coverage_fraction = { min = 0.15 }`).
    pub spec: Option<std::collections::BTreeMap<S<String>, S<LimitFile>>>,
}

/// One `[spec]` entry: `{ min = …, max = … }`, either or both.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitFile {
    pub min: Option<S<f64>>,
    pub max: Option<S<f64>>,
}

/// `kind = "roller" | "pen" | "stamp"`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Roller,
    Pen,
    Stamp,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollerFile {
    pub drum_diameter_mm: S<f64>,
    pub drum_width_mm: S<f64>,
    pub roll_speed_mm_s: Option<S<f64>>,
    pub force_n: Option<S<f64>>,
    pub layout: S<LayoutFile>,
}

/// `pattern = "rings" | "explicit"`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LayoutPattern {
    Rings,
    Explicit,
}

/// `[roller.layout]`: the keys of every pattern; validation rejects keys of another pattern.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutFile {
    pub pattern: S<LayoutPattern>,
    pub rings: Option<S<i64>>,
    pub needles_per_ring: Option<S<i64>>,
    pub ring_pitch_mm: Option<S<f64>>,
    pub stagger_deg: Option<S<f64>>,
    pub needles: Option<S<Vec<Vec<f64>>>>,
    pub needles_csv: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PenFile {
    pub depth_mm: S<f64>,
    pub frequency_hz: S<f64>,
    pub hand_speed_mm_s: S<f64>,
    pub cartridge_angle_deg: Option<S<f64>>,
    pub drive_force_n: Option<S<f64>>,
    pub cartridge: S<CartridgeFile>,
}

/// `[stamp]`: a hand-pressed array.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StampFile {
    pub force_n: S<f64>,
    pub step_mm: Option<S<f64>>,
    pub presses_per_s: Option<S<f64>>,
    pub array_angle_deg: Option<S<f64>>,
    pub array: S<CartridgeFile>,
}

/// `pattern = "grid" | "ring" | "explicit"`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CartridgePattern {
    Grid,
    Ring,
    Explicit,
}

/// `[pen.cartridge]` and `[stamp.array]`: the keys of every pattern; validation rejects keys of another pattern.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartridgeFile {
    pub pattern: S<CartridgePattern>,
    pub rows: Option<S<i64>>,
    pub cols: Option<S<i64>>,
    pub pitch_mm: Option<S<f64>>,
    pub count: Option<S<i64>>,
    pub diameter_mm: Option<S<f64>>,
    pub centre: Option<bool>,
    pub needles: Option<S<Vec<Vec<f64>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedleFile {
    pub length_mm: Option<S<f64>>,
    pub diameter_mm: S<f64>,
    pub tip_length_mm: Option<S<f64>>,
    pub tip_radius_um: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToleranceFile {
    pub length_sd_mm: Option<S<f64>>,
    pub angle_sd_deg: Option<S<f64>>,
    pub missing_fraction: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkinFile {
    pub preset: Option<S<String>>,
    pub deflection_mm: Option<S<f64>>,
    pub tangential_slack_mm: Option<S<f64>>,
    pub puncture_force_n: Option<S<f64>>,
    pub tip_pressure_n_mm2: Option<S<f64>>,
    pub tenting_stiffness_n_mm: Option<S<f64>>,
    pub insertion_resistance_n_mm: Option<S<f64>>,
    pub closure_radius_um: Option<S<f64>>,
    pub stratum_corneum_mm: Option<S<f64>>,
    pub viable_epidermis_mm: Option<S<f64>>,
    pub papillary_dermis_mm: Option<S<f64>>,
    pub reticular_dermis_mm: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreatmentFile {
    pub area_mm: S<Vec<f64>>,
    pub passes: S<Vec<S<PassFile>>>,
    pub lane_spacing_mm: Option<S<f64>>,
    pub seed: Option<S<i64>>,
    pub jitter: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassFile {
    pub angle_deg: S<f64>,
    pub count: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisFile {
    pub resolution_um: Option<S<f64>>,
    pub tile_mm: Option<S<f64>>,
    pub influence_radius_mm: Option<S<f64>>,
}

/// `[experiment]`: the published experiment a design under designs/validation/ reproduces.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentFile {
    pub study: String,
    pub doi: Option<String>,
    pub conditions: Option<String>,
    pub measured: S<Vec<S<MeasuredFile>>>,
}

/// `[[experiment.measured]]`: one measured figure and the band the prediction must meet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasuredFile {
    pub quantity: S<String>,
    pub mean: S<f64>,
    pub sd: Option<S<f64>>,
    pub band: S<String>,
    pub tolerance: Option<S<f64>>,
    pub role: S<String>,
    pub note: Option<String>,
    pub gate: Option<bool>,
}
