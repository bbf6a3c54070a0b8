//! The area engine: coverage, treated area, picture cells and the largest gap, in bounded
//! memory.
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
//! **Picture cells** count, per cell, the pixels whose centre lies in an opening (or that
//! hold an opening's centre or a slit's end, so that no opening narrower than a pixel is
//! invisible) and those whose centre lies within ρ of one: both from the column ranges where
//! each row's centre line crosses the openings, in closed form too. No pixel is stored.
//!
//! **The largest gap** is measured from the geometry by default ([`GapMethod::Exact`],
//! [`crate::metrics::gap`]): the largest distance from a point of the region to the nearest
//! opening, to within 0.5 µm whatever the pitch. The raster's own measure
//! ([`GapMethod::Raster`]) remains for comparison and tests: a pixel is *covered* as for the
//! picture cells, and its *distance* is the exact Euclidean distance from its centre to the
//! nearest covered pixel centre, computed with the separable transform of Felzenszwalb &
//! Huttenlocher (2012): a vertical pass (two sweeps per column, run row-wise so they
//! vectorize) gives each pixel the distance g to the nearest covered pixel in its column; a
//! horizontal pass takes the lower envelope of the parabolas (x − x')² + g(x')². Squared
//! distances are integers in pixel units, so the maximum is exact on its grid; against the
//! continuous definition it errs by up to about a pixel. The transform is O(pixels); the
//! exact search costs O(openings) plus a little per local maximum near the largest, and wins
//! on every design of `designs/` and `designs/bench/` (see `benches/raster.rs`), so the
//! engine does not choose between them.
//!
//! # Bounded memory: bands with a self-checking halo
//! The region is cut into bands of rows; the picture cells of a band are whole cell rows,
//! which the band writes in place. With the transform, each band is processed in a window
//! grown by a halo of H pixels on every side. Any covered pixel within distance H of a band
//! pixel lies in that window, so a band distance d ≤ H is exact; a computed d > H proves the
//! true distance exceeds H too (the window's features are a subset), and the band is redone
//! with a halo of d. The halo's rows are never stored: they only lower, per column, the
//! distance to the nearest covered row above and below the band, so memory is one band of
//! window-wide rows per worker thread, whatever the region's size. The simulated field must
//! reach as far as the halo — with the exact gap, as far as the gap — and when it does not,
//! the engine asks for a wider margin ([`RasterError::NeedMargin`]).
//!
//! # Speed
//! Row spans come out of x-sorted candidates nearly in order and are merged on line; each
//! candidate's capsule is prepared once per band (`shape::Shape`), giving the same spans bit
//! for bit. On each block of rows, the grown openings that provably lie inside the union of a
//! few others on every row of the block are not traced (`cover`): the union, and so every
//! sum, is the same. Each worker keeps its buffers from band to band and from run to run. With the
//! transform, only the largest distance and where it is first reached are needed: the
//! envelope is evaluated at the ends of its pieces, and rows that provably cannot hold the
//! band's largest distance skip it (see `distance::settled`). The results are those of the
//! straightforward method bit for bit; a test holds the two against each other.
//!
//! # Files
//! This module holds the types and the split into bands; `band` the band step's outline
//! (`process_band`); `span` the row spans (coverage, treated area, cell pixels), `candidates`
//! the channels near a band and each block's share of them, `union` their on-line merge and
//! `cover` the grown openings a block need not trace; `distance` the distance transform; `tally` the fixed-point tallies
//! and the merge of the bands; `reference` (tests only) the straightforward band step they
//! must match, and `tests` the engine's tests.

mod band;
mod candidates;
mod cover;
mod distance;
#[cfg(test)]
mod reference;
mod shape;
mod span;
mod spare;
mod tally;
#[cfg(test)]
mod tests;
mod union;

use band::process_band;
pub use spare::recycle;

pub use shape::capsule_row_span;
pub use span::row_offset;

use super::gap::Gap;
use super::tiles::TileGrid;
use crate::base::error::LimitError;
use crate::base::progress::Progress;
use crate::model::channel::Channel;
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
        let min_across = crate::base::error::MIN_PIXELS_ACROSS as f64;
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
    /// How the largest gap is measured.
    pub gap: GapMethod,
    /// Whether to count treated pixels and pixels per picture cell ([`AreaMaps::cell_treated`],
    /// [`AreaMaps::cell_px`]; empty when not). Only the pictures need them.
    pub picture_cells: bool,
    /// Whether to count covered pixels per cell ([`AreaMaps::cell_covered`]; empty when not):
    /// the pictures and the Monte Carlo coverage map need them, no metric does.
    pub covered_cells: bool,
}

/// How the engine measures the largest gap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GapMethod {
    /// From the geometry of the openings ([`crate::metrics::gap`]), over the region
    /// `[0, area_mm[0]] × [0, area_mm[1]]`: exact to 0.5 µm whatever the pitch, and no
    /// distance transform is run.
    Exact {
        /// The region's sides, mm.
        area_mm: [f64; 2],
    },
    /// The raster's distance transform, pixel centre to covered pixel centre.
    Raster,
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
    /// Largest squared distance, pixel units, by the raster's distance transform; `None`
    /// when there is no opening at all or the gap was measured exactly.
    pub max_d2: Option<u64>,
    /// Pixel (column, row) where the largest distance is first reached (row-major order);
    /// with the exact gap, the pixel holding its centre.
    pub max_at: Option<(usize, usize)>,
    /// The largest gap from the geometry ([`GapMethod::Exact`]).
    pub gap: Option<Gap>,
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
    /// Treated pixels per cell; empty when [`RasterSettings::picture_cells`] is false.
    pub cell_treated: Vec<u32>,
    /// Pixels per cell (edge cells are partial); empty when [`RasterSettings::picture_cells`]
    /// is false.
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

    /// Largest gap, mm: the exact one when measured, else the raster's.
    pub fn max_gap_mm(&self) -> Option<f64> {
        match self.gap {
            Some(g) => Some(g.gap_mm),
            None => self
                .max_d2
                .map(|d2| (d2 as f64).sqrt() * self.grid.pitch_mm),
        }
    }

    /// Centre of the largest gap, mm: the exact point when measured, else the pixel centre.
    pub fn gap_at_mm(&self) -> Option<(f64, f64)> {
        match self.gap {
            Some(g) => Some(g.at_mm),
            None => {
                let (col, row) = self.max_at?;
                let p = self.grid.pitch_mm;
                Some(((col as f64 + 0.5) * p, (row as f64 + 0.5) * p))
            }
        }
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
    /// Whether the bands run the distance transform (the raster measures the gap).
    distance: bool,
    /// Whether the bands count treated pixels per cell.
    picture_cells: bool,
    /// Whether the bands count covered pixels per cell.
    covered_cells: bool,
    /// Whether every point of the raster is known to be treated (the exact gap is below the
    /// influence radius by more than the raster's overhang): each row's treated length is
    /// then its whole length, and the grown openings are not traced.
    treated_all: bool,
}

struct BandOut {
    covered: u64,
    treated: u64,
    max_d2: Option<u64>,
    max_at: Option<(usize, usize)>,
    tile_covered: Vec<u64>,
}

/// A band's picture cells: covered and treated pixels per cell (row-major, the band's cell
/// rows of the run's arrays).
struct BandCells<'a> {
    covered: &'a mut [u32],
    treated: &'a mut [u32],
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
    let ext = channels.iter().map(Channel::extent_mm).fold(0.0, f64::max);
    // The exact gap first: when the field is too small for it, nothing else is worth doing.
    let gap = match s.gap {
        GapMethod::Exact { area_mm } => {
            let g = super::gap::max_gap(channels, area_mm);
            // The same rule as the transform's halo: the nearest opening of every point must
            // lie within the margin the field was simulated with.
            if let Some(g) = g.filter(|g| g.gap_mm > s.margin_mm) {
                return Err(RasterError::NeedMargin(g.gap_mm + ext));
            }
            g
        }
        GapMethod::Raster => None,
    };
    let mut by_y: Vec<u32> = (0..channels.len() as u32).collect();
    by_y.sort_by(|&a, &b| {
        channels[a as usize]
            .y_mm
            .total_cmp(&channels[b as usize].y_mm)
            .then(a.cmp(&b))
    });
    let ys: Vec<f64> = by_y.iter().map(|&i| channels[i as usize].y_mm).collect();
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
        distance: s.gap == GapMethod::Raster,
        picture_cells: s.picture_cells,
        covered_cells: s.covered_cells || s.picture_cells,
        // f ≤ gap + TOLERANCE on the region (gap.rs); the raster reaches past the region by
        // under one pixel on each side, where f ≤ that + √2·p (f is 1-Lipschitz). Below ρ by
        // more than that, every sampled row is treated from 0 to its end, exactly what the
        // union of the grown openings would give. The picture cells still trace them.
        treated_all: !s.picture_cells
            && gap.is_some_and(|g| {
                g.gap_mm + super::gap::TOLERANCE_MM + 2.0 * p < s.influence_radius_mm
            }),
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
    // The bands write their cells straight into the run's arrays (a band is whole cell rows).
    let ncells = ncx * grid.ny.div_ceil(cell);
    let mut cell_covered = spare::zeroed(if sh.covered_cells { ncells } else { 0 });
    let mut cell_treated = spare::zeroed(if s.picture_cells { ncells } else { 0 });
    let per_band = ncx * (band / cell);
    let treated_chunks: Vec<&mut [u32]> = if s.picture_cells {
        cell_treated.chunks_mut(per_band).collect()
    } else {
        bands.iter().map(|_| &mut [][..]).collect()
    };
    let covered_chunks: Vec<&mut [u32]> = if sh.covered_cells {
        cell_covered.chunks_mut(per_band).collect()
    } else {
        bands.iter().map(|_| &mut [][..]).collect()
    };
    let outs: Vec<Result<BandOut, RasterError>> = bands
        .par_iter()
        .zip(covered_chunks)
        .zip(treated_chunks)
        .map(|((&(r0, r1), covered), treated)| {
            let mut halo = halo0;
            loop {
                covered.fill(0);
                treated.fill(0);
                let cells = BandCells {
                    covered: &mut *covered,
                    treated: &mut *treated,
                };
                #[cfg(test)]
                let res = if use_reference {
                    reference::process_band(&sh, r0, r1, halo, cells)
                } else {
                    band::with_scratch(|sc| process_band(&sh, sc, r0, r1, halo, cells))
                };
                #[cfg(not(test))]
                let res = band::with_scratch(|sc| process_band(&sh, sc, r0, r1, halo, cells));
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
    let cell_px = spare::zeroed(0);
    let cells = [cell_covered, cell_treated, cell_px];
    let mut maps = tally::merge(grid, &sh, tile_px, outs, cells)?;
    if s.gap != GapMethod::Raster {
        maps.max_d2 = None;
        maps.max_at = gap.map(|g| {
            let pixel = |v: f64, n: usize| ((v / p).floor().max(0.0) as usize).min(n - 1);
            (pixel(g.at_mm.0, grid.nx), pixel(g.at_mm.1, grid.ny))
        });
        maps.gap = gap;
    }
    Ok(maps)
}

/// A length in pixels as fixed point: `(len_px · 2²⁰).round() as u64`, bit for bit, without a
/// call into libm (see [`floor_i64`]). The length is never negative, and the fraction
/// `x − ⌊x⌋` of a product below 2⁵³ is exact, so halves round away from zero as `round` does.
#[inline(always)]
fn fixed(len_px: f64) -> u64 {
    let x = len_px * FIXED;
    if !(0.0..9.0e15).contains(&x) {
        return x.round() as u64;
    }
    // through i64: one conversion instruction each way (u64's are emulated on x86-64)
    let t = x as i64;
    (t + i64::from(x - t as f64 >= 0.5)) as u64
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
