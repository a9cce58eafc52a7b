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

# An image whose /proc is a symlink to a host path: the procfs is mounted
# inside the rootfs, where the link resolves there, and is a real one.
test_proc_symlink_in_image_stays_inside() {
	local b out
	mkdir -p "$T/hostdir"
	b=$(mkbundle)
	rm -rf "$b/rootfs/proc"
	ln -s "$T/hostdir" "$b/rootfs/proc"
	cfg "$b" '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .process.oomScoreAdj = 100'
	setargs "$b" sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/self/oom_score_adj; ls /proc/1/ns | wc -l'
	out=$(hkr run -b "$b" "$(newid)")
	assert_eq "1
100" "$(echo "$out" | head -2)"
	[ "$(echo "$out" | tail -1)" -gt 3 ] || fail "no real procfs: $out"
	assert_eq "" "$(ls -A "$T/hostdir")" "host directory untouched"
	mountpoint -q "$T/hostdir" && fail "procfs mounted on the host path"
	return 0
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
