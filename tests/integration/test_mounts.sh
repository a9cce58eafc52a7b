# test_mounts.sh - mount options that are not the kernel's: tmpcopyup (a
# tmpfs over a rootfs directory gets a copy of what it held, as podman
# --read-only's /run expects), notmpcopyup, and unknown options.

# A directory /data in the bundle's rootfs with a file, a subdirectory, a
# symlink inside and two pointing out of the rootfs, and a fifo.
_mk_copyup_tree() {
	local r=$1/rootfs/data
	mkdir -p "$r/sub/deeper"
	echo hello >"$r/file"
	chmod 0604 "$r/file"
	chown 1234:5678 "$r/file"
	echo nested >"$r/sub/deeper/n"
	chmod 0777 "$r/sub"
	chmod 4755 "$r/sub/deeper/n"
	touch -d '2001-02-03 04:05:06' "$r/file"
	ln -s file "$r/link"
	ln -s /etc/passwd "$r/abs"
	ln -s ../../.. "$r/rel"
	mkfifo "$r/fifo"
}

test_mounts_tmpcopyup() {
	needs_root "makes files owned by other ids"
	local b out before
	b=$(mkbundle)
	_mk_copyup_tree "$b"
	before=$(cd "$b/rootfs/data" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | sort)
	cfg "$b" '.root.readonly = true | .mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]}]'
	setargs "$b" sh -c '
		cd /data || exit 1
		grep " /data tmpfs " /proc/mounts | cut -d" " -f3
		cat file; cat sub/deeper/n; cat link
		stat -c "%n %A %u:%g %Y" file sub sub/deeper/n
		readlink abs; readlink rel
		[ -L abs ] && [ -L rel ] && echo symlinks-kept
		[ -e fifo ] && echo fifo-copied
		echo new > written && echo writable'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "tmpfs"
	assert_contains "$out" "hello
nested
hello"
	assert_contains "$out" "file -rw----r-- 1234:5678 981173106"
	assert_contains "$out" "sub drwxrwxrwx 0:0"
	assert_contains "$out" "sub/deeper/n -rwsr-xr-x 0:0"
	assert_contains "$out" "/etc/passwd
../../..
symlinks-kept"
	assert_not_contains "$out" "fifo-copied"
	assert_contains "$out" "writable"
	# the host's directory: nothing followed, written or changed
	assert_eq "$before" "$(cd "$b/rootfs/data" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | sort)" \
		"rootfs /data changed"
	[ ! -e "$b/rootfs/data/written" ] || fail "tmpfs write reached the rootfs"
}

test_mounts_tmpcopyup_readonly_and_not() {
	needs_root "makes files owned by other ids"
	local b out
	b=$(mkbundle)
	_mk_copyup_tree "$b"
	cfg "$b" '.mounts += [
		{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "tmpcopyup", "mode=750"]},
		{"destination": "/empty", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "notmpcopyup"]},
		{"destination": "/bound", "type": "bind", "source": "'"$b"'/rootfs/data", "options": ["rbind", "tmpcopyup"]}]'
	mkdir -p "$b/rootfs/empty"
	echo x >"$b/rootfs/empty/hidden"
	setargs "$b" sh -c '
		cat /data/file; stat -c "%a" /data
		touch /data/x 2>/dev/null && echo data-writable
		ls -A /empty | wc -l
		cat /bound/file'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "hello
750
0
hello" "$out"
}

test_mounts_unknown_option_fails() {
	local b id
	b=$(mkbundle)
	cfg "$b" '.mounts += [{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "bogusopt"]}]'
	setargs "$b" true
	id=$(newid)
	expect_fail hk run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" 'tmpfs on /t): mount with data "bogusopt": invalid argument'
	hk delete --force "$id" >/dev/null 2>&1 || true
	# a bind mount: the kernel would ignore it, husk does not
	mkdir -p "$T/src"
	cfg "$b" ".mounts |= map(select(.destination != \"/t\")) | .mounts += [{\"destination\": \"/t\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"rbind\", \"ro\", \"mode=0755\"]}]"
	expect_fail hk run -b "$b" "$id"
	assert_contains "$(cat "$T/err")" '(bind on /t): unknown mount option "mode=0755" (a bind mount takes no filesystem options)'
	hk delete --force "$id" >/dev/null 2>&1 || true
}

test_mounts_tmpcopyup_rootless() {
	# an unprivileged user's container: the rootfs's owners (host root)
	# have no mapping, so the copies are the container root's and a
	# set-uid file of someone else loses its set-uid bit
	local b out
	b=$(mkbundle_user)
	mkdir -p "$b/rootfs/data/sub"
	echo hi >"$b/rootfs/data/sub/f"
	chmod 4755 "$b/rootfs/data/sub/f"
	ln -s /etc/passwd "$b/rootfs/data/abs"
	cfg "$b" '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "tmpcopyup"]}]'
	setargs "$b" sh -c 'cat /data/sub/f; stat -c "%A %u" /data/sub/f; readlink /data/abs'
	out=$(cd "$b" && as_user "$HUSK" run "$(newid)")
	assert_eq "hi
-rwxr-xr-x 0
/etc/passwd" "$out"
}

# Every option `features` advertises really works: one bind mount and one
# tmpfs per option (features lists only what the code's tables hold); a few
# are checked for their effect.  (idmap and ridmap need mappings:
# test_idmap_mounts.sh.)
test_mounts_every_advertised_option_works() {
	needs_root "atime flags of the host's mounts are locked in a user namespace"
	local b opts out
	b=$(mkbundle)
	mkdir -p "$T/src/sub"
	opts=$(hk features | jq -c '.mountOptions')
	[ "$(echo "$opts" | jq length)" -gt 40 ] || fail "features.mountOptions: $opts"
	cfg "$b" --argjson o "$opts" --arg src "$T/src" '.root.readonly = false | .mounts += (
		[$o | to_entries[] | select(.value != "remount" and .value != "idmap" and .value != "ridmap") |
			{"destination": "/b/\(.key)", "type": "bind", "source": $src,
			 "options": (if .value == "bind" or .value == "rbind" then [.value] else ["rbind", .value] end)},
			(select(.value != "bind" and .value != "rbind") |
			 {"destination": "/t/\(.key)", "type": "tmpfs", "source": "tmpfs", "options": [.value]})])'
	# "remount" changes a mount that is there already: the rootfs /
	cfg "$b" '.mounts += [{"destination": "/t/remount-target", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/t/remount-target", "type": "tmpfs", "source": "tmpfs", "options": ["remount", "ro"]}]'
	local ro rro
	ro=$(echo "$opts" | jq 'index("ro")')
	rro=$(echo "$opts" | jq 'index("rro")')
	setargs "$b" sh -c "touch /b/$ro/x 2>/dev/null && echo ro-writable; touch /t/$ro/x 2>/dev/null && echo tmpfs-ro-writable;
		touch /t/remount-target/x 2>/dev/null && echo remount-writable; echo done"
	out=$(hk run -b "$b" "$(newid)" 2>&1)
	assert_eq done "$out" "every option accepted, ro and remount,ro read-only"
	[ "$rro" != null ] || fail "rro not advertised"
}

# A user namespace whose root is another uid cannot enter a directory only
# the host's root may: husk copies the bind sources for it before the
# clone (mount_sources.c), as crun does.  The copies stay private (the
# default rootfsPropagation), as binds made in the container are: a mount
# made below the source on the host afterwards does not show in the
# container, though the source's mount is shared; rbind takes the mount
# below that was there before; ro holds (the tmpfs is writable by all).
test_mounts_userns_source_only_husk_reaches() {
	needs_root "adds its own user namespace"
	local b id src out
	b=$(mkbundle)
	id=$(newid)
	src=$T/priv/vol
	mkdir -p "$src"
	chmod 0700 "$T/priv"
	echo hello >"$T/priv/file"
	cfg "$b" --arg src "$src" --arg file "$T/priv/file" '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.mounts += [{"destination": "/mnt/vol", "type": "bind", "source": $src,
			"options": ["rbind", "ro"]},
			{"destination": "/etc/hkfile", "type": "bind", "source": $file, "options": ["bind"]}]'
	# the image as the engine makes it for the mapping: its root's own
	chown -R 100000:100000 "$b/rootfs"
	setargs "$b" sh -c 'cat /etc/hkfile /mnt/vol/f /mnt/vol/below/b
		touch /mnt/vol/x 2>/dev/null && echo rw
		i=0
		while [ ! -e /mnt/vol/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		ls /mnt/vol/sub'
	# in a mount namespace of the test's own, where the source is a shared
	# tmpfs (the host's mounts are private here)
	unshare -m --propagation private sh -c '
		mount -t tmpfs -o mode=0777 tmpfs "$1" && mount --make-shared "$1" &&
		echo vol >"$1/f" && mkdir "$1/sub" "$1/below" &&
		mount -t tmpfs tmpfs "$1/below" && echo below >"$1/below/b" || exit 1
		"$2" --root "$3" run -b "$4" "$5" >"$6" 2>&1 &
		h=$!
		i=0
		until grep -qx below "$6" || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
		mount -t tmpfs tmpfs "$1/sub" && touch "$1/sub/from-host" "$1/go"
		wait $h' sh "$src" "$HUSK" "$T/state" "$b" "$id" "$T/out" || fail "run: $(cat "$T/out")"
	out=$(cat "$T/out")
	assert_eq "hello
vol
below" "$(echo "$out" | head -3)" "the file, the directory and the mount below it, bound from below a 0700 directory"
	assert_not_contains "$out" "rw"
	assert_not_contains "$out" "from-host"
}
