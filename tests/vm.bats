#!/usr/bin/env bats
# The lab VM's own promises, checked from the host: a missing kernel
# package, a panic and a hang each give one clear reason, and leave no
# qemu process and no temporary file behind. (Inside the VM these
# would boot a VM in a VM: they run on the host only.)

load helpers

setup() {
	open_test_dirs
	if [ -f /run/container-lab-vm ]; then
		skip "boots a VM: runs on the host lane only"
	fi
	snapshot_host
}

teardown() {
	[ -z "${TMUX_SOCKET:-}" ] || tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || true
	pkill -KILL -f -- "-pidfile $PROJECT/build/vm/qemu.pid" 2>/dev/null || true
	cd /
	check_host_unchanged
}

# The qemu of the VM in DIR: its command line names DIR's pidfile,
# which no other qemu's does (CI's lab VM lane boots one of its own
# meanwhile, in another directory).
qemu_of() {
	pgrep -f -- "-pidfile $1/qemu.pid"
}

# No qemu of the VM in DIR running and no half-made file in DIR.
nothing_left() {
	run qemu_of "$1"
	assert_failure
	run find "$1" -maxdepth 1 \( -name '*.tmp' -o -name 'initramfs.*' \
		-o -name download -o -name qemu.pid \) ! -name initramfs.cpio.gz
	assert_output ""
}

@test "vm: a kernel package that cannot be had is one clear line, and nothing is left" {
	local dir=$BATS_TEST_TMPDIR/vm
	VM_DIR=$dir VM_KERNEL_PACKAGE=linux-image-no-such-version \
		run "$PROJECT/tools/vm.sh" prepare
	assert_failure
	assert_line "vm: apt-get download linux-image-no-such-version failed: no such package in apt's lists?"
	nothing_left "$dir"
	[ ! -e "$dir/kernel" ]
}

@test "vm: a guest kernel panic is reported as one, and qemu is gone" {
	VM_APPEND="rdinit=/no/such/init root=/dev/null" VM_TIMEOUT=120 \
		run "$PROJECT/tools/vm.sh" test
	assert_failure
	assert_line --regexp "^vm: the guest kernel panicked; see .*console.log$"
	nothing_left "$PROJECT/build/vm"
}

@test "vm: a VM that does not finish in time is stopped, with its log kept" {
	VM_TIMEOUT=4 run "$PROJECT/tools/vm.sh" test
	assert_failure
	assert_line --regexp "^vm: the VM did not finish in 4s; stopped; see .*console.log$"
	[ -s "$PROJECT/build/vm/console.log" ]
	nothing_left "$PROJECT/build/vm"
}

@test "vm: boots to the guest and shows pure cgroup v2 with cpu, memory, pids and io" {
	run "$PROJECT/tools/vm.sh" probe
	assert_success
	assert_line --regexp '^vm-guest: cgroup2 controllers: .*'
	local controllers
	controllers=$(sed -n 's/^vm-guest: cgroup2 controllers: //p' <<<"$output")
	for c in cpu memory pids io; do
		[[ " $controllers " == *" $c "* ]] || fail "no $c in: $controllers"
	done
	assert_line "vm-guest: no cgroup v1 hierarchy is mounted"
	nothing_left "$PROJECT/build/vm"
}

@test "vm: stopping tools/vm.sh stops its qemu too" {
	VM_TIMEOUT=300 "$PROJECT/tools/vm.sh" test >/dev/null 2>&1 &
	local script=$!
	wait_until qemu_of "$PROJECT/build/vm" >/dev/null ||
		fail "qemu never started"
	kill -TERM "$script"
	local code=0
	wait "$script" || code=$?
	assert_equal "$code" 143
	wait_until eval '! qemu_of "$PROJECT/build/vm" >/dev/null' ||
		fail "qemu outlived tools/vm.sh"
	nothing_left "$PROJECT/build/vm"
}

# What the tmux server of the test shows: its whole scrollback, without
# empty lines.
vm_screen() {
	tmux -S "$TMUX_SOCKET" capture-pane -p -S -2000 -t vm 2>/dev/null |
		grep -v '^$' || true
}

# Wait at most SECONDS for a line of the screen to match PATTERN.
wait_for_vm_screen() {
	local seconds=$1 pattern=$2 _
	for _ in $(seq $((seconds * 2))); do
		vm_screen | grep -qE -- "$pattern" && return 0
		sleep 0.5
	done
	echo "the terminal never showed /$pattern/:" >&2
	vm_screen | tail -n 40 >&2
	return 1
}

@test "vm: make vm is a shell where lab 6's page and check work as written, kernel messages off the screen, exit powers off" {
	TMUX_SOCKET=$BATS_TEST_TMPDIR/tmux
	# As a learner starts it, at a terminal: here tmux's, 200 x 50.
	tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s vm -x 200 -y 50 \
		"cd '$PROJECT' && make vm; echo make-vm-ended-$?; sleep 600"
	wait_for_vm_screen 600 '^root@container-lab:/tmp/project# ?$'
	vm_screen | grep -E "^vm-guest: (copying the host's busybox rootfs|building the rootfs)" \
		>/dev/null || fail "no rootfs was made ready on the way in"
	# The page's commands for the VM, run from that shell and compared
	# with the page by the labs' own tool, then the lab's check.
	tmux -S "$TMUX_SOCKET" send-keys -t vm -l \
		"tools/lab-output.sh --tag cgroup2 labs/06-cgroups/README.md; sudo labs/06-cgroups/check; echo lab-6-done"
	tmux -S "$TMUX_SOCKET" send-keys -t vm Enter
	wait_for_vm_screen 600 '^lab-6-done$'
	run vm_screen
	assert_line --regexp '^lab-output: [1-9][0-9]* commands, 0 not as the page says$'
	assert_line --regexp '^check: [1-9][0-9]* passed, 0 failed$'
	# The check's memory hog met the OOM killer: its report is in the
	# kernel's log, not on the learner's screen.
	refute_output --partial "Memory cgroup out of memory"
	refute_output --partial "oom-kill:"
	tmux -S "$TMUX_SOCKET" send-keys -t vm -l "exit"
	tmux -S "$TMUX_SOCKET" send-keys -t vm Enter
	wait_for_vm_screen 60 '^make-vm-ended-0$'
	tmux -S "$TMUX_SOCKET" kill-server
	nothing_left "$PROJECT/build/vm"
}
