#!/usr/bin/env bash
# Print what the host holds that a container run could leave behind,
# one sorted line per thing: mounts, network links and namespaces,
# cgroups, state files, nft tables and ip_forward, processes in other
# pid namespaces or named container*, and the hostname. The suite prints this before and after and compares.
# It runs twice per test, so it starts as few programs as it can: bash
# reads the files itself, and each program it starts costs a fork and
# an exec, a tenth of a second or more in the lab VM's emulation.
set -euo pipefail
shopt -s nullglob

{
	# Mount points of the mount namespace we are in.
	while read -r _ _ _ _ point _; do
		echo "mount $point"
	done </proc/self/mountinfo
	# Network links and the named network namespaces (ip netns's).
	for link in /sys/class/net/*; do
		echo "link ${link##*/}"
	done
	for netns in /run/netns/*; do
		echo "netns ${netns##*/}"
	done
	# (process_api: this workplace's own per-command cgroups.)
	find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d \
		! -path '*/process_api*' -printf 'cgroup %p\n' 2>/dev/null || true
	# The runtime's state files (address locks from stage 7, state files
	# from stage 9, OCI containers' from stage 10); a rootless user's
	# without XDG_RUNTIME_DIR.
	find /run/container.c /run/container.c-oci /tmp/container.c-* \
		-printf 'state %p\n' 2>/dev/null || true
	# The copies of the rootfs and binaries that rootless tests make.
	for copy in /tmp/container-rootless.*; do
		echo "copy $copy"
	done
	# Firewall tables (the NAT lab's) and IP forwarding.
	if command -v nft >/dev/null; then
		while read -r table; do
			echo "nft $table"
		done < <(nft list tables 2>/dev/null || true)
	fi
	read -r forward </proc/sys/net/ipv4/ip_forward
	echo "ip_forward $forward"
	read -r host </proc/sys/kernel/hostname
	echo "hostname $host"
	# Processes: a container's live in another pid namespace. One find
	# for every pid's namespace, one awk for every name; this shell's
	# own namespace is the host's. A zombie whose parent is the host's
	# init (PID 1) is dead already, and init's to reap: a runtime killed
	# with SIGKILL leaves its container's so, and some inits (this
	# CI's) reap only every second or two.
	find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/pid' \
		-printf '%h %l\n' 2>/dev/null |
		awk -v me="/proc/$$" '
			FNR == NR { sub(/\/ns$/, "", $1); ns[$1] = $2; next }
			{
				self = ns[me]
				dir = FILENAME; sub(/\/comm$/, "", dir)
				if (!(dir in ns) || ns[dir] == "") next
				if (ns[dir] != self || $0 ~ /^container/) {
					stat = ""
					getline stat < (dir "/stat")
					close(dir "/stat")
					sub(/^.*\) /, "", stat)   # after "(comm) "
					if (stat ~ /^Z 1 /) next
					pid = dir; sub(/^\/proc\//, "", pid)
					print "process " pid " " $0 " " ns[dir]
				}
			}' - /proc/[0-9]*/comm 2>/dev/null || true
} | LC_ALL=C sort
