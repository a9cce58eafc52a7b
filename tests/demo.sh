#!/bin/sh
# demo.sh HUSK ROOTFS - run a demo container on the built-in busybox rootfs.
set -eu
husk=$1
rootfs=$2
bundle=$(mktemp -d /tmp/husk-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
cp -a "$rootfs" "$bundle/rootfs"
(cd "$bundle" && "$husk" spec)
jq '.process.terminal = false | .hostname = "husk-demo" | .linux.cgroupsPath = "husk-demo"
    | .linux.resources.memory = {"limit": 67108864}
    | .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])
    | .process.args = ["sh", "-c", "echo \"hello from $(hostname): I am pid $$ and see $(ls /proc | grep -c [0-9]) processes\"; echo \"memory limit: $(cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null) bytes\""]' \
	"$bundle/config.json" >"$bundle/config.new"
mv "$bundle/config.new" "$bundle/config.json"
"$husk" run -b "$bundle" husk-demo
# the same with no config at all: husk box on the built-in busybox rootfs
# (its storage in the demo's temporary directory, removed at the end)
HUSK_STORAGE="$bundle/storage" "$husk" box --memory 64M --hostname husk-box-demo -- \
	sh -c 'echo "hello from $(hostname) (husk box): I see $(ls /proc | grep -c [0-9]) processes"'
