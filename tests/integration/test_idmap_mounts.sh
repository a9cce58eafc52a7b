# Idmapped bind mounts: a mount's uidMappings/gidMappings and the options
# "idmap"/"ridmap" (runtime-spec 1.2, runc 1.2).  A mapping
# {containerID: C, hostID: H} shows what the filesystem has as C as H: with
# C=1000, H=0, the test user's files look root's in the container, and what
# root creates there is stored as 1000.

# Whether the filesystem of $T can be idmapped on this kernel (ext4, xfs,
# btrfs since 5.12; tmpfs since 6.3); the others (9p, overlay ...) cannot.
idmap_fs_ok() {
	local kv
	kv=$(uname -r | awk -F. '{print $1 * 1000 + $2}')
	case "$(stat -fc %T "$T")" in
	ext2/ext3 | xfs | btrfs) [ "$kv" -ge 5012 ] ;;
	tmpfs) [ "$kv" -ge 6003 ] ;;
	*) return 1 ;;
	esac
}

idmap_map='[{"containerID": 1000, "hostID": 0, "size": 1}]'

# Bundle B with a bind mount of $T/src on /m: OPTIONS (a JSON array).
idmap_bundle() {
	local b=$1 opts=$2
	cfg "$b" --argjson m "$idmap_map" --arg s "$T/src" --argjson o "$opts" \
		'.mounts += [{"destination": "/m", "type": "bind", "source": $s, "options": $o,
		              "uidMappings": $m, "gidMappings": $m}]'
}

test_idmap_bind_shows_mapped_owner() {
	needs_root "makes files owned by other ids"
	local b out
	mkdir -p "$T/src"
	echo hi >"$T/src/f"
	chown 1000:1000 "$T/src" "$T/src/f"
	echo root >"$T/src/r" # owned by 0: outside the mapping
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	idmap_bundle "$b" '["bind"]'
	setargs "$b" sh -c 'stat -c "f=%u:%g" /m/f; stat -c "r=%u:%g" /m/r; touch /m/new && stat -c "new=%u:%g" /m/new'
	if ! idmap_fs_ok; then
		expect_fail hk run -b "$b" "$(newid)"
		assert_contains "$(cat "$T/err")" "mounts[" &&
			assert_contains "$(cat "$T/err")" "does not support idmapped mounts"
		echo "skip: $(stat -fc %T "$T") on $(uname -r) cannot be idmapped; the error was asserted"
		return 0
	fi
	out=$(hk run -b "$b" "$(newid)")
	assert_contains "$out" "f=0:0" "the user's file through the idmapped mount"
	assert_contains "$out" "r=65534:65534" "a file outside the mapping"
	assert_contains "$out" "new=0:0" "a file root made, seen inside"
	assert_eq "1000:1000" "$(stat -c %u:%g "$T/src/new")" "that file on the host"
	assert_eq "0" "$(stat -c %u "$T/src/r")"
}

# ridmap idmaps the submounts too; idmap (with rbind) only the top one.
test_idmap_ridmap_submounts() {
	needs_root "makes files owned by other ids"
	local b out
	idmap_fs_ok || {
		echo "skip: $(stat -fc %T "$T") cannot be idmapped here (asserted in test_idmap_bind_shows_mapped_owner)"
		return 0
	}
	mkdir -p "$T/src/sub" "$T/other"
	echo x >"$T/other/g"
	chown -R 1000:1000 "$T/src" "$T/other"
	mount --bind "$T/other" "$T/src/sub"
	trap 'umount "$T/src/sub"' EXIT
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

test_idmap_errors() {
	needs_root "adds its own user namespace"
	local b
	mkdir -p "$T/src"
	# not a bind mount
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	cfg "$b" --argjson m "$idmap_map" '.mounts += [{"destination": "/t", "type": "tmpfs",
		"source": "tmpfs", "uidMappings": $m, "gidMappings": $m}]'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "(tmpfs on /t): idmapped mounts are supported for bind mounts only"
	# the option without mappings: the container's own would be needed
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	cfg "$b" --arg s "$T/src" '.mounts += [{"destination": "/m", "type": "bind", "source": $s,
		"options": ["bind", "idmap"]}]'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "(bind on /m): idmap/ridmap without uidMappings and gidMappings"
	# a container with a user namespace of its own
	b=$(mkbundle)
	_hk_n=$((_hk_n + 1)) # (mkbundle counted in a subshell)
	idmap_bundle "$b" '["bind"]'
	cfg "$b" '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]'
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "(bind on /m): idmapped mounts need a container without a user namespace"
}

test_idmap_features() {
	local out
	out=$(hk features | jq -c '.mountOptions | map(select(. == "idmap" or . == "ridmap"))')
	assert_eq '["idmap","ridmap"]' "$out"
}
