//! Bench: `metrics::overlap::overlaps_earlier` (exact capsule tests on a bucket grid) on the
//! channels of MF8 and of the dense pen.

use criterion::{criterion_group, criterion_main, Criterion};
use needlemap::metrics::overlap;
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("overlap");
    for (name, path) in [("mf8", common::MF8), ("pen_dense_60", common::PEN_DENSE)] {
        let a = common::analyzed(path);
        g.bench_function(name, |b| {
            b.iter(|| {
                overlap::overlaps_earlier(&a.field.channels)
                    .iter()
                    .filter(|&&o| o)
                    .count()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
