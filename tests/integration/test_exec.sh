# test_exec.sh - `husk exec`: a new process in a running (or created)
# container, in its namespaces and cgroup; the changes of -e, --cwd, -u,
# -g, -p; exit statuses; -d with --pid-file; terminals (foreground and
# --console-socket); refusals; --preserve-fds (exec, run, create); rootless.
# Every test keeps its state in $T/state (--root) and deletes its
# containers even when it fails (an EXIT trap of the test's subshell).

# a running container $2 (sleeping) from a fresh bundle; prints nothing
start_sleeper() {
	local b=$1 id=$2
	setargs "$b" sleep 600
	delete_at_exit "$id"
	hkr run -d -b "$b" "$id"
	wait_status "$id" running
}

test_exec_joins_the_container() {
	local b id out ns
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.hostname = "exec-host" | .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
	start_sleeper "$b" "$id"
	out=$(hkr exec "$id" sh -c 'hostname; echo "self $$"; ps -o pid,args')
	echo "$out"
	assert_eq exec-host "$(echo "$out" | head -1)" "hostname"
	# in the container's pid namespace: init is pid 1, we are another
	echo "$out" | grep -Eq '^ *1 +sleep 600' || fail "init is not pid 1 in: $out"
	local self
	self=$(echo "$out" | sed -n 's/^self //p')
	[ "$self" -gt 1 ] || fail "exec'd pid $self"
	# the same namespaces as init, every one of them
	for ns in mnt uts ipc net pid cgroup user; do
		out=$(hkr exec "$id" sh -c "readlink /proc/1/ns/$ns; readlink /proc/self/ns/$ns")
		assert_eq "$(echo "$out" | head -1)" "$(echo "$out" | tail -1)" "$ns namespace"
	done
	# the container's mounts: its root, its /proc
	out=$(hkr exec "$id" sh -c 'cat /proc/1/mountinfo | wc -l; cat /proc/self/mountinfo | wc -l; ls /')
	assert_eq "$(echo "$out" | sed -n 1p)" "$(echo "$out" | sed -n 2p)" "mount table"
	assert_contains "$out" "bin"
	# the same cgroup ("/" in its cgroup namespace)
	out=$(hkr exec "$id" sh -c 'cat /proc/1/cgroup; echo --; cat /proc/self/cgroup')
	assert_eq "$(echo "$out" | sed -n '1,/^--$/p' | sed '$d')" "$(echo "$out" | sed -n '/^--$/,$p' | sed 1d)" "cgroup"
	# and husk ps lists it, by its host pid
	hkr exec -d --pid-file "$T/epid" "$id" sleep 300
	local epid
	epid=$(cat "$T/epid")
	[ -d "/proc/$epid" ] || fail "no process $epid after exec -d"
	assert_contains "$(hkr ps -f json "$id" | jq -r '.[]' | tr '\n' ' ')" "$epid" "husk ps lists the exec'd pid"
	assert_contains " $(hkr ps -f json "$id" | jq -r '.[]' | tr '\n' ' ')" " $(hkr state "$id" | jq -r .pid) " "and init"
	hkr delete --force "$id"
	wait_until 30 test ! -d "/proc/$epid" || fail "exec'd process $epid left after delete --force"
}

test_exec_exit_status_and_signals() {
	local b id rc
	b=$(mkbundle)
	id=$(newid)
	start_sleeper "$b" "$id"
	rc=0
	hkr exec "$id" sh -c 'exit 7' || rc=$?
	assert_eq 7 "$rc" "exit status"
	rc=0
	hkr exec "$id" sh -c 'kill -KILL $$' || rc=$?
	assert_eq 137 "$rc" "killed by SIGKILL"
	# signals to husk reach the process; the lock is free meanwhile
	"$HUSK" --root "$T/state" exec "$id" sh -c 'trap "echo got-term; exit 42" TERM; echo up; while :; do sleep 0.1; done' >"$T/out" 2>&1 &
	local h=$!
	wait_until 30 grep -q up "$T/out" || fail "the exec did not start: [$(cat "$T/out")]"
	assert_eq running "$(status_of "$id")" "husk state during a foreground exec"
	[ "$(hkr ps -f json "$id" | jq length)" -ge 2 ] || fail "husk ps during a foreground exec"
	kill -TERM "$h"
	rc=0
	wait "$h" || rc=$?
	assert_eq 42 "$rc" "exit status after a forwarded SIGTERM"
	assert_contains "$(cat "$T/out")" "got-term"
}

test_exec_env_cwd_user() {
	needs_root "uses ids outside a rootless map"
	local b id out
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.process.env += ["KEEP=kept"]'
	start_sleeper "$b" "$id"
	out=$(hkr exec -e FOO=bar -e PATH=/bin --cwd /tmp -u 1000:1001 -g 55 -g 66 "$id" sh -c 'env; pwd; id -u; id -g; id -G')
	echo "$out"
	assert_contains "$out" "FOO=bar"
	assert_contains "$out" "KEEP=kept" "the container's env stays"
	assert_eq 1 "$(echo "$out" | grep -c '^PATH=')" "PATH replaced, not added"
	assert_contains "$out" "PATH=/bin"
	assert_contains "$out" "$(printf '/tmp\n1000\n1001')"
	assert_contains "$(echo "$out" | tail -1)" "55 66"
	# --cap adds to bounding, effective and permitted (CAP_SYS_TIME: bit 25)
	out=$(hkr exec --cap CAP_SYS_TIME "$id" grep -E '^Cap(Eff|Bnd|Prm)' /proc/self/status)
	assert_eq 3 "$(echo "$out" | grep -c '^Cap...:.*2000420$')" "--cap CAP_SYS_TIME: $out"
	expect_fail hkr exec --cap CAP_NOPE "$id" true
	assert_contains "$(cat "$T/err")" 'unknown capability "CAP_NOPE"'
	# -u UID alone keeps the config's gid (0)
	assert_eq "4242 0" "$(hkr exec -u 4242 "$id" sh -c 'echo $(id -u) $(id -g)')"
	# "1" is uid 1, never 0 (an atoi would take the junk below as 0 or 1)
	assert_eq "1 0" "$(hkr exec -u 1 "$id" sh -c 'echo $(id -u) $(id -g)')"
	local u
	for u in 1x "" 1:abc " 1" +1 -1 4294967295 4294967296 1:2:3 root 0x1; do
		expect_fail hkr exec -u "$u" "$id" id -u
		assert_contains "$(cat "$T/err")" "--user $u: expected UID[:GID]"
	done
	# a cwd that does not exist in the container
	expect_fail hkr exec --cwd /no/such/dir "$id" true
	assert_contains "$(cat "$T/err")" "/no/such/dir: no such file or directory"
	# a relative one is refused
	expect_fail hkr exec --cwd tmp "$id" true
	assert_contains "$(cat "$T/err")" "absolute"
}

test_exec_process_json() {
	needs_root "uses ids outside a rootless map"
	local b id out
	b=$(mkbundle)
	id=$(newid)
	start_sleeper "$b" "$id"
	cat >"$T/process.json" <<'EOF'
{"args": ["sh", "-c", "echo from-json; pwd; id -u; echo $WHO; exit 5"],
 "env": ["PATH=/bin:/usr/bin", "WHO=json-env"], "cwd": "/etc",
 "user": {"uid": 123, "gid": 456}}
EOF
	local rc=0
	out=$(hkr exec -p "$T/process.json" "$id") || rc=$?
	echo "$out"
	assert_eq 5 "$rc" "exit status"
	assert_eq "$(printf 'from-json\n/etc\n123\njson-env')" "$out"
	echo '{"args": []}' >"$T/bad.json"
	expect_fail hkr exec -p "$T/bad.json" "$id"
	assert_contains "$(cat "$T/err")" "process.args"
	assert_contains "$(cat "$T/err")" "$T/bad.json"
}

# the command line of process $1 is $2 (its words each followed by a space)
exec_cmdline_is() { [ "$(tr '\0' ' ' <"/proc/$1/cmdline")" = "$2" ]; }

test_exec_detached_with_pid_file() {
	local b id pid
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.root.readonly = false'
	start_sleeper "$b" "$id"
	hkr exec -d --pid-file "$T/pid" "$id" sh -c 'echo detached-ran >/tmp/marker; sleep 300'
	pid=$(cat "$T/pid")
	[ -d "/proc/$pid" ] || fail "the detached process $pid is not running after husk returned"
	# the pid file names it as the host sees it (not its pid inside)
	wait_until 30 exec_cmdline_is "$pid" "sleep 300 " ||
		fail "the pid file's process runs [$(tr '\0' ' ' <"/proc/$pid/cmdline")], not [sleep 300 ]"
	wait_file "$b/rootfs/tmp/marker"
	assert_eq detached-ran "$(cat "$b/rootfs/tmp/marker")"
	# in the container's pid namespace: NSpid has two entries
	assert_eq 2 "$(awk '/^NSpid:/ {print NF - 1}' "/proc/$pid/status")" "pid namespace levels"
	hkr kill --all "$id" KILL
	wait_until 30 test ! -d "/proc/$pid" || fail "kill --all left the exec'd process"
	wait_status "$id" stopped
	hkr delete "$id"
}

test_exec_into_created_container() {
	needs_root "a rootless exec waits for start (the init is not dumpable before)"
	local b id out
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 600
	delete_at_exit "$id"
	hkr create -b "$b" "$id"
	out=$(hkr exec "$id" sh -c 'echo in-created; cat /proc/1/cmdline | tr "\0" " "')
	assert_contains "$out" "in-created"
	assert_eq created "$(status_of "$id")" "still created"
	hkr start "$id"
	wait_status "$id" running
}

test_exec_tty_foreground() {
	local b id out rc=0
	b=$(mkbundle)
	id=$(newid)
	start_sleeper "$b" "$id"
	script -qec "$HUSK --root $T/state exec -t $id sh -c 'tty; echo on-tty; exit 3'" /dev/null </dev/null >"$T/out" || rc=$?
	out=$(tr -d '\r' <"$T/out")
	echo "$out"
	assert_contains "$out" "/dev/pts/"
	assert_contains "$out" "on-tty"
	assert_eq 3 "$rc" "exit status through the terminal"
	# without -t: no terminal, even though the config asks for none either
	out=$(script -qec "$HUSK --root $T/state exec $id sh -c 'tty || echo no-tty'" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" "no-tty"
}

test_exec_tty_console_socket() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	start_sleeper "$b" "$id"
	console_receiver "$T/console.sock" "$T/pty-out"
	hkr exec -t -d --console-socket "$T/console.sock" "$id" sh -c 'tty; echo on-the-exec-pty'
	wait "$console_pid"
	out=$(cat "$T/pty-out")
	echo "$out"
	assert_contains "$out" "/dev/pts/"
	assert_contains "$out" "on-the-exec-pty"
	# -t -d needs a socket; a socket needs -t -d
	expect_fail hkr exec -t -d "$id" true
	assert_contains "$(cat "$T/err")" "cannot allocate tty if husk will detach without setting console socket"
	expect_fail hkr exec --console-socket "$T/console.sock" "$id" true
	assert_contains "$(cat "$T/err")" "cannot use console socket"
}

test_exec_refused_when_stopped_or_missing() {
	local b id rc
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" true
	delete_at_exit "$id"
	hkr run -d -b "$b" "$id"
	wait_status "$id" stopped
	rc=0
	hkr exec "$id" echo should-not-run >"$T/out" 2>"$T/err" || rc=$?
	assert_eq 255 "$rc" "exit status"
	assert_eq "husk: cannot exec in a stopped container \"$id\"" "$(cat "$T/err")"
	assert_eq "" "$(cat "$T/out")"
	rc=0
	hkr exec no-such-container true 2>"$T/err" || rc=$?
	assert_eq 255 "$rc"
	assert_contains "$(cat "$T/err")" "container \"no-such-container\" does not exist"
	hkr delete "$id"
}

test_exec_missing_command() {
	local b id rc
	b=$(mkbundle)
	id=$(newid)
	start_sleeper "$b" "$id"
	for mode in "" -d; do
		rc=0
		hkr exec $mode "$id" no-such-command 2>"$T/err" || rc=$?
		assert_eq 255 "$rc" "exit status (exec $mode)"
		assert_eq 'husk: exec: "no-such-command": executable file not found in $PATH' "$(cat "$T/err")"
	done
	rc=0
	hkr exec "$id" /etc 2>"$T/err" || rc=$?
	assert_eq 255 "$rc"
	assert_contains "$(cat "$T/err")" 'exec: "/etc": permission denied'
	# nothing left behind: init alone in the cgroup
	assert_eq 1 "$(hkr ps -f json "$id" | jq length)" "processes after failed execs"
}

# the fds open in a shell below 10 (no ls: it opens one itself)
open_fds='for i in 0 1 2 3 4 5 6 7 8 9; do [ -e /proc/self/fd/$i ] && printf "%s " $i; done; true'

test_exec_preserve_fds() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	start_sleeper "$b" "$id"
	echo passed-content >"$T/f3"
	echo other >"$T/f4"
	out=$(hkr exec --preserve-fds 1 "$id" sh -c 'cat /proc/self/fd/3; [ -e /proc/self/fd/4 ] && echo fd4-open || echo fd4-closed' 3<"$T/f3" 4<"$T/f4")
	assert_eq "$(printf 'passed-content\nfd4-closed')" "$out"
	# without it, nothing of ours (busybox sh keeps its own fds above 9)
	out=$(hkr exec "$id" sh -c "$open_fds" 3<"$T/f3")
	assert_eq "0 1 2 " "$out" "fds without --preserve-fds"
	# fds that are not open
	expect_fail hkr exec --preserve-fds 3 "$id" true 3<"$T/f3"
	assert_contains "$(cat "$T/err")" "unable to stat preserved-fd 1 (of 3)"
}

test_exec_preserve_fds_run_and_create() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	echo run-fd >"$T/f3"
	setargs "$b" sh -c "cat /proc/self/fd/3; $open_fds"
	out=$(hk run --preserve-fds 1 -b "$b" "$id" 3<"$T/f3" 4<"$T/f3")
	assert_eq "$(printf 'run-fd\n0 1 2 3 ')" "$out" "run --preserve-fds 1"
	# create: kept while it waits for start (and nothing else)
	setargs "$b" sh -c "cat /proc/self/fd/3 /proc/self/fd/4; $open_fds"
	delete_at_exit "$id"
	echo create-fd4 >"$T/f4"
	hkr create --preserve-fds 2 -b "$b" "$id" 3<"$T/f3" 4<"$T/f4" 5<"$T/f3" >"$T/out" 2>&1
	hkr start "$id"
	wait_status "$id" stopped
	assert_eq "$(printf 'run-fd\ncreate-fd4\n0 1 2 3 4 ')" "$(cat "$T/out")" "create --preserve-fds 2"
	hkr delete "$id"
	# socket activation: LISTEN_FDS fds come first, then --preserve-fds
	setargs "$b" sh -c "echo \"\$LISTEN_FDS \$LISTEN_PID\"; cat /proc/self/fd/3 /proc/self/fd/4; $open_fds"
	out=$(bash -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' - "$HUSK" run --preserve-fds 1 -b "$b" "$(newid)" 3<"$T/f3" 4<"$T/f4" 5<"$T/f4")
	assert_eq "$(printf '1 1\nrun-fd\ncreate-fd4\n0 1 2 3 4 ')" "$out" "LISTEN_FDS"
}

test_exec_rootless() {
	local b id out pid rc
	b=$(mkbundle_user)
	id=$(newid)
	cfg "$b" '.hostname = "rl-exec"'
	setargs "$b" sleep 600
	user_dir "$T/ustate"
	ur() { as_user "$HUSK" --root "$T/ustate" "$@"; }
	# shellcheck disable=SC2064 # $id now: the trap runs outside this function
	trap "as_user \"\$HUSK\" --root \"\$T/ustate\" delete --force $id >/dev/null 2>&1; true" EXIT
	(cd "$b" && ur run -d "$id")
	out=$(ur exec "$id" sh -c 'id -u; hostname; cat /proc/self/uid_map; ps -o pid,args | grep -c "sleep 600"')
	echo "$out"
	assert_eq 0 "$(echo "$out" | sed -n 1p)" "root in the container"
	assert_eq rl-exec "$(echo "$out" | sed -n 2p)" "hostname"
	assert_eq "0 $HK_USER_UID 1" "$(echo "$out" | sed -n 3p | tr -s ' ' | sed 's/^ //')" "uid_map: the container's user namespace"
	rc=0
	ur exec "$id" sh -c 'exit 9' || rc=$?
	assert_eq 9 "$rc" "exit status"
	ur exec -d --pid-file "$T/home/pid" "$id" sleep 300
	pid=$(cat "$T/home/pid")
	assert_eq "$HK_USER_UID" "$(stat -c %u "/proc/$pid")" "the exec'd process belongs to the user"
	expect_fail ur exec "$id" no-such-command
	assert_contains "$(cat "$T/err")" 'exec: "no-such-command": executable file not found in $PATH'
	ur delete --force "$id"
	wait_until 30 test ! -d "/proc/$pid" || fail "exec'd process left after delete --force"
}

test_exec_paused_container() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id h rc=0
	b=$(mkbundle)
	id=$(newid)
	start_sleeper "$b" "$id"
	hkr pause "$id"
	expect_fail hkr exec "$id" echo should-not-run
	assert_contains "$(cat "$T/err")" "cannot exec in a paused container \"$id\" (use --ignore-paused to override)"
	assert_eq "" "$(cat "$T/out")"
	# --ignore-paused: it starts frozen, and runs once resumed (which must
	# not wait for the exec's lock)
	"$HUSK" --root "$T/state" exec --ignore-paused "$id" echo ran-after-resume >"$T/out" 2>&1 &
	h=$!
	sleep 1
	assert_eq "" "$(cat "$T/out")" "ran while paused"
	assert_eq paused "$(status_of "$id")"
	hkr resume "$id"
	wait "$h" || rc=$?
	assert_eq 0 "$rc" "exit status"
	assert_eq ran-after-resume "$(cat "$T/out")"
}

# The directories of the cgroup of bundle $1's container, one per
# hierarchy husk made it in (v2: one), from the host.
cg_dirs_of() {
	local name
	name=$(jq -r .linux.cgroupsPath "$1/config.json")
	find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "$name" 2>/dev/null
}

# mkdir sub-cgroup $2 (may be a/b) in every directory of $1 (a v1 cpuset
# cgroup needs its cpus and mems before it can hold a process).
mk_sub() {
	local d p s
	for d in $1; do
		mkdir -p "$d/$2" || return 1
		[ "$(cg_layout)" != v2 ] && [ -e "$d/cpuset.cpus" ] || continue
		p=$d
		for s in ${2//\// }; do
			cat "$p/cpuset.cpus" >"$p/$s/cpuset.cpus" && cat "$p/cpuset.mems" >"$p/$s/cpuset.mems" || return 1
			p=$p/$s
		done
	done
}

# The cgroup lines of process $1 (/proc/PID/cgroup) of the hierarchies
# whose path ends in $2 (a cgroup name or NAME/sub).
cg_lines_ending() { grep -c -- "$2\$" "/proc/$1/cgroup" || true; }

test_exec_cgroup_sub() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id name d dirs epid n out
	b=$(mkbundle)
	id=$(newid)
	name=$(jq -r .linux.cgroupsPath "$b/config.json")
	start_sleeper "$b" "$id"
	dirs=$(cg_dirs_of "$b")
	n=$(echo "$dirs" | wc -l)
	[ -n "$dirs" ] || fail "no cgroup directory of $name"
	# a sub-cgroup made from the host, in every hierarchy
	mk_sub "$dirs" sub/deeper
	hkr exec -d --pid-file "$T/epid" --cgroup sub "$id" sleep 300
	epid=$(cat "$T/epid")
	cat "/proc/$epid/cgroup"
	assert_eq "$n" "$(cg_lines_ending "$epid" "/$name/sub")" "hierarchies in which it is in sub"
	# as runc: a leading / and ./ are below the container's cgroup too
	# (seen from inside: in a cgroup namespace the container's cgroup is /)
	out=$(hkr exec --cgroup /sub/./deeper/ "$id" cat /proc/self/cgroup)
	assert_eq "$n" "$(echo "$out" | grep -cE -- ":(.*/$name)?/sub/deeper\$")" "exec --cgroup /sub/./deeper/"
	# nothing outside the container's cgroup
	expect_fail hkr exec --cgroup ../x "$id" true
	assert_contains "$(cat "$T/err")" "--cgroup ../x: \"..\" is not allowed"
	expect_fail hkr exec --cgroup sub/../../x "$id" true
	assert_contains "$(cat "$T/err")" "\"..\" is not allowed"
	# a sub-cgroup that does not exist: named
	expect_fail hkr exec --cgroup nosuch "$id" true
	assert_contains "$(cat "$T/err")" "--cgroup nosuch: no cgroup "
	assert_contains "$(cat "$T/err")" "/$name/nosuch"
	expect_fail hkr exec --cgroup a:b:c "$id" true
	assert_contains "$(cat "$T/err")" "expected [CONTROLLER:]PATH"
	expect_fail hkr exec --cgroup sub --cgroup memory:sub "$id" true
	assert_contains "$(cat "$T/err")" "must be the only --cgroup"
	if [ "$(cg_layout)" = v2 ]; then
		# one cgroup for every controller: no per-controller paths
		expect_fail hkr exec --cgroup memory:sub "$id" true
		assert_contains "$(cat "$T/err")" "cgroup v2 has one cgroup for every controller"
	else
		# v1: memory in sub/deeper, pids in sub, the others the container's
		out=$(hkr exec --cgroup memory:sub/deeper --cgroup pids:sub "$id" cat /proc/self/cgroup)
		echo "$out"
		echo "$out" | grep -Eq "^[0-9]+:memory:(.*/$name)?/sub/deeper\$" || fail "memory not in sub/deeper"
		echo "$out" | grep -Eq "^[0-9]+:pids:(.*/$name)?/sub\$" || fail "pids not in sub"
		echo "$out" | grep -Eq "^[0-9]+:freezer:(.*/$name|/)\$" || fail "freezer not the container's"
		expect_fail hkr exec --cgroup memory:sub --cgroup memory:sub/deeper "$id" true
		assert_contains "$(cat "$T/err")" "controller memory given twice"
		expect_fail hkr exec --cgroup nosuchctl:sub "$id" true
		assert_contains "$(cat "$T/err")" "no cgroup of controller \"nosuchctl\""
	fi
	assert_eq 1 "$(hkr ps -f json "$id" | jq 'map(select(. != '"$epid"')) | length')" "failed execs leave nothing"
	# the sub-cgroups go with the container
	hkr delete --force "$id"
	for d in $dirs; do [ ! -d "$d/sub" ] || fail "$d/sub left after delete"; done
	wait_until 30 test ! -d "/proc/$epid" || fail "exec'd process $epid left after delete --force"
}

# In a paused container the process joins its sub-cgroup late (after its
# setup, frozen there until resume).
test_exec_cgroup_sub_paused() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id name d h rc=0
	b=$(mkbundle)
	id=$(newid)
	name=$(jq -r .linux.cgroupsPath "$b/config.json")
	start_sleeper "$b" "$id"
	mk_sub "$(cg_dirs_of "$b")" sub
	hkr pause "$id"
	"$HUSK" --root "$T/state" exec --ignore-paused --cgroup sub "$id" cat /proc/self/cgroup >"$T/out" 2>&1 &
	h=$!
	sleep 1
	assert_eq "" "$(cat "$T/out")" "ran while paused"
	hkr resume "$id"
	wait "$h" || rc=$?
	cat "$T/out"
	assert_eq 0 "$rc" "exit status"
	assert_eq "$(cg_dirs_of "$b" | wc -l)" "$(grep -cE -- ":(.*/$name)?/sub\$" "$T/out")" "in sub"
}

# process $1 is in a user namespace other than ours
exec_userns_other() {
	local ns
	ns=$(readlink "/proc/$1/ns/user")
	[ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/user)" ]
}

# CMD... as root of a user namespace of its own that maps root to root
# (setgroups allowed), in the host's other namespaces: a rootless engine's
# husk (rootlesskit maps a range to root).
as_root_of_userns() {
	local fifo=$T/userns-go pid
	rm -f "$fifo"
	mkfifo "$fifo"
	unshare --user sh -c 'read -r _ <"$0"; exec "$@"' "$fifo" "$@" &
	pid=$!
	wait_until 30 exec_userns_other "$pid" || { fail "unshare --user did not run"; return 1; }
	echo "0 0 1" >"/proc/$pid/uid_map"
	echo "0 0 1" >"/proc/$pid/gid_map"
	echo go >"$fifo"
	wait "$pid"
}

# husk in a user namespace of its own, on a config without one: it may
# enter the container's pid namespace but not come back to its own, so
# exec takes the way with an intermediate process; the pid file still
# names the process as the host sees it.
test_exec_husk_in_a_user_namespace() {
	needs_root "maps root into a user namespace"
	local b id pid
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 600
	# what root of a user namespace may mount: no cgroups, sysfs bound,
	# devpts without a gid
	cfg "$b" '.mounts |= map(select(.destination != "/sys/fs/cgroup")
		| if .destination == "/sys" then {destination: "/sys", type: "bind", source: "/sys",
			options: ["rbind", "nosuid", "noexec", "nodev", "ro"]}
		  elif .destination == "/dev/pts" then .options |= map(select(startswith("gid=") | not))
		  else . end)'
	mkdir -m 700 "$T/ustate"
	as_root_of_userns sh -c '
		h=$1 st=$2 b=$3 id=$4 out=$5
		"$h" --root "$st" run -d -b "$b" "$id" </dev/null 2>"$out/uerr" &&
			"$h" --root "$st" exec -d --pid-file "$out/upid" "$id" sleep 301 2>>"$out/uerr" &&
			tr "\0" " " <"/proc/$(cat "$out/upid")/cmdline" >"$out/ucmd" &&
			"$h" --root "$st" exec "$id" sh -c "echo in-container" >"$out/usaid" 2>>"$out/uerr"
		"$h" --root "$st" delete --force "$id" 2>>"$out/uerr"
	' _ "$HUSK" "$T/ustate" "$b" "$id" "$T"
	cat "$T/uerr"
	pid=$(cat "$T/upid")
	assert_contains "$(cat "$T/ucmd")" "sleep 301" "the pid file's process ($pid)"
	assert_eq in-container "$(cat "$T/usaid")"
	wait_until 30 test ! -d "/proc/$pid" || fail "exec'd process $pid left after delete --force"
	assert_eq "" "$(ls -A "$T/ustate")" "state left"
}
