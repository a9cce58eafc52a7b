# test_control.sh - acting on a living container: pause and resume (the
# cgroup freezer), update (resource limits from options or JSON on stdin,
# applied and kept), events (stats and OOM kills as runc's JSON).  Root and
# rootless (in a delegated cgroup).  Run on the host (hybrid v1) and again
# in the pure cgroup v2 VM.  Every test keeps its state in $T/state.

# A bundle whose writable rootfs gets a counter in /count, bumped every 0.1 s.
# Written aside and renamed over /count: a container frozen between the
# truncation and the write of a plain `echo >/count` would leave it empty.
counter_bundle() {
	local b
	b=$(mkbundle) || return 1
	cfg "$b" '.root.readonly = false' || return 1
	setargs "$b" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count.new; mv /count.new /count; sleep 0.1; done' || return 1
	echo "$b"
}

count_of() { cat "$1/rootfs/count" 2>/dev/null || echo 0; }

count_above() { [ "$(count_of "$1")" -gt "$2" ]; }

# wait (up to 30 s) until the counter of bundle $1 is above $2
wait_count_above() {
	wait_until 30 count_above "$1" "$2" || fail "counter stuck at $(count_of "$1") (expected more than $2)"
}

test_control_pause_resume() {
	needs_root "sets cgroup limits or reads the container's cgroup"
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
	needs_root "sets cgroup limits or reads the container's cgroup"
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
	needs_root "sets cgroup limits or reads the container's cgroup"
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
	needs_root "sets cgroup limits or reads the container's cgroup"
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
	needs_root "sets cgroup limits or reads the container's cgroup"
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
	needs_root "sets cgroup limits or reads the container's cgroup"
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
	expect_fail hkr update --cpu-rt-runtime -5 "$id"
	assert_contains "$(cat "$T/err")" "linux.resources.cpu.realtimeRuntime"
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
	needs_root "sets cgroup limits or reads the container's cgroup"
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

# process $1 has ended
ctl_gone() { ! kill -0 "$1" 2>/dev/null; }

test_control_events_oom() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id epid rc=0
	b=$(trigger_bundle dd if=/dev/zero of=/dev/null bs=100M count=1)
	cfg "$b" '.linux.resources.memory = {"limit": 33554432}'
	id=$(newid)
	hkr create -b "$b" "$id"
	hkr start "$id"
	hkr events --interval 300ms "$id" >"$T/events" 2>"$T/events.err" &
	epid=$!
	# its first stats line: events has read the OOM count it starts from
	# (an OOM before that would not be news to it)
	wait_until 30 grep -q '"type":"stats"' "$T/events" || fail "no stats from events: $(cut -c1-200 "$T/events")"
	touch "$b/rootfs/go"
	wait_file "$b/rootfs/result"
	wait_until 30 grep -q '"type":"oom"' "$T/events" || fail "no oom event: $(cut -c1-200 "$T/events")"
	cat "$T/events" | cut -c1-200
	assert_contains "$(cat "$T/events")" "{\"type\":\"oom\",\"id\":\"$id\"}"
	assert_contains "$(cat "$T/events")" "{\"type\":\"stats\",\"id\":\"$id\",\"data\":{"
	# events ends (status 0) once the container stops
	hkr kill "$id" KILL
	if ! wait_until 30 ctl_gone "$epid"; then
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

# ---- events: block IO and huge pages ----

# A loop device over a 4 MiB file of $T (the container reads it with direct
# IO: block IO on the host and in the VM, whose root is 9p); prints
# "/dev/loopN MAJ MIN".  Detached by the caller (loop_done).
loop_dev() {
	local dev m
	# the VM's kernel has loop as a module (the host's, built in)
	m=$(cat /proc/sys/kernel/modprobe)
	[ -e /dev/loop-control ] || [ ! -x "$m" ] || "$m" loop 2>/dev/null || true
	dd if=/dev/urandom of="$T/loop.img" bs=1M count=4 status=none || return 1
	dev=$(losetup -f --show "$T/loop.img") || return 1
	echo "$dev $((0x$(stat -c %t "$dev"))) $((0x$(stat -c %T "$dev")))"
}

loop_done() { [ -z "${1:-}" ] || losetup -d "$1" 2>/dev/null || true; }

# The value of the entry {major $2, minor $3, op $4} of blkio table $5 in
# the stats event $1 (0 when none).
blkio_value() {
	echo "$1" | jq --argjson ma "$2" --argjson mi "$3" --arg op "$4" \
		"[.data.blkio.$5 // [] | .[] | select((.major // 0) == \$ma and (.minor // 0) == \$mi and .op == \$op) | .value // 0] | add // 0"
}

test_control_events_blkio() {
	needs_root "sets up a loop device"
	local b id out dev ma mi d v
	b=$(mkbundle)
	id=$(newid)
	read -r dev ma mi <<<"$(loop_dev)"
	[ -n "$mi" ] || fail "no loop device"
	# shellcheck disable=SC2064 # $dev and $id now
	trap "hkr delete --force $id >/dev/null 2>&1; loop_done $dev" EXIT
	# the device node, and a throttle rule far above what is read: on v1
	# recent kernels count the throttle statistics only on devices with a
	# rule; it also puts the container in the blkio (io) controller
	cfg "$b" --argjson ma "$ma" --argjson mi "$mi" \
		'.linux.devices = [{"path": "/dev/hkloop", "type": "b", "major": $ma, "minor": $mi}]
		| .linux.resources.blockIO.throttleReadBpsDevice = [{"major": $ma, "minor": $mi, "rate": 1099511627776}]
		| .root.readonly = false'
	setargs "$b" sh -c 'dd if=/dev/hkloop of=/dev/null bs=4096 count=256 iflag=direct 2>/dev/null; echo done >/read; exec sleep 60'
	hkr run -d -b "$b" "$id"
	wait_file "$b/rootfs/read"
	out=$(hkr events --stats "$id")
	echo "$out" | jq -c .data.blkio
	v=$(blkio_value "$out" "$ma" "$mi" Read ioServiceBytesRecursive)
	[ "$v" -ge 1048576 ] || fail "bytes read from $ma:$mi: $v (expected 1 MiB or more)"
	[ "$(blkio_value "$out" "$ma" "$mi" Read ioServicedRecursive)" -ge 1 ] || fail "no read operations"
	# the same number as the kernel's file, seen from the host
	if [ "$(cg_layout)" = v2 ]; then
		d=$(cg_dir_of "$b" io.stat)
		assert_eq "$(sed -n "s/^$ma:$mi .*rbytes=\([0-9]*\).*/\1/p" "$d/io.stat")" "$v" "io.stat rbytes"
	else
		d=$(cg_dir_of "$b" blkio.throttle.io_service_bytes_recursive)
		assert_eq "$(awk -v k="$ma:$mi" '$1 == k && $2 == "Read" {print $3}' "$d/blkio.throttle.io_service_bytes_recursive")" "$v" "blkio.throttle.io_service_bytes_recursive"
		# runc's v1 tables keep the Sync, Async, Total lines
		[ "$(blkio_value "$out" "$ma" "$mi" Total ioServiceBytesRecursive)" -ge "$v" ] || fail "no Total line"
	fi
	hkr delete --force "$id"
}

# hugetlb: each page size the container's cgroup accounts, with its usage;
# none where it has no hugetlb controller (a hybrid host: it is on the
# cgroup2 mount, which runc does not read either).
test_control_events_hugetlb() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id out d size f n
	b=$(mkbundle)
	setargs "$b" sleep 60
	id=$(newid)
	hkr run -d -b "$b" "$id"
	out=$(hkr events --stats "$id")
	echo "$out" | jq -c .data.hugetlb
	echo "$out" | jq -e '.data.hugetlb | type == "object"' >/dev/null || fail "no hugetlb object"
	n=0
	for f in /sys/kernel/mm/hugepages/hugepages-*kB; do
		[ -e "$f" ] || continue
		size=${f##*hugepages-}
		size=$(numfmt --to=iec --suffix=B --from-unit=1024 "${size%kB}" | sed 's/\.0//')
		if [ "$(cg_layout)" = v2 ]; then
			d=$(cg_dir_of "$b" cgroup.procs)
			f=$d/hugetlb.$size.current
		else
			f=$(find /sys/fs/cgroup/hugetlb -maxdepth 8 -type d -name "$(jq -r .linux.cgroupsPath "$b/config.json")" 2>/dev/null | head -1)
			f=${f:+$f/hugetlb.$size.usage_in_bytes}
		fi
		if [ -n "$f" ] && [ -e "$f" ]; then
			n=$((n + 1))
			assert_eq "$(cat "$f")" "$(echo "$out" | jq ".data.hugetlb[\"$size\"].usage // 0")" "hugetlb $size usage"
			echo "$out" | jq -e ".data.hugetlb[\"$size\"] | has(\"failcnt\")" >/dev/null || fail "no failcnt for $size"
		else
			assert_eq null "$(echo "$out" | jq -c ".data.hugetlb[\"$size\"]")" "hugetlb $size without a cgroup file"
		fi
	done
	assert_eq "$n" "$(echo "$out" | jq '.data.hugetlb | length')" "page sizes reported"
	hkr delete --force "$id"
}

# ---- update: runc 1.1's and 1.2's other options ----

test_control_update_more_flags() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id c d before
	b=$(mkbundle)
	setargs "$b" sleep 60
	id=$(newid)
	# shellcheck disable=SC2064 # $id now
	trap "hkr delete --force $id >/dev/null 2>&1; true" EXIT
	hkr run -d -b "$b" "$id"
	c=$T/state/$id/config.json
	# each flag to its linux.resources field (0 asks nothing of the cgroup)
	hkr update --kernel-memory 0 --kernel-memory-tcp 0 --cpu-burst 0 --cpu-idle 0 "$id"
	# (0 leaves kernel memory as it is, as runc: nothing to record)
	assert_eq '{"kernel":null,"kernelTCP":null}' "$(jq -c '.linux.resources.memory | {kernel, kernelTCP}' "$c")" "kernel memory of 0"
	if [ "$(cg_layout)" = v2 ]; then
		expect_fail hkr update --kernel-memory-tcp 16m "$id"
		assert_contains "$(cat "$T/err")" "linux.resources.memory.kernelTCP"
	else
		hkr update --kernel-memory-tcp 16m "$id"
		assert_eq 16777216 "$(jq .linux.resources.memory.kernelTCP "$c")" "kernelTCP recorded"
		assert_eq 16777216 "$(cat "$(cg_dir_of "$b" memory.kmem.tcp.limit_in_bytes)/memory.kmem.tcp.limit_in_bytes")" "memory.kmem.tcp.limit_in_bytes"
	fi
	assert_eq '{"burst":0,"idle":0}' "$(jq -c '.linux.resources.cpu | {burst, idle}' "$c")" "burst and idle recorded"
	# burst with a quota: the cgroup file and the config
	hkr update --cpu-quota 50000 --cpu-period 100000 --cpu-burst 20000 "$id"
	if [ "$(cg_layout)" = v2 ]; then
		d=$(cg_dir_of "$b" cpu.max.burst)
		assert_eq 20000 "$(cat "$d/cpu.max.burst")" "cpu.max.burst"
	else
		d=$(cg_dir_of "$b" cpu.cfs_burst_us)
		assert_eq 20000 "$(cat "$d/cpu.cfs_burst_us")" "cpu.cfs_burst_us"
	fi
	assert_eq 20000 "$(jq .linux.resources.cpu.burst "$c")" "burst recorded"
	# idle (v1 and v2 since Linux 5.15)
	hkr update --cpu-idle 1 "$id"
	assert_eq 1 "$(cat "$d/cpu.idle")" "cpu.idle"
	assert_eq 1 "$(jq .linux.resources.cpu.idle "$c")" "idle recorded"
	before=$(cat "$c")
	# Intel RDT is not a cgroup: refused in one line, nothing changed
	for o in --l3-cache-schema --mem-bw-schema; do
		expect_fail hkr update "$o" 'L3:0=ff' --pids-limit 9 "$id"
		assert_eq "husk: $o: husk does not support Intel RDT" "$(cat "$T/err")"
	done
	expect_fail hkr update --cpu-burst -5 "$id"
	assert_contains "$(cat "$T/err")" "--cpu-burst"
	expect_fail hkr update --cpu-idle x "$id"
	assert_contains "$(cat "$T/err")" "--cpu-idle"
	expect_fail hkr update --kernel-memory 5q "$id"
	assert_contains "$(cat "$T/err")" "--kernel-memory"
	assert_eq "$before" "$(cat "$c")" "config after refused updates"
	hkr delete --force "$id"
}

# Huge pages in use: 2 MiB pages in a hugetlbfs, under a 4 MiB limit (v2;
# a hybrid host has no hugetlb controller husk could use: the error says so).
test_control_events_hugetlb_usage() {
	needs_root "mounts hugetlbfs"
	local b id out d old
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]
		| .mounts += [{"destination": "/hp", "type": "hugetlbfs", "source": "hugetlbfs"}]
		| .root.readonly = false'
	# 2 MiB, then 6 MiB more: past the limit (not past the pool)
	setargs "$b" sh -c 'fallocate -l 2097152 /hp/a && echo ok >/r1; fallocate -l 6291456 /hp/b; echo "$?" >/r2; exec sleep 60'
	if [ "$(cg_layout)" != v2 ]; then
		expect_fail hkr run -d -b "$b" "$id"
		assert_contains "$(cat "$T/err")" "linux.resources.hugepageLimits: no hugetlb cgroup v1 hierarchy"
		return 0
	fi
	[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ] || fail "no 2 MiB huge pages"
	old=$(cat /proc/sys/vm/nr_hugepages)
	# shellcheck disable=SC2064 # $id and $old now
	trap "hkr delete --force $id >/dev/null 2>&1; echo $old >/proc/sys/vm/nr_hugepages" EXIT
	echo $((old + 4)) >/proc/sys/vm/nr_hugepages
	[ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)" -ge 4 ] || fail "could not reserve 4 huge pages"
	hkr run -d -b "$b" "$id"
	wait_file "$b/rootfs/r2"
	assert_eq ok "$(cat "$b/rootfs/r1")" "2 MiB allocated"
	[ "$(cat "$b/rootfs/r2")" != 0 ] || fail "6 MiB more allocated past the 4 MiB limit"
	out=$(hkr events --stats "$id")
	echo "$out" | jq -c .data.hugetlb
	d=$(cg_dir_of "$b" hugetlb.2MB.current)
	assert_eq "$(cat "$d/hugetlb.2MB.current")" "$(echo "$out" | jq '.data.hugetlb["2MB"].usage')" "usage, as hugetlb.2MB.current"
	[ "$(echo "$out" | jq '.data.hugetlb["2MB"].usage')" -ge 2097152 ] || fail "usage below 2 MiB"
	assert_eq "$(sed -n 's/^max //p' "$d/hugetlb.2MB.events")" "$(echo "$out" | jq '.data.hugetlb["2MB"].failcnt')" "failcnt, as hugetlb.2MB.events max"
	[ "$(echo "$out" | jq '.data.hugetlb["2MB"].failcnt')" -ge 1 ] || fail "no failed allocation counted"
	hkr delete --force "$id"
}
