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


design = needlemap.load(MF8)
py = median_time(lambda: needlemap.analyze(design))
r = needlemap.analyze(design)
conv = {
    "metrics": median_time(lambda: r.metrics, 200),
    "channels": median_time(lambda: r.channels, 50),
    "coverage": median_time(lambda: r.coverage, 200),
}
rust = float(
    subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--locked", "-p", "needlemap-py",
         "--example", "analyze_timing", "--", str(MF8), str(N)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
)
print(f"MF8 analyze, median of {N}: Rust {rust * 1e3:.2f} ms, Python {py * 1e3:.2f} ms, "
      f"difference {(py - rust) * 1e3:+.2f} ms ({(py / rust - 1) * 100:+.1f} %)")
n = len(r.channels["x_mm"])
for k, v in conv.items():
    print(f"  .{k}: {v * 1e6:.1f} µs per access" + (f" ({n} channels)" if k == "channels" else ""))
