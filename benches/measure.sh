#!/usr/bin/env bash
# Times whole `needlemap analyze` runs of the performance cases (README, "Performance"):
# median wall time, user CPU time and peak RSS over N runs, from /usr/bin/time, with the
# machine's load before and after (others may share the cores).
# Usage: bash benches/measure.sh [N] [THREADS...]      (default: 5 runs, threads 1 and 2)
#        NEEDLEMAP=/path/to/needlemap bash benches/measure.sh ...   (another build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
shift || true
threads=("${@:-1 2}")
bin=${NEEDLEMAP:-target/release/needlemap}  # NEEDLEMAP=path/to/other/build to compare
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %7s %9s %9s %9s\n' case threads wall_s user_s rss_mib
for t in ${threads[@]}; do
  for case in "designs/mf8-192.toml" "designs/bench/pen-dense-60.toml" "designs/bench/body-540-100.toml"; do
    : >"$out/t"
    for _ in $(seq "$n"); do
      /usr/bin/time -f '%e %U %M' -a -o "$out/t" \
        "$bin" --threads "$t" analyze "$case" --out "$out/o" --no-plots --quiet
    done
    wall=$(cut -d' ' -f1 "$out/t" | median)
    user=$(cut -d' ' -f2 "$out/t" | median)
    rss=$(cut -d' ' -f3 "$out/t" | median | awk '{printf "%.0f", $1 / 1024}')
    printf '%-34s %7s %9s %9s %9s\n' "$(basename "$case" .toml)" "$t" "$wall" "$user" "$rss"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
