//! Bending at insertion: the sideways load a needle takes as it goes in, the bending stress it
//! puts on the root (the shaft's weakest section) and along the cone (tip curl), as safety
//! factors against yield.
//!
//! # The load along the needle
//! A needle carries the puncture force F_p at its point (the crack its tip opens, which runs
//! along the needle: an axial load) and, once in, the force the skin's flank resistance adds
//! as it goes deeper, up to the force it carries at its insertion depth d_j, F (the two
//! figures of the force balance, [`InsertionLoad`]). The flank's share is taken as spread
//! evenly over the inserted flank: a flank pressure q = (F − F_p)/A(d_j), A(z) the projected
//! (side) area of the first z mm, so at point depth z the needle carries
//! F(z) = F_p + q·A(z) along its axis.
//!
//! # The sideways load
//! The same flank pressure pushes sideways when the needle's axis is tilted from its path
//! through the skin:
//! - **Roller**: the needle enters at the entry angle β_e, cos β_e = (R + δ)/(R + h) (model §2,
//!   δ = h − d_j), and straightens as the drum rolls: with its point z deep,
//!   cos β = (R + δ + z)/(R + h), 0 at d_j. The rolling drum also drags the inserted needle
//!   sideways through the skin (the slit it tears), resisted by the skin's friction μ
//!   (`skin.needle_friction`). Side pressure p = q·(tan β + μ).
//! - **Pen and stamp**: the needle goes in along its axis, held off square by the hand's
//!   misalignment θ (`pen.misalignment_deg`, `stamp.misalignment_deg`): p = q·tan θ. Friction
//!   acts along the axis and adds nothing sideways.
//!
//! The skin bears no more than its lateral strength p_skin (`skin.lateral_strength_mpa`) before
//! it tears around the needle: p ≤ p_skin. The side load T = p·A(z) acts at the centroid ū(z)
//! of the inserted projected area. Every figure scales with the force the needle carries
//! beyond puncture, the angle and the geometry: a needle that barely pierces takes almost no
//! side load, and a steeper drum (smaller R or longer needle) loads it harder.
//!
//! # Stresses and factors
//! - **Root**: M = T·(L − ū), σ_b = M/Z·1/(1 − F(z)/P_E) (the beam-column amplification of a
//!   compressed strut, P_E its Euler load with the point held), plus the axial stress
//!   σ_a = F(z)/A. The factor is the side load that yields the root over the side load it
//!   takes: (S_y − σ_a)/σ_b.
//! - **Cone** (tip curl): a uniform pressure p on a cone of taper t/d gives every inserted cone
//!   section the same stress, σ_c = (16/(3π))·p·(t/d)² (the moment p·d·u³/(6t) over the
//!   modulus πd³u³/(32t³)); sections beyond the inserted part carry less, so this is the cone's
//!   stress along its whole length. Factor S_y/σ_c. The axial stress near the apex is the
//!   contact stress that sets the puncture force (the tip radius), not curl, and is left out.
//!
//! The factor of a needle is the smallest over its insertion path (the entry, z → 0⁺, at the
//! entry angle, and [`PATH_SAMPLES`] depths to d_j) and both sections; the same pass keeps the
//! largest stress, the peak of one stroke that [`super::fatigue`] cycles.

use super::buckling::BucklingCapacity;
use super::geometry::NeedleGeometry;
use crate::base::math::{deg_to_rad, trig};
use crate::model::material::MaterialProps;
use serde::Serialize;
use std::f64::consts::PI;

/// Depths sampled along the insertion path, besides the entry (z → 0⁺).
pub const PATH_SAMPLES: usize = 48;

/// Default needle–skin friction μ \[A\]: dry skin on smooth solids is "greater than 0.2 and
/// typically around 0.5"; moist skin exceeds 1 (Derler & Gerhardt, Tribol Lett 2012).
pub const DEFAULT_NEEDLE_FRICTION: f64 = 0.5;

/// Default lateral strength of skin, MPa \[A\]: the mean tensile strength of excised human
/// skin, 21.6 ± 8.4 MPa (Ní Annaidh et al., J Mech Behav Biomed Mater 2012;5:139).
pub const DEFAULT_LATERAL_STRENGTH_MPA: f64 = 21.6;

/// How the skin holds a needle sideways (`skin.needle_friction`, `skin.lateral_strength_mpa`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SkinGrip {
    /// Friction coefficient μ between a needle and the skin it is dragged through.
    pub needle_friction: f64,
    /// The largest side pressure the skin bears before it tears around a needle, MPa.
    pub lateral_strength_mpa: f64,
}

impl Default for SkinGrip {
    fn default() -> Self {
        SkinGrip {
            needle_friction: DEFAULT_NEEDLE_FRICTION,
            lateral_strength_mpa: DEFAULT_LATERAL_STRENGTH_MPA,
        }
    }
}

/// How a device's needles meet the skin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Approach {
    /// On a drum of radius `radius_mm` rolled over the skin: tilted by the drum's angle, and
    /// dragged sideways.
    Drum {
        /// Drum radius R, mm.
        radius_mm: f64,
    },
    /// Driven along its axis, held `misalignment_deg` off square to the skin.
    Tilted {
        /// Angle between the needle and the skin's normal, degrees.
        misalignment_deg: f64,
    },
}

impl Approach {
    /// Tilt from its path through the skin, rad, of a needle `length_mm` long that goes
    /// `depth_mm` deep, with its point `z_mm` in: on a drum cos β = (R + δ + z)/(R + h) with
    /// δ = h − d_j (at z = 0 the entry angle of model §2), else the misalignment.
    ///
    /// # Examples
    /// ```
    /// use needlemap::model::strength::bending::Approach;
    /// let drum = Approach::Drum { radius_mm: 10.0 };
    /// let entry = drum.angle_rad(1.5, 1.36, 0.0);
    /// assert!((entry.cos() - 10.14 / 11.5).abs() < 1e-12);
    /// assert_eq!(drum.angle_rad(1.5, 1.36, 1.36), 0.0);
    /// ```
    pub fn angle_rad(&self, length_mm: f64, depth_mm: f64, z_mm: f64) -> f64 {
        match *self {
            Approach::Drum { radius_mm } => {
                let below = radius_mm + (length_mm - depth_mm) + z_mm;
                trig::acos((below / (radius_mm + length_mm)).min(1.0))
            }
            Approach::Tilted { misalignment_deg } => deg_to_rad(misalignment_deg),
        }
    }

    /// Side pressure per unit of flank pressure at tilt `angle_rad`: tan β + μ on a drum (the
    /// roll drags the needle through the skin), tan θ for a needle driven along its axis.
    pub fn side_ratio(&self, angle_rad: f64, friction: f64) -> f64 {
        let tan = trig::tan(angle_rad);
        match self {
            Approach::Drum { .. } => tan + friction,
            Approach::Tilted { .. } => tan,
        }
    }
}

/// The axial loads of one needle, from the force balance (`MadeNeedle`'s fields).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InsertionLoad {
    /// Axial force just before it pierces, tip free (its puncture force F_p), N.
    pub puncture_force_n: f64,
    /// Axial force at its insertion depth, tip held, F, N.
    pub load_n: f64,
    /// Insertion depth d_j, mm (> 0 for a needle that pierces).
    pub depth_mm: f64,
}

impl InsertionLoad {
    /// Whether the needle goes in (a depth and a load at least its puncture force).
    pub fn pierces(&self) -> bool {
        self.depth_mm > 0.0 && self.load_n >= self.puncture_force_n
    }
}

/// The section that sets a bending factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// The root of the shaft.
    Root,
    /// The conical tip (tip curl).
    Cone,
}

/// One state of the insertion path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathState {
    /// Depth of the point, mm.
    pub depth_mm: f64,
    /// Tilt of the needle from its path, rad.
    pub angle_rad: f64,
    /// Axial force F(z), N.
    pub axial_force_n: f64,
    /// Side pressure on the inserted flank p, MPa.
    pub side_pressure_mpa: f64,
    /// Side load T = p·A(z), N.
    pub side_load_n: f64,
}

/// A needle's bending check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BendingCheck {
    /// Smallest over the path and both sections of (side load that yields) / (side load
    /// taken); ∞ when the needle takes no side load.
    pub factor: f64,
    /// The section that sets it.
    pub section: Section,
    /// The root's factor alone.
    pub root_factor: f64,
    /// The cone's factor alone (tip curl).
    pub tip_curl_factor: f64,
    /// The state that sets `factor`.
    pub worst: Option<PathState>,
    /// Flank pressure q = (F − F_p)/A(d_j), MPa.
    pub flank_pressure_mpa: f64,
    /// Largest stress anywhere along the path, MPa (root: axial plus amplified bending; cone:
    /// bending): the peak of one stroke, for fatigue.
    pub peak_stress_mpa: f64,
}

/// Cone bending stress under a uniform side pressure, σ_c = (16/(3π))·p·(t/d)², MPa.
///
/// # Examples
/// ```
/// use needlemap::model::strength::{bending::cone_stress_mpa, geometry::NeedleGeometry};
/// let g = NeedleGeometry { length_mm: 1.5, shaft_diameter_mm: 0.25, tip_length_mm: 0.5, tip_radius_um: 4.0 };
/// assert!((cone_stress_mpa(&g, 1.0) - 64.0 / (3.0 * std::f64::consts::PI)).abs() < 1e-12);
/// ```
pub fn cone_stress_mpa(g: &NeedleGeometry, pressure_mpa: f64) -> f64 {
    16.0 / (3.0 * PI) * pressure_mpa * g.taper_ratio() * g.taper_ratio()
}

/// The insertion path of a needle: the entry (z → 0⁺) and [`PATH_SAMPLES`] depths to d_j;
/// empty when it does not pierce.
pub fn insertion_path(
    g: &NeedleGeometry,
    load: &InsertionLoad,
    approach: &Approach,
    grip: &SkinGrip,
) -> Vec<PathState> {
    if !load.pierces() {
        return Vec::new();
    }
    let dj = load.depth_mm;
    let q = flank_pressure_mpa(g, load);
    (0..=PATH_SAMPLES)
        .map(|k| {
            let z = dj * k as f64 / PATH_SAMPLES as f64;
            let angle_rad = approach.angle_rad(g.length_mm, dj, z);
            let ratio = approach.side_ratio(angle_rad, grip.needle_friction);
            let p = (q * ratio).min(grip.lateral_strength_mpa);
            let a = g.projected_area_mm2(z);
            PathState {
                depth_mm: z,
                angle_rad,
                axial_force_n: load.puncture_force_n + q * a,
                side_pressure_mpa: p,
                side_load_n: p * a,
            }
        })
        .collect()
}

/// Flank pressure q = (F − F_p)/A(d_j), MPa (0 for a needle that does not pierce).
pub fn flank_pressure_mpa(g: &NeedleGeometry, load: &InsertionLoad) -> f64 {
    let a = g.projected_area_mm2(load.depth_mm);
    if load.pierces() && a > 0.0 {
        (load.load_n - load.puncture_force_n).max(0.0) / a
    } else {
        0.0
    }
}

/// The bending check of one needle (see the module docs).
pub fn bending_check(
    g: &NeedleGeometry,
    mat: &MaterialProps,
    cap: &BucklingCapacity,
    load: &InsertionLoad,
    approach: &Approach,
    grip: &SkinGrip,
) -> BendingCheck {
    let mut out = BendingCheck {
        factor: f64::INFINITY,
        section: Section::Root,
        root_factor: f64::INFINITY,
        tip_curl_factor: f64::INFINITY,
        worst: None,
        flank_pressure_mpa: flank_pressure_mpa(g, load),
        peak_stress_mpa: 0.0,
    };
    let sy = mat.yield_strength_mpa;
    let (area, modulus) = (g.shaft_area_mm2(), g.shaft_section_modulus_mm3());
    let has_cone = g.cone_length_mm() > 0.0;
    for s in insertion_path(g, load, approach, grip) {
        let amp = if s.axial_force_n < cap.euler_held_n {
            1.0 / (1.0 - s.axial_force_n / cap.euler_held_n)
        } else {
            f64::INFINITY
        };
        let lever = g.length_mm - g.projected_centroid_mm(s.depth_mm);
        let sigma_axial = s.axial_force_n / area;
        let sigma_bend = if s.side_load_n > 0.0 {
            s.side_load_n * lever / modulus * amp
        } else {
            0.0
        };
        let root = if sigma_bend > 0.0 {
            (sy - sigma_axial).max(0.0) / sigma_bend
        } else if sigma_axial >= sy {
            0.0
        } else {
            f64::INFINITY
        };
        let sigma_cone = if has_cone {
            cone_stress_mpa(g, s.side_pressure_mpa)
        } else {
            0.0
        };
        let cone = if sigma_cone > 0.0 {
            sy / sigma_cone
        } else {
            f64::INFINITY
        };
        out.peak_stress_mpa = out
            .peak_stress_mpa
            .max(sigma_axial + sigma_bend)
            .max(sigma_cone);
        out.root_factor = out.root_factor.min(root);
        out.tip_curl_factor = out.tip_curl_factor.min(cone);
        let (f, section) = if cone < root {
            (cone, Section::Cone)
        } else {
            (root, Section::Root)
        };
        if f < out.factor {
            out.factor = f;
            out.section = section;
            out.worst = Some(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::strength::buckling::{BucklingCapacity, Discretisation, ElasticCapacity};
    use approx::assert_relative_eq;

    fn needle(l: f64, d: f64, t: f64) -> NeedleGeometry {
        NeedleGeometry {
            length_mm: l,
            shaft_diameter_mm: d,
            tip_length_mm: t,
            tip_radius_um: 4.0,
        }
    }

    fn cap(g: &NeedleGeometry, mat: &MaterialProps) -> BucklingCapacity {
        BucklingCapacity::new(g, ElasticCapacity::solve(g, Discretisation::default()), mat)
    }

    #[test]
    fn root_bending_of_a_blunt_pen_needle_is_the_closed_form() {
        // blunt cylinder, 10° off square: at full depth the flank pressure q·tan θ over d·z
        // at z/2 from the point; the deepest state bends the root most
        let g = needle(1.0, 0.25, 0.0);
        let mat = MaterialProps::of("ss304").unwrap();
        let c = cap(&g, &mat);
        let load = InsertionLoad {
            puncture_force_n: 0.0275,
            load_n: 0.3,
            depth_mm: 0.8,
        };
        let approach = Approach::Tilted {
            misalignment_deg: 10.0,
        };
        let b = bending_check(&g, &mat, &c, &load, &approach, &SkinGrip::default());
        let q = (0.3 - 0.0275) / (0.25 * 0.8);
        let t = q * trig::tan(deg_to_rad(10.0)) * 0.25 * 0.8;
        let sigma_b =
            t * (1.0 - 0.4) / g.shaft_section_modulus_mm3() / (1.0 - 0.3 / c.euler_held_n);
        let want = (mat.yield_strength_mpa - 0.3 / g.shaft_area_mm2()) / sigma_b;
        assert_relative_eq!(b.root_factor, want, max_relative = 1e-9);
        assert_relative_eq!(b.factor, want, max_relative = 1e-9);
        assert_eq!(b.section, Section::Root);
        assert!(
            b.tip_curl_factor.is_infinite(),
            "a blunt needle has no cone"
        );
    }

    #[test]
    fn cone_stress_is_uniform_along_the_inserted_cone() {
        // M(u) = p·d·u³/(6t) over Z(u) = πd³u³/(32t³): check by quadrature at several u
        let g = needle(1.5, 0.25, 0.5);
        let p = 3.0;
        for u in [0.05, 0.2, 0.45] {
            let n = 20_000;
            let m: f64 = (0..n)
                .map(|k| {
                    let v = (k as f64 + 0.5) * u / n as f64;
                    p * g.diameter_at_mm(v) * (u - v) * u / n as f64
                })
                .sum();
            let z = PI * g.diameter_at_mm(u).powi(3) / 32.0;
            assert_relative_eq!(m / z, cone_stress_mpa(&g, p), max_relative = 1e-6);
        }
    }

    #[test]
    fn the_side_load_follows_the_force_and_the_skin_caps_it() {
        let g = needle(1.5, 0.25, 0.5);
        let mat = MaterialProps::of("ss304").unwrap();
        let c = cap(&g, &mat);
        let drum = Approach::Drum { radius_mm: 10.0 };
        let check = |f: f64, grip: SkinGrip| {
            let load = InsertionLoad {
                puncture_force_n: 0.0275,
                load_n: f,
                depth_mm: 1.0,
            };
            bending_check(&g, &mat, &c, &load, &drum, &grip)
        };
        let grip = SkinGrip::default();
        // more force beyond puncture, more side load: both factors fall
        let (light, firm) = (check(0.1, grip), check(0.4, grip));
        assert!(firm.root_factor < light.root_factor);
        assert!(firm.tip_curl_factor < light.tip_curl_factor);
        // a needle that carries just its puncture force takes no side load
        assert!(check(0.0275, grip).factor.is_infinite());
        // a weak skin caps the pressure: tip curl no worse than the cap allows
        let weak = SkinGrip {
            lateral_strength_mpa: 0.1,
            ..grip
        };
        let capped = check(0.4, weak);
        assert_relative_eq!(
            capped.tip_curl_factor,
            mat.yield_strength_mpa / cone_stress_mpa(&g, 0.1),
            max_relative = 1e-12
        );
    }

    #[test]
    fn a_needle_that_does_not_pierce_takes_no_side_load() {
        let g = needle(1.5, 0.25, 0.5);
        let load = InsertionLoad {
            puncture_force_n: 0.0275,
            load_n: 0.01,
            depth_mm: 0.0,
        };
        let drum = Approach::Drum { radius_mm: 10.0 };
        assert!(insertion_path(&g, &load, &drum, &SkinGrip::default()).is_empty());
        assert_eq!(flank_pressure_mpa(&g, &load), 0.0);
    }
}
