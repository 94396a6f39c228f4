#!/usr/bin/env bats
# Load: many containers of the final stage in a row and at once, with
# the network and, where the machine can set them, limits. All must
# succeed and leave nothing; the time of the last runs against the
# first is printed (shown, not asserted: speed is for bench/).

load helpers

# shellcheck disable=SC2034 # read by teardown(), in helpers.bash
LEFTOVER_PATTERN='.*sleep 87[0-9][0-9]'

# Limits, where the machine can set them (pure cgroup v2).
limit_options() {
	! pure_v2 || echo --memory 64m --pids-limit 64 --cpus 1
}

# 500 runs in a row; 100 in the lab VM, where each takes about a
# quarter of a second under emulation: enough for a leak or a slowdown
# to show, within CI's time. LOAD_RUNS=N for another number.
default_runs() {
	if [ -f /run/container-lab-vm ]; then echo 100; else echo 500; fi
}

@test "load: 500 containers in a row (100 in the lab VM), with network and limits where there are: all succeed, nothing left" {
	local runs=${LOAD_RUNS:-$(default_runs)} i start took first=0 last=0 slice
	local -a options
	read -r -a options <<<"--name load $(limit_options)"
	slice=$((runs / 5))
	for i in $(seq "$runs"); do
		start=${EPOCHREALTIME/./}
		timeout -k 5 "$RUN_TIMEOUT" "$BUILD/container" run "${options[@]}" \
			"$ROOTFS" true || fail "run $i of $runs failed"
		took=$((${EPOCHREALTIME/./} - start))
		[ "$i" -gt "$slice" ] || first=$((first + took))
		[ "$i" -le $((runs - slice)) ] || last=$((last + took))
	done
	echo "# $runs in a row: the first $slice took $((first / slice)) us" \
		"each, the last $slice $((last / slice)) us; ratio" \
		"$(awk -v a="$last" -v b="$first" 'BEGIN { printf "%.2f", a / b }')" >&3
	run container ps
	assert_output --regexp '^NAME'
	assert_equal "${#lines[@]}" 1
}

@test "load: 20 containers at once, with network and limits where there are: all succeed, nothing left" {
	local i barrier=$BATS_TEST_TMPDIR/barrier pids=()
	local -a options
	read -r -a options <<<"$(limit_options)"
	mkdir "$barrier"
	chmod 777 "$barrier"          # root inside is uid 100000 here
	for i in $(seq 20); do
		timeout -k 5 60 "$BUILD/container" run --name "many$i" \
			-v "$barrier:/barrier" "${options[@]}" "$ROOTFS" sh -c \
			'ping -c 1 -W 5 172.30.0.1 >/dev/null || exit 3
			 touch /barrier/$(hostname)
			 for _ in $(seq 400); do
				[ "$(ls /barrier | wc -l)" -lt 20 ] || exit 0
				sleep 0.05
			 done; exit 4' &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || fail "container many$((i + 1)) failed"
	done
	assert_equal "$(ls "$barrier" | wc -l)" 20
}
