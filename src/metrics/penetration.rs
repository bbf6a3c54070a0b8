//! The maximum penetration depth a regulator asks for (21 CFR 878.4430): where the skin varies
//! (`[skin.variability]`), an upper percentile of the insertion depth over the needles and a
//! sample of skins, not the deepest needle of one skin.
//!
//! The sample is the skins `mc`'s first [`SKINS`] runs meet (seeds seed … seed + 63), each
//! with its own made device, so the figure is reproducible and agrees with a study of the
//! same design.

use crate::design::Design;
use crate::kinematics::MadeDevice;
use crate::metrics::depth::percentile;
use rayon::prelude::*;

/// Skins drawn.
pub const SKINS: u32 = 64;

/// The percentile taken.
pub const PERCENTILE: f64 = 0.99;

/// The maximum penetration depth over needles and skins.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Penetration {
    /// The [`PERCENTILE`] of insertion depth over every needle of [`SKINS`] skins, mm.
    pub depth_mm: f64,
    /// Skins drawn.
    pub skins: u32,
    /// The percentile, as a fraction.
    pub percentile: f64,
}

/// The maximum penetration depth of `design` over its skin's variability; `None` when the
/// skin does not vary or no needle pierces in any drawn skin.
///
/// # Examples
/// ```
/// use needlemap::metrics::penetration::penetration;
/// let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/pen-12-110.toml");
/// let mut d = needlemap::design::Design::load(&path).unwrap();
/// assert!(penetration(&d).is_none());
/// d.skin.variability.stiffness = 0.3;
/// let p = penetration(&d).unwrap();
/// assert!(p.depth_mm > 0.0 && p.depth_mm <= 1.0 + 1e-9); // never past the 1 mm setting
/// ```
pub fn penetration(design: &Design) -> Option<Penetration> {
    if !design.skin.variability.any() {
        return None;
    }
    let seed = design.treatment.seed;
    let per_skin: Vec<Vec<f64>> = (0..SKINS)
        .into_par_iter()
        .map(|k| {
            let mut d = design.clone();
            d.treatment.seed = seed.wrapping_add(u64::from(k));
            d.skin = design.skin.drawn(d.treatment.seed);
            MadeDevice::for_limits(&d)
                .needles
                .iter()
                .map(|n| n.depth_mm)
                .collect()
        })
        .collect();
    let mut all: Vec<f64> = per_skin.into_iter().flatten().collect();
    if all.is_empty() {
        return None;
    }
    all.sort_by(f64::total_cmp);
    Some(Penetration {
        depth_mm: percentile(&all, PERCENTILE),
        skins: SKINS,
        percentile: PERCENTILE,
    })
}
