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

mod pen;
mod roller;
mod stamp;

pub use pen::pen_opening;
pub use roller::{entry_angle_rad, roller_opening, slit_rigid_mm};

mod frame;
mod made;

pub(crate) use frame::{per_lane, PassFrame};
pub(crate) use made::Drawn;
pub use made::{
    check_channel_limit, default_margin_mm, density_per_pass_mm2, needle_count,
    puncture_rate_per_s, MadeDevice, MadeNeedle, MAX_CHANNELS,
};

use crate::channel::Channel;
use crate::design::{Design, Device};
use crate::error::LimitError;
use crate::insertion::Mechanics;

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

/// What one device kind contributes: its needles' places, its force balance and opening,
/// its closed forms, and how it lays channels along a stroke. A new device kind is one
/// implementation of this trait (one file) plus its validation.
pub(crate) trait Kinematics: Sync {
    /// Nominal (across_mm, along_mm, length_mm) of every needle, in design order; the
    /// angle error in degrees is applied by [`Kinematics::along_with_angle_error`].
    fn nominal(&self) -> Vec<(f64, f64, f64)>;
    /// The along offset of a needle turned by `angle_err_deg` on the device (roller only).
    fn along_with_angle_error(&self, along_mm: f64, _angle_err_deg: f64) -> f64 {
        along_mm
    }
    /// Tip displacement below the undeformed surface each needle reaches when pressed with
    /// the device's force, mm (the force balance of [`crate::insertion`]).
    fn tip_displacements(&self, m: &Mechanics, needles: &[Drawn]) -> Vec<f64>;
    /// Slit length of the opening of a needle of length `length_mm` at insertion depth
    /// `depth_mm` (0 for devices that enter vertically).
    fn slit_mm(&self, _design: &Design, _length_mm: f64, _depth_mm: f64) -> f64 {
        0.0
    }
    /// Channels per mm² one pass lays with `n` piercing needles and lanes `lane_mm` apart.
    fn density_per_pass_mm2(&self, n: usize, lane_mm: f64) -> f64;
    /// Channels per second with `n` piercing needles.
    fn puncture_rate_per_s(&self, n: usize) -> f64;
    /// Speed over the skin, mm/s.
    fn speed_mm_s(&self) -> f64;
    /// The channels of one pass, per lane in lane order.
    fn pass_channels(
        &self,
        design: &Design,
        needles: &[MadeNeedle],
        frame: &PassFrame,
        pass: u32,
    ) -> Vec<Vec<Channel>>;
}

fn kinematics(device: &Device) -> &dyn Kinematics {
    match device {
        Device::Roller(r) => r,
        Device::Pen(p) => p,
        Device::Stamp(s) => s,
    }
}

/// Generates every channel of the design's treatment over the region grown by `margin_mm`,
/// with the device `made` (built once by [`MadeDevice::new`]).
///
/// Parallel over strokes; the result does not depend on the thread count.
pub fn generate(design: &Design, made: &MadeDevice, margin_mm: f64) -> Result<Field, LimitError> {
    made.check_channel_limit(design, margin_mm)?;
    let kin = kinematics(&design.device);
    let ext = made.max_extent_mm;
    let passes = design.treatment.pass_angles_deg.len() as u32;
    let mut channels = Vec::new();
    for pass in 0..passes {
        let frame = PassFrame::new(design, pass, margin_mm, ext);
        for lane in kin.pass_channels(design, &made.needles, &frame, pass) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use std::path::Path;

    const ROLLER: &str = r#"
name = "t"
kind = "roller"
[roller]
drum_diameter_mm = 20.0
drum_width_mm = 20.0
# pressed to the drum's body: every needle reaches its length less the residual tenting
force_n = 1000.0
[roller.layout]
pattern = "rings"
rings = 8
needles_per_ring = 24
stagger_deg = 7.5
[needle]
length_mm = 1.5
diameter_mm = 0.25
[treatment]
area_mm = [40.0, 40.0]
passes = [ { angle_deg = ANGLE } ]
seed = SEED
jitter = JITTER
"#;

    fn gen(d: &Design, margin_mm: f64) -> Result<Field, LimitError> {
        generate(d, &MadeDevice::new(d), margin_mm)
    }

    fn roller(angle: f64, seed: u64, jitter: bool) -> Design {
        let s = ROLLER
            .replace("ANGLE", &format!("{angle:?}"))
            .replace("SEED", &seed.to_string())
            .replace("JITTER", &jitter.to_string());
        Design::from_bytes(s.as_bytes(), Path::new("t.toml")).unwrap()
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
        let (r, delta, c, h, dia, tip) = (10.0f64, 0.14f64, 0.42f64, 1.5f64, 0.25f64, 0.5f64);
        let beta = ((r + delta) / (r + h)).acos();
        let slit = (2.0 * ((r + delta) * beta.tan() - r * beta) - 2.0 * c).max(0.0);
        for ch in &f.channels {
            assert_relative_eq!(ch.depth_mm, h - delta, epsilon = 1e-12);
            assert_relative_eq!(
                ch.radius_mm,
                dia / 2.0 * ((h - delta) / tip).min(1.0),
                epsilon = 1e-12
            );
            assert_relative_eq!(ch.slit_mm, slit, epsilon = 1e-9);
            assert_eq!(ch.axis_deg, 0.0);
        }
    }

    #[test]
    fn a_needles_channels_are_one_circumference_apart() {
        for jitter in [false, true] {
            let long = ROLLER
                .replace("area_mm = [40.0, 40.0]", "area_mm = [200.0, 40.0]")
                .replace("ANGLE", "0.0")
                .replace("SEED", "5")
                .replace("JITTER", &jitter.to_string());
            let f = gen(
                &Design::from_bytes(long.as_bytes(), Path::new("t.toml")).unwrap(),
                1.0,
            )
            .unwrap();
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

    const PEN: &str = r#"
name = "p"
kind = "pen"
[pen]
depth_mm = 1.0
frequency_hz = 110.0
hand_speed_mm_s = 25.0
cartridge_angle_deg = 30.0
[pen.cartridge]
pattern = "grid"
rows = 3
cols = 4
pitch_mm = 1.0
[needle]
diameter_mm = 0.25
[treatment]
area_mm = [40.0, 40.0]
passes = [ { angle_deg = 0.0 } ]
lane_spacing_mm = 4.0
seed = SEED
"#;

    #[test]
    fn pen_rate_and_density_per_pass() {
        let mut total = 0.0;
        for seed in 1..=10 {
            let d = Design::from_bytes(
                PEN.replace("SEED", &seed.to_string()).as_bytes(),
                Path::new("p.toml"),
            )
            .unwrap();
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
        let d =
            Design::from_bytes(PEN.replace("SEED", "4").as_bytes(), Path::new("p.toml")).unwrap();
        let f = gen(&d, 1.0).unwrap();
        for xs in xs_by_needle(&f) {
            for w in xs.windows(2) {
                assert_relative_eq!(w[1] - w[0], 25.0 / 110.0, epsilon = 1e-9);
            }
        }
    }

    #[test]
    fn manufacturing_variation() {
        let src = ROLLER
            .replace("ANGLE", "0.0")
            .replace("SEED", "8")
            .replace("JITTER", "true");
        let with = |tol: &str| {
            Design::from_bytes(
                format!("{src}\n[tolerance]\n{tol}\n").as_bytes(),
                Path::new("t.toml"),
            )
            .unwrap()
        };
        // half the needles missing: half the channels per pass, within sampling noise of 192 draws
        let half = MadeDevice::new(&with("missing_fraction = 0.5"))
            .needles
            .len() as f64;
        assert!((half - 96.0).abs() < 4.0 * 48f64.sqrt(), "{half}");
        // length sd 0.05 mm: depth spread with that sd around h − δ
        let d = with("length_sd_mm = 0.05");
        let depths: Vec<f64> = MadeDevice::new(&d)
            .needles
            .iter()
            .map(|n| n.depth_mm)
            .collect();
        let m = depths.iter().sum::<f64>() / depths.len() as f64;
        let sd = (depths.iter().map(|x| (x - m).powi(2)).sum::<f64>() / depths.len() as f64).sqrt();
        assert!(
            (m - 1.36).abs() < 0.015 && (sd - 0.05).abs() < 0.012,
            "mean {m} sd {sd}"
        );
        let a = crate::analysis::analyze(&d, &crate::progress::Silent).unwrap();
        assert!(a.metrics.max_depth_mm.unwrap() > a.metrics.min_depth_mm.unwrap());
    }

    #[test]
    fn jitter_off_is_reproducible_and_seed_free() {
        let a = gen(&roller(45.0, 1, false), 1.0).unwrap();
        let b = gen(&roller(45.0, 99, false), 1.0).unwrap();
        assert_eq!(a.channels, b.channels);
    }
}
