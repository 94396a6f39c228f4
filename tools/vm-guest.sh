#!/bin/bash
# pid 1 of the lab VM, on the host's files (read-only) after the
# initramfs: finish the mounts, copy the project to a writable place,
# then give a shell or run the suite, and power off.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux}

arg() { sed -n "s/.*vm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
mode=$(arg mode)
project=/run/host-project    # the host's checkout, read-only
files=$(arg files | tr ',' ' ')
# CI on the host makes the suite in here as strict about skips.
[ "$(arg ci)" != true ] || export CI=true

off() {
	sync
	echo o >/proc/sysrq-trigger   # powers off at once
	sleep 10
}

mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
hostname container-lab
ip link set lo up

echo   # the console may still be on the firmware's last line

# Tests that must not run here (they would boot a VM in the VM) look
# for this file.
touch /run/container-lab-vm

echo "vm-guest: booted in $(cut -d' ' -f1 /proc/uptime)s from the kernel's start"
echo "vm-guest: cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
if ! grep -q ' - cgroup ' /proc/self/mountinfo; then
	echo "vm-guest: no cgroup v1 hierarchy is mounted"
fi
if [ "$mode" = probe ]; then
	echo "vm-guest: probe ok"
	off
fi
echo "vm-guest: copying $project to /tmp/project"
mkdir -p /tmp/project
(cd "$project" && tar --exclude=./rootfs --exclude=./build/vm \
	--exclude=./slides/node_modules --exclude='./build/slides*' -cf - .) |
	(cd /tmp/project && tar -xf -)
# Marp's 10000 files are only read: the host's copy, not a second one.
[ ! -d "$project/slides/node_modules" ] ||
	ln -s "$project/slides/node_modules" /tmp/project/slides/node_modules
cd /tmp/project || off

if [ "$mode" = shell ]; then
	echo "vm-guest: the project is in /tmp/project; exit powers off"
	setsid -c bash -l
	off
fi

# vm.build=DIR (make test-sanitize-vm): the suite against the binaries
# in DIR, the sanitizers' build, with LeakSanitizer off as on the host.
build=$(arg build)
if [ -n "$build" ]; then
	export CONTAINER_BUILD=/tmp/project/$build RESULTS_DIR=$build
	export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1
	echo "vm-guest: testing the binaries in $build"
fi

# The suite, as the host runs it (the rootfs is rebuilt in here), or
# the one script asked for.
./rootfs-builder.sh --helpers build/helpers rootfs >/dev/null
if [ "$mode" = run ]; then
	"./$files"
	echo "vm-guest: status $?"
	off
fi
# shellcheck disable=SC2086 # the file list is split on purpose
tools/run-tests.sh $files
echo "vm-guest: suite status $?"
off
