#!/usr/bin/env bash
# Refresh the "what changed" summaries in Markdown files: a block
# between two lines
#
#     <!-- changes N -->
#     <!-- endchanges -->
#
# gets, from the per-stage views that tools/stages.sh writes (make
# stages), how many lines stage N adds to and takes from stage N-1,
# which functions it brings in and which it changes, and where the
# whole diff is.
#
#   tools/changes.sh [--check] VIEWS FILE.md...
#
# VIEWS is the directory of container-N.c (build/stages). --check
# changes nothing: it fails, naming the file, when a summary is stale.
# shellcheck disable=SC2016 # the backquotes are Markdown's
set -euo pipefail
export LC_ALL=C

check=false
if [ "${1:-}" = --check ]; then
	check=true
	shift
fi
views=$1
tab=$'\t'
shift

# Each function's definition in a C file, one per line: its name, a
# tab, and its text with its newlines and tabs made \001 and \002 (a
# definition starts at column 0 with a name and "(", and ends at the
# first "}" at column 0).
functions() {
	awk '
	!name && /^[a-z_][A-Za-z0-9_ *]*[ *][a-z_][a-z0-9_]*\(/ && !/\)[ \t]*;/ {
		name = $0
		sub(/\(.*/, "", name)
		sub(/.*[ *]/, "", name)
		body = ""
	}
	name {
		line = $0
		gsub(/\t/, "\002", line)
		body = body line "\001"
	}
	name && /^}/ {
		print name "\t" body
		name = ""
	}' "$1"
}

summary() {
	local stage=$1 before after added removed new changed
	after=$views/container-$stage.c
	[ -f "$after" ] || { echo "changes: no $after: run make stages" >&2; return 1; }
	if [ "$stage" -eq 0 ]; then
		printf 'Stage 0 is where container.c begins: %s lines\n' \
			"$(wc -l <"$after")"
		printf '(`make stages`, then `less build/stages/container-0.c`).\n'
		return
	fi
	before=$views/container-$((stage - 1)).c
	added=$(diff "$before" "$after" | grep -c '^>' || true)
	removed=$(diff "$before" "$after" | grep -c '^<' || true)
	printf 'Stage %s adds %s lines to stage %s and takes %s away\n' \
		"$stage" "$added" "$((stage - 1))" "$removed"
	printf '(`make stages`, then `less build/stages/stage-%s.diff`).\n' "$stage"
	new=$(join -t $'\t' -v 2 <(functions "$before" | sort -t "$tab" -k1,1) \
		<(functions "$after" | sort -t "$tab" -k1,1) | cut -f1 | sed 's/.*/`&`/' |
		paste -sd, - | sed 's/,/, /g')
	changed=$(join -t $'\t' <(functions "$before" | sort -t "$tab" -k1,1) \
		<(functions "$after" | sort -t "$tab" -k1,1) | awk -F'\t' '$2 != $3 { print $1 }' |
		sed 's/.*/`&`/' | paste -sd, - | sed 's/,/, /g')
	echo
	echo "- new functions: ${new:-none}"
	echo "- changed: ${changed:-none}"
}

refresh() {
	local file=$1 text stage skipping=false
	while IFS= read -r text || [ -n "$text" ]; do
		if [[ $text =~ ^'<!-- changes '([0-9]+)' -->'$ ]]; then
			stage=${BASH_REMATCH[1]}
			printf '%s\n' "$text"
			summary "$stage" || return 1
			skipping=true
			continue
		fi
		[ "$text" != '<!-- endchanges -->' ] || skipping=false
		$skipping || printf '%s\n' "$text"
	done <"$file"
}

# shellcheck source=tools/refresh-lib.sh
. "$(dirname "$0")/refresh-lib.sh"
refresh_files "$check" changes ": its summary of a stage's changes is stale: run make quotes" refresh "$@"
