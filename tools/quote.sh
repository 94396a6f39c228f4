#!/usr/bin/env bash
# Refresh the code that Markdown files quote from container.c. A quote
# is a block between two lines
#
#     <!-- region NAME -->
#     <!-- endregion -->
#
# and its text is that of the region NAME in container.c, the lines
# between "/* #region NAME */" and "/* #endregion NAME */".
#
#   tools/quote.sh [--check] SOURCE FILE.md...
#
# --check changes nothing: it fails, naming the file, when a quote is
# stale or names a region that does not exist.
set -euo pipefail

check=false
if [ "${1:-}" = --check ]; then
	check=true
	shift
fi
source_file=$1
shift

quote() {
	awk '
	FNR == NR {
		if ($0 ~ /^[ \t]*\/\* #region [A-Za-z0-9_]+ \*\/[ \t]*$/) {
			name = $0
			sub(/^[ \t]*\/\* #region /, "", name)
			sub(/ \*\/[ \t]*$/, "", name)
			inside[name] = 1
			known[name] = 1
			next
		}
		if ($0 ~ /^[ \t]*\/\* #endregion [A-Za-z0-9_]+ \*\/[ \t]*$/) {
			name = $0
			sub(/^[ \t]*\/\* #endregion /, "", name)
			sub(/ \*\/[ \t]*$/, "", name)
			delete inside[name]
			next
		}
		for (name in inside)
			text[name] = text[name] $0 "\n"
		next
	}
	/^<!-- region [A-Za-z0-9_]+ -->$/ {
		name = $3
		if (!(name in known)) {
			print FILENAME ": no region " name " in the source" \
				>"/dev/stderr"
			bad = 1
		}
		print
		print "```c"
		printf "%s", text[name]
		print "```"
		skipping = 1
		next
	}
	/^<!-- endregion -->$/ { skipping = 0 }
	!skipping { print }
	END { exit bad }
	' "$source_file" "$1"
}

# shellcheck source=tools/refresh-lib.sh
. "$(dirname "$0")/refresh-lib.sh"
refresh_files "$check" quote " quotes code that changed: run make quotes" quote "$@"
