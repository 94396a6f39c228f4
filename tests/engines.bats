#!/usr/bin/env bats
# Stage 10 under the engines that call it, podman 4.3 (through conmon)
# and containerd 1.6 (through its runc shim), each with a store of its
# own in the test's directory; and what needs pure cgroup v2. CI runs
# this file on the host and in the lab VM, where podman's defaults
# (its pids limit) hold as they are.

load helpers
load oci-helpers


@test "oci: podman run -it: a shell in our container, typed into in tmux" {
	use_podman
	# podman as a script, for tmux to run in its terminal.
	{
		[ -z "${CONTAINERS_CONF:-}" ] ||
			printf 'export CONTAINERS_CONF=%q\n' "$CONTAINERS_CONF"
		printf '%q ' podman "${PODMAN_ARGS[@]}" run -it --rm "$PARENT" \
			--network none --ulimit nofile=1024:1024 \
			--ulimit nproc=1024:1024 --rootfs "$ROOTFS" sh
		printf '\necho "podman exited $?"; sleep 60\n'
	} >podman-it.sh
	TMUX_SOCKET=$BATS_TEST_TMPDIR/tmux
	tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s t -x 100 -y 30 \
		"bash $BATS_TEST_TMPDIR/podman-it.sh"
	pane() { tmux -S "$TMUX_SOCKET" capture-pane -p -t t; }
	wait_long eval 'pane | grep -qE "# ?$"' ||
		fail "no prompt: $(pane; cat podman-it.sh)"
	tmux -S "$TMUX_SOCKET" send-keys -t t -l 'tty; stty size; echo $((6 * 7))'
	tmux -S "$TMUX_SOCKET" send-keys -t t Enter
	wait_long eval 'pane | grep -qx 42' || fail "no answer: $(pane)"
	run pane
	assert_line /dev/pts/0
	assert_line "30 100"
	tmux -S "$TMUX_SOCKET" send-keys -t t -l 'exit 7'
	tmux -S "$TMUX_SOCKET" send-keys -t t Enter
	wait_long eval 'pane | grep -q "podman exited"' || fail "$(pane)"
	run pane
	assert_line "podman exited 7"
}

@test "oci: ctr run -t: containerd's shim reads create's output to its end, then starts the terminal's container" {
	local dir=$BATS_TEST_TMPDIR/containerd
	use_containerd "$dir"
	# --foreground: ctr sets the terminal raw, which a process outside
	# its foreground group may not do (SIGTTOU stops it).
	printf '%q ' timeout --foreground 60 ctr --address "$dir/sock" run --rm -t \
		--runc-binary "$OCI" --rootfs "$ROOTFS" c1 sh -c 'tty; exit 3' \
		>ctr-t.sh
	printf '\necho "ctr exited $?"; sleep 60\n' >>ctr-t.sh
	TMUX_SOCKET=$BATS_TEST_TMPDIR/tmux
	tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s t -x 100 -y 30 \
		"bash $BATS_TEST_TMPDIR/ctr-t.sh"
	pane() { tmux -S "$TMUX_SOCKET" capture-pane -p -t t; }
	wait_long eval 'pane | grep -q "ctr exited"' || fail "$(pane)"
	run pane
	assert_line /dev/pts/0
	assert_line "ctr exited 3"
	stop_containerd
}

@test "oci: exec into a container whose init moved to a cgroup below its own joins the init's, as runc's does" {
	pure_v2 || skip "needs pure cgroup v2: the hybrid's v2 has no controller to enable"
	local cg=/sys/fs/cgroup/container.c-oci-test/c1
	# A pids limit: so the cgroup has the pids controller to give on.
	make_bundle b 'c["linux"]["cgroupsPath"] = "/container.c-oci-test/c1"
c["linux"]["resources"]["pids"] = {"limit": 100}' sleep 100
	oci create --bundle b c1 >/dev/null
	oci start c1
	# What a systemd in the container would do: the init into a cgroup
	# below, and a controller for the cgroups below. Processes may no
	# longer join the container's own cgroup (EBUSY).
	mkdir "$cg/init"
	echo "$(state_field c1 pid)" >"$cg/init/cgroup.procs"
	echo +pids >"$cg/cgroup.subtree_control"
	run sh -c "echo \$\$ >$cg/cgroup.procs"
	assert_failure
	run oci exec c1 cat /proc/self/cgroup
	assert_success
	assert_output "0::/init"
	oci delete --force c1
}

@test "oci: podman's --cpu-shares and --cpuset-cpus and ctr's --cpu-shares become cpu.weight and cpuset.cpus, written by ours" {
	if ! pure_v2; then
		# The hybrid binds cpu and cpuset to v1: refused, in one line.
		make_bundle b 'c["linux"]["resources"]["cpu"] = {"shares": 512}' true
		run_create --bundle b c1
		assert_failure 125
		assert_output --regexp "^container: linux.resources needs the cpu controller of cgroup v2, but this machine binds it to cgroup v1 at [^ ]+ \(a v1/v2 hybrid\); the lab VM has pure v2 \(sudo make vm\)$"
		skip "needs pure cgroup v2 for the rest: the hybrid binds cpu and cpuset to v1"
	fi
	use_podman
	# 512 shares, half a CPU's 1024: a weight of 50, half the default.
	run podman_ run --rm "$PARENT" --network none --ulimit nofile=1024:1024 \
		--ulimit nproc=1024:1024 --cpu-shares 512 --cpuset-cpus 0 \
		--rootfs "$ROOTFS" cat /sys/fs/cgroup/cpu.weight \
		/sys/fs/cgroup/cpuset.cpus
	assert_success
	assert_equal "${lines[*]}" "50 0"
	local dir=$BATS_TEST_TMPDIR/containerd
	use_containerd "$dir"
	# ctr mounts no cgroup tree in the container: its cgroup is read
	# here, where containerd put it (/NAMESPACE/ID).
	local ctr=(timeout 60 ctr --address "$dir/sock")
	"${ctr[@]}" run -d --runc-binary "$OCI" --cpu-shares 256 \
		--rootfs "$ROOTFS" c1 sleep 100
	assert_equal "$(cat /sys/fs/cgroup/default/c1/cpu.weight)" 25
	"${ctr[@]}" task kill -s SIGKILL c1
	wait_long eval '"${ctr[@]}" task ls | grep -q "^c1 .*STOPPED"' ||
		fail "c1 did not stop: $("${ctr[@]}" task ls)"
	"${ctr[@]}" task delete c1
	"${ctr[@]}" container delete c1
	stop_containerd
}

@test "oci: podman runs its containers through container.c: output, exit status, stop, rm" {
	use_podman
	run podman_ run --rm "$PARENT" --network none --ulimit nofile=1024:1024 \
		--ulimit nproc=1024:1024 --rootfs "$ROOTFS" \
		sh -c 'echo hello from podman; grep Seccomp: /proc/self/status
			echo "pids.max $(cat /sys/fs/cgroup/pids.max)"; exit 3'
	assert_failure 3
	assert_line "hello from podman"
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	# podman's default limit on processes, set by ours, where cgroup
	# v2 has the pids controller (use_podman turns it off elsewhere).
	! pure_v2 || assert_line "pids.max 2048"
	run podman_ run -d "$PARENT" --network none --ulimit nofile=1024:1024 \
		--ulimit nproc=1024:1024 --rootfs "$ROOTFS" sleep 100
	assert_success
	id=${lines[-1]}
	# The tree: conmon is the container's parent, our runtime is gone.
	pid=$(podman_ inspect --format '{{.State.Pid}}' "$id")
	run ps -o comm= -p "$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")"
	assert_output conmon
	run pgrep -f "^$OCI.* create .*$id"
	assert_failure
	# Ours made it, in its default --root (conmon passes none): runc
	# keeps no file named init.
	assert [ -f "/run/container.c-oci/$id/init" ]
	# podman exec: through conmon, our exec --process --detach.
	run podman_ exec "$id" sh -c 'echo in the container; exit 6'
	assert_failure 6
	assert_output "in the container"
	run -127 podman_ exec "$id" no-such-program
	run podman_ stop -t 1 "$id"
	assert_success
	run podman_ inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id"
	assert_output "exited 137"
	podman_ rm "$id"
}

@test "oci: an image made from the rootfs runs under podman and, saved from it, under containerd" {
	use_podman
	local image=localhost/container-c-rootfs:test
	tar -C "$ROOTFS" -c . | podman_ import - "$image" >/dev/null
	run podman_ run --rm "$PARENT" --network none --ulimit nofile=1024:1024 \
		--ulimit nproc=1024:1024 "$image" sh -c 'echo from the image; exit 2'
	assert_failure 2
	assert_output "from the image"
	podman_ save -o image.tar "$image"
	# containerd's own copy of it, unpacked by copying (native), not
	# by overlay mounts that would outlive a failed test.
	local dir=$BATS_TEST_TMPDIR/containerd
	local ctr=(timeout 60 ctr --address "$dir/sock")
	use_containerd "$dir"
	"${ctr[@]}" images import --snapshotter native image.tar >/dev/null
	run "${ctr[@]}" run --rm --snapshotter native --runc-binary "$OCI" \
		"$image" c1 sh -c 'echo from the image in containerd; exit 3'
	assert_failure 3
	assert_output "from the image in containerd"
	stop_containerd
}

@test "oci: containerd runs a container through container.c, as a RuntimeClass would" {
	local dir=$BATS_TEST_TMPDIR/containerd
	use_containerd "$dir"
	run timeout 60 ctr --address "$dir/sock" run --rm --runc-binary "$OCI" \
		--rootfs "$ROOTFS" c1 sh -c 'echo hello from containerd; exit 4'
	assert_failure 4
	assert_output "hello from containerd"
	# A task that runs on, an exec in it (ctr task exec: the shim's
	# exec --process --detach), and its end.
	local ctr=(timeout 60 ctr --address "$dir/sock")
	"${ctr[@]}" run -d --runc-binary "$OCI" --rootfs "$ROOTFS" c2 sleep 100
	# Ours made it: runc keeps no file named init.
	assert [ -f /run/containerd/runc/default/c2/init ]
	run "${ctr[@]}" task exec --exec-id e1 c2 sh -c 'echo exec in containerd; exit 5'
	assert_failure 5
	assert_output "exec in containerd"
	"${ctr[@]}" task kill -s SIGKILL c2
	wait_long eval '"${ctr[@]}" task ls | grep -q "^c2 .*STOPPED"' ||
		fail "c2 did not stop: $("${ctr[@]}" task ls)"
	"${ctr[@]}" task delete c2
	"${ctr[@]}" container delete c2
	assert [ ! -e /run/containerd/runc/default/c2 ]
	stop_containerd
}

@test "oci: bench/engines.sh times podman and ctr with crun, runc and ours, and leaves nothing" {
	pure_v2 || skip "needs pure cgroup v2: crun refuses a v1/v2 hybrid"
	run "$PROJECT/bench/engines.sh" --runs 1
	assert_success
	local engine runtime own
	# The second table: the time of the runtime's own calls, which its
	# wrapper noted; none noted would be 0.0.
	assert_line "The runtime's own share of each run: its calls' time, summed:"
	own=$(sed -n "/^The runtime's own share/,\$p" <<<"$output")
	for engine in podman ctr; do
		for runtime in crun runc ours; do
			assert_line --regexp "^$engine +$runtime +[0-9.]+ +[0-9.]+ +[0-9.]+x$"
			grep -qE "^$engine +$runtime +[0-9.]*[1-9][0-9.]* " <<<"$own" ||
				fail "no time of $runtime's own calls under $engine: $own"
		done
	done
}
