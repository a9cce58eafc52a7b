# test_core.sh - isolation a user checks first: hostname, processes, mounts,
# read-only root, exit status, the environment and the working directory.

test_hostname_isolated() {
	local b host_before out
	b=$(mkbundle)
	host_before=$(hostname)
	cfg "$b" '.hostname = "husk-box" | .domainname = "example.test"'
	setargs "$b" sh -c 'hostname; cat /proc/sys/kernel/domainname'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "husk-box
example.test" "$out" "hostname and domainname inside"
	assert_eq "$host_before" "$(hostname)" "host hostname unchanged"
}

test_ps_shows_only_container() {
	local b out
	b=$(mkbundle)
	setargs "$b" ps -o pid,args
	out=$(hk run -b "$b" "$(newid)")
	# header + pid 1 (ps itself, exec'd as the container's process)
	assert_eq 2 "$(echo "$out" | wc -l)" "ps line count: $out"
	assert_contains "$(echo "$out" | sed -n 2p)" "1 ps -o pid,args"
}

test_pid1_is_the_command() {
	local b out
	b=$(mkbundle)
	setargs "$b" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "1" "$(echo "$out" | head -1)"
	assert_contains "$out" "sh -c"
}

test_tmpfs_not_visible_on_host() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.mounts += [{"destination": "/mytemp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m"]}]'
	setargs "$b" sh -c 'echo secret > /mytemp/f && cat /mytemp/f && grep " /mytemp " /proc/mounts'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "secret"
	assert_contains "$out" "tmpfs"
	[ -d "$b/rootfs/mytemp" ] || fail "mount point not created in the rootfs"
	[ -z "$(ls -A "$b/rootfs/mytemp")" ] || fail "tmpfs content leaked to the host: $(ls -A "$b/rootfs/mytemp")"
}

test_readonly_root() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.root.readonly = true'
	setargs "$b" sh -c 'if echo x > /tmp/f 2>/dev/null; then echo wrote; else echo refused; fi; echo y > /dev/shm/ok && echo shm-ok'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "refused"
	assert_contains "$out" "shm-ok"
	[ ! -e "$b/rootfs/tmp/f" ] || fail "file written to the read-only rootfs"
}

test_writable_root_writes_reach_rootfs() {
	local b
	b=$(mkbundle)
	cfg "$b" '.root.readonly = false'
	setargs "$b" sh -c 'echo data > /tmp/f'
	hk run -b "$b" "$(newid)"
	assert_eq "data" "$(cat "$b/rootfs/tmp/f")"
}

test_exit_status() {
	local b rc
	b=$(mkbundle)
	setargs "$b" sh -c 'exit 42'
	rc=0
	hk run -b "$b" "$(newid)" || rc=$?
	assert_eq 42 "$rc" "exit status"
	setargs "$b" true
	hk run -b "$b" "$(newid)"
}

test_killed_by_signal_exit_status() {
	local b rc
	b=$(mkbundle)
	# a child of the shell kills itself; the shell reports 128+9
	setargs "$b" sh -c 'sh -c "kill -KILL \$\$"; exit $?'
	rc=0
	hk run -b "$b" "$(newid)" || rc=$?
	assert_eq 137 "$rc" "exit status of a child killed by SIGKILL"
	setargs "$b" sleep 30
	rc=0
	"$HUSK" run -b "$b" "$(newid)" &
	local hpid=$! cpid
	cpid=$(container_child "$hpid" sleep)
	kill -KILL "$cpid"
	wait "$hpid" || rc=$?
	assert_eq 137 "$rc" "exit status when killed by SIGKILL"
}

test_env_cwd_user() {
	needs_root "uses ids outside a rootless map"
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.env += ["FOO=bar baz"] | .process.cwd = "/work/dir" | .process.user = {"uid": 65534, "gid": 65534, "additionalGids": [5, 7]}'
	setargs "$b" sh -c 'echo "$FOO|$(pwd)|$(id -u):$(id -g)|$(id -G)|$HOME"'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "bar baz|/work/dir|65534:65534|65534 5 7|/" "$out"
}

test_umask_and_rlimits() {
	local b out soft
	b=$(mkbundle)
	soft=$(($(ulimit -Hn) / 2))
	cfg "$b" ".process.user.umask = 63 | .process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"soft\": $soft, \"hard\": $(ulimit -Hn)}]"
	setargs "$b" sh -c 'umask; ulimit -n'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "0077
$soft" "$out"
}

test_stdio_passthrough() {
	local b out
	b=$(mkbundle)
	setargs "$b" sh -c 'read line; echo "got:$line"; echo err >&2'
	out=$(echo hello | hk run -b "$b" "$(newid)" 2>"$T/stderr")
	assert_eq "got:hello" "$out"
	assert_eq "err" "$(cat "$T/stderr")"
}

test_no_host_fds_leak() {
	local b out
	b=$(mkbundle)
	setargs "$b" ls /proc/self/fd
	out=$(hk run -b "$b" "$(newid)" 7>/dev/null 9</etc/hostname)
	# 0 1 2 and the fd ls opened for the listing
	assert_eq "0 1 2 3" "$(echo $out)" "fds in the container"
}

test_dev_minimal() {
	local b out
	b=$(mkbundle)
	setargs "$b" sh -c 'ls /dev | sort | tr "\n" " "; echo; ls -l /dev/null; readlink /dev/fd; readlink /dev/ptmx'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "null"
	assert_contains "$out" "urandom"
	assert_not_contains "$out" "sda"
	assert_not_contains "$out" "vda"
	assert_contains "$out" "1,   3"
	assert_contains "$out" "/proc/self/fd"
	assert_contains "$out" "pts/ptmx"
}

test_spec_matches_runc_defaults() {
	command -v runc >/dev/null || return 0
	mkdir "$T/h" "$T/r"
	(cd "$T/h" && hk spec)
	(cd "$T/r" && runc spec)
	assert_eq "$(jq -S 'del(.ociVersion)' "$T/r/config.json")" "$(jq -S 'del(.ociVersion)' "$T/h/config.json")" "spec defaults"
	mkdir "$T/h2" "$T/r2"
	(cd "$T/h2" && hk spec --rootless)
	(cd "$T/r2" && runc spec --rootless)
	assert_eq "$(jq -S 'del(.ociVersion)' "$T/r2/config.json")" "$(jq -S 'del(.ociVersion)' "$T/h2/config.json")" "rootless spec defaults"
	expect_fail hk spec -b "$T/h"
	assert_contains "$(cat "$T/err")" "exists"
}

test_user_namespace_as_root() {
	needs_root "makes files owned by other ids"
	local b out
	b=$(mkbundle)
	cfg "$b" '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	cfg "$b" '.root.readonly = false | .process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"] | .process.capabilities.permitted += ["CAP_CHOWN"]'
	# the namespace's root (host uid 100000) must reach the rootfs
	chmod o+x "$T" "$(dirname "$T")" "$b"
	chown -R 100000:100000 "$b/rootfs"
	setargs "$b" sh -c 'id -u; cat /proc/self/uid_map; touch /tmp/x && chown 1000:1000 /tmp/x && stat -c %u /tmp/x'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "0" "$(echo "$out" | head -1)"
	assert_contains "$out" "100000"
	assert_eq "101000" "$(stat -c %u "$b/rootfs/tmp/x")" "host owner of a file chowned to 1000 inside"
}

# process $1 is in a network namespace other than ours (set in $want)
core_netns_other() {
	want=$(readlink "/proc/$1/ns/net")
	[ -n "$want" ] && [ "$want" != "$(readlink /proc/self/ns/net)" ]
}

test_join_network_namespace_by_path() {
	needs_root "joins or keeps host namespaces"
	local b out
	b=$(mkbundle)
	# a network namespace kept alive by a process of ours
	unshare --net sleep 30 &
	local holder=$! want
	# until it has left the host's (unshare has run)
	wait_until 30 core_netns_other "$holder" || fail "unshare --net did not run"
	cfg "$b" ".linux.namespaces = [.linux.namespaces[] | if .type == \"network\" then .path = \"/proc/$holder/ns/net\" else . end]"
	setargs "$b" sh -c 'readlink /proc/self/ns/net; echo $$'
	out=$(hk run -b "$b" "$(newid)" || true)
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	assert_eq "$want" "$(echo "$out" | head -1)" "joined network namespace"
	assert_eq "1" "$(echo "$out" | sed -n 2p)" "pid 1 in its new pid namespace (slow path)"
}

test_time_namespace_offsets() {
	local b out
	[ -e /proc/self/ns/time ] || return 0
	b=$(mkbundle)
	cfg "$b" '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"monotonic": {"secs": 8640000, "nanosecs": 0}, "boottime": {"secs": 8640000, "nanosecs": 0}}'
	setargs "$b" sh -c 'cut -d. -f1 /proc/uptime; echo $$'
	out=$(hk run -b "$b" "$(newid)")
	[ "$(echo "$out" | head -1)" -ge 8640000 ] || fail "uptime not offset by 100 days: $out"
	assert_eq 1 "$(echo "$out" | sed -n 2p)" "pid 1 after the fork into the time namespace"
}

test_oom_score_adj() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.oomScoreAdj = 500'
	setargs "$b" cat /proc/self/oom_score_adj
	out=$(hk run -b "$b" "$(newid)")
	assert_eq 500 "$out"
}

# the command line of process $1 holds $2
core_cmdline_has() {
	case "$(tr '\0' ' ' <"/proc/$1/cmdline")" in *"$2"*) return 0 ;; esac
	return 1
}

test_pid_file() {
	local b pid
	b=$(mkbundle)
	setargs "$b" sh -c 'echo $$; sleep 60'
	"$HUSK" run --pid-file "$T/pid" -b "$b" "$(newid)" >"$T/out" &
	local hpid=$!
	wait_file "$T/pid"
	pid=$(cat "$T/pid")
	assert_eq "$hpid" "$(awk '{print $4}' "/proc/$pid/stat")" "the pid file names husk's child"
	# its exec may still be on its way on a slow machine
	wait_until 30 core_cmdline_has "$pid" "sleep 60" ||
		fail "the pid file's process runs [$(tr '\0' ' ' <"/proc/$pid/cmdline")], not sleep 60"
	kill -KILL "$pid"
	wait "$hpid" || true
	[ ! -e "$T/pid" ] || fail "pid file left after exit"
}

# process $1 has ended
core_gone() { ! kill -0 "$1" 2>/dev/null; }

test_container_dies_with_husk_slow_path() {
	needs_root "joins or keeps host namespaces"
	local b hpid cpid path
	b=$(mkbundle)
	# joining a namespace by path takes the slow path (fork into the pid ns)
	cfg "$b" '.linux.namespaces = [.linux.namespaces[] | if .type == "ipc" then .path = "/proc/self/ns/ipc" else . end]'
	setargs "$b" sleep 60
	# its record stays in --root when husk is SIGKILLed (as runc's)
	"$HUSK" --root "$T/state" run -b "$b" "$(newid)" &
	hpid=$!
	cpid=$(container_child "$hpid" sleep)
	kill -KILL "$hpid"
	wait "$hpid" 2>/dev/null || true
	local alive=no
	wait_until 5 core_gone "$cpid" || { alive=yes; kill -KILL "$cpid"; }
	# husk was SIGKILLed: removing its cgroup is ours to do here
	path=$(jq -r .linux.cgroupsPath "$b/config.json")
	sleep 0.2
	find /sys/fs/cgroup -depth -type d -name "$path" -exec rmdir {} \; 2>/dev/null || true
	assert_eq no "$alive" "the container outlived husk"
}

test_fifo_passwd_does_not_hang() {
	local b out rc=0
	b=$(mkbundle)
	rm "$b/rootfs/etc/passwd"
	mkfifo "$b/rootfs/etc/passwd"
	# no HOME in the env: husk looks it up in /etc/passwd
	setargs "$b" sh -c 'echo "home=$HOME"'
	out=$(timeout 20 "$HUSK" run -b "$b" "$(newid)") || rc=$?
	assert_eq 0 "$rc" "exit status (124: hung on the FIFO)"
	assert_eq "home=/" "$out"
}
