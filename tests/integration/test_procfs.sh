#!/bin/bash
# Writes to /proc go through a verified procfs (CVE-2019-16884,
# CVE-2019-19921, CVE-2025-52881): a volume mounted over part of /proc, a
# symlink planted there, or an image /proc that is no procfs at all must
# never redirect a sysctl, oom_score_adj or mask to a host file.

# A volume over /proc/sys/net/ipv4 whose "ip_forward" is a symlink to a
# host-global sysctl: writing the namespaced key must not write the host's.
test_sysctl_through_volume_over_proc_refused() {
	local b before f=/proc/sys/kernel/printk_ratelimit_burst
	before=$(cat $f)
	mkdir -p "$T/fake"
	ln -s $f "$T/fake/ip_forward"
	b=$(mkbundle)
	own_netns "$b"
	cfg "$b" ".mounts += [{\"destination\": \"/proc/sys/net/ipv4\", \"type\": \"bind\",
		\"source\": \"$T/fake\", \"options\": [\"rbind\"]}]
		| .linux.sysctl = {\"net.ipv4.ip_forward\": \"$((before + 1))\"}"
	local rc=0 now
	expect_fail hkr run -b "$b" "$(newid)" || rc=1
	now=$(cat $f)
	[ "$now" = "$before" ] || echo "$before" >$f # undo an escape
	assert_eq "$before" "$now" "host sysctl unchanged"
	[ $rc = 0 ] || return 1
	assert_contains "$(cat "$T/err")" 'linux.sysctl "net.ipv4.ip_forward": open /proc/sys/net/ipv4/ip_forward: refused'
	assert_eq "" "$(ls "$T/state" 2>/dev/null)" "no state left"
	# the same volume without the sysctl runs: only the write is refused
	cfg "$b" 'del(.linux.sysctl)'
	setargs "$b" true
	hkr run -b "$b" "$(newid)"
}

# An image whose /proc is a directory of fake files, and a config that
# mounts no procfs there: what husk would write is refused, by name.
test_fake_proc_in_image_refused() {
	local b
	b=$(mkbundle)
	own_netns "$b"
	rm -rf "$b/rootfs/proc"
	mkdir -p "$b/rootfs/proc/sys/net/ipv4" "$b/rootfs/proc/self"
	echo 0 >"$b/rootfs/proc/sys/net/ipv4/ip_forward"
	echo 0 >"$b/rootfs/proc/self/oom_score_adj"
	cfg "$b" '.mounts |= map(select(.destination != "/proc"))
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	expect_fail hkr run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" 'linux.sysctl: /proc is not a procfs'
	assert_eq 0 "$(cat "$b/rootfs/proc/sys/net/ipv4/ip_forward")" "fake file untouched"
	assert_eq "" "$(ls "$T/state" 2>/dev/null)" "no state left"
	# oomScoreAdj is written before pivot_root, through the host's procfs:
	# it applies, and the image's fake file stays as it was
	cfg "$b" 'del(.linux.sysctl) | .process.oomScoreAdj = 100'
	setargs "$b" sh -c 'cat /proc/self/oom_score_adj'
	assert_eq 0 "$(hkr run -b "$b" "$(newid)")" "the fake file, read in the container"
	assert_eq 0 "$(cat "$b/rootfs/proc/self/oom_score_adj")" "fake file untouched"
}

# An image whose /proc is a symlink: refused, as runc does (a procfs
# mounted where the link points could be covered by a later mount, leaving
# a fake /proc in front of the real one); nothing reaches the host path.
test_proc_symlink_in_image_refused() {
	local b
	mkdir -p "$T/hostdir"
	b=$(mkbundle)
	rm -rf "$b/rootfs/proc"
	ln -s "$T/hostdir" "$b/rootfs/proc"
	expect_fail hkr run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" 'filesystem "proc" must be mounted on an ordinary directory (/proc is a symlink)'
	assert_eq "" "$(ls -A "$T/hostdir")" "host directory untouched"
	mountpoint -q "$T/hostdir" && fail "procfs mounted on the host path"
	assert_eq "" "$(ls "$T/state" 2>/dev/null)" "no state left"
}

# No procfs in the container and a fake one in the image: the bounding set
# is still dropped to the config's (husk asks the kernel for the last
# capability, not /proc/sys/kernel/cap_last_cap), and `create` still waits
# for `start` (the exec fifo is reopened only through a verified procfs,
# and checked to be the fifo).
test_fake_proc_cannot_keep_caps_or_skip_start() {
	local b id pid fd
	b=$(mkbundle)
	rm -rf "$b/rootfs/proc"
	mkdir -p "$b/rootfs/proc/sys/kernel" "$b/rootfs/proc/self/fd" "$b/rootfs/proc/thread-self/fd"
	echo 0 >"$b/rootfs/proc/sys/kernel/cap_last_cap"
	for fd in $(seq 3 40); do
		ln -s /dev/null "$b/rootfs/proc/self/fd/$fd"
		ln -s /dev/null "$b/rootfs/proc/thread-self/fd/$fd"
	done
	cfg "$b" '.mounts |= map(select(.destination != "/proc")) | .root.readonly = false
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []'
	setargs "$b" sh -c 'touch /ran; exec sleep 600'
	id=$(newid)
	delete_at_exit "$id"
	# (create + start needs a procfs in the container: a foreground run)
	hkr run -b "$b" "$id" &
	local runner=$!
	wait_status "$id" running
	pid=$(hkr state "$id" | jq -r .pid)
	local bnd
	bnd=$(sed -n 's/^CapBnd:\t//p' "/proc/$pid/status")
	hkr kill "$id" KILL
	wait $runner || true
	# husk spec's: CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE
	assert_eq 0000000020000420 "$bnd" "the config's bounding set"
	rm -f "$b/rootfs/ran"
	hkr create -b "$b" "$id"
	sleep 0.5
	[ ! -e "$b/rootfs/ran" ] || fail "the program ran before start"
	hkr delete -f "$id"
}

# masks and read-only paths are attached to the resolved fd, so a masked
# path that is a symlink to a host file masks the container's copy only.
test_masks_ignore_fake_proc_self_fd() {
	local b out
	b=$(mkbundle)
	echo secret >"$b/rootfs/secret"
	mkdir -p "$b/rootfs/rodir"
	cfg "$b" '.linux.maskedPaths += ["/secret"] | .linux.readonlyPaths += ["/rodir"]
		| .mounts += [{"destination": "/proc/self", "type": "tmpfs", "source": "tmpfs"}]'
	setargs "$b" sh -c 'cat /secret; echo x; touch /rodir/f 2>&1 || echo ro'
	out=$(hkr run -b "$b" "$(newid)" 2>&1)
	assert_contains "$out" x
	assert_not_contains "$out" secret "masked"
	assert_contains "$out" ro "read-only"
}
