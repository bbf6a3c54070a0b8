//! Hand stamp (model §3): an array pressed by hand with `force_n`, every `step_mm` along each
//! lane (press k of a stroke at s_k = s₀ + k·step, s₀ uniform in [0, step) with jitter). The
//! force is shared by the array's needles; the backing plate stops them at their length.
//! Puncture rate N·`presses_per_s`; density per pass N/(step·lane).

use super::{array, Drawn, Kinematics, Pass};
use crate::channel::Channel;
use crate::design::Stamp;
use crate::insertion::Mechanics;

impl Kinematics for Stamp {
    fn nominal(&self) -> Vec<(f64, f64, f64)> {
        array::nominal(&self.needles, self.length_mm)
    }

    fn tip_displacements(&self, ms: &[Mechanics], needles: &[Drawn]) -> Vec<f64> {
        array::tips(ms, needles, self.force_n)
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

    fn pass_channels(&self, pass: &Pass) -> Vec<Vec<Channel>> {
        array::channels(pass, self.array_angle_deg, self.step_mm)
    }
}
