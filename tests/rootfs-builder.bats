#!/usr/bin/env bats
# Tests of rootfs-builder.sh and of the chroot-escape helper. Run as
# root. Every rootfs is built under bats' temporary directories, never
# in the checkout's rootfs/. In the lab VM, which has no network, the
# one test that downloads Debian (about 25 s here) skips; the host lane
# runs it.

# Whole file: bats' run sets stderr and stderr_lines; the single-quoted
# scripts given to sh -c expand their "$1" themselves.
# shellcheck disable=SC2154,SC2016
bats_load_library bats-support
bats_load_library bats-assert
bats_require_minimum_version 1.5.0

setup_file() {
	PROJECT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export PROJECT
	export BUILDER=$PROJECT/rootfs-builder.sh
	# The helper is built with exactly the Makefile's command, into a
	# directory of our own.
	export HELPERS_DIR=$BATS_FILE_TMPDIR/helpers
	mkdir -p "$HELPERS_DIR"
	cc -static -O2 -Wall -Wextra -Werror \
		-o "$HELPERS_DIR/chroot-escape" "$PROJECT/helpers/chroot-escape.c"
	# One busybox rootfs shared by the tests that only read it.
	export SHARED=$BATS_FILE_TMPDIR/busybox
	"$BUILDER" --helpers "$HELPERS_DIR" "$SHARED" >/dev/null
}

setup() {
	NEW=$BATS_TEST_TMPDIR/rootfs
}

# Nothing a test does may stay mounted.
teardown() {
	local mounts
	mounts=$(awk -v tmp="$BATS_RUN_TMPDIR" \
		'index($5, tmp) == 1 { print $5 }' /proc/self/mountinfo)
	if [ -n "$mounts" ]; then
		echo "$mounts" | sort -r | xargs -r -n 1 umount -l
		fail "left mounted: $mounts"
	fi
}

# A listing of a tree that changes when any name, type, mode, owner,
# size, time or link target in it changes.
snapshot() {
	find "$1" -printf '%P %y %m %U:%G %s %T@ %l\n' | sort
}

# The single line a refusal prints on stderr, as the script spells it.
foreign_dir_error() {
	echo "rootfs-builder: $1 exists and is not a rootfs made by this" \
		"script; choose another directory"
}

# ---------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------

@test "rootfs-builder: passes shellcheck with no warnings" {
	run shellcheck "$BUILDER"
	assert_success
	assert_output ""
}

@test "rootfs-builder: --help prints the usage on stdout and exits 0" {
	run --separate-stderr "$BUILDER" --help
	assert_success
	assert_line --index 0 --partial "Usage: rootfs-builder.sh"
	assert_output --partial "--tar FILE"
	[ -z "$stderr" ]
}

@test "rootfs-builder: bad arguments exit 2 with one line on stderr" {
	local args
	local -a cases=(
		"--bogus $NEW"
		"--tar"
		"--suite"
		"--helpers"
		"--tar= $NEW"
		"$NEW $NEW.second"
		"--busybox --host $NEW"
		"--suite bookworm $NEW"
		"-- $NEW $NEW.second"
	)
	for args in "${cases[@]}"; do
		# shellcheck disable=SC2086 # split on purpose
		run --separate-stderr "$BUILDER" $args
		assert_equal "$args: $status" "$args: 2"
		assert_equal "$args: ${#stderr_lines[@]}" "$args: 1"
		assert_equal "$args: ${stderr_lines[0]%% *}" \
			"$args: rootfs-builder:"
		assert_equal "$args: $output" "$args: "
		[ ! -e "$NEW" ]
	done
}

# ---------------------------------------------------------------------
# The busybox rootfs
# ---------------------------------------------------------------------

@test "rootfs-builder: the default build is a busybox rootfs with sh, ls, ps and hostname" {
	run "$BUILDER" --helpers "$HELPERS_DIR" "$NEW"
	assert_success
	assert_line --partial "busybox applets into bin, sbin, usr/bin"
	run cat "$NEW/.container-rootfs"
	assert_line --index 0 busybox
	run chroot "$NEW" /bin/sh -c 'echo sh-works'
	assert_output sh-works
	run chroot "$NEW" /bin/ls /
	assert_line proc
	assert_line etc
	run chroot "$NEW" /bin/hostname
	assert_output "$(hostname)"
	run chroot "$NEW" /bin/ps
	assert_success
	assert_line --index 0 --regexp '^ *PID +USER'
}

@test "rootfs-builder: every busybox applet link resolves to bin/busybox inside the rootfs" {
	local applet target busybox count=0
	busybox=$(realpath "$SHARED/bin/busybox")
	while read -r applet; do
		[ "$applet" != bin/busybox ] || continue
		target=$(readlink -f "$SHARED/$applet")
		assert_equal "$applet -> $target" "$applet -> $busybox"
		count=$((count + 1))
	done < <(/bin/busybox --list-full)
	[ "$count" -gt 100 ]
	[ ! -L "$SHARED/bin/busybox" ]
}

@test "rootfs-builder: DIR defaults to rootfs/ beside the script" {
	local checkout=$BATS_TEST_TMPDIR/checkout
	mkdir "$checkout"
	cp "$BUILDER" "$checkout/"
	cd "$BATS_TEST_TMPDIR"
	run "$checkout/rootfs-builder.sh" --helpers "$HELPERS_DIR"
	assert_success
	run cat "$checkout/rootfs/.container-rootfs"
	assert_line --index 0 busybox
	[ -x "$checkout/rootfs/bin/busybox" ]
}

@test "rootfs-builder: the busybox rootfs has the base directories with their modes" {
	local dir
	for dir in proc sys dev etc home run var/tmp usr/local/bin; do
		[ -d "$SHARED/$dir" ] || fail "missing $dir"
	done
	run stat -c '%a %n' "$SHARED/tmp" "$SHARED/root"
	assert_line --index 0 "1777 $SHARED/tmp"
	assert_line --index 1 "700 $SHARED/root"
}

@test "rootfs-builder: the busybox rootfs has etc/passwd, etc/group and etc/os-release" {
	run cat "$SHARED/etc/passwd"
	assert_line "root:x:0:0:root:/root:/bin/sh"
	assert_line --regexp '^nobody:x:65534:65534:'
	run cat "$SHARED/etc/group"
	assert_line "root:x:0:"
	assert_line "tty:x:5:"
	assert_line "nogroup:x:65534:"
	run grep '^NAME=' "$SHARED/etc/os-release"
	assert_output 'NAME="container.c busybox rootfs"'
	# The files are read inside: id turns numbers into names.
	run chroot "$SHARED" id
	assert_output --partial "uid=0(root) gid=0(root)"
}

@test "rootfs-builder: a second run refreshes its own rootfs in place and keeps local changes" {
	"$BUILDER" "$NEW" >/dev/null
	echo "lab:x:1000:1000::/home/lab:/bin/sh" >>"$NEW/etc/passwd"
	echo notes >"$NEW/root/notes"
	rm "$NEW/bin/ls" "$NEW/etc/group"
	run "$BUILDER" "$NEW"
	assert_success
	assert_line --partial "refreshing the busybox rootfs"
	# Lost pieces come back; what a lab added stays.
	[ -L "$NEW/bin/ls" ]
	run cat "$NEW/etc/group"
	assert_line "tty:x:5:"
	run cat "$NEW/etc/passwd" "$NEW/root/notes"
	assert_line --partial "lab:x:1000"
	assert_line notes
}

@test "rootfs-builder: names the package when busybox is missing and it cannot install it" {
	# Hide /bin/busybox in a private mount namespace and run as nobody,
	# who may not apt-get install. The namespace ends with the command.
	mkdir -m 0777 "$BATS_TEST_TMPDIR/nobody"
	run --separate-stderr unshare --mount --propagation private \
		sh -c 'mount --bind /dev/null "$(realpath /bin/busybox)" &&
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' \
		sh "$BUILDER" "$BATS_TEST_TMPDIR/nobody/rootfs"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$stderr" "rootfs-builder: a static /bin/busybox is\
 missing; install the Debian package busybox-static (as root: apt-get\
 install busybox-static)"
}

# ---------------------------------------------------------------------
# What the script refuses to touch
# ---------------------------------------------------------------------

@test "rootfs-builder: refuses to overwrite a directory it did not make" {
	local before
	mkdir -p "$NEW/etc/sub"
	echo precious >"$NEW/etc/passwd"
	echo hidden >"$NEW/.hidden"
	chmod 0640 "$NEW/etc/passwd"
	before=$(snapshot "$NEW")
	run --separate-stderr "$BUILDER" "$NEW"
	assert_failure 2
	assert_equal "$stderr" "$(foreign_dir_error "$NEW")"
	# --force does not change that.
	run --separate-stderr "$BUILDER" --force --host "$NEW"
	assert_failure 2
	assert_equal "$stderr" "$(foreign_dir_error "$NEW")"
	assert_equal "$(snapshot "$NEW")" "$before"
}

@test "rootfs-builder: refuses a DIR that is a regular file" {
	echo content >"$NEW"
	run --separate-stderr "$BUILDER" "$NEW"
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$stderr" "rootfs-builder: $NEW exists and is not a\
 directory; choose another directory"
	run cat "$NEW"
	assert_output content
}

@test "rootfs-builder: refuses to switch method without --force, and --force rebuilds" {
	"$BUILDER" "$NEW" >/dev/null
	echo stale >"$NEW/root/stale"
	run --separate-stderr "$BUILDER" --host "$NEW"
	assert_failure 2
	assert_equal "$stderr" "rootfs-builder: $NEW holds a busybox rootfs;\
 add --force to replace it with a host one"
	[ -f "$NEW/root/stale" ]
	run "$BUILDER" --host --force "$NEW"
	assert_success
	run cat "$NEW/.container-rootfs"
	assert_line --index 0 host
	[ ! -e "$NEW/root/stale" ]
	[ ! -e "$NEW/bin/busybox" ]
}

@test "rootfs-builder: refuses to wipe a rootfs with something mounted inside" {
	"$BUILDER" "$NEW" >/dev/null
	# The mount lives in a private namespace that ends with the command.
	run --separate-stderr unshare --mount --propagation private \
		sh -c 'mount -t tmpfs none "$1/proc" && touch "$1/proc/x" &&
		exec "$2" --force "$1"' sh "$NEW" "$BUILDER"
	assert_failure 1
	assert_equal "$stderr" "rootfs-builder: $NEW/proc is mounted inside\
 $NEW; unmount it first"
	[ -x "$NEW/bin/busybox" ]
}

@test "rootfs-builder: never writes through a symlink that leads out of the rootfs" {
	local outside=$BATS_TEST_TMPDIR/host-etc before
	"$BUILDER" "$NEW" >/dev/null
	mkdir "$outside"
	echo host-file >"$outside/keep"
	rm -r "${NEW:?}/etc"
	ln -s "$outside" "$NEW/etc"
	before=$(snapshot "$outside")
	run --separate-stderr "$BUILDER" "$NEW"
	assert_failure 1
	assert_equal "$stderr" "rootfs-builder: $NEW/etc/passwd leads outside\
 the rootfs through a symlink; refusing to write there"
	assert_equal "$(snapshot "$outside")" "$before"
}

# ---------------------------------------------------------------------
# --tar
# ---------------------------------------------------------------------

# make_image TARBALL [TAR OPTION...]: pack a busybox rootfs with one
# directory owned by 1234:5678 and mode 0751.
make_image() {
	local tarball=$1 source=$BATS_TEST_TMPDIR/source
	shift
	"$BUILDER" "$source" >/dev/null
	mkdir "$source/srv"
	chown 1234:5678 "$source/srv"
	chmod 0751 "$source/srv"
	tar -C "$source" "$@" -cf "$tarball" .
}

@test "rootfs-builder: --tar imports a tarball with numeric owners and modes kept" {
	make_image "$BATS_TEST_TMPDIR/image.tar"
	run "$BUILDER" --tar "$BATS_TEST_TMPDIR/image.tar" \
		--helpers "$HELPERS_DIR" "$NEW"
	assert_success
	run cat "$NEW/.container-rootfs"
	assert_line --index 0 tar
	run stat -c '%u:%g %a' "$NEW/srv" "$NEW/tmp"
	assert_line --index 0 "1234:5678 751"
	assert_line --index 1 "0:0 1777"
	run chroot "$NEW" /bin/sh -c 'echo from-the-image'
	assert_output from-the-image
	[ -x "$NEW/usr/local/bin/chroot-escape" ]
}

@test "rootfs-builder: --tar imports a gzip-compressed tarball" {
	make_image "$BATS_TEST_TMPDIR/image.tar.gz" --gzip
	run od -An -tx1 -N2 "$BATS_TEST_TMPDIR/image.tar.gz"
	assert_output " 1f 8b"
	run "$BUILDER" --tar "$BATS_TEST_TMPDIR/image.tar.gz" "$NEW"
	assert_success
	run stat -c '%u:%g %a' "$NEW/srv"
	assert_output "1234:5678 751"
	run chroot "$NEW" /bin/ls /srv
	assert_success
}

@test "rootfs-builder: --tar refuses a missing file with exit 2" {
	run --separate-stderr "$BUILDER" --tar "$BATS_TEST_TMPDIR/none.tar" \
		"$NEW"
	assert_failure 2
	assert_equal "$stderr" \
		"rootfs-builder: $BATS_TEST_TMPDIR/none.tar: no such file"
	[ ! -e "$NEW" ]
}

@test "rootfs-builder: --tar refuses members with absolute paths or '..'" {
	local work=$BATS_TEST_TMPDIR/work
	mkdir -p "$work/inner"
	echo evil >"$work/evil"
	# -P stores the names as given: one with "..", one absolute.
	(cd "$work/inner" && tar -P -cf ../dotdot.tar ../evil)
	tar -P -cf "$work/absolute.tar" "$work/evil"
	run --separate-stderr "$BUILDER" --tar "$work/dotdot.tar" "$NEW"
	assert_failure 2
	assert_equal "$stderr" "rootfs-builder: $work/dotdot.tar: member\
 '../evil' has an absolute path or '..'; refusing to unpack it"
	run --separate-stderr "$BUILDER" --tar "$work/absolute.tar" "$NEW"
	assert_failure 2
	assert_equal "$stderr" "rootfs-builder: $work/absolute.tar: member\
 '$work/evil' has an absolute path or '..'; refusing to unpack it"
	[ ! -e "$NEW" ]
}

# ---------------------------------------------------------------------
# --host
# ---------------------------------------------------------------------

@test "rootfs-builder: --host makes a rootfs where sh and ls run under chroot" {
	run "$BUILDER" --host --helpers "$HELPERS_DIR" "$NEW"
	assert_success
	run cat "$NEW/.container-rootfs"
	assert_line --index 0 host
	[ ! -e "$NEW/bin/busybox" ]
	run chroot "$NEW" /bin/sh -c 'echo ok'
	assert_success
	assert_output ok
	run chroot "$NEW" ls /
	assert_success
	assert_line proc
	assert_line usr
	run chroot "$NEW" id -un
	assert_output root
}

# ---------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------

@test "rootfs-builder: copies every executable helper into usr/local/bin" {
	local helpers=$BATS_TEST_TMPDIR/helpers
	mkdir "$helpers"
	cp "$HELPERS_DIR/chroot-escape" "$helpers/"
	printf '#!/bin/sh\necho hi\n' >"$helpers/say-hi"
	chmod 0755 "$helpers/say-hi"
	echo "not a program" >"$helpers/README"
	run "$BUILDER" --helpers "$helpers" "$NEW"
	assert_success
	assert_line --partial "copying helpers into"
	cmp "$helpers/chroot-escape" "$NEW/usr/local/bin/chroot-escape"
	run chroot "$NEW" /usr/local/bin/say-hi
	assert_output hi
	[ ! -e "$NEW/usr/local/bin/README" ]
}

@test "rootfs-builder: a missing helpers directory is skipped with a note" {
	run "$BUILDER" --helpers "$BATS_TEST_TMPDIR/no-helpers" "$NEW"
	assert_success
	assert_line "rootfs-builder: no helpers in $BATS_TEST_TMPDIR/no-helpers;\
 skipped them (build them with: make helpers)"
	run ls -A "$NEW/usr/local/bin"
	assert_output ""
}

# ---------------------------------------------------------------------
# --debian
# ---------------------------------------------------------------------

@test "rootfs-builder: finds the Debian mirror in one-line and deb822 apt sources" {
	local apt=$BATS_TEST_TMPDIR/apt
	mkdir -p "$apt/sources.list.d"
	cat >"$apt/sources.list" <<-'EOF'
		# deb http://commented.example/debian bookworm main
		deb [arch=amd64] http://security.example/debian-security bookworm-security main
	EOF
	cat >"$apt/sources.list.d/a.sources" <<-'EOF'
		Types: deb
		URIs: https://other.example/repo
		Suites: nodistro
		Components: main

		Types: deb-src
		URIs: http://source.example/debian
		Suites: bookworm

		Types: deb
		URIs: http://mirror.example/debian/
		Suites: bookworm bookworm-updates
	EOF
	run bash -c 'source "$1" && apt_mirror "$2" bookworm' sh \
		"$BUILDER" "$apt"
	assert_success
	assert_output http://mirror.example/debian/
	# With no ".../debian" archive, a source of the host's suite wins.
	rm "$apt/sources.list.d/a.sources"
	echo "deb [ signed-by=/k.gpg ] http://snap.example/archive/x/2025" \
		"bookworm main" >"$apt/sources.list.d/b.list"
	run bash -c 'source "$1" && apt_mirror "$2" bookworm' sh \
		"$BUILDER" "$apt"
	assert_success
	assert_output http://snap.example/archive/x/2025
}

@test "rootfs-builder: --debian bootstraps a minbase Debian of the host's suite" {
	if [ -f /run/container-lab-vm ]; then
		skip "no network in the lab VM: the host lane builds Debian"
	fi
	local suite
	suite=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
	run "$BUILDER" --debian --helpers "$HELPERS_DIR" "$NEW"
	assert_success
	assert_line --partial "running debootstrap --variant=minbase $suite"
	run cat "$NEW/.container-rootfs"
	assert_output "debian
suite=$suite"
	run chroot "$NEW" /bin/sh -c '. /etc/os-release && echo $VERSION_CODENAME'
	assert_output "$suite"
	run chroot "$NEW" apt-get --version
	assert_success
	[ -x "$NEW/usr/local/bin/chroot-escape" ]
	run find "$NEW/var/cache/apt/archives" -name '*.deb'
	assert_output ""
	# A second run does not download it all again.
	run "$BUILDER" --debian "$NEW"
	assert_success
	assert_line --partial "skipping debootstrap"
}

# ---------------------------------------------------------------------
# chroot-escape
# ---------------------------------------------------------------------

@test "chroot-escape: is a static program, so it runs in any rootfs" {
	run ldd "$HELPERS_DIR/chroot-escape"
	assert_failure
	assert_output --partial "not a dynamic executable"
}

@test "chroot-escape: escapes a plain chroot and reads a file outside it" {
	local secret=$BATS_TEST_TMPDIR/outside-$RANDOM$RANDOM
	echo "host secret $RANDOM" >"$secret"
	# Without the helper the file is out of reach ...
	run chroot "$SHARED" /bin/cat "$secret"
	assert_failure
	# ... with it, the chroot is no wall.
	run chroot "$SHARED" /usr/local/bin/chroot-escape cat "$secret"
	assert_success
	assert_output "$(cat "$secret")"
}

@test "chroot-escape: leaves no temporary directory behind" {
	local before
	before=$(snapshot "$SHARED")
	run chroot "$SHARED" /usr/local/bin/chroot-escape true
	assert_success
	assert_equal "$(snapshot "$SHARED" | grep -c chroot-escape-)" 0
	assert_equal "$(find "$SHARED" -maxdepth 2 -name '.chroot-escape-*')" ""
	assert_equal "$(snapshot "$SHARED" | awk '{ print $1, $2 }')" \
		"$(echo "$before" | awk '{ print $1, $2 }')"
}

@test "chroot-escape: finds nothing to escape to after pivot_root and detaching the old root" {
	local secret=$BATS_TEST_TMPDIR/outside-$RANDOM$RANDOM
	echo "host secret" >"$secret"
	"$BUILDER" --helpers "$HELPERS_DIR" "$NEW" >/dev/null
	mkdir "$NEW/.old-root"
	# What container.c's stage 4 does, by hand, in a mount namespace
	# that ends with the command.
	run unshare --mount --propagation private sh -c '
		mount --bind "$1" "$1" && cd "$1" &&
		pivot_root . .old-root &&
		exec /bin/busybox sh -c "umount -l /.old-root &&
			/usr/local/bin/chroot-escape cat /etc/os-release &&
			exec /usr/local/bin/chroot-escape cat $2"' sh "$NEW" "$secret"
	assert_failure
	# The helper ran, and the top it climbed to is the container's.
	assert_line 'NAME="container.c busybox rootfs"'
	# busybox cat: "can't open 'PATH': No such file or directory"
	assert_output --regexp "can't open '$secret': No such file"
	refute_output --partial "host secret"
}

@test "chroot-escape: exits 127 for a missing command, 126 for one it cannot run, 125 without one" {
	run -127 chroot "$SHARED" /usr/local/bin/chroot-escape no-such-command
	assert_output "chroot-escape: no-such-command: No such file or directory"
	run -126 chroot "$SHARED" /usr/local/bin/chroot-escape /etc
	assert_output "chroot-escape: /etc: Permission denied"
	run -125 chroot "$SHARED" /usr/local/bin/chroot-escape
	assert_output "usage: chroot-escape COMMAND [ARG...]"
}
