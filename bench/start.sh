#!/bin/bash
# start.sh HUSK [ROOTFS] - husk against crun and runc (those installed), on
# the same bundle: `husk spec`'s config running /bin/true without a
# terminal, on ROOTFS (default: a fresh busybox one).  Per runtime:
#
#   run          wall time of `run` (median)
#   lifecycle    create + start + delete --force, one after the other (median)
#   exec         `exec` of /bin/true in a running container (median)
#   faults       page faults (minor + major) of `run`, all its processes
#   syscalls     system calls of `run`, all its processes (strace -f -c)
#   peak RSS     the largest peak RSS of any one of `run`'s processes
#   ... runtime only   faults and peak RSS of `run` with bench/exit0.c as
#                the container's process (one page, no C library) instead
#                of /bin/true: what the runtime's own processes cost (the
#                container's process is the runtime's until its execve;
#                the peak it reaches before stays its peak after)
#
# with each runtime's ratio to husk; /bin/true's own counts without a
# runtime; the floor: bench/floor.c, the same kernel work as `run` (the
# cgroups, namespaces, mounts, pivot_root, capabilities, exec of
# /bin/true) with nothing of a runtime, timed and counted in the same
# rounds, and as create, start and delete (three processes, a fifo
# between the first two) and as exec (into husk's running container) -
# what any runtime costs on this machine at least; then the performance
# issue's targets for husk with PASS or MISS, and what the floor says of
# each time target.  Times: ROUNDS interleaved rounds (default
# 30: each round times every runtime once, so a slow phase of the machine
# hits them all); counts: COUNT_ROUNDS rounds (default 5), median.
# SECCOMP=FILE: the bundle's linux.seccomp is FILE (e.g.
# tests/seccomp-default.json, podman's default profile).
set -euo pipefail
husk=$(realpath "${1:?usage: start.sh HUSK [ROOTFS]}")
rootfs=${2:+$(realpath "$2")}
rounds=${ROUNDS:-30}
counts=${COUNT_ROUNDS:-5}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_enter_ns "$@"
bench_setup bench
runtimes=$(bench_runtimes)

# the page faults and peak RSS of all of `run`'s processes: bench/rusage.c,
# static when it can be (see there: its own RSS is a floor under the peak
# it measures)
if ! cc -O2 -Wall -Wextra -Werror -static -o "$work/rusage" "$here/rusage.c" 2>/dev/null; then
	echo "bench: no static C library: rusage linked dynamically, its ~1.1 MiB a floor under peak RSS" >&2
	cc -O2 -Wall -Wextra -Werror -o "$work/rusage" "$here/rusage.c"
fi
# the container's process of the "runtime only" counts: bound from
# $work/bin onto the rootfs's /tmp (no change to ROOTFS)
mkdir "$work/bin"
cc -O2 -static -nostdlib -fno-stack-protector -o "$work/bin/exit0" "$here/exit0.c"
if [ -z "$rootfs" ]; then
	rootfs=$work/rootfs
	"$here/../tests/mkrootfs.sh" "$rootfs"
fi
# the floor, static as husk is (its cgroups: hkb-$tag-floor, which the
# clean-up sweeps if it fails half-way); tried once, left out (floor="")
# where it cannot be built or run (kernel headers or a kernel before 5.7,
# a rootfs without proc, dev and sys directories)
floor=$work/floor
# floor_lifecycle DIR: its create, start and delete --force, one after the other
floor_lifecycle() {
	"$floor" create "$rootfs" "hkb-$tag-floor" "$1" && "$floor" start "$1" &&
		"$floor" delete "$1" "hkb-$tag-floor"
}
if ! cc -O2 -Wall -Wextra -Werror -static -o "$floor" "$here/floor.c" 2>/dev/null &&
	! cc -O2 -Wall -Wextra -Werror -o "$floor" "$here/floor.c" 2>"$work/floor.err"; then
	echo "bench: no floor: bench/floor.c does not build: $(head -1 "$work/floor.err")" >&2
	floor=""
elif ! { "$floor" "$rootfs" "hkb-$tag-floor" && floor_lifecycle "$work/floor-check"; } \
	>/dev/null 2>"$work/floor.err"; then
	echo "bench: no floor: $(head -1 "$work/floor.err")" >&2
	floor=""
fi
bench_template "$rootfs"
for rt in $runtimes; do
	bench_bundle "$work/run-$rt" "hkb-$tag-$rt"
	bench_bundle "$work/exec-$rt" "hkb-$tag-$rt-exec" sleep 1000000
	bench_bundle "$work/own-$rt" "hkb-$tag-$rt-own" /tmp/exit0
	jq --arg bin "$work/bin" '.mounts += [{"destination": "/tmp", "type": "bind",
		"source": $bin, "options": ["rbind", "ro"]}]' "$work/own-$rt/config.json" >"$work/own.json"
	mv "$work/own.json" "$work/own-$rt/config.json"
	mkdir "$work/state-$rt"
done

lifecycle() { # BIN ROOT BUNDLE ID
	"$1" --root "$2" create -b "$3" "$4" </dev/null &&
		"$1" --root "$2" start "$4" &&
		"$1" --root "$2" delete -f "$4"
}

# the containers `exec` enters: sleep, started once
for rt in $runtimes; do
	bin=$(bench_bin "$rt")
	"$bin" --root "$work/state-$rt" create -b "$work/exec-$rt" sleeper </dev/null >/dev/null 2>&1
	"$bin" --root "$work/state-$rt" start sleeper
done
# the floor's exec enters husk's sleeper
floor_exec=""
if [ -n "$floor" ]; then
	floor_exec=$("$husk" --root "$work/state-husk" state sleeper | jq .pid)
	if ! "$floor" exec "$floor_exec" >/dev/null 2>"$work/floor.err"; then
		echo "bench: no floor for exec: $(head -1 "$work/floor.err")" >&2
		floor_exec=""
	fi
fi

echo "timing: $rounds interleaved rounds of $runtimes ..." >&2
for r in $(seq "$rounds"); do
	for rt in $runtimes; do
		bin=$(bench_bin "$rt") root=$work/state-$rt
		t=$(bench_time "$bin" --root "$root" run -b "$work/run-$rt" "run$r")
		echo "$rt run $t"
		t=$(bench_time lifecycle "$bin" "$root" "$work/run-$rt" "cycle$r")
		echo "$rt lifecycle $t"
		t=$(bench_time "$bin" --root "$root" exec sleeper /bin/true)
		echo "$rt exec $t"
	done
	if [ -n "$floor" ]; then
		t=$(bench_time "$floor" "$rootfs" "hkb-$tag-floor")
		echo "floor run $t"
		t=$(bench_time floor_lifecycle "$work/floor-$r")
		echo "floor lifecycle $t"
	fi
	if [ -n "$floor_exec" ]; then
		t=$(bench_time "$floor" exec "$floor_exec")
		echo "floor exec $t"
	fi
done >"$work/times"

# counts PREFIX BUNDLE ID: page faults and peak RSS of $rt's `run` of
# BUNDLE, as "$rt PREFIXfaults N" and "$rt PREFIXrss N"
counts() {
	"$work/rusage" "$bin" --root "$root" run -b "$2" "$3" 2>"$work/rusage.out" >/dev/null
	rusage_figures "$rt $1"
}
# rusage_figures LABEL: rusage's faults and peak RSS as "LABELfaults N"
# and "LABELrss N"
rusage_figures() {
	sed -n 's/^rusage faults=\([0-9]*\) maxrss=\([0-9]*\) .*/'"$1"'faults \1\n'"$1"'rss \2/p' \
		"$work/rusage.out"
}
# syscalls LABEL CMD...: CMD's system calls, all its processes
syscalls() {
	local label=$1
	shift
	strace -f -c -o "$work/strace.out" "$@" >/dev/null
	awk -v l="$label" '$NF == "total" {print l, "syscalls", $4}' "$work/strace.out"
}

echo "counting: $counts rounds ..." >&2
for r in $(seq "$counts"); do
	for rt in $runtimes; do
		bin=$(bench_bin "$rt") root=$work/state-$rt
		counts "" "$work/run-$rt" "ru$r"
		counts own_ "$work/own-$rt" "own$r"
		if command -v strace >/dev/null; then
			syscalls "$rt" "$bin" --root "$root" run -b "$work/run-$rt" "st$r"
		fi
	done
	if [ -n "$floor" ]; then
		"$work/rusage" "$floor" "$rootfs" "hkb-$tag-floor" 2>"$work/rusage.out" >/dev/null
		rusage_figures "floor "
		if command -v strace >/dev/null; then
			syscalls floor "$floor" "$rootfs" "hkb-$tag-floor"
		fi
	fi
done >>"$work/times"

for rt in $runtimes; do
	"$(bench_bin "$rt")" --root "$work/state-$rt" delete -f sleeper
done

# what the container's /bin/true costs by itself, on the host: a floor
# under every runtime's counts (its peak RSS is mostly the static
# busybox's file pages, mapped 16 at a time by the kernel's fault-around)
"$work/rusage" "$rootfs/bin/true" 2>"$work/rusage.out"
alone=$(sed -n 's/^rusage faults=\([0-9]*\) maxrss=\([0-9]*\) .*/\1 page faults, \2 KiB peak RSS/p' "$work/rusage.out")
if command -v strace >/dev/null; then
	strace -f -c -o "$work/strace.out" "$rootfs/bin/true"
	alone="$alone, $(awk '$NF == "total" {print $4}' "$work/strace.out") syscalls"
fi

# fig RUNTIME WHAT: the median of that figure ("" when not measured)
fig() {
	awk -v rt="$1" -v k="$2" '$1 == rt && $2 == k {print $3}' "$work/times" | median
}
# row LABEL WHAT UNIT: one line, every runtime's figure and its ratio to husk
row() {
	local rt v h=""
	printf '%-22s' "$1"
	for rt in $runtimes; do
		v=$(fig "$rt" "$2")
		[ "$3" = ms ] && v=$(ms "$v")
		if [ "$rt" = husk ]; then
			h=$v
			printf '%12s %-5s' "$v" "$3"
		else
			printf '%12s %-5s(%5sx)' "$v" "$3" "$(ratio "$v" "$h")"
		fi
	done
	echo
}

echo "husk $("$husk" --version | head -1 | awk '{print $NF}')$(for rt in $runtimes; do
	[ "$rt" = husk ] || printf ', %s' "$("$rt" --version | head -1)"
done); run of /bin/true${SECCOMP:+ with linux.seccomp $SECCOMP}"
echo "times: median of $rounds interleaved rounds; counts: median of $counts; (Nx) = N times husk's"
printf '%-22s' ""
for rt in $runtimes; do
	if [ "$rt" = husk ]; then printf '%12s%6s' "$rt" ""; else printf '%12s%14s' "$rt" ""; fi
done
echo
row "run" run ms
row "create+start+delete" lifecycle ms
row "exec /bin/true" exec ms
row "page faults per run" faults ""
row "syscalls per run" syscalls ""
row "largest peak RSS" rss KiB
row "faults, runtime only" own_faults ""
row "peak RSS, runtime only" own_rss KiB
echo "(/bin/true alone, no runtime: $alone)"
# minus A B: "+(A - B)", "-" when either is missing
minus() {
	awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "") print "-"; else printf "%+g\n", a - b}'
}
fl_run=$(fig floor run)
if [ -n "$floor" ]; then
	fl_exec=$(fig floor exec)
	fl_exec_ms="not measured"
	[ -n "$fl_exec" ] && fl_exec_ms="$(ms "$fl_exec") ms"
	echo "floor (bench/floor.c: the same kernel work, no runtime${SECCOMP:+, no seccomp filter}):" \
		"run $(ms "$fl_run") ms, create+start+delete $(ms "$(fig floor lifecycle)") ms," \
		"exec $fl_exec_ms; run:" \
		"$(fig floor faults) page faults, $(fig floor syscalls) syscalls, $(fig floor rss) KiB peak RSS"
	echo "over the floor (what each runtime adds to it):"
	for rt in $runtimes; do
		printf '  %-6s run %8s ms %6s page faults %6s syscalls; create+start+delete %8s ms; exec %8s ms\n' \
			"$rt" "$(minus "$(ms "$(fig "$rt" run)")" "$(ms "$fl_run")")" \
			"$(minus "$(fig "$rt" faults)" "$(fig floor faults)")" \
			"$(minus "$(fig "$rt" syscalls)" "$(fig floor syscalls)")" \
			"$(minus "$(ms "$(fig "$rt" lifecycle)")" "$(ms "$(fig floor lifecycle)")")" \
			"$(minus "$(ms "$(fig "$rt" exec)")" "$(ms "$fl_exec")")"
	done
fi

# husk's figure as a fraction of crun's, for the targets
of_crun() {
	case " $runtimes " in *" crun "*) ratio "$(fig husk "$1")" "$(fig crun "$1")" ;; esac
}
faults=$(fig husk faults) syscalls=$(fig husk syscalls) rss=$(fig husk own_rss)
echo "targets for husk (performance issue):"
for t in "run run 0.35" "create+start+delete lifecycle 0.30" "exec exec 0.35"; do
	# shellcheck disable=SC2086 # the three words
	set -- $t
	v=$(of_crun "$2")
	target "$1" "<= ${3}x crun" "${v:+${v}x}" "$(le "$v" "$3")"
done
target "page faults per run" "< 120" "$faults" "$(le "$faults" 119)"
target "syscalls per run" "< 400" "$syscalls" "$(le "$syscalls" 399)"
# "largest husk process peak RSS": husk's processes, not /bin/true's
target "largest husk process peak RSS" "< 1 MiB" "$rss KiB" "$(le "$rss" 1023)"
if [ -n "$fl_run" ] && [ -n "$(fig crun run)" ]; then
	echo "against the floor:"
	for t in "run run 0.35" "create+start+delete lifecycle 0.30" "exec exec 0.35"; do
		# shellcheck disable=SC2086 # the three words
		set -- $t
		h=$(fig husk "$2") c=$(fig crun "$2") f=$(fig floor "$2")
		if [ -z "$h" ] || [ -z "$c" ] || [ -z "$f" ]; then
			continue
		fi
		echo "  $1: husk adds $(ratio "$((h - f))" "$((c - f))")x of what crun adds to the floor"
		limit=$(awk -v c="$c" -v r="$3" 'BEGIN {printf "%d", c * r}')
		if [ "$(le "$limit" "$f")" = 1 ]; then
			echo "    <= ${3}x crun is $(ms "$limit") ms here, at or below the floor's $(ms "$f") ms:" \
				"out of reach on this machine of a runtime that, like the floor, works one step" \
				"after the other"
		else
			echo "    <= ${3}x crun is $(ms "$limit") ms here, above the floor's $(ms "$f") ms:" \
				"$(ms "$((limit - f))") ms left for the runtime's own work"
		fi
	done
fi
