# %% [markdown]
# # needlemap from Python: a walkthrough
#
# Load a roller and a pen, analyze and compare them, sweep the roller's needle length and
# draw its coverage map. Run it as a script (`python python/examples/walkthrough.py`) or cell
# by cell in an editor that knows `# %%`. Pictures go to out/ at the repository root.

# %%
import os
from pathlib import Path

import numpy as np

import needlemap

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out"
OUT.mkdir(exist_ok=True)

roller = needlemap.load(ROOT / "designs/mf8-192.toml")
pen = needlemap.load(ROOT / "designs/pen-12-110.toml")
print(roller)
print(pen)

# %% Analyze both designs (the same numbers as `needlemap analyze`)
results = {d.name: needlemap.analyze(d) for d in (roller, pen)}
for name, r in results.items():
    print(f"\n{name} ({r.kind})")
    for key, value in r.metrics.items():
        shown = "n/a" if value is None else (f"{value:.4g}" if isinstance(value, float) else value)
        print(f"  {key:22} {shown}")
    for code, message in r.advisories:
        print(f"  advisory {code}: {message}")

# %% The channels as arrays
ch = results["mf8-192"].channels
inside = ch["in_region"]
print(f"\nmf8-192: {inside.sum()} of {inside.size} simulated channels lie in the region;"
      f" depth {ch['depth_mm'][inside].mean():.3f} mm on average")

# %% Compare: each brought to the other's density
cmp = needlemap.compare([roller, pen])
print()
print(cmp.table)

# %% Sweep the roller's needle length
lengths = [0.5, 1.0, 1.5, 2.0]
rows = needlemap.sweep(roller, vary={"needle.length_mm": lengths}, resolution_um=20)
print("\nneedle.length_mm  coverage_fraction  max_depth_mm  max_gap_mm")
for i, length in enumerate(rows["needle.length_mm"]):
    print(f"{length:16.2f}  {rows['coverage_fraction'][i]:17.4f}"
          f"  {rows['max_depth_mm'][i]:12.3f}  {rows['max_gap_mm'][i]:10.3f}")

# %% A changed copy: the same roller with 1.0 mm needles
short = needlemap.analyze(roller.with_(**{"needle.length_mm": 1.0}))
print(f"\nwith 1.0 mm needles: coverage {short.metrics['coverage_fraction']:.4f},"
      f" deepest {short.metrics['max_depth_mm']:.3f} mm")

# %% Coverage maps (needs matplotlib)
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
    print("\nmatplotlib is not installed: no picture (pip install './python[plot]')")

if plt is not None:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), constrained_layout=True)
    for ax, r in zip(axes, results.values()):
        im = ax.imshow(r.coverage, origin="lower", extent=r.extent_mm, cmap="Blues",
                       vmin=0, vmax=max(float(np.nanmax(x.coverage)) for x in results.values()))
        ax.set_xlim(0, r.area_mm[0])
        ax.set_ylim(0, r.area_mm[1])
        ax.set_title(f"{r.name}: coverage {r.metrics['coverage_fraction']:.3f}")
        ax.set_xlabel("x, mm")
        ax.set_ylabel("y, mm")
    fig.colorbar(im, ax=axes, label="covered share of a map cell")
    png = OUT / "walkthrough-coverage.png"
    fig.savefig(png, dpi=90)
    print(f"\nwrote {os.path.relpath(png, ROOT)}")
