#!/bin/bash
# selfexe.sh HUSK - the cost of protecting a rootless user's own husk
# binary (CVE-2019-5736, src/linux/selfexe.c): time a rootless `run` of
# /bin/true by an ordinary user ($BENCH_USER, default nobody) with a copy
# of husk the user owns (re-executed from a read-only view) and with a
# root-owned copy (out of the user's containers' reach: not re-executed),
# interleaved rounds; prints the median ms of each.  Run as root.
# ROUNDS=N (default 40).
set -euo pipefail
husk=${1:?usage: selfexe.sh HUSK}
rounds=${ROUNDS:-40}
user=${BENCH_USER:-nobody}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/husk-bench-selfexe.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
uid=$(id -u "$user") gid=$(id -g "$user")
as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups env -i PATH="$PATH" HOME="$work" "$@"; }
"$here/tests/mkrootfs.sh" "$work/bundle/rootfs"
install -m 0755 "$husk" "$work/husk-root"
install -m 0755 -o "$uid" -g "$gid" "$husk" "$work/husk-user"
install -d -o "$uid" -g "$gid" "$work/state-user" "$work/state-root"
chown "$uid:$gid" "$work/bundle"
(cd "$work/bundle" && as_user "$work/husk-root" spec --rootless)
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$work/bundle/config.json" >"$work/c"
install -m 0644 -o "$uid" -g "$gid" "$work/c" "$work/bundle/config.json"
cat >"$work/inner.sh" <<INNER
cd $work/bundle
for r in \$(seq $rounds); do
	for k in user root; do
		s=\${EPOCHREALTIME/./}
		$work/husk-\$k --root $work/state-\$k run bench-\$k-\$r >/dev/null
		e=\${EPOCHREALTIME/./}
		echo "\$k \$(( e - s ))"
	done
done
INNER
as_user bash "$work/inner.sh" >"$work/times"
echo "rootless run of /bin/true by $user, $rounds interleaved rounds (median ms per container):"
for k in user root; do
	med=$(awk -v k="$k" '$1 == k {print $2}' "$work/times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '  %-38s %7.2f ms\n' "$([ $k = user ] && echo "user-owned husk (re-executed)" || echo "root-owned husk (left as it is)")" "$(echo "$med / 1000" | bc -l)"
done
