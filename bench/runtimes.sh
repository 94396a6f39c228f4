#!/usr/bin/env bash
# How fast container.c starts a container, against crun, runc and
# bubblewrap, in one run, on the same busybox rootfs: each runner
# starts `/bin/true` in a container, RUNS times, the runners taking
# turns so that the machine's drift hits all alike. Prints each row's
# median and p95 start-to-exit time, the peak resident memory of the
# runtime's processes, and its ratio to crun's median and to the floor
# (unshare with every namespace, --fork, running true).
#
#   sudo bench/runtimes.sh [--runs N] [--limits]
#
# --limits gives ours, crun and runc the same cgroup limits (64 MiB of
# memory, 64 pids, one CPU): for the lab VM, where cgroup v2 can set
# them (`make bench-runtimes-vm`). Needs crun, runc and bubblewrap
# (`make bench-runtimes` installs them).
#
# The same work for each, as far as each can be told:
#   ours      container-N run --network none ROOTFS /bin/true, every
#             stage; stages 7 to 10 also with --network bridge; stage
#             10, the top, also linked dynamically (the Makefile links
#             statically); the targets hold stage 8, the hardened
#             container that crun's bundle matches, against crun;
#   crun/runc an OCI bundle with the namespaces of our stage 8 (pid,
#             net, ipc, uts, mount, cgroup, user with the same uid and
#             gid maps), the same mounts, Docker's capabilities,
#             no_new_privs, our masked and read-only paths, and a
#             seccomp profile refusing the calls our filter refuses
#             (read from `container run --verbose`);
#   bwrap     --unshare-all (user, ipc, pid, net, uts, cgroup) with
#             ROOTFS bound as /, a new /proc and /dev; no cgroup;
#   unshare   every namespace, --fork, /bin/true of the host: the floor.
#
# crun and runc refuse a host whose cgroups are a v1/v2 hybrid. So the
# whole benchmark runs in a mount namespace of its own where cgroup2 is
# mounted at /sys/fs/cgroup, as on a pure v2 host: every runner, ours
# included, makes its cgroup in the same cgroup2 hierarchy.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=200
limits=false
# In the lab VM, the rows with limits, and fewer runs: it is emulated.
if [ -e /run/container-lab-vm ]; then
	runs=20
	limits=true
fi
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?--runs wants a number}; shift ;;
	--limits) limits=true ;;
	--inside) inside=1 ;;
	*) echo "bench/runtimes.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done

say() { echo "bench: $*" >&2; }
die() { echo "bench/runtimes.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root"
for tool in crun runc bwrap unshare; do
	command -v "$tool" >/dev/null ||
		die "needs $tool: apt-get install crun runc bubblewrap"
done
[ -x build/container-8 ] || die "build first: make"
rootfs=$(realpath "${ROOTFS:-rootfs}")
[ -x "$rootfs/bin/true" ] || die "no rootfs at $rootfs: make"

# Into a mount namespace of our own, with cgroup2 at /sys/fs/cgroup.
if [ -z "${inside:-}" ]; then
	args=(--runs "$runs")
	! $limits || args+=(--limits)
	exec unshare --mount --propagation private "$0" "${args[@]}" --inside
fi
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
	say "cgroups are a hybrid here: cgroup2 mounted at /sys/fs/cgroup" \
		"in this benchmark's own mount namespace"
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
fi

work=$(mktemp -d /tmp/bench-runtimes.XXXXXX)
cleanup() {
	crun list -q 2>/dev/null | grep '^bench-' | xargs -r -n1 crun delete -f \
		>/dev/null 2>&1 || true
	runc list -q 2>/dev/null | grep '^bench-' | xargs -r -n1 runc delete -f \
		>/dev/null 2>&1 || true
	build/container cleanup >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p build/bench
cc -O2 -Wall -Wextra -Werror -o build/bench/measure bench/measure.c

# ---- the OCI bundle, as close to our stage 8 as the spec allows ----

json_list() { printf '"%s",' "$@" | sed 's/,$//'; }

# The calls our filter refuses, from the runtime's own --verbose.
refused=$(build/container-8 run --verbose --network none "$rootfs" true 2>&1 |
	sed -n 's/^+ seccomp: refuse with EPERM: \([^;]*\);.*/\1/p')
[ -n "$refused" ] || die "could not read the refused calls from container-8"
# shellcheck disable=SC2086 # the names are words
refused_json=$(json_list $refused)
caps_json=$(json_list CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID \
	CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE \
	CAP_NET_RAW CAP_SYS_CHROOT CAP_MKNOD CAP_AUDIT_WRITE CAP_SETFCAP)
masked_json=$(json_list /proc/acpi /proc/asound /proc/interrupts /proc/kcore \
	/proc/keys /proc/latency_stats /proc/sched_debug /proc/scsi \
	/proc/timer_list /proc/timer_stats /sys/firmware \
	/sys/devices/virtual/powercap)
readonly_json=$(json_list /proc/bus /proc/fs /proc/irq /proc/sys \
	/proc/sysrq-trigger)
resources=""
our_limits=()
if $limits; then
	resources='"resources": { "memory": { "limit": 67108864, "swap": 67108864 },
		"pids": { "limit": 64 }, "cpu": { "quota": 100000, "period": 100000 } },'
	our_limits=(--memory 64m --pids-limit 64 --cpus 1)
fi
mkdir "$work/bundle"
cat >"$work/bundle/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ "/bin/true" ],
		"env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "HOME=/root", "container=bench" ],
		"cwd": "/",
		"capabilities": { "bounding": [ $caps_json ], "effective": [ $caps_json ],
				  "permitted": [ $caps_json ] },
		"noNewPrivileges": true
	},
	"root": { "path": "$rootfs", "readonly": false },
	"hostname": "bench",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc",
		  "options": [ "nosuid", "noexec", "nodev" ] },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=64k" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666",
			       "mode=0620" ] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		  "options": [ "nosuid", "noexec", "nodev", "mode=1777" ] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
		  "options": [ "nosuid", "noexec", "nodev", "ro" ] }
	],
	"linux": {
		"uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
		"gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
		"namespaces": [ { "type": "pid" }, { "type": "network" },
				{ "type": "ipc" }, { "type": "uts" }, { "type": "mount" },
				{ "type": "cgroup" }, { "type": "user" } ],
		$resources
		"maskedPaths": [ $masked_json ],
		"readonlyPaths": [ $readonly_json ],
		"seccomp": {
			"defaultAction": "SCMP_ACT_ALLOW",
			"architectures": [ "SCMP_ARCH_X86_64" ],
			"syscalls": [
				{ "names": [ $refused_json ], "action": "SCMP_ACT_ERRNO",
				  "errnoRet": 1 },
				{ "names": [ "clone3" ], "action": "SCMP_ACT_ERRNO",
				  "errnoRet": 38 }
			]
		}
	}
}
EOF

# ---- the runners ----------------------------------------------------

names=() commands=()
add() { names+=("$1"); commands+=("$2"); }
add "unshare (floor)" "unshare --fork --pid --mount --uts --ipc --net --cgroup --user --map-root-user /bin/true"
for stage in 0 1 2 3 4 5 6 7 8 9 10; do
	options=()
	[ "$stage" -lt 7 ] || options+=(--network none)
	[ "$stage" -lt 6 ] || options+=("${our_limits[@]}")
	add "container.c stage $stage" "build/container-$stage run ${options[*]} $rootfs /bin/true"
done
for stage in 7 8 9 10; do
	add "container.c stage $stage, bridge" \
		"build/container-$stage run --network bridge ${our_limits[*]} $rootfs /bin/true"
done
# The same top stage linked dynamically, as a plain `cc container.c`
# builds it: what the static link saves.
add "container.c stage 10, dynamic" \
	"build/dynamic/container run --network none ${our_limits[*]} $rootfs /bin/true"
add "crun" "crun run --bundle $work/bundle bench-crun-RUN"
add "runc" "runc run --bundle $work/bundle bench-runc-RUN"
add "bubblewrap" "bwrap --unshare-all --die-with-parent --bind $rootfs / --proc /proc --dev /dev /bin/true"

# Each runner once, to see that it works here at all.
for i in "${!names[@]}"; do
	read -r -a command <<<"${commands[$i]//RUN/check}"
	result=$(build/bench/measure "${command[@]}")
	[ "${result##* }" = 0 ] || die "${names[$i]} fails here: ${command[*]}"
done

say "$runs runs of each of ${#names[@]} runners, taking turns$($limits && echo ', with limits')"
for run in $(seq "$runs"); do
	for i in "${!names[@]}"; do
		read -r -a command <<<"${commands[$i]//RUN/$run}"
		build/bench/measure "${command[@]}" >>"$work/times.$i"
	done
done

# ---- the table ------------------------------------------------------

# The median and the 95th percentile of column 1 (microseconds) in
# FILE, in milliseconds; and the largest of column 2 (KiB).
stats() {
	sort -n "$1" | awk '{ t[NR] = $1; if ($2 > rss) rss = $2; if ($3 != 0) bad++ }
		END {
			m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			p = t[int(NR * 0.95 + 0.999)]
			printf "%.2f %.2f %d %d\n", m / 1000, p / 1000, rss, bad
		}'
}
crun_i=0 floor_i=0 bwrap_i=0 top_i=0
for i in "${!names[@]}"; do
	case ${names[$i]} in
	crun) crun_i=$i ;;
	"unshare (floor)") floor_i=$i ;;
	bubblewrap) bwrap_i=$i ;;
	"container.c stage 8") top_i=$i ;;
	esac
done
read -r crun_median _ <<<"$(stats "$work/times.$crun_i")"
read -r floor_median _ <<<"$(stats "$work/times.$floor_i")"
read -r bwrap_median _ <<<"$(stats "$work/times.$bwrap_i")"

printf '\n| runner | median ms | p95 ms | peak RSS KiB | / crun | / floor |\n'
printf '|---|---|---|---|---|---|\n'
for i in "${!names[@]}"; do
	read -r median p95 rss bad <<<"$(stats "$work/times.$i")"
	[ "$bad" -eq 0 ] || die "${names[$i]} failed $bad of $runs runs"
	awk -v n="${names[$i]}" -v m="$median" -v p="$p95" -v r="$rss" \
		-v c="$crun_median" -v f="$floor_median" \
		'BEGIN { printf "| %s | %.2f | %.2f | %d | %.2f | %.2f |\n", n, m, p, r, m / c, m / f }'
done

read -r top_median _ top_rss _ <<<"$(stats "$work/times.$top_i")"
echo
awk -v t="$top_median" -v c="$crun_median" -v b="$bwrap_median" -v r="$top_rss" 'BEGIN {
	printf "target: stage 8 at most half of crun'\''s median: %.2f / %.2f = %.2f: %s\n",
		t, c, t / c, (t <= c / 2) ? "met" : "MISSED"
	printf "target: stage 8 no slower than bubblewrap: %.2f / %.2f = %.2f: %s\n",
		t, b, t / b, (t <= b) ? "met" : "MISSED"
	printf "target: peak RSS under 2 MiB: %d KiB: %s\n", r,
		(r < 2048) ? "met" : "MISSED"
}'
echo "($(date -u +%F), $(uname -r), $(nproc) CPUs, $runs runs each)"
