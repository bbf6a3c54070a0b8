//! Pen kinematics (model §3): a cartridge stamped vertically at frequency f while the hand
//! moves at speed v. Stamp k of a stroke is at s_k = s₀ + k·v/f (s₀ uniform in [0, v/f) with
//! jitter); every stamp makes one channel per needle at the cartridge offsets, rotated by
//! `cartridge_angle_deg` relative to the stroke. The drive force per stamp is shared by the
//! cartridge's needles; the nose on the skin stops them at the setting.

use super::{per_lane, Drawn, Kinematics, MadeNeedle, PassFrame};
use crate::channel::Channel;
use crate::design::{Design, Pen};
use crate::insertion::{array_displacements, Mechanics};
use crate::math::{deg_to_rad, trig};

/// Depth and opening radius of a pen needle at depth setting `setting_mm` pressed to the
/// setting (full load), tenting by `deflection_mm`: depth = setting − δ,
/// r = (d/2)·min(1, depth/t). `None` when it cannot pierce. The analysis takes the depth from
/// the force balance of [`crate::insertion`]; this is its limit of large drive force.
pub fn pen_opening(
    setting_mm: f64,
    deflection_mm: f64,
    d_mm: f64,
    tip_mm: f64,
) -> Option<(f64, f64)> {
    let depth = setting_mm - deflection_mm;
    (depth > 0.0).then(|| (depth, d_mm / 2.0 * (depth / tip_mm).min(1.0)))
}

impl Kinematics for Pen {
    fn nominal(&self) -> Vec<(f64, f64, f64)> {
        self.needles
            .iter()
            .map(|n| (n.across_mm, n.along_mm, self.depth_mm))
            .collect()
    }

    fn tip_displacements(&self, m: &Mechanics, needles: &[Drawn]) -> Vec<f64> {
        array_tips(m, needles, self.drive_force_n)
    }

    fn density_per_pass_mm2(&self, n: usize, lane_mm: f64) -> f64 {
        n as f64 * self.frequency_hz / (self.hand_speed_mm_s * lane_mm)
    }

    fn puncture_rate_per_s(&self, n: usize) -> f64 {
        n as f64 * self.frequency_hz
    }

    fn speed_mm_s(&self) -> f64 {
        self.hand_speed_mm_s
    }

    fn pass_channels(
        &self,
        design: &Design,
        needles: &[MadeNeedle],
        frame: &PassFrame,
        pass: u32,
    ) -> Vec<Vec<Channel>> {
        let step = self.hand_speed_mm_s / self.frequency_hz;
        array_channels(design, needles, frame, pass, self.cartridge_angle_deg, step)
    }
}

/// Tip displacements of a flat array's drawn needles pressed with `force_n` (pen or stamp).
pub(super) fn array_tips(m: &Mechanics, needles: &[Drawn], force_n: f64) -> Vec<f64> {
    let lengths: Vec<f64> = needles.iter().map(|n| n.length_mm).collect();
    array_displacements(m, &lengths, force_n)
}

/// The channels of one pass of a flat array (pen cartridge or stamp) turned by `angle_deg`
/// to the stroke and set down every `step_mm` along it, per lane in lane order.
pub(super) fn array_channels(
    design: &Design,
    needles: &[MadeNeedle],
    frame: &PassFrame,
    pass: u32,
    angle_deg: f64,
    step: f64,
) -> Vec<Vec<Channel>> {
    if needles.is_empty() {
        return Vec::new();
    }
    let alpha = deg_to_rad(angle_deg);
    let (ca, sa) = (trig::cos(alpha), trig::sin(alpha));
    // (along, across) in the stroke frame after rotating the array
    let offs: Vec<(f64, f64)> = needles
        .iter()
        .map(|n| {
            (
                n.along_mm * ca - n.across_mm * sa,
                n.along_mm * sa + n.across_mm * ca,
            )
        })
        .collect();
    let u_min = offs.iter().map(|o| o.1).fold(f64::INFINITY, f64::min);
    let u_max = offs.iter().map(|o| o.1).fold(f64::NEG_INFINITY, f64::max);
    let s_min = offs.iter().map(|o| o.0).fold(f64::INFINITY, f64::min);
    let s_max = offs.iter().map(|o| o.0).fold(f64::NEG_INFINITY, f64::max);
    let lanes = frame.lanes(design.treatment.lane_spacing_mm, u_min, u_max);
    let jitter = design.treatment.jitter;
    let skin = &design.skin;
    per_lane(design, frame, lanes, pass, |rng, u_lane, out| {
        let s0 = if jitter { rng.uniform() * step } else { 0.0 };
        let k0 = ((frame.s_range.0 - s_max - s0) / step).ceil() as i64;
        let k1 = ((frame.s_range.1 - s_min - s0) / step).floor() as i64;
        for k in k0..=k1 {
            let sk = s0 + step * k as f64;
            for (n, o) in needles.iter().zip(&offs) {
                let p = frame.point(sk + o.0, u_lane + o.1);
                if !frame.inside(&p) {
                    continue;
                }
                out.push((sk, n.index, n.channel(p, frame, skin, pass)));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pen_depth_and_radius() {
        let (d, r) = pen_opening(1.0, 0.14, 0.25, 0.5).unwrap();
        assert!((d - 0.86).abs() < 1e-12 && (r - 0.125).abs() < 1e-12);
        assert!(pen_opening(0.1, 0.14, 0.25, 0.5).is_none());
    }
}
