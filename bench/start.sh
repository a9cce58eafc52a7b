#!/bin/bash
# start.sh HUSK - time `run` of /bin/true: husk vs crun and runc (those
# installed), on the same bundle, interleaved rounds; prints the median ms
# per container and the ratio to crun.  ROUNDS=N (default 30).
# SECCOMP=FILE: the bundle's linux.seccomp is FILE (e.g.
# tests/seccomp-default.json, podman's default profile).
# LIFECYCLE=1: time `create`, `start` and `delete --force` instead (the
# three commands together).
# GAP=SECONDS: pause between two containers (default none: back to back).
# Starts a while apart meet a colder kernel: on cgroup v1 the first
# cgroup.procs write after a quiet moment waits for an RCU grace period.
#
# Times are taken with bash's $EPOCHREALTIME, not $(date): forking and
# starting date(1) for every sample would add ~2 ms to each runtime's time.
#
# crun 1.8 refuses this kind of hybrid cgroup host (a controller-less
# cgroup2 mount at /sys/fs/cgroup/unified): every runtime is therefore run
# inside one private mount namespace with a tmpfs over that mount, so all
# three see the same v1 layout.
set -euo pipefail
husk=${1:?usage: start.sh HUSK}
rounds=${ROUNDS:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/husk-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/tests/mkrootfs.sh" "$work/bundle/rootfs"
(cd "$work/bundle" && "$husk" spec)
jq '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"] | .linux.cgroupsPath = "husk-bench"' \
	"$work/bundle/config.json" >"$work/c" && mv "$work/c" "$work/bundle/config.json"
if [ -n "${SECCOMP:-}" ]; then
	jq --slurpfile p "$SECCOMP" '.linux.seccomp = $p[0]' "$work/bundle/config.json" >"$work/c" &&
		mv "$work/c" "$work/bundle/config.json"
fi

runtimes="husk"
command -v crun >/dev/null && runtimes="$runtimes crun"
command -v runc >/dev/null && runtimes="$runtimes runc"

cat >"$work/inner.sh" <<INNER
set -e
if [ -d /sys/fs/cgroup/unified ] && [ "\$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
	mount -t tmpfs none /sys/fs/cgroup/unified
fi
for r in \$(seq $rounds); do
	for rt in $runtimes; do
		bin=\$rt; [ \$rt = husk ] && bin=$husk
		id=bench-\$rt-\$r
		s=\${EPOCHREALTIME/./}
		if [ -n "${LIFECYCLE:-}" ]; then
			\$bin --root $work/state-\$rt create -b $work/bundle \$id >/dev/null
			\$bin --root $work/state-\$rt start \$id >/dev/null
			\$bin --root $work/state-\$rt delete --force \$id >/dev/null
		else
			\$bin --root $work/state-\$rt run -b $work/bundle \$id >/dev/null
		fi
		e=\${EPOCHREALTIME/./}
		echo "\$rt \$(( e - s ))"
		${GAP:+sleep $GAP}
	done
done
INNER
unshare -m --propagation private bash "$work/inner.sh" >"$work/times"
what="run"
[ -z "${LIFECYCLE:-}" ] || what="create, start, delete"
echo "$what of /bin/true${SECCOMP:+ with linux.seccomp $SECCOMP}${GAP:+, ${GAP} s apart}, $rounds interleaved rounds (median ms per container):"
crun_med=""
for rt in $runtimes; do
	med=$(awk -v r="$rt" '$1 == r {print $2}' "$work/times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	eval "med_$rt=$med"
	[ "$rt" = crun ] && crun_med=$med
done
for rt in $runtimes; do
	eval "m=\$med_$rt"
	if [ -n "$crun_med" ]; then
		printf '  %-5s %7.2f ms  (%.2fx crun)\n' "$rt" "$(echo "$m / 1000" | bc -l)" "$(echo "$m / $crun_med" | bc -l)"
	else
		printf '  %-5s %7.2f ms\n' "$rt" "$(echo "$m / 1000" | bc -l)"
	fi
done
