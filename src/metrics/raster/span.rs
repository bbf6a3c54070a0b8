//! The coverage and treated-area half of the band step: where each sampled row crosses the
//! openings (closed capsules) and the openings grown by the influence radius, in closed
//! form, merged into disjoint spans on line (see the parent module's method).

use super::candidates::{Candidates, SpanGeometry};
use super::union::Union;

/// Height of sampled row `j` inside its pixel row, in [0, 1): splitmix64 of the row index.
pub fn row_offset(j: usize) -> f64 {
    let mut z = (j as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The spans of one row: covered and treated lengths at its sampled height, and the
/// treated pixel centres (column ranges) at its centre.
#[derive(Default)]
pub(super) struct RowSpans {
    /// Where the row crosses an opening, mm.
    pub(super) cov: Union,
    /// Where it crosses an opening grown by the influence radius, mm.
    pub(super) tr: Union,
    /// Columns whose pixel centre lies in a grown opening.
    pub(super) trp: Union,
    /// Columns whose pixel is covered: its centre lies in an opening, or it holds an
    /// opening's centre or a slit's end.
    pub(super) cvp: Union,
}

impl RowSpans {
    /// Step 5: the spans of row `r` from the block's candidates: coverage and treated at the
    /// row's sampled height, treated pixel centres at its centre.
    pub(super) fn collect(&mut self, cands: &Candidates, r: usize, geo: &SpanGeometry) {
        let SpanGeometry {
            p,
            nx,
            lx,
            rho,
            reach,
            px_treated,
        } = *geo;
        let ri = r as i64;
        let ys = (r as f64 + row_offset(r)) * p;
        let yc = (r as f64 + 0.5) * p;
        self.cov.reset(0.0);
        self.tr.reset(0.0);
        self.trp.reset(1.0);
        self.cvp.reset(1.0);
        let inside = |rows: (i64, i64)| rows.0 <= ri && ri <= rows.1;
        // Far more than the rounding of the comparisons below, far less than a pixel.
        let slack = p * 1e-6;
        for c in cands.own() {
            let below = c.x - reach;
            // A span inside an interval already merged changes nothing: it is not added.
            if inside(c.cov_rows) {
                self.cov.flush(below);
                if let Some((a, b)) = c.plain.span(ys) {
                    let (a, b) = (a.max(0.0), b.min(lx));
                    if a < b && !self.cov.covers(a, b) {
                        self.cov.add(a, b);
                    }
                }
            }
            if inside(c.cpx_rows) {
                if let Some(span) = c.plain.span(yc) {
                    self.cvp.add_centres(span, c.cols.0, p, nx, slack);
                }
            }
            if inside(c.mark_rows) {
                for &(row, col) in &c.marks {
                    if row == ri && (0..nx as i64).contains(&col) {
                        let col = col as f64;
                        if !self.cvp.covers(col, col) {
                            self.cvp.flush(c.cols.0);
                            self.cvp.add(col, col);
                        }
                    }
                }
            }
        }
        // the cover's pieces stand in for the spans inside them
        for &(a, b) in cands.pieces() {
            let (a, b) = (a.max(0.0), b.min(lx));
            if a < b {
                self.tr.add(a, b);
            }
        }
        for (c, skip) in cands.grown() {
            if !skip && inside(c.tr_rows) {
                self.tr.flush(c.x - reach);
                if let Some((a, b)) = c.grown.span(ys) {
                    let (a, b) = (a.max(0.0), b.min(lx));
                    if a < b && !self.tr.covers(a, b) {
                        self.tr.add(a, b);
                    }
                }
            }
            if px_treated && inside(c.px_rows) {
                let span = if rho > 0.0 {
                    c.grown.span(yc)
                } else {
                    c.plain.span(yc)
                };
                if let Some(span) = span {
                    self.trp.add_centres(span, c.cols.0, p, nx, slack);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::super::{rasterize, Grid};
    use crate::base::progress::Silent;
    use crate::model::channel::test_capsule as cap;
    use approx::assert_relative_eq;

    #[test]
    fn single_capsule_area_at_any_angle() {
        for deg in [0.0, 30.0, 45.0, 90.0, 137.0] {
            let c = cap(2.0, 2.0, deg, 0.6, 0.125);
            let grid = Grid::new("t", [4.0, 4.0], 5.0).unwrap();
            let m = rasterize(&[c], grid, settings(3.0), &Silent).unwrap();
            let area = m.coverage_fraction() * 16.0;
            assert_relative_eq!(area, c.opening_area_mm2(), max_relative = 0.02);
        }
    }
}
