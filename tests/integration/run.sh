#!/bin/bash
# run.sh [FILE...] - run the container tests (tests/integration/test_*.sh).
# HK_TEST_FILTER=REGEX runs only matching test names.  Prints one line per
# test and ends with "integration(LABEL): N passed, N failed".
# HK_TEST_QUEUE=DIR: several runners (VMs sharing DIR) split the tests,
# each taking the next one nobody has taken (mkdir DIR/NAME), and mark
# each they finish (DIR/NAME/done).
#
# HK_TEST_AS says who runs the tests (as crun's CI does):
#   root     (default) root on the host
#   user     an unprivileged user (made for the run, with subordinate ids)
#   userns   that user inside `unshare -r`: "root" in a user namespace
#            holding only the user's own id (rootless-in-userns)
# Started as root, the runner makes the user and runs itself again as it.
# Tests that need the host's root call needs_root and are counted as
# skipped there.
cd "$(dirname "$0")/.." || exit 1
HK_TESTS_DIR=$PWD
# a NOTIFY_SOCKET of whatever runs the suite (a systemd unit) would reach
# every husk run (test_notify.sh sets its own)
unset NOTIFY_SOCKET
. ./lib.sh
HK_TEST_AS=${HK_TEST_AS:-root}
case $HK_TEST_AS in
root | user | userns) ;;
*)
	echo "HK_TEST_AS: expected root, user or userns, got \"$HK_TEST_AS\"" >&2
	exit 2
	;;
esac
export HK_TEST_AS
label=${HK_TEST_LABEL:-$(cg_layout)}
[ "$HK_TEST_AS" = root ] || [ -n "${HK_TEST_INNER:-}" ] || label="$label-$HK_TEST_AS"
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(integration/test_*.sh)

if [ "$HK_TEST_AS" != root ] && [ -z "${HK_TEST_INNER:-}" ]; then
	# as root: make the user, run the tests as it, remove it (and what
	# the tests left: $home holds their temp dirs, files of subordinate ids)
	home=$(mktemp -d /tmp/husk-tests-home.XXXXXX)
	trap 'hk_user_teardown; rm -rf "$home"' EXIT
	trap 'exit 130' INT TERM
	hk_user_setup || {
		echo "integration($label): 0 passed, 1 failed (could not create the test user)"
		exit 1
	}
	chmod 0755 "$home"
	mkdir -m 0700 "$home/run" && mkdir -m 0755 "$home/tmp" &&
		chown "$HK_USER_UID:$HK_USER_GID" "$home/run" "$home/tmp"
	inner=(setpriv --reuid="$HK_USER_UID" --regid="$HK_USER_GID" --init-groups
		env -i PATH="$PATH" HOME="$home" XDG_RUNTIME_DIR="$home/run" USER="$HK_USER"
		TMPDIR="$home/tmp"
		HUSK="$HUSK" ROOTFS="$ROOTFS" HK_TEST_AS="$HK_TEST_AS" HK_TEST_INNER=1
		HK_TEST_LABEL="$label" HK_TEST_FILTER="${HK_TEST_FILTER:-}" HK_CG_PREFIX="$HK_CG_PREFIX"
		HK_TEST_QUEUE="${HK_TEST_QUEUE:-}"
		HK_USER="$HK_USER" HK_USER_UID="$HK_USER_UID" HK_USER_GID="$HK_USER_GID")
	[ "$HK_TEST_AS" = userns ] && inner+=(unshare --user --map-root-user)
	"${inner[@]}" bash integration/run.sh "${files[@]}" | tee "$home/out"
	rc=${PIPESTATUS[0]}
	if ! grep -q "^integration($label): [0-9]* passed" "$home/out"; then
		echo "integration($label): 0 passed, 1 failed (the runner as $HK_USER ended with $rc)"
		rc=1
	fi
	hk_user_teardown
	trap - EXIT
	rm -rf "$home"
	if grep -q "^hkt$$:" /etc/passwd /etc/subuid /etc/subgid; then
		echo "FAIL $label test user hkt$$ left in /etc/passwd, /etc/subuid or /etc/subgid"
		echo "integration($label-user-cleanup): 0 passed, 1 failed"
		exit 1
	fi
	exit $rc
fi
# the files share one shell: a helper defined twice would silently take
# the last file's body
dups=$(grep -ho '^[a-zA-Z_][a-zA-Z0-9_]*() {' lib.sh "${files[@]}" | sort | uniq -d)
if [ -n "$dups" ]; then
	echo "FAIL functions defined twice in the test files: $(echo $dups)"
	echo "integration($label): 0 passed, 1 failed"
	exit 1
fi
for f in "${files[@]}"; do
	# shellcheck disable=SC1090
	. "$f"
done
pass=0 failn=0 skipn=0
tmpbase=$(mktemp -d "${TMPDIR:-/tmp}/husk-tests.XXXXXX")
chmod 0755 "$tmpbase"
# one unprivileged user for the rootless tests, removed even on Ctrl-C
# (the outer runner's when the tests run as that user)
cleanup() {
	[ -n "${HK_TEST_INNER:-}" ] || hk_user_teardown
	rm -rf "$tmpbase"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -z "${HK_TEST_INNER:-}" ]; then
	hk_user_setup || echo "warning: could not create the test user: rootless tests will fail" >&2
fi
for t in $(declare -F | awk '{print $3}' | grep '^test_' | sort); do
	if [ -n "${HK_TEST_FILTER:-}" ] && ! [[ $t =~ $HK_TEST_FILTER ]]; then
		continue
	fi
	if [ -n "${HK_TEST_QUEUE:-}" ] && ! mkdir "$HK_TEST_QUEUE/$t" 2>/dev/null; then
		[ -d "$HK_TEST_QUEUE/$t" ] && continue # another runner's
		failn=$((failn + 1))
		echo "FAIL $label $t (cannot take it from the queue $HK_TEST_QUEUE)"
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
	if [ -e "$T/skip" ] && [ -z "$leaks" ]; then
		skipn=$((skipn + 1))
		echo "skip $label $t ($(cat "$T/skip"))"
	elif [ $rc -eq 0 ] && [ -z "$leaks" ]; then
		pass=$((pass + 1))
		echo "ok   $label $t (${ms}ms)"
	else
		failn=$((failn + 1))
		echo "FAIL $label $t (exit $rc${leaks:+, leaked$leaks})"
		sed 's/^/    | /' "$T/log" | tail -25
	fi
	[ -z "${HK_TEST_QUEUE:-}" ] || touch "$HK_TEST_QUEUE/$t/done"
done
cleanup
trap - EXIT
[ $skipn -eq 0 ] || echo "integration($label): $skipn skipped (they need the host's root)"
if [ -z "${HK_TEST_INNER:-}" ] && grep -q "^hkt$$:" /etc/passwd /etc/subuid /etc/subgid; then
	failn=$((failn + 1))
	echo "FAIL $label test user hkt$$ left in /etc/passwd, /etc/subuid or /etc/subgid"
fi
echo "integration($label): $pass passed, $failn failed"
[ $failn -eq 0 ]
