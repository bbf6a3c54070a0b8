//! Bench: a Monte Carlo study, `mc::study`, of MF8 (40 × 40 mm at 10 µm) with 20 runs, each a
//! whole analysis with its own seed and drawn device.

use criterion::{criterion_group, criterion_main, Criterion};
use needlemap::mc;
use needlemap::progress::Silent;
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("mc");
    let d = common::design(common::MF8);
    g.bench_function("mf8_20_runs", |b| {
        b.iter(|| mc::study(&d, 20, &Silent).unwrap().runs.len())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(20));
    targets = bench
}
criterion_main!(benches);
