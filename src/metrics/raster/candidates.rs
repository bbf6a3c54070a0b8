//! The span step's candidates: the channels near a band, prepared once per band, and per
//! block of rows the ones that may have a span on it (see the span step in `span`).

use super::cover::Cover;
use super::shape::Shape;
use super::{ceil_i64, floor_i64, Shared};
use crate::model::channel::Channel;

/// Rows of a block share one x-sorted candidate list.
pub(super) const BLOCK_ROWS: usize = 16;

/// A channel near the band, with the rows on which each kind of span is looked for (the same
/// row windows the spans were always looked for on, so the spans found are the same).
pub(super) struct Cand {
    pub(super) x: f64,
    /// Columns any pixel-centre span of the grown opening lies within.
    pub(super) cols: (f64, f64),
    pub(super) plain: Shape,
    pub(super) grown: Shape,
    /// Rows (sampled heights) where the opening's coverage span may lie; empty when the
    /// channel is too far from the band.
    pub(super) cov_rows: (i64, i64),
    /// Rows (sampled heights) where the grown opening's span may lie.
    pub(super) tr_rows: (i64, i64),
    /// Bounds of the grown opening's x-extent, mm (a little wide, never narrow).
    pub(super) tr_hull: (f64, f64),
    /// Rows (pixel centres) where the grown opening may cover pixel centres.
    pub(super) px_rows: (i64, i64),
    /// Rows (pixel centres) where the opening itself may cover pixel centres.
    pub(super) cpx_rows: (i64, i64),
    /// The pixels (row, column) holding the opening's centre and its slit's ends, which
    /// count as covered (see `distance`), and the range of their rows.
    pub(super) marks: [(i64, i64); 3],
    pub(super) mark_rows: (i64, i64),
}

/// The band's candidate channels, sorted by x, and those of the current block of rows.
#[derive(Default)]
pub(super) struct Candidates {
    /// The band's candidates, sorted by x.
    list: Vec<Cand>,
    /// The band's first row.
    r0: usize,
    /// Per block of the band, the candidates whose openings' own spans or cells may lie on
    /// it: indices into `list`, in x order, block k's at `own_at[k]..own_at[k + 1]`.
    own_all: Vec<u32>,
    own_at: Vec<usize>,
    /// Likewise those whose grown openings' spans may lie on it.
    grown_all: Vec<u32>,
    grown_at: Vec<usize>,
    /// The current block: its range in `own_all` and in `grown_all`.
    own: (usize, usize),
    grown: (usize, usize),
    /// Whether each of the block's grown candidates lies inside the cover on the block's
    /// rows (not traced).
    skip: Vec<bool>,
    /// Bounds of the x-extent of each of the block's grown candidates on its rows.
    hulls: Vec<(f64, f64)>,
    /// The cover of the block's treated spans (see `cover`).
    cover: Cover,
}

/// What the span step needs to know of the band: pitch, columns and region width, the
/// influence radius, and how far from its x a candidate's spans may reach.
#[derive(Clone, Copy)]
pub(super) struct SpanGeometry {
    pub(super) p: f64,
    pub(super) nx: usize,
    pub(super) lx: f64,
    pub(super) rho: f64,
    pub(super) reach: f64,
    /// Whether the treated pixel centres are wanted (picture cells).
    pub(super) px_treated: bool,
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
        let (tr_lo, tr_hi) = if sh.treated_all {
            // nothing grown is traced: no row's treated span is wanted
            (f64::INFINITY, f64::NEG_INFINITY)
        } else {
            (r0 as f64 * p - grow, r1 as f64 * p + grow)
        };
        // Every span of a candidate at x lies within [x − reach, x + reach].
        let reach = (grow.max(sh.ext)) * (1.0 + 1e-9) + 1e-6;
        self.list.clear();
        // sorted by x before they are prepared (a stable sort of references: the order a
        // stable sort of the prepared candidates would give, without moving them)
        let mut near: Vec<&Channel> = sh
            .candidates(cov_lo.min(tr_lo), cov_hi.max(tr_hi))
            .collect();
        near.sort_by(|a, b| a.x_mm.total_cmp(&b.x_mm));
        for c in near {
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
            let e = c.extent_mm();
            let in_cells = in_cov && sh.covered_cells;
            let cpx_rows = if in_cells {
                (
                    ceil_i64((c.y_mm - e) / p - 0.5),
                    floor_i64((c.y_mm + e) / p - 0.5),
                )
            } else {
                none
            };
            let (a, b) = c.segment();
            let mark = |q: crate::base::math::Point| (floor_i64(q.y / p), floor_i64(q.x / p));
            let marks = [mark(c.centre()), mark(a), mark(b)];
            let mark_rows = if in_cells {
                (
                    marks.iter().map(|m| m.0).min().unwrap_or(1),
                    marks.iter().map(|m| m.0).max().unwrap_or(0),
                )
            } else {
                none
            };
            let tr_rows = if in_tr { strat_rows(&grown) } else { none };
            let tr_hull = {
                let (a, b) = grown.segment();
                let e = grown.radius_mm * (1.0 + 1e-12) + 1e-9;
                (a.x.min(b.x) - e, a.x.max(b.x) + e)
            };
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
                plain: Shape::new(&plain),
                grown: Shape::new(&grown),
                cov_rows,
                tr_rows,
                tr_hull,
                px_rows,
                cpx_rows,
                marks,
                mark_rows,
            });
        }
        self.r0 = r0;
        let blocks = (r1 - r0).div_ceil(BLOCK_ROWS);
        let px_treated = sh.picture_cells;
        let own_rows = |c: &Cand| hull_rows(&[c.cov_rows, c.cpx_rows, c.mark_rows]);
        let grown_rows = |c: &Cand| {
            if px_treated {
                hull_rows(&[c.tr_rows, c.px_rows])
            } else {
                c.tr_rows
            }
        };
        bucket(
            &self.list,
            own_rows,
            r0,
            blocks,
            &mut self.own_all,
            &mut self.own_at,
        );
        bucket(
            &self.list,
            grown_rows,
            r0,
            blocks,
            &mut self.grown_all,
            &mut self.grown_at,
        );
        SpanGeometry {
            p,
            nx,
            lx,
            rho,
            reach,
            px_treated: sh.picture_cells,
        }
    }

    /// Takes the block of rows [b0, b1) of the band: the candidates that may have a span on
    /// it, in two lists — those of the openings' own spans and cells, and those of the grown
    /// openings, with the ones whose treated spans cannot change the block's union marked
    /// (see `cover`).
    pub(super) fn select_block(&mut self, b0: usize, b1: usize, geo: &SpanGeometry) {
        let (b0i, b1i) = (b0 as i64, b1 as i64 - 1);
        let meets = |rows: (i64, i64)| rows.0 <= b1i && rows.1 >= b0i;
        let k = (b0 - self.r0) / BLOCK_ROWS;
        self.own = (self.own_at[k], self.own_at[k + 1]);
        self.grown = (self.grown_at[k], self.grown_at[k + 1]);
        self.skip.clear();
        // every sampled height of the block lies in [y0, y1]
        let (y0, y1) = (b0 as f64 * geo.p, b1 as f64 * geo.p);
        self.cover.clear();
        self.hulls.clear();
        for &i in &self.grown_all[self.grown.0..self.grown.1] {
            let c = &self.list[i as usize];
            let mut hull = c.tr_hull;
            if meets(c.tr_rows) {
                let (s0, s1) = (c.grown.span(y0), c.grown.span(y1));
                if c.tr_rows.0 <= b0i && c.tr_rows.1 >= b1i {
                    self.cover.add(s0, s1);
                }
                hull = c.grown.strip_hull(y0, y1, s0, s1).unwrap_or(hull);
            }
            self.hulls.push(hull);
        }
        self.cover.build();
        for &hull in &self.hulls {
            let inside = self.cover.contains(hull);
            self.skip.push(inside);
            #[cfg(test)]
            if inside {
                SKIPPED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    /// The block's candidates for the openings' own spans and cells, in x order.
    pub(super) fn own(&self) -> impl Iterator<Item = &Cand> + '_ {
        self.own_all[self.own.0..self.own.1]
            .iter()
            .map(|&i| &self.list[i as usize])
    }

    /// The block's candidates for the grown openings' spans, in x order, each with whether
    /// it lies inside the cover (not traced for the treated spans).
    pub(super) fn grown(&self) -> impl Iterator<Item = (&Cand, bool)> + '_ {
        self.grown_all[self.grown.0..self.grown.1]
            .iter()
            .zip(&self.skip)
            .map(|(&i, &skip)| (&self.list[i as usize], skip))
    }

    /// The block's cover pieces, shrunk: inside every row's union of treated spans.
    pub(super) fn pieces(&self) -> &[(f64, f64)] {
        self.cover.pieces()
    }
}

/// The smallest range of rows holding every non-empty one of `ranges` (empty when all are).
fn hull_rows(ranges: &[(i64, i64)]) -> (i64, i64) {
    ranges.iter().filter(|r| r.0 <= r.1).fold((1, 0), |h, r| {
        if h.0 > h.1 {
            *r
        } else {
            (h.0.min(r.0), h.1.max(r.1))
        }
    })
}

/// Sorts the candidates into the `blocks` blocks of rows from `r0` that their `rows` meet,
/// keeping x order within each (a counting sort): block k's at `all[at[k]..at[k + 1]]`.
fn bucket(
    list: &[Cand],
    rows: impl Fn(&Cand) -> (i64, i64),
    r0: usize,
    blocks: usize,
    all: &mut Vec<u32>,
    at: &mut Vec<usize>,
) {
    let range = |c: &Cand| {
        let (lo, hi) = rows(c);
        let (r0, last) = (r0 as i64, (r0 + blocks * BLOCK_ROWS) as i64 - 1);
        if lo > hi || hi < r0 || lo > last {
            return (1, 0);
        }
        let b = BLOCK_ROWS as i64;
        (
            ((lo.max(r0) - r0) / b) as usize,
            ((hi.min(last) - r0) / b) as usize,
        )
    };
    at.clear();
    at.resize(blocks + 1, 0);
    for c in list {
        let (k0, k1) = range(c);
        for n in &mut at[k0.min(blocks)..(k1 + 1).min(blocks)] {
            *n += 1;
        }
    }
    let mut sum = 0;
    for n in at.iter_mut() {
        let count = *n;
        *n = sum;
        sum += count;
    }
    all.clear();
    all.resize(sum, 0);
    let mut next: Vec<usize> = at[..blocks].to_vec();
    for (i, c) in list.iter().enumerate() {
        let (k0, k1) = range(c);
        for n in &mut next[k0.min(blocks)..(k1 + 1).min(blocks)] {
            all[*n] = i as u32;
            *n += 1;
        }
    }
}

/// Grown openings skipped on a block so far (tests: the skipping is exercised).
#[cfg(test)]
pub(super) static SKIPPED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
