//! Insertion: how deep a needle goes under the force that presses the device (model §2a).
//!
//! # One needle
//! The tip is w below the undeformed surface. With f the force on the needle:
//!
//! - **Indentation.** Before it pierces, the tip indents the skin by u with a Hertz-type law
//!   f = K_t·u^1.5, K_t = K·√(r_tip/µm + 1) (`indentation_stiffness`): a blunter tip is
//!   stiffer, as a sphere is stiffer than a point.
//! - **Puncture** when f reaches the tip's puncture force, linear in the tip's area (Davis
//!   2004): F_p = F₀ + p·π·r_tip² (`puncture_force_n`, `tip_pressure_n_mm2`). The indentation
//!   at puncture u_p = (F_p/K_t)^(2/3) grows about linearly with the tip radius: a blunter tip
//!   pierces later, never "never" (a 40 µm tip at 0.77 N after ≈ 0.55 mm in human skin).
//! - **After puncture** the force drops to the cutting force F_c = χ·F_p
//!   (`cutting_fraction`) and friction on the inserted flank adds τ·A(d) (`friction_n_mm2`;
//!   A(d) the lateral area of the first d mm of the needle, cone then shaft): f = F_c + τ·A(d).
//!   Under force control the needle snaps through at puncture, then goes deeper continuously
//!   and strictly with the force.
//! - **Tenting under load.** The pierced needle's load pulls the surface around it down by
//!   f/k_s (`tenting_stiffness_n_mm`), so the tip is d = w − f/k_s deep: the tenting is a
//!   result of the balance, not a constant. A needle pressed to its base (w = h) stops at
//!   d + (F_c + τ·A(d))/k_s = h, so the inserted fraction d/h does not rise with the length.
//!
//! # Needles coupled through the skin
//! One needle's load deflects the surface at a neighbour s away by f·e^(−s/ℓ)/k_s
//! (`coupling_length_mm`). needlemap takes the neighbours' loads as the needle's own (a mean
//! field, exact for the inside of a uniform array), so needle i's surface sinks by
//! f_i·(1 + S_i)/k_s with S_i = Σ_j e^(−s_ij/ℓ): the middle of a dense array is softer than
//! its edge, carries less of the force and goes less deep, and a lone needle goes deepest.
//!
//! # The device
//! The device is rigid: it sinks z, needle i's tip is w_i = z − o_i below the undeformed
//! surface (o_i: how far its tip stands above the lowest possible one), until the needles'
//! forces add up to the force that presses it, or until its body (drum, backing, pen nose)
//! reaches the surface at z = z_max and carries the rest. A needle pierces when its tip's
//! indentation force reaches F_p; the loading is followed from z = 0 up, so the first
//! equilibrium on that path is the one taken, with every needle that pierced on the way
//! pierced ([`press`]).
//!
//! # Channel depth
//! After withdrawal the tissue closes wherever the hole is narrower than the closure radius
//! r_c (`closure_radius_um`): on the conical tip of length t and shaft diameter D that is the
//! lowest r_c·t/(D/2), so the open channel is max(0, d − 2·r_c·t/D) deep (all of it closes
//! when D/2 ≤ r_c).
//!
//! Parameters and their sources: the [`crate::model::skin`] presets and `docs/sources.md`.

use crate::model::skin::Skin;

/// The tip radius added under the square root of the indentation stiffness, µm: a tip of
/// radius 0 still indents like a 1 µm sphere \[A\].
pub const TIP_FLOOR_UM: f64 = 1.0;

/// Neighbours farther than this many coupling lengths are left out of S_i (e^−12 ≈ 6·10⁻⁶).
const COUPLING_CUTOFF: f64 = 12.0;

/// The mechanical parameters of one skin and one needle shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mechanics {
    /// Puncture force of this tip F_p, N.
    pub puncture_n: f64,
    /// Force after puncture before friction F_c = χ·F_p, N.
    pub cutting_n: f64,
    /// Indentation stiffness of this tip K_t, N/mm^1.5.
    pub indent_n_mm15: f64,
    /// Surface stiffness under a pierced needle's load k_s, N/mm.
    pub k_n_mm: f64,
    /// Friction on the inserted flank τ, N/mm².
    pub friction_n_mm2: f64,
    /// Shaft diameter, mm.
    pub diameter_mm: f64,
    /// Length of the conical tip, mm.
    pub tip_length_mm: f64,
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
        let rc_mm = skin.closure_radius_um / 1000.0;
        let half = diameter_mm / 2.0;
        Mechanics {
            puncture_n,
            cutting_n: skin.cutting_fraction * puncture_n,
            indent_n_mm15: skin.indentation_stiffness
                * (tip_radius_um.max(0.0) + TIP_FLOOR_UM).sqrt(),
            k_n_mm: skin.tenting_stiffness_n_mm,
            friction_n_mm2: skin.friction_n_mm2,
            diameter_mm,
            tip_length_mm,
            closing_mm: rc_mm * tip_length_mm / half,
            closes_whole: half <= rc_mm,
        }
    }

    /// The tip's indentation when it pierces a free surface, u_p = (F_p/K_t)^(2/3), mm.
    pub fn puncture_displacement_mm(&self) -> f64 {
        (self.puncture_n / self.indent_n_mm15).powf(2.0 / 3.0)
    }

    /// Lateral area of the first `d_mm` of the needle (the cone of length t, then the shaft),
    /// mm².
    ///
    /// # Examples
    /// ```
    /// let face = needlemap::model::skin::Skin::preset("face").unwrap();
    /// let m = needlemap::model::insertion::Mechanics::new(&face, 0.2, 0.0, 4.0);
    /// // no cone: a cylinder's flank π·D·d
    /// assert!((m.lateral_area_mm2(1.0) - std::f64::consts::PI * 0.2).abs() < 1e-12);
    /// ```
    pub fn lateral_area_mm2(&self, d_mm: f64) -> f64 {
        use std::f64::consts::PI;
        let t = self.tip_length_mm;
        let half = self.diameter_mm / 2.0;
        let cone = |x: f64| {
            let r = half * x / t;
            PI * r * (r * r + x * x).sqrt()
        };
        if d_mm <= 0.0 {
            0.0
        } else if d_mm <= t {
            cone(d_mm)
        } else {
            let tip = if t > 0.0 { cone(t) } else { 0.0 };
            tip + PI * self.diameter_mm * (d_mm - t)
        }
    }

    /// Force on a pierced needle whose tip is `d_mm` deep, F_c + τ·A(d), N.
    pub fn resistance_n(&self, d_mm: f64) -> f64 {
        self.cutting_n + self.friction_n_mm2 * self.lateral_area_mm2(d_mm)
    }

    /// d/dd of [`Mechanics::resistance_n`], τ·A'(d), N/mm (the cone's flank grows as d²).
    fn resistance_slope(&self, d_mm: f64) -> f64 {
        let t = self.tip_length_mm;
        let a = if d_mm <= 0.0 {
            0.0
        } else if d_mm <= t {
            let k = self.diameter_mm / 2.0 / t;
            2.0 * std::f64::consts::PI * k * (k * k + 1.0).sqrt() * d_mm
        } else {
            std::f64::consts::PI * self.diameter_mm
        };
        self.friction_n_mm2 * a
    }

    /// Depth of the open channel left after withdrawal from insertion depth `depth_mm`, mm.
    pub fn channel_depth_mm(&self, depth_mm: f64) -> f64 {
        if self.closes_whole {
            0.0
        } else {
            (depth_mm - self.closing_mm).max(0.0)
        }
    }

    /// Force and its slope d f/d w (N, N/mm) on an unpierced needle whose tip is `w_mm` below
    /// the undeformed surface, with its neighbours' share `c` (S/k_s, mm/N) of the surface's
    /// sinking: u + K_t·u^1.5·c = w.
    fn indenting(&self, w_mm: f64, c: f64) -> (f64, f64) {
        if w_mm <= 0.0 {
            return (0.0, 0.0);
        }
        let k = self.indent_n_mm15;
        let u = if c == 0.0 {
            w_mm
        } else {
            newton_increasing(0.0, w_mm, w_mm, |u| {
                (u + k * u * u.sqrt() * c, 1.0 + 1.5 * k * u.sqrt() * c)
            })
        };
        let df_du = 1.5 * k * u.sqrt();
        (k * u * u.sqrt(), df_du / (1.0 + df_du * c))
    }

    /// Depth, force and the force's slope d f/d w (mm, N, N/mm) of a pierced needle whose tip
    /// is `w_mm` below the undeformed surface, the surface sinking by f·`compliance` (mm/N):
    /// d + f(d)·compliance = w.
    fn inserted(&self, w_mm: f64, compliance: f64) -> (f64, f64, f64) {
        if w_mm <= 0.0 {
            return (0.0, 0.0, 0.0);
        }
        if w_mm <= self.cutting_n * compliance {
            // in, but below the cutting force: the surface alone gives
            return (0.0, w_mm / compliance, 1.0 / compliance);
        }
        let d = newton_increasing(0.0, w_mm, w_mm, |d| {
            (
                d + self.resistance_n(d) * compliance,
                1.0 + self.resistance_slope(d) * compliance,
            )
        });
        let r = self.resistance_slope(d);
        (d, self.resistance_n(d), r / (1.0 + r * compliance))
    }
}

/// The x in [lo, hi] at which the increasing `g(x)` (value, slope) reaches `target`: Newton
/// steps kept inside the bracket (a bisection step where Newton would leave it), to f64
/// resolution; `hi` when g never reaches it. The same steps on every machine.
fn newton_increasing(mut lo: f64, mut hi: f64, target: f64, g: impl Fn(f64) -> (f64, f64)) -> f64 {
    if g(hi).0 <= target {
        return hi;
    }
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let (v, dv) = g(x);
        if v >= target {
            hi = x;
        } else {
            lo = x;
        }
        let mut next = x - (v - target) / dv;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        // converged: the step is below a few ulps of x (or the bracket closed)
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs().max(1e-12)
            || hi - lo <= f64::EPSILON * hi.abs()
        {
            return if v >= target { x } else { next.min(hi) };
        }
        x = next;
    }
    hi
}

/// One needle of a device being pressed, for [`press`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Contact {
    /// How far its tip stands above the lowest possible tip, o_i, mm: the tip is z − o_i below
    /// the undeformed surface when the device has sunk z.
    pub offset_mm: f64,
    /// Its neighbours' coupling S_i = Σ_j e^(−s_ij/ℓ) (see [`coupling`]).
    pub coupling: f64,
}

/// What one needle of a pressed device reaches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tip {
    /// Tip displacement below the undeformed surface, mm.
    pub w_mm: f64,
    /// Insertion depth below the sunk surface, mm; `None` when it did not pierce.
    pub depth_mm: Option<f64>,
    /// The force it carries, N.
    pub load_n: f64,
    /// Whether it pierces before the body stops the device (at any force).
    pub can_pierce: bool,
}

/// The device's sinking at which needle i pierces: o_i + u_p + F_p·S_i/k_s.
fn pierce_at(m: &Mechanics, c: &Contact) -> f64 {
    c.offset_mm + m.puncture_displacement_mm() + m.puncture_n * c.coupling / m.k_n_mm
}

/// Needle i at sinking `z`, pierced or not: its force, the force's slope d/dz (for Newton's
/// steps) and its depth.
fn needle_at(m: &Mechanics, c: &Contact, z: f64, pierced: bool) -> (f64, f64, Option<f64>) {
    let w = z - c.offset_mm;
    if pierced {
        let (d, f, slope) = m.inserted(w, (1.0 + c.coupling) / m.k_n_mm);
        (f, slope, (d > 0.0).then_some(d))
    } else {
        let (f, slope) = m.indenting(w, c.coupling / m.k_n_mm);
        (f, slope, None)
    }
}

/// Presses a rigid device of needles `contacts` (needle i with mechanics `ms[i]`) with
/// `force_n`, its body reaching the surface at sinking `z_max` (mm); returns each needle's
/// [`Tip`]. The loading is followed from z = 0: between two punctures the needles' total force
/// rises continuously with z; a puncture drops it (the pierced needle's force falls to its
/// cutting force) and the device snaps deeper. The first z on that path where the total
/// reaches `force_n` is the equilibrium; `z_max` when none is.
///
/// # Examples
/// ```
/// use needlemap::model::insertion::{press, Contact, Mechanics};
/// let face = needlemap::model::skin::Skin::preset("face").unwrap();
/// let m = Mechanics::new(&face, 0.25, 0.5, 4.0);
/// let one = [Contact { offset_mm: 0.0, coupling: 0.0 }];
/// let soft = press(&[m], &one, 0.05, 1.5)[0].depth_mm.unwrap();
/// let firm = press(&[m], &one, 0.5, 1.5)[0].depth_mm.unwrap();
/// assert!(soft < firm && firm < 1.5);
/// assert!(press(&[m], &one, 0.02, 1.5)[0].depth_mm.is_none()); // below puncture
/// ```
pub fn press(ms: &[Mechanics], contacts: &[Contact], force_n: f64, z_max: f64) -> Vec<Tip> {
    let at: Vec<f64> = ms
        .iter()
        .zip(contacts)
        .map(|(m, c)| pierce_at(m, c))
        .collect();
    let mut events: Vec<f64> = at.iter().copied().filter(|&t| t < z_max).collect();
    events.sort_by(f64::total_cmp);
    events.dedup();
    // the needles' total force at sinking z with those pierced whose pierce_at ≤ state, and
    // its slope d/dz
    let total = |z: f64, state: f64| -> (f64, f64) {
        ms.iter()
            .zip(contacts)
            .zip(&at)
            .map(|((m, c), &t)| needle_at(m, c, z, t <= state))
            .fold((0.0, 0.0), |(a, b), (f, s, _)| (a + f, b + s))
    };
    // intervals [start, end) between punctures; the state: pierced iff pierce_at ≤ start
    // (every pierce_at is above 0, u_p > 0, so the first interval has none pierced)
    let ends: Vec<f64> = events
        .iter()
        .copied()
        .chain(std::iter::once(z_max))
        .collect();
    let start_of = |j: usize| if j == 0 { 0.0 } else { ends[j - 1] };
    // No interval ends with a total above the envelope Σ max(unpierced, pierced force), which
    // rises with z: the intervals before the first whose end's envelope reaches the force
    // cannot hold the equilibrium, and a bisection over the ends skips them.
    let envelope = |z: f64| -> f64 {
        ms.iter()
            .zip(contacts)
            .map(|(m, c)| needle_at(m, c, z, false).0.max(needle_at(m, c, z, true).0))
            .sum()
    };
    let (mut lo, mut hi) = (0, ends.len() - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if envelope(ends[mid]) >= force_n {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let mut found: Option<(f64, f64)> = None;
    for (j, &end) in ends.iter().enumerate().skip(lo) {
        let (start, state) = (start_of(j), start_of(j));
        if end > start && total(end, state).0 >= force_n {
            let z = newton_increasing(start, end, force_n, |z| total(z, state));
            found = Some((z, state));
            break;
        }
    }
    let (z, state) = found.unwrap_or((z_max, z_max));
    ms.iter()
        .zip(contacts)
        .zip(&at)
        .map(|((m, c), &t)| {
            let (load_n, _, depth_mm) = needle_at(m, c, z, t <= state);
            Tip {
                w_mm: z - c.offset_mm,
                depth_mm,
                load_n,
                can_pierce: t <= z_max,
            }
        })
        .collect()
}

/// S_i = Σ_{j≠i} e^(−s_ij/ℓ) of needles at `points` (mm, in the skin's plane) for coupling
/// length `ell_mm`; neighbours beyond 12ℓ are left out. A grid of cells keeps it near-linear
/// in the needle count.
///
/// # Examples
/// ```
/// let s = needlemap::model::insertion::coupling(&[(0.0, 0.0), (0.15, 0.0)], 0.15);
/// assert!((s[0] - (-1.0f64).exp()).abs() < 1e-12 && s[0] == s[1]);
/// ```
pub fn coupling(points: &[(f64, f64)], ell_mm: f64) -> Vec<f64> {
    let n = points.len();
    if n < 2 || ell_mm <= 0.0 {
        return vec![0.0; n];
    }
    let cut = COUPLING_CUTOFF * ell_mm;
    let term = |i: usize, j: usize| {
        let s = (points[i].0 - points[j].0).hypot(points[i].1 - points[j].1);
        if s < cut {
            (-s / ell_mm).exp()
        } else {
            0.0
        }
    };
    if n <= 256 {
        return (0..n)
            .map(|i| (0..n).filter(|&j| j != i).map(|j| term(i, j)).sum())
            .collect();
    }
    let cell = |p: (f64, f64)| ((p.0 / cut).floor() as i64, (p.1 / cut).floor() as i64);
    let mut grid: std::collections::BTreeMap<(i64, i64), Vec<usize>> = Default::default();
    for (i, p) in points.iter().enumerate() {
        grid.entry(cell(*p)).or_default().push(i);
    }
    (0..n)
        .map(|i| {
            let (cx, cy) = cell(points[i]);
            let mut s = 0.0;
            for dx in -1..=1 {
                for dy in -1..=1 {
                    if let Some(js) = grid.get(&(cx + dx, cy + dy)) {
                        s += js
                            .iter()
                            .filter(|&&j| j != i)
                            .map(|&j| term(i, j))
                            .sum::<f64>();
                    }
                }
            }
            s
        })
        .collect()
}

/// Presses a flat array (pen cartridge, hand stamp) of needles standing `lengths_mm[j]` out of
/// the backing at `points[j]` with `force_n`: the backing stops at the surface.
///
/// # Examples
/// ```
/// use needlemap::model::insertion::{press_array, Mechanics};
/// let face = needlemap::model::skin::Skin::preset("face").unwrap();
/// let m = Mechanics::new(&face, 0.25, 0.5, 4.0);
/// let pts = [(0.0, 0.0), (1.0, 0.0)];
/// let soft = press_array(&[m, m], &[1.0, 1.0], &pts, 0.15, 0.2);
/// let firm = press_array(&[m, m], &[1.0, 1.0], &pts, 0.15, 10.0);
/// assert!(soft[0].depth_mm.unwrap() < firm[0].depth_mm.unwrap());
/// assert!(firm[0].w_mm <= 1.0);
/// ```
pub fn press_array(
    ms: &[Mechanics],
    lengths_mm: &[f64],
    points: &[(f64, f64)],
    ell_mm: f64,
    force_n: f64,
) -> Vec<Tip> {
    let h_max = lengths_mm.iter().copied().fold(0.0, f64::max);
    let s = coupling(points, ell_mm);
    let contacts: Vec<Contact> = lengths_mm
        .iter()
        .zip(&s)
        .map(|(h, &coupling)| Contact {
            offset_mm: h_max - h,
            coupling,
        })
        .collect();
    press(ms, &contacts, force_n, h_max)
}

/// One needle on a drum for [`press_drum`].
#[derive(Clone, Copy, Debug)]
pub struct DrumNeedle {
    /// Angle on the drum, rad.
    pub angle_rad: f64,
    /// Position along the drum's axis, mm.
    pub axial_mm: f64,
    /// Exposed length, mm.
    pub length_mm: f64,
}

/// What each needle of a drum of radius `r_mm` pressed with `force_n` reaches at the moment it
/// points straight down. Needle i, θ_i from the downward direction, has its tip
/// (R + h_i)·cos θ_i − H below the surface when the drum's axis is H above it; the drum's body
/// stops at H = R. The force is carried by the needles entering the skin, 0 ≤ θ ≤ the arc's
/// reach (the needle pointing down and those ahead of it in the rolling direction); those
/// past the bottom are withdrawing and carry none. Neighbours couple through the skin as in
/// [`press`], at their places on the skin (along the axis, and R·sin θ along the stroke).
pub fn press_drum(
    ms: &[Mechanics],
    r_mm: f64,
    needles: &[DrumNeedle],
    ell_mm: f64,
    force_n: f64,
) -> Vec<Tip> {
    use std::f64::consts::TAU;
    let h_max = needles.iter().map(|n| n.length_mm).fold(0.0, f64::max);
    // No tip is below the surface beyond |θ| < acos(R/(R + h_max)).
    let reach = crate::base::math::trig::acos(r_mm / (r_mm + h_max)) + 1e-12;
    let mut order: Vec<usize> = (0..needles.len()).collect();
    let angle = |i: usize| needles[i].angle_rad.rem_euclid(TAU);
    order.sort_by(|&a, &b| angle(a).total_cmp(&angle(b)).then(a.cmp(&b)));
    // the ring of angles unrolled twice, so a window [φ, φ + reach] never wraps (reach < π/2)
    let ext: Vec<(f64, usize)> = [0.0, TAU]
        .iter()
        .flat_map(|s| order.iter().map(move |&i| (angle(i) + s, i)))
        .collect();
    let mut out = vec![
        Tip {
            w_mm: 0.0,
            depth_mm: None,
            load_n: 0.0,
            can_pierce: false,
        };
        needles.len()
    ];
    let mut done = vec![false; needles.len()];
    for &i in &order {
        if done[i] {
            continue;
        }
        let phi = angle(i);
        let lo = ext.partition_point(|e| e.0 < phi);
        let hi = ext.partition_point(|e| e.0 <= phi + reach);
        let arc = &ext[lo..hi];
        let points: Vec<(f64, f64)> = arc
            .iter()
            .map(|&(a, j)| {
                let th = a - phi;
                (needles[j].axial_mm, r_mm * crate::base::math::trig::sin(th))
            })
            .collect();
        let s = coupling(&points, ell_mm);
        let contacts: Vec<Contact> = arc
            .iter()
            .zip(&s)
            .map(|(&(a, j), &coupling)| Contact {
                offset_mm: r_mm + h_max
                    - (r_mm + needles[j].length_mm) * crate::base::math::trig::cos(a - phi),
                coupling,
            })
            .collect();
        let arc_ms: Vec<Mechanics> = arc.iter().map(|&(_, j)| ms[j]).collect();
        let tips = press(&arc_ms, &contacts, force_n, h_max);
        // every needle at this angle (the same place on other rings) points down now
        for (&(a, j), tip) in arc.iter().zip(tips) {
            if a == phi && !done[j] {
                out[j] = tip;
                done[j] = true;
            }
        }
    }
    out
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

    fn one(m: &Mechanics, h: f64, f: f64) -> Option<f64> {
        press(
            &[*m],
            &[Contact {
                offset_mm: 0.0,
                coupling: 0.0,
            }],
            f,
            h,
        )[0]
        .depth_mm
    }

    #[test]
    fn one_needle_closed_form_below_saturation() {
        // F = F_c + τ·A(d) on a lone needle: the depth inverts the resistance exactly
        let m = mech();
        let d = one(&m, 1.5, 0.3).unwrap();
        assert_relative_eq!(m.resistance_n(d), 0.3, epsilon = 1e-9);
    }

    #[test]
    fn snap_through_at_puncture_then_strictly_rising() {
        let m = mech();
        assert!(one(&m, 1.5, m.puncture_n * 0.999).is_none());
        let first = one(&m, 1.5, m.puncture_n * 1.001).unwrap();
        // the snap: the depth the cutting force and friction allow at F_p, not zero
        assert!(first > 0.02, "{first}");
        let mut last = first;
        for i in 1..200 {
            let f = m.puncture_n * 1.001 + i as f64 * 0.01;
            let d = one(&m, 1.5, f).unwrap();
            if d < 1.5 - 1e-9 && w_below_body(&m, 1.5, f) {
                assert!(d > last, "f {f}: {d} <= {last}");
            }
            last = d;
        }
    }

    fn w_below_body(m: &Mechanics, h: f64, f: f64) -> bool {
        press(
            &[*m],
            &[Contact {
                offset_mm: 0.0,
                coupling: 0.0,
            }],
            f,
            h,
        )[0]
        .w_mm
            < h
    }

    #[test]
    fn saturated_fraction_does_not_rise_with_length() {
        let mut last = 1.0;
        for h in [0.5, 0.75, 1.0, 1.5, 2.0, 2.5] {
            let d = one(&mech(), h, 1e3).unwrap();
            let frac = d / h;
            assert!(frac <= last + 1e-12 && frac < 1.0, "h {h}: {frac}");
            last = frac;
        }
    }

    #[test]
    fn blunter_never_deeper_and_40um_pierces_under_3n() {
        for f in [0.05, 0.3, 1.0, 3.0] {
            let mut last = f64::INFINITY;
            for r in [1.0, 4.0, 8.0, 12.0, 20.0, 40.0, 80.0] {
                let m = Mechanics::new(&face(), 0.25, 0.5, r);
                let d = one(&m, 1.5, f).unwrap_or(0.0);
                assert!(d <= last, "r {r} f {f}: {d} > {last}");
                last = d;
            }
        }
        let m = Mechanics::new(&face(), 0.25, 0.5, 40.0);
        assert!(m.puncture_n <= 3.0 && m.puncture_displacement_mm() < 1.0);
        assert!(one(&m, 1.0, 3.0).is_some());
    }

    #[test]
    fn dense_array_goes_less_deep_than_one_needle() {
        let m = mech();
        let grid = |n: usize, pitch: f64| -> Vec<(f64, f64)> {
            (0..n * n)
                .map(|k| ((k / n) as f64 * pitch, (k % n) as f64 * pitch))
                .collect()
        };
        for f_each in [0.1, 0.3, 1.0] {
            let lone = one(&m, 1.0, f_each).unwrap();
            let pts = grid(10, 0.1);
            let tips = press_array(&vec![m; 100], &[1.0; 100], &pts, 0.15, 100.0 * f_each);
            let mean = tips.iter().map(|t| t.depth_mm.unwrap_or(0.0)).sum::<f64>() / 100.0;
            assert!(mean < lone, "{f_each}: {mean} vs {lone}");
        }
    }

    #[test]
    fn coupling_grid_matches_brute_force() {
        let pts: Vec<(f64, f64)> = (0..400)
            .map(|k| ((k / 20) as f64 * 0.13, (k % 20) as f64 * 0.11))
            .collect();
        let fast = coupling(&pts, 0.15);
        for i in [0, 37, 210, 399] {
            let slow: f64 = (0..400)
                .filter(|&j| j != i)
                .map(|j| {
                    let s = (pts[i].0 - pts[j].0).hypot(pts[i].1 - pts[j].1);
                    if s < 12.0 * 0.15 {
                        (-s / 0.15).exp()
                    } else {
                        0.0
                    }
                })
                .sum();
            assert_relative_eq!(fast[i], slow, epsilon = 1e-12);
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
    fn drum_leading_needles_carry_the_force() {
        let m = mech();
        let ring = |n: usize| -> Vec<DrumNeedle> {
            (0..n)
                .map(|i| DrumNeedle {
                    angle_rad: i as f64 * std::f64::consts::TAU / n as f64,
                    axial_mm: 0.0,
                    length_mm: 1.5,
                })
                .collect()
        };
        let d = |n: usize, f: f64| press_drum(&vec![m; n], 10.0, &ring(n), 0.15, f)[0].depth_mm;
        // more needles per ring share the force: less deep
        assert!(d(48, 0.6).unwrap() < d(24, 0.6).unwrap());
        // a single needle on a drum is a single needle
        let lone = [DrumNeedle {
            angle_rad: 1.0,
            axial_mm: 0.0,
            length_mm: 1.5,
        }];
        assert_relative_eq!(
            press_drum(&[m], 10.0, &lone, 0.15, 0.2)[0]
                .depth_mm
                .unwrap(),
            one(&m, 1.5, 0.2).unwrap(),
            epsilon = 1e-9
        );
        // every equivalent needle of a symmetric ring reaches the same depth
        let all = press_drum(&vec![m; 24], 10.0, &ring(24), 0.15, 0.6);
        for t in &all {
            assert_relative_eq!(
                t.depth_mm.unwrap(),
                all[0].depth_mm.unwrap(),
                epsilon = 1e-9
            );
        }
    }
}
