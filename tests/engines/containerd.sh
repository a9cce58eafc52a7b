# containerd.sh - a private containerd (tests/engines/containerd.toml.in)
# and ctr driving the runtime through the runc shim v2 (sourced by
# integration/test_engines.sh).
#
#   cd_setup        start containerd (state under a short /tmp dir: unix
#                   socket paths), wait for it; installs cd_teardown as the
#                   EXIT trap
#   c ARGS...       ctr against it (namespace hk)
#   c_run ARGS...   ctr run --runc-binary (the wrapped runtime) --rootfs
#                   with the test's cgroup: c_run [OPTS] ID CMD...
#   cd_task_stopped ID   task ID is STOPPED
#   cd_teardown     tasks killed, containers deleted, containerd stopped

cd_setup() {
	eng_trace
	local d
	d=$(mktemp -d /tmp/hk-cd.XXXXXX) || return 1
	mkdir -p "$T/eng"
	ln -s "$d" "$T/eng/containerd"
	CD_DIR=$d
	eng_runtime_wrapper
	eng_cgroup_parent containerd
	sed -e "s|@D@|$d|g" "$HK_TESTS_DIR/engines/containerd.toml.in" >"$d/config.toml"
	trap cd_teardown EXIT
	REAPER_PIDFILE=$T/eng/reapers "$ENG_REAPER" sh -c \
		'containerd --config "$1" >"$2" 2>&1 & echo $! >"$3"; wait' \
		sh "$d/config.toml" "$T/eng/containerd.log" "$d/pid" &
	wait_until 30 cd_up || { tail -20 "$T/eng/containerd.log" >&2; fail "containerd did not start"; }
	cp -a "$ROOTFS" "$T/eng/rootfs"
}

# containerd answers on its socket
cd_up() { [ -S "$CD_DIR/c.sock" ] && c version >/dev/null 2>&1; }

cd_task_stopped() { c task ls 2>/dev/null | grep -q "^$1 .*STOPPED"; }

c() {
	ctr --address "$CD_DIR/c.sock" --namespace hk "$@"
}

# c_run [--OPT=VAL...] ID CMD...: options in one word each; the container
# gets the cgroup $ENG_CG/ID
c_run() {
	local opts=()
	while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do opts+=("$1"); shift; done
	local id=$1
	shift
	c run --runc-binary "$ENG_RT" \
		--cgroup "$ENG_CG/$id" --env PATH=/usr/sbin:/usr/bin:/sbin:/bin --rootfs "${opts[@]}" \
		"$T/eng/rootfs" "$id" "$@"
}

# cd_teardown [RC]: RC the test's status (default $?)
cd_teardown() {
	local rc=${1:-$?} r=0 id p
	# (an EXIT trap: nothing here may end it early under the test's set -e)
	set +e
	trap - EXIT
	for id in $(c task ls -q 2>/dev/null); do
		c task kill -a -s KILL "$id" >/dev/null 2>&1
	done
	for id in $(c task ls -q 2>/dev/null); do
		wait_until 5 cd_task_stopped "$id"
		c task delete -f "$id" >/dev/null 2>&1 || { echo "FAILED: teardown: ctr task delete $id" >&2; r=1; }
	done
	for id in $(c container ls -q 2>/dev/null); do
		c container delete "$id" >/dev/null 2>&1 || { echo "FAILED: teardown: ctr container delete $id" >&2; r=1; }
	done
	p=$(cat "$CD_DIR/pid" 2>/dev/null)
	[ -n "$p" ] && kill "$p" 2>/dev/null
	eng_wait_reapers || r=1
	if grep -q " $CD_DIR/" /proc/self/mountinfo; then
		echo "FAILED: mounts left under $CD_DIR" >&2
		grep " $CD_DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
			while read -r m; do umount -l "$m"; done
		r=1
	fi
	eng_cgroup_cleanup || { echo "FAILED: teardown: cgroups $ENG_CG left" >&2; r=1; }
	rm -rf "$CD_DIR"
	# (containerd 1.6 keeps shim sockets in /run/containerd/s and fifos in
	# /run/containerd/fifo whatever its config says; the shim gives the
	# runtime --root /run/containerd/runc/NAMESPACE): remove them when empty
	rmdir /run/containerd/runc/hk /run/containerd/runc /run/containerd/s \
		/run/containerd/fifo /run/containerd 2>/dev/null || true
	[ $rc -ne 0 ] && eng_log_tail && tail -5 "$T/eng/containerd.log" >&2
	[ $rc -eq 0 ] && [ $r -ne 0 ] && rc=1
	exit $rc
}
