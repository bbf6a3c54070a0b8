#!/usr/bin/env bash
# The optimisation bench: `needlemap optimise` over the 10 800 roller candidates of
# designs/optimise/bench-roller-10k.toml (the MF8's drum and region: layout × needle length ×
# hand force × passes), timed whole with /usr/bin/time, with each stage's candidates per CPU
# second as the command prints them. NEEDLEMAP=/path/to/build times another build.
# Usage: bash benches/optimise.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${NEEDLEMAP:-}" ]; then
  cargo build --release --locked --quiet
  NEEDLEMAP=./target/release/needlemap
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/time -f "wall %e s, CPU %U s user + %S s system, peak RSS %M KB" -o "$out/time.txt" \
  "$NEEDLEMAP" optimise designs/optimise/bench-roller-10k.toml --out "$out" --no-plots \
  >"$out/summary.txt" 2>"$out/stages.txt"
grep -v elapsed "$out/stages.txt" || true
head -8 "$out/summary.txt"
echo "$(cat "$out/time.txt") for $(($(wc -l < "$out/bench-roller-10k/optimise/candidates.csv") - 1)) candidates"
