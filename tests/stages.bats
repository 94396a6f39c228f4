#!/usr/bin/env bats
# The stage ladder: each isolation property is checked against every
# stage's binary. It must hold from its own stage on, and must not hold
# before it: that proves the stage, and proves that the test can fail.

load helpers

teardown() {
	ip link del ctrtest0 2>/dev/null || true   # made by one test
	check_host_unchanged
}

# ---- stage 0: a process -------------------------------------------

@test "stage 0: the command runs and its exit status comes through" {
	for stage in "${ALL_STAGES[@]}"; do
		run ctr "$stage" run "$ROOTFS" sh -c 'echo hello; exit 3'
		assert_equal "$status" 3
		assert_output hello
	done
}

@test "stage 0: a command killed by signal N exits 128+N" {
	for stage in "${ALL_STAGES[@]}"; do
		# A unique sleep, killed from the host by its host pid.
		local marker=$((4000 + stage))
		ctr "$stage" run "$ROOTFS" sleep "$marker" &
		local runtime=$! pid
		pid=$(pid_of sleep "$marker") ||
			fail "stage $stage: sleep never started"
		kill -KILL "$pid"
		local code=0
		wait "$runtime" || code=$?
		assert_equal "$code" 137
	done
}

@test "stage 0: signals sent to container run reach the command" {
	for stage in "${ALL_STAGES[@]}"; do
		# The shell traps TERM and exits 7 only if it receives it.
		# timeout passes the TERM it gets on to container run.
		timeout -k 5 "$RUN_TIMEOUT" "$BUILD/container-$stage" \
			run "$ROOTFS" sh -c \
			'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done' \
			>"$BATS_TEST_TMPDIR/out" &
		local runtime=$!
		WAIT_TRIES=400 wait_until grep -q ready "$BATS_TEST_TMPDIR/out" ||
			fail "stage $stage: not ready in 20 s"
		kill -TERM "$runtime"
		local code=0
		wait "$runtime" || code=$?
		assert_equal "$code" 7
	done
}

@test "stage 0: a second signal, a while after the first, ends the command with SIGKILL" {
	for stage in "${ALL_STAGES[@]}"; do
		# The shell ignores TERM; as PID 1 (stage 1 on) it would anyway.
		"$BUILD/container-$stage" run "$ROOTFS" sh -c \
			'trap "" TERM; echo ready; while :; do sleep 0.1; done' \
			>"$BATS_TEST_TMPDIR/out" &
		local runtime=$! code=0
		# Not before its trap is set: a TERM would end it.
		WAIT_TRIES=400 wait_until grep -q ready "$BATS_TEST_TMPDIR/out" ||
			fail "stage $stage: not ready in 20 s"
		kill -TERM "$runtime"
		sleep 0.5
		kill -0 "$runtime" || fail "stage $stage: one TERM ended it"
		kill -TERM "$runtime"
		wait "$runtime" || code=$?
		assert_equal "$code" 137
	done
}

@test "stage 0: --version names the stage of each binary" {
	for stage in "${ALL_STAGES[@]}"; do
		run ctr "$stage" --version
		assert_success
		assert_output "container.c stage $stage"
	done
}

# ---- stage 1: namespaces --------------------------------------------

# Holds when all six namespaces of the container differ from ours,
# seen from the host through /proc/PID/ns of the container's process.
namespaces_differ() {
	local stage=$1 marker=$((5000 + $1)) pid ns
	ctr "$stage" run "$ROOTFS" sleep "$marker" &
	local runtime=$!
	pid=$(pid_of sleep "$marker") || return 1
	local differ=0
	for ns in uts pid mnt ipc net cgroup; do
		if [ "$(readlink "/proc/$pid/ns/$ns")" != \
			"$(readlink "/proc/self/ns/$ns")" ]; then
			differ=$((differ + 1))
		fi
	done
	kill -KILL "$pid"
	wait "$runtime" || true
	[ "$differ" -eq 6 ]
}

@test "stage 1: from the host, the container's uts pid mnt ipc net cgroup namespaces are new" {
	ladder 1 namespaces_differ
}

shell_is_pid_1() {
	run ctr "$1" run "$ROOTFS" sh -c 'echo $$'
	[ "$status" -eq 0 ] && [ "$output" = 1 ]
}

@test "stage 1: inside, the shell is pid 1" {
	ladder 1 shell_is_pid_1
}

only_loopback() {
	run ctr "$1" run "$ROOTFS" sh -c 'ls /sys/class/net'
	[ "$status" -eq 0 ] && [ "$output" = lo ]
}

@test "stage 1: the container has no network device but its own lo" {
	# A device of the host's own for the while, so that the host surely
	# has one besides lo (the lab VM has none).
	ip link add ctrtest0 type veth peer name ctrtest1
	run ctr 1 run "$ROOTFS" ip -o link show
	assert_success
	assert_output --regexp '^1: lo:'
	assert_equal "${#lines[@]}" 1
	# /sys shows the devices of the net ns that mounted it: from stage 4
	# on, ours. Before, the host's /sys lists the host's devices even
	# inside a new net ns, though ip link shows them gone from stage 1.
	ladder 4 only_loopback 0 1 2 3 4 5 6   # stage 7 adds eth0
	ip link del ctrtest0
}

# ---- stage 2: hostname ----------------------------------------------

hostname_is_name() {
	run ctr "$1" run --name lad-"$1" "$ROOTFS" hostname
	[ "$status" -eq 0 ] && [ "$output" = "lad-$1" ]
}

@test "stage 2: the hostname inside is the container's name by default" {
	ladder 2 hostname_is_name
}

hostname_option() {
	run ctr "$1" run --hostname box "$ROOTFS" hostname
	[ "$status" -eq 0 ] && [ "$output" = box ]
}

@test "stage 2: --hostname sets the container's hostname, the host keeps its own" {
	local host
	host=$(hostname)
	ladder 2 hostname_option
	assert_equal "$(hostname)" "$host"
}

# ---- stage 3: /proc ------------------------------------------------

# Holds when ps inside does not list a process that runs on the host.
ps_sees_only_container() {
	sleep 6003 &
	local host_sleep=$!
	run ctr "$1" run "$ROOTFS" ps -e -o pid,args
	kill "$host_sleep"
	wait "$host_sleep" || true
	[ "$status" -eq 0 ] && [[ $output != *"sleep 6003"* ]] &&
		[[ $output == *"ps -e -o pid,args"* ]]
}

@test "stage 3: ps inside sees only the container's processes" {
	ladder 3 ps_sees_only_container
}

# Holds when a tmpfs mounted inside does not show up outside, with / made
# shared as systemd makes it. The outer unshare keeps the experiment
# (and the leak, at the early stages) away from the real host.
mount_stays_inside() {
	local stage=$1 tag="ctrleak$1"
	run unshare --mount --propagation unchanged sh -c '
		mount --make-rshared /
		"$1" run $4 "$2" sh -c "mount -t tmpfs $3 /tmp" || exit 2
		grep -q " $3 " /proc/self/mountinfo && echo leaked
		exit 0' sh "$BUILD/container-$stage" "$ROOTFS" "$tag" \
		"$(may_mount "$stage")"
	[ "$status" -eq 0 ] && [[ $output != *leaked* ]]
}

@test "stage 3: nothing mounted inside appears on the host, even with / shared" {
	ladder 3 mount_stays_inside
}

# ---- stage 4: root filesystem -----------------------------------------

root_is_rootfs() {
	run ctr "$1" run "$ROOTFS" sh -c 'test -f /.container-rootfs && ls /'
	[ "$status" -eq 0 ] && [[ $output == *bin* ]]
}

@test "stage 4: / inside is ROOTFS" {
	ladder 4 root_is_rootfs
}

# Holds when the classic chroot escape cannot reach a file of the host.
escape_fails() {
	local secret="$BATS_TEST_TMPDIR/host-secret"
	echo "host secret" >"$secret"
	# Before stage 4 the helper is run from the host by its host path.
	local helper=$ROOTFS/usr/local/bin/chroot-escape
	[ "$1" -lt 4 ] || helper=/usr/local/bin/chroot-escape
	run ctr "$1" run "$ROOTFS" "$helper" cat "$secret"
	[[ $output != *"host secret"* ]]
}

@test "stage 4: the old root is gone: a chroot escape finds no host file" {
	[ -x "$ROOTFS/usr/local/bin/chroot-escape" ] ||
		fail "the rootfs lacks chroot-escape: make rootfs"
	ladder 4 escape_fails
}

# The mount flags that --verbose shows for the filesystem at PATH, and
# those the mount has inside (mountinfo's per-mount options), each
# sorted: ro, nosuid, nodev, noexec.
shown_flags() {
	grep -E "^\+ mount -t [a-z0-9]+ -o [^ ]+ [a-z0-9]+ [^ ]*$1\$" |
		sed -E 's/^\+ mount -t [a-z0-9]+ -o ([^ ]+) .*/\1/' |
		tr ',' '\n' | grep -xE 'ro|nosuid|nodev|noexec' | sort | xargs
}
mounted_flags() {
	awk -v p="$1" '$5 == p { o = $6 } END { print o }' |
		tr ',' '\n' | grep -xE 'ro|nosuid|nodev|noexec' | sort | xargs
}

@test "stage 4: --verbose spells each filesystem's mount flags as mount(8) would, and the mounts have them" {
	run ctr 4 run --verbose "$ROOTFS" cat /proc/self/mountinfo
	assert_success
	for path in /proc /dev /dev/pts /dev/shm /sys; do
		shown=$(shown_flags "$path" <<<"$output")
		have=$(mounted_flags "$path" <<<"$output")
		[ -n "$have" ] || fail "$path: not in mountinfo: $output"
		[ "$shown" = "$have" ] ||
			fail "$path: --verbose shows '$shown', the mount has '$have'"
	done
}

# Holds when every mount inside is one the runtime made on purpose
# (from stage 8 on, those that mask or protect /proc and /sys files).
only_own_mounts() {
	run ctr "$1" run "$ROOTFS" cat /proc/self/mountinfo
	[ "$status" -eq 0 ] || return 1
	local extra masks
	masks='/proc/(acpi|asound|interrupts|kcore|keys|latency_stats|sched_debug|scsi|timer_list|timer_stats|bus|fs|irq|sys|sysrq-trigger)|/sys/firmware|/sys/devices/virtual/powercap'
	extra=$(awk '{ print $5 }' <<<"$output" |
		grep -vxE "/|/proc|/dev|/dev/(null|zero|full|random|urandom|tty|pts|shm)|/sys|/sys/fs/cgroup|$masks" ||
		true)
	[ -z "$extra" ]
}

@test "stage 4: the container sees only its own mounts, none of the host's" {
	ladder 4 only_own_mounts
}

minimal_dev() {
	run ctr "$1" run "$ROOTFS" ls /dev
	[ "$status" -eq 0 ] || return 1
	[ "$(echo $output)" = \
		"fd full null ptmx pts random shm stderr stdin stdout tty urandom zero" ]
}

@test "stage 4: /dev holds only null zero full random urandom tty, pts, shm and links" {
	ladder 4 minimal_dev
	run container run "$ROOTFS" sh -c \
		'echo x >/dev/null && head -c 4 /dev/zero | wc -c && readlink /dev/ptmx'
	assert_success
	assert_output $'4\npts/ptmx'
}

sys_read_only() {
	run ctr "$1" run "$ROOTFS" sh -c \
		"awk '\$5 == \"/sys\" { print \$6 }' /proc/self/mountinfo"
	[ "$status" -eq 0 ] && [[ $output == ro,* ]]
}

@test "stage 4: /sys is read-only" {
	ladder 4 sys_read_only
}

environment_clean() {
	SECRET_TOKEN=hunter2 run ctr "$1" run "$ROOTFS" env
	[ "$status" -eq 0 ] && [[ $output != *SECRET_TOKEN* ]] &&
		[[ $output == *container=container.c* ]] &&
		[[ $output == *PATH=/usr/local/sbin:* ]]
}

@test "stage 4: the environment is clean: PATH, HOME, container, none of the host's" {
	ladder 4 environment_clean
}

@test "stage 4: a relative ROOTFS works" {
	cd "$(dirname "$ROOTFS")"
	run container run "./$(basename "$ROOTFS")" cat /.container-rootfs
	assert_success
}

@test "stage 4: a ROOTFS that is already a mount point works" {
	run unshare --mount sh -c 'mount --bind "$2" "$2" &&
		"$1" run "$2" sh -c "test -f /.container-rootfs && echo inside"' \
		sh "$BUILD/container" "$ROOTFS"
	assert_success
	assert_output inside
}

@test "stage 4: works with the host's / shared (systemd's default)" {
	run unshare --mount --propagation unchanged sh -c '
		mount --make-rshared / && "$1" run "$2" sh -c "ps -o pid | wc -l"' \
		sh "$BUILD/container" "$ROOTFS"
	assert_success
}

@test "stage 4: --volume binds a host directory in, and :ro makes it read-only" {
	local dir="$BATS_TEST_TMPDIR/vol" rootfs
	mkdir -m 1777 "$dir"    # writable by the mapped root of stage 5
	echo from-host >"$dir/file"
	rootfs=$(fresh_rootfs)  # no /data in it yet: it must be made
	run container run -v "$dir:/data" "$rootfs" sh -c \
		'cat /data/file && echo from-container >/data/new'
	assert_success
	assert_output from-host
	assert_equal "$(cat "$dir/new")" from-container

	run container run --volume "$dir:/data:ro" "$rootfs" sh -c \
		'cat /data/file; echo x >/data/other'
	assert_failure
	assert_output --partial "Read-only file system"
	[ ! -e "$dir/other" ]
}

@test "stage 4: a volume can bind a single file" {
	echo one-file >"$BATS_TEST_TMPDIR/f"
	run container run -v "$BATS_TEST_TMPDIR/f:/etc/motd-test:ro" \
		"$(fresh_rootfs)" cat /etc/motd-test
	assert_success
	assert_output one-file
}

@test "stage 4: a volume whose target passes through a symlink is refused: none is followed" {
	local copy
	copy=$(fresh_rootfs)
	ln -s /etc "$copy/escape"
	mkdir "$BATS_TEST_TMPDIR/vol"
	run container run -v "$BATS_TEST_TMPDIR/vol:/escape/sub" "$copy" true
	assert_equal "$status" 125
	assert_output --regexp "^container: mount point /escape/sub in $copy: ELOOP: .*hint: .*symbolic link"
	[ ! -e /etc/sub ]
}

@test "stage 4: a volume target that is a link to nowhere is refused, and nothing is made on the host" {
	local copy host=$BATS_TEST_TMPDIR/made-on-the-host
	copy=$(fresh_rootfs)
	# As an earlier container sharing the rootfs could leave it.
	ln -s "$host" "$copy/dangling"
	mkdir "$BATS_TEST_TMPDIR/vol"
	run container run -v "$BATS_TEST_TMPDIR/vol:/dangling" "$copy" true
	assert_equal "$status" 125
	assert_output --partial "mount point /dangling in $copy: ELOOP"
	[ ! -e "$host" ] || fail "the runtime made $host on the host"
	run container run -v "$BATS_TEST_TMPDIR/vol:/dangling/below" "$copy" true
	assert_equal "$status" 125
	[ ! -e "$host" ] || fail "the runtime made $host on the host"
}

@test "stage 4: a link swapped in while containers start never lands a volume outside the rootfs" {
	local copy outside=$BATS_TEST_TMPDIR/outside swapper _
	copy=$(fresh_rootfs)
	mkdir "$outside" "$BATS_TEST_TMPDIR/vol" "$copy/swap"
	echo from-volume >"$BATS_TEST_TMPDIR/vol/marker"
	# /swap in the rootfs trades places with a link to a host
	# directory, again and again, each swap atomic (helpers/exchange.c).
	ln -s "$outside" "$copy/link"
	"$BUILD/helpers/exchange" "$copy/swap" "$copy/link" 20 &
	swapper=$!
	for _ in $(seq 40); do
		container run --network none -v "$BATS_TEST_TMPDIR/vol:/swap/mnt" \
			"$copy" cat /swap/mnt/marker >>"$BATS_TEST_TMPDIR/runs" 2>&1 ||
			true
	done
	kill "$swapper"
	wait "$swapper" || true
	# Nothing was made in the host's directory; a run saw the volume,
	# failed in one line, or found /swap changed under it (what the
	# swapper does to the rootfs, the container sees).
	run ls -A "$outside"
	assert_output ""
	run grep -cvE '^(from-volume|container: .*|cat: .*)$' "$BATS_TEST_TMPDIR/runs"
	assert_output 0
	echo "# $(grep -c from-volume "$BATS_TEST_TMPDIR/runs") of 40 saw the volume" >&3
}

@test "stage 4: :ro is read-only all the way down, a filesystem mounted below the volume's host directory too" {
	local dir=$BATS_TEST_TMPDIR/vol stage
	mkdir -p "$dir/below"
	mount -t tmpfs -o mode=1777 below "$dir/below"
	for stage in 4 "$TOP_STAGE"; do
		# shellcheck disable=SC2046 # quiet_net's words are options
		run ctr "$stage" run $([ "$stage" -lt 7 ] || echo --network none) \
			-v "$dir:/data:ro" "$ROOTFS" sh -c 'echo x >/data/below/x'
		assert_failure
		assert_output --partial "Read-only file system"
	done
	umount "$dir/below"
}

# Holds when a device node in the rootfs, one anybody may open, opens
# nothing inside: the rootfs is mounted nodev.
rootfs_is_nodev() {
	# shellcheck disable=SC2046 # quiet_net's words are options
	! ctr "$1" run $([ "$1" -lt 7 ] || echo --network none) "$NODEV_ROOTFS" \
		head -c 1 /zero-node >/dev/null 2>&1
}

@test "stage 4: a device node that came with the rootfs opens nothing (the rootfs is mounted nodev)" {
	NODEV_ROOTFS=$(fresh_rootfs)
	mknod -m 666 "$NODEV_ROOTFS/zero-node" c 1 5     # /dev/zero's numbers
	# Stages 0 to 3 run in the host's root, where /zero-node is not.
	ladder 4 rootfs_is_nodev 4 5 6 7 8
	# Its own /dev still works.
	run container run --network none "$NODEV_ROOTFS" sh -c 'head -c 1 /dev/zero | od -An -tx1'
	assert_output " 00"
}
