//! The design file as written: plain serde structs that mirror `designs/*.toml` key for key.
//!
//! Every table denies unknown keys, so a typo is an error with its line and column. Values
//! that are checked after parsing keep their [`Spanned`] position, so a later error can point
//! at the line of the offending key. Nothing here is trusted by the engine: [`super::validate`]
//! turns these into the checked types.

pub use super::kinds::Kind;
use super::{
    DEFAULT_INFLUENCE_RADIUS_MM, DEFAULT_RESOLUTION_UM, DEFAULT_SEED, DEFAULT_TILE_MM,
    DEFAULT_TIP_LENGTH_MM, DEFAULT_TIP_RADIUS_UM,
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
    /// `value`, written at `span`.
    pub fn new(span: Range<usize>, value: T) -> S<T> {
        S(Spanned::new(span, value))
    }
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

/// Declares [`DesignFile`] with one optional table per device kind of the registry
/// ([`super::kinds::with_kinds`]).
macro_rules! design_file {
    ($($module:ident => $variant:ident, $doc:literal, $table_doc:literal;)*) => {
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
    $(
        #[doc = $table_doc]
        pub $module: Option<S<super::kinds::$module::File>>,
    )*
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

    };
}

super::kinds::with_kinds!(design_file);

/// One `[spec]` entry: `{ min = …, max = … }`, either or both.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitFile {
    /// Smallest value that passes, in the metric's unit (fractions as fractions).
    pub min: Option<S<f64>>,
    /// Largest value that passes, in the metric's unit (fractions as fractions).
    pub max: Option<S<f64>>,
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
    /// The needle's material, for the strength checks (buckling, bending, fatigue): `ss304` (AISI 304, annealed), `ss316l` (316L, annealed), `ss-spring` (302/304 spring-temper wire), `ti6al4v` (Ti-6Al-4V, annealed), `ti-grade2` (CP titanium grade 2) or `pla` (polylactic acid). Default: annealed 304, the softest plausible steel. Each figure's source is in docs/sources.md.
    #[schemars(extend("default" = crate::model::material::DEFAULT_MATERIAL, "enum" = crate::model::material::MATERIALS.iter().map(|m| m.key).collect::<Vec<_>>()))]
    pub material: Option<S<String>>,
    /// Young's modulus E, GPa, replacing the material's. Default: the material's.
    pub youngs_modulus_gpa: Option<S<f64>>,
    /// Yield strength, MPa, replacing the material's. Default: the material's.
    pub yield_strength_mpa: Option<S<f64>>,
}

/// `[tolerance]`: manufacturing variation, drawn per needle from the seed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToleranceFile {
    /// Standard deviation of each needle's length, mm; a needle drawn at zero length or less is left out, as a missing one.
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
    /// The preset the figures start from: `face` and `body` (human), `rat`, `pig` (ex vivo porcine).
    #[schemars(extend("default" = "face", "enum" = crate::model::skin::PRESETS))]
    pub preset: Option<S<String>>,
    /// Removed in depth model v2 (the residual tenting is a result of the force balance); refused with that explanation.
    #[schemars(skip)]
    pub deflection_mm: Option<S<f64>>,
    /// Removed in depth model v2 (replaced by friction_n_mm2); refused with that explanation.
    #[schemars(skip)]
    pub insertion_resistance_n_mm: Option<S<f64>>,
    /// Coupling length ℓ, mm: one needle's load sinks the surface at a neighbour s away by e^(−s/ℓ) of its own sinking. Default: the preset's.
    pub coupling_length_mm: Option<S<f64>>,
    /// How far the surface follows a roller needle sideways before it tears, mm (sets the opening's length). Default: the preset's.
    pub tangential_slack_mm: Option<S<f64>>,
    /// Puncture force F₀ of an ideally sharp tip, N. Default: the preset's.
    pub puncture_force_n: Option<S<f64>>,
    /// Puncture force p gained per mm² of tip area, N/mm². Default: the preset's.
    pub tip_pressure_n_mm2: Option<S<f64>>,
    /// Tenting stiffness k_s: force per mm the surface sinks under a pierced needle's load, N/mm. Default: the preset's.
    pub tenting_stiffness_n_mm: Option<S<f64>>,
    /// Indentation stiffness K of the tip before puncture, f = K·√(r_tip/µm + 1)·u^1.5, N/mm^1.5. Default: the preset's.
    pub indentation_stiffness: Option<S<f64>>,
    /// Cutting fraction χ: the force after puncture, before friction, as a fraction of the puncture force, 0 to 1. Default: the preset's.
    pub cutting_fraction: Option<S<f64>>,
    /// Friction τ on the needle's inserted flank, N/mm². Default: the preset's.
    pub friction_n_mm2: Option<S<f64>>,
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
    /// Friction coefficient between a needle and the skin a roller drags it through sideways (bending check). Default: an assumption, 0.5 (dry skin on smooth solids, Derler & Gerhardt 2012).
    #[schemars(extend("default" = crate::model::strength::bending::DEFAULT_NEEDLE_FRICTION))]
    pub needle_friction: Option<S<f64>>,
    /// The largest side pressure the skin bears on a needle before it tears around it, MPa (bending check). Default: an assumption, 21.6 MPa, the tensile strength of human skin (Ní Annaidh 2012).
    #[schemars(extend("default" = crate::model::strength::bending::DEFAULT_LATERAL_STRENGTH_MPA))]
    pub lateral_strength_mpa: Option<S<f64>>,
    /// How much the skin varies from person to person and site to site: `mc` draws one skin per run, and the datasheet's maximum penetration depth becomes the 99th percentile over the needles and 64 drawn skins. Default: no variation.
    pub variability: Option<S<VariabilityFile>>,
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
    /// The predicted quantity compared: `depth_mm` (insertion depth), `channel_depth_mm` (depth after closure), `opening_mm` (opening width), all in mm; `failure_force_n` (one needle's axial failure force, N) or `transition_aspect` (the length over diameter at the Euler–Johnson transition).
    #[schemars(extend("enum" = crate::design::experiment::Quantity::KEYS))]
    pub quantity: S<String>,
    /// The measured mean, in the quantity's unit; greater than 0. Required but by `band = "range"`.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub mean: Option<S<f64>>,
    /// The measured standard deviation, in the quantity's unit; required by `band = "sd"`.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub sd: Option<S<f64>>,
    /// The band the prediction must fall in: `sd` (within one standard deviation; needs `sd`, no `tolerance`), `relative` (within `tolerance` × mean; needs `tolerance`) or `range` (between `min` and `max`, for a figure reported as a range or a bound).
    #[schemars(extend("enum" = ["sd", "relative", "range"]))]
    pub band: S<String>,
    /// Lower end of `band = "range"`, in the quantity's unit.
    pub min: Option<S<f64>>,
    /// Upper end of `band = "range"`, in the quantity's unit.
    pub max: Option<S<f64>>,
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

/// `[skin.variability]`: each figure's relative SD σ (a drawn skin multiplies it by e^(σ·z)).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariabilityFile {
    /// Relative SD of the skin's stiffness (the tip's indentation and the surface's under load together), 0 to 1. Default 0.
    pub stiffness: Option<S<f64>>,
    /// Relative SD of the friction on the inserted flank, 0 to 1. Default 0.
    pub friction: Option<S<f64>>,
    /// Relative SD of the puncture force, 0 to 1. Default 0.
    pub puncture_force: Option<S<f64>>,
    /// Relative SD of every layer's thickness together, 0 to 1. Default 0.
    pub thickness: Option<S<f64>>,
}
