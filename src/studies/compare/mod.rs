//! Roller against pen: what one device does that the other does not, and at what settings
//! they would lay down the same density of channels.
//!
//! Density is the lever both devices share. A pen lays N·f/(v·lane) channels per mm² per pass
//! (model §3), so its density is set by the hand speed v; a roller lays n/(2πR·lane) per pass
//! (model §2), so its density is set by the number of passes. [`match_density`] solves the
//! closed form for the setting that reaches a density, then *analyzes* the modified design
//! (the pen with that hand speed, the roller with that many passes) and corrects the setting
//! from what the analysis counted, so every figure it reports at equal density (coverage,
//! largest gap, depth spread, time) is measured on a real treatment, never extrapolated.
//!
//! Roller passes follow the design's direction pattern: pass i of the matched treatment has
//! the angle of pass i mod P of the design's own P passes, so 2P passes are the design's
//! protocol done twice.
//!
//! [`crate::output::compare::differences`] words the differences that matter between any number of analyzed designs;
//! [`crate::output::plot::compare`] draws their coverage maps on one colour scale with bars of the key
//! metrics.

mod matching;
pub mod noise;

pub use matching::{
    check_target, match_density, nominal_density_per_cm2, outside_range, pen_speed_for_density,
    roller_passes_for_density, with_hand_speed, with_passes, Matched, Setting, SPEED_TOLERANCE,
};
pub use matching::{depth_spread, own_setting};

use crate::base::error::LimitError;
use crate::base::progress::Progress;
use crate::design::kinds::PairSide;
use crate::design::Design;
use crate::metrics::analysis::Analysis;

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// The matched treatment would exceed a channel or pixel limit.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// More designs than one comparison takes.
    #[error("{designs} designs: a comparison takes at most {MAX_DESIGNS} (each is analyzed with its pictures and drawn side by side, and every roller–pen pair is matched both ways); compare them in groups of at most {MAX_DESIGNS}, or use `needlemap analyze` for their metrics side by side")]
    TooManyDesigns {
        /// Designs given.
        designs: usize,
    },
    /// The density would leave less than one channel in a design's region.
    #[error("{design}: {density_per_cm2:e} channels/cm² is {channels:.2e} channels in its {area_cm2} cm² region; ask for at least {min_density_per_cm2:.3} channels/cm² (one channel in the region)")]
    Sparse {
        /// Design.
        design: String,
        /// Density asked for, channels/cm².
        density_per_cm2: f64,
        /// Channels that density makes in the region.
        channels: f64,
        /// The region's area, cm².
        area_cm2: f64,
        /// The least density that makes one channel there.
        min_density_per_cm2: f64,
    },
    /// The density would make so many channels that matching (up to a few dozen analyses at
    /// that density) would take minutes.
    #[error("{design}: {density_per_cm2:.1} channels/cm² is {channels:.2e} channels in its {area_cm2} cm² region; matching analyses a design many times at the target, so at most {max} channels are allowed: ask for at most {max_density_per_cm2:.1} channels/cm²")]
    Dense {
        /// Design.
        design: String,
        /// Density asked for, channels/cm².
        density_per_cm2: f64,
        /// Channels that density makes in the region.
        channels: f64,
        /// The region's area, cm².
        area_cm2: f64,
        /// The limit on channels (`MAX_MATCH_CHANNELS`).
        max: u64,
        /// The highest density within the limit.
        max_density_per_cm2: f64,
    },
    /// Fewer than two designs.
    #[error("compare needs two designs or more; got {got}")]
    TooFew {
        /// Designs given.
        got: usize,
    },
    /// A target density that is not a number above 0.
    #[error("target density {value} is not a finite number greater than 0")]
    BadTarget {
        /// As given, channels/cm².
        value: f64,
    },
    /// A design's study of `--runs` cannot be made.
    #[error("{design}: {source}")]
    Runs {
        /// Design.
        design: String,
        /// Why.
        source: crate::studies::mc::StudyError,
    },
    /// The comparison's estimated work is beyond the limit.
    #[error("comparing these {designs} designs would take about {} of CPU time (estimated), more than the limit of {}: compare fewer designs at a time{}", crate::metrics::analysis::duration_words(*cpu_s), crate::metrics::analysis::duration_words(*max_cpu_s), if *runs { " or with fewer runs" } else { "" })]
    TooLong {
        /// Designs compared.
        designs: usize,
        /// Estimated CPU seconds.
        cpu_s: f64,
        /// The limit, CPU seconds.
        max_cpu_s: f64,
        /// Whether each design is also run several times.
        runs: bool,
    },
    /// The roller would need more passes than a treatment may have.
    #[error("{design}: reaching {density_per_cm2:.1} channels/cm² takes about {needed} roller passes; a treatment may have at most {limit}. Ask for a lower density")]
    Passes {
        /// Roller design.
        design: String,
        /// Density asked for, channels/cm².
        density_per_cm2: f64,
        /// Passes needed.
        needed: u64,
        /// The limit.
        limit: u32,
    },
}

/// One roller–pen pair brought to each other's density.
#[derive(Clone, Debug)]
pub struct Pair {
    /// Index of the roller among the compared analyses.
    pub roller: usize,
    /// Index of the pen.
    pub pen: usize,
    /// The pen at the roller's analyzed density (its hand speed changed).
    pub pen_at_roller_density: Option<Matched>,
    /// The roller at the pen's analyzed density (its passes changed).
    pub roller_at_pen_density: Option<Matched>,
}

/// Every design of a comparison at one target density.
#[derive(Clone, Debug)]
pub struct Target {
    /// The density, channels/cm².
    pub density_per_cm2: f64,
    /// One per compared analysis, in order; `None` for a design that makes no channel.
    pub designs: Vec<Option<Matched>>,
}

/// A comparison of analyzed designs.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Every roller–pen pair (rollers in order, then pens in order).
    pub pairs: Vec<Pair>,
    /// With a target density: every design brought to it.
    pub target: Option<Target>,
}

/// The designs of a comparison, checked before any analysis (the command line and the Python
/// package alike): a repeated name gets a suffix (#2, #3, …) so that columns and files stay
/// apart; at least two designs; the target density (channels/cm²) above 0 and in reach of
/// every design; with `runs`, every design's study within its limits; the estimated work
/// within `max_cpu_s`. Returns the designs, renamed where needed, and the estimate, CPU s.
pub fn prepare(
    designs: Vec<Design>,
    target_density_per_cm2: Option<f64>,
    runs: Option<u32>,
    max_cpu_s: f64,
) -> Result<(Vec<Design>, f64), CompareError> {
    let mut named: Vec<Design> = Vec::with_capacity(designs.len());
    for mut d in designs {
        let base = d.name.clone();
        let mut k = 1;
        while named.iter().any(|o| o.name == d.name) {
            k += 1;
            d.name = format!("{base}#{k}");
        }
        named.push(d);
    }
    if named.len() < 2 {
        return Err(CompareError::TooFew { got: named.len() });
    }
    if let Some(x) = target_density_per_cm2 {
        if !(x.is_finite() && x > 0.0) {
            return Err(CompareError::BadTarget { value: x });
        }
        check_target(&named, x)?;
    }
    if let Some(n) = runs {
        for d in &named {
            crate::studies::mc::check_work(d, n).map_err(|source| CompareError::Runs {
                design: d.name.clone(),
                source,
            })?;
        }
    }
    let cpu_s = estimate(&named, target_density_per_cm2, runs)?;
    if cpu_s > max_cpu_s {
        return Err(CompareError::TooLong {
            designs: named.len(),
            cpu_s,
            max_cpu_s,
            runs: runs.is_some(),
        });
    }
    Ok((named, cpu_s))
}

/// Every roller–pen pair of `analyses` as [roller, pen] indices: rollers in order, each with
/// the pens in order (a device's side is its kind's; a stamp takes neither).
pub fn roller_pen_pairs(analyses: &[&Analysis]) -> Vec<[usize; 2]> {
    let side = |want: PairSide| -> Vec<usize> {
        let of = |i: &usize| analyses[*i].design.device.kind_of().pair_side();
        (0..analyses.len())
            .filter(|i| of(i) == Some(want))
            .collect()
    };
    let (rollers, pens) = (side(PairSide::Roller), side(PairSide::Pen));
    let every = rollers
        .iter()
        .flat_map(|&r| pens.iter().map(move |&p| [r, p]));
    every.collect()
}

/// Most designs one comparison takes: each is analyzed with its pictures and kept for the
/// side-by-side picture, and every roller–pen pair is matched both ways (60 designs held
/// 853 MB and ran past a minute); compare more in groups, or use `analyze` for a table.
pub const MAX_DESIGNS: usize = 16;

/// Analyses a matching makes per side, for the estimate (hand speeds converge in 2–4, pass
/// counts step a few times).
const MATCH_ANALYSES: f64 = 4.0;

/// The estimated CPU seconds of comparing `designs` ([`crate::metrics::analysis::Work`]): each
/// design's analysis with its pictures, each roller–pen pair matched both ways (a side costs
/// the analyses of one design at the other's channel count), each design brought to
/// `target_density_per_cm2`, and `runs` runs of every design. Refuses more than
/// [`MAX_DESIGNS`] designs.
pub fn estimate(
    designs: &[crate::design::Design],
    target_density_per_cm2: Option<f64>,
    runs: Option<u32>,
) -> Result<f64, CompareError> {
    if designs.len() > MAX_DESIGNS {
        return Err(CompareError::TooManyDesigns {
            designs: designs.len(),
        });
    }
    use crate::metrics::analysis::Work;
    let works: Vec<Work> = designs.iter().map(Work::of).collect::<Result<_, _>>()?;
    let side = |d: &crate::design::Design| d.device.kind_of().pair_side();
    let with = |px: &Work, ch: &Work| Work {
        pixels: px.pixels,
        channels: ch.channels,
        layers: ch.layers,
    };
    // pictures cost about as much again as the metrics
    let mut cpu: f64 = works.iter().map(|w| 2.0 * w.cpu_s()).sum();
    for (r, dr) in designs.iter().enumerate() {
        if side(dr) != Some(PairSide::Roller) {
            continue;
        }
        for (p, dp) in designs.iter().enumerate() {
            if side(dp) == Some(PairSide::Pen) {
                let (wr, wp) = (&works[r], &works[p]);
                cpu += MATCH_ANALYSES * (with(wp, wr).cpu_s() + with(wr, wp).cpu_s());
            }
        }
    }
    if target_density_per_cm2.is_some() {
        cpu += MATCH_ANALYSES * works.iter().map(|w| w.cpu_s()).sum::<f64>();
    }
    if let Some(n) = runs {
        cpu += f64::from(n) * works.iter().map(|w| w.cpu_s()).sum::<f64>();
    }
    Ok(cpu)
}

/// Compares analyzed designs: words their differences, brings every roller–pen pair to each
/// other's density and, with `target_density_per_cm2`, every design to that density.
pub fn compare(
    analyses: &[&Analysis],
    target_density_per_cm2: Option<f64>,
    progress: &dyn Progress,
) -> Result<Comparison, CompareError> {
    let mut pairs = Vec::new();
    for [r, p] in roller_pen_pairs(analyses) {
        let (ra, pa) = (analyses[r], analyses[p]);
        pairs.push(Pair {
            roller: r,
            pen: p,
            pen_at_roller_density: match_density(&pa.design, ra.metrics.density_per_cm2, progress)?,
            roller_at_pen_density: match_density(&ra.design, pa.metrics.density_per_cm2, progress)?,
        });
    }
    let target = match target_density_per_cm2 {
        Some(x) => Some(Target {
            density_per_cm2: x,
            designs: analyses
                .iter()
                .map(|a| match_density(&a.design, x, progress))
                .collect::<Result<_, _>>()?,
        }),
        None => None,
    };
    Ok(Comparison { pairs, target })
}

/// The opening a design makes, from its channels in the region: mean straight length ℓ and
/// mean radius r, mm. `None` without channels.
pub fn opening_mm(a: &Analysis) -> Option<(f64, f64)> {
    let (mut n, mut l, mut r) = (0usize, 0.0, 0.0);
    for c in a.field.in_region() {
        n += 1;
        l += c.slit_mm;
        r += c.radius_mm;
    }
    (n > 0).then(|| (l / n as f64, r / n as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::progress::Silent;
    use crate::design::Design;
    use crate::metrics::analysis;
    use crate::output::compare::{describe_opening, differences};
    use approx::assert_relative_eq;
    use std::path::Path;

    fn load(name: &str, res_um: f64) -> Design {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("designs")
            .join(name);
        let mut d = Design::load(&path).unwrap();
        d.analysis.resolution_um = res_um;
        d
    }

    #[test]
    fn pen_speed_closed_form() {
        // 2 passes × 12 needles × 110 Hz over 4 mm lanes: at 25 mm/s 26.4 /mm² = 2640 /cm²
        let pen = load("pen-12-110.toml", 20.0);
        assert_relative_eq!(nominal_density_per_cm2(&pen), 2640.0, max_relative = 1e-12);
        assert_relative_eq!(
            pen_speed_for_density(&pen, 2640.0).unwrap(),
            25.0,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            pen_speed_for_density(&pen, 264.0).unwrap(),
            250.0,
            max_relative = 1e-12
        );
        assert!(pen_speed_for_density(&pen, 0.0).is_none());
        assert!(pen_speed_for_density(&load("mf8-192.toml", 20.0), 100.0).is_none());
    }

    #[test]
    fn roller_passes_closed_form() {
        // 192 / (π · 2 cm · 2 cm) = 15.279 /cm² per pass
        let r = load("mf8-192.toml", 20.0);
        assert_relative_eq!(
            nominal_density_per_cm2(&r),
            15.0 * 192.0 / (4.0 * std::f64::consts::PI),
            max_relative = 1e-12
        );
        assert_eq!(roller_passes_for_density(&r, 15.28 * 10.0), Some(10));
        assert_eq!(roller_passes_for_density(&r, 15.28 * 10.4), Some(10));
        assert_eq!(roller_passes_for_density(&r, 15.28 * 10.6), Some(11));
        assert_eq!(
            roller_passes_for_density(&r, 1.0),
            Some(1),
            "at least one pass"
        );
        assert!(roller_passes_for_density(&load("pen-12-110.toml", 20.0), 100.0).is_none());
    }

    #[test]
    fn passes_cycle_through_the_pattern() {
        let r = load("mf8-192.toml", 20.0);
        let d = with_passes(&r, 17);
        let a = &d.treatment.pass_angles_deg;
        assert_eq!(a.len(), 17);
        assert_eq!(a[..15], r.treatment.pass_angles_deg[..]);
        assert_eq!(a[15..], [0.0, 0.0]);
        assert_eq!(
            d.treatment.pass_groups,
            vec![(0.0, 5), (90.0, 5), (45.0, 5), (0.0, 2)]
        );
        assert_eq!(with_passes(&r, 3).treatment.pass_angles_deg, vec![0.0; 3]);
    }

    #[test]
    fn pen_brought_to_its_own_density_keeps_its_speed() {
        // A design matched to its own density must come back with its own setting.
        let pen = load("pen-12-110.toml", 20.0);
        let own = analysis::analyze(&pen, &Silent)
            .unwrap()
            .metrics
            .density_per_cm2;
        let m = match_density(&pen, own, &Silent).unwrap().unwrap();
        assert_relative_eq!(m.pen_hand_speed_mm_s().unwrap(), 25.0, max_relative = 0.01);
        assert!(m.density_error().abs() <= SPEED_TOLERANCE);
    }

    #[test]
    fn roller_brought_to_its_own_density_keeps_its_passes() {
        let r = load("mf8-192.toml", 20.0);
        let own = analysis::analyze(&r, &Silent)
            .unwrap()
            .metrics
            .density_per_cm2;
        let m = match_density(&r, own, &Silent).unwrap().unwrap();
        assert_eq!(m.roller_passes(), Some(15));
        assert_eq!(m.metrics.density_per_cm2, own);
    }

    #[test]
    fn pen_at_a_lower_density_is_analyzed_there() {
        let pen = load("pen-12-110.toml", 20.0);
        let m = match_density(&pen, 300.0, &Silent).unwrap().unwrap();
        assert!(
            m.density_error().abs() <= 0.02,
            "density {}",
            m.metrics.density_per_cm2
        );
        // the treatment time scales as 1/v: 2 passes × 1600 mm² / 4 mm / v
        assert_relative_eq!(
            m.metrics.time_s,
            800.0 / m.pen_hand_speed_mm_s().unwrap(),
            max_relative = 1e-9
        );
    }

    #[test]
    fn too_many_roller_passes_is_refused() {
        let r = load("mf8-192.toml", 20.0);
        let e = match_density(&r, 192.0 / (4.0 * std::f64::consts::PI) * 20_000.0, &Silent)
            .unwrap_err();
        assert!(
            matches!(e, CompareError::Passes { needed: 20_000, .. }),
            "{e}"
        );
    }

    #[test]
    fn a_target_of_over_a_million_channels_in_the_region_is_refused() {
        // 40 × 40 mm = 16 cm²: 100 000/cm² is 1.6 million channels
        let r = load("mf8-192.toml", 20.0);
        match check_target(std::slice::from_ref(&r), 1e5).unwrap_err() {
            CompareError::Dense {
                channels,
                max_density_per_cm2,
                ..
            } => {
                assert_eq!(channels, 1.6e6);
                assert_eq!(max_density_per_cm2, 62_500.0);
            }
            e => panic!("{e}"),
        }
        assert!(check_target(std::slice::from_ref(&r), 6e4).is_ok());
    }

    #[test]
    fn a_target_of_less_than_one_channel_in_the_region_is_refused() {
        // 40 × 40 mm = 16 cm²: one channel is 1/16 per cm²
        let r = load("mf8-192.toml", 20.0);
        match check_target(std::slice::from_ref(&r), 1e-9).unwrap_err() {
            CompareError::Sparse {
                min_density_per_cm2,
                area_cm2,
                ..
            } => {
                assert_eq!(area_cm2, 16.0);
                assert_eq!(min_density_per_cm2, 1.0 / 16.0);
            }
            e => panic!("{e}"),
        }
        assert!(check_target(std::slice::from_ref(&r), 1.0 / 16.0).is_ok());
    }

    #[test]
    fn ties_name_every_design() {
        // pressed to saturation, every needle reaches its length less the residual tenting
        let firm = |mut d: Design| {
            d.tolerance = Default::default();
            d.device.set_force_n(1000.0);
            d
        };
        let r = analysis::analyze(&firm(load("mf8-192.toml", 40.0)), &Silent).unwrap();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/pen-12-110.toml");
        let mut t: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // the MF8's needle length
        crate::studies::sweep::set_key(&mut t, "pen.depth_mm", 1.5).unwrap();
        // needles 3 mm apart, beyond the skin's coupling, like the drum's
        crate::studies::sweep::set_key(&mut t, "pen.cartridge.pitch_mm", 3.0).unwrap();
        let text = toml::to_string(&t).unwrap();
        let mut p = firm(Design::from_bytes(text.as_bytes(), &path).unwrap());
        p.analysis.resolution_um = 40.0;
        let p = analysis::analyze(&p, &Silent).unwrap();
        let shallow = analysis::analyze(&firm(load("pen-11-90.toml", 40.0)), &Silent).unwrap();
        let d = differences(&[&r, &p, &shallow]);
        let deeper = d.iter().find(|l| l.starts_with("goes deeper")).unwrap();
        // pressed to the body, the roller's and the pen's 1.5 mm needles balance alike
        let (deep, flat) = (
            r.metrics.mean_depth_mm.unwrap(),
            shallow.metrics.mean_depth_mm.unwrap(),
        );
        assert!((p.metrics.mean_depth_mm.unwrap() - deep).abs() < 5e-4);
        let want = format!(
            "goes deeper: mf8-192 and pen-12-110, {deep:.3} mm against {flat:.3} mm with pen-11-90"
        );
        assert!(deeper.starts_with(&want), "{deeper} / {want}");
    }

    #[test]
    fn a_difference_within_the_seeds_noise_is_about_the_same() {
        let a = analysis::analyze(&load("mf8-192.toml", 20.0), &Silent).unwrap();
        let mut d = load("mf8-192.toml", 20.0);
        d.treatment.seed = 2;
        d.name = "mf8-seed-2".into();
        let b = analysis::analyze(&d, &Silent).unwrap();
        let (ca, cb) = (
            a.metrics.coverage_fraction.unwrap(),
            b.metrics.coverage_fraction.unwrap(),
        );
        assert!(ca != cb && (ca - cb).abs() < 0.05 * ca.max(cb), "{ca} {cb}");
        let words = differences(&[&a, &b]);
        assert!(
            words
                .iter()
                .any(|l| l.starts_with("about the same skin opened")),
            "{words:?}"
        );
        assert!(
            !words.iter().any(|l| l.starts_with("opens more skin")),
            "{words:?}"
        );
    }

    #[test]
    fn openings_in_words() {
        assert_eq!(describe_opening(0.0, 0.125), "round, 0.25 mm across");
        assert_eq!(describe_opening(0.08, 0.125), "oval, 0.33 × 0.25 mm");
        assert_eq!(
            describe_opening(0.3, 0.125),
            "0.30 mm slits (0.55 × 0.25 mm)"
        );
        // a slit of a few % of the width is no slit to the eye
        assert_eq!(
            describe_opening(0.01, 0.125),
            "nearly round, 0.26 × 0.25 mm"
        );
    }
}
