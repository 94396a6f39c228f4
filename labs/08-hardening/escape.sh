#!/usr/bin/env bash
# The escape lab: classic ways out of a container, and abuses from
# inside one, each tried in a container of every stage. The table shows
# the hole open at the early stages and the stage that closes it.
#
#   labs/08-hardening/escape.sh [OPTIONS]
#
#   --stages "N ..."    the stages to try (default: 0 to 10)
#   --only NAME,...     only these attempts (escape-probe list names them)
#   --tsv               one line per try: ATTEMPT STAGE RESULT MESSAGE
#   --verbose           print each try's message under the table
#   --build DIR         where container-N are (default: build/)
#   --rootfs DIR        the rootfs, with escape-probe in it (default:
#                       rootfs/; make builds both)
#
# Each attempt is helpers/escape-probe inside the container. Every one
# proves it could do harm without doing any: it mounts the host's disk
# read-only and unmounts it, opens /proc/sysrq-trigger for writing and
# writes nothing, sets Ctrl-Alt-Del to what it already was, types a
# shell comment into its terminal. The host gets, for the lab's length
# and no longer: a marker file beside the rootfs, a `sleep` to be a
# host process, a veth pair to be a host interface, and a node of the
# kernel's log in the rootfs, in a directory only root and the
# containers' root may enter. All go when the lab ends, however it
# ends but SIGKILL.
#
# Needs root: stages 0 to 4 run as root on the host. Run it in the lab
# VM (sudo make vm) rather than on a machine you care about: stage 0
# has no isolation at all, and that is the point.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
build=$project/build
rootfs=$project/rootfs
stages=(0 1 2 3 4 5 6 7 8 9 10)
only=""
tsv=false
verbose=false

say() { $tsv || echo "escape: $*"; }
die() { echo "escape: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--stages) read -r -a stages <<<"${2:?--stages wants a list}"; shift ;;
	--only) only=${2:?--only wants names}; shift ;;
	--tsv) tsv=true ;;
	--verbose) verbose=true ;;
	--build) build=${2:?--build wants a directory}; shift ;;
	--rootfs) rootfs=${2:?--rootfs wants a directory}; shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done

[ "$(id -u)" -eq 0 ] || die "needs root: sudo $0"
probe_host=$rootfs/usr/local/bin/escape-probe
[ -x "$probe_host" ] || die "no escape-probe in $rootfs: run make, then" \
	"./rootfs-builder.sh --helpers build/helpers $rootfs"
for stage in "${stages[@]}"; do
	[ -x "$build/container-$stage" ] || die "no $build/container-$stage: run make"
done

# What the attempts aim at, made for the lab and removed at its end.
work=""
sleeper=""
iface=esc$$
nodes=""
cleanup() {
	[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
	[ -z "$sleeper" ] || wait "$sleeper" 2>/dev/null || true
	ip link del "$iface" 2>/dev/null || true
	[ -z "$work" ] || rm -rf "$work"
	[ -z "$nodes" ] || rm -rf "$nodes"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A host file outside the rootfs but on its filesystem, so that a file
# handle of it is valid from inside (open-by-handle).
work=$(mktemp -d "$(dirname "$rootfs")/.escape-lab.XXXXXX")
marker=$work/host-secret
echo "a host file the container must not read" >"$marker"
mkfifo "$work/input"           # for the terminal attempt
handle=$("$probe_host" handle "$marker" 2>/dev/null) || handle=none
sleep 600 &
sleeper=$!
ip link add "$iface" type veth peer name "${iface}p" 2>/dev/null || iface=none
disk=$(stat -c '%Hd:%Ld' "$rootfs")
fstype=$(findmnt -no FSTYPE -T "$rootfs")
source=$(findmnt -no SOURCE -T "$rootfs")
[ -b "$source" ] || disk=none
# A node of a host device in the rootfs, as an image could bring one:
# the kernel's log, /dev/kmsg, mode 666, in a directory that only root
# and the containers' root (the first uid of root's containers, as
# container.c reads /etc/subuid) may enter.
subuid=$(awk -F: '$1 == "root" || $1 == "0" { print $2; exit }' \
	/etc/subuid 2>/dev/null)
nodes=$(mktemp -d "$rootfs/.escape-lab.XXXXXX")
chown "${subuid:-100000}" "$nodes"
chmod 700 "$nodes"
mknod -m 666 "$nodes/kmsg" c 1 11
node=/${nodes#"$rootfs"/}/kmsg
say "a host file: $marker; a host process: sleep, pid $sleeper;" \
	"a host interface: $iface; the rootfs's disk: $disk ($fstype);" \
	"a node of /dev/kmsg in the rootfs: $node"

# The attempts, in teaching order: NAME and the probe's arguments.
attempts=(
	"chroot|climb out of a chroot to the host's /|chroot $marker"
	"proc-root|a host process's /proc/PID/root|proc-root $marker"
	"proc-ns|join a host process's namespace|proc-ns $sleeper $marker"
	"mount-disk|mount the host's disk|mount-disk $disk $fstype"
	"remount-sys|make /sys writable|remount-sys"
	"open-by-handle|read a host file by its handle|open-by-handle $handle"
	"write-proc|write /proc/sysrq-trigger, /proc/sys|write-proc"
	"read-kernel-info|read the host kernel's /proc files|read-kernel-info"
	"module|load a kernel module|module"
	"clock|set the host's clock|clock"
	"reboot|reboot the host|reboot"
	"kill-host|signal or trace a host process|kill-host $sleeper"
	"raw-socket|sniff the host's network|raw-socket $iface"
	"fork-bomb|a fork bomb: 1000 processes|fork-bomb 1000"
	"memory-bomb|a memory bomb: 256 MiB|memory-bomb 256"
	"userns|a user namespace, to mount in|userns"
	"keyring|the kernel's keyrings|keyring"
	"terminal|type into the caller's terminal|terminal"
	"device-node|open a device node the rootfs holds|device-node $node"
)

# The options a stage needs for an attempt: limits for the bombs from
# stage 6 on; no network, to be quick (no attempt needs one).
options_for() {
	local name=$1 stage=$2
	[ "$stage" -ge 7 ] && echo --network none
	[ "$stage" -ge 6 ] || return 0
	case $name in
	fork-bomb) echo --pids-limit 64 ;;
	memory-bomb) echo --memory 32m ;;
	esac
}

# Run one attempt at one stage: prints RESULT<tab>MESSAGE.
try() {
	local name=$1 stage=$2 out status probe=/usr/local/bin/escape-probe
	local args=("${@:3}")
	# Before stage 4 the container's / is the host's: the probe, and
	# a path in the rootfs, are found by their host paths.
	if [ "$stage" -lt 4 ]; then
		probe=$probe_host
		[ "$name" != device-node ] || args=("${args[0]}" "$rootfs${args[1]}")
	fi
	case " ${*:3} " in
	*" none "*)
		printf 'N/A\t%s\n' "$(why_not "$name")"
		return 0 ;;
	esac
	if [ "$name" = terminal ]; then
		try_terminal "$stage" "$probe"
		return 0
	fi
	# shellcheck disable=SC2046 # options_for's words are meant to split
	out=$(timeout -k 5 60 "$build/container-$stage" run \
		$(options_for "$name" "$stage") "$rootfs" \
		"$probe" "${args[@]}" 2>&1) && status=0 ||
		status=$?
	out=$(printf '%s' "$out" | tail -n 1)
	case $status in
	0) printf 'ESCAPED\t%s\n' "${out#ESCAPED: }" ;;
	1) printf 'BLOCKED\t%s\n' "${out#BLOCKED: }" ;;
	2) printf 'N/A\t%s\n' "${out#N/A: }" ;;
	137) printf 'BLOCKED\tthe container was killed (SIGKILL): %s\n' "$out" ;;
	*) printf 'N/A\tthe runtime said: %s\n' "${out#container: }" ;;
	esac
}

# The terminal attempt, at STAGE: the container runs at a terminal of
# script(1)'s, in a shell that, once the container has ended, reads a
# line from that terminal, the caller's. The probe types a line into
# its own terminal's input: if the caller's shell reads it, it would
# have run it. Prints RESULT<tab>MESSAGE.
try_terminal() {
	local stage=$1 probe=$2 out verdict read_back
	# shellcheck disable=SC2016 # $line is the inner shell's
	# script's input: a FIFO it holds open itself (0<>), which never
	# ends; at the end of its input, script types an end-of-file into
	# the terminal it made, and that would be read too.
	out=$(SHELL=/bin/bash timeout -k 5 60 script -qec "$build/container-$stage run \
		$(options_for terminal "$stage") '$rootfs' $probe terminal
		IFS= read -r -t 1 line; echo \"caller read: \$line\"" /dev/null \
		0<>"$work/input" 2>&1 | tr -d '\r') || true
	verdict=$(printf '%s\n' "$out" | grep -E '^(ESCAPED|BLOCKED|N/A): ' |
		tail -n 1)
	read_back=$(printf '%s\n' "$out" | sed -n 's/^caller read: //p')
	case $verdict in
	ESCAPED:*)
		if [ -n "$read_back" ]; then
			printf 'ESCAPED\tthe shell that started it read what it typed: %s\n' \
				"$read_back"
		else
			printf 'BLOCKED\tit typed into a terminal of its own: the shell that started it read nothing\n'
		fi ;;
	BLOCKED:*) printf 'BLOCKED\t%s\n' "${verdict#BLOCKED: }" ;;
	N/A:*) printf 'N/A\t%s\n' "${verdict#N/A: }" ;;
	*) printf 'N/A\tthe runtime said: %s\n' "$(printf '%s' "$out" | tail -n 1)" ;;
	esac
}

# Why an attempt has nothing to aim at on this machine.
why_not() {
	case $1 in
	mount-disk) echo "no block device holds the rootfs ($source)" ;;
	open-by-handle) echo "no file handles on the rootfs's filesystem" ;;
	raw-socket) echo "no veth pair could be made for a host interface" ;;
	esac
}

wanted() {
	[ -z "$only" ] || [[ ",$only," == *",$1,"* ]]
}

header=$(printf '%-17s %-38s' attempt "what it tries")
for stage in "${stages[@]}"; do header+=$(printf ' %s' "$stage"); done
$tsv || printf '\n%s  closed by\n' "$header"
details=()
open_at_top=0
for entry in "${attempts[@]}"; do
	IFS='|' read -r name what args <<<"$entry"
	wanted "$name" || continue
	row=$(printf '%-17s %-38s' "$name" "$what")
	closed=""
	last=""
	escaped=false
	for stage in "${stages[@]}"; do
		# shellcheck disable=SC2086 # args are words
		IFS=$'\t' read -r result message < <(try "$name" "$stage" $args)
		if $tsv; then
			printf '%s\t%s\t%s\t%s\n' "$name" "$stage" "$result" "$message"
		fi
		details+=("$(printf 'stage %s  %-17s %-8s %s' "$stage" "$name" \
			"$result" "$message")")
		# Each cell under its stage's number, as wide as it.
		case $result in
		ESCAPED) cell=E; closed=""; escaped=true ;;
		BLOCKED) cell=B; [ -n "$closed" ] || closed=$stage ;;
		*) cell=- ;;
		esac
		row+=$(printf ' %*s' "${#stage}" "$cell")
		last=$result
	done
	[ "$last" != ESCAPED ] || open_at_top=$((open_at_top + 1))
	$escaped || closed=""         # never seen open: nothing closed it
	$tsv || printf '%s  %s\n' "$row" "${closed:+stage $closed}"
done
$tsv && exit 0
echo
echo "E: ESCAPED, the attempt worked. B: BLOCKED. -: this machine cannot" \
	"tell (--verbose says why)."
if $verbose; then
	echo
	printf '%s\n' "${details[@]}"
fi
if [ "$open_at_top" -eq 0 ]; then
	say "the last stage tried blocks every attempt"
else
	say "$open_at_top attempt(s) still ESCAPE at the last stage tried"
fi
