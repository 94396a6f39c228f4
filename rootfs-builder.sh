#!/usr/bin/env bash
#
# rootfs-builder.sh: make a root filesystem for container.c to run in.
#
# A container needs a directory tree to become its "/": a shell, a few
# programs, /etc/passwd, and empty directories to mount proc, sys, dev
# and tmp on. This script builds such a tree in one of four ways:
#
#   --busybox   (default) one static busybox plus a symlink per applet,
#               made offline in seconds from Debian's busybox-static.
#   --debian    a minimal Debian (debootstrap --variant=minbase) fetched
#               from the mirror the host's apt already uses. Needs root.
#   --tar FILE  any root filesystem tarball (docker export, Alpine's
#               minirootfs), unpacked with owners and modes kept.
#   --host      the host's own programs plus the shared libraries each
#               one needs (found with ldd), for hosts without busybox.
#
# Safety: the script writes a marker file, .container-rootfs, whose first
# line names the method. It only builds into a directory that is new,
# empty, or carries that marker, so a mistyped path cannot destroy
# anything else. While a build runs the marker also says
# "state=building"; a later run wipes such a half-made tree and starts
# again.
#
# Running it twice is safe: a second run over a rootfs of the same method
# refreshes it in place (missing links, directories and helpers come
# back, files a lab changed in etc/ are kept). --force rebuilds from
# scratch, and is how a rootfs changes method.
#
# Root: --debian needs it (debootstrap chroots and makes device nodes).
# --busybox needs it only to apt-get install busybox-static when that is
# missing. --tar without root unpacks every file as the caller, and fails
# on device nodes in the image. The tree a non-root user builds belongs
# to that user.
#
# The functions can be loaded without running anything ("source
# rootfs-builder.sh"), which is how the tests reach apt_mirror().

set -euo pipefail

readonly PROG=rootfs-builder
readonly MARKER=.container-rootfs
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR

# Programs --host copies when the host has them; absent ones are skipped.
readonly HOST_PROGRAMS=(
	sh bash ls cat echo ps hostname id mount umount sleep mkdir rmdir rm
	readlink stat grep env true false cp mv ln touch chmod chown head
	tail wc sed tr cut sort uniq uname kill pwd printf test find df free
	whoami ip
)

# Settings from the command line; check_args() fills in the defaults.
METHOD=""      # busybox, debian, tar or host
SUITE=""       # Debian suite for --debian
TAR_FILE=""    # tarball for --tar
HELPERS=""     # directory of built helper programs
FORCE=0        # 1: wipe an existing rootfs of ours before building
ROOTFS=""      # the directory to build
ROOTFS_SET=0   # 1: DIR was given on the command line

# Found while checking the target and the method.
OLD_METHOD=""  # method in an existing marker; empty for a new directory
OLD_SUITE=""   # suite in an existing debian marker
OLD_STATE=""   # "building" when a previous run stopped half way
ROOTFS_REAL="" # ROOTFS with every symlink resolved
BUSYBOX_BIN="" # the static busybox --busybox installs
MIRROR=""      # Debian mirror for --debian
LINK_TARGET="" # set by busybox_link_target

usage() {
	cat <<'EOF'
Usage: rootfs-builder.sh [--busybox | --debian [--suite SUITE] | --tar FILE
                          | --host] [--helpers DIR] [--force] [DIR]

Build a root filesystem for container.c in DIR (default: rootfs/ beside
this script). Choose one method; --busybox is the default.

  --busybox      static busybox plus one symlink per applet (offline,
                 seconds; package busybox-static)
  --debian       Debian minbase made by debootstrap from the host's apt
                 mirror (root; package debootstrap; about half a minute)
  --suite SUITE  Debian suite for --debian (default: the host's codename)
  --tar FILE     unpack a rootfs tarball: docker export output, Alpine's
                 minirootfs; any compression tar recognises
  --host         copy host programs and the shared libraries they need
  --helpers DIR  copy every executable in DIR into the rootfs's
                 usr/local/bin
                 (default: build/helpers beside this script; see
                 "make helpers"); skipped with a note when DIR is absent
  --force        wipe and rebuild a rootfs this script made, even one of
                 another method (never a directory it did not make)
  -h, --help     print this help and exit

Environment:
  ROOTFS_BUSYBOX  busybox binary for --busybox (default: /bin/busybox)
  ROOTFS_MIRROR   mirror for --debian (default: read from /etc/apt)

Exit status: 0 built, 1 failed, 2 bad usage or refused target.
EOF
}

# say MESSAGE: one progress line on stdout.
say() {
	printf '%s: %s\n' "$PROG" "$*"
}

# fail STATUS MESSAGE: one error line on stderr, then exit with STATUS.
fail() {
	local status=$1
	shift
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit "$status"
}

# usage_error MESSAGE: a bad command line is always exit status 2.
usage_error() {
	fail 2 "$* (see --help)"
}

# ---------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------

# set_method NAME: record the method, refusing two different ones.
set_method() {
	if [[ -n $METHOD && $METHOD != "$1" ]]; then
		usage_error "choose one of --busybox, --debian, --tar, --host"
	fi
	METHOD=$1
}

# set_rootfs DIR: record the one positional argument.
set_rootfs() {
	((ROOTFS_SET == 0)) || usage_error "unexpected extra argument '$1'"
	[[ -n $1 ]] || usage_error "DIR must not be empty"
	ROOTFS=$1
	ROOTFS_SET=1
}

# option_value OPTION COUNT [VALUE]: fail unless an option that takes a
# value got one. COUNT is how many arguments were left after OPTION.
option_value() {
	if (($2 == 0)) || [[ -z ${3-} ]]; then
		usage_error "option $1 needs a value"
	fi
}

# parse_args ARG...: fill the settings above from the command line.
parse_args() {
	local arg
	while (($# > 0)); do
		arg=$1
		shift
		case $arg in
		-h | --help)
			usage
			exit 0
			;;
		--busybox | --debian | --host) set_method "${arg#--}" ;;
		--force) FORCE=1 ;;
		--tar | --suite | --helpers)
			option_value "$arg" "$#" "${1-}"
			set_value "$arg" "$1"
			shift
			;;
		--tar=* | --suite=* | --helpers=*)
			option_value "${arg%%=*}" 1 "${arg#*=}"
			set_value "${arg%%=*}" "${arg#*=}"
			;;
		--)
			(($# <= 1)) || usage_error "unexpected extra argument '$2'"
			(($# == 0)) || set_rootfs "$1"
			return 0
			;;
		-*) usage_error "unknown option '$arg'" ;;
		*) set_rootfs "$arg" ;;
		esac
	done
}

# set_value OPTION VALUE: store the value of an option that takes one.
set_value() {
	case $1 in
	--tar)
		set_method tar
		TAR_FILE=$2
		;;
	--suite) SUITE=$2 ;;
	--helpers) HELPERS=$2 ;;
	esac
}

# check_args: rules that need the whole command line.
check_args() {
	METHOD=${METHOD:-busybox}
	if [[ -n $SUITE && $METHOD != debian ]]; then
		usage_error "--suite only applies to --debian"
	fi
	if [[ -n $SUITE && ! $SUITE =~ ^[a-z0-9][a-z0-9.-]*$ ]]; then
		usage_error "'$SUITE' does not look like a Debian suite name"
	fi
	if [[ $METHOD == debian && -z $SUITE ]]; then
		SUITE=$(host_codename)
		[[ -n $SUITE ]] || fail 1 "cannot tell the host's Debian" \
			"codename; pass --suite SUITE"
	fi
	if ((ROOTFS_SET == 0)); then
		ROOTFS=$SCRIPT_DIR/rootfs
	fi
	HELPERS=${HELPERS:-$SCRIPT_DIR/build/helpers}
}

# ---------------------------------------------------------------------
# The target directory: never touch what we did not make
# ---------------------------------------------------------------------

# read_marker: set OLD_METHOD, OLD_SUITE and OLD_STATE from the marker.
read_marker() {
	local line
	OLD_METHOD=$(head -n 1 -- "$ROOTFS/$MARKER")
	OLD_METHOD=${OLD_METHOD:-unknown}
	while IFS= read -r line; do
		case $line in
		suite=*) OLD_SUITE=${line#suite=} ;;
		state=*) OLD_STATE=${line#state=} ;;
		esac
	done <"$ROOTFS/$MARKER"
}

# inspect_rootfs: refuse a target that is a file or a directory with
# content but no marker (exit 2); otherwise learn what is there. Changes
# nothing.
inspect_rootfs() {
	if [[ -L $ROOTFS && ! -e $ROOTFS ]]; then
		fail 2 "$ROOTFS is a dangling symlink; choose another directory"
	fi
	if [[ -e $ROOTFS && ! -d $ROOTFS ]]; then
		fail 2 "$ROOTFS exists and is not a directory;" \
			"choose another directory"
	fi
	[[ -d $ROOTFS ]] || return 0
	if [[ $(realpath -- "$ROOTFS") == / ]]; then
		fail 2 "refusing to build into /"
	fi
	if [[ -f $ROOTFS/$MARKER && ! -L $ROOTFS/$MARKER ]]; then
		read_marker
	elif [[ -n $(find "$ROOTFS" -mindepth 1 -maxdepth 1 -print -quit) ]]
	then
		fail 2 "$ROOTFS exists and is not a rootfs made by this script;" \
			"choose another directory"
	fi
}

# plan_build: decide between a fresh build, a wipe and rebuild, and an
# in-place refresh. Prints "fresh", "wipe" or "refresh".
plan_build() {
	if [[ -z $OLD_METHOD ]]; then
		echo fresh
	elif ((FORCE)) || [[ $OLD_STATE == building ]]; then
		echo wipe
	elif [[ $OLD_METHOD != "$METHOD" ]]; then
		fail 2 "$ROOTFS holds a $OLD_METHOD rootfs;" \
			"add --force to replace it with a $METHOD one"
	elif [[ $METHOD == debian && $OLD_SUITE != "$SUITE" ]]; then
		fail 2 "$ROOTFS holds Debian ${OLD_SUITE:-unknown};" \
			"add --force to replace it with $SUITE"
	elif [[ $METHOD == tar ]]; then
		# A tarball is the whole image: unpacking over an old tree
		# could follow symlinks the old tree left behind.
		echo wipe
	else
		echo refresh
	fi
}

# wipe_rootfs: empty a directory that carries our marker. Refuses while
# anything is mounted below it (a running container's proc, say), and
# never crosses into another filesystem.
wipe_rootfs() {
	local mounts
	mounts=$(awk -v dir="$ROOTFS_REAL/" \
		'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo)
	if [[ -n $mounts ]]; then
		fail 1 "${mounts%%$'\n'*} is mounted inside $ROOTFS;" \
			"unmount it first"
	fi
	say "wiping the old contents of $ROOTFS"
	find "$ROOTFS_REAL" -mindepth 1 -maxdepth 1 \
		-exec rm -rf --one-file-system -- {} +
}

# write_marker [LINE...]: (re)write the marker: method first, then the
# extra key=value lines.
write_marker() {
	local line
	# An unpacked image may hold a file of this name, even a symlink:
	# replace it, never write through it.
	rm -f -- "$ROOTFS_REAL/$MARKER"
	{
		echo "$METHOD"
		[[ $METHOD != debian ]] || echo "suite=$SUITE"
		for line in "$@"; do
			echo "$line"
		done
	} >"$ROOTFS_REAL/$MARKER"
}

# ---------------------------------------------------------------------
# Writing inside the rootfs without writing through it
# ---------------------------------------------------------------------

# guard_parent REL: fail unless the directory that will hold REL resolves
# inside the rootfs. An image or a lab may leave a link such as
# etc -> /etc; writing through it would change the host.
guard_parent() {
	local real
	real=$(realpath -m -- "$ROOTFS_REAL/$(dirname -- "$1")")
	if [[ $real != "$ROOTFS_REAL" && $real != "$ROOTFS_REAL"/* ]]; then
		fail 1 "$ROOTFS/$1 leads outside the rootfs through a symlink;" \
			"refusing to write there"
	fi
}

# make_dir REL MODE: create a directory with MODE unless it exists
# (an existing one, or a symlink to one, keeps its mode).
make_dir() {
	[[ -e $ROOTFS_REAL/$1 || -L $ROOTFS_REAL/$1 ]] && return 0
	guard_parent "$1"
	mkdir -p -- "$ROOTFS_REAL/$1"
	chmod -- "$2" "$ROOTFS_REAL/$1"
}

# make_link TARGET REL: make REL a symlink to TARGET, replacing an old
# link (but not a directory); leaves a correct link alone.
make_link() {
	local path=$ROOTFS_REAL/$2
	if [[ -L $path ]]; then
		[[ $(readlink -- "$path") == "$1" ]] && return 0
	elif [[ ! -e $path ]]; then
		ln -s -- "$1" "$path"   # the common case: nothing there yet
		return 0
	fi
	ln -sfnT -- "$1" "$path"
}

# write_etc REL CONTENT: create a small configuration file unless it
# already exists, so a refresh keeps what a lab changed.
write_etc() {
	[[ -e $ROOTFS_REAL/$1 || -L $ROOTFS_REAL/$1 ]] && return 0
	guard_parent "$1"
	printf '%s\n' "$2" >"$ROOTFS_REAL/$1"
}

# install_file SOURCE REL MODE: copy a program or library in. install(1)
# unlinks the old file first: a running container keeps its copy, and a
# symlink in the way is replaced rather than written through.
install_file() {
	local dest=$ROOTFS_REAL/$2
	[[ ! -L $dest ]] && cmp -s -- "$1" "$dest" && return 0
	guard_parent "$2"
	install -D -m "$3" -- "$1" "$dest"
}

# make_base_dirs: the mount points and home directories every rootfs
# built from scratch needs. tmp is world-writable with the sticky bit,
# root is private to root, as on any Linux system (hier(7)).
make_base_dirs() {
	local dir
	say "creating any missing base directories in $ROOTFS"
	for dir in proc sys dev etc home run var usr usr/local usr/local/bin
	do
		make_dir "$dir" 0755
	done
	make_dir tmp 1777
	make_dir var/tmp 1777
	make_dir root 0700
}

# write_etc_files FLAVOUR: the users, groups and os-release that tools
# like id, ls -l and ps read to turn numbers into names (passwd(5),
# group(5), os-release(5)).
write_etc_files() {
	say "writing etc/passwd, etc/group and etc/os-release if missing"
	write_etc etc/passwd "root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false"
	write_etc etc/group "root:x:0:
tty:x:5:
nogroup:x:65534:"
	write_etc etc/os-release "NAME=\"container.c $1 rootfs\"
PRETTY_NAME=\"container.c $1 rootfs\"
ID=container-c"
}

# ---------------------------------------------------------------------
# Getting the tools each method needs
# ---------------------------------------------------------------------

# install_package PACKAGE WHAT: apt-get install PACKAGE when we are root
# and have apt-get; otherwise name the package and stop (exit 1).
install_package() {
	if ((EUID != 0)) || ! command -v apt-get >/dev/null; then
		fail 1 "$2 is missing; install the Debian package $1" \
			"(as root: apt-get install $1)"
	fi
	say "$2 is missing; installing the package $1 with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q "$1"; then
		say "apt-get install failed; running apt-get update, then again"
		apt-get update -q
		apt-get install -y -q "$1"
	fi
}

# is_dynamic FILE: succeed when FILE needs shared libraries.
is_dynamic() {
	command -v ldd >/dev/null && ldd -- "$1" >/dev/null 2>&1
}

# find_busybox: set BUSYBOX_BIN to a statically linked busybox. A
# dynamic one (package busybox) would need libc inside the rootfs.
find_busybox() {
	local default=/bin/busybox
	BUSYBOX_BIN=${ROOTFS_BUSYBOX:-$default}
	if [[ -x $BUSYBOX_BIN ]] && ! is_dynamic "$BUSYBOX_BIN"; then
		return 0
	fi
	if [[ $BUSYBOX_BIN != "$default" ]]; then
		fail 1 "$BUSYBOX_BIN is not a static busybox; install the" \
			"Debian package busybox-static or unset ROOTFS_BUSYBOX"
	fi
	install_package busybox-static "a static $default"
	[[ -x $default ]] || fail 1 "busybox-static did not install $default"
}

# host_codename: the host's Debian codename, from os-release(5).
host_codename() {
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null |
		tr -d "\"'"
}

# apt_sources ETC_APT: print "URI SUITE..." for every enabled "deb"
# source, in the order apt reads them: sources.list first, then the
# files of sources.list.d in name order, one-line (*.list) or deb822
# (*.sources) format (sources.list(5)).
apt_sources() {
	local file
	for file in "$1/sources.list" "$1"/sources.list.d/*; do
		[[ -f $file ]] || continue
		case $file in
		*.list) awk "$AWK_ONE_LINE" "$file" ;;
		*.sources) awk "$AWK_DEB822" "$file" ;;
		esac
	done
}

# One-line format: "deb [option=value ...] URI SUITE COMPONENT...".
# shellcheck disable=SC2016 # awk's $ fields, not shell expansions
readonly AWK_ONE_LINE='
$1 == "deb" {
	i = 2
	if ($i ~ /^\[/) {
		while (i <= NF && $i !~ /\]$/) i++
		i++
	}
	if (i < NF) print $i, $(i + 1)
}'

# deb822 format: stanzas of "Field: value" lines split by blank lines.
# shellcheck disable=SC2016 # awk's $ fields, not shell expansions
readonly AWK_DEB822='
function flush(   n, i, uri) {
	if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
		n = split(uris, uri, /[ \t]+/)
		for (i = 1; i <= n; i++)
			if (uri[i] != "") print uri[i], suites
	}
	types = uris = suites = enabled = ""
}
/^[ \t]*#/ { next }
/^[ \t]*$/ { flush(); next }
match($0, /^[A-Za-z-]+:/) {
	key = tolower(substr($0, 1, RLENGTH))
	value = substr($0, RLENGTH + 1)
	gsub(/^[ \t]+|[ \t]+$/, "", value)
	if (key == "types:") types = value
	else if (key == "uris:") uris = value
	else if (key == "suites:") suites = value
	else if (key == "enabled:") enabled = tolower(value)
}
END { flush() }'

# apt_mirror ETC_APT CODENAME: print the Debian mirror the host's apt
# uses. First choice: an http(s) URI ending in /debian, the archive's
# usual name (this skips debian-security and third-party archives).
# Second: any http(s) source that carries CODENAME itself.
apt_mirror() {
	local sources uri suites
	sources=$(apt_sources "$1")
	while read -r uri suites; do
		if [[ $uri =~ ^https?://.*/debian/?$ ]]; then
			echo "$uri"
			return 0
		fi
	done <<<"$sources"
	while read -r uri suites; do
		[[ $uri == http://* || $uri == https://* ]] || continue
		if [[ -n $2 && " $suites " == *" $2 "* ]]; then
			echo "$uri"
			return 0
		fi
	done <<<"$sources"
	return 1
}

# prepare_debian: root, debootstrap and a mirror (check_args chose the
# suite).
prepare_debian() {
	((EUID == 0)) || fail 1 "--debian needs root (debootstrap chroots" \
		"and creates device nodes)"
	command -v debootstrap >/dev/null ||
		install_package debootstrap debootstrap
	MIRROR=${ROOTFS_MIRROR:-$(apt_mirror /etc/apt "$(host_codename)")} ||
		fail 1 "found no Debian mirror in /etc/apt; set ROOTFS_MIRROR"
}

# check_tarball: FILE must be a readable regular file (else exit 2)
# whose members all stay inside the target: no absolute names, no "..".
# GNU tar already strips or skips those; refusing outright is clearer.
check_tarball() {
	local names bad
	[[ -e $TAR_FILE ]] || fail 2 "$TAR_FILE: no such file"
	[[ -f $TAR_FILE ]] || fail 2 "$TAR_FILE is not a regular file"
	[[ -r $TAR_FILE ]] || fail 2 "$TAR_FILE is not readable"
	TAR_FILE=$(realpath -- "$TAR_FILE")
	# -P lists names exactly as stored, leading "/" included.
	names=$(tar -tPf "$TAR_FILE") || fail 1 "$TAR_FILE: tar cannot read it"
	if bad=$(grep -m 1 -E '^/|(^|/)\.\.(/|$)' <<<"$names"); then
		fail 2 "$TAR_FILE: member '$bad' has an absolute path or '..';" \
			"refusing to unpack it"
	fi
}

# prepare_method: everything that may fail before we touch the target.
prepare_method() {
	case $METHOD in
	busybox) find_busybox ;;
	debian) prepare_debian ;;
	tar) check_tarball ;;
	host) command -v ldd >/dev/null ||
		fail 1 "--host needs ldd (package libc-bin)" ;;
	esac
}

# ---------------------------------------------------------------------
# The four methods
# ---------------------------------------------------------------------

# busybox_link_target APPLET_PATH: set LINK_TARGET to the relative link
# from an applet's place to bin/busybox (usr/bin/env ->
# ../../bin/busybox). Relative links resolve inside the rootfs from the
# host and from the container. A variable, not output: a command
# substitution would fork once per applet, and under the lab VM's
# emulation ~400 forks take many seconds.
busybox_link_target() {
	local slashes=${1//[!\/]/} up=""
	while ((${#up} < 3 * ${#slashes})); do
		up+=../
	done
	LINK_TARGET="${up}bin/busybox"
}

# build_busybox: bin/busybox plus one symlink per applet, where
# "busybox --list-full" says each applet lives.
build_busybox() {
	local applets applet dir
	make_base_dirs
	for dir in bin sbin usr/bin usr/sbin; do
		make_dir "$dir" 0755
	done
	say "installing $BUSYBOX_BIN as $ROOTFS/bin/busybox"
	install_file "$BUSYBOX_BIN" bin/busybox 0755
	applets=$("$BUSYBOX_BIN" --list-full)
	say "linking $(wc -l <<<"$applets") busybox applets into" \
		"bin, sbin, usr/bin and usr/sbin"
	while read -r applet; do
		[[ -n $applet && $applet != bin/busybox ]] || continue
		busybox_link_target "$applet"
		make_link "$LINK_TARGET" "$applet"
	done <<<"$applets"
	write_etc_files busybox
}

# prepare_debian ran first; debootstrap(8) does the work. A refresh of a
# finished Debian rootfs skips it: it would only unpack the same
# packages again.
build_debian() {
	if [[ -x $ROOTFS_REAL/usr/bin/apt-get && $OLD_STATE != building &&
		$OLD_METHOD == debian ]]; then
		say "Debian $SUITE is already bootstrapped in $ROOTFS; skipping" \
			"debootstrap"
		return 0
	fi
	say "running debootstrap --variant=minbase $SUITE $ROOTFS $MIRROR"
	debootstrap --variant=minbase "$SUITE" "$ROOTFS_REAL" "$MIRROR"
	say "removing the downloaded .deb files from var/cache/apt/archives"
	find "$ROOTFS_REAL/var/cache/apt/archives" -maxdepth 1 \
		-name '*.deb' -delete
}

# build_tar: unpack the tarball check_tarball accepted. As root tar
# keeps the owners (numeric, since the host's user names mean nothing in
# the image) and -p keeps the modes; tar finds the compression itself.
build_tar() {
	say "unpacking $TAR_FILE into $ROOTFS"
	tar -xpf "$TAR_FILE" -C "$ROOTFS_REAL" --numeric-owner
	local dir
	for dir in proc sys dev; do
		make_dir "$dir" 0755
	done
	make_dir tmp 1777
}

# host_libraries PROGRAM...: the shared libraries, dynamic loader
# included, that the programs load, one absolute path a line (ld.so(8)).
host_libraries() {
	local program
	for program in "$@"; do
		ldd -- "$program" 2>/dev/null || true
	done | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' |
		sort -u
}

# build_host: the host's programs into usr/bin with the libraries they
# need at the paths ldd names. The tree is merged-/usr like Debian's
# (bin -> usr/bin, lib -> usr/lib, ...), so both /bin/sh and the
# loader's /lib64 path work whatever the host's own layout.
build_host() {
	local name dir program programs=() libraries
	make_base_dirs
	for dir in bin sbin lib lib64; do
		make_dir "usr/$dir" 0755
		make_link "usr/$dir" "$dir"
	done
	for name in "${HOST_PROGRAMS[@]}"; do
		program=$(type -P "$name") && programs+=("$program")
	done
	say "copying ${#programs[@]} host programs into $ROOTFS/usr/bin"
	for program in "${programs[@]}"; do
		install_file "$program" "usr/bin/${program##*/}" 0755
	done
	libraries=$(host_libraries "${programs[@]}")
	say "copying $(wc -l <<<"$libraries") shared libraries they need"
	while read -r name; do
		install_file "$name" "${name#/}" 0755
	done <<<"$libraries"
	write_etc_files host-binaries
}

# install_helpers: copy every executable in HELPERS to usr/local/bin.
install_helpers() {
	local file names=()
	if [[ ! -d $HELPERS ]]; then
		say "no helpers in $HELPERS; skipped them (build them with:" \
			"make helpers)"
		return 0
	fi
	for file in "$HELPERS"/*; do
		[[ -f $file && -x $file ]] && names+=("${file##*/}")
	done
	if ((${#names[@]} == 0)); then
		say "no executables in $HELPERS; no helpers copied"
		return 0
	fi
	say "copying helpers into $ROOTFS/usr/local/bin: ${names[*]}"
	make_dir usr/local/bin 0755
	for file in "${names[@]}"; do
		install_file "$HELPERS/$file" "usr/local/bin/$file" 0755
		if is_dynamic "$HELPERS/$file"; then
			say "note: $file is dynamically linked; a rootfs without" \
				"its libraries cannot run it"
		fi
	done
}

main() {
	local plan
	umask 022
	parse_args "$@"
	check_args
	inspect_rootfs
	plan=$(plan_build)
	prepare_method
	mkdir -p -- "$ROOTFS"
	ROOTFS_REAL=$(realpath -- "$ROOTFS")
	case $plan in
	refresh) say "refreshing the $METHOD rootfs in $ROOTFS" ;;
	wipe) wipe_rootfs ;;
	esac
	[[ $plan == refresh ]] || write_marker state=building
	"build_$METHOD"
	install_helpers
	write_marker
	say "done: $METHOD rootfs in $ROOTFS (${SECONDS}s)"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
