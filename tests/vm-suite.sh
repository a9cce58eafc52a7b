#!/bin/sh
# vm-suite.sh UNIT_BIN... - what runs inside the pure cgroup v2 VM: the unit
# tests (cgroup, rootfs, ... on v2) and the container tests.
cd "$(dirname "$0")" || exit 1
./run-unit.sh "$@" | sed 's/^unit:/unit(v2-vm):/'
# test_cli.sh checks the command line, man page and install: nothing of
# the cgroup layout; it runs on the host only (slow under emulation)
set --
for f in integration/test_*.sh; do
	[ "$f" = integration/test_cli.sh ] || set -- "$@" "$f"
done
./integration/run.sh "$@"
