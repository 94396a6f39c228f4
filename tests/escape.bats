#!/usr/bin/env bats
# The escape lab, labs/08-hardening/escape.sh: classic escapes and
# abuses tried in a container of every stage. Each must work (ESCAPED)
# at the stage before the one that closes it, and fail (BLOCKED) from
# that stage on, stage 9 included: so each attempt is shown able to
# succeed, and each closing stage is the one the course says.

load helpers

# The lab runs once, every attempt at every stage, and must leave the
# host as it found it; each test then reads its attempt's rows.
setup_file() {
	"$PROJECT/tests/host-state.sh" >"$BATS_FILE_TMPDIR/before"
	"$PROJECT/labs/08-hardening/escape.sh" --build "$BUILD" --tsv >"$BATS_FILE_TMPDIR/lab.tsv" \
		2>"$BATS_FILE_TMPDIR/lab.err" || true
	"$PROJECT/tests/host-state.sh" >"$BATS_FILE_TMPDIR/after"
}

# ATTEMPT must be ESCAPED at every stage below CLOSED_BY and BLOCKED at
# every stage from it on. A stage where this machine cannot tell skips
# the test with the lab's reason, if that stage matters.
closed_by() {
	local attempt=$1 from=$2 stage result message wrong=()
	[ -s "$BATS_FILE_TMPDIR/lab.tsv" ] ||
		fail "the lab printed nothing: $(cat "$BATS_FILE_TMPDIR/lab.err")"
	while IFS=$'\t' read -r stage result message; do
		case $result in
		ESCAPED) [ "$stage" -lt "$from" ] || wrong+=("$stage:ESCAPED($message)") ;;
		BLOCKED) [ "$stage" -ge "$from" ] || wrong+=("$stage:BLOCKED($message)") ;;
		*)
			[[ $message != *"cgroup v1"* ]] ||
				message="needs pure cgroup v2 (the lab VM runs it): $message"
			# Only the stage before and the stages from on matter.
			[ "$stage" -lt $((from - 1)) ] || skip "$message" ;;
		esac
	done < <(awk -F'\t' -v a="$attempt" '$1 == a { print $2 "\t" $3 "\t" $4 }' \
		"$BATS_FILE_TMPDIR/lab.tsv")
	[ "${#wrong[@]}" -eq 0 ] || fail "$attempt wrong at: ${wrong[*]}"
	assert_equal "$(grep -c "^$attempt	" "$BATS_FILE_TMPDIR/lab.tsv")" "${#ALL_STAGES[@]}"
}

@test "escape lab: the whole run left the host as it found it" {
	diff "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	assert_equal "$(cut -f1 "$BATS_FILE_TMPDIR/lab.tsv" | sort -u | wc -l)" 19
}

@test "escape lab: signal or trace a host process: closed by stage 1 (pid namespace)" {
	closed_by kill-host 1
}

@test "escape lab: reboot the host: closed by stage 1 (reboot ends only the pid namespace)" {
	closed_by reboot 1
}

@test "escape lab: sniff the host's network with a raw socket: closed by stage 1 (net namespace)" {
	closed_by raw-socket 1
}

@test "escape lab: the host's / through /proc/PID/root of a host process: closed by stage 4 (stage 3's fresh /proc only covers the host's, which umount uncovers)" {
	closed_by proc-root 4
}

@test "escape lab: join a host process's namespaces through /proc/PID/ns: closed by stage 4 (pivot_root takes the host's /proc away)" {
	closed_by proc-ns 4
}

@test "escape lab: the chroot double escape: closed by stage 4 (pivot_root, the old root detached)" {
	closed_by chroot 4
}

@test "escape lab: type into the caller's terminal (TIOCSTI): closed by stage 4 (a terminal of its own)" {
	closed_by terminal 4
}

@test "escape lab: open a device node the rootfs holds: closed by stage 4 (the rootfs is nodev)" {
	closed_by device-node 4
}

@test "escape lab: mount the host's disk: closed by stage 5 (user namespace)" {
	closed_by mount-disk 5
}

@test "escape lab: remount /sys read-write: closed by stage 5 (user namespace)" {
	closed_by remount-sys 5
}

@test "escape lab: read a host file by open_by_handle_at: closed by stage 5 (user namespace)" {
	closed_by open-by-handle 5
}

@test "escape lab: write /proc/sysrq-trigger or /proc/sys: closed by stage 5 (user namespace)" {
	closed_by write-proc 5
}

@test "escape lab: load a kernel module: closed by stage 5 (user namespace)" {
	closed_by module 5
}

@test "escape lab: set the host's clock: closed by stage 5 (user namespace)" {
	closed_by clock 5
}

@test "escape lab: a fork bomb: closed by stage 6 (--pids-limit)" {
	closed_by fork-bomb 6
}

@test "escape lab: a memory bomb: closed by stage 6 (--memory)" {
	closed_by memory-bomb 6
}

@test "escape lab: read the host kernel's /proc files: closed by stage 8 (masked paths)" {
	closed_by read-kernel-info 8
}

@test "escape lab: a user namespace of its own, to mount in: closed by stage 8 (seccomp)" {
	closed_by userns 8
}

@test "escape lab: the kernel's keyrings: closed by stage 8 (seccomp)" {
	closed_by keyring 8
}

@test "escape lab: the table names the closing stage of each attempt" {
	run "$PROJECT/labs/08-hardening/escape.sh" --build "$BUILD" --only reboot,chroot,keyring
	assert_success
	# Stage 10's cell is under its two digits.
	assert_line --regexp '^reboot +reboot the host +E B B B B B B B B B  B  stage 1$'
	assert_line --regexp '^chroot +.* E E E E B B B B B B  B  stage 4$'
	assert_line --regexp '^keyring +.* E E E E E E E E B B  B  stage 8$'
	assert_line "escape: the last stage tried blocks every attempt"
}
