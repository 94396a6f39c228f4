#!/usr/bin/env bats
# Stage 7: a network of its own. A veth pair joins the container's eth0
# to the project's bridge, container0, 172.30.0.1/24.
#
# Network safety: these tests send traffic only to addresses the
# project made itself, the bridge (172.30.0.1) and its containers
# (172.30.0.2 to .254), never to any other address.

load helpers

# shellcheck disable=SC2034 # read by teardown(), in helpers.bash
LEFTOVER_PATTERN='.*sleep 79[0-9][0-9]'

BRIDGE=172.30.0.1

# TCP from end to end: tcp-bench, a helper of ours in the rootfs (and
# in build/helpers for the host), serves one connection and prints the
# bytes it got; its sender tries to connect for 5 seconds.
TCP=$BUILD/helpers/tcp-bench

# Holds when the container has an eth0 of its own with an address on
# the bridge's subnet (before stage 1 it sees the host's devices).
has_own_eth0() {
	run ctr "$1" run "$ROOTFS" ip -4 -o addr show dev eth0
	[ "$status" -eq 0 ] && [[ $output == *"inet 172.30.0."* ]]
}

@test "stage 7: the container has eth0 with an address on the bridge; before, none" {
	ladder 7 has_own_eth0
}

@test "stage 7: stage 6 has only an isolated lo, down; --network none has lo, up" {
	run ctr 6 run "$ROOTFS" ip -o link show
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^1: lo: <LOOPBACK>'
	run container run --network none "$ROOTFS" ip -o link show
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^1: lo: <LOOPBACK,UP,LOWER_UP>'
}

@test "stage 7: eth0 is up, the default route goes through the bridge" {
	run container run --ip 172.30.0.20 "$ROOTFS" sh -c \
		'ip -4 -o addr show dev eth0; ip route'
	assert_success
	assert_line --regexp '^2: eth0 +inet 172\.30\.0\.20/24 '
	assert_line --regexp "^default via $BRIDGE dev eth0"
}

@test "stage 7: the container reaches the bridge, and the host reaches the container" {
	"$BUILD/container" run --ip 172.30.0.21 "$ROOTFS" sh -c "
		ping -c1 -W5 $BRIDGE >/dev/null && echo reached-bridge
		tcp-bench serve 7000" >"$BATS_TEST_TMPDIR/out" &
	local runtime=$!
	wait_until grep -q reached-bridge "$BATS_TEST_TMPDIR/out" ||
		fail "the container did not reach the bridge"
	busybox ping -c1 -W5 172.30.0.21 >/dev/null ||
		fail "the host did not reach the container"
	run "$TCP" send 172.30.0.21 7000 1
	assert_success
	wait "$runtime"
	assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/out")" 1048576
}

@test "stage 7: two containers talk over TCP through the bridge" {
	"$BUILD/container" run --ip 172.30.0.22 "$ROOTFS" \
		tcp-bench serve 7001 >"$BATS_TEST_TMPDIR/got" &
	local server=$!
	run container run --ip 172.30.0.23 "$ROOTFS" \
		tcp-bench send 172.30.0.22 7001 2
	assert_success
	wait "$server"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/got")" 2097152
}

@test "stage 7: 20 containers started at once get 20 addresses and all reach the bridge" {
	# All 20 run together: each holds on until the test sees all 20 up
	# (an address is free again when its container ends).
	local i barrier=$BATS_TEST_TMPDIR/barrier
	mkdir "$barrier"
	for i in $(seq 20); do
		container run -v "$barrier:/barrier" "$ROOTFS" sh -c "
			ip -4 -o addr show dev eth0
			ping -c1 -W5 $BRIDGE >/dev/null && echo reached
			while [ ! -e /barrier/go ]; do sleep 0.1; done" \
			>"$BATS_TEST_TMPDIR/out.$i" 2>&1 &
	done
	wait_until [ "$(cat "$BATS_TEST_TMPDIR"/out.* | grep -c reached)" -eq 20 ] ||
		true
	touch "$barrier/go"
	wait
	local addresses reached
	addresses=$(cat "$BATS_TEST_TMPDIR"/out.* |
		awk '/inet / { sub(/\/.*/, "", $4); print $4 }' | sort -u)
	reached=$(cat "$BATS_TEST_TMPDIR"/out.* | grep -cx reached)
	if [ "$(echo "$addresses" | grep -c '^172\.30\.0\.')" -ne 20 ]; then
		grep -L reached "$BATS_TEST_TMPDIR"/out.* | xargs cat
		fail "not 20 addresses: $(echo $addresses)"
	fi
	assert_equal "$reached" 20
	! grep -qx "$BRIDGE" <<<"$addresses" || fail "a container got $BRIDGE"
	# The teardown checks that no veth of ours is left.
}

@test "stage 7: --verbose shows each step as the ip command that does it" {
	run container run --verbose --name vnet --ip 172.30.0.24 "$ROOTFS" true
	assert_success
	assert_line --regexp "^\+ ip link add ve-vnet group 0x636f6e74 master container0 type veth peer name eth0 netns [0-9]+$"
	assert_line "+ ip link set ve-vnet up"
	assert_line "+ ip link set lo up"
	assert_line "+ ip addr add 172.30.0.24/24 dev eth0"
	assert_line "+ ip link set eth0 up"
	assert_line "+ ip route add default via $BRIDGE"
	assert_line "+ ip link del ve-vnet"
}

@test "stage 7: the host's veth is named from the container's name, in 15 characters" {
	local long=abcdefghij-first-of-two-long-names long2=abcdefghij-second
	"$BUILD/container" run --name "$long" "$ROOTFS" sleep 7902 &
	local one=$!
	"$BUILD/container" run --name "$long2" "$ROOTFS" sleep 7903 &
	local two=$!
	"$BUILD/container" run --name short "$ROOTFS" sleep 7904 &
	local three=$!
	pid_of sleep 7902 >/dev/null
	pid_of sleep 7903 >/dev/null
	pid_of sleep 7904 >/dev/null
	run sh -c "ip -o link show | awk -F': ' '{ sub(/@.*/, \"\", \$2); print \$2 }' | grep '^ve-'"
	assert_equal "${#lines[@]}" 3
	assert_line ve-short
	assert_line --regexp '^ve-abcdefg-[0-9a-f]{4}$'
	local name
	for name in "${lines[@]}"; do
		[ "${#name}" -le 15 ] || fail "$name is longer than 15"
	done
	pkill -KILL -f '^sleep 790[234]'
	wait "$one" "$two" "$three" || true
}

@test "stage 7: an address is free again when its container ends" {
	run container run --ip 172.30.0.25 "$ROOTFS" true
	assert_success
	run container run --ip 172.30.0.25 "$ROOTFS" ip -4 -o addr show dev eth0
	assert_success
	assert_output --partial "inet 172.30.0.25/24"
}

@test "stage 9: a runtime killed by SIGKILL: its veth goes with the container; cleanup removes the rest" {
	"$BUILD/container" run --name gone --ip 172.30.0.26 "$ROOTFS" sleep 7905 &
	local runtime=$! pid
	pid=$(pid_of sleep 7905)
	ip link show ve-gone >/dev/null
	kill -KILL "$runtime"
	wait "$runtime" || true
	wait_until sh -c '! ip link show ve-gone 2>/dev/null' ||
		fail "the veth outlived its container"
	run "$BUILD/container" cleanup gone
	assert_success
	assert_line "removed the state file gone left behind"
	# Its address is free again at once: the kernel dropped the lock.
	run container run --ip 172.30.0.26 "$ROOTFS" true
	assert_success
	# The container's process died with its runtime, and stays a
	# zombie until the host's init reaps it: a moment later, or, under
	# an init that reaps on a timer (this CI's), a second or two. The
	# host check in the teardown must not see it.
	wait_until sh -c "[ ! -e /proc/$pid ]" ||
		fail "the container's process $pid was never reaped"
}

@test "stage 9: container cleanup removes the bridge, but not while a container runs" {
	"$BUILD/container" run --name holder "$ROOTFS" sleep 7906 &
	local runtime=$! pid
	pid=$(pid_of sleep 7906)
	run container cleanup
	assert_success
	ip link show container0 >/dev/null || fail "the bridge went"
	kill -KILL "$pid"
	wait "$runtime" || true
	run container cleanup
	assert_success
	assert_output "removed the bridge container0"
	run ip link show container0
	assert_failure
}

@test "stage 9: cleanup waits for a runtime plugging into the bridge, and a runtime for cleanup" {
	# A runtime holds the state directory's lock, shared, while it
	# makes or finds the bridge and plugs its veth in; cleanup holds it
	# alone while it counts the containers and removes the bridge. Here
	# flock(1) plays each one's part, and the log shows who waited.
	local log=$BATS_TEST_TMPDIR/order
	mkdir -p /run/container.c
	flock --shared /run/container.c sh -c "sleep 0.5; echo plugged >>$log" &
	local holder=$!
	wait_until flock_held /run/container.c
	container cleanup >/dev/null
	echo cleaned >>"$log"
	wait "$holder"
	local first
	first=$(cat "$log")
	# The other way round: a runtime waits for a cleanup in progress.
	: >"$log"
	mkdir -p /run/container.c
	flock --exclusive /run/container.c sh -c "sleep 0.5; echo cleaned >>$log" &
	holder=$!
	wait_until flock_held /run/container.c
	run container run "$ROOTFS" sh -c "ping -c1 -W5 $BRIDGE >/dev/null && echo reached"
	echo started >>"$log"
	wait "$holder"
	container cleanup >/dev/null  # the bridge, and the directory
	assert_success
	assert_output reached
	assert_equal "$first" "plugged
cleaned"
	assert_equal "$(cat "$log")" "cleaned
started"
}

@test "stage 7: rootless: lo only by default; --network bridge needs root, in one line" {
	setup_rootless
	cd "$RL"
	run timeout -k 5 "$RUN_TIMEOUT" setpriv --reuid=4242 --regid=4242 \
		--clear-groups ./container run rootfs ip -o link show
	assert_success
	assert_output --regexp '^1: lo: <LOOPBACK,UP,LOWER_UP>'
	assert_equal "${#lines[@]}" 1
	run timeout -k 5 "$RUN_TIMEOUT" setpriv --reuid=4242 --regid=4242 \
		--clear-groups ./container run --network bridge rootfs true
	assert_equal "$status" 125
	assert_output "container: --network bridge needs root, to plug a veth into the host's bridge: run with sudo, or use --network none"
}

@test "stage 7: bad --ip and --network values are one line, exit 125, nothing left" {
	"$BUILD/container" run --name taken --ip 172.30.0.27 "$ROOTFS" sleep 7907 &
	local runtime=$! pid
	pid=$(pid_of sleep 7907)
	local args
	while IFS='|' read -r args message; do
		# shellcheck disable=SC2086 # each line holds several words
		run container run $args "$ROOTFS" true
		assert_equal "$status" 125
		assert_output "container: $message"
	done <<-END
	--ip 10.1.2.3|--ip 10.1.2.3 is outside 172.30.0.0/24: give 172.30.0.2 to 172.30.0.254
	--ip 172.30.0.1|--ip 172.30.0.1 is the bridge's own address: give 172.30.0.2 to 172.30.0.254
	--ip 172.30.0.255|--ip 172.30.0.255 is outside 172.30.0.0/24: give 172.30.0.2 to 172.30.0.254
	--ip 172.30.0.27|--ip 172.30.0.27: a running container has it
	--ip 172.30.0|--ip wants an address such as 172.30.0.5, not 172.30.0 (see container --help)
	--ip banana|--ip wants an address such as 172.30.0.5, not banana (see container --help)
	--network host|--network wants bridge or none, not host (see container --help)
	--network none --ip 172.30.0.5|--ip needs --network bridge
	END
	kill -KILL "$pid"
	wait "$runtime" || true
}

@test "stage 7: the NAT lab adds its own nft table and ip_forward, and removes exactly them" {
	command -v nft >/dev/null || skip "needs nft: apt-get install nftables"
	local forward
	forward=$(cat /proc/sys/net/ipv4/ip_forward)
	run "$PROJECT/labs/07-network/nat.sh" add
	assert_success
	run nft list table ip container_c_nat
	assert_output --partial 'ip saddr 172.30.0.0/24 oifname != "container0" masquerade'
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" 1
	run "$PROJECT/labs/07-network/nat.sh" add      # twice is safe
	assert_success
	assert_output --partial "nothing to do"
	run "$PROJECT/labs/07-network/nat.sh" remove
	assert_success
	run nft list table ip container_c_nat
	assert_failure
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$forward"
	# The teardown checks that no nft table is left.
}

@test "stage 9: exec sees the container's network: its eth0 and address" {
	"$BUILD/container" run --name netexec --ip 172.30.0.28 "$ROOTFS" \
		sleep 7908 &
	local runtime=$! pid
	pid=$(pid_of sleep 7908)
	run container exec netexec ip -4 -o addr show dev eth0
	assert_success
	assert_output --partial "inet 172.30.0.28/24"
	kill -KILL "$pid"
	wait "$runtime" || true
}

@test "network safety: the tests, benchmarks and labs name no address but the project's" {
	# Every IPv4 address written in them must be loopback or on the
	# project's subnet, 172.30.0.0/24; and one more: the --ip outside
	# it that the runtime must refuse (it sends nothing to it).
	local files=("$PROJECT"/tests/*.bats "$PROJECT"/tests/*.bash
		"$PROJECT"/bench/*.sh "$PROJECT"/labs/*/*.sh "$PROJECT"/tools/*.sh)
	run bash -c "grep -noE '\\b([0-9]{1,3}\\.){3}[0-9]{1,3}\\b' \"\$@\" |
		grep -vE ':(127\\.0\\.0\\.1|172\\.30\\.0\\.[0-9]{1,3}|10\\.1\\.2\\.3)\$'" \
		_ "${files[@]}"
	assert_output ""
}
