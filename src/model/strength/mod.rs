//! Needle strength: will a needle survive the force that drives it in? Buckling, bending at
//! the roller's entry angle or the hand's misalignment, tip curl and a pen's fatigue, as
//! safety factors (model §5: `min_buckling_safety_factor`, `min_bending_safety_factor`,
//! `fatigue_safety_factor`).
//!
//! - [`geometry`]: the needle as a structure (shaft, cone, tip radius).
//! - [`buckling`]: the tapered column's eigenproblem, Johnson's parabola, the solve cache.
//! - [`bending`]: the sideways load along the insertion path; root and tip-curl factors.
//! - [`fatigue`]: a pen's strokes on an S-N curve with Goodman's mean-stress line.
//!
//! A needle's checks read its geometry, its material ([`crate::model::material`]), the two
//! axial forces of the force balance ([`bending::InsertionLoad`]: the puncture force with the
//! tip free, the force at its insertion depth with the tip held), how it meets the skin
//! ([`bending::Approach`]) and, for a pen, its duty; never the insertion law itself. Each
//! check depends on that needle alone, so a device's factors are folds over its needles,
//! whatever the thread count or the raster.
//!
//! Units are in every name: lengths mm, forces N, stresses and moduli MPa (N/mm²) unless a
//! name says GPa, angles rad unless it says deg.

pub mod bending;
pub mod buckling;
pub mod fatigue;
pub mod geometry;

use bending::{bending_check, Approach, BendingCheck, InsertionLoad, SkinGrip};
use buckling::{buckling_check, BucklingCapacity, BucklingCheck, ElasticCapacity};
use fatigue::{fatigue_check, FatigueCheck, PenDuty};
use geometry::NeedleGeometry;

use crate::model::material::MaterialProps;

/// One needle to check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NeedleCase {
    /// Its shape (pen: length = the setting plus its length error, the protrusion).
    pub geometry: NeedleGeometry,
    /// Its axial loads and depth, from the force balance.
    pub load: InsertionLoad,
    /// How it meets the skin.
    pub approach: Approach,
}

/// The checks of one needle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NeedleIntegrity {
    /// Buckling capacity of its geometry in the material.
    pub capacity: BucklingCapacity,
    /// Buckling: free point before puncture, held point after.
    pub buckling: BucklingCheck,
    /// Bending: root and tip curl along the insertion path.
    pub bending: BendingCheck,
    /// Fatigue: pens with a material that has an endurance limit.
    pub fatigue: Option<FatigueCheck>,
}

/// Checks one needle whose geometry has the elastic capacity `elastic` (from
/// [`buckling::shared_elastic`] or a [`buckling::BucklingCache`]); `duty` is a pen's.
///
/// # Examples
/// ```
/// use needlemap::model::material::MaterialProps;
/// use needlemap::model::strength::{assess_needle, NeedleCase};
/// use needlemap::model::strength::bending::{Approach, InsertionLoad, SkinGrip};
/// use needlemap::model::strength::buckling::shared_elastic;
/// use needlemap::model::strength::geometry::NeedleGeometry;
/// let case = NeedleCase {
///     geometry: NeedleGeometry { length_mm: 1.0, shaft_diameter_mm: 0.25, tip_length_mm: 0.5, tip_radius_um: 4.0 },
///     load: InsertionLoad { puncture_force_n: 0.0275, load_n: 0.2855, depth_mm: 0.86 },
///     approach: Approach::Tilted { misalignment_deg: 10.0 },
/// };
/// let mat = MaterialProps::of("ss-spring").unwrap();
/// let r = assess_needle(&case, &mat, &SkinGrip::default(), None, shared_elastic(&case.geometry));
/// assert!(r.buckling.factor > 2.0 && r.bending.factor > 2.0 && r.fatigue.is_none());
/// ```
pub fn assess_needle(
    case: &NeedleCase,
    mat: &MaterialProps,
    grip: &SkinGrip,
    duty: Option<PenDuty>,
    elastic: ElasticCapacity,
) -> NeedleIntegrity {
    let capacity = BucklingCapacity::new(&case.geometry, elastic, mat);
    let load = &case.load;
    let buckling = buckling_check(
        &capacity,
        load.puncture_force_n.min(load.load_n),
        load.pierces().then_some(load.load_n),
    );
    let bending = bending_check(&case.geometry, mat, &capacity, load, &case.approach, grip);
    let fatigue = duty
        .filter(|_| load.pierces())
        .and_then(|duty| fatigue_check(bending.peak_stress_mpa, mat, &duty));
    NeedleIntegrity {
        capacity,
        buckling,
        bending,
        fatigue,
    }
}
