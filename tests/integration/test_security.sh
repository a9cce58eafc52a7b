# test_security.sh - what keeps the container from reaching the host:
# capabilities, masked and read-only paths, mount targets resolved inside the
# rootfs even through hostile symlinks.

test_caps_dropped_hostname_fails() {
	local b out
	b=$(mkbundle)
	# runc's default set has no CAP_SYS_ADMIN
	setargs "$b" sh -c 'hostname evil 2>&1 && echo changed || echo refused; grep CapEff /proc/self/status'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "refused"
	assert_contains "$out" "CapEff:	0000000020000420" "runc default effective set"
}

test_caps_granted_hostname_works() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	setargs "$b" sh -c 'hostname inside-ok && hostname'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "inside-ok" "$out"
}

test_no_new_privileges() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.noNewPrivileges = true'
	setargs "$b" sh -c 'grep NoNewPrivs /proc/self/status'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "1"
}

test_masked_paths_unreadable() {
	local b out
	b=$(mkbundle)
	# runc's defaults mask /proc/keys and /proc/timer_list; add a file and a
	# directory of the image (/bin: so busybox runs from /busybox)
	cp "$b/rootfs/bin/busybox" "$b/rootfs/busybox"
	cfg "$b" '.linux.maskedPaths += ["/etc/passwd", "/bin"]'
	setargs "$b" /busybox sh -c '/busybox cat /proc/keys /proc/timer_list | /busybox wc -c
		/busybox wc -c < /etc/passwd; /busybox ls /bin | /busybox wc -l
		/busybox touch /bin/x 2>/dev/null || echo ro'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "0
0
0
ro" "$(echo "$out" | tr -d ' ')" "masked paths read empty"
}

test_readonly_paths() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	setargs "$b" sh -c 'echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo wrote || echo refused'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "refused" "$out"
}

test_symlinked_mount_target_stays_inside() {
	local b out
	b=$(mkbundle)
	mkdir "$T/src"
	echo from-host-src >"$T/src/marker"
	# hostile image: mount targets that point at the host's / and ..
	ln -s / "$b/rootfs/evil-root"
	ln -s ../../../../../.. "$b/rootfs/evil-up"
	ln -s /etc "$b/rootfs/evil-etc"
	cfg "$b" ".mounts += [
		{\"destination\": \"/evil-root\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},
		{\"destination\": \"/evil-up/mnt-here\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"rbind\"]},
		{\"destination\": \"/evil-etc/tgt\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]"
	setargs "$b" sh -c 'cat /mnt-here/marker; ls -d /etc/tgt'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "from-host-src"
	assert_contains "$out" "/etc/tgt"
	[ ! -e /mnt-here ] || fail "mount point created on the host's /"
	[ ! -e /etc/tgt ] || fail "mount point created in the host's /etc"
	[ -d "$b/rootfs/mnt-here" ] || fail "mount point not created inside the rootfs"
}

test_sysctl_applied() {
	local b out
	b=$(mkbundle)
	own_netns "$b"
	cfg "$b" '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	setargs "$b" cat /proc/sys/net/ipv4/ip_forward
	out=$(hk run -b "$b" "$(newid)")
	assert_eq 1 "$out"
}

test_proc_shows_only_container_processes() {
	local b out
	b=$(mkbundle)
	setargs "$b" sh -c 'ls /proc | grep -c "^[0-9]"'
	out=$(hk run -b "$b" "$(newid)")
	# sh, ls and grep
	[ "$out" -le 3 ] || fail "$out pids visible in /proc"
}

test_host_sysctl_refused() {
	local b before
	b=$(mkbundle)
	before=$(cat /proc/sys/kernel/printk_ratelimit_burst)
	cfg "$b" ".linux.sysctl = {\"kernel.printk_ratelimit_burst\": \"$((before + 1))\"}"
	expect_fail hk run -b "$b" "$(newid)"
	assert_eq "$before" "$(cat /proc/sys/kernel/printk_ratelimit_burst)" "host sysctl unchanged"
	assert_contains "$(cat "$T/err")" 'linux.sysctl "kernel.printk_ratelimit_burst": not namespaced'
	# a network sysctl without a network namespace of its own
	cfg "$b" '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "needs a new network namespace"
	cfg "$b" '.linux.sysctl = {"kernel.shmmni": "1000"}'
	setargs "$b" cat /proc/sys/kernel/shmmni
	assert_eq 1000 "$(hk run -b "$b" "$(newid)")" "an ipc sysctl in the container's own ipc namespace"
}

test_console_is_the_containers_pty() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.terminal = true'
	# /dev/console and the controlling terminal are the same pty
	setargs "$b" sh -c 'stat -c "%t:%T" /dev/console; stat -L -c "%t:%T" /proc/self/fd/0'
	# (script(1) types a NUL on EOF of /dev/null: the pty echoes it as ^@)
	out=$(script -qec "$HUSK run -b $b $(newid)" /dev/null </dev/null | tr -d '\r' | sed 's/\^@//g')
	[ "$(echo "$out" | sed -n 1p)" = "$(echo "$out" | sed -n 2p)" ] || fail "console differs from the pty: $out"
	assert_contains "$out" "88:0"
}

test_image_device_nodes_denied_without_rules() {
	needs_root "makes device nodes or device cgroup rules"
	local b out
	[ "$(cg_layout)" != v2 ] || return 0 # v2: the eBPF device program comes with issue 5
	b=$(mkbundle)
	# a config with no device rules at all, and an image shipping a node
	cfg "$b" 'del(.linux.resources)'
	# /dev/kmsg: writing needs no capability, only the devices cgroup stops it
	mknod "$b/rootfs/kmsg" c 1 11
	setargs "$b" sh -c 'echo husk-test-device-check 2>/dev/null > /kmsg && echo opened || echo denied; echo x > /dev/null && echo null-ok'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "denied
null-ok" "$out"
}

test_husk_binary_not_writable_through_container() {
	# CVE-2019-5736: a process in the container that gets hold of
	# /proc/PID/exe of a process running husk's binary (the interpreter of
	# a "#!/proc/self/exe" script run by `husk exec`) must not be able to
	# reopen it for writing once husk has exited.  A copy of husk runs the
	# container, so a failure damages only the copy.
	local b id hpid
	cp "$HUSK" "$T/husk-copy"
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 60
	"$T/husk-copy" --root "$T/state" run -b "$b" "$id" &
	hpid=$!
	wait_status "$id" running
	exec 9<"/proc/$hpid/exe"
	# the container's init (a clone of husk until its exec) and husk
	# itself share the binary: both must lead to a read-only mount
	hkr kill "$id" KILL
	wait "$hpid" || true
	local rc=0
	(echo overwritten >>/proc/self/fd/9) 2>"$T/err" || rc=$?
	exec 9<&-
	[ "$rc" -ne 0 ] || fail "husk's binary was writable through /proc/PID/exe"
	assert_contains "$(cat "$T/err")" "Read-only file system"
	cmp -s "$HUSK" "$T/husk-copy" || fail "husk's binary was changed"
}

# the user's container $1 (its husk $T/ubin/husk, state in $T/ustate) is running
sec_user_running() {
	[ "$(as_user "$T/ubin/husk" --root "$T/ustate" state "$1" 2>/dev/null | jq -r .status)" = running ]
}

test_husk_binary_not_writable_through_rootless_container() {
	# The same for an ordinary user running a husk binary of its own: the
	# container's root is that user on the host, who may write the file.
	# The write is made as the user, through a descriptor of
	# /proc/PID/exe of the user's husk.
	local b id hpid _hk_argv rc=0
	user_dir "$T/ubin"
	cp "$HUSK" "$T/ubin/husk"
	chown "$HK_USER_UID:$HK_USER_GID" "$T/ubin/husk"
	user_dir "$T/ustate"
	b=$(mkbundle_user)
	id=$(newid)
	setargs "$b" sleep 60
	_hk_user_argv "$T/ubin/husk" --root "$T/ustate" run -b "$b" "$id"
	"${_hk_argv[@]}" &
	hpid=$!
	wait_until 30 sec_user_running "$id" || fail "the rootless container did not start"
	exec 9<"/proc/$hpid/exe"
	as_user "$T/ubin/husk" --root "$T/ustate" kill "$id" KILL
	wait "$hpid" || true
	(as_user sh -c 'echo overwritten >>/proc/self/fd/9') 2>"$T/err" || rc=$?
	exec 9<&-
	cat "$T/err"
	[ "$rc" -ne 0 ] || fail "the user's husk binary was writable through /proc/PID/exe"
	assert_contains "$(cat "$T/err")" "Read-only file system"
	cmp -s "$HUSK" "$T/ubin/husk" || fail "husk's binary was changed"
}

# Run "$@" as on a kernel without close_range(2) (before 5.9): a seccomp
# filter (kept by husk and all its children) fails it with ENOSYS.
# close_range is system call 436 on every architecture but alpha.
without_close_range() {
	python3 -c '
import ctypes, os, struct, sys
ret_errno_enosys, ret_allow = 0x00050000 | 38, 0x7fff0000
insns = [(0x20, 0, 0, 0),                  # A = seccomp_data.nr
         (0x15, 0, 1, 436),                # if A == close_range
         (0x06, 0, 0, ret_errno_enosys),   #   return ERRNO(ENOSYS)
         (0x06, 0, 0, ret_allow)]          # return ALLOW
code = b"".join(struct.pack("HBBI", *i) for i in insns)
buf = ctypes.create_string_buffer(code)
prog = struct.pack("HxxxxxxQ", len(insns), ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(22, 2, ctypes.c_char_p(prog), 0, 0) != 0:  # PR_SET_SECCOMP, FILTER
    sys.exit("seccomp: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])
' "$@"
}

test_no_host_fds_leak_without_close_range() {
	needs_root "loads a seccomp filter without no_new_privs"
	# CVE-2024-21626 where the kernel has no close_range (5.9) or no
	# CLOSE_RANGE_CLOEXEC (5.11): no fd of husk's or of its caller may
	# reach the container's process, for run, create+start and exec
	local b id out
	assert_contains "$(without_close_range grep Seccomp: /proc/self/status)" "2" "the filter"
	b=$(mkbundle)
	setargs "$b" ls /proc/self/fd
	out=$(without_close_range "$HUSK" run -b "$b" "$(newid)" 7>/dev/null 9</etc/hostname)
	assert_eq "0 1 2 3" "$(echo $out)" "fds in the container (run)"
	id=$(newid)
	delete_at_exit "$id"
	without_close_range "$HUSK" --root "$T/state" create -b "$b" "$id" \
		7>/dev/null 9</etc/hostname >"$T/out" 2>&1
	hkr start "$id"
	wait_status "$id" stopped
	assert_eq "0 1 2 3" "$(echo $(cat "$T/out"))" "fds in the container (create)"
	hkr delete "$id"
	id=$(newid)
	delete_at_exit "$id"
	setargs "$b" sleep 600
	hkr run -d -b "$b" "$id"
	out=$(without_close_range "$HUSK" --root "$T/state" exec "$id" ls /proc/self/fd \
		7>/dev/null 9</etc/hostname)
	assert_eq "0 1 2 3" "$(echo $out)" "fds in the container (exec)"
}
