//! Pen kinematics (model §3): a cartridge stamped vertically at frequency f while the hand
//! moves at speed v. Stamp k of a stroke is at s_k = s₀ + k·v/f (s₀ uniform in [0, v/f) with
//! jitter); every stamp makes one channel per needle at the cartridge offsets, rotated by
//! `cartridge_angle_deg` relative to the stroke. The drive force per stamp is shared by the
//! cartridge's needles; the nose on the skin stops them at the setting.

use super::describe::PairSide;
use super::describe::RowSource::{self, Assumed, Note};
use super::describe::{device_row, ArrayView, CostFactor, Describe, DeviceRow, NeedleView};
use super::{array, Drawn, Kinematics, Pass};
use crate::base::fmt::fmt_num;
use crate::design::{Design, Device, Pen, PenNeedle};
use crate::model::advisory::Advisory;
use crate::model::channel::Channel;
use crate::model::insertion::Mechanics;
use crate::output::plot::text;
use crate::studies::compare::Setting;

/// Depth settings the pens on the market offer, mm (docs/sources.md).
const PEN_SETTING_MM: (f64, f64) = (0.25, 2.5);

/// Depth and opening radius of a pen needle at depth setting `setting_mm` pressed to the
/// setting (full load), tenting by `deflection_mm`: depth = setting − δ,
/// r = (d/2)·min(1, depth/t). `None` when it cannot pierce. The analysis takes the depth from
/// the force balance of [`crate::model::insertion`]; this is its limit of large drive force.
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

impl Describe for Pen {
    fn kind(&self) -> &'static str {
        "pen"
    }

    fn needle_count(&self) -> usize {
        self.needles.len()
    }

    fn array_needles(&self) -> Option<&[PenNeedle]> {
        Some(&self.needles)
    }

    fn force_n(&self) -> f64 {
        self.drive_force_n
    }

    fn set_force_n(&mut self, force_n: f64) {
        self.drive_force_n = force_n;
    }

    fn force_words(&self) -> &'static str {
        "drive force per stamp"
    }

    fn advisories(&self) -> Vec<Advisory> {
        let (lo, hi) = PEN_SETTING_MM;
        if (lo..=hi).contains(&self.depth_mm) {
            return Vec::new();
        }
        vec![Advisory {
            code: "pen_depth_range",
            message: format!(
                "pen depth setting {} mm is outside 0.25–2.5 mm, the range pens offer",
                self.depth_mm
            ),
        }]
    }

    fn own_setting(&self, _: &Design) -> Setting {
        Setting::PenHandSpeedMmS(self.hand_speed_mm_s)
    }

    fn with_hand_speed(&self, v_mm_s: f64) -> Option<Device> {
        Some(Device::Pen(Pen {
            hand_speed_mm_s: v_mm_s,
            ..self.clone()
        }))
    }

    fn pair_side(&self) -> Option<PairSide> {
        Some(PairSide::Pen)
    }

    fn cost_factor(&self) -> CostFactor {
        let (f, v) = (self.frequency_hz, self.hand_speed_mm_s);
        (
            "pen.frequency_hz",
            f / v / 10.0,
            format!("{f:?} Hz at {v:?} mm/s"),
        )
    }

    fn sheet_rows(&self) -> Vec<DeviceRow> {
        let mm = |x: f64| fmt_num(x, 2);
        let (lo, hi) = PEN_SETTING_MM;
        let within = ["OUTSIDE", "within"][usize::from((lo..=hi).contains(&self.depth_mm))];
        let range = format!("{within} the {}–{} mm pens offer", mm(lo), fmt_num(hi, 1));
        let setting = "needle length (depth setting)";
        let force = "stated drive force per stamp";
        let f_src = Assumed("pen.drive_force_n");
        let hz = fmt_num(self.frequency_hz, 1);
        let speed = fmt_num(self.hand_speed_mm_s, 1);
        let layout = format!("cartridge of {} needles", self.needles.len());
        let width = mm(self.cartridge_width_mm);
        let v_src = Assumed("pen.hand_speed_mm_s");
        let none = RowSource::None;
        vec![
            device_row("layout", "layout", layout, "", none.clone()),
            device_row("length", setting, mm(self.depth_mm), "mm", Note(range)),
            device_row("cartridge", "cartridge width", width, "mm", none.clone()),
            device_row("force", force, mm(self.drive_force_n), "N", f_src),
            device_row("frequency", "stamp frequency", hz, "Hz", none),
            device_row("speed", "hand speed", speed, "mm/s", v_src),
        ]
    }

    fn needles_caption(&self) -> &'static str {
        "cartridge layout seen from above, every needle"
    }

    fn needle_table(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        array::needle_table(&self.needles)
    }

    fn needle_view(&self, d: &Design, rate_per_s: f64, deepest: &str) -> NeedleView<'_> {
        let step = self.hand_speed_mm_s / self.frequency_hz;
        NeedleView::Array(ArrayView {
            needles: &self.needles,
            what: "cartridge",
            width_mm: self.cartridge_width_mm,
            motion: format!(
                "stamps every v/f = {} mm of stroke · {} punctures/s · cartridge turned {}° to the stroke",
                text::num(step, 3),
                text::num(rate_per_s, 0),
                text::tick(self.cartridge_angle_deg)
            ),
            title: format!(
                "{} needles · {} Hz · hand {} mm/s · depth setting {} mm → {deepest} mm reached · needle Ø {} mm",
                self.needles.len(),
                text::num(self.frequency_hz, 1),
                text::tick(self.hand_speed_mm_s),
                text::tick(self.depth_mm),
                text::tick(d.needle.diameter_mm)
            ),
        })
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
