# test_concurrency.sh - many husks at once on one state root, and a state
# root that cannot be written: parallel creates (distinct ids, and one id
# that only one may get), delete --force and kill racing on one container,
# list while containers come and go, a damaged state.json, a read-only or
# full state root, a missing one.  Every test keeps its state in $T/state
# (--root) and checks that nothing is left: no state, no process (the
# runner checks mounts and cgroups).
#
# The emulated VM is ~10x slower, husk under AddressSanitizer ~3x:
# HK_CONC_SCALE (default: 5 in the VM, 2 under AddressSanitizer, else 1)
# divides the counts of the parallel tests.

# conc_count N: N, divided by the scale (at least 2)
conc_count() {
	local s=${HK_CONC_SCALE:-1}
	if [ -z "${HK_CONC_SCALE:-}" ]; then
		if [ "${HK_TEST_LABEL:-}" = v2-vm ]; then
			s=5
		elif sanitized; then
			s=2
		fi
	fi
	local n=$(($1 / s))
	[ $n -ge 2 ] || n=2
	echo $n
}

# conc_bundles N: one bundle (printed) and N configs $b/c1 .. $b/cN using
# its rootfs, each with a cgroup of its own (the runner looks for leaks).
conc_bundles() {
	local b i
	b=$(mkbundle) || return 1
	for i in $(seq "$1"); do
		mkdir "$b/c$i"
		jq --arg r "$b/rootfs" --arg cg "${HK_CG_PREFIX}-${HK_TEST_NAME}-c$i" \
			'.root.path = $r | .linux.cgroupsPath = ($cg | gsub("_"; "-"))' \
			"$b/config.json" >"$b/c$i/config.json" || return 1
	done
	echo "$b"
}

# delete --force whatever is left in $T/state when the test ends (also
# when it fails)
conc_cleanup() {
	local d
	for d in "$T"/state/*; do
		[ -e "$d" ] && "$HUSK" --root "$T/state" delete --force "${d##*/}" >/dev/null 2>&1
	done
	true
}

# the husk processes of this test's state root still there (a container
# that is created but not started is a husk process with our --root)
husk_procs() { pgrep -f -- "--root $T/state " || true; }

# process $1 is gone (or a zombie: not ours to reap)
conc_gone() {
	case "$(ps -o stat= -p "$1" 2>/dev/null)" in
	"" | Z*) return 0 ;;
	esac
	return 1
}

# wait (up to 30 s) until process $1 is gone
conc_wait_gone() {
	wait_until 30 conc_gone "$1" || fail "process $1 still there"
}

# nothing left of container ids $@ in $T/state; their pids in $T/pids
assert_all_gone() {
	local p
	[ -z "$(ls -A "$T/state" 2>/dev/null)" ] || fail "state left: $(ls -A "$T/state")"
	assert_eq "" "$(hkr list -q)" "list after the deletes"
	if [ -f "$T/pids" ]; then
		for p in $(cat "$T/pids"); do conc_wait_gone "$p"; done
	fi
	assert_eq "" "$(husk_procs)" "husk processes left"
}

test_concurrency_create_distinct_ids() {
	local n b i pids="" bad=0
	n=$(conc_count 50)
	b=$(conc_bundles "$n")
	trap conc_cleanup EXIT
	# all at once
	for i in $(seq "$n"); do
		hkr create -b "$b/c$i" "${HK_CG_PREFIX}-d$i" 2>"$T/err$i" &
		pids="$pids $!"
	done
	i=0
	for p in $pids; do
		i=$((i + 1))
		wait "$p" || { bad=$((bad + 1)); echo "create d$i: $(cat "$T/err$i")"; }
	done
	assert_eq 0 "$bad" "failed creates"
	assert_eq "$n" "$(hkr list -q | wc -l)" "containers listed"
	assert_eq "$n" "$(hkr list -f json | jq '[.[] | select(.status == "created")] | length')" \
		"containers created"
	hkr list -f json | jq -r '.[].pid' >"$T/pids"
	# and all deleted at once
	pids=""
	for i in $(seq "$n"); do
		hkr delete "${HK_CG_PREFIX}-d$i" 2>"$T/err$i" &
		pids="$pids $!"
	done
	i=0
	for p in $pids; do
		i=$((i + 1))
		wait "$p" || { bad=$((bad + 1)); echo "delete d$i: $(cat "$T/err$i")"; }
	done
	assert_eq 0 "$bad" "failed deletes"
	assert_all_gone
}

test_concurrency_create_same_id() {
	local n b id i pids="" ok=0 msg
	n=20
	b=$(mkbundle)
	setargs "$b" sleep 1000
	id=$(newid)
	trap conc_cleanup EXIT
	for i in $(seq "$n"); do
		hkr create -b "$b" "$id" 2>"$T/err$i" &
		pids="$pids $!"
	done
	i=0
	for p in $pids; do
		i=$((i + 1))
		if wait "$p"; then
			ok=$((ok + 1))
			assert_eq "" "$(cat "$T/err$i")" "stderr of the create that won"
		else
			msg=$(cat "$T/err$i")
			case "$msg" in
			"husk: container \"$id\" already exists") ;;
			*"container \"$id\" is locked by another process"*) ;;
			*) fail "create $i: unexpected error: $msg" ;;
			esac
		fi
	done
	assert_eq 1 "$ok" "creates that succeeded"
	assert_eq "$id" "$(hkr list -q)" "containers"
	assert_eq created "$(status_of "$id")"
	hkr state "$id" | jq -r .pid >"$T/pids"
	# one container process (waiting for start: still husk) and no other
	assert_eq "$(cat "$T/pids")" "$(husk_procs)" "husk processes"
	# the one made works: it starts and runs
	hkr start "$id"
	assert_eq running "$(status_of "$id")"
	hkr delete --force "$id"
	assert_all_gone
}

# Several delete --force and kill of one container at once: every delete
# succeeds, a kill succeeds or finds it gone ("does not exist", "not
# running"); nothing is left.
test_concurrency_delete_and_kill_race() {
	local rounds b id r i pids msg
	rounds=$(conc_count 10)
	b=$(mkbundle)
	setargs "$b" sleep 1000
	: >"$T/pids"
	trap conc_cleanup EXIT
	for r in $(seq "$rounds"); do
		id=$(newid)
		hkr create -b "$b" "$id"
		# every other round a running container, else a created one
		[ $((r % 2)) -eq 0 ] && hkr start "$id"
		hkr state "$id" | jq -r .pid >>"$T/pids"
		pids=""
		for i in 1 2 3 4 5 6; do
			case $i in
			1 | 2 | 3) hkr delete --force "$id" 2>"$T/err$i" & ;;
			4) hkr kill "$id" KILL 2>"$T/err$i" & ;;
			5) hkr kill "$id" TERM 2>"$T/err$i" & ;;
			6) hkr kill --all "$id" KILL 2>"$T/err$i" & ;;
			esac
			pids="$pids $!"
		done
		i=0
		for p in $pids; do
			i=$((i + 1))
			wait "$p" && continue
			msg=$(cat "$T/err$i")
			# delete --force: a container gone meanwhile is no error
			[ $i -le 3 ] && fail "round $r: delete --force failed: $msg"
			case "$msg" in
			"husk: container \"$id\" does not exist" | "husk: container \"$id\" is not running") ;;
			*) fail "round $r, command $i: unexpected error: $msg" ;;
			esac
		done
		expect_fail hkr state "$id"
		assert_eq "husk: container \"$id\" does not exist" "$(cat "$T/err")"
	done
	assert_all_gone
}

# list and list -f json while containers are created, started and
# deleted: never an error, never a torn entry, nothing on stderr.
test_concurrency_list_while_churning() {
	local n b w i out lists
	workers="" # (not local: the EXIT trap kills them)
	n=$(conc_count 20)
	b=$(conc_bundles 4)
	trap 'kill $workers 2>/dev/null || true; sleep 0.5; conc_cleanup' EXIT
	# each worker: create, (start,) delete until told to stop; its
	# cycles counted in $T/cycles$w
	for w in 1 2 3 4; do
		(
			i=0
			while [ ! -e "$T/stop" ]; do
				i=$((i + 1))
				id="${HK_CG_PREFIX}-w$w-$i"
				hkr create -b "$b/c$w" "$id" || exit 1
				[ $((i % 2)) -eq 0 ] && { hkr start "$id" || exit 1; }
				hkr delete --force "$id" || exit 1
				echo "$i" >"$T/cycles$w"
			done
		) 2>"$T/werr$w" &
		workers="$workers $!"
	done
	for lists in $(seq "$n"); do
		# quick ones, to meet more records being written
		for i in 1 2 3 4 5; do
			out=$(hkr list -q 2>"$T/lerr") || fail "list -q failed: $(cat "$T/lerr")"
			assert_eq "" "$(cat "$T/lerr")" "stderr of list -q"
		done
		out=$(hkr list 2>"$T/lerr") || fail "list failed: $(cat "$T/lerr")"
		assert_eq "" "$(cat "$T/lerr")" "stderr of list"
		# a header, then rows of 6 fields (no field is empty or cut)
		echo "$out" | awk -v p="${HK_CG_PREFIX}-w" 'NR == 1 && $1 != "ID" {exit 1}
			NR > 1 && (NF != 6 || index($1, p) != 1 || $2 !~ /^[0-9]+$/ ||
			$3 !~ /^(created|running|stopped)$/) {exit 1}' ||
			fail "bad list output: $out"
		out=$(hkr list -f json 2>"$T/lerr") || fail "list -f json failed: $(cat "$T/lerr")"
		assert_eq "" "$(cat "$T/lerr")" "stderr of list -f json"
		echo "$out" | jq -e '. == null or all(.[]; (.id | startswith("'"${HK_CG_PREFIX}"'-w")) and
			(.pid | type) == "number" and (.status | IN("created", "running", "stopped")) and
			.bundle != "" and .created != "" and .rootfs != "")' >/dev/null ||
			fail "bad list -f json output: $out"
	done
	touch "$T/stop"
	for p in $workers; do wait "$p" || fail "a worker failed: $(cat "$T"/werr*)"; done
	echo "lists: $lists, cycles: $(cat "$T"/cycles* | tr '\n' ' ')"
	for w in 1 2 3 4; do
		[ -s "$T/cycles$w" ] || fail "worker $w did not complete a cycle while list ran"
	done
	assert_all_gone
}

# A damaged state.json: state, kill and delete say so (one line, and how
# to get rid of it); delete --force removes the container completely.
test_concurrency_damaged_state() {
	local b id pid how
	b=$(mkbundle)
	setargs "$b" sleep 1000
	: >"$T/pids"
	trap conc_cleanup EXIT
	for how in truncated empty garbage; do
		id=$(newid)
		hkr create -b "$b" "$id"
		hkr start "$id"
		pid=$(hkr state "$id" | jq -r .pid)
		echo "$pid" >>"$T/pids"
		case $how in
		truncated) head -c 30 "$T/state/$id/state.json" >"$T/s" ;;
		empty) : >"$T/s" ;;
		garbage) echo '{"id": 7}' >"$T/s" ;;
		esac
		cp "$T/s" "$T/state/$id/state.json"
		expect_fail hkr state "$id"
		assert_eq 1 "$(wc -l <"$T/err")" "one line"
		assert_contains "$(cat "$T/err")" "husk: container \"$id\": its state file $T/state/$id/state.json is damaged"
		assert_contains "$(cat "$T/err")" "\`husk delete --force $id\` removes the container"
		expect_fail hkr kill "$id" KILL
		assert_contains "$(cat "$T/err")" "is damaged"
		expect_fail hkr delete "$id"
		assert_contains "$(cat "$T/err")" "is damaged"
		# list skips it, with a warning
		assert_eq "" "$(hkr list -q 2>"$T/err")"
		assert_contains "$(cat "$T/err")" "husk: warning: container \"$id\": its state file"
		[ -d "/proc/$pid" ] || fail "the container's process died early"
		hkr delete --force "$id" 2>"$T/err"
		assert_eq "" "$(cat "$T/err")" "delete --force: no complaint"
		conc_wait_gone "$pid"
		[ ! -e "$T/state/$id" ] || fail "$how: state left"
	done
	assert_all_gone
}

# Both state.json and its copy damaged: delete --force still frees the id,
# and warns that the process (and cgroup) are left.
test_concurrency_damaged_state_and_copy() {
	local b id pid
	b=$(mkbundle)
	setargs "$b" sleep 1000
	id=$(newid)
	trap conc_cleanup EXIT
	hkr create -b "$b" "$id"
	pid=$(hkr state "$id" | jq -r .pid)
	: >"$T/state/$id/state.json"
	: >"$T/state/$id/state.json.bak"
	hkr delete --force "$id" 2>"$T/err"
	# (its cgroup.plan names the cgroup, which is in use: left too)
	assert_eq "husk: warning: container \"$id\": state.json and its copy are damaged; its process and cgroup (if any) are left" "$(cat "$T/err")"
	[ ! -e "$T/state/$id" ] || fail "state left"
	# what husk could not find, by hand
	kill -9 "$pid"
	conc_wait_gone "$pid"
	local d
	for d in $(cg_leftovers); do cg_remove_tree "$d"; done
	# the id can be used again
	hkr create -b "$b" "$id"
	hkr delete "$id"
	assert_all_gone
}

# A lock held too long: a clear error naming the holder, not a hang.
test_concurrency_lock_timeout() {
	local b id start ms
	b=$(mkbundle)
	setargs "$b" sleep 1000
	id=$(newid)
	trap conc_cleanup EXIT
	hkr create -b "$b" "$id"
	flock -o "$T/state/$id/lock" sleep 60 &
	fpid=$!
	# kill the holder (and its sleep) whatever happens
	trap 'kill $(pgrep -P $fpid) $fpid 2>/dev/null || true; conc_cleanup' EXIT
	wait_until 10 grep -q " FLOCK .* $fpid " /proc/locks || fail "flock $fpid took no lock"
	start=$(date +%s%N)
	HUSK_LOCK_TIMEOUT=1 expect_fail hkr kill "$id" KILL
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_eq "husk: container \"$id\" is locked by another process (pid $fpid, flock): gave up after 1 s" "$(cat "$T/err")"
	[ $ms -lt 5000 ] || fail "kill took $ms ms with a 1 s lock timeout"
	HUSK_LOCK_TIMEOUT=0 expect_fail hkr delete --force "$id"
	assert_contains "$(cat "$T/err")" "is locked by another process (pid $fpid"
	# the state is still readable (no lock needed) and untouched
	assert_eq created "$(status_of "$id")"
	kill $(pgrep -P "$fpid") "$fpid"
	wait "$fpid" 2>/dev/null || true
	HUSK_LOCK_TIMEOUT=5 hkr delete --force "$id"
	assert_all_gone
}

# A read-only state root: create fails with one clear line and leaves
# nothing; the containers already there can still be listed.
test_concurrency_readonly_root() {
	needs_root "mounts a read-only state root"
	local b id id2 msg
	b=$(mkbundle)
	setargs "$b" sleep 1000
	id=$(newid)
	id2=$(newid)
	mkdir -p "$T/ro" "$T/state"
	trap 'umount "$T/ro" 2>/dev/null || true; conc_cleanup' EXIT
	mount -t tmpfs -o mode=0700,size=1m tmpfs "$T/ro"
	mount -o remount,ro "$T/ro"
	expect_fail hk --root "$T/ro" create -b "$b" "$id"
	msg=$(cat "$T/err")
	assert_eq "husk: container \"$id\": make its state directory $T/ro/$id: read-only file system" "$msg"
	assert_eq "" "$(ls -A "$T/ro")" "read-only root"
	assert_eq "" "$(pgrep -f -- "--root $T/ro " || true)" "processes left"
	umount "$T/ro"
	# a root with a container, bound read-only: readable, not writable
	hkr create -b "$b" "$id2"
	mount --bind -o ro "$T/state" "$T/ro"
	assert_eq created "$(hk --root "$T/ro" state "$id2" | jq -r .status)"
	assert_eq "$id2" "$(hk --root "$T/ro" list -q)"
	expect_fail hk --root "$T/ro" delete --force "$id2"
	assert_contains "$(cat "$T/err")" "read-only file system"
	umount "$T/ro"
	assert_eq created "$(status_of "$id2")" "after a refused delete"
	hkr delete "$id2"
	assert_all_gone
}

# A full state root: create fails with one clear line, wherever the disk
# ran out (before the container's process exists, or after), and leaves
# nothing: no state directory, no temp file, no process.
test_concurrency_full_root() {
	needs_root "mounts a small tmpfs"
	local b id free size seen="" msg f
	b=$(mkbundle)
	setargs "$b" sleep 1000
	mkdir -p "$T/full"
	trap 'for d in "$T"/full/*/; do [ -d "$d" ] && "$HUSK" --root "$T/full" delete --force "$(basename "$d")"; done; umount "$T/full" 2>/dev/null || true' EXIT
	mount -t tmpfs -o mode=0700,size=256k tmpfs "$T/full"
	dd if=/dev/zero of="$T/full/fill" bs=4096 2>/dev/null || true
	size=$(($(stat -c %s "$T/full/fill") / 4096 * 4096))
	# leave 0, 1, 2... pages free until a create fits
	for free in 0 1 2 3 4 5 6 7 8; do
		truncate -s $((size - free * 4096)) "$T/full/fill"
		id=$(newid)
		if hk --root "$T/full" create -b "$b" "$id" 2>"$T/err"; then
			hk --root "$T/full" delete "$id"
			break
		fi
		msg=$(cat "$T/err")
		echo "$free pages free: $msg"
		assert_eq 1 "$(wc -l <"$T/err")" "one line"
		assert_contains "$msg" "husk: container \"$id\": save "
		assert_contains "$msg" ": no space left on device"
		# (a file may need more than one page: each name once)
		f=$(echo "$msg" | sed -n 's/.*: save \([^:]*\):.*/\1/p')
		case "$seen " in *" $f "*) ;; *) seen="$seen $f" ;; esac
		assert_eq "fill" "$(ls -A "$T/full")" "left in the root"
		assert_eq "" "$(pgrep -f -- "--root $T/full " || true)" "processes left"
	done
	# the disk ran out at each of the files written
	assert_eq " cgroup.plan config.json state.json state.json.bak" "$seen" "where the disk ran out"
	umount "$T/full"
	assert_all_gone
}

# A --root whose parents do not exist: made (0700, as runc).
test_concurrency_missing_root_parent() {
	local b id
	b=$(mkbundle)
	id=$(newid)
	hk --root "$T/a/b/state" create -b "$b" "$id"
	assert_eq 700 "$(stat -c %a "$T/a/b/state")"
	assert_eq 700 "$(stat -c %a "$T/a")"
	assert_eq "$id" "$(hk --root "$T/a/b/state" list -q)"
	hk --root "$T/a/b/state" delete "$id"
	assert_eq "" "$(ls -A "$T/a/b/state")"
	assert_all_gone
}
