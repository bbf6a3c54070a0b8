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
//! d. Memory is one window per worker thread, whatever the region's size. The simulated field
//! must reach as far as the halo; when it does not, the engine asks for a wider margin
//! ([`RasterError::NeedMargin`]).

use crate::channel::Channel;
use crate::error::LimitError;
use crate::progress::Progress;
use rayon::prelude::*;

/// Most pixels one region may have (≈ 50 000 × 50 000; beyond this the run would take
/// minutes per design). Memory does not grow with it: bands bound it.
pub const MAX_PIXELS: u64 = 2_500_000_000;
/// Target bytes of one band window.
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
    /// Tile side, mm.
    pub tile_mm: f64,
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
    let ntx = (grid.nx as f64 * p / s.tile_mm + 1e-9).floor() as usize;
    let nty = (grid.ny as f64 * p / s.tile_mm + 1e-9).floor() as usize;
    let tile_of = |i: usize, n: usize| {
        let t = (((i as f64) + row_offset(i)) * p / s.tile_mm).floor() as usize;
        if t < n {
            t as u32
        } else {
            u32::MAX
        }
    };
    let row_tile: Vec<u32> = (0..grid.ny).map(|j| tile_of(j, nty)).collect();
    let tile_w_fx = fixed(s.tile_mm / p);
    let mut tile_px = vec![0u64; ntx * nty];
    for &ty in row_tile.iter().filter(|&&t| t != u32::MAX) {
        for tx in 0..ntx {
            tile_px[ty as usize * ntx + tx] += tile_w_fx;
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
        tile_mm: s.tile_mm,
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
        .map(|&(r0, r1)| {
            let mut halo = halo0;
            loop {
                match process_band(&sh, r0, r1, halo) {
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

/// Sorts intervals and merges overlapping ones in place.
fn union(spans: &mut Vec<(f64, f64)>) {
    spans.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out = 0;
    for i in 0..spans.len() {
        if out > 0 && spans[i].0 <= spans[out - 1].1 {
            spans[out - 1].1 = spans[out - 1].1.max(spans[i].1);
        } else {
            spans[out] = spans[i];
            out += 1;
        }
    }
    spans.truncate(out);
}

impl Shared<'_> {
    /// Intervals (clipped to the region) where each sampled row of the band crosses the
    /// openings grown by `grow_mm`.
    fn row_spans(&self, r0: usize, r1: usize, grow_mm: f64) -> Vec<Vec<(f64, f64)>> {
        let p = self.grid.pitch_mm;
        let lx = self.grid.nx as f64 * p;
        let mut rows: Vec<Vec<(f64, f64)>> = vec![Vec::new(); r1 - r0];
        let reach = self.ext + grow_mm;
        for c in self.candidates(r0 as f64 * p - reach, r1 as f64 * p + reach) {
            let grown = Channel {
                radius_mm: c.radius_mm + grow_mm,
                ..*c
            };
            let e = grown.extent_mm();
            let ra = (((c.y_mm - e) / p).floor() as i64 - 1).max(r0 as i64) as usize;
            let rb = (((c.y_mm + e) / p).ceil() as i64 + 1).min(r1 as i64 - 1);
            if rb < ra as i64 {
                continue;
            }
            for r in ra..=rb as usize {
                let y = (r as f64 + row_offset(r)) * p;
                if let Some((a, b)) = capsule_row_span(&grown, y) {
                    let (a, b) = (a.max(0.0), b.min(lx));
                    if a < b {
                        rows[r - r0].push((a, b));
                    }
                }
            }
        }
        rows
    }

    /// Channels whose centre's y lies in [ymin, ymax].
    fn candidates(&self, ymin: f64, ymax: f64) -> impl Iterator<Item = &Channel> + '_ {
        let start = self.ys.partition_point(|&y| y < ymin);
        let end = self.ys.partition_point(|&y| y <= ymax);
        self.by_y[start..end]
            .iter()
            .map(|&i| &self.channels[i as usize])
    }
}

/// Sets `val` in `buf` (row-major, `ncols` wide, first row/column at global pixel `row0`,
/// `col0`) on every pixel whose centre lies in the opening of `c` grown by `grow_mm`.
#[allow(clippy::too_many_arguments)]
fn paint<T: Copy>(
    c: &Channel,
    grow_mm: f64,
    p: f64,
    row0: i64,
    nrows: usize,
    col0: i64,
    ncols: usize,
    buf: &mut [T],
    val: T,
) {
    let grown;
    let c = if grow_mm > 0.0 {
        grown = Channel {
            radius_mm: c.radius_mm + grow_mm,
            ..*c
        };
        &grown
    } else {
        c
    };
    let e = c.extent_mm();
    let ra = (((c.y_mm - e) / p - 0.5).ceil() as i64 - row0).max(0);
    let rb = (((c.y_mm + e) / p - 0.5).floor() as i64 - row0).min(nrows as i64 - 1);
    for rr in ra..=rb {
        let yc = ((rr + row0) as f64 + 0.5) * p;
        let Some((xl, xr)) = capsule_row_span(c, yc) else {
            continue;
        };
        let ca = ((xl / p - 0.5).ceil() as i64 - col0).max(0);
        let cb = ((xr / p - 0.5).floor() as i64 - col0).min(ncols as i64 - 1);
        if ca <= cb {
            let row = &mut buf[rr as usize * ncols..(rr as usize + 1) * ncols];
            row[ca as usize..=cb as usize].fill(val);
        }
    }
}

/// Processes rows [r0, r1) with a halo of `halo` pixels. `Err(h)`: redo with halo h.
fn process_band(sh: &Shared, r0: usize, r1: usize, halo: usize) -> Result<BandOut, usize> {
    let g = sh.grid;
    let p = g.pitch_mm;
    let w = g.nx + 2 * halo;
    let rows = r1 - r0 + 2 * halo;
    // Window origin in global pixel coordinates.
    let x0 = -(halo as i64);
    let y0 = r0 as i64 - halo as i64;
    let mut dist = vec![INF; w * rows];

    // 1. Rasterize: covered pixel centres get 0.
    let ymin = y0 as f64 * p - sh.ext;
    let ymax = (y0 + rows as i64) as f64 * p + sh.ext;
    for c in sh.candidates(ymin, ymax) {
        paint(c, 0.0, p, y0, rows, x0, w, &mut dist, 0);
    }
    // Treated: pixel centres inside an opening dilated by the influence radius (a capsule of
    // radius r + ρ), exact at the pixel centres like coverage.
    let band_rows = r1 - r0;
    let mut treated = vec![0u8; band_rows * g.nx];
    let grow = sh.rho_mm + sh.ext;
    for c in sh.candidates(r0 as f64 * p - grow, r1 as f64 * p + grow) {
        paint(
            c,
            sh.rho_mm,
            p,
            r0 as i64,
            band_rows,
            0,
            g.nx,
            &mut treated,
            1,
        );
    }

    // 2. Vertical pass: distance to the nearest covered pixel in the column.
    for r in 1..rows {
        let (above, cur) = dist.split_at_mut(r * w);
        let prev = &above[(r - 1) * w..];
        for (c, &pv) in cur[..w].iter_mut().zip(prev) {
            *c = (*c).min(pv + 1).min(INF);
        }
    }
    for r in (0..rows - 1).rev() {
        let (cur, below) = dist.split_at_mut((r + 1) * w);
        let next = &below[..w];
        for (c, &nv) in cur[r * w..].iter_mut().zip(next) {
            *c = (*c).min(nv + 1);
        }
    }

    // 3. Horizontal pass on the band's rows, region columns only, and the tallies.
    let mut cov_rows = sh.row_spans(r0, r1, 0.0);
    let mut tr_rows = sh.row_spans(r0, r1, sh.rho_mm);
    let mut out = BandOut {
        covered: 0,
        treated: 0,
        max_d2: None,
        max_at: None,
        tile_covered: vec![0; sh.ntx * sh.nty],
        cell_covered: vec![0; sh.ncx * (r1 - r0).div_ceil(sh.cell)],
        cell_treated: vec![0; sh.ncx * (r1 - r0).div_ceil(sh.cell)],
    };
    let mut env_v = vec![0usize; w];
    let mut env_z = vec![0f64; w + 1];
    let mut f = vec![0f64; w];
    let mut d2row = vec![0u64; g.nx];
    let halo2 = (halo * halo) as u64;
    for r in r0..r1 {
        let wr = r - r0 + halo;
        let row = &dist[wr * w..(wr + 1) * w];
        // lower envelope of parabolas over the finite g
        let mut k: isize = -1;
        for (q, &gq) in row.iter().enumerate() {
            if gq >= INF {
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
        let mut j = 0usize;
        for (x, d) in d2row.iter_mut().enumerate() {
            let xf = (x + halo) as f64;
            while env_z[j + 1] < xf {
                j += 1;
            }
            let v = env_v[j];
            let dx = (x + halo) as i64 - v as i64;
            *d = (dx * dx) as u64 + (row[v] as u64) * (row[v] as u64);
        }
        // tallies
        let mut cov = 0u64;
        let mut tr = 0u64;
        let mut best = 0u64;
        let mut best_x = 0usize;
        let trow = &treated[(r - r0) * g.nx..(r - r0 + 1) * g.nx];
        let spans = &mut cov_rows[r - r0];
        union(spans);
        let tspans = &mut tr_rows[r - r0];
        union(tspans);
        for &(a, b) in spans.iter() {
            cov += fixed((b - a) / p);
        }
        for &(a, b) in tspans.iter() {
            tr += fixed((b - a) / p);
        }
        for (x, &d) in d2row.iter().enumerate() {
            if d > best {
                best = d;
                best_x = x;
            }
        }
        if best > halo2 {
            let need = (best as f64).sqrt().ceil() as usize + 1;
            return Err(need);
        }
        out.covered += cov;
        out.treated += tr;
        if out.max_d2.is_none_or(|m| best > m) {
            out.max_d2 = Some(best);
            out.max_at = Some((best_x, r));
        }
        let ty = sh.row_tile[r];
        if ty != u32::MAX {
            let base = ty as usize * sh.ntx;
            let t = sh.tile_mm;
            for &(a, b) in spans.iter() {
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
        for (cx, (chunk, tchunk)) in d2row.chunks(sh.cell).zip(trow.chunks(sh.cell)).enumerate() {
            let cc = chunk.iter().filter(|&&d| d == 0).count() as u32;
            let ct = tchunk.iter().map(|&t| u32::from(t)).sum::<u32>();
            out.cell_covered[cbase + cx] += cc;
            out.cell_treated[cbase + cx] += ct;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::test_capsule as cap;
    use crate::progress::Silent;
    use approx::assert_relative_eq;

    fn settings(margin: f64) -> RasterSettings {
        RasterSettings {
            influence_radius_mm: 0.5,
            tile_mm: 1.0,
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
            tile_mm: 1.0,
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
            tile_mm: 5.0,
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
            tile_mm: 1.3,
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
            tile_mm: 1.0,
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
}
