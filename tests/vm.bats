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

# No qemu running and no half-made file in the VM's directory.
nothing_left() {
	run pgrep -x qemu-system-x86
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
	wait_until pgrep -x qemu-system-x86 >/dev/null ||
		fail "qemu never started"
	kill -TERM "$script"
	local code=0
	wait "$script" || code=$?
	assert_equal "$code" 143
	wait_until bash -c '! pgrep -x qemu-system-x86 >/dev/null' ||
		fail "qemu outlived tools/vm.sh"
	nothing_left "$PROJECT/build/vm"
}
