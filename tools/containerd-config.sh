#!/bin/sh
# Write DIR/config.toml: a containerd of its own in DIR, for the tests,
# the benchmark, lab 10's check and its demo. Its root and state are
# in DIR, it listens on DIR/sock (and DIR/sock.ttrpc), and its CRI
# plugin is off: no Kubernetes here, and nothing of the host's
# containerd is shared. containerd --config DIR/config.toml starts it.
#
#   tools/containerd-config.sh DIR
set -eu
dir=${1:?usage: tools/containerd-config.sh DIR}
mkdir -p "$dir"
cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/sock"
[ttrpc]
  address = "$dir/sock.ttrpc"
EOF
