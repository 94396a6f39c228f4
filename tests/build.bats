#!/usr/bin/env bats
# The build: every stage compiles warning-free, the per-stage views are
# cut from container.c and compile to the same code, every script is
# clean under shellcheck.

load helpers

# The views and diffs, cut once for the tests that read them (each cut
# compiles every stage twice, which the lab VM does slowly).
setup_file() {
	STAGES_DIR=$BATS_FILE_TMPDIR/stages
	"$BATS_TEST_DIRNAME/../tools/stages.sh" "$BATS_TEST_DIRNAME/../container.c" \
		"$STAGES_DIR" "${ALL_STAGES[@]}" >"$BATS_FILE_TMPDIR/stages.out" 2>&1 ||
		echo "failed: $?" >>"$BATS_FILE_TMPDIR/stages.out"
	export STAGES_DIR
}

@test "build: every stage compiles with -Wall -Wextra -Wundef -Werror" {
	for stage in "${ALL_STAGES[@]}"; do
		run cc -O2 -Wall -Wextra -Wundef -Werror -DSTAGE="$stage" \
			-o "$BATS_TEST_TMPDIR/c$stage" "$PROJECT/container.c"
		assert_success
		assert_output ""
		run "$BATS_TEST_TMPDIR/c$stage" --version
		assert_output "container.c stage $stage"
	done
}

@test "build: a stage out of range is refused by the compiler" {
	for stage in -1 $((TOP_STAGE + 1)); do
		run cc -DSTAGE="$stage" -o "$BATS_TEST_TMPDIR/c" "$PROJECT/container.c"
		assert_failure
		assert_output --partial "STAGE must be between 0 and $TOP_STAGE: use -DSTAGE=N"
	done
}

@test "build: per-stage views hold no stage conditionals and compile alone to the same code" {
	local report
	report=$(cat "$BATS_FILE_TMPDIR/stages.out")
	[[ $report != *failed:* ]] || fail "tools/stages.sh: $report"
	for stage in "${ALL_STAGES[@]}"; do
		grep -qxF "stages: $STAGES_DIR/container-$stage.c (same code as -DSTAGE=$stage)" \
			<<<"$report"
		run grep -c '^#if STAGE' "$STAGES_DIR/container-$stage.c"
		assert_output 0
		# A view compiles with no -D at all.
		run cc -Wall -Wextra -Werror -o "$BATS_TEST_TMPDIR/v" \
			"$STAGES_DIR/container-$stage.c"
		assert_success
		run "$BATS_TEST_TMPDIR/v" --version
		assert_output "container.c stage $stage"
	done
}

@test "build: each stage's diff adds what the stage is about" {
	local d=$STAGES_DIR
	grep -q '^+.*CLONE_NEWPID' "$d/stage-1.diff"
	grep -q '^+.*sethostname' "$d/stage-2.diff"
	grep -q '^+.*MS_PRIVATE' "$d/stage-3.diff"
	grep -q '^+.*pivot_root' "$d/stage-4.diff"
	grep -q '^+.*CLONE_NEWUSER' "$d/stage-5.diff"
	grep -q '^+.*CLONE_INTO_CGROUP' "$d/stage-6.diff"
	grep -q '^+.*pidfd_send_signal' "$d/stage-9.diff"
	# Stage 6 is limits alone: the lifecycle is stage 9's.
	run grep -l '^static .*\(claim_name\|list_containers\|exec_into\)(' \
		"$d/container-6.c" "$d/container-8.c"
	assert_failure
	# Nothing of a later stage leaks into an earlier view.
	run grep -l 'set_hostname\|pivot_into_rootfs' "$d/container-0.c" "$d/container-1.c"
	assert_failure
}

@test "build: every view explains at least 0.4 comment lines per code line, as counted" {
	run "$PROJECT/tools/comments.sh" --min 0.4 "$STAGES_DIR"/container-*.c
	assert_success
	assert_equal "${#lines[@]}" "${#ALL_STAGES[@]}"
	# The count, on a file whose answer is known: 3 comment lines (a
	# banner's dashes are not one, nor a region's mark; a note after
	# code is), 4 code lines.
	cat >"$BATS_TEST_TMPDIR/known.c" <<-'EOF'
	/* ---------------------------------------------------------- */
	/* #region known */
	/* Two words,
	 * and more. */
	int main(void)
	{
		return 0; /* done */
	}
	/* #endregion known */
	EOF
	run "$PROJECT/tools/comments.sh" --min 0.76 "$BATS_TEST_TMPDIR/known.c"
	assert_failure
	assert_line "comments: $BATS_TEST_TMPDIR/known.c: 3 comment lines, 4 code lines: 0.75"
}

@test "build: no function of any view is longer than 60 lines" {
	local view
	for view in "$STAGES_DIR"/container-*.c; do
		run awk '/^[a-z_].*\(/ && !/;[ \t]*$/ && !/^(static const|struct|enum)/ {
				name = $0; start = FNR }
			/^}/ && name != "" {
				if (FNR - start + 1 > 60) print FNR - start + 1, name
				name = "" }' "$view"
		assert_output ""
	done
}

@test "build: the equivalence check catches a view that differs" {
	# A view changed by one character must fail the proof.
	run "$PROJECT/tools/stages.sh" "$PROJECT/container.c" \
		"$BATS_TEST_TMPDIR/stages" 1
	assert_success
	sed -i 's/return 128 + WTERMSIG(status);/return 129 + WTERMSIG(status);/' \
		"$BATS_TEST_TMPDIR/stages/container-1.c"
	run "$PROJECT/tools/stages.sh" --check \
		"$PROJECT/container.c" "$BATS_TEST_TMPDIR/stages/container-1.c" 1
	assert_failure
	assert_output --partial "does not compile to the same code"
}

@test "build: every shell script passes shellcheck" {
	run make -C "$PROJECT" --no-print-directory shellcheck
	assert_success
}

@test "build: in CI, a skip fails the run unless no machine here could provide it" {
	local t=$BATS_TEST_TMPDIR
	printf '@test "x" { skip "%s"; }\n' "needs a unicorn" >"$t/odd.bats"
	printf '@test "x" { skip "%s"; }\n' \
		"$("$PROJECT/tools/run-tests.sh" --allowed-skips | head -n 1)" \
		>"$t/fine.bats"
	RESULTS_DIR=$t/r1 CI=true run "$PROJECT/tools/run-tests.sh" "$t/odd.bats"
	assert_failure
	assert_line "run-tests: skipped in CI for a reason this machine can provide: needs a unicorn"
	assert_line "tests: 0 passed, 0 failed, 1 skipped"
	RESULTS_DIR=$t/r2 CI=true run "$PROJECT/tools/run-tests.sh" "$t/fine.bats"
	assert_success
	RESULTS_DIR=$t/r3 CI=false run "$PROJECT/tools/run-tests.sh" "$t/odd.bats"
	assert_success
}

@test "build: container.c keeps to 80 columns, a tab reaching the next 8th" {
	run sh -c 'expand -t 8 "$1" | awk "length > 80 { print FNR \": \" length }"' \
		sh "$PROJECT/container.c"
	assert_success
	assert_output ""
}

@test "build: quote.sh counts a tab to the next 8th, and wants a stage for a function defined twice" {
	local t=$BATS_TEST_TMPDIR
	# 4 tabs and 50 characters: 82 columns, though 54 characters.
	printf '/* A. */\nint a(void)\n{\n\t\t\t\treturn %s;\n}\n' \
		"$(printf '%042d' 1)" >"$t/wide.c"
	printf '<!-- function a -->\n<!-- endregion -->\n' >"$t/page.md"
	run "$PROJECT/tools/quote.sh" --width 80 "$t/wide.c" "$t/page.md"
	assert_failure
	assert_output --partial "function a has a line of 82 columns, over 80"
	run "$PROJECT/tools/quote.sh" --width 82 "$t/wide.c" "$t/page.md"
	assert_success
	cat >"$t/twice.c" <<-'EOF'
	#if STAGE >= 1
	/* One. */
	int b(void)
	{
		return 1;
	}
	#else
	/* Zero. */
	int b(void)
	{
		return 0;
	}
	#endif
	EOF
	printf '<!-- function b -->\n<!-- endregion -->\n' >"$t/page.md"
	run "$PROJECT/tools/quote.sh" "$t/twice.c" "$t/page.md"
	assert_failure
	assert_output --partial "function b is defined more than once: quote it with a stage"
	printf '<!-- function b stage 0 -->\n<!-- endregion -->\n' >"$t/page.md"
	run "$PROJECT/tools/quote.sh" "$t/twice.c" "$t/page.md"
	assert_success
	run grep -c 'return 0;' "$t/page.md"
	assert_output 1
}
