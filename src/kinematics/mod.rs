//! Kinematics: how a device moving over the skin turns its needles into channels.
//!
//! A pass at angle θ is a set of parallel strokes (lanes) `lane_spacing_mm` apart. Along a
//! stroke the coordinate is s (direction (cos θ, sin θ)), across it u (direction
//! (−sin θ, cos θ)), both measured from the region's centre; lane i runs at
//! u = o + i·lane_spacing, with the pass's offset o uniform in [0, lane_spacing).
//!
//! The engine simulates a *field*: the region grown by a margin on every side, so that the
//! openings near the region's edges, and the nearest openings of points near the edges, are
//! all there: strokes in effect start and end outside the region and the region is treated
//! uniformly. Channels are produced in treatment order: pass, then stroke (lane by lane, in
//! increasing u), then along the stroke (increasing s; ties by needle number).

mod array;
mod drum;
mod frame;
mod made;

pub(crate) use frame::{per_lane, Pass, PassFrame};
pub use made::{
    check_channel_limit, default_margin_mm, density_per_pass_mm2, needle_count,
    puncture_rate_per_s, MadeDevice, MadeNeedle, MAX_CHANNELS,
};

use crate::base::error::LimitError;
use crate::design::kinds::{DrawnNeedle, Motion};
use crate::design::Design;
use crate::model::channel::Channel;
use crate::model::insertion::Mechanics;

/// The channels of one treatment over the region and its margin.
#[derive(Clone, Debug)]
pub struct Field {
    /// Channels in treatment order.
    pub channels: Vec<Channel>,
    /// The margin simulated around the region, mm.
    pub margin_mm: f64,
    /// The region Lx × Ly, mm.
    pub area_mm: [f64; 2],
    /// Largest distance from a channel's centre to its opening's edge, mm.
    pub max_extent_mm: f64,
}

impl Field {
    /// Channels whose centre lies in the region.
    pub fn in_region(&self) -> impl Iterator<Item = &Channel> + '_ {
        self.channels
            .iter()
            .filter(move |c| c.in_region(self.area_mm))
    }
}

/// Generates every channel of the design's treatment over the region grown by `margin_mm`,
/// with the device `made` (built once by [`MadeDevice::new`]).
///
/// Parallel over strokes; the result does not depend on the thread count.
pub fn generate(design: &Design, made: &MadeDevice, margin_mm: f64) -> Result<Field, LimitError> {
    made.check_channel_limit(design, margin_mm)?;
    let motion = design.device.kind_of().motion();
    let ext = made.max_extent_mm;
    let passes = design.treatment.pass_angles_deg.len() as u32;
    let mut channels = Vec::new();
    for pass in 0..passes {
        let frame = PassFrame::new(design, pass, margin_mm, ext);
        let p = Pass {
            design,
            needles: &made.needles,
            frame: &frame,
            pass,
        };
        let lanes = match motion {
            Motion::Drum { radius_mm } => drum::channels(&p, radius_mm),
            Motion::Array { angle_deg, step_mm } => array::channels(&p, angle_deg, step_mm),
        };
        for lane in lanes {
            channels.extend(lane);
        }
    }
    Ok(Field {
        channels,
        margin_mm,
        area_mm: design.treatment.area_mm,
        max_extent_mm: ext,
    })
}

/// Most normal draws a tip radius takes to fall in (0, shaft radius]; past them the nominal
/// radius stands (a truncation that rejects nearly everything: sd far above the radius).
const TIP_DRAWS: usize = 1000;

/// One needle's tip radius, µm: `needle.tip_radius_um` plus `tolerance.tip_radius_sd_um` times a
/// standard normal from `draw` (which returns `sd` × a normal), truncated to (0, shaft radius]
/// by drawing again.
pub(crate) fn draw_tip_radius_um(design: &Design, draw: &mut dyn FnMut(f64) -> f64) -> f64 {
    let (mu, sd) = (
        design.needle.tip_radius_um,
        design.tolerance.tip_radius_sd_um,
    );
    let max = design.needle.diameter_mm / 2.0 * 1000.0;
    (0..TIP_DRAWS)
        .map(|_| mu + draw(sd))
        .find(|r| *r > 0.0 && *r <= max)
        .unwrap_or(mu)
}

/// The mechanics of each drawn needle: the design's skin and needle shape with the needle's own
/// tip radius.
pub(crate) fn needle_mechanics(design: &Design, drawn: &[DrawnNeedle]) -> Vec<Mechanics> {
    let nd = design.needle;
    drawn
        .iter()
        .map(|n| {
            Mechanics::new(
                &design.skin,
                nd.diameter_mm,
                nd.tip_length_mm,
                n.tip_radius_um,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use std::path::Path;

    /// A shipped design (its text) with the numeric `keys` set (dotted, as in a sweep), one
    /// pass at `angle` and `tolerance` (a TOML table's body) in place of its own.
    fn shipped(text: &str, keys: &[(&str, f64)], angle: f64, tolerance: &str) -> toml::Table {
        let mut t: toml::Table = toml::from_str(text).unwrap();
        t.remove("spec");
        t.insert(
            "tolerance".into(),
            toml::from_str::<toml::Value>(tolerance).unwrap(),
        );
        let pass: toml::Table = [("angle_deg".to_string(), angle.into())]
            .into_iter()
            .collect();
        t["treatment"]
            .as_table_mut()
            .unwrap()
            .insert("passes".into(), vec![toml::Value::Table(pass)].into());
        for (k, v) in keys {
            crate::studies::sweep::set_key(&mut t, k, *v).unwrap();
        }
        t
    }

    const MF8: &str = include_str!("../../designs/mf8-192.toml");

    /// The shipped MF8 drum (20 × 20 mm, 8 rings × 24 at 7.5° stagger, 1.5 × 0.25 mm needles)
    /// with `tolerance`, pressed to the drum's body (every needle reaches its length less the
    /// residual tenting), one pass at `angle` over `lx` × 40 mm.
    fn mf8_with(angle: f64, seed: u64, jitter: bool, lx: f64, tolerance: &str) -> toml::Table {
        let keys = [
            ("roller.force_n", 1000.0),
            ("treatment.area_mm.0", lx),
            ("treatment.seed", seed as f64),
        ];
        let mut t = shipped(MF8, &keys, angle, tolerance);
        t["treatment"]
            .as_table_mut()
            .unwrap()
            .insert("jitter".into(), jitter.into());
        t
    }

    /// [`mf8_with`] without tolerance.
    fn mf8(angle: f64, seed: u64, jitter: bool, lx: f64) -> toml::Table {
        mf8_with(angle, seed, jitter, lx, "")
    }

    fn design_of(t: &toml::Table) -> Design {
        Design::from_bytes(toml::to_string(t).unwrap().as_bytes(), Path::new("t.toml")).unwrap()
    }

    fn gen(d: &Design, margin_mm: f64) -> Result<Field, LimitError> {
        generate(d, &MadeDevice::new(d), margin_mm)
    }

    fn roller(angle: f64, seed: u64, jitter: bool) -> Design {
        design_of(&mf8(angle, seed, jitter, 40.0))
    }

    fn in_region(d: &Design) -> usize {
        gen(d, 1.0).unwrap().in_region().count()
    }

    /// Along-stroke x of each needle's channels, per (stroke, needle), in treatment order.
    fn xs_by_needle(f: &Field) -> Vec<Vec<f64>> {
        let mut by: std::collections::BTreeMap<(u32, u32), Vec<f64>> = Default::default();
        for c in &f.channels {
            by.entry((c.stroke, c.needle)).or_default().push(c.x_mm);
        }
        by.into_values().collect()
    }

    #[test]
    fn one_pass_density_is_n_over_pi_d_w() {
        // 192 / (π · 20 mm · 20 mm) per mm², lanes of the drum's width tile the region
        let expect = 192.0 / (std::f64::consts::PI * 20.0 * 20.0) * 1600.0;
        for angle in [0.0, 90.0, 45.0, 30.0] {
            let mean = (1..=20)
                .map(|seed| in_region(&roller(angle, seed, true)) as f64)
                .sum::<f64>()
                / 20.0;
            assert!(
                (mean / expect - 1.0).abs() < 0.01,
                "angle {angle}: {mean} vs {expect}"
            );
        }
    }

    #[test]
    fn every_channel_matches_the_closed_forms() {
        let d = roller(0.0, 3, true);
        let f = gen(&d, 1.0).unwrap();
        let (r, c, h, dia, tip) = (10.0f64, 0.42f64, 1.5f64, 0.25f64, 0.5f64);
        // pressed to the drum's body, a needle 2.5 mm from any other (no coupling) stops at
        // d + (F_c + τ·A(d))/k_s = h: the balance of one needle, solved here by bisection
        let m = crate::model::insertion::Mechanics::new(&d.skin, dia, tip, 4.0);
        let (mut lo, mut hi) = (0.0, h);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid + m.resistance_n(mid) / m.k_n_mm < h {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let depth = lo;
        let delta = h - depth;
        let beta = ((r + delta) / (r + h)).acos();
        let slit = (2.0 * ((r + delta) * beta.tan() - r * beta) - 2.0 * c).max(0.0);
        for ch in &f.channels {
            assert_relative_eq!(ch.depth_mm, depth, epsilon = 1e-9);
            assert_relative_eq!(
                ch.radius_mm,
                dia / 2.0 * (depth / tip).min(1.0),
                epsilon = 1e-9
            );
            assert_relative_eq!(ch.slit_mm, slit, epsilon = 1e-9);
            assert_eq!(ch.axis_deg, 0.0);
        }
    }

    #[test]
    fn a_needles_channels_are_one_circumference_apart() {
        for jitter in [false, true] {
            let f = gen(&design_of(&mf8(0.0, 5, jitter, 200.0)), 1.0).unwrap();
            let mut by_needle: std::collections::BTreeMap<(u32, u32), Vec<f64>> =
                Default::default();
            for c in &f.channels {
                by_needle
                    .entry((c.stroke, c.needle))
                    .or_default()
                    .push(c.x_mm);
            }
            let mut checked = 0;
            for xs in by_needle.values() {
                for w in xs.windows(2) {
                    assert_relative_eq!(
                        w[1] - w[0],
                        2.0 * std::f64::consts::PI * 10.0,
                        epsilon = 1e-9
                    );
                    checked += 1;
                }
            }
            assert!(checked > 100);
        }
    }

    #[test]
    fn treatment_order_is_pass_stroke_then_along_the_stroke() {
        let f = gen(&roller(90.0, 2, true), 1.0).unwrap();
        for w in f.channels.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            assert!((a.pass, a.stroke) <= (b.pass, b.stroke));
            if (a.pass, a.stroke) == (b.pass, b.stroke) {
                // a 90° stroke runs towards +y
                assert!(a.y_mm <= b.y_mm + 1e-9);
            }
        }
    }

    /// The shipped 12-needle pen (3 × 4 grid at 1 mm, 110 Hz, 25 mm/s) turned 30° to the
    /// stroke, one pass with lanes 4 mm apart.
    fn pen(seed: u64) -> Design {
        let keys = [
            ("pen.cartridge_angle_deg", 30.0),
            ("treatment.lane_spacing_mm", 4.0),
            ("treatment.seed", seed as f64),
        ];
        let text = include_str!("../../designs/pen-12-110.toml");
        design_of(&shipped(text, &keys, 0.0, ""))
    }

    #[test]
    fn pen_rate_and_density_per_pass() {
        let mut total = 0.0;
        for seed in 1..=10 {
            let d = pen(seed);
            assert_relative_eq!(puncture_rate_per_s(&d), 12.0 * 110.0);
            total += in_region(&d) as f64;
        }
        // N·f/(v·s) per mm²
        let expect = 12.0 * 110.0 / (25.0 * 4.0) * 1600.0;
        assert!(
            (total / 10.0 / expect - 1.0).abs() < 0.01,
            "{} vs {expect}",
            total / 10.0
        );
    }

    #[test]
    fn pen_stamps_are_v_over_f_apart() {
        let d = pen(4);
        let f = gen(&d, 1.0).unwrap();
        for xs in xs_by_needle(&f) {
            for w in xs.windows(2) {
                assert_relative_eq!(w[1] - w[0], 25.0 / 110.0, epsilon = 1e-9);
            }
        }
    }

    #[test]
    fn manufacturing_variation() {
        let with = |tol: &str| {
            let mut t = mf8(0.0, 8, true, 40.0);
            t.insert(
                "tolerance".into(),
                toml::from_str::<toml::Value>(tol).unwrap(),
            );
            design_of(&t)
        };
        // half the needles missing: half the channels per pass, within sampling noise of 192 draws
        let half = MadeDevice::new(&with("missing_fraction = 0.5"))
            .needles
            .len() as f64;
        assert!((half - 96.0).abs() < 4.0 * 48f64.sqrt(), "{half}");
        // length sd 0.05 mm: depth spread around the nominal needle's, narrower than the
        // lengths' (a longer needle also tents the surface more)
        let nominal = MadeDevice::new(&with("")).needles[0].depth_mm;
        let d = with("length_sd_mm = 0.05");
        let depths: Vec<f64> = MadeDevice::new(&d)
            .needles
            .iter()
            .map(|n| n.depth_mm)
            .collect();
        let m = depths.iter().sum::<f64>() / depths.len() as f64;
        let sd = (depths.iter().map(|x| (x - m).powi(2)).sum::<f64>() / depths.len() as f64).sqrt();
        assert!(
            (m - nominal).abs() < 0.015 && sd > 0.01 && sd < 0.05,
            "mean {m} sd {sd}"
        );
        let a = crate::metrics::analysis::analyze(&d, &crate::base::progress::Silent).unwrap();
        assert!(a.metrics.max_depth_mm.unwrap() > a.metrics.min_depth_mm.unwrap());
    }

    /// The tip radii drawn for `d`'s needles, µm.
    fn tips(d: &Design) -> Vec<f64> {
        made::draw_needles(d, d.device.kind_of())
            .iter()
            .map(|n| n.tip_radius_um)
            .collect()
    }

    /// The MF8 (shaft radius 125 µm) with tip radius `mu` µm and `tolerance`.
    fn mf8_tips(mu: f64, tolerance: &str, seed: u64) -> Design {
        let mut t = mf8_with(0.0, seed, true, 40.0, tolerance);
        crate::studies::sweep::set_key(&mut t, "needle.tip_radius_um", mu).unwrap();
        design_of(&t)
    }

    /// Mean and (population) standard deviation.
    fn mean_sd(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        (
            m,
            (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt(),
        )
    }

    #[test]
    fn tip_radius_sd_zero_changes_nothing() {
        // the key at 0 draws nothing: the same device and channels as without it, with a
        // length tolerance drawing from the same stream
        let without = mf8_tips(4.0, "length_sd_mm = 0.05", 3);
        let with = mf8_tips(4.0, "length_sd_mm = 0.05\ntip_radius_sd_um = 0.0", 3);
        assert!(tips(&with).iter().all(|&r| r == 4.0));
        assert_eq!(
            gen(&without, 1.0).unwrap().channels,
            gen(&with, 1.0).unwrap().channels
        );
    }

    #[test]
    fn tip_radii_are_drawn_with_the_stated_mean_and_sd() {
        // 20 µm ± 5 µm: the truncation at 0 and 125 µm lies 4 sd away and moves the mean by
        // under 0.001 µm. 20 seeds × 192 needles: the sample mean is within 4 standard errors
        // (4·5/√3840 = 0.32 µm), the sample sd within 4·5/√(2·3840) = 0.23 µm.
        let r: Vec<f64> = (1..=20)
            .flat_map(|seed| tips(&mf8_tips(20.0, "tip_radius_sd_um = 5.0", seed)))
            .collect();
        assert_eq!(r.len(), 3840);
        let (m, sd) = mean_sd(&r);
        assert!((m - 20.0).abs() < 0.32, "mean {m}");
        assert!((sd - 5.0).abs() < 0.23, "sd {sd}");
    }

    #[test]
    fn tip_radii_are_truncated_to_the_shaft() {
        // 100 µm ± 50 µm on a 125 µm shaft: a normal truncated to (0, 125], whose mean and sd
        // follow from α = −2, β = 0.5 (Φ by Simpson's rule): 77.7 and 30.7 µm. 3840 draws: 4
        // standard errors are 2.0 µm for the mean, 1.5 µm for the sd.
        let r: Vec<f64> = (1..=20)
            .flat_map(|seed| tips(&mf8_tips(100.0, "tip_radius_sd_um = 50.0", seed)))
            .collect();
        assert!(r.iter().all(|&x| x > 0.0 && x <= 125.0));
        let pdf = |t: f64| (-t * t / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let cdf = |x: f64| {
            let (a, n) = (-12.0, 20_000);
            let h = (x - a) / n as f64;
            let s: f64 = (0..=n)
                .map(|i| {
                    let w = if i == 0 || i == n {
                        1.0
                    } else if i % 2 == 1 {
                        4.0
                    } else {
                        2.0
                    };
                    w * pdf(a + i as f64 * h)
                })
                .sum();
            s * h / 3.0
        };
        let (al, be) = (-2.0, 0.5);
        let z = cdf(be) - cdf(al);
        let lam = (pdf(al) - pdf(be)) / z;
        let mean = 100.0 + 50.0 * lam;
        let sd = 50.0 * (1.0 + (al * pdf(al) - be * pdf(be)) / z - lam * lam).sqrt();
        let (m, s) = mean_sd(&r);
        assert!((m - mean).abs() < 2.0, "mean {m} vs {mean}");
        assert!((s - sd).abs() < 1.5, "sd {s} vs {sd}");
    }

    #[test]
    fn a_needles_own_tip_radius_sets_its_depth() {
        // One needle pressed with 0.5 N: its depth (or failure to pierce) is that of a needle
        // made with the drawn tip radius and no spread, and blunter tips go less deep.
        let stamp = |tip: f64, tolerance: &str, seed: u64| {
            let keys = [
                ("stamp.force_n", 0.5),
                ("stamp.array.rows", 1.0),
                ("stamp.array.cols", 1.0),
                ("needle.tip_radius_um", tip),
                ("treatment.seed", seed as f64),
            ];
            let text = include_str!("../../designs/stamp-35.toml");
            design_of(&shipped(text, &keys, 0.0, tolerance))
        };
        let mut by_radius = Vec::new();
        for seed in 1..=12 {
            let d = stamp(30.0, "tip_radius_sd_um = 20.0", seed);
            let r = tips(&d)[0];
            let same = stamp(r, "tip_radius_sd_um = 0.0", seed);
            let depth = |d: &Design| MadeDevice::new(d).needles.first().map(|n| n.depth_mm);
            assert_eq!(depth(&d), depth(&same), "seed {seed}, tip {r} µm");
            by_radius.push((r, depth(&d).unwrap_or(0.0)));
        }
        by_radius.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(
            by_radius.windows(2).all(|w| w[1].1 <= w[0].1),
            "{by_radius:?}"
        );
        assert!(by_radius[0].1 > by_radius[11].1, "{by_radius:?}");
    }

    #[test]
    fn jitter_off_is_reproducible_and_seed_free() {
        let a = gen(&roller(45.0, 1, false), 1.0).unwrap();
        let b = gen(&roller(45.0, 99, false), 1.0).unwrap();
        assert_eq!(a.channels, b.channels);
    }
}
