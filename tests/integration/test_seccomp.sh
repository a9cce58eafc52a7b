# test_seccomp.sh - linux.seccomp: what a filter denies is denied in the
# container (and in what `exec` starts there), what it allows works; errno
# values, argument conditions, an allow list; config errors naming the
# JSON path; a seccomp agent answering notified syscalls; podman's default
# profile.  Both places of the load are covered: with noNewPrivileges (the
# `husk spec` default: the filter goes in last) and without (before the
# capabilities are dropped).

# seccomp "$b" JSON: the bundle's linux.seccomp (and a writable root, for
# what the filter allows)
seccomp() {
	cfg "$1" ".linux.seccomp = $2 | .root.readonly = false"
}

DENY_MKDIR='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'

# the filter: Seccomp mode 2 in /proc/self/status, mkdir denied, the rest
# as usual
seccomp_mkdir_denied() {
	local b out nnp=$1
	b=$(mkbundle)
	seccomp "$b" "$DENY_MKDIR"
	cfg "$b" ".process.noNewPrivileges = $nnp"
	setargs "$b" sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status
		mkdir /tmp/d 2>&1 || echo "mkdir failed"
		touch /tmp/f && echo "in /tmp: $(ls /tmp | tr "\n" " ")"'
	out=$(hk run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$out" "Seccomp:	2"
	assert_contains "$out" "NoNewPrivs:	$([ "$nnp" = true ] && echo 1 || echo 0)"
	assert_contains "$out" "can't create directory '/tmp/d': Operation not permitted"
	assert_contains "$out" "mkdir failed"
	assert_contains "$out" "in /tmp: f " "the rest works (no directory d)"
}

test_seccomp_errno_denies_mkdir() {
	seccomp_mkdir_denied true
}

# without no_new_privs, seccomp(2) needs CAP_SYS_ADMIN: loaded before the
# capabilities are dropped (the process has none of them after)
test_seccomp_errno_denies_mkdir_without_no_new_privileges() {
	seccomp_mkdir_denied false
}

test_seccomp_errno_ret() {
	local b out
	b=$(mkbundle)
	# ENOSPC (28), EXDEV (18)
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28},
		{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
	setargs "$b" sh -c 'mkdir /tmp/d; rmdir /tmp; echo done'
	out=$(hk run -b "$b" "$(newid)" 2>&1)
	assert_contains "$out" "can't create directory '/tmp/d': No space left on device"
	assert_contains "$out" "Invalid cross-device link"
	assert_contains "$out" "done"
}

# a condition on an argument: kill(2) with signal 10 (USR1) is denied,
# with 0 it works; with 12 (USR2) the process is killed (SIGSYS)
test_seccomp_args_condition() {
	local b out rc=0
	b=$(mkbundle)
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]},
		{"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS",
		 "args": [{"index": 1, "value": 12, "op": "SCMP_CMP_EQ"}]}]}'
	# (no core dump of the killed shell)
	cfg "$b" '.process.rlimits = [{"type": "RLIMIT_CORE", "hard": 0, "soft": 0}]'
	setargs "$b" sh -c 'kill -USR1 $$ 2>&1 || echo "usr1 refused"
		kill -0 $$ && echo "signal 0 fine"
		kill -USR2 $$; echo "survived usr2"'
	out=$(hk run -b "$b" "$(newid)") || rc=$?
	echo "$out"
	assert_contains "$out" "Operation not permitted"
	assert_contains "$out" "usr1 refused"
	assert_contains "$out" "signal 0 fine"
	assert_not_contains "$out" "survived"
	assert_eq 159 "$rc" "exit status: killed by SIGSYS (128+31)"
}

# What busybox sh, its applets used here and husk's own last steps need.
ALLOW_LIST='"arch_prctl", "brk", "close", "close_range", "dup2", "dup3", "execve",
	"exit", "exit_group", "fcntl", "fstat", "getcwd", "getdents64", "getegid", "geteuid",
	"getgid", "getpgrp", "getpid", "getppid", "getuid", "ioctl", "lseek", "mmap", "munmap",
	"newfstatat", "open", "openat", "poll", "prctl", "read", "recvmsg", "rt_sigaction",
	"rt_sigprocmask", "rt_sigreturn", "sendmsg", "sendto", "set_tid_address", "stat",
	"statx", "uname", "wait4", "write", "writev", "clone", "fork", "vfork",
	"set_robust_list", "rseq", "prlimit64", "getrandom", "mprotect", "madvise", "fstatfs",
	"setsid", "capget", "capset", "setresuid", "setresgid", "setgroups", "chdir", "umask",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat", "lstat", "futex",
	"sched_getaffinity", "sigaltstack", "pipe", "pipe2", "getpgid", "setpgid", "getsid",
	"kill", "tgkill", "gettid"'

test_seccomp_default_errno_with_allow_list() {
	local b out
	b=$(mkbundle)
	seccomp "$b" "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [
		{\"names\": [$ALLOW_LIST], \"action\": \"SCMP_ACT_ALLOW\"}]}"
	setargs "$b" sh -c 'echo "sh runs"; ls / | grep -c bin; mkdir /tmp/d 2>&1; cat /proc/self/status | grep Seccomp:'
	out=$(hk run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$out" "sh runs"
	assert_contains "$out" "can't create directory '/tmp/d': Operation not permitted"
	assert_contains "$out" "Seccomp:	2"
	# defaultErrnoRet: what is not listed fails with ENOSYS (38)
	seccomp "$b" "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,
		\"syscalls\": [{\"names\": [$ALLOW_LIST], \"action\": \"SCMP_ACT_ALLOW\"}]}"
	setargs "$b" sh -c 'mkdir /tmp/d 2>&1; echo "after"'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "can't create directory '/tmp/d': Function not implemented"
	assert_contains "$out" "after"
}

test_seccomp_unknown_syscall_name_is_skipped() {
	local b out
	b=$(mkbundle)
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["hk_no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	setargs "$b" sh -c 'mkdir /tmp/d 2>&1; echo ran'
	out=$(hk --debug run -b "$b" "$(newid)" 2>"$T/debug")
	assert_contains "$out" "Operation not permitted"
	assert_contains "$out" "ran"
	# (logfmt quotes the message)
	assert_contains "$(cat "$T/debug")" 'level=debug msg="seccomp: unknown syscall \"hk_no_such_syscall\" (linux.seccomp.syscalls[0]) skipped"'
}

# config errors: reported before anything exists, naming the JSON path
test_seccomp_config_errors() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" true
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["write"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["open"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["mkdir"], "action": "SCMP_ACT_FOO"}]}'
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"'
	expect_fail hkr state "$id"
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]}'
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_Z80"'
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_LIKE"}]}]}'
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_LIKE"'
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_BOGUS"]}'
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_BOGUS"'
	# the notify fd travels by sendmsg(2): it cannot wait for the agent
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/x.sock", "syscalls": [
		{"names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY"}]}'
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'linux.seccomp.syscalls[0].names[0]: SCMP_ACT_NOTIFY cannot be used for sendmsg'
	expect_fail hkr state "$id"
}

# the flags go to seccomp(2): SECCOMP_FILTER_FLAG_LOG is accepted (and
# TSYNC, ignored), the container runs
test_seccomp_flags() {
	local b out
	b=$(mkbundle)
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG",
		"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"], "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	setargs "$b" sh -c 'mkdir /tmp/d 2>&1; echo ran'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "Operation not permitted"
	assert_contains "$out" "ran"
}

# seccomp_agent ERRNO: the agent (tests/seccomp-agent.py) on $T/agent.sock,
# its messages in $T/agent.out; sets $agent_pid
seccomp_agent() {
	python3 "$HK_TESTS_DIR/seccomp-agent.py" "$T/agent.sock" "$T/agent.out" "$1" &
	agent_pid=$!
	wait_until 30 test -S "$T/agent.sock" || fail "seccomp agent: no socket"
}

# the agent has written $1 lines or more to $T/agent.out
seccomp_agent_lines() { [ "$(wc -l <"$T/agent.out")" -ge "$1" ]; }

# SCMP_ACT_NOTIFY: the agent gets the fd and the state (runc's protocol)
# and answers: here mkdir "succeeds" without a directory being made
test_seccomp_notify_agent() {
	local b id out st
	b=$(mkbundle)
	id=$(newid)
	seccomp_agent 0
	trap 'kill $agent_pid 2>/dev/null || true' EXIT
	seccomp "$b" "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$T/agent.sock\",
		\"listenerMetadata\": \"meta-1\", \"syscalls\": [
		{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	setargs "$b" sh -c 'mkdir /tmp/d && echo "mkdir said yes"; [ -d /tmp/d ] || echo "no directory"; echo $$'
	out=$(hkr run -b "$b" "$id")
	echo "$out"
	assert_contains "$out" "mkdir said yes"
	assert_contains "$out" "no directory"
	st=$(head -1 "$T/agent.out")
	echo "$st"
	assert_eq '["seccompFd"]' "$(echo "$st" | jq -c .fds)"
	assert_eq meta-1 "$(echo "$st" | jq -r .metadata)"
	assert_eq "$id creating $b" "$(echo "$st" | jq -r '[.state.id, .state.status, .state.bundle] | join(" ")')"
	# the runtime-spec's State, nothing of `husk state`'s own
	assert_eq '["bundle","id","ociVersion","pid","status"]' "$(echo "$st" | jq -c '.state | keys')"
	assert_eq "$(echo "$st" | jq -r .pid)" "$(echo "$st" | jq -r .state.pid)" "the process is init"
	[ "$(echo "$st" | jq -r .pid)" -gt 1 ] || fail "pid"
	kill "$agent_pid"
}

# no agent at listenerPath: a clean error, nothing left
test_seccomp_notify_without_agent_fails() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sh -c 'mkdir /tmp/d'
	seccomp "$b" "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$T/none.sock\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "linux.seccomp.listenerPath: connect to the seccomp agent at $T/none.sock: no such file or directory"
	expect_fail hkr state "$id"
}

# what `exec` starts has the container's filter, with and without
# noNewPrivileges, from the config or -p (as podman passes it); its notify
# fd reaches the agent with the process's pid and the state "running"
test_seccomp_exec_gets_the_filter() {
	local b id out st init
	b=$(mkbundle)
	id=$(newid)
	seccomp_agent 122 # EDQUOT
	sc_id=$id # (for the EXIT trap, once the locals are gone)
	trap 'kill $agent_pid 2>/dev/null; hkr delete --force "$sc_id" >/dev/null 2>&1 || true' EXIT
	seccomp "$b" "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$T/agent.sock\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"},
		{\"names\": [\"rmdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"
	setargs "$b" sleep 600
	hkr run -d -b "$b" "$id"
	wait_status "$id" running
	init=$(hkr state "$id" | jq -r .pid)
	out=$(hkr exec "$id" sh -c 'grep Seccomp: /proc/self/status; rmdir /tmp 2>&1; mkdir /tmp/e 2>&1; echo pid $$' || true)
	echo "$out"
	assert_contains "$out" "Seccomp:	2"
	assert_contains "$out" "rmdir: '/tmp': Operation not permitted"
	assert_contains "$out" "can't create directory '/tmp/e': Disk quota exceeded"
	# the second message (the first was init's)
	st=$(sed -n 2p "$T/agent.out")
	echo "$st"
	assert_eq "running $init" "$(echo "$st" | jq -r '[.state.status, .state.pid] | join(" ")')"
	[ "$(echo "$st" | jq -r .pid)" != "$init" ] || fail "the exec'd process's pid is init's"
	# without noNewPrivileges (the filter goes in before the caps drop)
	out=$(hkr exec "$id" sh -c 'grep NoNewPrivs: /proc/self/status; rmdir /tmp 2>&1' || true)
	assert_contains "$out" "Operation not permitted"
	# -p process.json
	jq '.process | .args = ["sh", "-c", "rmdir /tmp 2>&1; echo from-p"] | .noNewPrivileges = false' "$b/config.json" >"$T/p.json"
	out=$(hkr exec -p "$T/p.json" "$id" || true)
	assert_contains "$out" "Operation not permitted"
	assert_contains "$out" "from-p"
	# the last two execs made no call the agent answers: its lines may lag
	wait_until 30 seccomp_agent_lines 4 || fail "the agent wrote [$(cat "$T/agent.out")], expected four lines"
	sleep 0.3 # one more would show by now
	assert_eq 4 "$(wc -l <"$T/agent.out")" "one message per process"
	hkr delete --force "$id"
}

# podman's default profile (containers-common's seccomp.json, made the
# OCI profile podman sends for amd64 and runc's default capabilities,
# tests/seccomp-default.json) runs a container through create and start;
# chroot(2) is denied by it although the container has CAP_SYS_CHROOT
test_seccomp_podman_default_profile() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	seccomp "$b" "$(cat "$HK_TESTS_DIR/seccomp-default.json")"
	cfg "$b" '.process.capabilities |= with_entries(.value += ["CAP_SYS_CHROOT"])'
	setargs "$b" sh -c 'grep Seccomp: /proc/self/status; chroot / true 2>&1 || echo "chroot refused"; echo done'
	sc_id=$id # (for the EXIT trap, once the locals are gone)
	trap 'hkr delete --force "$sc_id" >/dev/null 2>&1 || true' EXIT
	hkr create -b "$b" "$id" >"$T/out.txt" 2>&1
	hkr start "$id"
	wait_status "$id" stopped
	out=$(cat "$T/out.txt")
	echo "$out"
	assert_contains "$out" "Seccomp:	2"
	assert_contains "$out" "chroot refused"
	assert_contains "$out" "done"
	hkr delete "$id"
	# and without the profile, chroot works (the test proves the filter)
	cfg "$b" 'del(.linux.seccomp)'
	out=$(hkr run -b "$b" "$id")
	assert_not_contains "$out" "chroot refused"
}

test_seccomp_features() {
	local f
	f=$(hk features)
	assert_eq true "$(echo "$f" | jq -r .linux.seccomp.enabled)"
	assert_contains "$(echo "$f" | jq -r '.linux.seccomp.actions | join(" ")')" "SCMP_ACT_NOTIFY"
	assert_contains "$(echo "$f" | jq -r '.linux.seccomp.supportedFlags | join(" ")')" "SECCOMP_FILTER_FLAG_LOG"
	assert_eq 7 "$(echo "$f" | jq -r '.linux.seccomp.operators | length')"
	# everything runc lists, husk knows
	if command -v runc >/dev/null; then
		assert_eq "[]" "$(runc features | jq -c --argjson h "$(echo "$f" | jq .linux.seccomp)" \
			'[.linux.seccomp | (.actions - $h.actions), (.operators - $h.operators), (.archs - $h.archs)] | add')"
	fi
}

# rootless: the filter needs no privilege of the host (no_new_privs, or
# CAP_SYS_ADMIN in the container's user namespace without it)
test_seccomp_rootless() {
	local b out nnp
	b=$(mkbundle_user)
	for nnp in true false; do
		seccomp "$b" "$DENY_MKDIR"
		cfg "$b" ".process.noNewPrivileges = $nnp"
		setargs "$b" sh -c 'grep Seccomp: /proc/self/status; mkdir /tmp/d 2>&1; echo ran'
		out=$(cd "$b" && as_user "$HUSK" run "$(newid)")
		echo "$out"
		assert_contains "$out" "Seccomp:	2"
		assert_contains "$out" "can't create directory '/tmp/d': Operation not permitted"
		assert_contains "$out" "ran"
	done
}

# A profile refusing what husk itself does after loading it: close_range
# (a created container waiting for `start` must not keep husk's state lock
# open, or start/kill/delete would hang) and sendmsg (husk's init reports
# to husk with write() then, as runc's does).
test_seccomp_profile_refusing_husks_own_syscalls() {
	local b id out nnp
	b=$(mkbundle)
	seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["close_range", "sendmsg"], "action": "SCMP_ACT_ERRNO"}]}'
	for nnp in true false; do
		cfg "$b" ".process.noNewPrivileges = $nnp"
		setargs "$b" echo hi
		assert_eq hi "$(hk run -b "$b" "$(newid)")" "run (noNewPrivileges $nnp)"
		setargs "$b" sleep 30
		id=$(newid)
		hkr create -b "$b" "$id"
		timeout 10 "$HUSK" --root "$T/state" start "$id" || fail "start hung or failed (noNewPrivileges $nnp)"
		assert_eq running "$(status_of "$id")"
		timeout 10 "$HUSK" --root "$T/state" delete -f "$id" || fail "delete hung (noNewPrivileges $nnp)"
	done
}
