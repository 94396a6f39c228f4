# How a check reports, shared by every lab's check (through
# check-lib.sh) and the preflight check: a line per property, PASS, or
# FAIL with a hint under it, or SKIP with why; a last line with the
# counts; exit 1 if any failed. Also the refusal of a user who is not
# root. A check sources it, declares its properties, ends with finish.
# shellcheck shell=bash

passed=0
failed=0

[ "$(id -u)" -eq 0 ] || { echo "check: needs root: sudo $0${*:+ $*}" >&2; exit 2; }

pass() {
	echo "PASS  $1"
	passed=$((passed + 1))
}

# fail WHAT HINT
fail() {
	echo "FAIL  $1"
	echo "      hint: $2"
	failed=$((failed + 1))
}

# property WHAT HINT COMMAND...: PASS when COMMAND succeeds.
property() {
	local what=$1 hint=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		pass "$what"
	else
		fail "$what" "$hint"
	fi
}

# skip WHAT WHY: a property this machine cannot check.
skip() {
	echo "SKIP  $1 ($2)"
}

finish() {
	echo "check: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
