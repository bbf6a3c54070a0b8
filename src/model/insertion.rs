//! Insertion: how deep a needle goes under the force that presses the device (model §2a).
//!
//! # The model
//! The device is rigid and pressed onto the skin with a force F (roller `force_n`, pen
//! `drive_force_n` per stamp, stamp `force_n`). F is shared by the needles whose tips are
//! below the undeformed surface at that moment; the device sinks until the needles' forces
//! add up to F, or until its body (drum, backing plate, pen nose) reaches the surface, which
//! then carries the rest. One needle, tip displacement w below the undeformed surface:
//!
//! - **Tenting.** Before it pierces, the skin tents under the tip like a spring:
//!   f = k·w (`tenting_stiffness_n_mm`).
//! - **Puncture** when f reaches the tip's puncture force, linear in the tip's area
//!   (Davis 2004): F_p = F₀ + p·π·r_tip² (`puncture_force_n`, `tip_pressure_n_mm2`,
//!   `needle.tip_radius_um`), so at w_p = F_p/k.
//! - **Insertion.** Once in, the surface relaxes to a residual tenting δ_r = min(δ₀, w_p)
//!   (`deflection_mm`) and the tip is d = w − δ_r deep; cutting and friction resist with
//!   f = F_p + c·d (`insertion_resistance_n_mm`). The law f(w) is non-decreasing (it jumps
//!   up at w_p when the tented skin snaps back, δ₀ < w_p).
//! - **Saturation.** The body stops the tips at w ≤ h (needle length; pen: the depth
//!   setting), so d ≤ h − δ_r < h. A firmly pressed device reaches h − δ₀: the constant
//!   offset of earlier versions is this model's limit of large force.
//! - **Channel depth.** After withdrawal the tissue closes wherever the hole is narrower
//!   than the closure radius r_c (`closure_radius_um`): on the conical tip of length t and
//!   shaft diameter D that is the lowest r_c·t/(D/2), so the open channel is
//!   max(0, d − 2·r_c·t/D) deep (all of it closes when D/2 ≤ r_c).
//!
//! The balance is solved by bisection on the device's sinking, which is monotone in F:
//! depth never falls as the force or a needle's length grows, never rises as more needles
//! share the force or the tip gets blunter, and is zero below puncture. A roller's needles
//! share F with the needles beside them on the contact arc, so their depth depends on the
//! layout and the drum's phase; each needle's depth is taken when it points straight down.
//! Parameters and their sources: the [`crate::model::skin`] presets and `docs/sources.md`.

use crate::model::skin::Skin;

/// The advisory when `[skin] deflection_mm` is capped for this needle's tip (see
/// [`Mechanics::deflection_capped`]): what was asked, what is used and why; `None` otherwise.
///
/// # Examples
/// ```
/// let mut skin = needlemap::model::skin::Skin::preset("face").unwrap();
/// let m = needlemap::model::insertion::Mechanics::new(&skin, 0.25, 0.5, 4.0);
/// assert!(needlemap::model::insertion::deflection_cap_note(&skin, &m).is_none());
/// skin.deflection_mm = 1.0; // deeper than the ≈ 0.2 mm a sharp tip tents before it pierces
/// let m = needlemap::model::insertion::Mechanics::new(&skin, 0.25, 0.5, 4.0);
/// assert!(needlemap::model::insertion::deflection_cap_note(&skin, &m).unwrap().contains("1 mm"));
/// ```
pub fn deflection_cap_note(skin: &Skin, m: &Mechanics) -> Option<String> {
    m.deflection_capped(skin).then(|| {
        format!(
            "[skin] deflection_mm = {} mm is more than this tip tents the skin before it pierces (F_p/k = {:.4} N / {} N/mm = {:.3} mm); the depth model uses {:.3} mm, so a larger deflection_mm changes nothing",
            skin.deflection_mm,
            m.puncture_n,
            m.k_n_mm,
            m.puncture_displacement_mm(),
            m.residual_mm
        )
    })
}

/// Bisection steps: the bracket shrinks by 2⁶⁰, below f64 resolution for any depth in mm.
const STEPS: u32 = 60;

/// The mechanical parameters of one skin and one needle shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mechanics {
    /// Puncture force of this tip F_p, N.
    pub puncture_n: f64,
    /// Tenting stiffness k, N/mm.
    pub k_n_mm: f64,
    /// Insertion resistance c, N/mm.
    pub c_n_mm: f64,
    /// Residual tenting δ_r = min(δ₀, F_p/k), mm.
    pub residual_mm: f64,
    /// Length of the tip that closes after withdrawal, mm.
    pub closing_mm: f64,
    /// Whether the whole channel closes (the shaft is narrower than the closure radius).
    pub closes_whole: bool,
}

impl Mechanics {
    /// The mechanics of a needle of shaft `diameter_mm`, conical tip `tip_length_mm` and tip
    /// radius `tip_radius_um` in `skin`.
    ///
    /// # Examples
    /// ```
    /// let face = needlemap::model::skin::Skin::preset("face").unwrap();
    /// let m = needlemap::model::insertion::Mechanics::new(&face, 0.25, 0.5, 4.0);
    /// // a sharp 4 µm tip: within the 0.021–0.030 N Olatunji measured
    /// assert!(m.puncture_n > 0.021 && m.puncture_n < 0.030);
    /// ```
    pub fn new(skin: &Skin, diameter_mm: f64, tip_length_mm: f64, tip_radius_um: f64) -> Self {
        let r_tip_mm = tip_radius_um / 1000.0;
        let puncture_n = skin.puncture_force_n
            + skin.tip_pressure_n_mm2 * std::f64::consts::PI * r_tip_mm * r_tip_mm;
        let k = skin.tenting_stiffness_n_mm;
        let rc_mm = skin.closure_radius_um / 1000.0;
        let half = diameter_mm / 2.0;
        Mechanics {
            puncture_n,
            k_n_mm: k,
            c_n_mm: skin.insertion_resistance_n_mm,
            residual_mm: skin.deflection_mm.min(puncture_n / k),
            closing_mm: rc_mm * tip_length_mm / half,
            closes_whole: half <= rc_mm,
        }
    }

    /// Whether the skin's residual tenting δ₀ (`deflection_mm`) is larger than the tenting at
    /// puncture w_p = F_p/k, so that the model uses δ_r = w_p instead: the skin cannot stay
    /// tented deeper after puncture than it was when the tip went in.
    pub fn deflection_capped(&self, skin: &Skin) -> bool {
        skin.deflection_mm > self.residual_mm
    }

    /// Tip displacement at which the needle pierces, w_p = F_p/k, mm.
    pub fn puncture_displacement_mm(&self) -> f64 {
        self.puncture_n / self.k_n_mm
    }

    /// Force on a needle whose tip is `w_mm` below the undeformed surface, N.
    pub fn force_n(&self, w_mm: f64) -> f64 {
        if w_mm <= 0.0 {
            0.0
        } else if w_mm < self.puncture_displacement_mm() {
            self.k_n_mm * w_mm
        } else {
            self.puncture_n + self.c_n_mm * (w_mm - self.residual_mm)
        }
    }

    /// Insertion depth of a tip `w_mm` below the undeformed surface; `None` before puncture.
    pub fn depth_mm(&self, w_mm: f64) -> Option<f64> {
        (w_mm >= self.puncture_displacement_mm()).then_some(w_mm - self.residual_mm)
    }

    /// Depth of the open channel left after withdrawal from insertion depth `depth_mm`, mm.
    pub fn channel_depth_mm(&self, depth_mm: f64) -> f64 {
        if self.closes_whole {
            0.0
        } else {
            (depth_mm - self.closing_mm).max(0.0)
        }
    }
}

/// Bisection for the x in [lo, hi] at which the non-decreasing `total(x)` reaches `target`;
/// `hi` when it never does. Returns the upper end of the final bracket, where total ≥ target.
fn solve_increasing(mut lo: f64, mut hi: f64, target: f64, total: impl Fn(f64) -> f64) -> f64 {
    if total(hi) <= target {
        return hi;
    }
    for _ in 0..STEPS {
        let mid = 0.5 * (lo + hi);
        if total(mid) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Tip displacements of a flat array (pen cartridge, hand stamp) pressed with `force_n`:
/// needle j stands `lengths_mm[j]` out of the backing (pen: the setting plus its length
/// error), and the backing stops at the surface. Every needle's tip is then
/// z − (h_max − h_j) below the surface, for the sinking z that balances the force.
///
/// # Examples
/// ```
/// use needlemap::model::insertion::{array_displacements, Mechanics};
/// let face = needlemap::model::skin::Skin::preset("face").unwrap();
/// let m = Mechanics::new(&face, 0.25, 0.5, 4.0);
/// let soft = array_displacements(&m, &[1.0; 12], 1.0);
/// let firm = array_displacements(&m, &[1.0; 12], 10.0);
/// assert!(soft[0] < firm[0] && firm[0] <= 1.0);
/// ```
pub fn array_displacements(m: &Mechanics, lengths_mm: &[f64], force_n: f64) -> Vec<f64> {
    array_displacements_each(&vec![*m; lengths_mm.len()], lengths_mm, force_n)
}

/// [`array_displacements`] with needle j's own mechanics `ms[j]` (tips of different radii).
pub fn array_displacements_each(ms: &[Mechanics], lengths_mm: &[f64], force_n: f64) -> Vec<f64> {
    let h_max = lengths_mm.iter().copied().fold(0.0, f64::max);
    let total = |z: f64| {
        lengths_mm
            .iter()
            .zip(ms)
            .map(|(h, m)| m.force_n(z - (h_max - h)))
            .sum::<f64>()
    };
    let z = solve_increasing(0.0, h_max, force_n, total);
    lengths_mm.iter().map(|h| z - (h_max - h)).collect()
}

/// One needle on a drum for [`drum_displacements`].
#[derive(Clone, Copy, Debug)]
pub struct DrumNeedle {
    /// Angle on the drum, rad.
    pub angle_rad: f64,
    /// Exposed length, mm.
    pub length_mm: f64,
}

/// Tip displacement of each needle of a drum of radius `r_mm` pressed with `force_n`, at the
/// moment the needle points straight down. Needle i, θ_i from the downward direction, has its
/// tip (R + h_i)·cos θ_i − H below the surface when the drum's axis is H above it; the drum's
/// body stops at H = R. The needles that share the force are those on the contact arc.
pub fn drum_displacements(
    m: &Mechanics,
    r_mm: f64,
    needles: &[DrumNeedle],
    force_n: f64,
) -> Vec<f64> {
    drum_displacements_each(&vec![*m; needles.len()], r_mm, needles, force_n)
}

/// [`drum_displacements`] with needle i's own mechanics `ms[i]` (tips of different radii).
pub fn drum_displacements_each(
    ms: &[Mechanics],
    r_mm: f64,
    needles: &[DrumNeedle],
    force_n: f64,
) -> Vec<f64> {
    use std::f64::consts::TAU;
    let h_max = needles.iter().map(|n| n.length_mm).fold(0.0, f64::max);
    // No tip is below the surface beyond |θ| < acos(R/(R + h_max)): only needles within that
    // of the lowest one share the force. Sort by angle and take a window around each needle.
    let reach = crate::base::math::trig::acos(r_mm / (r_mm + h_max)) + 1e-12;
    let mut sorted: Vec<(f64, f64, &Mechanics)> = needles
        .iter()
        .zip(ms)
        .map(|(n, m)| (n.angle_rad.rem_euclid(TAU), n.length_mm, m))
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    // the ring of angles unrolled three times, so a window never wraps (reach < π/2)
    let ext: Vec<(f64, f64, &Mechanics)> = [-TAU, 0.0, TAU]
        .iter()
        .flat_map(|s| sorted.iter().map(move |&(a, h, m)| (a + s, h, m)))
        .collect();
    // The balance depends on the needle's angle alone (the arc around it), so needles at one
    // angle — the same place on every other ring of a staggered drum — share one solve: the
    // same numbers, once per angle rather than once per needle.
    let mut solved: std::collections::HashMap<u64, f64> = std::collections::HashMap::new();
    let sink_at = |phi: f64| drum_sinking(&ext, phi, reach, r_mm, h_max, force_n);
    needles
        .iter()
        .map(|me| {
            let phi = me.angle_rad.rem_euclid(TAU);
            let z = *solved.entry(phi.to_bits()).or_insert_with(|| sink_at(phi));
            r_mm + me.length_mm - (r_mm + h_max - z)
        })
        .collect()
}

/// The sinking z of [`drum_displacements_each`] when the needle at angle `phi` points down:
/// the needles of `ext` within `reach` of it share `force_n`.
fn drum_sinking(
    ext: &[(f64, f64, &Mechanics)],
    phi: f64,
    reach: f64,
    r_mm: f64,
    h_max: f64,
    force_n: f64,
) -> f64 {
    let lo = ext.partition_point(|o| o.0 < phi - reach);
    let hi = ext.partition_point(|o| o.0 <= phi + reach);
    // the needles on the arc as (cos θ, R + h)
    let arc: Vec<(f64, f64, &Mechanics)> = ext[lo..hi]
        .iter()
        .map(|&(a, h, m)| (crate::base::math::trig::cos(a - phi), r_mm + h, m))
        .collect();
    let total = |z: f64| {
        // z: how far the lowest possible tip (length h_max, straight down) is below
        // the surface, H = R + h_max − z
        let axis = r_mm + h_max - z;
        arc.iter()
            .map(|&(cos_t, reach_mm, m)| m.force_n(reach_mm * cos_t - axis))
            .sum::<f64>()
    };
    solve_increasing(0.0, h_max, force_n, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn face() -> Skin {
        Skin::preset("face").unwrap()
    }

    fn mech() -> Mechanics {
        Mechanics::new(&face(), 0.25, 0.5, 4.0)
    }

    fn array_depth(m: &Mechanics, n: usize, h: f64, f: f64) -> Option<f64> {
        m.depth_mm(array_displacements(m, &vec![h; n], f)[0])
    }

    #[test]
    fn force_law_is_continuous_before_puncture_and_non_decreasing() {
        let m = mech();
        let mut last = 0.0;
        for i in 0..=2000 {
            let w = i as f64 * 0.001;
            let f = m.force_n(w);
            assert!(f >= last, "w {w}: {f} < {last}");
            last = f;
        }
        assert_relative_eq!(
            m.force_n(m.puncture_displacement_mm() * 0.999_999),
            m.puncture_n,
            epsilon = 1e-6
        );
    }

    #[test]
    fn array_balance_closed_form() {
        // N equal needles below saturation: N·(F_p + c·d) = F, so d = (F/N − F_p)/c
        let m = mech();
        let (n, f) = (12, 1.2);
        let d = array_depth(&m, n, 1.0, f).unwrap();
        assert_relative_eq!(d, (f / n as f64 - m.puncture_n) / m.c_n_mm, epsilon = 1e-9);
    }

    #[test]
    fn saturates_at_length_minus_residual_tenting() {
        let m = mech();
        let d = array_depth(&m, 12, 1.0, 1e4).unwrap();
        assert_relative_eq!(d, 1.0 - face().deflection_mm, epsilon = 1e-12);
    }

    #[test]
    fn below_puncture_no_channel() {
        let m = mech();
        // 12 needles, each loaded just below its puncture force
        assert!(array_depth(&m, 12, 1.0, 12.0 * m.puncture_n * 0.99).is_none());
        assert!(array_depth(&m, 12, 1.0, 12.0 * m.puncture_n * 1.01).is_some());
    }

    #[test]
    fn depth_is_monotone_in_force_length_count_and_tip() {
        let m = mech();
        let depth =
            |m: &Mechanics, n: usize, h: f64, f: f64| array_depth(m, n, h, f).unwrap_or(0.0);
        let mut last = 0.0;
        let mut rose = false;
        for i in 1..400 {
            let f = i as f64 * 0.02;
            let d = depth(&m, 12, 1.0, f);
            assert!(d >= last && d <= 1.0);
            rose |= d > last && last > 0.0;
            last = d;
        }
        assert!(
            rose,
            "strictly increasing somewhere between puncture and saturation"
        );
        for f in [0.5, 1.0, 3.0] {
            assert!(depth(&m, 12, 1.5, f) >= depth(&m, 12, 1.0, f));
            // bed of nails: twice the needles, same force, shallower
            assert!(depth(&m, 24, 1.0, f) <= depth(&m, 12, 1.0, f));
            let blunt = Mechanics::new(&face(), 0.25, 0.5, 30.0);
            assert!(depth(&blunt, 12, 1.0, f) <= depth(&m, 12, 1.0, f));
        }
    }

    #[test]
    fn channel_depth_below_insertion_and_closure_of_thin_needles() {
        let m = mech();
        for d in [0.05, 0.2, 0.8] {
            assert!(m.channel_depth_mm(d) <= d);
        }
        // closing length r_c·t/(D/2) = 0.0215·0.5/0.125
        assert_relative_eq!(m.channel_depth_mm(0.8), 0.8 - 0.086, epsilon = 1e-12);
        let thin = Mechanics::new(&face(), 0.04, 0.5, 4.0);
        assert_eq!(thin.channel_depth_mm(0.8), 0.0);
    }

    #[test]
    fn drum_needles_share_the_arc() {
        // one ring of n needles: more needles per ring share the force, so they go less deep
        let m = mech();
        let ring = |n: usize| -> Vec<DrumNeedle> {
            (0..n)
                .map(|i| DrumNeedle {
                    angle_rad: i as f64 * std::f64::consts::TAU / n as f64,
                    length_mm: 1.5,
                })
                .collect()
        };
        let d24 = m
            .depth_mm(drum_displacements(&m, 10.0, &ring(24), 0.6)[0])
            .unwrap();
        let d48 = m
            .depth_mm(drum_displacements(&m, 10.0, &ring(48), 0.6)[0])
            .unwrap();
        assert!(d48 < d24, "{d48} vs {d24}");
        // a single needle on a drum behaves like a single needle of an array
        let one = [DrumNeedle {
            angle_rad: 1.0,
            length_mm: 1.5,
        }];
        let w = drum_displacements(&m, 10.0, &one, 0.2)[0];
        assert_relative_eq!(w, array_displacements(&m, &[1.5], 0.2)[0], epsilon = 1e-9);
        // every equivalent needle of a symmetric ring reaches the same depth
        let all = drum_displacements(&m, 10.0, &ring(24), 0.6);
        for w in &all {
            assert_relative_eq!(*w, all[0], epsilon = 1e-9);
        }
    }
}
