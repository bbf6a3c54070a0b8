#!/usr/bin/env bash
# Loads the review report (needlemap report designs/) in headless Chromium with the network
# off and checks what a reviewer would see: a screenshot that is not blank, no network
# request and no console error, a first screen (1366 x 768) that is not blank either, a page
# of at most 8 MB (pictures embedded at the width shown), and a PDF whose first page renders.
#
# Usage: scripts/browser-check.sh [OUT_DIR]   (default: target/browser-check)
# Works as root in a fresh Debian/Ubuntu CI container: installs chromium and poppler-utils
# with apt-get when they are missing. Needs cargo (builds the release binary) and python3.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT="${1:-target/browser-check}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

fail() { echo "browser-check: FAIL: $*" >&2; exit 1; }

chromium_bin() {
    for c in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
    done
    return 1
}

if ! chromium_bin >/dev/null || ! command -v pdftoppm >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        fail "chromium and poppler-utils are needed: run as root, or apt-get install chromium poppler-utils"
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium poppler-utils >/dev/null
fi
command -v python3 >/dev/null || fail "python3 is needed"
CHROMIUM="$(chromium_bin)" || fail "chromium did not install"

cargo build --release --quiet
BIN=target/release/needlemap

# The report, with a fixed date so that two runs give the same page.
SOURCE_DATE_EPOCH=0 "$BIN" report designs/ --out "$OUT" --quiet
HTML="$OUT/report.html"
[ -s "$HTML" ] || fail "no $HTML"
if grep -Eq '<script|src="https?:|href="https?:|url\(https?:' "$HTML"; then
    fail "the page references the network or a script"
fi
BYTES="$(wc -c <"$HTML")"
[ "$BYTES" -le 8000000 ] || fail "$HTML is $BYTES bytes: pictures should be embedded at the width shown"

PROFILE="$(mktemp -d)"
trap 'rm -rf "$PROFILE"' EXIT
# Network off: every host resolves to nothing and every proxied request goes to a closed port.
FLAGS=(--headless --no-sandbox --disable-gpu --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server=127.0.0.1:9
       --user-data-dir="$PROFILE" --enable-logging=stderr --v=0)

LOG="$OUT/chromium.log"
SHOT="$OUT/screenshot.png"
rm -f "$SHOT"
"$CHROMIUM" "${FLAGS[@]}" --hide-scrollbars --window-size=1280,1600 \
    --screenshot="$SHOT" "file://$HTML" >"$LOG" 2>&1 || fail "chromium could not load the page (log: $LOG)"
[ -s "$SHOT" ] || fail "no screenshot (log: $LOG)"
# What a reviewer sees first on a laptop screen.
FIRST="$OUT/first-screen.png"
rm -f "$FIRST"
"$CHROMIUM" "${FLAGS[@]}" --hide-scrollbars --window-size=1366,768 \
    --screenshot="$FIRST" "file://$HTML" >>"$LOG" 2>&1 || fail "chromium could not load the page (log: $LOG)"
[ -s "$FIRST" ] || fail "no first-screen screenshot (log: $LOG)"

# Console errors and network failures Chromium logs.
if grep -E 'Failed to load|ERR_[A-Z_]+|Uncaught|CONSOLE\(.*(error|Error)' "$LOG" \
    | grep -v 'ERR_FILE_NOT_FOUND.*favicon' >"$OUT/errors.log"; then
    cat "$OUT/errors.log" >&2
    fail "the browser logged a console error or a failed request (see $LOG)"
fi

# Not blank: many distinct colours in the screenshot (PNG decoded with zlib and struct).
python3 - "$SHOT" "$FIRST" <<'EOF'
import struct, sys, zlib

def colours(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', f'{path}: not a PNG'
    pos, idat, w, h, ctype = 8, b'', 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8, f'{path}: bit depth {depth}'
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype]
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    seen = set()
    i = 0
    for _ in range(h):
        f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 4):
            seen.add(bytes(line[x:x + 3]))
        prev = line
    return w, h, len(seen)

for path in sys.argv[1:]:
    w, h, n = colours(path)
    print(f'{path}: {w}x{h}, {n} distinct colours')
    if n < 50:
        sys.exit(f'browser-check: FAIL: {path} looks blank ({n} colours)')
EOF

# The same page printed, and its first page rendered.
PDF="$OUT/report.pdf"
rm -f "$PDF"
"$CHROMIUM" "${FLAGS[@]}" --no-pdf-header-footer --print-to-pdf="$PDF" "file://$HTML" >>"$LOG" 2>&1 \
    || fail "chromium could not print the page"
[ -s "$PDF" ] || fail "no PDF"
pdftoppm -png -r 60 -f 1 -l 1 "$PDF" "$OUT/page" || fail "pdftoppm cannot render page 1"
PAGE1="$(ls "$OUT"/page-*1.png | head -1)"
[ -s "$PAGE1" ] || fail "page 1 did not render"
# Page 2 starts the first design's section (break-before: page): its datasheet, as printed.
pdftoppm -png -r 80 -f 2 -l 2 "$PDF" "$OUT/datasheet" || fail "pdftoppm cannot render page 2"
PAGES="$(python3 -c "import re,sys; print(len(re.findall(rb'/Type\s*/Page[^s]', open(sys.argv[1],'rb').read())))" "$PDF")"

# The binary's own --pdf path prints the same page.
"$BIN" report designs/ --out "$OUT/pdf" --pdf --quiet
[ -s "$OUT/pdf/report.pdf" ] || fail "needlemap report --pdf wrote no PDF"

echo "browser-check: OK: $HTML ($BYTES bytes), screenshots $SHOT and $FIRST, datasheet page $(ls "$OUT"/datasheet-*2.png), PDF $PDF ($PAGES pages), page 1 $PAGE1"
