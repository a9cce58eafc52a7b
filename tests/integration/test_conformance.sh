# test_conformance.sh - husk against the OCI runtime spec (v1.2.0):
#  - `husk features` valid under tests/conformance/features.schema.json (our
#    own schema, from the spec's text), and what it advertises really works:
#    each seccomp action and operator, each namespace, each capability;
#  - the exact defaults of `husk spec` (and --rootless), and what a
#    container made from them sees: its environment, mounts, capabilities;
#  - process fields as the container reads them from /proc: rlimits (soft
#    and hard), additionalGids, umask.
# (Mount options: test_mounts.sh; the unknown rlimit type and other config
# errors naming the JSON path: test_errors.sh.)

CONF_SCHEMA=conformance/features.schema.json

# validate_features [FILE...]: tests/conformance/validate.py with the features
# schema (python3-jsonschema; the system python, not a pyenv shim on PATH)
validate_features() {
	/usr/bin/python3 "$HK_TESTS_DIR/conformance/validate.py" "$HK_TESTS_DIR/$CONF_SCHEMA" "$@"
}

test_conformance_features_schema() {
	local f min max out rc=0
	f=$T/features.json
	hk features >"$f"
	out=$(validate_features "$f") || fail "husk features is not valid: $out" || return 1
	# what the schema cannot say: ociVersionMax not below ociVersionMin,
	# supportedFlags within knownFlags
	min=$(jq -r .ociVersionMin "$f")
	max=$(jq -r .ociVersionMax "$f")
	assert_eq "$min" "$(printf '%s\n%s\n' "$min" "$max" | sort -V | head -1)" "ociVersionMin <= ociVersionMax"
	assert_eq "[]" "$(jq -c '.linux.seccomp | .supportedFlags - .knownFlags' "$f")" "supportedFlags not in knownFlags"
	# both ends are accepted as config.json's ociVersion (features.md
	# MUST), and `husk spec` writes the newest
	local b
	b=$(mkbundle)
	setargs "$b" true
	assert_eq "$max" "$(jq -r .ociVersion "$b/config.json")" "husk spec's ociVersion"
	for v in "$min" "$max"; do
		cfg "$b" --arg v "$v" '.ociVersion = $v'
		hk run -b "$b" "$(newid)" || fail "ociVersion $v refused" || return 1
	done
	# the validator rejects what the spec does not allow (so its "valid"
	# above means something), and takes null for any optional property
	local edits=('.linux.namespaces = "pid"' '.ociVersionMin = 1' 'del(.ociVersionMax)'
		'.ociVersionMax = "1.2"' '.linux.namespaces += ["net"]' '.hooks += ["preStart"]'
		'.linux.seccomp.enabled = "yes"' '.linux.netDevices = {"enabled": true}'
		'.linux.intelRdt.schemata = true' '.annotations.n = 1' '.mountOptions += ["size=1m"]'
		'.linux.seccomp.actions += [.linux.seccomp.actions[0]]') i
	for i in "${!edits[@]}"; do
		jq "${edits[$i]}" "$f" >"$T/bad$i.json"
	done
	jq '.hooks = null | .mountOptions = null | .annotations = null | .linux.cgroup = null |
		.linux.seccomp.archs = null | .linux.mountExtensions.idmap = null' "$f" >"$T/nulls.json"
	jq -n '{"ociVersionMin": "1.0.0", "ociVersionMax": "1.2.0"}' >"$T/min.json"
	out=$(cd "$T" && validate_features nulls.json min.json bad*.json) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "exit status of the validator (1: a document is not valid)"
	for i in "${!edits[@]}"; do
		assert_contains "$out" "bad$i.json: " "the schema accepts [${edits[$i]}]" || return 1
	done
	assert_not_contains "$out" "nulls.json" "null optional properties refused"
	assert_not_contains "$out" "min.json" "the minimal document refused"
}

# ---- seccomp: each advertised action and operator in a profile ----

# probe_profile BUNDLE RULE VALUE...: run tests/helpers/seccomp_probe.c with
# a profile allowing everything but RULE (one linux.seccomp.syscalls entry
# on getppid); its output and "rc=N" in $T/probe.out
probe_profile() {
	local b=$1 rule=$2 rc=0
	shift 2
	cfg "$b" --argjson r "$rule" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [$r]}'
	setargs "$b" /seccomp_probe "$@"
	hk run -b "$b" "$(newid)" >"$T/probe.out" 2>&1 || rc=$?
	echo "rc=$rc" >>"$T/probe.out"
	tr '\n' ' ' <"$T/probe.out"
}

# the kernel log's lines of SCMP_ACT_LOG (audit type 1326, action
# SECCOMP_RET_LOG 0x7ffc0000) for getppid of a process named seccomp_probe
seccomp_logged() {
	dmesg 2>/dev/null | grep -c "type=1326.*comm=\"seccomp_probe\".*syscall=$1 .*code=0x7ffc0000" || true
}

test_conformance_seccomp_actions() {
	needs_root "reads the kernel log"
	local b a out want n0 nr
	b=$(mkbundle)
	static_helper seccomp_probe "$b"
	# (no core dump of what the filter kills)
	cfg "$b" '.process.rlimits = [{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	nr=$(printf '#include <sys/syscall.h>\nSYS_getppid\n' | cc -E -P - | tail -1)
	for a in $(hk features | jq -r '.linux.seccomp.actions[]'); do
		n0=$(seccomp_logged "$nr")
		case $a in
		SCMP_ACT_NOTIFY) continue ;; # needs an agent: test_seccomp.sh
		SCMP_ACT_ALLOW | SCMP_ACT_LOG) want="7: ok done rc=0 " ;;
		# errnoRet unset: EPERM (config-linux.md)
		SCMP_ACT_ERRNO) want="7: errno 1 done rc=0 " ;;
		# no tracer: the call fails with ENOSYS
		SCMP_ACT_TRACE) want="7: errno 38 done rc=0 " ;;
		# the calling thread dies, the process goes on
		SCMP_ACT_KILL | SCMP_ACT_KILL_THREAD) want="7: thread killed done rc=0 " ;;
		# the whole process, by SIGSYS (128+31)
		SCMP_ACT_KILL_PROCESS) want="rc=159 " ;;
		# a SIGSYS the process catches, telling the syscall
		SCMP_ACT_TRAP) want="7: SIGSYS getppid 7: ok done rc=0 " ;;
		*) fail "advertised seccomp action $a has no check here" || return 1 ;;
		esac
		out=$(probe_profile "$b" "{\"names\": [\"getppid\"], \"action\": \"$a\"}" 7)
		echo "$a: $out"
		assert_eq "$want" "$out" "effect of $a"
		if [ "$a" = SCMP_ACT_LOG ]; then
			# the kernel logs each call (printk is rate limited: a few tries)
			for _ in 1 2 3; do
				[ "$(seccomp_logged "$nr")" -gt "$n0" ] && break
				sleep 1
				probe_profile "$b" "{\"names\": [\"getppid\"], \"action\": \"$a\"}" 7 >/dev/null
			done
			[ "$(seccomp_logged "$nr")" -gt "$n0" ] || fail "SCMP_ACT_LOG: no audit line in the kernel log" || return 1
		fi
	done
}

test_conformance_seccomp_operators() {
	local b op arg out want
	b=$(mkbundle)
	static_helper seccomp_probe "$b"
	# getppid(VALUE) denied when VALUE OP 10 (MASKED_EQ: VALUE & 15 == 10);
	# 4294967306 is 2^32 + 10: the comparison is on 64 bits
	for op in $(hk features | jq -r '.linux.seccomp.operators[]'); do
		arg="{\"index\": 0, \"value\": 10, \"op\": \"$op\"}"
		case $op in
		SCMP_CMP_EQ) want="ok E ok ok ok" ;;
		SCMP_CMP_NE) want="E ok E E E" ;;
		SCMP_CMP_LT) want="E ok ok ok ok" ;;
		SCMP_CMP_LE) want="E E ok ok ok" ;;
		SCMP_CMP_GT) want="ok ok E E E" ;;
		SCMP_CMP_GE) want="ok E E E E" ;;
		SCMP_CMP_MASKED_EQ)
			arg="{\"index\": 0, \"value\": 15, \"valueTwo\": 10, \"op\": \"$op\"}"
			want="ok E ok E E"
			;;
		*) fail "advertised seccomp operator $op has no check here" || return 1 ;;
		esac
		out=$(probe_profile "$b" "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 33, \"args\": [$arg]}" \
			9 10 11 26 4294967306)
		echo "$op: $out"
		assert_eq "$want" "$(sed -n 's/^[0-9]*: //p' "$T/probe.out" | sed 's/errno 33/E/' | tr '\n' ' ' | sed 's/ $//')" \
			"$op: results for 9 10 11 26 2^32+10 (E: denied)"
		assert_contains "$out" "done rc=0"
	done
}

# ---- namespaces and capabilities ----

# the /proc/self/ns name of a config namespace type
ns_file() {
	case $1 in
	network) echo net ;;
	mount) echo mnt ;;
	*) echo "$1" ;;
	esac
}

test_conformance_namespaces() {
	needs_root "maps 65536 ids"
	local b t f out types
	b=$(mkbundle)
	types=$(hk features | jq -r '.linux.namespaces[]')
	[ -n "$types" ] || fail "no namespaces advertised" || return 1
	for t in $types; do
		f=$(ns_file "$t")
		[ -e "/proc/self/ns/$f" ] || fail "advertised namespace $t: no /proc/self/ns/$f on this kernel" || return 1
		cp "$b/config.json" "$T/orig.json"
		cfg "$b" --arg t "$t" '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{"type": $t}])'
		if [ "$t" = user ]; then
			cfg "$b" '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}] |
				.linux.gidMappings = .linux.uidMappings'
		fi
		setargs "$b" readlink "/proc/self/ns/$f"
		out=$(hk run -b "$b" "$(newid)") || fail "namespace $t refused" || return 1
		cp "$T/orig.json" "$b/config.json"
		echo "$t: $out (host $(readlink "/proc/self/ns/$f"))"
		[ -n "$out" ] && [ "$out" != "$(readlink "/proc/self/ns/$f")" ] ||
			fail "namespace $t requested, the container is in the host's ($out)" || return 1
	done
	# and the comparison tells: without them, the host's (but mount)
	cfg "$b" '.linux.namespaces = [{"type": "mount"}] | del(.hostname)'
	setargs "$b" sh -c 'for t in '"$(for t in $types; do ns_file "$t"; done | tr '\n' ' ')"'; do echo "$t $(readlink /proc/self/ns/$t)"; done'
	out=$(hk run -b "$b" "$(newid)")
	for t in $types; do
		f=$(ns_file "$t")
		[ "$f" = mnt ] && continue
		assert_contains "$out" "$f $(readlink "/proc/self/ns/$f")" "namespace $t not requested"
	done
}

# capsh --decode of a /proc/self/status capability mask: the names, sorted
cap_names() {
	capsh --decode="$1" | sed 's/^[^=]*=//' | tr ',' '\n' | grep . | sort | tr '\n' ' '
}

test_conformance_capabilities() {
	local b caps want out set bnd
	command -v capsh >/dev/null || fail "capsh (libcap2-bin) is missing" || return 1
	b=$(mkbundle)
	# those the running kernel has (the newest is in cap_last_cap) ...
	want=$(hk features | jq -r '.linux.capabilities[]' | tr 'A-Z' 'a-z' | while read -r c; do
		capsh --supports="$c" 2>/dev/null && echo "$c"; done | sort | tr '\n' ' ')
	assert_eq "$(($(cat /proc/sys/kernel/cap_last_cap) + 1))" "$(echo $want | wc -w)" \
		"advertised capabilities the kernel has"
	# ... and husk's caller too: no runtime gives more than it has (a
	# sandbox running the tests may lack some in its bounding set)
	bnd=" $(cap_names "$(awk '$1 == "CapBnd:" {print $2}' /proc/self/status)")"
	want=$(for c in $want; do case $bnd in *" $c "*) echo "$c" ;; esac; done | tr '\n' ' ')
	echo "kept: $want"
	caps=$(echo $want | tr 'a-z' 'A-Z' | jq -cR 'split(" ")')
	# in every set (ambient needs them inheritable and permitted too)
	cfg "$b" --argjson c "$caps" '.process.capabilities = {"bounding": $c, "effective": $c,
		"permitted": $c, "inheritable": $c, "ambient": $c}'
	setargs "$b" grep '^Cap' /proc/self/status
	out=$(hk run -b "$b" "$(newid)")
	echo "$out"
	for set in CapInh CapPrm CapEff CapBnd CapAmb; do
		assert_eq "$want" "$(cap_names "$(echo "$out" | awk -v s="$set:" '$1 == s {print $2}')")" "$set"
	done
}

# ---- the defaults of `husk spec` ----

# What `husk spec` writes but ociVersion: runc 1.1.5's `runc spec`, field
# for field and in its order (mounts and namespaces are ordered lists).
SPEC_DEFAULT='{
	"process": {
		"terminal": true,
		"user": {"uid": 0, "gid": 0},
		"args": ["sh"],
		"env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
		"cwd": "/",
		"capabilities": {
			"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			"effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			"permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			"ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
		},
		"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
		"noNewPrivileges": true
	},
	"root": {"path": "rootfs", "readonly": true},
	"hostname": "runc",
	"mounts": [
		{"destination": "/proc", "type": "proc", "source": "proc"},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		 "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
		{"destination": "/dev/pts", "type": "devpts", "source": "devpts",
		 "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
		{"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		 "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
		{"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
		 "options": ["nosuid", "noexec", "nodev"]},
		{"destination": "/sys", "type": "sysfs", "source": "sysfs",
		 "options": ["nosuid", "noexec", "nodev", "ro"]},
		{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		 "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
	],
	"linux": {
		"resources": {"devices": [{"allow": false, "access": "rwm"}]},
		"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
			{"type": "mount"}],
		"maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
			"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
			"/sys/firmware", "/proc/scsi"],
		"readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	}
}'

# `--rootless` (runc's ToRootless): the caller's ids mapped to 0, no
# network namespace but a user one, no linux.resources, /sys a read-only
# rbind of the host's, no uid=/gid= mount options.  $1 $2: uid, gid.
spec_rootless() {
	echo "$SPEC_DEFAULT" | jq --argjson u "$1" --argjson g "$2" '
		.mounts[2].options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] |
		.mounts[5] = {"destination": "/sys", "type": "none", "source": "/sys",
			"options": ["rbind", "nosuid", "noexec", "nodev", "ro"]} |
		.linux = {"uidMappings": [{"containerID": 0, "hostID": $u, "size": 1}],
			"gidMappings": [{"containerID": 0, "hostID": $g, "size": 1}],
			"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
				{"type": "user"}],
			"maskedPaths": .linux.maskedPaths, "readonlyPaths": .linux.readonlyPaths}'
}

# as runc: on a pure cgroup v2 host a cgroup namespace too (before the
# user namespace --rootless appends)
spec_for_layout() {
	if [ "$(cg_layout)" = v2 ]; then
		jq -S -c '.linux.namespaces |= map(select(.type != "user")) + [{"type": "cgroup"}] +
			map(select(.type == "user"))'
	else
		jq -S -c .
	fi
}

test_conformance_spec_defaults() {
	local max
	max=$(hk features | jq -r .ociVersionMax)
	mkdir "$T/root"
	(cd "$T/root" && hk spec)
	assert_eq "$max" "$(jq -r .ociVersion "$T/root/config.json")" "ociVersion"
	assert_eq "$(echo "$SPEC_DEFAULT" | spec_for_layout)" \
		"$(jq -S -c 'del(.ociVersion)' "$T/root/config.json")" "husk spec"
	# (keys in runc's order too: a diff of two files stays readable)
	assert_eq "ociVersion process root hostname mounts linux" "$(jq -r 'keys_unsorted | join(" ")' "$T/root/config.json")"
	# --rootless as the test user: its ids in the mappings
	user_dir "$T/user"
	(cd "$T/user" && as_user "$HUSK" spec --rootless)
	assert_eq "$max" "$(jq -r .ociVersion "$T/user/config.json")" "ociVersion (rootless)"
	assert_eq "$(spec_rootless "$HK_USER_UID" "$HK_USER_GID" | spec_for_layout)" \
		"$(jq -S -c 'del(.ociVersion)' "$T/user/config.json")" "husk spec --rootless"
	assert_eq "uidMappings gidMappings namespaces maskedPaths readonlyPaths" \
		"$(jq -r '.linux | keys_unsorted | join(" ")' "$T/user/config.json")"
}

# ---- a container from the defaults ----
# (mkbundle's only changes: terminal false, a cgroupsPath of the tests)

# the defaults' environment, byte for byte (HOME added from /etc/passwd, as
# runc: the spec has none)
DEFAULT_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|TERM=xterm|HOME=/root|'

# default_process BUNDLE: the process of the defaults in /proc, as root
# and (the rootless spec) as root of a user namespace alike
default_process() {
	local b=$1 out
	shift
	setargs "$b" env -0
	out=$("$@" run -b "$b" "$(newid)" | tr '\0' '|')
	assert_eq "$DEFAULT_ENV" "$out" "env -0 in the container"
	setargs "$b" sh -c 'echo "$(id -u):$(id -g) $(hostname) $(pwd)"
		grep -E "^(Cap|NoNewPrivs|Umask)" /proc/self/status; grep "^Max open files" /proc/self/limits'
	out=$("$@" run -b "$b" "$(newid)")
	echo "$out"
	assert_eq "0:0 runc /" "$(echo "$out" | head -1)" "user, hostname, cwd"
	# CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE (29 5 10); the ambient
	# list is dropped as by runc: ambient needs inheritable, which is empty
	assert_contains "$out" "CapInh:	0000000000000000
CapPrm:	0000000020000420
CapEff:	0000000020000420
CapBnd:	0000000020000420
CapAmb:	0000000000000000
NoNewPrivs:	1"
	assert_contains "$out" "Umask:	0022"
	assert_eq "Max open files 1024 1024 files" "$(echo "$out" | tail -1 | awk '{$1 = $1; print}')"
}

test_conformance_default_process() {
	local b
	b=$(mkbundle)
	default_process "$b" hk
	b=$(mkbundle_user)
	default_process "$b" as_user "$HUSK"
}

# The paths of linux.maskedPaths and readonlyPaths that exist in the
# container ("M path dir|file SIZE", "R path"), then its mountinfo.
MOUNTS_SCRIPT='for p in $MASKED; do
		if [ -d "$p" ]; then echo "M $p dir $(ls -A "$p" | wc -l)"
		elif [ -e "$p" ]; then echo "M $p file $(head -c 64 "$p" | wc -c)"; fi
	done
	for p in $READONLY; do [ -e "$p" ] && echo "R $p"; done
	echo "S $(stat -c %a /dev) $(stat -c %a /dev/shm)"
	echo ---; cat /proc/self/mountinfo'

# mi FILE: the mountinfo after "---" in FILE as "LINE ID PARENT MOUNTPOINT
# MOUNTOPTS FSTYPE SUPEROPTS" (mountinfo's optional fields dropped)
mi() {
	sed '1,/^---$/d' "$1" | awk '{ for (i = 7; $i != "-"; i++); print NR, $1, $2, $5, $6, $(i + 1), $(i + 3) }'
}

# check_default_mounts FILE ROOTLESS: each mount of the defaults is there,
# in the spec's order, with its type and exactly its flags (each topmost
# at its place); the masked and read-only paths that exist are covered;
# nothing else is mounted.
check_default_mounts() {
	local f=$1 rootless=$2 m want got p kind n line last=0 cg
	# mount point, type, mount flags, super options the spec's options give
	# (the root: read-only, its other flags are the host's)
	local mounts="/ - ro* -
/proc proc rw,relatime -
/dev tmpfs rw,nosuid size=65536k,mode=755
/dev/pts devpts rw,nosuid,noexec,relatime mode=620,ptmxmode=666
/dev/shm tmpfs rw,nosuid,nodev,noexec,relatime size=65536k
/dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime -
/sys sysfs ro,nosuid,nodev,noexec,relatime -"
	[ "$rootless" = yes ] || mounts=${mounts/mode=620,ptmxmode=666/gid=5,mode=620,ptmxmode=666}
	if [ "$(cg_layout)" = v2 ]; then
		mounts="$mounts
/sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec,relatime -"
	else
		# v1: a tmpfs holding one mount per hierarchy
		mounts="$mounts
/sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,relatime -"
	fi
	mi "$f" >"$T/mi"
	while read -r m want_type want_flags want_super; do
		line=$(awk -v m="$m" '$4 == m' "$T/mi" | tail -1)
		[ -n "$line" ] || fail "no mount on $m" || return 1
		set -- $line
		[ "$want_type" = - ] || assert_eq "$want_type" "$6" "type of $m" || return 1
		case $want_flags in
		*'*') assert_eq "${want_flags%'*'}" "${5%%,*}" "flags of $m" || return 1 ;;
		*) assert_eq "$want_flags" "$5" "flags of $m" || return 1 ;;
		esac
		for o in ${want_super//,/ }; do
			[ "$o" = - ] || assert_contains ",$7," ",$o," "options of $m" || return 1
		done
		[ "$1" -gt "$last" ] || fail "$m mounted before the one above it in the spec" || return 1
		last=$1
		[ "$m" = /sys/fs/cgroup ] && cg=$2
	done <<<"$mounts"
	assert_eq "S 755 1777" "$(grep '^S ' "$f")" "modes of /dev and /dev/shm"
	# v1: every hierarchy mounted below that tmpfs is read-only too
	if [ "$(cg_layout)" != v2 ]; then
		n=$(awk -v p="$cg" '$3 == p' "$T/mi" | wc -l)
		[ "$n" -gt 0 ] || fail "no cgroup hierarchy under /sys/fs/cgroup" || return 1
		assert_eq "$n" "$(awk -v p="$cg" '$3 == p && $5 == "ro,nosuid,nodev,noexec,relatime" && ($6 == "cgroup" || $6 == "cgroup2")' "$T/mi" | wc -l)" \
			"read-only cgroup hierarchies under /sys/fs/cgroup" || return 1
	fi
	# masked: empty, and a mount; read-only: a read-only mount
	while read -r kind p what n; do
		line=$(awk -v m="$p" '$4 == m' "$T/mi" | tail -1)
		[ -n "$line" ] || fail "$p is not covered" || return 1
		set -- $line
		if [ "$kind" = M ]; then
			assert_eq 0 "$n" "content of the masked $what $p" || return 1
			# (a directory: a read-only tmpfs, read-only down to its
			# superblock, as runc's)
			[ "$what" = file ] || assert_eq "ro tmpfs ro" "${5%%,*} $6 ${7%%,*}" "masked directory $p" || return 1
		else
			assert_eq ro "${5%%,*}" "read-only path $p" || return 1
		fi
	done < <(grep -E '^[MR] ' "$f")
	# nothing else: the defaults, the masked and read-only paths, the
	# hierarchies under /sys/fs/cgroup; rootless: what the rbind of /sys
	# brings, and the default devices (bind mounts of the host's)
	local known
	known=$(printf '%s\n' "$(echo "$mounts" | cut -d' ' -f1)" "$(grep -E '^[MR] ' "$f" | cut -d' ' -f2)")
	while read -r _ _ _ m _; do
		echo "$known" | grep -qxF "$m" && continue
		case $m in
		/sys/fs/cgroup/*) continue ;;
		/sys/* | /dev/null | /dev/zero | /dev/full | /dev/random | /dev/urandom | /dev/tty)
			[ "$rootless" = yes ] && continue ;;
		esac
		fail "unexpected mount on $m" || return 1
	done <"$T/mi"
}

# default_mounts BUNDLE ROOTLESS HUSK...: MOUNTS_SCRIPT in BUNDLE, checked
default_mounts() {
	local b=$1 rootless=$2
	shift 2
	cfg "$b" '.process.env += ["MASKED=" + (.linux.maskedPaths | join(" ")), "READONLY=" + (.linux.readonlyPaths | join(" "))]'
	setargs "$b" sh -c "$MOUNTS_SCRIPT"
	"$@" run -b "$b" "$(newid)" >"$T/mounts.out"
	cat "$T/mounts.out"
	check_default_mounts "$T/mounts.out" "$rootless"
}

test_conformance_default_mounts() {
	needs_root "checks the mounts of the root spec"
	default_mounts "$(mkbundle)" no hk
}

test_conformance_default_mounts_rootless() {
	local b
	b=$(mkbundle_user)
	default_mounts "$b" yes as_user "$HUSK"
}

# ---- process fields, as the container reads them ----

# /proc/self/limits' row of each RLIMIT_ type
rlimit_row() {
	case $1 in
	RLIMIT_CPU) echo "Max cpu time" ;;
	RLIMIT_FSIZE) echo "Max file size" ;;
	RLIMIT_DATA) echo "Max data size" ;;
	RLIMIT_STACK) echo "Max stack size" ;;
	RLIMIT_CORE) echo "Max core file size" ;;
	RLIMIT_RSS) echo "Max resident set" ;;
	RLIMIT_NPROC) echo "Max processes" ;;
	RLIMIT_NOFILE) echo "Max open files" ;;
	RLIMIT_MEMLOCK) echo "Max locked memory" ;;
	RLIMIT_AS) echo "Max address space" ;;
	RLIMIT_LOCKS) echo "Max file locks" ;;
	RLIMIT_SIGPENDING) echo "Max pending signals" ;;
	RLIMIT_MSGQUEUE) echo "Max msgqueue size" ;;
	RLIMIT_NICE) echo "Max nice priority" ;;
	RLIMIT_RTPRIO) echo "Max realtime priority" ;;
	RLIMIT_RTTIME) echo "Max realtime timeout" ;;
	esac
}

# Every rlimit type, each soft and hard exactly (RLIM_INFINITY in JSON is
# 2^64-1, "unlimited" in /proc).  RLIMIT_NOFILE's soft limit is above
# husk's own (lowered first: raising a hard limit takes CAP_SYS_RESOURCE,
# which the caller may not have), its hard one at husk's.
test_conformance_rlimits_exact() {
	local b hard soft inf=18446744073709551615 rl out t s h row
	b=$(mkbundle)
	hard=$(ulimit -Hn)
	soft=$((hard / 2))
	[ "$soft" -ge 64 ] || fail "hard RLIMIT_NOFILE of the tests too low: $hard" || return 1
	rl="RLIMIT_CPU 3600 7200
RLIMIT_FSIZE 1073741824 $inf
RLIMIT_DATA 4294967296 8589934592
RLIMIT_STACK 4194304 16777216
RLIMIT_CORE 0 $inf
RLIMIT_RSS 123456789 987654321
RLIMIT_NPROC 3000 4000
RLIMIT_NOFILE $((soft + 10)) $hard
RLIMIT_MEMLOCK 65536 131072
RLIMIT_AS $inf $inf
RLIMIT_LOCKS 500 600
RLIMIT_SIGPENDING 700 800
RLIMIT_MSGQUEUE 100000 200000
RLIMIT_NICE 0 0
RLIMIT_RTPRIO 0 0
RLIMIT_RTTIME 1000000 2000000"
	cfg "$b" --argjson l "$(echo "$rl" | jq -Rn '[inputs | split(" ") |
		{"type": .[0], "soft": (.[1] | tonumber), "hard": (.[2] | tonumber)}]')" '.process.rlimits = $l'
	# (jq's numbers are doubles: 2^64-1 must reach husk as written)
	grep -q "\"soft\": $inf" "$b/config.json" || sed -i "s/18446744073709552000/$inf/g" "$b/config.json"
	grep -q "$inf" "$b/config.json" || fail "no RLIM_INFINITY in the config" || return 1
	setargs "$b" cat /proc/self/limits
	out=$(ulimit -Sn "$soft" && hk run -b "$b" "$(newid)")
	echo "$out"
	while read -r t s h; do
		row=$(rlimit_row "$t")
		[ "$s" = "$inf" ] && s=unlimited
		[ "$h" = "$inf" ] && h=unlimited
		assert_eq "$s $h" "$(echo "$out" | grep "^$row " | sed "s/^$row *//" | awk '{print $1, $2}')" "$t" || return 1
	done <<<"$rl"
	# and the kernel enforces the new RLIMIT_NOFILE: 10 fds above husk's
	# own soft limit open in the container
	cfg "$b" ".process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"soft\": $((soft + 10)), \"hard\": $hard}]"
	setargs "$b" sh -c "exec $((soft + 5))</dev/null && echo opened"
	out=$(ulimit -Sn "$soft" && hk run -b "$b" "$(newid)" 2>&1) || true
	assert_eq opened "$out" "fd $((soft + 5)) with RLIMIT_NOFILE $((soft + 10))"
}

# additionalGids are the supplementary groups, exactly: sorted by the
# kernel in Groups, none of husk's own (husk runs here with groups 4 and
# 24 of its own)
test_conformance_additional_gids() {
	needs_root "sets husk's own groups with setpriv"
	local b out
	b=$(mkbundle)
	cfg "$b" '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [300, 7, 65533]}'
	setargs "$b" sh -c 'id -G; grep -E "^(Gid|Groups):" /proc/self/status'
	out=$(setpriv --groups 4,24 "$HUSK" run -b "$b" "$(newid)")
	echo "$out"
	assert_eq "1000 7 300 65533
Gid:	1000	1000	1000	1000
Groups:	7 300 65533 " "$out"
	cfg "$b" '.process.user = {"uid": 1000, "gid": 1000}'
	out=$(setpriv --groups 4,24 "$HUSK" run -b "$b" "$(newid)")
	assert_eq "1000
Gid:	1000	1000	1000	1000
Groups:	 " "$out" "no additionalGids: no supplementary group"
}

# process.user.umask 0 and 027 (from /proc, and what a new file gets);
# unset: 0022 whatever husk's own is
test_conformance_umask() {
	local b out m
	b=$(mkbundle)
	setargs "$b" sh -c 'grep "^Umask:" /proc/self/status; touch /dev/shm/f; mkdir /dev/shm/d; stat -c %a /dev/shm/f /dev/shm/d | tr "\n" " "'
	for m in 0 23; do # 027 octal is 23
		cfg "$b" ".process.user.umask = $m"
		out=$(umask 0077 && hk run -b "$b" "$(newid)")
		case $m in
		0) assert_eq "Umask:	0000
666 777 " "$out" "umask 0" ;;
		23) assert_eq "Umask:	0027
640 750 " "$out" "umask 027" ;;
		esac
	done
	cfg "$b" 'del(.process.user.umask)'
	out=$(umask 0077 && hk run -b "$b" "$(newid)")
	assert_eq "Umask:	0022
644 755 " "$out" "umask unset (husk's own 0077)"
}
