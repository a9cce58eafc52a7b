# test_control.sh - acting on a living container: pause and resume (the
# cgroup freezer), update (resource limits from options or JSON on stdin,
# applied and kept), events (stats and OOM kills as runc's JSON).  Root and
# rootless (in a delegated cgroup).  Run on the host (hybrid v1) and again
# in the pure cgroup v2 VM.  Every test keeps its state in $T/state.

# The container's cgroup directory (from the host) holding file $2, for the
# cgroupsPath of bundle $1.
cg_dir_of() {
	local name d
	name=$(jq -r .linux.cgroupsPath "$1/config.json")
	for d in $(find /sys/fs/cgroup -maxdepth 8 -type d -name "$name" 2>/dev/null); do
		[ -e "$d/$2" ] && echo "$d" && return 0
	done
	fail "no cgroup $name with $2"
}

# A bundle whose writable rootfs gets a counter in /count, bumped every 0.1 s.
counter_bundle() {
	local b
	b=$(mkbundle) || return 1
	cfg "$b" '.root.readonly = false' || return 1
	setargs "$b" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count; sleep 0.1; done' || return 1
	echo "$b"
}

count_of() { cat "$1/rootfs/count" 2>/dev/null || echo 0; }

# wait (up to 30 s) until the counter of bundle $1 is above $2
wait_count_above() {
	for _ in $(seq 300); do
		[ "$(count_of "$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	fail "counter stuck at $(count_of "$1") (expected more than $2)"
}

test_control_pause_resume() {
	local b id c1 c2
	b=$(counter_bundle)
	id=$(newid)
	hkr create -b "$b" "$id"
	expect_fail hkr pause "$id"
	assert_contains "$(cat "$T/err")" "container not running" "pause of a created container"
	hkr start "$id"
	wait_count_above "$b" 2
	hkr pause "$id"
	assert_eq paused "$(status_of "$id")"
	assert_eq paused "$(hkr list --format json | jq -r '.[0].status')" "list"
	c1=$(count_of "$b")
	sleep 1
	c2=$(count_of "$b")
	assert_eq "$c1" "$c2" "the counter of a paused container"
	expect_fail hkr pause "$id"
	assert_contains "$(cat "$T/err")" "container not running" "pause twice"
	hkr resume "$id"
	assert_eq running "$(status_of "$id")"
	wait_count_above "$b" "$c2"
	expect_fail hkr resume "$id"
	assert_contains "$(cat "$T/err")" "container not paused" "resume of a running one"
	hkr delete --force "$id"
}

test_control_pause_stopped_fails() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" true
	hkr create -b "$b" "$id"
	hkr start "$id"
	wait_status "$id" stopped
	expect_fail hkr pause "$id"
	assert_eq "husk: container not running" "$(cat "$T/err")"
	expect_fail hkr resume "$id"
	assert_eq "husk: container not paused" "$(cat "$T/err")"
	expect_fail hkr pause nosuch
	assert_contains "$(cat "$T/err")" "container \"nosuch\" does not exist"
	expect_fail hkr pause
	assert_contains "$(cat "$T/err")" "usage: husk pause"
	hkr delete "$id"
}

test_control_delete_paused() {
	local b id pid
	b=$(counter_bundle)
	id=$(newid)
	hkr create -b "$b" --pid-file "$T/pid" "$id"
	hkr start "$id"
	pid=$(cat "$T/pid")
	wait_count_above "$b" 1
	hkr pause "$id"
	expect_fail hkr delete "$id"
	assert_contains "$(cat "$T/err")" "that is not stopped: paused"
	assert_eq paused "$(status_of "$id")" "untouched by a refused delete"
	hkr delete --force "$id"
	[ ! -e "$T/state/$id" ] || fail "state left after delete --force"
	case "$(ps -o stat= -p "$pid" || true)" in
	"" | Z*) ;; # gone, or a zombie its parent has not reaped yet
	*) fail "process $pid left after delete --force" ;;
	esac
	[ -z "$(cg_leftovers)" ] || fail "cgroups left: $(cg_leftovers)"
}

test_control_kill_paused() {
	local b id
	b=$(counter_bundle)
	id=$(newid)
	hkr create -b "$b" "$id"
	hkr start "$id"
	wait_count_above "$b" 1
	hkr pause "$id"
	hkr kill "$id" KILL
	wait_status "$id" stopped
	hkr delete "$id"
}

# A bundle that waits for /go in its writable rootfs, then runs "$@" and
# writes "exit N" to /result, then sleeps.
trigger_bundle() {
	local b
	b=$(mkbundle) || return 1
	cfg "$b" '.root.readonly = false' || return 1
	setargs "$b" sh -c 'while [ ! -e /go ]; do sleep 0.1; done; "$@"; echo "exit $?" >/result; exec sleep 60' sh "$@" || return 1
	echo "$b"
}

test_control_update_memory_oom() {
	local b id d
	# dd's 100 MiB buffer is filled by read()
	b=$(trigger_bundle dd if=/dev/zero of=/dev/null bs=100M count=1)
	id=$(newid)
	hkr create -b "$b" "$id"
	hkr start "$id"
	hkr update --memory 32m "$id"
	if [ "$(cg_layout)" = v2 ]; then
		d=$(cg_dir_of "$b" memory.max)
		assert_eq 33554432 "$(cat "$d/memory.max")" "memory.max"
	else
		d=$(cg_dir_of "$b" memory.limit_in_bytes)
		assert_eq 33554432 "$(cat "$d/memory.limit_in_bytes")" "memory.limit_in_bytes"
	fi
	assert_eq 33554432 "$(jq .linux.resources.memory.limit "$T/state/$id/config.json")" "kept"
	touch "$b/rootfs/go"
	wait_file "$b/rootfs/result"
	assert_eq "exit 137" "$(cat "$b/rootfs/result")" "dd OOM-killed"
	# 0 leaves it alone (runc); -1 lifts it
	hkr update --memory 0 "$id"
	assert_eq 33554432 "$(jq .linux.resources.memory.limit "$T/state/$id/config.json")"
	hkr update --memory -1 "$id"
	assert_eq -1 "$(jq .linux.resources.memory.limit "$T/state/$id/config.json")"
	hkr delete --force "$id"
}

test_control_update_pids() {
	local b id d
	# 8 sleepers in the background: with pids.limit 5 some forks fail
	b=$(trigger_bundle sh -c 'n=0; for i in 1 2 3 4 5 6 7 8; do sleep 60 & n=$((n+1)); done; echo $n')
	id=$(newid)
	hkr create -b "$b" "$id"
	hkr start "$id"
	hkr update --pids-limit 5 "$id"
	d=$(cg_dir_of "$b" pids.max)
	assert_eq 5 "$(cat "$d/pids.max")" "pids.max from the host"
	assert_eq 5 "$(jq .linux.resources.pids.limit "$T/state/$id/config.json")" "kept"
	touch "$b/rootfs/go"
	wait_file "$b/rootfs/result"
	assert_not_contains "$(cat "$b/rootfs/result")" "exit 0" "forks past pids.limit 5"
	[ "$(cat "$d/pids.current")" -le 5 ] || fail "pids.current $(cat "$d/pids.current") > 5"
	hkr delete --force "$id"
}

test_control_update_stdin_and_invalid() {
	local b id d m before
	b=$(mkbundle)
	cfg "$b" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 30}}'
	setargs "$b" sleep 60
	id=$(newid)
	hkr create -b "$b" "$id"
	hkr start "$id"
	d=$(cg_dir_of "$b" pids.max)
	if [ "$(cg_layout)" = v2 ]; then m=$d/memory.max; else m=$(cg_dir_of "$b" memory.limit_in_bytes)/memory.limit_in_bytes; fi
	echo '{"memory": {"limit": 50331648}, "pids": {"limit": 7}}' | hkr update -r - "$id"
	assert_eq 7 "$(cat "$d/pids.max")" "pids.max"
	assert_eq 50331648 "$(cat "$m")" "memory limit"
	assert_eq 7 "$(jq .linux.resources.pids.limit "$T/state/$id/config.json")"
	assert_eq 50331648 "$(jq .linux.resources.memory.limit "$T/state/$id/config.json")"
	before=$(cat "$T/state/$id/config.json")
	expect_fail hkr update --memory 12x "$id"
	assert_contains "$(cat "$T/err")" "--memory"
	expect_fail hkr update --pids-limit lots "$id"
	assert_contains "$(cat "$T/err")" "--pids-limit"
	expect_fail hkr update --cpu-quota 1.5 "$id"
	assert_contains "$(cat "$T/err")" "--cpu-quota"
	expect_fail hkr update --pids-limit 9 --cpuset-cpus 'x-y' "$id"
	assert_contains "$(cat "$T/err")" "linux.resources.cpu.cpus"
	expect_fail hkr update --memory 64m --memory-swap 32m --pids-limit 9 "$id"
	assert_contains "$(cat "$T/err")" "linux.resources.memory.swap"
	expect_fail hkr update --cpu-rt-period 1000 "$id"
	assert_contains "$(cat "$T/err")" "linux.resources.cpu.realtimePeriod"
	echo '{"memory": {"limit": "big"}, "pids": {"limit": 9}}' >"$T/bad.json"
	expect_fail hkr update --resources "$T/bad.json" "$id"
	assert_contains "$(cat "$T/err")" "linux.resources.memory.limit"
	echo '{"pids": {"limit": 9}' | expect_fail hkr update -r - "$id"
	expect_fail hkr update --memory 1g
	assert_contains "$(cat "$T/err")" "usage: husk update"
	assert_eq 7 "$(cat "$d/pids.max")" "pids.max after refused updates"
	assert_eq 50331648 "$(cat "$m")" "memory limit after refused updates"
	assert_eq "$before" "$(cat "$T/state/$id/config.json")" "config after refused updates"
	# sizes as runc: suffixes, cpu values
	hkr update --memory 100M --memory-reservation 16m --cpu-share 512 --cpu-quota 50000 --cpu-period 100000 "$id"
	assert_eq 104857600 "$(cat "$m")" "--memory 100M"
	hkr delete --force "$id"
	hkr update --pids-limit 3 "$id" 2>"$T/err" && fail "update of a deleted container"
	assert_contains "$(cat "$T/err")" "does not exist"
}

test_control_events_stats() {
	local b id out
	b=$(mkbundle)
	setargs "$b" sh -c 'sleep 60 & exec sleep 60'
	id=$(newid)
	hkr create -b "$b" "$id"
	hkr start "$id"
	out=$(hkr events --stats "$id")
	echo "$out"
	assert_eq 1 "$(echo "$out" | wc -l)" "one line"
	assert_eq stats "$(echo "$out" | jq -r .type)"
	assert_eq "$id" "$(echo "$out" | jq -r .id)"
	[ "$(echo "$out" | jq .data.memory.usage.usage)" -gt 0 ] || fail "memory usage"
	[ "$(echo "$out" | jq .data.pids.current)" -ge 1 ] || fail "pids current"
	echo "$out" | jq -e '.data.cpu.usage | has("kernel") and has("user")' >/dev/null || fail "cpu usage"
	echo "$out" | jq -e '.data.memory.raw | length > 0' >/dev/null || fail "memory.stat"
	expect_fail hkr events --interval 0 "$id"
	assert_contains "$(cat "$T/err")" "greater than 0"
	expect_fail hkr events --interval fast "$id"
	assert_contains "$(cat "$T/err")" "--interval"
	hkr delete --force "$id"
	expect_fail hkr events --stats "$id"
}

test_control_events_oom() {
	local b id epid rc=0
	b=$(trigger_bundle dd if=/dev/zero of=/dev/null bs=100M count=1)
	cfg "$b" '.linux.resources.memory = {"limit": 33554432}'
	id=$(newid)
	hkr create -b "$b" "$id"
	hkr start "$id"
	hkr events --interval 300ms "$id" >"$T/events" 2>"$T/events.err" &
	epid=$!
	sleep 0.5
	touch "$b/rootfs/go"
	wait_file "$b/rootfs/result"
	for _ in $(seq 300); do
		grep -q '"type":"oom"' "$T/events" && break
		sleep 0.1
	done
	cat "$T/events" | cut -c1-200
	assert_contains "$(cat "$T/events")" "{\"type\":\"oom\",\"id\":\"$id\"}"
	assert_contains "$(cat "$T/events")" "{\"type\":\"stats\",\"id\":\"$id\",\"data\":{"
	# events ends (status 0) once the container stops
	hkr kill "$id" KILL
	for _ in $(seq 300); do
		kill -0 "$epid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$epid" 2>/dev/null; then
		kill "$epid"
		fail "events still running after the container stopped"
	fi
	wait "$epid" || rc=$?
	assert_eq 0 "$rc" "events exit status"
	hkr delete "$id"
}

# ---- rootless ----

# delegated_cgroup (lib.sh), plus on v1 a cgroup in the freezer hierarchy.
delegated_cgroup_freezer() {
	local h own d
	h=$(delegated_cgroup) || return 1
	if [ "$(cg_layout)" != v2 ]; then
		own=$(_hk_own_cgroup freezer)
		d=/sys/fs/cgroup/freezer${own%/}/$(basename "${h%%,*}")
		mkdir "$d" || return 1
		chown "$HK_USER_UID:$HK_USER_GID" "$d" "$d/cgroup.procs" "$d/tasks" || return 1
		h="$h,$d"
	fi
	echo "$h"
}

test_control_rootless_pause_update() {
	local b h id rc=0 d
	b=$(mkbundle_user)
	cfg "$b" '.linux.resources.pids = {"limit": 20}'
	setargs "$b" sleep 60
	id=$(newid)
	h=$(delegated_cgroup_freezer)
	(
		set -e
		cd "$b"
		as_user_in_cgroup "$h" "$HUSK" create "$id"
		as_user "$HUSK" start "$id"
		as_user "$HUSK" pause "$id"
		[ "$(as_user "$HUSK" state "$id" | jq -r .status)" = paused ] || fail "not paused"
		as_user "$HUSK" resume "$id"
		[ "$(as_user "$HUSK" state "$id" | jq -r .status)" = running ] || fail "not running"
		as_user "$HUSK" update --pids-limit 9 "$id"
		d=$(cg_dir_of "$b" pids.max)
		assert_eq 9 "$(cat "$d/pids.max")" "pids.max"
		as_user "$HUSK" events --stats "$id" | jq -e '.data.pids.current >= 1' >/dev/null
		as_user "$HUSK" pause "$id"
		as_user "$HUSK" delete --force "$id"
	) || rc=$?
	as_user "$HUSK" delete --force "$id" 2>/dev/null || true
	undelegate_cgroup "$h"
	assert_eq 0 "$rc" "rootless pause/update"
}

test_control_rootless_no_freezer_v1() {
	local b h id rc=0
	[ "$(cg_layout)" != v2 ] || return 0 # v2: the freezer is in every cgroup
	b=$(mkbundle_user)
	setargs "$b" sleep 60
	id=$(newid)
	h=$(delegated_cgroup)
	(
		cd "$b"
		as_user_in_cgroup "$h" "$HUSK" create "$id" && as_user "$HUSK" start "$id" &&
			! as_user "$HUSK" pause "$id" 2>"$T/err"
	) || rc=$?
	as_user "$HUSK" delete --force "$id" 2>/dev/null || true
	undelegate_cgroup "$h"
	assert_eq 0 "$rc" "create, start, then a failing pause"
	assert_contains "$(cat "$T/err")" "freezer"
	assert_contains "$(cat "$T/err")" "delegate"
}
