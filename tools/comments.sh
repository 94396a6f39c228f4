#!/usr/bin/env bash
# How much each stage's view explains: comment lines per code line.
#
#   tools/comments.sh [--min RATIO] VIEW.c...
#
# A comment line is a line that holds comment text: a line of a
# /* ... */ block, or the note after the code on its line. A code line
# is a line that holds code (so a line with both counts once as each).
# Blank lines, comment lines that only draw (banners of dashes and
# stars), and the lines that only mark a quoted region
# (/* #region NAME */) count as neither. The ratio is comment lines
# per code line.
# Prints one line per view; with --min, exits 1 if a view's ratio is
# below RATIO.
set -euo pipefail
min=
if [ "${1:-}" = --min ]; then
	min=$2
	shift 2
fi
status=0
for view in "$@"; do
	read -r comments code < <(awk '
	/^[ \t]*\/\* #(end)?region [A-Za-z0-9_]+ \*\/[ \t]*$/ { next }
	{
		line = $0; has_code = 0; has_text = 0
		while (line != "") {
			if (in_comment) {
				end = index(line, "*/")
				text = end ? substr(line, 1, end - 1) : line
				gsub(/[ \t*\/-]/, "", text)
				if (text != "") has_text = 1
				if (!end) { line = ""; break }
				in_comment = 0; line = substr(line, end + 2)
			} else {
				start = index(line, "/*")
				before = start ? substr(line, 1, start - 1) : line
				if (before ~ /[^ \t]/) has_code = 1
				if (!start) break
				in_comment = 1; line = substr(line, start + 2)
			}
		}
		if (has_code) code++
		if (has_text) comments++
	}
	END { print comments + 0, code + 0 }' "$view")
	ratio=$(awk -v a="$comments" -v b="$code" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
	printf 'comments: %s: %d comment lines, %d code lines: %s\n' \
		"$view" "$comments" "$code" "$ratio"
	# Against the exact ratio, not the rounded one printed.
	if [ -n "$min" ] && awk -v a="$comments" -v b="$code" -v m="$min" \
		'BEGIN { exit !(a < m * b) }'; then
		echo "comments: $view explains less than $min comment lines per code line" >&2
		status=1
	fi
done
exit "$status"
