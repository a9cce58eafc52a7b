# lib.sh - sourced by the bench/ scripts: the mount namespace they run in,
# the bundles, timing, medians, the PASS/MISS lines and the clean-up.
#
# Every script re-executes itself in a private mount namespace
# (bench_enter_ns) where a tmpfs covers /sys/fs/cgroup/unified: crun 1.8
# refuses this kind of hybrid cgroup host (a controller-less cgroup2 mount
# there), so all runtimes are run on the same plain v1 layout.  The
# clean-up runs in the same namespace, from the EXIT trap, also after
# Ctrl-C or SIGTERM: every container a runtime still has in its --root is
# deleted (--force), the processes left in the bench's own cgroups are
# killed, those cgroups removed, and the work directory too.

# shellcheck shell=bash disable=SC2154 # husk, work, tag: set by the scripts, bench_setup

# bench_enter_ns ARGS: re-execute the calling script in the namespace (with
# ARGS), or, once in it, cover the cgroup2 mount.
bench_enter_ns() {
	if [ -z "${HK_BENCH_NS:-}" ]; then
		HK_BENCH_NS=1 exec unshare -m --propagation private bash "$0" "$@"
	fi
	if [ -d /sys/fs/cgroup/unified ] && [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
		mount -t tmpfs none /sys/fs/cgroup/unified
	fi
}

# bench_setup NAME: the work directory ($work) and $tag, unique to this
# run: container ids and cgroup names carry $tag, so that benches run at
# the same time (another worktree's) never share or remove each other's.
bench_setup() {
	work=$(mktemp -d "/tmp/husk-$1.XXXXXX")
	tag=${work##*.}
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# bench_bin RUNTIME: the command that runs RUNTIME.
bench_bin() {
	if [ "$1" = husk ]; then echo "$husk"; else echo "$1"; fi
}

# bench_runtimes: husk, then crun and runc when installed.
bench_runtimes() {
	local r=husk
	command -v crun >/dev/null && r="$r crun"
	command -v runc >/dev/null && r="$r runc"
	echo "$r"
}

# bench_template ROOTFS: $work/config.json, husk's default config (`husk
# spec`) running /bin/true without a terminal on the rootfs ROOTFS
# (absolute: one rootfs for all bundles).  ociVersion 1.0.2: crun 1.8.1
# refuses the version husk writes ("unknown version specified").
bench_template() {
	(cd "$work" && "$husk" spec)
	jq --arg root "$1" '.ociVersion = "1.0.2" | .process.terminal = false |
		.process.args = ["/bin/true"] | .root.path = $root' \
		"$work/config.json" >"$work/config.tmp"
	mv "$work/config.tmp" "$work/config.json"
	if [ -n "${SECCOMP:-}" ]; then
		jq --slurpfile p "$SECCOMP" '.linux.seccomp = $p[0]' "$work/config.json" >"$work/config.tmp"
		mv "$work/config.tmp" "$work/config.json"
	fi
}

# bench_bundle DIR CGROUP [ARG...]: a bundle in DIR from the template, with
# linux.cgroupsPath CGROUP (relative: below the runtime's own cgroup; ""
# for none: the runtime's default) and process.args ARG... if given.
bench_bundle() {
	local dir=$1 cg=$2
	shift 2
	mkdir -p "$dir"
	jq --arg cg "$cg" --args 'if $cg == "" then del(.linux.cgroupsPath)
		else .linux.cgroupsPath = $cg end |
		if $ARGS.positional != [] then .process.args = $ARGS.positional else . end' \
		"$@" <"$work/config.json" >"$dir/config.json"
}

# bench_time CMD...: CMD's wall time in µs (output discarded; a failure
# ends the bench).  $EPOCHREALTIME, not date(1): starting date for every
# sample would add milliseconds.
bench_time() {
	local s=${EPOCHREALTIME/[.,]/} e
	if ! "$@" >/dev/null; then
		echo "bench: failed: $*" >&2
		return 1
	fi
	e=${EPOCHREALTIME/[.,]/}
	echo $((e - s))
}

# median: the median of the numbers on stdin (the lower one of the middle
# two for an even count).
median() {
	sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'
}

# ms MICROSECONDS: as milliseconds, two decimals.
ms() {
	awk -v u="$1" 'BEGIN {if (u != "") printf "%.2f", u / 1000}'
}

# ratio A B: A / B, two decimals ("-" when B is missing or 0).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 == 0) print "-"; else printf "%.2f", a / b}'
}

# target WHAT GOAL VALUE OK: one line of the targets table; OK is 1 for
# PASS, 0 for MISS, "" when it could not be measured.
target() {
	local verdict=MISS
	[ "$4" = 1 ] && verdict=PASS
	[ -z "$4" ] && verdict=n/a
	printf '  %-30s %-22s %-14s %s\n' "$1" "$2" "$3" "$verdict"
}

# le A B: 1 if A <= B, else 0 ("" when either is missing).
le() {
	awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "" || a == "-" || b == "-") print "";
		else print (a + 0 <= b + 0) ? 1 : 0}'
}

bench_cleanup() {
	local rc=$? root rt id pids
	trap - EXIT INT TERM
	# our own background jobs first (a parallel batch interrupted)
	pids=$(jobs -p)
	# shellcheck disable=SC2086 # one pid a word
	[ -n "$pids" ] && kill $pids 2>/dev/null && wait 2>/dev/null
	[ -n "${work:-}" ] && [ -d "$work" ] || exit $rc
	for root in "$work"/state-*; do
		[ -d "$root" ] || continue
		rt=${root##*/state-}
		rt=${rt%%-*}
		for id in "$root"/*; do
			[ -d "$id" ] && "$(bench_bin "$rt")" --root "$root" delete -f "${id##*/}" >/dev/null 2>&1
		done
	done
	# what a runtime interrupted half-way left: our cgroups (their names
	# carry $tag), their processes killed, deepest first (not crun's
	# directories in the tmpfs over the cgroup2 mount: gone with the
	# namespace)
	find /sys/fs/cgroup -depth -type d -name "*$tag*" \( -fstype cgroup -o -fstype cgroup2 \) \
		2>/dev/null | while read -r cg; do
		pids=$(cat "$cg/cgroup.procs" 2>/dev/null)
		# shellcheck disable=SC2086 # one pid a word
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null && sleep 0.1
		rmdir "$cg" 2>/dev/null || echo "bench: could not remove cgroup $cg" >&2
	done
	rm -rf "$work"
	exit $rc
}
