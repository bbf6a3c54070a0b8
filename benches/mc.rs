//! Bench: Monte Carlo on MF8 (40 × 40 mm at 10 µm, 16 million pixels). `mf8_run` is one run
//! as a study does it (a whole analysis with its own seed and drawn device, no treated
//! picture cells); `mf8_20_runs` a whole study of 20 runs; `mf8_study_per_run` a study of
//! 100 runs with its throughput in runs per second, so 1000 runs take 1000 / that figure
//! seconds (the 1000-run measure, on all the machine's cores).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use needlemap::base::progress::Silent;
use needlemap::metrics::analysis::{self, Keep};
use needlemap::studies::mc;
use std::cell::Cell;
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("mc");
    let d = common::design(common::MF8);
    let seed = Cell::new(d.treatment.seed);
    g.bench_function("mf8_run", |b| {
        b.iter(|| {
            let mut run = d.clone();
            run.treatment.seed = seed.get();
            seed.set(seed.get() + 1);
            let keep = Keep {
                picture_cells: false,
                covered_cells: true,
            };
            analysis::analyze_with(run, None, keep, &Silent)
                .unwrap()
                .metrics
                .channels
        })
    });
    g.bench_function("mf8_20_runs", |b| {
        b.iter(|| mc::study(&d, 20, &Silent).unwrap().runs.len())
    });
    g.throughput(Throughput::Elements(100));
    g.bench_function("mf8_study_per_run", |b| {
        b.iter(|| mc::study(&d, 100, &Silent).unwrap().runs.len())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(20));
    targets = bench
}
criterion_main!(benches);
