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
# sudo looks the machine's own name up, and warns on every command
# when it cannot ("unable to resolve host"): the name goes in a copy
# of the host's read-only /etc/hosts.
{ cat /etc/hosts 2>/dev/null; echo "127.0.0.1 container-lab"; } >/run/etc-hosts
mount --bind /run/etc-hosts /etc/hosts

echo   # the console may still be on the firmware's last line

# podman keeps its networks' settings and a lock in
# /etc/containers/networks, whatever store it is given (lab 10): on
# the host's read-only files, /etc/containers is a copy in /run.
if [ -d /etc/containers ]; then
	cp -a /etc/containers /run/etc-containers
	mount --bind /run/etc-containers /etc/containers
fi

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
	--exclude=./build/vm-lane --exclude=./slides/node_modules \
	--exclude='./build/slides*' -cf - .) |
	(cd /tmp/project && tar -xf -)
# Marp's 10000 files are only read: the host's copy, not a second one.
[ ! -d "$project/slides/node_modules" ] ||
	ln -s "$project/slides/node_modules" /tmp/project/slides/node_modules
cd /tmp/project || off

# The rootfs the labs and the suite use: the host's busybox rootfs,
# which `make vm` and `make test-vm` build first, copied; else made
# here, which under emulation takes a while (a process per applet).
# A rootfs of another kind (debootstrap's) is not copied: too big.
if [ "$(cat "$project/rootfs/.container-rootfs" 2>/dev/null)" = busybox ]; then
	echo "vm-guest: copying the host's busybox rootfs to /tmp/project/rootfs"
	(cd "$project" && tar -cf - rootfs) | (cd /tmp/project && tar -xf -)
else
	echo "vm-guest: building the rootfs in /tmp/project/rootfs (under" \
		"emulation, about 20 s)"
	./rootfs-builder.sh --helpers build/helpers rootfs >/dev/null ||
		echo "vm-guest: the rootfs could not be built: make, then" \
			"./rootfs-builder.sh rootfs"
fi

if [ "$mode" = shell ]; then
	[ -x build/container ] ||
		echo "vm-guest: nothing is built yet: run make in /tmp/project"
	# The lab pages say sudo; the guest runs as root, and a host
	# without sudo shares none: a stand-in that runs the command,
	# first in the PATH of the login shell (whose /etc/profile sets
	# PATH anew; /root is the guest's own).
	if ! command -v sudo >/dev/null; then
		mkdir -p /run/lab-vm/bin
		printf '#!/bin/sh\nexec env "$@"\n' >/run/lab-vm/bin/sudo
		chmod 755 /run/lab-vm/bin/sudo
		# shellcheck disable=SC2016 # for the login shell to expand
		echo 'PATH=/run/lab-vm/bin:$PATH' >>/root/.bash_profile
	fi
	# A serial console knows nothing of the size of the terminal at
	# the other end: the host told it (vm.size=ROWSxCOLUMNS).
	size=$(arg size)
	[ -z "$size" ] || stty rows "${size%x*}" cols "${size#*x}"
	# The screen is the learner's: the kernel's messages (the OOM
	# killer's reports, for one) go to its log alone, where dmesg
	# shows them, and not over the prompt.
	dmesg -n 1
	echo "vm-guest: the project is in /tmp/project, built; the kernel's" \
		"messages: dmesg; exit powers off"
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

# The suite, as the host runs it, or the one script asked for.
if [ "$mode" = run ]; then
	"./$files"
	echo "vm-guest: status $?"
	off
fi
# shellcheck disable=SC2086 # the file list is split on purpose
tools/run-tests.sh $files
status=$?
# vm.sanitize=FILE,... (make test-vm THEN_SANITIZED=...): those files
# again, in the same boot, against the sanitizers' build, as vm.build
# would run them; a boot is a minute or more under emulation.
sanitize=$(arg sanitize | tr ',' ' ')
if [ -n "$sanitize" ]; then
	echo "vm-guest: testing the binaries in build/sanitize"
	# shellcheck disable=SC2086 # the file list is split on purpose
	CONTAINER_BUILD=/tmp/project/build/sanitize \
		RESULTS_DIR=build/sanitize ASAN_OPTIONS=detect_leaks=0 \
		UBSAN_OPTIONS=print_stacktrace=1 tools/run-tests.sh $sanitize ||
		status=$?
fi
echo "vm-guest: suite status $status"
off
