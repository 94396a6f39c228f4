#!/usr/bin/env bash
# Print what the host holds that a container run could leave behind,
# one sorted line per thing: mounts, network links and namespaces,
# cgroups, processes in other pid namespaces or named container*, and
# the hostname. The suite prints this before and after and compares.
set -euo pipefail

{
	# Mount points of the mount namespace we are in.
	awk '{ print "mount " $5 }' /proc/self/mountinfo
	ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2);
		print "link " $2 }'
	ip netns list 2>/dev/null | awk '{ print "netns " $1 }'
	# (process_api: this workplace's own per-command cgroups.)
	find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d 2>/dev/null |
		grep -v '/process_api' | sed 's/^/cgroup /'
	echo "hostname $(hostname)"
	# Processes: a container's live in another pid namespace.
	self=$(readlink /proc/self/ns/pid)
	for dir in /proc/[0-9]*; do
		ns=$(readlink "$dir/ns/pid" 2>/dev/null) || continue
		comm=$(cat "$dir/comm" 2>/dev/null) || continue
		if [ "$ns" != "$self" ] || [[ $comm == container* ]]; then
			echo "process ${dir#/proc/} $comm $ns"
		fi
	done
} | LC_ALL=C sort
