#!/usr/bin/env bash
# Peer ratio (README, "Performance"): whole `needlemap analyze --no-plots` against the
# numpy/scipy reference (benches/reference_numpy.py: rasterize the openings on one array,
# scipy.ndimage.distance_transform_edt, read off coverage, treated share and largest gap) on
# the same channels, timed side by side in one run on the same machine.
#
# 1. builds the release binary; makes a virtual environment with numpy and scipy under
#    target/peer-venv when it lacks them;
# 2. runs `needlemap analyze DESIGN --no-plots` RUNS times with all cores and RUNS times with
#    one thread (/usr/bin/time: wall, user CPU, peak RSS; medians); the runs write the
#    channels (channels.csv) and metrics (summary.csv) the reference reads;
# 3. runs the reference once on those channels (its own stage times and the whole process);
# 4. checks that the two agree within the tolerances below (exit 1 when not) and prints a
#    markdown table with both times and the ratios.
#
# Ratios: "compute" divides the reference's own compute time (rasterize + distance transform +
# metrics, excluding Python start-up and reading channels.csv) by needlemap's whole process
# (simulating the channels, every metric, writing the CSVs); "process" divides whole process
# by whole process. The first is the one that favours the reference. When other jobs share the
# cores, wall times stretch; the CPU-time ratio (user + system, whole processes) is steadier.
#
# Tolerances: coverage_fraction ±0.002 (the reference counts pixel centres inside an opening,
# needlemap integrates each row's covered intervals exactly at stratified heights);
# treated_fraction ±0.001; max_gap_mm ± one pixel pitch (both measure the distance on the
# raster).
#
# Usage: bash benches/peer.sh [RUNS] [DESIGN]   (default 3, designs/bench/pen-dense-60.toml)
#        NEEDLEMAP=/path/to/needlemap bash benches/peer.sh ...   (another build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
design=${2:-designs/bench/pen-dense-60.toml}
bin=${NEEDLEMAP:-target/release/needlemap}
venv=target/peer-venv
cargo build --release --quiet
if ! "$venv/bin/python" -c 'import numpy, scipy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet numpy scipy
fi
py="$venv/bin/python"
out=target/bench/peer
rm -rf "$out"
mkdir -p "$out"
cores=$(nproc)
echo "machine: $cores cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "numpy $("$py" -c 'import numpy; print(numpy.__version__)'), scipy $("$py" -c 'import scipy; print(scipy.__version__)'), $("$py" --version)" >&2
for t in "$cores" 1; do
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -a -o "$out/needlemap-$t.txt" \
      "$bin" --threads "$t" analyze "$design" --out "$out" --no-plots --quiet
  done
done
name=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$design" | head -n 1)
/usr/bin/time -f '%e %U %S %M' -o "$out/reference.txt" \
  "$py" benches/reference_numpy.py "$design" --out "$out" --json >"$out/reference.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$py" - "$out" "$name" "$cores" "$design" <<'EOF'
import csv, json, statistics, sys
out, name, cores, design = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def runs(path):
    rows = [list(map(float, l.split())) for l in open(path) if l.strip()]
    return tuple(statistics.median(r[k] for r in rows) for k in range(4))
nm = {t: runs(f"{out}/needlemap-{t}.txt") for t in (cores, 1)}
ref_proc = runs(f"{out}/reference.txt")
ref = json.load(open(f"{out}/reference.json"))
ours = next(csv.DictReader(open(f"{out}/{name}/summary.csv")))
p = ref["pitch_mm"]
tol = {"coverage_fraction": 0.002, "treated_fraction": 0.001, "max_gap_mm": p}
agree = True
print(f"| metric | numpy/scipy | needlemap | difference | tolerance | agree |")
print(f"|---|---|---|---|---|---|")
for k, t in tol.items():
    a, b = ref[k], float(ours[k])
    ok = abs(a - b) <= t + 1e-12
    agree &= ok
    print(f"| {k} | {a:.6f} | {b:.6f} | {b - a:+.6f} | ±{t:g} | {'yes' if ok else 'NO'} |")
px = ref["pixels"][0] * ref["pixels"][1]
print()
print(f"`{design}`: {ref['pixels'][0]} × {ref['pixels'][1]} px at {p * 1000:g} µm, "
      f"{ref['channels']} channels. Reference stages: rasterize {ref['rasterize_s']:.2f} s, "
      f"distance_transform_edt {ref['edt_s']:.2f} s, metrics {ref['metrics_s']:.2f} s.")
print()
print("| run | wall s | CPU s (user + sys) | peak RSS MiB | reference compute / this wall | reference process / this wall | reference CPU / this CPU |")
print("|---|---|---|---|---|---|---|")
print(f"| numpy/scipy reference, compute only (1 thread) | {ref['total_s']:.2f} | | | | | |")
rw, ru, rs, rr = ref_proc
print(f"| numpy/scipy reference, whole process | {rw:.2f} | {ru + rs:.2f} | {rr / 1024:.0f} | | | |")
for t in (cores, 1):
    w, u, s, r = nm[t]
    print(f"| `needlemap --threads {t} analyze --no-plots`, median of {len(open(f'{out}/needlemap-{t}.txt').readlines())} | {w:.2f} | {u + s:.2f} | {r / 1024:.0f} "
          f"| **{ref['total_s'] / w:.0f}×** | {rw / w:.0f}× | {(ru + rs) / (u + s):.0f}× |")
if not agree:
    print("the reference and needlemap disagree beyond the tolerances", file=sys.stderr)
    sys.exit(1)
EOF
