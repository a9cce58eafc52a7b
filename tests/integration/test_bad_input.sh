# test_bad_input.sh - what the fuzzers of fuzz/ feed husk's parsers, through
# the real command line: bad config.json (create), process.json (exec -p),
# --resources (update), state.json, tarballs (box) and option values.  Each
# is refused with one line on stderr ("husk: ..."; a usage error adds its
# "usage:" line) and a non-zero exit, and leaves nothing behind.  The
# inputs come from fuzz/corpus/ where they are there.  The tests that run
# a container or a box do it as root only (the fuzzers cover the parsers
# for everyone).

HK_FUZZ_CORPUS=$HK_TESTS_DIR/../fuzz/corpus

# one_line WHAT: $T/err is one line "husk: ...", nothing on stdout
one_line() {
	local n
	n=$(wc -l <"$T/err")
	[ "$n" -eq 1 ] || fail "$1: $n lines on stderr: $(cat "$T/err")"
	case $(cat "$T/err") in
	"husk: "?*) ;;
	*) fail "$1: not a husk error line: $(cat "$T/err")" ;;
	esac
	[ ! -s "$T/out" ] || fail "$1: output on stdout: $(cat "$T/out")"
}

# usage_error WHAT VERB: $T/err is "husk VERB: ..." and "usage: husk VERB ..."
usage_error() {
	[ "$(wc -l <"$T/err")" -ge 2 ] || fail "$1: $(cat "$T/err")"
	case $(head -1 "$T/err") in "husk $2: "?*) ;; *) fail "$1: $(cat "$T/err")" ;; esac
	case $(sed -n 2p "$T/err") in "usage: husk $2"*) ;; *) fail "$1: $(cat "$T/err")" ;; esac
	# the rest continues the usage line (indented option lists)
	if sed -n '3,$p' "$T/err" | grep -qv '^  '; then
		fail "$1: more than the error and the usage: $(cat "$T/err")"
	fi
}

test_bad_config_one_line_each() {
	local b f n=0
	b=$(mkbundle)
	cp "$b/config.json" "$T/good.json"
	mkdir "$T/bad"
	# (a terminal would be refused first: no --console-socket)
	for f in "$HK_FUZZ_CORPUS"/spec/bad-*.json; do
		jq '.process.terminal = false' "$f" >"$T/bad/${f##*/}"
	done
	printf '' >"$T/bad/empty"
	printf '\x00\xff\xfe{' >"$T/bad/binary"
	printf '[1, 2]' >"$T/bad/array"
	jq -c . "$T/good.json" | sed 's/$/ trailing/' >"$T/bad/trailing"
	head -c 700 "$T/good.json" >"$T/bad/truncated"
	# 100 000 nested arrays: json-c's depth limit, no stack overflow
	python3 -c 'print("[" * 100000 + "]" * 100000)' >"$T/bad/deep"
	jq '.process.args = "sh"' "$T/good.json" >"$T/bad/args-type"
	jq '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": -1, "hard": 1e400}]' "$T/good.json" >"$T/bad/rlimit-range"
	# a newline and a terminal escape in a value the message quotes
	jq '.linux.namespaces += [{"type": "net\nwork\u001b[2J"}]' "$T/good.json" >"$T/bad/newline"
	for f in "$T"/bad/*; do
		n=$((n + 1))
		cp "$f" "$b/config.json"
		expect_fail hkr create -b "$b" "bad-$n"
		one_line "create with ${f##*/}"
		if [ "${f##*/}" = newline ]; then
			assert_contains "$(cat "$T/err")" 'unknown namespace "net\nwork\x1b[2J"'
		fi
	done
	assert_eq "" "$(hkr list -q)" "containers left after refused creates"
}

test_bad_process_json_one_line_each() {
	needs_root "runs a container as root"
	local b id f
	b=$(mkbundle)
	id=$(newid)
	setargs "$b" sleep 600
	delete_at_exit "$id"
	hkr run -d -b "$b" "$id"
	wait_status "$id" running
	mkdir "$T/bad"
	cp "$HK_FUZZ_CORPUS"/process/empty-args.json "$HK_FUZZ_CORPUS"/process/bad-user.json "$T/bad/"
	printf '{"args": ["true"], "cwd": "/"' >"$T/bad/unterminated"
	printf '{"args": ["true"], "cwd": "/", "env": [1]}' >"$T/bad/env-type"
	printf '{"args": ["true"], "cwd": "/", "capabilities": {"bounding": ["CAP_NOPE"]}}' >"$T/bad/cap"
	printf '{"args": ["true"], "cwd": "/", "user": {"uid": 4294967296, "gid": 0}}' >"$T/bad/uid-range"
	printf '"just a string"' >"$T/bad/string"
	for f in "$T"/bad/*; do
		expect_fail hkr exec -p "$f" "$id"
		one_line "exec -p ${f##*/}"
	done
	# the container is untouched
	assert_eq ok "$(hkr exec "$id" echo ok)"
}

test_bad_resources_one_line_each() {
	needs_root "sets cgroup limits"
	local b id f v before
	b=$(mkbundle)
	id=$(newid)
	cfg "$b" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 30}}'
	setargs "$b" sleep 600
	delete_at_exit "$id"
	hkr run -d -b "$b" "$id"
	wait_status "$id" running
	before=$(cat "$T/state/$id/config.json")
	mkdir "$T/bad"
	cp "$HK_FUZZ_CORPUS"/resources/bad-*.json "$T/bad/"
	printf '{"pids": {"limit": 9}' >"$T/bad/unterminated"
	printf '[]' >"$T/bad/array"
	printf '{"memory": {"limit": 99999999999999999999999}}' >"$T/bad/huge"
	printf '{"cpu": {"cpus": "0-\n1"}}' >"$T/bad/cpus-newline"
	printf '{"hugepageLimits": [{"pageSize": "3KB", "limit": 1}]}' >"$T/bad/hugepage"
	for f in "$T"/bad/*; do
		expect_fail hkr update -r "$f" "$id"
		one_line "update -r ${f##*/}"
	done
	for v in 12q -5 1.5e3 ''; do
		expect_fail hkr update --memory "$v" "$id"
		one_line "update --memory '$v'"
	done
	assert_eq "$before" "$(cat "$T/state/$id/config.json")" "config after refused updates"
	# an accepted update is recorded in a config that exec still reads
	hkr update -r "$HK_FUZZ_CORPUS/resources/unlimited.json" "$id"
	assert_eq ok "$(hkr exec "$id" echo ok)"
}

test_bad_state_file_one_line_each() {
	local s id=c1 verb
	mkdir -p "$T/state/$id"
	chmod 0700 "$T/state" "$T/state/$id"
	for s in not-json other-id pid-overflow regress-pid-negative wrong-types; do
		case $s in
		not-json) printf '{"id": "c1", "pid": ' >"$T/state/$id/state.json" ;;
		wrong-types) printf '{"id": "c1", "pid": 99, "start": 1, "bundle": 5}' >"$T/state/$id/state.json" ;;
		# pid 2^32 + 4194305: the low 32 bits are beyond pid_max, never
		# a real process should the check be missing
		pid-overflow) printf '{"id": "c1", "pid": 4298161601, "start": 1}' >"$T/state/$id/state.json" ;;
		*) cp "$HK_FUZZ_CORPUS/state/$s.json" "$T/state/$id/state.json" ;;
		esac
		for verb in state start pause; do
			expect_fail hkr $verb "$id"
			one_line "$verb with state.json $s"
		done
		expect_fail hkr kill "$id" KILL
		one_line "kill with state.json $s"
	done
}

# a tarball for box: python's tarfile writes what tar would refuse to
bad_tar() {
	python3 - "$@" <<'PY'
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w") as tf:
    def add(name, type=tarfile.REGTYPE, link="", data=b""):
        ti = tarfile.TarInfo(name); ti.type = type; ti.linkname = link; ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data) if data else None)
    add("bin/", tarfile.DIRTYPE)
    if kind == "name-escape":
        add("evil\n\x1b[2Jname/../../x", data=b"x")
    elif kind == "hardlink-out":
        add("h", tarfile.LNKTYPE, "../../../etc/passwd")
PY
}

test_bad_tarball_one_line_each() {
	needs_root "boxes as root"
	local f left
	export HUSK_STORAGE="$T/storage"
	mkdir "$T/bad"
	cp "$HK_FUZZ_CORPUS"/unpack/{not-tar,dotdot.tar,absolute.tar,symlink-dir.tar,abs-symlink-dir.tar,hardlink-out.tar,huge-size.tar,dot-file.tar} "$T/bad/"
	printf '' >"$T/bad/empty.tar"
	head -c 100 "$HK_FUZZ_CORPUS/unpack/rootfs.tar.gz" >"$T/bad/truncated.tar.gz"
	head -c 3000 "$HK_FUZZ_CORPUS/unpack/rootfs.tar" >"$T/bad/truncated.tar"
	bad_tar "$T/bad/name-escape.tar" name-escape
	bad_tar "$T/bad/hardlink-out2.tar" hardlink-out
	for f in "$T"/bad/*; do
		expect_fail hk box --name "$(newid)" "$f" -- true
		one_line "box ${f##*/}"
		if [ -e "$T/escape" ] || [ -e /etc/escape ] || [ -e "$T/storage/escape" ]; then
			fail "box ${f##*/}: an entry was written outside"
		fi
		if [ "${f##*/}" = name-escape.tar ]; then
			assert_contains "$(cat "$T/err")" 'entry "evil\n\x1b[2Jname/../../x"'
		fi
	done
	left=$(find "$T/storage/rootfs" -mindepth 1 -maxdepth 1 -name '.tmp*' 2>/dev/null)
	assert_eq "" "$left" "temporary unpack directories left"
	left=$(ls -A "$T/storage/boxes" 2>/dev/null || true)
	assert_eq "" "$left" "box layers left"
}

test_bad_option_values() {
	# errors about a value: one line
	expect_fail hkr update --memory 12q nosuch
	one_line "update --memory 12q"
	expect_fail hkr update --cpu-quota 1.5 nosuch
	one_line "update --cpu-quota 1.5"
	expect_fail hkr update --pids-limit 99999999999999999999 nosuch
	one_line "update --pids-limit (too large)"
	# usage errors: the error, then the usage
	expect_fail hkr kill nosuch "$(printf 'SIG\nKILL')"
	usage_error "kill with a newline in the signal" kill
	assert_contains "$(head -1 "$T/err")" 'SIG\nKILL'
	expect_fail hkr kill nosuch RTMIN+99
	usage_error "kill RTMIN+99" kill
	expect_fail hkr events --interval 5parsecs nosuch
	usage_error "events --interval 5parsecs" events
	expect_fail hkr exec --user root nosuch true
	usage_error "exec --user root" exec
	expect_fail hkr create -b "$T" "../escape"
	one_line "create with id ../escape"
	expect_fail hk box --memory 1k -- true
	usage_error "box --memory 1k" box
	expect_fail hk box --cpus nan -- true
	usage_error "box --cpus nan" box
	expect_fail hk box --pids-limit -5 -- true
	usage_error "box --pids-limit -5" box
	[ ! -e "$T/state/../escape" ] || fail "a state directory for ../escape"
}
