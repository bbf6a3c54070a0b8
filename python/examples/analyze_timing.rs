//! The Rust side of the Python call-overhead measurement (python/examples/overhead.py):
//! `analysis::analyze` on a design, N times, median wall time in seconds on stdout.
//!
//! `cargo run --release --locked -p needlemap-py --example analyze_timing -- designs/mf8-192.toml 15`

use needlemap::base::progress::Silent;
use needlemap::design::Design;
use needlemap::metrics::analysis;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "designs/mf8-192.toml".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(15);
    let d = Design::load(path.as_ref()).expect("a valid design");
    analysis::analyze(&d, &Silent).expect("within the limits"); // warm-up
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let start = Instant::now();
            let a = analysis::analyze(&d, &Silent).expect("within the limits");
            std::hint::black_box(a.metrics.channels);
            start.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    println!("{:.6}", t[t.len() / 2]);
}
