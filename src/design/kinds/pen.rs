//! Pen kinematics (model §3): a cartridge stamped vertically at frequency f while the hand
//! moves at speed v. Stamp k of a stroke is at s_k = s₀ + k·v/f (s₀ uniform in [0, v/f) with
//! jitter); every stamp makes one channel per needle at the cartridge offsets, rotated by
//! `cartridge_angle_deg` relative to the stroke. The drive force per stamp is shared by the
//! cartridge's needles; the nose on the skin stops them at the setting.

//!
//! The file's side: `[pen]` and its array `[pen.cartridge]`.

use super::array::PenNeedle;
use super::RowSource::{self, Assumed, Note};
use super::{
    Setting, device_row, ArrayView, Checked, CostFactor, Device, DeviceKind, DeviceRow, DrawnNeedle, Motion,
    NeedleView, PairSide,
};
use crate::base::fmt::{fmt_num, fmt_tick};
use crate::design::file::S;
use crate::design::ranges::{r, Num, Range, SweepKey, Words};
use crate::design::validate::{Ctx, NeedleCtx, R};
use crate::design::{Design, Needle};
use crate::model::advisory::Advisory;
use crate::model::insertion::{Mechanics, Tip};
use crate::model::strength::bending::Approach;
use crate::model::strength::fatigue::{PenDuty, DEFAULT_SESSION_S};
use super::array::DEFAULT_MISALIGNMENT_DEG;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Default pen drive force per stamp, N. (assumption) no source gives a pen's motor force.
pub const DEFAULT_PEN_DRIVE_FORCE_N: f64 = 5.0;

/// Default hand preload on the pen's nose, N. (assumption) no source measures it; a pen is held
/// lightly, about as firmly as a roller is pressed.
pub const DEFAULT_PEN_PRELOAD_N: f64 = 3.0;

/// The kind's table in the design file.
pub type File = PenFile;

/// The refusal when `kind = "pen"` has no `[pen]` table.
pub const MISSING: &str = "kind = \"pen\" needs a [pen] table with depth_mm, frequency_hz, hand_speed_mm_s and [pen.cartridge]";

/// Whether a pen states `needle.length_mm`.
pub const HAS_NEEDLE_LENGTH: bool = false;

/// The numeric keys of `[pen]` a sweep may vary.
pub const SWEEP_KEYS: &[SweepKey] = &[
    SweepKey {
        key: "pen.cartridge.pattern",
        num: Num::Word(Words::ArrayPattern),
        pattern: None,
    },
    SweepKey {
        key: "pen.depth_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.drive_force_n",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.preload_n",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.setting_tolerance_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.frequency_hz",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.hand_speed_mm_s",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.cartridge_angle_deg",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.misalignment_deg",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.session_s",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "pen.cartridge.rows",
        num: Num::Int,
        pattern: Some("grid"),
    },
    SweepKey {
        key: "pen.cartridge.cols",
        num: Num::Int,
        pattern: Some("grid"),
    },
    SweepKey {
        key: "pen.cartridge.pitch_mm",
        num: Num::Float,
        pattern: Some("grid"),
    },
    SweepKey {
        key: "pen.cartridge.count",
        num: Num::Int,
        pattern: Some("ring"),
    },
    SweepKey {
        key: "pen.cartridge.diameter_mm",
        num: Num::Float,
        pattern: Some("ring"),
    },
];

/// The ranges of `[pen]`'s keys.
pub const RANGES: &[Range] = &[
    r(
        "pen.depth_mm",
        0.0,
        false,
        10.0,
        "mm",
        "pens set 0.25–3.0 mm",
    ),
    r(
        "pen.frequency_hz",
        0.0,
        false,
        1000.0,
        "Hz",
        "pens stamp 50–150 times a second",
    ),
    r(
        "pen.hand_speed_mm_s",
        0.0,
        false,
        1000.0,
        "mm/s",
        "a hand moves at tens of mm/s",
    ),
    r(
        "pen.drive_force_n",
        0.0,
        false,
        1000.0,
        "N",
        "a motor in a hand-held pen",
    ),
    r(
        "pen.preload_n",
        0.0,
        false,
        1000.0,
        "N",
        "a hand holds a pen with a few N",
    ),
    r(
        "pen.setting_tolerance_mm",
        0.0,
        true,
        0.5,
        "mm",
        "a cleared pen states ±0.15 mm (510(k) K182407)",
    ),
    r(
        "pen.misalignment_deg",
        0.0,
        true,
        45.0,
        "°",
        "a hand holds a pen within tens of degrees of square",
    ),
    r(
        "pen.session_s",
        0.0,
        false,
        86_400.0,
        "s",
        "a session is minutes; a day at most",
    ),
    r(
        "pen.cartridge_angle_deg",
        -360.0,
        true,
        360.0,
        "°",
        "one turn",
    ),
    r(
        "pen.cartridge.pitch_mm",
        0.0,
        false,
        50.0,
        "mm",
        "cartridges are a few mm across",
    ),
    r(
        "pen.cartridge.diameter_mm",
        0.0,
        false,
        50.0,
        "mm",
        "cartridges are a few mm across",
    ),
    r(
        "pen.cartridge.needles.along_mm",
        -25.0,
        true,
        25.0,
        "mm",
        "cartridges are a few mm across",
    ),
    r(
        "pen.cartridge.needles.across_mm",
        -25.0,
        true,
        25.0,
        "mm",
        "cartridges are a few mm across",
    ),
];

/// `[pen]`: a motor-driven cartridge.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenFile {
    /// Depth setting: how far the needles stand out of the cartridge, mm (a pen has no `needle.length_mm`).
    pub depth_mm: S<f64>,
    /// Stamps per second, Hz.
    pub frequency_hz: S<f64>,
    /// Hand speed along the stroke, mm/s.
    pub hand_speed_mm_s: S<f64>,
    /// Cartridge rotation relative to the stroke, degrees, from −360 to 360.
    #[schemars(extend("default" = 0.0))]
    pub cartridge_angle_deg: Option<S<f64>>,
    /// Motor force driving the cartridge into the skin at each stamp, N. Default: an assumption (no source gives a pen's motor force).
    #[schemars(extend("default" = DEFAULT_PEN_DRIVE_FORCE_N))]
    pub drive_force_n: Option<S<f64>>,
    /// Hand preload on the pen's nose, N: the needles' reaction cannot push the pen back harder than the hand holds it, so each stroke's force is the smaller of this and drive_force_n. Default: an assumption, 3 N (no source measures it).
    #[schemars(extend("default" = DEFAULT_PEN_PRELOAD_N))]
    pub preload_n: Option<S<f64>>,
    /// Tolerance of the depth setting, mm, from 0 to 0.5 and below the setting: each made pen's needles stand out by the setting plus an error drawn uniformly within ± this (mc draws a new one each run). Default 0; a cleared pen states ±0.15 mm (510(k) K182407).
    #[schemars(extend("default" = 0.0))]
    pub setting_tolerance_mm: Option<S<f64>>,
    /// How far the hand holds the pen off square to the skin, degrees, from 0 to 45 (bending check). Default: an assumption, 10° (no source measures it).
    #[schemars(extend("default" = super::array::DEFAULT_MISALIGNMENT_DEG))]
    pub misalignment_deg: Option<S<f64>>,
    /// Length of one treatment session, s: each needle strokes frequency_hz × session_s times a session (fatigue check). Default: an assumption, 30 minutes.
    #[schemars(extend("default" = DEFAULT_SESSION_S))]
    pub session_s: Option<S<f64>>,
    /// Where the needles sit in the cartridge.
    pub cartridge: S<super::array::CartridgeFile>,
}

/// A checked pen.
#[derive(Clone, Debug, Serialize)]
pub struct Pen {
    /// Depth setting, mm.
    pub depth_mm: f64,
    /// Stamps per second.
    pub frequency_hz: f64,
    /// Hand speed along the stroke, mm/s.
    pub hand_speed_mm_s: f64,
    /// Cartridge rotation relative to the stroke, degrees.
    pub cartridge_angle_deg: f64,
    /// Motor force driving the cartridge into the skin at each stamp, N.
    pub drive_force_n: f64,
    /// Hand preload on the nose, N.
    pub preload_n: f64,
    /// Tolerance of the depth setting, ± mm.
    pub setting_tolerance_mm: f64,
    /// Angle the hand holds the pen off square to the skin, degrees.
    pub misalignment_deg: f64,
    /// Length of one treatment session, s.
    pub session_s: f64,
    /// Needles in the cartridge's own frame.
    pub needles: Vec<PenNeedle>,
    /// Lateral width the cartridge treats per stroke, mm (default lane spacing).
    pub cartridge_width_mm: f64,
}

/// Checks `[pen]` into the device (a pen sets `pen.depth_mm`, not `needle.length_mm`); its
/// lanes default to the cartridge's width.
pub(super) fn check(ctx: &Ctx, p: &S<PenFile>, needle: &NeedleCtx) -> R<Checked> {
    needle.refuse_length(ctx, "a pen sets its depth with pen.depth_mm; remove needle.length_mm")?;
    let pen = ctx.pen(p, &needle.needle)?;
    let w = pen.cartridge_width_mm;
    Ok((Device::Pen(pen), w))
}

impl Ctx<'_> {
    pub(crate) fn pen(&self, p: &S<PenFile>, needle: &Needle) -> R<Pen> {
        let pf = p.get_ref();
        let depth_mm = self.positive(&pf.depth_mm, "pen.depth_mm")?;
        let frequency_hz = self.positive(&pf.frequency_hz, "pen.frequency_hz")?;
        let hand_speed_mm_s = self.positive(&pf.hand_speed_mm_s, "pen.hand_speed_mm_s")?;
        let cartridge_angle_deg: f64 = self.opt(
            &pf.cartridge_angle_deg,
            "pen.cartridge_angle_deg",
            0.0,
            Self::finite,
        )?;
        let drive_force_n: f64 = self.opt(
            &pf.drive_force_n,
            "pen.drive_force_n",
            DEFAULT_PEN_DRIVE_FORCE_N,
            Self::positive,
        )?;
        let preload_n: f64 =
            self.opt(&pf.preload_n, "pen.preload_n", DEFAULT_PEN_PRELOAD_N, Self::positive)?;
        let setting_tolerance_mm: f64 = self.opt(
            &pf.setting_tolerance_mm,
            "pen.setting_tolerance_mm",
            0.0,
            Self::non_negative,
        )?;
        if let Some(t) = &pf.setting_tolerance_mm {
            if setting_tolerance_mm >= depth_mm {
                return Err(self.err(
                    t.span(),
                    "pen.setting_tolerance_mm",
                    setting_tolerance_mm,
                    format!(
                        "must be less than the setting it is a tolerance of (pen.depth_mm = {depth_mm} mm): a made pen's setting stays above 0"
                    ),
                ));
            }
        }
        let misalignment_deg: f64 = self.opt(
            &pf.misalignment_deg,
            "pen.misalignment_deg",
            DEFAULT_MISALIGNMENT_DEG,
            Self::non_negative,
        )?;
        let session_s: f64 =
            self.opt(&pf.session_s, "pen.session_s", DEFAULT_SESSION_S, Self::positive)?;
        let (needles, width) = self.array(&pf.cartridge, "pen.cartridge", needle)?;
        Ok(Pen {
            depth_mm,
            frequency_hz,
            hand_speed_mm_s,
            cartridge_angle_deg,
            drive_force_n,
            preload_n,
            setting_tolerance_mm,
            misalignment_deg,
            session_s,
            needles,
            cartridge_width_mm: width,
        })
    }
}

/// The `[pen]` tables of the starter design (`needlemap init`).
pub(super) fn starter() -> String {
    format!(
        "[pen]\n\
         depth_mm = 1.0                 # mm, depth setting, required\n\
         frequency_hz = 110.0           # Hz, stamps per second, required (Dermapen ~110)\n\
         hand_speed_mm_s = 25.0         # mm/s, required; shipped pens assume 25 [A]\n\
         cartridge_angle_deg = 0.0      # °, cartridge rotation to the stroke\n\
         drive_force_n = {DEFAULT_PEN_DRIVE_FORCE_N:?}            # N per stamp, the motor's limit; default (assumption)\n\
         preload_n = {DEFAULT_PEN_PRELOAD_N:?}                # N, hand on the nose; default (assumption)\n\
         setting_tolerance_mm = 0.0     # ± mm on the depth setting (a cleared pen: 0.15)\n\
         misalignment_deg = {DEFAULT_MISALIGNMENT_DEG:?}        # °, hand off square (bending check); default (assumption)\n\
         session_s = {DEFAULT_SESSION_S:?}             # s per session (fatigue check); default (assumption)\n\n{}",
        super::array::starter("pen.cartridge")
    )
}

/// Depth settings the pens on the market offer, mm (docs/sources.md).
const PEN_SETTING_MM: (f64, f64) = (0.25, 2.5);

/// Depth and opening radius of a pen needle at depth setting `setting_mm` pressed to the
/// setting (full load), tenting by `tenting_mm`: depth = setting − δ,
/// r = (d/2)·min(1, depth/t). `None` when it cannot pierce. The analysis takes the depth from
/// the force balance of [`crate::model::insertion`]; this is its limit of large drive force.
pub fn pen_opening(
    setting_mm: f64,
    tenting_mm: f64,
    d_mm: f64,
    tip_mm: f64,
) -> Option<(f64, f64)> {
    let depth = setting_mm - tenting_mm;
    (depth > 0.0).then(|| (depth, d_mm / 2.0 * (depth / tip_mm).min(1.0)))
}

impl Pen {
    /// The force of one stroke, N: the motor drives the needles towards the setting with at
    /// most `drive_force_n`, and the needles' reaction cannot exceed the hand's preload on
    /// the nose without pushing the pen back, so the smaller of the two.
    pub fn stroke_force_n(&self) -> f64 {
        self.drive_force_n.min(self.preload_n)
    }
}

impl DeviceKind for Pen {
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
        self.stroke_force_n()
    }

    fn set_force_n(&mut self, force_n: f64) {
        self.drive_force_n = force_n;
        self.preload_n = force_n;
    }

    fn force_words(&self) -> &'static str {
        "force per stroke (the lesser of drive force and hand preload)"
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

    fn own_setting(&self, _passes: u32) -> Setting {
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
        let mut range = format!("{within} the {}–{} mm pens offer", mm(lo), fmt_num(hi, 1));
        if self.setting_tolerance_mm > 0.0 {
            range += &format!(
                "; made to ± {} mm (each made pen's setting drawn within it, so its needles may reach past the nominal setting)",
                mm(self.setting_tolerance_mm)
            );
        }
        let setting = "needle length (depth setting)";
        let force = "stated drive force per stamp (the stroke: at most the hand's preload)";
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
        super::array::needle_table(&self.needles)
    }

    fn needle_view(&self, d: &Design, rate_per_s: f64, deepest: &str) -> NeedleView<'_> {
        let step = self.hand_speed_mm_s / self.frequency_hz;
        NeedleView::Array(ArrayView {
            needles: &self.needles,
            what: "cartridge",
            width_mm: self.cartridge_width_mm,
            motion: format!(
                "stamps every v/f = {} mm of stroke · {} punctures/s · cartridge turned {}° to the stroke",
                fmt_num(step, 3),
                fmt_num(rate_per_s, 0),
                fmt_tick(self.cartridge_angle_deg)
            ),
            title: format!(
                "{} needles · {} Hz · hand {} mm/s · depth setting {} mm → {deepest} mm reached · needle Ø {} mm",
                self.needles.len(),
                fmt_num(self.frequency_hz, 1),
                fmt_tick(self.hand_speed_mm_s),
                fmt_tick(self.depth_mm),
                fmt_tick(d.needle.diameter_mm)
            ),
        })
    }

    fn nominal(&self) -> Vec<(f64, f64, f64)> {
        super::array::nominal(&self.needles, self.depth_mm)
    }

    fn press(&self, ms: &[Mechanics], needles: &[DrawnNeedle], ell_mm: f64) -> Vec<Tip> {
        super::array::tips(ms, needles, ell_mm, self.stroke_force_n())
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

    fn motion(&self) -> Motion {
        let step = self.hand_speed_mm_s / self.frequency_hz;
        Motion::Array {
            angle_deg: self.cartridge_angle_deg,
            step_mm: step,
        }
    }

    fn approach(&self) -> Approach {
        Approach::Tilted {
            misalignment_deg: self.misalignment_deg,
        }
    }

    fn duty(&self) -> Option<PenDuty> {
        Some(PenDuty {
            frequency_hz: self.frequency_hz,
            session_s: self.session_s,
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
