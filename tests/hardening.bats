#!/usr/bin/env bats
# Stage 8: hardening. Capabilities cut to a short list, no_new_privs,
# a seccomp filter, masked /proc and /sys files, no inherited
# descriptors; and ordinary work still runs.

load helpers

# shellcheck disable=SC2034 # read by teardown(), in helpers.bash
LEFTOVER_PATTERN='.*sleep 88[0-9][0-9]'

# Docker's default capabilities: chown dac_override fowner fsetid kill
# setgid setuid setpcap net_bind_service net_raw sys_chroot mknod
# audit_write setfcap, as a mask.
DEFAULT_CAPS=00000000a80425fb

# The value of FIELD in the /proc/self/status lines in $output.
field() {
	awk -v f="$1:" '$1 == f { print $2 }' <<<"$output"
}

no_new_privs_and_filter() {
	run ctr "$1" run "$ROOTFS" cat /proc/self/status
	[ "$status" -eq 0 ] && [ "$(field NoNewPrivs)" = 1 ] &&
		[ "$(field Seccomp)" = 2 ]
}

@test "stage 8: inside, NoNewPrivs is 1 and Seccomp 2 (a filter); before, neither" {
	ladder 8 no_new_privs_and_filter
}

@test "stage 8: inside, the bounding, permitted and effective sets are Docker's list; inheritable and ambient empty" {
	run container run "$ROOTFS" cat /proc/self/status
	assert_success
	assert_equal "$(field CapBnd)" "$DEFAULT_CAPS"
	assert_equal "$(field CapPrm)" "$DEFAULT_CAPS"
	assert_equal "$(field CapEff)" "$DEFAULT_CAPS"
	assert_equal "$(field CapInh)" 0000000000000000
	assert_equal "$(field CapAmb)" 0000000000000000
	# Stage 7's root inside holds every capability of its namespace.
	run ctr 7 run "$ROOTFS" cat /proc/self/status
	assert_success
	[ "$(field CapBnd)" != "$DEFAULT_CAPS" ]
	assert_equal "$(field CapEff)" "$(field CapBnd)"
}

@test "stage 8: --cap-add and --cap-drop adjust the list, ALL included, as Docker's do" {
	run container run --cap-drop CHOWN --cap-add sys_time --cap-add CAP_NET_ADMIN \
		"$ROOTFS" cat /proc/self/status
	assert_success
	# chown (bit 0) gone; sys_time (25) and net_admin (12) added.
	assert_equal "$(field CapBnd)" 00000000aa0435fa
	run container run --cap-drop all --cap-add kill "$ROOTFS" cat /proc/self/status
	assert_equal "$(field CapBnd)" 0000000000000020
	run container run --cap-add ALL --cap-drop SYS_ADMIN "$ROOTFS" \
		cat /proc/self/status
	[ $((0x$(field CapBnd) & (1 << 21))) -eq 0 ]      # no sys_admin
	[ $((0x$(field CapBnd) & (1 << 40))) -ne 0 ]      # the last one
	# Dropped means dropped: chown is refused without CAP_CHOWN.
	run container run --cap-drop CHOWN "$ROOTFS" chown 1 /tmp
	assert_failure
	assert_output --partial "not permitted"
}

@test "stage 8: --security-opt seccomp=unconfined: no filter, no_new_privs still" {
	run container run --security-opt seccomp=unconfined "$ROOTFS" cat /proc/self/status
	assert_success
	assert_equal "$(field Seccomp)" 0
	assert_equal "$(field NoNewPrivs)" 1
	run container run --security-opt no-new-privileges "$ROOTFS" cat /proc/self/status
	assert_equal "$(field Seccomp)" 2
}

mount_refused() {
	run ctr "$1" run "$ROOTFS" sh -c 'mount -t tmpfs none /tmp && echo mounted'
	[[ $output != *mounted* ]]
}

new_user_namespace_refused() {
	run ctr "$1" run "$ROOTFS" sh -c 'unshare -U true && echo made'
	[[ $output != *made* ]]
}

@test "stage 8: root inside may not mount, even in a user namespace of its own; before, it may" {
	ladder 8 mount_refused 4 5 6 7 8
	ladder 8 new_user_namespace_refused 5 6 7 8
	# The filter alone refuses them, with every capability kept.
	run container run --cap-add ALL "$ROOTFS" sh -c 'mount -t tmpfs none /tmp'
	assert_failure
	run container run --cap-add ALL "$ROOTFS" unshare -U true
	assert_output --partial "Operation not permitted"
}

kernel_files_masked() {
	run ctr "$1" run "$ROOTFS" sh -c 'wc -c </proc/interrupts
		ls /sys/firmware | wc -l'
	[ "$status" -eq 0 ] && [ "${lines[0]}" = 0 ] &&
		{ [ "${lines[1]}" = 0 ] || [ "$FIRMWARE" = none ]; }
}

@test "stage 8: /proc/interrupts and /sys/firmware are empty inside; before, the host's" {
	grep -q . /proc/interrupts || fail "the host's /proc/interrupts is empty"
	FIRMWARE=$(ls /sys/firmware 2>/dev/null | head -1)
	FIRMWARE=${FIRMWARE:-none}     # then only /proc/interrupts tells
	ladder 8 kernel_files_masked 4 5 6 7 8
}

proc_sys_read_only() {
	# ip_default_ttl belongs to the container's own net ns: writing its
	# value back changes nothing, where it is allowed at all.
	run ctr "$1" run "$ROOTFS" sh -c 'f=/proc/sys/net/ipv4/ip_default_ttl
		v=$(cat $f) && echo "$v" >$f && echo wrote'
	[[ $output != *wrote* ]]
}

@test "stage 8: /proc/sys is read-only inside; before, root inside writes its net sysctls" {
	ladder 8 proc_sys_read_only 1 2 3 4 5 6 7 8
}

inherited_fd_closed() {
	run ctr "$1" run "$ROOTFS" ls /proc/self/fd 7<"$BATS_TEST_FILENAME"
	[ "$status" -eq 0 ] && ! grep -qx 7 <<<"$output"
}

@test "stage 8: a descriptor the caller left open does not reach the command; before, it does" {
	ladder 8 inherited_fd_closed
}

@test "stage 8: ordinary work runs: a shell, pipes, files, ps, --init, TCP between two containers" {
	run container run "$ROOTFS" sh -c 'echo abc | tr a-c x-z | grep -q xyz &&
		echo data >/dev/shm/f && cat /dev/shm/f &&
		ps -o pid,comm | grep -c " ps$" && chown 1:1 /dev/shm/f &&
		ls -ln /dev/shm/f | awk "{ print \$3 }"'
	assert_success
	assert_equal "${lines[*]}" "data 1 1"
	run container run --init "$ROOTFS" sh -c 'sleep 0.1 & wait; echo waited'
	assert_success
	assert_output waited
	"$BUILD/container" run --ip 172.30.0.82 "$ROOTFS" \
		tcp-bench serve 7081 >"$BATS_TEST_TMPDIR/got" &
	local server=$!
	run container run --ip 172.30.0.83 "$ROOTFS" sh -c \
		'ping -c 1 -W 2 172.30.0.1 >/dev/null && tcp-bench send 172.30.0.82 7081 1'
	assert_success
	wait "$server"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/got")" 1048576
}

@test "stage 9: exec gets the container's capabilities and filter, and none of the runtime's descriptors" {
	"$BUILD/container" run --name hard --cap-drop CHOWN "$ROOTFS" sleep 8801 &
	local runtime=$! pid
	pid=$(pid_of sleep 8801)
	run container exec hard sh -c 'ls /proc/self/fd | tr "\n" " "; echo
		cat /proc/self/status'
	assert_success
	assert_line --index 0 "0 1 2 3 "     # 3: ls's own, of /proc/self/fd
	assert_equal "$(field CapBnd)" 00000000a80425fa
	assert_equal "$(field CapEff)" 00000000a80425fa
	assert_equal "$(field NoNewPrivs)" 1
	assert_equal "$(field Seccomp)" 2
	kill -KILL "$pid"
	wait "$runtime" || true
}

@test "stage 8: rootless: an ordinary user's container is hardened the same" {
	setup_rootless
	run setpriv --reuid "$ROOTLESS_UID" --regid "$ROOTLESS_UID" --clear-groups \
		"$RL/container" run "$RL/rootfs" cat /proc/self/status
	assert_success
	assert_equal "$(field CapEff)" "$DEFAULT_CAPS"
	assert_equal "$(field Seccomp)" 2
	assert_equal "$(field NoNewPrivs)" 1
}

@test "stage 8: --verbose lists each mask, the capabilities dropped and the calls refused" {
	run container run --verbose --network none "$ROOTFS" true
	assert_success
	assert_line "+ mount --bind /dev/null /proc/interrupts"
	assert_line "+ mount -o remount,bind,ro /proc/sys"
	assert_line "+ close every descriptor from 3 on"
	assert_line --regexp '^\+ capsh --drop=cap_dac_read_search,.*,cap_sys_admin,.*cap_checkpoint_restore$'
	assert_line "+ setpriv --no-new-privs"
	assert_line --regexp '^\+ seccomp: refuse with EPERM: acct .* mount .* umount2 .*; clone3 with ENOSYS; clone, unshare with CLONE_NEW\*; ioctl TIOCSTI, TIOCLINUX$'
}

@test "stage 8: an unknown capability or security option is one line, exit 125" {
	run container run --cap-add NO_SUCH_CAP "$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: --cap-add: no capability named NO_SUCH_CAP (capabilities(7) lists them: NET_ADMIN, SYS_TIME, ...; or ALL)"
	run container run --cap-drop "" "$ROOTFS" true
	assert_equal "$status" 125
	assert_equal "${#lines[@]}" 1
	run container run --security-opt seccomp=/etc/profile.json "$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: --security-opt wants seccomp=unconfined or no-new-privileges, not seccomp=/etc/profile.json (see container --help)"
	run ctr 7 run --cap-add NET_ADMIN "$ROOTFS" true
	assert_equal "$status" 125
	assert_output --partial "unknown option --cap-add"
}
