# shellcheck shell=bash
# shellcheck disable=SC2034 # its variables are for the .bats files
# What tests/oci.bats and tests/engines.bats share: stage 10's binary,
# setup and teardown (what a test left, ended and deleted: our
# containers, podman's, containerd and its shims), podman and
# containerd with stores of the test's own, and bundles as `runc spec`
# writes them. Loaded after helpers.bash.
OCI=$BUILD/container-10
REAP=$PROJECT/tests/oci/reap.py
CONSOLE=$PROJECT/tests/oci/console.py

setup() {
	[ -x "$OCI" ] || fail "no build/container-10: make builds it"
	open_test_dirs
	snapshot_host
	cd "$BATS_TEST_TMPDIR" || exit 1
	STATE=$BATS_TEST_TMPDIR/state
}

teardown() {
	local dir
	# A test that failed half-way: end and delete what it left.
	for dir in "$BATS_TEST_TMPDIR"/state/*; do
		[ -e "$dir" ] || continue
		"$OCI" --root "$BATS_TEST_TMPDIR/state" delete --force \
			"${dir##*/}" || true
	done
	[ -z "${PODMAN:-}" ] || podman_ rm --force --all >/dev/null 2>&1 || true
	# conmon's own cgroups, in each v1 hierarchy too, are podman's.
	find /sys/fs/cgroup -depth -type d -path '*/container.c-oci-podman*' \
		-exec rmdir {} + 2>/dev/null || true
	# The containers a containerd test left, before its shims go: ours
	# only (runc's have no init file, and ours refuses them).
	if [ -n "${CONTAINERD_PID:-}" ]; then
		for dir in /run/containerd/runc/default/*; do
			[ -e "$dir/init" ] || continue
			"$OCI" --root /run/containerd/runc/default delete \
				--force "${dir##*/}" || true
		done
	fi
	stop_containerd
	[ -z "${RUN_CONTAINERD:-}" ] || rm -rf "$RUN_CONTAINERD"
	[ -z "${NETNS_PID:-}" ] || kill "$NETNS_PID" 2>/dev/null || true
	# shellcheck disable=SC2086 # one path or several, none with spaces
	for dir in ${SHARED_ROOT:-}; do
		umount -R "$dir" 2>/dev/null || true
	done
	[ -z "${TMUX_SOCKET:-}" ] ||
		tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || true
	# A rootless test's containers, as its user, then its copy.
	if [ -n "${RL:-}" ]; then
		for dir in "$RL"/state/*; do
			[ -e "$dir" ] || continue
			rootless delete --force "${dir##*/}" || true
		done
		rm -rf "$RL"
	fi
	cd /
	check_host_unchanged
}

# The runtime's command ARGS as the rootless user, from its copy in
# $RL (setup_rootless), with its state in $RL/state.
rootless() {
	setpriv --reuid "$ROOTLESS_UID" --regid "$ROOTLESS_UID" --clear-groups \
		"$RL/container" --root "$RL/state" "$@"
}

# podman with its store in the test's directory, running our runtime
# (use_podman first).
podman_() {
	timeout 60 podman "${PODMAN_ARGS[@]}" "$@"
}

# podman_'s store, made; on the hybrid, podman's default pids limit
# (2048) left out, since its cgroup v2 has no pids controller: the lab
# VM keeps it. PARENT: the cgroup parent for podman run.
use_podman() {
	PODMAN=$BATS_TEST_TMPDIR/podman
	mkdir -p "$PODMAN"
	PODMAN_ARGS=(--root "$PODMAN/storage" --runroot "$PODMAN/run"
		--tmpdir "$PODMAN/tmp" --storage-driver vfs --runtime "$OCI"
		--cgroup-manager cgroupfs --events-backend none)
	if ! pure_v2; then
		printf '[containers]\npids_limit = 0\n' >"$PODMAN/containers.conf"
		export CONTAINERS_CONF=$PODMAN/containers.conf
	fi
	PARENT=--cgroup-parent=/container.c-oci-podman
}

# A containerd of the test's own in DIR (start_containerd). It makes
# /run/containerd, whatever its config says, and its shim runs ours
# with --root /run/containerd/runc/default: what was not there goes at
# the end (teardown).
use_containerd() {
	if [ -e /run/containerd ]; then
		[ -e /run/containerd/runc ] || RUN_CONTAINERD=/run/containerd/runc
	else
		RUN_CONTAINERD=/run/containerd
	fi
	start_containerd "$1"
}

# wait_until, for what an engine does: up to 30 s.
wait_long() {
	WAIT_TRIES=300 WAIT_STEP=0.1 wait_until "$@"
}

# Our runtime, with the test's own state directory and a time bound.
oci() {
	timeout -k 5 "$RUN_TIMEOUT" "$OCI" --root "$STATE" "$@"
}

# A bundle in DIR as `runc spec` writes it, with the project's rootfs,
# no terminal, no ambient capabilities (the kernel raises none of
# runc's three, and ours warns of each), and the command ARGS; then
# the Python statements in EDIT (c is the config) change it.
make_bundle() {
	local dir=$1 edit=$2
	shift 2
	mkdir -p "$dir"
	(cd "$dir" && runc spec)
	python3 - "$dir/config.json" "$ROOTFS" "$edit" "$@" <<'EOF'
import json, sys
path, rootfs, edit, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
c = json.load(open(path))
c["root"]["path"] = rootfs
c["process"]["terminal"] = False
c["process"]["args"] = args
ambient = c["process"]["capabilities"].pop("ambient")
exec(edit)
json.dump(c, open(path, "w"), indent=1)
EOF
}

# Create, start and reap the container ID of BUNDLE as conmon does
# (tests/oci/reap.py); its stdout and stderr into ID.out and ID.err.
run_to_end() {
	local bundle=$1 id=$2
	run timeout -k 5 "$RUN_TIMEOUT" "$REAP" "$id.out" "$id.err" "$id.pid" \
		"$OCI" --root "$STATE" create --bundle "$bundle" \
		--pid-file "$id.pid" "$id" -- "$OCI" --root "$STATE" start "$id"
}

# create ARGS as `run` runs a command, its output read from a file: a
# container it made by mistake would hold create's stdout, and `run`
# reads a pipe to its end.
run_create() {
	run bash -c '"$@" >create.out 2>&1; status=$?; cat create.out
		exit $status' bash timeout -k 5 "$RUN_TIMEOUT" "$OCI" \
		--root "$STATE" create "$@"
}

# Is the status of the container ID STATUS? For wait_until, which
# runs it anew each time (an argument $(...) would be read once).
status_is() {
	[ "$(state_field "$1" status)" = "$2" ]
}

# The field NAME of the state of the container ID, as JSON says it.
state_field() {
	oci state "$1" | python3 -c 'import json, sys
print(json.load(sys.stdin).get(sys.argv[1], "(none)"))' "$2"
}

