#!/bin/bash
# order.sh HUSK [ROOTFS]: the functions husk runs, in the order the linker
# is to place them (src/husk.order; `make order` makes it).
# order.sh --faults ORDER HUSK [ROOTFS]: the functions whose text HUSK
# (linked with ORDER) faults in and ORDER does not list: printed, and put
# at the top of ORDER.
#
# Why: the kernel maps a binary's text 64 KiB at a time around each page
# fault ("fault-around"), so a process's resident size and its page faults
# grow with the number of 64 KiB windows the code it runs is spread over.
# husk's static binary holds 2 MiB of code (glibc, json-c, libseccomp,
# libarchive for `box`), of which a container's life runs ~350 KiB.  With
# -ffunction-sections, lld's --symbol-ordering-file puts the functions
# the file lists first, side by side (Makefile).
#
# The list: every function callgrind sees run by husk's commands of a
# container's life (run; create, start, delete; exec; state; list; kill) in
# husk's processes and the container's own before its execve
# (--dump-before=execve; it writes into a directory bound into the
# container at the same path); then all variants of the string functions
# glibc picks by CPU (valgrind's CPU is not the host's), evex first, and
# glibc's ifunc resolvers (a static binary runs them all at start).  What
# valgrind cannot show -- the paths behind system calls it does not know
# (openat2, open_tree, mount_setattr: it fails them, husk falls back) and
# the vDSO's set-up (valgrind hides the vDSO) -- `--faults` finds from the
# page faults of the real binary (perf); `make order` relinks and asks
# again until none is left.  A function missing from the file (new code)
# is only placed after the others: the file can be stale, never wrong.
# Needs root, valgrind, perf, jq.
# shellcheck disable=SC2154,SC2317 # work, tag: set by bench_setup (lib.sh); pf, cg: run by commands()
set -euo pipefail
faults=""
if [ "${1:-}" = --faults ]; then
	faults=$(realpath "${2:?usage: order.sh --faults ORDER HUSK [ROOTFS]}")
	shift 2
fi
husk=$(realpath "${1:?usage: order.sh [--faults ORDER] HUSK [ROOTFS]}")
rootfs=${2:+$(realpath "$2")}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_enter_ns ${faults:+--faults "$faults"} "$@"
bench_setup order
for tool in jq $([ -n "$faults" ] && echo perf || echo valgrind); do
	command -v "$tool" >/dev/null || {
		echo "order: $tool missing" >&2
		exit 1
	}
done
# the default state root (one `run` uses it) is a directory of ours here:
# nothing is written to the host's /run/husk (only made when missing, as
# husk would), and the clean-up sees what is left
mkdir -p /run/husk "$work/state-husk-default"
mount --bind "$work/state-husk-default" /run/husk
# husk on a read-only mount: it runs as it is, without re-executing itself
# from a read-only view (callgrind would lose it at the execve)
mount --bind "$husk" "$husk"
mount -o remount,ro,bind "$husk"
# a rootfs of our own: the bind mount below makes its mount point in it
rootfs_src=${rootfs:-}
rootfs=$work/rootfs
if [ -n "$rootfs_src" ]; then cp -a "$rootfs_src" "$rootfs"; else "$here/../tests/mkrootfs.sh" "$rootfs"; fi
bench_template "$rootfs"
prof=$work/prof
mkdir -p "$prof" "$work/state-husk"
# the container's process writes its profile to the same path, bound into
# the container there (without process.rlimits: valgrind keeps file
# descriptors of its own, and RLIMIT_NOFILE's hard limit cannot be set to
# the config's)
jq --arg prof "$prof" 'del(.process.rlimits) | .mounts += [{"destination": $prof,
	"type": "bind", "source": $prof, "options": ["rbind", "rw"]}]' \
	"$work/config.json" >"$work/config.tmp"
mv "$work/config.tmp" "$work/config.json"
bench_bundle "$work/run" "hkb-$tag-run"
bench_bundle "$work/sleep" "hkb-$tag-sleep" sleep 1000000

# the commands profiled: PROFILER NAME HUSK ARG... for each (NAME: run for
# `run`'s, whose functions go first; life for the others)
commands() {
	local root=$work/state-husk
	"$1" run "$husk" run -b "$work/run" "hkb-$tag-r0" </dev/null # the default --root
	"$1" run "$husk" --root "$root" run -b "$work/run" r1 </dev/null
	"$1" life "$husk" --root "$root" create -b "$work/run" c1 </dev/null
	"$1" life "$husk" --root "$root" start c1
	"$1" life "$husk" --root "$root" delete -f c1
	"$husk" --root "$root" create -b "$work/sleep" s1 </dev/null
	"$husk" --root "$root" start s1
	"$1" life "$husk" --root "$root" exec s1 /bin/true
	"$1" life "$husk" --root "$root" state s1 >/dev/null
	"$1" life "$husk" --root "$root" list >/dev/null
	"$1" life "$husk" --root "$root" kill s1 KILL
	"$husk" --root "$root" delete -f s1
}

if [ -n "$faults" ]; then
	# the addresses of the page faults of the real binary's processes in
	# its .text, as functions (nm: the nearest symbol below).  Only husk's
	# own processes: not the container's after its execve, whose program
	# is mapped elsewhere, perhaps where husk's text was.  (Ordering the
	# variables and constants the same way, with -fdata-sections, took no
	# fault off and ~15 KiB of resident size: what .rodata's windows hold
	# is mostly strings, merged across files, which no symbol names.)
	pf() {
		local name=$1
		shift
		perf record -q -e page-faults -c 1 -d -o "$prof/perf.$name.$((++n))" "$@" \
			2>>"$work/perf.log"
	}
	n=0
	commands pf >/dev/null
	[ -n "$(ls "$prof")" ] || {
		echo "order: perf recorded nothing ($work/perf.log):" >&2
		cat "$work/perf.log" >&2
		exit 1
	}
	# (decimal start and end of .text; its functions and ifunc resolvers,
	# sorted)
	readelf -SW "$husk" | awk '{for (i = 1; i < NF; i++) if ($i == ".text")
		print $(i + 2), $(i + 4)}' | while read -r start size; do
		echo "$((16#$start)) $((16#$start + 16#$size))"
	done >"$work/range"
	nm -n "$husk" | awk '$2 ~ /^[tTwWi]$/' | while read -r a _ s; do echo "$((16#$a)) $s"; done >"$work/syms"
	comm=$(basename "$husk" | cut -c1-15)
	# faulted NAME: the functions the commands profiled as NAME faulted in
	faulted() {
		for f in "$prof"/perf."$1".*; do perf script -i "$f" -F comm,addr 2>/dev/null; done |
			awk -v comm="$comm" '$1 == comm {print $2}' |
			while read -r a; do echo $((16#$a)); done |
			awk 'FILENAME == ARGV[1] {lo = $1; hi = $2; next} $1 >= lo && $1 < hi' \
				"$work/range" - | sort -n >"$work/addrs"
		awk 'FILENAME == ARGV[1] {addr[FNR] = $1; next} {sym[++n] = $2; at[n] = $1}
			END {j = 1; for (i = 1; i in addr; i++) {
				while (j < n && at[j + 1] <= addr[i]) j++
				print sym[j]
			}}' "$work/addrs" "$work/syms" | awk '!seen[$0]++'
	}
	# new for `run`: not in ORDER's part for `run` (between its second and
	# third comments), to go at that part's top; new for the others: not
	# in ORDER at all, to go at the top of the next part.  Printed, then
	# put there (a place further down is dropped).
	awk '/^#/ {c++; next} c == 2' "$faults" >"$work/first"
	faulted run | grep -vxF -f "$work/first" >"$work/new-run" || true
	faulted life | grep -vxF -f "$faults" | grep -vxF -f "$work/new-run" >"$work/new-life" || true
	cat "$work/new-run" "$work/new-life"
	awk -v run="$work/new-run" -v life="$work/new-life" '
		/^#/ {print; c++}
		/^#/ && c == 2 {while ((getline l <run) > 0) print l}
		/^#/ && c == 3 {while ((getline l <life) > 0) print l}
		!/^#/' "$faults" | awk '/^#/ || !seen[$0]++' >"$work/order"
	cat "$work/order" >"$faults"
	exit 0
fi

# (the file named by a count too: every container's process is pid 1)
n=0
cg() {
	local name=$1
	shift
	valgrind -q --tool=callgrind --dump-before=execve \
		--callgrind-out-file="$prof/cg.$name.$((++n)).%p" "$@" 2>>"$work/valgrind.log" || {
		cat "$work/valgrind.log" >&2
		return 1
	}
}
commands cg >/dev/null
# the functions each ran, in the order callgrind first names them (it
# names each once per file: "fn=(N) NAME"; 'N suffixes are recursion levels)
ran() {
	sed -n 's/^c\{0,1\}fn=([0-9]*) //p' "$@" | sed "s/'[0-9]*\$//" | grep -v '^0x\|^(' |
		awk '!seen[$0]++'
}
ran "$prof"/cg.run.* >"$work/ran-run"
ran "$prof"/cg.* >"$work/ran-life"
# the string functions' variants glibc picks by CPU: the families seen
# (__memcpy_avx_unaligned_erms: memcpy), all their variants in the binary
nm "$husk" | awk '$2 ~ /^[tTi]$/ {print $3}' | sort -u >"$work/syms"
variant='^__\([a-z0-9]*\)_\(avx\|evex\|sse\|ssse3\|erms\|unaligned\)'
families=$(sed -n "s/$variant.*/\1/p" "$work/ran-life" | sort -u | tr '\n' '|')
# (none on another architecture)
if [ -n "$families" ]; then
	grep -E "^__(${families%|})_(avx|evex|sse|ssse3|erms|unaligned)" "$work/syms"
fi >"$work/variants"
{
	echo "# made by bench/order.sh (make order): the functions husk runs, for lld"
	echo "# run: husk's processes, the container's, glibc's ifunc resolvers, AVX-512 variants"
	cat "$work/ran-run"
	grep '_ifunc$' "$work/syms" || true
	grep -E 'evex|avx512' "$work/variants" || true
	echo "# the other commands of a container's life; the other variants"
	cat "$work/ran-life" "$work/variants"
} | awk '/^#/ || !seen[$0]++'
