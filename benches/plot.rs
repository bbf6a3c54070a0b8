//! Bench: `plot::render_all` (five pictures, PNG and SVG, encoded in memory) for MF8 and the
//! dense pen: what drawing adds to `analyze` beyond the metrics.

use criterion::{criterion_group, criterion_main, Criterion};
use needlemap::output::plot;
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("pictures");
    for (name, path) in [("mf8", common::MF8), ("pen_dense_60", common::PEN_DENSE)] {
        let a = common::analyzed(path);
        g.bench_function(name, |b| {
            b.iter(|| {
                plot::render_all(&a)
                    .expect("pictures render")
                    .iter()
                    .map(|p| p.png.len() + p.svg.len())
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(6));
    targets = bench
}
criterion_main!(benches);
