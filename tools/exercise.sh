#!/usr/bin/env bash
# Exercise mode: write a copy of container.c at stage N in which the
# code stage N adds is gone, its comments kept, and each run of missing
# code marked with a TODO that says how many lines the reference has
# there. The copy is stage N-1's program (it builds, and lacks what
# stage N adds) with stage N's plan left in its comments; the student
# writes the code, builds, and the lab's check grades the result:
#
#   tools/exercise.sh N [OUT]        (default OUT: exercise/container-N.c)
#   cc -o exercise/container-N exercise/container-N.c
#   sudo labs/0N-*/check exercise/container-N
#
# It never overwrites a copy that is there: the student's work is in it.
set -euo pipefail
cd "$(dirname "$0")/.."

stage=${1:?usage: tools/exercise.sh N [OUT]}
case $stage in
[1-8]) ;;
*) echo "exercise: N must be a stage from 1 to 8, not $stage" >&2; exit 1 ;;
esac
out=${2:-exercise/container-$stage.c}
if [ -e "$out" ]; then
	echo "exercise: $out is there already (your work?): move it away" \
		"to start again" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tools/stages.sh container.c "$work" "$((stage - 1))" "$stage" >/dev/null

# Lines of both views as they are; stage N's own lines marked with a
# tab-free prefix, then kept if they are comments and folded into one
# TODO per run of code.
# (diff exits 1 when the files differ, as they always do here.)
{ diff --unchanged-line-format='=%L' --old-line-format='=%L' \
	--new-line-format='+%L' \
	"$work/container-$((stage - 1)).c" "$work/container-$stage.c" ||
	[ $? -eq 1 ]; } |
	awk -v stage="$stage" -v check="$(echo labs/0"$stage"-*/check)" '
	function flush() {
		if (code > 0)
			printf "%s/* TODO stage %d: %d line%s of code here */\n",
				indent, stage, code, (code > 1 ? "s" : "")
		code = 0
	}
	BEGIN {
		printf "/* Exercise: container.c at stage %d, with the code stage %d\n", stage, stage
		printf " * adds taken out and its comments left as the plan. Write the\n"
		printf " * code at each TODO; build; grade it with %s.\n", check
		printf " * Made by tools/exercise.sh (make exercise STAGE=%d). */\n", stage
	}
	{
		kind = substr($0, 1, 1)
		line = substr($0, 2)
		if (line ~ /^\/\* (Generated from|Do not edit)/ ||
		    (kind == "+" && line == "#define STAGE " stage))
			next
		# Is this line (part of) a comment? Followed over every line.
		trimmed = line
		sub(/^[ \t]+/, "", trimmed)
		is_comment = in_comment || trimmed ~ /^\/\*/
		if (is_comment && trimmed !~ /\*\/[ \t]*$/)
			in_comment = 1
		else
			in_comment = 0
		if (kind == "=") {
			flush()
			if (line == "#define STAGE " stage - 1)
				line = "#define STAGE " stage
			print line
			next
		}
		if (is_comment || trimmed == "") {
			flush()
			print line
			next
		}
		if (code == 0) {
			indent = line
			sub(/[^ \t].*$/, "", indent)
		}
		code++
	}
	END { flush() }' >"$work/exercise.c"

mkdir -p "$(dirname "$out")"
mv "$work/exercise.c" "$out"
todo=$(grep -c "TODO stage $stage:" "$out" || true)
echo "exercise: $out: stage $stage with its code taken out: $todo TODOs"
echo "exercise: build it: cc -Wall -Wextra -o ${out%.c} $out"
echo "exercise: grade it: sudo $(echo labs/0"$stage"-*/check) ${out%.c}"
