#!/usr/bin/env bats
# Stage 5: the user namespace. Root inside is an unprivileged uid
# outside; an ordinary user runs containers without sudo.

load helpers

# The host uid that root inside maps to by default, as container.c
# chooses it: root's first range in /etc/subuid, or 100000.
default_base() {
	awk -F: '($1 == "root" || $1 == "0") && NF >= 3 { print $2; found = 1; exit }
		END { if (!found) print 100000 }' /etc/subuid 2>/dev/null ||
		echo 100000
}

# The uid, seen from the host, of a container's main process.
host_uid_of_container() {
	local stage=$1 marker=$((7000 + $1)) pid uid
	ctr "$stage" run "$ROOTFS" sleep "$marker" &
	local runtime=$!
	pid=$(pid_of sleep "$marker") || return 1
	uid=$(stat -c %u "/proc/$pid")
	kill -KILL "$pid"
	wait "$runtime" || true
	echo "$uid"
}

runs_as_mapped_uid() {
	local uid
	uid=$(host_uid_of_container "$1")
	[ "$uid" = "$(default_base)" ]
}

@test "stage 5: the container's processes run as an unprivileged uid on the host" {
	ladder 5 runs_as_mapped_uid
}

root_inside() {
	run ctr "$1" run "$ROOTFS" sh -c 'id -u; cat /proc/self/uid_map'
	[ "$status" -eq 0 ] && [ "${lines[0]}" = 0 ] &&
		[ "$(echo ${lines[1]})" = "0 $(default_base) 65536" ]
}

@test "stage 5: inside, id is 0 and the default map is 0-65535 onto the host's range" {
	ladder 5 root_inside
}

@test "stage 5: /proc/self/uid_map and gid_map inside equal the maps asked for" {
	run container run --uidmap 0:200000:1000 --uidmap 1000:300000:10 \
		--gidmap 0:400000:5000 "$ROOTFS" \
		sh -c 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map'
	assert_success
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" \
		"$(printf '0 200000 1000\n1000 300000 10\n--\n0 400000 5000')"
	# Without --gidmap, gids are mapped as the uids (podman's rule).
	run container run --uidmap 0:200000:1000 "$ROOTFS" cat /proc/self/gid_map
	assert_success
	assert_equal "$(echo $output)" "0 200000 1000"
}

volume_file_owner() {
	local dir="$BATS_TEST_TMPDIR/vol$1"
	mkdir -m 1777 "$dir"
	run ctr "$1" run -v "$dir:/vol" "$ROOTFS" touch /vol/made-inside
	[ "$status" -eq 0 ] || return 2
	[ "$(stat -c %u:%g "$dir/made-inside")" = \
		"$(default_base):$(default_base)" ]
}

@test "stage 5: a file made through a volume belongs to the mapped uid on the host" {
	# Stages before 4 have no --volume: start the ladder at 4.
	ladder 5 volume_file_owner 4 5
}

cannot_read_root_only_file() {
	local dir="$BATS_TEST_TMPDIR/secret$1"
	mkdir -m 755 "$dir"
	echo "root only" >"$dir/secret"
	chmod 600 "$dir/secret"
	run ctr "$1" run -v "$dir:/vol" "$ROOTFS" cat /vol/secret
	[ "$output" != "root only" ]
}

@test "stage 5: root inside cannot read a root-only host file through a volume" {
	ladder 5 cannot_read_root_only_file 4 5
	run container run -v "$BATS_TEST_TMPDIR/secret5:/vol" "$ROOTFS" \
		cat /vol/secret
	assert_failure
	assert_output --partial "Permission denied"
}

@test "stage 5: a volume the mapped root cannot reach is one line with a hint" {
	local closed=$BATS_TEST_TMPDIR/closed
	mkdir -p "$closed/vol"
	chmod 700 "$closed"
	run container run -v "$closed/vol:/vol" "$(fresh_rootfs)" true
	assert_equal "$status" 125
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^container: mount --rbind .*/closed/vol: EACCES: .*hint: .*chmod o\+x'
}

# Holds when root inside may not set the clock. Harmless where it may:
# the clock's tick is set to the value it has. (busybox is on the host
# too, for the stages that run the host's programs.)
clock_refused() {
	run ctr "$1" run "$ROOTFS" sh -c '
		tick=$(busybox adjtimex | awk "/tick:/ { print \$(NF - 1) }")
		busybox adjtimex -t "$tick" >/dev/null 2>&1 && echo clock-set
		true'
	[ "$status" -eq 0 ] && [ "$output" != clock-set ]
}

@test "stage 5: root inside may not set the host's clock" {
	ladder 5 clock_refused
}

# Holds when root inside may not unload a module: a module that does
# not exist, so it is harmless where it may.
module_refused() {
	run ctr "$1" run "$ROOTFS" busybox rmmod no_such_module_here
	[[ $output == *"not permitted"* ]]
}

@test "stage 5: root inside may not unload a kernel module" {
	run ctr 4 run "$ROOTFS" busybox rmmod no_such_module_here
	if [[ $output == *"Function not implemented"* ]]; then
		skip "this kernel has no module support"
	fi
	ladder 5 module_refused
}

cannot_mount_host_disk() {
	run ctr "$1" run -v "$2:/dev/hostdisk" "$ROOTFS" \
		sh -c 'mkdir -p /dev/m && mount -t "$1" /dev/hostdisk /dev/m &&
			ls /dev/m >/dev/null && echo mounted' sh "$3"
	[ "$output" != mounted ]
}

@test "stage 5: root inside may not mount the host's disk" {
	local disk type
	disk=$(findmnt -no SOURCE -T "$ROOTFS")
	type=$(findmnt -no FSTYPE -T "$ROOTFS")
	[ -b "$disk" ] || skip "no block device holds the rootfs ($disk)"
	# shellcheck disable=SC2317 # called by ladder
	mounts_on_disk() { cannot_mount_host_disk "$1" "$disk" "$type"; }
	ladder 5 mounts_on_disk 4 5
}

# ---- rootless: an ordinary user, no sudo -------------------------------

as_user() {
	timeout -k 5 "$RUN_TIMEOUT" setpriv --reuid="$ROOTLESS_UID" \
		--regid="$ROOTLESS_UID" --clear-groups "$@"
}

@test "stage 5: rootless: an ordinary user gets namespaces, hostname, /proc, a root and volumes" {
	setup_rootless
	echo from-user >"$RL/vol/file"
	chown "$ROOTLESS_UID" "$RL/vol/file"
	cd "$RL"
	run as_user ./container-5 run --hostname rootless -v "$RL/vol:/vol" \
		rootfs sh -c 'id -u; hostname; echo $$; ps -o pid >/vol/ps; wc -l </vol/ps;
			cat /.container-rootfs >/dev/null && echo root;
			cat /vol/file; touch /vol/new; cat /proc/self/uid_map'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" rootless
	assert_equal "${lines[2]}" 1
	# the header, sh and ps: a file, since with a pipe ps may read /proc
	# before the shell has forked wc (seen once under load)
	assert_equal "${lines[3]}" 3
	assert_equal "${lines[4]}" root
	assert_equal "${lines[5]}" from-user
	assert_equal "$(echo ${lines[6]})" "0 $ROOTLESS_UID 1"
	assert_equal "$(stat -c %u "$RL/vol/new")" "$ROOTLESS_UID"
}

@test "stage 5: rootless: stage 4 needs root, and says so in one line" {
	setup_rootless
	cd "$RL"
	run as_user ./container-4 run rootfs true
	assert_equal "$status" 125
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^container: clone: EPERM: .*run with sudo'
}

@test "stage 5: rootless: a map beyond the user's own id is refused, exit 125" {
	setup_rootless
	cd "$RL"
	for map in 0:100000:65536 0:$ROOTLESS_UID:2; do
		run as_user ./container-5 run --uidmap "$map" rootfs true
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 1
		assert_output --regexp "^container: --uidmap: without root you may map only your own id: 0:$ROOTLESS_UID:1"
	done
	run as_user ./container-5 run --uidmap 1:$ROOTLESS_UID:1 rootfs true
	assert_equal "$status" 125
	assert_output "container: --uidmap: no line maps 0: root inside needs 0:HOST:COUNT"
}

@test "stage 5: rootless: check says user namespaces are allowed" {
	run as_user "$BUILD/container-5" check
	assert_success
	assert_line --regexp '^stage 5  user namespace +ok'
}

# ---- bad maps ------------------------------------------------------

@test "stage 5: malformed, empty, overlapping and oversized maps are refused, exit 125" {
	local spec
	for spec in 0:1 a:b:c 0:100000:0 -1:100000:1 "0 :1:1" 0:1:1:1 \
		0:4294967295:1 4294967290:0:10 99999999999:0:1 0x1:0:1; do
		run container run --uidmap "$spec" "$ROOTFS" true
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 1
		assert_output --regexp '^container: --uidmap '
	done
	run container run --uidmap 0:100000:10 --uidmap 5:200000:10 \
		"$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: --uidmap: lines 1 and 2 overlap"
	run container run --gidmap 0:100000:10 --gidmap 20:100005:10 \
		"$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: --gidmap: lines 1 and 2 overlap"
	local many=()
	for i in $(seq 0 340); do many+=(--uidmap "$i:$((2000 + i)):1"); done
	run container run "${many[@]}" "$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: --uidmap: at most 340 lines"
	# 340 lines are what the kernel takes: they work.
	run container run "${many[@]:0:680}" "$ROOTFS" sh -c 'wc -l </proc/self/uid_map'
	assert_success
	assert_output 340
	# A map must also be shorter than a page (4096 bytes).
	many=()
	for i in $(seq 0 339); do
		many+=(--uidmap "$((i * 10000000)):$((i * 10000000)):1")
	done
	run container run "${many[@]}" "$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: --uidmap: the map is longer than the 4095 bytes the kernel takes"
}

@test "stage 5: --verbose shows the map lines as written" {
	run container run --verbose --uidmap 0:200000:100 "$ROOTFS" true
	assert_success
	assert_line --regexp "^\+ printf '0 200000 100' > /proc/[0-9]+/uid_map$"
	assert_line --regexp "^\+ printf '0 200000 100' > /proc/[0-9]+/gid_map$"
}
