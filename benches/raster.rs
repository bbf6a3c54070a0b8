//! Bench: the area engine (`metrics::raster::rasterize`: coverage, treated area, largest
//! gap) on the channels of MF8 at 10 µm and of the dense pen at 5 µm.

use criterion::{criterion_group, criterion_main, Criterion};
use needlemap::metrics::raster;
use needlemap::progress::Silent;
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("rasterize");
    for (name, path) in [("mf8", common::MF8), ("pen_dense_60", common::PEN_DENSE)] {
        let a = common::analyzed(path);
        let s = common::raster_settings(&a);
        g.bench_function(name, |b| {
            b.iter(|| {
                raster::rasterize(&a.field.channels, a.grid, s, &Silent)
                    .unwrap()
                    .covered_fx
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    targets = bench
}
criterion_main!(benches);
