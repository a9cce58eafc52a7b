# test_faults.sh - SIGKILL of husk at every step of create, start, exec and
# delete.  strace's fault injection (ptrace) kills the husk process at the
# entry of its Nth system call (its own: without -f the container's
# processes are not traced), for N = 1, 2, ... until a run completes.
# Whatever husk had done by then, what is left must be either nothing at
# all or a container that `delete --force` removes completely: no state
# directory, cgroup, mount, fifo or process.  Every process husk starts
# carries HK_FAULT_MARK in its environment (the container's through
# process.env, an exec's through --env), so that none can hide.

# fault_stride CMD: 1 (every step) but for exec (every 2nd: its late steps
# take 2 s each, see test_faults_kill_exec_at_every_step); as a user (the
# rootless paths) every 3rd and 6th; in the VM every 6th step; 8 times
# fewer under AddressSanitizer (a step there - strace, husk, delete - takes
# several times as long); HK_FAULT_STRIDE overrides.  fault_each takes at
# least 10 steps whatever the stride.
fault_stride() {
	local s=1
	[ "${HK_TEST_AS:-root}" != root ] && s=3
	[ "$1" = exec ] && s=$((s * 2))
	[ "${HK_TEST_LABEL:-}" = v2-vm ] && s=6
	if sanitized; then s=$((s * 8)); fi
	echo "${HK_FAULT_STRIDE:-$s}"
}

# processes whose environment holds mark $1 (a zombie's environ is empty)
fault_marked() {
	grep -las "HK_FAULT_MARK=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | tr '\n' ' '
}

# no process has mark $1 (those that have it in $left)
fault_none_marked() {
	left=$(fault_marked "$1")
	[ -z "$left" ]
}

# as many mounts as before the test
fault_mounts_back() { [ "$(wc -l </proc/self/mountinfo)" = "$FAULT_MOUNTS" ]; }

# nothing of container $1 (mark $2) may be left; $3 describes the step
fault_nothing_left() {
	local id=$1 mark=$2 what=$3 left
	wait_until 30 fault_none_marked "$mark" || fail "$what: processes left: $left ($(for p in $left; do
		tr '\0' ' ' <"/proc/$p/cmdline"
		echo -n '; '
	done))"
	[ ! -e "$T/state/$id" ] || fail "$what: state directory left: $(ls -A "$T/state/$id" | tr '\n' ' ')"
	left=$(cg_leftovers)
	[ -z "$left" ] || fail "$what: cgroups left: $(echo $left)"
	# (again for a few seconds: the count is the whole namespace's)
	wait_until 3 fault_mounts_back ||
		fail "$what: mounts: $FAULT_MOUNTS before, $(wc -l </proc/self/mountinfo) now"
}

# After husk was killed at step $3 of command $4: a container left behind
# must go with delete --force, and then nothing may be left.
fault_cleanup() {
	local id=$1 mark=$2 what="$4 killed at system call $3"
	if [ -e "$T/state/$id" ]; then
		hkr delete --force "$id" >"$T/out" 2>&1 ||
			fail "$what: delete --force failed: $(cat "$T/out")"
	fi
	fault_nothing_left "$id" "$mark" "$what"
}

# fault_run CMD ID MARK [STRACE ARGS...]: `husk CMD` (the words of
# $FAULT_ARGS, ID substituted for @ID, MARK for @MARK) under strace; its
# exit status (the shell's "Killed" goes to $T/out too).
fault_run() {
	local cmd=$1 id=$2 mark=$3 a args=()
	shift 3
	for a in $FAULT_ARGS; do
		a=${a//@ID/$id}
		args+=("${a//@MARK/$mark}")
	done
	(
		# LeakSanitizer (make check SANITIZE=1) cannot run under ptrace
		HK_FAULT_MARK=$mark ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			strace "$@" "$HUSK" --root "$T/state" "$cmd" "${args[@]}"
		exit $?
	) >"$T/out" 2>&1
}

# fault_each CMD SETUP: a first run lists husk's system calls in order
# (strace -o); step N is the Nth of them, the Kth call of its name, which
# strace's "inject=NAME:signal=KILL:when=K" stops (its counts are per
# system call).  For each step: SETUP ID MARK makes what CMD needs, `husk
# CMD` is killed there, then fault_cleanup.  A step that a run does not
# reach the same way (a retried poll) just completes; most must be killed.
fault_each() {
	local cmd=$1 setup=$2 n=0 rc id mark stride killed=0 total name k
	stride=$(fault_stride "$cmd")
	FAULT_MOUNTS=$(wc -l </proc/self/mountinfo)
	id=$(newid)
	mark="$HK_CG_PREFIX-$cmd-count"
	"$setup" "$id" "$mark"
	fault_run "$cmd" "$id" "$mark" -o "$T/count" || fail "$cmd: $(cat "$T/out")"
	fault_cleanup "$id" "$mark" "(none)" "$cmd"
	# "NAME K" per system call, in order
	grep -v '^[-+]\{3\}' "$T/count" | sed 's/(.*//' |
		awk '{k[$1]++; print $1, k[$1]}' >"$T/steps"
	total=$(wc -l <"$T/steps")
	[ $((total / stride)) -ge 10 ] || stride=$(((total + 9) / 10))
	while read -r name k; do
		n=$((n + 1))
		[ $(((n - 1) % stride)) -eq 0 ] || continue
		id=$(newid)
		mark="$HK_CG_PREFIX-$cmd-$n"
		"$setup" "$id" "$mark"
		rc=0
		fault_run "$cmd" "$id" "$mark" -o /dev/null -e trace=all \
			-e "inject=$name:signal=KILL:when=$k" || rc=$?
		case $rc in
		0) ;;
		137) killed=$((killed + 1)) ;;
		*) fail "$cmd at step $n ($name): exit $rc, not killed: $(cat "$T/out")" ;;
		esac
		fault_cleanup "$id" "$mark" "$n ($name)" "$cmd"
	done <"$T/steps"
	[ $((killed * 10)) -ge $((total * 8 / stride)) ] ||
		fail "$cmd: killed at $killed steps of $total"
	echo "$cmd: $total system calls, killed at $killed steps"
}

fault_bundle() {
	FAULT_B=$(mkbundle)
	setargs "$FAULT_B" sleep 100
	# the mark reaches the container's process through its environment
	cfg "$FAULT_B" '.process.env += ["HK_FAULT_MARK=@MARK"]'
}

# the bundle with the mark of this step
fault_marked_bundle() {
	sed "s/@MARK/$2/" "$FAULT_B/config.json.in" >"$FAULT_B/config.json"
}

fault_created() {
	fault_marked_bundle "$1" "$2"
	HK_FAULT_MARK=$2 hkr create -b "$FAULT_B" "$1"
}

fault_running() {
	fault_created "$1" "$2"
	hkr start "$1"
}

test_faults_kill_create_at_every_step() {
	fault_bundle
	cp "$FAULT_B/config.json" "$FAULT_B/config.json.in"
	FAULT_ARGS="-b $FAULT_B @ID"
	fault_each create fault_marked_bundle
}

test_faults_kill_start_at_every_step() {
	fault_bundle
	cp "$FAULT_B/config.json" "$FAULT_B/config.json.in"
	FAULT_ARGS="@ID"
	fault_each start fault_created
}

# Killed once its process runs (the last steps), `husk exec` takes the
# exec'd process with it (PDEATHSIG).  Under strace's injected SIGKILL (not
# under a kill(1) at the same step, held there by strace's delay_enter)
# the container's init was seen to exit too, and to linger ~1.5 s in
# zap_pid_ns_processes, which delete --force waits for: every 2nd step.
test_faults_kill_exec_at_every_step() {
	fault_bundle
	cp "$FAULT_B/config.json" "$FAULT_B/config.json.in"
	FAULT_ARGS="--detach --env HK_FAULT_MARK=@MARK @ID sleep 100"
	fault_each exec fault_running
}

test_faults_kill_delete_at_every_step() {
	fault_bundle
	cp "$FAULT_B/config.json" "$FAULT_B/config.json.in"
	FAULT_ARGS="--force @ID"
	fault_each delete fault_running
}

# `husk run` in the foreground (its own path to the state store): a run of
# true killed at each step
test_faults_kill_run_at_every_step() {
	fault_bundle
	setargs "$FAULT_B" true
	cp "$FAULT_B/config.json" "$FAULT_B/config.json.in"
	FAULT_ARGS="-b $FAULT_B @ID"
	fault_each run fault_marked_bundle
}
