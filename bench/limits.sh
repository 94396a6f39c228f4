#!/usr/bin/env bash
# How exactly do stage 6's limits hold? For each limit, ask for a value,
# measure what the container really got, and print the ratio:
#
#   CPU     --cpus 0.25, 0.5, 1 with two spinners: cpu.stat's usage_usec
#           over the wall time
#   I/O     --device-write-bps 1mb and 4mb: the rate of direct writes
#   memory  --memory 64m and 128m with a hog that wants more: memory.peak
#           against memory.max
#
# It needs pure cgroup v2 and a scratch disk: run it in the lab VM with
# `make bench-limits` (it writes over the VM's /dev/vda, which holds
# nothing). Targets: every ratio within 5% of 1 for CPU and memory,
# within 10% for I/O.
#
#   bench/limits.sh [SECONDS]     (seconds per CPU run, default 10)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
container=build/container
rootfs=${ROOTFS:-rootfs}
disk=${DISK:-/dev/vda}

if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
	echo "bench/limits.sh: needs pure cgroup v2: run make bench-limits," \
		"which runs it in the lab VM" >&2
	exit 1
fi
[ -b "$disk" ] || { echo "bench/limits.sh: no disk $disk" >&2; exit 1; }
[ -x "$container" ] || { echo "bench/limits.sh: build first: make" >&2; exit 1; }

rows=()
# Add a row: what, asked, measured, unit, tolerance in percent.
row() {
	local ratio
	ratio=$(awk -v a="$2" -v m="$3" 'BEGIN { printf "%.3f", m / a }')
	local verdict=ok
	awk -v r="$ratio" -v t="$5" \
		'BEGIN { exit !(r >= 1 - t / 100 && r <= 1 + t / 100) }' ||
		verdict="off by more than $5%"
	rows+=("$(printf '%-28s %10s %10s %-6s %6s  %s' "$1" "$2" "$3" "$4" \
		"$ratio" "$verdict")")
	echo "bench: $1: asked $2, got $3 $4 (ratio $ratio)" >&2
}

# CPU: two spinners (the VM has two CPUs) so that even --cpus 1 binds.
cpu_share() {
	"$container" run --cpus "$1" "$rootfs" sh -c "
		read t0 rest </proc/uptime
		(while :; do :; done) & a=\$!
		(while :; do :; done) & b=\$!
		sleep $seconds
		kill \$a \$b
		read t1 rest </proc/uptime
		echo wall \$t0 \$t1
		cat /sys/fs/cgroup/cpu.stat" |
		awk '/^wall/ { wall = $3 - $2 } /^usage_usec/ { used = $2 / 1e6 }
			END { printf "%.3f", used / wall }'
}

for cpus in 0.25 0.5 1; do
	row "--cpus $cpus" "$cpus" "$(cpu_share "$cpus")" CPUs 5
done

# I/O: write 4 seconds' worth at the limit, bypassing the page cache.
write_rate() {
	local mib=$(($1 * 4 / 1048576))   # 4 seconds at $1 bytes a second
	"$container" run --device-write-bps "$disk:$1" \
		--volume "$disk:$disk" "$rootfs" sh -c "
		read t0 rest </proc/uptime
		dd if=/dev/zero of=$disk bs=64k count=$((mib * 16)) \
			oflag=direct 2>/dev/null
		read t1 rest </proc/uptime
		echo took \$t0 \$t1" |
		awk -v mib="$mib" '/^took/ { printf "%.3f", mib / ($3 - $2) }'
}

mode=$(stat -c %a "$disk")
chmod 666 "$disk"      # root inside is uid 100000 outside
trap 'chmod "$mode" "$disk"' EXIT
for mib in 1 4; do
	row "--device-write-bps ${mib}mb" "$mib" \
		"$(write_rate $((mib * 1048576)))" MiB/s 10
done

# Memory: a hog that wants twice the limit; the OOM killer ends it and
# the shell, still there, reads the high-water mark.
memory_peak() {
	"$container" run --memory "$1m" "$rootfs" sh -c "
		memory-hog $(($1 * 2)) >/dev/null
		cat /sys/fs/cgroup/memory.peak" 2>/dev/null |
		awk '{ printf "%.1f", $1 / 1048576 }'
}

for mib in 64 128; do
	row "--memory ${mib}m (peak)" "$mib" "$(memory_peak "$mib")" MiB 5
done

echo
echo "limits measured $(date -u +%Y-%m-%d) on $(uname -r)," \
	"$(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)"
printf '%-28s %10s %10s %-6s %6s  %s\n' limit asked got unit ratio verdict
printf '%s\n' "${rows[@]}"
