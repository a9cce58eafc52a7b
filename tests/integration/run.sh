#!/bin/bash
# run.sh [FILE...] - run the container tests (tests/integration/test_*.sh).
# HK_TEST_FILTER=REGEX runs only matching test names.  Prints one line per
# test and ends with "integration(LABEL): N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
HK_TESTS_DIR=$PWD
# a NOTIFY_SOCKET of whatever runs the suite (a systemd unit) would reach
# every husk run (test_notify.sh sets its own)
unset NOTIFY_SOCKET
. ./lib.sh
label=${HK_TEST_LABEL:-$(cg_layout)}
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(integration/test_*.sh)
for f in "${files[@]}"; do
	# shellcheck disable=SC1090
	. "$f"
done
pass=0 failn=0
tmpbase=$(mktemp -d /tmp/husk-tests.XXXXXX)
chmod 0755 "$tmpbase"
# one unprivileged user for the rootless tests, removed even on Ctrl-C
cleanup() {
	hk_user_teardown
	rm -rf "$tmpbase"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
hk_user_setup || echo "warning: could not create the test user: rootless tests will fail" >&2
for t in $(declare -F | awk '{print $3}' | grep '^test_' | sort); do
	if [ -n "${HK_TEST_FILTER:-}" ] && ! [[ $t =~ $HK_TEST_FILTER ]]; then
		continue
	fi
	T="$tmpbase/$t"
	mkdir -p "$T"
	chmod 0755 "$T"
	mounts_before=$(wc -l </proc/self/mountinfo)
	start=$(date +%s%N)
	(
		set -e
		HK_TEST_NAME=${t#test_}
		cd "$T"
		"$t"
	) >"$T/log" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	leaks=""
	mounts_after=$(wc -l </proc/self/mountinfo)
	[ "$mounts_after" != "$mounts_before" ] && leaks="$leaks mounts:$mounts_before->$mounts_after"
	left=$(cg_leftovers)
	if [ -n "$left" ]; then
		leaks="$leaks cgroups:$(echo $left)"
		# a failed test may leave its container running: kill what is in
		# the test's own cgroups (and below them: a delegated cgroup
		# holds husk's), then remove them
		for d in $(echo "$left" | sort -r); do cg_remove_tree "$d"; done
	fi
	if [ $rc -eq 0 ] && [ -z "$leaks" ]; then
		pass=$((pass + 1))
		echo "ok   $label $t (${ms}ms)"
	else
		failn=$((failn + 1))
		echo "FAIL $label $t (exit $rc${leaks:+, leaked$leaks})"
		sed 's/^/    | /' "$T/log" | tail -25
	fi
done
cleanup
trap - EXIT
if grep -q "^hkt$$:" /etc/passwd /etc/subuid /etc/subgid; then
	failn=$((failn + 1))
	echo "FAIL $label test user hkt$$ left in /etc/passwd, /etc/subuid or /etc/subgid"
fi
echo "integration($label): $pass passed, $failn failed"
[ $failn -eq 0 ]
