//! The largest-gap half of the band step: covered pixel centres painted into the band's
//! window, the vertical pass of the exact Euclidean distance transform (Felzenszwalb &
//! Huttenlocher 2012) and the lower envelope of parabolas that gives each row's largest
//! squared distance to a covered pixel centre (see the parent module's method).
//!
//! Squared distances are integers in pixel units, so the largest one and where it is first
//! reached do not depend on how the rows are split into bands.

use super::shape::capsule_row_span;
use super::{ceil_i64, floor_i64, Shared, INF};
use crate::model::channel::Channel;

/// Vertical distances of one band, window-wide (`nx + 2·halo` columns), and the halo's
/// nearest covered rows, which are all the halo's rows are kept as.
#[derive(Default)]
pub(super) struct Vertical {
    /// Distances of the band's rows to the nearest covered pixel in their column.
    pub(super) g: Vec<u32>,
    /// Per window column: rows from the band's first row up to the nearest covered row of
    /// the halo above it (`INF` if none).
    up: Vec<u32>,
    /// Per window column: rows from the band's last row down to the nearest covered row of
    /// the halo below it.
    down: Vec<u32>,
}

impl Vertical {
    /// Rasterizes the window of band rows [r0, r1) grown by `halo`: covered pixel centres get
    /// 0 (step 1 of the band step).
    pub(super) fn paint(&mut self, sh: &Shared, r0: usize, r1: usize, halo: usize) {
        let p = sh.grid.pitch_mm;
        let w = sh.grid.nx + 2 * halo;
        let band_rows = r1 - r0;
        let (r0i, r1i, hi) = (r0 as i64, r1 as i64, halo as i64);
        self.g.clear();
        self.g.resize(band_rows * w, INF);
        self.up.clear();
        self.up.resize(w, INF);
        self.down.clear();
        self.down.resize(w, INF);
        let y0 = r0i - hi;
        let ymin = y0 as f64 * p - sh.ext;
        let ymax = (y0 + (band_rows + 2 * halo) as i64) as f64 * p + sh.ext;
        for c in sh.candidates(ymin, ymax) {
            paint_window(
                c,
                p,
                r0i,
                r1i,
                hi,
                w,
                &mut self.g,
                &mut self.up,
                &mut self.down,
            );
        }
    }

    /// The vertical pass (step 2): distance to the nearest covered pixel in the column, over
    /// the band rows, seeded by the halo's nearest covered rows. The upward sweep runs here;
    /// the downward one row by row ([`Vertical::sweep_down_row`]), just before each row is
    /// used (with the upward distances b in place, min(b(r), g(r − 1) + 1) is the distance
    /// either way).
    pub(super) fn sweep_up(&mut self, band_rows: usize, w: usize) {
        let gb = &mut self.g;
        let last = (band_rows - 1) * w;
        for (c, &d) in gb[last..].iter_mut().zip(&self.down) {
            *c = (*c).min(d);
        }
        for r in (0..band_rows - 1).rev() {
            let (cur, below) = gb.split_at_mut((r + 1) * w);
            let next = &below[..w];
            for (c, &nv) in cur[r * w..].iter_mut().zip(next) {
                *c = (*c).min(nv + 1);
            }
        }
    }

    /// The downward sweep for band row `rr` (0-based in the band): from the halo above for
    /// the first row, else from the row above.
    pub(super) fn sweep_down_row(&mut self, rr: usize, w: usize) {
        let at = rr * w;
        if rr == 0 {
            for (c, &u) in self.g[..w].iter_mut().zip(&self.up) {
                *c = (*c).min(u);
            }
        } else {
            let (above, cur) = self.g.split_at_mut(at);
            for (c, &pv) in cur[..w].iter_mut().zip(&above[at - w..]) {
                *c = (*c).min(pv + 1);
            }
        }
    }
}

/// Whether a row can be skipped: it cannot raise the band's largest squared distance `m`,
/// so it cannot fail the halo check `m` already passed either, and its envelope is not
/// needed. Two bounds on the row's largest distance, in pixels: `lip`, from the rows above,
/// as the distance to a fixed set of pixels moves by at most 1 from row to row; and the
/// largest vertical distance g (d ≤ g in every column). A row with any finite g has finite g
/// in every row of the band (the same column), so a skipped row is never one without any
/// covered pixel. On a skipped row `lip` moves on by one row.
pub(super) fn settled(max_d2: Option<u64>, lip: &mut u64, row_px: &[u32]) -> bool {
    let gmax = row_px.iter().copied().max().unwrap_or(INF);
    let gmax = u64::from(gmax);
    let settled = max_d2
        .is_some_and(|m| lip.saturating_mul(*lip) <= m || (gmax < INF as u64 && gmax * gmax <= m));
    if settled {
        *lip = (*lip).min(gmax) + 1;
    }
    settled
}

/// Buffers of the lower envelope of parabolas.
#[derive(Default)]
pub(super) struct Envelope {
    /// Apex columns of the envelope's parabolas.
    v: Vec<usize>,
    /// Boundaries between the envelope's pieces.
    z: Vec<f64>,
    /// g² per column.
    f: Vec<f64>,
}

impl Envelope {
    /// Sizes the buffers for rows `w` columns wide.
    pub(super) fn prepare(&mut self, w: usize) {
        self.v.resize(w, 0);
        self.z.resize(w + 1, 0.0);
        self.f.resize(w, 0.0);
    }

    /// Step 4: the largest squared distance of a window row `row` of vertical distances
    /// over its region columns (`halo..halo + nx`), and the region column where it is first
    /// reached: the lower envelope of the parabolas (x − q)² + g(q)² over the finite g,
    /// evaluated at the ends of its pieces (a parabola's largest value on an interval is at
    /// an end). `Err(h)`: the halo is too small, redo with h.
    pub(super) fn row_max(
        &mut self,
        row: &[u32],
        halo: usize,
        nx: usize,
    ) -> Result<(u64, usize), usize> {
        let w = row.len();
        let halo2 = (halo * halo) as u64;
        let (xa, xb) = (halo as i64, (halo + nx) as i64 - 1);
        let (env_v, env_z, f) = (&mut self.v, &mut self.z, &mut self.f);
        let mut k: isize = -1;
        for (q, &gq) in row.iter().enumerate() {
            // Inside a run of covered columns only the run's ends can be nearest to an
            // uncovered column; the columns inside are covered, distance 0.
            if gq >= INF || (gq == 0 && q > 0 && q + 1 < w && row[q - 1] == 0 && row[q + 1] == 0) {
                continue;
            }
            let fq = (gq as f64) * (gq as f64);
            f[q] = fq;
            let qf = q as f64;
            loop {
                if k < 0 {
                    k = 0;
                    env_v[0] = q;
                    env_z[0] = f64::NEG_INFINITY;
                    env_z[1] = f64::INFINITY;
                    break;
                }
                let v = env_v[k as usize];
                let vf = v as f64;
                let sx = ((fq + qf * qf) - (f[v] + vf * vf)) / (2.0 * (qf - vf));
                if sx <= env_z[k as usize] {
                    k -= 1;
                    continue;
                }
                k += 1;
                env_v[k as usize] = q;
                env_z[k as usize] = sx;
                env_z[k as usize + 1] = f64::INFINITY;
                break;
            }
        }
        if k < 0 {
            return Err(halo * 2);
        }
        // Piece j holds the columns x with z_j < x ≤ z_{j+1}; on it the squared distance
        // is the convex (x − v_j)² + g(v_j)², largest at an end of the piece.
        let mut best = 0u64;
        let mut best_x = 0usize;
        for j in 0..=k as usize {
            let lo = if j == 0 {
                xa
            } else {
                (floor_i64(env_z[j]) + 1).max(xa)
            };
            if lo > xb {
                break;
            }
            let hi_ = if j == k as usize {
                xb
            } else {
                floor_i64(env_z[j + 1]).min(xb)
            };
            if lo > hi_ {
                continue;
            }
            let v = env_v[j] as i64;
            let gv = row[v as usize] as u64;
            // The end of a run of covered columns: its piece reaches into the run, whose
            // columns are covered; keep only the side outside the run.
            let (lo, hi_) = if gv == 0 {
                let vu = v as usize;
                let run_right = vu + 1 < w && row[vu + 1] == 0;
                let run_left = vu > 0 && row[vu - 1] == 0;
                match (run_left, run_right) {
                    (false, true) => (lo, hi_.min(v)),
                    (true, false) => (lo.max(v), hi_),
                    _ => (lo, hi_),
                }
            } else {
                (lo, hi_)
            };
            if lo > hi_ {
                continue;
            }
            let g2 = gv * gv;
            let dl = ((lo - v) * (lo - v)) as u64 + g2;
            if dl > best {
                best = dl;
                best_x = (lo - xa) as usize;
            }
            let dh = ((hi_ - v) * (hi_ - v)) as u64 + g2;
            if dh > best {
                best = dh;
                best_x = (hi_ - xa) as usize;
            }
        }
        if best > halo2 {
            let need = (best as f64).sqrt().ceil() as usize + 1;
            return Err(need);
        }
        Ok((best, best_x))
    }
}

/// Marks the pixel centres covered by `c` on the window of band rows [r0, r1) grown by
/// `halo` rows and columns: band rows get 0 in `g`; rows of the halo above and below only
/// lower, per column, the row distance to the band's first (`up`) or last (`down`) row.
#[allow(clippy::too_many_arguments)]
fn paint_window(
    c: &Channel,
    p: f64,
    r0: i64,
    r1: i64,
    halo: i64,
    w: usize,
    g: &mut [u32],
    up: &mut [u32],
    down: &mut [u32],
) {
    let e = c.extent_mm();
    let ra = ceil_i64((c.y_mm - e) / p - 0.5).max(r0 - halo);
    let rb = floor_i64((c.y_mm + e) / p - 0.5).min(r1 + halo - 1);
    for row in ra..=rb {
        let yc = (row as f64 + 0.5) * p;
        let Some((xl, xr)) = capsule_row_span(c, yc) else {
            continue;
        };
        let ca = (ceil_i64(xl / p - 0.5) + halo).max(0);
        let cb = (floor_i64(xr / p - 0.5) + halo).min(w as i64 - 1);
        if ca > cb {
            continue;
        }
        let (ca, cb) = (ca as usize, cb as usize);
        if row < r0 {
            let d = (r0 - row) as u32;
            up[ca..=cb].iter_mut().for_each(|v| *v = (*v).min(d));
        } else if row >= r1 {
            let d = (row - (r1 - 1)) as u32;
            down[ca..=cb].iter_mut().for_each(|v| *v = (*v).min(d));
        } else {
            let at = (row - r0) as usize * w;
            g[at + ca..=at + cb].fill(0);
        }
    }
    // An opening narrower than a pixel may cover no pixel centre: the pixels holding its
    // centre and the ends of its slit count as covered, so no opening is invisible to the
    // transform. Where the opening covers the pixel centre nearest its own centre (radius
    // ≥ p/√2) this changes nothing; otherwise it moves the gap by at most p/√2.
    let (a, b) = c.segment();
    for q in [c.centre(), a, b] {
        let row = floor_i64(q.y / p);
        let col = floor_i64(q.x / p) + halo;
        if row < r0 - halo || row > r1 + halo - 1 || col < 0 || col >= w as i64 {
            continue;
        }
        let col = col as usize;
        if row < r0 {
            up[col] = up[col].min((r0 - row) as u32);
        } else if row >= r1 {
            down[col] = down[col].min((row - (r1 - 1)) as u32);
        } else {
            g[(row - r0) as usize * w + col] = 0;
        }
    }
}

/// ⌈√m⌉, exactly.
pub(super) fn ceil_sqrt(m: u64) -> u64 {
    let mut s = (m as f64).sqrt() as u64;
    while s * s < m {
        s += 1;
    }
    while s > 0 && (s - 1) * (s - 1) >= m {
        s -= 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::super::{rasterize, Grid, RasterError, RasterSettings, TileGrid};
    use crate::base::progress::Silent;
    use crate::model::channel::test_capsule as cap;

    #[test]
    fn field_too_small_asks_for_margin() {
        let discs = vec![cap(0.5, 0.5, 0.0, 0.0, 0.1)];
        let grid = Grid::new("t", [8.0, 8.0], 20.0).unwrap();
        let s = RasterSettings {
            influence_radius_mm: 0.1,
            tiles: TileGrid::new([8.0, 8.0], 1.0),
            cell_px: 4,
            halo_mm: 0.2,
            ..settings(0.5)
        };
        assert!(matches!(
            rasterize(&discs, grid, s, &Silent),
            Err(RasterError::NeedMargin(_))
        ));
    }
}
