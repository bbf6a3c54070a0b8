//! Pen kinematics (model §3): a cartridge stamped vertically at frequency f while the hand
//! moves at speed v. Stamp k of a stroke is at s_k = s₀ + k·v/f (s₀ uniform in [0, v/f) with
//! jitter); every stamp makes one channel per needle at the cartridge offsets, rotated by
//! `cartridge_angle_deg` relative to the stroke. The drive force per stamp is shared by the
//! cartridge's needles; the nose on the skin stops them at the setting.

use super::{array, Drawn, Kinematics, Pass};
use crate::channel::Channel;
use crate::design::Pen;
use crate::insertion::Mechanics;

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
        array::nominal(&self.needles, self.depth_mm)
    }

    fn tip_displacements(&self, ms: &[Mechanics], needles: &[Drawn]) -> Vec<f64> {
        array::tips(ms, needles, self.drive_force_n)
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

    fn pass_channels(&self, pass: &Pass) -> Vec<Vec<Channel>> {
        let step = self.hand_speed_mm_s / self.frequency_hz;
        array::channels(pass, self.cartridge_angle_deg, step)
    }
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
