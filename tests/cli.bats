#!/usr/bin/env bats
# The command line around `run`: --help, check, --verbose.

load helpers

@test "cli: --help lists only the options the stage has" {
	run ctr 0 --help
	assert_success
	assert_output --partial "usage: container run [OPTIONS] ROOTFS COMMAND"
	refute_output --partial -- "--hostname"
	run ctr 2 --help
	assert_output --partial -- "--hostname NAME"
	refute_output --partial -- "--volume"
	run ctr "$TOP_STAGE" --help
	assert_output --partial -- "--volume HOST:CONTAINER[:ro]"
}

@test "cli: check reports one ok line per stage check, as root" {
	local stages=("${ALL_STAGES[@]}")
	# Stage 6 fails on a v1/v2 hybrid, as it should: cgroups.bats.
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || stages=(0 1 2 3 4 5)
	for stage in "${stages[@]}"; do
		run ctr "$stage" check
		assert_success
		# Every stage up to this binary's has its line; none after it.
		for s in $(seq 0 "$stage"); do
			assert_line --regexp "^stage $s  .* ok  "
		done
		refute_line --regexp "^stage $((stage + 1)) "
		refute_output --partial FAIL
	done
}

@test "cli: check says what fails for an unprivileged user, and exits 1" {
	# Before stage 5 namespaces need root; from stage 5 they need not.
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$BUILD/container-4" check
	assert_equal "$status" 1
	assert_line --regexp '^stage 0  a process +ok'
	assert_line --regexp '^stage 1  namespaces +FAIL  .*: Operation not permitted: run as root \(sudo\)$'
}

@test "cli: --verbose prints each step as the shell command that does it" {
	run container run --verbose --name v1 "$ROOTFS" true
	assert_success
	assert_line "+ unshare --fork --uts --pid --mount --ipc --net --user -- true"
	# The cgroup namespace comes later, from inside the container's cgroup.
	assert_line "+ unshare --cgroup"
	assert_line "+ hostname v1"
	assert_line "+ mount --make-rprivate /"
	assert_line --regexp "^\+ mount --rbind .* .*$"
	assert_line --regexp "^\+ mount -t proc -o nosuid,nodev,noexec proc .*/proc$"
	assert_line "+ pivot_root . ."
	assert_line "+ umount -l ."
	assert_line "+ exec true"
	# Each stage shows only its own steps.
	run ctr 2 run --verbose "$ROOTFS" true
	refute_line --regexp '^\+ mount ' 
}

@test "cli: without --verbose, nothing but the command's output" {
	run container run "$ROOTFS" echo quiet
	assert_success
	assert_output quiet
}

@test "cli: COMMAND's own options are not taken for the runtime's" {
	run container run "$ROOTFS" sh -c 'echo "$0 $1"' --name --verbose
	assert_success
	assert_output -- "--name --verbose"
}

@test "cli: a generated name is used as the hostname, and differs per run" {
	run container run "$ROOTFS" hostname
	assert_success
	local first=$output
	assert_output --regexp '^c-[0-9a-f]{8}$'
	run container run "$ROOTFS" hostname
	[ "$output" != "$first" ]
}
