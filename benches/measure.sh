#!/usr/bin/env bash
# Times whole `needlemap analyze --no-plots` runs of the performance cases (README,
# "Performance"): median wall time, CPU time (user + system) and peak RSS over N runs, from
# /usr/bin/time, with the machine's load before and after (others may share the cores), as a
# markdown table. The other scripts: benches/scaling.sh (75–300 mm squares, with and without
# pictures, docs/img/scaling.png), benches/peer.sh (against numpy/scipy), benches/sweep.sh
# (the 1000-row sweep, whole and in shards).
# Usage: bash benches/measure.sh [N] [THREADS...]      (default: 5 runs, threads 1 and 2)
#        NEEDLEMAP=/path/to/needlemap bash benches/measure.sh ...   (another build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
shift || true
threads=(1 2)
[ $# -gt 0 ] && threads=("$@")
bin=${NEEDLEMAP:-target/release/needlemap}  # NEEDLEMAP=path/to/other/build to compare
cargo build --release --quiet --bin needlemap
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg); $n runs each"
echo
echo "| case | region, raster | pixels | channels | threads | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|"
for t in "${threads[@]}"; do
  for case in designs/mf8-192.toml designs/bench/pen-dense-60.toml designs/bench/body-540-100.toml \
    designs/bench/body-540-300.toml; do
    : >"$out/t"
    for _ in $(seq "$n"); do
      /usr/bin/time -f '%e %U %S %M' -a -o "$out/t" \
        "$bin" --threads "$t" analyze "$case" --out "$out/o" --no-plots --quiet
    done
    wall=$(cut -d' ' -f1 "$out/t" | median)
    cpu=$(awk '{print $2 + $3}' "$out/t" | median)
    rss=$(cut -d' ' -f4 "$out/t" | median | awk '{printf "%.0f", $1 / 1024}')
    name=$(basename "$case" .toml)
    area=$(sed -n 's/^area_mm = \[\([0-9.]*\), *\([0-9.]*\)\].*/\1 \2/p' "$case")
    res=$(sed -n 's/^resolution_um = \([0-9.]*\).*/\1/p' "$case")
    res=${res:-10}
    channels=$(awk -F, 'NR==1 {for (i = 1; i <= NF; i++) if ($i == "channels") c = i} NR==2 {print $c}' \
      "$out/o/$name/summary.csv")
    read -r lx ly <<<"$area"
    awk -v c="$case" -v lx="$lx" -v ly="$ly" -v r="$res" -v ch="$channels" -v t="$t" -v w="$wall" -v u="$cpu" -v m="$rss" \
      'BEGIN {px = lx * ly * 1e6 / (r * r); e = int(log(px) / log(10) + 1e-9);
        split("⁰ ¹ ² ³ ⁴ ⁵ ⁶ ⁷ ⁸ ⁹", sup, " "); x = ""; for (k = e; k > 0 || x == ""; k = int(k / 10)) x = sup[k % 10 + 1] x;
        printf "| `%s` | %g × %g mm, %g µm | %.3g·10%s | %d | %s | %.2f | %.2f | %s |\n", c, lx, ly, r, px / 10 ^ e, x, ch, t, w, u, m}'
  done
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
