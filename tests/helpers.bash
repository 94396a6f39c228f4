# Loaded by every test file: the libraries, the paths, and a check after
# each test that it left the host as it found it.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

PROJECT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# The binaries under test: build/, or CONTAINER_BUILD's (make
# test-sanitize points it at the sanitizers' build).
BUILD=${CONTAINER_BUILD:-$PROJECT/build}
ROOTFS=${ROOTFS:-$PROJECT/rootfs}
ALL_STAGES=(0 1 2 3 4 5 6 7 8 9 10)
# shellcheck disable=SC2034 # used by the test files
TOP_STAGE=10
# Seconds any one container may run before the test gives up on it.
RUN_TIMEOUT=${RUN_TIMEOUT:-30}

# The options that give root inside back the right to mount, which
# stage 8's hardening takes away; for tests of what the mounts of
# stages 3 to 7 do. Prints nothing before stage 8.
may_mount() {
	[ "$1" -lt 8 ] || echo --cap-add SYS_ADMIN --security-opt seccomp=unconfined
}

# Run stage N's binary with a time bound: a test never hangs.
ctr() {
	local stage=$1
	shift
	timeout -k 5 "$RUN_TIMEOUT" "$BUILD/container-$stage" "$@"
}

# The finished program.
container() {
	timeout -k 5 "$RUN_TIMEOUT" "$BUILD/container" "$@"
}

# A private copy of the rootfs in the test's directory, for tests that
# change it: prints its path.
fresh_rootfs() {
	cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/rootfs"
	echo "$BATS_TEST_TMPDIR/rootfs"
}

# Poll until COMMAND succeeds, for at most 5 seconds (WAIT_TRIES
# times, WAIT_STEP seconds apart); its status.
wait_until() {
	local _
	for _ in $(seq "${WAIT_TRIES:-100}"); do
		"$@" && return 0
		sleep "${WAIT_STEP:-0.05}"
	done
	return 1
}

# Does someone hold the flock(2) lock of the file or directory PATH?
# (flock(1) cannot take it without waiting.)
flock_held() {
	! flock --nonblock "$1" true
}

# The pid of the process whose whole command line is ARGS, once there.
pid_of() {
	wait_until pgrep -x -f "$*" >/dev/null || return 1
	pgrep -x -f "$*"
}

# A property checked against every stage's binary (or the STAGEs
# given): it must hold from stage FROM on and must NOT hold before.
# CHECK is a function called with the stage number; its status says
# whether the property holds. Fails with the stages that disagree.
ladder() {
	local from=$1 check=$2 stage wrong=()
	shift 2
	local stages=("$@")
	[ "${#stages[@]}" -gt 0 ] || stages=("${ALL_STAGES[@]}")
	for stage in "${stages[@]}"; do
		if "$check" "$stage"; then
			[ "$stage" -ge "$from" ] || wrong+=("$stage:holds")
		else
			[ "$stage" -lt "$from" ] || wrong+=("$stage:missing")
		fi
	done
	if [ "${#wrong[@]}" -ne 0 ]; then
		fail "property of stage $from wrong at: ${wrong[*]}"
	fi
}

# The state check: setup() records, teardown() compares.
snapshot_host() {
	"$PROJECT/tests/host-state.sh" >"$BATS_TEST_TMPDIR/host-before"
}

check_host_unchanged() {
	local after
	# A test that skipped in its setup took no snapshot: nothing ran.
	[ -f "$BATS_TEST_TMPDIR/host-before" ] || return 0
	# The project's bridge stays for the next container, as Docker's
	# does: a test may make it. The suite removes it at its end
	# (container cleanup, in tools/run-tests.sh) and checks that too.
	after=$("$PROJECT/tests/host-state.sh" | grep -vx 'link container0')
	if ! diff <(grep -vx 'link container0' "$BATS_TEST_TMPDIR/host-before") \
		<(echo "$after") >"$BATS_TEST_TMPDIR/host-diff"; then
		echo "the test left the host changed:" >&2
		cat "$BATS_TEST_TMPDIR/host-diff" >&2
		return 1
	fi
}

# A test that failed half-way may leave a container it started in the
# background: end the runtimes whose command line matches the extended
# regexp PATTERN, and remove what they left, so that one failure does
# not make the next. Called by teardowns, after the host check.
end_leftover_containers() {
	if pkill -KILL -f "^$BUILD/container(-[0-9]+)? run $1"; then
		sleep 2
		"$BUILD/container" cleanup >/dev/null 2>&1 || true
	fi
}

# From stage 5 on, root inside is uid 100000 outside: it must be able
# to pass through the directories above a test's files, as any user.
open_test_dirs() {
	local dir=$BATS_TEST_TMPDIR
	while [ "$dir" != / ] && [ "$dir" != /tmp ]; do
		chmod a+x "$dir"
		dir=$(dirname "$dir")
	done
}

# Whether /sys/fs/cgroup is cgroup v2 alone (the lab VM), where limits
# can be set; not on a v1/v2 hybrid.
pure_v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

# The uid of the tests' ordinary user, for rootless containers.
ROOTLESS_UID=4242

# A private copy of the rootfs and the binaries for the rootless user,
# in a directory every user can pass through, with an empty vol/: its
# path in RL. The teardown removes it.
setup_rootless() {
	RL=$(mktemp -d /tmp/container-rootless.XXXXXX)
	chmod 755 "$RL"
	cp -a "$ROOTFS" "$RL/rootfs"
	cp "$BUILD"/container "$BUILD"/container-[0-9] "$RL/"
	mkdir "$RL/vol"
	chown -R "$ROOTLESS_UID:$ROOTLESS_UID" "$RL"
}

# Every test: open its directory to every uid, snapshot the host; after
# it, remove a rootless copy, compare. A file whose tests run containers in the background sets
# LEFTOVER_PATTERN to their command lines (after "run "), so that the
# containers a failed test left running are ended too.
setup() {
	open_test_dirs
	snapshot_host
}

teardown() {
	local status=0
	cd /
	# A rootless runtime keeps its state directory (never removed, so
	# no one else may make it in between): the test's user's goes too.
	[ -z "${RL:-}" ] || rm -rf "$RL" "/tmp/container.c-$ROOTLESS_UID"
	check_host_unchanged || status=$?
	# A test that failed before it unmounted what it mounted in its
	# directory (reported just above): unmount it, so the machine is
	# left as it was found.
	findmnt -rn -o TARGET | grep -F "$BATS_TEST_TMPDIR/" | sort -r |
		xargs -r umount -l 2>/dev/null || true
	[ -z "${LEFTOVER_PATTERN:-}" ] ||
		end_leftover_containers "$LEFTOVER_PATTERN"
	return "$status"
}

no_shim() {
	! pgrep -x containerd-shim >/dev/null
}

# End the test's containerd, and wait for its shim (a daemon of its own,
# which ends when its task is gone) to go too.
stop_containerd() {
	[ -n "${CONTAINERD_PID:-}" ] || return 0
	kill "$CONTAINERD_PID" 2>/dev/null || true
	wait "$CONTAINERD_PID" 2>/dev/null || true
	CONTAINERD_PID=
	# A test that failed half-way may leave a shim of this containerd's
	# (each names its address): ended too.
	wait_until no_shim ||
		pkill -KILL -f -- "-address $CONTAINERD_DIR/sock" || true
	wait_until no_shim || echo "a containerd-shim is still there" >&2
}

# Start a containerd of the test's own: its root, state and sockets
# (DIR/sock) in DIR, the CRI plugin off; stop_containerd() ends it. Its
# output goes to DIR/log, and not to bats' descriptor 3, which a
# daemon left holding it would keep bats waiting on.
start_containerd() {
	local dir=$1
	"$PROJECT/tools/containerd-config.sh" "$dir"
	containerd --config "$dir/config.toml" >"$dir/log" 2>&1 3>&- &
	CONTAINERD_PID=$!
	CONTAINERD_DIR=$dir
	wait_until test -S "$dir/sock" ||
		fail "containerd did not start: $(tail -3 "$dir/log")"
}
