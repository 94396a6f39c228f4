#!/usr/bin/env bash
# The lab VM: Debian's own kernel under qemu, with pure cgroup v2 (cpu,
# memory, pids, io), a virtio disk for I/O limits, veth and bridge, and
# the host's files shared read-only over 9p, the project copied in.
#
#   tools/vm.sh prepare        fetch and unpack the kernel, build the
#                              initramfs and the disk (cached in build/vm)
#   tools/vm.sh shell          boot to a root shell; `exit` powers off
#   tools/vm.sh test [FILE...] boot, run the suite, pass its status back
#   tools/vm.sh probe          boot, show the cgroups, power off
#   tools/vm.sh run SCRIPT     boot, run the project's SCRIPT (a path in
#                              the checkout, such as bench/limits.sh)
#                              as root in the guest, pass its status back
#
# Settings: VM_DIR (build/vm), VM_TIMEOUT (seconds), VM_MEMORY (MiB),
# VM_CPUS, VM_ACCEL (kvm or tcg: skip the probe), VM_APPEND (more for
# the kernel's command line), VM_KERNEL_PACKAGE (default: the one
# linux-image-amd64 depends on).
#
# Everything comes from Debian packages: qemu-system-x86, and the kernel
# package fetched with `apt-get download` and unpacked, never installed.
# KVM is used where it boots; software emulation (TCG) where it does
# not. A VM that hangs is stopped after VM_TIMEOUT seconds with its
# console log kept; no qemu process outlives this script.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
vm=${VM_DIR:-$top/build/vm}
kernel_dir=$vm/kernel
VM_TIMEOUT=${VM_TIMEOUT:-1200}      # seconds for a whole test run
VM_MEMORY=${VM_MEMORY:-4096}        # MiB
VM_CPUS=${VM_CPUS:-2}
KVM_PROBE_SECONDS=${KVM_PROBE_SECONDS:-30}

say() { echo "vm: $*" >&2; }
die() { echo "vm: $*" >&2; exit 1; }

# Whatever way this script ends: no qemu left running, no half-made
# file left in $vm.
cleanup() {
	if [ -s "$vm/qemu.pid" ]; then
		kill -KILL "$(cat "$vm/qemu.pid")" 2>/dev/null || true
	fi
	# A qemu stopped so early that it wrote no pidfile yet: its command
	# line names the pidfile, which no other qemu's does.
	pkill -KILL -f -- "-pidfile $vm/qemu.pid" 2>/dev/null || true
	rm -rf "$vm/qemu.pid" "$vm/download" "$kernel_dir.tmp" \
		"$vm"/initramfs.[!c]* "$vm"/*.tmp
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Modules the guest needs, loaded by the initramfs in this order with
# what each depends on first: virtio and 9p for the shared root, the
# virtio disk for io.max, veth and bridge for the network stage,
# overlay for the labs, fuse for lab 10's device rules (its /dev/fuse).
MODULES=(virtio_pci 9pnet_virtio 9p virtio_blk veth bridge overlay fuse)

# The version of the kernel package linux-image-amd64 points at.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

fetch_kernel() {
	local package deb
	[ -f "$kernel_dir/version" ] && return 0
	package=${VM_KERNEL_PACKAGE:-$(kernel_package)}
	if [ -z "$package" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		package=$(kernel_package)
	fi
	[ -n "$package" ] ||
		die "no kernel package: apt-cache knows no linux-image-amd64 (apt-get update?)"
	say "fetching $package with apt-get download"
	rm -rf "$kernel_dir" "$vm/download"
	mkdir -p "$vm/download"
	(cd "$vm/download" && apt-get download "$package" >/dev/null 2>&1) ||
		die "apt-get download $package failed: no such package in apt's lists?"
	deb=$(ls "$vm/download"/*.deb)
	say "unpacking $(basename "$deb") (not installing it)"
	mkdir -p "$kernel_dir.tmp"
	dpkg-deb -x "$deb" "$kernel_dir.tmp"
	rm -rf "$vm/download"
	ls "$kernel_dir.tmp/lib/modules" >"$kernel_dir.tmp/version"
	depmod -b "$kernel_dir.tmp" "$(cat "$kernel_dir.tmp/version")"
	mv "$kernel_dir.tmp" "$kernel_dir"
}

# The initramfs: static busybox, the modules, and vm/init.
build_initramfs() {
	local version root module
	version=$(cat "$kernel_dir/version")
	# Made again when /init, the kernel or the modules' list changed.
	[ "$vm/initramfs.cpio.gz" -nt "$top/tools/vm-init.sh" ] &&
		[ "$vm/initramfs.cpio.gz" -nt "$top/tools/vm.sh" ] &&
		[ "$vm/initramfs.cpio.gz" -nt "$kernel_dir/version" ] && return 0
	say "building the initramfs"
	root=$(mktemp -d "$vm/initramfs.XXXXXX")
	mkdir -p "$root/bin" "$root/modules" "$root/proc" "$root/sys" \
		"$root/dev" "$root/newroot"
	cp /bin/busybox "$root/bin/busybox"
	cp "$top/tools/vm-init.sh" "$root/init"
	chmod 755 "$root/init"
	for module in "${MODULES[@]}"; do
		modprobe -d "$kernel_dir" -S "$version" --show-depends "$module"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
		while read -r path; do
			cp "$path" "$root/modules/"
			basename "$path" >>"$root/modules/order"
		done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$vm/initramfs.cpio.gz.tmp"
	mv "$vm/initramfs.cpio.gz.tmp" "$vm/initramfs.cpio.gz"
	rm -rf "$root"
}

# A sparse raw disk: /dev/vda in the guest, for io.max. And a small
# one with a partition table (written byte by byte: one MBR entry, type
# 83, 8 MiB from sector 2048): /dev/vdb1 in the guest, the partition
# that io.max refuses.
make_disk() {
	if [ ! -f "$vm/disk.img" ]; then
		say "making a 1 GiB sparse disk image"
		truncate -s 1G "$vm/disk.img"
	fi
	[ ! -f "$vm/parts.img" ] || return 0
	say "making a 16 MiB disk image with one partition"
	truncate -s 16M "$vm/parts.img.tmp"
	printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x40\x00\x00' |
		dd of="$vm/parts.img.tmp" bs=1 seek=446 conv=notrunc status=none
	printf '\x55\xaa' |
		dd of="$vm/parts.img.tmp" bs=1 seek=510 conv=notrunc status=none
	mv "$vm/parts.img.tmp" "$vm/parts.img"
}

prepare() {
	mkdir -p "$vm"
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 is missing: apt-get install qemu-system-x86"
	fetch_kernel
	build_initramfs
	make_disk
}

# Does KVM work here? /dev/kvm may exist and still fail to boot a guest.
# The first boot tries (up to KVM_PROBE_SECONDS); the answer is kept in
# $vm/accel for the boots after it (remove the file to try again).
kvm_usable() {
	[ -w /dev/kvm ] || return 1
	[ "${VM_ACCEL:-}" != tcg ] || return 1
	[ "${VM_ACCEL:-}" = kvm ] && return 0
	if [ -f "$vm/accel" ]; then
		[ "$(cat "$vm/accel")" = kvm ]
		return
	fi
	local log=$vm/kvm-probe.log
	say "trying KVM (at most ${KVM_PROBE_SECONDS}s, once: the answer is kept in $vm/accel)"
	run_qemu kvm probe "$KVM_PROBE_SECONDS" >"$log" 2>&1 || true
	if grep -q '^vm-guest: probe ok' "$log"; then
		echo kvm >"$vm/accel"
	else
		echo tcg >"$vm/accel"
		return 1
	fi
}

# Run qemu with ACCEL for MODE (shell, test or probe), at most SECONDS.
# The console is this terminal (shell) or stdout.
run_qemu() {
	local accel=$1 mode=$2 seconds=$3
	local version size
	version=$(cat "$kernel_dir/version")
	local cmdline="console=ttyS0 panic=-1 cgroup_no_v1=all quiet"
	cmdline+=" vm.mode=$mode vm.project=$top vm.files=${VM_FILES:-}"
	cmdline+=" vm.ci=${CI:-false} ${VM_APPEND:-}"
	# The shell's terminal size, which a serial console cannot learn.
	if [ "$mode" = shell ] && size=$(stty size 2>/dev/null); then
		cmdline+=" vm.size=${size% *}x${size#* }"
	fi
	# KVM runs the host's CPU; TCG emulates the most it can.
	local cpu=max tb_size=",thread=multi,tb-size=512"
	[ "$accel" = tcg ] || { cpu=host; tb_size=""; }
	local args=(
		-cpu "$cpu" -m "$VM_MEMORY"
		-accel "$accel${tb_size}"
		-smp "$VM_CPUS" -nographic -no-reboot
		-kernel "$kernel_dir/boot/vmlinuz-$version"
		-initrd "$vm/initramfs.cpio.gz"
		-append "$cmdline"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-drive "file=$vm/disk.img,if=virtio,format=raw,cache=none"
		-drive "file=$vm/parts.img,if=virtio,format=raw,cache=none"
		-nic none -pidfile "$vm/qemu.pid"
	)
	if [ "$mode" = shell ]; then
		timeout --foreground -k 10 "$seconds" \
			qemu-system-x86_64 "${args[@]}"
	else
		timeout -k 10 "$seconds" qemu-system-x86_64 "${args[@]}" \
			-serial stdio -monitor none -display none </dev/null |
			sed -u 's/\r$//; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g'
	fi
}

accel() {
	if kvm_usable; then
		echo kvm
	else
		say "KVM is not usable here: software emulation (TCG)"
		echo tcg
	fi
}

shell() {
	prepare
	local accel
	accel=$(accel)
	say "booting ($accel); the shell powers the VM off on exit"
	run_qemu "$accel" shell "$VM_TIMEOUT"
}

# Boot, let the guest say what it has, power off: the quick check.
probe() {
	prepare
	local accel start log=$vm/console.log
	accel=$(accel)
	start=$(date +%s)
	run_qemu "$accel" probe 120 | tee "$log" | grep '^vm-guest:' &
	wait $! || true
	say "booted and powered off in $(($(date +%s) - start))s ($accel)"
	grep -q '^vm-guest: probe ok' "$log"
}

# Boot in MODE (test: the suite, or the bats FILEs given; run: the one
# SCRIPT given) and pass the guest's status back.
run_in_guest() {
	prepare
	local mode=$1 accel log status start
	shift
	accel=$(accel)
	log=$vm/console.log
	start=$(date +%s)
	say "booting ($accel) to $mode ${*:-the suite}; console log: $log"
	# The kernel's command line is split at spaces: join with commas.
	# In the background, with wait: bash runs a trap (a Ctrl-C, a TERM)
	# only once the foreground command ends, and qemu must not outlive
	# this script.
	VM_FILES=$(IFS=,; echo "$*") run_qemu "$accel" "$mode" "$VM_TIMEOUT" |
		tee "$log" &
	wait $! || true
	say "the VM ran for $(($(date +%s) - start))s"
	status=$(sed -n 's/^vm-guest: \(suite \)*status \([0-9]*\)$/\2/p' "$log" |
		tail -n 1)
	if [ -z "$status" ]; then
		if grep -q 'Kernel panic' "$log"; then
			say "the guest kernel panicked; see $log"
		elif [ "$(($(date +%s) - start))" -ge "$VM_TIMEOUT" ]; then
			say "the VM did not finish in ${VM_TIMEOUT}s; stopped; see $log"
		else
			say "the VM stopped without a result; see $log"
		fi
		return 1
	fi
	return "$status"
}

case "${1:-}" in
prepare) prepare ;;
shell) shell ;;
probe) probe ;;
test) shift; run_in_guest test "$@" ;;
run)
	[ "$#" -eq 2 ] || { echo "usage: tools/vm.sh run SCRIPT" >&2; exit 2; }
	run_in_guest run "$2" ;;
*) echo "usage: tools/vm.sh prepare | shell | probe | test [FILE...]" \
	"| run SCRIPT" >&2
	exit 2 ;;
esac
