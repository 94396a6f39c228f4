#!/usr/bin/env bats
# The instructor demos, labs/NN-*/demo: each runs unattended with
# --auto, shows every step's command, ends, and leaves the machine as
# it found it, also when interrupted.

load helpers

# shellcheck disable=SC2034 # read by teardown(), in helpers.bash
LEFTOVER_PATTERN='.*sleep 30(0[0-9]|10)'

# Run stage STAGE's demo with --auto: it must end well, with as many
# commands shown as steps announced, and "done" last.
demo_runs() {
	local demo
	demo=$(echo "$PROJECT"/labs/"$(printf %02d "$1")"-*/demo)
	run timeout -k 5 300 "$demo" --auto
	assert_success
	# Stage 6's, on a hybrid: one line, and cgroups.bats runs it in
	# the lab VM.
	if [[ $output == *"needs pure cgroup v2"* ]]; then
		assert_equal "${#lines[@]}" 2
		return 0
	fi
	assert_line --index 0 --regexp "^== stage $1: .* ==$"
	local steps commands
	steps=$(grep -c '^# ' <<<"$output")
	commands=$(grep -c '^\$ ' <<<"$output")
	[ "$steps" -ge 3 ] || fail "demo $1 has only $steps steps"
	[ "$commands" -ge "$((steps - 1))" ] || fail "demo $1: $steps steps, $commands commands"
	assert_equal "${lines[-1]}" "# done"
	refute_output --partial "(exit status 124)"     # no step ran out of time
}

@test "demos: stage 0's runs with --auto and leaves nothing" { demo_runs 0; }
@test "demos: stage 1's runs with --auto and leaves nothing" { demo_runs 1; }
@test "demos: stage 2's runs with --auto and leaves nothing" { demo_runs 2; }
@test "demos: stage 3's runs with --auto and leaves nothing" { demo_runs 3; }
@test "demos: stage 4's runs with --auto and leaves nothing" { demo_runs 4; }
@test "demos: stage 5's runs with --auto and leaves nothing" { demo_runs 5; }
@test "demos: stage 6's runs with --auto and leaves nothing" { demo_runs 6; }
@test "demos: stage 7's runs with --auto and leaves nothing" { demo_runs 7; }
@test "demos: stage 8's runs with --auto and leaves nothing" { demo_runs 8; }
@test "demos: stage 9's runs with --auto and leaves nothing" { demo_runs 9; }
@test "demos: stage 10's runs with --auto and leaves nothing" { demo_runs 10; }

@test "demos: a demo stopped with a container running cleans up after itself" {
	# SIGTERM: a shell started in the background ignores SIGINT, and
	# Ctrl-C in a terminal reaches the demo's whole process group.
	"$PROJECT"/labs/05-userns/demo --auto >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local demo=$!
	pid_of sleep 3005 >/dev/null || fail "the demo's container never started"
	kill -TERM "$demo"
	local status=0
	wait "$demo" || status=$?
	assert_equal "$status" 143
	grep -q "demo: stopped; cleaning up" "$BATS_TEST_TMPDIR/out"
	run pgrep -f "sleep 3005"
	assert_failure
}
