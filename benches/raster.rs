//! Bench: the area engine (`metrics::raster::rasterize`: coverage, treated area, picture
//! cells, largest gap) on the channels of MF8 at 10 µm and of the dense pen at 5 µm, with the
//! largest gap from the geometry (`exact`, what `analyze` runs with pictures), the metrics
//! alone without per-cell maps (`metrics`, what `analyze --no-plots` runs), and from the raster's
//! distance transform (`transform`); the exact gap alone (`gap`); and, for scale, one plain
//! write pass over as many cells as the dense pen's grid (a byte and a u32 per cell), the
//! least any per-pixel method must spend.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use needlemap::base::progress::Silent;
use needlemap::metrics::gap;
use needlemap::metrics::raster::{self, GapMethod};
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("rasterize");
    for (name, path) in [("mf8", common::MF8), ("pen_dense_60", common::PEN_DENSE)] {
        let a = common::analyzed(path);
        let s = common::raster_settings(&a);
        g.bench_function(format!("{name}_exact"), |b| {
            b.iter(|| {
                raster::rasterize(&a.field.channels, a.grid, s, &Silent)
                    .unwrap()
                    .covered_fx
            })
        });
        // The metrics alone, as `analyze --no-plots`, `check` and sweeps run it: no per-cell
        // maps (and no grown openings when the exact gap proves every point treated).
        let m = raster::RasterSettings {
            picture_cells: false,
            covered_cells: false,
            ..s
        };
        g.bench_function(format!("{name}_metrics"), |b| {
            b.iter(|| {
                raster::rasterize(&a.field.channels, a.grid, m, &Silent)
                    .unwrap()
                    .covered_fx
            })
        });
        let t = raster::RasterSettings {
            gap: GapMethod::Raster,
            ..s
        };
        g.bench_function(format!("{name}_transform"), |b| {
            b.iter(|| {
                raster::rasterize(&a.field.channels, a.grid, t, &Silent)
                    .unwrap()
                    .covered_fx
            })
        });
        let area = a.design.treatment.area_mm;
        g.bench_function(format!("{name}_gap"), |b| {
            b.iter(|| gap::max_gap(&a.field.channels, area).unwrap().gap_mm)
        });
    }
    // One write pass over the dense pen's grid (12 000 × 12 000 cells at 5 µm).
    let a = common::analyzed(common::PEN_DENSE);
    let cells = a.grid.pixels() as usize;
    let mut bytes = vec![0u8; cells];
    g.bench_function("pen_dense_60_write_pass_u8", |b| {
        let mut v = 0u8;
        b.iter(|| {
            v = v.wrapping_add(1);
            bytes.fill(v);
            black_box(&bytes);
        })
    });
    drop(bytes);
    let mut words = vec![0u32; cells];
    g.bench_function("pen_dense_60_write_pass_u32", |b| {
        let mut v = 0u32;
        b.iter(|| {
            v = v.wrapping_add(1);
            words.fill(v);
            black_box(&words);
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    targets = bench
}
criterion_main!(benches);
