# test_lifecycle.sh - the OCI lifecycle over husk's state store: create
# (the process waits), start, state, kill, delete, list, ps.  Every test
# keeps its state in $T/state (--root).

test_lifecycle_create_start_exit_delete() {
	local b id pid out
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sh -c 'echo "started as $$"; sleep 0.3; echo done'
	hkr create -b "$b" --pid-file "$T/pid" "$id" >"$T/out" 2>&1
	pid=$(cat "$T/pid")
	assert_eq created "$(status_of "$id")" "after create"
	assert_eq "$pid" "$(hkr state "$id" | jq -r .pid)" "pid in state and pid file"
	assert_eq "$b" "$(hkr state "$id" | jq -r .bundle)" "bundle"
	[ -d "/proc/$pid" ] || fail "no process after create"
	assert_eq "" "$(cat "$T/out")" "the command must not run before start"
	hkr start "$id"
	wait_status "$id" stopped
	out=$(cat "$T/out")
	assert_contains "$out" "started as 1"
	assert_contains "$out" "done"
	assert_eq 0 "$(hkr state "$id" | jq -r .pid)" "pid of a stopped container"
	hkr delete "$id"
	[ ! -e "$T/state/$id" ] || fail "state left after delete"
	expect_fail hkr state "$id"
	assert_contains "$(cat "$T/err")" "container \"$id\" does not exist"
}

test_lifecycle_start_twice_and_delete_running() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 30
	hkr create -b "$b" "$id"
	hkr start "$id"
	assert_eq running "$(status_of "$id")"
	expect_fail hkr start "$id"
	assert_contains "$(cat "$T/err")" "is not created: running"
	expect_fail hkr delete "$id"
	assert_contains "$(cat "$T/err")" "not stopped"
	assert_eq running "$(status_of "$id")" "still running after a refused delete"
	hkr delete --force "$id"
	[ ! -e "$T/state/$id" ] || fail "state left after delete --force"
	hkr delete --force "$id" # a missing one with --force: fine
}

test_lifecycle_kill_created_and_running() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sh -c 'trap "exit 3" TERM; echo up; while :; do sleep 0.1; done'
	hkr create -b "$b" "$id"
	# a created container can be killed (SIGKILL: its init has no handler yet)
	hkr kill "$id" KILL
	wait_status "$id" stopped
	hkr delete "$id"
	hkr create -b "$b" "$id" >"$T/out"
	hkr start "$id"
	# "up": the trap is set (a TERM before it would be ignored by the init)
	wait_until 30 grep -q up "$T/out" || fail "the container did not say up: [$(cat "$T/out")]"
	hkr kill "$id" # TERM by default: the trap makes it exit
	wait_status "$id" stopped
	expect_fail hkr kill "$id" TERM
	assert_contains "$(cat "$T/err")" "not running"
	expect_fail hkr kill "$id" NOSUCHSIG
	hkr delete "$id"
}

test_lifecycle_same_id_twice() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 30
	hkr create -b "$b" "$id"
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "container \"$id\" already exists"
	assert_eq created "$(status_of "$id")" "the first one is untouched"
	hkr delete --force "$id"
}

test_lifecycle_failed_create_leaves_nothing() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" /no/such/binary
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "/no/such/binary"
	[ ! -e "$T/state/$id" ] || fail "state left after a failed create"
	cfg "$b" '.process.terminal = true'
	setargs "$b" sh
	expect_fail hkr create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "--console-socket"
	[ ! -e "$T/state/$id" ] || fail "state left after a failed create"
	# a state root others may write to is refused
	mkdir -m 0777 "$T/shared-root"
	chmod 0777 "$T/shared-root"
	expect_fail "$HUSK" --root "$T/shared-root" create -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "writable by you only"
	assert_eq "" "$(ls -A "$T/shared-root")" "nothing made in it"
}

# husk ps lists $2 processes of container $1
lc_nprocs() { [ "$(hkr ps -f json "$1" | jq length)" = "$2" ]; }

test_lifecycle_list_and_ps() {
	local b id pid
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sh -c 'sleep 30 & sleep 30'
	hkr create -b "$b" --pid-file "$T/pid" "$id"
	hkr start "$id"
	pid=$(cat "$T/pid")
	assert_eq "$id" "$(hkr list -q)" "list -q"
	assert_eq running "$(hkr list -f json | jq -r ".[] | select(.id == \"$id\") | .status")" "list json"
	assert_contains "$(hkr list)" "$id"
	# the owner column: the creator's name, "#UID" for a uid without one
	# (list keeps the last name it looked up: owners alternating in id
	# order, as listed, must each be looked up again)
	local b2 b3 id2 id3 me
	b2=$(mkbundle)
	b3=$(mkbundle)
	id2=$(newid)
	id3=$(newid)
	hkr create -b "$b2" "$id2"
	hkr create -b "$b3" "$id3"
	jq -c '.owner = 4000000' "$T/state/$id2/state.json" >"$T/owner.json"
	cat "$T/owner.json" >"$T/state/$id2/state.json"
	me=$(id -un)
	assert_eq "$me #4000000 $me" "$(hkr list -f json | jq -r '[.[].owner] | join(" ")')" \
		"list json: owners in id order"
	assert_eq "#4000000 $me" \
		"$(hkr list | awk -v a="$id2" -v b="$id3" '$1 == a || $1 == b {print $NF}' | xargs)" \
		"list: OWNER"
	hkr delete -f "$id2"
	hkr delete -f "$id3"
	wait_until 30 lc_nprocs "$id" 2 || fail "ps json: both processes expected: $(hkr ps -f json "$id")"
	assert_contains "$(hkr ps -f json "$id")" "$pid"
	hkr kill --all "$id" KILL
	wait_status "$id" stopped
	hkr delete "$id"
	assert_eq "" "$(hkr list -q)" "list after delete"
}

test_lifecycle_console_socket() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.process.terminal = true'
	setargs "$b" sh -c 'tty; echo on-the-pty'
	# receive the pty master on a unix socket, as conmon does, and print
	# what the container writes on it
	console_receiver "$T/console.sock" "$T/pty-out"
	hkr create -b "$b" --console-socket "$T/console.sock" "$id"
	hkr start "$id"
	wait_status "$id" stopped
	wait "$console_pid"
	out=$(cat "$T/pty-out")
	assert_contains "$out" "payload: /dev/pts/0"
	assert_contains "$out" "/dev/pts/0"
	assert_contains "$out" "on-the-pty"
	hkr delete "$id"
}

test_lifecycle_run_detached() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sh -c 'trap "exit 0" TERM; echo up; while :; do sleep 0.1; done'
	hkr run -d -b "$b" --pid-file "$T/pid" "$id" >"$T/out"
	assert_eq running "$(status_of "$id")" "run -d returns with the container running"
	[ -d "/proc/$(cat "$T/pid")" ] || fail "no process"
	wait_until 30 grep -q up "$T/out" || fail "the container did not say up: [$(cat "$T/out")]"
	hkr kill "$id" TERM
	wait_status "$id" stopped
	hkr delete "$id"
}

# the user's container $1 (state in $T/ustate) is stopped
lc_user_stopped() { [ "$(as_user "$HUSK" --root "$T/ustate" state "$1" | jq -r .status)" = stopped ]; }

test_lifecycle_rootless() {
	local b id out
	b=$(mkbundle_user)
	id=$(newid)
	setargs "$b" sh -c 'id -u; echo rootless-started'
	user_dir "$T/ustate"
	(cd "$b" && as_user "$HUSK" --root "$T/ustate" create "$id") >"$T/out" 2>&1
	assert_eq created "$(as_user "$HUSK" --root "$T/ustate" state "$id" | jq -r .status)"
	as_user "$HUSK" --root "$T/ustate" start "$id"
	wait_until 30 grep -q rootless-started "$T/out" || fail "the container did not start: [$(cat "$T/out")]"
	out=$(cat "$T/out")
	assert_eq 0 "$(echo "$out" | head -1)" "root in the container"
	wait_until 30 lc_user_stopped "$id" || fail "the container did not stop"
	as_user "$HUSK" --root "$T/ustate" delete "$id"
	[ ! -e "$T/ustate/$id" ] || fail "state left"
}

test_features_document() {
	needs_root "atime flags of the host's mounts are locked in a user namespace"
	local f missing
	hk features >"$T/f.json"
	jq -e . "$T/f.json" >/dev/null || fail "features: not JSON"
	assert_eq "1.0.0" "$(jq -r .ociVersionMin "$T/f.json")"
	assert_eq "cgroup,ipc,mount,network,pid,time,user,uts" "$(jq -r '.linux.namespaces | join(",")' "$T/f.json")"
	assert_eq "true true false true" "$(jq -r '[.linux.cgroup.v1, .linux.cgroup.v2, .linux.cgroup.systemd, .linux.cgroup.rdma] | map(tostring) | join(" ")' "$T/f.json")"
	assert_eq "prestart createRuntime createContainer startContainer poststart poststop" \
		"$(jq -r '.hooks | join(" ")' "$T/f.json")"
	# seccomp (test_seccomp.sh has the details)
	assert_eq "true" "$(jq -r .linux.seccomp.enabled "$T/f.json")"
	assert_contains "$(jq -r '.linux.capabilities | join(" ")' "$T/f.json")" "CAP_SYS_ADMIN"
	# every mount option runc knows (but acl, noacl)
	if command -v runc >/dev/null; then
		missing=$(jq -r --slurpfile h "$T/f.json" '.mountOptions - $h[0].mountOptions | join(",")' <(runc features))
		# (acl and noacl go to the filesystem as data, unchecked: not claimed)
		assert_eq "acl,noacl" "$missing" "mount options runc has and husk lacks"
	fi
	# and each listed option is accepted in a config (bind mounts of /tmp;
	# idmap and ridmap need mappings: test_idmap_mounts.sh)
	local b opts
	b=$(mkbundle)
	mkdir -p "$T/src"
	opts=$(jq -c '[.mountOptions[] | select(. != "remount" and . != "ro" and . != "rro" and . != "idmap" and . != "ridmap")] | map({destination: "/mnt/\(.)", type: "bind", source: "'"$T"'/src", options: ["rbind", .]})' "$T/f.json")
	cfg "$b" ".mounts += $opts"
	setargs "$b" true
	hk run -b "$b" "$(newid)" || fail "a listed mount option was refused"
}

test_lifecycle_non_root_user() {
	needs_root "uses ids outside a rootless map"
	# the process waits on the exec fifo as uid 1000 (podman run -u)
	local b id
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.process.user = {"uid": 1000, "gid": 1000}'
	setargs "$b" sh -c 'echo "uid=$(id -u)"'
	hkr create -b "$b" "$id" >"$T/out" 2>&1
	hkr start "$id"
	wait_status "$id" stopped
	assert_eq "uid=1000" "$(cat "$T/out")"
	hkr delete "$id"
}

test_lifecycle_kill_all_after_exit() {
	# containerd's `kill --all` after the task ended: nothing to do, no error
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" true
	hkr create -b "$b" "$id"
	hkr start "$id"
	wait_status "$id" stopped
	hkr kill --all "$id" KILL
	expect_fail hkr kill "$id" KILL
	assert_contains "$(cat "$T/err")" "is not running"
	hkr delete "$id"
}

# none of the processes in $1 is running (those that are in $left)
lc_none_alive() {
	local p
	left=""
	for p in $1; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
	[ -z "$left" ]
}

test_lifecycle_kill_without_pid_namespace() {
	needs_root "joins or keeps host namespaces"
	# KILL of a container that shares husk's pid namespace kills every
	# process of it, not only the first (as runc): none is left running
	local b id
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.linux.namespaces |= map(select(.type != "pid"))'
	setargs "$b" sh -c 'sleep 61 & sleep 62'
	hkr create -b "$b" "$id"
	hkr start "$id"
	wait_until 30 lc_nprocs "$id" 2 || fail "ps: two processes expected: $(hkr ps -f json "$id")"
	local pids left
	pids=$(hkr ps -f json "$id" | jq -r '.[]')
	hkr kill "$id" KILL
	wait_status "$id" stopped
	wait_until 30 lc_none_alive "$pids" || fail "processes left after kill KILL:$left"
	hkr delete "$id"
}

test_lifecycle_config_changes_after_create_ignored() {
	# runtime-spec: the config is read by create; changing config.json in
	# the bundle afterwards changes nothing of the container (its process,
	# env, hooks at start and delete)
	local b id
	b=$(mkbundle)
	id=$(newid)
	mkdir -p "$T/h"
	cfg "$b" --arg h "$T/h" '.process.env += ["WHICH=first"] |
		.hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c", "echo first > \($h)/poststart"]}] |
		.hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "echo first > \($h)/poststop"]}]'
	setargs "$b" sh -c 'echo "args=first env=$WHICH"'
	hkr create -b "$b" "$id" >"$T/out" 2>&1
	cfg "$b" --arg h "$T/h" '.process.env = ["WHICH=second", "PATH=/bin"] |
		.hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c", "echo second > \($h)/poststart"]}] |
		.hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "echo second > \($h)/poststop"]}] |
		.process.args = ["sh", "-c", "echo args=second"]'
	hkr start "$id"
	wait_status "$id" stopped
	hkr delete "$id"
	assert_eq "args=first env=first" "$(cat "$T/out")" "the container's process"
	assert_eq first "$(cat "$T/h/poststart")" "poststart hook"
	assert_eq first "$(cat "$T/h/poststop")" "poststop hook"
}

test_lifecycle_unknown_fields_and_annotations_ignored() {
	# runtime-spec: unknown properties MUST be ignored; annotations are
	# opaque to the runtime (and reach `state`)
	local b id
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.futureField = {"x": 1} | .process.futureProcessField = [1, 2] |
		.linux.futureLinuxField = "yes" | .mounts[0].futureMountField = true |
		.annotations = {"org.example.key": "value", "io.kubernetes.cri.sandbox-id": "abc"}'
	setargs "$b" sleep 60
	hkr create -b "$b" "$id"
	assert_eq value "$(hkr state "$id" | jq -r '.annotations["org.example.key"]')" "annotation in state"
	hkr delete --force "$id"
	[ ! -e "$T/state/$id" ] || fail "state left"
}

test_lifecycle_kill_all_without_cgroup() {
	# where husk makes no cgroup (rootless, none delegated), kill --all
	# and ps take the container's own pid namespace, and never a joined
	# one: that holds the processes of the container that made it
	unprivileged || _hk_skip "needs a container without a cgroup (HK_TEST_AS=user or userns)"
	local b1 b2 id1 id2 pid1
	b1=$(mkbundle)
	id1=$(newid)
	setargs "$b1" sh -c 'sleep 600 & sleep 600'
	hkr run -d -b "$b1" --pid-file "$T/pid1" "$id1"
	delete_at_exit "$id1"
	pid1=$(cat "$T/pid1")
	# (sh execs its last command: two sleeps)
	wait_until 30 lc_nprocs "$id1" 2 || fail "ps: the two sleeps expected: $(hkr ps -f json "$id1")"
	b2=$(mkbundle)
	id2=$(newid)
	cfg "$b2" --arg p "/proc/$pid1/ns" '.linux.namespaces |= map(
		if .type == "pid" then .path = $p + "/pid"
		elif .type == "user" then .path = $p + "/user" else . end)
		| del(.linux.uidMappings, .linux.gidMappings)'
	setargs "$b2" sleep 600
	hkr run -d -b "$b2" "$id2"
	assert_eq 1 "$(hkr ps -f json "$id2" | jq length)" "ps of the joining container"
	hkr kill --all "$id2" KILL
	wait_status "$id2" stopped
	assert_eq running "$(status_of "$id1")" "the container whose pid namespace was joined"
	# (the killed sleep stays a zombie of its pid namespace: sleep does
	# not reap; the first container's own processes are alive)
	hkr ps -f json "$id1" | jq -e --argjson p "$pid1" 'index($p) != null' >/dev/null ||
		fail "ps lost the first container's process"
	hkr kill --all "$id1" KILL
	wait_status "$id1" stopped
	assert_eq 0 "$(pgrep -c -P "$pid1" || true)" "children of the first container left"
	hkr delete "$id2"
}
