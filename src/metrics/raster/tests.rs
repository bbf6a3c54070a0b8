//! The engine's tests: band seams, the optimized band step against the straightforward
//! one, and the fast rounding helpers; the fields other modules' tests share.
use super::distance::ceil_sqrt;
use super::*;
use crate::base::progress::Silent;
use crate::model::channel::test_capsule as cap;

pub(super) fn settings(margin: f64) -> RasterSettings {
    RasterSettings {
        influence_radius_mm: 0.5,
        tiles: TileGrid::new([4.0, 4.0], 1.0),
        cell_px: 10,
        margin_mm: margin,
        halo_mm: 0.5,
        band_rows: None,
        gap: crate::metrics::raster::GapMethod::Raster,
        picture_cells: true,
        covered_cells: true,
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
    let mut rng = crate::base::rng::Stream::new(seed, crate::base::rng::StreamId::Device);
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
        gap: crate::metrics::raster::GapMethod::Raster,
        picture_cells: true,
        covered_cells: true,
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
                gap: crate::metrics::raster::GapMethod::Raster,
                picture_cells: true,
                covered_cells: true,
            };
            let fast = rasterize_with(&discs, grid, s, &Silent, false);
            let slow = rasterize_with(&discs, grid, s, &Silent, true);
            assert_eq!(fast, slow, "seed {seed} cell {cell}");
            // without the picture cells: the same maps less those
            let lean = RasterSettings {
                picture_cells: false,
                covered_cells: true,
                ..s
            };
            let lean = rasterize_with(&discs, grid, lean, &Silent, false);
            if let (Ok(lean), Ok(full)) = (&lean, &fast) {
                assert!(lean.cell_treated.is_empty() && lean.cell_px.is_empty());
                let full = AreaMaps {
                    cell_treated: Vec::new(),
                    cell_px: Vec::new(),
                    ..full.clone()
                };
                assert_eq!(*lean, full, "seed {seed} cell {cell}");
            } else {
                assert_eq!(lean.is_ok(), fast.is_ok());
            }
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
    // and the grown openings the cover proves inside the union were skipped
    assert!(super::candidates::SKIPPED.load(std::sync::atomic::Ordering::Relaxed) > 0);
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
    let mut rng = crate::base::rng::Stream::new(9, crate::base::rng::StreamId::Device);
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

#[test]
fn fixed_point_lengths_round_as_round_does() {
    let half = 0.5 / FIXED;
    for x in [
        0.0,
        half,
        3.0 * half,
        0.499_999_999_999_999_94 / FIXED,
        1.0,
        12_345.678,
        8.0e9,
        1.0e10,
        f64::INFINITY,
    ] {
        assert_eq!(fixed(x), (x * FIXED).round() as u64, "fixed {x}");
    }
    let mut rng = crate::base::rng::Stream::new(10, crate::base::rng::StreamId::Device);
    for _ in 0..10_000 {
        let x = rng.uniform() * 10f64.powi((rng.uniform() * 12.0) as i32 - 4);
        assert_eq!(fixed(x), (x * FIXED).round() as u64, "fixed {x}");
        // exact halves of a fixed-point unit
        let h = ((rng.uniform() * 1e6) as u64) as f64 + 0.5;
        assert_eq!(fixed(h / FIXED), (h).round() as u64, "half {h}");
    }
}
