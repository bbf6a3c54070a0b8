//! Hand stamp (model §3): an array pressed by hand with `force_n`, every `step_mm` along each
//! lane (press k of a stroke at s_k = s₀ + k·step, s₀ uniform in [0, step) with jitter). The
//! force is shared by the array's needles; the backing plate stops them at their length.
//! Puncture rate N·`presses_per_s`; density per pass N/(step·lane).

use super::describe::PairSide;
use super::describe::RowSource::{self, Assumed, Key};
use super::describe::{device_row, ArrayView, CostFactor, Describe, DeviceRow, NeedleView};
use super::{array, Drawn, Kinematics, Pass};
use crate::base::fmt::fmt_num;
use crate::design::{Design, PenNeedle, Stamp};
use crate::model::channel::Channel;
use crate::model::insertion::Mechanics;
use crate::output::plot::text;

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

impl Describe for Stamp {
    fn kind(&self) -> &'static str {
        "stamp"
    }

    fn needle_count(&self) -> usize {
        self.needles.len()
    }

    fn array_needles(&self) -> Option<&[PenNeedle]> {
        Some(&self.needles)
    }

    fn force_n(&self) -> f64 {
        self.force_n
    }

    fn set_force_n(&mut self, force_n: f64) {
        self.force_n = force_n;
    }

    fn force_words(&self) -> &'static str {
        "press force"
    }

    fn pair_side(&self) -> Option<PairSide> {
        None
    }

    fn cost_factor(&self) -> CostFactor {
        let (n, step) = (self.needles.len(), self.step_mm);
        let shown = format!("{step:?} ({n} needles a press)");
        ("stamp.step_mm", n as f64 / step / 100.0, shown)
    }

    fn sheet_rows(&self) -> Vec<DeviceRow> {
        let mm = |x: f64| fmt_num(x, 2);
        let step = Key("stamp.step_mm", "default: presses tile the lane");
        let (rate, rate_src) = (mm(self.presses_per_s), Assumed("stamp.presses_per_s"));
        let length = Key("needle.length_mm", "");
        let layout = format!("array of {} needles", self.needles.len());
        let f_src = Assumed("stamp.force_n");
        let width = mm(self.array_width_mm);
        vec![
            device_row("layout", "layout", layout, "", RowSource::None),
            device_row("length", "needle length", mm(self.length_mm), "mm", length),
            device_row("cartridge", "array width", width, "mm", RowSource::None),
            device_row("force", "stated press force", mm(self.force_n), "N", f_src),
            device_row("step", "step between presses", mm(self.step_mm), "mm", step),
            device_row("presses", "presses per second", rate, "/s", rate_src),
        ]
    }

    fn needles_caption(&self) -> &'static str {
        "array layout seen from above, every needle"
    }

    fn needle_table(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        array::needle_table(&self.needles)
    }

    fn needle_view(&self, d: &Design, rate_per_s: f64, deepest: &str) -> NeedleView<'_> {
        NeedleView::Array(ArrayView {
            needles: &self.needles,
            what: "array",
            width_mm: self.array_width_mm,
            motion: format!(
                "pressed every {} mm of lane · {} punctures/s · array turned {}° to the stroke",
                text::num(self.step_mm, 3),
                text::num(rate_per_s, 0),
                text::tick(self.array_angle_deg)
            ),
            title: format!(
                "{} needles · {} N a press · needles {} mm long → {deepest} mm reached · needle Ø {} mm",
                self.needles.len(),
                text::tick(self.force_n),
                text::tick(self.length_mm),
                text::tick(d.needle.diameter_mm)
            ),
        })
    }
}
