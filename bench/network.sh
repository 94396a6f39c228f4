#!/usr/bin/env bash
# What stage 7's network costs, measured side by side in one run:
#
#   start to exit of `container run --network bridge ROOTFS true`,
#     against --network none, and against the same set-up done the way
#     shell-script runtimes (bocker and the like) do it: `ip netns add`,
#     `ip link add ... type veth`, `ip netns exec ... ip addr add` ...;
#   TCP throughput from one container to another over the bridge,
#     against loopback (busybox nc at both ends, both ways; the
#     loopback pair runs in one container, on its own lo, so that
#     nothing listens on the host's addresses).
#
# The runners take turns, so that the machine's drift hits all alike.
# Targets: our network set-up (bridge minus none) in under a quarter of
# the script's time; container-to-container throughput at least half of
# loopback's. Traffic goes only to addresses this project made: its
# bridge's subnet, 172.30.0.0/24, and 127.0.0.1.
#
#   sudo bench/network.sh [RUNS] [MIB]    (default 30 runs, 512 MiB)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-30}
mib=${2:-512}
container=build/container
rootfs=${ROOTFS:-rootfs}
ns=bench-net-$$                  # the script's namespace and veth
veth=vb-$$

[ "$(id -u)" -eq 0 ] || { echo "bench/network.sh: needs root" >&2; exit 1; }
[ -x "$container" ] || { echo "bench/network.sh: build first: make" >&2; exit 1; }
"$container" --version | grep -q 'stage [7-9]' ||
	{ echo "bench/network.sh: needs stage 7 or later" >&2; exit 1; }

cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	ip link del "$veth" 2>/dev/null || true
	"$container" cleanup >/dev/null 2>&1 || true
}
trap cleanup EXIT

now() { date +%s%N; }

# Milliseconds that COMMAND took, start to exit.
time_ms() {
	local t0
	t0=$(now)
	"$@" >/dev/null 2>&1
	echo $((($(now) - t0) / 1000))
}

# The set-up a shell-script runtime does for one container's network,
# then COMMAND in it, then the teardown: the same steps as ours.
script_runtime() {
	ip netns add "$ns"
	ip link add "$veth" type veth peer name eth0 netns "$ns"
	ip link set "$veth" master container0 up
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" ip addr add 172.30.0.250/24 dev eth0
	ip netns exec "$ns" ip link set eth0 up
	ip netns exec "$ns" ip route add default via 172.30.0.1
	ip netns exec "$ns" "$@"
	ip link del "$veth"
	ip netns del "$ns"
}

# Microseconds from the start of COMMAND until it prints its first
# line: the set-up alone, before the command in the container runs.
time_to_output() {
	local t0 _
	t0=$(now)
	{ read -r _; echo $((($(now) - t0) / 1000)); cat >/dev/null; } \
		< <("$@" 2>/dev/null)
}

"$container" run "$rootfs" true   # the bridge, for everyone
declare -a bridge none script bridge_up none_up script_up
for _ in $(seq "$runs"); do
	bridge+=("$(time_ms "$container" run --network bridge "$rootfs" true)")
	none+=("$(time_ms "$container" run --network none "$rootfs" true)")
	script+=("$(time_ms script_runtime true)")
	bridge_up+=("$(time_to_output "$container" run --network bridge \
		"$rootfs" echo up)")
	none_up+=("$(time_to_output "$container" run --network none \
		"$rootfs" echo up)")
	script_up+=("$(time_to_output script_runtime echo up)")
done

# The median and the 95th percentile of microsecond samples, in ms.
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { printf "%.2f %.2f\n", v[int((NR + 1) / 2)] / 1000,
			v[int(NR * 0.95 + 0.999)] / 1000 }'
}
read -r b_med b_p95 < <(stats "${bridge[@]}")
read -r n_med n_p95 < <(stats "${none[@]}")
read -r s_med s_p95 < <(stats "${script[@]}")
read -r bu_med bu_p95 < <(stats "${bridge_up[@]}")
read -r nu_med nu_p95 < <(stats "${none_up[@]}")
read -r su_med su_p95 < <(stats "${script_up[@]}")

# Throughput: MIB mebibytes from tcp-bench to tcp-bench (a helper of
# ours in the rootfs: a mebibyte per write, as real senders do), timed
# by the sender from connect to the server's close.
container_pair() {
	"$container" run --name bench-server --ip 172.30.0.240 "$rootfs" \
		tcp-bench serve 7990 >/dev/null 2>&1 &
	local server=$!
	"$container" run --ip 172.30.0.241 "$rootfs" \
		tcp-bench send 172.30.0.240 7990 "$mib"
	wait "$server" || true
}

# Both ends on a loopback: a container's own (--network none), so that
# nothing listens on the host's addresses. It is the same lo driver.
loopback_pair() {
	"$container" run --network none "$rootfs" sh -c "
		tcp-bench serve 7990 >/dev/null &
		tcp-bench send 127.0.0.1 7990 $mib
		wait"
}

declare -a c2c lo
for _ in 1 2 3 4 5; do
	c2c+=("$(container_pair)")
	lo+=("$(loopback_pair)")
done
c2c_med=$(printf '%s\n' "${c2c[@]}" | sort -n | sed -n 3p)
lo_med=$(printf '%s\n' "${lo[@]}" | sort -n | sed -n 3p)

echo
echo "network measured $(date -u +%Y-%m-%d) on $(uname -r), $(nproc) CPUs;" \
	"$runs runs each, interleaved; throughput: $mib MiB, median of 5"
printf '%-44s %10s %10s\n' "start to exit of \`true\`" "median ms" "p95 ms"
printf '%-44s %10s %10s\n' "container run --network bridge" "$b_med" "$b_p95"
printf '%-44s %10s %10s\n' "container run --network none" "$n_med" "$n_p95"
printf '%-44s %10s %10s\n' "ip netns + ip link script, same steps" "$s_med" "$s_p95"
printf '%-44s %10s %10s\n' "start until the command runs" "median ms" "p95 ms"
printf '%-44s %10s %10s\n' "container run --network bridge" "$bu_med" "$bu_p95"
printf '%-44s %10s %10s\n' "container run --network none" "$nu_med" "$nu_p95"
printf '%-44s %10s %10s\n' "ip netns + ip link script, same set-up" "$su_med" "$su_p95"
awk -v b="$bu_med" -v n="$nu_med" -v s="$su_med" 'BEGIN {
	printf "%-44s %10.2f ms\n", "our network set-up (bridge - none)", b - n
	printf "%-44s %10.3f  (target: under 0.25)\n",
		"  ratio to the script'"'"'s set-up", (b - n) / s }'
awk -v b="$b_med" -v n="$n_med" -v s="$s_med" 'BEGIN {
	printf "%-44s %10.2f ms\n", "our network, set-up and teardown", b - n
	printf "%-44s %10.3f\n", "  ratio to the whole script", (b - n) / s }'
printf '%-44s %10s\n' "TCP throughput" "MiB/s"
printf '%-44s %10s\n' "container to container, over the bridge" "$c2c_med"
printf '%-44s %10s\n' "loopback (lo, in one container)" "$lo_med"
awk -v c="$c2c_med" -v l="$lo_med" 'BEGIN {
	printf "%-44s %10.3f  (target: at least 0.5)\n", "  ratio", c / l }'
