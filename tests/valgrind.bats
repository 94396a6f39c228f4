#!/usr/bin/env bats
# The runtime under valgrind: no invalid access, no use of undefined
# memory, no leak, on success and on each kind of error. It runs the
# dynamically linked build of the top stage (build/dynamic/container):
# valgrind sees malloc and free only in a program that loads libc, so
# the static build would pass unwatched. (valgrind has no clone3: the
# runtime falls back to clone() there, as on old kernels, so that path
# is what these runs check.)

load helpers

setup() {
	command -v valgrind >/dev/null ||
		skip "needs valgrind: apt-get install valgrind"
	open_test_dirs
	snapshot_host
}

# The host check, then an end to containers a failure left running.
# shellcheck disable=SC2034 # read by teardown(), in helpers.bash
LEFTOVER_PATTERN='.*sleep 7960'

# Run the top stage's binary under valgrind; its errors, the child's
# included (until it execs), are lines that start with ==PID==.
under_valgrind() {
	timeout -k 5 120 valgrind -q --error-exitcode=99 --vgdb=no \
		--suppressions="$PROJECT/tests/valgrind.supp" \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$BUILD/dynamic/container" "$@"
}

# STATUS is what the runtime must exit with; the rest, its arguments.
clean_under_valgrind() {
	local want=$1
	shift
	run "-$want" under_valgrind "$@"
	if grep -E '^==[0-9]+==' <<<"$output"; then
		fail "valgrind found errors for: $*"
	fi
}

@test "valgrind: a container's whole life, with network, limits' checks and --init, is clean" {
	clean_under_valgrind 0 run --name vg-a "$ROOTFS" true
	clean_under_valgrind 0 run --network none --init --hostname h \
		-v "$BATS_TEST_TMPDIR:/vol" "$ROOTFS" sh -c 'exit 0'
	clean_under_valgrind 3 run --network none "$ROOTFS" sh -c 'exit 3'
}

@test "valgrind: ps, exec and cleanup are clean" {
	"$BUILD/container" run --name vg-target "$ROOTFS" sleep 7960 &
	local runtime=$! pid
	pid=$(pid_of sleep 7960)
	clean_under_valgrind 0 ps
	# valgrind 3.19 (Debian 12's) has no pidfd_open (Linux 5.3): under
	# it, exec stops there, and must stop cleanly. The sanitizers'
	# lane runs the whole of exec.
	clean_under_valgrind 125 exec vg-target true
	assert_output --partial "container: pidfd_open $pid: ENOSYS"
	clean_under_valgrind 125 cleanup vg-target   # it runs: refused
	kill -KILL "$pid"
	wait "$runtime" || true
	clean_under_valgrind 0 cleanup
}

@test "valgrind: every kind of error is clean, with its exit status" {
	local copy=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$copy"
	rm -rf "${copy:?}/dev"
	touch "$copy/dev"         # the child's tmpfs on /dev fails
	clean_under_valgrind 125 run /no/such/rootfs true
	clean_under_valgrind 125 run --no-such-option "$ROOTFS" true
	clean_under_valgrind 125 run --memory abc "$ROOTFS" true
	clean_under_valgrind 125 run --ip 10.1.2.3 "$ROOTFS" true
	clean_under_valgrind 125 run --uidmap 0:1 "$ROOTFS" true
	clean_under_valgrind 125 run --network none "$copy" true
	clean_under_valgrind 127 run --network none "$ROOTFS" no-such-command
	clean_under_valgrind 125 exec no-such-container true
	clean_under_valgrind 125 nonsense
}
