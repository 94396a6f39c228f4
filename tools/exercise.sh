#!/usr/bin/env bash
# Exercise mode: write a copy of container.c at stage N in which stage
# N's lesson is taken out, and the rest left as stage N has it. The
# lesson is the bodies of the functions stage N adds for the
# container's steps, and the steps themselves, in child_main,
# run_container and spawn_child: each becomes a TODO whose plan is the
# function's comment, or the calls and comments of the steps it stands
# for. Declarations, struct fields, tables, the command line and the
# usage text stay (tools/exercise.pl says exactly what goes). The copy
# builds and says it is stage N; the student writes the code at each
# TODO, builds, and the lab's check grades the result:
#
#   tools/exercise.sh N [OUT]        (default OUT: exercise/container-N.c)
#   cc -Wall -Wextra -o exercise/container-N exercise/container-N.c
#   sudo labs/0N-*/check exercise/container-N
#
# The compiler's "defined but not used" warnings name the helpers the
# missing code is to call. EXERCISE_CHUNKS=FILE keeps the code each
# TODO stands for, in order (tests/exercise.bats fills them back in).
# It never overwrites a copy that is there: the student's work is in it.
set -euo pipefail
cd "$(dirname "$0")/.."

stage=${1:?usage: tools/exercise.sh N [OUT]}
case $stage in
[1-9]) ;;
*) echo "exercise: N must be a stage from 1 to 9, not $stage" >&2; exit 1 ;;
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

# Both stages' lines, each marked "=" (both have it), "+" (stage N
# alone) or "-" (stage N-1 alone).
# (diff exits 1 when the files differ, as they always do here.)
{ diff --unchanged-line-format='=%L' --old-line-format='-%L' \
	--new-line-format='+%L' \
	"$work/container-$((stage - 1)).c" "$work/container-$stage.c" ||
	[ $? -eq 1 ]; } >"$work/marked"
check=$(echo labs/0"$stage"-*/check)
{
	printf '/* Exercise: container.c at stage %d, with the code stage %d\n' \
		"$stage" "$stage"
	printf ' * adds for the container taken out, its comments left as the\n'
	printf ' * plan. Write the code at each TODO; build; grade it with\n'
	printf ' * sudo %s. Made by tools/exercise.sh\n' "$check"
	printf ' * (make exercise STAGE=%d). */\n' "$stage"
	perl tools/exercise.pl "$stage" "$work/marked" "$work/chunks" \
		2>"$work/count"
} >"$work/exercise.c"

mkdir -p "$(dirname "$out")"
mv "$work/exercise.c" "$out"
[ -z "${EXERCISE_CHUNKS:-}" ] || cp "$work/chunks" "$EXERCISE_CHUNKS"
echo "exercise: $out: stage $stage with its code taken out: $(cat "$work/count") TODOs"
echo "exercise: build it: cc -Wall -Wextra -o ${out%.c} $out"
echo "exercise: grade it: sudo $check ${out%.c}"
