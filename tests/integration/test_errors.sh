# test_errors.sh - bad configs and failures: one clear line naming the JSON
# path or the failed step, a non-zero exit, and nothing left behind (the
# runner checks mounts and cgroups after every test).

# expect_config_error BUNDLE JQ-EDIT EXPECTED-MESSAGE
expect_config_error() {
	local b=$1 edit=$2 want=$3
	cp "$b/config.json" "$b/config.json.orig"
	cfg "$b" "$edit"
	expect_fail hk run -b "$b" "$(newid)"
	cp "$b/config.json.orig" "$b/config.json"
	assert_eq "husk: $want" "$(cat "$T/err")" "error for [$edit]"
}

test_config_errors_name_the_json_path() {
	local b
	b=$(mkbundle)
	setargs "$b" true
	expect_config_error "$b" '.linux.resources = {"memory": {"limit": "lots"}}' \
		'config.json: linux.resources.memory.limit: expected integer'
	expect_config_error "$b" '.linux.namespaces[2].type = "foo"' \
		'config.json: linux.namespaces[2].type: unknown namespace "foo"'
	expect_config_error "$b" '.process.capabilities.bounding += ["CAP_FOO"]' \
		"config.json: process.capabilities.bounding[$(jq '.process.capabilities.bounding | length' "$b/config.json")]: unknown capability \"CAP_FOO\""
	expect_config_error "$b" '.process.rlimits[0].type = "RLIMIT_FOO"' \
		'config.json: process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"'
	expect_config_error "$b" '.ociVersion = "2.0.0"' \
		'config.json: ociVersion: unsupported version "2.0.0" (husk supports 1.x)'
	expect_config_error "$b" 'del(.process.args)' 'config.json: process.args: required'
	expect_config_error "$b" '.process.cwd = "relative"' \
		'config.json: process.cwd: must be an absolute path'
	expect_config_error "$b" 'del(.root)' 'config.json: root: required'
}

test_invalid_json() {
	local b
	b=$(mkbundle)
	echo '{"ociVersion": "1.0.0", ' >"$b/config.json"
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "config.json: invalid JSON"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "more than one line: $(cat "$T/err")"
}

test_missing_config_and_rootfs() {
	local b
	mkdir "$T/empty"
	expect_fail hk run -b "$T/empty" "$(newid)"
	assert_contains "$(cat "$T/err")" "config.json"
	assert_contains "$(cat "$T/err")" "no such file or directory"
	b=$(mkbundle)
	rm -rf "$b/rootfs"
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "root.path"
	assert_contains "$(cat "$T/err")" "no such file or directory"
}

test_exec_not_found_wording() {
	local b rc
	b=$(mkbundle)
	setargs "$b" nosuchcmd
	rc=0
	hk run -b "$b" "$(newid)" 2>"$T/err" || rc=$?
	assert_eq 127 "$rc" "exit status"
	assert_eq 'husk: exec: "nosuchcmd": executable file not found in $PATH' "$(cat "$T/err")"
	setargs "$b" /bin/nosuch
	rc=0
	hk run -b "$b" "$(newid)" 2>"$T/err" || rc=$?
	assert_eq 127 "$rc" "exit status"
	assert_eq 'husk: exec: "/bin/nosuch": stat /bin/nosuch: no such file or directory' "$(cat "$T/err")"
	setargs "$b" /etc
	rc=0
	hk run -b "$b" "$(newid)" 2>"$T/err" || rc=$?
	assert_eq 126 "$rc" "exit status"
	assert_eq 'husk: exec: "/etc": permission denied' "$(cat "$T/err")"
}

test_failed_mount_reports_step() {
	local b
	b=$(mkbundle)
	cfg "$b" '.mounts += [{"destination": "/data", "type": "bind", "source": "/nonexistent-husk-src", "options": ["rbind"]}]'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "/data"
	assert_contains "$(cat "$T/err")" "no such file or directory"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "more than one line: $(cat "$T/err")"
}

test_bad_container_id() {
	local b
	b=$(mkbundle)
	expect_fail hk run -b "$b" "../evil"
	assert_contains "$(cat "$T/err")" 'invalid container id "../evil"'
	expect_fail hk run -b "$b"
	assert_contains "$(cat "$T/err")" "usage: husk run"
}

test_hostname_needs_uts_namespace() {
	local b
	b=$(mkbundle)
	cfg "$b" '.hostname = "x" | .linux.namespaces = [.linux.namespaces[] | select(.type != "uts")]'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "hostname"
	assert_contains "$(cat "$T/err")" "uts namespace"
}

test_json_log_file() {
	local b
	b=$(mkbundle)
	setargs "$b" nosuchcmd
	expect_fail hk --log "$T/log.json" --log-format json run -b "$b" "$(newid)"
	jq -e '.level == "error" and (.msg | contains("executable file not found in $PATH"))' "$T/log.json" >/dev/null ||
		fail "log: $(cat "$T/log.json")"
	jq -r .time "$T/log.json" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+([+-][0-9]{2}:[0-9]{2}|Z)$' ||
		fail "time not RFC 3339: $(jq -r .time "$T/log.json")"
}

# A namespace path of the wrong type fails create, naming the entry, and
# leaves nothing; an invalid semantic version is refused.
test_namespace_path_of_wrong_type() {
	local b id
	b=$(mkbundle)
	setargs "$b" true
	id=$(newid)
	cfg "$b" '.linux.namespaces |= map(if .type == "ipc" then .path = "/proc/self/ns/net" else . end)'
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'join ipc namespace /proc/self/ns/net: not a namespace of type ipc'
	assert_contains "$(cat "$T/err")" 'linux.namespaces['
	assert_eq "" "$(ls "$T/state" 2>/dev/null)" "no state left"
	cfg "$b" '.linux.namespaces |= map(del(.path)) | .ociVersion = "1.0"'
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'ociVersion: "1.0" is not a valid semantic version'
}
