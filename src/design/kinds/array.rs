//! `pen.cartridge` / `stamp.array`: a flat needle array (grid, ring or explicit), checked for
//! collisions.

//!
//! What a pen cartridge and a hand stamp share: a flat needle array, pressed as a whole (one
//! force shared by its needles, the backing stopping them at their reach) and set down every
//! `step_mm` along each stroke, turned by an angle to the stroke.

use super::DrawnNeedle;
use crate::base::fmt::fmt_num;
use crate::design::file::S;
use crate::design::layout;
use crate::design::validate::{Ctx, MAX_NEEDLES, R};
use crate::design::Needle;
use crate::model::insertion::{press_array, Mechanics, Tip};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Default angle a hand holds a pen or stamp off square to the skin, degrees \[A\]: no source
/// measures it; a hand holds a device within some degrees of square (the bending check).
pub const DEFAULT_MISALIGNMENT_DEG: f64 = 10.0;

/// `pattern = "grid" | "ring" | "explicit"`.
#[derive(Debug, Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CartridgePattern {
    /// Rows along the stroke × columns across it at one pitch.
    Grid,
    /// Needles evenly spaced on a circle, optionally one in the centre.
    Ring,
    /// Every needle's position given.
    Explicit,
}

/// `[pen.cartridge]` and `[stamp.array]`: the keys of every pattern; validation rejects keys of another pattern.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CartridgeFile {
    /// How the needles are placed: `grid` (needs `rows`, `cols`, `pitch_mm`), `ring` (needs `count`, `diameter_mm`) or `explicit` (needs `needles`).
    pub pattern: S<CartridgePattern>,
    /// Pattern `grid`, required: how many needles stand one behind another along the stroke (each row runs across it).
    #[schemars(extend("minimum" = 1, "maximum" = 1000))]
    pub rows: Option<S<i64>>,
    /// Pattern `grid`, required: how many needles stand side by side across the stroke.
    #[schemars(extend("minimum" = 1, "maximum" = 1000))]
    pub cols: Option<S<i64>>,
    /// Pattern `grid`, required: distance between neighbouring needles, mm; at least one needle diameter when there is more than one needle.
    pub pitch_mm: Option<S<f64>>,
    /// Pattern `ring`, required: needles on the circle.
    #[schemars(extend("minimum" = 1, "maximum" = 1000))]
    pub count: Option<S<i64>>,
    /// Pattern `ring`, required: diameter of the circle through the needles, mm.
    pub diameter_mm: Option<S<f64>>,
    /// Pattern `ring`: one more needle in the centre of the circle.
    #[schemars(extend("default" = false))]
    pub centre: Option<bool>,
    /// Pattern `explicit`, required: the needles as `[[along_mm, across_mm], ...]`, mm from the array's centre along and across the stroke (within ±25 mm for a pen's cartridge, ±100 mm for a stamp's array); at least one, none closer than one needle diameter.
    pub needles: Option<S<Vec<Vec<f64>>>>,
}

/// One needle of a pen cartridge or stamp array, in the array's own frame.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct PenNeedle {
    /// Along the stroke, mm.
    pub along_mm: f64,
    /// Across the stroke, mm.
    pub across_mm: f64,
}

impl Ctx<'_> {
    /// The needles of a pen cartridge or stamp array (`at`: "pen.cartridge" or
    /// "stamp.array", for error keys) and the array's width across the stroke.
    pub(crate) fn array(
        &self,
        cart: &S<CartridgeFile>,
        at: &str,
        needle: &Needle,
    ) -> R<(Vec<PenNeedle>, f64)> {
        let c = cart.get_ref();
        let cspan = cart.span();
        let d = needle.diameter_mm;
        let (needles, width) = match *c.pattern.get_ref() {
            CartridgePattern::Grid => {
                self.forbid(&c.count, &format!("{at}.count"), "grid", "pattern \"ring\"")?;
                self.forbid(
                    &c.diameter_mm,
                    &format!("{at}.diameter_mm"),
                    "grid",
                    "pattern \"ring\"",
                )?;
                self.forbid(
                    &c.needles,
                    &format!("{at}.needles"),
                    "grid",
                    "pattern \"explicit\"",
                )?;
                let rows = self.count(
                    self.require(
                        &c.rows,
                        &format!("{at}.rows"),
                        cspan.clone(),
                        "needle rows along the stroke",
                    )?,
                    &format!("{at}.rows"),
                    1,
                    1000,
                )?;
                let cols = self.count(
                    self.require(
                        &c.cols,
                        &format!("{at}.cols"),
                        cspan.clone(),
                        "needle columns across the stroke",
                    )?,
                    &format!("{at}.cols"),
                    1,
                    1000,
                )?;
                if rows as usize * cols as usize > MAX_NEEDLES {
                    let cv = c.cols.as_ref().expect("required above");
                    return Err(self.err(
                        cv.span(),
                        &format!("{at}.cols"),
                        cols,
                        format!(
                            "{rows} rows × {cols} = {} needles; at most {MAX_NEEDLES} are supported",
                            rows as usize * cols as usize
                        ),
                    ));
                }
                let pv = self.require(
                    &c.pitch_mm,
                    &format!("{at}.pitch_mm"),
                    cspan.clone(),
                    "needle pitch of the grid",
                )?;
                let pitch = self.positive(pv, &format!("{at}.pitch_mm"))?;
                if (rows > 1 || cols > 1) && pitch < d {
                    return Err(self.err(
                        pv.span(),
                        &format!("{at}.pitch_mm"),
                        pitch,
                        format!(
                            "needles of diameter {d} mm collide; the pitch must be at least {d} mm"
                        ),
                    ));
                }
                let v = layout::grid(rows, cols, pitch);
                (v, f64::from(cols) * pitch)
            }
            CartridgePattern::Ring => {
                self.forbid(&c.rows, &format!("{at}.rows"), "ring", "pattern \"grid\"")?;
                self.forbid(&c.cols, &format!("{at}.cols"), "ring", "pattern \"grid\"")?;
                self.forbid(
                    &c.pitch_mm,
                    &format!("{at}.pitch_mm"),
                    "ring",
                    "pattern \"grid\"",
                )?;
                self.forbid(
                    &c.needles,
                    &format!("{at}.needles"),
                    "ring",
                    "pattern \"explicit\"",
                )?;
                let nv = self.require(
                    &c.count,
                    &format!("{at}.count"),
                    cspan.clone(),
                    "needles on the ring",
                )?;
                let n = self.count(nv, &format!("{at}.count"), 1, 1000)?;
                let dv = self.require(
                    &c.diameter_mm,
                    &format!("{at}.diameter_mm"),
                    cspan.clone(),
                    "ring diameter",
                )?;
                let dia = self.positive(dv, &format!("{at}.diameter_mm"))?;
                let v = layout::ring(n, dia, c.centre.unwrap_or(false));
                (v, dia)
            }
            CartridgePattern::Explicit => {
                self.forbid(
                    &c.rows,
                    &format!("{at}.rows"),
                    "explicit",
                    "pattern \"grid\"",
                )?;
                self.forbid(
                    &c.cols,
                    &format!("{at}.cols"),
                    "explicit",
                    "pattern \"grid\"",
                )?;
                self.forbid(
                    &c.pitch_mm,
                    &format!("{at}.pitch_mm"),
                    "explicit",
                    "pattern \"grid\"",
                )?;
                self.forbid(
                    &c.count,
                    &format!("{at}.count"),
                    "explicit",
                    "pattern \"ring\"",
                )?;
                self.forbid(
                    &c.diameter_mm,
                    &format!("{at}.diameter_mm"),
                    "explicit",
                    "pattern \"ring\"",
                )?;
                let nv = self.require(
                    &c.needles,
                    &format!("{at}.needles"),
                    cspan.clone(),
                    "needles = [[along_mm, across_mm], ...]",
                )?;
                if nv.get_ref().is_empty() {
                    return Err(self.err(
                        nv.span(),
                        &format!("{at}.needles"),
                        "[]",
                        "needs at least one needle",
                    ));
                }
                if nv.get_ref().len() > MAX_NEEDLES {
                    return Err(self.err(
                        nv.span(),
                        &format!("{at}.needles"),
                        nv.get_ref().len(),
                        format!("at most {MAX_NEEDLES} needles are supported"),
                    ));
                }
                let mut v = Vec::new();
                for (i, row) in nv.get_ref().iter().enumerate() {
                    match row.as_slice() {
                        [a, b] if a.is_finite() && b.is_finite() => {
                            // explicit coordinates have a range like every other length
                            for (what, x) in [("along_mm", *a), ("across_mm", *b)] {
                                if let Err(p) =
                                    super::super::ranges::check(&format!("{at}.needles.{what}"), x)
                                {
                                    return Err(self.err(
                                        nv.span(),
                                        &format!("{at}.needles[{i}]"),
                                        format!("{row:?}"),
                                        format!("{what} {p}"),
                                    ));
                                }
                            }
                            v.push(PenNeedle {
                                along_mm: *a,
                                across_mm: *b,
                            })
                        }
                        _ => {
                            return Err(self.err(
                                nv.span(),
                                &format!("{at}.needles[{i}]"),
                                format!("{row:?}"),
                                "each needle is [along_mm, across_mm], finite numbers",
                            ))
                        }
                    }
                }
                let lo = v.iter().map(|n| n.across_mm).fold(f64::INFINITY, f64::min);
                let hi = v
                    .iter()
                    .map(|n| n.across_mm)
                    .fold(f64::NEG_INFINITY, f64::max);
                (v, hi - lo + d)
            }
        };
        let pts: Vec<(f64, f64)> = needles.iter().map(|n| (n.along_mm, n.across_mm)).collect();
        if let Some((i, j)) = layout::first_collision(&pts, d, None) {
            return Err(self.err(
                cspan,
                at,
                format!("needles {i} and {j}"),
                format!("needles {i} and {j} are closer than one needle diameter ({d} mm)"),
            ));
        }
        Ok((needles, width))
    }
}

/// Header and rows of an array's needle table (needles.csv).
pub(crate) fn needle_table(needles: &[PenNeedle]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let rows = needles.iter().enumerate().map(|(i, n)| {
        vec![
            i.to_string(),
            fmt_num(n.along_mm, 4),
            fmt_num(n.across_mm, 4),
        ]
    });
    (vec!["needle", "along_mm", "across_mm"], rows.collect())
}

/// Nominal (across_mm, along_mm, reach_mm) of an array's needles: each stands `reach_mm` out
/// of the backing (a pen's depth setting, a stamp's needle length).
pub(crate) fn nominal(needles: &[PenNeedle], reach_mm: f64) -> Vec<(f64, f64, f64)> {
    needles
        .iter()
        .map(|n| (n.across_mm, n.along_mm, reach_mm))
        .collect()
}

/// What an array's drawn needles reach pressed with `force_n`, needle j with its own
/// mechanics `ms[j]`, coupled through skin of coupling length `ell_mm`.
pub(crate) fn tips(
    ms: &[Mechanics],
    needles: &[DrawnNeedle],
    ell_mm: f64,
    force_n: f64,
) -> Vec<Tip> {
    let lengths: Vec<f64> = needles.iter().map(|n| n.length_mm).collect();
    let points: Vec<(f64, f64)> = needles.iter().map(|n| (n.across_mm, n.along_mm)).collect();
    press_array(ms, &lengths, &points, ell_mm, force_n)
}

/// A `[<table>]` array of the starter design (`needlemap init`): a grid, with the other
/// patterns' keys commented out.
pub(crate) fn starter(table: &str) -> String {
    format!(
        "[{table}]\n\
         pattern = \"grid\"               # grid | ring | explicit\n\
         rows = 3                       # along the stroke, required for grid\n\
         cols = 4                       # across the stroke, required for grid\n\
         pitch_mm = 1.0                 # mm, required for grid\n\
         # pattern = \"ring\" takes instead:\n\
         # count = 10                   # needles on the circle\n\
         # diameter_mm = 3.0            # mm, circle through the needles\n\
         # centre = false               # one more needle in the centre\n\
         # pattern = \"explicit\" takes instead:\n\
         # needles = [[0.0, 0.0], [1.0, 0.0]]   # [[along_mm, across_mm], ...]\n\n"
    )
}
