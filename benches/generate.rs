//! Bench: channel generation (`kinematics::generate`) for MF8 and the dense pen.

use criterion::{criterion_group, criterion_main, Criterion};
use needlemap::kinematics;
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");
    for (name, path) in [("mf8", common::MF8), ("pen_dense_60", common::PEN_DENSE)] {
        let d = common::design(path);
        let made = kinematics::MadeDevice::new(&d);
        let margin = made.default_margin_mm(&d);
        g.bench_function(name, |b| {
            b.iter(|| {
                kinematics::generate(&d, &made, margin)
                    .unwrap()
                    .channels
                    .len()
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
