//! The area engine: coverage, treated area and largest gap on a raster, in bounded memory.
//!
//! # Method
//! The region is sampled at pixel centres ((i + ½)·p, (j + ½)·p), pitch p = `resolution_um`.
//! **Coverage and treated area** are measured exactly along rows: on each pixel row the union
//! of the intervals where the row crosses the openings (closed capsules) — or the openings
//! grown by the influence radius ρ, capsules of radius r + ρ — is taken in closed form and
//! its length summed. Each row is taken at a stratified random height inside its pixel row
//! ((j + u_j)·p, u_j from a hash of j), which makes the estimate unbiased for any geometry:
//! pens stamp on lattices that line up with the pixel grid, and sampling at pixel centres
//! would then err the same way on every row. Lengths are summed in fixed point (2⁻²⁰ pixel),
//! so totals are exact integers, independent of how the work is split.
//!
//! For the **largest gap** a pixel is *covered* when its centre lies in an opening, and its
//! *distance* is
//! the exact Euclidean distance from its centre to the nearest covered pixel centre, computed
//! with the separable transform of Felzenszwalb & Huttenlocher (2012): a vertical pass (two
//! sweeps per column, run row-wise so they vectorize) gives each pixel the distance g to the
//! nearest covered pixel in its column; a horizontal pass takes the lower envelope of the
//! parabolas (x − x')² + g(x')². Squared distances are integers in pixel units, so every count
//! and the maximum are exact and independent of the order of work.
//!
//! Why a raster transform and not exact geometry: the openings are capsules of different
//! sizes and orientations, whose exact medial structure (an additively weighted Voronoi
//! diagram of segments) is costly and fragile to build, while the transform is O(pixels),
//! branch-light, trivially parallel and exact on its own grid; its error against the
//! continuous definition is below one pixel, which halving the pitch confirms.
//!
//! # Bounded memory: bands with a self-checking halo
//! The region is cut into bands of rows. Each band is processed in a window grown by a halo
//! of H pixels on every side. Any covered pixel within distance H of a band pixel lies in
//! that window, so a band distance d ≤ H is exact; a computed d > H proves the true distance
//! exceeds H too (the window's features are a subset), and the band is redone with a halo of
//! d. The halo's rows are never stored: they only lower, per column, the distance to the
//! nearest covered row above and below the band, so memory is one band of window-wide rows
//! per worker thread, whatever the region's size. The simulated field must reach as far as
//! the halo; when it does not, the engine asks for a wider margin
//! ([`RasterError::NeedMargin`]).
//!
//! # Speed
//! Only the largest distance and where it is first reached are needed, not the distance of
//! every pixel: the envelope is evaluated at the ends of its pieces, and rows that provably
//! cannot hold the band's largest distance skip it (see `process_band`). Row spans come
//! out of x-sorted candidates nearly in order and are merged on line. The results are those
//! of the straightforward method bit for bit; a test holds the two against each other.

use super::tiles::TileGrid;
use crate::channel::Channel;
use crate::error::LimitError;
use crate::progress::Progress;
use rayon::prelude::*;

/// Most pixels one region may have (≈ 50 000 × 50 000; beyond this the run would take
/// minutes per design). Memory does not grow with it: bands bound it.
pub const MAX_PIXELS: u64 = 2_500_000_000;
/// Target bytes of one band window (the stored band is smaller: the halo rows are not kept).
const BAND_BYTES: usize = 48 << 20;
const INF: u32 = u32::MAX / 4;
/// Fixed-point units per pixel of length.
pub const FIXED: f64 = (1u64 << 20) as f64;

/// Height of sampled row `j` inside its pixel row, in [0, 1): splitmix64 of the row index.
pub fn row_offset(j: usize) -> f64 {
    let mut z = (j as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The pixel grid over the region.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    /// Pixel pitch, mm.
    pub pitch_mm: f64,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
}

impl Grid {
    /// The grid of a `area_mm` region at `resolution_um`; refuses more than [`MAX_PIXELS`].
    pub fn new(name: &str, area_mm: [f64; 2], resolution_um: f64) -> Result<Grid, LimitError> {
        let p = resolution_um / 1000.0;
        let nxf = (area_mm[0] / p).round().max(1.0);
        let nyf = (area_mm[1] / p).round().max(1.0);
        let pixels = nxf * nyf;
        if pixels.is_nan() || pixels > MAX_PIXELS as f64 {
            let fit_um = (area_mm[0] * area_mm[1] / MAX_PIXELS as f64).sqrt() * 1000.0;
            return Err(LimitError::Pixels {
                design: name.to_string(),
                lx_mm: area_mm[0],
                ly_mm: area_mm[1],
                resolution_um,
                pixels: pixels.min(u64::MAX as f64) as u64,
                limit: MAX_PIXELS,
                fit_um: (fit_um * 10.0).ceil() / 10.0,
            });
        }
        Ok(Grid {
            pitch_mm: p,
            nx: nxf as usize,
            ny: nyf as usize,
        })
    }

    /// Pixels in the region.
    pub fn pixels(&self) -> u64 {
        self.nx as u64 * self.ny as u64
    }
}

/// Settings of one raster run.
#[derive(Clone, Copy, Debug)]
pub struct RasterSettings {
    /// Influence radius, mm.
    pub influence_radius_mm: f64,
    /// The whole tiles of the region, whose covered length is measured.
    pub tiles: TileGrid,
    /// Side of a picture cell, pixels.
    pub cell_px: usize,
    /// The field's margin around the region, mm (how far the halo may reach).
    pub margin_mm: f64,
    /// First halo to try, mm.
    pub halo_mm: f64,
    /// Rows per band; `None` chooses from the memory budget and thread count. Results do not
    /// depend on it (tests force small bands to prove the seams exact).
    pub band_rows: Option<usize>,
}

/// What the raster yields.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaMaps {
    /// The grid.
    pub grid: Grid,
    /// Covered length summed over the sampled rows, fixed point ([`FIXED`] per pixel).
    pub covered_fx: u64,
    /// Treated length (within the influence radius of an opening), same units.
    pub treated_fx: u64,
    /// The region's length summed over rows, same units (the denominator).
    pub total_fx: u64,
    /// Largest squared distance, pixel units; `None` when there is no opening at all.
    pub max_d2: Option<u64>,
    /// Pixel (column, row) where the largest distance is first reached (row-major order).
    pub max_at: Option<(usize, usize)>,
    /// Tiles wholly inside the region: columns, rows.
    pub tiles: (usize, usize),
    /// Sampled length of each tile, fixed point (row-major, tile rows from y = 0).
    pub tile_px: Vec<u64>,
    /// Covered length of each tile, fixed point.
    pub tile_covered: Vec<u64>,
    /// Picture cells: side in pixels, columns, rows.
    pub cells: (usize, usize, usize),
    /// Covered pixels per cell (row-major).
    pub cell_covered: Vec<u32>,
    /// Treated pixels per cell.
    pub cell_treated: Vec<u32>,
    /// Pixels per cell (edge cells are partial).
    pub cell_px: Vec<u32>,
}

impl AreaMaps {
    /// Share of the region inside an opening.
    pub fn coverage_fraction(&self) -> f64 {
        self.covered_fx as f64 / self.total_fx as f64
    }

    /// Share of the region within the influence radius of an opening.
    pub fn treated_fraction(&self) -> f64 {
        self.treated_fx as f64 / self.total_fx as f64
    }

    /// Largest gap, mm.
    pub fn max_gap_mm(&self) -> Option<f64> {
        self.max_d2
            .map(|d2| (d2 as f64).sqrt() * self.grid.pitch_mm)
    }
}

/// The raster could not be exact with the field it was given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RasterError {
    /// The field must reach at least this far beyond the region, mm.
    NeedMargin(f64),
}

struct Shared<'a> {
    channels: &'a [Channel],
    /// Channel indices sorted by y.
    by_y: Vec<u32>,
    ys: Vec<f64>,
    ext: f64,
    grid: Grid,
    rho_mm: f64,
    max_halo: usize,
    tile_mm: f64,
    row_tile: Vec<u32>,
    ntx: usize,
    nty: usize,
    cell: usize,
    ncx: usize,
}

struct BandOut {
    covered: u64,
    treated: u64,
    max_d2: Option<u64>,
    max_at: Option<(usize, usize)>,
    tile_covered: Vec<u64>,
    cell_covered: Vec<u32>,
    cell_treated: Vec<u32>,
}

/// Runs the engine over `channels` (any order). Parallel over bands; deterministic.
pub fn rasterize(
    channels: &[Channel],
    grid: Grid,
    s: RasterSettings,
    progress: &dyn Progress,
) -> Result<AreaMaps, RasterError> {
    rasterize_with(channels, grid, s, progress, false)
}

/// [`rasterize`], or with `use_reference` (tests only) the straightforward band step of the
/// `reference` module, which the optimized one must match exactly.
fn rasterize_with(
    channels: &[Channel],
    grid: Grid,
    s: RasterSettings,
    progress: &dyn Progress,
    use_reference: bool,
) -> Result<AreaMaps, RasterError> {
    #[cfg(not(test))]
    let _ = use_reference;
    let p = grid.pitch_mm;
    let mut by_y: Vec<u32> = (0..channels.len() as u32).collect();
    by_y.sort_by(|&a, &b| {
        channels[a as usize]
            .y_mm
            .total_cmp(&channels[b as usize].y_mm)
            .then(a.cmp(&b))
    });
    let ys: Vec<f64> = by_y.iter().map(|&i| channels[i as usize].y_mm).collect();
    let ext = channels.iter().map(Channel::extent_mm).fold(0.0, f64::max);
    let TileGrid {
        tile_mm,
        nx: ntx,
        ny: nty,
    } = s.tiles;
    let tile_of = |i: usize, n: usize| {
        let t = (((i as f64) + row_offset(i)) * p / tile_mm).floor() as usize;
        if t < n {
            t as u32
        } else {
            u32::MAX
        }
    };
    let row_tile: Vec<u32> = (0..grid.ny).map(|j| tile_of(j, nty)).collect();
    // Sampled width of each tile column: the whole tile, or, where the pixel columns end
    // before the region does (a pitch that does not divide it), the part the pixels reach.
    let lx = grid.nx as f64 * p;
    let tile_w_fx: Vec<u64> = (0..ntx)
        .map(|tx| {
            let x0 = tx as f64 * tile_mm;
            if x0 + tile_mm <= lx + p * 1e-6 {
                fixed(tile_mm / p)
            } else {
                fixed((lx - x0).max(0.0) / p)
            }
        })
        .collect();
    let mut tile_px = vec![0u64; ntx * nty];
    for &ty in row_tile.iter().filter(|&&t| t != u32::MAX) {
        for (tx, w) in tile_w_fx.iter().enumerate() {
            tile_px[ty as usize * ntx + tx] += w;
        }
    }
    let cell = s.cell_px.max(1);
    let ncx = grid.nx.div_ceil(cell);
    let ncy = grid.ny.div_ceil(cell);
    let max_halo = ((s.margin_mm / p).floor() as usize).max(1);
    let sh = Shared {
        channels,
        by_y,
        ys,
        ext,
        grid,
        rho_mm: s.influence_radius_mm,
        max_halo,
        tile_mm,
        row_tile,
        ntx,
        nty,
        cell,
        ncx,
    };
    let halo0 = ((s.halo_mm / p).ceil() as usize + 1).min(max_halo);
    let threads = rayon::current_num_threads().max(1);
    let width = grid.nx + 2 * halo0;
    let by_mem = (BAND_BYTES / (4 * width))
        .saturating_sub(2 * halo0)
        .max(cell);
    let by_balance = grid.ny.div_ceil(4 * threads).max(64);
    let band = s
        .band_rows
        .unwrap_or(by_mem.min(by_balance))
        .max(cell)
        .div_ceil(cell)
        * cell;
    let bands: Vec<(usize, usize)> = (0..grid.ny)
        .step_by(band)
        .map(|r0| (r0, (r0 + band).min(grid.ny)))
        .collect();
    progress.start("area metrics", grid.ny as u64);
    let outs: Vec<Result<BandOut, RasterError>> = bands
        .par_iter()
        .map_init(Scratch::default, |sc, &(r0, r1)| {
            let mut halo = halo0;
            loop {
                #[cfg(test)]
                let res = if use_reference {
                    reference::process_band(&sh, r0, r1, halo)
                } else {
                    process_band(&sh, sc, r0, r1, halo)
                };
                #[cfg(not(test))]
                let res = process_band(&sh, sc, r0, r1, halo);
                match res {
                    Ok(out) => {
                        progress.advance((r1 - r0) as u64);
                        return Ok(out);
                    }
                    Err(need) if halo < sh.max_halo => halo = need.min(sh.max_halo).max(halo + 1),
                    Err(need) => return Err(RasterError::NeedMargin(need as f64 * p + ext)),
                }
            }
        })
        .collect();
    progress.finish();
    let mut maps = AreaMaps {
        grid,
        covered_fx: 0,
        treated_fx: 0,
        total_fx: fixed(grid.nx as f64) * grid.ny as u64,
        max_d2: None,
        max_at: None,
        tiles: (ntx, nty),
        tile_px,
        tile_covered: vec![0; ntx * nty],
        cells: (cell, ncx, ncy),
        cell_covered: Vec::with_capacity(ncx * ncy),
        cell_treated: Vec::with_capacity(ncx * ncy),
        cell_px: Vec::with_capacity(ncx * ncy),
    };
    for o in outs {
        let o = o?;
        maps.covered_fx += o.covered;
        maps.treated_fx += o.treated;
        if o.max_d2 > maps.max_d2 {
            maps.max_d2 = o.max_d2;
            maps.max_at = o.max_at;
        }
        for (a, b) in maps.tile_covered.iter_mut().zip(&o.tile_covered) {
            *a += b;
        }
        maps.cell_covered.extend(o.cell_covered);
        maps.cell_treated.extend(o.cell_treated);
    }
    for cy in 0..ncy {
        let h = (grid.ny - cy * cell).min(cell);
        for cx in 0..ncx {
            let w = (grid.nx - cx * cell).min(cell);
            maps.cell_px.push((w * h) as u32);
        }
    }
    Ok(maps)
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

/// A length in pixels as fixed point.
fn fixed(len_px: f64) -> u64 {
    (len_px * FIXED).round() as u64
}

/// `x.floor() as i64`, bit for bit, without a call into libm (x86-64 without SSE4.1 has no
/// rounding instruction, and these sit in the innermost loops).
#[inline(always)]
fn floor_i64(x: f64) -> i64 {
    let t = x as i64;
    t.saturating_sub(i64::from((t as f64) > x))
}

/// `x.ceil() as i64`, bit for bit, without a call into libm.
#[inline(always)]
fn ceil_i64(x: f64) -> i64 {
    let t = x as i64;
    t.saturating_add(i64::from((t as f64) < x))
}

/// ⌈√m⌉, exactly.
fn ceil_sqrt(m: u64) -> u64 {
    let mut s = (m as f64).sqrt() as u64;
    while s * s < m {
        s += 1;
    }
    while s > 0 && (s - 1) * (s - 1) >= m {
        s -= 1;
    }
    s
}

/// Per-worker buffers, reused from band to band so that no band allocates or faults in pages.
#[derive(Default)]
struct Scratch {
    /// Vertical distances of the band's rows, window-wide (`nx + 2·halo` columns).
    g: Vec<u32>,
    /// Per window column: rows from the band's first row up to the nearest covered row of
    /// the halo above it (`INF` if none).
    up: Vec<u32>,
    /// Per window column: rows from the band's last row down to the nearest covered row of
    /// the halo below it.
    down: Vec<u32>,
    /// Covered pixels per region column over the current cell's rows.
    colz: Vec<u32>,
    /// The band's candidate channels, sorted by x.
    cands: Vec<Cand>,
    /// Those of the current block of rows.
    block: Vec<u32>,
    env_v: Vec<usize>,
    env_z: Vec<f64>,
    f: Vec<f64>,
    cov: Union,
    tr: Union,
    trp: Union,
}

/// A channel near the band, with the rows on which each kind of span is looked for (the same
/// row windows the spans were always looked for on, so the spans found are the same).
struct Cand {
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

/// The union of closed intervals fed in roughly increasing order, merged on line: intervals
/// that can no longer meet a later one (their end lies before `below`, which later intervals
/// never start before) are final. Intervals merge when they overlap or are less than `gap`
/// apart (0 for lengths; 1 for integer column ranges, which then count the same columns).
/// The result is the same list of disjoint intervals a sort-and-merge would give.
#[derive(Default)]
struct Union {
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
    fn finish(&mut self) -> &[(f64, f64)] {
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

impl Shared<'_> {
    /// Channels whose centre's y lies in [ymin, ymax].
    fn candidates(&self, ymin: f64, ymax: f64) -> impl Iterator<Item = &Channel> + '_ {
        let start = self.ys.partition_point(|&y| y < ymin);
        let end = self.ys.partition_point(|&y| y <= ymax);
        self.by_y[start..end]
            .iter()
            .map(|&i| &self.channels[i as usize])
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
}

/// Rows rows of a block share one x-sorted candidate list.
const BLOCK_ROWS: usize = 16;

/// Processes rows [r0, r1) with a halo of `halo` pixels. `Err(h)`: redo with halo h.
///
/// Exactly the numbers of the straightforward method (the test-only `reference` module):
/// the same window, the same pixels, the same spans; only the work is arranged to touch less
/// memory: halo rows are reduced to one row of distances each way, the lower envelope is
/// evaluated only at the ends of its pieces (a parabola's largest value on an interval is at
/// an end), and each row's spans come out of x-sorted candidates already nearly in order, so
/// they merge on line instead of being sorted.
fn process_band(
    sh: &Shared,
    sc: &mut Scratch,
    r0: usize,
    r1: usize,
    halo: usize,
) -> Result<BandOut, usize> {
    let g = sh.grid;
    let p = g.pitch_mm;
    let nx = g.nx;
    let w = nx + 2 * halo;
    let band_rows = r1 - r0;
    let (r0i, r1i, hi) = (r0 as i64, r1 as i64, halo as i64);

    // 1. Rasterize the window: covered pixel centres get 0.
    sc.g.clear();
    sc.g.resize(band_rows * w, INF);
    sc.up.clear();
    sc.up.resize(w, INF);
    sc.down.clear();
    sc.down.resize(w, INF);
    sc.colz.clear();
    sc.colz.resize(nx, 0);
    let y0 = r0i - hi;
    let ymin = y0 as f64 * p - sh.ext;
    let ymax = (y0 + (band_rows + 2 * halo) as i64) as f64 * p + sh.ext;
    for c in sh.candidates(ymin, ymax) {
        paint_window(c, p, r0i, r1i, hi, w, &mut sc.g, &mut sc.up, &mut sc.down);
    }

    // 2. Vertical pass: distance to the nearest covered pixel in the column, over the band
    // rows, seeded by the halo's nearest covered rows. The upward sweep runs here; the
    // downward one row by row below, just before each row is used (with the upward
    // distances b in place, min(b(r), g(r − 1) + 1) is the distance either way).
    let gb = &mut sc.g;
    let last = (band_rows - 1) * w;
    for (c, &d) in gb[last..].iter_mut().zip(&sc.down) {
        *c = (*c).min(d);
    }
    for r in (0..band_rows - 1).rev() {
        let (cur, below) = gb.split_at_mut((r + 1) * w);
        let next = &below[..w];
        for (c, &nv) in cur[r * w..].iter_mut().zip(next) {
            *c = (*c).min(nv + 1);
        }
    }

    // 3. Candidates for the spans, sorted by x.
    let lx = nx as f64 * p;
    let rho = sh.rho_mm;
    let grow = sh.rho_mm + sh.ext;
    let (cov_lo, cov_hi) = (r0 as f64 * p - sh.ext, r1 as f64 * p + sh.ext);
    let (tr_lo, tr_hi) = (r0 as f64 * p - grow, r1 as f64 * p + grow);
    // Every span of a candidate at x lies within [x − reach, x + reach].
    let reach = (grow.max(sh.ext)) * (1.0 + 1e-9) + 1e-6;
    sc.cands.clear();
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
        sc.cands.push(Cand {
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
    sc.cands.sort_by(|a, b| a.x.total_cmp(&b.x));

    let mut out = BandOut {
        covered: 0,
        treated: 0,
        max_d2: None,
        max_at: None,
        tile_covered: vec![0; sh.ntx * sh.nty],
        cell_covered: vec![0; sh.ncx * band_rows.div_ceil(sh.cell)],
        cell_treated: vec![0; sh.ncx * band_rows.div_ceil(sh.cell)],
    };
    sc.env_v.resize(w, 0);
    sc.env_z.resize(w + 1, 0.0);
    sc.f.resize(w, 0.0);
    let halo2 = (halo * halo) as u64;
    let (xa, xb) = (halo as i64, (halo + nx) as i64 - 1);
    // Bound on the largest distance of the next row, pixels (none yet).
    let mut lip = u64::from(u32::MAX);
    for b0 in (r0..r1).step_by(BLOCK_ROWS) {
        let b1 = (b0 + BLOCK_ROWS).min(r1);
        let (b0i, b1i) = (b0 as i64, b1 as i64 - 1);
        let meets = |rows: (i64, i64)| rows.0 <= b1i && rows.1 >= b0i;
        sc.block.clear();
        for (i, c) in sc.cands.iter().enumerate() {
            if meets(c.cov_rows) || meets(c.tr_rows) || meets(c.px_rows) {
                sc.block.push(i as u32);
            }
        }
        for r in b0..b1 {
            let at = (r - r0) * w;
            if r == r0 {
                for (c, &u) in sc.g[..w].iter_mut().zip(&sc.up) {
                    *c = (*c).min(u);
                }
            } else {
                let (above, cur) = sc.g.split_at_mut(at);
                for (c, &pv) in cur[..w].iter_mut().zip(&above[at - w..]) {
                    *c = (*c).min(pv + 1);
                }
            }
            let row = &sc.g[at..at + w];
            // A row that cannot raise the band's largest squared distance `m` cannot fail the
            // halo check `m` already passed either: its envelope is not needed. Two bounds
            // on the row's largest distance, in pixels: `lip`, from the rows above, as the
            // distance to a fixed set of pixels moves by at most 1 from row to row; and the
            // largest vertical distance g (d ≤ g in every column). A row with any finite g
            // has finite g in every row of the band (the same column), so a skipped row is
            // never one without any covered pixel.
            let gmax = row[halo..halo + nx].iter().copied().max().unwrap_or(INF);
            let gmax = u64::from(gmax);
            let settled = out.max_d2.is_some_and(|m| {
                lip.saturating_mul(lip) <= m || (gmax < INF as u64 && gmax * gmax <= m)
            });
            if settled {
                lip = lip.min(gmax) + 1;
            } else {
                // 4. Lower envelope of the parabolas (x − q)² + g(q)² over the finite g.
                let (env_v, env_z, f) = (&mut sc.env_v, &mut sc.env_z, &mut sc.f);
                let mut k: isize = -1;
                for (q, &gq) in row.iter().enumerate() {
                    // Inside a run of covered columns only the run's ends can be nearest to an
                    // uncovered column; the columns inside are covered, distance 0.
                    if gq >= INF
                        || (gq == 0 && q > 0 && q + 1 < w && row[q - 1] == 0 && row[q + 1] == 0)
                    {
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
                if out.max_d2.is_none_or(|m| best > m) {
                    out.max_d2 = Some(best);
                    out.max_at = Some((best_x, r));
                }
                lip = ceil_sqrt(best) + 1;
            }
            // 5. Spans of the row: coverage and treated at the row's sampled height, treated
            // pixel centres at its centre.
            let ri = r as i64;
            let ys = (r as f64 + row_offset(r)) * p;
            let yc = (r as f64 + 0.5) * p;
            sc.cov.reset(0.0);
            sc.tr.reset(0.0);
            sc.trp.reset(1.0);
            let inside = |rows: (i64, i64)| rows.0 <= ri && ri <= rows.1;
            // Far more than the rounding of the comparisons below, far less than a pixel.
            let slack = p * 1e-6;
            for &i in &sc.block {
                let c = &sc.cands[i as usize];
                let below = c.x - reach;
                // A span inside an interval already merged changes nothing: it is not added.
                if inside(c.cov_rows) {
                    sc.cov.flush(below);
                    if let Some((a, b)) = capsule_row_span(&c.plain, ys) {
                        let (a, b) = (a.max(0.0), b.min(lx));
                        if a < b && !sc.cov.covers(a, b) {
                            sc.cov.add(a, b);
                        }
                    }
                }
                if inside(c.tr_rows) {
                    sc.tr.flush(below);
                    if let Some((a, b)) = capsule_row_span(&c.grown, ys) {
                        let (a, b) = (a.max(0.0), b.min(lx));
                        if a < b && !sc.tr.covers(a, b) {
                            sc.tr.add(a, b);
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
                        let known = sc.trp.open.last().is_some_and(|&(l, h)| {
                            xl >= (l - 0.5) * p + slack && xr <= (h + 1.5) * p - slack
                        });
                        if !known {
                            sc.trp.flush(c.cols.0);
                            let ca = ceil_i64(xl / p - 0.5).max(0);
                            let cb = floor_i64(xr / p - 0.5).min(nx as i64 - 1);
                            if ca <= cb {
                                sc.trp.add(ca as f64, cb as f64);
                            }
                        }
                    }
                }
            }

            // 6. Tallies.
            let spans = sc.cov.finish();
            for &(a, b) in spans {
                out.covered += fixed((b - a) / p);
            }
            for &(a, b) in sc.tr.finish() {
                out.treated += fixed((b - a) / p);
            }
            let ty = sh.row_tile[r];
            if ty != u32::MAX {
                let base = ty as usize * sh.ntx;
                let t = sh.tile_mm;
                for &(a, b) in spans {
                    let first = (a / t).floor() as usize;
                    for tx in first..sh.ntx {
                        let (lo, hi) = (a.max(tx as f64 * t), b.min((tx + 1) as f64 * t));
                        if lo >= b {
                            break;
                        }
                        if hi > lo {
                            out.tile_covered[base + tx] += fixed((hi - lo) / p);
                        }
                    }
                }
            }
            let cbase = ((r - r0) / sh.cell) * sh.ncx;
            // Covered pixels per column over the cell's rows, then per cell.
            for (z, &d) in sc.colz.iter_mut().zip(&row[halo..halo + nx]) {
                *z += u32::from(d == 0);
            }
            if (r - r0 + 1) % sh.cell == 0 || r + 1 == r1 {
                let cells = &mut out.cell_covered[cbase..cbase + sh.ncx];
                for (cc, chunk) in cells.iter_mut().zip(sc.colz.chunks(sh.cell)) {
                    *cc += chunk.iter().sum::<u32>();
                }
                sc.colz.fill(0);
            }
            let cells = &mut out.cell_treated[cbase..cbase + sh.ncx];
            for &(a, b) in sc.trp.finish() {
                let (a, b) = (a as usize, b as usize);
                for (cx, ct) in cells
                    .iter_mut()
                    .enumerate()
                    .take(b / sh.cell + 1)
                    .skip(a / sh.cell)
                {
                    let lo = a.max(cx * sh.cell);
                    let hi = b.min((cx + 1) * sh.cell - 1);
                    *ct += (hi - lo + 1) as u32;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::test_capsule as cap;
    use crate::progress::Silent;
    use approx::assert_relative_eq;

    fn settings(margin: f64) -> RasterSettings {
        RasterSettings {
            influence_radius_mm: 0.5,
            tiles: TileGrid::new([4.0, 4.0], 1.0),
            cell_px: 10,
            margin_mm: margin,
            halo_mm: 0.5,
            band_rows: None,
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

    /// Discs of radius `r` on a square lattice of pitch `p`, centres at ((i + ½)p, (j + ½)p),
    /// filling the region [0, n·p]² and a margin of `extra` cells.
    fn lattice(n: i32, extra: i32, p: f64, r: f64) -> Vec<Channel> {
        let mut v = Vec::new();
        for j in -extra..n + extra {
            for i in -extra..n + extra {
                v.push(cap((i as f64 + 0.5) * p, (j as f64 + 0.5) * p, 0.0, 0.0, r));
            }
        }
        v
    }

    #[test]
    fn lattice_gap_coverage_and_treated_match_closed_forms() {
        let (p, r, rho) = (1.0, 0.15, 0.3);
        let grid = Grid::new("t", [6.0, 6.0], 10.0).unwrap();
        let s = RasterSettings {
            influence_radius_mm: rho,
            tiles: TileGrid::new([6.0, 6.0], 1.0),
            cell_px: 1,
            margin_mm: 3.0,
            halo_mm: 1.0,
            band_rows: None,
        };
        let m = rasterize(&lattice(6, 3, p, r), grid, s, &Silent).unwrap();
        // coverage π r²/p², treated π (r + ρ)²/p² (r + ρ < p/2), largest gap p/√2 − r
        assert_relative_eq!(
            m.coverage_fraction(),
            std::f64::consts::PI * r * r / (p * p),
            epsilon = 0.002
        );
        assert_relative_eq!(
            m.treated_fraction(),
            std::f64::consts::PI * (r + rho).powi(2) / (p * p),
            epsilon = 0.002
        );
        let gap = m.max_gap_mm().unwrap();
        assert!(
            (gap - (p / 2f64.sqrt() - r)).abs() <= grid.pitch_mm,
            "gap {gap}"
        );
        // every whole tile holds one disc: each tile's coverage is the disc's share
        for (c, t) in m.tile_covered.iter().zip(&m.tile_px) {
            assert_relative_eq!(
                *c as f64 / *t as f64,
                std::f64::consts::PI * r * r / (p * p),
                epsilon = 0.003
            );
        }
    }

    #[test]
    fn boolean_model_coverage() {
        // Poisson discs, intensity λ = 4 /mm², radius 0.2 mm: coverage 1 − exp(−λπr²)
        let (lambda, r, side, margin) = (4.0, 0.2, 60.0, 1.0);
        let mut rng = crate::rng::Stream::new(11, crate::rng::StreamId::Device);
        let field = side + 2.0 * margin;
        let n = (lambda * field * field) as usize;
        let discs: Vec<Channel> = (0..n)
            .map(|_| {
                cap(
                    rng.uniform() * field - margin,
                    rng.uniform() * field - margin,
                    0.0,
                    0.0,
                    r,
                )
            })
            .collect();
        let grid = Grid::new("t", [side, side], 20.0).unwrap();
        let s = RasterSettings {
            influence_radius_mm: 0.0,
            tiles: TileGrid::new([side, side], 5.0),
            cell_px: 4,
            margin_mm: margin,
            halo_mm: 0.5,
            band_rows: None,
        };
        let m = rasterize(&discs, grid, s, &Silent).unwrap();
        let expect = 1.0 - (-lambda * std::f64::consts::PI * r * r).exp();
        let got = m.coverage_fraction();
        assert!(
            (got - expect).abs() < 0.01,
            "coverage {got} vs Boolean model {expect}"
        );
    }

    #[test]
    fn band_seams_and_halo_retries_change_nothing() {
        // A lattice whose largest gaps sit on many band boundaries, and a sparse corner.
        let mut discs = lattice(5, 2, 1.3, 0.1);
        discs.retain(|c| !(c.x_mm > 2.0 && c.x_mm < 4.5 && c.y_mm > 2.0 && c.y_mm < 4.5));
        let grid = Grid::new("t", [6.5, 6.5], 10.0).unwrap();
        let base = RasterSettings {
            influence_radius_mm: 0.4,
            tiles: TileGrid::new([6.5, 6.5], 1.3),
            cell_px: 1,
            margin_mm: 2.6,
            halo_mm: 2.5,
            band_rows: Some(650),
        };
        let one = rasterize(&discs, grid, base, &Silent).unwrap();
        for (band, halo) in [(1, 2.5), (7, 0.05), (64, 0.2), (130, 1.0)] {
            let s = RasterSettings {
                band_rows: Some(band),
                halo_mm: halo,
                ..base
            };
            assert_eq!(
                rasterize(&discs, grid, s, &Silent).unwrap(),
                one,
                "band {band} halo {halo}"
            );
        }
        // the hole left by the removed discs is the largest gap, far past the first halo
        assert!(one.max_gap_mm().unwrap() > 1.0);
    }

    #[test]
    fn field_too_small_asks_for_margin() {
        let discs = vec![cap(0.5, 0.5, 0.0, 0.0, 0.1)];
        let grid = Grid::new("t", [8.0, 8.0], 20.0).unwrap();
        let s = RasterSettings {
            influence_radius_mm: 0.1,
            tiles: TileGrid::new([8.0, 8.0], 1.0),
            cell_px: 4,
            margin_mm: 0.5,
            halo_mm: 0.2,
            band_rows: None,
        };
        assert!(matches!(
            rasterize(&discs, grid, s, &Silent),
            Err(RasterError::NeedMargin(_))
        ));
    }

    /// A random field: discs and capsules of mixed sizes and directions over the region and
    /// a margin, some clustered so that gaps of every size occur.
    fn random_field(seed: u64, n: usize, side: f64, margin: f64) -> Vec<Channel> {
        let mut rng = crate::rng::Stream::new(seed, crate::rng::StreamId::Device);
        let mut v = Vec::new();
        let field = side + 2.0 * margin;
        for i in 0..n {
            let (x, y) = if i % 3 == 0 {
                // clustered in the lower left quarter
                (
                    rng.uniform() * field / 2.0 - margin,
                    rng.uniform() * field / 2.0 - margin,
                )
            } else {
                (
                    rng.uniform() * field - margin,
                    rng.uniform() * field - margin,
                )
            };
            let slit = if rng.uniform() < 0.5 {
                0.0
            } else {
                rng.uniform() * 0.8
            };
            let deg = (rng.uniform() * 180.0).floor();
            v.push(cap(x, y, deg, slit, 0.01 + rng.uniform() * 0.2));
        }
        v
    }

    #[test]
    fn optimized_band_step_matches_the_straightforward_one_exactly() {
        // Every number, map and error must be the same as the straightforward method's,
        // whatever the field, the influence radius, the bands and the first halo.
        let cases = [
            (1, 40, 4.0, 10.0, 0.5, None, 0.3),
            (2, 300, 4.0, 10.0, 0.2, None, 0.05),
            (3, 120, 3.0, 7.0, 0.0, Some(13), 0.1),
            (4, 15, 5.0, 20.0, 0.3, Some(1), 0.02),
            (5, 600, 5.0, 10.0, 0.1, Some(64), 0.4),
            (6, 4, 3.0, 10.0, 0.4, None, 0.1),
        ];
        let (mut ok, mut err) = (0, 0);
        for (seed, n, side, res, rho, band, halo) in cases {
            let margin = 1.5;
            let discs = random_field(seed, n, side, margin);
            let grid = Grid::new("t", [side, side], res).unwrap();
            for (cell, band) in [(1, band), (7, band.map(|b| b * 7))] {
                let s = RasterSettings {
                    influence_radius_mm: rho,
                    tiles: TileGrid::new([side, side], 0.7),
                    cell_px: cell,
                    margin_mm: margin,
                    halo_mm: halo,
                    band_rows: band,
                };
                let fast = rasterize_with(&discs, grid, s, &Silent, false);
                let slow = rasterize_with(&discs, grid, s, &Silent, true);
                assert_eq!(fast, slow, "seed {seed} cell {cell}");
                match fast {
                    Ok(m) => {
                        ok += 1;
                        assert!(m.covered_fx > 0 && m.max_d2.is_some_and(|d| d > 0));
                    }
                    Err(_) => err += 1,
                }
            }
        }
        // both paths were exercised: fields the margin suffices for, and fields it does not
        assert!(ok >= 8 && err >= 1, "ok {ok} err {err}");
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
    fn fast_floor_and_ceil_match_the_library() {
        for x in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            2.999_999,
            -2.999_999,
            1e15 + 0.5,
            -1e15 - 0.5,
            9.3e18,
            -9.3e18,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            4503599627370497.0,
        ] {
            assert_eq!(floor_i64(x), x.floor() as i64, "floor {x}");
            assert_eq!(ceil_i64(x), x.ceil() as i64, "ceil {x}");
        }
        let mut rng = crate::rng::Stream::new(9, crate::rng::StreamId::Device);
        for _ in 0..10_000 {
            let x = (rng.uniform() - 0.5) * 10f64.powi((rng.uniform() * 20.0) as i32);
            assert_eq!(floor_i64(x), x.floor() as i64);
            assert_eq!(ceil_i64(x), x.ceil() as i64);
        }
        for m in 0..5000u64 {
            let s = ceil_sqrt(m);
            assert!(s * s >= m && (s == 0 || (s - 1) * (s - 1) < m));
        }
    }
}
