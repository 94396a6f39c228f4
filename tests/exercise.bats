#!/usr/bin/env bats
# Exercise mode (tools/exercise.sh, make exercise STAGE=N): a copy of
# container.c at stage N with its lesson taken out, each gap a TODO
# with a plan. It builds, says it is stage N, and fails stage N's lab
# check, the first failure naming a step the copy is missing; filled
# back from the code each TODO stands for, it is stage N again.

load helpers

# Stages 1 to 9 have an exercise. Stage 10 has none: what it adds is
# about 4,700 lines of code (the JSON reader, the config's mapping and
# the OCI commands) in nearly 190 functions, a project rather than a
# workshop's exercise; its lab's exercises are smaller (labs/10-oci).
EXERCISE_TOP=9

# Every stage's exercise and its chunks, made once for the file (each
# takes seconds): tools/exercise.sh must succeed and count its TODOs.
setup_file() {
	local stage out
	for stage in $(seq 1 "$EXERCISE_TOP"); do
		out=$(EXERCISE_CHUNKS=$BATS_FILE_TMPDIR/chunks-$stage \
			"$PROJECT/tools/exercise.sh" "$stage" \
			"$BATS_FILE_TMPDIR/container-$stage.c" 2>&1) || {
			echo "tools/exercise.sh $stage failed: $out" >&2
			return 1
		}
		grep -qE "^exercise: .*: stage $stage with its code taken out: [1-9][0-9]* TODOs$" <<<"$out" || {
			echo "tools/exercise.sh $stage counted no TODOs: $out" >&2
			return 1
		}
	done
}

# The exercise of STAGE and its chunks, in the test's directory.
make_exercise() {
	cp "$BATS_FILE_TMPDIR/container-$1.c" "$BATS_FILE_TMPDIR/chunks-$1" \
		"$BATS_TEST_TMPDIR/"
}

# Fill each TODO of the copy CHUNKS and COPY name back with the code it
# stands for: the TODO's comment goes, and what the copy kept in place
# of that code (the stub lines of a body, or the lines of stage N-1 a
# step replaces); the exercise's own header goes too.
fill() {
	perl -e '
		my ($chunks, $copy) = @ARGV;
		open(my $c, "<", $chunks) or die; my (%code, %replaces, $k);
		while (<$c>) {
			if (/^@@ TODO #(\d+) replaces (\d+)$/) {
				($k, $replaces{$1}, $code{$1}) = ($1, $2, ""); next;
			}
			$code{$k} .= $_;
		}
		open(my $in, "<", $copy) or die; my @l = <$in>;
		my $i = 0; $i++ while $l[$i] !~ m{\*/$}; $i++;
		for (; $i < @l; $i++) {
			if ($l[$i] =~ m{/\* TODO stage \d+ \(#(\d+)\):}) {
				my $k = $1;
				$i++ while $l[$i] !~ m{\*/\s*$};
				if ($replaces{$k}) {
					$i += $replaces{$k};
				} else {
					$i++ while $i + 1 < @l && $l[$i + 1] =~
						/^\t(\(void\)\w+;|return \(.*\)\{0\};|abort\(\);)$/;
				}
				print $code{$k};
				next;
			}
			print $l[$i];
		}' "$1" "$2"
}

@test "exercise: filled back from its plan, every stage's copy is that stage's view again" {
	local stage
	"$PROJECT/tools/stages.sh" "$PROJECT/container.c" "$BATS_TEST_TMPDIR/views" \
		"${ALL_STAGES[@]}" >/dev/null
	for stage in $(seq 1 "$EXERCISE_TOP"); do
		make_exercise "$stage"
		fill "$BATS_TEST_TMPDIR/chunks-$stage" "$BATS_TEST_TMPDIR/container-$stage.c" \
			>"$BATS_TEST_TMPDIR/filled-$stage.c"
		# The view's first two lines say where it came from.
		tail -n +3 "$BATS_TEST_TMPDIR/views/container-$stage.c" |
			diff - "$BATS_TEST_TMPDIR/filled-$stage.c" ||
			fail "stage $stage: the copy, filled back, is not stage $stage"
	done
}

@test "exercise: every TODO stands where its code stood, with a plan, never after a return; in 80 columns" {
	local stage copy
	for stage in $(seq 1 "$EXERCISE_TOP"); do
		make_exercise "$stage"
		copy=$BATS_TEST_TMPDIR/container-$stage.c
		# A plan: the body of a function whose comment says what to
		# do, or the steps (calls, comments) the gap stands for.
		run grep -cE "TODO stage $stage \(#[0-9]+\): (the body of [a-z_0-9]+\(\)|in [a-z_0-9]+\(\), (a step|steps))" "$copy"
		assert_equal "$output" "$(grep -c "TODO stage $stage" "$copy")"
		# No TODO right after a return: the code before it ran.
		run awk '/^\treturn / { r = NR } /TODO stage/ && r == NR - 1' "$copy"
		assert_output ""
		run awk 'length > 80' "$copy"
		assert_output ""
	done
}

@test "exercise: every stage's copy builds, says its stage, and fails its lab's check, first at a step it lacks" {
	local stage copy first todo_names
	for stage in $(seq 1 "$EXERCISE_TOP"); do
		make_exercise "$stage"
		copy=$BATS_TEST_TMPDIR/container-$stage.c
		# Warnings but these: the helpers and variables the missing
		# code is to use.
		cc -Wall -Wextra -Wundef -Werror -Wno-unused-function \
			-Wno-unused-variable -Wno-unused-but-set-variable \
			-o "${copy%.c}" "$copy"
		assert_equal "$("${copy%.c}" --version)" "container.c stage $stage"
		run env ROOTFS="$ROOTFS" "$PROJECT"/labs/0"$stage"-*/check "${copy%.c}"
		assert_equal "$status" 1
		# The first failure's hint names a function whose body, or a
		# step whose call, is a TODO of this copy.
		first=$(grep -A1 -m1 '^FAIL  ' <<<"$output" | sed -n 's/^ *hint: //p')
		todo_names=$(grep -oE "TODO stage $stage \(#[0-9]+\): .*" "$copy" |
			grep -oE '[a-z_0-9]+\(\)' | tr -d '()' | sort -u)
		grep -qwFf <(echo "$todo_names") <<<"$first" ||
			fail "stage $stage: the first hint ($first) names none of: $(echo $todo_names)"
	done
}

@test "exercise: a copy that is there is never overwritten; stage 0 or 10 is refused" {
	local copy=$BATS_TEST_TMPDIR/mine.c
	echo "my work" >"$copy"
	run "$PROJECT/tools/exercise.sh" 3 "$copy"
	assert_failure
	assert_output --partial "is there already"
	assert_equal "$(cat "$copy")" "my work"
	run "$PROJECT/tools/exercise.sh" 0 "$BATS_TEST_TMPDIR/zero.c"
	assert_failure
	assert_output "exercise: N must be a stage from 1 to $EXERCISE_TOP, not 0"
	[ ! -e "$BATS_TEST_TMPDIR/zero.c" ]
	run "$PROJECT/tools/exercise.sh" 10 "$BATS_TEST_TMPDIR/ten.c"
	assert_failure
	[ ! -e "$BATS_TEST_TMPDIR/ten.c" ]
}
