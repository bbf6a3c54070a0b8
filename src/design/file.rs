//! The design file as written: plain serde structs that mirror `designs/*.toml` key for key.
//!
//! Every table denies unknown keys, so a typo is an error with its line and column. Values
//! that are checked after parsing keep their [`Spanned`] position, so a later error can point
//! at the line of the offending key. Nothing here is trusted by the engine: [`super::validate`]
//! turns these into the checked types.

use super::{
    DEFAULT_INFLUENCE_RADIUS_MM, DEFAULT_PEN_DRIVE_FORCE_N, DEFAULT_PRESSES_PER_S,
    DEFAULT_RESOLUTION_UM, DEFAULT_ROLLER_FORCE_N, DEFAULT_ROLL_SPEED_MM_S, DEFAULT_SEED,
    DEFAULT_TILE_MM, DEFAULT_TIP_LENGTH_MM, DEFAULT_TIP_RADIUS_UM,
};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use std::borrow::Cow;
use std::ops::Range;
use toml::Spanned;

/// A value with its byte span in the file. Its JSON Schema is the schema of `T`: the span is
/// where the value was written, not part of the format.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct S<T>(Spanned<T>);

impl<T> S<T> {
    /// Byte range of the value in the file.
    pub fn span(&self) -> Range<usize> {
        self.0.span()
    }
    /// The value.
    pub fn get_ref(&self) -> &T {
        self.0.get_ref()
    }
    /// The value, consuming the span.
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: PartialEq> PartialEq for S<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get_ref() == other.get_ref()
    }
}

impl<T: Eq> Eq for S<T> {}

impl<T: PartialOrd> PartialOrd for S<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.get_ref().partial_cmp(other.get_ref())
    }
}

impl<T: Ord> Ord for S<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.get_ref().cmp(other.get_ref())
    }
}

impl<T: JsonSchema> JsonSchema for S<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A needlemap design: one device (roller, pen or stamp), its needles, the skin and the
/// treatment. Reference: docs/design-format.md.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "needlemap design")]
pub struct DesignFile {
    /// Design name; also the output folder `out/<name>/`: at most 100 letters, digits, `-`, `_` or `.`, not starting with `.`.
    #[schemars(extend("pattern" = "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$"))]
    pub name: S<String>,
    /// Free text, copied into the reports.
    pub description: Option<String>,
    /// The device: `roller` (a drum rolled over the skin), `pen` (a cartridge stamped by a motor) or `stamp` (an array pressed by hand). The design has the one device table of its kind.
    pub kind: S<Kind>,
    /// The drum; required when `kind = "roller"`, refused otherwise.
    pub roller: Option<S<RollerFile>>,
    /// The pen; required when `kind = "pen"`, refused otherwise.
    pub pen: Option<S<PenFile>>,
    /// The hand stamp; required when `kind = "stamp"`, refused otherwise.
    pub stamp: Option<S<StampFile>>,
    /// Needle shape, shared by every needle of the device.
    pub needle: S<NeedleFile>,
    /// Manufacturing variation of the needles; without it every needle is nominal.
    pub tolerance: Option<ToleranceFile>,
    /// Skin model: a preset and any figure overridden; without it the `face` preset.
    pub skin: Option<SkinFile>,
    /// How the device is moved over the region.
    pub treatment: S<TreatmentFile>,
    /// Raster and tile settings of the area metrics.
    pub analysis: Option<AnalysisFile>,
    /// The published experiment a design under designs/validation/ reproduces (`needlemap validate`).
    pub experiment: Option<ExperimentFile>,
    /// `[spec]`: metric key → limits (`coverage_fraction = { min = 0.15 }`).
    pub spec: Option<std::collections::BTreeMap<S<String>, S<LimitFile>>>,
}

/// One `[spec]` entry: `{ min = …, max = … }`, either or both.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitFile {
    /// Smallest value that passes, in the metric's unit (fractions as fractions).
    pub min: Option<S<f64>>,
    /// Largest value that passes, in the metric's unit (fractions as fractions).
    pub max: Option<S<f64>>,
}

/// `kind = "roller" | "pen" | "stamp"`.
#[derive(Debug, Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A drum of needles rolled over the skin.
    Roller,
    /// A cartridge stamped vertically by a motor while the hand moves.
    Pen,
    /// An array pressed by hand, lane by lane.
    Stamp,
}

/// `[roller]`: the drum.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollerFile {
    /// Drum diameter D, mm.
    pub drum_diameter_mm: S<f64>,
    /// Drum width W along its axis, mm; at least one needle diameter.
    pub drum_width_mm: S<f64>,
    /// Rolling speed over the skin, mm/s. Default: an assumption (no source gives one): a hand-rolled stroke of about 4 cm in a little over a second.
    #[schemars(extend("default" = DEFAULT_ROLL_SPEED_MM_S))]
    pub roll_speed_mm_s: Option<S<f64>>,
    /// Hand force pressing the drum onto the skin, N, shared by the needles in contact. Default: an assumption (no source measures it): a light press of the handle, a few hundred grams.
    #[schemars(extend("default" = DEFAULT_ROLLER_FORCE_N))]
    pub force_n: Option<S<f64>>,
    /// Where the needles sit on the drum.
    pub layout: S<LayoutFile>,
}

/// `pattern = "rings" | "explicit"`.
#[derive(Debug, Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LayoutPattern {
    /// Rings of needles evenly spaced along the axis, evenly spaced around the drum.
    Rings,
    /// Every needle's position given, inline or in a CSV file.
    Explicit,
}

/// `[roller.layout]`: the keys of every pattern; validation rejects keys of another pattern.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutFile {
    /// How the needles are placed: `rings` (needs `rings`, `needles_per_ring`) or `explicit` (needs `needles` or `needles_csv`).
    pub pattern: S<LayoutPattern>,
    /// Pattern `rings`, required: number of rings along the drum's axis.
    #[schemars(extend("minimum" = 1, "maximum" = super::validate::MAX_NEEDLES))]
    pub rings: Option<S<i64>>,
    /// Pattern `rings`, required: needles around each ring, evenly spaced; they must not collide around the drum. At most 20 000 needles in all.
    #[schemars(extend("minimum" = 1, "maximum" = super::validate::MAX_NEEDLES))]
    pub needles_per_ring: Option<S<i64>>,
    /// Pattern `rings`: axial distance between neighbouring rings, mm; the rings and one needle diameter must fit on the drum. Default: the drum width divided by the number of rings.
    pub ring_pitch_mm: Option<S<f64>>,
    /// Pattern `rings`: angular offset of each ring from the previous one, degrees, from −360 to 360.
    #[schemars(extend("default" = 0.0))]
    pub stagger_deg: Option<S<f64>>,
    /// Pattern `explicit`: the needles as `[[axial_mm, angle_deg], ...]` (or `[axial_mm, angle_deg, length_mm]`), axial position from the drum's mid-plane in mm (on the drum) and angle on the drum in degrees (−360 to 360); a length as `needle.length_mm` (above 0, at most 10 mm). At most 20 000. Give this or `needles_csv`.
    pub needles: Option<S<Vec<Vec<f64>>>>,
    /// Pattern `explicit`: a CSV file of the needles (columns `axial_mm,angle_deg`, optionally `length_mm`; each value in the range of `needles`), relative to the design file and inside the project root; at most 20 000 rows. Give this or `needles`.
    pub needles_csv: Option<S<String>>,
}

/// `[pen]`: a motor-driven cartridge.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenFile {
    /// Depth setting: how far the needles stand out of the cartridge, mm (a pen has no `needle.length_mm`).
    pub depth_mm: S<f64>,
    /// Stamps per second, Hz.
    pub frequency_hz: S<f64>,
    /// Hand speed along the stroke, mm/s.
    pub hand_speed_mm_s: S<f64>,
    /// Cartridge rotation relative to the stroke, degrees, from −360 to 360.
    #[schemars(extend("default" = 0.0))]
    pub cartridge_angle_deg: Option<S<f64>>,
    /// Motor force driving the cartridge into the skin at each stamp, N. Default: an assumption (no source gives a pen's motor force).
    #[schemars(extend("default" = DEFAULT_PEN_DRIVE_FORCE_N))]
    pub drive_force_n: Option<S<f64>>,
    /// Where the needles sit in the cartridge.
    pub cartridge: S<CartridgeFile>,
}

/// `[stamp]`: a hand-pressed array.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StampFile {
    /// Force of one press, N, shared by the needles of the array.
    pub force_n: S<f64>,
    /// Distance between presses along a lane, mm. Default: the array's length along the stroke plus one gap (the grid pitch, else one needle diameter), so presses tile the lane.
    pub step_mm: Option<S<f64>>,
    /// Presses per second, 1/s (sets the treatment time). Default: an assumption.
    #[schemars(extend("default" = DEFAULT_PRESSES_PER_S))]
    pub presses_per_s: Option<S<f64>>,
    /// Array rotation relative to the stroke, degrees, from −360 to 360.
    #[schemars(extend("default" = 0.0))]
    pub array_angle_deg: Option<S<f64>>,
    /// Where the needles sit in the array.
    pub array: S<CartridgeFile>,
}

/// `pattern = "grid" | "ring" | "explicit"`.
#[derive(Debug, Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CartridgePattern {
    /// Rows along the stroke × columns across it at one pitch.
    Grid,
    /// Needles evenly spaced on a circle, optionally one in the centre.
    Ring,
    /// Every needle's position given.
    Explicit,
}

/// `[pen.cartridge]` and `[stamp.array]`: the keys of every pattern; validation rejects keys of another pattern.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CartridgeFile {
    /// How the needles are placed: `grid` (needs `rows`, `cols`, `pitch_mm`), `ring` (needs `count`, `diameter_mm`) or `explicit` (needs `needles`).
    pub pattern: S<CartridgePattern>,
    /// Pattern `grid`, required: how many needles stand one behind another along the stroke (each row runs across it).
    #[schemars(extend("minimum" = 1, "maximum" = 1000))]
    pub rows: Option<S<i64>>,
    /// Pattern `grid`, required: how many needles stand side by side across the stroke.
    #[schemars(extend("minimum" = 1, "maximum" = 1000))]
    pub cols: Option<S<i64>>,
    /// Pattern `grid`, required: distance between neighbouring needles, mm; at least one needle diameter when there is more than one needle.
    pub pitch_mm: Option<S<f64>>,
    /// Pattern `ring`, required: needles on the circle.
    #[schemars(extend("minimum" = 1, "maximum" = 1000))]
    pub count: Option<S<i64>>,
    /// Pattern `ring`, required: diameter of the circle through the needles, mm.
    pub diameter_mm: Option<S<f64>>,
    /// Pattern `ring`: one more needle in the centre of the circle.
    #[schemars(extend("default" = false))]
    pub centre: Option<bool>,
    /// Pattern `explicit`, required: the needles as `[[along_mm, across_mm], ...]`, mm from the array's centre along and across the stroke (within ±25 mm for a pen's cartridge, ±100 mm for a stamp's array); at least one, none closer than one needle diameter.
    pub needles: Option<S<Vec<Vec<f64>>>>,
}

/// `[needle]`: the shape shared by every needle of the device.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedleFile {
    /// Exposed needle length h, mm; required for a roller and a stamp, refused for a pen (which sets `pen.depth_mm`).
    pub length_mm: Option<S<f64>>,
    /// Needle shaft diameter d, mm; also the least distance between needles.
    pub diameter_mm: S<f64>,
    /// Length t of the conical tip, mm. Default: an assumption (no source gives one).
    #[schemars(extend("default" = DEFAULT_TIP_LENGTH_MM))]
    pub tip_length_mm: Option<S<f64>>,
    /// Radius of the tip's point, µm: sets the puncture force. Default: a 770 µm DermaRoller needle's tip measured 4 µm (Kalluri 2011).
    #[schemars(extend("default" = DEFAULT_TIP_RADIUS_UM))]
    pub tip_radius_um: Option<S<f64>>,
}

/// `[tolerance]`: manufacturing variation, drawn per needle from the seed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToleranceFile {
    /// Standard deviation of each needle's length, mm.
    #[schemars(extend("default" = 0.0))]
    pub length_sd_mm: Option<S<f64>>,
    /// Standard deviation of each roller needle's angular position on the drum, degrees.
    #[schemars(extend("default" = 0.0))]
    pub angle_sd_deg: Option<S<f64>>,
    /// Fraction of needles missing (bent or broken off), from 0 to 0.999 (a device with every needle missing makes no channel).
    #[schemars(extend("default" = 0.0))]
    pub missing_fraction: Option<S<f64>>,
    /// Standard deviation of each needle's tip radius, µm: every needle's tip radius is drawn from a normal around needle.tip_radius_um, truncated to (0, the shaft's radius]; a blunter tip needs more force to pierce.
    #[schemars(extend("default" = 0.0))]
    pub tip_radius_sd_um: Option<S<f64>>,
}

/// `[skin]`: a preset, then any of its figures overridden (docs/sources.md gives each source).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkinFile {
    /// The preset the figures start from: `face` and `body` (human), `rat`.
    #[schemars(extend("default" = "face", "enum" = crate::skin::PRESETS))]
    pub preset: Option<S<String>>,
    /// Residual tenting δ₀ of the surface around a pierced, fully loaded needle, mm: a needle pressed to its base reaches its length minus this. Default: the preset's.
    pub deflection_mm: Option<S<f64>>,
    /// How far the surface follows a roller needle sideways before it tears, mm (sets the opening's length). Default: the preset's.
    pub tangential_slack_mm: Option<S<f64>>,
    /// Puncture force F₀ of an ideally sharp tip, N. Default: the preset's.
    pub puncture_force_n: Option<S<f64>>,
    /// Puncture force p gained per mm² of tip area, N/mm². Default: the preset's.
    pub tip_pressure_n_mm2: Option<S<f64>>,
    /// Tenting stiffness k: force per mm of surface deflection before puncture, N/mm. Default: the preset's.
    pub tenting_stiffness_n_mm: Option<S<f64>>,
    /// Insertion resistance c: force gained per mm of depth after puncture, N/mm. Default: the preset's.
    pub insertion_resistance_n_mm: Option<S<f64>>,
    /// Closure radius r_c: a channel narrower than this closes after withdrawal, µm. Default: the preset's.
    pub closure_radius_um: Option<S<f64>>,
    /// Thickness of the stratum corneum, mm. Default: the preset's.
    pub stratum_corneum_mm: Option<S<f64>>,
    /// Thickness of the viable epidermis, mm. Default: the preset's.
    pub viable_epidermis_mm: Option<S<f64>>,
    /// Thickness of the papillary dermis, mm. Default: the preset's.
    pub papillary_dermis_mm: Option<S<f64>>,
    /// Thickness of the reticular dermis, mm (the subcutis below is unbounded). Default: the preset's.
    pub reticular_dermis_mm: Option<S<f64>>,
}

/// `[treatment]`: the region and the passes over it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentFile {
    /// The treated region `[Lx, Ly]`, mm: two finite lengths greater than 0.
    #[schemars(extend("minItems" = 2, "maxItems" = 2))]
    pub area_mm: S<Vec<f64>>,
    /// The passes, in order: `[{ angle_deg = 0.0, count = 5 }, ...]`; at least one, at most 10 000 in all.
    #[schemars(extend("minItems" = 1))]
    pub passes: S<Vec<S<PassFile>>>,
    /// Spacing of parallel strokes within a pass, mm. Default: the device's width, so lanes abut: the drum width for a roller, cols × pitch_mm for a grid cartridge or array (the needles' extent across the stroke plus one pitch), the circle's diameter for a ring, the extent across the stroke plus one needle diameter for explicit needles.
    pub lane_spacing_mm: Option<S<f64>>,
    /// Seed of the random offsets, phases and tolerances; a whole number.
    #[schemars(extend("default" = DEFAULT_SEED, "minimum" = 0))]
    pub seed: Option<S<i64>>,
    /// Random lane offsets and phases on (`true`) or all zero (`false`).
    #[schemars(extend("default" = true))]
    pub jitter: Option<bool>,
}

/// `[[treatment.passes]]`: one group of passes in one direction.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassFile {
    /// Stroke direction, degrees from the x axis, from −360 to 360.
    pub angle_deg: S<f64>,
    /// How many passes in this direction.
    #[schemars(extend("default" = 1, "minimum" = 1, "maximum" = super::validate::MAX_PASSES))]
    pub count: Option<S<i64>>,
}

/// `[analysis]`: raster and tile settings of the area metrics.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisFile {
    /// Raster pitch of the coverage maps, µm; finer is slower (the work is checked before it starts).
    #[schemars(extend("default" = DEFAULT_RESOLUTION_UM))]
    pub resolution_um: Option<S<f64>>,
    /// Side of the square tiles of `density_cv` and tiles.csv, mm.
    #[schemars(extend("default" = DEFAULT_TILE_MM))]
    pub tile_mm: Option<S<f64>>,
    /// Radius around an opening counted as treated, mm. Default: an assumption, a stated modelling choice, not a measured figure.
    #[schemars(extend("default" = DEFAULT_INFLUENCE_RADIUS_MM))]
    pub influence_radius_mm: Option<S<f64>>,
}

/// `[experiment]`: the published experiment a design under designs/validation/ reproduces.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperimentFile {
    /// The study, as cited in docs/sources.md.
    pub study: String,
    /// The study's DOI.
    pub doi: Option<String>,
    /// The experimental conditions in a sentence.
    pub conditions: Option<String>,
    /// The measured figures: `[[experiment.measured]]` tables, at least one.
    #[schemars(extend("minItems" = 1))]
    pub measured: S<Vec<S<MeasuredFile>>>,
}

/// `[[experiment.measured]]`: one measured figure and the band the prediction must meet.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasuredFile {
    /// The predicted quantity compared: `depth_mm` (insertion depth), `channel_depth_mm` (depth after closure) or `opening_mm` (opening width).
    #[schemars(extend("enum" = crate::validate::Quantity::KEYS))]
    pub quantity: S<String>,
    /// The measured mean, in the quantity's unit; greater than 0.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub mean: S<f64>,
    /// The measured standard deviation, in the quantity's unit; required by `band = "sd"`.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub sd: Option<S<f64>>,
    /// The band the prediction must fall in: `sd` (within one standard deviation; needs `sd`, no `tolerance`) or `relative` (within `tolerance` × mean; needs `tolerance`).
    #[schemars(extend("enum" = ["sd", "relative"]))]
    pub band: S<String>,
    /// Pass band of `band = "relative"` as a fraction of the mean.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub tolerance: Option<S<f64>>,
    /// `calibration` (a parameter was fitted to this figure) or `validation` (held out).
    #[schemars(extend("enum" = ["calibration", "validation"]))]
    pub role: S<String>,
    /// Free text shown with the row.
    pub note: Option<String>,
    /// Whether a miss fails `needlemap validate` (exit 1) or only reports.
    #[schemars(extend("default" = true))]
    pub gate: Option<bool>,
}
