//! The physical range of every numeric design key: one table that validation enforces and the
//! design-format docs print.
//!
//! The ranges come from the devices that exist (docs/sources.md): microneedling needles are
//! 0.13–3.0 mm long and 0.07–0.4 mm thick, drums about 20 mm across, pens stamp up to ~150 Hz
//! with settings up to 3 mm, hands press arrays with 10–50 N. Each upper bound leaves a wide
//! margin above the largest real device and stops there, so a unit typed wrong (1500 for
//! 1.5 mm) is refused at once instead of running for minutes or exhausting memory. Keys that
//! set how much work an analysis does (area, resolution, tile, influence radius, tolerance
//! spreads) are bounded here too; what they do together (pixels, channels, tiles) is checked
//! by the limits of the engine.

/// The range of one numeric key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Dotted key (array keys name the array: `treatment.area_mm`).
    pub key: &'static str,
    /// Smallest value allowed.
    pub min: f64,
    /// Whether `min` itself is allowed (false: strictly greater).
    pub min_inclusive: bool,
    /// Largest value allowed (inclusive).
    pub max: f64,
    /// Unit, as the key's suffix says.
    pub unit: &'static str,
    /// Why this bound.
    pub why: &'static str,
}

pub(crate) const fn r(
    key: &'static str,
    min: f64,
    min_inclusive: bool,
    max: f64,
    unit: &'static str,
    why: &'static str,
) -> Range {
    Range {
        key,
        min,
        min_inclusive,
        max,
        unit,
        why,
    }
}

/// Whether a key a sweep may vary takes whole numbers, any number or one of a set of words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Num {
    /// A whole number (rings, counts, seed).
    Int,
    /// Any number (lengths, angles, speeds).
    Float,
    /// One of a set of words (a material, a skin preset).
    Word(Words),
}

/// The word-valued keys' sets of words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Words {
    /// The needle materials of [`crate::model::material::MATERIALS`].
    Material,
    /// The skin presets of [`crate::model::skin::PRESET_TABLE`].
    SkinPreset,
    /// A cartridge's or stamp array's pattern: `grid` or `ring` (an `explicit` one needs its
    /// needles' places, which a search cannot draw).
    ArrayPattern,
}

impl Words {
    /// The valid words, in registry order.
    pub fn list(self) -> Vec<&'static str> {
        match self {
            Words::Material => crate::model::material::MATERIALS
                .iter()
                .map(|m| m.key)
                .collect(),
            Words::SkinPreset => crate::model::skin::PRESET_TABLE
                .iter()
                .map(|p| p.name)
                .collect(),
            Words::ArrayPattern => vec!["grid", "ring"],
        }
    }
}

/// A numeric key of the design format that a sweep may vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepKey {
    /// Dotted path; `#` stands for an array index.
    pub key: &'static str,
    /// Its number type.
    pub num: Num,
    /// The value its table's `pattern` key must have (a layout or array pattern), if any.
    pub pattern: Option<&'static str>,
}

/// The numeric keys outside the device tables a sweep may vary (each device kind lists its
/// own, in its file under `design/kinds/`); `needle.length_mm` only where the kind has one.
pub const COMMON_SWEEP_KEYS: &[SweepKey] = &[
    SweepKey {
        key: "needle.material",
        num: Num::Word(Words::Material),
        pattern: None,
    },
    SweepKey {
        key: "skin.preset",
        num: Num::Word(Words::SkinPreset),
        pattern: None,
    },
    SweepKey {
        key: "needle.length_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "needle.diameter_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "needle.tip_length_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "needle.tip_radius_um",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "needle.youngs_modulus_gpa",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "needle.yield_strength_mpa",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "tolerance.length_sd_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "tolerance.angle_sd_deg",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "tolerance.missing_fraction",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "tolerance.tip_radius_sd_um",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.coupling_length_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.tangential_slack_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.puncture_force_n",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.tip_pressure_n_mm2",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.tenting_stiffness_n_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.indentation_stiffness",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.cutting_fraction",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.friction_n_mm2",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.closure_radius_um",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.stratum_corneum_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.viable_epidermis_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.papillary_dermis_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.reticular_dermis_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.needle_friction",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "skin.lateral_strength_mpa",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "treatment.area_mm.#",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "treatment.passes.#.angle_deg",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "treatment.passes.#.count",
        num: Num::Int,
        pattern: None,
    },
    SweepKey {
        key: "treatment.lane_spacing_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "treatment.seed",
        num: Num::Int,
        pattern: None,
    },
    SweepKey {
        key: "analysis.resolution_um",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "analysis.tile_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "analysis.influence_radius_mm",
        num: Num::Float,
        pattern: None,
    },
];

/// Every bounded numeric key outside the device tables (each kind has its own, in its file
/// under `design/kinds/`).
pub const RANGES: &[Range] = &[
    r(
        "needle.length_mm",
        0.0,
        false,
        10.0,
        "mm",
        "microneedling needles are 0.13–3.0 mm long",
    ),
    r(
        "needle.diameter_mm",
        0.0,
        false,
        2.0,
        "mm",
        "needles are 0.07–0.4 mm thick",
    ),
    r(
        "needle.tip_length_mm",
        0.0,
        false,
        10.0,
        "mm",
        "at most the needle's length",
    ),
    r(
        "needle.tip_radius_um",
        0.0,
        false,
        500.0,
        "µm",
        "sharp tips are a few µm; Davis 2004 measured up to tens of µm",
    ),
    r(
        "needle.youngs_modulus_gpa",
        0.0,
        false,
        1000.0,
        "GPa",
        "polymers 1–5 GPa, steels about 200 GPa",
    ),
    r(
        "needle.yield_strength_mpa",
        0.0,
        false,
        5000.0,
        "MPa",
        "PLA 60 MPa to drawn spring wire about 2000 MPa",
    ),
    r(
        "tolerance.length_sd_mm",
        0.0,
        true,
        1.0,
        "mm",
        "a spread larger than the needle is no tolerance",
    ),
    r(
        "tolerance.angle_sd_deg",
        0.0,
        true,
        30.0,
        "°",
        "a spread of a needle's place on the drum",
    ),
    r(
        "tolerance.tip_radius_sd_um",
        0.0,
        true,
        100.0,
        "µm",
        "tips measured from a few µm to tens of µm across (Davis 2004)",
    ),
    r(
        "tolerance.missing_fraction",
        0.0,
        true,
        0.999,
        "",
        "some needles must be present",
    ),
    r(
        "skin.variability.stiffness",
        0.0,
        true,
        1.0,
        "",
        "a relative SD: people's skin stiffness differs by tens of %",
    ),
    r(
        "skin.variability.friction",
        0.0,
        true,
        1.0,
        "",
        "a relative SD",
    ),
    r(
        "skin.variability.puncture_force",
        0.0,
        true,
        1.0,
        "",
        "a relative SD",
    ),
    r(
        "skin.variability.thickness",
        0.0,
        true,
        1.0,
        "",
        "a relative SD: dermis thickness varies by tens of % between people",
    ),
    r(
        "skin.coupling_length_mm",
        0.0,
        true,
        10.0,
        "mm",
        "needle spacing matters below ≈ 0.15 mm (Olatunji 2013)",
    ),
    r(
        "skin.tangential_slack_mm",
        0.0,
        true,
        10.0,
        "mm",
        "a fraction of a mm",
    ),
    r(
        "skin.puncture_force_n",
        0.0,
        false,
        100.0,
        "N",
        "0.02–3 N per needle (Olatunji 2013, Davis 2004)",
    ),
    r(
        "skin.tip_pressure_n_mm2",
        0.0,
        true,
        100_000.0,
        "N/mm²",
        "150 N/mm² from Davis 2004",
    ),
    r(
        "skin.tenting_stiffness_n_mm",
        1e-6,
        true,
        10_000.0,
        "N/mm",
        "0.113–1 N/mm in the presets",
    ),
    r(
        "skin.indentation_stiffness",
        1e-6,
        true,
        10_000.0,
        "N/mm^1.5",
        "0.15–0.3 in the presets",
    ),
    r(
        "skin.cutting_fraction",
        0.0,
        true,
        1.0,
        "",
        "the force drops at puncture: a fraction of it",
    ),
    r(
        "skin.friction_n_mm2",
        0.0,
        true,
        10_000.0,
        "N/mm²",
        "0.68 N/mm² in the presets",
    ),
    r(
        "skin.closure_radius_um",
        0.0,
        true,
        1000.0,
        "µm",
        "21.5 µm from Kalluri 2011",
    ),
    r(
        "skin.stratum_corneum_mm",
        0.0,
        false,
        50.0,
        "mm",
        "skin is a few mm thick",
    ),
    r(
        "skin.viable_epidermis_mm",
        0.0,
        false,
        50.0,
        "mm",
        "skin is a few mm thick",
    ),
    r(
        "skin.papillary_dermis_mm",
        0.0,
        false,
        50.0,
        "mm",
        "skin is a few mm thick",
    ),
    r(
        "skin.reticular_dermis_mm",
        0.0,
        false,
        50.0,
        "mm",
        "skin is a few mm thick",
    ),
    r(
        "skin.needle_friction",
        0.0,
        true,
        3.0,
        "",
        "dry skin about 0.5, moist skin above 1 (Derler & Gerhardt 2012)",
    ),
    r(
        "skin.lateral_strength_mpa",
        0.0,
        false,
        200.0,
        "MPa",
        "skin's tensile strength 21.6 ± 8.4 MPa (Ní Annaidh 2012)",
    ),
    r(
        "treatment.area_mm",
        0.0,
        false,
        1000.0,
        "mm",
        "a whole back is about 300 mm across",
    ),
    r(
        "treatment.lane_spacing_mm",
        0.0,
        false,
        1000.0,
        "mm",
        "within the region",
    ),
    r(
        "treatment.passes.angle_deg",
        -360.0,
        true,
        360.0,
        "°",
        "one turn",
    ),
    r(
        "analysis.resolution_um",
        0.0,
        false,
        1000.0,
        "µm",
        "openings are 0.07–0.5 mm across",
    ),
    r(
        "analysis.tile_mm",
        0.01,
        true,
        1000.0,
        "mm",
        "tiles of a few mm",
    ),
    r(
        "analysis.influence_radius_mm",
        0.0,
        true,
        10.0,
        "mm",
        "a fraction of a mm around an opening",
    ),
];

/// Every bounded numeric key: the common ones, then each device kind's.
pub fn all() -> impl Iterator<Item = &'static Range> {
    RANGES.iter().chain(super::kinds::all_ranges())
}

/// The range of `key` (array elements name their array: `treatment.passes[2].angle_deg` is
/// `treatment.passes.angle_deg`), if it has one.
///
/// # Examples
/// ```
/// let r = needlemap::design::ranges::range_of("needle.length_mm").unwrap();
/// assert_eq!(r.max, 10.0);
/// assert!(needlemap::design::ranges::range_of("treatment.passes[3].angle_deg").is_some());
/// ```
pub fn range_of(key: &str) -> Option<&'static Range> {
    let mut plain = String::with_capacity(key.len());
    let mut depth = 0;
    for ch in key.chars() {
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => plain.push(ch),
            _ => {}
        }
    }
    all().find(|r| r.key == plain)
}

/// `Ok(x)` when `x` is finite and within `key`'s range (a key without one: any finite
/// number), else what is valid, in words: "must be at least -360 and at most 360 ° (one
/// turn)". The one check of a value against the table, for keys, list elements, CSV columns,
/// command-line flags and Python arguments alike.
///
/// # Examples
/// ```
/// use needlemap::design::ranges::check;
/// assert_eq!(check("needle.length_mm", 1.5), Ok(1.5));
/// assert!(check("needle.length_mm", 11.0).unwrap_err().contains("at most 10 mm"));
/// assert!(check("roller.layout.needles[0].angle_deg", 1e300).is_err());
/// ```
pub fn check(key: &str, x: f64) -> Result<f64, String> {
    match range_of(key) {
        _ if !x.is_finite() => Err("must be a finite number".to_string()),
        Some(r) if !r.contains(x) => Err(format!("must be {}", r.describe())),
        _ => Ok(x),
    }
}

impl Range {
    /// Whether `x` lies in the range.
    pub fn contains(&self, x: f64) -> bool {
        let low = if self.min_inclusive {
            x >= self.min
        } else {
            x > self.min
        };
        low && x <= self.max
    }

    /// The range in words: "greater than 0 and at most 10 mm".
    pub fn describe(&self) -> String {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        let low = if self.min_inclusive {
            format!("at least {}", self.min)
        } else {
            format!("greater than {}", self.min)
        };
        format!("{low} and at most {}{unit} ({})", self.max, self.why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_ranges_well_formed() {
        let all: Vec<&Range> = all().collect();
        for (i, a) in all.iter().enumerate() {
            assert!(a.min < a.max, "{}", a.key);
            for b in &all[i + 1..] {
                assert_ne!(a.key, b.key);
            }
        }
    }

    #[test]
    fn every_shipped_default_lies_in_its_range() {
        use crate::design::kinds::array::DEFAULT_MISALIGNMENT_DEG;
        use crate::design::kinds::{pen, roller, stamp};
        use crate::design::*;
        use crate::model::strength::bending::{
            DEFAULT_LATERAL_STRENGTH_MPA, DEFAULT_NEEDLE_FRICTION,
        };
        use crate::model::strength::fatigue::DEFAULT_SESSION_S;
        use pen::DEFAULT_PEN_DRIVE_FORCE_N;
        use roller::{DEFAULT_ROLLER_FORCE_N, DEFAULT_ROLL_SPEED_MM_S};
        use stamp::DEFAULT_PRESSES_PER_S;
        for (key, v) in [
            ("roller.roll_speed_mm_s", DEFAULT_ROLL_SPEED_MM_S),
            ("roller.force_n", DEFAULT_ROLLER_FORCE_N),
            ("pen.drive_force_n", DEFAULT_PEN_DRIVE_FORCE_N),
            ("pen.preload_n", pen::DEFAULT_PEN_PRELOAD_N),
            ("stamp.presses_per_s", DEFAULT_PRESSES_PER_S),
            ("needle.tip_length_mm", DEFAULT_TIP_LENGTH_MM),
            ("needle.tip_radius_um", DEFAULT_TIP_RADIUS_UM),
            ("analysis.resolution_um", DEFAULT_RESOLUTION_UM),
            ("analysis.tile_mm", DEFAULT_TILE_MM),
            ("analysis.influence_radius_mm", DEFAULT_INFLUENCE_RADIUS_MM),
            ("skin.needle_friction", DEFAULT_NEEDLE_FRICTION),
            ("skin.lateral_strength_mpa", DEFAULT_LATERAL_STRENGTH_MPA),
            ("pen.session_s", DEFAULT_SESSION_S),
            ("pen.misalignment_deg", DEFAULT_MISALIGNMENT_DEG),
            ("stamp.misalignment_deg", DEFAULT_MISALIGNMENT_DEG),
        ] {
            assert!(range_of(key).unwrap().contains(v), "{key} = {v}");
        }
    }
}
