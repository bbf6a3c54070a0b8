"""Call overhead of needlemap.analyze against the Rust library, on MF8 (a measurement, not a
test): median wall time of N calls each way, and the median time of the conversions a caller
triggers (metrics dict, channel arrays, maps).

    python python/examples/overhead.py [N]
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

import needlemap

ROOT = Path(__file__).resolve().parents[2]
MF8 = ROOT / "designs/mf8-192.toml"
N = int(sys.argv[1]) if len(sys.argv) > 1 else 15


def median_time(f, n=N):
    f()  # warm-up
    t = []
    for _ in range(n):
        start = time.perf_counter()
        f()
        t.append(time.perf_counter() - start)
    return statistics.median(t)




def rust_time(path, n):
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--locked", "-p", "needlemap-py",
         "--example", "analyze_timing", "--", str(path), str(n)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    return float(out)


design = needlemap.load(MF8)
# A tiny variant (2 × 2 mm at 100 µm), where the fixed cost of a call is not lost in the work.
tiny = needlemap.Design.from_toml(
    design.with_(**{"treatment.area_mm.0": 2.0, "treatment.area_mm.1": 2.0,
                    "analysis.resolution_um": 100.0}).toml)
OUT = ROOT / "out"
OUT.mkdir(exist_ok=True)
tiny_path = OUT / "overhead-tiny.toml"
tiny_path.write_text(tiny.toml)

for label, d, path, n in (("MF8", design, MF8, N), ("MF8 2×2 mm at 100 µm", tiny, tiny_path, 50 * N)):
    py = median_time(lambda: needlemap.analyze(d), n)
    rust = rust_time(path, n)
    print(f"{label} analyze, median of {n}: Rust {rust * 1e3:.3f} ms, Python {py * 1e3:.3f} ms, "
          f"difference {(py - rust) * 1e3:+.3f} ms ({(py / rust - 1) * 100:+.1f} %)")

r = needlemap.analyze(design)
conv = {
    "metrics": median_time(lambda: r.metrics, 200),
    "channels": median_time(lambda: r.channels, 50),
    "coverage": median_time(lambda: r.coverage, 200),
}
n = len(r.channels["x_mm"])
for k, v in conv.items():
    print(f"  .{k}: {v * 1e6:.1f} µs per access" + (f" ({n} channels)" if k == "channels" else ""))
