#!/usr/bin/env bash
# Refresh the code that Markdown files quote from container.c. A quote
# is a block between two lines
#
#     <!-- region NAME -->          or  <!-- function NAME -->
#     <!-- endregion -->
#
# A region's text is the lines between "/* #region NAME */" and
# "/* #endregion NAME */" in container.c; a function's is the function
# NAME, from the comment above it to its closing brace. Region lines
# inside either are left out. With "stage N" after the name, as in
#
#     <!-- function spawn_child stage 0 -->
#
# the text comes from stage N's view of the file (cut here with
# unifdef, as tools/stages.sh cuts the views it keeps), so the quote
# shows that stage alone. A function defined more than once in a view
# (one definition per stage) must be quoted with a stage.
#
#   tools/quote.sh [--check] [--width COLUMNS] SOURCE FILE.md...
#
# --check changes nothing: it fails, naming the file, when a quote is
# stale or names a region or function that does not exist. --width
# also fails when a quoted line shows wider than COLUMNS, tabs at
# every 8 (a slide holds 80).
set -euo pipefail

check=false
width=0
while [ $# -gt 0 ]; do
	case $1 in
	--check) check=true ;;
	--width)
		width=$2
		shift
		;;
	*) break ;;
	esac
	shift
done
source_file=$1
shift

views=$(mktemp -d)
trap 'rm -rf "$views"' EXIT

# The views the files ask for: "all" is the source as it is.
cp "$source_file" "$views/all"
sed -n 's/^<!-- \(region\|function\) [A-Za-z0-9_]* stage \([0-9][0-9]*\) -->$/\2/p' "$@" |
	sort -u | while read -r stage; do
		unifdef -x2 -DSTAGE="$stage" "$source_file" >"$views/$stage"
	done

quote() {
	awk -v width="$width" -v views="$views/" '
	# How wide LINE shows, with tab stops every 8 columns.
	function columns(line,    n, i, c) {
		n = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			n = c == "\t" ? n + 8 - n % 8 : n + 1
		}
		return n
	}
	# Each view: its regions and its functions, by name.
	FILENAME != ARGV[ARGC - 1] && FNR == 1 {
		split("", inside)     # each view starts afresh
		in_function = in_comment = 0
		head = ""
	}
	FILENAME != ARGV[ARGC - 1] {
		view = substr(FILENAME, length(views) + 1)
		line = $0
		if (line ~ /^[ \t]*\/\* #region [A-Za-z0-9_]+ \*\/[ \t]*$/) {
			name = line
			sub(/^[ \t]*\/\* #region /, "", name)
			sub(/ \*\/[ \t]*$/, "", name)
			inside[name] = 1
			next
		}
		if (line ~ /^[ \t]*\/\* #endregion [A-Za-z0-9_]+ \*\/[ \t]*$/) {
			name = line
			sub(/^[ \t]*\/\* #endregion /, "", name)
			sub(/ \*\/[ \t]*$/, "", name)
			delete inside[name]
			next
		}
		for (name in inside)
			text[view, "region", name] = text[view, "region", name] line "\n"
		# A function: the comment just above it (and any attribute
		# line), its signature at the left margin, up to "}".
		if (in_function) {
			body = body line "\n"
			if (line == "}") {
				if ((view, "function", fname) in text)
					twice[view, fname] = 1
				text[view, "function", fname] = body
				in_function = 0
			}
			next
		}
		if (in_comment) {
			head = head line "\n"
			if (line ~ /\*\//)
				in_comment = 0
			next
		}
		if (line ~ /^\/\*/) {
			head = line "\n"
			in_comment = line !~ /\*\//
			next
		}
		if (line ~ /^__attribute__/) {
			head = head line "\n"
			next
		}
		if (line ~ /^[a-z]/ && line ~ /\(/ && line !~ /;[ \t]*(\/\*.*)?$/) {
			fname = line
			sub(/\(.*/, "", fname)
			sub(/.*[^A-Za-z0-9_]/, "", fname)
			body = head line "\n"
			in_function = 1
			head = ""
			next
		}
		head = ""
		next
	}
	/^<!-- (region|function) [A-Za-z0-9_]+( stage [0-9]+)? -->$/ {
		kind = $2
		name = $3
		view = $4 == "stage" ? $5 : "all"
		if (!((view, kind, name) in text)) {
			print FILENAME ": no " kind " " name \
				(view == "all" ? "" : " at stage " view) \
				" in the source" >"/dev/stderr"
			bad = 1
		}
		if (kind == "function" && (view, name) in twice) {
			print FILENAME ": function " name " is defined more " \
				"than once" (view == "all" ? "" : " at stage " \
				view) ": quote it with a stage" >"/dev/stderr"
			bad = 1
		}
		print
		print "```c"
		quoted = text[view, kind, name]
		printf "%s", quoted
		print "```"
		if (width > 0) {
			n = split(quoted, lines, "\n")
			for (i = 1; i <= n; i++)
				if (columns(lines[i]) > width) {
					print FILENAME ": " kind " " name \
						" has a line of " \
						columns(lines[i]) " columns, " \
						"over " width >"/dev/stderr"
					bad = 1
				}
		}
		skipping = 1
		next
	}
	/^<!-- endregion -->$/ { skipping = 0 }
	!skipping { print }
	END { exit bad }
	' "$views"/* "$1"
}

# shellcheck source=tools/refresh-lib.sh
. "$(dirname "$0")/refresh-lib.sh"
refresh_files "$check" quote " quotes code that changed: run make quotes" quote "$@"
