//! Hand stamp (model §3): an array pressed by hand with `force_n`, every `step_mm` along each
//! lane (press k of a stroke at s_k = s₀ + k·step, s₀ uniform in [0, step) with jitter). The
//! force is shared by the array's needles; the backing plate stops them at their length.
//! Puncture rate N·`presses_per_s`; density per pass N/(step·lane).

use super::pen::{array_channels, array_tips};
use super::{Drawn, Kinematics, MadeNeedle, PassFrame};
use crate::channel::Channel;
use crate::design::{Design, Stamp};
use crate::insertion::Mechanics;

impl Kinematics for Stamp {
    fn nominal(&self) -> Vec<(f64, f64, f64)> {
        self.needles
            .iter()
            .map(|n| (n.across_mm, n.along_mm, self.length_mm))
            .collect()
    }

    fn tip_displacements(&self, m: &Mechanics, needles: &[Drawn]) -> Vec<f64> {
        array_tips(m, needles, self.force_n)
    }

    fn density_per_pass_mm2(&self, n: usize, lane_mm: f64) -> f64 {
        n as f64 / (self.step_mm * lane_mm)
    }

    fn puncture_rate_per_s(&self, n: usize) -> f64 {
        n as f64 * self.presses_per_s
    }

    fn speed_mm_s(&self) -> f64 {
        self.step_mm * self.presses_per_s
    }

    fn pass_channels(
        &self,
        design: &Design,
        needles: &[MadeNeedle],
        frame: &PassFrame,
        pass: u32,
    ) -> Vec<Vec<Channel>> {
        array_channels(
            design,
            needles,
            frame,
            pass,
            self.array_angle_deg,
            self.step_mm,
        )
    }
}
