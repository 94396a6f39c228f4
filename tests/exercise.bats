#!/usr/bin/env bats
# Exercise mode (tools/exercise.sh, make exercise STAGE=N): a copy of
# container.c with stage N's code taken out builds, says it is stage N,
# and fails stage N's lab check until the student writes the code.

load helpers

# Make, build and grade the exercise of STAGE.
exercise_fails_its_check() {
	local stage=$1 copy=$BATS_TEST_TMPDIR/container-$1.c
	run "$PROJECT/tools/exercise.sh" "$stage" "$copy"
	assert_success
	assert_line --regexp "^exercise: .*: stage $stage with its code taken out: [1-9][0-9]* TODOs$"
	grep -q "TODO stage $stage: [0-9]* lines* of code here" "$copy"
	cc -Wall -Wextra -Wundef -Werror -o "${copy%.c}" "$copy"
	assert_equal "$("${copy%.c}" --version)" "container.c stage $stage"
	run env ROOTFS="$ROOTFS" "$PROJECT"/labs/0"$stage"-*/check "${copy%.c}"
	assert_equal "$status" 1
	assert_line --regexp '^FAIL  '
}

@test "exercise: every stage's copy builds, says its stage, and fails its lab's check" {
	local stage
	for stage in $(seq 1 "$TOP_STAGE"); do
		exercise_fails_its_check "$stage"
	done
}

@test "exercise: a copy that is there is never overwritten; stage 0 or 9 is refused" {
	local copy=$BATS_TEST_TMPDIR/mine.c
	echo "my work" >"$copy"
	run "$PROJECT/tools/exercise.sh" 3 "$copy"
	assert_failure
	assert_output --partial "is there already"
	assert_equal "$(cat "$copy")" "my work"
	run "$PROJECT/tools/exercise.sh" 0 "$BATS_TEST_TMPDIR/zero.c"
	assert_failure
	assert_output "exercise: N must be a stage from 1 to 8, not 0"
	[ ! -e "$BATS_TEST_TMPDIR/zero.c" ]
	run "$PROJECT/tools/exercise.sh" 9 "$BATS_TEST_TMPDIR/nine.c"
	assert_failure
	[ ! -e "$BATS_TEST_TMPDIR/nine.c" ]
}
