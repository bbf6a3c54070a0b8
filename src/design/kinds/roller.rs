//! Roller kinematics (model §2): a drum of radius R rolling without slip.
//!
//! When the drum turns by ψ its axis advances R·ψ, so needle j, at angle φ_j on the drum,
//! points straight down at s = R·(φ_j − ψ₀) + 2πR·k: a channel every 2πR along the stroke,
//! at lateral position u_lane + a_j. ψ₀ is the stroke's start phase (uniform in [0, 2π)
//! with jitter, 0 without).

//!
//! The file's side: `[roller]` and `[roller.layout]` (rings or explicit needles, from a list or
//! a CSV), checked for collisions on the drum surface.

use super::RowSource::{self, Assumed, Key};
use super::{
    device_row, Checked, CostFactor, Device, DeviceKind, DeviceRow, DrawnNeedle, DrumView, Motion,
    NeedleView, PairSide,
};
use crate::base::fmt::fmt_num;
use crate::base::math::{deg_to_rad, trig};
use crate::design::file::S;
use crate::design::layout;
use crate::design::ranges::{r, Num, Range, SweepKey};
use crate::design::validate::{Ctx, NeedleCtx, RawNeedle, R, MAX_NEEDLES};
use crate::design::{Design, Needle};
use crate::model::insertion::{press_drum, DrumNeedle, Mechanics, Tip};
use crate::model::skin::Skin;
use crate::model::strength::bending::Approach;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Default roll speed, mm/s. (assumption) no source gives one; a hand-rolled stroke of a 20 mm drum
/// over ~4 cm in a little over a second.
pub const DEFAULT_ROLL_SPEED_MM_S: f64 = 30.0;
/// Default hand force on a roller, N. (assumption) no source measures it; a light press of
/// the handle, a few hundred grams.
pub const DEFAULT_ROLLER_FORCE_N: f64 = 3.0;

/// The kind's table in the design file.
pub type File = RollerFile;

/// The refusal when `kind = "roller"` has no `[roller]` table.
pub const MISSING: &str =
    "kind = \"roller\" needs a [roller] table with drum_diameter_mm, drum_width_mm and [roller.layout]";

/// A roller states `needle.length_mm`.
pub const HAS_NEEDLE_LENGTH: bool = true;

/// The numeric keys of `[roller]` a sweep may vary.
pub const SWEEP_KEYS: &[SweepKey] = &[
    SweepKey {
        key: "roller.drum_diameter_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "roller.drum_width_mm",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "roller.roll_speed_mm_s",
        num: Num::Float,
        pattern: None,
    },
    SweepKey {
        key: "roller.layout.rings",
        num: Num::Int,
        pattern: Some("rings"),
    },
    SweepKey {
        key: "roller.layout.needles_per_ring",
        num: Num::Int,
        pattern: Some("rings"),
    },
    SweepKey {
        key: "roller.layout.ring_pitch_mm",
        num: Num::Float,
        pattern: Some("rings"),
    },
    SweepKey {
        key: "roller.layout.stagger_deg",
        num: Num::Float,
        pattern: Some("rings"),
    },
    SweepKey {
        key: "roller.force_n",
        num: Num::Float,
        pattern: None,
    },
];

/// The ranges of `[roller]`'s keys.
pub const RANGES: &[Range] = &[
    r(
        "roller.drum_diameter_mm",
        0.0,
        false,
        200.0,
        "mm",
        "rollers are about 20 mm across; body rollers larger",
    ),
    r(
        "roller.drum_width_mm",
        0.0,
        false,
        500.0,
        "mm",
        "drums are 20–50 mm wide",
    ),
    r(
        "roller.roll_speed_mm_s",
        0.0,
        false,
        1000.0,
        "mm/s",
        "a hand moves at tens of mm/s",
    ),
    r(
        "roller.force_n",
        0.0,
        false,
        1000.0,
        "N",
        "hands press arrays with 10–50 N",
    ),
    r(
        "roller.layout.ring_pitch_mm",
        0.0,
        false,
        500.0,
        "mm",
        "within the drum width",
    ),
    r(
        "roller.layout.stagger_deg",
        -360.0,
        true,
        360.0,
        "°",
        "one turn",
    ),
    r(
        "roller.layout.needles.axial_mm",
        -250.0,
        true,
        250.0,
        "mm",
        "on the drum: within half its width of the mid-plane",
    ),
    r(
        "roller.layout.needles.angle_deg",
        -360.0,
        true,
        360.0,
        "°",
        "one turn",
    ),
    r(
        "roller.layout.needles.length_mm",
        0.0,
        false,
        10.0,
        "mm",
        "as needle.length_mm: needles are 0.13–3.0 mm long",
    ),
];

/// `[roller]`: the drum.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollerFile {
    /// Drum diameter D, mm.
    pub drum_diameter_mm: S<f64>,
    /// Drum width W along its axis, mm; at least one needle diameter.
    pub drum_width_mm: S<f64>,
    /// Rolling speed over the skin, mm/s. Default: an assumption (no source gives one): a hand-rolled stroke of about 4 cm in a little over a second.
    #[schemars(extend("default" = DEFAULT_ROLL_SPEED_MM_S))]
    pub roll_speed_mm_s: Option<S<f64>>,
    /// Hand force pressing the drum onto the skin, N, shared by the needles in contact. Default: an assumption (no source measures it): a light press of the handle, a few hundred grams.
    #[schemars(extend("default" = DEFAULT_ROLLER_FORCE_N))]
    pub force_n: Option<S<f64>>,
    /// Where the needles sit on the drum.
    pub layout: S<LayoutFile>,
}

/// `pattern = "rings" | "explicit"`.
#[derive(Debug, Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LayoutPattern {
    /// Rings of needles evenly spaced along the axis, evenly spaced around the drum.
    Rings,
    /// Every needle's position given, inline or in a CSV file.
    Explicit,
}

/// `[roller.layout]`: the keys of every pattern; validation rejects keys of another pattern.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutFile {
    /// How the needles are placed: `rings` (needs `rings`, `needles_per_ring`) or `explicit` (needs `needles` or `needles_csv`).
    pub pattern: S<LayoutPattern>,
    /// Pattern `rings`, required: number of rings along the drum's axis.
    #[schemars(extend("minimum" = 1, "maximum" = crate::design::validate::MAX_NEEDLES))]
    pub rings: Option<S<i64>>,
    /// Pattern `rings`, required: needles around each ring, evenly spaced; they must not collide around the drum. At most 20 000 needles in all.
    #[schemars(extend("minimum" = 1, "maximum" = crate::design::validate::MAX_NEEDLES))]
    pub needles_per_ring: Option<S<i64>>,
    /// Pattern `rings`: axial distance between neighbouring rings, mm; the rings and one needle diameter must fit on the drum. Default: the drum width divided by the number of rings.
    pub ring_pitch_mm: Option<S<f64>>,
    /// Pattern `rings`: angular offset of each ring from the previous one, degrees, from −360 to 360.
    #[schemars(extend("default" = 0.0))]
    pub stagger_deg: Option<S<f64>>,
    /// Pattern `explicit`: the needles as `[[axial_mm, angle_deg], ...]` (or `[axial_mm, angle_deg, length_mm]`), axial position from the drum's mid-plane in mm (on the drum) and angle on the drum in degrees (−360 to 360); a length as `needle.length_mm` (above 0, at most 10 mm). At most 20 000. Give this or `needles_csv`.
    pub needles: Option<S<Vec<Vec<f64>>>>,
    /// Pattern `explicit`: a CSV file of the needles (columns `axial_mm,angle_deg`, optionally `length_mm`; each value in the range of `needles`), relative to the design file and inside the project root; at most 20 000 rows. Give this or `needles`.
    pub needles_csv: Option<S<String>>,
}

/// A checked roller.
#[derive(Clone, Debug, Serialize)]
pub struct Roller {
    /// Drum diameter D, mm.
    pub drum_diameter_mm: f64,
    /// Drum width W, mm.
    pub drum_width_mm: f64,
    /// Rolling speed over the skin, mm/s.
    pub roll_speed_mm_s: f64,
    /// Hand force pressing the drum onto the skin, N.
    pub force_n: f64,
    /// Needles on the drum (nominal, before manufacturing variation).
    pub needles: Vec<RollerNeedle>,
}

impl Roller {
    /// Drum radius R, mm.
    pub fn radius_mm(&self) -> f64 {
        self.drum_diameter_mm / 2.0
    }
}

/// One needle on the drum.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct RollerNeedle {
    /// Ring number (0-based along the axis); explicit layouts number rings by distinct axial position.
    pub ring: u32,
    /// Axial position from the drum's mid-plane, mm.
    pub axial_mm: f64,
    /// Angle on the drum, degrees.
    pub angle_deg: f64,
    /// Exposed length h, mm.
    pub length_mm: f64,
}

/// Checks `[roller]` into the device; its lanes default to the drum's width.
pub(super) fn check(ctx: &Ctx, r: &S<RollerFile>, needle: &NeedleCtx) -> R<Checked> {
    let length_mm = needle.length_mm(ctx, "the exposed needle length of a roller")?;
    let roller = ctx.roller(r, length_mm, &needle.needle)?;
    let w = roller.drum_width_mm;
    Ok((Device::Roller(roller), w))
}

impl Ctx<'_> {
    pub(crate) fn roller(
        &self,
        r: &S<RollerFile>,
        length_mm: f64,
        needle: &Needle,
    ) -> R<Roller> {
        let rf = r.get_ref();
        let drum_diameter_mm = self.positive(&rf.drum_diameter_mm, "roller.drum_diameter_mm")?;
        let drum_width_mm = self.positive(&rf.drum_width_mm, "roller.drum_width_mm")?;
        let roll_speed_mm_s: f64 = self.opt(
            &rf.roll_speed_mm_s,
            "roller.roll_speed_mm_s",
            DEFAULT_ROLL_SPEED_MM_S,
            Self::positive,
        )?;
        let force_n: f64 = self.opt(
            &rf.force_n,
            "roller.force_n",
            DEFAULT_ROLLER_FORCE_N,
            Self::positive,
        )?;
        let d = needle.diameter_mm;
        if d > drum_width_mm {
            return Err(self.err(
                rf.drum_width_mm.span(),
                "roller.drum_width_mm",
                drum_width_mm,
                format!("is narrower than one needle (needle.diameter_mm = {d})"),
            ));
        }
        let l = rf.layout.get_ref();
        let lspan = rf.layout.span();
        let needles = match *l.pattern.get_ref() {
            LayoutPattern::Rings => {
                self.forbid(
                    &l.needles,
                    "roller.layout.needles",
                    "rings",
                    "pattern \"explicit\"",
                )?;
                self.forbid(
                    &l.needles_csv,
                    "roller.layout.needles_csv",
                    "rings",
                    "pattern \"explicit\"",
                )?;
                let rings_v = self.require(
                    &l.rings,
                    "roller.layout.rings",
                    lspan.clone(),
                    "the number of rings along the axis",
                )?;
                let rings = self.count(rings_v, "roller.layout.rings", 1, MAX_NEEDLES as i64)?;
                let npr_v = self.require(
                    &l.needles_per_ring,
                    "roller.layout.needles_per_ring",
                    lspan.clone(),
                    "needles around each ring",
                )?;
                let npr = self.count(
                    npr_v,
                    "roller.layout.needles_per_ring",
                    1,
                    MAX_NEEDLES as i64,
                )?;
                if rings as usize * npr as usize > MAX_NEEDLES {
                    return Err(self.err(npr_v.span(), "roller.layout.needles_per_ring", npr, format!("{rings} rings × {npr} = {} needles; at most {MAX_NEEDLES} are supported", rings as usize * npr as usize)));
                }
                let pitch = match &l.ring_pitch_mm {
                    Some(v) => self.positive(v, "roller.layout.ring_pitch_mm")?,
                    None => drum_width_mm / f64::from(rings),
                };
                let span_mm = pitch * f64::from(rings - 1) + d;
                if span_mm > drum_width_mm * (1.0 + 1e-9) {
                    let at = l
                        .ring_pitch_mm
                        .as_ref()
                        .map_or(rings_v.span(), |v| v.span());
                    let fit = if rings > 1 {
                        (drum_width_mm - d) / f64::from(rings - 1)
                    } else {
                        0.0
                    };
                    return Err(self.err(at, "roller.layout.ring_pitch_mm", format!("{pitch} with {rings} rings"), format!("the rings span {span_mm:.3} mm with the needle diameter but the drum is {drum_width_mm} mm wide; use a ring pitch of at most {fit:.3} mm or fewer rings")));
                }
                let circ_gap = std::f64::consts::PI * drum_diameter_mm / f64::from(npr);
                if circ_gap < d {
                    let max_n = (std::f64::consts::PI * drum_diameter_mm / d).floor();
                    return Err(self.err(npr_v.span(), "roller.layout.needles_per_ring", npr, format!("needles {circ_gap:.3} mm apart around a {drum_diameter_mm} mm drum collide (diameter {d} mm); at most {max_n} fit")));
                }
                let stagger = match &l.stagger_deg {
                    Some(v) => self.finite(v, "roller.layout.stagger_deg")?,
                    None => 0.0,
                };
                layout::rings(rings, npr, pitch, stagger, length_mm)
            }
            LayoutPattern::Explicit => {
                for (v, k) in [
                    (&l.rings, "rings"),
                    (&l.needles_per_ring, "needles_per_ring"),
                ] {
                    self.forbid(
                        v,
                        &format!("roller.layout.{k}"),
                        "explicit",
                        "pattern \"rings\"",
                    )?;
                }
                self.forbid(
                    &l.ring_pitch_mm,
                    "roller.layout.ring_pitch_mm",
                    "explicit",
                    "pattern \"rings\"",
                )?;
                self.forbid(
                    &l.stagger_deg,
                    "roller.layout.stagger_deg",
                    "explicit",
                    "pattern \"rings\"",
                )?;
                let raw: Vec<RawNeedle> = match (&l.needles, &l.needles_csv) {
                    (Some(n), None) => {
                        let mut v = Vec::new();
                        for (i, row) in n.get_ref().iter().enumerate() {
                            let key = format!("roller.layout.needles[{i}]");
                            let (a, phi, h) = match row.as_slice() {
                                [a, phi] => (*a, *phi, length_mm),
                                [a, phi, h] => (*a, *phi, *h),
                                _ => return Err(self.err(n.span(), &key, format!("{row:?}"), "each needle is [axial_mm, angle_deg] or [axial_mm, angle_deg, length_mm]")),
                            };
                            v.push((a, phi, h, n.span(), key));
                        }
                        v
                    }
                    (None, Some(c)) => self.needles_csv(c, length_mm)?,
                    (Some(n), Some(_)) => return Err(self.err(n.span(), "roller.layout.needles", "(both given)", "give either needles or needles_csv, not both")),
                    (None, None) => return Err(self.err(lspan.clone(), "roller.layout.needles", "(missing)", "pattern \"explicit\" needs needles = [[axial_mm, angle_deg], ...] or needles_csv = \"file.csv\"")),
                };
                if raw.is_empty() {
                    let at = l.needles.as_ref().map_or(lspan.clone(), |n| n.span());
                    return Err(self.err(
                        at,
                        "roller.layout.needles",
                        "[]",
                        "needs at least one needle",
                    ));
                }
                if raw.len() > MAX_NEEDLES {
                    return Err(self.err(
                        lspan.clone(),
                        "roller.layout.needles",
                        raw.len(),
                        format!("at most {MAX_NEEDLES} needles are supported"),
                    ));
                }
                let half = (drum_width_mm - d) / 2.0;
                let mut axials: Vec<f64> = Vec::new();
                let mut out = Vec::with_capacity(raw.len());
                for (a, phi, h, span, key) in raw {
                    if !(a.is_finite() && phi.is_finite()) {
                        return Err(self.err(
                            span,
                            &key,
                            format!("[{a}, {phi}]"),
                            "axial_mm and angle_deg must be finite",
                        ));
                    }
                    // every coordinate through the range table (an angle of 1e300° would
                    // otherwise be taken modulo 360 as 0°)
                    for (what, x) in [("axial_mm", a), ("angle_deg", phi), ("length_mm", h)] {
                        if let Err(p) = crate::design::ranges::check(
                            &format!("roller.layout.needles.{what}"),
                            x,
                        ) {
                            return Err(self.err(
                                span.clone(),
                                &key,
                                format!("{what} {x}"),
                                format!("{what} {p}"),
                            ));
                        }
                    }
                    if a.abs() > half * (1.0 + 1e-9) + 1e-12 {
                        return Err(self.err(span, &key, format!("[{a}, {phi}]"), format!("axial position {a} mm is off the drum: with needle diameter {d} mm it must lie within ±{half} mm of the mid-plane")));
                    }
                    if !(h.is_finite() && h > 0.0) {
                        return Err(self.err(
                            span,
                            &key,
                            format!("length {h}"),
                            "needle length must be finite and greater than 0",
                        ));
                    }
                    let ring = match axials.iter().position(|x| (x - a).abs() < 1e-9) {
                        Some(i) => i,
                        None => {
                            axials.push(a);
                            axials.len() - 1
                        }
                    } as u32;
                    out.push(RollerNeedle {
                        ring,
                        axial_mm: a,
                        angle_deg: phi.rem_euclid(360.0),
                        length_mm: h,
                    });
                }
                out
            }
        };
        // Collisions on the drum surface (unrolled: axial × arc length).
        let circumference = std::f64::consts::PI * drum_diameter_mm;
        let pts: Vec<(f64, f64)> = needles
            .iter()
            .map(|n| (n.axial_mm, n.angle_deg / 360.0 * circumference))
            .collect();
        if let Some((i, j)) = layout::first_collision(&pts, d, Some(circumference)) {
            return Err(self.err(lspan, "roller.layout", format!("needles {i} and {j}"), format!("needles {i} ({:.3} mm, {:.2}°) and {j} ({:.3} mm, {:.2}°) are closer than one needle diameter ({d} mm) on the drum surface", needles[i].axial_mm, needles[i].angle_deg, needles[j].axial_mm, needles[j].angle_deg)));
        }
        Ok(Roller {
            drum_diameter_mm,
            drum_width_mm,
            roll_speed_mm_s,
            force_n,
            needles,
        })
    }
}

/// The `[roller]` tables of the starter design (`needlemap init`).
pub(super) fn starter() -> String {
    format!(
        "[roller]\n\
         drum_diameter_mm = 20.0        # mm, required\n\
         drum_width_mm = 20.0           # mm, required\n\
         roll_speed_mm_s = {DEFAULT_ROLL_SPEED_MM_S:?}         # mm/s; default (assumption)\n\
         force_n = {DEFAULT_ROLLER_FORCE_N:?}                  # N, hand force on the drum; default (assumption)\n\n\
         [roller.layout]\n\
         pattern = \"rings\"              # rings | explicit\n\
         rings = 8                      # rings along the axis, required for rings\n\
         needles_per_ring = 24          # needles around each ring, required for rings\n\
         # ring_pitch_mm = 2.5          # mm; default drum_width_mm / rings\n\
         stagger_deg = 0.0              # °, offset of each ring from the previous\n\
         # pattern = \"explicit\" takes instead one of:\n\
         # needles = [[0.0, 0.0], [2.5, 7.5]]   # [[axial_mm, angle_deg], ...]\n\
         # needles_csv = \"needles.csv\"         # columns axial_mm,angle_deg[,length_mm]\n\n"
    )
}

/// Entry angle β_e of a needle of length `h_mm` on a drum of radius `r_mm` into skin that
/// tents by `tenting_mm`: cos β_e = (R + δ)/(R + h). `None` when the needle cannot pierce.
pub fn entry_angle_rad(r_mm: f64, tenting_mm: f64, h_mm: f64) -> Option<f64> {
    if h_mm <= tenting_mm {
        return None;
    }
    Some(trig::acos((r_mm + tenting_mm) / (r_mm + h_mm)))
}

/// The slit rigid skin would tear, ℓ₀ = 2((R + δ)·tan β_e − R·β_e), mm.
///
/// # Examples
/// ```
/// // a 1.5 mm needle on a 20 mm drum, rigid skin with no tenting: about a 1 mm slit
/// let l0 = needlemap::design::kinds::roller::slit_rigid_mm(10.0, 0.0, 1.5).unwrap();
/// assert!((l0 - 1.028).abs() < 0.001);
/// ```
pub fn slit_rigid_mm(r_mm: f64, tenting_mm: f64, h_mm: f64) -> Option<f64> {
    let b = entry_angle_rad(r_mm, tenting_mm, h_mm)?;
    Some(2.0 * ((r_mm + tenting_mm) * trig::tan(b) - r_mm * b))
}

/// Depth, opening radius and slit of a roller needle of length `h_mm` that tents the skin by
/// `tenting_mm` at full load: depth = h − δ, r = (d/2)·min(1, depth/t),
/// ℓ = max(0, ℓ₀ − 2c). `None` when it cannot pierce. The analysis takes δ = h − d from the
/// force balance of [`crate::model::insertion`]; this is the closed form of one needle.
pub fn roller_opening(
    r_mm: f64,
    tenting_mm: f64,
    slack_mm: f64,
    h_mm: f64,
    d_mm: f64,
    tip_mm: f64,
) -> Option<(f64, f64, f64)> {
    let l0 = slit_rigid_mm(r_mm, tenting_mm, h_mm)?;
    let depth = h_mm - tenting_mm;
    let radius = d_mm / 2.0 * (depth / tip_mm).min(1.0);
    let slit = (l0 - 2.0 * slack_mm).max(0.0);
    Some((depth, radius, slit))
}

impl DeviceKind for Roller {
    fn kind(&self) -> &'static str {
        "roller"
    }

    fn needle_count(&self) -> usize {
        self.needles.len()
    }

    fn force_n(&self) -> f64 {
        self.force_n
    }

    fn set_force_n(&mut self, force_n: f64) {
        self.force_n = force_n;
    }

    fn force_words(&self) -> &'static str {
        "hand force on the roller"
    }

    fn pair_side(&self) -> Option<PairSide> {
        Some(PairSide::Roller)
    }

    fn cost_factor(&self) -> CostFactor {
        let n = self.needles.len();
        ("roller.layout", n as f64 / 500.0, format!("{n} needles"))
    }

    fn sheet_rows(&self) -> Vec<DeviceRow> {
        let mm = |x: f64| fmt_num(x, 2);
        let n = self.needles.len();
        let mut rings: Vec<u32> = self.needles.iter().map(|n| n.ring).collect();
        rings.sort_unstable();
        rings.dedup();
        let layout = format!("{} rings on the drum, {n} needles", rings.len());
        let lengths = self.needles.iter().map(|n| n.length_mm);
        let lo = lengths.clone().fold(f64::INFINITY, f64::min);
        let hi = lengths.fold(0.0, f64::max);
        let length = match (hi - lo).abs() < 1e-9 {
            true => mm(lo),
            false => format!("{}–{}", mm(lo), mm(hi)),
        };
        let (dia, width) = (
            fmt_num(self.drum_diameter_mm, 1),
            fmt_num(self.drum_width_mm, 1),
        );
        let drum = format!("{dia} × {width}");
        let src = Key("needle.length_mm", "");
        let force = Assumed("roller.force_n");
        let speed = fmt_num(self.roll_speed_mm_s, 1);
        let v_src = Assumed("roller.roll_speed_mm_s");
        let none = RowSource::None;
        vec![
            device_row("layout", "layout", layout, "", none.clone()),
            device_row("length", "needle length", length, "mm", src),
            device_row("drum", "drum diameter × width", drum, "mm", none),
            device_row("force", "stated hand force", mm(self.force_n), "N", force),
            device_row("speed", "roll speed", speed, "mm/s", v_src),
        ]
    }

    fn needles_caption(&self) -> &'static str {
        "drum layout: the drum surface unrolled, every needle"
    }

    fn needle_table(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let head = vec!["needle", "ring", "axial_mm", "angle_deg", "length_mm"];
        let rows = self.needles.iter().enumerate().map(|(i, n)| {
            vec![
                i.to_string(),
                n.ring.to_string(),
                fmt_num(n.axial_mm, 4),
                fmt_num(n.angle_deg, 4),
                fmt_num(n.length_mm, 4),
            ]
        });
        (head, rows.collect())
    }

    fn needle_view(&self, _: &Design, _: f64, _: &str) -> NeedleView<'_> {
        NeedleView::Drum(DrumView {
            diameter_mm: self.drum_diameter_mm,
            width_mm: self.drum_width_mm,
            needles: &self.needles,
        })
    }

    fn nominal(&self) -> Vec<(f64, f64, f64)> {
        let r = self.radius_mm();
        self.needles
            .iter()
            .map(|n| (n.axial_mm, r * deg_to_rad(n.angle_deg), n.length_mm))
            .collect()
    }

    fn along_with_angle_error(&self, along_mm: f64, angle_err_deg: f64) -> f64 {
        along_mm + self.radius_mm() * deg_to_rad(angle_err_deg)
    }

    fn press(&self, ms: &[Mechanics], needles: &[DrawnNeedle], ell_mm: f64) -> Vec<Tip> {
        let r = self.radius_mm();
        let drum: Vec<DrumNeedle> = needles
            .iter()
            .map(|n| DrumNeedle {
                angle_rad: n.along_mm / r,
                axial_mm: n.across_mm,
                length_mm: n.length_mm,
            })
            .collect();
        press_drum(ms, r, &drum, ell_mm, self.force_n)
    }

    fn slit_mm(&self, skin: &Skin, length_mm: f64, depth_mm: f64) -> f64 {
        let tenting = length_mm - depth_mm;
        slit_rigid_mm(self.radius_mm(), tenting, length_mm)
            .map_or(0.0, |l0| (l0 - 2.0 * skin.tangential_slack_mm).max(0.0))
    }

    fn density_per_pass_mm2(&self, n: usize, lane_mm: f64) -> f64 {
        n as f64 / (2.0 * std::f64::consts::PI * self.radius_mm() * lane_mm)
    }

    fn puncture_rate_per_s(&self, n: usize) -> f64 {
        n as f64 * self.roll_speed_mm_s / (2.0 * std::f64::consts::PI * self.radius_mm())
    }

    fn speed_mm_s(&self) -> f64 {
        self.roll_speed_mm_s
    }

    fn motion(&self) -> Motion {
        Motion::Drum {
            radius_mm: self.radius_mm(),
        }
    }

    fn approach(&self) -> Approach {
        Approach::Drum {
            radius_mm: self.radius_mm(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn entry_angle_closed_form() {
        let b = entry_angle_rad(10.0, 0.14, 1.5).unwrap();
        assert_relative_eq!(b.cos(), 10.14 / 11.5, epsilon = 1e-14);
        assert!(entry_angle_rad(10.0, 0.14, 0.14).is_none());
    }

    #[test]
    fn slack_shortens_slit_and_tip_limits_radius() {
        let (depth, r, l) = roller_opening(10.0, 0.14, 0.4, 1.5, 0.25, 0.5).unwrap();
        assert_relative_eq!(depth, 1.36, epsilon = 1e-12);
        assert_relative_eq!(r, 0.125);
        let l0 = slit_rigid_mm(10.0, 0.14, 1.5).unwrap();
        assert_relative_eq!(l, l0 - 0.8, epsilon = 1e-12);
        // a shallow needle opens only part of its tip
        let (depth, r, _) = roller_opening(10.0, 0.14, 0.0, 0.34, 0.25, 0.5).unwrap();
        assert_relative_eq!(r, 0.125 * depth / 0.5, epsilon = 1e-12);
    }

    #[test]
    fn slit_grows_with_needle_length() {
        let mut last = 0.0;
        for i in 1..20 {
            let l = slit_rigid_mm(10.0, 0.0, 0.1 * i as f64).unwrap();
            assert!(l > last);
            last = l;
        }
    }
}
