#!/bin/busybox sh
# /init of the lab VM's initramfs (tools/vm.sh builds it). Loads the
# modules, mounts the host's / (shared read-only over 9p) as the new
# root with tmpfs where the guest must write, and hands over to
# tools/vm-guest.sh there.
# shellcheck shell=sh
set -eu

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
	echo "vm-init: $*"
	poweroff -f
}

while read -r module; do
	insmod "/modules/$module" || fail "insmod $module"
done </modules/order

# cache=loose: the host does not change its files while the VM runs,
# and programs start much faster.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 \
	hostroot /newroot || fail "mount the host's root over 9p"
# The project may live under /tmp or /root on the host, which the
# tmpfs below will cover: hold on to it first, show it at
# /run/host-project after.
project=$(sed -n 's/.*vm\.project=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir /project
mount --bind "/newroot$project" /project || fail "bind $project"
for dir in tmp run root var/tmp; do
	mount -t tmpfs -o mode=755 tmpfs "/newroot/$dir" ||
		fail "mount tmpfs on /$dir"
done
chmod 1777 /newroot/tmp /newroot/var/tmp
mkdir /newroot/run/host-project
mount --move /project /newroot/run/host-project

mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
# switch_root, not chroot: a chrooted process may not make a user
# namespace, and stage 5 needs one.
exec switch_root /newroot /bin/bash /run/host-project/tools/vm-guest.sh
