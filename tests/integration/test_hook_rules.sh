# test_hook_rules.sh - the runtime-spec's rules for hooks, one test each
# (config.md "POSIX-platform Hooks", runtime.md "State" and "Lifecycle"),
# with runc 1.1.5's behaviour where the spec leaves room:
#   1 namespaces  2 the state on stdin  3 args, env, path  4 order
#   5 failures  6 timeouts  7 husk run and run -d
# test_hooks.sh has the first, broader checks.  husk box has no hooks (its
# options have none): nothing to test there.  State in $T/state (--root).

HR_KINDS="prestart createRuntime createContainer startContainer poststart poststop"
HR_NS="mnt uts pid ipc net user"

# The script of a hook that records what it got in DIR: TAG.json (stdin),
# TAG.ns (its namespaces), TAG.env (its environment), TAG.argv0, and TAG
# appended to DIR/order.  Its own environ and cmdline are opened first, by
# the shell itself: /proc/$$ names another process under the host's /proc
# in a container's pid namespace (createContainer).
hr_script() {
	printf '%s' "exec 3</proc/self/environ 4</proc/self/cmdline; cat > $1/$2.json;" \
		" for n in $HR_NS; do echo \"\$n \$(readlink /proc/self/ns/\$n)\"; done > $1/$2.ns;" \
		" tr '\\0' '\\n' <&3 > $1/$2.env; tr '\\0' '\\n' <&4 | head -n 1 > $1/$2.argv0;" \
		" echo $2 >> $1/order"
}

# hr_add BUNDLE KIND TAG [JSON]: append a recording hook (JSON: more of its
# fields) to hooks.KIND.  startContainer's runs in the container: the
# rootfs's busybox, as sh (its argv[0]), writing to /hooks; the others are
# the host's sh, argv[0] hook-TAG, writing to $T/hooks.
hr_add() {
	local h x='{}'
	[ -z "${4:-}" ] || x=$4
	if [ "$2" = startContainer ]; then
		h=$(jq -cn --arg s "$(hr_script /hooks "$3")" '{path: "/bin/busybox", args: ["sh", "-c", $s]}')
	else
		h=$(jq -cn --arg s "$(hr_script "$T/hooks" "$3")" --arg a "hook-$3" \
			'{path: "/bin/sh", args: [$a, "-c", $s]}')
	fi
	cfg "$1" --argjson h "$h" --argjson x "$x" ".hooks.$2 += [\$h + \$x]"
}

# hr_fail BUNDLE KIND STATUS: append a hook that says "refused" and exits
# with STATUS
hr_fail() {
	cfg "$1" --arg s "echo refused >&2; exit $3" ".hooks.$2 += [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \$s]}]"
}

# $T/hooks empty (writable by a user namespace's root too), no hooks in
# BUNDLE yet
hr_reset() {
	rm -rf "$T/hooks"
	mkdir -p "$T/hooks" && chmod 0777 "$T/hooks"
	touch "$T/hooks/order" && chmod 0666 "$T/hooks/order"
	[ -z "${1:-}" ] || cfg "$1" 'del(.hooks)'
}

# A bundle with $T/hooks bound on /hooks
hr_bundle() {
	local b
	b=$(mkbundle) || return 1
	hr_reset
	cfg "$b" --arg d "$T/hooks" \
		'.mounts += [{destination: "/hooks", type: "bind", source: $d, options: ["rbind", "rw"]}]'
	echo "$b"
}

hr_order() { echo $(cat "$T/hooks/order"); }

hr_ns_of() { for n in $HR_NS; do echo "$n $(readlink "/proc/$1/ns/$n")"; done; }

# nothing left of container $1 (bundle $2): no state, no cgroup, and
# process $3 (when given) gone
hr_nothing_left() {
	local cg
	cg=$(jq -r .linux.cgroupsPath "$2/config.json")
	[ ! -e "$T/state/$1" ] || fail "$1: state left"
	[ -z "$(find /sys/fs/cgroup -type d -name "$cg" 2>/dev/null)" ] || fail "$1: cgroup $cg left"
	[ -z "${3:-}" ] || ! kill -0 "$3" 2>/dev/null || fail "$1: process $3 left"
}

# 1. prestart, createRuntime, poststart and poststop run in the runtime's
# namespaces (husk's: ours), createContainer and startContainer in the
# container's (its init's /proc/PID/ns): mount, uts, ipc, net, pid, and the
# user namespace when one is configured (runc: the same)
test_hook_rules_namespaces() {
	needs_root "expects the root spec's namespaces"
	local b id pid k n userns
	b=$(hr_bundle)
	setargs "$b" true
	hr_ns_of self >"$T/husk.ns"
	for userns in no yes; do
		hr_reset "$b"
		if [ $userns = yes ]; then
			cfg "$b" --argjson m "[{\"containerID\": 0, \"hostID\": $HK_SUBID_START, \"size\": 65536}]" \
				'.linux.namespaces += [{type: "user"}] | .linux.uidMappings = $m | .linux.gidMappings = $m'
		fi
		for k in $HR_KINDS; do hr_add "$b" $k $k; done
		id="$(newid)-$userns"
		delete_at_exit "$id"
		hkr create -b "$b" --pid-file "$T/pid" "$id"
		pid=$(cat "$T/pid")
		hr_ns_of "$pid" >"$T/init.ns"
		hkr start "$id"
		wait_status "$id" stopped
		hkr delete "$id"
		for k in prestart createRuntime poststart poststop; do
			assert_eq "$(cat "$T/husk.ns")" "$(cat "$T/hooks/$k.ns")" "userns $userns: $k in husk's namespaces"
		done
		for k in createContainer startContainer; do
			assert_eq "$(cat "$T/init.ns")" "$(cat "$T/hooks/$k.ns")" "userns $userns: $k in the container's namespaces"
		done
		# the two differ in each namespace the container has of its own
		for n in mnt uts ipc net pid $([ $userns = no ] || echo user); do
			if grep -qx "$n $(readlink /proc/self/ns/$n)" "$T/init.ns"; then
				fail "userns $userns: the container shares husk's $n namespace"
			fi
		done
	done
}

# 2. each hook gets the state on stdin: ociVersion, id, status at that
# point, pid, bundle (absolute, from a relative -b), annotations.  pid:
# the container process as the hook's namespace sees it ("For hooks
# executed in the container namespace, it is the pid as seen by the
# container": 1 in its new pid namespace, as runc); none for poststop, the
# process gone (as runc; the spec requires it only while created or
# running).  The statuses: runc's poststart gets "created" (it runs at
# create), the spec's step 9 comes after the program started: running.
test_hook_rules_state() {
	local b id pid k
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	for k in $HR_KINDS; do hr_add "$b" $k $k; done
	cfg "$b" '.annotations = {"org.test.a": "1", "org.test.b": "x y"}'
	setargs "$b" true
	(cd "$T" && hkr create -b "${b##*/}" --pid-file "$T/pid" "$id")
	pid=$(cat "$T/pid")
	hkr start "$id"
	wait_status "$id" stopped
	hkr delete "$id"
	local -A status=([prestart]=creating [createRuntime]=creating [createContainer]=creating
		[startContainer]=created [poststart]=running [poststop]=stopped)
	local -A pids=([prestart]=$pid [createRuntime]=$pid [createContainer]=1
		[startContainer]=1 [poststart]=$pid [poststop]=none)
	for k in $HR_KINDS; do
		jq -e '.ociVersion | test("^[0-9]+\\.[0-9]+\\.[0-9]+")' "$T/hooks/$k.json" >/dev/null ||
			fail "$k: no ociVersion"
		assert_eq "$id" "$(jq -r .id "$T/hooks/$k.json")" "$k: id"
		assert_eq "${status[$k]}" "$(jq -r .status "$T/hooks/$k.json")" "$k: status"
		assert_eq "${pids[$k]}" "$(jq -r '.pid // "none"' "$T/hooks/$k.json")" "$k: pid"
		assert_eq "$b" "$(jq -r .bundle "$T/hooks/$k.json")" "$k: bundle"
		assert_eq '{"org.test.a":"1","org.test.b":"x y"}' "$(jq -cS .annotations "$T/hooks/$k.json")" \
			"$k: annotations"
	done
}

# 3. args[0] is the hook's argv[0] (not its path); its environment is env
# exactly: nothing of husk's, and none at all without env (runc passes its
# own environment then, or the container process's to createContainer and
# startContainer: the spec's environ semantics say only what env holds)
test_hook_rules_args_env() {
	local b id k a0
	export HR_LEAK=from-husk
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	for k in $HR_KINDS; do
		hr_add "$b" $k $k '{"env": ["HR_A=1", "HR_B=two words", "HR_A=again"]}'
		hr_add "$b" $k $k-bare
	done
	setargs "$b" true
	hkr run -b "$b" "$id"
	for k in $HR_KINDS; do
		a0=hook-$k
		[ $k != startContainer ] || a0=sh
		assert_eq "$a0" "$(cat "$T/hooks/$k.argv0")" "$k: argv[0]"
		assert_eq "$(printf 'HR_A=1\nHR_B=two words\nHR_A=again')" "$(cat "$T/hooks/$k.env")" "$k: env"
		assert_eq "" "$(cat "$T/hooks/$k-bare.env")" "$k without env: environment"
	done
}

# 3. path MUST be absolute: a config error naming hooks.KIND[i].path, before
# anything exists (runc looks it up in its PATH).  A path that does not
# exist fails the operation running the hook, naming it: create for the
# first three kinds; start for startContainer, whose path resolves in the
# container (a host-only one fails; createContainer's resolves in the
# runtime's namespace: one there works); a warning for poststart, poststop.
test_hook_rules_path() {
	local b id k
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	setargs "$b" sh -c 'echo ran > /hooks/program'
	for k in $HR_KINDS; do
		cfg "$b" --arg k $k '.hooks = {($k): [{path: "/bin/true"}, {path: "bin/sh"}]}'
		expect_fail hkr create -b "$b" "$id"
		assert_contains "$(cat "$T/err")" "hooks.$k[1].path: must be an absolute path"
		hr_nothing_left "$id" "$b"
	done
	for k in prestart createRuntime createContainer; do
		cfg "$b" --arg k $k '.hooks = {($k): [{path: "/bin/true"}, {path: "/nonexistent/hook"}]}'
		expect_fail hkr create -b "$b" "$id"
		assert_contains "$(cat "$T/err")" "hooks.$k[1] (/nonexistent/hook): exec: no such file or directory"
		hr_nothing_left "$id" "$b"
	done
	printf '#!/bin/sh\necho host-only >> %s/order\n' "$T/hooks" >"$T/host-only"
	chmod 0755 "$T/host-only"
	cfg "$b" --arg p "$T/host-only" '.hooks = {createContainer: [{path: $p}], startContainer: [{path: $p}]}'
	hkr create -b "$b" "$id"
	assert_eq host-only "$(hr_order)" "createContainer: a path of the runtime's namespace"
	expect_fail hkr start "$id"
	assert_contains "$(cat "$T/err")" "hooks.startContainer[0] ($T/host-only): exec: no such file or directory"
	wait_status "$id" stopped
	[ ! -e "$T/hooks/program" ] || fail "the program ran after its startContainer hook failed"
	hkr delete "$id"
	cfg "$b" '.hooks = {poststart: [{path: "/nonexistent/hook"}], poststop: [{path: "/nonexistent/hook"}]}'
	hkr run -b "$b" "$id" 2>"$T/err"
	assert_contains "$(cat "$T/err")" "husk: warning: hooks.poststart[0] (/nonexistent/hook): exec"
	assert_contains "$(cat "$T/err")" "husk: warning: hooks.poststop[0] (/nonexistent/hook): exec"
	assert_eq ran "$(cat "$T/hooks/program")"
}

# 4. the hooks of one kind run in their array's order, the kinds in the
# lifecycle's; the program starts after the last startContainer hook
test_hook_rules_order() {
	local b id k i want=""
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	for k in $HR_KINDS; do
		for i in 0 1 2; do hr_add "$b" $k $k$i; done
	done
	setargs "$b" sh -c 'cat /hooks/order > /hooks/program-saw'
	hkr create -b "$b" "$id"
	for k in prestart createRuntime createContainer; do want="$want $k""0 $k""1 $k""2"; done
	assert_eq "${want# }" "$(hr_order)" "after create"
	hkr start "$id"
	for k in startContainer poststart; do want="$want $k""0 $k""1 $k""2"; done
	assert_eq "${want# }" "$(hr_order)" "after start"
	wait_status "$id" stopped
	assert_contains "$(echo $(cat "$T/hooks/program-saw"))" \
		"createContainer2 startContainer0 startContainer1 startContainer2" "what the program found"
	hkr delete "$id"
	assert_eq "${want# } poststop0 poststop1 poststop2" "$(hr_order)" "after delete"
}

# 5. a failing prestart, createRuntime or createContainer hook fails create,
# naming it; "the runtime MUST generate an error, stop the container, and
# continue the lifecycle at step 12": nothing is left (no state, no
# cgroup, no process), the poststop hooks run (as with runc)
test_hook_rules_create_failures() {
	local b id k i pid
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	setargs "$b" true
	for k in prestart createRuntime createContainer; do
		hr_reset "$b"
		hr_add "$b" prestart first
		hr_fail "$b" $k 3
		hr_add "$b" createContainer never
		hr_add "$b" poststop poststop
		expect_fail hkr create -b "$b" "$id"
		i=0
		[ $k != prestart ] || i=1
		assert_contains "$(cat "$T/err")" "hooks.$k[$i] (/bin/sh): exited with status 3: refused"
		pid=$(jq -r .pid "$T/hooks/first.json")
		hr_nothing_left "$id" "$b" "$pid"
		[ ! -e "$T/hooks/never.json" ] || fail "$k failed: the next hooks ran"
		assert_eq stopped "$(jq -r .status "$T/hooks/poststop.json")" "$k failed: poststop's state"
		assert_eq "$id" "$(jq -r .id "$T/hooks/poststop.json")"
	done
}

# 5. a failing startContainer hook fails start, naming it: the program never
# runs, nor the poststart hooks (runc 1.1.5 does not notice: its start
# succeeds, runs poststart); the container is stopped, delete removes it
# and runs the poststop hooks
test_hook_rules_start_failure() {
	local b id
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	hr_fail "$b" startContainer 1
	hr_add "$b" startContainer never
	hr_add "$b" poststart poststart
	hr_add "$b" poststop poststop
	setargs "$b" sh -c 'echo ran > /hooks/program'
	hkr create -b "$b" "$id"
	expect_fail hkr start "$id"
	assert_contains "$(cat "$T/err")" "hooks.startContainer[0] (/bin/sh): exited with status 1: refused"
	wait_status "$id" stopped
	[ ! -e "$T/hooks/program" ] || fail "the program ran"
	[ ! -e "$T/hooks/never.json" ] || fail "the startContainer hook after the failed one ran"
	[ ! -e "$T/hooks/poststart.json" ] || fail "poststart ran after a failed start"
	hkr delete "$id"
	assert_eq stopped "$(jq -r .status "$T/hooks/poststop.json")"
	hr_nothing_left "$id" "$b"
}

# 5. poststart and poststop failures are warnings: "the remaining hooks and
# lifecycle continue as if the hook had succeeded" (spec 1.2; runc 1.1.5
# fails create on a poststart failure, stops at the first failing poststop)
test_hook_rules_post_failures() {
	local b id
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	hr_fail "$b" poststart 5
	hr_add "$b" poststart poststart
	hr_fail "$b" poststop 6
	hr_add "$b" poststop poststop
	mkfifo -m 0666 "$T/hooks/go"
	setargs "$b" sh -c 'read x < /hooks/go; echo ran > /hooks/program'
	hkr create -b "$b" "$id"
	hkr start "$id" 2>"$T/err"
	assert_contains "$(cat "$T/err")" "husk: warning: hooks.poststart[0] (/bin/sh): exited with status 5: refused"
	assert_eq running "$(status_of "$id")"
	assert_eq running "$(jq -r .status "$T/hooks/poststart.json")" "the poststart hook after the failed one"
	echo go >"$T/hooks/go"
	wait_status "$id" stopped
	assert_eq ran "$(cat "$T/hooks/program")"
	hkr delete "$id" 2>"$T/err"
	assert_contains "$(cat "$T/err")" "husk: warning: hooks.poststop[0] (/bin/sh): exited with status 6: refused"
	assert_eq stopped "$(jq -r .status "$T/hooks/poststop.json")" "the poststop hook after the failed one"
	hr_nothing_left "$id" "$b"
}

# 6. a hook past its timeout is killed and reported; its process is gone
# when the operation returns, whether husk ran it (createRuntime,
# poststart: a warning) or the container's init (createContainer)
test_hook_rules_timeout() {
	local b id k start p
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	setargs "$b" true
	for k in createRuntime createContainer poststart; do
		# cut's parent is the hook, its pid as the host sees it
		cfg "$b" --arg k $k --arg s "cut -d' ' -f4 /proc/self/stat > $T/hooks/$k.pid; exec sleep 120" \
			'.hooks = {($k): [{path: "/bin/sh", args: ["sh", "-c", $s], timeout: 2}]}'
		start=$(date +%s)
		if [ $k = poststart ]; then
			hkr create -b "$b" "$id"
			hkr start "$id" 2>"$T/err"
			assert_contains "$(cat "$T/err")" "husk: warning: hooks.poststart[0] (/bin/sh): timed out after 2 s"
			wait_status "$id" stopped
			hkr delete "$id"
		else
			expect_fail hkr create -b "$b" "$id"
			assert_contains "$(cat "$T/err")" "hooks.$k[0] (/bin/sh): timed out after 2 s, killed"
			hr_nothing_left "$id" "$b"
		fi
		[ $(($(date +%s) - start)) -lt 60 ] || fail "$k: not stopped at its timeout"
		p=$(cat "$T/hooks/$k.pid")
		[ -n "$p" ] && [ "$p" -gt 1 ] || fail "$k: no pid recorded"
		! kill -0 "$p" 2>/dev/null || fail "$k: the hook (pid $p) still runs"
	done
}

# 6. "If set, timeout MUST be greater than zero": 0 or less is a config
# error naming its JSON path, before anything runs (runc 1.1.5 runs the
# hook and fails it at once, past its timeout of 0 s)
test_hook_rules_timeout_not_positive() {
	local b id k t
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	setargs "$b" true
	for t in 0 -1; do
		for k in createRuntime poststop; do
			cfg "$b" --arg k $k --argjson t "$t" --arg o "$T/hooks/order" \
				'.hooks = {($k): [{path: "/bin/true"}, {path: "/bin/sh", args: ["sh", "-c", "echo ran >> \($o)"], timeout: $t}]}'
			expect_fail hkr create -b "$b" "$id"
			assert_contains "$(cat "$T/err")" "hooks.$k[1].timeout: must be > 0"
			hr_nothing_left "$id" "$b"
		done
	done
	assert_eq "" "$(hr_order)" "a hook ran"
}

# 7. husk run: create, start and, once the program exited, delete: every
# kind in order with its state; then a failing startContainer hook fails
# run: the program never runs, poststop does, nothing is left
test_hook_rules_run() {
	local b id rc=0 k
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	for k in $HR_KINDS; do hr_add "$b" $k $k; done
	setargs "$b" sh -c 'echo ran >> /hooks/order; exit 7'
	hkr run -b "$b" "$id" || rc=$?
	assert_eq 7 "$rc" "run's exit status"
	assert_eq "prestart createRuntime createContainer startContainer ran poststop" \
		"$(hr_order | sed 's/poststart //')" "run's order"
	grep -qx poststart "$T/hooks/order" || fail "no poststart"
	assert_eq "creating creating creating created running stopped" \
		"$(for k in $HR_KINDS; do jq -r .status "$T/hooks/$k.json"; done | xargs)" "run's states"
	assert_eq "$(jq .pid "$T/hooks/prestart.json")" "$(jq .pid "$T/hooks/poststart.json")" "poststart's pid"
	assert_eq null "$(jq .pid "$T/hooks/poststop.json")" "poststop's pid"
	hr_nothing_left "$id" "$b" "$(jq .pid "$T/hooks/prestart.json")"
	hr_reset "$b"
	hr_fail "$b" startContainer 4
	hr_add "$b" poststart poststart
	hr_add "$b" poststop poststop
	expect_fail hkr run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "hooks.startContainer[0] (/bin/sh): exited with status 4: refused"
	assert_eq poststop "$(hr_order)" "a failed run's hooks (and program)"
	hr_nothing_left "$id" "$b"
}

# 7. husk run -d: create and start, poststart included, poststop at delete;
# when its startContainer hook fails: an error, poststop, nothing left
test_hook_rules_run_detached() {
	local b id k
	b=$(hr_bundle)
	id=$(newid)
	delete_at_exit "$id"
	for k in $HR_KINDS; do hr_add "$b" $k $k; done
	mkfifo -m 0666 "$T/hooks/go"
	setargs "$b" sh -c 'read x < /hooks/go'
	hkr run -d -b "$b" "$id"
	assert_eq "prestart createRuntime createContainer startContainer poststart" "$(hr_order)" "run -d"
	assert_eq running "$(jq -r .status "$T/hooks/poststart.json")"
	echo go >"$T/hooks/go"
	wait_status "$id" stopped
	hkr delete "$id"
	assert_eq stopped "$(jq -r .status "$T/hooks/poststop.json")"
	hr_reset "$b"
	hr_fail "$b" startContainer 4
	hr_add "$b" poststop poststop
	setargs "$b" sh -c 'echo ran >> /hooks/order'
	expect_fail hkr run -d -b "$b" "$id"
	assert_contains "$(cat "$T/err")" "hooks.startContainer[0] (/bin/sh): exited with status 4: refused"
	assert_eq poststop "$(hr_order)" "a failed run -d's hooks"
	hr_nothing_left "$id" "$b"
}
