# test_hostile.sh - a hostile image and hostile processes in the container
# that try to reach the host.  Every attempt must fail (or land inside the
# container) AND leave the host as it was: each test checks the host's
# files and values afterwards.  (Mount targets through image symlinks:
# test_security.sh; /proc replaced in the image: elsewhere.)
#
# A static C helper (tests/helpers/hostile.c) does what busybox cannot:
# TIOCSTI, finit_module, init_module.

# Copy the helper to /hostile in bundle $1's rootfs (built once per run).
hostile_helper() { static_helper hostile "$1"; }

# A running container $2 (sleeping) from bundle $1, deleted when the test
# ends.
hostile_sleeper() {
	setargs "$1" sleep 600
	delete_at_exit "$2"
	hkr run -d -b "$1" "$2"
	wait_status "$2" running
}

# Run CMD... as a user at a terminal would: on a fresh pty that is its
# controlling terminal (ptyrun.py); then read what waits in that terminal's
# input, as the user's shell would read (and run) next.  Prints CMD's
# output, "cmd-exit: N", then "caller-read:[LINE]" or "caller-read-nothing".
on_caller_tty() {
	# (the emulated VM under load can need more than ptyrun's default 30 s)
	PTYRUN_TIMEOUT=180 python3 "$HK_TESTS_DIR/ptyrun.py" bash -c '"$@"; echo "cmd-exit: $?"
		if read -r -t 1 line; then echo "caller-read:[$line]"; else echo caller-read-nothing; fi' \
		caller "$@"
}

# What the helper pushes into a terminal: a command line for the caller's
# shell (harmless: the test only reads it).
HOSTILE_INJECT='echo husk-tiocsti-injected
'

# TIOCSTI (CVE-2016-10124 lxc-attach, CVE-2017-5226 bubblewrap class; the
# reason runc calls setsid): a process in the container must not push
# input into the caller's terminal.
# This host allows TIOCSTI on one's controlling terminal
# (dev.tty.legacy_tiocsti = 1), so only a new session (setsid) keeps the
# caller's terminal from being the container's controlling terminal.
test_tiocsti_run_cannot_type_into_callers_terminal() {
	local b out
	b=$(mkbundle)
	hostile_helper "$b"
	setargs "$b" /hostile tiocsti "$HOSTILE_INJECT"
	# without a terminal of its own: its stdio IS the caller's terminal
	out=$(on_caller_tty "$HUSK" run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$out" "tiocsti fd0: Operation not permitted" "TIOCSTI on the caller's terminal"
	assert_contains "$out" "tiocsti fd2: Operation not permitted"
	assert_contains "$out" "tiocsti /dev/tty: open: No such device or address" "no controlling terminal"
	assert_contains "$out" "caller-read-nothing"
	assert_contains "$out" "cmd-exit: 0"
	# with terminal: true, its own pty: what it pushes stays there
	cfg "$b" '.process.terminal = true'
	out=$(on_caller_tty "$HUSK" run -b "$b" "$(newid)")
	echo "$out"
	# (into its own pty TIOCSTI works: it is its controlling terminal)
	echo "$out" | grep -Eq "^tiocsti fd0: (ok|Operation not permitted)" || fail "the helper did not run"
	assert_contains "$out" "caller-read-nothing"
}

# The same for `husk exec`, with and without -t.
test_tiocsti_exec_cannot_type_into_callers_terminal() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	hostile_helper "$b"
	hostile_sleeper "$b" "$id"
	out=$(on_caller_tty "$HUSK" --root "$T/state" exec "$id" /hostile tiocsti "$HOSTILE_INJECT")
	echo "$out"
	assert_contains "$out" "tiocsti fd0: Operation not permitted" "TIOCSTI on the caller's terminal"
	assert_contains "$out" "tiocsti /dev/tty: open: No such device or address" "no controlling terminal"
	assert_contains "$out" "caller-read-nothing"
	assert_contains "$out" "cmd-exit: 0"
	out=$(on_caller_tty "$HUSK" --root "$T/state" exec -t "$id" /hostile tiocsti "$HOSTILE_INJECT")
	echo "$out"
	# (into its own pty TIOCSTI works: it is its controlling terminal)
	echo "$out" | grep -Eq "^tiocsti fd0: (ok|Operation not permitted)" || fail "the helper did not run"
	assert_contains "$out" "caller-read-nothing"
}

# `exec -u` takes numbers only (an atoi would make "abc" root and "1x"
# uid 1): junk is a usage error and runs nothing.
test_exec_user_junk_refused() {
	needs_root "uses ids outside a rootless map"
	local b id u
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.root.readonly = false' # so that a process run leaves /ran
	hostile_sleeper "$b" "$id"
	for u in abc 1x '' :5 -1 1:x 1: ' 1' +1 0x1 1:-1 4294967295 99999999999; do
		expect_fail hkr exec -u "$u" "$id" touch /ran
		assert_contains "$(cat "$T/err")" "--user $u: expected UID[:GID] (numbers)" "exec -u '$u'"
		[ ! -e "$b/rootfs/ran" ] || fail "exec -u '$u' ran the process"
	done
	assert_eq "1 0" "$(hkr exec -u 1 "$id" sh -c 'echo $(id -u) $(id -g)')" "exec -u 1 (gid 0, as runc)"
	assert_eq "2 5" "$(hkr exec -u 2:5 "$id" sh -c 'echo $(id -u) $(id -g)')" "exec -u 2:5"
}

# A fresh bundle in $b (mkbundle in this shell: several per test) with the
# image's own /dev (no tmpfs on it), a writable root and /dev/console -> $1.
hostile_console_bundle() {
	mkbundle >"$T/.bundle" || return 1
	b=$(cat "$T/.bundle")
	cfg "$b" '.process.terminal = true | .root.readonly = false | .mounts |= map(select(.destination != "/dev"))'
	# the same path inside the rootfs, to see a bind there too
	mkdir -p "$b/rootfs$T"
	echo rootfs-console-file >"$b/rootfs$T/host-console"
	ln -s "$1" "$b/rootfs/dev/console"
	setargs "$b" sh -c "stat -c '%F %t:%T' /dev/console; stat -L -c 'tty %t:%T' /proc/self/fd/0
		stat -c %F $T/host-console; cat $T/host-console"
}

host_console_untouched() { # $1: bundle
	assert_eq host-console-file "$(cat "$T/host-console")" "host file content"
	assert_eq 2001-01-01 "$(date -r "$T/host-console" +%F)" "host file mtime"
	! mountpoint -q "$T/host-console" || fail "the host file is a mount point"
	assert_eq rootfs-console-file "$(cat "$1/rootfs$T/host-console")" "rootfs file"
}

# A hostile /dev/console (CVE-2025-52565 class): the image's /dev has
# /dev/console as a symlink to a file the host has.  With terminal: true
# husk must neither open nor bind the pty over what it points to, on the
# host or in the container; /dev/console is the container's pty.
test_hostile_dev_console_symlink() {
	local b out target cons tty
	echo host-console-file >"$T/host-console"
	touch -d 2001-01-01 "$T/host-console"
	for target in "$T/host-console" "../../../../../../../..$T/host-console"; do
		hostile_console_bundle "$target"
		out=$(on_caller_tty "$HUSK" run -b "$b" "$(newid)")
		echo "$out"
		assert_contains "$out" "cmd-exit: 0"
		cons=$(echo "$out" | sed -n 's/^character special file //p')
		tty=$(echo "$out" | sed -n 's/^tty //p')
		[ -n "$cons" ] && [ "$cons" = "$tty" ] || fail "/dev/console ($cons) is not the container's pty ($tty)"
		assert_contains "$out" "regular file
rootfs-console-file" "the symlink's target inside the container"
		host_console_untouched "$b"
	done
	# a read-only root: the console is made before / turns read-only (as
	# runc), and nothing outside is touched
	hostile_console_bundle "$T/host-console"
	cfg "$b" '.root.readonly = true'
	out=$(on_caller_tty "$HUSK" run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$out" "cmd-exit: 0"
	cons=$(echo "$out" | sed -n 's/^character special file //p')
	tty=$(echo "$out" | sed -n 's/^tty //p')
	[ -n "$cons" ] && [ "$cons" = "$tty" ] || fail "/dev/console ($cons) is not the container's pty ($tty)"
	host_console_untouched "$b"
	[ -L "$b/rootfs/dev/console" ] || [ -f "$b/rootfs/dev/console" ] || fail "rootfs /dev/console"
}

# maskedPaths through image symlinks (mask redirection, CVE-2025-31133
# class): to a host path (absolute and ../../..) and to a procfs file.  The
# mask lands on what the link means inside the container, never on a host
# path, and the host sees no mount.
test_hostile_masked_paths_symlinks() {
	local b out
	b=$(mkbundle)
	mkdir "$T/hostdir"
	echo host-secret >"$T/hostdir/secret"
	echo host-file >"$T/hostfile"
	mkdir -p "$b/rootfs$T/hostdir"
	echo rootfs-secret >"$b/rootfs$T/hostdir/secret"
	echo rootfs-file >"$b/rootfs$T/hostfile"
	ln -s "$T/hostdir" "$b/rootfs/mask-abs"
	ln -s "../../../../../../../..$T/hostfile" "$b/rootfs/mask-rel"
	ln -s /proc/cmdline "$b/rootfs/mask-proc"
	cfg "$b" '.linux.maskedPaths += ["/mask-abs", "/mask-rel", "/mask-proc"]'
	setargs "$b" sh -c "{ ls -A /mask-abs/; ls -A $T/hostdir/; } | wc -w; wc -c < $T/hostfile; wc -c < /proc/cmdline"
	out=$(hk run -b "$b" "$(newid)" 2>&1) || true
	# the host first
	assert_eq host-secret "$(cat "$T/hostdir/secret")"
	assert_eq host-file "$(cat "$T/hostfile")"
	[ -n "$(cat /proc/cmdline)" ] || fail "the host's /proc/cmdline is masked"
	! mountpoint -q "$T/hostdir" || fail "host dir masked"
	! mountpoint -q "$T/hostfile" || fail "host file masked"
	! grep -q " $T/" /proc/self/mountinfo || fail "a mount below $T on the host"
	assert_eq "0 0 0" "$(echo $out)" "masked inside the container (dir, file, procfs file)"
	assert_eq rootfs-secret "$(cat "$b/rootfs$T/hostdir/secret")" "the image's file, under the mask"
}

# linux.devices and readonlyPaths through image symlinks pointing out of the
# rootfs (symlinks followed during rootfs setup: CVE-2021-30465 /
# CVE-2024-45310 class): the node is created and the path made read-only
# inside the container's rootfs only.
test_hostile_device_and_readonly_symlinks() {
	needs_root "makes device nodes or device cgroup rules"
	local b out
	b=$(mkbundle)
	mkdir "$T/hostdev" "$T/hostro"
	ln -s "$T/hostdev" "$b/rootfs/evil-dev"
	ln -s "../../../../../../../..$T/hostdev" "$b/rootfs/evil-dev-up"
	mkdir -p "$b/rootfs$T/hostro"
	ln -s "$T/hostro" "$b/rootfs/evil-ro"
	cfg "$b" '.linux.devices = [
		{"path": "/evil-dev/null2", "type": "c", "major": 1, "minor": 3, "fileMode": 438},
		{"path": "/evil-dev-up/sub/zero2", "type": "c", "major": 1, "minor": 5, "fileMode": 438}]
		| .linux.readonlyPaths += ["/evil-ro"] | .root.readonly = false'
	setargs "$b" sh -c "stat -c %t:%T $T/hostdev/null2 $T/hostdev/sub/zero2
		touch /evil-ro/x 2>/dev/null && echo writable || echo read-only
		touch /other 2>/dev/null && echo root-writable"
	out=$(hk run -b "$b" "$(newid)" 2>&1) || true
	# the host first
	[ -z "$(ls -A "$T/hostdev")" ] || fail "device nodes created on the host: $(ls -A "$T/hostdev")"
	touch "$T/hostro/x" || fail "the host directory became read-only"
	! mountpoint -q "$T/hostro" || fail "host dir mounted on"
	assert_eq "1:3
1:5
read-only
root-writable" "$out"
	[ -c "$b/rootfs$T/hostdev/null2" ] || fail "no node inside the rootfs"
}

# cwd = /proc/self/fd/N (CVE-2024-21626): an fd open on a host directory
# (one of husk's, or one the caller passes with --preserve-fds) must never
# become the container's cwd, for run and for `exec --cwd`: refused, or a
# directory inside the container.
cwd_must_be_inside() { # $1: what ran, $2: exit status, $3: its output
	[ "$2" -ne 0 ] && return 0
	case "$3" in /*) ;; *) fail "$1: cwd [$3]" ;; esac
	local name
	for name in host-marker-cwd config.json state.json cgroup.procs tasks work; do
		if echo "$3" | grep -qx "$name"; then fail "$1: a host directory: $3"; fi
	done
	return 0
}

test_cwd_proc_self_fd_stays_inside() {
	local b id n rc out
	touch "$T/host-marker-cwd"
	b=$(mkbundle)
	setargs "$b" sh -c 'pwd; ls -a . ..'
	(cd "$b/rootfs" && find . | sort) >"$T/files-before"
	for n in 3 4 5 6 7 8 9 10; do
		cfg "$b" ".process.cwd = \"/proc/self/fd/$n\""
		rc=0
		out=$(hk run -b "$b" "$(newid)" 2>&1) || rc=$?
		cwd_must_be_inside "run cwd=/proc/self/fd/$n" "$rc" "$out"
	done
	# fd 3: the caller's host directory, passed on
	cfg "$b" '.process.cwd = "/proc/self/fd/3"'
	expect_fail hk run --preserve-fds 1 -b "$b" "$(newid)" 3<"$T"
	assert_contains "$(cat "$T/err")" "process.cwd"
	# nor may the magic link's text (a host path) be created in the image
	(cd "$b/rootfs" && find . | sort) >"$T/files-after"
	diff "$T/files-before" "$T/files-after" || fail "run cwd=/proc/self/fd/N changed the rootfs"

	cfg "$b" '.process.cwd = "/"'
	id=$(newid)
	hostile_sleeper "$b" "$id"
	for n in 3 4 5 6 7 8 9 10; do
		rc=0
		out=$(cd "$T" && hkr exec --cwd "/proc/self/fd/$n" "$id" sh -c 'pwd; ls -a . ..' 2>&1) || rc=$?
		cwd_must_be_inside "exec --cwd /proc/self/fd/$n" "$rc" "$out"
	done
	rc=0
	out=$(hkr exec --preserve-fds 1 --cwd /proc/self/fd/3 "$id" sh -c 'pwd; ls -a . ..' 2>&1 3<"$T") || rc=$?
	[ "$rc" -ne 0 ] || fail "exec --cwd /proc/self/fd/3 (a host directory) ran in: $out"
	assert_contains "$out" "process.cwd: /proc/self/fd/3 is outside the container"
}

# CVE-2022-27650: husk started with inheritable capabilities must not hand
# them on: the container's inheritable set is the config's (none), for the
# init and for `exec --cap`.
test_inheritable_caps_not_passed_on() {
	needs_root "gives husk inheritable capabilities"
	local b id out
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sh -c 'grep CapInh /proc/self/status; sleep 600'
	delete_at_exit "$id"
	setpriv --inh-caps +sys_admin,+sys_module -- "$HUSK" --root "$T/state" run -d -b "$b" "$id"
	wait_status "$id" running
	out=$(setpriv --inh-caps +sys_admin,+sys_module -- "$HUSK" --root "$T/state" exec "$id" \
		grep Cap /proc/self/status)
	assert_contains "$out" "CapInh:	0000000000000000" "exec"
	out=$(setpriv --inh-caps +sys_admin,+sys_module -- "$HUSK" --root "$T/state" exec \
		--cap CAP_SYS_ADMIN "$id" grep Cap /proc/self/status)
	assert_contains "$out" "CapInh:	0000000000000000" "exec --cap CAP_SYS_ADMIN"
	assert_contains "$out" "CapEff:	0000000020200420" "exec --cap adds CAP_SYS_ADMIN (effective)"
	local pid
	pid=$(hkr state "$id" | jq -r .pid)
	assert_eq "CapInh:	0000000000000000" "$(grep CapInh "/proc/$pid/status")" "the container's init"
	# exec -p with a process.json without capabilities: the container's
	echo '{"args": ["grep", "Cap", "/proc/self/status"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' >"$T/proc.json"
	out=$(setpriv --inh-caps +sys_admin -- "$HUSK" --root "$T/state" exec -p "$T/proc.json" "$id")
	assert_contains "$out" "CapInh:	0000000000000000" "exec -p"
	assert_contains "$out" "CapEff:	$(sed -n 's/^CapEff:\t//p' "/proc/$pid/status")" "exec -p: the container's capabilities"
	# no capabilities object at all: no capabilities (as runc), not the caller's
	cfg "$b" 'del(.process.capabilities) | .linux.cgroupsPath += "-nocaps"'
	setargs "$b" grep Cap /proc/self/status
	out=$(setpriv --inh-caps +sys_admin -- "$HUSK" --root "$T/state" run -b "$b" "$id-nocaps")
	local set
	for set in CapInh CapPrm CapEff CapBnd CapAmb; do
		assert_contains "$out" "$set:	0000000000000000" "no capabilities object"
	done
}

# From inside, with the default capabilities (runc's: no CAP_SYS_MODULE,
# no CAP_SYS_ADMIN): no kernel module, no mount, no umount of a mask or a
# read-only path, no host sysctl; the host stays as it was.
test_hostile_privileged_operations_fail() {
	local b out core burst mods modules_err="Operation not permitted"
	b=$(mkbundle)
	hostile_helper "$b"
	core=$(cat /proc/sys/kernel/core_pattern)
	burst=$(cat /proc/sys/kernel/printk_ratelimit_burst)
	mods=$(cat /proc/modules 2>/dev/null | wc -l)
	# a kernel without module support has no such syscalls at all
	[ -e /proc/modules ] || modules_err="Function not implemented"
	setargs "$b" sh -c '
		/hostile finit_module /hostile; /hostile init_module
		insmod /hostile 2>/dev/null && echo insmod-ok || echo insmod-failed
		modprobe -q loop 2>/dev/null && echo modprobe-ok || echo modprobe-failed
		mount -t tmpfs tmpfs /tmp 2>&1 && echo mount-ok
		umount /proc/keys 2>&1 && echo umount-ok; wc -c < /proc/keys
		umount -l /proc/sys 2>&1 && echo umount-ok
		echo husk-hostile-core 2>&1 > /proc/sys/kernel/core_pattern && echo sysctl-ok
		echo 1234 2>&1 > /proc/sys/kernel/printk_ratelimit_burst && echo sysctl-ok
		true'
	out=$(hk run -b "$b" "$(newid)" 2>&1)
	echo "$out"
	if [ "$(cat /proc/sys/kernel/core_pattern)" != "$core" ]; then
		echo "$core" >/proc/sys/kernel/core_pattern
		fail "the host's kernel.core_pattern was changed"
	fi
	if [ "$(cat /proc/sys/kernel/printk_ratelimit_burst)" != "$burst" ]; then
		echo "$burst" >/proc/sys/kernel/printk_ratelimit_burst
		fail "the host's kernel.printk_ratelimit_burst was changed"
	fi
	assert_contains "$out" "finit_module: $modules_err"
	assert_contains "$out" "init_module: $modules_err"
	assert_contains "$out" "insmod-failed"
	assert_contains "$out" "modprobe-failed"
	assert_not_contains "$out" "-ok"
	assert_contains "$out" "mount: permission denied"
	assert_contains "$out" "umount: can't unmount /proc/keys: Operation not permitted"
	assert_contains "$out" "umount: can't unmount /proc/sys: Operation not permitted"
	assert_contains "$out" "can't create /proc/sys/kernel/core_pattern: Read-only file system"
	assert_contains "$out" "can't create /proc/sys/kernel/printk_ratelimit_burst: Read-only file system"
	assert_eq 0 "$(echo "$out" | grep -x '[0-9]*')" "/proc/keys still masked"
	assert_eq "$mods" "$(cat /proc/modules 2>/dev/null | wc -l)" "host modules"
}
