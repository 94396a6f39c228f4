#!/usr/bin/env bash
# Print what the host holds that a container run could leave behind,
# one sorted line per thing: mounts, network links and namespaces,
# cgroups, state files, nft tables and ip_forward, processes in other
# pid namespaces or named container*, and the hostname. The suite prints this before and after and compares.
# It runs twice per test, so it forks little (the lab VM is slow).
set -euo pipefail

self=$(readlink /proc/self/ns/pid)
{
	# Mount points of the mount namespace we are in.
	awk '{ print "mount " $5 }' /proc/self/mountinfo
	ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2);
		print "link " $2 }'
	ip netns list 2>/dev/null | awk '{ print "netns " $1 }'
	# (process_api: this workplace's own per-command cgroups.)
	find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d 2>/dev/null |
		awk '!/\/process_api/ { print "cgroup " $0 }'
	# The runtime's state files (address locks from stage 7, state files
	# from stage 9, OCI containers' from stage 10); a rootless user's
	# without XDG_RUNTIME_DIR.
	find /run/container.c /run/container.c-oci /tmp/container.c-* \
		2>/dev/null |
		awk '{ print "state " $0 }' || true
	# Firewall tables (the NAT lab's) and IP forwarding.
	if command -v nft >/dev/null; then
		nft list tables 2>/dev/null | awk '{ print "nft " $0 }' || true
	fi
	echo "ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"
	echo "hostname $(hostname)"
	# Processes: a container's live in another pid namespace. One find
	# for every pid's namespace, one awk for every name. A zombie whose
	# parent is the host's init (PID 1) is dead already, and init's to
	# reap: a runtime killed with SIGKILL leaves its container's so,
	# and some inits (this CI's) reap only every second or two.
	find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/pid' \
		-printf '%h %l\n' 2>/dev/null |
		awk -v self="$self" '
			FNR == NR { sub(/\/ns$/, "", $1); ns[$1] = $2; next }
			{
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
