#!/bin/bash
# run-all.sh UNIT_BIN... - the whole suite: unit tests, the unit tests and
# husk's commands under valgrind, a short run of the fuzz harnesses, the
# container tests on this host, and the container tests again inside a pure
# cgroup v2 VM (../shared/vmtest).  Ends with "N passed, N failed".
# HK_NO_VM=1 skips the VM run (it is required in CI); HK_VM_FILES="test_a
# test_b" runs only those integration files there (make check SANITIZE=1).
# HK_NO_VALGRIND=1 and HK_NO_FUZZ=1 skip the valgrind and fuzz stages (make
# check SANITIZE=1: the plain check ran them on the same builds, $VG_BUILD
# and $FUZZ_BUILD).
cd "$(dirname "$0")" || exit 1
: "${HUSK:?}" "${BUILD:?}"
export HUSK ROOTFS=${ROOTFS:-$BUILD/rootfs}
total_pass=0 total_fail=0
count() { # add up the "STAGE: N passed, N failed" lines of file $1; expect $3 of them
	local lines n p f
	lines=$(grep -E '^[a-z0-9()-]+: [0-9]+ passed, [0-9]+ failed' "$1")
	n=$(printf '%s' "$lines" | grep -c passed)
	if [ "$n" -lt "${3:-1}" ]; then
		echo "missing summary line from $2" >&2
		total_fail=$((total_fail + 1))
	fi
	while read -r line; do
		[ -n "$line" ] || continue
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
		f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
		total_pass=$((total_pass + p))
		total_fail=$((total_fail + f))
	done <<<"$lines"
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

{
	./check-layers.sh
	./run-unit.sh "$@"
} | tee "$log"
count "$log" "layers and unit tests" 2

# valgrind's memcheck over the unit tests and husk's commands (make
# valgrind builds $VG_BUILD); on this host only
if [ -z "${HK_NO_VALGRIND:-}" ]; then
	VG_BUILD=${VG_BUILD:-$BUILD/../build-vg} ./valgrind.sh | tee "$log"
	count "$log" "valgrind"
fi

# the fuzz harnesses (make fuzz): every committed input of fuzz/corpus/,
# then FUZZ_SECONDS (10) of fuzzing each
if [ -z "${HK_NO_FUZZ:-}" ]; then
	FUZZ_BUILD=${FUZZ_BUILD:-$BUILD/../build-fuzz} ./fuzz.sh "${FUZZ_SECONDS:-10}" | tee "$log"
	count "$log" "fuzz harnesses"
fi

./integration/run.sh | tee "$log"
count "$log" "host integration"

# again as an unprivileged user and as root in a user namespace of that
# user (`unshare -r`), as crun's CI does; tests that need the host's root
# are skipped there
for as in user userns; do
	HK_TEST_AS=$as ./integration/run.sh | tee "$log"
	count "$log" "host integration as $as"
done

# Two VMs at once, one CPU each, sharing the tests through a queue
# directory (run.sh's HK_TEST_QUEUE): the tests run one at a time, so one
# emulated VM kept about one of the host's two CPUs busy.  (Two VMs of two
# CPUs each are far slower than one: a guest CPU whose host thread is
# preempted holding a lock makes the other spin; measured on 11 tests: one
# VM 41 s, two of one CPU 24 s, two of two CPUs 89 s.)  The first VM also
# runs the unit tests.
vmtest=../../shared/vmtest/vmtest
vm_run() { # N: VM number N, its output into $queue.N (exec: $! is vmtest)
	VMTEST_ACCEL=${VMTEST_ACCEL:-tcg} exec bash "$vmtest" --mem 2G --cpus 1 --timeout 2400 \
		--share "$queue" --env HUSK --env ROOTFS --env HK_TEST_FILTER --env HK_VM_FILES \
		--env HK_TEST_QUEUE="$queue" --env HK_VM_UNIT="$([ "$1" = 0 ] && echo 1 || echo 0)" \
		-- env HK_TEST_LABEL=v2-vm ./vm-suite.sh "${units[@]}" >"$queue.$1" 2>&1
}
if [ -z "${HK_NO_VM:-}" ]; then
	if [ -x "$vmtest" ] || [ -f "$vmtest" ]; then
		# the path as the VM mounts it (vmtest shares the resolved one)
		queue=$(cd "$(mktemp -d /tmp/husk-vm-queue.XXXXXX)" && pwd -P)
		trap 'rm -f "$log"; rm -rf "$queue" "$queue".?' EXIT
		units=("$@")
		vm_run 0 &
		vms=$!
		vm_run 1 &
		vms="$vms $!"
		# background jobs ignore SIGINT: on Ctrl-C or TERM, TERM them
		# (vmtest then kills its QEMU), and only then remove the queue
		trap 'kill -TERM $vms 2>/dev/null; wait; exit 130' INT TERM
		wait
		trap - INT TERM
		for n in 0 1; do
			cat "$queue.$n"
			count "$queue.$n" "pure cgroup v2 VM $n" $((2 - n))
		done
		# a test taken by a VM that died in it
		for d in "$queue"/test_*; do
			[ -e "$d" ] && [ ! -e "$d/done" ] || continue
			echo "FAIL v2-vm ${d##*/} (its VM ended during it)"
			total_fail=$((total_fail + 1))
		done
		# every test reported ran to its end in one of them
		done_n=$(find "$queue" -mindepth 2 -maxdepth 2 -name done | wc -l)
		reported=$(cat "$queue".? | grep -cE '^(ok|FAIL|skip) +v2-vm test_')
		if [ "$done_n" -ne "$reported" ]; then
			echo "FAIL v2-vm: $done_n tests finished in the queue, $reported reported"
			total_fail=$((total_fail + 1))
		fi
	else
		echo "vmtest not found at $vmtest: the pure cgroup v2 run is missing" >&2
		total_fail=$((total_fail + 1))
	fi
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
