//! Bench: a whole case, `analysis::analyze` (channels, every metric), on MF8 at 10 µm, on
//! the dense pen (60 × 60 mm, ≈ 80 000 channels) at 5 µm and on the whole-body roller
//! (100 × 100 mm at 5 µm, 4·10⁸ pixels). Pictures are not part of it.

use criterion::{criterion_group, criterion_main, Criterion};
use needlemap::base::progress::Silent;
use needlemap::metrics::analysis;
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("analyze");
    for (name, path) in [
        ("mf8", common::MF8),
        ("pen_dense_60", common::PEN_DENSE),
        ("body_540_100", common::BODY),
    ] {
        let d = common::design(path);
        g.bench_function(name, |b| {
            b.iter(|| analysis::analyze(&d, &Silent).unwrap().metrics.channels)
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    targets = bench
}
criterion_main!(benches);
