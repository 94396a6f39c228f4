#!/usr/bin/env bats
# A bounded random-input loop over the command line: every option of
# `container run` with values good, bad and hostile, in random
# combinations. The runtime must never crash: it runs the command (0)
# or refuses in one line (125), and leaves nothing behind. The seed is
# printed, so that a failure can be replayed (FUZZ_SEED=N).

load helpers

OPTIONS=(--name --hostname -h --volume -v --uidmap --gidmap --memory
	--memory-swap --cpus --pids-limit --device-read-bps
	--device-write-bps --device-read-iops --device-write-iops --network
	--ip --stop-timeout --init --verbose)

VALUES=("" 0 -1 1 64m abc 99999999999999999999999 1.5g 0.5 0.00001
	/dev/null:1mb /dev/vda:1m /dev/vda: :1m a:b:c 0:100000:65536
	0:4294967295:2 /etc:/x:ro /etc:/x:rw :/x /etc: .. / - : :::: 1e9
	0x10 4294967296 18446744073709551616 1:2:3:4 bridge none host
	172.30.0.5 172.30.0.1 10.1.2.3 "%s%n%x" "a b" $'tab\there'
	"$(printf 'a%.0s' $(seq 300))" --name -- --verbose 1k 1kb 1kib 1t 9t)

@test "fuzz: random command lines (400, or FUZZ_LINES): a run or one line and 125, never a crash" {
	local seed=${FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}
	echo "seed $seed (replay: FUZZ_SEED=$seed)" >&3
	RANDOM=$seed
	local args option err
	for _ in $(seq "${FUZZ_LINES:-400}"); do
		args=()
		for _ in $(seq $((RANDOM % 4 + 1))); do
			option=${OPTIONS[RANDOM % ${#OPTIONS[@]}]}
			args+=("$option")
			case $option in
			--init | --verbose) ;;
			*) args+=("${VALUES[RANDOM % ${#VALUES[@]}]}") ;;
			esac
		done
		err=$BATS_TEST_TMPDIR/err
		status=0
		timeout -k 5 20 "$BUILD/container" run "${args[@]}" "$ROOTFS" \
			true >/dev/null 2>"$err" || status=$?
		case $status in
		0) ;;
		125)
			[ "$(grep -vc '^+ ' "$err")" -eq 1 ] &&
				grep -v '^+ ' "$err" | grep -q '^container: ' ||
				fail "not one error line for: ${args[*]} -- $(cat "$err")"
			;;
		*) fail "exit $status for: ${args[*]} -- $(cat "$err")" ;;
		esac
	done
}
