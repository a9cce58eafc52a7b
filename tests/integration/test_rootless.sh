# test_rootless.sh - `husk run` as an ordinary user ($HK_USER, made by
# run.sh): `husk spec --rootless` configs, a full subordinate id map, and
# resource limits, which need a cgroup delegated to the user (made here by
# delegated_cgroup) and are a clear error without one.  Run on the host
# (hybrid v1) and again in the pure cgroup v2 VM.

# No process of the test user may be left (husk run cleans up after itself).
no_user_procs() {
	local left
	left=$(ps -e -o pid= -o uid= -o args= | awk -v u="$HK_USER_UID" '$2 == u' || true)
	[ -z "$left" ] || fail "processes of $HK_USER left: $left"
}

test_rootless_run_single_map() {
	local b out
	b=$(mkbundle_user)
	cfg "$b" '.hostname = "rlhost"'
	setargs "$b" sh -c 'id -u; id -g; cat /proc/self/uid_map; hostname; echo "pid $$"; ps -o pid= | wc -l'
	out=$(cd "$b" && as_user "$HUSK" run "$(newid)")
	echo "$out"
	local uidmap
	uidmap=$(echo "$out" | sed -n 3p | tr -s ' ' | sed 's/^ //')
	assert_eq "0" "$(echo "$out" | sed -n 1p)" "uid inside"
	assert_eq "0" "$(echo "$out" | sed -n 2p)" "gid inside"
	assert_eq "0 $HK_USER_UID 1" "$uidmap" "uid_map"
	assert_eq "rlhost" "$(echo "$out" | sed -n 4p)" "hostname"
	assert_eq "pid 1" "$(echo "$out" | sed -n 5p)" "pid namespace"
	no_user_procs
}

test_rootless_run_as_non_root_user_in_container_fails_cleanly() {
	# a single mapping has only uid 0: asking for uid 1000 is an error
	local b
	b=$(mkbundle_user)
	cfg "$b" '.process.user = {"uid": 1000, "gid": 1000}'
	setargs "$b" true
	local rc=0
	(cd "$b" && as_user "$HUSK" run "$(newid)") >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/err"
	[ "$rc" -ne 0 ] || fail "uid 1000 without a mapping for it worked"
	[ -s "$T/err" ] || fail "no error message"
	no_user_procs
}

test_rootless_full_subid_map() {
	local b out owner
	b=$(mkbundle_user --own)
	cfg "$b" --argjson u "$HK_USER_UID" --argjson g "$HK_USER_GID" --argjson s "$HK_SUBID_START" '
		.root.readonly = false |
		.process.capabilities |= map_values(. + ["CAP_CHOWN"]) |
		.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
		                      {"containerID": 1, "hostID": $s, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
		                      {"containerID": 1, "hostID": $s, "size": 65536}]'
	setargs "$b" sh -c 'cat /proc/self/uid_map; touch /tmp/f && chown 1000:1000 /tmp/f && echo chowned'
	out=$(cd "$b" && as_user "$HUSK" run "$(newid)")
	echo "$out"
	assert_contains "$out" "chowned"
	assert_contains "$(echo "$out" | tr -s ' ')" " 1 $HK_SUBID_START 65536" "uid_map"
	owner=$(stat -c %u:%g "$b/rootfs/tmp/f")
	assert_eq "$((HK_SUBID_START + 999)):$((HK_SUBID_START + 999))" "$owner" "owner seen on the host"
	no_user_procs
}

test_rootless_memory_limit_without_delegation_is_an_error() {
	local b rc=0 err
	b=$(mkbundle_user)
	cfg "$b" '.linux.resources.memory = {"limit": 67108864}'
	setargs "$b" echo should-not-run
	(cd "$b" && as_user "$HUSK" run "$(newid)") >"$T/out" 2>"$T/err" || rc=$?
	err=$(cat "$T/err")
	echo "$err"
	[ "$rc" -ne 0 ] || fail "a memory limit without a delegated cgroup was ignored"
	assert_not_contains "$(cat "$T/out")" "should-not-run"
	assert_contains "$err" "linux.resources.memory.limit: cannot create cgroup /sys/fs/cgroup/"
	assert_contains "$err" "delegated to user $HK_USER (uid $HK_USER_UID)"
	assert_contains "$err" "chown it to you"
	[ "$(echo "$err" | wc -l)" -eq 1 ] || fail "the error is not one line"
	no_user_procs
}

test_rootless_pids_limit_without_delegation_is_an_error() {
	local b rc=0
	b=$(mkbundle_user)
	cfg "$b" '.linux.resources.pids = {"limit": 10}'
	setargs "$b" echo should-not-run
	(cd "$b" && as_user "$HUSK" run "$(newid)") >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "a pids limit without a delegated cgroup was ignored"
	assert_contains "$(cat "$T/err")" "linux.resources.pids.limit: cannot create cgroup"
	no_user_procs
}

test_rootless_delegated_cgroup_is_used() {
	local b h out rc=0
	b=$(mkbundle_user)
	cfg "$b" '.linux.namespaces |= map(select(.type != "cgroup"))'
	setargs "$b" cat /proc/self/cgroup
	h=$(delegated_cgroup)
	out=$(cd "$b" && as_user_in_cgroup "$h" "$HUSK" run "$(newid)") || rc=$?
	undelegate_cgroup "$h"
	echo "$out"
	assert_eq 0 "$rc" "exit status"
	assert_contains "$out" "$(jq -r .linux.cgroupsPath "$b/config.json")"
}

# Device rules cannot be enforced by an ordinary user (writing v1's
# devices.allow/deny and loading the v2 program take CAP_SYS_ADMIN), even
# in a delegated devices cgroup: the container runs without them, as with
# runc.
test_rootless_devices_in_delegated_cgroup() {
	local b h out rc=0
	b=$(mkbundle_user)
	cfg "$b" '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 5, "access": "r"}]'
	setargs "$b" sh -c 'head -c 3 /dev/zero | wc -c'
	h=$(delegated_cgroup devices)
	out=$(cd "$b" && as_user_in_cgroup "$h" "$HUSK" run "$(newid)" 2>&1) || rc=$?
	undelegate_cgroup "$h"
	echo "$out"
	assert_eq 0 "$rc" "exit status"
	assert_eq 3 "$out"
}

test_rootless_memory_limit_delegated_oom() {
	local b h rc=0
	b=$(mkbundle_user)
	cfg "$b" '.linux.resources.memory = {"limit": 67108864}'
	# dd's 200 MiB buffer is filled by read(): far above the limit
	setargs "$b" dd if=/dev/zero of=/dev/null bs=200M count=1
	h=$(delegated_cgroup)
	(cd "$b" && as_user_in_cgroup "$h" "$HUSK" run "$(newid)") 2>"$T/err" || rc=$?
	undelegate_cgroup "$h"
	cat "$T/err"
	assert_eq 137 "$rc" "exit status"
	assert_contains "$(cat "$T/err")" "container killed by the OOM killer (memory limit 64 MiB)"
	no_user_procs
}

test_rootless_pids_limit_delegated() {
	local b h out n rc=0
	b=$(mkbundle_user)
	cfg "$b" '.linux.resources.pids = {"limit": 10}'
	# print each attempt, then fork a sleeper; sh dies when fork fails
	setargs "$b" sh -c 'n=0; while [ $n -lt 20 ]; do n=$((n+1)); echo $n; sleep 30 & done'
	h=$(delegated_cgroup)
	out=$(cd "$b" && as_user_in_cgroup "$h" "$HUSK" run "$(newid)" 2>"$T/err") || rc=$?
	undelegate_cgroup "$h"
	n=$(echo "$out" | tail -1)
	cat "$T/err"
	[ "$rc" -ne 0 ] || fail "the fork loop finished: $n processes despite pids.limit 10"
	assert_contains "$(cat "$T/err")" "can't fork"
	[ "$n" -ge 5 ] || fail "fork failed already at attempt $n"
	[ "$n" -le 10 ] || fail "$n forks attempted despite pids.limit 10"
	no_user_procs
}
