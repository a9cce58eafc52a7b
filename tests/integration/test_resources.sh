# test_resources.sh - cgroups, first cut: memory and pids limits, placement
# before exec, OOM report, cleanup.  Run on the host (hybrid v1) and again in
# the pure cgroup v2 VM.

test_process_in_cgroup_before_exec() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b out id
	b=$(mkbundle)
	id=$(newid)
	# no cgroup namespace (runc's default on v2 hosts adds one)
	cfg "$b" '.linux.namespaces |= map(select(.type != "cgroup"))'
	setargs "$b" cat /proc/self/cgroup
	out=$(hk run -b "$b" "$id")
	local path
	path=$(jq -r .linux.cgroupsPath "$b/config.json")
	assert_contains "$out" "$path"
}

test_memory_limit_applied() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b out
	b=$(mkbundle)
	cfg "$b" '.linux.resources.memory = {"limit": 67108864}'
	cfg "$b" '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
	if [ "$(cg_layout)" = v2 ]; then
		setargs "$b" cat /sys/fs/cgroup/memory.max
	else
		setargs "$b" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	fi
	out=$(hk run -b "$b" "$(newid)")
	assert_eq 67108864 "$out" "memory limit read inside"
}

test_oom_kill_reported() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b rc
	b=$(mkbundle)
	cfg "$b" '.linux.resources.memory = {"limit": 67108864}'
	# dd's 200 MiB buffer is filled by read(): far above the limit
	setargs "$b" dd if=/dev/zero of=/dev/null bs=200M count=1
	rc=0
	hk run -b "$b" "$(newid)" 2>"$T/err" || rc=$?
	assert_eq 137 "$rc" "exit status"
	assert_contains "$(cat "$T/err")" "container killed by the OOM killer (memory limit 64 MiB)"
}

# A limit too low for husk's own setup in the child: said so, not "died".
test_oom_kill_during_setup_reported() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b
	b=$(mkbundle)
	cfg "$b" '.linux.resources.memory = {"limit": 4096}'
	setargs "$b" true
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "killed by the OOM killer while being set up"
}

test_oom_kill_of_child_reported() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b rc
	b=$(mkbundle)
	cfg "$b" '.linux.resources.memory = {"limit": 33554432}'
	setargs "$b" sh -c 'dd if=/dev/zero of=/dev/null bs=100M count=1; echo "dd exited $?"'
	rc=0
	out=$(hk run -b "$b" "$(newid)" 2>"$T/err") || rc=$?
	assert_eq 0 "$rc" "exit status of the shell"
	assert_contains "$out" "dd exited 137"
	assert_contains "$(cat "$T/err")" "killed by the OOM killer (memory limit 32 MiB)"
}

test_pids_limit_stops_fork_bomb() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b out n rc=0
	b=$(mkbundle)
	cfg "$b" '.linux.resources.pids = {"limit": 20}'
	# print each attempt, then fork a sleeper; sh dies when fork fails
	setargs "$b" sh -c 'n=0; while [ $n -lt 100 ]; do n=$((n+1)); echo $n; sleep 30 & done'
	out=$(hk run -b "$b" "$(newid)" 2>"$T/err") || rc=$?
	n=$(echo "$out" | tail -1)
	[ "$rc" -ne 0 ] || fail "the fork loop finished: $n processes"
	assert_contains "$(cat "$T/err")" "can't fork"
	[ "$n" -ge 10 ] || fail "fork failed already at attempt $n"
	[ "$n" -le 20 ] || fail "$n forks attempted despite pids.limit 20"
}

test_cgroup_removed_after_exit() {
	local b path
	b=$(mkbundle)
	setargs "$b" sh -c 'sleep 30 & sleep 30 & echo started'
	hk run -b "$b" "$(newid)" >/dev/null
	path=$(jq -r .linux.cgroupsPath "$b/config.json")
	[ -z "$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$path")" ] || fail "cgroup $path left"
}

test_unsupported_resource_is_an_error() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b
	b=$(mkbundle)
	cfg "$b" '.linux.resources.memory = {"limit": 67108864}'
	# what this layout cannot do is an error naming the field and why
	if [ "$(cg_layout)" = v2 ]; then
		cfg "$b" '.linux.resources.cpu = {"realtimeRuntime": 1000}'
		expect_fail hk run -b "$b" "$(newid)"
		assert_contains "$(cat "$T/err")" "linux.resources.cpu.realtimeRuntime"
	else
		cfg "$b" '.linux.resources.unified = {"memory.high": "1000000"}'
		expect_fail hk run -b "$b" "$(newid)"
		assert_contains "$(cat "$T/err")" "linux.resources.unified"
	fi
	# zeros ask for nothing (docker sends blockIO.weight 0 with every container)
	cfg "$b" 'del(.linux.resources.unified) | .linux.resources.blockIO = {"weight": 0} | .linux.resources.cpu = {"shares": 0, "realtimeRuntime": 0}'
	hk run -b "$b" "$(newid)"
	# a value out of range is refused before anything is made
	cfg "$b" '.linux.resources.blockIO = {"weight": 5}'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "linux.resources.blockIO.weight"
}

test_cgroup_with_other_processes_refused() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b path dir victim
	b=$(mkbundle)
	path=$(jq -r .linux.cgroupsPath "$b/config.json")
	setargs "$b" true
	# a process of ours already in the cgroup the config names
	sleep 60 &
	victim=$!
	if [ "$(cg_layout)" = v2 ]; then
		dir=/sys/fs/cgroup/$(dirname "$(cut -d: -f3 /proc/self/cgroup)")/$path
	else
		dir=/sys/fs/cgroup/pids/$(cut -d: -f3 <(grep ':pids:' /proc/self/cgroup))/$path
	fi
	dir=$(echo "$dir" | tr -s /)
	mkdir -p "$dir"
	echo "$victim" >"$dir/cgroup.procs"
	local rc=0
	hk run -b "$b" "$(newid)" 2>"$T/err" || rc=$?
	local alive=no
	kill -0 "$victim" 2>/dev/null && alive=yes
	kill "$victim"
	wait "$victim" 2>/dev/null || true
	sleep 0.1
	rmdir "$dir"
	[ "$rc" -ne 0 ] || fail "husk ran in a cgroup holding another process"
	assert_contains "$(cat "$T/err")" "is not empty"
	assert_eq yes "$alive" "the other process survived"
}

# The OCI rule "delete only created resources": a cgroup that was there
# before (an engine may make it) is used, but neither `run` nor a later
# `delete` (which knows the cgroup only from the state file) removes it.
test_existing_cgroup_not_removed() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b path dir id
	b=$(mkbundle)
	path=$(jq -r .linux.cgroupsPath "$b/config.json")
	if [ "$(cg_layout)" = v2 ]; then
		dir=/sys/fs/cgroup/$(dirname "$(_hk_own_cgroup)")/$path
	else
		dir=/sys/fs/cgroup/pids/$(_hk_own_cgroup pids)/$path
	fi
	dir=$(echo "$dir" | tr -s /)
	mkdir -p "$dir"
	setargs "$b" sh -c 'cat /proc/self/cgroup'
	cfg "$b" '.linux.namespaces |= map(select(.type != "cgroup"))'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "$path"
	[ -d "$dir" ] || fail "run removed $dir, which it did not create"
	id=$(newid)
	setargs "$b" sleep 30
	hkr create -b "$b" "$id"
	hkr start "$id"
	[ "$(cat "$dir/cgroup.procs" | wc -l)" -ge 1 ] || fail "the container is not in $dir"
	hkr delete -f "$id"
	local ok=yes
	[ -d "$dir" ] || ok=no
	[ -z "$(cat "$dir/cgroup.procs" 2>/dev/null)" ] || fail "processes left in $dir"
	rmdir "$dir" 2>/dev/null || true
	assert_eq yes "$ok" "delete kept the cgroup it did not create"
}

test_container_sees_its_own_limits() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	# /sys/fs/cgroup in the container shows the container's cgroup: on v1
	# without a cgroup namespace a bind of its own directories (as runc;
	# a fresh mount would show the hierarchy's root), on v2 through its
	# cgroup namespace
	local b out
	b=$(mkbundle)
	cfg "$b" '.linux.resources.memory.limit = 50331648'
	if [ "$(cg_layout)" = v2 ]; then
		cfg "$b" '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
		setargs "$b" cat /sys/fs/cgroup/memory.max
	else
		cfg "$b" '.linux.namespaces |= map(select(.type != "cgroup"))'
		setargs "$b" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ls -d /sys/fs/cgroup/memory/*/ 2>/dev/null | wc -l'
	fi
	out=$("$HUSK" run -b "$b" "$(newid)")
	assert_eq 50331648 "$(echo "$out" | head -1)" "the container's memory limit, seen inside"
	if [ "$(cg_layout)" != v2 ]; then
		assert_eq 0 "$(echo "$out" | tail -1 | tr -d ' ')" "cgroups below the container's, seen inside"
	fi
}
