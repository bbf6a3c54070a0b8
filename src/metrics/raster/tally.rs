//! The tallies of the band step and of the whole run: covered and treated length in fixed
//! point, per tile and per picture cell, and the merge of the bands' results in band order,
//! so that totals are exact integers whatever the split of the work.

use super::{fixed, row_offset, AreaMaps, BandCells, BandOut, Grid, RasterError, Shared};
use crate::metrics::tiles::TileGrid;

/// The tile row of each pixel row (by its sampled height; `u32::MAX` in no whole tile), and
/// the sampled length of each tile, fixed point (row-major).
pub(super) fn tile_layout(grid: Grid, tiles: TileGrid) -> (Vec<u32>, Vec<u64>) {
    let p = grid.pitch_mm;
    let TileGrid {
        tile_mm,
        nx: ntx,
        ny: nty,
    } = tiles;
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
    (row_tile, tile_px)
}

impl BandOut {
    /// Nothing tallied yet, for a band of `band_rows` rows.
    pub(super) fn new(sh: &Shared) -> BandOut {
        BandOut {
            covered: 0,
            treated: 0,
            max_d2: None,
            max_at: None,
            tile_covered: vec![0; sh.ntx * sh.nty],
        }
    }
}

/// Step 6: tallies row `r` of the band starting at row `r0`: its covered and treated
/// lengths, each tile's covered length, and the covered and treated pixels of its picture
/// cells (from the row's pixel-centre column spans).
pub(super) fn tally_row(
    sh: &Shared,
    out: &mut BandOut,
    cells: &mut BandCells,
    spans: &mut super::span::RowSpans,
    r: usize,
    r0: usize,
) {
    let p = sh.grid.pitch_mm;
    let cov = spans.cov.finish();
    for &(a, b) in cov {
        out.covered += fixed((b - a) / p);
    }
    if sh.treated_all {
        // the one span [0, lx] the union of the grown openings would hold
        let lx = sh.grid.nx as f64 * p;
        out.treated += fixed((lx - 0.0) / p);
    } else {
        for &(a, b) in spans.tr.finish() {
            out.treated += fixed((b - a) / p);
        }
    }
    let ty = sh.row_tile[r];
    if ty != u32::MAX {
        let base = ty as usize * sh.ntx;
        let t = sh.tile_mm;
        for &(a, b) in cov {
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
    let cell = sh.cell;
    // column and cell indices fit u32 (MAX_PIXELS); u32 division and conversions through i64
    // are the cheap machine instructions
    let cell32 = cell as u32;
    let count = |cells: &mut [u32], spans: &[(f64, f64)]| {
        for &(a, b) in spans {
            let (a, b) = (a as i64 as u32, b as i64 as u32);
            let (ca, cb) = ((a / cell32) as usize, (b / cell32) as usize);
            let (a, b) = (a as usize, b as usize);
            if ca == cb {
                cells[ca] += (b - a + 1) as u32;
                continue;
            }
            cells[ca] += ((ca + 1) * cell - a) as u32;
            for c in &mut cells[ca + 1..cb] {
                *c += cell as u32;
            }
            cells[cb] += (b - cb * cell + 1) as u32;
        }
    };
    if sh.covered_cells {
        count(
            &mut cells.covered[cbase..cbase + sh.ncx],
            spans.cvp.finish(),
        );
    }
    if sh.picture_cells {
        count(
            &mut cells.treated[cbase..cbase + sh.ncx],
            spans.trp.finish(),
        );
    }
}

/// The run's maps from the bands' results, in band order.
pub(super) fn merge(
    grid: Grid,
    sh: &Shared,
    tile_px: Vec<u64>,
    outs: Vec<Result<BandOut, RasterError>>,
    [cell_covered, cell_treated, mut cell_px]: [Vec<u32>; 3],
) -> Result<AreaMaps, RasterError> {
    let (ntx, nty, cell, ncx) = (sh.ntx, sh.nty, sh.cell, sh.ncx);
    let ncy = grid.ny.div_ceil(cell);
    let mut maps = AreaMaps {
        grid,
        covered_fx: 0,
        treated_fx: 0,
        total_fx: fixed(grid.nx as f64) * grid.ny as u64,
        max_d2: None,
        max_at: None,
        gap: None,
        tiles: (ntx, nty),
        tile_px,
        tile_covered: vec![0; ntx * nty],
        cells: (cell, ncx, ncy),
        cell_covered,
        cell_treated,
        cell_px: Vec::new(),
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
    }
    if sh.picture_cells {
        cell_px.reserve(ncx * ncy);
        for cy in 0..ncy {
            let h = (grid.ny - cy * cell).min(cell);
            for cx in 0..ncx {
                let w = (grid.nx - cx * cell).min(cell);
                cell_px.push((w * h) as u32);
            }
        }
    }
    maps.cell_px = cell_px;
    Ok(maps)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{lattice, settings};
    use super::super::{rasterize, RasterSettings};
    use super::*;
    use crate::base::progress::Silent;
    use crate::model::channel::{test_capsule as cap, Channel};
    use approx::assert_relative_eq;

    #[test]
    fn lattice_gap_coverage_and_treated_match_closed_forms() {
        let (p, r, rho) = (1.0, 0.15, 0.3);
        let grid = Grid::new("t", [6.0, 6.0], 10.0).unwrap();
        let s = RasterSettings {
            influence_radius_mm: rho,
            tiles: TileGrid::new([6.0, 6.0], 1.0),
            cell_px: 1,
            halo_mm: 1.0,
            ..settings(3.0)
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
        let mut rng = crate::base::rng::Stream::new(11, crate::base::rng::StreamId::Device);
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
            ..settings(margin)
        };
        let m = rasterize(&discs, grid, s, &Silent).unwrap();
        let expect = 1.0 - (-lambda * std::f64::consts::PI * r * r).exp();
        let got = m.coverage_fraction();
        assert!(
            (got - expect).abs() < 0.01,
            "coverage {got} vs Boolean model {expect}"
        );
    }
}
