# test_box.sh - `husk box`: a command in a root filesystem (directory,
# tarball or the built-in one) with no config to write, as root.  The
# rootless half is in test_box_rootless.sh.
#
# Every test keeps husk's storage (unpacked tarballs, writable layers) in
# its own $T/storage; boxes are named after the test so that the runner's
# leak check finds their cgroups (husk-NAME).

box_env() {
	export HUSK_STORAGE="$T/storage"
	[ -d "$T/rootfs" ] || copy_rootfs "$T/rootfs"
}

# a box name for this test (also its cgroup's name, husk-NAME)
boxname() { newid; }

# assert_storage_clean [DIR]: husk's storage DIR (default $HUSK_STORAGE)
# holds no layer and no half-unpacked tarball
assert_storage_clean() {
	local dir=${1:-$HUSK_STORAGE} left
	left=$(ls -A "$dir/boxes" 2>/dev/null || true)
	assert_eq "" "$left" "layers left in $dir/boxes"
	left=$(ls -A "$dir/rootfs" 2>/dev/null | grep '^\.tmp' || true)
	assert_eq "" "$left" "temporary unpack directories left in $dir/rootfs"
}

test_box_hostname_and_pid_isolation() {
	local out
	box_env
	out=$(hk box --name "$(boxname)" --hostname demo "$T/rootfs" -- sh -c 'hostname; echo pid=$$; ps -o pid,comm | wc -l; cat /proc/1/cmdline | tr "\0" " "')
	assert_contains "$out" "demo"
	assert_contains "$out" "pid=1"
	# ps: a header line, sh, ps (and wc, cat: the pipeline's siblings)
	local lines
	lines=$(echo "$out" | sed -n 3p)
	[ "$lines" -le 5 ] || fail "ps sees $lines lines: the host's processes leak in"
	assert_storage_clean
}

test_box_hostname_defaults_to_name() {
	local out name
	box_env
	name=$(boxname)
	out=$(hk box --name "$name" "$T/rootfs" -- hostname)
	assert_eq "$name" "$out" "hostname"
}

test_box_tmpfs_not_visible_on_host() {
	local out
	box_env
	out=$(hk box --name "$(boxname)" --tmpfs /mytemp:size=1m "$T/rootfs" -- sh -c 'echo secret > /mytemp/f; grep " /mytemp " /proc/mounts; df -k /mytemp | tail -1')
	assert_contains "$out" "tmpfs /mytemp tmpfs"
	assert_contains "$out" "size=1024k"
	[ ! -e "$T/rootfs/mytemp/f" ] || fail "the tmpfs file reached the rootfs"
	if grep -q " /mytemp " /proc/self/mountinfo; then fail "/mytemp mounted on the host"; fi
	[ -z "$(find "$HUSK_STORAGE" -name f -path '*mytemp*' 2>/dev/null)" ] || fail "tmpfs file in the layer"
}

test_box_memory_cap_oom_kills() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local rc=0
	box_env
	hk box --name "$(boxname)" --memory 32M "$T/rootfs" -- dd if=/dev/zero of=/dev/null bs=100M count=1 2>"$T/err" || rc=$?
	assert_eq 137 "$rc" "exit status"
	assert_contains "$(cat "$T/err")" "killed by the OOM killer (memory limit 32 MiB)"
	assert_storage_clean
}

test_box_limits_visible_inside() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local out
	box_env
	out=$(hk box --name "$(boxname)" --memory 100M --pids-limit 50 --cpus 0.5 "$T/rootfs" -- sh -c '
		cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null
		cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null
		cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null; true')
	assert_contains "$out" "104857600"
	assert_contains "$out" "50"
	assert_contains "$out" "50000"
}

test_box_rootfs_never_modified() {
	local before after
	box_env
	before=$(cd "$T/rootfs" && find . -printf '%p %s %m %U\n' | sort | md5sum)
	hk box --name "$(boxname)" "$T/rootfs" -- sh -c 'echo new > /root/new; rm /bin/ls; echo x >> /etc/passwd; mkdir /made'
	after=$(cd "$T/rootfs" && find . -printf '%p %s %m %U\n' | sort | md5sum)
	assert_eq "$before" "$after" "rootfs content after the box wrote to it"
	assert_storage_clean
}

test_box_rm_false_keeps_layer() {
	local out name rc=0
	box_env
	name=$(boxname)
	hk box --rm=false --name "$name" "$T/rootfs" -- sh -c 'echo kept > /root/note'
	assert_eq "kept" "$(cat "$HUSK_STORAGE/boxes/$name/upper/root/note")" "file in the kept layer"
	[ ! -e "$T/rootfs/root/note" ] || fail "the rootfs was written"
	# the same name goes on with it
	out=$(hk box --rm=false --name "$name" "$T/rootfs" -- cat /root/note)
	assert_eq "kept" "$out" "a later box of the same name"
	# --rm with a kept layer of that name: refused, the layer stays
	hk box --name "$name" "$T/rootfs" -- true 2>"$T/err" || rc=$?
	assert_eq 125 "$rc"
	assert_contains "$(cat "$T/err")" "kept its layer"
	assert_contains "$(cat "$T/err")" "husk box --remove $name"
	[ -e "$HUSK_STORAGE/boxes/$name/upper/root/note" ] || fail "the kept layer was removed"
	hk box --remove "$name"
	assert_storage_clean
	expect_fail hk box --remove "$name"
	assert_contains "$(cat "$T/err")" "no layer kept by a box of that name"
}

test_box_exit_codes() {
	local rc
	box_env
	rc=0; hk box --name "$(boxname)" "$T/rootfs" -- sh -c 'exit 7' || rc=$?
	assert_eq 7 "$rc" "exit 7"
	# killed by a signal from the host: 128+N
	"$HUSK" box --name "$(boxname)" "$T/rootfs" -- sleep 30 &
	local hpid=$! cpid
	cpid=$(container_child "$hpid" sleep)
	kill -KILL "$cpid"
	rc=0; wait "$hpid" || rc=$?
	assert_eq 137 "$rc" "killed by SIGKILL"
	rc=0; hk box --name "$(boxname)" "$T/rootfs" -- /no/such/command 2>"$T/err" || rc=$?
	assert_eq 127 "$rc" "command not found"
	assert_contains "$(cat "$T/err")" "/no/such/command"
	assert_storage_clean
}

test_box_signal_forwarded() {
	local hpid rc sig
	box_env
	# SIGTERM and Ctrl-C's SIGINT reach the command
	for sig in TERM INT; do
		"$HUSK" box --name "$(boxname)" "$T/rootfs" -- sh -c "trap 'echo got-$sig; exit 3' $sig; echo ready; while :; do sleep 0.1; done" >"$T/out-$sig" &
		hpid=$!
		wait_until 30 grep -q ready "$T/out-$sig" 2>/dev/null || fail "SIG$sig: the box did not start: $(cat "$T/out-$sig")"
		kill -"$sig" "$hpid"
		rc=0
		wait "$hpid" || rc=$?
		assert_eq 3 "$rc" "exit status after SIG$sig to husk"
		assert_contains "$(cat "$T/out-$sig")" "got-$sig"
	done
	assert_storage_clean
}

test_box_interactive_shell() {
	local out
	box_env
	out=$( (sleep 1; printf 'echo hi-$((6*7))\n'; sleep 1; printf 'exit 4\n') |
		script -qec "$HUSK box -t --name $(boxname) $T/rootfs -- sh -i" /dev/null | tr -d '\r')
	assert_contains "$out" "echo hi-\$((6*7))" "typed command echoed"
	assert_contains "$out" "hi-42" "command output"
	assert_storage_clean
}

test_box_window_resize_and_sigterm() {
	local out
	box_env
	out=$(python3 "$HK_TESTS_DIR/ptyrun.py" "$HUSK" box --name "$(boxname)" "$T/rootfs" -- \
		sh -c 'trap "stty size" WINCH; trap "exit 9" TERM; stty size; echo ready; while :; do sleep 0.1; done')
	assert_contains "$out" "30 100" "initial size from the caller's terminal"
	assert_contains "$out" "40 120" "resize propagated"
	assert_contains "$out" "termios-restored: yes"
	assert_contains "$out" "exit: 9"
	assert_storage_clean
}

test_box_terminal_when_stdin_is_one() {
	local out
	box_env
	out=$(script -qec "$HUSK box --name $(boxname) $T/rootfs -- sh -c 'tty; echo \$TERM'" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/0"
	assert_contains "$out" "xterm"
	out=$(hk box --name "$(boxname)" "$T/rootfs" -- sh -c 'tty || true' </dev/null)
	assert_contains "$out" "not a tty"
}

test_box_volumes_env_workdir_user() {
	needs_subids "runs as a user other than root"
	local out rc=0
	box_env
	mkdir -p "$T/data"
	echo hostfile >"$T/data/f"
	out=$(hk box --name "$(boxname)" -v "$T/data:/data:ro" -e FOO=bar -e "HOSTVAR" -w /data -u 65534 "$T/rootfs" -- sh -c 'pwd; cat f; echo $FOO $HOSTVAR; id -u; touch /data/x 2>&1 || echo ro-ok' HOSTVAR=fromhost)
	assert_contains "$out" "/data"
	assert_contains "$out" "hostfile"
	assert_contains "$out" "65534"
	assert_contains "$out" "ro-ok"
	out=$(HOSTVAR=fromhost hk box --name "$(boxname)" -e FOO=bar -e HOSTVAR "$T/rootfs" -- sh -c 'echo $FOO-$HOSTVAR')
	assert_eq "bar-fromhost" "$out" "-e K=V and -e K"
	out=$(hk box --name "$(boxname)" -v "$T/data:/data" "$T/rootfs" -- sh -c 'echo written > /data/w')
	assert_eq "written" "$(cat "$T/data/w")" "rw volume written through"
	hk box --name "$(boxname)" -u nobody "$T/rootfs" -- id -un >"$T/out"
	assert_eq "nobody" "$(cat "$T/out")" "-u by name"
	expect_fail hk box --name "$(boxname)" -u nosuchuser "$T/rootfs" -- true
	assert_contains "$(cat "$T/err")" "no user \"nosuchuser\""
}

test_box_net_none() {
	local out
	box_env
	out=$(hk box --name "$(boxname)" --net none "$T/rootfs" -- sh -c 'ls /sys/class/net')
	assert_eq "lo" "$out" "interfaces with --net none"
	# loopback is up, as with runc, crun, docker and podman
	out=$(hk box --name "$(boxname)" --net none "$T/rootfs" -- ip link show lo)
	assert_contains "$out" "LOOPBACK,UP"
	out=$(hk box --name "$(boxname)" "$T/rootfs" -- sh -c 'ls /sys/class/net | wc -l')
	[ "$out" -ge 1 ] || fail "host network not visible"
}

test_box_read_only() {
	local out
	box_env
	# as podman: /run, /tmp and /var/tmp stay writable (tmpfs)
	out=$(hk box --name "$(boxname)" --read-only "$T/rootfs" -- sh -c 'touch /x 2>&1 || echo ro-root
		touch /tmp/y /var/tmp/y /run/y && echo tmp-ok; touch /etc/z 2>&1 || echo ro-etc')
	assert_contains "$out" "ro-root"
	assert_contains "$out" "tmp-ok"
	assert_contains "$out" "ro-etc"
	# a tmpfs the user gives on /tmp replaces the default one
	out=$(hk box --name "$(boxname)" --read-only --tmpfs /tmp:size=1m "$T/rootfs" -- sh -c 'grep -c " /tmp " /proc/mounts; df -k /tmp | tail -1')
	assert_contains "$out" "1024"
	assert_eq 1 "$(echo "$out" | head -1)" "one mount on /tmp"
}

test_box_print_spec_is_a_bundle() {
	local out
	box_env
	mkdir -p "$T/b"
	hk box --print-spec --read-only --name "$(boxname)" --hostname printed "$T/rootfs" -- cat /etc/hostname-x >"$T/b/config.json"
	assert_eq "$T/rootfs" "$(jq -r .root.path "$T/b/config.json")" "root.path"
	assert_eq "printed" "$(jq -r .hostname "$T/b/config.json")" "hostname"
	# the printed config runs as an OCI bundle
	cfg "$T/b" '.process.args = ["hostname"]'
	out=$(hk run -b "$T/b" "$(newid)")
	assert_eq "printed" "$out" "husk run on the printed config"
	[ ! -e "$HUSK_STORAGE/boxes" ] || [ -z "$(ls -A "$HUSK_STORAGE/boxes")" ] || fail "--print-spec made a layer"
}

test_box_usage_errors() {
	local rc bad
	box_env
	# as docker and podman: 125 when husk, not the command, failed
	for bad in "--memory lots" "--memory nan" "--memory 0x10" "--memory 4k" "--cpus nan" \
		"--cpus 0" "--memory-swap 200m" "--memory 100m --memory-swap 50m" "--net bridge" \
		"--pids-limit -5" "-v /no/such/dir:/x" "-v $T:relative" "--tmpfs relative"; do
		rc=0
		# shellcheck disable=SC2086
		hk box $bad "$T/rootfs" true 2>"$T/err" || rc=$?
		assert_eq 125 "$rc" "exit status of husk box $bad"
		assert_contains "$(cat "$T/err")" "${bad%% *}" "the error names the option ($bad)"
	done
	assert_contains "$(cat "$T/err")" "--tmpfs relative: expected an absolute PATH"
	hk box --memory 100m --memory-swap 50m "$T/rootfs" true 2>"$T/err" || true
	assert_contains "$(cat "$T/err")" "at least as much as --memory"
	rc=0; hk box --name "$(boxname)" "$T/no-such-rootfs" -- true 2>"$T/err" || rc=$?
	assert_eq 125 "$rc"
	assert_contains "$(cat "$T/err")" "no-such-rootfs: no such file or directory"
	# -m 0 and --pids-limit -1 mean no limit, as in docker
	out=$(hk box --name "$(boxname)" -m 0 --pids-limit -1 --print-spec "$T/rootfs" true)
	assert_eq "null" "$(echo "$out" | jq -c '.linux.resources.memory // .linux.resources.pids')" "no limits"
	assert_storage_clean
}

test_box_builtin_rootfs() {
	local out
	box_env
	out=$(hk box --name "$(boxname)" -- sh -c 'cat /etc/passwd | head -1; ls /bin/busybox')
	assert_contains "$out" "root:x:0:0"
	assert_contains "$out" "/bin/busybox"
	[ -n "$(ls -d "$HUSK_STORAGE"/rootfs/builtin-* 2>/dev/null)" ] || fail "no built-in rootfs in storage"
	# a second box reuses it
	out=$(hk box --name "$(boxname)" -- echo again)
	assert_eq "again" "$out"
	assert_eq 1 "$(ls -d "$HUSK_STORAGE"/rootfs/builtin-* | wc -l)" "built-in rootfs made once"
}

test_box_tarball_unpacked_once() {
	needs_root "makes files owned by other ids"
	local out dirs
	box_env
	echo from-tar >"$T/rootfs/root/marker"
	chown 1000:1000 "$T/rootfs/root/marker"
	tar -C "$T/rootfs" -cf "$T/img.tar" .
	# what a husk killed while unpacking left behind is cleaned up
	local dead
	sleep 0 &
	dead=$!
	wait "$dead"
	mkdir -p "$HUSK_STORAGE/rootfs/.tmp-$dead-abcdef/work"
	chmod 0 "$HUSK_STORAGE/rootfs/.tmp-$dead-abcdef/work"
	out=$(hk box --name "$(boxname)" "$T/img.tar" -- sh -c 'cat /root/marker; ls -ln /root/marker')
	[ ! -e "$HUSK_STORAGE/rootfs/.tmp-$dead-abcdef" ] || fail "stale unpack directory left"

	assert_contains "$out" "from-tar"
	assert_contains "$out" "1000"
	dirs=$(ls -d "$HUSK_STORAGE"/rootfs/sha256-*)
	assert_eq 1 "$(echo "$dirs" | wc -l)" "one unpacked tree"
	touch -d '2001-01-01' "$dirs"
	out=$(hk box --name "$(boxname)" "$T/img.tar" -- cat /root/marker)
	assert_eq "from-tar" "$out"
	assert_eq "2001-01-01" "$(date -r "$dirs" +%F)" "the cached tree was reused, not unpacked again"
	# a changed tarball is a new tree (same path, same size, same mtime)
	echo from-taR >"$T/rootfs/root/marker"
	touch -r "$T/img.tar" "$T/old-mtime"
	tar -C "$T/rootfs" -cf "$T/img.tar" .
	touch -r "$T/old-mtime" "$T/img.tar"
	out=$(hk box --name "$(boxname)" "$T/img.tar" -- cat /root/marker)
	assert_eq "from-taR" "$out" "content of the changed tarball"
	assert_eq 2 "$(ls -d "$HUSK_STORAGE"/rootfs/sha256-* | wc -l)" "a second unpacked tree"
	assert_storage_clean
}

test_box_tarball_compressed() {
	local out
	box_env
	tar -C "$T/rootfs" -czf "$T/img.tar.gz" .
	tar -C "$T/rootfs" -cf - . | zstd -q -o "$T/img.tar.zst"
	out=$(hk box --name "$(boxname)" "$T/img.tar.gz" -- echo gz-ok)
	assert_eq "gz-ok" "$out"
	out=$(hk box --name "$(boxname)" "$T/img.tar.zst" -- echo zst-ok)
	assert_eq "zst-ok" "$out"
}

test_box_tarball_escape_refused() {
	local rc=0
	box_env
	mkdir -p "$T/outside"
	python3 - "$T/evil.tar" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name in ("bin", "etc"):
        d = tarfile.TarInfo(name); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
    data = b"escaped\n"
    f = tarfile.TarInfo("../outside/escape"); f.size = len(data)
    t.addfile(f, io.BytesIO(data))
EOF
	hk box --name "$(boxname)" "$T/evil.tar" -- true 2>"$T/err" || rc=$?
	assert_eq 125 "$rc" "exit status"
	assert_contains "$(cat "$T/err")" "../outside/escape"
	assert_contains "$(cat "$T/err")" "outside"
	[ ! -e "$T/outside/escape" ] || fail "the entry was written outside"
	[ ! -e "$HUSK_STORAGE/outside/escape" ] || fail "the entry was written outside"
	[ ! -e "$HUSK_STORAGE/rootfs/outside" ] || fail "the entry was written outside"
	assert_eq "" "$(ls -d "$HUSK_STORAGE"/rootfs/sha256-* 2>/dev/null)" "no cache entry for a refused tarball"
	assert_storage_clean
}

test_box_running_name_is_locked() {
	local name hpid rc=0
	box_env
	name=$(boxname)
	"$HUSK" box --name "$name" "$T/rootfs" -- sh -c 'trap "exit 0" TERM; echo ready; while :; do sleep 0.1; done' >"$T/out" &
	hpid=$!
	wait_until 30 grep -q ready "$T/out" 2>/dev/null || fail "the first box did not start: $(cat "$T/out")"
	hk box --name "$name" "$T/rootfs" -- true 2>"$T/err" || rc=$?
	kill -TERM "$hpid"
	wait "$hpid" || true
	assert_eq 125 "$rc"
	assert_contains "$(cat "$T/err")" "is running"
	assert_storage_clean
}

# remove the test's cgroups (the deepest first): none is left
box_rm_cgroups() {
	local d
	for d in $(cg_leftovers | sort -r); do rmdir "$d" 2>/dev/null || true; done
	[ -z "$(cg_leftovers)" ]
}

test_box_layer_of_killed_husk_removed_later() {
	local name hpid
	box_env
	name=$(boxname)
	"$HUSK" box --name "$name" "$T/rootfs" -- sh -c 'echo ready; sleep 30' >"$T/out" &
	hpid=$!
	wait_until 30 grep -q ready "$T/out" 2>/dev/null || fail "the box did not start: $(cat "$T/out")"
	kill -KILL "$hpid"
	wait "$hpid" || true
	[ -d "$HUSK_STORAGE/boxes/$name" ] || fail "expected the layer of the killed box"
	# the container died with husk; its cgroup is what a state store
	# will clean (husk run has the same gap): removed by hand here
	wait_until 30 box_rm_cgroups || fail "cgroups left: $(cg_leftovers | xargs)"
	hk box --name "$(boxname)" "$T/rootfs" -- true
	assert_storage_clean
}
