//! Needle integrity of a device as made and pressed: the strength checks of
//! [`crate::model::strength`] over every needle that pierces, folded into the three metrics
//! of model §5 (`min_buckling_safety_factor`, `min_bending_safety_factor`,
//! `fatigue_safety_factor`) and their advisories (`needle_may_buckle`, `needle_may_bend`,
//! `cartridge_fatigue`, raised below a factor of [`ADVISORY_FACTOR`]).
//!
//! A needle's checks read its geometry as made (length and tip radius with their errors; the
//! nominal shaft and cone), the design's material, the two axial forces of the force balance
//! ([`MadeNeedle::puncture_force_n`], [`MadeNeedle::load_n`]), its depth, how its device meets
//! the skin (a drum's radius gives the entry angle from depth and length; a pen's or stamp's
//! misalignment) and a pen's duty (frequency × session). Nothing here reads the raster or
//! the channels, and the fold runs over the needles in design order (ties go to the lower
//! needle), so the factors depend on neither the raster pitch nor the thread count.
//!
//! A factor that is not finite (no needle pierces, or none takes a side load) is `None`: JSON
//! null and an empty CSV cell, like every undefined metric.

use crate::design::Design;
use crate::kinematics::{MadeDevice, MadeNeedle};
use crate::model::advisory::Advisory;
use crate::model::material::MaterialProps;
use crate::model::strength::bending::{Approach, InsertionLoad, Section};
use crate::model::strength::buckling::{
    shared_elastic, Discretisation, ElasticCapacity, InsertionPhase,
};
use crate::model::strength::fatigue::{PenDuty, LOW_CYCLES};
use crate::model::strength::geometry::NeedleGeometry;
use crate::model::strength::{assess_needle, NeedleCase, NeedleIntegrity};

/// A factor below this raises its advisory.
pub const ADVISORY_FACTOR: f64 = 2.0;

/// The needle that sets one factor of the device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Worst {
    /// Its number in the design's needle list.
    pub needle: u32,
    /// Its factor.
    pub factor: f64,
    /// How many needles have a factor of this kind below [`ADVISORY_FACTOR`].
    pub below: usize,
    /// What was checked.
    pub case: NeedleCase,
    /// Its checks.
    pub result: NeedleIntegrity,
}

/// The device's integrity: the needle that sets each factor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Integrity {
    /// The needle with the smallest buckling factor.
    pub buckling: Option<Worst>,
    /// The needle with the smallest bending factor (root or tip curl).
    pub bending: Option<Worst>,
    /// The needle with the smallest root bending factor alone.
    pub root: Option<Worst>,
    /// The needle with the smallest tip-curl factor alone.
    pub tip_curl: Option<Worst>,
    /// The needle with the smallest fatigue factor: pens with a material that has an
    /// endurance limit.
    pub fatigue: Option<Worst>,
    /// A pen's duty.
    pub duty: Option<PenDuty>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Integrity {
    /// `min_buckling_safety_factor`.
    pub fn min_buckling_safety_factor(&self) -> Option<f64> {
        self.buckling.and_then(|w| finite(w.factor))
    }

    /// `min_bending_safety_factor`.
    pub fn min_bending_safety_factor(&self) -> Option<f64> {
        self.bending.and_then(|w| finite(w.factor))
    }

    /// `fatigue_safety_factor` (pens only).
    pub fn fatigue_safety_factor(&self) -> Option<f64> {
        self.fatigue.and_then(|w| finite(w.factor))
    }

    /// Sessions a cartridge survives (the needle that sets the fatigue factor); `None` when
    /// unlimited (below the endurance limit) or not a pen.
    pub fn cartridge_sessions(&self) -> Option<f64> {
        self.fatigue
            .and_then(|w| w.result.fatigue)
            .and_then(|f| finite(f.sessions_survived))
    }
}

/// The checked case of one needle as made.
pub fn needle_case(design: &Design, n: &MadeNeedle) -> NeedleCase {
    let nd = design.needle;
    NeedleCase {
        geometry: NeedleGeometry {
            length_mm: n.length_mm,
            shaft_diameter_mm: nd.diameter_mm,
            tip_length_mm: nd.tip_length_mm,
            tip_radius_um: n.tip_radius_um,
        },
        load: InsertionLoad {
            puncture_force_n: n.puncture_force_n,
            load_n: n.load_n,
            depth_mm: n.depth_mm,
        },
        approach: design.device.kind_of().approach(),
    }
}

/// Checks every needle of `made` and keeps the worst of each kind.
///
/// # Examples
/// ```no_run
/// use needlemap::{design::Design, kinematics::MadeDevice, metrics::integrity};
/// let d = Design::load("designs/mf8-192.toml".as_ref()).unwrap();
/// let i = integrity::assess(&d, &MadeDevice::new(&d));
/// assert!(i.min_buckling_safety_factor().unwrap() > 2.0);
/// assert!(i.fatigue_safety_factor().is_none()); // a roller
/// ```
pub fn assess(design: &Design, made: &MadeDevice) -> Integrity {
    let kind = design.device.kind_of();
    let duty = kind.duty();
    let mat = &design.needle.material;
    let mut out = Integrity {
        duty,
        ..Integrity::default()
    };
    for n in &made.needles {
        let case = needle_case(design, n);
        let result = assess_needle(
            &case,
            mat,
            &design.skin_grip,
            duty,
            shared_elastic(&case.geometry),
        );
        let fatigue = result.fatigue.map(|f| f.factor);
        let checks = [
            (&mut out.buckling, Some(result.buckling.factor)),
            (&mut out.bending, Some(result.bending.factor)),
            (&mut out.root, Some(result.bending.root_factor)),
            (&mut out.tip_curl, Some(result.bending.tip_curl_factor)),
            (&mut out.fatigue, fatigue),
        ];
        for (slot, factor) in checks {
            let Some(factor) = factor else { continue };
            let below = usize::from(factor < ADVISORY_FACTOR);
            match slot {
                Some(w) if factor >= w.factor => w.below += below,
                _ => {
                    let before = slot.map_or(0, |w| w.below);
                    *slot = Some(Worst {
                        needle: n.index,
                        factor,
                        below: before + below,
                        case,
                        result,
                    });
                }
            }
        }
    }
    out
}

/// The needle that sets the device's smallest factor of any kind, and that factor's kind:
/// `buckling`, `bending` or `fatigue`.
pub fn governing(i: &Integrity) -> Option<(&'static str, &Worst)> {
    [
        ("buckling", &i.buckling),
        ("bending", &i.bending),
        ("fatigue", &i.fatigue),
    ]
    .into_iter()
    .filter_map(|(k, w)| w.as_ref().filter(|w| w.factor.is_finite()).map(|w| (k, w)))
    .min_by(|a, b| a.1.factor.total_cmp(&b.1.factor))
}

/// The smallest safety factor (buckling, bending and a pen's fatigue) of the needle `w`
/// made `length_mm` long and `diameter_mm` thick, with its material, loads, tilt and duty
/// kept: the same force takes it as deep; a shorter needle goes in the same share of its
/// length, carrying the force beyond puncture in proportion to its depth. `None` when it
/// would not reach into the skin. The map of the strength picture.
///
/// # Examples
/// ```no_run
/// use needlemap::{design::Design, kinematics::MadeDevice, metrics::integrity};
/// let d = Design::load("designs/mf8-192.toml".as_ref()).unwrap();
/// let i = integrity::assess(&d, &MadeDevice::new(&d));
/// let (_, w) = integrity::governing(&i).unwrap();
/// let thin = integrity::factor_at(&d, w, 1.5, 0.1).unwrap();
/// assert!(thin < i.min_bending_safety_factor().unwrap());
/// ```
pub fn factor_at(design: &Design, w: &Worst, length_mm: f64, diameter_mm: f64) -> Option<f64> {
    let base = w.case;
    let share = (length_mm / base.geometry.length_mm).min(1.0);
    let depth_mm = base.load.depth_mm * share;
    if depth_mm <= 0.0 {
        return None;
    }
    let load = &base.load;
    let load_n = load.puncture_force_n + (load.load_n - load.puncture_force_n) * share;
    let case = NeedleCase {
        geometry: NeedleGeometry {
            length_mm,
            shaft_diameter_mm: diameter_mm,
            tip_radius_um: base.geometry.tip_radius_um.min(diameter_mm * 500.0),
            ..base.geometry
        },
        load: InsertionLoad {
            depth_mm,
            load_n,
            ..base.load
        },
        ..base
    };
    let elastic = ElasticCapacity::solve(&case.geometry, Discretisation::default());
    let kind = design.device.kind_of();
    let mat = &design.needle.material;
    let r = assess_needle(&case, mat, &design.skin_grip, kind.duty(), elastic);
    let fatigue = r.fatigue.map_or(f64::INFINITY, |f| f.factor);
    finite(r.buckling.factor.min(r.bending.factor).min(fatigue))
}

/// The advisories of the factors under [`ADVISORY_FACTOR`], in the order buckle, bend,
/// fatigue: which needle, which load and what would fix it.
pub fn advisories(i: &Integrity, mat: &MaterialProps) -> Vec<Advisory> {
    let mut out = Vec::new();
    let low = |w: &Option<Worst>| w.filter(|w| w.factor < ADVISORY_FACTOR);
    if let Some(w) = low(&i.buckling) {
        out.push(buckle(&w, mat));
    }
    if let Some(w) = low(&i.bending) {
        out.push(bend(&w, mat));
    }
    if let (Some(w), Some(duty)) = (low(&i.fatigue), i.duty) {
        out.push(fatigue(&w, mat, &duty));
    }
    out
}

fn needles_note(n: usize) -> String {
    if n > 1 {
        format!(" ({n} needles below {ADVISORY_FACTOR})")
    } else {
        String::new()
    }
}

fn buckle(w: &Worst, mat: &MaterialProps) -> Advisory {
    let (g, b, cap) = (&w.case.geometry, &w.result.buckling, &w.result.capacity);
    let (phase, euler) = match b.phase {
        InsertionPhase::BeforePuncture => {
            ("pressing before it pierces (point free)", cap.euler_free_n)
        }
        InsertionPhase::Inserted => (
            "at its insertion depth (point held by the skin)",
            cap.euler_held_n,
        ),
    };
    let f = w.factor;
    let fix = if euler <= 0.5 * cap.squash_n {
        // Euler: P ∝ d⁴/L²
        format!(
            "a shorter needle (about {:.2} mm) or a thicker one (about {:.3} mm; the buckling load grows as d⁴/L²), a stiffer material, or less force per needle",
            g.length_mm * (f / ADVISORY_FACTOR).sqrt(),
            g.shaft_diameter_mm * (ADVISORY_FACTOR / f).powf(0.25)
        )
    } else {
        format!(
            "the shaft is near its squash load ({:.3} N at a yield strength of {:.0} MPa): a thicker needle (about {:.3} mm), a stronger material, or less force per needle",
            cap.squash_n,
            mat.yield_strength_mpa,
            g.shaft_diameter_mm * (ADVISORY_FACTOR / f).sqrt()
        )
    };
    Advisory {
        code: "needle_may_buckle",
        message: format!(
            "needle {} ({:.2} mm long, {:.3} mm thick) carries {:.3} N {phase} against a buckling load of {:.3} N: safety factor {f:.2}{}. Fix: {fix}",
            w.needle,
            g.length_mm,
            g.shaft_diameter_mm,
            b.load_n,
            b.critical_n,
            needles_note(w.below)
        ),
    }
}

fn bend(w: &Worst, mat: &MaterialProps) -> Advisory {
    let (g, b) = (&w.case.geometry, &w.result.bending);
    let s = b.worst.expect("a finite bending factor has a state");
    let f = w.factor;
    let sy = mat.yield_strength_mpa;
    let when = if s.depth_mm <= 0.0 {
        "as its point enters".to_string()
    } else {
        format!("{:.2} mm deep", s.depth_mm)
    };
    let angle = s.angle_rad.to_degrees();
    let (how, kind_fix) = match w.case.approach {
        Approach::Drum { .. } => (
            format!("tilted {angle:.1}° on the drum {when}"),
            "a larger drum (a smaller entry angle), less force per needle",
        ),
        Approach::Tilted { .. } => (
            format!("held {angle:.1}° off square {when}"),
            "holding the device squarer to the skin",
        ),
    };
    let (what, fix) = match b.section {
        Section::Cone => (
            format!(
                "a side pressure of {:.1} MPa on its {:.2} mm cone (taper t/d = {:.1}) curls the tip to {:.0} MPa against a yield strength of {sy:.0} MPa",
                s.side_pressure_mpa,
                g.cone_length_mm(),
                g.taper_ratio(),
                sy / f
            ),
            format!(
                "a stubbier taper (t/d ≤ {:.1}; the stress grows as (t/d)²), {kind_fix}, or a harder wire (yield ≥ {:.0} MPa)",
                g.taper_ratio() * (f / ADVISORY_FACTOR).sqrt(),
                ADVISORY_FACTOR * sy / f
            ),
        ),
        Section::Root => (
            format!(
                "a side load of {:.3} N ({:.1} MPa on its inserted flank) bends its root",
                s.side_load_n, s.side_pressure_mpa
            ),
            format!(
                "a thicker needle (about {:.3} mm; the root stress falls as d³), a shorter one, {kind_fix}, or a stronger material",
                g.shaft_diameter_mm * (ADVISORY_FACTOR / f).cbrt()
            ),
        ),
    };
    Advisory {
        code: "needle_may_bend",
        message: format!(
            "needle {}, carrying {:.3} N along its axis, {how}: {what}; safety factor {f:.2}{}. Fix: {fix}",
            w.needle,
            s.axial_force_n,
            needles_note(w.below)
        ),
    }
}

fn fatigue(w: &Worst, mat: &MaterialProps, duty: &PenDuty) -> Advisory {
    let fc = w.result.fatigue.expect("a fatigue factor has its check");
    let strokes = duty.cycles_per_session();
    let life = if fc.sessions_survived.is_infinite() {
        "below the endurance limit it does not fail, but the margin is thin".to_string()
    } else if fc.cycles_to_failure < LOW_CYCLES {
        format!("it fails within the first {LOW_CYCLES:.0} strokes")
    } else if fc.sessions_survived < 1.0 {
        format!(
            "it fails within one session (after about {:.0} of its {strokes:.0} strokes)",
            fc.cycles_to_failure
        )
    } else {
        format!(
            "a cartridge survives about {:.1} sessions",
            fc.sessions_survived
        )
    };
    Advisory {
        code: "cartridge_fatigue",
        message: format!(
            "needle {}, loaded to {:.3} N along its axis at every stroke ({:.0} Hz × {:.0} s = {strokes:.0} strokes a session): each stroke cycles it {:.0} ± {:.0} MPa against a fatigue strength of {:.0} MPa (ultimate {:.0} MPa); fatigue safety factor {:.2}{}; {life}. Fix: less drive force or a squarer hold, thicker needles, a material with a higher endurance limit, or a fresh cartridge each session",
            w.needle,
            w.case.load.load_n,
            duty.frequency_hz,
            duty.session_s,
            fc.mean_mpa,
            fc.amplitude_mpa,
            fc.strength_mpa,
            mat.ultimate_strength_mpa,
            w.factor,
            needles_note(w.below)
        ),
    }
}
