# test_lsm.sh - process.apparmorProfile, process.selinuxLabel,
# linux.mountLabel and `exec --apparmor` / `--process-label`.
#
# A label for a security module the host does not run is an error before
# anything exists (no state, no cgroup: the runner checks the cgroups);
# never a container that runs unconfined without a word.  Where AppArmor
# is enabled (the v2 VM: no profile loaded) the tests load a profile of
# their own with apparmor_parser and check that the container's process
# runs under it and that it denies what it denies; elsewhere (this hybrid
# host has no AppArmor) they check the error instead.  No host here runs
# SELinux: only its errors and the ignored mountLabel are tested, and
# those tests skip where SELinux is enabled.

lsm_apparmor() {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] &&
		[ -e /proc/self/attr/apparmor/current ]
}

lsm_selinux() { [ -e /sys/fs/selinux/enforce ]; }

LSM_NOT_ENABLED="process.apparmorProfile: AppArmor is not enabled on this host"

# The test profile: everything allowed but writing /husk-denied (as the
# container sees it: after pivot_root, paths are from its root).
LSM_PROFILE=husk-test-$$
_lsm_secfs=""
_lsm_loaded=""
_lsm_ids=""

# Undo what the test made, on its subshell's exit: containers, the
# profile, securityfs when we mounted it.
lsm_teardown() {
	local i
	for i in $_lsm_ids; do "$HUSK" --root "$T/state" delete --force "$i" >/dev/null 2>&1; done
	[ -n "$_lsm_loaded" ] && apparmor_parser -R "$_lsm_loaded" >/dev/null 2>&1
	[ -n "$_lsm_secfs" ] && umount /sys/kernel/security
	true
}

lsm_delete_at_exit() {
	_lsm_ids="$_lsm_ids $*"
	trap lsm_teardown EXIT
}

# Load $LSM_PROFILE (apparmor_parser talks to the kernel through
# securityfs, which the VM does not mount: mount it for the test).
lsm_load_profile() {
	command -v apparmor_parser >/dev/null || { fail "apparmor_parser is not installed"; return 1; }
	if ! grep -q ' /sys/kernel/security .* securityfs ' /proc/self/mountinfo; then
		mount -t securityfs securityfs /sys/kernel/security || return 1
		_lsm_secfs=1
	fi
	trap lsm_teardown EXIT
	cat >"$T/profile" <<EOF
profile $LSM_PROFILE flags=(attach_disconnected) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  mount,
  umount,
  pivot_root,
  deny /husk-denied w,
}
EOF
	apparmor_parser -K -r "$T/profile" || return 1
	_lsm_loaded=$T/profile
}

# Nothing of container $1 is left: no state directory, not listed.
lsm_nothing_left() {
	[ ! -e "$T/state/$1" ] || fail "state of $1 left behind"
	assert_not_contains "$(hkr list -q 2>/dev/null)" "$1" "container listed"
	assert_eq "" "$(cg_leftovers)" "cgroups left"
}

# A bundle whose process prints its AppArmor label and tries both files.
lsm_bundle() {
	local b
	b=$(mkbundle) || return 1
	cfg "$b" '.root.readonly = false'
	setargs "$b" sh -c 'cat /proc/self/attr/apparmor/current
		echo x >/husk-allowed && echo allowed-ok
		echo x >/husk-denied 2>/dev/null && echo denied-written || echo denied-refused'
	echo "$b"
}

test_lsm_apparmor_run() {
	local b id out
	b=$(lsm_bundle)
	id=$(newid)
	cfg "$b" ".process.apparmorProfile = \"$LSM_PROFILE\""
	if ! lsm_apparmor; then
		echo "skip: AppArmor is not enabled here; checking its error instead"
		expect_fail hkr run -b "$b" "$id"
		assert_eq "husk: $LSM_NOT_ENABLED" "$(cat "$T/err")"
		lsm_nothing_left "$id"
		expect_fail hkr create -b "$b" "$id"
		assert_eq "husk: $LSM_NOT_ENABLED" "$(cat "$T/err")"
		lsm_nothing_left "$id"
		return 0
	fi
	lsm_load_profile
	out=$(hkr run -b "$b" "$id")
	echo "$out"
	assert_eq "$LSM_PROFILE (enforce)
allowed-ok
denied-refused" "$out"
	[ ! -e "$b/rootfs/husk-denied" ] || fail "the profile let /husk-denied be written"
	# with noNewPrivileges too (the transition happens at the exec)
	cfg "$b" '.process.noNewPrivileges = true'
	out=$(hkr run -b "$b" "$(newid)")
	assert_eq "$LSM_PROFILE (enforce)" "$(echo "$out" | head -1)" "with noNewPrivileges"
	# and without a profile, the same container is unconfined
	cfg "$b" 'del(.process.apparmorProfile)'
	out=$(hkr run -b "$b" "$(newid)")
	assert_eq "unconfined
allowed-ok
denied-written" "$out" "no profile"
}

test_lsm_apparmor_unknown_profile() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.process.apparmorProfile = "husk-no-such-profile"'
	expect_fail hkr run -b "$b" "$id"
	if lsm_apparmor; then
		assert_eq 'husk: process.apparmorProfile "husk-no-such-profile": profile not loaded' \
			"$(cat "$T/err")"
	else
		echo "skip: AppArmor is not enabled here; checking its error instead"
		assert_eq "husk: $LSM_NOT_ENABLED" "$(cat "$T/err")"
	fi
	lsm_nothing_left "$id"
}

# The profile is written through the container's procfs, which must be one.
test_lsm_apparmor_needs_container_proc() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	# (no masked or read-only paths: husk mounts them through /proc too)
	cfg "$b" ".process.apparmorProfile = \"$LSM_PROFILE\" | .mounts |= map(select(.destination != \"/proc\"))
		| del(.linux.maskedPaths) | del(.linux.readonlyPaths)"
	if ! lsm_apparmor; then
		echo "skip: AppArmor is not enabled here; checking its error instead"
		expect_fail hkr run -b "$b" "$id"
		assert_eq "husk: $LSM_NOT_ENABLED" "$(cat "$T/err")"
		lsm_nothing_left "$id"
		return 0
	fi
	lsm_load_profile
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "process.apparmorProfile: needs the container's procfs at /proc"
	lsm_nothing_left "$id"
	# a tmpfs at /proc with a fake attr file is not a procfs either
	cfg "$b" '.mounts += [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}]'
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "/proc is not a procfs"
	lsm_nothing_left "$id"
}

test_lsm_apparmor_exec() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 600
	lsm_delete_at_exit "$id"
	hkr run -d -b "$b" "$id"
	wait_status "$id" running
	if ! lsm_apparmor; then
		echo "skip: AppArmor is not enabled here; checking its error instead"
		expect_fail hkr exec --apparmor "$LSM_PROFILE" "$id" true
		assert_eq "husk: $LSM_NOT_ENABLED" "$(cat "$T/err")"
		echo '{"args": ["true"], "cwd": "/", "apparmorProfile": "x"}' >"$T/p.json"
		expect_fail hkr exec -p "$T/p.json" "$id"
		assert_eq "husk: $LSM_NOT_ENABLED" "$(cat "$T/err")"
		# nothing of the refused execs is left running
		assert_eq "1" "$(hkr ps -f json "$id" | jq length)" "processes in the container"
		return 0
	fi
	lsm_load_profile
	out=$(hkr exec "$id" cat /proc/self/attr/apparmor/current)
	assert_eq "unconfined" "$out" "exec without --apparmor"
	out=$(hkr exec --apparmor "$LSM_PROFILE" "$id" sh -c 'cat /proc/self/attr/apparmor/current
		echo x >/husk-denied 2>/dev/null && echo denied-written || echo denied-refused')
	assert_eq "$LSM_PROFILE (enforce)
denied-refused" "$out" "exec --apparmor"
	echo "{\"args\": [\"cat\", \"/proc/self/attr/apparmor/current\"], \"cwd\": \"/\", \"apparmorProfile\": \"$LSM_PROFILE\"}" >"$T/p.json"
	assert_eq "$LSM_PROFILE (enforce)" "$(hkr exec -p "$T/p.json" "$id")" "exec -p with apparmorProfile"
	expect_fail hkr exec --apparmor husk-no-such-profile "$id" true
	assert_eq 'husk: process.apparmorProfile "husk-no-such-profile": profile not loaded' "$(cat "$T/err")"
	assert_eq "1" "$(hkr ps -f json "$id" | jq length)" "processes in the container"
}

# An exec gets the container's profile unless it names another one (as
# runc): leaving it out of process.json must not unconfine the process.
test_lsm_apparmor_exec_inherits() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 600
	cfg "$b" ".process.apparmorProfile = \"$LSM_PROFILE\""
	if ! lsm_apparmor; then
		echo "skip: AppArmor is not enabled here; checking its error instead"
		expect_fail hkr run -d -b "$b" "$id"
		assert_eq "husk: $LSM_NOT_ENABLED" "$(cat "$T/err")"
		lsm_nothing_left "$id"
		return 0
	fi
	lsm_load_profile
	lsm_delete_at_exit "$id"
	hkr run -d -b "$b" "$id"
	wait_status "$id" running
	assert_eq "$LSM_PROFILE (enforce)" "$(cat "/proc/$(hkr state "$id" | jq .pid)/attr/apparmor/current")" "init"
	out=$(hkr exec "$id" cat /proc/self/attr/apparmor/current)
	assert_eq "$LSM_PROFILE (enforce)" "$out" "exec"
	echo '{"args": ["cat", "/proc/self/attr/apparmor/current"], "cwd": "/", "apparmorProfile": ""}' >"$T/p.json"
	assert_eq "$LSM_PROFILE (enforce)" "$(hkr exec -p "$T/p.json" "$id")" "exec -p without a profile"
}

test_lsm_selinux_label_refused() {
	local b id
	lsm_selinux && { echo "skip: SELinux is enabled here"; return 0; }
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	expect_fail hkr run -b "$b" "$id"
	assert_eq "husk: process.selinuxLabel: SELinux is not enabled on this host" "$(cat "$T/err")"
	lsm_nothing_left "$id"
	# exec --process-label, into a container without one
	cfg "$b" 'del(.process.selinuxLabel)'
	setargs "$b" sleep 600
	lsm_delete_at_exit "$id"
	hkr run -d -b "$b" "$id"
	wait_status "$id" running
	expect_fail hkr exec --process-label system_u:system_r:container_t:s0 "$id" true
	assert_eq "husk: process.selinuxLabel: SELinux is not enabled on this host" "$(cat "$T/err")"
	assert_eq "1" "$(hkr ps -f json "$id" | jq length)" "processes in the container"
}

# Without SELinux, linux.mountLabel is ignored (as runc), with a --debug
# note; an empty label or profile means "not set".
test_lsm_mount_label_ignored_without_selinux() {
	local b out
	lsm_selinux && { echo "skip: SELinux is enabled here"; return 0; }
	b=$(mkbundle)
	cfg "$b" '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2" | .process.apparmorProfile = "" | .process.selinuxLabel = ""'
	setargs "$b" sh -c 'grep -c "context=" /proc/self/mountinfo; grep -c " /dev/shm " /proc/self/mountinfo'
	out=$(hk --debug run -b "$b" "$(newid)" 2>"$T/debug")
	assert_eq "0
1" "$out"
	assert_contains "$(cat "$T/debug")" 'linux.mountLabel \"system_u:object_r:container_file_t:s0:c1,c2\" ignored: SELinux is not enabled on this host'
}

test_lsm_features() {
	local f
	f=$(hk features)
	assert_eq "true true" "$(echo "$f" | jq -r '"\(.linux.apparmor.enabled) \(.linux.selinux.enabled)"')"
}
