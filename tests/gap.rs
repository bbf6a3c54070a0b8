//! The largest gap from the openings' geometry (`metrics::gap`) against closed forms, a
//! brute-force search, the raster's distance transform at a fine pitch, and its invariants:
//! independent of the pitch and of the thread count, never raised by an added opening.

mod common;

use needlemap::base::progress::Silent;
use needlemap::design::Design;
use needlemap::metrics::analysis::{analyze, Overrides};
use needlemap::metrics::gap::{max_gap, TOLERANCE_MM};
use needlemap::metrics::raster::{self, GapMethod, Grid, RasterSettings};
use needlemap::metrics::tiles::TileGrid;
use needlemap::model::channel::Channel;
use proptest::prelude::*;

/// A capsule at (x, y): slit `slit` along `deg`, radius `r`.
fn cap(x: f64, y: f64, deg: f64, slit: f64, r: f64) -> Channel {
    Channel::capsule(x, y, deg, slit, r)
}

/// The result is never above the true value and at most the tolerance below it.
fn assert_within(got: f64, truth: f64, what: &str) {
    assert!(
        got <= truth + 1e-12 && got >= truth - TOLERANCE_MM,
        "{what}: got {got}, closed form {truth}"
    );
}

/// A small deterministic generator (splitmix64), so the fields need no RNG crate here.
struct Mix(u64);
impl Mix {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Discs and capsules of mixed sizes over [−m, side + m]².
fn random_field(seed: u64, n: usize, side: f64, m: f64) -> Vec<Channel> {
    let mut g = Mix(seed);
    (0..n)
        .map(|_| {
            let slit = if g.uniform() < 0.5 {
                0.0
            } else {
                g.uniform() * 0.6
            };
            cap(
                g.uniform() * (side + 2.0 * m) - m,
                g.uniform() * (side + 2.0 * m) - m,
                (g.uniform() * 180.0).floor(),
                slit,
                0.03 + g.uniform() * 0.15,
            )
        })
        .collect()
}

/// f(p): distance to the nearest opening, by brute force.
fn f_brute(chans: &[Channel], x: f64, y: f64) -> f64 {
    chans
        .iter()
        .map(|c| {
            let (a, b) = c.segment();
            let p = needlemap::base::math::Point::new(x, y);
            needlemap::base::math::seg_point_dist2(a, b, p).sqrt() - c.radius_mm
        })
        .fold(f64::INFINITY, f64::min)
        .max(0.0)
}

#[test]
fn one_disc_at_the_centre_of_a_square() {
    for (side, r) in [(4.0, 0.1), (10.0, 0.25), (3.0, 0.0)] {
        let g = max_gap(&[cap(side / 2.0, side / 2.0, 0.0, 0.0, r)], [side, side]).unwrap();
        assert_within(g.gap_mm, side / 2f64.sqrt() - r, "disc");
        // reached at a corner
        let (x, y) = g.at_mm;
        let corner = (x.min(side - x)).hypot(y.min(side - y));
        assert!(corner < 2.0 * TOLERANCE_MM, "at {x}, {y}");
    }
}

#[test]
fn square_lattice_beyond_the_region() {
    for (a, r, n) in [(1.0, 0.15, 6), (0.7, 0.05, 9), (1.3, 0.3, 4)] {
        let mut v = Vec::new();
        for j in -2..n + 2 {
            for i in -2..n + 2 {
                v.push(cap((i as f64 + 0.5) * a, (j as f64 + 0.5) * a, 0.0, 0.0, r));
            }
        }
        let side = n as f64 * a;
        let g = max_gap(&v, [side, side]).unwrap();
        assert_within(g.gap_mm, a / 2f64.sqrt() - r, "lattice");
    }
}

#[test]
fn a_single_slit() {
    // A horizontal slit of length l and radius r at the centre of an L × L square: f is
    // convex, so its largest value is at a corner, nearest to the slit's end.
    for (side, l, r, deg) in [(4.0, 1.0, 0.1, 0.0), (6.0, 2.0, 0.2, 90.0)] {
        let g = max_gap(&[cap(side / 2.0, side / 2.0, deg, l, r)], [side, side]).unwrap();
        let truth = ((side - l) / 2.0).hypot(side / 2.0) - r;
        assert_within(g.gap_mm, truth, "slit");
    }
}

#[test]
fn brute_force_search_brackets_it() {
    // On a fine grid of step s, the brute-force largest f is a value f reaches (≤ the true
    // maximum) and within s/√2 of it (f is 1-Lipschitz).
    for seed in 1..4 {
        let side = 3.0;
        let chans = random_field(seed, 40, side, 1.0);
        let g = max_gap(&chans, [side, side]).unwrap();
        let n = 600;
        let s = side / n as f64;
        let mut brute = 0f64;
        for j in 0..=n {
            for i in 0..=n {
                brute = brute.max(f_brute(&chans, i as f64 * s, j as f64 * s));
            }
        }
        assert!(
            g.gap_mm >= brute - TOLERANCE_MM,
            "seed {seed}: {g:?} vs {brute}"
        );
        assert!(g.gap_mm <= brute + s / 2f64.sqrt() + 1e-12, "seed {seed}");
        // and it is reached where it says
        assert!((f_brute(&chans, g.at_mm.0, g.at_mm.1) - g.gap_mm).abs() < 1e-12);
    }
}

#[test]
fn agrees_with_the_raster_at_a_fine_pitch() {
    let side = 4.0;
    for seed in [11, 12] {
        let chans = random_field(seed, 60, side, 1.5);
        let exact = max_gap(&chans, [side, side]).unwrap().gap_mm;
        let grid = Grid::new("t", [side, side], 4.0).unwrap();
        let s = RasterSettings {
            influence_radius_mm: 0.2,
            tiles: TileGrid::new([side, side], 1.0),
            cell_px: 8,
            margin_mm: 1.5,
            halo_mm: 1.5,
            band_rows: None,
            gap: GapMethod::Raster,
            picture_cells: true,
            covered_cells: true,
        };
        let r = raster::rasterize(&chans, grid, s, &Silent).unwrap();
        let ras = r.max_gap_mm().unwrap();
        assert!(
            (ras - exact).abs() <= grid.pitch_mm,
            "seed {seed}: raster {ras} vs exact {exact}"
        );
        // the engine's exact mode gives the same gap and the same area maps
        let e = raster::rasterize(
            &chans,
            grid,
            RasterSettings {
                gap: GapMethod::Exact {
                    area_mm: [side, side],
                },
                picture_cells: true,
                covered_cells: true,
                ..s
            },
            &Silent,
        )
        .unwrap();
        assert_eq!(e.max_gap_mm(), Some(exact));
        assert_eq!(
            (e.covered_fx, e.treated_fx, &e.cell_covered, &e.cell_treated),
            (r.covered_fx, r.treated_fx, &r.cell_covered, &r.cell_treated)
        );
    }
}

#[test]
fn independent_of_the_pitch_and_of_threads() {
    let d = Design::load(&common::root().join("designs/mf8-192.toml")).unwrap();
    let at = |um: f64| {
        analyze(
            &Overrides {
                resolution_um: Some(um),
                ..Default::default()
            }
            .apply(&d),
            &Silent,
        )
        .unwrap()
        .metrics
        .max_gap_mm
        .unwrap()
    };
    let g10 = at(10.0);
    assert_eq!(g10.to_bits(), at(25.0).to_bits());
    let chans = random_field(5, 400, 8.0, 1.0);
    let run = |t| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
            .install(|| max_gap(&chans, [8.0, 8.0]).unwrap())
    };
    assert_eq!(run(1), run(2));
    assert_eq!(run(1), run(3));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn an_added_opening_never_raises_the_gap(seed in 0u64..1_000_000, x in -1.0f64..5.0,
            y in -1.0f64..5.0, slit in 0.0f64..0.5, r in 0.01f64..0.3) {
        let mut chans = random_field(seed, 12, 4.0, 1.0);
        let before = max_gap(&chans, [4.0, 4.0]).unwrap().gap_mm;
        chans.push(cap(x, y, 30.0, slit, r));
        let after = max_gap(&chans, [4.0, 4.0]).unwrap().gap_mm;
        // each is within the tolerance below its true value, and the true value cannot rise
        prop_assert!(after <= before + TOLERANCE_MM, "{before} -> {after}");
    }
}
