# Shared by tools/quote.sh and tools/changes.sh: write each Markdown
# file again with its generated blocks made fresh, or, with --check,
# only say which are stale.
#
#   refresh_files CHECK LABEL STALE MAKER FILE...
#
# MAKER FILE prints FILE as it should be. CHECK is true or false.
# A stale FILE gives "LABEL: FILE" and STALE on stderr under CHECK,
# else it is rewritten. Returns 1 if MAKER failed, or if a file was
# stale under CHECK.
# shellcheck shell=bash

refresh_files() {
	local check=$1 label=$2 stale=$3 maker=$4 file fresh status=0
	shift 4
	for file in "$@"; do
		fresh=$(mktemp)
		if ! "$maker" "$file" >"$fresh"; then
			status=1
		elif ! cmp -s "$fresh" "$file"; then
			if $check; then
				echo "$label: $file$stale" >&2
				status=1
			else
				cat "$fresh" >"$file"
				echo "$label: refreshed $file"
			fi
		fi
		rm -f "$fresh"
	done
	return "$status"
}
