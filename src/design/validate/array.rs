//! `pen.cartridge` / `stamp.array`: a flat needle array (grid, ring or explicit), checked for
//! collisions.

use super::*;

impl Ctx<'_> {
    /// The needles of a pen cartridge or stamp array (`at`: "pen.cartridge" or
    /// "stamp.array", for error keys) and the array's width across the stroke.
    pub(super) fn array(
        &self,
        cart: &S<file::CartridgeFile>,
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
