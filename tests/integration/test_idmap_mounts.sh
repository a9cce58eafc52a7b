# Idmapped bind mounts: a mount's uidMappings/gidMappings and the options
# "idmap"/"ridmap" (runtime-spec 1.2, runc 1.2).  A mapping
# {containerID: C, hostID: H} shows what the filesystem has as C as H: with
# C=1000, H=0, the test user's files look root's in the container, and what
# root creates there is stored as 1000.  In a container with a user
# namespace, "idmap" alone takes the namespace's mappings: the host's files
# of uid 0 look root's inside, and what root creates is the host's root's.

# Whether the filesystem of directory $1 can be idmapped on this kernel
# (ext4, xfs, btrfs since 5.12; tmpfs since 6.3); the others (9p, overlay,
# ramfs ...) cannot.
idmap_fs_ok() {
	local kv
	kv=$(uname -r | awk -F. '{print $1 * 1000 + $2}')
	case "$(stat -fc %T "$1")" in
	ext2/ext3 | xfs | btrfs) [ "$kv" -ge 5012 ] ;;
	tmpfs) [ "$kv" -ge 6003 ] ;;
	*) return 1 ;;
	esac
}

# at_exit CMD...: run when the test's subshell exits (the last first;
# instead of lib.sh's delete_at_exit, whose trap would replace ours).
_idmap_exit=""
at_exit() {
	_idmap_exit="$*; $_idmap_exit"
	trap 'eval "$_idmap_exit"' EXIT
}
umount_at_exit() { at_exit umount "$1"; }

# idmap_dir D: directory D on a filesystem this kernel can idmap: in $T
# when its filesystem can (the host's /tmp: ext4), else an ext4 image
# mounted on D (the VM's /tmp is a tmpfs, which 6.1 cannot idmap), so the
# tests run everywhere.
idmap_dir() {
	mkdir -p "$1"
	idmap_fs_ok "$1" && return 0
	modprobe -q loop 2>/dev/null || true # (the VM loads modules on request only)
	modprobe -q ext4 2>/dev/null || true
	truncate -s 16M "$T/ext4.img"
	mkfs.ext4 -q -F "$T/ext4.img"
	mount -o loop "$T/ext4.img" "$1"
	umount_at_exit "$1"
	idmap_fs_ok "$1" || fail "$1: ext4 cannot be idmapped on $(uname -r)"
}

idmap_map='[{"containerID": 1000, "hostID": 0, "size": 1}]'

# Bundle B with a bind mount of $S (default $T/fs/src) on /m: OPTIONS (a
# JSON array).
idmap_bundle() {
	local b=$1 opts=$2 s=${3:-$T/fs/src}
	cfg "$b" --argjson m "$idmap_map" --arg s "$s" --argjson o "$opts" \
		'.mounts += [{"destination": "/m", "type": "bind", "source": $s, "options": $o,
		              "uidMappings": $m, "gidMappings": $m}]'
}

# Bundle B with a user namespace: 0-65535 are the host's 100000-165535
# (whose root must reach the rootfs and the sources in $T).
userns_bundle() {
	local b=$1
	cfg "$b" '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	chmod o+x "$T" "$(dirname "$T")" "$b"
	chown -R 100000:100000 "$b/rootfs"
}

# The index the next entry appended to bundle $1's mounts gets.
next_mount() { jq '.mounts | length' "$1/config.json"; }

test_idmap_bind_shows_mapped_owner() {
	needs_root "idmapped mounts need the host's root"
	local b out
	idmap_dir "$T/fs"
	mkdir -p "$T/fs/src"
	echo hi >"$T/fs/src/f"
	chown 1000:1000 "$T/fs/src" "$T/fs/src/f"
	echo root >"$T/fs/src/r" # owned by 0: outside the mapping
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	idmap_bundle "$b" '["bind"]'
	setargs "$b" sh -c 'stat -c "f=%u:%g" /m/f; stat -c "r=%u:%g" /m/r; touch /m/new && stat -c "new=%u:%g" /m/new'
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "f=0:0" "the user's file through the idmapped mount"
	assert_contains "$out" "r=65534:65534" "a file outside the mapping"
	assert_contains "$out" "new=0:0" "a file root made, seen inside"
	assert_eq "1000:1000" "$(stat -c %u:%g "$T/fs/src/new")" "that file on the host"
	assert_eq "0" "$(stat -c %u "$T/fs/src/r")"
}

# ridmap idmaps the submounts too; idmap (with rbind) only the top one.
test_idmap_ridmap_submounts() {
	needs_root "idmapped mounts need the host's root"
	local b out
	idmap_dir "$T/fs"
	mkdir -p "$T/fs/src/sub" "$T/fs/other"
	echo x >"$T/fs/other/g"
	chown -R 1000:1000 "$T/fs/src" "$T/fs/other"
	mount --bind "$T/fs/other" "$T/fs/src/sub"
	umount_at_exit "$T/fs/src/sub"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	idmap_bundle "$b" '["rbind", "ridmap"]'
	setargs "$b" stat -c %u:%g /m/sub/g
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "0:0" "$out" "ridmap: the submount is idmapped"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	idmap_bundle "$b" '["rbind", "idmap"]'
	setargs "$b" sh -c 'stat -c %u:%g /m/sub/g; stat -c %u:%g /m/sub'
	out=$(hk run -b "$b" "$(newid)")
	assert_eq "1000:1000
1000:1000" "$out" "idmap: the submount is not"
}

# A container with a user namespace: "idmap" without mappings takes the
# namespace's; a plain bind of the same source shows the host's root's
# files as nobody's.
test_idmap_userns_container_mappings() {
	needs_root "idmapped mounts need the host's root"
	local b out
	idmap_dir "$T/fs"
	mkdir -p "$T/fs/src"
	echo root >"$T/fs/src/r"
	echo u >"$T/fs/src/u"
	chown 1000:1000 "$T/fs/src/u"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	userns_bundle "$b"
	cfg "$b" --arg s "$T/fs/src" '.mounts += [
		{"destination": "/m", "type": "bind", "source": $s, "options": ["bind", "idmap"]},
		{"destination": "/plain", "type": "bind", "source": $s, "options": ["bind"]}]'
	setargs "$b" sh -c 'cat /proc/self/uid_map; stat -c "r=%u:%g" /m/r; stat -c "u=%u:%g" /m/u
		stat -c "plain=%u:%g" /plain/r; touch /m/new && stat -c "new=%u:%g" /m/new'
	out=$(hk run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$(echo "$out" | head -1 | tr -s ' ')" " 0 100000 65536" "the container's uid_map"
	assert_contains "$out" "r=0:0" "the host root's file through the idmapped mount"
	assert_contains "$out" "u=1000:1000" "uid 1000's file through it"
	assert_contains "$out" "plain=65534:65534" "the same file through a plain bind"
	assert_contains "$out" "new=0:0" "the file root made, inside"
	assert_eq "0:0" "$(stat -c %u:%g "$T/fs/src/new")" "that file on the host"
}

# Mappings of the mount's own, unlike the container's: the filesystem's
# 1000 is the container's root (host 100000) there.
test_idmap_userns_own_mappings() {
	needs_root "idmapped mounts need the host's root"
	local b out m='[{"containerID": 1000, "hostID": 100000, "size": 1}]'
	idmap_dir "$T/fs"
	mkdir -p "$T/fs/src"
	echo root >"$T/fs/src/r"
	echo u >"$T/fs/src/u"
	chown 1000:1000 "$T/fs/src" "$T/fs/src/u"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	userns_bundle "$b"
	# without a cgroup mount (or namespace) the child waits for its cgroup
	# placement only at the end: husk's CGROUP comes in while the child
	# waits for the idmapping
	cfg "$b" '.mounts |= map(select(.type != "cgroup"))'
	cfg "$b" --arg s "$T/fs/src" --argjson m "$m" '.mounts += [{"destination": "/m",
		"type": "bind", "source": $s, "options": ["bind"], "uidMappings": $m, "gidMappings": $m}]'
	setargs "$b" sh -c 'stat -c "u=%u:%g" /m/u; stat -c "r=%u:%g" /m/r; touch /m/new && stat -c "new=%u:%g" /m/new'
	out=$(hk run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$out" "u=0:0" "the filesystem's 1000, inside"
	assert_contains "$out" "r=65534:65534" "the filesystem's 0: not in the mount's mappings"
	assert_contains "$out" "new=0:0"
	assert_eq "1000:1000" "$(stat -c %u:%g "$T/fs/src/new")" "the file root made, on the host"
}

# process $1 is in a user namespace other than ours
idmap_userns_other() {
	local ns
	ns=$(readlink "/proc/$1/ns/user")
	[ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/user)" ]
}

# A user namespace joined by path (the slow path, with a fork into the
# pid namespace): "idmap" takes that namespace's mappings.
test_idmap_joined_userns() {
	needs_root "idmapped mounts need the host's root"
	local b out holder
	idmap_dir "$T/fs"
	mkdir -p "$T/fs/src"
	echo root >"$T/fs/src/r"
	unshare --user sleep 60 &
	holder=$!
	at_exit kill "$holder"
	wait_until 10 idmap_userns_other "$holder" || fail "unshare --user did not run"
	echo "0 100000 65536" >"/proc/$holder/uid_map"
	echo "0 100000 65536" >"/proc/$holder/gid_map"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	userns_bundle "$b"
	cfg "$b" --arg p "/proc/$holder/ns/user" --arg s "$T/fs/src" '
		.linux.namespaces = [.linux.namespaces[] | if .type == "user" then .path = $p else . end]
		| del(.linux.uidMappings, .linux.gidMappings)
		| .mounts += [{"destination": "/m", "type": "bind", "source": $s, "options": ["bind", "idmap"]}]'
	setargs "$b" sh -c 'cat /proc/self/uid_map; echo pid=$$; stat -c "r=%u:%g" /m/r; touch /m/new && stat -c "new=%u:%g" /m/new'
	out=$(hk run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$(echo "$out" | head -1 | tr -s ' ')" " 0 100000 65536" "the joined namespace's uid_map"
	assert_contains "$out" "pid=1" "in a pid namespace of its own (the slow path's fork)"
	assert_contains "$out" "r=0:0" "the host root's file through the idmapped mount"
	assert_contains "$out" "new=0:0"
	assert_eq "0:0" "$(stat -c %u:%g "$T/fs/src/new")" "the file root made, on the host"
}

# ridmap with a recursive bind in a user namespace: the submount is
# idmapped too; with idmap only the top is.
test_idmap_userns_ridmap() {
	needs_root "idmapped mounts need the host's root"
	local b out
	idmap_dir "$T/fs"
	mkdir -p "$T/fs/src/sub" "$T/fs/other"
	echo x >"$T/fs/other/g"
	echo t >"$T/fs/src/t"
	mount --bind "$T/fs/other" "$T/fs/src/sub"
	umount_at_exit "$T/fs/src/sub"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	userns_bundle "$b"
	cfg "$b" --arg s "$T/fs/src" '.mounts += [
		{"destination": "/a", "type": "bind", "source": $s, "options": ["rbind", "ridmap"]},
		{"destination": "/b", "type": "bind", "source": $s, "options": ["rbind", "idmap"]}]'
	setargs "$b" sh -c 'stat -c "a=%u:%g" /a/sub/g; stat -c "b=%u:%g" /b/sub/g; stat -c "btop=%u:%g" /b/t'
	out=$(hk run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$out" "a=0:0" "ridmap: the submount is idmapped"
	assert_contains "$out" "b=65534:65534" "idmap: the submount is not"
	assert_contains "$out" "btop=0:0" "idmap: the top mount is"
}

# The entry's other options apply to the idmapped mount, and it is
# attached in its place in the array: a later mount inside it stays on top.
test_idmap_userns_options_and_order() {
	needs_root "idmapped mounts need the host's root"
	local b out
	idmap_dir "$T/fs"
	mkdir -p "$T/fs/src/d"
	echo root >"$T/fs/src/r"
	echo below >"$T/fs/src/d/hidden"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	userns_bundle "$b"
	cfg "$b" --arg s "$T/fs/src" '.mounts += [
		{"destination": "/m", "type": "bind", "source": $s, "options": ["bind", "idmap", "ro"]},
		{"destination": "/m/d", "type": "tmpfs", "source": "tmpfs"}]'
	setargs "$b" sh -c 'stat -c "r=%u:%g" /m/r; touch /m/x 2>/dev/null && echo write=ok || echo write=refused
		stat -fc "d=%T" /m/d; ls /m/d; touch /m/d/ok && echo d-writable
		grep -E " /m(/d)? " /proc/self/mountinfo'
	out=$(hk run -b "$b" "$(newid)")
	echo "$out"
	assert_contains "$out" "r=0:0" "idmapped"
	assert_contains "$out" "write=refused" "read-only"
	assert_contains "$out" "d=tmpfs" "the later tmpfs on top of the idmapped mount"
	assert_not_contains "$out" "hidden" "the directory the tmpfs covers"
	assert_contains "$out" "d-writable"
	assert_contains "$(echo "$out" | grep ' /m ')" " /m ro," "mountinfo of /m"
	assert_contains "$(echo "$out" | grep ' /m ')" ",idmapped " "mountinfo of /m"
	[ ! -e "$T/fs/src/x" ] || fail "a file was written through the read-only mount"
}

# The child's requests to husk (IDMAP, HOOKS) after the slow path's fork
# into the pid namespace: husk's REAPED comes unasked in between, in `run`
# and in `create` (the request waits for it: husk reads the intermediate's
# PID first).
test_idmap_slow_path_requests() {
	needs_root "idmapped mounts need the host's root"
	local b out id
	idmap_dir "$T/fs"
	mkdir -p "$T/fs/src"
	chown 1000:1000 "$T/fs/src"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	idmap_bundle "$b" '["bind"]'
	cfg "$b" --arg h "$T/hook-ran" '
		.linux.namespaces = [.linux.namespaces[] | if .type == "ipc" then .path = "/proc/self/ns/ipc" else . end]
		| .hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "echo x >>\($h)"]}]'
	setargs "$b" sh -c 'echo pid=$$; stat -c "m=%u" /m'
	out=$(hk run -b "$b" "$(newid)")
	_hk_n=$((_hk_n + 1)) # (newid counted in a subshell)
	assert_contains "$out" "pid=1"
	assert_contains "$out" "m=0" "idmapped"
	id=$(newid)
	_hk_n=$((_hk_n + 1)) # (newid counted in a subshell)
	hkr create -b "$b" "$id"
	at_exit hkr delete --force "$id"
	hkr start "$id"
	assert_eq "2" "$(wc -l <"$T/hook-ran")" "the prestart hook ran in run and in create"
	# and a hook without any idmapped mount
	cfg "$b" 'del(.mounts[-1])'
	setargs "$b" true
	hk run -b "$b" "$(newid)"
	_hk_n=$((_hk_n + 1)) # (newid counted in a subshell)
	id=$(newid)
	_hk_n=$((_hk_n + 1)) # (newid counted in a subshell)
	hkr create -b "$b" "$id"
	at_exit hkr delete --force "$id"
	hkr start "$id"
	assert_eq "4" "$(wc -l <"$T/hook-ran")" "the prestart hook ran again"
}

test_idmap_errors() {
	needs_root "idmapped mounts need the host's root"
	local b n
	mkdir -p "$T/src"
	# not a bind mount
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	n=$(next_mount "$b")
	cfg "$b" --argjson m "$idmap_map" '.mounts += [{"destination": "/t", "type": "tmpfs",
		"source": "tmpfs", "uidMappings": $m, "gidMappings": $m}]'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "mounts[$n] (tmpfs on /t): idmapped mounts are supported for bind mounts only"
	# the option without mappings, and no user namespace to take them from
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	cfg "$b" --arg s "$T/src" '.mounts += [{"destination": "/m", "type": "bind", "source": $s,
		"options": ["bind", "idmap"]}]'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "mounts[$n] (bind on /m): idmap/ridmap without uidMappings and gidMappings takes the mappings of the container's user namespace, and the container has none"
	# uidMappings without gidMappings
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	userns_bundle "$b"
	cfg "$b" --argjson m "$idmap_map" --arg s "$T/src" '.mounts += [{"destination": "/m",
		"type": "bind", "source": $s, "options": ["bind", "idmap"], "uidMappings": $m}]'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "mounts[$n]: uidMappings and gidMappings must be given together"
}

# A filesystem that cannot be idmapped (ramfs, on every kernel): the
# kernel's refusal, named, from husk (the parent idmaps).
test_idmap_unsupported_filesystem() {
	needs_root "idmapped mounts need the host's root"
	local b n
	mkdir -p "$T/ram"
	mount -t ramfs ramfs "$T/ram"
	umount_at_exit "$T/ram"
	echo x >"$T/ram/f"
	chmod 0755 "$T/ram"
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	userns_bundle "$b"
	n=$(next_mount "$b")
	cfg "$b" --arg s "$T/ram" '.mounts += [{"destination": "/m", "type": "bind", "source": $s,
		"options": ["bind", "idmap"]}]'
	setargs "$b" echo should-not-run
	expect_fail hk run -b "$b" "$(newid)"
	cat "$T/err"
	assert_not_contains "$(cat "$T/out")" "should-not-run"
	assert_contains "$(cat "$T/err")" "mounts[$n] (bind on /m): idmap $T/ram: the filesystem (or one below, with ridmap) does not support idmapped mounts on this kernel"
	# the same without a user namespace
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	idmap_bundle "$b" '["bind"]' "$T/ram"
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "mounts[$n] (bind on /m): idmap $T/ram: the filesystem"
}

# An ordinary user cannot idmap the host's filesystems (the kernel wants
# CAP_SYS_ADMIN over their user namespace): refused before anything runs.
test_idmap_rootless_refused() {
	local b n rc=0
	b=$(mkbundle_user)
	_hk_n=$((_hk_n + 1)) # (mkbundle_user counted in a subshell)
	user_dir "$T/usrc"
	n=$(next_mount "$b")
	cfg "$b" --arg s "$T/usrc" '.mounts += [{"destination": "/m", "type": "bind", "source": $s,
		"options": ["rbind", "idmap"]}]'
	setargs "$b" echo should-not-run
	(cd "$b" && as_user "$HUSK" run "$(newid)") >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/err"
	[ "$rc" -ne 0 ] || fail "an idmapped mount as an ordinary user did not fail"
	assert_not_contains "$(cat "$T/out")" "should-not-run"
	assert_contains "$(cat "$T/err")" "mounts[$n] (bind on /m): idmapped mounts are not supported for rootless containers"
}

test_idmap_features() {
	local out
	out=$(hk features | jq -c '.mountOptions | map(select(. == "idmap" or . == "ridmap"))')
	assert_eq '["idmap","ridmap"]' "$out"
}
