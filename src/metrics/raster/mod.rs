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
//! cannot hold the band's largest distance skip it (see `distance::settled`). Row spans come
//! out of x-sorted candidates nearly in order and are merged on line. The results are those
//! of the straightforward method bit for bit; a test holds the two against each other.
//!
//! # Files
//! This module holds the types, the split into bands and the band step's outline
//! (`process_band`); `span` the row spans (coverage, treated area), `distance` the
//! distance transform (largest gap), `tally` the fixed-point tallies and the merge of the
//! bands; `reference` (tests only) the straightforward band step they must match.

mod distance;
#[cfg(test)]
mod reference;
mod span;
mod tally;

pub use span::{capsule_row_span, row_offset};

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
        let min_across = crate::error::MIN_PIXELS_ACROSS as f64;
        if nxf.min(nyf) < min_across {
            let side_mm = area_mm[0].min(area_mm[1]);
            return Err(LimitError::Coarse {
                design: name.to_string(),
                resolution_um,
                across: nxf.min(nyf) as u64,
                side_mm,
                fit_um: (side_mm / min_across * 1000.0 * 10.0).floor() / 10.0,
            });
        }
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
    let (row_tile, tile_px) = tally::tile_layout(grid, s.tiles);
    let cell = s.cell_px.max(1);
    let ncx = grid.nx.div_ceil(cell);
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
    tally::merge(grid, &sh, tile_px, outs)
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

/// Per-worker buffers, reused from band to band so that no band allocates or faults in pages.
#[derive(Default)]
struct Scratch {
    /// Vertical distances of the band's rows and the halo's nearest covered rows.
    vert: distance::Vertical,
    /// The lower envelope's buffers.
    env: distance::Envelope,
    /// The band's candidate channels.
    cands: span::Candidates,
    /// The current row's spans.
    spans: span::RowSpans,
    /// Covered pixels per region column over the current cell's rows.
    colz: Vec<u32>,
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

/// Rows of a block share one x-sorted candidate list.
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
    let nx = sh.grid.nx;
    let w = nx + 2 * halo;
    // 1. Rasterize the window: covered pixel centres get 0.
    sc.vert.paint(sh, r0, r1, halo);
    // 2. Vertical pass, upward; the downward sweep runs row by row below.
    sc.vert.sweep_up(r1 - r0, w);
    sc.colz.clear();
    sc.colz.resize(nx, 0);
    // 3. Candidates for the spans, sorted by x.
    let geo = sc.cands.collect(sh, r0, r1);
    let mut out = BandOut::new(sh, r1 - r0);
    sc.env.prepare(w);
    // Bound on the largest distance of the next row, pixels (none yet).
    let mut lip = u64::from(u32::MAX);
    for b0 in (r0..r1).step_by(BLOCK_ROWS) {
        let b1 = (b0 + BLOCK_ROWS).min(r1);
        sc.cands.select_block(b0, b1);
        for r in b0..b1 {
            let at = (r - r0) * w;
            sc.vert.sweep_down_row(r - r0, w);
            let row = &sc.vert.g[at..at + w];
            // 4. The row's largest distance, unless it cannot raise the band's.
            if !distance::settled(out.max_d2, &mut lip, &row[halo..halo + nx]) {
                let (best, best_x) = sc.env.row_max(row, halo, nx)?;
                if out.max_d2.is_none_or(|m| best > m) {
                    out.max_d2 = Some(best);
                    out.max_at = Some((best_x, r));
                }
                lip = distance::ceil_sqrt(best) + 1;
            }
            // 5. Spans of the row.
            sc.spans.collect(&sc.cands, r, &geo);
            // 6. Tallies.
            let row_px = &sc.vert.g[at + halo..at + halo + nx];
            tally::tally_row(
                sh,
                &mut out,
                &mut sc.spans,
                &mut sc.colz,
                row_px,
                r,
                (r0, r1),
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::distance::ceil_sqrt;
    use super::*;
    use crate::channel::test_capsule as cap;
    use crate::progress::Silent;

    pub(super) fn settings(margin: f64) -> RasterSettings {
        RasterSettings {
            influence_radius_mm: 0.5,
            tiles: TileGrid::new([4.0, 4.0], 1.0),
            cell_px: 10,
            margin_mm: margin,
            halo_mm: 0.5,
            band_rows: None,
        }
    }

    /// Discs of radius `r` on a square lattice of pitch `p`, centres at ((i + ½)p, (j + ½)p),
    /// filling the region [0, n·p]² and a margin of `extra` cells.
    pub(super) fn lattice(n: i32, extra: i32, p: f64, r: f64) -> Vec<Channel> {
        let mut v = Vec::new();
        for j in -extra..n + extra {
            for i in -extra..n + extra {
                v.push(cap((i as f64 + 0.5) * p, (j as f64 + 0.5) * p, 0.0, 0.0, r));
            }
        }
        v
    }

    /// A random field: discs and capsules of mixed sizes and directions over the region and
    /// a margin, some clustered so that gaps of every size occur.
    pub(super) fn random_field(seed: u64, n: usize, side: f64, margin: f64) -> Vec<Channel> {
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
