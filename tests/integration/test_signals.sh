# test_signals.sh - the container's process starts with every signal at
# its default disposition, even when husk's caller ignores some: an ignored
# signal would survive the execve, and husk resets only the signals its
# own /proc/self/status shows ignored (run, and exec into a container).
# Every test keeps its state in $T/state and deletes its containers on exit.

# Run "$@" with SIGHUP, SIGINT, SIGUSR1 and SIGTERM ignored (as nohup or a
# shell's background job leave them); the ignored set is inherited.
sig_ignoring() { (trap '' HUP INT USR1 TERM && "$@"); }

# The SigIgn mask of the process that runs grep.
sig_ign_of() { awk '/^SigIgn:/ {print $2}'; }

test_signals_ignored_by_caller_are_reset_in_run() {
	local b out
	# the caller really ignores them: else the test proves nothing
	out=$(sig_ignoring grep SigIgn /proc/self/status | sig_ign_of)
	[ "$out" != 0000000000000000 ] || fail "the caller does not ignore any signal"
	b=$(mkbundle)
	setargs "$b" grep SigIgn /proc/self/status
	out=$(sig_ignoring hkr run -b "$b" "$(newid)" | sig_ign_of)
	assert_eq 0000000000000000 "$out" "signals ignored in the container's init"
}

test_signals_ignored_by_caller_are_reset_in_exec() {
	local b id out
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 600
	delete_at_exit "$id"
	hkr run -d -b "$b" "$id" >/dev/null
	wait_status "$id" running >/dev/null
	out=$(sig_ignoring hkr exec "$id" grep SigIgn /proc/self/status | sig_ign_of)
	assert_eq 0000000000000000 "$out" "signals ignored in the exec'd process"
}
