# lib.sh - helpers for the container tests (sourced by integration/run.sh).
#
# Each test is a shell function named test_* in tests/integration/*.sh.  It
# runs in its own subshell with `set -e`, in a fresh temporary directory $T,
# and fails by returning non-zero (use `fail MSG` or the assert_* helpers).
# After each test the runner checks that nothing leaked: no new mount on the
# host, no cgroup left whose name starts with $HK_CG_PREFIX.
#
#   b=$(mkbundle)                     bundle dir with a private busybox rootfs,
#                                     `husk spec` defaults, a test cgroup path
#   setargs "$b" sh -c 'echo hi'      set process.args
#   cfg "$b" '.hostname = "x"'        edit config.json with a jq expression
#   out=$(hk run -b "$b" ID)          run husk

: "${HUSK:?HUSK must point at the husk binary}"
: "${ROOTFS:?ROOTFS must point at the test rootfs}"
HK_CG_PREFIX=${HK_CG_PREFIX:-husk-test-$$}
_hk_n=0

hk() { "$HUSK" "$@"; }

fail() {
	echo "FAILED: $*" >&2
	return 1
}

# Unique container id / cgroup name for this test.
newid() {
	_hk_n=$((_hk_n + 1))
	echo "${HK_CG_PREFIX}-${HK_TEST_NAME:-t}-$_hk_n" | tr '_' '-'
}

mkbundle() {
	_hk_n=$((_hk_n + 1))
	local b="$T/bundle$_hk_n"
	mkdir -p "$b"
	cp -a "$ROOTFS" "$b/rootfs"
	(cd "$b" && "$HUSK" spec) || return 1
	cfg "$b" ".process.terminal = false | .linux.cgroupsPath = \"${HK_CG_PREFIX}-${HK_TEST_NAME:-t}-$_hk_n\""
	echo "$b"
}

cfg() {
	local b=$1
	shift
	jq "$@" "$b/config.json" >"$b/config.json.new" || return 1
	mv "$b/config.json.new" "$b/config.json"
}

setargs() {
	local b=$1
	shift
	local json
	json=$(jq -cn '$ARGS.positional' --args -- "$@")
	cfg "$b" ".process.args = $json"
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: expected [$1], got [$2]"
}

assert_contains() {
	case "$1" in *"$2"*) return 0 ;; esac
	fail "${3:-missing text}: [$2] not in [$1]"
}

assert_not_contains() {
	case "$1" in *"$2"*) fail "${3:-unexpected text}: [$2] in [$1]" ;; esac
	return 0
}

# Run a command that must fail; its stderr is left in $T/err.
# expect_fail CMD... ; then check "$(cat $T/err)".
expect_fail() {
	if "$@" >"$T/out" 2>"$T/err"; then
		fail "expected failure: $*"
		return 1
	fi
	return 0
}

# The cgroup layout of this host: v1, hybrid or v2.
cg_layout() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo v2
	elif [ -d /sys/fs/cgroup/unified ]; then
		echo hybrid
	else
		echo v1
	fi
}

# Every cgroup directory left whose name starts with $HK_CG_PREFIX.
cg_leftovers() {
	find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "${HK_CG_PREFIX}*" 2>/dev/null
}

# The pid of the container process NAME whose parent is husk HPID (waits up
# to 5 s for it); fails when there is none.
container_child() {
	local p
	for _ in $(seq 50); do
		p=$(pgrep -P "$1" -x "$2" || true)
		[ -n "$p" ] && echo "$p" && return 0
		sleep 0.1
	done
	fail "no container process $2 under husk $1"
}
