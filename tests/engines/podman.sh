# podman.sh - podman (through conmon) driving the runtime, with everything
# private under $T/eng/podman (sourced by integration/test_engines.sh).
#
#   pm_setup        configs, storage, the image localhost/hkbusybox (the
#                   test rootfs); installs pm_teardown as the EXIT trap
#   pm ARGS...      podman with those configs, the wrapped runtime
#                   (runtime name "husk", so that podman passes --log and
#                   --log-format=json) and a cgroup parent below our own
#   pm_teardown     rm -af, wait for conmon, cgroups removed

pm_setup() {
	eng_trace
	# a short path: with podman's state under a long $T (the test names),
	# every `podman wait` took 20 s (conmon's timeout: conmon's paths below
	# runroot and tmpdir get too long for a unix socket)
	local d
	d=$(mktemp -d /tmp/hk-pm.XXXXXX) || return 1
	mkdir -p "$T/eng"
	ln -s "$d" "$T/eng/podman"
	PM_DIR=$d
	mkdir -p "$d/tmp" "$d/net"
	eng_runtime_wrapper
	eng_cgroup_parent podman
	# podman's defaults (nofile, nproc 1048576) exceed our hard limits (no
	# CAP_SYS_RESOURCE); conmon runs with a lower nproc hard limit
	# (pid_max, 32768 here) than ours: stay well below both
	local nofile nproc
	nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
	[ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
	[ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ] && nproc=4096
	# (no static_dir, tmp_dir, volume_path: conmon's exit command gets
	# --root etc. on its command line and derives them; set here, they
	# would differ from its own and it would not find the container)
	sed -e "s|@NOFILE@|$nofile|g" -e "s|@NPROC@|$nproc|g" -e "s|@D@|$d|g" \
		-e "s|@RT@|$ENG_RT|g" -e "s|@CG@|$ENG_CG|g" \
		"$HK_TESTS_DIR/engines/containers.conf.in" >"$d/containers.conf"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$d/root" "$d/runroot" >"$d/storage.conf"
	echo 'unqualified-search-registries = []' >"$d/registries.conf"
	export CONTAINERS_CONF=$d/containers.conf CONTAINERS_STORAGE_CONF=$d/storage.conf
	export CONTAINERS_REGISTRIES_CONF=$d/registries.conf
	trap pm_teardown EXIT
	tar -C "$ROOTFS" -c . | pm import -q - localhost/hkbusybox >/dev/null ||
		fail "podman import of the test rootfs"
}

pm() {
	reap podman --tmpdir "$PM_DIR/tmp" "$@"
}

pm_teardown() {
	local rc=$? r=0
	# (an EXIT trap: nothing here may end it early under the test's set -e)
	set +e
	trap - EXIT
	pm rm -af -t 0 >/dev/null 2>&1 || { echo "FAILED: teardown: podman rm -af" >&2; r=1; }
	eng_wait_reapers || r=1
	# what podman mounted (shm of each container) must be gone
	if grep -q " $PM_DIR/" /proc/self/mountinfo; then
		echo "FAILED: mounts left under $PM_DIR" >&2
		grep " $PM_DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
			while read -r m; do umount -l "$m"; done
		r=1
	fi
	eng_cgroup_cleanup || { echo "FAILED: teardown: cgroups $ENG_CG left" >&2; r=1; }
	rm -rf "$PM_DIR"
	[ $rc -ne 0 ] && eng_log_tail
	[ $rc -eq 0 ] && [ $r -ne 0 ] && rc=1
	exit $rc
}

# pm_status_is NAME STATUS: podman inspect says .State.Status STATUS (the
# status it said in $s)
pm_status_is() {
	s=$(pm inspect -f '{{.State.Status}}' "$1" 2>/dev/null) || s=
	[ "$s" = "$2" ]
}

# pm_wait_status NAME STATUS: until podman inspect says .State.Status STATUS
pm_wait_status() {
	local s
	wait_until 30 pm_status_is "$1" "$2" || fail "container $1: status [$s], expected $2"
}

# podman run with the test's cgroup parent
pm_run() {
	pm run --cgroup-parent "$ENG_CG" "$@"
}
