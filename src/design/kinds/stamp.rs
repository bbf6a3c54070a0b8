//! Hand stamp (model §3): an array pressed by hand with `force_n`, every `step_mm` along each
//! lane (press k of a stroke at s_k = s₀ + k·step, s₀ uniform in [0, step) with jitter). The
//! force is shared by the array's needles; the backing plate stops them at their length.
//! Puncture rate N·`presses_per_s`; density per pass N/(step·lane).

//!
//! The file's side: `[stamp]` and its array `[stamp.array]`.

use super::array::PenNeedle;
use super::RowSource::{self, Assumed, Key};
use super::{
    device_row, ArrayView, Checked, CostFactor, Device, DeviceKind, DeviceRow, DrawnNeedle, Motion,
    NeedleView, PairSide,
};
use crate::base::fmt::{fmt_num, fmt_tick};
use crate::design::file::S;
use crate::design::ranges::{r, Num, Range, SweepKey, Words};
use crate::design::validate::{Ctx, NeedleCtx, R};
use crate::design::{Design, Needle};
use crate::model::insertion::{Mechanics, Tip};
use crate::model::strength::bending::Approach;
use super::array::DEFAULT_MISALIGNMENT_DEG;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Default presses per second of a hand stamp. (assumption)
pub const DEFAULT_PRESSES_PER_S: f64 = 1.0;

/// The kind's table in the design file.
pub type File = StampFile;

/// The refusal when `kind = "stamp"` has no `[stamp]` table.
pub const MISSING: &str = "kind = \"stamp\" needs a [stamp] table with force_n and [stamp.array]";

/// Whether a stamp states `needle.length_mm`.
pub const HAS_NEEDLE_LENGTH: bool = true;

/// The numeric keys of `[stamp]` a sweep may vary.
pub const SWEEP_KEYS: &[SweepKey] = &[
    SweepKey {
        key: "stamp.array.pattern",
        num: Num::Word(Words::ArrayPattern),
        pattern: None,
    },
    SweepKey {
        key: "stamp.force_n",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "stamp.step_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "stamp.presses_per_s",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "stamp.array_angle_deg",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "stamp.misalignment_deg",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "stamp.array.rows",
        num: Num::Int,
        pattern: Some("grid"),
    },
    SweepKey {
        key: "stamp.array.cols",
        num: Num::Int,
        pattern: Some("grid"),
    },
    SweepKey {
        key: "stamp.array.pitch_mm",
        num: Num::Float,
        pattern: Some("grid"),
    },
    SweepKey {
        key: "stamp.array.count",
        num: Num::Int,
        pattern: Some("ring"),
    },
    SweepKey {
        key: "stamp.array.diameter_mm",
        num: Num::Float,
        pattern: Some("ring"),
    },
];

/// The ranges of `[stamp]`'s keys.
pub const RANGES: &[Range] = &[
    r(
        "stamp.force_n",
        0.0,
        false,
        1000.0,
        "N",
        "hands press arrays with 10–50 N",
    ),
    r(
        "stamp.step_mm",
        0.0,
        false,
        1000.0,
        "mm",
        "within the region",
    ),
    r(
        "stamp.presses_per_s",
        0.0,
        false,
        100.0,
        "1/s",
        "a hand presses a few times a second",
    ),
    r(
        "stamp.misalignment_deg",
        0.0,
        true,
        45.0,
        "°",
        "a hand holds a stamp within tens of degrees of square",
    ),
    r(
        "stamp.array_angle_deg",
        -360.0,
        true,
        360.0,
        "°",
        "one turn",
    ),
    r(
        "stamp.array.pitch_mm",
        0.0,
        false,
        50.0,
        "mm",
        "arrays are a few cm across at most",
    ),
    r(
        "stamp.array.diameter_mm",
        0.0,
        false,
        50.0,
        "mm",
        "arrays are a few cm across at most",
    ),
    r(
        "stamp.array.needles.along_mm",
        -100.0,
        true,
        100.0,
        "mm",
        "arrays are a few cm across at most",
    ),
    r(
        "stamp.array.needles.across_mm",
        -100.0,
        true,
        100.0,
        "mm",
        "arrays are a few cm across at most",
    ),
];

/// `[stamp]`: a hand-pressed array.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StampFile {
    /// Force of one press, N, shared by the needles of the array.
    pub force_n: S<f64>,
    /// Distance between presses along a lane, mm. Default: the array's length along the stroke plus one gap (the grid pitch, else one needle diameter), so presses tile the lane.
    pub step_mm: Option<S<f64>>,
    /// Presses per second, 1/s (sets the treatment time). Default: an assumption.
    #[schemars(extend("default" = DEFAULT_PRESSES_PER_S))]
    pub presses_per_s: Option<S<f64>>,
    /// Array rotation relative to the stroke, degrees, from −360 to 360.
    #[schemars(extend("default" = 0.0))]
    pub array_angle_deg: Option<S<f64>>,
    /// How far the hand holds the stamp off square to the skin, degrees, from 0 to 45 (bending check). Default: an assumption, 10° (no source measures it).
    #[schemars(extend("default" = super::array::DEFAULT_MISALIGNMENT_DEG))]
    pub misalignment_deg: Option<S<f64>>,
    /// Where the needles sit in the array.
    pub array: S<super::array::CartridgeFile>,
}

/// A checked hand stamp: an array pressed by hand every `step_mm` along each lane.
#[derive(Clone, Debug, Serialize)]
pub struct Stamp {
    /// Press force, N.
    pub force_n: f64,
    /// Distance between presses along a lane, mm.
    pub step_mm: f64,
    /// Presses per second, 1/s.
    pub presses_per_s: f64,
    /// Exposed needle length, mm.
    pub length_mm: f64,
    /// Array rotation relative to the stroke, degrees.
    pub array_angle_deg: f64,
    /// Angle the hand holds the stamp off square to the skin, degrees.
    pub misalignment_deg: f64,
    /// Needles in the array's own frame (along, across).
    pub needles: Vec<PenNeedle>,
    /// Lateral width of the array, mm (default lane spacing).
    pub array_width_mm: f64,
}

/// Checks `[stamp]` into the device; its lanes default to the array's width.
pub(super) fn check(ctx: &Ctx, st: &S<StampFile>, needle: &NeedleCtx) -> R<Checked> {
    let length_mm = needle.length_mm(ctx, "the exposed needle length of a stamp")?;
    let stamp = ctx.stamp(st, length_mm, &needle.needle)?;
    let w = stamp.array_width_mm;
    Ok((Device::Stamp(stamp), w))
}

impl Ctx<'_> {
    pub(crate) fn stamp(
        &self,
        st: &S<StampFile>,
        length_mm: f64,
        needle: &Needle,
    ) -> R<Stamp> {
        let sf = st.get_ref();
        let force_n = self.positive(&sf.force_n, "stamp.force_n")?;
        let array_angle_deg: f64 = self.opt(
            &sf.array_angle_deg,
            "stamp.array_angle_deg",
            0.0,
            Self::finite,
        )?;
        let presses_per_s: f64 = self.opt(
            &sf.presses_per_s,
            "stamp.presses_per_s",
            DEFAULT_PRESSES_PER_S,
            Self::positive,
        )?;
        let misalignment_deg: f64 = self.opt(
            &sf.misalignment_deg,
            "stamp.misalignment_deg",
            DEFAULT_MISALIGNMENT_DEG,
            Self::non_negative,
        )?;
        let (needles, width) = self.array(&sf.array, "stamp.array", needle)?;
        // default step: the array's length along the stroke, so presses tile the lane
        let lo = needles
            .iter()
            .map(|n| n.along_mm)
            .fold(f64::INFINITY, f64::min);
        let hi = needles
            .iter()
            .map(|n| n.along_mm)
            .fold(f64::NEG_INFINITY, f64::max);
        let along_extent = hi - lo;
        // default: the array's length along the stroke (a grid's rows × pitch), so that
        // presses tile the lane
        let arr = sf.array.get_ref();
        let gap = match (arr.pattern.get_ref(), arr.pitch_mm.as_ref()) {
            (super::array::CartridgePattern::Grid, Some(p)) => *p.get_ref(),
            _ => needle.diameter_mm,
        };
        let default_step = along_extent + gap;
        let step_mm: f64 = self.opt(&sf.step_mm, "stamp.step_mm", default_step, Self::positive)?;
        Ok(Stamp {
            force_n,
            step_mm,
            presses_per_s,
            length_mm,
            array_angle_deg,
            misalignment_deg,
            needles,
            array_width_mm: width,
        })
    }
}

/// The `[stamp]` tables of the starter design (`needlemap init`).
pub(super) fn starter() -> String {
    format!(
        "[stamp]\n\
         force_n = 20.0                 # N per press, required\n\
         # step_mm = 3.0                # mm between presses; default the array's extent along\n\
         #                              # the stroke + one pitch: (3 − 1) × 1.0 + 1.0 = 3.0 here\n\
         presses_per_s = {DEFAULT_PRESSES_PER_S:?}            # 1/s; default (assumption)\n\
         array_angle_deg = 0.0          # °, array rotation to the stroke\n\
         misalignment_deg = {DEFAULT_MISALIGNMENT_DEG:?}        # °, hand off square (bending check); default (assumption)\n\n{}",
        super::array::starter("stamp.array")
    )
}

impl DeviceKind for Stamp {
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
        super::array::needle_table(&self.needles)
    }

    fn needle_view(&self, d: &Design, rate_per_s: f64, deepest: &str) -> NeedleView<'_> {
        NeedleView::Array(ArrayView {
            needles: &self.needles,
            what: "array",
            width_mm: self.array_width_mm,
            motion: format!(
                "pressed every {} mm of lane · {} punctures/s · array turned {}° to the stroke",
                fmt_num(self.step_mm, 3),
                fmt_num(rate_per_s, 0),
                fmt_tick(self.array_angle_deg)
            ),
            title: format!(
                "{} needles · {} N a press · needles {} mm long → {deepest} mm reached · needle Ø {} mm",
                self.needles.len(),
                fmt_tick(self.force_n),
                fmt_tick(self.length_mm),
                fmt_tick(d.needle.diameter_mm)
            ),
        })
    }

    fn nominal(&self) -> Vec<(f64, f64, f64)> {
        super::array::nominal(&self.needles, self.length_mm)
    }

    fn press(&self, ms: &[Mechanics], needles: &[DrawnNeedle], ell_mm: f64) -> Vec<Tip> {
        super::array::tips(ms, needles, ell_mm, self.force_n)
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

    fn motion(&self) -> Motion {
        
        Motion::Array {
            angle_deg: self.array_angle_deg,
            step_mm: self.step_mm,
        }
    }

    fn approach(&self) -> Approach {
        Approach::Tilted {
            misalignment_deg: self.misalignment_deg,
        }
    }
}

