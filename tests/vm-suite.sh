#!/bin/sh
# vm-suite.sh UNIT_BIN... - what runs inside the pure cgroup v2 VM: the unit
# tests (cgroup, rootfs, ... on v2) and the container tests.
cd "$(dirname "$0")" || exit 1
# HK_VM_UNIT=0: not the unit tests (another VM of the same run has them)
[ "${HK_VM_UNIT:-1}" = 0 ] || ./run-unit.sh "$@" | sed 's/^unit:/unit(v2-vm):/'
# test_cli.sh checks the command line, man page and install: nothing of
# the cgroup layout; it runs on the host only (slow under emulation)
set --
for f in integration/test_*.sh; do
	[ "$f" = integration/test_cli.sh ] && continue
	# HK_VM_FILES: only these files (names without .sh)
	if [ -n "${HK_VM_FILES:-}" ]; then
		case " $HK_VM_FILES " in
		*" $(basename "$f" .sh) "*) ;;
		*) continue ;;
		esac
	fi
	set -- "$@" "$f"
done
if [ -n "${HK_VM_FILES:-}" ]; then
	echo "VM: only $HK_VM_FILES"
	for n in $HK_VM_FILES; do
		if [ ! -f "integration/$n.sh" ]; then
			echo "integration(v2-vm): 0 passed, 1 failed (HK_VM_FILES: no integration/$n.sh)"
			exit 1
		fi
	done
	if [ $# -eq 0 ]; then
		echo "integration(v2-vm): 0 passed, 1 failed (HK_VM_FILES names no test file)"
		exit 1
	fi
fi
./integration/run.sh "$@"
