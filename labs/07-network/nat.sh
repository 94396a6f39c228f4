#!/usr/bin/env bash
# NAT for stage 7's containers: let them reach the world beyond the
# host, their packets sent on with the host's own address (masquerade).
# Not a default of container.c, a lab: it shows the two things NAT
# takes, and takes them back.
#
#   labs/07-network/nat.sh add      add our nft table, turn ip_forward on
#   labs/07-network/nat.sh show     show both
#   labs/07-network/nat.sh remove   remove exactly what add added
#
# It touches one nft table of its own, container_c_nat, and
# net.ipv4.ip_forward, whose value before `add` it keeps and `remove`
# puts back. Nothing else of the host's firewall is read or changed.
# Safe to run twice. Needs root and nft (apt-get install nftables).
set -euo pipefail

TABLE=container_c_nat
SUBNET=172.30.0.0/24            # container.c's bridge, container0
BRIDGE=container0
FORWARD=/proc/sys/net/ipv4/ip_forward
SAVED=/run/container.c-nat.ip_forward   # ip_forward before `add`

say() { echo "nat: $*"; }
die() { echo "nat: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root: sudo $0 ${1:-}"
command -v nft >/dev/null || die "needs nft: apt-get install nftables"

have_table() { nft list table ip "$TABLE" >/dev/null 2>&1; }

add() {
	if have_table; then
		say "table ip $TABLE is there already: nothing to do"
		return 0
	fi
	[ -e "$SAVED" ] || cat "$FORWARD" >"$SAVED"
	say "nft: table ip $TABLE, masquerade $SUBNET leaving by any" \
		"interface but $BRIDGE"
	nft -f - <<-END
	table ip $TABLE {
		comment "added by container.c's labs/07-network/nat.sh"
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			ip saddr $SUBNET oifname != "$BRIDGE" masquerade
		}
	}
	END
	say "echo 1 > $FORWARD (it was $(cat "$SAVED"))"
	echo 1 >"$FORWARD"
}

show() {
	if have_table; then
		nft list table ip "$TABLE"
	else
		say "no table ip $TABLE"
	fi
	say "ip_forward is $(cat "$FORWARD")"
}

remove() {
	if have_table; then
		say "nft delete table ip $TABLE"
		nft delete table ip "$TABLE"
	fi
	if [ -e "$SAVED" ]; then
		say "echo $(cat "$SAVED") > $FORWARD (as it was before add)"
		cat "$SAVED" >"$FORWARD"
		rm -f "$SAVED"
	fi
}

case "${1:-}" in
add) add ;;
show) show ;;
remove) remove ;;
*) die "usage: $0 add | show | remove" ;;
esac
