# common.sh - what the engine tests share (sourced by
# integration/test_engines.sh): the runtime the engines drive, wrapped so
# that every call is logged, the cgroup parent they must use, and the
# subreaper every engine command runs under.
#
#   eng_runtime_wrapper          $T/eng/bin/husk: logs argv and exit status
#                                to $T/eng/runtime.log, then runs
#                                $HK_ENGINE_RUNTIME (default $HUSK)
#   eng_cgroup_parent NAME       an absolute cgroup path below the test's
#                                own cgroup (v1: the memory one; v2: a
#                                sibling, as husk puts relative paths);
#                                sets $ENG_CG; eng_cgroup_cleanup removes it
#                                (and any parent dir it made) everywhere
#   reap CMD...                  CMD under tests/engines/reaper.py
#   eng_log_tail                 the last runtime calls (for a failure)

ENG_REAPER=$HK_TESTS_DIR/engines/reaper.py

reap() {
	REAPER_PIDFILE=$T/eng/reapers "$ENG_REAPER" "$@"
}

# No reaper is left (those still running in $left)
eng_reapers_gone() {
	local p
	left=""
	for p in $(cat "$T/eng/reapers"); do
		[ -d "/proc/$p" ] && left="$left $p"
	done
	[ -z "$left" ]
}

# Wait (up to 30 s) for every lingering reaper (and so every monitor under
# it) to end; kill what is left of them by pid.
eng_wait_reapers() {
	local p left
	[ -f "$T/eng/reapers" ] || return 0
	wait_until 30 eng_reapers_gone && return 0
	for p in $left; do kill -9 "$p" 2>/dev/null; done
	fail "monitor processes still running:$left"
}

eng_runtime_wrapper() {
	local rt=${HK_ENGINE_RUNTIME:-$HUSK}
	mkdir -p "$T/eng/bin"
	cat >"$T/eng/bin/husk" <<WRAP
#!/bin/sh
# (engines pass the runtime almost no environment: paths are fixed here)
echo "[\$\$] \$*" >>$T/eng/runtime.log
# (engines remove these afterwards: keep a copy of each create's
# config.json in $T/eng/config.PID.json, log update's --resources)
prev=
for a; do
	case "\$prev" in
	--bundle | -b) cp "\$a/config.json" $T/eng/config.\$\$.json 2>/dev/null ;;
	--resources | -r) [ -f "\$a" ] && echo "[\$\$] resources: \$(cat "\$a")" >>$T/eng/runtime.log ;;
	esac
	case "\$a" in
	--bundle=?*) cp "\${a#--bundle=}/config.json" $T/eng/config.\$\$.json 2>/dev/null ;;
	--resources=?*) [ -f "\${a#--resources=}" ] && echo "[\$\$] resources: \$(cat "\${a#--resources=}")" >>$T/eng/runtime.log ;;
	esac
	prev=\$a
done
$rt "\$@"
rc=\$?
echo "[\$\$] exit \$rc" >>$T/eng/runtime.log
exit \$rc
WRAP
	chmod 0755 "$T/eng/bin/husk"
	ENG_RT=$T/eng/bin/husk
}

eng_log_tail() {
	echo "--- runtime calls ($T/eng/runtime.log):" >&2
	tail -n "${1:-12}" "$T/eng/runtime.log" 2>/dev/null | cut -c1-400 >&2
}

# eng_cgroup_parent NAME
ENG_CG_MADE=""
eng_cgroup_parent() {
	local own p h d
	if [ "$(cg_layout)" = v2 ]; then
		own=$(_hk_own_cgroup "")
		p=${own%/*}
	else
		p=$(_hk_own_cgroup memory)
	fi
	p=${p%/}
	ENG_CG=$p/$(echo "${HK_CG_PREFIX}-${HK_TEST_NAME:-t}-$1" | tr '_' '-')
	# the dirs above it that do not exist yet in some hierarchy (v1:
	# the memory cgroup's path in the others) are made by the engine:
	# remember them to remove them
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -f "$h/cgroup.procs" ] || continue
		d=$p
		while [ -n "$d" ] && [ "$d" != / ]; do
			[ -d "$h$d" ] || ENG_CG_MADE="$ENG_CG_MADE $h${d#/}"
			d=${d%/*}
		done
	done
}

eng_cgroup_cleanup() {
	local h r=0 d
	[ -n "${ENG_CG:-}" ] || return 0
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -d "$h${ENG_CG#/}" ] || continue
		cg_remove_tree "$h${ENG_CG#/}" || r=1
	done
	# deepest first
	for d in $(echo "$ENG_CG_MADE" | tr ' ' '\n' | awk '{print length, $0}' | sort -rn | cut -d' ' -f2-); do
		rmdir "$d" 2>/dev/null
	done
	return $r
}

# HK_ENG_TRACE=FILE: trace the test, with timestamps, into FILE
eng_trace() {
	[ -n "${HK_ENG_TRACE:-}" ] || return 0
	exec {_eng_tfd}>>"$HK_ENG_TRACE"
	BASH_XTRACEFD=$_eng_tfd
	PS4='+ $(date +%s.%N | cut -c7-14) '
	set -x
}
