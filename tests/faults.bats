#!/usr/bin/env bats
# Faults from outside: the rootfs vanishing while a container starts,
# full filesystems, the cgroup parent removed underneath, the bridge
# deleted while containers run, interface names taken. Each must give
# a run that works or one clear line with 125, and leave nothing.

load helpers

teardown() {
	local status=0
	check_host_unchanged || status=$?
	end_leftover_containers ".*sleep 89[0-9][0-9]"
	ip link del ve-taken 2>/dev/null || true
	ip link del ve-vdead 2>/dev/null || true
	if [ -n "${NOT_OURS:-}" ]; then
		ip link del container0 2>/dev/null || true
	fi
	return "$status"
}

# The cgroup that holds every container's: under the cgroup2 mount,
# /sys/fs/cgroup on pure v2, /sys/fs/cgroup/unified on a hybrid.
find_cgroup_parent() {
	if pure_v2; then
		echo /sys/fs/cgroup/container.c
	else
		echo /sys/fs/cgroup/unified/container.c
	fi
}

# Limits, where the machine can set them (pure cgroup v2).
limit_options() {
	! pure_v2 || echo --memory 32m --pids-limit 64
}

# Remove what earlier tests left for later ones: the bridge.
build_container_cleanup_quietly() {
	"$BUILD/container" cleanup >/dev/null
}

# Holds when $output is one line from the runtime, for a 125.
one_runtime_line() {
	[ "${#lines[@]}" -eq 1 ] && [[ ${lines[0]} == "container: "* ]]
}

@test "faults: a rootfs that vanishes while the container starts: it runs, or fails in one line" {
	local copy=$BATS_TEST_TMPDIR/rootfs gone=$BATS_TEST_TMPDIR/gone i delay
	local ran=0 refused=0
	cp -a "$ROOTFS" "$copy"
	for i in $(seq 40); do
		delay=$(printf '0.%04d' $((i % 8 * 5)))
		{ sleep "$delay"; mv "$copy" "$gone"; } &
		run container run --network none "$copy" true
		wait
		case $status in
		0) ran=$((ran + 1)) ;;
		125) one_runtime_line || fail "run $i: $output"
			refused=$((refused + 1)) ;;
		*) fail "run $i: exit $status: $output" ;;
		esac
		mv "$gone" "$copy"
	done
	echo "# $ran ran, $refused refused in one line" >&3
	[ "$refused" -gt 0 ] || fail "the rootfs never vanished in time"
}

@test "faults: full /tmp and /dev/shm on the host change nothing: the runtime needs neither" {
	# The project may itself live under /tmp (CI clones it there): the
	# old /tmp stays reachable at /mnt/old, in this mount namespace only.
	run unshare --mount sh -c '
		mount -t tmpfs tmpfs /mnt && mkdir /mnt/old &&
			mount --rbind /tmp /mnt/old || exit 2
		for dir in /tmp /dev/shm; do
			mount -t tmpfs -o size=8k tmpfs "$dir" || exit 2
			dd if=/dev/zero of="$dir/fill" bs=4k 2>/dev/null
		done
		echo more 2>/dev/null >/tmp/more && exit 3
		kept() { case $1 in /tmp/*) echo "/mnt/old/${1#/tmp/}" ;; *) echo "$1" ;; esac; }
		"$(kept "$1")" run --network none "$(kept "$2")" sh -c "echo fine"' \
		sh "$BUILD/container" "$ROOTFS"
	assert_success
	assert_output fine
}

@test "faults: a full /run, where the state files go: one line, 125, nothing left" {
	run unshare --mount sh -c '
		mount -t tmpfs -o size=8k,nr_inodes=4 tmpfs /run || exit 2
		i=0; while touch /run/f$i 2>/dev/null; do i=$((i + 1)); done
		"$1" run --name full --network none "$2" true' \
		sh "$BUILD/container" "$ROOTFS"
	assert_equal "$status" 125
	one_runtime_line
	assert_output --regexp "^container: .*/run/container.c.*: ENOSPC: "
}

@test "faults: the cgroup parent removed between and during runs: every run works, nothing left" {
	local parent
	parent=$(find_cgroup_parent)
	# Another process keeps removing the parent while it is empty.
	( for _ in $(seq 400); do rmdir "$parent" 2>/dev/null; sleep 0.005; done ) &
	local remover=$! i
	for i in $(seq 30); do
		# shellcheck disable=SC2046 # the options are words
		run container run --network none $(limit_options) "$ROOTFS" true
		[ "$status" -eq 0 ] || { kill "$remover"; fail "run $i: $output"; }
	done
	kill "$remover" 2>/dev/null || true
	wait "$remover" || true
	rmdir "$parent" 2>/dev/null || true
}

@test "faults: the cgroup's open or lock failing just after its mkdir: one line, 125, no cgroup left" {
	local parent fault call name error message
	parent=$(find_cgroup_parent)
	for fault in "openat open fault-open EMFILE Too many open files" \
		"flock flock fault-lock ENOLCK No locks available"; do
		read -r call name error message <<<"${fault#* }"
		# strace -P limits the injected error to calls on that path.
		run timeout -k 5 30 strace -f -o /dev/null -P "$parent/$name" \
			-e inject="${fault%% *}":error="$error" \
			"$BUILD/container" run --name "$name" "$ROOTFS" true
		assert_failure 125
		assert_output "container: $call $parent/$name: $error: $message"
		[ ! -e "$parent/$name" ]
	done
}

@test "faults: the bridge deleted while a container runs: it ends as usual, its veth goes, the next one makes the bridge again" {
	"$BUILD/container" run --name brk "$ROOTFS" sleep 8901 &
	local runtime=$!
	pid_of sleep 8901 >/dev/null
	ip link show ve-brk >/dev/null
	ip link del container0
	kill -TERM "$runtime"        # passed on; then SIGKILL after 0.2 s
	sleep 0.3
	kill -TERM "$runtime" 2>/dev/null || true
	local status=0
	wait "$runtime" || status=$?
	assert_equal "$status" 137
	run ip link show ve-brk
	assert_failure
	run container run --ip 172.30.0.91 "$ROOTFS" ping -c 1 -W 2 172.30.0.1
	assert_success
}

@test "faults: ve-NAME taken by another program's link: one line, 125, that link untouched" {
	ip link add ve-taken type veth peer name taken-peer
	run container run --name taken "$ROOTFS" true
	assert_equal "$status" 125
	one_runtime_line
	assert_output --partial "ip link add ve-taken: an interface of that name exists"
	run ip -o link show ve-taken
	assert_success
	refute_output --partial master
	ip link del ve-taken
}

@test "faults: container0 taken by a link that is no bridge: one line, 125; neither run nor cleanup touches it" {
	local had_bridge=false
	! ip link show container0 >/dev/null 2>&1 || had_bridge=true
	build_container_cleanup_quietly
	ip link add container0 type veth peer name c0-peer
	NOT_OURS=1
	run container run "$ROOTFS" true
	assert_equal "$status" 125
	one_runtime_line
	assert_output "container: container0 exists and is not our bridge (a bridge in the group 0x636f6e74): it is not ours to use; rename or remove it"
	run ip -o addr show container0
	refute_output --partial 172.30.0.1
	container cleanup
	ip link show container0 >/dev/null
	ip link del container0
	# The bridge, back as it was for the tests after this one.
	! $had_bridge || container run "$ROOTFS" true
}

@test "faults: container0 taken by another program's bridge: neither run nor cleanup uses or removes it" {
	local had_bridge=false
	! ip link show container0 >/dev/null 2>&1 || had_bridge=true
	build_container_cleanup_quietly
	ip link add container0 type bridge
	NOT_OURS=1
	run container run "$ROOTFS" true
	assert_equal "$status" 125
	assert_output --partial "container: container0 exists and is not our bridge"
	run ip -o addr show container0
	refute_output --partial 172.30.0.1
	run container cleanup
	refute_output --partial "removed the bridge"
	ip link show container0 >/dev/null
	ip link del container0
	! $had_bridge || container run "$ROOTFS" true
}

@test "faults: cleanup removes a dead container's veth only when it is ours, not another link that took its name" {
	"$BUILD/container" run --name vdead "$ROOTFS" sleep 8950 &
	local runtime=$! pid
	pid=$(pid_of sleep 8950)
	kill -KILL "$runtime"
	wait "$runtime" || true
	wait_until eval "[ ! -e /proc/$pid ]"
	# The veth went with the container's network namespace; another
	# program's link now has its name.
	wait_until eval '! ip link show ve-vdead >/dev/null 2>&1'
	ip link add ve-vdead type veth peer name vdead-peer
	run container cleanup
	assert_success
	refute_output --partial "removed the veth"
	assert_line "removed the state file vdead left behind"
	ip link show ve-vdead >/dev/null
	ip link del ve-vdead
}

@test "faults: a reader that goes away (--verbose | head -1) costs the runtime nothing: every stage ends as usual, nothing left" {
	local stage
	for stage in "${ALL_STAGES[@]}"; do
		# The first line is written before anything is made; the
		# rest go to a closed pipe. Without SIGPIPE ignored, the
		# runtime died there and left its cgroup and state file.
		run bash -c "'$BUILD/container-$stage' run --verbose '$ROOTFS' true 2>&1 | head -1"
		assert_success
		assert_output --regexp '^\+ '
	done
	sleep 1   # the runtimes go on after head has gone
	# Inside, the command has SIGPIPE's default again: its bit (13,
	# 0x1000) is not in the ignored set, and `yes` ends quietly when
	# head has had its line.
	run "$BUILD/container" run --network none "$ROOTFS" \
		grep SigIgn /proc/self/status
	assert_success
	assert_output --regexp '^SigIgn:[[:space:]]+[0-9a-f]{16}$'
	(( (0x${output##*[[:space:]]} & 0x1000) == 0 )) ||
		fail "SIGPIPE is ignored inside: $output"
	run "$BUILD/container" run --network none "$ROOTFS" \
		sh -c 'yes | head -1'
	assert_success
	assert_output "y"
}
