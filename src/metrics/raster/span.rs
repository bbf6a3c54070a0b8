//! The coverage and treated-area half of the band step: where each sampled row crosses the
//! openings (closed capsules) and the openings grown by the influence radius, in closed
//! form, merged into disjoint spans on line (see the parent module's method).

use super::{ceil_i64, floor_i64, Shared};
use crate::channel::Channel;

/// Height of sampled row `j` inside its pixel row, in [0, 1): splitmix64 of the row index.
pub fn row_offset(j: usize) -> f64 {
    let mut z = (j as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The x-interval where the horizontal line at `y` crosses a closed capsule, mm.
pub fn capsule_row_span(c: &Channel, y: f64) -> Option<(f64, f64)> {
    let r = c.radius_mm;
    let disc = |cx: f64, cy: f64| {
        let dy = y - cy;
        let q = r * r - dy * dy;
        (q >= 0.0).then(|| {
            let h = q.sqrt();
            (cx - h, cx + h)
        })
    };
    if c.slit_mm == 0.0 {
        return disc(c.x_mm, c.y_mm);
    }
    let (a, b) = c.segment();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (cx, cy) in [(a.x, a.y), (b.x, b.y)] {
        if let Some((l, h)) = disc(cx, cy) {
            lo = lo.min(l);
            hi = hi.max(h);
        }
    }
    // The rectangle: 0 ≤ (q − a)·u ≤ len and |(q − a)·n| ≤ r with n = (−u_y, u_x).
    let [ux, uy] = c.axis;
    let len = c.slit_mm;
    let mut l = f64::NEG_INFINITY;
    let mut h = f64::INFINITY;
    let mut ok = true;
    let mut clamp = |coef: f64, konst: f64, min: f64, max: f64| {
        // min ≤ coef·x + konst ≤ max
        if coef.abs() < 1e-15 {
            ok &= konst >= min && konst <= max;
        } else {
            let (x0, x1) = ((min - konst) / coef, (max - konst) / coef);
            l = l.max(x0.min(x1));
            h = h.min(x0.max(x1));
        }
    };
    clamp(ux, -a.x * ux + (y - a.y) * uy, 0.0, len);
    clamp(-uy, a.x * uy + (y - a.y) * ux, -r, r);
    if ok && l <= h {
        lo = lo.min(l);
        hi = hi.max(h);
    }
    (lo <= hi).then_some((lo, hi))
}

/// A channel near the band, with the rows on which each kind of span is looked for (the same
/// row windows the spans were always looked for on, so the spans found are the same).
pub(super) struct Cand {
    x: f64,
    /// Columns any pixel-centre span of the grown opening lies within.
    cols: (f64, f64),
    plain: Channel,
    grown: Channel,
    /// Rows (sampled heights) where the opening's coverage span may lie; empty when the
    /// channel is too far from the band.
    cov_rows: (i64, i64),
    /// Rows (sampled heights) where the grown opening's span may lie.
    tr_rows: (i64, i64),
    /// Rows (pixel centres) where the grown opening may cover pixel centres.
    px_rows: (i64, i64),
}

/// The band's candidate channels, sorted by x, and those of the current block of rows.
#[derive(Default)]
pub(super) struct Candidates {
    /// The band's candidates, sorted by x.
    list: Vec<Cand>,
    /// Indices into `list` of those of the current block of rows.
    block: Vec<u32>,
}

/// What the span step needs to know of the band: pitch, columns and region width, the
/// influence radius, and how far from its x a candidate's spans may reach.
#[derive(Clone, Copy)]
pub(super) struct SpanGeometry {
    p: f64,
    nx: usize,
    lx: f64,
    rho: f64,
    reach: f64,
}

impl Candidates {
    /// Step 3: the channels whose spans may meet rows [r0, r1), sorted by x.
    pub(super) fn collect(&mut self, sh: &Shared, r0: usize, r1: usize) -> SpanGeometry {
        let p = sh.grid.pitch_mm;
        let nx = sh.grid.nx;
        let lx = nx as f64 * p;
        let rho = sh.rho_mm;
        let grow = sh.rho_mm + sh.ext;
        let (cov_lo, cov_hi) = (r0 as f64 * p - sh.ext, r1 as f64 * p + sh.ext);
        let (tr_lo, tr_hi) = (r0 as f64 * p - grow, r1 as f64 * p + grow);
        // Every span of a candidate at x lies within [x − reach, x + reach].
        let reach = (grow.max(sh.ext)) * (1.0 + 1e-9) + 1e-6;
        self.list.clear();
        for c in sh.candidates(cov_lo.min(tr_lo), cov_hi.max(tr_hi)) {
            let grown = Channel {
                radius_mm: c.radius_mm + rho,
                ..*c
            };
            let strat_rows = |ch: &Channel| {
                let e = ch.extent_mm();
                (
                    floor_i64((c.y_mm - e) / p) - 1,
                    ceil_i64((c.y_mm + e) / p) + 1,
                )
            };
            let none = (1, 0);
            let in_cov = c.y_mm >= cov_lo && c.y_mm <= cov_hi;
            let in_tr = c.y_mm >= tr_lo && c.y_mm <= tr_hi;
            let plain = Channel {
                radius_mm: c.radius_mm + 0.0,
                ..*c
            };
            let cov_rows = if in_cov { strat_rows(&plain) } else { none };
            let tr_rows = if in_tr { strat_rows(&grown) } else { none };
            let px_rows = if in_tr {
                let e = if rho > 0.0 {
                    grown.extent_mm()
                } else {
                    c.extent_mm()
                };
                (
                    ceil_i64((c.y_mm - e) / p - 0.5),
                    floor_i64((c.y_mm + e) / p - 0.5),
                )
            } else {
                none
            };
            self.list.push(Cand {
                x: c.x_mm,
                cols: (
                    (floor_i64((c.x_mm - reach) / p - 0.5) - 1).max(0) as f64,
                    (ceil_i64((c.x_mm + reach) / p - 0.5) + 1).min(nx as i64 - 1) as f64,
                ),
                plain,
                grown,
                cov_rows,
                tr_rows,
                px_rows,
            });
        }
        self.list.sort_by(|a, b| a.x.total_cmp(&b.x));
        SpanGeometry {
            p,
            nx,
            lx,
            rho,
            reach,
        }
    }

    /// Keeps, for the block of rows [b0, b1), the candidates that may have a span on it.
    pub(super) fn select_block(&mut self, b0: usize, b1: usize) {
        let (b0i, b1i) = (b0 as i64, b1 as i64 - 1);
        let meets = |rows: (i64, i64)| rows.0 <= b1i && rows.1 >= b0i;
        self.block.clear();
        for (i, c) in self.list.iter().enumerate() {
            if meets(c.cov_rows) || meets(c.tr_rows) || meets(c.px_rows) {
                self.block.push(i as u32);
            }
        }
    }
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
        } = *geo;
        let ri = r as i64;
        let ys = (r as f64 + row_offset(r)) * p;
        let yc = (r as f64 + 0.5) * p;
        self.cov.reset(0.0);
        self.tr.reset(0.0);
        self.trp.reset(1.0);
        let inside = |rows: (i64, i64)| rows.0 <= ri && ri <= rows.1;
        // Far more than the rounding of the comparisons below, far less than a pixel.
        let slack = p * 1e-6;
        for &i in &cands.block {
            let c = &cands.list[i as usize];
            let below = c.x - reach;
            // A span inside an interval already merged changes nothing: it is not added.
            if inside(c.cov_rows) {
                self.cov.flush(below);
                if let Some((a, b)) = capsule_row_span(&c.plain, ys) {
                    let (a, b) = (a.max(0.0), b.min(lx));
                    if a < b && !self.cov.covers(a, b) {
                        self.cov.add(a, b);
                    }
                }
            }
            if inside(c.tr_rows) {
                self.tr.flush(below);
                if let Some((a, b)) = capsule_row_span(&c.grown, ys) {
                    let (a, b) = (a.max(0.0), b.min(lx));
                    if a < b && !self.tr.covers(a, b) {
                        self.tr.add(a, b);
                    }
                }
            }
            if inside(c.px_rows) {
                let span = if rho > 0.0 {
                    capsule_row_span(&c.grown, yc)
                } else {
                    capsule_row_span(&c.plain, yc)
                };
                if let Some((xl, xr)) = span {
                    // Columns whose centre lies in [xl, xr]; when [xl, xr] sits well
                    // inside the centres already merged, none can be new.
                    let known = self.trp.open.last().is_some_and(|&(l, h)| {
                        xl >= (l - 0.5) * p + slack && xr <= (h + 1.5) * p - slack
                    });
                    if !known {
                        self.trp.flush(c.cols.0);
                        let ca = ceil_i64(xl / p - 0.5).max(0);
                        let cb = floor_i64(xr / p - 0.5).min(nx as i64 - 1);
                        if ca <= cb {
                            self.trp.add(ca as f64, cb as f64);
                        }
                    }
                }
            }
        }
    }
}

/// The union of closed intervals fed in roughly increasing order, merged on line: intervals
/// that can no longer meet a later one (their end lies before `below`, which later intervals
/// never start before) are final. Intervals merge when they overlap or are less than `gap`
/// apart (0 for lengths; 1 for integer column ranges, which then count the same columns).
/// The result is the same list of disjoint intervals a sort-and-merge would give.
#[derive(Default)]
pub(super) struct Union {
    gap: f64,
    open: Vec<(f64, f64)>,
    done: Vec<(f64, f64)>,
    /// Intervals that arrived after `below` had passed them (never expected; handled exactly).
    late: bool,
}

impl Union {
    fn reset(&mut self, gap: f64) {
        self.gap = gap;
        self.open.clear();
        self.done.clear();
        self.late = false;
    }

    /// Whether [a, b] lies inside one interval merged so far.
    #[inline]
    fn covers(&self, a: f64, b: f64) -> bool {
        self.open.last().is_some_and(|s| s.0 <= a && s.1 >= b)
    }

    /// No interval added from now on starts before `below`.
    #[inline]
    fn flush(&mut self, below: f64) {
        let n = self
            .open
            .iter()
            .take_while(|s| s.1 + self.gap < below)
            .count();
        if n > 0 {
            self.done.extend(self.open.drain(..n));
        }
    }

    #[inline]
    fn add(&mut self, a: f64, b: f64) {
        let gap = self.gap;
        if self.done.last().is_some_and(|d| a <= d.1 + gap) {
            self.late = true;
            self.done.push((a, b));
            return;
        }
        let open = &mut self.open;
        let mut k = 0;
        while k < open.len() && open[k].1 + gap < a {
            k += 1;
        }
        let mut m = k;
        let (mut lo, mut hi) = (a, b);
        while m < open.len() && open[m].0 <= b + gap {
            lo = lo.min(open[m].0);
            hi = hi.max(open[m].1);
            m += 1;
        }
        if m == k {
            open.insert(k, (a, b));
        } else {
            open[k] = (lo, hi);
            open.drain(k + 1..m);
        }
    }

    /// The merged intervals in increasing order.
    pub(super) fn finish(&mut self) -> &[(f64, f64)] {
        self.done.append(&mut self.open);
        if self.late {
            let gap = self.gap;
            let v = &mut self.done;
            v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut out = 0;
            for i in 0..v.len() {
                if out > 0 && v[i].0 <= v[out - 1].1 + gap {
                    v[out - 1].1 = v[out - 1].1.max(v[i].1);
                } else {
                    v[out] = v[i];
                    out += 1;
                }
            }
            v.truncate(out);
        }
        &self.done
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::super::{rasterize, Grid};
    use super::*;
    use crate::channel::test_capsule as cap;
    use crate::progress::Silent;
    use approx::assert_relative_eq;

    #[test]
    fn row_span_of_horizontal_capsule() {
        let c = cap(0.0, 0.0, 0.0, 1.0, 0.25);
        let (l, h) = capsule_row_span(&c, 0.0).unwrap();
        assert_relative_eq!(l, -0.75);
        assert_relative_eq!(h, 0.75);
        let (l, h) = capsule_row_span(&c, 0.2).unwrap();
        assert_relative_eq!(
            h - l,
            1.0 + 2.0 * (0.25f64 * 0.25 - 0.04).sqrt(),
            epsilon = 1e-12
        );
        assert!(capsule_row_span(&c, 0.26).is_none());
    }

    #[test]
    fn online_union_equals_sort_and_merge() {
        // Intervals in nearly increasing order, with flush points that are sometimes wrong
        // (an interval then starts before them): the result must always be the merge of the
        // sorted intervals.
        let mut rng = crate::rng::Stream::new(5, crate::rng::StreamId::Device);
        for trial in 0..300 {
            let gap = if trial % 2 == 0 { 0.0 } else { 1.0 };
            let n = 1 + (rng.uniform() * 40.0) as usize;
            let mut spans: Vec<(f64, f64)> = (0..n)
                .map(|i| {
                    let a = (i as f64 + rng.uniform() * 6.0 - 3.0).round();
                    (a, a + (rng.uniform() * 4.0).round())
                })
                .collect();
            let mut u = Union::default();
            u.reset(gap);
            for &(a, b) in &spans {
                // a − 6 is below every later start (they are ≥ i − 2); a + 2 often is not
                let below = if rng.uniform() < 0.1 {
                    a + 2.0
                } else {
                    a - 6.0
                };
                u.flush(below);
                if !u.covers(a, b) {
                    u.add(a, b);
                }
            }
            let got = u.finish().to_vec();
            spans.sort_by(|x, y| x.0.total_cmp(&y.0));
            let mut want: Vec<(f64, f64)> = Vec::new();
            for s in spans {
                match want.last_mut() {
                    Some(l) if s.0 <= l.1 + gap => l.1 = l.1.max(s.1),
                    _ => want.push(s),
                }
            }
            assert_eq!(got, want, "trial {trial}");
        }
    }

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
