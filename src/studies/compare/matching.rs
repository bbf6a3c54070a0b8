//! Bringing a design to a density: the closed forms (a pen's hand speed, a roller's or
//! stamp's passes) and the analyses that correct them until the counted density matches.

use super::CompareError;
use crate::base::progress::Progress;
use crate::design::ranges;
use crate::design::validate::MAX_PASSES;
use crate::design::Design;
use crate::kinematics;
use crate::metrics::analysis::{self, Analysis};
use crate::metrics::Metrics;
use serde::Serialize;

/// Relative density error below which the pen's hand speed is not corrected further.
pub const SPEED_TOLERANCE: f64 = 0.005;

/// Most analyses spent correcting one pen speed.
const MAX_SPEED_STEPS: usize = 4;

/// Most one-pass steps taken from the closed-form number of roller passes.
const MAX_PASS_STEPS: usize = 8;

pub use crate::design::kinds::Setting;

/// A design brought to a density and analyzed there.
#[derive(Clone, Debug, Serialize)]
pub struct Matched {
    /// Design name.
    pub name: String,
    /// Density asked for, channels/cm².
    pub target_density_per_cm2: f64,
    /// The setting analyzed (the closest to the target of those tried).
    pub setting: Setting,
    /// The closed-form setting, before correction by analysis (roller: passes before rounding).
    pub closed_form: f64,
    /// Metrics of the analyzed treatment at `setting`.
    pub metrics: Metrics,
    /// Deepest minus shallowest channel, mm.
    pub depth_spread_mm: Option<f64>,
    /// When `setting` lies outside the physical range of its key ([`crate::design::ranges`]):
    /// why no real device can be used so. `None` within the range.
    pub outside_range: Option<String>,
}

impl Matched {
    /// Pen hand speed, if this is a pen.
    pub fn pen_hand_speed_mm_s(&self) -> Option<f64> {
        match self.setting {
            Setting::PenHandSpeedMmS(v) => Some(v),
            Setting::RollerPasses(_) => None,
        }
    }
    /// Roller passes, if this is a roller.
    pub fn roller_passes(&self) -> Option<u32> {
        match self.setting {
            Setting::RollerPasses(k) => Some(k),
            Setting::PenHandSpeedMmS(_) => None,
        }
    }
    /// Relative error of the analyzed density against the target.
    pub fn density_error(&self) -> f64 {
        self.metrics.density_per_cm2 / self.target_density_per_cm2 - 1.0
    }
}

/// The design with the pen's hand speed set to `v_mm_s` (other designs unchanged).
///
/// # Examples
/// ```no_run
/// use needlemap::studies::compare::{nominal_density_per_cm2, with_hand_speed};
/// let pen = needlemap::design::Design::load("designs/pen-12-110.toml".as_ref()).unwrap();
/// // twice the shipped 25 mm/s: half the density
/// let fast = with_hand_speed(&pen, 50.0);
/// assert!((nominal_density_per_cm2(&pen) / nominal_density_per_cm2(&fast) - 2.0).abs() < 1e-9);
/// ```
pub fn with_hand_speed(design: &Design, v_mm_s: f64) -> Design {
    let mut d = design.clone();
    if let Some(device) = design.device.kind_of().with_hand_speed(v_mm_s) {
        d.device = device;
    }
    d
}

/// The setting equal-density matching changes, at the design's own value: a pen's hand speed,
/// a roller's or stamp's passes (as the device's kind states).
pub fn own_setting(design: &Design) -> Setting {
    design
        .device
        .kind_of()
        .own_setting(design.treatment.pass_angles_deg.len() as u32)
}

/// The design with `passes` passes cycling through its own pass angles in order: pass i has
/// the angle of the design's pass i mod P.
///
/// # Examples
/// ```no_run
/// let d = needlemap::design::Design::load("designs/mf8-192.toml".as_ref()).unwrap();
/// let twice = needlemap::studies::compare::with_passes(&d, 30);
/// assert_eq!(twice.treatment.pass_angles_deg[15..], d.treatment.pass_angles_deg[..]);
/// ```
pub fn with_passes(design: &Design, passes: u32) -> Design {
    let mut d = design.clone();
    let base = &design.treatment.pass_angles_deg;
    let angles: Vec<f64> = (0..passes as usize).map(|i| base[i % base.len()]).collect();
    let mut groups: Vec<(f64, u32)> = Vec::new();
    for &a in &angles {
        match groups.last_mut() {
            Some((g, n)) if *g == a => *n += 1,
            _ => groups.push((a, 1)),
        }
    }
    d.treatment.pass_angles_deg = angles;
    d.treatment.pass_groups = groups;
    d
}

/// Closed-form density of the design's whole treatment, channels/cm² (lanes that tile).
pub fn nominal_density_per_cm2(design: &Design) -> f64 {
    kinematics::density_per_pass_mm2(design) * design.treatment.pass_angles_deg.len() as f64 * 100.0
}

/// Closed-form pen hand speed at which the pen, with its own passes, lays `density_per_cm2`:
/// v = P·N·f/(lane·D). `None` for a roller, a pen that cannot pierce, or a density ≤ 0.
///
/// # Examples
/// ```no_run
/// let pen = needlemap::design::Design::load("designs/pen-12-110.toml".as_ref()).unwrap();
/// // 2 passes × 12 needles × 110 Hz / (4 mm × 2.2918 /mm²) = 287.99 mm/s
/// let v = needlemap::studies::compare::pen_speed_for_density(&pen, 229.18).unwrap();
/// assert!((v - 287.99).abs() < 0.01);
/// ```
pub fn pen_speed_for_density(design: &Design, density_per_cm2: f64) -> Option<f64> {
    let Setting::PenHandSpeedMmS(v) = own_setting(design) else {
        return None;
    };
    let own = nominal_density_per_cm2(design);
    (own > 0.0 && density_per_cm2 > 0.0 && density_per_cm2.is_finite())
        .then(|| v * own / density_per_cm2)
}

/// Closed-form roller passes that come nearest `density_per_cm2` (at least one):
/// round(D / density per pass). `None` for a pen, a roller that cannot pierce, or a density ≤ 0.
pub fn roller_passes_for_density(design: &Design, density_per_cm2: f64) -> Option<u64> {
    let usable = density_per_cm2 > 0.0 && density_per_cm2.is_finite();
    if !usable || matches!(own_setting(design), Setting::PenHandSpeedMmS(_)) {
        return None;
    }
    let per_pass = kinematics::density_per_pass_mm2(design) * 100.0;
    (per_pass > 0.0).then(|| ((density_per_cm2 / per_pass).round() as u64).max(1))
}

/// Deepest minus shallowest channel, mm; `None` without channels.
pub fn depth_spread(m: &Metrics) -> Option<f64> {
    Some(m.max_depth_mm? - m.min_depth_mm?)
}

fn matched(
    design: &Design,
    target: f64,
    setting: Setting,
    closed_form: f64,
    a: &Analysis,
) -> Matched {
    Matched {
        name: design.name.clone(),
        target_density_per_cm2: target,
        setting,
        closed_form,
        metrics: a.metrics.clone(),
        depth_spread_mm: depth_spread(&a.metrics),
        outside_range: outside_range(setting),
    }
}

/// Why a proposed setting is beyond what a real device does, or `None` when it is within the
/// physical range of its design key (the range a design file would be refused outside of).
///
/// # Examples
/// ```
/// use needlemap::studies::compare::{outside_range, Setting};
/// assert!(outside_range(Setting::PenHandSpeedMmS(25.0)).is_none());
/// let why = outside_range(Setting::PenHandSpeedMmS(99_000.0)).unwrap();
/// assert!(why.contains("pen.hand_speed_mm_s"), "{why}");
/// ```
pub fn outside_range(setting: Setting) -> Option<String> {
    let (key, value, shown) = match setting {
        Setting::PenHandSpeedMmS(v) => ("pen.hand_speed_mm_s", v, format!("{v:.1} mm/s")),
        Setting::RollerPasses(k) => {
            // passes have no range of their own: the treatment's limit
            let within = (1..=MAX_PASSES).contains(&k);
            return (!within).then(|| {
                format!("{k} passes is outside 1 to {MAX_PASSES}, the passes a treatment may have")
            });
        }
    };
    let r = ranges::range_of(key).expect("every setting's key has a range");
    (!r.contains(value)).then(|| {
        format!(
            "{shown} is outside the physical range of `{key}`, {}: no real device works at this setting",
            r.describe()
        )
    })
}

/// Brings `design` to `density_per_cm2` — a pen by its hand speed, a roller by its number of
/// passes — and analyzes it there.
///
/// The pen's speed starts from the closed form and is corrected by v ← v·(counted/target)
/// until the analyzed density is within [`SPEED_TOLERANCE`] (at most a few analyses; the
/// closest is kept). The roller's passes start from the closed form and move one pass at a
/// time while that brings the counted density closer. `Ok(None)` when the design makes no
/// channel at all or the density is not positive.
pub fn match_density(
    design: &Design,
    density_per_cm2: f64,
    progress: &dyn Progress,
) -> Result<Option<Matched>, CompareError> {
    match own_setting(design) {
        Setting::PenHandSpeedMmS(_) => {
            let Some(v0) = pen_speed_for_density(design, density_per_cm2) else {
                return Ok(None);
            };
            let mut v = v0;
            let mut best: Option<Matched> = None;
            for _ in 0..MAX_SPEED_STEPS {
                let a = analysis::analyze_with(
                    with_hand_speed(design, v),
                    None,
                    analysis::Keep::METRICS,
                    progress,
                )?;
                let m = matched(design, density_per_cm2, Setting::PenHandSpeedMmS(v), v0, &a);
                let err = m.density_error();
                if best
                    .as_ref()
                    .is_none_or(|b| err.abs() < b.density_error().abs())
                {
                    best = Some(m);
                }
                if err.abs() <= SPEED_TOLERANCE || a.metrics.density_per_cm2 <= 0.0 {
                    break;
                }
                v *= a.metrics.density_per_cm2 / density_per_cm2;
            }
            Ok(best)
        }
        Setting::RollerPasses(_) => {
            let Some(k0) = roller_passes_for_density(design, density_per_cm2) else {
                return Ok(None);
            };
            if k0 > u64::from(MAX_PASSES) {
                return Err(CompareError::Passes {
                    design: design.name.clone(),
                    density_per_cm2,
                    needed: k0,
                    limit: MAX_PASSES,
                });
            }
            let run = |k: u32| -> Result<Matched, CompareError> {
                let a = analysis::analyze_with(
                    with_passes(design, k),
                    None,
                    analysis::Keep::METRICS,
                    progress,
                )?;
                Ok(matched(
                    design,
                    density_per_cm2,
                    Setting::RollerPasses(k),
                    density_per_cm2 / (kinematics::density_per_pass_mm2(design) * 100.0),
                    &a,
                ))
            };
            let mut best = run(k0 as u32)?;
            // The closed form assumes lanes that tile exactly; step while the count says so.
            for _ in 0..MAX_PASS_STEPS {
                let k = best.roller_passes().expect("roller");
                let step: i64 = if best.density_error() > 0.0 { -1 } else { 1 };
                let next = k as i64 + step;
                if next < 1 || next > i64::from(MAX_PASSES) {
                    break;
                }
                let m = run(next as u32)?;
                if m.density_error().abs() < best.density_error().abs() {
                    best = m;
                } else {
                    break;
                }
            }
            Ok(Some(best))
        }
    }
}

/// Checks up front, before any analysis, that every design can be brought to `density_per_cm2`
/// within the limits on passes and channels.
/// Most channels in a design's region at a `--target-density` (a matching analyses the design
/// up to a few dozen times there; a million channels take seconds per analysis).
pub const MAX_MATCH_CHANNELS: u64 = 1_000_000;

pub fn check_target(designs: &[Design], density_per_cm2: f64) -> Result<(), CompareError> {
    for d in designs {
        // a field of no channel at all has no gap to measure but the whole simulated field
        let area_cm2 = d.treatment.area_mm2() / 100.0;
        if density_per_cm2 * area_cm2 < 1.0 {
            return Err(CompareError::Sparse {
                design: d.name.clone(),
                density_per_cm2,
                channels: density_per_cm2 * area_cm2,
                area_cm2,
                min_density_per_cm2: 1.0 / area_cm2,
            });
        }
        let changed = match own_setting(d) {
            Setting::PenHandSpeedMmS(_) => {
                pen_speed_for_density(d, density_per_cm2).map(|v| with_hand_speed(d, v))
            }
            Setting::RollerPasses(_) => match roller_passes_for_density(d, density_per_cm2) {
                Some(k) if k > u64::from(MAX_PASSES) => {
                    return Err(CompareError::Passes {
                        design: d.name.clone(),
                        density_per_cm2,
                        needed: k,
                        limit: MAX_PASSES,
                    })
                }
                Some(k) => Some(with_passes(d, k as u32)),
                None => None,
            },
        };
        if density_per_cm2 * area_cm2 > MAX_MATCH_CHANNELS as f64 {
            return Err(CompareError::Dense {
                design: d.name.clone(),
                density_per_cm2,
                channels: density_per_cm2 * area_cm2,
                area_cm2,
                max: MAX_MATCH_CHANNELS,
                max_density_per_cm2: MAX_MATCH_CHANNELS as f64 / area_cm2,
            });
        }
        if let Some(c) = changed {
            kinematics::check_channel_limit(&c, kinematics::default_margin_mm(&c))?;
        }
    }
    Ok(())
}
