#!/usr/bin/env bats
# The container's life: it dies with its runtime, a signal it ignores
# is followed by SIGKILL after --stop-timeout, and --init gives it a
# PID 1 that passes signals on and reaps zombies.

load helpers

# A test that failed half-way may leave a runtime it started in the
# background: end it, so that one failure does not make the next.
# shellcheck disable=SC2034 # read by teardown(), in helpers.bash
LEFTOVER_PATTERN='(.*sleep 7[456][0-9][0-9]|--name (watched|early|later|reused|stopped|killed|mine) )'

# Is the host as the test found it? (check_host_unchanged, quietly)
host_as_before() {
	check_host_unchanged 2>/dev/null
}

# Is the process PID gone (not even a zombie)?
gone() {
	[ ! -e "/proc/$1" ]
}

# Holds when the container's command dies with a runtime killed by
# SIGKILL, which the runtime cannot catch.
dies_with_runtime() {
	local stage=$1 marker=$((7400 + $1)) runtime pid
	"$BUILD/container-$stage" run "$ROOTFS" sleep "$marker" &
	runtime=$!
	pid=$(pid_of sleep "$marker") || return 1
	kill -KILL "$runtime"
	wait "$runtime" || true
	wait_until gone "$pid" || { kill -KILL "$pid"; return 1; }
}

@test "stage 0: a runtime killed by SIGKILL takes its container with it" {
	ladder 0 dies_with_runtime 0 1 2 3 4 5
}

@test "stage 9: after a runtime killed by SIGKILL, container cleanup removes what it left" {
	dies_with_runtime 9 || fail "the container outlived its runtime"
	# Its cgroup and state file are left: a SIGKILL cannot be caught.
	[ -e /run/container.c ] || fail "no state file was left to clean"
	# Its name stays taken until cleanup has read what the file says.
	local files=(/run/container.c/c-*) name
	name=${files[0]##*/}
	run container run --name "$name" "$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: a container named $name left its state behind: container cleanup $name"
	[ -s "/run/container.c/$name" ] || fail "the refused run removed the state file"
	run "$BUILD/container" cleanup
	assert_success
	assert_line --regexp '^removed the cgroup c-[0-9a-f]{8} left behind$'
	assert_line --regexp '^removed the state file c-[0-9a-f]{8} left behind$'
}

@test "stage 9: SIGKILL at any point of the set-up: the container dies, cleanup leaves nothing" {
	local delay runtime
	for delay in 0 0.001 0.002 0.004 0.006 0.01 0.015 0.02 0.03 0.05 0.08; do
		"$BUILD/container" run --name "kill-$delay" "$ROOTFS" \
			sleep 7450 2>/dev/null &
		runtime=$!
		sleep "$delay"
		kill -KILL "$runtime"
		wait "$runtime" || true
	done
	run "$BUILD/container" cleanup
	assert_success
	refute_output --partial "container:"
	# The containers die with their runtimes, and their zombies are
	# reaped by the host's init, perhaps a moment later: then nothing
	# of ours may be left, not even a zombie.
	wait_until host_as_before || true
	# The teardown checks that nothing of ours is left.
}

# A command that ignores SIGTERM, even when it is not PID 1.
IGNORES_TERM='trap "" TERM; echo ready; while :; do sleep 0.1; done'

@test "stage 0: --stop-timeout: a command that ignores SIGTERM is killed that many seconds later" {
	local stage
	for stage in 0 "$TOP_STAGE"; do
		"$BUILD/container-$stage" run --stop-timeout 2 "$ROOTFS" \
			sh -c "$IGNORES_TERM" >"$BATS_TEST_TMPDIR/out" &
		local runtime=$! code=0
		wait_until grep -q ready "$BATS_TEST_TMPDIR/out"
		kill -TERM "$runtime"
		sleep 1
		kill -0 "$runtime" || fail "stage $stage: ended before 2 s"
		wait "$runtime" || code=$?
		assert_equal "$code" 137
	done
}

@test "stage 0: --stop-timeout 0 kills at the first signal; bad values are one line" {
	"$BUILD/container" run --stop-timeout 0 "$ROOTFS" sh -c "$IGNORES_TERM" \
		>"$BATS_TEST_TMPDIR/out" &
	local runtime=$! code=0
	wait_until grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM "$runtime"
	wait "$runtime" || code=$?
	assert_equal "$code" 137
	local value
	for value in abc -1 1.5 86401 ""; do
		run container run --stop-timeout "$value" "$ROOTFS" true
		assert_equal "$status" 125
		assert_output "container: --stop-timeout wants seconds, 0 to 86400, not $value (see container --help)"
	done
}

# How many zombies are in the pid namespace of process PID?
zombies_beside() {
	local ns p n=0
	ns=$(readlink "/proc/$1/ns/pid")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
		[ "$(awk '{ print $3 }' "$p/stat" 2>/dev/null)" != Z ] || n=$((n + 1))
	done
	echo "$n"
}

@test "stage 1: --init reaps the orphans that a plain PID 1 leaves as zombies" {
	# The subshell's sleep is orphaned and given to PID 1. Without
	# --init, PID 1 is the shell, which then becomes `sleep 7501`: it
	# never waits, and the orphan stays a zombie when it ends.
	local init marker runtime pid
	for init in "" --init; do
		marker=$((7501 + ${#init}))
		# shellcheck disable=SC2086 # "" is no option at all
		"$BUILD/container" run $init "$ROOTFS" sh -c \
			"(sleep 0.2 &); exec sleep $marker" &
		runtime=$!
		pid=$(pid_of sleep "$marker")
		sleep 1
		if [ -z "$init" ]; then
			[ "$(zombies_beside "$pid")" -ge 1 ] ||
				fail "no zombie without --init: the test cannot fail"
		else
			assert_equal "$(zombies_beside "$pid")" 0
		fi
		kill -KILL "$pid"
		wait "$runtime" || true
	done
}

@test "stage 1: with --init, the command is PID 2 and its exit status comes through" {
	run container run --init "$ROOTFS" sh -c 'echo $$; exit 3'
	assert_equal "$status" 3
	assert_output 2
	run container run --init "$ROOTFS" sh -c 'kill -TERM $$'
	assert_equal "$status" 143
	run -127 container run --init "$ROOTFS" no-such-command
	assert_output --partial "container: exec no-such-command: ENOENT"
}

@test "stage 1: with --init, SIGTERM ends a command that has no handler for it" {
	# As PID 1, sleep would ignore it; as PID 2 under the init, it dies.
	"$BUILD/container" run --init "$ROOTFS" sleep 7510 &
	local runtime=$! code=0
	pid_of sleep 7510 >/dev/null
	kill -TERM "$runtime"
	wait "$runtime" || code=$?
	assert_equal "$code" 143
}

@test "stage 9: stage 9's cleanup removes the empty cgroup a killed stage-6 runtime left, not a running one's" {
	# A runtime of stage 6 to 8 keeps no state file: its cgroup is all
	# there is, and only an empty one may be taken for a leftover.
	dies_with_runtime 6 || fail "the container outlived its runtime"
	"$BUILD/container-6" run --name running6 "$ROOTFS" sleep 7601 &
	local runtime=$! pid
	pid=$(pid_of sleep 7601)
	run container cleanup
	assert_success
	assert_line --regexp '^removed the cgroup c-[0-9a-f]{8} left behind$'
	refute_output --partial running6
	grep -q '^0::/container.c/running6$' "/proc/$pid/cgroup" ||
		fail "cleanup moved or ended the running stage-6 container"
	kill -KILL "$pid"
	wait "$runtime" || true
}

# ---- ps, exec, stop, kill: stage 9 -----------------------------------

# Does stage STAGE's binary know the lifecycle's commands? Each is
# given too few words: a binary that knows it says its usage.
knows_lifecycle() {
	local command
	for command in ps exec stop kill cleanup; do
		run ctr "$1" "$command" --no-such-option
		[[ $output != *"unknown command $command"* ]] || return 1
	done
}

@test "stage 9: ps, exec, stop, kill and cleanup are stage 9's: stage 8 has none" {
	ladder 9 knows_lifecycle
	run ctr 8 ps
	assert_equal "$status" 125
	assert_output "container: unknown command ps (see container --help)"
}

@test "stage 9: ps lists a running container by name, and not after it ended" {
	local limit=() memory=-
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		limit=(--memory 64m)
		memory=67108864
	fi
	"$BUILD/container" run --name listed "${limit[@]}" "$ROOTFS" sleep 7460 &
	local runtime=$!
	local pid
	pid=$(pid_of sleep 7460)
	run container ps
	assert_success
	assert_line --index 0 --regexp '^NAME +RUNTIME +PID +STAGE +(ADDRESS +)?CGROUP AND LIMITS$'
	assert_line --regexp "^listed +$runtime +$pid +$TOP_STAGE +(172\.30\.0\.[0-9]+ +)?/sys/fs/cgroup/.*container.c/listed memory.max=$memory cpu.max=- pids.max=-$"
	kill -KILL "$pid"
	wait "$runtime" || true
	run container ps
	refute_output --partial listed
}

@test "stage 9: exec sees the container's hostname, processes, mounts and cgroup" {
	# shellcheck disable=SC2046 # may_mount's words are options
	"$BUILD/container" run --name inside --hostname exhost \
		$(may_mount "$TOP_STAGE") "$ROOTFS" sh -c \
		'mount -t tmpfs none /tmp && touch /tmp/only-inside && exec sleep 7461' &
	local runtime=$!
	local pid
	pid=$(pid_of sleep 7461)
	run container exec inside sh -c 'hostname; ps -o pid,comm;
		ls /tmp; grep "^0::" /proc/self/cgroup;
		grep -qx $$ /sys/fs/cgroup/cgroup.procs && echo in-its-cgroup;
		id -u; exit 4'
	assert_equal "$status" 4
	assert_line --index 0 exhost
	assert_line --regexp '^ +1 sleep$'    # the container's PID 1
	assert_line only-inside               # a mount made inside
	assert_line "0::/"
	assert_line in-its-cgroup
	assert_equal "${lines[-1]}" 0         # root inside
	kill -KILL "$pid"
	wait "$runtime" || true
}

@test "stage 9: exec into a name that does not run is one line, 125; a missing command 127" {
	run container exec nothing-here true
	assert_equal "$status" 125
	assert_output "container: no container named nothing-here is running (container ps lists them)"
	"$BUILD/container" run --name target "$ROOTFS" sleep 7462 &
	local runtime=$! pid
	pid=$(pid_of sleep 7462)
	run -127 container exec target no-such-command
	assert_output --partial "container: exec no-such-command: ENOENT"
	kill -KILL "$pid"
	wait "$runtime" || true
}

@test "stage 9: names: a running one is refused, free again after; cleanup leaves it alone" {
	"$BUILD/container" run --name once "$ROOTFS" sleep 7463 &
	local runtime=$! pid
	pid=$(pid_of sleep 7463)
	run container run --name once "$ROOTFS" true
	assert_equal "$status" 125
	assert_output "container: a container named once is running"
	run container cleanup once
	assert_equal "$status" 125
	assert_output "container: once is running: end it first"
	kill -KILL "$pid"
	wait "$runtime" || true
	run container run --name once "$ROOTFS" echo free-again
	assert_success
	assert_output free-again
}

@test "stage 9: a name is claimed although a command that only looks holds its free lock for a moment" {
	# ps, exec and cleanup learn that a state file's lock is free by
	# taking it: a runtime that claims the name then waits a moment
	# instead of calling the name taken. flock(1) plays the looker.
	mkdir -p /run/container.c
	: >/run/container.c/peeked
	flock /run/container.c/peeked sleep 0.1 &
	local looker=$!
	wait_until flock_held /run/container.c/peeked
	run container run --name peeked --network none "$ROOTFS" echo claimed
	wait "$looker"
	if [ -e /run/container.c/peeked ]; then
		rm /run/container.c/peeked
		rmdir /run/container.c
		fail "the state file was left ($status: $output)"
	fi
	assert_success
	assert_output claimed
}

# A PID 1 that ends with status 3 on SIGTERM and 4 on SIGHUP.
TRAPS='trap "exit 3" TERM; trap "exit 4" HUP; echo ready; while :; do sleep 0.1; done'

# Start a container NAME of the finished program in the background,
# with ARGS after its name, and wait until its command has started (its
# state file names its first process): the runtime's pid in RUNTIME.
start_named() {
	local name=$1
	shift
	"$BUILD/container" run --name "$name" --network none "$@" \
		>"$BATS_TEST_TMPDIR/$name.out" &
	RUNTIME=$!
	wait_until grep -qE '^[0-9]+ [1-9]' "/run/container.c/$name"
	wait_until grep -q ready "$BATS_TEST_TMPDIR/$name.out"
}

@test "stage 9: stop: SIGTERM, and SIGKILL after the timeout; the name is free when it returns" {
	local code=0
	# A command that ignores SIGTERM: SIGKILL, after -t 1.
	start_named stopped "$ROOTFS" sh -c "$IGNORES_TERM"
	run timeout 8 "$BUILD/container" stop -t 1 stopped
	assert_success
	assert_output stopped
	wait "$RUNTIME" || code=$?
	assert_equal "$code" 137
	# The name and the state file are free the moment stop returns.
	[ ! -e /run/container.c/stopped ] || fail "stop returned before the runtime had cleaned up"
	run container run --name stopped --network none "$ROOTFS" echo free
	assert_output free
	# A command that ends on SIGTERM ends with its own status.
	code=0
	start_named stopped "$ROOTFS" sh -c "$TRAPS"
	run container stop --timeout 30 stopped
	assert_success
	wait "$RUNTIME" || code=$?
	assert_equal "$code" 3
}

@test "stage 9: stop waits the container's own --stop-timeout unless told" {
	local code=0
	# 1 s, not Docker's 10: `timeout 8` would end a stop that waited 10.
	start_named stopped --stop-timeout 1 "$ROOTFS" sh -c "$IGNORES_TERM"
	run timeout 8 "$BUILD/container" stop stopped
	assert_success
	wait "$RUNTIME" || code=$?
	assert_equal "$code" 137
}

@test "stage 9: kill: SIGKILL unless told; a signal by name, number or --signal" {
	local code signal want
	for signal in "" TERM SIGHUP 15 "-s HUP" "--signal=TERM"; do
		start_named killed "$ROOTFS" sh -c "$TRAPS"
		case $signal in
		"") want=137 ;;
		*HUP) want=4 ;;
		*) want=3 ;;
		esac
		# shellcheck disable=SC2086 # "-s HUP" is two words
		case $signal in
		-*) run container kill $signal killed ;;
		*) run container kill killed $signal ;;
		esac
		assert_success
		assert_output killed
		code=0
		wait "$RUNTIME" || code=$?
		assert_equal "$code" "$want"
	done
}

@test "stage 9: stop and kill: a bad signal, a name that does not run, or a missing name is one line, 125" {
	local line
	start_named killed "$ROOTFS" sh -c "$TRAPS"
	for line in "kill killed NOSIG|container: no signal named NOSIG (signal(7) lists them: TERM, KILL, HUP, ...; or give its number)" \
		"kill -s 99 killed|container: no signal named 99 (signal(7) lists them: TERM, KILL, HUP, ...; or give its number)" \
		"stop -t x killed|container: --timeout wants seconds, 0 to 86400, not x (see container --help)" \
		"kill nothing-here|container: no container named nothing-here is running (container ps lists them)" \
		"stop nothing-here|container: no container named nothing-here is running (container ps lists them)" \
		"stop|container: usage: container stop [--timeout SECONDS] NAME (see container --help)" \
		"kill -s|container: missing value for -s (see container --help)" \
		"exec killed|container: usage: container exec [--verbose] NAME COMMAND [ARG...] (see container --help)" \
		"cleanup ../killed|container: no container may be named ../killed (see container --help)" \
		"kill -t 1 killed|container: kill takes no --timeout (see container --help)"; do
		# shellcheck disable=SC2086 # the words of the command line
		run container ${line%%|*}
		assert_equal "$status" 125
		assert_output "${line#*|}"
	done
	# And the container was left alone.
	grep -qE '^[0-9]+ [1-9]' /run/container.c/killed
	run container kill killed
	wait "$RUNTIME" || true
}

@test "stage 9: rootless: the state files are the user's own, shut to others" {
	setup_rootless
	cd "$RL"
	local dir=/tmp/container.c-$ROOTLESS_UID runtime
	rm -rf "$dir"
	as_user4242() {
		setpriv --reuid="$ROOTLESS_UID" --regid="$ROOTLESS_UID" \
			--clear-groups env -u XDG_RUNTIME_DIR "$@"
	}
	as_user4242 ./container run --name mine rootfs sh -c "$TRAPS" \
		>"$BATS_TEST_TMPDIR/mine.out" &
	runtime=$!
	wait_until grep -q ready "$BATS_TEST_TMPDIR/mine.out"
	run stat -c '%u %a' "$dir" "$dir/mine"
	assert_output "$ROOTLESS_UID 700
$ROOTLESS_UID 644"
	run as_user4242 timeout 10 ./container ps
	assert_line --regexp "^mine +[0-9]+ +[0-9]+ +$TOP_STAGE "
	run container ps                # root's are elsewhere
	refute_output --partial mine
	run as_user4242 timeout 10 ./container stop mine
	assert_success
	wait "$runtime" || true
	# It stays, so that no one else may make it in between.
	run stat -c '%u %a' "$dir"
	assert_output "$ROOTLESS_UID 700"
	# A directory of that name that is not the user's own is refused,
	# by every command that would read it.
	rm -rf "$dir"
	mkdir -m 777 "$dir"
	local command
	for command in "run rootfs true" ps "kill mine" cleanup; do
		# shellcheck disable=SC2086 # the words of the command
		run as_user4242 timeout 10 ./container $command
		assert_equal "$status" 125
		assert_output "container: $dir is not a directory of yours that only you may use: remove it"
	done
	rmdir "$dir"
}

# The holes of runc's exec, each closed (runc's CVE-2016-9962 and
# CVE-2019-5736 came through exec's process, seen from inside before
# it was the container's). strace holds a system call for a while
# (-e inject=CALL:delay_enter=MICROSECONDS), so that the moment in
# between is long enough to look at.

@test "stage 9: exec cannot join a container whose set-up is not done: its command has not started" {
	# Held at sethostname, half-way through its set-up: it has every
	# capability still, and no filter.
	timeout -k 5 30 strace -f -qq -o /dev/null -e trace=sethostname \
		-e inject=sethostname:delay_enter=3000000 \
		"$BUILD/container" run --name early --network none "$ROOTFS" true &
	local tracer=$!
	wait_until [ -e /run/container.c/early ]
	sleep 1
	run container exec early grep CapBnd /proc/self/status
	assert_equal "$status" 125
	assert_output "container: early is being set up: its command has not started yet; try again in a moment"
	wait "$tracer"
}

@test "stage 9: exec with a binary of an earlier stage than the container's is one line, 125" {
	"$BUILD/container" run --name later "$ROOTFS" sleep 7470 &
	local runtime=$! pid state later
	pid=$(pid_of sleep 7470)
	# Stage 9 is the first with exec: a container of a later stage is
	# made by rewriting the stage in its state file (the third field;
	# in place, so the runtime keeps its lock).
	wait_until grep -qE '^[0-9]+ [1-9]' /run/container.c/later
	state=$(cat /run/container.c/later)
	read -r -a fields <<<"$state"
	later=$((TOP_STAGE + 1))
	fields[2]=$later
	echo "${fields[*]}" >/run/container.c/later
	run container exec later grep Seccomp: /proc/self/status
	assert_equal "$status" 125
	assert_output "container: later runs stage $later, and this binary is stage $TOP_STAGE: exec it with a binary of stage $later or later"
	kill -KILL "$pid"
	wait "$runtime" || true
}

@test "stage 9: exec joins the container's own process, never one that has its pid now" {
	"$BUILD/container" run --name reused "$ROOTFS" sleep 7471 &
	local runtime=$! pid host state
	pid=$(pid_of sleep 7471)
	sleep 7472 &                  # a host process
	host=$!
	# The state file names the host process instead, as it would name
	# a reused pid (rewritten in place: the runtime keeps its lock).
	state=$(cat /run/container.c/reused)
	echo "${state/ $pid / $host }" >/run/container.c/reused
	run container exec reused hostname
	assert_equal "$status" 125
	assert_output "container: no container named reused is running: its process $host is gone"
	kill "$host"
	kill -KILL "$pid"
	wait "$runtime" || true
}

@test "stage 9: exec's process is never seen inside as the host's root, nor dumpable, nor holding the host's files" {
	# The container looks, every 0.05 s, at each process it can see
	# that is exec's, before its exec (its command line is still the
	# runtime's, which names container-9; the script's own text never
	# has those words without a quote between them): its uids, and
	# whether its /proc/PID/exe (the runtime's binary, on the host)
	# can be read. A process counts only if its command line is still
	# the runtime's after both reads: else its exec of true may have
	# come between, and what was read was true's (a CI run in the lab
	# VM failed on an "exe: /" line that this explains; the log was cut
	# before it). Its root has every capability and no filter, as root
	# at stages 6 and 7 had: the strongest watcher there is.
	"$BUILD/container-9" run --name watched --network none --stop-timeout 0 \
		--cap-add ALL --security-opt seccomp=unconfined "$ROOTFS" sh -c '
		while :; do
			for p in /proc/[0-9]*; do
				case $(tr "\0" " " <$p/cmdline 2>/dev/null) in
				*container-9" exec watched "*)
					u=$(grep Uid: $p/status | tr -s "\t" " ")
					e=$(readlink $p/exe 2>/dev/null || echo unreadable)
					case $(tr "\0" " " <$p/cmdline 2>/dev/null) in
					*container-9" exec watched "*)
						echo "$u exe: $e" ;;
					esac ;;
				esac
			done
			sleep 0.05
		done' >"$BATS_TEST_TMPDIR/seen" &
	local runtime=$! pid
	# Published once its command has started: a child pid, not 0.
	wait_until grep -qE '^[0-9]+ [1-9]' /run/container.c/watched
	# Held where runc's process was the host's: when it changes its
	# credentials, and when it goes to / inside.
	timeout -k 5 30 strace -f -qq -o /dev/null -e trace=setresgid,chdir \
		-e inject=setresgid:delay_enter=2000000 \
		-e inject=chdir:delay_enter=3000000 \
		"$BUILD/container-9" exec watched true &
	local tracer=$! _
	# Seen, while held at chdir (the lab VM's emulation is slow).
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/seen" ] && break
		sleep 0.1
	done
	for pid in $(pgrep -f "container-9 exec watched"); do
		run ls -l "/proc/$pid/fd"
		refute_output --partial /run/container.c
	done
	wait "$tracer"
	kill -TERM "$runtime"         # --stop-timeout 0: SIGKILL at once
	wait "$runtime" || true
	run cat "$BATS_TEST_TMPDIR/seen"
	assert_line 'Uid: 0 0 0 0 exe: unreadable'    # seen, as root inside
	refute_output --partial "exe: /"
	refute_output --partial "65534"     # the host's root, as seen inside
}

@test "stage 0: a signal that comes before the child exists is passed on once it does" {
	local stage tracer runtime code
	for stage in 0 "$TOP_STAGE"; do
		# Held at clone: the runtime is set up, the child not there.
		# shellcheck disable=SC2046 # quiet_net's words are options
		timeout -k 5 30 strace -f -qq -o /dev/null -e trace=clone,clone3 \
			-e inject=clone,clone3:delay_enter=2000000 \
			"$BUILD/container-$stage" run --stop-timeout 1 \
			$([ "$stage" -lt 7 ] || echo --network none) \
			"$ROOTFS" sleep 7490 &
		tracer=$!
		# shellcheck disable=SC2046 # the same words as above
		runtime=$(pid_of "$BUILD/container-$stage" run --stop-timeout 1 \
			$([ "$stage" -lt 7 ] || echo --network none) "$ROOTFS" sleep 7490)
		sleep 0.6
		kill -TERM "$runtime"
		code=0
		wait "$tracer" || code=$?
		# Stage 0: SIGTERM ends sleep. From stage 1, sleep is PID 1
		# and ignores it: SIGKILL after --stop-timeout 1.
		if [ "$stage" -eq 0 ]; then
			assert_equal "$code" 143
		else
			assert_equal "$code" 137
		fi
	done
}

# ---- the terminal ----------------------------------------------------

@test "stage 0: the terminal is given back as it was, whatever the container did to it" {
	local stage
	for stage in 0 "$TOP_STAGE"; do
		script -qec "stty -g >'$BATS_TEST_TMPDIR/before';
			'$BUILD/container-$stage' run '$ROOTFS' sh -c 'stty raw -echo';
			stty -g >'$BATS_TEST_TMPDIR/after'" /dev/null
		cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" ||
			fail "stage $stage left the terminal changed"
	done
}

@test "stage 0: an interactive shell inside has job control, and Ctrl-C reaches it" {
	# script(1) gives the container a terminal; the shell's commands are
	# typed into it, with a Ctrl-C (\003) while `sleep 30` runs.
	run timeout 20 script -qec "'$BUILD/container' run '$ROOTFS' sh" /dev/null \
		< <(printf 'sleep 60 &\njobs\n'; sleep 1; printf 'sleep 30\n'
		    sleep 1.5; printf '\003'; sleep 0.5
		    printf 'echo after-ctrl-c\nkill %%1\nexit\n')
	assert_success
	assert_output --regexp '\[1\]\+ +Running +sleep 60'
	refute_output --partial "job control turned off"
	assert_line --partial after-ctrl-c
}
