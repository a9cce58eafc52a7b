#!/bin/bash
# valgrind.sh - valgrind's memcheck over every unit test and over husk's
# commands (run with a pid namespace, create, state, list, start, exec,
# kill, delete, a config error, spec, features).  Needs the build of `make
# valgrind` in $VG_BUILD (default ../build-vg): dynamic and -O1, since
# valgrind cannot replace malloc in a static binary.  Runs as root (a
# private mount namespace, see below).  Prints one line per check and
# "valgrind: N passed, N failed".
#
# A check fails when a process it started reports an error (invalid
# access, uninitialised value, bad free, bad system call argument) or a
# leak, or when the command itself fails.  Leaks: definitely, indirectly
# and possibly lost are errors (possibly lost: only an interior pointer
# left; husk keeps none on purpose, so one is a leak until shown
# otherwise).  Still reachable is not: a block a global still points at
# when a short-lived process exits (json-c's and libseccomp's tables, the
# seccomp cache directory main() keeps) is freed by the exit and cannot
# grow.  Lost blocks count in the first process only: a forked child that
# _exits drops its copy of the parent's heap, and the parent
# frees its own (valgrind calls the copy lost once only a dead frame or a
# register pointed at it).  Errors count in every process.
#
# Processes: valgrind follows fork and clone, so the container's init, the
# intermediate of exec and every helper child run under it until they exec
# the container's program, which runs natively (--trace-children=no).
# husk re-executes itself from a read-only view of its binary before
# putting anything in a container (CVE-2019-5736, src/linux/selfexe.c);
# valgrind 3.19 refuses that execveat (EACCES) and, if it ran it, would
# check nothing after it.  husk skips the step when its binary already
# sits on a read-only mount, so the script runs in a private mount
# namespace in which build-vg's husk is bound read-only onto itself: every
# husk process stays under valgrind.
#
# valgrind 3.19 answers ENOSYS for system calls it does not know (clone3,
# openat2, open_tree, mount_setattr, fsopen, pidfd_open, seccomp): husk then
# takes its fallbacks (clone, path walks, mount(2), pid polling), so the
# code behind those calls is checked by the sanitizers only.  The unit
# tests' own ok/FAIL verdicts belong to `make unit`: some fail under
# valgrind because they test exactly those calls (or setdomainname, a
# clone sharing memory, the real RLIMIT_NOFILE); they are shown, the
# check is valgrind's verdict.
cd "$(dirname "$0")/.." || exit 1
top=$PWD
vgb=${VG_BUILD:-build-vg}
export ROOTFS=${ROOTFS:-$top/build/rootfs}
pass=0 fail=0

if ! command -v valgrind >/dev/null; then
	echo "FAIL valgrind: not installed (scripts/deps.sh --test)"
	echo "valgrind: 0 passed, 1 failed"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL valgrind: needs root (a private mount namespace for husk's read-only binary)"
	echo "valgrind: 0 passed, 1 failed"
	exit 1
fi
if [ -z "${HK_VG_INNER:-}" ]; then
	HK_VG_INNER=1 exec unshare --mount --propagation private bash "$top/tests/valgrind.sh" "$@"
fi

vgb=$(cd "$vgb" 2>/dev/null && pwd) || {
	echo "FAIL valgrind: no ${VG_BUILD:-build-vg} (make valgrind)"
	echo "valgrind: 0 passed, 1 failed"
	exit 1
}
HUSK=$vgb/husk
tmp=$(mktemp -d /tmp/husk-valgrind.XXXXXX)
state=$tmp/state
ids=""
# bundles as the integration tests make them (lib.sh's mkbundle: a copy of
# the rootfs, `husk spec`, a cgroup below this process's own; cg_leftovers)
T=$tmp/t
mkdir -p "$T"
HK_CG_PREFIX=husk-vg-$$ HK_TEST_NAME=vg
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/lib.sh
cleanup() {
	local id d
	for id in $ids; do
		"$HUSK" --root "$state" delete --force "$id" >/dev/null 2>&1
	done
	find "$tmp/logs" -name log -printf '%h\n' 2>/dev/null | while read -r d; do vg_wait "$d"; done
	cg_leftovers | sort -r | xargs -r rmdir 2>/dev/null
	if [ -n "${HK_VG_KEEP:-}" ]; then
		echo "logs kept in $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# valgrind's RLIMIT_NOFILE: it keeps the descriptors above the soft limit
# for itself and accepts only a setrlimit whose hard limit is exactly that
# soft limit.  Soft 1024 with a higher hard limit lets the container's
# process.rlimits of `husk spec` (1024/1024) through.
[ "$(ulimit -Hn)" -ge 2048 ] || ulimit -Hn 2048
ulimit -Sn 1024

if [ -x "$HUSK" ]; then
	if ! { mount --bind "$HUSK" "$HUSK" && mount -o remount,bind,ro "$HUSK" "$HUSK"; }; then
		echo "FAIL valgrind: cannot bind $HUSK read-only"
		echo "valgrind: 0 passed, 1 failed"
		exit 1
	fi
fi

# shellcheck disable=SC2054 # (commas inside options)
vgopts=(--tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --track-fds=no
	--trace-children=no --child-silent-after-fork=no --num-callers=20
	--suppressions="$top/tests/valgrind.supp")

# vg DIR CMD...: CMD under memcheck, at most 2 minutes; returns CMD's
# status (99: valgrind found something).  Every process writes to DIR/log,
# each line tagged ==PID==: valgrind opens it once and forked processes
# inherit its descriptor (a file per process, --log-file=%p, cannot be:
# `husk exec` forks its process after joining the container's mount
# namespace, where no path of ours exists, and valgrind would end it).
vg() {
	local dir=$1
	shift
	mkdir -p "$dir"
	timeout -k 5 120 valgrind "${vgopts[@]}" --log-file="$dir/log" "$@"
}

# vg_unwritten DIR: no process writes to DIR/log
vg_unwritten() { ! find /proc/[0-9]*/fd -lname "$1/log" 2>/dev/null | grep -q .; }

# vg_wait DIR: until no process writes to DIR/log any more (a process that
# outlives its husk: a container's init until it execs), 30 s
vg_wait() {
	wait_until 30 vg_unwritten "$1" || true
}

# vg_scan DIR...: the findings in the logs of DIR... go to $tmp/findings;
# sets procs (processes), exited (those that ran to their exit: the
# others exec'd or were killed), errs (processes with a finding),
# reachable (bytes still reachable at exit, summed) and gaveup (processes
# valgrind could not run: a clone sharing memory without being a thread).
# A finding: any stack trace valgrind printed (an error, or a lost block:
# still reachable ones are not shown), or an ERROR SUMMARY above 0.  Not
# findings: a process ended by a signal that is no fault (it prints where
# it was), and in a forked child, lost blocks: a copy of its parent's heap
# that _exit or exec drops at once, while the parent frees its own (in the
# first process every rule holds).
vg_scan() {
	local d f body
	procs=0 exited=0 errs=0 reachable=0 gaveup=0
	: >"$tmp/findings"
	for d in "$@"; do
		vg_wait "$d"
		rm -rf "$d/by-pid"
		mkdir "$d/by-pid"
		awk -v out="$d/by-pid" 'match($0, /^(==|--)[0-9]+(==|--)/) {
			print > (out "/" substr($0, 3, RLENGTH - 4) ".log") }' "$d/log" 2>/dev/null
		for f in "$d"/by-pid/*.log; do
			[ -e "$f" ] || continue
			procs=$((procs + 1))
			body=$(sed -E '/Unsupported clone\(\) flags|Valgrind detected that your program requires/,$d' "$f")
			[ "$(wc -l <"$f")" -ne "$(printf '%s\n' "$body" | wc -l)" ] && gaveup=$((gaveup + 1))
			body=$(sed -E '/Process terminating with default action of signal [0-9]+ \(SIG(KILL|TERM|INT|HUP|QUIT|PIPE|ALRM|USR1|USR2|CHLD)\)/,/^==[0-9]+== *$/d' <<<"$body")
			grep -q 'ERROR SUMMARY:' <<<"$body" && exited=$((exited + 1))
			reachable=$((reachable + $(sed -nE 's/.*still reachable: ([0-9,]+) bytes.*/\1/p' <<<"$body" | tr -d , | grep . || echo 0)))
			# valgrind's banner: the first process (forked ones share its log)
			if ! grep -q 'Memcheck, a memory error detector' <<<"$body"; then
				body=$(sed -E '/ bytes in [0-9,]+ blocks are (definitely|indirectly|possibly) lost in loss record/,/^==[0-9]+== *$/d; s/ERROR SUMMARY: [0-9]+/ERROR SUMMARY: (leaks of a child)/' <<<"$body")
			fi
			grep -qE '^==[0-9]+== +(at|by) 0x|ERROR SUMMARY: [1-9]' <<<"$body" || continue
			errs=$((errs + 1))
			{
				echo "    ${d#"$tmp/logs/"}, process $(basename "$f" .log):"
				grep -vE '^--|Memcheck, a memory|Copyright|Using Valgrind|Command:|Parent PID|HEAP SUMMARY|in use at exit|total heap usage|LEAK SUMMARY|still reachable|suppressed:|Reachable blocks|To see them|For lists of|For counts of|rerun with' <<<"$body" |
					sed -E 's/^==[0-9]+== ?//' | cat -s | head -80 | sed 's/^/    /'
			} >>"$tmp/findings"
		done
	done
}

# report NAME DIR PROBLEM [NOTE]: the check's line, from the logs below
# DIR; PROBLEM (not empty) fails it too
report() {
	local name=$1 dir=$2 problem=$3 note=${4:-}
	local dirs
	mapfile -t dirs < <(find "$dir" -name log -printf '%h\n' | sort)
	vg_scan "${dirs[@]}"
	local what="$procs processes reporting ($exited at their exit), $reachable bytes still reachable"
	[ "$gaveup" -gt 0 ] && what="$what, $gaveup beyond valgrind (unsupported clone)"
	if [ "$errs" -eq 0 ] && [ "$procs" -gt 0 ] && [ -z "$problem" ]; then
		echo "ok   valgrind $name: 0 errors in $what${note:+; $note}"
		pass=$((pass + 1))
	else
		[ "$procs" -eq 0 ] && problem="${problem:+$problem; }no valgrind log"
		echo "FAIL valgrind $name: $errs of $what with errors${problem:+; $problem}${note:+; $note}"
		cat "$tmp/findings"
		fail=$((fail + 1))
	fi
}

# ---- the unit tests ----
for src in tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	bin=$vgb/tests/$name
	dir=$tmp/logs/$name
	if [ ! -x "$bin" ]; then
		echo "FAIL valgrind $name: $bin missing (make valgrind)"
		fail=$((fail + 1))
		continue
	fi
	out=$(vg "$dir" "$bin" 2>&1)
	rc=$?
	problem=""
	[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && problem="timed out"
	[ "$rc" -eq 99 ] && problem="valgrind's error exit"
	# the test's own verdict under valgrind (see above), for the reader
	verdict=$(sed -n 's/^unit: \([0-9]* passed, [0-9]* failed\)$/\1/p' <<<"$out")
	failed=$(sed -n 's/^FAIL \(.*\)/\1/p' <<<"$out" | tr '\n' ' ')
	note="unit: ${verdict:-no summary, exit $rc}${failed:+ under valgrind (${failed% })}"
	report "$name" "$dir" "$problem" "$note"
done

# ---- husk ----

# hkvg NAME STEP EXPECT ARGS...: `husk --root $state ARGS` under valgrind
# into the logs of check NAME (its output in $tmp/out); a status other
# than EXPECT is a problem of NAME
hkvg() {
	local name=$1 step=$2 expect=$3 rc
	shift 3
	vg "$tmp/logs/$name/$step" "$HUSK" --root "$state" "$@" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" -eq "$expect" ] ||
		problem "$name" "husk $* exited $rc, expected $expect: $(tail -3 "$tmp/out" | tr '\n' ' ')"
	return 0
}
vg_stopped() { # vg_stopped ID: container ID (in $state) is stopped
	"$HUSK" --root "$state" state "$1" 2>/dev/null | grep -q '"stopped"'
}
problem() { # problem NAME MSG: check NAME fails with MSG
	mkdir -p "$tmp/logs/$1"
	printf '%s; ' "$2" >>"$tmp/logs/$1/problems"
}
check() { # check NAME: the line of check NAME
	local p
	p=$(cat "$tmp/logs/$1/problems" 2>/dev/null)
	report "$1" "$tmp/logs/$1" "${p%; }"
}

if [ ! -x "$HUSK" ] || [ ! -d "$ROOTFS/bin" ]; then
	echo "FAIL valgrind husk: no $HUSK or no rootfs $ROOTFS (make valgrind rootfs)"
	fail=$((fail + 1))
else
	# run: a pid namespace (husk spec's default), process `true`
	{ b=$(mkbundle) && setargs "$b" true; } || problem run "mkbundle failed"
	hkvg run run 0 run -b "$b" vg-run
	check run

	# the lifecycle of one container; the line of create comes once start
	# has let its init (a child of create's husk, under valgrind until it
	# execs) go on
	id=vg-life
	ids="$ids $id"
	{ b=$(mkbundle) && setargs "$b" sleep 60; } || problem create "mkbundle failed"
	hkvg create create 0 create -b "$b" "$id"
	hkvg state created 0 state "$id"
	grep -q '"status": *"created"' "$tmp/out" || problem state "not created: $(cat "$tmp/out")"
	hkvg list table 0 list
	grep -q "^$id " "$tmp/out" || problem list "no $id: $(cat "$tmp/out")"
	hkvg list json 0 list -f json
	jq -e ".[] | select(.id == \"$id\")" "$tmp/out" >/dev/null || problem list "no $id in JSON: $(cat "$tmp/out")"
	hkvg start start 0 start "$id"
	check create
	hkvg state running 0 state "$id"
	grep -q '"status": *"running"' "$tmp/out" || problem state "not running: $(cat "$tmp/out")"
	hkvg state unknown 1 state vg-no-such-container
	check state
	check list
	check start
	hkvg exec true 0 exec "$id" true
	hkvg exec status 3 exec "$id" sh -c 'exit 3'
	check exec
	hkvg kill kill 0 kill "$id" KILL
	wait_until 10 vg_stopped "$id" || problem kill "$id not stopped 10 s after kill KILL"
	check kill
	hkvg delete delete 0 delete "$id"
	ids=""
	[ -z "$(cg_leftovers)" ] || problem delete "cgroups left: $(cg_leftovers | tr '\n' ' ')"
	hkvg delete again 1 delete "$id"
	check delete

	# config errors: the error paths free what they parsed
	b=$(mkbundle) || problem config-error "mkbundle failed"
	cp "$b/config.json" "$b/config.json.good"
	echo '{"ociVersion": "1.0.2", "process": ' >"$b/config.json"
	hkvg config-error syntax 1 run -b "$b" vg-bad
	cp "$b/config.json.good" "$b/config.json"
	cfg "$b" '.linux.namespaces += [{"type": "bogus"}]'
	hkvg config-error namespace 1 run -b "$b" vg-bad
	grep -q 'linux.namespaces' "$tmp/out" || problem config-error "no JSON path in: $(cat "$tmp/out")"
	cp "$b/config.json.good" "$b/config.json"
	cfg "$b" '.process.rlimits[0].type = "RLIMIT_BOGUS"'
	hkvg config-error rlimit 1 run -b "$b" vg-bad
	check config-error

	mkdir "$T/spec" && cd "$T/spec" || exit 1
	hkvg spec plain 0 spec
	jq -e .process.args config.json >/dev/null || problem spec "no config.json"
	rm -f config.json
	hkvg spec rootless 0 spec --rootless
	jq -e .linux.uidMappings config.json >/dev/null || problem spec "--rootless: no uidMappings"
	cd "$top" || exit 1
	check spec
	hkvg features features 0 features
	jq -e .ociVersionMax "$tmp/out" >/dev/null || problem features "no JSON: $(head -3 "$tmp/out")"
	check features
fi

echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
