#!/usr/bin/env bash
# Sweeps at scale (README, "Performance" and "Large sweeps"): times the 1000-row MF8 sweep
# (designs/sweeps/mf8-1000.toml) in one process, then runs it again as SHARDS independent
# `--shard K/N` processes — with GNU parallel when it is installed, else a plain bash loop
# of background jobs, SHARDS at a time — merges them with `--merge N` and checks that the
# merged sweep.csv is byte for byte the unsharded one (exit 1 when not). Prints a markdown table
# with wall time, CPU time (user + system) and peak RSS (for the shards: the whole batch's wall
# time, the sum of their CPU times and the largest RSS).
#
# Usage: bash benches/sweep.sh [RUNS] [SHARDS]   (default 1 run, 4 shards)
#        NEEDLEMAP=/path/to/needlemap bash benches/sweep.sh ...   (another build)
#        SWEEP=designs/sweeps/mf8-passes.toml bash benches/sweep.sh (another sweep)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1}
shards=${2:-4}
sweep=${SWEEP:-designs/sweeps/mf8-1000.toml}
bin=${NEEDLEMAP:-target/release/needlemap}
cargo build --release --quiet --bin needlemap
name=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$sweep" | head -n 1)
out=target/bench/sweep
rm -rf "$out"
mkdir -p "$out/whole" "$out/shards"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

for _ in $(seq "$runs"); do
  /usr/bin/time -f '%e %U %S %M' -a -o "$out/whole.t" \
    "$bin" sweep "$sweep" --out "$out/whole" --quiet --no-plots
done
rows=$(($(wc -l <"$out/whole/$name/sweep.csv") - 1))
errors=$(awk -F, 'NR > 1 && $NF != ""' "$out/whole/$name/sweep.csv" | wc -l)

# the shards, as the README documents them (GNU parallel, else a bash loop)
start=$(date +%s.%N)
if command -v parallel >/dev/null; then
  how="GNU parallel -j $shards"
  parallel -j "$shards" /usr/bin/time -f "'%e %U %S %M'" -o "$out/shard-{}.t" \
    "$bin" sweep "$sweep" --shard {}/"$shards" --threads 1 --quiet --out "$out/shards" \
    ::: $(seq "$shards")
else
  how="bash loop, $shards background jobs"
  for k in $(seq "$shards"); do
    /usr/bin/time -f '%e %U %S %M' -o "$out/shard-$k.t" \
      "$bin" sweep "$sweep" --shard "$k/$shards" --threads 1 --quiet --out "$out/shards" &
  done
  wait
fi
end=$(date +%s.%N)
"$bin" sweep "$sweep" --merge "$shards" --out "$out/shards" --quiet --no-plots
if ! cmp -s "$out/whole/$name/sweep.csv" "$out/shards/$name/sweep.csv"; then
  echo "the merged shards differ from the unsharded sweep.csv" >&2
  exit 1
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

wall=$(cut -d' ' -f1 "$out/whole.t" | median)
cpu=$(awk '{print $2 + $3}' "$out/whole.t" | median)
rss=$(cut -d' ' -f4 "$out/whole.t" | median | awk '{printf "%.0f", $1 / 1024}')
swall=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
scpu=$(cat "$out"/shard-*.t | awk '{s += $2 + $3} END {printf "%.2f", s}')
srss=$(cat "$out"/shard-*.t | awk '$4 > m {m = $4} END {printf "%.0f", m / 1024}')
echo "| run | rows | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---|---|---|"
echo "| \`needlemap sweep $sweep --no-plots\` (median of $runs) | $rows ($errors error rows) | $wall | $cpu | $rss |"
echo "| $shards shards \`--shard K/$shards --threads 1\` ($how), then \`--merge $shards\` | $rows | $swall | $scpu | $srss |"
echo
echo "merged shards = unsharded sweep.csv, byte for byte; $(awk -v w="$wall" -v r="$rows" 'BEGIN {printf "%.1f ms", 1000 * w / r}') wall per row"
