# test_engines.sh - husk driven by real container engines, as users run it:
# podman (through conmon), containerd (ctr, shim v2) and docker (dockerd
# on that containerd, husk its default runtime).  Each engine gets
# private state, configs and sockets under $T/eng, its containers' cgroups
# below the test's own cgroup, and is torn down at the end of the test
# (tests/engines/: the helpers and config templates).
# HK_ENGINE_RUNTIME=/usr/sbin/runc runs the same tests with runc (to check
# the tests); otherwise the engines run $HUSK.  Every runtime call is logged
# in $T/eng/runtime.log (shown when a test fails).

. "$HK_TESTS_DIR/engines/common.sh"
. "$HK_TESTS_DIR/engines/podman.sh"
. "$HK_TESTS_DIR/engines/containerd.sh"
. "$HK_TESTS_DIR/engines/docker.sh"

IMG=localhost/hkbusybox

# ---- podman ----

test_engine_podman_run_output_and_exit_codes() {
	needs_root "the engines run as root"
	local out rc
	pm_setup
	out=$(pm_run --rm $IMG sh -c 'echo hello-$((6*7)); echo err >&2' 2>&1)
	assert_contains "$out" "hello-42" "podman run output"
	assert_contains "$out" "err" "podman run stderr"
	rc=0; pm_run --rm $IMG true || rc=$?
	assert_eq 0 "$rc" "exit status of true"
	rc=0; pm_run --rm $IMG sh -c 'exit 7' || rc=$?
	assert_eq 7 "$rc" "exit status of exit 7"
	# the runtime's error, read from its --log file, mapped to 127/126
	rc=0; pm_run --rm $IMG /no/such/cmd 2>"$T/err" || rc=$?
	assert_eq 127 "$rc" "exit status of a missing command [$(cat "$T/err")]"
	rc=0; pm_run --rm $IMG nosuchcmd 2>"$T/err" || rc=$?
	assert_eq 127 "$rc" "exit status of a command not in PATH [$(cat "$T/err")]"
	assert_contains "$(cat "$T/err")" "executable file not found in"
	rc=0; pm_run --rm $IMG /etc/passwd 2>"$T/err" || rc=$?
	assert_eq 126 "$rc" "exit status of a file that is not executable [$(cat "$T/err")]"
	# options that reach config.json: user, workdir, env, hostname
	out=$(pm_run --rm -u 1000:1000 -w /tmp -e FOO=bar --hostname pmhost $IMG \
		sh -c 'echo "$(id -u):$(id -g) $PWD $FOO $(hostname)"')
	assert_eq "1000:1000 /tmp bar pmhost" "$out" "user, workdir, env, hostname"
	# the container's cgroup is below the parent we asked for
	out=$(pm_run --rm --cgroupns host $IMG cat /proc/self/cgroup)
	assert_contains "$out" "$ENG_CG/libpod-" "container cgroup"
	# podman sends its default seccomp profile: in force; unconfined: none
	out=$(pm_run --rm $IMG sh -c 'grep Seccomp: /proc/self/status')
	assert_contains "$out" "Seccomp:	2" "podman's seccomp profile"
	out=$(pm_run --rm --security-opt seccomp=unconfined $IMG grep Seccomp: /proc/self/status)
	assert_contains "$out" "Seccomp:	0" "seccomp=unconfined"
}

test_engine_podman_detached_exec_stop() {
	needs_root "the engines run as root"
	local out rc
	pm_setup
	pm_run -d --name c1 $IMG sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	pm_wait_status c1 running
	wait_until 30 pm_said c1 ready || fail "c1 did not say ready: $(pm logs c1 2>&1)"
	out=$(pm ps --format '{{.Names}} {{.Status}}')
	assert_contains "$out" "c1 Up" "podman ps"
	out=$(pm exec c1 sh -c 'echo exec-$((1+1)) $$')
	assert_contains "$out" "exec-2" "podman exec output"
	rc=0; pm exec c1 sh -c 'exit 5' || rc=$?
	assert_eq 5 "$rc" "podman exec exit status"
	rc=0; pm exec c1 nosuchcmd 2>"$T/err" || rc=$?
	assert_eq 127 "$rc" "podman exec of a missing command [$(cat "$T/err")]"
	out=$(pm top c1 pid args)
	assert_contains "$out" "while :" "podman top"
	pm stop -t 10 c1 >/dev/null
	assert_eq 3 "$(pm inspect -f '{{.State.ExitCode}}' c1)" "exit code after podman stop (the TERM trap's)"
	assert_eq 3 "$(pm wait c1)" "podman wait"
	assert_contains "$(pm logs c1)" "got-term"
	# a process that ignores TERM: killed after the timeout
	pm_run -d --name c2 $IMG sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null
	pm_wait_status c2 running
	pm stop -t 1 c2 >/dev/null
	assert_eq 137 "$(pm inspect -f '{{.State.ExitCode}}' c2)" "exit code after stop of a process ignoring TERM"
	# restart a stopped container: a new create + start of the same id
	pm start c1 >/dev/null
	pm_wait_status c1 running
	pm rm -f -t 0 c1 c2 >/dev/null
	assert_eq "" "$(pm ps -aq)" "containers left after rm -f"
}

test_engine_podman_kill_and_rm() {
	needs_root "the engines run as root"
	local out
	pm_setup
	pm_run -d --name k1 $IMG sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done' >/dev/null
	pm_wait_status k1 running
	# sent again until it ends: the init ignores one sent before its trap
	for _ in $(seq 60); do
		pm kill -s USR1 k1 >/dev/null 2>&1 || true
		[ "$(pm inspect -f '{{.State.Status}}' k1)" = exited ] && break
		sleep 0.5
	done
	assert_eq 9 "$(pm wait k1)" "exit code after kill -s USR1"
	pm_run -d --name k2 $IMG sleep 1000 >/dev/null
	pm_wait_status k2 running
	pm kill k2 >/dev/null
	assert_eq 137 "$(pm wait k2)" "exit code after podman kill (KILL)"
	# --pid host: podman stops with kill --all
	pm_run -d --name k3 --pid host $IMG sh -c 'sleep 1000 & sleep 1000' >/dev/null
	pm_wait_status k3 running
	pm stop -t 1 k3 >/dev/null
	assert_eq exited "$(pm inspect -f '{{.State.Status}}' k3)" "status after stop of a --pid host container"
	pm_run -d --name k4 $IMG sleep 1000 >/dev/null
	pm_wait_status k4 running
	pm rm -f -t 0 k4 >/dev/null
	out=$(pm ps -a --format '{{.Names}}')
	assert_not_contains "$out" "k4" "rm -f of a running container"
}

test_engine_podman_tty() {
	needs_root "the engines run as root"
	local out
	pm_setup
	# (the short sleep: podman attaches to conmon while the container
	# starts; what a container prints at once may come before the attach
	# and be lost, with runc too)
	out=$(script -qec "$ENG_REAPER podman --tmpdir $PM_DIR/tmp run --cgroup-parent $ENG_CG -it --rm $IMG sh -c 'sleep 1; tty; stty size; echo tty-ok'" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/0" "the container's terminal"
	assert_contains "$out" "tty-ok"
	# interactive: typed input reaches the shell through the console socket
	out=$( (sleep 2; printf 'echo typed-$((6*7))\n'; sleep 1; printf 'exit 4\n'; sleep 1) |
		script -qec "$ENG_REAPER podman --tmpdir $PM_DIR/tmp run --cgroup-parent $ENG_CG -it --rm $IMG sh" /dev/null | tr -d '\r')
	assert_contains "$out" "typed-42" "output of a command typed into podman run -it"
}

test_engine_podman_resources_and_mounts() {
	needs_root "the engines run as root"
	local out rc
	pm_setup
	# OOM kill: exit 137, reported by podman
	rc=0; pm_run --name oom --memory 32m --memory-swap 32m $IMG \
		sh -c 'dd if=/dev/zero of=/dev/null bs=200M count=1' >/dev/null 2>&1 || rc=$?
	assert_eq 137 "$rc" "exit status of a container over its memory limit"
	# (not .State.OOMKilled: conmon 2.1.6 reports false even with runc, on
	# the hybrid host and in the pure v2 VM)
	out=$(pm_run --rm --memory 64m --pids-limit 50 --cgroupns private $IMG \
		sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max')
	assert_contains "$out" "67108864" "memory limit in the container's cgroup"
	assert_contains "$out" "50" "pids limit"
	# --read-only: / not writable, /tmp is
	rc=0; pm_run --rm --read-only $IMG touch /x 2>"$T/err" || rc=$?
	[ $rc -ne 0 ] || fail "touch / in a --read-only container succeeded"
	out=$(pm_run --rm --read-only $IMG sh -c 'touch /tmp/x && echo tmp-ok')
	assert_eq tmp-ok "$out" "/tmp of a --read-only container"
	# -v HOSTDIR:/mnt both ways, and :ro
	mkdir "$T/vol"
	echo from-host >"$T/vol/in"
	out=$(pm_run --rm -v "$T/vol:/mnt" $IMG sh -c 'cat /mnt/in; echo from-ctr >/mnt/out')
	assert_eq from-host "$out" "volume content"
	assert_eq from-ctr "$(cat "$T/vol/out")" "written through the volume"
	rc=0; pm_run --rm -v "$T/vol:/mnt:ro" $IMG touch /mnt/x 2>/dev/null || rc=$?
	[ $rc -ne 0 ] || fail "write to a :ro volume succeeded"
	pm rm -f oom >/dev/null
}

test_engine_podman_pause_update() {
	needs_root "the engines run as root"
	local a b out id
	pm_setup
	# written aside and renamed: a pause between the truncation and the
	# write of a plain `echo >/tmp/n` would leave it empty
	pm_run -d --name p1 --memory 64m $IMG sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done' >/dev/null
	pm_wait_status p1 running
	wait_until 30 pm_has_n p1 || fail "no counter in p1"
	pm pause p1 >/dev/null
	assert_eq paused "$(pm inspect -f '{{.State.Status}}' p1)" "status after pause"
	a=$(pm_cat_n p1)
	sleep 0.5
	b=$(pm_cat_n p1)
	assert_eq "$a" "$b" "counter moved while paused"
	pm unpause p1 >/dev/null
	assert_eq running "$(pm inspect -f '{{.State.Status}}' p1)" "status after unpause"
	sleep 0.5
	[ "$(pm exec p1 cat /tmp/n)" != "$b" ] || fail "counter did not move after unpause"
	pm update --memory 96m p1 >/dev/null
	id=$(pm inspect -f '{{.Id}}' p1)
	if [ "$(cg_layout)" = v2 ]; then
		out=$(cat "/sys/fs/cgroup$ENG_CG/libpod-$id/memory.max")
	else
		out=$(cat "/sys/fs/cgroup/memory$ENG_CG/libpod-$id/memory.limit_in_bytes")
	fi
	assert_eq 100663296 "$out" "memory limit after podman update (in the host's cgroupfs)"
	# /sys/fs/cgroup in the container shows its own cgroup (podman's
	# default: v2 a cgroup namespace; v1 none, runc then binds the
	# container's own cgroup dirs)
	out=$(pm exec p1 sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes')
	assert_eq 100663296 "$out" "memory limit seen in the container's /sys/fs/cgroup"
	pm rm -f -t 0 p1 >/dev/null
}

# the counter file of a paused container: read from the host (exec would
# join a frozen cgroup)
pm_cat_n() {
	cat "$(pm inspect -f '{{.GraphDriver.Data.UpperDir}}' "$1" 2>/dev/null)/tmp/n" 2>/dev/null ||
		cat "$(pm mount "$1")/tmp/n"
}
pm_has_n() { [ -n "$(pm_cat_n "$1")" ]; }

# the output of container $1 holds $2
pm_said() { pm logs "$1" | grep -q "$2"; }

# ---- containerd (ctr, shim v2) ----

test_engine_containerd_run_exec_kill() {
	needs_root "the engines run as root"
	local out rc
	cd_setup
	out=$(c_run --rm r1 sh -c 'echo hello-$((6*7)); cat /proc/self/cgroup')
	assert_contains "$out" "hello-42" "ctr run output"
	rc=0; c_run --rm r2 sh -c 'exit 7' || rc=$?
	assert_eq 7 "$rc" "ctr run exit status"
	rc=0; c_run --rm r3 nosuchcmd 2>"$T/err" || rc=$?
	[ $rc -ne 0 ] || fail "ctr run of a missing command succeeded"
	assert_contains "$(cat "$T/err")" "executable file not found" "ctr run error (the last json error of --log)"
	# read-only rootfs, bind mount, memory limit
	rc=0; c_run --rm --read-only r4 touch /x 2>/dev/null || rc=$?
	[ $rc -ne 0 ] || fail "touch / with --read-only succeeded"
	mkdir "$T/vol"
	c_run --rm --mount="type=bind,src=$T/vol,dst=/mnt,options=rbind:rw" r5 sh -c 'echo v >/mnt/f'
	assert_eq v "$(cat "$T/vol/f")" "written through the bind mount"
	rc=0; c_run --rm --memory-limit=33554432 r6 dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null || rc=$?
	assert_eq 137 "$rc" "exit status over the memory limit"
	# detached: task ps, exec, pause/resume, kill -a
	c_run -d d1 sh -c 'sleep 1000 & sleep 1000 & while :; do sleep 0.1; done' >/dev/null
	wait_until 30 cd_ps_lines d1 4 || fail "ctr task ps: $(c task ps d1)"
	out=$(c task exec --exec-id e1 d1 sh -c 'echo exec-$((1+1))')
	assert_eq exec-2 "$out" "ctr task exec output"
	rc=0; c task exec --exec-id e2 d1 sh -c 'exit 5' || rc=$?
	assert_eq 5 "$rc" "ctr task exec exit status"
	c task pause d1
	assert_contains "$(c task ls | grep '^d1 ')" PAUSED "ctr task ls after pause"
	c task resume d1
	assert_contains "$(c task ls | grep '^d1 ')" RUNNING "ctr task ls after resume"
	c task kill -a -s KILL d1
	wait_until 30 cd_task_stopped d1 || fail "after kill -a: $(c task ls | grep '^d1 ')"
	c task delete d1 >/dev/null
	c container delete d1
	# SIGTERM handled by the container's own trap
	c_run -d d2 sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done' >/dev/null
	# sent again until it stops: the init ignores one sent before its trap
	for _ in $(seq 60); do
		c task kill -s TERM d2 2>/dev/null || true
		c task ls | grep -q '^d2 .*STOPPED' && break
		sleep 0.5
	done
	out=$(c task delete d2 2>&1)
	assert_contains "$out" "exit code 3" "exit status of a TERM trap (ctr task delete)"
	c container delete d2
}

# `ctr task ps` of task $1 has $2 lines or more (the heading's too)
cd_ps_lines() { [ "$(c task ps "$1" | wc -l)" -ge "$2" ]; }

test_engine_containerd_tty() {
	needs_root "the engines run as root"
	local out
	cd_setup
	out=$(script -qec "ctr --address $CD_DIR/c.sock --namespace hk run --runc-binary $ENG_RT --cgroup $ENG_CG/t1 --rootfs -t --rm $T/eng/rootfs t1 /bin/sh -c 'tty; echo tty-ok'" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/0" "the container's terminal"
	assert_contains "$out" "tty-ok"
}

# ---- docker (dockerd 20.10 on the private containerd) ----

test_engine_docker_run() {
	needs_root "the engines run as root"
	local out rc
	dk_setup
	out=$(dk_run --rm hkbusybox sh -c 'echo hello-$((6*7)); echo err >&2' 2>&1)
	assert_contains "$out" "hello-42" "docker run output"
	assert_contains "$out" "err" "docker run stderr"
	rc=0; dk_run --rm hkbusybox sh -c 'exit 7' || rc=$?
	assert_eq 7 "$rc" "exit status of exit 7"
	# docker maps a start failure to 127 from the runtime's message
	rc=0; dk_run --rm hkbusybox nosuchcmd 2>"$T/err" || rc=$?
	assert_eq 127 "$rc" "exit status of a command not in PATH [$(cat "$T/err")]"
	assert_contains "$(cat "$T/err")" "executable file not found"
	rc=0; dk_run --rm hkbusybox /no/such/cmd 2>"$T/err" || rc=$?
	assert_eq 127 "$rc" "exit status of a missing command [$(cat "$T/err")]"
	out=$(dk_run --rm -u 1000:1000 -w /tmp -e FOO=bar --hostname dkhost hkbusybox \
		sh -c 'echo "$(id -u):$(id -g) $PWD $FOO $(hostname)"')
	assert_eq "1000:1000 /tmp bar dkhost" "$out" "user, workdir, env, hostname"
	out=$(dk_run --rm --cgroupns host hkbusybox cat /proc/self/cgroup)
	assert_contains "$out" "$ENG_CG/" "container cgroup"
}

# the output of container $1 holds $2
dk_said() { dk logs "$1" 2>/dev/null | grep -q "$2"; }

test_engine_docker_detached_exec_stop_oom() {
	needs_root "the engines run as root"
	local out rc
	dk_setup
	dk_run -d --name d1 hkbusybox sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_until 30 dk_said d1 ready || fail "d1 did not say ready: $(dk logs d1 2>&1)"
	assert_eq running "$(dk inspect -f '{{.State.Status}}' d1)" "docker inspect status"
	out=$(dk exec d1 sh -c 'echo exec-$((1+1))')
	assert_eq exec-2 "$out" "docker exec output"
	rc=0; dk exec d1 sh -c 'exit 5' || rc=$?
	assert_eq 5 "$rc" "docker exec exit status"
	dk stop -t 10 d1 >/dev/null
	assert_eq 3 "$(dk inspect -f '{{.State.ExitCode}}' d1)" "exit code after docker stop (the TERM trap's)"
	assert_eq 3 "$(dk wait d1)" "docker wait"
	assert_contains "$(dk logs d1)" "got-term"
	# OOM kill
	rc=0; dk_run --name oom --memory 32m --memory-swap 32m hkbusybox \
		sh -c 'dd if=/dev/zero of=/dev/null bs=200M count=1' >/dev/null 2>&1 || rc=$?
	assert_eq 137 "$rc" "exit status of a container over its memory limit"
	# rm -f of a running container
	dk_run -d --name d2 hkbusybox sleep 1000 >/dev/null
	dk rm -f d1 d2 oom >/dev/null
	assert_eq "" "$(dk ps -aq)" "containers left after rm -f"
}

# In the pure cgroup v2 VM (emulated, ~5x slower: the whole file takes
# about 5 minutes there, dockerd's tests 80 s each) only a reduced set runs:
# podman run (create/start, the --log errors, cgroups) and containerd
# (exec, pause, kill --all, OOM; docker drives the runtime through the same
# shim).  HK_ENGINE_FULL=1 runs them all.
if [ "${HK_TEST_LABEL:-}" = v2-vm ] && [ -z "${HK_ENGINE_FULL:-}" ]; then
	unset -f test_engine_podman_detached_exec_stop test_engine_podman_kill_and_rm \
		test_engine_podman_tty test_engine_podman_resources_and_mounts \
		test_engine_podman_pause_update test_engine_containerd_tty \
		test_engine_docker_run test_engine_docker_detached_exec_stop_oom
fi
