# test_rootless.sh - `husk run` as an ordinary user ($HK_USER, made by
# run.sh): `husk spec --rootless` configs, a full subordinate id map, and
# resource limits, which need a cgroup delegated to the user (made here by
# delegated_cgroup) and are a clear error without one.  Run on the host
# (hybrid v1) and again in the pure cgroup v2 VM.

# The test user has no process (those it has in $left)
rl_none_of_user() {
	left=$(ps -e -o pid= -o uid= -o args= | awk -v u="$HK_USER_UID" '$2 == u' || true)
	[ -z "$left" ]
}

# No process of the test user may be left (husk run cleans up after itself);
# up to 10 s for one that has exited to be reaped by its parent (a zombie
# was seen here once, right after its test's last command)
no_user_procs() {
	local left
	wait_until 10 rl_none_of_user || fail "processes of $HK_USER left: $left"
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

# CVE-2023-25809: a rootless container without a cgroup namespace of its
# own must not write the host's cgroups, here the delegated cgroup its own
# is below.  `husk spec --rootless` binds the host's /sys ("rbind", "ro"):
# "ro" makes only the top of it read-only (as runc), the host's cgroup
# hierarchies below it would stay writable.  Two attacks, each with the
# container's shell as the process to move:
#  - default capabilities, no /sys/fs/cgroup entry (as `husk box` rootless
#    on a v1 host): the host's hierarchies are right there;
#  - CAP_SYS_ADMIN in the config: unmount husk's /sys/fs/cgroup first.
# Every write and the mkdir must fail, and the host's files stay unchanged.
# The container's script: $DELEG, the delegated directories (host paths,
# seen at the same paths through the /sys rbind), $VARIANT.
rl_cgroup_attack() {
	cat <<-'SCRIPT'
		n=0
		while [ "$VARIANT" = capsysadmin ] && umount -l /sys/fs/cgroup 2>/dev/null; do
			n=$((n + 1))
		done
		echo "$VARIANT unmounted $n"
		for d in $DELEG; do
			[ -d "$d" ] || { echo "MISSING $d"; continue; }
			if echo $$ 2>/dev/null >"$d/cgroup.procs"; then echo "WROTE $d/cgroup.procs"; fi
			if echo 1 2>/dev/null >"$d/pids.max"; then echo "WROTE $d/pids.max"; fi
			if mkdir "$d/escape" 2>/dev/null; then echo "MKDIR $d/escape"; fi
			echo "$d: $(echo $$ 2>&1 >"$d/cgroup.procs")"
		done
		echo "variant $VARIANT done"
	SCRIPT
}

# Run one attack ($1: plain or capsysadmin) from bundle $2 (its config in
# $2/base.json) on the delegated cgroup $3 (directories $4); prints what
# the container printed and "rc N".
rl_cgroup_attack_run() {
	local variant=$1 b=$2 h=$3 dirs=$4 rc=0
	cp "$b/base.json" "$b/config.json"
	cfg "$b" '.linux.namespaces |= map(select(.type != "cgroup"))'
	if [ "$variant" = capsysadmin ]; then
		cfg "$b" '.process.capabilities |= map_values(. + ["CAP_SYS_ADMIN"])'
	else
		cfg "$b" '.mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	fi
	cfg "$b" --arg d "$dirs" --arg v "$variant" '.process.env += ["DELEG=" + $d, "VARIANT=" + $v]'
	setargs "$b" sh -c "$(rl_cgroup_attack)"
	(cd "$b" && as_user_in_cgroup "$h" "$HUSK" run "$(newid)-$variant" 2>&1) || rc=$?
	echo "rc $rc"
}

# The delegated directories' cgroup.procs and pids.max, and the cgroups below.
rl_cgroup_files() {
	local d
	for d in $1; do
		echo "$d:"
		cat "$d/cgroup.procs" "$d/pids.max" 2>/dev/null || true
		find "$d" -mindepth 1 -type d
	done
}

test_rootless_host_cgroups_read_only() {
	local b h dirs before after out variant d
	b=$(mkbundle_user)
	cp "$b/config.json" "$b/base.json"
	h=$(delegated_cgroup)
	dirs=${h//,/ }
	before=$(rl_cgroup_files "$dirs")
	out=$(rl_cgroup_attack_run plain "$b" "$h" "$dirs")
	out="$out
$(rl_cgroup_attack_run capsysadmin "$b" "$h" "$dirs")"
	after=$(rl_cgroup_files "$dirs")
	undelegate_cgroup "$h"
	echo "$out"
	assert_eq "$before" "$after" "the delegated cgroups"
	for variant in plain capsysadmin; do
		assert_contains "$out" "variant $variant done"
	done
	assert_eq 2 "$(echo "$out" | grep -c '^rc 0$')" "both containers ran"
	assert_not_contains "$out" "WROTE"
	assert_not_contains "$out" "MKDIR"
	assert_not_contains "$out" "MISSING"
	# CAP_SYS_ADMIN did unmount husk's /sys/fs/cgroup
	assert_not_contains "$out" "capsysadmin unmounted 0"
	for d in $dirs; do
		assert_eq 2 "$(echo "$out" | grep -cF "$d: sh: can't create $d/cgroup.procs: Read-only file system")" \
			"the writes to $d/cgroup.procs"
	done
	no_user_procs
}
