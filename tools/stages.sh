#!/usr/bin/env bash
# Cut container.c into one view per stage with unifdef, write the diff
# from each stage to the next, and prove that each view compiles to the
# same code as container.c built with -DSTAGE=N.
#
#   tools/stages.sh SOURCE OUTDIR STAGE...
#   tools/stages.sh --check SOURCE VIEW STAGE   (only the proof)
set -euo pipefail

cc=${CC:-cc}
flags=(-O2 -Wall -Wextra -Wundef -Werror -S)

# unifdef exits 1 when it changed something: -x2 makes 0 "fine".
make_view() {
	local stage=$1 view=$2
	{
		printf '/* Generated from %s by tools/stages.sh: stage %s alone. */\n' \
			"$(basename "$source_file")" "$stage"
		printf '/* Do not edit: edit %s and run make. */\n' \
			"$(basename "$source_file")"
		unifdef -x2 -DSTAGE="$stage" "$source_file" |
			awk -v stage="$stage" '
				{ print }
				/^\/\* Stage selection/ { mark = 1; next }
				mark && /^\/\* ---/ {
					print "\n#define STAGE " stage
					mark = 0
				}'
	} >"$view.tmp"
	mv "$view.tmp" "$view"
}

# Assembly without the .file line (the file names differ) must match.
same_code() {
	local stage=$1 view=$2 a b
	a=$(mktemp) b=$(mktemp)
	"$cc" "${flags[@]}" -DSTAGE="$stage" -o "$a" "$source_file"
	"$cc" "${flags[@]}" -o "$b" "$view"
	if ! cmp -s <(grep -v '^[[:space:]]*\.file' "$a") \
		<(grep -v '^[[:space:]]*\.file' "$b"); then
		rm -f "$a" "$b"
		echo "stages: $view does not compile to the same code as" \
			"-DSTAGE=$stage" >&2
		return 1
	fi
	rm -f "$a" "$b"
}

if [ "${1:-}" = --check ]; then
	source_file=$2
	same_code "$4" "$3"
	echo "stages: $3 (same code as -DSTAGE=$4)"
	exit 0
fi

source_file=$1 out=$2
shift 2
mkdir -p "$out"
previous=""
for stage in "$@"; do
	view="$out/container-$stage.c"
	make_view "$stage" "$view"
	same_code "$stage" "$view"
	echo "stages: $view (same code as -DSTAGE=$stage)"
	if [ -n "$previous" ]; then
		diff -u --label "container-$previous.c" --label "container-$stage.c" \
			"$out/container-$previous.c" "$view" \
			>"$out/stage-$stage.diff" || [ $? -eq 1 ]
		echo "stages: $out/stage-$stage.diff" \
			"($(grep -c '^[-+][^-+]' "$out/stage-$stage.diff") lines changed)"
	fi
	previous=$stage
done
