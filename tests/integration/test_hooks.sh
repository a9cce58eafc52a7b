# test_hooks.sh - OCI hooks in the lifecycle: which operation runs each
# kind, in which order and namespace, with which state on stdin; failures
# of the creating kinds fail the operation and leave nothing; poststart and
# poststop failures are warnings.  State in $T/state (--root).

# a hook (jq object) running sh -c SCRIPT with the host's /bin/sh
hook() { jq -cn --arg s "$1" '{path: "/bin/sh", args: ["sh", "-c", $s]}'; }

# every kind records its stdin as $T/hooks/KIND.json and its name in order;
# startContainer runs inside the container: it writes to the bind mount
add_all_hooks() {
	local b=$1 k
	mkdir -p "$T/hooks"
	for k in prestart createRuntime createContainer poststart poststop; do
		cfg "$b" --argjson h "$(hook "cat > $T/hooks/$k.json; echo $k >> $T/hooks/order")" \
			".hooks.$k = [\$h]"
	done
	cfg "$b" --argjson h "$(hook 'cat > /hooks/startContainer.json; echo startContainer >> /hooks/order')" \
		--arg d "$T/hooks" \
		'.hooks.startContainer = [$h] | .mounts += [{destination: "/hooks", type: "bind", source: $d, options: ["rbind", "rw"]}]'
}

wait_gone() {
	wait_until 30 status_is "$1" stopped || fail "container $1 did not stop"
}

test_hooks_lifecycle_order_and_state() {
	local b id pid
	b=$(mkbundle)
	id=$(newid)
	add_all_hooks "$b"
	cfg "$b" '.annotations = {"org.test": "yes"}'
	setargs "$b" sh -c 'read line < /hooks/go; echo "$line"'
	mkfifo "$T/hooks/go"
	hkr create -b "$b" --pid-file "$T/pid" "$id"
	pid=$(cat "$T/pid")
	assert_eq "prestart createRuntime createContainer" "$(echo $(cat "$T/hooks/order"))" \
		"hooks run by create"
	assert_eq creating "$(jq -r .status "$T/hooks/createRuntime.json")"
	assert_eq "$pid" "$(jq -r .pid "$T/hooks/prestart.json")" "prestart state pid"
	assert_eq "$id" "$(jq -r .id "$T/hooks/createContainer.json")"
	assert_eq "$b" "$(jq -r .bundle "$T/hooks/createRuntime.json")"
	assert_eq yes "$(jq -r '.annotations["org.test"]' "$T/hooks/prestart.json")"
	hkr start "$id"
	assert_eq "prestart createRuntime createContainer startContainer poststart" \
		"$(echo $(cat "$T/hooks/order"))" "hooks run by start"
	assert_eq created "$(jq -r .status "$T/hooks/startContainer.json")"
	assert_eq running "$(jq -r .status "$T/hooks/poststart.json")"
	echo go >"$T/hooks/go"
	wait_gone "$id"
	[ ! -e "$T/hooks/poststop.json" ] || fail "poststop before delete"
	hkr delete "$id"
	assert_eq stopped "$(jq -r .status "$T/hooks/poststop.json")"
	assert_eq "$id" "$(jq -r .id "$T/hooks/poststop.json")"
}

test_hooks_namespaces() {
	# createRuntime in husk's namespaces, createContainer in the
	# container's mount namespace (before pivot_root), startContainer in
	# the container
	local b id
	b=$(mkbundle)
	id=$(newid)
	mkdir -p "$T/hooks"
	cfg "$b" --argjson a "$(hook "readlink /proc/self/ns/mnt > $T/hooks/rt; hostname > $T/hooks/rt-host")" \
		--argjson c "$(hook "readlink /proc/self/ns/mnt > $T/hooks/cc; readlink /proc/self/ns/uts > $T/hooks/cc-uts")" \
		--argjson s "$(hook 'hostname > /hooks/sc-host; test -e /hooks/sc-host && ls / > /hooks/sc-root')" \
		--arg d "$T/hooks" \
		'.hostname = "hooked" | .hooks = {createRuntime: [$a], createContainer: [$c], startContainer: [$s]} |
		 .mounts += [{destination: "/hooks", type: "bind", source: $d, options: ["rbind", "rw"]}]'
	setargs "$b" true
	hkr run -b "$b" "$id"
	assert_eq "$(readlink /proc/self/ns/mnt)" "$(cat "$T/hooks/rt")" "createRuntime in husk's mount ns"
	[ "$(cat "$T/hooks/cc")" != "$(readlink /proc/self/ns/mnt)" ] || fail "createContainer ran in husk's mount ns"
	[ "$(cat "$T/hooks/cc-uts")" != "$(readlink /proc/self/ns/uts)" ] || fail "createContainer ran in husk's uts ns"
	assert_eq hooked "$(cat "$T/hooks/sc-host")"
	grep -qx hooks "$T/hooks/sc-root" || fail "startContainer did not see the container's /"
	[ ! -e "$T/state/$id" ] || fail "run left its state"
}

test_hooks_failing_create_leaves_nothing() {
	local b id k
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" true
	for k in prestart createRuntime createContainer; do
		cfg "$b" --argjson h "$(hook 'echo no way >&2; exit 3')" ".hooks = {$k: [\$h]}"
		expect_fail hkr create -b "$b" "$id"
		assert_contains "$(cat "$T/err")" "hooks.$k[0] (/bin/sh): exited with status 3: no way"
		[ ! -e "$T/state/$id" ] || fail "$k: state left after a failed create"
	done
}

# A hook that exits without reading a state larger than a pipe holds:
# husk's write fails with EPIPE while create blocks signals, so SIGPIPE
# waited there and killed husk silently (exit 141, state dir left) once
# the old action came back.  Each kind still reports the hook's failure.
test_hooks_not_reading_a_large_state() {
	local b id k
	b=$(mkbundle)
	setargs "$b" true
	head -c 300000 /dev/zero | tr '\0' x >"$T/big"
	cfg "$b" --rawfile big "$T/big" '.annotations.big = $big'
	for k in prestart createRuntime createContainer; do
		id=$(newid)
		cfg "$b" --argjson h "$(hook 'echo not read >&2; exit 3')" ".hooks = {$k: [\$h]}"
		expect_fail hkr create -b "$b" "$id"
		assert_contains "$(cat "$T/err")" "hooks.$k[0] (/bin/sh): exited with status 3: not read"
		[ ! -e "$T/state/$id" ] || fail "$k: state left after a failed create"
	done
	id=$(newid)
	cfg "$b" --argjson h "$(hook 'exit 4')" '.hooks = {poststart: [$h], poststop: [$h]}'
	hkr create -b "$b" "$id"
	hkr start "$id" 2>"$T/err" || fail "start: $(cat "$T/err")"
	assert_contains "$(cat "$T/err")" "warning: hooks.poststart[0] (/bin/sh): exited with status 4"
	wait_status "$id" stopped
	hkr delete "$id" 2>"$T/err" || fail "delete: $(cat "$T/err")"
	assert_contains "$(cat "$T/err")" "warning: hooks.poststop[0] (/bin/sh): exited with status 4"
}

test_hooks_failing_start_container() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" --argjson h "$(hook 'echo refused >&2; exit 1')" '.hooks.startContainer = [$h]'
	setargs "$b" sh -c 'echo ran'
	hkr create -b "$b" "$id" >"$T/out" 2>&1
	expect_fail hkr start "$id"
	assert_contains "$(cat "$T/err")" "hooks.startContainer[0] (/bin/sh): exited with status 1: refused"
	wait_gone "$id"
	[ "$(cat "$T/out")" != ran ] || fail "the process ran after its startContainer hook failed"
	hkr delete "$id"
}

test_hooks_timeout() {
	local b id start
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" --argjson h "$(hook 'sleep 30')" '.hooks.createRuntime = [$h + {timeout: 1}]'
	setargs "$b" true
	start=$(date +%s)
	expect_fail hkr create -b "$b" "$id"
	[ $(($(date +%s) - start)) -lt 20 ] || fail "the hook was not stopped at its timeout"
	assert_contains "$(cat "$T/err")" "hooks.createRuntime[0] (/bin/sh): timed out after 1 s"
	[ ! -e "$T/state/$id" ] || fail "state left"
}

test_hooks_post_failures_are_warnings() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	mkdir -p "$T/hooks"
	cfg "$b" --argjson bad "$(hook 'exit 2')" --argjson good "$(hook "echo ran >> $T/hooks/post")" \
		'.hooks.poststart = [$bad, $good] | .hooks.poststop = [$bad, $good]'
	setargs "$b" true
	hkr run -b "$b" "$id" 2>"$T/err"
	assert_contains "$(cat "$T/err")" "warning: hooks.poststart[0] (/bin/sh): exited with status 2"
	assert_contains "$(cat "$T/err")" "warning: hooks.poststop[0]"
	assert_eq "ran ran" "$(echo $(cat "$T/hooks/post"))" "the hooks after a failed one ran"
}

# container $1 said "up" (in $T/out) and is running
hooks_up() { grep -q up "$T/out" && status_is "$1" running; }

test_hooks_run_registers_state() {
	# `husk run` in the foreground: state, ps and kill work meanwhile; the
	# id is taken; nothing is left afterwards
	local b id
	b=$(mkbundle)
	id=$(newid)
	# "up" once the trap is set: a TERM before it would be ignored (the
	# pid namespace's init has no default action)
	setargs "$b" sh -c 'trap "exit 4" TERM; echo up; while :; do sleep 0.1; done'
	hkr run -b "$b" "$id" >"$T/out" &
	local hpid=$!
	# (and on record: a run records its container after the exec)
	wait_until 30 hooks_up "$id" || fail "output [$(cat "$T/out")], status $(status_of "$id"): expected up and running"
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "container \"$id\" already exists"
	hkr kill "$id" TERM
	local rc=0
	timeout 60 tail --pid="$hpid" -f /dev/null || fail "run did not end after TERM"
	wait "$hpid" || rc=$?
	assert_eq 4 "$rc" "exit status of run"
	[ ! -e "$T/state/$id" ] || fail "run left its state"
}
