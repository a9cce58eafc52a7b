#!/bin/sh
# lint.sh FILE... - static analysis of husk's C files (make lint): clang-tidy
# with the checks of .clang-tidy, then cppcheck with the suppressions of
# .cppcheck-suppressions.  Any finding fails.  Prints what each tool found,
# then "lint: N passed, N failed" (one check per tool).
#   LINT_CFLAGS   the compiler flags clang-tidy parses the files with
#   LINT_JOBS     files analysed in parallel (default: the number of CPUs)
cd "$(dirname "$0")/.." || exit 1
jobs=${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

result() { # TOOL STATUS: count the check, say how it went
	if [ "$2" -eq 0 ]; then
		echo "ok $1 ($nfiles files)"
		pass=$((pass + 1))
	else
		echo "FAIL $1"
		fail=$((fail + 1))
	fi
}
installed() {
	command -v "$1" >/dev/null && return 0
	echo "$1 is not installed (scripts/deps.sh --test installs it)"
	return 1
}
nfiles=$#

# clang-tidy: one process per file, each file's report kept apart so that
# parallel runs do not interleave; "N warnings generated." (which counts
# the warnings of disabled checks too) is dropped.
status=1
# (the script in single quotes gets its arguments as $1 $2 $3)
# shellcheck disable=SC2016
if installed clang-tidy; then
	printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c '
		out="$2/$(printf %s "$1" | tr / _)"
		clang-tidy --quiet "$1" -- $3 >"$out" 2>&1 || echo "$1" >>"$2/failed"
	' sh {} "$tmp" "$LINT_CFLAGS"
	cat "$tmp"/*.c 2>/dev/null | grep -Ev '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$'
	if [ -s "$tmp/failed" ]; then
		echo "clang-tidy found something in: $(sort "$tmp/failed" | tr '\n' ' ')"
	else
		status=0
	fi
fi
result clang-tidy $status

# cppcheck: the configuration of a glibc build (-D_GNU_SOURCE; with a -D it
# checks that one instead of every combination of #ifdefs, which is slow).
# __CPPCHECK__ (which cppcheck 2.10 does not define itself) hides the
# cleanup attribute from it (util/cleanup.h).
status=1
if installed cppcheck; then
	cppcheck -q -j "$jobs" --std=c11 --library=posix -D_GNU_SOURCE -D__CPPCHECK__ -Isrc \
		--enable=warning,performance,portability --inline-suppr \
		--suppressions-list=.cppcheck-suppressions --error-exitcode=1 \
		--template='{file}:{line}:{column}: {severity}: {message} [{id}]' "$@"
	status=$?
fi
result cppcheck $status

echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
