# Shared by every lab's `check`: which binary to test and how to run
# it; the reporting comes from report-lib.sh. A check sources this
# file, sets STAGE first, declares its properties with `property`, and
# ends with `finish`:
#
#   labs/NN-name/check [BINARY]
#
# BINARY is the program to grade: yours (built from an exercise copy)
# or the reference, build/container-N by default. ROOTFS in the
# environment names the root filesystem (default: rootfs/). Each
# property prints PASS, or FAIL with a hint; the check exits 1 if any
# failed. Needs root, as the stages do.
# shellcheck shell=bash

set -euo pipefail

lab_project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=${1:-$lab_project/build/container-$STAGE}
rootfs=${ROOTFS:-$lab_project/rootfs}

# shellcheck source=labs/report-lib.sh
. "$lab_project/labs/report-lib.sh"
if [ ! -x "$binary" ]; then
	if [ "$#" -eq 0 ]; then
		echo "check: no program at $binary: run make (in $lab_project)" >&2
	else
		echo "check: no program at $binary: build it, such as" \
			"cc -Wall -Wextra -o $binary $binary.c" >&2
	fi
	exit 2
fi
[ -d "$rootfs" ] || { echo "check: no rootfs at $rootfs: run make (in" \
	"$lab_project), or ./rootfs-builder.sh $rootfs" >&2; exit 2; }
binary=$(realpath "$binary")
rootfs=$(realpath "$rootfs")
# The stage the binary says it is: options of later stages are left
# out for earlier ones (--network, for one, is stage 7's).
binary_stage=$("$binary" --version 2>/dev/null | awk '{ print $NF }')
binary_stage=${binary_stage:-0}
case $binary_stage in *[!0-9]*) binary_stage=0 ;; esac
echo "check: stage $STAGE's properties, against $binary (stage $binary_stage)"

# Run the binary under test: `ctr ARG...` is `BINARY run ARG...`, with a
# time bound, so that a check never hangs.
ctr() {
	timeout -k 5 30 "$binary" run "$@"
}

# --network none from stage 7 on: a check is about one property, and
# the bridge would only slow it down.
quiet_net() {
	[ "$binary_stage" -lt 7 ] || echo --network none
}
