#!/usr/bin/env bash
# Run the bats suite, print "N passed, N failed, N skipped", and check
# that the whole run left the host as it found it.
#
#   tools/run-tests.sh [BATS_FILE...]     (default: every tests/*.bats)
#
# In CI (CI=true) a skip fails the run unless its reason matches
# ALLOWED_SKIPS (an extended regex; empty: no skip is allowed), so no
# test can skip for a reason the machine could have provided.
set -euo pipefail

cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "run-tests: the suite makes namespaces and mounts: run as root" >&2
	exit 1
fi
export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
files=("$@")
[ "${#files[@]}" -gt 0 ] || files=(tests/*.bats)

mkdir -p build
tap=build/test-results.tap
tests/host-state.sh >build/host-before
echo "run-tests: bats ${files[*]}"
status=0
bats --tap "${files[@]}" | tee "$tap" || status=$?
tests/host-state.sh >build/host-after

passed=$(grep -cE '^ok [0-9]+ ' "$tap" | tr -d '\n' || true)
failed=$(grep -cE '^not ok [0-9]+ ' "$tap" | tr -d '\n' || true)
skipped=$(grep -cE '^ok [0-9]+ .*# skip' "$tap" | tr -d '\n' || true)
passed=$((passed - skipped))

if ! diff build/host-before build/host-after >build/host-diff; then
	echo "run-tests: the suite left the host changed:"
	cat build/host-diff
	status=1
else
	echo "run-tests: the host is as it was (mounts, links, netns," \
		"cgroups, processes, hostname)"
fi

if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	while IFS= read -r line; do
		reason=${line#*# skip}
		if [ -z "${ALLOWED_SKIPS:-}" ] ||
			! [[ $reason =~ $ALLOWED_SKIPS ]]; then
			echo "run-tests: skipped in CI for a reason this machine" \
				"can provide:$reason"
			status=1
		fi
	done < <(grep -E '^ok [0-9]+ .*# skip' "$tap")
fi

echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit "$status"
