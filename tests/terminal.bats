#!/usr/bin/env bats
# The container's terminal, tried in a real one: a tmux session that
# runs bash, as a learner's would. Until stage 4 the container shares
# the caller's terminal, and a line it types into it with TIOCSTI is
# run by the caller's shell once the container ends. From stage 4 on
# it has a terminal of its own (a pty, relayed by the runtime), or none
# when standard input is not a terminal; and what a learner does at an
# interactive shell inside must still work.

load helpers

# A terminal of COLUMNS x LINES running bash with a plain prompt, in a
# tmux server of the test's own.
start_terminal() {
	TMUX_SOCKET=$BATS_TEST_TMPDIR/tmux
	tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s t \
		-x "${1:-100}" -y "${2:-30}" \
		"env -i PATH=$PATH HOME=$BATS_TEST_TMPDIR TERM=xterm PS1='$ ' bash --norc --noprofile"
	wait_for_screen '^\$ ?$'
}

# Type TEXT into the terminal, then Enter.
type_line() {
	tmux -S "$TMUX_SOCKET" send-keys -t t -l "$1"
	tmux -S "$TMUX_SOCKET" send-keys -t t Enter
}

# What the terminal shows, without its empty lines.
screen() {
	tmux -S "$TMUX_SOCKET" capture-pane -p -t t | grep -v '^$' || true
}

# Wait until a line of the screen matches the extended regexp PATTERN:
# at most 10 seconds; fails with the screen.
wait_for_screen() {
	local _
	for _ in $(seq 100); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "the terminal never showed /$1/:" >&2
	screen >&2
	return 1
}

# Run COMMAND at the bash prompt and wait until it has ended, and bash
# has read whatever came into the terminal meanwhile: a sentinel after
# COMMAND on its line, then a second one typed after the first showed.
run_at_prompt() {
	local sentinel=done-$RANDOM
	type_line "$1; echo $sentinel-1"
	wait_for_screen "^$sentinel-1\$" || return 1
	type_line "echo $sentinel-2"
	wait_for_screen "^$sentinel-2\$"
}

teardown() {
	[ -z "${TMUX_SOCKET:-}" ] || tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || true
	sleep 0.2
	cd /
	check_host_unchanged
}

# Holds when a line that the container types into its terminal
# (TIOCSTI) is not run by the caller's shell: the line is a command
# that would leave a file on the host.
typed_line_stays_inside() {
	local stage=$1 probe=/usr/local/bin/escape-probe
	local marker=$BATS_TEST_TMPDIR/typed-$1
	[ "$stage" -ge 4 ] || probe=$ROOTFS/usr/local/bin/escape-probe
	run_at_prompt "$BUILD/container-$stage run ${2:-} '$ROOTFS' $probe terminal \$'touch $marker\\n'"
	[ ! -e "$marker" ]
}

@test "stage 4: a line the container types into its terminal never runs in the caller's shell" {
	start_terminal
	ladder 4 typed_line_stays_inside
	# The terminal of its own alone closes it: without the filter too.
	typed_line_stays_inside "$TOP_STAGE" "--security-opt seccomp=unconfined" ||
		fail "without seccomp, stage $TOP_STAGE let the caller's shell run it"
	# Seen from the screen: stage 3's line ran, stage 4's was typed
	# into the container's own terminal.
	screen | grep -F "ESCAPED: pushed" >/dev/null
}

@test "stage 8: the filter refuses TIOCSTI, with the request's high bits set too" {
	start_terminal
	run_at_prompt "$BUILD/container run --network none '$ROOTFS' escape-probe terminal --high-bits"
	screen | grep -F "BLOCKED: ioctl TIOCSTI: EPERM" >/dev/null ||
		fail "$(screen)"
	run_at_prompt "$BUILD/container run --network none --security-opt seccomp=unconfined '$ROOTFS' escape-probe terminal --high-bits"
	screen | grep -F "ESCAPED: pushed" >/dev/null || fail "$(screen)"
}

@test "stage 4: a shell inside has a terminal of its own: job control, Ctrl-C, the window's size, its exit status; the caller's terminal comes back as it was" {
	start_terminal 100 30
	type_line "stty -g >'$BATS_TEST_TMPDIR/before'; '$BUILD/container' run --network none '$ROOTFS' sh"
	wait_for_screen '^/ # ?$'
	type_line 'tty; stty size; sleep 50 & jobs'
	wait_for_screen '^\[1\]\+ +Running +sleep 50$'
	screen | grep -x /dev/pts/0 >/dev/null || fail "$(screen)"
	screen | grep -x '30 100' >/dev/null || fail "$(screen)"
	type_line 'sleep 30'
	sleep 0.5
	tmux -S "$TMUX_SOCKET" send-keys -t t C-c
	wait_for_screen '^\^C$'
	tmux -S "$TMUX_SOCKET" resize-window -t t -x 120 -y 40
	type_line 'stty size; exit 3'
	wait_for_screen '^40 120$'
	wait_for_screen '^\$ ?$'
	type_line "echo status=\$?; stty -g | cmp -s - '$BATS_TEST_TMPDIR/before' && echo terminal-as-before"
	wait_for_screen '^terminal-as-before$'
	screen | grep -x 'status=3' >/dev/null || fail "$(screen)"
	refute [ -n "$(screen | grep 'job control turned off')" ]
}

# Holds when a container started with a pipe as standard input has no
# controlling terminal, though its output goes to the caller's terminal.
no_controlling_terminal() {
	run_at_prompt "echo piped | $BUILD/container-$1 run '$ROOTFS' sh -c 'cat; (: </dev/tty) 2>/dev/null && echo stage-$1-has-one || echo stage-$1-has-none'"
	screen | grep -x "stage-$1-has-none" >/dev/null
}

@test "stage 4: with a pipe for standard input, the container reads it and has no controlling terminal" {
	start_terminal 200 100    # room for every stage's lines
	ladder 4 no_controlling_terminal
	[ "$(screen | grep -cx piped)" -eq "${#ALL_STAGES[@]}" ] || fail "$(screen)"
}
