# Shared by every instructor demo, labs/NN-name/demo:
#
#   sudo labs/NN-name/demo [--auto]
#
# A demo is a list of steps. Each step says in one line what the room
# should look at, shows the command, waits for a key (not with --auto,
# for rehearsal), and runs it with a time bound, so that a demo never
# hangs. Whatever a demo starts in the background is ended on exit,
# also on Ctrl-C, and `container cleanup` runs if the demo left the
# project's bridge where there was none: the machine is left as found.
# shellcheck shell=bash

set -euo pipefail

demo_project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$demo_project"
auto=false
[ "${1:-}" != --auto ] || auto=true
step_timeout=${STEP_TIMEOUT:-20}
demo_jobs=()

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root: sudo $0${*:+ $*}" >&2; exit 2; }
if [ ! -x build/container ] || [ ! -d rootfs ]; then
	echo "demo: build first: make, and make rootfs/.container-rootfs" >&2
	exit 2
fi

had_bridge=false
! ip link show container0 >/dev/null 2>&1 || had_bridge=true

# A runtime asked twice to stop ends its container with SIGKILL and
# cleans up after it as usual.
demo_cleanup() {
	local job
	for job in "${demo_jobs[@]}"; do
		kill -TERM "$job" 2>/dev/null || continue
		sleep 0.3
		kill -TERM "$job" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if ! $had_bridge; then
		build/container cleanup >/dev/null 2>&1 || true
	fi
}
trap demo_cleanup EXIT
trap 'echo; echo "demo: interrupted; cleaning up"; exit 130' INT
trap 'echo; echo "demo: stopped; cleaning up"; exit 143' TERM

if [ -t 1 ]; then
	bold=$'\e[1m' plain=$'\e[0m'
else
	bold="" plain=""
fi

# The title of the demo.
title() {
	printf '%s== %s ==%s\n' "$bold" "$*" "$plain"
}

# Wait for a key, unless --auto or no terminal to read one from.
pause() {
	$auto && return 0
	[ -r /dev/tty ] || return 0
	read -r -s -n 1 -p "  (any key)" </dev/tty 2>/dev/null || true
	echo
}

# step WHAT COMMAND: say what to look at, show COMMAND, run it.
step() {
	local what=$1 command=$2 status=0
	printf '\n%s# %s%s\n$ %s\n' "$bold" "$what" "$plain" "$command"
	pause
	timeout -k 2 "$step_timeout" bash -c "$command" || status=$?
	[ "$status" -eq 0 ] || echo "(exit status $status)"
}

# background COMMAND [SECONDS]: start a runtime in the background, keep
# it for the cleanup, give it SECONDS (0.5) to start.
background() {
	printf '$ %s &\n' "$1"
	bash -c "exec $1" >/dev/null 2>&1 &
	demo_jobs+=("$!")
	sleep "${2:-0.5}"
}

# Needs pure cgroup v2: say so and end the demo (exit 0).
needs_cgroup_v2() {
	if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		echo "demo: this one needs pure cgroup v2: run it in the lab VM" \
			"(sudo make vm)"
		exit 0
	fi
}

done_demo() {
	printf '\n%s# done%s\n' "$bold" "$plain"
}
