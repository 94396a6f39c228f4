#!/usr/bin/env bats
# Stage 6: cgroup v2 limits. The limits need pure cgroup v2, which the
# lab VM has: there (make test-vm) none of these tests skips. On a
# v1/v2 hybrid host the limit tests skip and the host lane checks the
# one-line message that a limit gets instead.

load helpers

# A test that failed half-way may leave a container it started in the
# background: teardown() ends it, so that one failure does not make the
# next.
# shellcheck disable=SC2034 # read by teardown(), in helpers.bash
LEFTOVER_PATTERN='--name (endsig|bomb)'

# Where cgroup v2 is mounted on this machine, as container.c finds it.
cgroup2_root() {
	local dir
	for dir in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		if [ "$(stat -f -c %T "$dir" 2>/dev/null)" = cgroup2fs ]; then
			echo "$dir"
			return 0
		fi
	done
	return 1
}

# Limits need the controllers in cgroup v2.
need_v2() {
	pure_v2 || skip "needs pure cgroup v2: the lab VM lane runs it"
}

# The whole disk the lab VM gives for io.max, and its numbers.
DISK=/dev/vda

disk_numbers() {
	printf '%d:%d' "0x$(stat -c %t "$DISK")" "0x$(stat -c %T "$DISK")"
}

# The pid of a running container's main process: the process whose
# command line is ARGS, once it is there.
cgroup_of() {
	echo "$(cgroup2_root)/container.c/$1"
}

in_own_cgroup() {
	local stage=$1 name=ladder-$1 pid runtime ok=1
	ctr "$stage" run --name "$name" "$ROOTFS" sleep $((7100 + stage)) &
	runtime=$!
	pid=$(pid_of sleep $((7100 + stage))) || return 1
	grep -qx "0::/container.c/$name" "/proc/$pid/cgroup" && ok=0
	kill -KILL "$pid"
	wait "$runtime" || true
	return "$ok"
}

@test "stage 6: the container runs in a cgroup of its own, container.c/NAME" {
	ladder 6 in_own_cgroup
}

@test "stage 6: inside, the container's cgroup is the root (0::/) and holds only its processes" {
	run container run --name cgns "$ROOTFS" sh -c \
		'grep "^0::" /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.procs | wc -l'
	assert_success
	assert_line --index 0 "0::/"
	# sh and wc (cat has ended when wc counts; it may not have).
	[ "${lines[1]}" -ge 2 ] && [ "${lines[1]}" -le 3 ]
}

@test "stage 6: clone3 puts the child in its cgroup; without it, cgroup.procs does" {
	run container run --verbose --name into "$ROOTFS" true
	assert_success
	assert_line "+ clone3 CLONE_INTO_CGROUP $(cgroup_of into)"
	CONTAINER_CLONE3=no run container run --verbose --name procs \
		"$ROOTFS" grep -x 0::/ /proc/self/cgroup
	assert_success
	refute_line --regexp "^\+ clone3 "
	assert_line --regexp "^\+ echo '[0-9]+' > $(cgroup_of procs)/cgroup.procs$"
	assert_line "0::/"
}

@test "stage 6: the container may make cgroups below its own, and they go with it" {
	run container run --name subtree "$ROOTFS" sh -c '
		mkdir /sys/fs/cgroup/a /sys/fs/cgroup/a/b &&
		echo $$ > /sys/fs/cgroup/a/b/cgroup.procs &&
		grep "^0::" /proc/self/cgroup'
	assert_success
	assert_output "0::/a/b"
	[ ! -e "$(cgroup_of subtree)" ]
}

@test "stage 6: a name in use is refused, and the container using it keeps its cgroup" {
	# Stage 6's cgroup is all that marks the name; from stage 9 the
	# name's lock refuses it first.
	local stage want
	for stage in 6 "$TOP_STAGE"; do
		ctr "$stage" run --name twice "$ROOTFS" sleep 7201 &
		local runtime=$!
		pid_of sleep 7201 >/dev/null
		run ctr "$stage" run --name twice "$ROOTFS" true
		assert_equal "$status" 125
		want="container: a container named twice is running"
		[ "$stage" -ne 6 ] ||
			want+=", or its runtime was killed: rmdir $(cgroup_of twice)"
		assert_output "$want"
		[ -d "$(cgroup_of twice)" ]
		kill -KILL "$(pid_of sleep 7201)"
		wait "$runtime" || true
		[ ! -e "$(cgroup_of twice)" ]
	done
}

@test "stage 6: the cgroup is gone after every kind of end: 0, own code, 127, signal" {
	run container run --name end0 "$ROOTFS" true
	assert_success
	run container run --name end3 "$ROOTFS" sh -c 'exit 3'
	assert_equal "$status" 3
	run -127 container run --name end127 "$ROOTFS" no-such-command
	# PID 1 ignores SIGTERM it has no handler for: the second is SIGKILL.
	# (The binary itself, so that the signals reach it.)
	"$BUILD/container" run --name endsig "$ROOTFS" sleep 7202 &
	local runtime=$! status=0
	pid_of sleep 7202 >/dev/null
	kill -TERM "$runtime"
	sleep 0.5
	[ -d "$(cgroup_of endsig)" ]      # the first TERM did not end it
	kill -TERM "$runtime"
	wait "$runtime" || status=$?
	assert_equal "$status" 137
	local name
	for name in end0 end3 end127 endsig; do
		[ ! -e "$(cgroup_of "$name")" ] || fail "$name's cgroup is left"
	done
}

@test "stage 6: on a v1/v2 hybrid, a limit fails in one line naming the controller and the lab VM" {
	if pure_v2; then
		skip "this machine has pure cgroup v2: the host lane checks the hybrid"
	fi
	run container run --memory 64m "$ROOTFS" true
	assert_equal "$status" 125
	assert_output --regexp '^container: --memory needs the memory controller of cgroup v2, but this machine binds it to cgroup v1 at /sys/fs/cgroup/memory .*sudo make vm'
	[ "${#lines[@]}" -eq 1 ]
	run container check
	assert_equal "$status" 1
	assert_line --regexp '^stage 6  cgroup v2 +FAIL +the memory controller: .*cgroup v1 at /sys/fs/cgroup/memory'
}

@test "stage 6: check reports each controller ok on pure cgroup v2" {
	need_v2
	run container check
	assert_success
	local c
	for c in cpu memory pids io; do
		assert_line --regexp "^stage 6  cgroup v2 +ok +the $c controller"
	done
}

@test "stage 6: each limit file holds what the options asked for" {
	need_v2
	run container run --memory 64m --memory-swap 96m --cpus 0.5 \
		--pids-limit 64 --device-read-bps "$DISK:1mb" \
		--device-write-bps "$DISK:2m" --device-read-iops "$DISK:100" \
		--device-write-iops "$DISK:200" "$ROOTFS" sh -c '
		cd /sys/fs/cgroup &&
		cat memory.max memory.swap.max cpu.max pids.max io.max'
	assert_success
	assert_equal "$output" "67108864
33554432
50000 100000
64
$(disk_numbers) rbps=1048576 wbps=2097152 riops=100 wiops=200"
}

@test "stage 6: --memory alone holds swap at 0; --verbose shows each file and value" {
	need_v2
	run container run --verbose --name files --memory 1.5g --cpus 1 \
		"$ROOTFS" cat /sys/fs/cgroup/memory.swap.max
	assert_success
	local dir
	dir=$(cgroup_of files)
	assert_line "0"
	# The root's controllers stay enabled from the first container on
	# (a write there is made only when one is missing); the parent is
	# made anew with the first container of a batch.
	grep -qw memory "$(cgroup2_root)/cgroup.subtree_control"
	grep -qw cpu "$(cgroup2_root)/cgroup.subtree_control"
	assert_line "+ echo '+memory' > $(cgroup2_root)/container.c/cgroup.subtree_control"
	assert_line "+ echo '+cpu' > $(cgroup2_root)/container.c/cgroup.subtree_control"
	assert_line "+ echo '1610612736' > $dir/memory.max"
	assert_line "+ echo '0' > $dir/memory.swap.max"
	assert_line "+ echo '100000 100000' > $dir/cpu.max"
	assert_line "+ rmdir $dir"
}

@test "stage 6: a memory hog is killed at --memory, reported in one line, exit 137" {
	need_v2
	run container run --name hog --memory 32m "$ROOTFS" memory-hog 256
	assert_equal "$status" 137
	assert_line --regexp '^container: out of memory: the kernel.s OOM killer ended 1 process at --memory 32m \(memory.max 33554432; memory.events oom_kill 1\)$'
	refute_output --partial "got all"
	[ ! -e "$(cgroup_of hog)" ]
	# The host is fine, and the same program runs under a limit that fits.
	run container run --memory 64m "$ROOTFS" memory-hog 16
	assert_success
	assert_line "memory-hog: got all 16 MiB"
}

@test "stage 6: a fork bomb stops at --pids-limit; the host is fine; the container can be ended" {
	need_v2
	local dir status=0
	dir=$(cgroup_of bomb)
	"$BUILD/container" run --name bomb --pids-limit 32 "$ROOTFS" sh -c \
		'bomb() { bomb | bomb & }; bomb; sleep 7203' 2>/dev/null &
	local runtime=$!
	wait_until grep -qE '^max [1-9]' "$dir/pids.events" ||
		fail "pids.max was never hit"
	[ "$(cat "$dir/pids.current")" -le 32 ]
	run sh -c 'echo the host forks'
	assert_output "the host forks"
	kill -TERM "$runtime"
	sleep 0.5             # two at once count as one
	kill -TERM "$runtime"
	wait "$runtime" || status=$?
	assert_equal "$status" 137
	[ ! -e "$dir" ]
}

@test "stage 6: a CPU spinner under --cpus 0.5 gets about half a CPU and is throttled" {
	need_v2
	run container run --cpus 0.5 "$ROOTFS" sh -c '
		read t0 rest </proc/uptime
		(while :; do :; done) &
		sleep 4
		kill $!
		read t1 rest </proc/uptime
		echo "wall $t0 $t1"
		cat /sys/fs/cgroup/cpu.stat'
	assert_success
	local share throttled
	share=$(echo "$output" | awk '/^wall/ { wall = $3 - $2 }
		/^usage_usec/ { used = $2 / 1e6 }
		END { printf "%.2f", used / wall }')
	throttled=$(echo "$output" | awk '/^nr_throttled/ { print $2 }')
	echo "share $share, throttled $throttled times" >&3
	awk -v s="$share" 'BEGIN { exit !(s >= 0.40 && s <= 0.60) }' ||
		fail "the spinner got $share of a CPU, not about 0.5"
	[ "$throttled" -gt 0 ]
}

@test "stage 6: direct writes under --device-write-bps run at about the limit" {
	need_v2
	local mode
	mode=$(stat -c %a "$DISK")
	chmod 666 "$DISK"     # root inside is uid 100000 outside
	# busybox's dd does not print its rate: the shell times it.
	run container run --device-write-bps "$DISK:1mb" \
		--volume "$DISK:$DISK" "$ROOTFS" sh -c "
		read t0 rest </proc/uptime
		dd if=/dev/zero of=$DISK bs=64k count=48 oflag=direct 2>&1
		read t1 rest </proc/uptime
		echo took \$t0 \$t1"
	chmod "$mode" "$DISK"
	assert_success
	assert_line "48+0 records out"
	local rate
	rate=$(echo "$output" | awk '/^took/ { printf "%.2f", 3 / ($3 - $2) }')
	echo "3 MiB at $rate MiB/s" >&3
	awk -v r="$rate" 'BEGIN { exit !(r >= 0.8 && r <= 1.2) }' ||
		fail "wrote at $rate MiB/s, not about 1"
}

@test "stage 6: bad limits give one line and 125, and leave nothing" {
	local args
	while IFS='|' read -r args message; do
		# shellcheck disable=SC2086 # each line holds several words
		run container run $args "$ROOTFS" true
		assert_equal "$status" 125
		[ "${#lines[@]}" -eq 1 ] || fail "more than one line for $args"
		assert_output --partial "$message"
	done <<-END
	--memory abc|--memory wants a size such as 64m (b, k, m, g), not abc
	--memory 0|--memory wants more than 0 bytes, not 0
	--memory -5m|--memory wants a size such as 64m
	--memory 99999999999999999999|--memory is too large
	--memory 20000000000g|--memory is too large
	--memory 5m|--memory wants 6m or more, not 5m
	--memory 64q|--memory wants a size
	--memory-swap 64m|--memory-swap needs --memory too
	--memory 64m --memory-swap 32m|cannot be less than --memory
	--cpus 0|--cpus wants 0.01 to
	--cpus 0.001|--cpus wants 0.01 to
	--cpus 9999|--cpus wants 0.01 to $(nproc) (the CPUs this machine has), not 9999
	--cpus half|--cpus wants a number of CPUs
	--cpus 0.123456|--cpus takes at most 5 decimals
	--pids-limit 0|--pids-limit wants a whole number, 1 or more, not 0
	--pids-limit -1|--pids-limit wants a whole number
	--pids-limit 99999999|--pids-limit is too large
	--device-write-bps /dev/null:1mb|--device-write-bps /dev/null: not a block device
	--device-read-bps /no/such/disk:1mb|--device-read-bps /no/such/disk: ENOENT
	--device-read-bps /dev/vda|--device-read-bps wants DEVICE:RATE
	--device-write-iops /dev/null:0|--device-write-iops wants a whole number
	END
}

@test "stage 6: io.max refuses a partition: the error names its disk" {
	[ -b /dev/vdb1 ] || {
		pure_v2 && fail "the lab VM should have /dev/vdb1"
		skip "needs pure cgroup v2: the lab VM lane runs it (it has /dev/vdb1)"
	}
	run container run --device-write-bps /dev/vdb1:1mb "$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: --device-write-bps /dev/vdb1: a partition; io.max limits whole disks: give /dev/vdb"
}

@test "stage 6: rootless: without limits, no cgroup is made; limits need root, in one line" {
	setup_rootless
	cd "$RL"
	run timeout -k 5 "$RUN_TIMEOUT" setpriv --reuid=4242 --regid=4242 \
		--clear-groups ./container run rootfs sh -c \
		'id -u; grep "^0::" /proc/self/cgroup'
	assert_success
	assert_output "0
0::/"
	run timeout -k 5 "$RUN_TIMEOUT" setpriv --reuid=4242 --regid=4242 \
		--clear-groups ./container run --pids-limit 10 rootfs true
	assert_equal "$status" 125
	[ "${#lines[@]}" -eq 1 ]
	if pure_v2; then
		assert_output "container: limits need a cgroup, and only root may make one in /sys/fs/cgroup: run with sudo"
	else
		assert_output --partial "binds it to cgroup v1"
	fi
}

@test "stage 6: lab 6's check grades the limits, and the demo shows them" {
	pure_v2 || skip "needs pure cgroup v2: the lab VM lane runs it"
	run env ROOTFS="$ROOTFS" "$PROJECT"/labs/06-cgroups/check
	assert_success
	assert_line "PASS  --memory 32m: memory.max inside is 33554432"
	assert_line "PASS  a memory hog is killed at --memory (exit 137)"
	refute_line --partial SKIP
	run timeout -k 5 300 "$PROJECT"/labs/06-cgroups/demo --auto
	assert_success
	assert_line "exit status: 137"
	assert_line "pids.max:20"
	assert_line "container: a container named demo6 is running, or its runtime was killed: rmdir /sys/fs/cgroup/container.c/demo6"
	assert_line --regexp '^ +1 root +sleep 3006$'   # ps, after nsenter
	assert_equal "${lines[-1]}" "# done"
}

@test "stage 6: lab 6's page: the commands for pure cgroup v2 print what it says" {
	pure_v2 || skip "needs pure cgroup v2: the lab VM lane runs it"
	run "$PROJECT/tools/lab-output.sh" --tag cgroup2 \
		"$PROJECT/labs/06-cgroups/README.md"
	echo "$output"
	assert_success
	assert_line --regexp '^lab-output: [1-9][0-9]* commands, 0 not as the page says$'
}
