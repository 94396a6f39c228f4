#!/usr/bin/env bash
# Run the bats suite, print "N passed, N failed, N skipped", and check
# that the whole run left the host as it found it.
#
#   tools/run-tests.sh [BATS_FILE...]     (default: every tests/*.bats)
#   tools/run-tests.sh --allowed-skips    (the reasons CI lets skip)
#
# In CI (CI=true) a skip fails the run unless its reason is one of
# SKIPS_CI_ALLOWS below, so no test can skip in CI for a reason the
# machine could have provided.
set -euo pipefail

# What CI's machine cannot provide, each with why. A skip reason must
# start with one of these to pass in CI. The two lanes cover for each
# other: what the host lane skips, the lab VM runs, and back.
if [ -f /run/container-lab-vm ]; then
	SKIPS_CI_ALLOWS=(
		# The VM has no network; the host lane runs debootstrap.
		"no network in the lab VM"
		# A VM in the VM would take the whole lane's time.
		"boots a VM: runs on the host lane only"
		# The project lives on a tmpfs in the VM; the host lane mounts
		# the disk that holds it.
		"no block device holds the rootfs"
		# The hybrid's one-line message needs a hybrid: the host's.
		"this machine has pure cgroup v2"
	)
else
	SKIPS_CI_ALLOWS=(
		# CI's kernel is built without loadable modules (rmmod:
		# ENOSYS); the VM's Debian kernel has them.
		"this kernel has no module support"
		# CI's cgroups are a v1/v2 hybrid; the lab VM's are pure v2.
		"needs pure cgroup v2"
	)
fi

if [ "${1:-}" = --allowed-skips ]; then
	printf '%s\n' "${SKIPS_CI_ALLOWS[@]}"
	exit 0
fi

cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "run-tests: the suite makes namespaces and mounts: run as root" >&2
	exit 1
fi
export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
files=("$@")
[ "${#files[@]}" -gt 0 ] || files=(tests/*.bats)

out=${RESULTS_DIR:-build}     # where the results and snapshots go
mkdir -p "$out"
tap=$out/test-results.tap
state() {
	tests/host-state.sh >"$1" ||
		{ echo "run-tests: tests/host-state.sh failed" >&2; exit 1; }
}
state "$out/host-before"
echo "run-tests: bats ${files[*]}"
status=0
# --timing: each test says how long it took (the VM lane is slow).
bats --tap --timing "${files[@]}" | tee "$tap" || status=$?
# The project's bridge stays for the next container: the suite's last
# step is the command that removes it, and the host must then be as
# it was. (Nothing else may be left for it to remove.)
if [ -x build/container ] && ip link show container0 >/dev/null 2>&1 &&
	! grep -qx 'link container0' "$out/host-before"; then
	echo "run-tests: container cleanup (the bridge stays between tests)"
	build/container cleanup
fi
# And the other way: a bridge of ours that was there before (left by
# an earlier run) and that a test removed is made again.
if [ -x build/container ] && grep -qx 'link container0' "$out/host-before" &&
	! ip link show container0 >/dev/null 2>&1; then
	echo "run-tests: the bridge was there before: making it again"
	build/container run --network bridge "${ROOTFS:-rootfs}" true
fi
state "$out/host-after"

passed=$(grep -cE '^ok [0-9]+ ' "$tap" | tr -d '\n' || true)
failed=$(grep -cE '^not ok [0-9]+ ' "$tap" | tr -d '\n' || true)
skipped=$(grep -cE '^ok [0-9]+ .*# skip' "$tap" | tr -d '\n' || true)
passed=$((passed - skipped))

if ! diff "$out/host-before" "$out/host-after" >"$out/host-diff"; then
	echo "run-tests: the suite left the host changed:"
	cat "$out/host-diff"
	status=1
else
	echo "run-tests: the host is as it was (mounts, links, netns," \
		"cgroups, processes, hostname)"
fi

if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	while IFS= read -r line; do
		reason=${line#*# skip }
		allowed=false
		for prefix in "${SKIPS_CI_ALLOWS[@]}"; do
			[[ $reason == "$prefix"* ]] && allowed=true
		done
		if ! $allowed; then
			echo "run-tests: skipped in CI for a reason this machine" \
				"can provide: $reason"
			status=1
		fi
	done < <(grep -E '^ok [0-9]+ .*# skip' "$tap")
fi

echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit "$status"
