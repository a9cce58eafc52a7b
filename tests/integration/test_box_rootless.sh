# test_box_rootless.sh - `husk box` run by an ordinary user ($HK_USER, made
# by the runner with a subordinate id range): a user namespace mapping the
# user to root and the range to 1..65535, storage under the user's
# $XDG_CACHE_HOME, limits only in a cgroup delegated to the user.

# as the test user, with its storage in $T/home/.cache/husk (the default)
ubox() {
	as_user "$HUSK" box "$@"
}

ustorage() { echo "$T/home/.cache/husk"; }

assert_user_storage_clean() { assert_storage_clean "$(ustorage)"; }

test_box_rootless_isolated_and_mapped() {
	local out name
	unset HUSK_STORAGE
	name=$(newid)
	out=$(ubox --name "$name" -- sh -c 'id -u; hostname; cat /proc/self/uid_map; echo pid1=$(cat /proc/1/comm) procs=$(ps -o pid | wc -l)
		touch /tmp/f && chown 1000:1000 /tmp/f && ls -ln /tmp/f')
	assert_contains "$out" "$name" "hostname"
	assert_eq 0 "$(echo "$out" | head -1)" "uid in the box"
	assert_contains "$(echo "$out" | grep -E '^ +0 ')" "$HK_USER_UID" "uid map: root is the user"
	assert_contains "$(echo "$out" | grep -E '^ +1 ')" "$HK_SUBID_START" "uid map: the subordinate range"
	assert_contains "$out" "pid1=sh"
	[ "$(echo "$out" | sed -n 's/.*procs=//p')" -le 5 ] || fail "ps sees the host's processes"
	assert_contains "$out" "1000     1000" "chown to a subordinate id inside"
	[ -d "$(ustorage)/rootfs" ] || fail "no storage in the user's \$XDG_CACHE_HOME/husk"
	assert_user_storage_clean
}

test_box_rootless_tarball_ids_shifted() {
	needs_root "makes files owned by other ids"
	local out f
	unset HUSK_STORAGE
	cp -a "$ROOTFS" "$T/rootfs"
	echo owned >"$T/rootfs/root/marker"
	chown 1000:1000 "$T/rootfs/root/marker"
	tar -C "$T/rootfs" -czf "$T/img.tar.gz" .
	chmod 0644 "$T/img.tar.gz"
	out=$(ubox --name "$(newid)" "$T/img.tar.gz" -- sh -c 'ls -ln /root/marker; cat /root/marker
		mkdir /home/u && chown 1000 /home/u && touch /home/u/file && chown 1000 /home/u/file && chmod 0700 /home/u')
	assert_contains "$out" "1000     1000" "owner inside"
	assert_contains "$out" "owned"
	f=$(ls -d "$(ustorage)"/rootfs/sha256-*/root/marker)
	assert_eq "$((HK_SUBID_START + 999)):$((HK_SUBID_START + 999))" "$(stat -c %u:%g "$f")" "owner on the host: shifted into the subordinate range"
	# the layer (with files of subordinate ids) is gone
	assert_user_storage_clean
	# the tarball itself was not changed, and a second box reuses the tree
	out=$(ubox --name "$(newid)" "$T/img.tar.gz" -- cat /root/marker)
	assert_eq "owned" "$out"
	assert_eq 1 "$(ls -d "$(ustorage)"/rootfs/sha256-* | wc -l)" "one unpacked tree"
}

test_box_rootless_layer_kept_and_rootfs_unchanged() {
	local out name before
	unset HUSK_STORAGE
	user_dir "$T/rootfs"
	cp -a "$ROOTFS/." "$T/rootfs"
	chown -R "$HK_USER_UID:$HK_USER_GID" "$T/rootfs"
	before=$(cd "$T/rootfs" && find . -printf '%p %s %m %U\n' | sort | md5sum)
	name=$(newid)
	ubox --rm=false --name "$name" --tmpfs /mytemp "$T/rootfs" -- sh -c 'echo k > /root/k; rm /bin/ls
		echo secret > /mytemp/s; mkdir /d; touch /d/f; chown -R 1000:1000 /d; chmod 0700 /d'
	assert_eq "$before" "$(cd "$T/rootfs" && find . -printf '%p %s %m %U\n' | sort | md5sum)" "rootfs unchanged"
	[ -z "$(find "$(ustorage)" -name s -path '*mytemp*')" ] || fail "the tmpfs file reached the layer"
	if grep -q " /mytemp " /proc/self/mountinfo; then fail "/mytemp mounted on the host"; fi
	out=$(ubox --rm=false --name "$name" "$T/rootfs" -- sh -c 'cat /root/k; ls /bin/ls 2>&1; ls -ln /d/f')
	assert_contains "$out" "k"
	assert_contains "$out" "No such file"
	assert_contains "$out" "1000     1000"
	# removed by the user, files of subordinate ids included
	ubox --remove "$name"
	assert_user_storage_clean
}

test_box_rootless_escape_refused() {
	local rc=0
	unset HUSK_STORAGE
	python3 - "$T/evil.tar" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    d = tarfile.TarInfo("bin"); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
    s = tarfile.TarInfo("bin/link"); s.type = tarfile.SYMTYPE; s.linkname = "/tmp"; t.addfile(s)
    data = b"escaped\n"
    f = tarfile.TarInfo("bin/link/escaped-through-link"); f.size = len(data)
    t.addfile(f, io.BytesIO(data))
EOF
	chmod 0644 "$T/evil.tar"
	ubox --name "$(newid)" "$T/evil.tar" -- true 2>"$T/err" || rc=$?
	assert_eq 125 "$rc"
	assert_contains "$(cat "$T/err")" "bin/link/escaped-through-link"
	[ ! -e /tmp/escaped-through-link ] || { rm -f /tmp/escaped-through-link; fail "written through the link"; }
	assert_user_storage_clean
}

test_box_rootless_memory_needs_delegation() {
	local rc=0
	unset HUSK_STORAGE
	ubox --name "$(newid)" --memory 32M -- true 2>"$T/err" || rc=$?
	assert_eq 125 "$rc" "exit status"
	assert_contains "$(cat "$T/err")" "--memory" "names the option"
	assert_contains "$(cat "$T/err")" "delegat" "says why"
	assert_user_storage_clean
}

test_box_rootless_memory_cap_in_delegated_cgroup() {
	local h rc=0 out
	unset HUSK_STORAGE
	h=$(delegated_cgroup)
	as_user_in_cgroup "$h" "$HUSK" box --name "$(newid)" --memory 32M -- \
		sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null; dd if=/dev/zero of=/dev/null bs=100M count=1' >"$T/out" 2>"$T/err" || rc=$?
	# the pids limit too: the 20 background sleeps cannot all start (the
	# shell, their pid namespace's init, ends without waiting: they die)
	out=$(as_user_in_cgroup "$h" "$HUSK" box --name "$(newid)" --pids-limit 10 -- \
		sh -c 'for i in $(seq 20); do sleep 30 & done' 2>&1 || true)
	undelegate_cgroup "$h"
	assert_eq 137 "$rc" "exit status"
	assert_contains "$(cat "$T/err")" "killed by the OOM killer (memory limit 32 MiB)"
	assert_contains "$out" "can't fork" "pids limit"
	# on v2 the box sees its own cgroup (cgroup namespace) at /sys/fs/cgroup
	[ "$(cg_layout)" != v2 ] || assert_eq 33554432 "$(cat "$T/out")" "memory.max in the box"
	assert_user_storage_clean
}

test_box_rootless_interactive_shell() {
	needs_root "runs as another user"
	local out
	unset HUSK_STORAGE
	out=$( (sleep 1; printf 'echo hi-$((6*7)) $(id -u)\n'; sleep 1; printf 'exit\n') |
		as_user script -qec "$HUSK box -t --name $(newid) -- sh -i" /dev/null | tr -d '\r')
	assert_contains "$out" "echo hi-\$((6*7))" "typed command echoed"
	assert_contains "$out" "hi-42 0" "command output"
	assert_user_storage_clean
}

# A user with no subordinate range: only its own ids are mapped, said once.
test_box_rootless_single_map_note() {
	needs_root "makes a user"
	local u="hkn$$" rc=0
	useradd -M -d /nonexistent -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u"
	user_dir "$T/h2"
	chown "$u" "$T/h2"
	single_map_checks "$u" || rc=$?
	userdel "$u"
	return $rc
}

single_map_checks() {
	local u=$1 out
	nobox() {
		setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --init-groups \
			env -i PATH="$PATH" HOME="$T/h2" "$HUSK" box "$@"
	}
	out=$(nobox --name "$(newid)" -- sh -c 'cat /proc/self/uid_map; chown 1000 /tmp 2>&1 || echo chown-refused' 2>"$T/err")
	assert_contains "$(cat "$T/err")" "note: no range for $u in /etc/subuid"
	assert_contains "$out" "chown-refused"
	assert_eq 1 "$(echo "$out" | grep -c '^ *0 ')" "a single mapping"
	nobox --name "$(newid)" -- true 2>"$T/err"
	assert_eq "" "$(cat "$T/err")" "the note is said once"
	assert_storage_clean "$T/h2/.cache/husk"
}
