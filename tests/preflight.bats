#!/usr/bin/env bats
# The preflight check, labs/preflight/check: it checks the machine, not
# a binary. It must pass here, fail with a hint when a tool, the build
# or the rootfs is missing, and refuse a user who is not root.

load helpers

CHECK=$PROJECT/labs/preflight/check

# Run the check against this project's build and rootfs (helpers.bash's
# BUILD and ROOTFS), with the environment given as VAR=VALUE first.
preflight() {
	run env CONTAINER_BUILD="$BUILD" ROOTFS="$ROOTFS" "$@" \
		timeout -k 5 60 "$CHECK"
}

# A directory of links to every command on PATH but those named: a
# PATH without them.
path_without() {
	local dir bin=$BATS_TEST_TMPDIR/bin name
	mkdir -p "$bin"
	IFS=: read -ra dirs <<<"$PATH"
	for dir in "${dirs[@]}"; do
		[ -d "$dir" ] || continue
		# The first directory on PATH wins, as for the shell.
		ln -s "$dir"/* "$bin"/ 2>/dev/null || true
	done
	for name in "$@"; do
		rm -f "$bin/$name"
	done
	echo "$bin"
}

@test "preflight: the check passes on this machine, as root" {
	preflight
	echo "$output"
	assert_success
	refute_line --regexp '^FAIL'
	refute_line --regexp '^SKIP'
	assert_line --regexp '^check: [1-9][0-9]* passed, 0 failed$'
	assert_line --regexp '^PASS  make has built every stage: .*container-0 to -10, container$'
	assert_line --regexp '^PASS  a container starts: .*container run --network none .* true$'
	if pure_v2; then
		assert_line "PASS  cgroup v2 alone (pure): stage 6's limits work here"
	else
		assert_line "PASS  cgroup v2 beside v1 (hybrid): stage 6's limits need the lab VM (sudo make vm)"
	fi
}

@test "preflight: without cc on PATH, the check fails and says what installs it" {
	local bin
	bin=$(path_without cc)
	[ ! -e "$bin/cc" ] && [ -e "$bin/bash" ] && [ -e "$bin/make" ]
	preflight PATH="$bin"
	echo "$output"
	assert_equal "$status" 1
	assert_line "FAIL  cc links a static program (gcc, libc6-dev)"
	assert_line "      hint: sudo make deps-run installs gcc and libc6-dev"
	assert_line "PASS  make, to build the stages"
	assert_line --regexp '^check: [1-9][0-9]* passed, 1 failed$'
}

@test "preflight: a busybox that is not static fails, with the package to install" {
	preflight ROOTFS_BUSYBOX="$(command -v bash)"
	assert_equal "$status" 1
	assert_line --regexp '^FAIL  a static busybox at .*/bash, for rootfs-builder.sh$'
	assert_line "      hint: sudo make deps-run installs busybox-static (the package busybox is not static)"
}

@test "preflight: without a build or a rootfs, the check fails with the hint to run make" {
	mkdir "$BATS_TEST_TMPDIR/build"
	preflight CONTAINER_BUILD="$BATS_TEST_TMPDIR/build" \
		ROOTFS="$BATS_TEST_TMPDIR/rootfs"
	echo "$output"
	assert_equal "$status" 1
	assert_line --regexp '^FAIL  make has built every stage: .*/build/container-0 to -10, container$'
	assert_line "      hint: run make (missing here: container-0 container-1 container-2 container-3 container-4 container-5 container-6 container-7 container-8 container-9 container-10 container)"
	assert_line --regexp '^FAIL  a rootfs in .*/rootfs/, with sh'
	assert_line "      hint: run make rootfs/.container-rootfs (it runs ./rootfs-builder.sh)"
	assert_line --regexp '^SKIP  .*/build/container check \(nothing built yet\)$'
	assert_line "SKIP  a container starts (needs the build and the rootfs)"
	assert_line --regexp '^check: [1-9][0-9]* passed, 2 failed$'
}

@test "preflight: a rootfs without the labs' helpers fails" {
	local copy
	copy=$(fresh_rootfs)
	rm "$copy/usr/local/bin/memory-hog"
	preflight ROOTFS="$copy"
	assert_equal "$status" 1
	assert_line --regexp "^FAIL  a rootfs in .*/rootfs/, with sh and the labs' helpers"
	assert_line "      hint: a part is missing: ./rootfs-builder.sh --helpers build/helpers $copy puts it back"
	assert_line --regexp '^check: [1-9][0-9]* passed, 1 failed$'
}

@test "preflight: a FAIL of container check fails the check, its reason as the hint" {
	local fake=$BATS_TEST_TMPDIR/build n
	mkdir "$fake"
	for n in "${ALL_STAGES[@]}"; do
		ln -s "$BUILD/container-$n" "$fake/container-$n"
	done
	# A runtime whose check finds no user namespaces; it runs as ever.
	cat >"$fake/container" <<-EOF
		#!/bin/sh
		if [ "\$1" = check ]; then
		    echo 'stage 0  a process        ok    clone(2), waitpid(2)'
		    echo 'stage 5  user namespace   FAIL  unprivileged users may make user namespaces (rootless): No space left on device: user.max_user_namespaces is 0'
		    exit 1
		fi
		exec "$BUILD/container" "\$@"
	EOF
	chmod +x "$fake/container"
	preflight CONTAINER_BUILD="$fake"
	echo "$output"
	assert_equal "$status" 1
	assert_line --regexp '^FAIL  .*/build/container check: the kernel offers what each stage needs$'
	assert_line "      hint: it says: stage 5 user namespace FAIL unprivileged users may make user namespaces (rootless): No space left on device: user.max_user_namespaces is 0"
	assert_line --regexp '^PASS  a container starts: '
	assert_line --regexp '^check: [1-9][0-9]* passed, 1 failed$'
}

@test "preflight: a user who is not root is told to use sudo, in one line, exit 2" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$CHECK"
	assert_equal "$status" 2
	assert_output "check: needs root: sudo $CHECK"
}
