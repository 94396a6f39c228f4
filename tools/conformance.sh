#!/usr/bin/env bash
# tools/conformance.sh: run the OCI's own conformance suite, the
# validation tests of opencontainers/runtime-tools, against stage 10,
# and against another runtime in the same run, side by side.
#
#   sudo tools/conformance.sh [--also RUNTIME] RUNTIME_TOOLS_DIR
#
# RUNTIME_TOOLS_DIR is a checkout of github.com/opencontainers/
# runtime-tools. Its tests are not ours and are not in this tree: they
# are an outside judge, fetched by whoever runs this (CI has no copy,
# and no network to fetch one, so CI does not run it). They are built
# here if they are not yet, which needs Go 1.21 or later: on Debian 12,
# golang-1.23-go from bookworm-backports (its go.mod asks for 1.21;
# Debian 12's own golang-go is 1.19).
#
# Each test program speaks TAP and runs the runtime as runc is run
# (create, start, state, kill, delete, with no --root): a program
# passes when it exits 0 and prints no "not ok" (nor, where it prints
# no test line at all, an error). The
# programs that fail for a reason of the suite's own or of this
# machine's are listed in README.md, "Conformance", with the reason.
set -euo pipefail

usage() {
	echo "usage: sudo $0 [--also RUNTIME] RUNTIME_TOOLS_DIR" >&2
	exit 2
}

also=
while [ $# -gt 0 ]; do
	case $1 in
	--also) [ $# -ge 2 ] || usage; also=$2; shift 2 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
suite=$(cd "$1" && pwd) || exit 2
project=$(cd "$(dirname "$0")/.." && pwd)
ours=$project/build/container
out=$project/build/conformance

[ "$(id -u)" = 0 ] || { echo "conformance: needs root (sudo)" >&2; exit 2; }
if [ ! -d "$suite/validation" ] || [ ! -f "$suite/rootfs-amd64.tar.gz" ]; then
	echo "conformance: $suite is no runtime-tools checkout" >&2
	exit 2
fi
[ -x "$ours" ] || { echo "conformance: no $ours: run make first" >&2; exit 2; }
if [ -n "$also" ] && ! also=$(command -v "$also"); then
	echo "conformance: --also: no such program" >&2
	exit 2
fi

# Build the tests, offline, from the checkout's own vendor directory.
build() {
	local go='' candidate
	# The newest Go there is that is 1.21 or later: Debian's packages
	# put each version in /usr/lib/go-1.N.
	for candidate in "$(command -v go || true)" /usr/lib/go-1.*/bin/go; do
		[ -x "$candidate" ] &&
			"$candidate" version | grep -Eq 'go1\.(2[1-9]|[3-9][0-9])' &&
			go=$candidate
	done
	if [ -z "$go" ]; then
		echo "conformance: the tests are not built, and there is no Go" \
			"1.21 or later to build them (Debian 12: apt-get install" \
			"-t bookworm-backports golang-1.23-go)" >&2
		exit 2
	fi
	echo "conformance: building the tests with $("$go" version)"
	PATH=$(dirname "$go"):$PATH GOFLAGS=-mod=vendor GOTOOLCHAIN=local \
		GOPROXY=off make -s -C "$suite" runtimetest \
		validation-executables -j"$(nproc)" >/dev/null
}
if ! ls "$suite"/validation/*/*.t >/dev/null 2>&1 ||
	[ ! -x "$suite/runtimetest" ]; then
	build
fi

# One test program against runtime $2, its TAP into $3; prints pass or
# fail. The suite's programs find runtimetest and the rootfs tarball
# in the directory they run in.
run_one() {
	local test=$1 runtime=$2 tap=$3 rc=0
	(cd "$suite" && RUNTIME=$runtime timeout -k 5 180 "$test") \
		>"$tap" 2>&1 || rc=$?
	# Some programs report a failure only as a YAML "error" with no
	# test line at all (hooks, prestart): "ok" lines carry errors too,
	# the ones the test expected.
	if [ "$rc" = 0 ] && ! grep -q '^not ok' "$tap" &&
		{ grep -q '^ok' "$tap" || ! grep -q '"error": "[^"]' "$tap"; }
	then
		echo pass
	else
		echo fail
	fi
}

mkdir -p "$out/ours" ${also:+"$out/also"}
# What was there before, which the end leaves alone: containers of
# ours, and the suite's kind of bundle directory, mount and cgroup.
before=$(ls /run/container.c-oci 2>/dev/null || true)
leftovers() {
	findmnt -rn -o TARGET | grep '^/tmp/ocitest' || true
	find /sys/fs/cgroup -depth -type d -path '*/testdir*' 2>/dev/null || true
	ls -d /tmp/ocitest* 2>/dev/null || true
}
left_before=$(leftovers)
passed=0 passed_also=0 total=0
printf '%-36s %-6s %s\n' test ours "${also:+$(basename "$also")}"
for test in "$suite"/validation/*/*.t; do
	name=$(basename "$test" .t)
	mine=$(run_one "$test" "$ours" "$out/ours/$name.tap")
	theirs=
	[ -z "$also" ] ||
		theirs=$(run_one "$test" "$also" "$out/also/$name.tap")
	printf '%-36s %-6s %s\n' "$name" "$mine" "$theirs"
	total=$((total + 1))
	[ "$mine" != pass ] || passed=$((passed + 1))
	[ "$theirs" != pass ] || passed_also=$((passed_also + 1))
done
summary="stage 10 passed $passed of $total programs"
[ -z "$also" ] ||
	summary="$summary; $(basename "$also") passed $passed_also"
echo "conformance: $summary; TAP in ${out#"$project"/}"

# What the programs left: one that stops at a failure of its own
# after create (delete_only_create_resources, on pure cgroup v2, which
# it cannot write as it writes v1) leaves its container. Removed, and
# said.
for dir in /run/container.c-oci/*/; do
	[ -d "$dir" ] || continue
	id=$(basename "$dir")
	! grep -qxF "$id" <<<"$before" || continue
	echo "conformance: a program left container $id: deleting it"
	"$ours" delete --force "$id" || true
done
# A runtime that sets up a root without a mount namespace (runc does,
# for linux_ns_itype) leaves its mounts in the host's, below the
# suite's bundle; the cgroup tests leave testdir/ in each hierarchy.
# Mounts first, deepest first (sort -r), then cgroups (find -depth
# listed children first), then the bundles.
leftovers | sort -r | while read -r path; do
	grep -qxF "$path" <<<"$left_before" && continue
	case $path in
	/sys/fs/cgroup/*) rmdir "$path" ;;
	*) if mountpoint -q "$path"; then umount -l "$path"; else
		rm -rf --one-file-system "$path"; fi ;;
	esac && echo "conformance: removed what the suite left: $path"
done
