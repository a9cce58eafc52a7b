#!/bin/sh
# vm-suite.sh UNIT_BIN... - what runs inside the pure cgroup v2 VM: the unit
# tests (cgroup, rootfs, ... on v2) and the container tests.
cd "$(dirname "$0")" || exit 1
./run-unit.sh "$@" | sed 's/^unit:/unit(v2-vm):/'
./integration/run.sh
