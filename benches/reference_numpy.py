#!/usr/bin/env python3
"""Straightforward numpy/scipy reference for needlemap's area metrics.

Reads a design file (for the region, the raster pitch and the influence radius) and the
channels needlemap simulated for it (out/<name>/channels.csv, written by `needlemap analyze`),
then computes the area metrics the textbook way: rasterize every opening (pixel centres inside
the capsule) on one array covering the region and a margin, run
scipy.ndimage.distance_transform_edt on the uncovered pixels, and read off
  coverage_fraction = share of region pixels inside an opening,
  treated_fraction  = share of region pixels within influence_radius_mm of a covered pixel,
  max_gap_mm        = largest distance from a region pixel to a covered pixel.
It prints these next to needlemap's summary.csv, with its own wall time and peak memory, so
the two can be compared for agreement and for speed (README, "Performance").

Usage: python benches/reference_numpy.py designs/bench/pen-dense-60.toml [--out out]
       [--margin-mm 1.0] [--chunk 4000] [--json]
--json prints one JSON object (the three metrics, the pixel pitch, the stage times and peak
RSS) instead of the table; benches/peer.sh reads it. Needs numpy and scipy
(pip install numpy scipy; benches/peer.sh does it in a virtual environment under target/).
"""

import argparse
import csv
import json
import math
import resource
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from scipy import ndimage


def load_channels(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([float(r["x_mm"]) for r in rows])
    y = np.array([float(r["y_mm"]) for r in rows])
    ang = np.radians(np.array([float(r["axis_deg"]) for r in rows]))
    slit = np.array([float(r["slit_mm"]) for r in rows])
    rad = np.array([float(r["radius_mm"]) for r in rows])
    return x, y, ang, slit, rad


def rasterize(covered, x0_mm, y0_mm, p, x, y, ang, slit, rad, chunk):
    """Sets covered[j, i] where pixel centre (x0 + (i + 1/2) p, y0 + (j + 1/2) p) lies in a
    capsule; vectorized over channels, chunk by chunk, on each channel's bounding box."""
    ny, nx = covered.shape
    ext = slit / 2 + rad
    k = int(math.ceil(2 * ext.max() / p)) + 2  # bounding box side, pixels
    off = np.arange(k)
    for s in range(0, len(x), chunk):
        e = slice(s, s + chunk)
        cx, cy, a, l, r = x[e], y[e], ang[e], slit[e], rad[e]
        i0 = np.floor((cx - ext[e] - x0_mm) / p - 0.5).astype(np.int64)
        j0 = np.floor((cy - ext[e] - y0_mm) / p - 0.5).astype(np.int64)
        ii = i0[:, None, None] + off[None, None, :]  # (n, 1, k)
        jj = j0[:, None, None] + off[None, :, None]  # (n, k, 1)
        px = x0_mm + (ii + 0.5) * p - cx[:, None, None]
        py = y0_mm + (jj + 0.5) * p - cy[:, None, None]
        ux, uy = np.cos(a)[:, None, None], np.sin(a)[:, None, None]
        h = (l / 2)[:, None, None]
        t = np.clip(px * ux + py * uy, -h, h)
        d2 = (px - t * ux) ** 2 + (py - t * uy) ** 2
        inside = d2 <= (r**2)[:, None, None]
        inside &= (ii >= 0) & (ii < nx) & (jj >= 0) & (jj < ny)
        n_idx, jy, ix = np.nonzero(inside)
        covered[j0[n_idx] + jy, i0[n_idx] + ix] = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("design")
    ap.add_argument("--out", default="out")
    ap.add_argument("--margin-mm", type=float, default=1.0)
    ap.add_argument("--chunk", type=int, default=4000)
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = ap.parse_args()
    d = tomllib.loads(Path(args.design).read_text())
    name = d["name"]
    lx, ly = d["treatment"]["area_mm"]
    an = d.get("analysis", {})
    p = an.get("resolution_um", 10.0) / 1000.0
    rho = an.get("influence_radius_mm", 0.5)
    out = Path(args.out) / name
    x, y, ang, slit, rad = load_channels(out / "channels.csv")

    t0 = time.perf_counter()
    nx, ny = round(lx / p), round(ly / p)
    m = int(math.ceil(args.margin_mm / p))
    covered = np.zeros((ny + 2 * m, nx + 2 * m), dtype=bool)
    rasterize(covered, -m * p, -m * p, p, x, y, ang, slit, rad, args.chunk)
    t1 = time.perf_counter()
    dist = ndimage.distance_transform_edt(~covered)
    t2 = time.perf_counter()
    region = (slice(m, m + ny), slice(m, m + nx))
    cov = float(covered[region].mean())
    dreg = dist[region]
    treated = float((dreg * p <= rho).mean())
    gap = float(dreg.max()) * p
    t3 = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if gap >= args.margin_mm:
        print("warning: the gap reaches the margin; rerun with a larger --margin-mm", file=sys.stderr)
    if args.json:
        print(json.dumps({
            "design": name, "pixels": [nx, ny], "margin_px": m, "pitch_mm": p,
            "channels": len(x), "coverage_fraction": cov, "treated_fraction": treated,
            "max_gap_mm": gap, "rasterize_s": t1 - t0, "edt_s": t2 - t1,
            "metrics_s": t3 - t2, "total_s": t3 - t0, "peak_rss_mib": peak_mib,
        }))
        return
    ours = {}
    summary = out / "summary.csv"
    if summary.exists():
        with open(summary, newline="") as f:
            ours = next(csv.DictReader(f))
    print(f"design {name}: {nx} x {ny} px at {p * 1000:g} um (+{m} px margin), {len(x)} channels")
    print(f"{'metric':<20}{'numpy/scipy':>14}{'needlemap':>14}")
    for key, val in [("coverage_fraction", cov), ("treated_fraction", treated), ("max_gap_mm", gap)]:
        print(f"{key:<20}{val:>14.6f}{ours.get(key, ''):>14}")
    print(f"time: rasterize {t1 - t0:.2f} s, distance_transform_edt {t2 - t1:.2f} s, "
          f"metrics {t3 - t2:.2f} s, total {t3 - t0:.2f} s; peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
