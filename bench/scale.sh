#!/bin/bash
# scale.sh HUSK [ROOTFS] - husk with many containers, on start.sh's bundle
# (/bin/true, not started: created containers, their processes waiting for
# `start`; each in its own cgroup, husk's default husk-ID):
#
#   parallel     100 containers created 10 at a time (xargs -P10): the
#                failures, the wall time; then deleted 10 at a time
#   list         `husk list` with 1 container and with 1,000 (median)
#   state        `husk state` of one container with 1 and with 1,000
#                present (median; and its system calls, strace -c)
#
# and the performance issue's targets with PASS or MISS.  The 1,000 are
# real created containers, made 10 at a time (about 5 ms of CPU each), and
# deleted at the end (or on Ctrl-C: lib.sh's clean-up).  SAMPLES=N: the
# samples of each median (default 30).
set -euo pipefail
husk=$(realpath "${1:?usage: scale.sh HUSK [ROOTFS]}")
rootfs=${2:+$(realpath "$2")}
samples=${SAMPLES:-30}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_enter_ns "$@"
bench_setup bench-scale
if [ -z "$rootfs" ]; then
	rootfs=$work/rootfs
	"$here/../tests/mkrootfs.sh" "$rootfs"
fi
bench_template "$rootfs"
bench_bundle "$work/bundle" ""
root=$work/state-husk
mkdir "$root"

# one.sh OP ID: `husk OP` on container ID (create: from the bundle, its
# stdio /dev/null); prints ok or fail, the errors go to $work/errors
cat >"$work/one.sh" <<EOF
if [ "\$1" = create ]; then set -- create -b "$work/bundle" "\$2"; else set -- delete -f "\$2"; fi
if "$husk" --root "$root" "\$@" </dev/null >/dev/null 2>>"$work/errors"; then echo ok; else echo fail; fi
EOF
# parallel OP FIRST LAST: OP on containers $tag-FIRST..LAST, 10 at a time;
# prints the failures and the wall time (µs)
parallel() {
	local s=${EPOCHREALTIME/[.,]/} e fails
	fails=$(seq -f "$tag-%g" "$2" "$3" | xargs -P10 -n1 bash "$work/one.sh" "$1" | grep -c fail || true)
	e=${EPOCHREALTIME/[.,]/}
	echo "$fails $((e - s))"
}
# med CMD...: the median wall time (µs) of SAMPLES runs of CMD
med() {
	local _
	for _ in $(seq "$samples"); do bench_time "$@"; done | median
}
# calls CMD...: CMD's system calls (strace -f -c), "" without strace
calls() {
	command -v strace >/dev/null || return 0
	strace -f -c -o "$work/strace.out" "$@" >/dev/null
	awk '$NF == "total" {print $4}' "$work/strace.out"
}
created() {
	"$husk" --root "$root" list | awk '$3 == "created"' | wc -l
}

echo "one container ..." >&2
"$husk" --root "$root" create -b "$work/bundle" "$tag-0" </dev/null >/dev/null
list1=$(med "$husk" --root "$root" list)
state1=$(med "$husk" --root "$root" state "$tag-0")
calls1=$(calls "$husk" --root "$root" state "$tag-0")

echo "100 in parallel ..." >&2
r=$(parallel create 1 100) && read -r pfail ptime <<<"$r"
pcreated=$(($(created) - 1))
r=$(parallel delete 1 100) && read -r dfail dtime <<<"$r"

echo "1,000 ..." >&2
r=$(parallel create 1 999) && read -r kfail ktime <<<"$r"
kcreated=$(created)
# the kernel finishes its work on 8,000 new cgroups (v1) in the background:
# timed at once, `state` and `list` pay for it now and then (0.95 instead
# of 0.7 ms), which is not what they cost
sleep "${SETTLE:-2}"
list1000=$(med "$husk" --root "$root" list)
state1000=$(med "$husk" --root "$root" state "$tag-0")
calls1000=$(calls "$husk" --root "$root" state "$tag-0")
r=$(parallel delete 0 999) && read -r kdfail kdtime <<<"$r"
left=$(find "$root" -mindepth 1 -maxdepth 1 | wc -l)

echo "husk $("$husk" --version | head -1 | awk '{print $NF}'), created (not started) containers of /bin/true; medians of $samples"
printf '%-40s %s\n' \
	"100 created, 10 at a time" "$pfail failed, $pcreated listed as created, $(ms "$ptime") ms in all" \
	"100 deleted (-f), 10 at a time" "$dfail failed, $(ms "$dtime") ms in all" \
	"1,000 created, 10 at a time" "$kfail failed, $kcreated listed as created, $(ms "$ktime") ms in all" \
	"1,000 deleted (-f), 10 at a time" "$kdfail failed, $(ms "$kdtime") ms in all, $left left" \
	"list, 1 container" "$(ms "$list1") ms" \
	"list, 1,000 containers" "$(ms "$list1000") ms" \
	"state, 1 container present" "$(ms "$state1") ms, ${calls1:--} syscalls" \
	"state, 1,000 containers present" "$(ms "$state1000") ms, ${calls1000:--} syscalls"
[ -s "$work/errors" ] && sed 's/^/  error: /' "$work/errors" | sort | uniq -c | head -5
echo "targets for husk (performance issue):"
target "100 created in parallel" "no failure" "$pfail failed" "$([ "$pfail" = 0 ] && [ "$pcreated" = 100 ] && echo 1 || echo 0)"
target "list, 1,000 containers" "< 50 ms" "$(ms "$list1000") ms" "$(le "$list1000" 49999)"
# independent of the count: within 20% (the noise of a 1 ms figure here)
target "state, 1,000 vs 1 present" "independent (<= 1.2x)" "$(ratio "$state1000" "$state1")x" \
	"$(le "$(ratio "$state1000" "$state1")" 1.2)"
