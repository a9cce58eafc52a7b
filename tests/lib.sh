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
#   b=$(mkbundle_user [--own])        the same for the unprivileged test user
#                                     ($HK_USER, see as_user below)
#   wait_until 30 CMD... || fail MSG  until CMD succeeds (every 0.1 s, 30 s)

: "${HUSK:?HUSK must point at the husk binary}"
: "${ROOTFS:?ROOTFS must point at the test rootfs}"
HK_CG_PREFIX=${HK_CG_PREFIX:-husk-test-$$}
_hk_n=0

hk() { "$HUSK" "$@"; }

fail() {
	echo "FAILED: $*" >&2
	return 1
}

# wait_until SECONDS CMD...: run CMD every 0.1 s until it succeeds, for at
# most SECONDS (a whole number: SECONDS x 10 tries); returns 1 if it never
# did, and the caller says what failed:
#   wait_until 30 test -s "$f" || fail "no file $f"
# CMD runs in this shell, set -e not applying inside it (as in an `if`): a
# function of the test may be CMD, and set the test's variables.
wait_until() {
	local _hk_wait_n=$(($1 * 10))
	shift
	until "$@"; do
		_hk_wait_n=$((_hk_wait_n - 1))
		[ "$_hk_wait_n" -gt 0 ] || return 1
		sleep 0.1
	done
	return 0
}

# The next number for a bundle or id of this test: kept in $T/.hk_n, so
# that calls in command substitutions (b=$(mkbundle), $(newid)) count too.
_hk_next() {
	local f
	f=$(cat "$T/.hk_n" 2>/dev/null || echo 0)
	[ "$f" -gt "$_hk_n" ] && _hk_n=$f
	_hk_n=$((_hk_n + 1))
	echo "$_hk_n" >"$T/.hk_n"
}

# Unique container id / cgroup name for this test.
newid() {
	_hk_next
	echo "${HK_CG_PREFIX}-${HK_TEST_NAME:-t}-$_hk_n" | tr '_' '-'
}

# The test needs the host's root (HK_TEST_AS=root): elsewhere it ends here,
# counted as skipped, with REASON in the runner's line.
needs_root() {
	[ "${HK_TEST_AS:-root}" = root ] && return 0
	_hk_skip "$@"
}

# End the test as skipped with REASON (kept in $T/skip: a command
# substitution would swallow what it prints; the runner counts the test as
# skipped by that file, whatever its exit status).
_hk_skip() {
	echo "$*" >"$T/skip"
	exit 77
}

# The test needs more than one id mapped (subordinate ids): it ends here,
# counted as skipped, under `unshare -r` (HK_TEST_AS=userns).
needs_subids() {
	[ "${HK_TEST_AS:-root}" != userns ] && return 0
	_hk_skip "$@"
}

# A test that does not run as root (HK_TEST_AS user or userns) gets
# `husk spec --rootless` bundles from mkbundle.
unprivileged() { [ "${HK_TEST_AS:-root}" != root ]; }

# $HUSK is the AddressSanitizer build (make check SANITIZE=1): several
# times slower to start, long loops take fewer rounds
sanitized() {
	[ -n "${_hk_san:-}" ] || { grep -q __asan_init "$HUSK" && _hk_san=yes || _hk_san=no; }
	[ "$_hk_san" = yes ]
}

# Give bundle $1 a network namespace of its own if it has none (a
# rootless spec keeps the host's: sysctls need one).
own_netns() {
	cfg "$1" '.linux.namespaces |= (if any(.[]; .type == "network") then . else . + [{"type": "network"}] end)'
}

# Copy the test rootfs to $1 (unprivileged: the files become the user's;
# host root is not mapped in `unshare -r`).
copy_rootfs() {
	if unprivileged; then
		cp -a --no-preserve=ownership "$ROOTFS" "$1"
	else
		cp -a "$ROOTFS" "$1"
	fi
}

mkbundle() {
	_hk_next
	local b="$T/bundle$_hk_n"
	mkdir -p "$b"
	copy_rootfs "$b/rootfs" || return 1
	if unprivileged; then
		(cd "$b" && "$HUSK" spec --rootless) || return 1
	else
		(cd "$b" && "$HUSK" spec) || return 1
	fi
	cfg "$b" ".process.terminal = false | .linux.cgroupsPath = \"${HK_CG_PREFIX}-${HK_TEST_NAME:-t}-$_hk_n\""
	echo "$b"
}

# A bundle for the test user: its own directory with a copy of the rootfs
# (owned by the user with --own), `husk spec --rootless` run as the user,
# a test cgroup path.
mkbundle_user() {
	needs_root "runs as another user"
	_hk_next
	local b="$T/ubundle$_hk_n"
	user_dir "$b" || return 1
	cp -a "$ROOTFS" "$b/rootfs" || return 1
	if [ "${1:-}" = --own ]; then
		chown -R "$HK_USER_UID:$HK_USER_GID" "$b/rootfs" || return 1
	fi
	(cd "$b" && as_user "$HUSK" spec --rootless) || return 1
	cfg "$b" ".process.terminal = false | .linux.cgroupsPath = \"${HK_CG_PREFIX}-${HK_TEST_NAME:-t}-$_hk_n\"" || return 1
	chmod 0644 "$b/config.json"
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

# Every cgroup directory left whose name starts with $HK_CG_PREFIX (or
# husk-$HK_CG_PREFIX).
cg_leftovers() {
	# (husk box names a box's cgroup husk-NAME)
	find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d \( -name "${HK_CG_PREFIX}*" -o -name "husk-${HK_CG_PREFIX}*" \) 2>/dev/null
}

# The pid of the container process NAME whose parent is husk HPID (waits up
# to 30 s for it); fails when there is none.
container_child() {
	wait_until 30 pgrep -P "$1" -x "$2" || fail "no container process $2 under husk $1"
}

# ---- an unprivileged test user (rootless tests) ----
#
# run.sh creates one user for the whole run (hk_user_setup) and removes it
# at the end (hk_user_teardown):  $HK_USER, $HK_USER_UID, $HK_USER_GID, with
# the subordinate ids $HK_SUBID_START..+$HK_SUBID_COUNT in /etc/subuid and
# /etc/subgid.
#
#   as_user CMD ARGS...      run CMD as the user (clean env, HOME=$T/home),
#                            in the caller's cgroup and cwd
#   user_dir PATH            mkdir -p PATH, owned by the user
#   h=$(delegated_cgroup)    as root: make a cgroup the user may use (v1:
#                            below our own in the memory and pids
#                            hierarchies; v2: a sibling D of our own with
#                            D/shell, memory and pids enabled)
#   as_user_in_cgroup "$h" CMD ARGS...   as_user, started inside it
#   undelegate_cgroup "$h"   kill what is left in it and remove it
HK_SUBID_START=400000
HK_SUBID_COUNT=65536

hk_user_setup() {
	HK_USER=hkt$$
	# only the range below in /etc/subuid (no automatic one: -K ..._COUNT=0)
	useradd -M -d /nonexistent -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$HK_USER" || return 1
	HK_USER_UID=$(id -u "$HK_USER") && HK_USER_GID=$(id -g "$HK_USER") || return 1
	usermod --add-subuids "$HK_SUBID_START-$((HK_SUBID_START + HK_SUBID_COUNT - 1))" \
		--add-subgids "$HK_SUBID_START-$((HK_SUBID_START + HK_SUBID_COUNT - 1))" \
		"$HK_USER" || return 1
	export HK_USER HK_USER_UID HK_USER_GID
}

hk_user_teardown() {
	[ -n "${HK_USER:-}" ] || return 0
	if id -u "$HK_USER" >/dev/null 2>&1; then
		# nothing of the user's may be left running (its tests' processes)
		kill_user_procs
		userdel "$HK_USER" 2>/dev/null
	fi
	# userdel removes the subordinate ranges; make sure
	local f
	for f in /etc/subuid /etc/subgid; do
		if grep -q "^$HK_USER:" "$f" 2>/dev/null; then
			sed -i "/^$HK_USER:/d" "$f"
		fi
	done
	HK_USER=
}

# Kill the test user's processes (only those: by uid, one pid at a time).
kill_user_procs() {
	local p
	# the user's own and its subordinate ids' (containers, boxes)
	for p in $(ps -e -o pid= -o uid= | awk -v u="$HK_USER_UID" -v s="$HK_SUBID_START" \
		-v c="$HK_SUBID_COUNT" '$2 == u || ($2 >= s && $2 < s + c) {print $1}'); do
		kill -9 "$p" 2>/dev/null
	done
	return 0
}

user_dir() {
	needs_root "runs as another user"
	mkdir -p "$1" && chown "$HK_USER_UID:$HK_USER_GID" "$1"
}

# The command line as_user runs (in the array _hk_argv).
_hk_user_argv() {
	local home=$T/home
	if [ ! -d "$home/run" ]; then
		user_dir "$home" && user_dir "$home/.cache" && user_dir "$home/run" || return 1
		chmod 0700 "$home/run"
	fi
	_hk_argv=(setpriv --reuid="$HK_USER_UID" --regid="$HK_USER_GID" --init-groups
		env -i PATH="$PATH" HOME="$home" XDG_CACHE_HOME="$home/.cache"
		XDG_RUNTIME_DIR="$home/run")
	[ -n "${HUSK_STORAGE:-}" ] && _hk_argv+=(HUSK_STORAGE="$HUSK_STORAGE")
	_hk_argv+=("$@")
}

as_user() {
	needs_root "runs as another user"
	local _hk_argv
	_hk_user_argv "$@" || return 1
	"${_hk_argv[@]}"
}

# Our own cgroup in the hierarchy holding controller $1 (v1), or in the v2
# hierarchy ($1 empty).
_hk_own_cgroup() {
	if [ -z "$1" ]; then
		sed -n 's/^0:://p' /proc/self/cgroup
	else
		awk -F: -v c="$1" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3}' /proc/self/cgroup
	fi
}

_hk_deleg_n=0
delegated_cgroup() {
	needs_root "delegates a cgroup"
	_hk_deleg_n=$((_hk_deleg_n + 1))
	local name="${HK_CG_PREFIX}-${HK_TEST_NAME:-t}-deleg$_hk_deleg_n" dirs="" c own d
	name=$(echo "$name" | tr '_' '-')
	if [ "$(cg_layout)" = v2 ]; then
		own=$(_hk_own_cgroup "")
		d=/sys/fs/cgroup${own%/*}/$name
		d=${d/\/\//\/}
		mkdir "$d" || return 1
		echo "+memory +pids" >"$d/cgroup.subtree_control" || { rmdir "$d"; return 1; }
		mkdir "$d/shell" || { rmdir "$d"; return 1; }
		chown "$HK_USER_UID:$HK_USER_GID" "$d" "$d/cgroup.procs" "$d/cgroup.threads" \
			"$d/cgroup.subtree_control" || return 1
		chown -R "$HK_USER_UID:$HK_USER_GID" "$d/shell" || return 1
		echo "$d"
		return 0
	fi
	for c in memory pids "$@"; do
		own=$(_hk_own_cgroup "$c")
		[ -n "$own" ] || { fail "no $c cgroup hierarchy"; return 1; }
		d=/sys/fs/cgroup/$c${own%/}/$name
		mkdir "$d" || return 1
		chown "$HK_USER_UID:$HK_USER_GID" "$d" "$d/cgroup.procs" "$d/tasks" || return 1
		dirs="$dirs${dirs:+,}$d"
	done
	echo "$dirs"
}

as_user_in_cgroup() {
	needs_root "runs as another user"
	local h=$1 d _hk_argv
	shift
	_hk_user_argv "$@" || return 1
	(
		if [ "$(cg_layout)" = v2 ]; then
			echo "$BASHPID" >"$h/shell/cgroup.procs" || exit 1
		else
			for d in ${h//,/ }; do
				echo "$BASHPID" >"$d/cgroup.procs" || exit 1
			done
		fi
		exec "${_hk_argv[@]}"
	)
}

# Kill every process in cgroup directory $1 and below, then remove them all.
cg_remove_tree() {
	local d p
	[ -d "$1" ] || return 0
	[ -f "$1/cgroup.kill" ] && echo 1 >"$1/cgroup.kill" 2>/dev/null
	for d in $(find "$1" -type d); do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	for _ in $(seq 50); do
		for d in $(find "$1" -depth -type d); do rmdir "$d" 2>/dev/null; done
		[ -d "$1" ] || return 0
		sleep 0.05
	done
	[ ! -d "$1" ]
}

undelegate_cgroup() {
	local d r=0
	for d in ${1//,/ }; do
		cg_remove_tree "$d" || r=1
	done
	return $r
}

# --- the OCI lifecycle, state in $T/state ---

hkr() { "$HUSK" --root "$T/state" "$@"; }

# status of container $1 ("" when husk state fails)
status_of() { hkr state "$1" 2>/dev/null | jq -r .status; }

# container $1 has status $2
status_is() { [ "$(status_of "$1")" = "$2" ]; }

# wait (up to 30 s: the emulated VM is slow) until container $1 has status $2
wait_status() {
	wait_until 30 status_is "$1" "$2" || fail "container $1: status $(status_of "$1"), expected $2"
}

# wait (up to 30 s) until file $1 exists and is not empty
wait_file() {
	wait_until 30 test -s "$1" || fail "no file $1"
}

# console_receiver SOCKET OUT: receive a pty master on SOCKET in the
# background (as conmon does) and write what the container prints to OUT;
# sets $console_pid; returns once SOCKET exists.
console_receiver() {
	python3 "$HK_TESTS_DIR/console-receiver.py" "$1" >"$2" &
	console_pid=$!
	# python starts slowly in the emulated VM
	wait_until 30 test -S "$1" || fail "console receiver: no socket $1"
}

# The container's cgroup directory (from the host) holding file $2, for the
# cgroupsPath of bundle $1.
cg_dir_of() {
	local name d
	name=$(jq -r .linux.cgroupsPath "$1/config.json")
	for d in $(find /sys/fs/cgroup -maxdepth 8 -type d -name "$name" 2>/dev/null); do
		[ -e "$d/$2" ] && echo "$d" && return 0
	done
	fail "no cgroup $name with $2"
}

# delete containers $@ (with --force) when the test's subshell exits
_hk_exec_ids=""
delete_at_exit() {
	_hk_exec_ids="$_hk_exec_ids $*"
	trap 'for i in $_hk_exec_ids; do "$HUSK" --root "$T/state" delete --force "$i" >/dev/null 2>&1; done; true' EXIT
}

# static_helper NAME BUNDLE: tests/helpers/NAME.c, built static once per
# run (busybox cannot do what it does), copied to /NAME in BUNDLE's rootfs.
static_helper() {
	local bin=${T%/*}/$1-helper
	if [ ! -x "$bin" ]; then
		cc -static -O2 -o "$bin.$$" "$HK_TESTS_DIR/helpers/$1.c" || return 1
		mv "$bin.$$" "$bin"
	fi
	cp "$bin" "$2/rootfs/$1"
}
