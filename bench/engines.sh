#!/usr/bin/env bash
# How long the engines take to run a container through container.c,
# against crun and runc, in one run: `podman run` and `ctr run` (each
# engine with a store of its own here), the same image, made from the
# project's busybox rootfs, and the same command, /bin/true. Only the
# low-level runtime changes: podman's --runtime, ctr's --runc-binary.
# The runners take turns, so that the machine's drift hits all alike.
# Prints each row's median and p95 run-to-exit time and its ratio to
# crun's median under the same engine; then the same of the runtime's
# own share of each run: the engine calls each runtime through a
# wrapper that times every call (create, start, delete, whatever the
# engine asks), so that the engine's own time, most of a run and
# spread over hundreds of milliseconds, does not hide the runtimes'.
#
#   sudo bench/engines.sh [--runs N]
#
# crun refuses a host whose cgroups are a v1/v2 hybrid, and the cgroup2
# mount namespace that bench/runtimes.sh uses does not help here: crun
# raises RLIMIT_MEMLOCK for its device program, which a root without
# CAP_SYS_RESOURCE may not. So this runs where cgroup v2 is pure: in
# the lab VM (`make bench-engines-vm`), or on such a host. Needs
# podman, conmon, containerd, ctr, crun and runc (`make deps-bench`).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=30
# In the lab VM, fewer runs: it is emulated.
[ ! -e /run/container-lab-vm ] || runs=20
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?--runs wants a number}; shift ;;
	*) echo "bench/engines.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done

say() { echo "bench: $*" >&2; }
die() { echo "bench/engines.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a number above 0"
for tool in podman conmon containerd ctr crun runc; do
	command -v "$tool" >/dev/null ||
		die "no $tool here: make deps-bench installs it"
done
ours=$PWD/build/container
[ -x "$ours" ] || die "no build/container: run make first"
case $("$ours" --version 2>/dev/null) in
*"stage 10"*) ;;
*) die "build/container is not stage 10, the OCI runtime: run make" ;;
esac
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] ||
	die "cgroup v2 is not pure here, and crun refuses such a host: run" \
		"make bench-engines-vm (the lab VM)"
crun=$(command -v crun)
runc=$(command -v runc)
[ -f rootfs/.container-rootfs ] || die "no rootfs: run make first"

work=$(mktemp -d /tmp/bench-engines.XXXXXX)
made_run_containerd=
made_default_cgroup=
containerd_pid=
# podman with its store here; --ulimit as the tests give it: podman's
# default raises nofile past what a root without CAP_SYS_RESOURCE may.
podman_args=(--root "$work/podman/storage" --runroot "$work/podman/run"
	--tmpdir "$work/podman/tmp" --storage-driver vfs
	--cgroup-manager cgroupfs --events-backend none)
# Whatever way this ends: the engines' containers, containerd and its
# shims, conmon's cgroups and the store go. containerd's shims keep
# /run/containerd whatever its config says: it goes too, if it was
# not there before.
cleanup() {
	set +e
	podman "${podman_args[@]}" rm --force --all >/dev/null 2>&1
	if [ -n "$containerd_pid" ]; then
		kill "$containerd_pid" 2>/dev/null
		wait "$containerd_pid" 2>/dev/null
	fi
	pkill -KILL -f -- "-address $work/containerd/sock" 2>/dev/null
	find /sys/fs/cgroup -depth -type d -path '*/container.c-bench*' \
		-exec rmdir {} + 2>/dev/null
	# crun and runc under containerd put a container in the cgroup
	# /default/ID (containerd's namespace), and leave /default.
	[ -z "$made_default_cgroup" ] || rmdir "$made_default_cgroup" 2>/dev/null
	[ -z "$made_run_containerd" ] || rm -rf "$made_run_containerd"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ -e /run/containerd ] || made_run_containerd=/run/containerd
[ -e /sys/fs/cgroup/default ] || made_default_cgroup=/sys/fs/cgroup/default

run_args=(--rm --network none --cgroup-parent=/container.c-bench
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
image=localhost/container-c-bench:1

say "the image: the busybox rootfs imported into podman, saved, and" \
	"imported into containerd"
tar -C rootfs -c . | podman "${podman_args[@]}" import -q - "$image" >/dev/null
podman "${podman_args[@]}" save -q -o "$work/image.tar" "$image"

tools/containerd-config.sh "$work/containerd"
containerd --config "$work/containerd/config.toml" \
	>"$work/containerd/log" 2>&1 &
containerd_pid=$!
for _ in $(seq 300); do
	[ -S "$work/containerd/sock" ] && break
	sleep 0.1
done
[ -S "$work/containerd/sock" ] ||
	die "containerd did not start: $(tail -n 3 "$work/containerd/log")"
ctr=(ctr --address "$work/containerd/sock")
# The native snapshotter copies: no overlay mount to outlive a run.
"${ctr[@]}" images import --snapshotter native "$work/image.tar" >/dev/null

# One run of the engine ENGINE with the runtime BINARY; its status.
# ctr needs a container ID of its own for each.
n=0
one_run() {
	local engine=$1 binary=$2
	n=$((n + 1))
	case $engine in
	podman)
		podman "${podman_args[@]}" run "${run_args[@]}" \
			--runtime "$binary" "$image" /bin/true ;;
	ctr)
		"${ctr[@]}" run --rm --snapshotter native \
			--runc-binary "$binary" "$image" "bench-$n" /bin/true ;;
	esac
}

# wrap NAME BINARY: a wrapper of BINARY's name (podman treats crun and
# runc by their names) that runs BINARY and notes each call's NAME,
# start and end, in microseconds ($EPOCHREALTIME, its digits alone:
# no process to read a clock, whatever the locale's decimal point), in
# $work/own.us. It runs the runtime as a child and waits for it alone,
# not for the container's init, which the runtime leaves to the
# engine's subreaper as it would without the wrapper. Its own start,
# a bash's, is in the first table's times, alike for every runtime.
mkdir -p "$work/wrap"
# shellcheck disable=SC2016 # the $ are the wrapper's, expanded there
wrap() {
	local to=$work/wrap/${2##*/}
	{
		echo '#!/bin/bash'
		echo 'begin=${EPOCHREALTIME//[!0-9]/}'
		printf '%q "$@"\n' "$2"
		echo 'status=$?'
		printf 'echo "%s $begin ${EPOCHREALTIME//[!0-9]/}" >>%q\n' \
			"$1" "$work/own.us"
		echo 'exit $status'
	} >"$to"
	chmod +x "$to"
	echo "$to"
}

# The microseconds of NAME's calls since the last look; the log starts
# anew (a late call of another runtime's is not counted as this one's).
own_time() {
	awk -v name="$1" '$1 == name { s += $3 - $2 } END { print s + 0 }' \
		"$work/own.us" 2>/dev/null || echo 0
	: >"$work/own.us"
}

engines=(podman ctr)
names=(crun runc ours)
binaries=("$(wrap crun "$crun")" "$(wrap runc "$runc")" "$(wrap ours "$ours")")
declare -A times owns

say "one run of each first, not counted (caches, the engines' first" \
	"start), then $runs each, in turns"
for engine in "${engines[@]}"; do
	for i in "${!names[@]}"; do
		one_run "$engine" "${binaries[$i]}" >/dev/null ||
			die "$engine with ${names[$i]} failed: run it by hand to see why"
	done
done
own_time - >/dev/null         # the first runs' calls do not count
for round in $(seq "$runs"); do
	for engine in "${engines[@]}"; do
		# Each round starts with another runtime.
		for k in "${!names[@]}"; do
			i=$(((k + round) % ${#names[@]}))
			start=$(date +%s%N)
			one_run "$engine" "${binaries[$i]}" >/dev/null ||
				die "$engine with ${names[$i]} failed in round $round"
			end=$(date +%s%N)
			times[$engine.$i]+="$(((end - start) / 1000)) "
			owns[$engine.$i]+="$(own_time "${names[$i]}") "
		done
	done
done

# The median and p95 of the microsecond times in $1, in ms.
stats() {
	tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '
		{ t[NR] = $1 }
		END {
			m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			p = t[int(NR * 0.95 + 0.999)]
			printf "%.1f %.1f\n", m / 1000, p / 1000
		}'
}

# table ARRAY TITLE...: each engine and runtime's median and p95 from the
# array named ARRAY, and the median's ratio to crun's.
table() {
	local -n of=$1
	local crun_median median p95
	echo
	echo "${*:2}"
	printf '%-8s %-6s %12s %10s %10s\n' engine runtime "median ms" \
		"p95 ms" "vs crun"
	for engine in "${engines[@]}"; do
		read -r crun_median _ < <(stats "${of[$engine.0]}")
		for i in "${!names[@]}"; do
			read -r median p95 < <(stats "${of[$engine.$i]}")
			printf '%-8s %-6s %12s %10s %9.2fx\n' "$engine" \
				"${names[$i]}" "$median" "$p95" "$(awk -v a="$median" \
				-v b="$crun_median" 'BEGIN { print a / b }')"
		done
	done
}

table times "$runs runs each of run-to-exit, /bin/true in the busybox image" \
	"(each runtime called through its timing wrapper):"
table owns "The runtime's own share of each run: its calls' time, summed:"
