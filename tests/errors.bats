#!/usr/bin/env bats
# Bad input and failures: one clear line, Docker's exit code, and
# nothing left behind (the teardown in helpers.bash checks the host).

load helpers

# Assert the last `run` printed exactly one line matching REGEX.
one_line() {
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "$1"
}

@test "errors: a missing ROOTFS is one line, exit 125, with a hint" {
	for stage in "${ALL_STAGES[@]}"; do
		run ctr "$stage" run /nonexistent/rootfs sh
		assert_equal "$status" 125
		one_line '^container: rootfs /nonexistent/rootfs: ENOENT: .*hint: .*rootfs-builder'
	done
}

@test "errors: a ROOTFS that is a file is refused, exit 125" {
	touch "$BATS_TEST_TMPDIR/file"
	run container run "$BATS_TEST_TMPDIR/file" sh
	assert_equal "$status" 125
	one_line '^container: rootfs .*/file: ENOTDIR: '
}

@test "errors: a command that is not there exits 127" {
	for stage in "${ALL_STAGES[@]}"; do
		run -127 ctr "$stage" run "$ROOTFS" no-such-command-here
		assert_equal "$status" 127
		one_line '^container: exec no-such-command-here: ENOENT: .*hint: '
	done
}

@test "errors: a command that cannot be executed exits 126" {
	for stage in "${ALL_STAGES[@]}"; do
		# /etc/passwd is in the host and in the rootfs; nobody may run it.
		run ctr "$stage" run "$ROOTFS" /etc/passwd
		assert_equal "$status" 126
		one_line '^container: exec /etc/passwd: EACCES: '
	done
}

@test "errors: an empty ROOTFS gives 127 for its missing shell" {
	for stage in 4 5; do
		mkdir "$BATS_TEST_TMPDIR/empty$stage"
		run -127 ctr "$stage" run "$BATS_TEST_TMPDIR/empty$stage" sh
		assert_equal "$status" 127
		one_line '^container: exec sh: ENOENT: '
	done
}

@test "errors: a command's own 125, 126 and 127 pass through unchanged" {
	for code in 125 126 127; do
		run -"$code" container run "$ROOTFS" sh -c "exit $code"
		assert_equal "$status" "$code"
		assert_output ""
	done
}

@test "errors: an unknown option is one line, exit 125" {
	for stage in "${ALL_STAGES[@]}"; do
		run ctr "$stage" run --no-such-option "$ROOTFS" sh
		assert_equal "$status" 125
		one_line "^container: unknown option --no-such-option"
	done
}

@test "errors: options of a later stage are unknown to an earlier one" {
	run ctr 1 run --hostname box "$ROOTFS" hostname
	assert_equal "$status" 125
	one_line "unknown option --hostname"
	run ctr 3 run --volume /tmp:/tmp "$ROOTFS" true
	assert_equal "$status" 125
	one_line "unknown option --volume"
}

@test "errors: an option without its value is one line, exit 125" {
	run container run --name
	assert_equal "$status" 125
	one_line "^container: missing value for --name"
}

@test "errors: missing ROOTFS, missing COMMAND, no command at all: exit 125" {
	run container run
	assert_equal "$status" 125
	one_line "^container: run: missing ROOTFS"
	run container run "$ROOTFS"
	assert_equal "$status" 125
	one_line "^container: run: missing COMMAND"
	run container
	assert_equal "$status" 125
	one_line "^container: missing command: run or check"
	run container launch "$ROOTFS" sh
	assert_equal "$status" 125
	one_line "^container: unknown command launch"
}

@test "errors: bad names and hostnames are refused" {
	local bad
	for bad in "" -x .hidden "has space" "a/b" "$(printf 'x%.0s' {1..64})"; do
		run container run --name "$bad" "$ROOTFS" true
		assert_equal "$status" 125
		one_line "^container: --name: "
	done
	run container run --hostname "$(printf 'h%.0s' {1..65})" "$ROOTFS" true
	assert_equal "$status" 125
	one_line "^container: --hostname: "
	run container run --name "$(printf 'x%.0s' {1..63})" "$ROOTFS" true
	assert_success
}

@test "errors: malformed volumes are refused, exit 125" {
	local spec
	for spec in nocolon "$BATS_TEST_TMPDIR:relative" ":/data" \
		"$BATS_TEST_TMPDIR:/data:rx" "$BATS_TEST_TMPDIR:/a/../b" \
		"$BATS_TEST_TMPDIR:/a/.."; do
		run container run -v "$spec" "$ROOTFS" true
		assert_equal "$status" 125
		one_line "^container: --volume"
	done
	run container run -v /no/such/dir:/data "$ROOTFS" true
	assert_equal "$status" 125
	one_line "^container: --volume: host path /no/such/dir: ENOENT"
	# The line shows the whole text given, not the part before a ':'.
	for spec in /tmp:/data:rx /tmp:relative /tmp:/data:ro:x; do
		run container run -v "$spec" "$ROOTFS" true
		assert_equal "$status" 125
		one_line "^container: --volume '$spec': expected HOST:/CONTAINER\\[:ro\\]$"
	done
}

@test "errors: a failure inside the child is one line, exit 125, and unmounts all" {
	# A rootfs whose /dev is a file: the tmpfs cannot be mounted on it.
	local copy="$BATS_TEST_TMPDIR/rootfs"
	cp -a "$ROOTFS" "$copy"
	rm -rf "${copy:?}/dev"
	touch "$copy/dev"
	run container run "$copy" true
	assert_equal "$status" 125
	one_line "^container: mount tmpfs on $copy/dev: ENOTDIR: "
}
