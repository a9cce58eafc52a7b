# test_notify.sh - $NOTIFY_SOCKET (sd_notify through the container, as
# runc): the container gets its own socket at /run/notify/notify.sock;
# `start` waits for its READY= and passes it on, with MAINPID, to the
# caller's socket.
#
# A static C helper (tests/helpers/sdnotify.c) sends the messages: busybox
# has no sd_notify and its nc no unix sockets.

# Copy the helper to /sdnotify in bundle $1's rootfs (built once per run).
notify_helper() { static_helper sdnotify "$1"; }

# notify_listener SOCKET OUT: the caller's $NOTIFY_SOCKET (as systemd's): a
# datagram socket whose messages go to OUT, one a line ("|" for their
# newlines); sets $listener_pid; returns once SOCKET exists.  The test
# ends it with stop_listener.
notify_listener() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(300)  # gone on its own should the test fail
with open(sys.argv[2], "a") as out:
    while True:
        m = s.recv(4096).decode()
        out.write(m.replace("\n", "|") + "\n")
        out.flush()
' "$1" "$2" &
	listener_pid=$!
	wait_until 30 test -S "$1" || fail "notify listener: no socket $1"
}

# the listener has written $1 lines or more to $T/notify.out
notify_lines() { [ "$(wc -l <"$T/notify.out")" -ge "$1" ]; }

stop_listener() { kill "$listener_pid" 2>/dev/null || true; wait "$listener_pid" 2>/dev/null || true; }

# run -d returns once the container is ready; the caller gets READY=1 and
# the container's pid, nothing of the messages before
test_notify_run_detached() {
	local b id out pid
	b=$(mkbundle)
	cfg "$b" ".root.readonly = false"
	notify_helper "$b"
	id=$(newid)
	notify_listener "$T/notify.sock" "$T/notify.out"
	# the STATUS= line is not passed on (as runc); the sleep shows that
	# run -d waits for READY
	setargs "$b" sh -c 'echo "$NOTIFY_SOCKET" >/env.out; /sdnotify STATUS=starting
		sleep 1; touch /ready.sent; /sdnotify "READY=1"; exec sleep 600'
	delete_at_exit "$id"
	NOTIFY_SOCKET=$T/notify.sock hkr run -d -b "$b" "$id"
	[ -e "$b/rootfs/ready.sent" ] || fail "run -d returned before the container was ready"
	assert_eq "$(cat "$b/rootfs/env.out")" /run/notify/notify.sock "NOTIFY_SOCKET in the container"
	pid=$(hkr state "$id" | jq -r .pid)
	wait_until 10 notify_lines 2 || fail "the listener got [$(cat "$T/notify.out")], expected two lines"
	out=$(cat "$T/notify.out")
	assert_eq "$out" "READY=1|
MAINPID=$pid|" "what the caller's NOTIFY_SOCKET received"
	[ -S "$T/state/$id/notify/notify.sock" ] || fail "no socket in the state directory"
	hkr delete --force "$id"
	[ ! -e "$T/state/$id" ] || fail "state directory left: $(ls -R "$T/state/$id")"
	stop_listener
}

# create + start: start (in whose environment $NOTIFY_SOCKET is) relays;
# a process that exits without READY does not hang start
test_notify_create_start() {
	local b id pid
	b=$(mkbundle)
	cfg "$b" ".root.readonly = false"
	notify_helper "$b"
	id=$(newid)
	notify_listener "$T/notify.sock" "$T/notify.out"
	setargs "$b" sh -c '/sdnotify "READY=1
STATUS=up"; exec sleep 600'
	delete_at_exit "$id"
	NOTIFY_SOCKET=$T/notify.sock hkr create -b "$b" "$id"
	[ -d "$T/state/$id/notify" ] || fail "create made no notify directory"
	NOTIFY_SOCKET=$T/notify.sock hkr start "$id"
	pid=$(hkr state "$id" | jq -r .pid)
	wait_until 10 notify_lines 2 || fail "the listener got [$(cat "$T/notify.out")], expected two lines"
	assert_eq "$(cat "$T/notify.out")" "READY=1|
MAINPID=$pid|"
	hkr delete --force "$id"

	# never ready: start returns when the process exits, nothing is sent
	: >"$T/notify.out"
	id=$(newid)
	setargs "$b" sh -c 'exit 0'
	delete_at_exit "$id"
	NOTIFY_SOCKET=$T/notify.sock timeout 60 "$HUSK" --root "$T/state" run -d -b "$b" "$id" ||
		fail "run -d of a container that never gets ready: $?"
	sleep 0.3
	assert_eq "$(cat "$T/notify.out")" "" "nothing sent without READY"
	hkr delete --force "$id"
	stop_listener
}

# run in the foreground: husk is the main pid (as runc)
test_notify_run_foreground() {
	local b id hpid
	b=$(mkbundle)
	cfg "$b" ".root.readonly = false"
	notify_helper "$b"
	id=$(newid)
	notify_listener "$T/notify.sock" "$T/notify.out"
	setargs "$b" sh -c '/sdnotify READY=1; sleep 2'
	delete_at_exit "$id"
	NOTIFY_SOCKET=$T/notify.sock "$HUSK" --root "$T/state" run -b "$b" "$id" &
	hpid=$!
	wait "$hpid" || fail "run: $?"
	wait_until 10 notify_lines 2 || fail "the listener got [$(cat "$T/notify.out")], expected two lines"
	assert_eq "$(cat "$T/notify.out")" "READY=1|
MAINPID=$hpid|"
	[ ! -e "$T/state/$id" ] || fail "state directory left"
	stop_listener
}

# without $NOTIFY_SOCKET: no mount, no variable, no directory
test_notify_unset() {
	local b id out
	b=$(mkbundle)
	cfg "$b" ".root.readonly = false"
	id=$(newid)
	setargs "$b" sh -c 'echo "env=[$NOTIFY_SOCKET]"; ls /run/notify 2>&1; grep -c /run/notify /proc/self/mountinfo'
	out=$(env -u NOTIFY_SOCKET "$HUSK" --root "$T/state" run -b "$b" "$id" 2>&1) || true
	assert_contains "$out" "env=[]"
	assert_contains "$out" "No such file or directory"
	assert_not_contains "$out" "notify.sock"
}

# a create that fails leaves no state directory (with the notify one in it)
test_notify_failed_create() {
	local b id out
	b=$(mkbundle)
	cfg "$b" ".root.readonly = false"
	id=$(newid)
	cfg "$b" '.mounts += [{"destination": "/x", "type": "bind", "source": "/nonexistent-husk-notify"}]'
	out=$(NOTIFY_SOCKET=$T/nowhere.sock "$HUSK" --root "$T/state" create -b "$b" "$id" 2>&1) &&
		fail "create with a missing bind source succeeded"
	echo "$out"
	[ ! -e "$T/state/$id" ] || fail "state directory left: $(ls -R "$T/state/$id")"
}

# rootless (the user's uid is the container's root): the socket is reached
test_notify_rootless() {
	local b out
	b=$(mkbundle_user --own)
	notify_helper "$b"
	notify_listener "$T/notify.sock" "$T/notify.out"
	chmod 0777 "$T/notify.sock"
	setargs "$b" sh -c '/sdnotify READY=1'
	(cd "$b" && as_user env NOTIFY_SOCKET="$T/notify.sock" "$HUSK" run "$(newid)")
	wait_until 10 notify_lines 2 || fail "the listener got [$(cat "$T/notify.out")], expected two lines"
	out=$(cat "$T/notify.out")
	stop_listener
	assert_contains "$out" "READY=1|"
	assert_contains "$out" "MAINPID="
}

# a user namespace whose root is another uid, which cannot enter the
# state directory: husk copies the socket's directory for it
# (mount_sources.c), and the container's READY is relayed
test_notify_userns_other_root() {
	needs_root "adds its own user namespace"
	local b id
	b=$(mkbundle)
	cfg "$b" ".root.readonly = false"
	notify_helper "$b"
	id=$(newid)
	cfg "$b" '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	# the image as the engine makes it for the mapping: its root's own
	chown -R 100000:100000 "$b/rootfs"
	notify_listener "$T/notify.sock" "$T/notify.out"
	setargs "$b" sh -c '/sdnotify READY=1'
	delete_at_exit "$id"
	NOTIFY_SOCKET=$T/notify.sock "$HUSK" --root "$T/state" run -b "$b" "$id" ||
		fail "run: $?"
	wait_until 10 notify_lines 2 || fail "the listener got [$(cat "$T/notify.out")], expected two lines"
	assert_contains "$(cat "$T/notify.out")" "READY=1|"
	stop_listener
	[ ! -e "$T/state/$id" ] || fail "state directory left"
}
