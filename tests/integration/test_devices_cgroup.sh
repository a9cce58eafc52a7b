# test_devices_cgroup.sh - which device nodes a container may open: the
# devices cgroup on v1 (devices.allow/deny), the eBPF device program on v2,
# the same rules meaning the same on both.
#
# The probe device is kmsg (c 1:11): opening it for writing needs no
# capability, so only the device policy can refuse it, with EPERM
# ("Operation not permitted"; reading it needs CAP_SYSLOG on hosts with
# kernel.dmesg_restrict: not a fair probe).

# Run bundle $1 with `sh -c "$2"`, print its output and errors (the
# status is left out: the probes' results are in the output).
_devcg_run() {
	setargs "$1" sh -c "$2"
	hk run -b "$1" "$(newid)" 2>&1 || true
}

# A bundle whose process may make device nodes (CAP_MKNOD): the probes
# make /dev/k (c 1:11) in the container's /dev, a tmpfs (a node in the
# image would do on this host, but the VM's /tmp is mounted nodev).
_devcg_bundle() {
	local b
	b=$(mkbundle) || return 1
	cfg "$b" '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]' || return 1
	echo "$b"
}

# What opening /dev/k (kmsg) for writing does in a container with device
# rules $2 (a JSON array after the default spec's "deny all") of bundle $1.
_devcg_kmsg() {
	cfg "$1" ".linux.resources.devices = [{\"allow\": false, \"access\": \"rwm\"}] + $2"
	_devcg_run "$1" 'mknod /dev/k c 1 11 && (exec 3>/dev/k) && echo opened'
}

test_devcg_default_policy() {
	needs_root "makes device nodes or device cgroup rules"
	local b out
	b=$(_devcg_bundle)
	# runc's defaults: null, zero, urandom, ... but not kmsg
	out=$(_devcg_run "$b" 'mknod /dev/k c 1 11; (exec 3>/dev/k) && echo opened; echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; head -c 4 /dev/urandom | wc -c')
	assert_contains "$out" "can't create /dev/k: Operation not permitted"
	assert_not_contains "$out" "opened"
	assert_contains "$out" "null-ok
4
4"
	# no device rules in the config at all: the same
	cfg "$b" 'del(.linux.resources)'
	out=$(_devcg_run "$b" 'mknod /dev/k c 1 11; (exec 3>/dev/k) && echo opened; echo x > /dev/null && echo null-ok')
	assert_contains "$out" "can't create /dev/k: Operation not permitted"
	assert_contains "$out" "null-ok"
}

test_devcg_linux_devices_node_allowed() {
	needs_root "makes device nodes or device cgroup rules"
	local b out
	b=$(mkbundle)
	# a node of linux.devices is made and may be used, with no rule for it
	cfg "$b" '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]'
	out=$(_devcg_run "$b" '(exec 3>/dev/kmsg) && echo opened')
	assert_eq "opened" "$out"
	# ... even against a rule denying it: the nodes come after the rules
	cfg "$b" '.linux.resources.devices += [{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]'
	out=$(_devcg_run "$b" '(exec 3>/dev/kmsg) && echo opened')
	assert_eq "opened" "$out"
}

test_devcg_mknod_inside_denied() {
	needs_root "makes device nodes or device cgroup rules"
	local b out
	b=$(_devcg_bundle)
	# making any node is allowed (runc's "c *:* m"); using one is not,
	# unless the device is allowed
	out=$(_devcg_run "$b" 'mknod /dev/k c 1 11 && echo made; (exec 3>/dev/k) && echo opened; mknod /dev/n c 1 3 && echo x > /dev/n && echo null-ok')
	assert_contains "$out" "made"
	assert_contains "$out" "can't create /dev/k: Operation not permitted"
	assert_not_contains "$out" "opened"
	assert_contains "$out" "null-ok"
}

test_devcg_rule_order() {
	needs_root "makes device nodes or device cgroup rules"
	local b
	b=$(_devcg_bundle)
	# after "deny all", allowing the one device opens it, and only it
	assert_eq "opened" "$(_devcg_kmsg "$b" '[{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]')"
	# the later rule wins
	assert_contains "$(_devcg_kmsg "$b" '[{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"},
		{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]')" "can't create /dev/k: Operation not permitted"
	assert_eq "opened" "$(_devcg_kmsg "$b" '[{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"},
		{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]')"
	# an allow for reading only does not let it be written
	assert_contains "$(_devcg_kmsg "$b" '[{"allow": true, "type": "c", "major": 1, "access": "r"}]')" \
		"can't create /dev/k: Operation not permitted"
	# an "a" rule forgets the rules before it
	assert_contains "$(_devcg_kmsg "$b" '[{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwm"},
		{"allow": false, "access": "rwm"}]')" "can't create /dev/k: Operation not permitted"
}

test_devcg_allow_all() {
	needs_root "makes device nodes or device cgroup rules"
	local b out
	b=$(_devcg_bundle)
	assert_eq "opened" "$(_devcg_kmsg "$b" '[{"allow": true, "access": "rwm"}]')"
	# allowing all, then denying one device: only that one is refused
	out=$(_devcg_kmsg "$b" '[{"allow": true, "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]')
	assert_contains "$out" "can't create /dev/k: Operation not permitted"
	out=$(_devcg_run "$b" 'mknod /dev/k c 1 11 || echo no-mknod; (exec 3>/dev/k) || echo k-denied; head -c 4 /dev/zero | wc -c')
	assert_eq "sh: can't create /dev/k: Operation not permitted
k-denied
4" "$out"
	# denying reading only: writing is still allowed
	assert_eq "opened" "$(_devcg_kmsg "$b" '[{"allow": true, "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "r"}]')"
}

test_devcg_default_devices_not_deniable() {
	local b out
	b=$(mkbundle)
	# as in runc: the default devices come after the config's rules, so a
	# rule denying /dev/null is undone by them
	cfg "$b" '.linux.resources.devices += [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	out=$(_devcg_run "$b" 'echo x > /dev/null && echo null-ok')
	assert_eq "null-ok" "$out"
}

test_devcg_ignored_rule_refused() {
	needs_root "makes device nodes or device cgroup rules"
	local b
	b=$(_devcg_bundle)
	# v1 would silently ignore a deny inside an earlier wildcard allow:
	# refused on both layouts, naming the rule (as runc)
	cfg "$b" '.linux.resources.devices += [{"allow": true, "type": "c", "access": "rw"},
		{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	setargs "$b" sh -c 'mknod /dev/k c 1 11 && (exec 3>/dev/k) && echo opened'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" 'linux.resources.devices[2]: denying "c 1:11 w" would not take that access away from the earlier wildcard rule "c *:* rw"'
	assert_not_contains "$(cat "$T/out")" "opened"
}
