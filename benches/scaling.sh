#!/usr/bin/env bash
# Scaling with the region (README, "Performance"): whole `needlemap analyze` runs of the
# 540-needle body roller over 75, 150 and 300 mm squares at 10 µm (designs/bench/body-540-*.toml,
# 5.6·10⁷ to 9·10⁸ pixels), without pictures (RUNS runs, medians) and with pictures (one run
# each; pictures are downsampled, never drawn at raster resolution). Records wall time, CPU
# time (user + system) and peak RSS from /usr/bin/time, writes target/bench/scaling.csv, draws
# docs/img/scaling.png (examples/scaling_plot.rs) and prints a markdown table, the sizes of the
# 300 mm pictures, and whether peak RSS stayed ≤ 1 GiB (exit 1 when not).
#
# Usage: bash benches/scaling.sh [RUNS]          (default 3)
#        NEEDLEMAP=/path/to/needlemap bash benches/scaling.sh ...   (another build)
#        SIDES="75 150 300" bash benches/scaling.sh (other squares: designs/bench/body-540-S.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
sides=${SIDES:-75 150 300}
bin=${NEEDLEMAP:-target/release/needlemap}
cargo build --release --quiet --bin needlemap --example scaling_plot
out=target/bench/scaling
rm -rf "$out"
mkdir -p "$out"
csv=target/bench/scaling.csv
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $load_before" >&2
echo "side_mm,area_cm2,pixels,channels,plots,runs,wall_s,cpu_s,rss_mib" >"$csv.part"
for s in $sides; do
  design=designs/bench/body-540-$s.toml
  for plots in 0 1; do
    n=$runs flag=--no-plots dir=$out/no-plots
    if [ "$plots" = 1 ]; then n=1 flag='' dir=$out/plots; fi
    : >"$out/t"
    for _ in $(seq "$n"); do
      /usr/bin/time -f '%e %U %S %M' -a -o "$out/t" \
        "$bin" analyze "$design" --out "$dir" $flag --quiet
    done
    wall=$(cut -d' ' -f1 "$out/t" | median)
    cpu=$(awk '{print $2 + $3}' "$out/t" | median)
    rss=$(cut -d' ' -f4 "$out/t" | median | awk '{printf "%.0f", $1 / 1024}')
    res=$(sed -n 's/^resolution_um = \([0-9.]*\).*/\1/p' "$design")
    channels=$(awk -F, 'NR==1 {for (i = 1; i <= NF; i++) if ($i == "channels") c = i} NR==2 {print $c}' \
      "$dir/body-540-$s/summary.csv")
    awk -v s="$s" -v r="$res" -v ch="$channels" -v p="$plots" -v n="$n" -v w="$wall" -v c="$cpu" -v m="$rss" \
      'BEGIN {px = (s * 1000 / r) ^ 2; printf "%s,%g,%.0f,%s,%s,%s,%s,%.2f,%s\n", s, s * s / 100, px, ch, p, n, w, c, m}' \
      >>"$csv.part"
    echo "done: body-540-$s, pictures $plots: wall $wall s, CPU $cpu s, $rss MiB" >&2
  done
done
mv "$csv.part" "$csv"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load after: $load_after" >&2
target/release/examples/scaling_plot "$csv" docs/img/scaling.png \
  "whole runs, $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), medians of $runs runs without pictures, 1 with; load average $load_before → $load_after; $(date -u +%F)"

echo "| region | pixels | channels | pictures | wall s | CPU s | CPU per 10⁸ px | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|"
awk -F, 'NR > 1 {printf "| `designs/bench/body-540-%s.toml`, %s × %s mm, 10 µm | %.3g·10⁸ | %d | %s | %.2f | %.2f | %.2f s | %d |\n",
  $1, $1, $1, $3 / 1e8, $4, ($5 ? "yes" : "no"), $7, $8, $8 / ($3 / 1e8), $9}' "$csv"
awk -F, 'NR > 1 && !$5 {if (!a || $3 < a) {a = $3; ca = $8; wa = $7} if ($3 > b) {b = $3; cb = $8; wb = $7}}
  END {if (b > a) printf "\nlargest / smallest region: %.1f× the pixels, %.1f× the CPU time, %.1f× the wall time\n", b / a, cb / ca, wb / wa}' "$csv"
big=$(echo "$sides" | tr ' ' '\n' | sort -n | tail -n 1)
echo
echo "pictures of body-540-$big (PNG size in px):"
for f in "$out/plots/body-540-$big"/*.png "$out/plots/body-540-$big"/*.svg; do
  dims=
  case $f in *.png) dims=$(od -An -tu1 -j16 -N8 "$f" | awk '{printf " (%d × %d px)", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}') ;; esac
  printf '  %-14s %8d KiB%s\n' "$(basename "$f")" $(($(stat -c %s "$f") / 1024)) "$dims"
done
over=$(awk -F, 'NR > 1 && $9 > 1024' "$csv" | wc -l)
if [ "$over" -gt 0 ]; then
  echo "peak RSS above 1 GiB in $over case(s)" >&2
  exit 1
fi
echo "peak RSS ≤ 1 GiB in every case; docs/img/scaling.png drawn from $csv"
