# test_process_attrs.sh - process.scheduler (sched_setattr) and
# process.ioPriority (ioprio_set): the values read back from the host for the
# container's init (chrt, ionice, /proc/PID/stat), from inside an exec'd
# process given its own -p process.json, and the errors naming the JSON path.
# Every test keeps its state in $T/state and deletes its containers on exit.

# Start bundle $1 as container $2 running `sleep 600`; its host pid in
# $PA_PID (not printed: the EXIT trap must be set in the test's shell).
pa_start() {
	local b=$1 id=$2
	setargs "$b" sleep 600
	delete_at_exit "$id"
	hkr run -d -b "$b" "$id" >/dev/null || return 1
	wait_status "$id" running >/dev/null || return 1
	PA_PID=$(hkr state "$id" | jq -r .pid)
	[ "$PA_PID" -gt 0 ] || fail "no pid for $id"
}

# Field $2 of /proc/$1/stat (after the comm, which may hold spaces).
pa_stat() {
	sed 's/^.*) //' "/proc/$1/stat" | awk -v f="$(($2 - 2))" '{print $f}'
}

test_pattrs_io_priority() {
	local b id pid
	b=$(mkbundle)
	cfg "$b" '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 5}'
	id=$(newid)
	pa_start "$b" "$id" || return 1
	pid=$PA_PID
	assert_eq "best-effort: prio 5" "$(ionice -p "$pid")" "ionice of the init"
	hkr delete --force "$id"

	cfg "$b" '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE"}'
	id=$id-idle
	pa_start "$b" "$id" || return 1
	pid=$PA_PID
	assert_eq "idle" "$(ionice -p "$pid")" "ionice of the init"
	hkr delete --force "$id"
}

test_pattrs_scheduler_batch_nice() {
	local b id pid
	b=$(mkbundle)
	cfg "$b" '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
	id=$(newid)
	pa_start "$b" "$id" || return 1
	pid=$PA_PID
	assert_eq 5 "$(pa_stat "$pid" 19)" "nice (stat field 19)"
	assert_eq 3 "$(pa_stat "$pid" 41)" "policy (stat field 41, SCHED_BATCH)"
	assert_contains "$(chrt -p "$pid")" "policy: SCHED_BATCH"
	hkr delete --force "$id"
}

test_pattrs_scheduler_fifo() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id pid
	b=$(mkbundle)
	cfg "$b" '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
	# With RT group scheduling on cgroup v1 a new cgroup has no RT budget
	# (cpu.rt_runtime_us 0): the kernel refuses SCHED_FIFO there.
	[ "$(cg_layout)" != v2 ] && [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] &&
		cfg "$b" '.linux.resources.cpu = {"realtimeRuntime": 5000, "realtimePeriod": 100000}'
	id=$(newid)
	pa_start "$b" "$id" || return 1
	pid=$PA_PID
	local out
	out=$(chrt -p "$pid")
	echo "$out"
	assert_contains "$out" "policy: SCHED_FIFO|SCHED_RESET_ON_FORK"
	assert_contains "$out" "priority: 10"
	assert_eq 1 "$(pa_stat "$pid" 41)" "policy (stat field 41, SCHED_FIFO)"
	assert_eq 10 "$(pa_stat "$pid" 40)" "rt_priority (stat field 40)"
	hkr delete --force "$id"
}

# exec -p: the exec'd process gets the values of its process.json, not the
# container's; read back from inside (busybox ionice, /proc/self/stat).
test_pattrs_exec_own_values() {
	local b id out
	b=$(mkbundle)
	cfg "$b" '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5} |
		.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 5}'
	id=$(newid)
	pa_start "$b" "$id" || return 1
	# without -p: the container's process, so its values
	out=$(hkr exec "$id" sh -c "ionice -p \$\$; sed 's/^.*) //' /proc/self/stat | cut -d' ' -f17,39")
	echo "$out"
	assert_eq "$(printf 'best-effort: prio 5\n5 3')" "$out" "ioprio, nice and policy of exec without -p"
	cat >"$T/process.json" <<'EOF2'
{"args": ["sh", "-c", "ionice -p $$; sed 's/^.*) //' /proc/self/stat | cut -d' ' -f17,39"],
 "env": ["PATH=/bin:/usr/bin"], "cwd": "/",
 "scheduler": {"policy": "SCHED_OTHER", "nice": 3},
 "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 0}}
EOF2
	out=$(hkr exec -p "$T/process.json" "$id")
	echo "$out"
	assert_eq "$(printf 'idle\n3 0')" "$out" "ioprio, nice and policy of the exec'd process"
	cat >"$T/process.json" <<'EOF2'
{"args": ["sh", "-c", "ionice -p $$; sed 's/^.*) //' /proc/self/stat | cut -d' ' -f17,39"],
 "env": ["PATH=/bin:/usr/bin"], "cwd": "/",
 "scheduler": {"policy": "SCHED_IDLE"},
 "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 2}}
EOF2
	out=$(hkr exec -p "$T/process.json" "$id")
	echo "$out"
	assert_eq "best-effort: prio 2" "$(echo "$out" | head -1)" "ioprio of the exec'd process"
	assert_eq 5 "$(echo "$out" | tail -1 | cut -d' ' -f2)" "policy of the exec'd process (SCHED_IDLE)"
	# invalid values: refused before anything runs, naming the path
	echo '{"args": ["true"], "cwd": "/", "ioPriority": {"class": "IOPRIO_CLASS_NOPE"}}' >"$T/bad.json"
	expect_fail hkr exec -p "$T/bad.json" "$id"
	assert_contains "$(cat "$T/err")" 'process.ioPriority.class: unknown class "IOPRIO_CLASS_NOPE"'
	echo '{"args": ["true"], "cwd": "/", "scheduler": {"policy": "SCHED_OTHER", "nice": 42}}' >"$T/bad.json"
	expect_fail hkr exec -p "$T/bad.json" "$id"
	assert_contains "$(cat "$T/err")" "process.scheduler.nice: out of range (-20..19)"
}

test_pattrs_invalid() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.process.ioPriority = {"class": "IOPRIO_CLASS_X", "priority": 1}'
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'process.ioPriority.class: unknown class "IOPRIO_CLASS_X"'
	cfg "$b" '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 8}'
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "process.ioPriority.priority: out of range (0..7)"
	cfg "$b" 'del(.process.ioPriority) | .process.scheduler = {"policy": "SCHED_BATCH", "priority": 5}'
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority"
	cfg "$b" '.process.scheduler = {"policy": "SCHED_LATER"}'
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'process.scheduler.policy: unknown policy "SCHED_LATER"'
	# valid JSON the kernel refuses (runtime above the deadline): the
	# init's sched_setattr error travels back to create
	cfg "$b" '.process.scheduler = {"policy": "SCHED_DEADLINE", "runtime": 2000000, "deadline": 1000000, "period": 3000000}'
	delete_at_exit "$id"
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "process.scheduler: sched_setattr SCHED_DEADLINE"
	assert_contains "$(cat "$T/err")" "invalid argument"
	hkr delete --force "$id" >/dev/null 2>&1 || true
}

# H9: the init is non-dumpable until its execve.  A rootless container
# (user namespace, its root is the test user on the host) waiting for
# `start`: the init's /proc/PID files are host root's, and the user, the
# same uid as the container's root, may not look at its fds or environment.
# Started, the program is dumpable again: its /proc/PID/fd is the user's
# (root's inside).
test_pattrs_init_not_dumpable_until_start() {
	local b id pid out
	b=$(mkbundle_user)
	id=$(newid)
	setargs "$b" sh -c 'echo "fd owner $(stat -c %u /proc/self/fd)"; exec sleep 600'
	user_dir "$T/ustate"
	PA_UID=$id
	trap 'as_user "$HUSK" --root "$T/ustate" delete --force "$PA_UID" >/dev/null 2>&1 || true' EXIT
	(cd "$b" && as_user "$HUSK" --root "$T/ustate" create "$id") >"$T/out" 2>&1 </dev/null
	assert_eq created "$(as_user "$HUSK" --root "$T/ustate" state "$id" | jq -r .status)"
	pid=$(as_user "$HUSK" --root "$T/ustate" state "$id" | jq -r .pid)
	assert_eq 0 "$(stat -c %u "/proc/$pid/fd")" "owner of the waiting init's /proc/PID/fd"
	assert_eq 0 "$(stat -c %u "/proc/$pid/environ")" "owner of the waiting init's /proc/PID/environ"
	if as_user ls "/proc/$pid/fd" >"$T/ls" 2>&1; then
		cat "$T/ls"
		fail "the user listed the waiting init's fds"
	fi
	assert_contains "$(cat "$T/ls")" "Permission denied"
	as_user "$HUSK" --root "$T/ustate" start "$id"
	wait_file "$T/out"
	wait_until 30 grep -q "fd owner" "$T/out" || fail "the program printed [$(cat "$T/out")], no fd owner"
	assert_eq "fd owner 0" "$(cat "$T/out")" "the program's /proc/self/fd, inside"
	assert_eq "$HK_USER_UID" "$(stat -c %u "/proc/$pid/fd")" "owner of the program's /proc/PID/fd"
	as_user ls "/proc/$pid/fd" >/dev/null
	as_user "$HUSK" --root "$T/ustate" delete --force "$id"
}

# The same for a container of root's with a user namespace and a user other
# than root: the program runs (dumpable, its /proc/self/fd its own) and so
# does exec.
test_pattrs_userns_non_root_user_dumpable_program() {
	needs_root "adds its own user namespace"
	local b id out
	b=$(mkbundle)
	cfg "$b" --argjson s "$HK_SUBID_START" '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": $s, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": $s, "size": 65536}] |
		.process.user = {"uid": 1000, "gid": 1000}'
	id=$(newid)
	pa_start "$b" "$id" || return 1
	assert_eq "$((HK_SUBID_START + 1000))" "$(stat -c %u "/proc/$PA_PID/fd")" "owner of the program's /proc/PID/fd"
	out=$(hkr exec "$id" sh -c 'id -u; stat -c %u /proc/self/fd; ls /proc/1/fd | wc -l')
	echo "$out"
	assert_eq "$(printf '1000\n1000')" "$(echo "$out" | head -2)" "uid and /proc/self/fd owner of exec"
	[ "$(echo "$out" | tail -1)" -ge 3 ] || fail "exec could not list the init's fds"
	hkr delete --force "$id"
}

# linux.personality LINUX32: the program and exec'd processes see a 32-bit
# machine (uname -m i686 on x86_64, as runc's tests); LINUX leaves x86_64.
# Flags (the runtime spec defines none) are ignored, as with runc, with a
# --debug note.
test_pattrs_personality_run_and_exec() {
	[ "$(uname -m)" = x86_64 ] || { echo "skipped: not x86_64"; return 0; }
	local b id
	b=$(mkbundle)
	cfg "$b" '.linux.personality = {"domain": "LINUX32"}'
	setargs "$b" uname -m
	assert_eq i686 "$(hkr run -b "$b" "$(newid)")" "uname -m of the program"
	id=$(newid)
	pa_start "$b" "$id" || return 1
	assert_eq i686 "$(hkr exec "$id" uname -m)" "uname -m of exec"
	hkr delete --force "$id"
	cfg "$b" '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
	setargs "$b" uname -m
	assert_eq x86_64 "$(hkr --debug run -b "$b" "$(newid)" 2>"$T/err")" "uname -m with LINUX"
	assert_contains "$(cat "$T/err")" 'linux.personality.flags[0]: \"ADDR_NO_RANDOMIZE\" ignored'
}

# exec --no-new-privs: NoNewPrivs 1 in the exec'd process's status, 0
# without (the container's own process.noNewPrivileges is false).
test_pattrs_exec_no_new_privs() {
	local b id
	b=$(mkbundle)
	cfg "$b" '.process.noNewPrivileges = false'
	id=$(newid)
	pa_start "$b" "$id" || return 1
	assert_eq "NoNewPrivs:	0" "$(grep NoNewPrivs /proc/"$PA_PID"/status)" "the init"
	assert_eq "NoNewPrivs:	0" "$(hkr exec "$id" grep NoNewPrivs /proc/self/status)" "exec"
	assert_eq "NoNewPrivs:	1" "$(hkr exec --no-new-privs "$id" grep NoNewPrivs /proc/self/status)" \
		"exec --no-new-privs"
	hkr delete --force "$id"
}

# process.oomScoreAdj with a user namespace: the init writes it before it
# goes non-dumpable (after, its /proc/self files are host root's): a
# container of root's with a user namespace, and a rootless one.
test_pattrs_oom_score_adj_user_namespace() {
	needs_root "adds its own user namespace"
	local b out
	b=$(mkbundle)
	cfg "$b" --argjson s "$HK_SUBID_START" '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": $s, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": $s, "size": 65536}] |
		.process.oomScoreAdj = 300'
	setargs "$b" cat /proc/self/oom_score_adj
	assert_eq 300 "$(hkr run -b "$b" "$(newid)")" "with a user namespace"
	b=$(mkbundle_user)
	cfg "$b" '.process.oomScoreAdj = 400'
	setargs "$b" cat /proc/self/oom_score_adj
	assert_eq 400 "$(cd "$b" && as_user "$HUSK" run "$(newid)")" "rootless"
	# and an exec into it: its intermediate writes it while still dumpable
	local id
	id=$(newid)-exec
	setargs "$b" sleep 600
	(cd "$b" && as_user "$HUSK" run -d "$id")
	out=$(as_user "$HUSK" exec "$id" cat /proc/self/oom_score_adj 2>&1) || true
	as_user "$HUSK" delete -f "$id"
	assert_eq 400 "$out" "rootless exec"
}

# the user's newest sleep (in $holder) is in a user namespace other than ours
pa_userns_holder() {
	holder=$(pgrep -u "$HK_USER_UID" -x sleep -n || true)
	local ns
	ns=$(readlink "/proc/$holder/ns/user" 2>/dev/null)
	[ -n "$holder" ] && [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/user)" ]
}

# Time offsets of a rootless container that joins a user namespace (given
# by path): the init, non-dumpable, writes its own timens_offsets, which is
# then host root's: it does so while dumpable for that moment.
test_pattrs_rootless_joined_userns_time_offsets() {
	local b holder out
	b=$(mkbundle_user)
	as_user unshare -Ur sleep 120 &
	wait_until 10 pa_userns_holder || fail "no sleep of the user's in a user namespace of its own"
	PA_HOLDER=$holder
	trap 'kill "$PA_HOLDER" 2>/dev/null || true' EXIT
	cfg "$b" --arg p "/proc/$holder/ns/user" '
		.linux.namespaces |= map(if .type == "user" then {"type": "user", "path": $p} else . end) |
		del(.linux.uidMappings, .linux.gidMappings) |
		.linux.namespaces += [{"type": "time"}] |
		.linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}'
	setargs "$b" sh -c 'tr -s " " </proc/self/timens_offsets; id -u'
	out=$(cd "$b" && as_user "$HUSK" run "$(newid)")
	echo "$out"
	assert_eq "$(printf 'monotonic 86400 0\nboottime 0 0\n0')" "$out"
}
