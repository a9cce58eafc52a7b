# docker.sh - a private dockerd (docker.io 20.10) on the private containerd
# of containerd.sh, driving the runtime as its default runtime "husk"
# (sourced by integration/test_engines.sh).  No networking (no bridge, no
# iptables: containers run with --network none), the vfs storage driver,
# state, sockets and configs under a short /tmp dir, containers' cgroups
# below $ENG_CG.
#
#   dk_setup        containerd (cd_setup), then dockerd; imports the test
#                   rootfs as the image hkbusybox; installs dk_teardown as
#                   the EXIT trap
#   dk ARGS...      the docker client against it
#   dk_run ARGS...  docker run --network none ARGS...
#   dk_teardown     containers removed, dockerd stopped, then cd_teardown;
#                   the dirs dockerd makes whatever its options say
#                   (/run/docker/plugins) removed when it made them

DK_HOST_DIRS="/run/docker/plugins /run/docker"

dk_setup() {
	local d p
	cd_setup
	d=$(mktemp -d /tmp/hk-dk.XXXXXX) || return 1
	ln -s "$d" "$T/eng/docker"
	DK_DIR=$d
	DK_MADE=""
	for p in $DK_HOST_DIRS; do [ -e "$p" ] || DK_MADE="$DK_MADE $p"; done
	trap dk_teardown EXIT
	# (the trust key would go to /etc/docker/key.json)
	printf '{"deprecated-key-path": "%s"}\n' "$d/key.json" >"$d/daemon.json"
	mkdir "$d/cli"
	REAPER_PIDFILE=$T/eng/reapers "$ENG_REAPER" sh -c \
		'l=$1 p=$2; shift 2; dockerd "$@" >"$l" 2>&1 & echo $! >"$p"; wait' \
		sh "$T/eng/dockerd.log" "$d/dockerd.pid" \
		--config-file "$d/daemon.json" --data-root "$d/root" --exec-root "$d/exec" \
		--pidfile "$d/pid" -H "unix://$d/docker.sock" \
		--iptables=false --ip6tables=false --ip-masq=false --bridge=none \
		--userland-proxy=false --storage-driver vfs \
		--containerd "$CD_DIR/c.sock" --containerd-namespace hk \
		--containerd-plugins-namespace hk-plugins \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$ENG_CG" \
		--add-runtime "husk=$ENG_RT" --default-runtime husk &
	wait_until 30 dk_up || { tail -20 "$T/eng/dockerd.log" >&2; fail "dockerd did not start"; }
	tar -C "$ROOTFS" -c . | dk import - hkbusybox >/dev/null || fail "docker import of the test rootfs"
}

dk() {
	DOCKER_CONFIG=$DK_DIR/cli /usr/bin/docker -H "unix://$DK_DIR/docker.sock" "$@"
}

# dockerd answers on its socket
dk_up() { [ -S "$DK_DIR/docker.sock" ] && dk version >/dev/null 2>&1; }

dk_run() {
	dk run --network none "$@"
}

dk_teardown() {
	local rc=$? r=0 p ids
	# (an EXIT trap: nothing here may end it early under the test's set -e)
	set +e
	trap - EXIT
	ids=$(dk ps -aq 2>/dev/null)
	if [ -n "$ids" ]; then
		# shellcheck disable=SC2086
		dk rm -f $ids >/dev/null 2>&1 || { echo "FAILED: teardown: docker rm -f" >&2; r=1; }
	fi
	p=$(cat "$DK_DIR/dockerd.pid" 2>/dev/null)
	if [ -n "$p" ] && kill "$p" 2>/dev/null; then
		if ! wait_until 15 test ! -d "/proc/$p"; then
			echo "FAILED: teardown: dockerd $p still running 15 s after TERM" >&2
			kill -9 "$p"
			r=1
		fi
	fi
	if grep -q " $DK_DIR/" /proc/self/mountinfo; then
		echo "FAILED: mounts left under $DK_DIR" >&2
		grep " $DK_DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
			while read -r m; do umount -l "$m"; done
		r=1
	fi
	[ $rc -ne 0 ] && grep -E 'level=(error|fatal)' "$T/eng/dockerd.log" | tail -3 | cut -c1-300 >&2
	rm -rf "$DK_DIR"
	for p in $DK_MADE; do rmdir "$p" 2>/dev/null; done
	[ $rc -eq 0 ] && [ $r -ne 0 ] && rc=1
	cd_teardown $rc
}
