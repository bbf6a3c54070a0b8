//! `max_gap_mm` from the geometry of the openings: the largest distance from a point of the
//! region to the nearest opening, to within [`TOLERANCE_MM`], whatever `resolution_um`.
//!
//! # Definition
//! The openings are closed capsules (a segment thickened by a radius, a disc when the
//! segment is a point). The distance from a point p to opening i is
//! dᵢ(p) = max(0, |p − segᵢ| − rᵢ), and the gap function f(p) = minᵢ dᵢ(p) is taken over every
//! opening of the simulated field (the region and its margin). `max_gap_mm` is the largest f
//! over the closed region [0, Lx] × [0, Ly]: the radius of the largest untreated disc whose
//! centre lies in the region.
//!
//! # Method: Lipschitz branch and bound
//! f is 1-Lipschitz (a minimum of distances), so on a cell with centre c and half-diagonal h,
//! f ≤ f(c) + h. The region is tiled by square-ish top cells about one opening spacing wide.
//! 1. f at every top cell's centre (a bucket grid over the openings answers "nearest opening"
//!    by rings of buckets); L, the largest of these, is a value f reaches.
//!    f is bounded through the signed distance g(p) = minᵢ(|p − segᵢ| − rᵢ), also
//!    1-Lipschitz, with f = max(0, g): f ≤ max(0, g(c) + h) on the cell. Inside the openings g
//!    is negative, so a cell that they cover (g(c) + h ≤ 0) is pruned at once; with f alone
//!    (0 there) a covered region would be split down to the tolerance everywhere.
//! 2. Each top cell is searched depth first, on its own, from a lower bound: a cell whose
//!    bound g(c) + h is at most the best value found so far plus [`TOLERANCE_MM`] is pruned; a
//!    cell with h ≤ [`TOLERANCE_MM`] is a leaf; any other splits in four. A cell carries the
//!    openings that can be nearest anywhere in it: those with dᵢ(c) ≤ f(c) + 2h (any other is
//!    farther than f(c) + h ≥ f from every point of the cell), so deep cells test a handful,
//!    and a square root is taken only for an opening that may be nearer than the best so far.
//! 3. The bound matters: every untreated hole whose peak lies above it is searched down to the
//!    tolerance. So the `FIRST_CELLS` (64) top cells with the largest centre values are searched
//!    first, from L; the best they find, L′, is a value f reaches and usually within a few µm
//!    of the largest. Every other top cell is then searched from L′ (the dense pen: 4× faster
//!    than searching all from L, `benches/raster.rs`).
//!
//! The result is the largest f found at a cell centre: a value f reaches, so never above the
//! true maximum, and at most [`TOLERANCE_MM`] below it, since every pruned cell and every
//! leaf is bounded by that best value plus the tolerance. Cells are searched independently
//! (each from L or L′, keeping its own best), in parallel, and the best is taken in cell order, so
//! the value and where it is reached depend neither on the thread count nor on the order of
//! the work: the same numbers on every machine.
//!
//! Against the raster distance transform (pixel centre to covered pixel centre), this is
//! exact to the tolerance, independent of the pitch, and costs O(openings) plus a little
//! per local maximum near the largest, instead of O(pixels).

use crate::model::channel::Channel;
use rayon::prelude::*;

/// The result is never above the true largest gap and at most this far below it, mm (0.5 µm).
pub const TOLERANCE_MM: f64 = 0.5e-3;

/// Top cells searched first, to raise the lower bound (see the module's method).
const FIRST_CELLS: usize = 64;

/// The largest gap and a point of the region where it is reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gap {
    /// Radius of the largest untreated disc centred in the region, mm.
    pub gap_mm: f64,
    /// Its centre, mm.
    pub at_mm: (f64, f64),
}

/// One opening: segment start `a`, direction `d` (end − start), 1/|d|² (0 for a disc), radius.
#[derive(Clone, Copy)]
struct Seg {
    ax: f64,
    ay: f64,
    dx: f64,
    dy: f64,
    inv_len2: f64,
    r: f64,
}

impl Seg {
    /// Squared distance from (x, y) to the segment.
    #[inline(always)]
    fn dist2(&self, x: f64, y: f64) -> f64 {
        let (px, py) = (x - self.ax, y - self.ay);
        let t = ((px * self.dx + py * self.dy) * self.inv_len2).clamp(0.0, 1.0);
        let (qx, qy) = (px - t * self.dx, py - t * self.dy);
        qx * qx + qy * qy
    }

    /// Distance from (x, y) to the segment, less the radius (negative inside the opening).
    #[inline(always)]
    fn signed(&self, x: f64, y: f64) -> f64 {
        self.dist2(x, y).sqrt() - self.r
    }

    /// Whether the signed distance of a point at squared distance `q` may be at most `d`: never
    /// false when it is (the square is widened far beyond its rounding), so a test that
    /// skips a square root by it skips only openings that are farther.
    #[inline(always)]
    fn may_be_within(&self, q: f64, d: f64) -> bool {
        let e = d + self.r;
        e >= 0.0 && q <= e * e * (1.0 + 1e-9) + 1e-18
    }
}

/// The openings in a grid of buckets: each opening is listed in every bucket its bounding box
/// meets, so the point of an opening nearest to any point lies in a bucket that lists it.
pub struct Openings {
    segs: Vec<Seg>,
    x0: f64,
    y0: f64,
    side: f64,
    nx: usize,
    ny: usize,
    start: Vec<u32>,
    items: Vec<u32>,
    /// Typical spacing of the openings, mm.
    spacing: f64,
}

impl Openings {
    /// The bucket grid over `channels`' openings (not empty).
    pub fn new(channels: &[Channel]) -> Openings {
        let segs: Vec<Seg> = channels
            .iter()
            .map(|c| {
                let (a, b) = c.segment();
                let (dx, dy) = (b.x - a.x, b.y - a.y);
                let l2 = dx * dx + dy * dy;
                Seg {
                    ax: a.x,
                    ay: a.y,
                    dx,
                    dy,
                    inv_len2: if l2 > 0.0 { 1.0 / l2 } else { 0.0 },
                    r: c.radius_mm,
                }
            })
            .collect();
        let ext = channels.iter().map(Channel::extent_mm).fold(0.0, f64::max);
        let (x0, y0, x1, y1) = Channel::bounds(channels, ext);
        let n = channels.len().max(1) as f64;
        let spacing = ((x1 - x0) * (y1 - y0) / n).sqrt().max(1e-6);
        // About two openings per bucket, and no opening in more than four.
        let side = (spacing * 1.5).max(2.0 * ext).max(1e-6);
        let nx = (((x1 - x0) / side).floor() as usize + 1).clamp(1, 1 << 14);
        let ny = (((y1 - y0) / side).floor() as usize + 1).clamp(1, 1 << 14);
        let side = side.max((x1 - x0) / nx as f64).max((y1 - y0) / ny as f64);
        let range = |lo: f64, hi: f64, o: f64, n: usize| {
            let a = (((lo - o) / side).floor().max(0.0) as usize).min(n - 1);
            let b = (((hi - o) / side).floor().max(0.0) as usize).min(n - 1);
            (a, b)
        };
        let boxes: Vec<((usize, usize), (usize, usize))> = channels
            .iter()
            .map(|c| {
                let e = c.extent_mm();
                (
                    range(c.x_mm - e, c.x_mm + e, x0, nx),
                    range(c.y_mm - e, c.y_mm + e, y0, ny),
                )
            })
            .collect();
        let mut start = vec![0u32; nx * ny + 1];
        for &((i0, i1), (j0, j1)) in &boxes {
            for j in j0..=j1 {
                for i in i0..=i1 {
                    start[j * nx + i + 1] += 1;
                }
            }
        }
        for k in 0..nx * ny {
            start[k + 1] += start[k];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; start[nx * ny] as usize];
        for (idx, &((i0, i1), (j0, j1))) in boxes.iter().enumerate() {
            for j in j0..=j1 {
                for i in i0..=i1 {
                    let b = j * nx + i;
                    items[fill[b] as usize] = idx as u32;
                    fill[b] += 1;
                }
            }
        }
        Openings {
            segs,
            x0,
            y0,
            side,
            nx,
            ny,
            start,
            items,
            spacing,
        }
    }

    fn bucket(&self, x: f64, y: f64) -> (usize, usize) {
        let i = ((x - self.x0) / self.side).floor().max(0.0) as usize;
        let j = ((y - self.y0) / self.side).floor().max(0.0) as usize;
        (i.min(self.nx - 1), j.min(self.ny - 1))
    }

    fn list(&self, i: usize, j: usize) -> &[u32] {
        let b = j * self.nx + i;
        &self.items[self.start[b] as usize..self.start[b + 1] as usize]
    }

    /// f(x, y): the distance to the nearest opening (0 inside one), searched ring by ring of
    /// buckets until no unsearched bucket can hold a nearer point.
    pub fn nearest(&self, x: f64, y: f64) -> f64 {
        self.signed_nearest(x, y).max(0.0)
    }

    /// g(x, y): the signed distance to the openings, minᵢ(|p − segᵢ| − rᵢ): f where positive,
    /// and inside an opening minus the depth of the deepest, so that g + h ≤ 0 proves a cell
    /// of half-diagonal h covered (g is 1-Lipschitz like f, and f = max(0, g)).
    pub fn signed_nearest(&self, x: f64, y: f64) -> f64 {
        let (bi, bj) = self.bucket(x, y);
        let mut best = f64::INFINITY;
        let (nx, ny) = (self.nx as isize, self.ny as isize);
        let (bi, bj) = (bi as isize, bj as isize);
        let mut k: isize = 0;
        loop {
            let (i0, i1, j0, j1) = (bi - k, bi + k, bj - k, bj + k);
            for j in j0.max(0)..=j1.min(ny - 1) {
                let edge_row = j == j0 || j == j1;
                let mut i = i0.max(0);
                while i <= i1.min(nx - 1) {
                    for &s in self.list(i as usize, j as usize) {
                        best = best.min(self.segs[s as usize].signed(x, y));
                    }
                    // inside the ring's rows only its two side columns are new
                    i = if edge_row || i == i1 { i + 1 } else { i1 };
                }
            }
            let covers_all = i0 <= 0 && j0 <= 0 && i1 >= nx - 1 && j1 >= ny - 1;
            if covers_all {
                break;
            }
            // Every bucket not yet searched lies outside the block searched so far.
            let s = self.side;
            // the distance to a side of the block, infinite where the grid ends
            let beyond = |more: bool, d: f64| if more { d } else { f64::INFINITY };
            let lb = [
                beyond(i0 > 0, x - (self.x0 + i0 as f64 * s)),
                beyond(i1 < nx - 1, self.x0 + (i1 + 1) as f64 * s - x),
                beyond(j0 > 0, y - (self.y0 + j0 as f64 * s)),
                beyond(j1 < ny - 1, self.y0 + (j1 + 1) as f64 * s - y),
            ]
            .into_iter()
            .fold(f64::INFINITY, f64::min);
            // an opening not yet searched lies wholly outside the block, at lb or more
            if best <= lb {
                break;
            }
            k += 1;
        }
        best
    }

    /// Appends to `out` the openings within `radius` of (x, y) (by signed distance).
    fn within(&self, x: f64, y: f64, radius: f64, out: &mut Vec<u32>) {
        let (i0, j0) = self.bucket(x - radius, y - radius);
        let (i1, j1) = self.bucket(x + radius, y + radius);
        let from = out.len();
        for j in j0..=j1 {
            for i in i0..=i1 {
                for &s in self.list(i, j) {
                    if self.segs[s as usize].signed(x, y) <= radius {
                        out.push(s);
                    }
                }
            }
        }
        if i1 > i0 || j1 > j0 {
            out[from..].sort_unstable();
            let mut w = from;
            for r in from..out.len() {
                if w == from || out[r] != out[w - 1] {
                    out[w] = out[r];
                    w += 1;
                }
            }
            out.truncate(w);
        }
    }
}

/// The largest gap of the region `[0, area_mm[0]] × [0, area_mm[1]]` among `channels`' openings;
/// `None` without any opening. See the module's method.
pub fn max_gap(channels: &[Channel], area_mm: [f64; 2]) -> Option<Gap> {
    max_gap_counted(channels, area_mm).map(|(g, _)| g)
}

/// [`max_gap`] and the work it did: the cells whose centre it evaluated (the top cells and
/// every cell of the branch and bound), for tests that compare costs without timing.
pub fn max_gap_counted(channels: &[Channel], area_mm: [f64; 2]) -> Option<(Gap, u64)> {
    if channels.is_empty() {
        return None;
    }
    let ops = Openings::new(channels);
    let [lx, ly] = area_mm;
    // Top cells about one spacing wide, at most ~4 million of them.
    let target = ops.spacing.max((lx * ly / 4e6).sqrt());
    let ncx = ((lx / target).ceil() as usize).max(1);
    let ncy = ((ly / target).ceil() as usize).max(1);
    let (w, h) = (lx / ncx as f64, ly / ncy as f64);
    let centre = |k: usize| {
        (
            (k % ncx) as f64 * w + w / 2.0,
            (k / ncx) as f64 * h + h / 2.0,
        )
    };
    // 1. g at every top centre; the largest f = max(0, g) is the first lower bound.
    let g0: Vec<f64> = (0..ncx * ncy)
        .into_par_iter()
        .map(|k| {
            let (x, y) = centre(k);
            ops.signed_nearest(x, y)
        })
        .collect();
    let f0: Vec<f64> = g0.iter().map(|g| g.max(0.0)).collect();
    let mut best = Gap {
        gap_mm: f64::NEG_INFINITY,
        at_mm: (0.0, 0.0),
    };
    for (k, &f) in f0.iter().enumerate() {
        if f > best.gap_mm {
            best = Gap {
                gap_mm: f,
                at_mm: centre(k),
            };
        }
    }
    let half = (w / 2.0, h / 2.0);
    let diag = half.0.hypot(half.1);
    // A top cell searched on its own from the lower bound `lower`: its best above it.
    let search_cell = |stack: &mut Vec<u32>, k: usize, lower: f64| {
        let (x, y) = centre(k);
        stack.clear();
        ops.within(x, y, f0[k] + 2.0 * diag, stack);
        let mut local = Gap {
            gap_mm: lower,
            at_mm: (x, y),
        };
        let mut cells = 0;
        search(&ops, stack, 0, (x, y), half, &mut local, &mut cells);
        ((local.gap_mm > lower).then_some(local), cells)
    };
    let mut work = (ncx * ncy) as u64;
    // The top cells `cells`, each from `lower`, in parallel; the best in cell order.
    let search_cells = |cells: &[usize], lower: f64, best: &mut Gap, work: &mut u64| {
        let found: Vec<(Option<Gap>, u64)> = cells
            .par_iter()
            .map_init(Vec::new, |stack, &k| search_cell(stack, k, lower))
            .collect();
        for (g, n) in found {
            *work += n;
            match g {
                Some(g) if g.gap_mm > best.gap_mm => *best = g,
                _ => {}
            }
        }
    };
    // f ≤ max(0, g(c) + h) on a cell: a cell inside the openings (g + h ≤ 0) holds nothing
    // above any bound, so a covered region is done here, at the cost of step 1
    let may_hold = |k: usize, lower: f64| g0[k] + diag > lower + TOLERANCE_MM;
    // 2. The top cells with the largest centre values first, from the first bound: they
    //    raise it close to the largest gap, so that the rest prune early.
    let lower = best.gap_mm;
    let mut first: Vec<usize> = (0..ncx * ncy).filter(|&k| may_hold(k, lower)).collect();
    if first.len() > FIRST_CELLS {
        first.select_nth_unstable_by(FIRST_CELLS, |&a, &b| {
            f0[b].total_cmp(&f0[a]).then(a.cmp(&b))
        });
        first.truncate(FIRST_CELLS);
        first.sort_unstable();
    }
    search_cells(&first, lower, &mut best, &mut work);
    // 3. Every other top cell that may hold more, from the raised bound.
    let lower = best.gap_mm;
    let rest: Vec<usize> = (0..ncx * ncy)
        .filter(|&k| may_hold(k, lower) && first.binary_search(&k).is_err())
        .collect();
    search_cells(&rest, lower, &mut best, &mut work);
    Some((best, work))
}

/// Searches the children of the cell centred at `c` with half sides `half`, whose candidate
/// openings are `stack[from..]`, raising `best`.
fn search(
    ops: &Openings,
    stack: &mut Vec<u32>,
    from: usize,
    c: (f64, f64),
    half: (f64, f64),
    best: &mut Gap,
    cells: &mut u64,
) {
    let end = stack.len();
    let ch = (half.0 / 2.0, half.1 / 2.0);
    let hc = ch.0.hypot(ch.1);
    for (sx, sy) in [(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)] {
        let (x, y) = (c.0 + sx * ch.0, c.1 + sy * ch.1);
        *cells += 1;
        // the nearest opening's signed distance; a square root only where it may be nearer
        let mut g = f64::INFINITY;
        for &s in &stack[from..end] {
            let seg = &ops.segs[s as usize];
            let q = seg.dist2(x, y);
            if g == f64::INFINITY || seg.may_be_within(q, g) {
                g = g.min(q.sqrt() - seg.r);
            }
        }
        let f = g.max(0.0);
        if f > best.gap_mm {
            *best = Gap {
                gap_mm: f,
                at_mm: (x, y),
            };
        }
        // the bound with the signed distance: a child inside the openings is pruned at once
        // (with f it would be split down to the tolerance, everywhere in a covered region)
        if g + hc <= best.gap_mm + TOLERANCE_MM || hc <= TOLERANCE_MM {
            continue;
        }
        // the openings that can be nearest in the child (see the module's method), and
        // perhaps a few farther ones, which never are
        let radius = f + 2.0 * hc;
        for k in from..end {
            let s = stack[k];
            let seg = &ops.segs[s as usize];
            if seg.may_be_within(seg.dist2(x, y), radius) {
                stack.push(s);
            }
        }
        search(ops, stack, end, (x, y), ch, best, cells);
        stack.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::channel::test_capsule as cap;

    /// Discs of radius `r` on a square lattice of pitch `p` over a 20 × 20 mm region.
    fn lattice(p: f64, r: f64) -> Vec<Channel> {
        let n = (24.0 / p) as i32;
        (0..n * n)
            .map(|k| {
                cap(
                    -2.0 + p * f64::from(k % n),
                    -2.0 + p * f64::from(k / n),
                    0.0,
                    0.0,
                    r,
                )
            })
            .collect()
    }

    #[test]
    fn a_covered_region_has_gap_zero_and_costs_no_more_than_a_gappy_one() {
        let p = 0.5;
        // circumradius of the lattice's square p/√2 ≈ 0.354: r = 0.40 covers all, and
        // r = 0.25 leaves the centres of the squares p/√2 − r away from an opening
        let (covered, cost_covered) = max_gap_counted(&lattice(p, 0.40), [20.0, 20.0]).unwrap();
        assert_eq!(covered.gap_mm, 0.0);
        let (gappy, cost_gappy) = max_gap_counted(&lattice(p, 0.25), [20.0, 20.0]).unwrap();
        let want = p / 2f64.sqrt() - 0.25;
        assert!(
            gappy.gap_mm <= want + 1e-12 && gappy.gap_mm >= want - TOLERANCE_MM,
            "{gappy:?}"
        );
        assert!(
            cost_covered <= cost_gappy,
            "covered {cost_covered} cells, gappy {cost_gappy}"
        );
        // just covered: the search stops at the top cells, not at the tolerance
        let (edge, cost_edge) = max_gap_counted(&lattice(p, 0.36), [20.0, 20.0]).unwrap();
        assert_eq!(edge.gap_mm, 0.0);
        assert!(cost_edge <= cost_gappy, "{cost_edge} > {cost_gappy}");
    }

    #[test]
    fn signed_nearest_is_negative_inside_and_matches_brute_force() {
        let chans = lattice(0.5, 0.2);
        let ops = Openings::new(&chans);
        let mut rng = crate::base::rng::Stream::new(5, crate::base::rng::StreamId::Device);
        for _ in 0..2000 {
            let (x, y) = (rng.uniform() * 22.0 - 1.0, rng.uniform() * 22.0 - 1.0);
            let brute = chans
                .iter()
                .map(|c| (c.x_mm - x).hypot(c.y_mm - y) - c.radius_mm)
                .fold(f64::INFINITY, f64::min);
            assert!(
                (ops.signed_nearest(x, y) - brute).abs() < 1e-12,
                "({x}, {y})"
            );
        }
        assert!((ops.signed_nearest(-2.0 + 0.5 * 4.0, -2.0 + 0.5 * 4.0) + 0.2).abs() < 1e-12);
    }

    #[test]
    fn nearest_matches_brute_force() {
        let mut rng = crate::base::rng::Stream::new(3, crate::base::rng::StreamId::Device);
        let chans: Vec<Channel> = (0..300)
            .map(|_| {
                cap(
                    rng.uniform() * 20.0 - 2.0,
                    rng.uniform() * 10.0 - 2.0,
                    (rng.uniform() * 180.0).floor(),
                    if rng.uniform() < 0.5 {
                        0.0
                    } else {
                        rng.uniform()
                    },
                    0.02 + rng.uniform() * 0.2,
                )
            })
            .collect();
        let ops = Openings::new(&chans);
        for _ in 0..2000 {
            let (x, y) = (rng.uniform() * 30.0 - 7.0, rng.uniform() * 20.0 - 7.0);
            let brute = chans
                .iter()
                .map(|c| {
                    let (a, b) = c.segment();
                    crate::base::math::seg_point_dist2(a, b, crate::base::math::Point::new(x, y))
                        .sqrt()
                        - c.radius_mm
                })
                .fold(f64::INFINITY, f64::min)
                .max(0.0);
            assert!((ops.nearest(x, y) - brute).abs() < 1e-12, "({x}, {y})");
        }
    }
}
