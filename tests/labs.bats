#!/usr/bin/env bats
# The labs' checks, labs/NN-*/check: each grades a binary on its
# stage's isolation properties. Each must pass against its own stage's
# binary and every later one, and fail against the stage before (so
# each check can fail).

load helpers

# Grade stage STAGE's lab against every binary from STAGE on, then
# against the stage before.
graded() {
	local stage=$1 check binary
	check=$(echo "$PROJECT"/labs/"$(printf %02d "$stage")"-*/check)
	[ -x "$check" ] || fail "no check for lab $stage"
	for binary in $(seq "$stage" "$TOP_STAGE"); do
		run env ROOTFS="$ROOTFS" "$check" "$BUILD/container-$binary"
		[ "$status" -eq 0 ] ||
			fail "lab $stage's check fails stage $binary: $output"
		assert_line --regexp '^check: [1-9][0-9]* passed, 0 failed$'
	done
	if [ "$stage" -gt 0 ]; then
		run env ROOTFS="$ROOTFS" "$check" "$BUILD/container-$((stage - 1))"
		[ "$status" -eq 1 ] ||
			fail "lab $stage's check passes stage $((stage - 1)): $output"
		assert_line --regexp '^FAIL  '
		assert_line --regexp '^      hint: '
	fi
}

@test "labs: lab 0's check passes stages 0 to 10" {
	graded 0
}

@test "labs: lab 1's check passes stages 1 to 10 and fails stage 0" {
	graded 1
}

@test "labs: lab 2's check passes stages 2 to 10 and fails stage 1" {
	graded 2
}

@test "labs: lab 3's check passes stages 3 to 10 and fails stage 2" {
	graded 3
}

@test "labs: lab 4's check passes stages 4 to 10 and fails stage 3" {
	graded 4
}

@test "labs: lab 5's check passes stages 5 to 10 and fails stage 4" {
	graded 5
}

@test "labs: lab 6's check passes stages 6 to 10 and fails stage 5" {
	# Its limits need pure cgroup v2: cgroups.bats grades them there.
	graded 6
}

@test "labs: lab 7's check passes stages 7 to 10 and fails stage 6" {
	graded 7
}

@test "labs: lab 8's check passes stages 8 to 10 and fails stage 7" {
	graded 8
}

@test "labs: lab 9's check passes stages 9 and 10 and fails stage 8" {
	graded 9
}

@test "labs: lab 10's check passes stage 10 and fails stage 9" {
	graded 10
}

@test "labs: a check outside its stage's reach says so in one line, exit 2" {
	run "$PROJECT/labs/03-proc/check" /no/such/binary
	assert_equal "$status" 2
	assert_output "check: no program at /no/such/binary: build it, such as cc -Wall -Wextra -o /no/such/binary /no/such/binary.c"
	ROOTFS=/no/such/rootfs run "$PROJECT/labs/03-proc/check"
	assert_equal "$status" 2
	assert_output "check: no rootfs at /no/such/rootfs: run make (in $PROJECT), or ./rootfs-builder.sh /no/such/rootfs"
}
