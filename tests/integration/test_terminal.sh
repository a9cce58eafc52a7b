# test_terminal.sh - process.terminal: a pty of the container's own, relayed
# through husk; and signals sent to husk reaching the container.

test_terminal_through_pty() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'
	setargs "$b" sh -c 'tty; stty size; ls -l /dev/console | cut -c1'
	out=$(script -qec "$HUSK run -b $b $(newid)" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/0"
	assert_contains "$out" "30 100"
}

test_interactive_shell() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.terminal = true'
	setargs "$b" sh -i
	# feed a command and exit through the pty; check the echo and the output
	out=$( (sleep 1; printf 'echo hi-$((6*7))\n'; sleep 1; printf 'exit 3\n') |
		script -qec "$HUSK run -b $b $(newid)" /dev/null | tr -d '\r')
	assert_contains "$out" "echo hi-\$((6*7))" "typed command echoed"
	assert_contains "$out" "hi-42" "command output"
}

test_signal_forwarded() {
	local b rc hpid
	b=$(mkbundle)
	setargs "$b" sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	"$HUSK" run -b "$b" "$(newid)" >"$T/out" &
	hpid=$!
	wait_until 30 grep -q ready "$T/out" 2>/dev/null || fail "the container did not start: [$(cat "$T/out")]"
	kill -TERM "$hpid"
	rc=0
	wait "$hpid" || rc=$?
	assert_eq 7 "$rc" "exit status after SIGTERM to husk"
	assert_contains "$(cat "$T/out")" "got-term"
}

test_sigint_forwarded() {
	local b rc hpid
	b=$(mkbundle)
	setargs "$b" sh -c 'trap "exit 5" INT; echo ready; while :; do sleep 0.1; done'
	"$HUSK" run -b "$b" "$(newid)" >"$T/out" &
	hpid=$!
	wait_until 30 grep -q ready "$T/out" 2>/dev/null || fail "the container did not start: [$(cat "$T/out")]"
	kill -INT "$hpid"
	rc=0
	wait "$hpid" || rc=$?
	assert_eq 5 "$rc" "exit status after SIGINT to husk"
}

test_window_resize_and_terminal_restored() {
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.terminal = true'
	setargs "$b" sh -c 'trap "stty size" WINCH; trap "exit 9" TERM; stty size; echo ready; while :; do sleep 0.1; done'
	out=$(python3 "$HK_TESTS_DIR/ptyrun.py" "$HUSK" run -b "$b" "$(newid)")
	assert_contains "$out" "30 100" "initial size from the caller's terminal"
	assert_contains "$out" "40 120" "resize propagated"
	assert_contains "$out" "raw-while-running: yes"
	assert_contains "$out" "termios-restored: yes"
	assert_contains "$out" "exit: 9"
}

test_terminal_container_not_reading_stdin() {
	local b out rc=0
	b=$(mkbundle)
	cfg "$b" '.process.terminal = true'
	# the container never reads its terminal while we pour input into it
	setargs "$b" sh -c 'sleep 1; echo done'
	out=$(yes | timeout 20 "$HUSK" run -b "$b" "$(newid)") || rc=$?
	assert_eq 0 "$rc" "exit status (124: husk hung writing to the pty)"
	assert_contains "$out" "done"
}
