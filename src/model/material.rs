//! Needle materials (`[needle] material`): a small registry of cited figures, the strength
//! side of the needle-integrity checks ([`crate::model::strength`]).
//!
//! Every figure carries its label and source in the labels of `docs/sources.md`: **\[M\]** a
//! measured or data-sheet figure (the sheet or standard named), **\[A\]** an assumption
//! needlemap makes because no source gives the figure. Minimum (specification) values are
//! used where a standard gives one, typical values where only a data sheet does. A design may
//! override the modulus and the yield strength (`needle.youngs_modulus_gpa`,
//! `needle.yield_strength_mpa`); the ultimate strength and the endurance limit then stay as
//! listed (the ultimate is raised to the yield if an override passes it).
//!
//! | key | material | E, GPa | yield, MPa | ultimate, MPa | endurance (10⁷), MPa |
//! |---|---|---|---|---|---|
//! | `ss304` | AISI 304, annealed | 193 | 215 | 505 | 240 |
//! | `ss316l` | AISI 316L, annealed | 193 | 170 | 485 | 170 |
//! | `ss-spring` | 302/304 spring-temper wire (ASTM A313), 0.25–0.30 mm | 193 | 1600 \[A\] | 2180 | 650 \[A\] |
//! | `ti6al4v` | Ti-6Al-4V (grade 5), annealed | 114 | 830 | 900 | 510 |
//! | `ti-grade2` | CP titanium grade 2, annealed | 102 | 275 | 345 | 250 |
//! | `pla` | PLA (Ingeo 2003D, amorphous) | 3.5 | 60 | 53 | none |
//!
//! Microneedling needles are drawn wire, not annealed bar: annealed 304 is the softest
//! plausible steel, and it is the default when a design names no material.

use serde::Serialize;

/// How a figure is known (labels of `docs/sources.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// \[M\]: measured, or a material data sheet's or standard's figure.
    Measured,
    /// \[A\]: an assumption; the source says what it rests on.
    Assumed,
}

impl Label {
    /// The bracketed tag used in the docs: `[M]` or `[A]`.
    pub const fn tag(self) -> &'static str {
        match self {
            Label::Measured => "[M]",
            Label::Assumed => "[A]",
        }
    }
}

/// One figure with its label and source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sourced {
    /// The value, in the unit of the field that holds it.
    pub value: f64,
    /// How it is known.
    pub label: Label,
    /// Where it comes from (for an assumption: what it rests on).
    pub source: &'static str,
}

const fn m(value: f64, source: &'static str) -> Sourced {
    Sourced {
        value,
        label: Label::Measured,
        source,
    }
}

const fn a(value: f64, source: &'static str) -> Sourced {
    Sourced {
        value,
        label: Label::Assumed,
        source,
    }
}

/// One registry entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Material {
    /// The `[needle] material` key.
    pub key: &'static str,
    /// What it is, with its condition (temper).
    pub name: &'static str,
    /// Young's modulus E, GPa.
    pub youngs_modulus_gpa: Sourced,
    /// 0.2 % proof (yield) strength S_y, MPa.
    pub yield_strength_mpa: Sourced,
    /// Ultimate tensile strength S_u, MPa (the Goodman line and the 10³-cycle strength).
    pub ultimate_strength_mpa: Sourced,
    /// Fully reversed endurance limit S_e at 10⁷ cycles, smooth specimen, MPa; `None` when the
    /// material has none (polymers: no knee in the S-N curve).
    pub endurance_limit_mpa: Option<Sourced>,
}

const MATWEB_304: &str =
    "ASM/MatWeb AISI Type 304, annealed: E 193–200 GPa, yield 215 MPa, UTS 505 MPa";
const ATLAS_304: &str =
    "Atlas Steels 304/304L data sheet, annealed: fatigue (endurance) limit 240 MPa";
const A213_316L: &str =
    "ASTM A213/ASME SA-213 minimum for 316L, annealed: yield 170 MPa, UTS 485 MPa";
const A313: &str = "ASTM A313 Types 302 Class I and 304 spring wire: minimum UTS 316 ksi (2180 MPa) at Ø 0.28–0.30 mm, 320 ksi at 0.25 mm (InterWire's A313 table)";
const MATWEB_TI64: &str = "ASM/MatWeb Ti-6Al-4V (grade 5), annealed bar: E 114 GPa, yield 830 MPa, UTS 900 MPa, fatigue strength 510 MPa smooth at 10⁷ cycles";
const INGEO: &str = "NatureWorks Ingeo 2003D data sheet (ASTM D882): tensile modulus 3.5 GPa, tensile yield 60 MPa, strength at break 53 MPa";

/// The key a design without `needle.material` gets: annealed 304, the softest plausible
/// steel (the design format's example).
pub const DEFAULT_MATERIAL: &str = "ss304";

/// The registry, in the order the design format lists the keys.
pub const MATERIALS: &[Material] = &[
    Material {
        key: "ss304",
        name: "AISI 304 stainless steel, annealed",
        youngs_modulus_gpa: m(193.0, MATWEB_304),
        yield_strength_mpa: m(215.0, MATWEB_304),
        ultimate_strength_mpa: m(505.0, MATWEB_304),
        endurance_limit_mpa: Some(m(240.0, ATLAS_304)),
    },
    Material {
        key: "ss316l",
        name: "AISI 316L stainless steel, annealed",
        youngs_modulus_gpa: m(193.0, "ASM/MatWeb AISI Type 316L: modulus 193 GPa"),
        yield_strength_mpa: m(170.0, A213_316L),
        ultimate_strength_mpa: m(485.0, A213_316L),
        endurance_limit_mpa: Some(m(
            170.0,
            "MakeItFrom, annealed AISI 316L: fatigue strength 170 MPa",
        )),
    },
    Material {
        key: "ss-spring",
        name: "302/304 stainless spring-temper wire (ASTM A313), 0.25–0.30 mm",
        youngs_modulus_gpa: m(
            193.0,
            "spring-materials table: stainless 302/304/316 E = 28×10⁶ psi (Engineers Edge, after SMI)",
        ),
        yield_strength_mpa: a(
            1600.0,
            "no standard gives a yield for spring wire: 0.73 × the A313 minimum UTS (cold-drawn 302 shows yield/UTS ≈ 0.9 above 80 % reduction, producer data; JIS SUS304-WPA wire of 0.29–0.40 mm is 1600–1850 MPa UTS)",
        ),
        ultimate_strength_mpa: m(2180.0, A313),
        endurance_limit_mpa: Some(a(
            650.0,
            "0.3 × the A313 minimum UTS: half-hard 302 has 470/1170 MPa = 0.40 (MakeItFrom); drawn wire lower from surface microcracks",
        )),
    },
    Material {
        key: "ti6al4v",
        name: "Ti-6Al-4V (grade 5), annealed",
        youngs_modulus_gpa: m(114.0, MATWEB_TI64),
        yield_strength_mpa: m(830.0, MATWEB_TI64),
        ultimate_strength_mpa: m(900.0, MATWEB_TI64),
        endurance_limit_mpa: Some(m(510.0, MATWEB_TI64)),
    },
    Material {
        key: "ti-grade2",
        name: "commercially pure titanium grade 2, annealed",
        youngs_modulus_gpa: m(102.0, "ASM/MatWeb titanium grade 2, annealed: modulus 102 GPa"),
        yield_strength_mpa: m(
            275.0,
            "ASTM B348/B265 grade 2 minimum yield 275 MPa (MatWeb's annealed sample: 340 MPa)",
        ),
        ultimate_strength_mpa: m(345.0, "ASTM B348/B265 grade 2 minimum UTS 345 MPa"),
        endurance_limit_mpa: Some(m(
            250.0,
            "MakeItFrom grade 2 titanium, annealed: fatigue strength 250 MPa (MatWeb: 280 MPa unnotched at 10⁷)",
        )),
    },
    Material {
        key: "pla",
        name: "polylactic acid (PLA), amorphous, for dissolving and polymer arrays",
        youngs_modulus_gpa: m(3.5, INGEO),
        yield_strength_mpa: m(60.0, INGEO),
        ultimate_strength_mpa: m(53.0, INGEO),
        endurance_limit_mpa: None,
    },
];

/// The registry entry called `key` (exact, lower case).
///
/// # Examples
/// ```
/// use needlemap::model::material::lookup;
/// assert_eq!(lookup("ss304").unwrap().youngs_modulus_gpa.value, 193.0);
/// assert!(lookup("steel").is_none());
/// ```
pub fn lookup(key: &str) -> Option<&'static Material> {
    MATERIALS.iter().find(|mat| mat.key == key)
}

/// Every key, `" | "`-separated, for the refusal of an unknown one.
pub fn key_list() -> String {
    let keys: Vec<&str> = MATERIALS.iter().map(|mat| mat.key).collect();
    keys.join(" | ")
}

/// The figures the strength checks use: the registry's, with the design's overrides. Stresses
/// and moduli in MPa (= N/mm²), so forces come out in N with lengths in mm.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MaterialProps {
    /// The registry key the figures start from.
    pub key: &'static str,
    /// Young's modulus E, MPa.
    pub youngs_modulus_mpa: f64,
    /// Yield strength S_y, MPa.
    pub yield_strength_mpa: f64,
    /// Ultimate strength S_u, MPa; never below S_y.
    pub ultimate_strength_mpa: f64,
    /// Endurance limit S_e at 10⁷ cycles, MPa, never above S_u; `None` without one.
    pub endurance_limit_mpa: Option<f64>,
}

impl MaterialProps {
    /// The figures of `material`, `youngs_modulus_gpa` and `yield_strength_mpa` (finite and
    /// positive: the design's validation checks them) replacing the listed ones when given.
    ///
    /// # Examples
    /// ```
    /// use needlemap::model::material::{lookup, MaterialProps};
    /// let p = MaterialProps::new(lookup("ss304").unwrap(), Some(200.0), None);
    /// assert_eq!(p.youngs_modulus_mpa, 200_000.0);
    /// assert_eq!(p.yield_strength_mpa, 215.0);
    /// ```
    pub fn new(
        material: &Material,
        youngs_modulus_gpa: Option<f64>,
        yield_strength_mpa: Option<f64>,
    ) -> Self {
        let e_gpa = youngs_modulus_gpa.unwrap_or(material.youngs_modulus_gpa.value);
        let sy = yield_strength_mpa.unwrap_or(material.yield_strength_mpa.value);
        let su = material.ultimate_strength_mpa.value.max(sy);
        MaterialProps {
            key: material.key,
            youngs_modulus_mpa: e_gpa * 1000.0,
            yield_strength_mpa: sy,
            ultimate_strength_mpa: su,
            endurance_limit_mpa: material.endurance_limit_mpa.map(|s| s.value.min(su)),
        }
    }

    /// The registry's figures of `key`, without overrides.
    pub fn of(key: &str) -> Option<Self> {
        lookup(key).map(|mat| Self::new(mat, None, None))
    }

    /// The registry entry the figures start from.
    pub fn material(&self) -> &'static Material {
        lookup(self.key).expect("a checked material is in the registry")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_the_design_format() {
        let keys: Vec<_> = MATERIALS.iter().map(|m| m.key).collect();
        assert_eq!(
            keys,
            [
                "ss304",
                "ss316l",
                "ss-spring",
                "ti6al4v",
                "ti-grade2",
                "pla"
            ]
        );
        assert!(lookup(DEFAULT_MATERIAL).is_some());
    }

    #[test]
    fn every_figure_has_a_source_and_is_consistent() {
        for mat in MATERIALS {
            let mut figs = vec![
                mat.youngs_modulus_gpa,
                mat.yield_strength_mpa,
                mat.ultimate_strength_mpa,
            ];
            figs.extend(mat.endurance_limit_mpa);
            for f in figs {
                assert!(f.value > 0.0 && f.source.len() > 10, "{}", mat.key);
            }
            if let Some(se) = mat.endurance_limit_mpa {
                assert!(se.value < mat.ultimate_strength_mpa.value, "{}", mat.key);
            }
            // yield ≤ ultimate except for PLA, whose yield peak precedes a lower break
            if mat.key != "pla" {
                assert!(mat.yield_strength_mpa.value <= mat.ultimate_strength_mpa.value);
            }
        }
    }

    #[test]
    fn overrides_raise_the_ultimate_and_keep_the_rest() {
        let ss = lookup("ss304").unwrap();
        let p = MaterialProps::new(ss, None, Some(900.0));
        assert_eq!(p.ultimate_strength_mpa, 900.0);
        assert_eq!(p.endurance_limit_mpa, Some(240.0));
        assert_eq!(p.material().key, "ss304");
        assert!(lookup("SS304").is_none());
        assert!(key_list().contains("ss-spring"));
    }
}
