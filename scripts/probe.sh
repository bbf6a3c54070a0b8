#!/usr/bin/env bash
# Hostile and extreme inputs against the built binary: each probe's exit code, wall time and
# peak memory (GNU time: `%e %M`), as a markdown table. Every bad input must be refused with
# exit 2 (or the documented code) in under 1 s and 100 MiB; the probes marked `run` are
# legitimate runs and are only measured. A probe that misses its expectation is marked FAIL
# and the script exits 1.
#
#   cargo build --release && bash scripts/probe.sh [path/to/needlemap]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-target/release/needlemap}")
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed" >&2; exit 2; }
D=$(realpath designs)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
mkdir -p sub

# A shipped design with one `key = value` line replaced (the key's first occurrence).
set_key() { # file key value > out
    awk -v k="$2" -v v="$3" 'BEGIN{done=0} !done && $1==k && $2=="=" {print k " = " v; done=1; next} {print}' "$1"
}
# A design with a line added under a [table] (created at the end if missing).
add_under() { # file table line > out
    if grep -q "^\[$2\]" "$1"; then
        awk -v t="[$2]" -v l="$3" '{print} $0==t {print l}' "$1"
    else
        cat "$1"; printf '\n[%s]\n%s\n' "$2" "$3"
    fi
}
# The MF8 with its layout read from a CSV file.
explicit() { # csv-path > out
    awk -v p="$1" '
        /^\[roller.layout\]/ {print; print "pattern = \"explicit\""; print "needles_csv = \"" p "\""; skip=1; next}
        /^\[/ {skip=0}
        !skip {print}' "$D/mf8-192.toml"
}

set_key "$D/mf8-192.toml" length_mm 1500 > len1500.toml
set_key "$D/mf8-192.toml" length_mm 1e4 > len1e4.toml
set_key "$D/mf8-192.toml" length_sd_mm 100 > sd100.toml
add_under "$D/mf8-192.toml" analysis "influence_radius_mm = 50" > infl50.toml
set_key "$D/pen-12-110.toml" rows 1000 | set_key /dev/stdin cols 1000 > grid1000.toml
set_key "$D/pen-12-110.toml" tip_length_mm 49 > tip49.toml
set_key "$D/mf8-192.toml" drum_diameter_mm 1e300 > drum1e300.toml
set_key "$D/pen-12-110.toml" hand_speed_mm_s 1e300 > speed1e300.toml
add_under "$D/mf8-192.toml" analysis "tile_mm = 1e-6" > tile1e-6.toml
explicit /proc/self/environ > environ.toml
explicit /etc/passwd > passwd.toml
explicit /dev/zero > zero.toml
mkfifo sub/fifo.csv
explicit fifo.csv > sub/fifo.toml
printf 'axial_mm,angle_deg,angle_deg\n0.0,0.0,0.0\n1.0,90.0,90.0\n' > sub/dup.csv
explicit dup.csv > sub/dup.toml
set_key "$D/mf8-192.toml" name "\"$(printf 'n%.0s' $(seq 300))\"" > name300.toml
printf 'name = "s"\nbase = "/etc/passwd"\n[vary]\n"needle.length_mm" = [1.0]\n' > sweep-passwd.toml

ROWS=()
FAILED=0
# probe NAME EXPECT ARGS...: EXPECT is an exit code, or `run` for a legitimate run.
probe() {
    local name=$1 expect=$2
    shift 2
    local out
    out=$( { timeout -k 5 60 /usr/bin/time -f '%e %M' -o time.txt "$BIN" "$@" > stdout.txt 2> stderr.txt; echo $?; } )
    local code=$out wall mib
    read -r wall kib < time.txt 2>/dev/null || { wall=60; kib=0; }
    # GNU time prints "Command exited with non-zero status N" first when N ≠ 0
    if [ "$(wc -l < time.txt)" -gt 1 ]; then read -r wall kib < <(tail -n 1 time.txt); fi
    mib=$(awk -v k="$kib" 'BEGIN{printf "%.1f", k/1024}')
    local verdict=ok note
    note=$(grep -m1 -E '^(error|warning|!)' stderr.txt stdout.txt 2>/dev/null | head -n1 | cut -d: -f2- | cut -c1-90 | tr '|' '/')
    [ -z "$note" ] && note=$(grep -m1 -E '^! ' stdout.txt | cut -c1-90 | tr '|' '/')
    if [ "$expect" = run ]; then
        [ "$code" -le 3 ] || verdict=FAIL
    else
        [ "$code" = "$expect" ] || verdict=FAIL
        awk -v w="$wall" -v m="$mib" 'BEGIN{exit !(w < 1.0 && m < 100)}' || verdict=FAIL
    fi
    [ "$verdict" = ok ] || FAILED=1
    ROWS+=("| $name | $expect | $code | $wall | $mib | $verdict | ${note:-} |")
}

A=(analyze --no-plots --quiet --out out)
probe "needle.length_mm = 1500" 2 "${A[@]}" len1500.toml
probe "needle.length_mm = 1e4" 2 "${A[@]}" len1e4.toml
probe "[tolerance] length_sd_mm = 100" 2 "${A[@]}" sd100.toml
probe "[analysis] influence_radius_mm = 50" 2 "${A[@]}" infl50.toml
probe "pen grid 1000 × 1000" 2 "${A[@]}" grid1000.toml
probe "pen tip_length_mm = 49" 2 "${A[@]}" tip49.toml
probe "--resolution-um 1e9" 2 "${A[@]}" "$D/mf8-192.toml" --resolution-um 1e9
probe "--resolution-um 1e6" 2 "${A[@]}" "$D/mf8-192.toml" --resolution-um 1e6
probe "--resolution-um 100000" 2 "${A[@]}" "$D/mf8-192.toml" --resolution-um 100000
probe "drum_diameter_mm = 1e300" 2 "${A[@]}" drum1e300.toml
probe "hand_speed_mm_s = 1e300" 2 "${A[@]}" speed1e300.toml
probe "tile_mm = 1e-6" 2 "${A[@]}" tile1e-6.toml
probe "compare --target-density 1e-9" 2 compare "$D/mf8-192.toml" "$D/pen-12-110.toml" --target-density 1e-9 --out out
probe "compare --target-density 1 (advisory)" run compare "$D/mf8-192.toml" "$D/pen-12-110.toml" --target-density 1 --out out
probe "needles_csv = /proc/self/environ" 2 "${A[@]}" environ.toml --allow-outside
probe "needles_csv = /etc/passwd" 2 "${A[@]}" passwd.toml --allow-outside
probe "needles_csv = /etc/passwd (no --allow-outside)" 2 "${A[@]}" passwd.toml
probe "needles_csv = /dev/zero" 2 "${A[@]}" zero.toml --allow-outside
probe "sweep base = /etc/passwd" 2 sweep sweep-passwd.toml --allow-outside --out out
probe "needles_csv = a FIFO" 2 "${A[@]}" sub/fifo.toml
probe "300-character name" 2 "${A[@]}" name300.toml
probe "needles CSV with a duplicate column" 2 "${A[@]}" sub/dup.toml
probe "--junit into a missing folder" 3 check "$D/cit8-0.5.toml" --baseline "$D/baseline.csv" --junit nope/nope/j.xml
probe "--seed 18446744073709551615" 2 "${A[@]}" "$D/mf8-192.toml" --seed 18446744073709551615
probe "home-0.2 --resolution-um 100 (advisory)" run analyze --no-plots --out out "$D/home-0.2.toml" --resolution-um 100

echo "| probe | expected | exit | wall s | peak RSS MiB | verdict | first message |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
exit $FAILED
