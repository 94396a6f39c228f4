#!/usr/bin/env bash
# Build a Marp deck into one HTML file, as `make slides` does: the
# Markdown files joined in order (a slide break between two files),
# the pictures beside it, the project's engine and theme.
#
#   tools/slides.sh OUTDIR FILE.md...     writes OUTDIR/index.html
#
# Needs Marp in slides/node_modules (make deps-slides); no network.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
shift
[ -x "$top/slides/node_modules/.bin/marp" ] ||
	{ echo "slides: no Marp in slides/node_modules: make deps-slides" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
cp -r "$top/slides/pictures" "$out/"
awk 'FNR == 1 && NR > 1 { print "\n---\n" } { print }' "$@" >"$out/workshop.md"
cd "$top/slides"
./node_modules/.bin/marp --engine ./engine.cjs --theme-set theme.css \
	--html --no-stdin "$out/workshop.md" -o "$out/index.html"
