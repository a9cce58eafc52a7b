# test_cli.sh - husk's command line as runc's: usage errors (one line and
# the usage, runc's exit status 1), global options in the forms engines
# pass them, --help for every verb, the --log file (text and the JSON
# podman and containerd read), --systemd-cgroup, --rootless, and what
# `make install` puts in place: the binary, husk(1), the bash completion.

# the repository (for main.c's verb table, doc/, contrib/ and make)
cli_repo() { (cd "$HK_TESTS_DIR/.." && pwd); }

# every verb in main.c's table
cli_verbs() { sed -n 's/^ *{"\([a-z]*\)", hk_cmd_.*/\1/p' "$(cli_repo)/src/main.c"; }

# Run husk ARGS..., which must fail with status 1 and print exactly two
# lines: "husk VERB: REASON" (containing $2) and "usage: husk VERB ...".
# cli_usage_error VERB REASON ARGS...
cli_usage_error() {
	local verb=$1 reason=$2 rc=0
	shift 2
	hk "$@" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq 1 "$rc" "exit status of husk $*"
	assert_eq 2 "$(wc -l <"$T/err")" "lines on stderr of husk $*: $(cat "$T/err")"
	assert_contains "$(head -1 "$T/err")" "husk $verb: " "reason line of husk $*"
	assert_contains "$(head -1 "$T/err")" "$reason" "reason of husk $*"
	assert_contains "$(sed -n 2p "$T/err")" "usage: husk $verb" "usage line of husk $*"
	assert_eq "" "$(cat "$T/out")" "stdout of husk $*"
}

test_cli_usage_errors_are_one_line_and_status_1() {
	cli_usage_error start "expected exactly one container id" start
	cli_usage_error state "expected exactly one container id" state a b
	cli_usage_error kill "unknown option --bogus" kill --bogus x
	cli_usage_error kill "option --all takes no value" kill --all=yes x
	cli_usage_error kill "unknown option -x" kill -x c1
	cli_usage_error kill 'unknown signal "NOSUCH"' kill c1 NOSUCH
	cli_usage_error delete "expected exactly one container id" delete
	cli_usage_error list 'invalid format "yaml"' list --format yaml
	cli_usage_error list "option --format needs a value" list --format
	cli_usage_error ps "expected a container id" ps
	cli_usage_error spec 'unexpected argument "x"' spec x
	cli_usage_error features "unknown option --bogus" features --bogus
	cli_usage_error create "expected exactly one container id" create
	cli_usage_error run "expected exactly one container id" run
	# runc's status for the same mistakes
	if command -v runc >/dev/null; then
		local rc=0
		runc --root "$T/runc" start >/dev/null 2>&1 || rc=$?
		assert_eq 1 "$rc" "runc's status for a usage error"
	fi
}

test_cli_unknown_command_and_global_option() {
	local rc=0
	hk bogus >"$T/out" 2>"$T/err" || rc=$?
	assert_eq 1 "$rc" "exit status of an unknown command"
	assert_eq 'husk: unknown command "bogus"' "$(head -1 "$T/err")"
	assert_contains "$(sed -n 2p "$T/err")" "usage: husk [GLOBAL OPTIONS] COMMAND"
	assert_eq 2 "$(wc -l <"$T/err")" "lines: $(cat "$T/err")"
	rc=0
	hk --bogus list 2>"$T/err" || rc=$?
	assert_eq 1 "$rc" "exit status of an unknown global option"
	assert_eq "husk: unknown global option --bogus" "$(head -1 "$T/err")"
	rc=0
	hk --root 2>"$T/err" || rc=$?
	assert_eq 1 "$rc"
	assert_eq "husk: option --root needs a value" "$(head -1 "$T/err")"
	rc=0
	hk --log-format yaml list 2>"$T/err" || rc=$?
	assert_eq 1 "$rc"
	assert_contains "$(head -1 "$T/err")" 'invalid log-format "yaml"'
	rc=0
	hk >"$T/out" 2>"$T/err" || rc=$?
	assert_eq 1 "$rc" "exit status without a command"
	assert_eq "husk: no command given" "$(head -1 "$T/err")"
	assert_contains "$(cat "$T/err")" "commands:"
}

test_cli_version() {
	local out
	out=$(hk --version)
	[[ $(head -1 <<<"$out") =~ ^husk\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version: $out"
	assert_contains "$out" "spec: 1."
	assert_eq "$out" "$(hk -v)" "-v"
	assert_eq "$out" "$(hk -version)" "-version (Go flag style)"
}

test_cli_help_for_every_verb() {
	local v out rc failed=""
	out=$(hk --help)
	assert_contains "$out" "usage: husk [GLOBAL OPTIONS] COMMAND"
	assert_eq "$out" "$(hk help)" "husk help"
	assert_eq "$out" "$(hk -h)" "husk -h"
	for v in $(cli_verbs); do
		assert_contains "$out" "  $v " "husk --help lists $v"
		rc=0
		hk "$v" --help >"$T/out" 2>"$T/err" || rc=$?
		if [ "$rc" != 0 ] || ! head -1 "$T/out" | grep -q "^usage: husk $v\b" || [ -s "$T/err" ]; then
			failed="$failed $v(exit $rc: $(head -1 "$T/err"))"
			continue
		fi
		assert_eq "$(cat "$T/out")" "$(hk help "$v")" "husk help $v"
	done
	[ -z "$failed" ] || fail "husk VERB --help: not exit 0 with the usage on stdout:$failed"
}

# the RFC 3339 date-time of a log record
cli_rfc3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

test_cli_json_log() {
	local log=$T/log.json id=no-such-container-$$ n
	expect_fail hk --log "$log" --log-format json state "$id"
	assert_eq "husk: container \"$id\" does not exist" "$(cat "$T/err")" "stderr"
	assert_eq 1 "$(wc -l <"$log")" "records after one error: $(cat "$log")"
	# as podman reads it: the whole file is one JSON object
	python3 - "$log" "$id" "$cli_rfc3339" <<'EOF' || fail "log: $(cat "$log")"
import json, re, sys
from datetime import datetime
rec = json.load(open(sys.argv[1]))
assert set(rec) == {"level", "msg", "time"}, rec
assert rec["level"] == "error", rec
assert sys.argv[2] in rec["msg"] and "does not exist" in rec["msg"], rec
assert re.match(sys.argv[3], rec["time"]), rec
t = datetime.fromisoformat(rec["time"].replace("Z", "+00:00")[:26] + "+00:00")
assert abs((datetime.now(t.tzinfo) - t).total_seconds()) < 600, rec
EOF
	# appended, one record per failed command, in every form engines use:
	# podman --log-format=json --log F, containerd --root R --log F
	# --log-format json, Go's single dash
	expect_fail hk --log-format=json --log "$log" start
	expect_fail hk --root "$T/state" --log "$log" --log-format json bogus
	expect_fail hk -log "$log" -log-format json kill --bogus x
	expect_fail hk --log="$log" --log-format=json delete "$id"
	n=$(wc -l <"$log")
	assert_eq 5 "$n" "records: $(cat "$log")"
	jq -e -s 'map(.level == "error") | all' "$log" >/dev/null || fail "levels: $(cat "$log")"
	assert_eq "start: expected exactly one container id" "$(jq -r -s '.[1].msg' "$log")" "usage error"
	assert_eq 'unknown command "bogus"' "$(jq -r -s '.[2].msg' "$log")" "unknown command"
	assert_eq "kill: unknown option --bogus" "$(jq -r -s '.[3].msg' "$log")" "bad option"
	assert_contains "$(jq -r -s '.[4].msg' "$log")" "does not exist"
	jq -r .time "$log" | while read -r t; do
		[[ $t =~ $cli_rfc3339 ]] || fail "time not RFC 3339: $t"
	done
	# success writes nothing; the file is created as runc does
	hk --log "$T/quiet.json" --log-format json --root "$T/state" list -q
	{ [ -f "$T/quiet.json" ] && [ ! -s "$T/quiet.json" ]; } || fail "log of a success: $(cat "$T/quiet.json")"
	expect_fail hk --log "$T/no/such/dir/log" list
	assert_contains "$(cat "$T/err")" "failed to open log file $T/no/such/dir/log"
}

test_cli_text_log() {
	local log=$T/log.txt line
	expect_fail hk --log "$log" state 'bad"id'
	assert_eq 1 "$(wc -l <"$log")" "records: $(cat "$log")"
	line=$(cat "$log")
	# logrus's text format, as runc writes it
	[[ $line =~ ^time=\"([^\"]+)\"\ level=error\ msg=\"(.*)\"$ ]] || fail "text record: $line"
	local when=${BASH_REMATCH[1]} msg=${BASH_REMATCH[2]}
	[[ $when =~ $cli_rfc3339 ]] || fail "time not RFC 3339: $line"
	assert_contains "$msg" 'invalid container id \"bad\"id\"' "msg quoted"
}

test_cli_debug() {
	local log=$T/debug.json
	hk --debug --root "$T/state" list -q 2>"$T/err" >/dev/null
	grep -q '^time="[^"]*" level=debug msg="husk .*command list' "$T/err" || fail "debug on stderr: $(cat "$T/err")"
	hk -debug --root "$T/state" --log "$log" --log-format json list -q 2>"$T/err" >/dev/null
	assert_eq "" "$(cat "$T/err")" "debug goes to the log file, not stderr"
	jq -e 'select(.level == "debug") | .msg | contains("command list")' "$log" >/dev/null || fail "debug record: $(cat "$log")"
	# no --debug: nothing
	hk --root "$T/state" list -q 2>"$T/err" >/dev/null
	assert_eq "" "$(cat "$T/err")"
}

test_cli_systemd_cgroup() {
	local rc=0
	hk --root "$T/state" --systemd-cgroup run -b "$T" c1 2>"$T/err" || rc=$?
	assert_eq 1 "$rc" "run with --systemd-cgroup"
	assert_eq 1 "$(wc -l <"$T/err")" "one line: $(cat "$T/err")"
	assert_contains "$(cat "$T/err")" "--systemd-cgroup: husk has no systemd cgroup driver yet"
	expect_fail hk --root "$T/state" --systemd-cgroup --log "$T/l" --log-format json create -b "$T" c1
	jq -e '.msg | contains("systemd cgroup driver")' "$T/l" >/dev/null || fail "not logged: $(cat "$T/l")"
	# engines pass it to every command: the others work
	hk --root "$T/state" --systemd-cgroup list -q >/dev/null
	hk --systemd-cgroup run --help >/dev/null
	expect_fail hk --root "$T/state" --systemd-cgroup delete c1
	assert_contains "$(cat "$T/err")" "does not exist"
	hk --root "$T/state" --systemd-cgroup delete --force c1
}

test_cli_rootless_values() {
	local v
	for v in auto true false 1 0 TRUE False; do
		hk --rootless "$v" --root "$T/state" list -q >/dev/null || fail "--rootless $v"
	done
	hk --rootless=true --root "$T/state" list -q >/dev/null
	hk -rootless false --root "$T/state" list -q >/dev/null
	expect_fail hk --rootless bogus list
	assert_eq 'husk: invalid --rootless value "bogus": expected auto, true or false' "$(head -1 "$T/err")"
	expect_fail hk --rootless yes list
}

test_cli_root_forms() {
	hk --root "$T/r1" list -q >/dev/null
	hk --root="$T/r2" list -q >/dev/null
	hk -root "$T/r3" list -q >/dev/null
	(cd "$T" && hk --root rel list -q >/dev/null)
	for d in r1 r2 r3 rel; do
		[ -d "$T/$d" ] || fail "--root form for $d: no state directory made"
	done
	expect_fail hk --root "" list
}

test_cli_make_install() {
	local repo inst=$T/inst
	repo=$(cli_repo)
	# the binary under test as it is (HUSK= on the command line: no build)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$repo" install \
		HUSK="$HUSK" DESTDIR="$inst" PREFIX=/usr >"$T/make.log" 2>&1 || fail "make install: $(cat "$T/make.log")"
	[ -x "$inst/usr/bin/husk" ] || fail "no binary"
	cmp -s "$HUSK" "$inst/usr/bin/husk" || fail "the installed binary is not \$HUSK"
	cmp -s "$repo/doc/husk.1" "$inst/usr/share/man/man1/husk.1" || fail "no man page"
	cmp -s "$repo/contrib/bash-completion/husk" "$inst/usr/share/bash-completion/completions/husk" ||
		fail "no bash completion"
	"$inst/usr/bin/husk" --version >/dev/null
}

# the text of the man page's section on VERB, dashes unescaped
cli_man_section() {
	awk -v v="$1" '
		/^\.S[SH] / { on = ($0 ~ "^\\.SS \"husk " v "( |\")") }
		on { print }' "$(cli_repo)/doc/husk.1" | sed 's/\\-/-/g'
}

test_cli_man_page() {
	local repo v flag sect
	repo=$(cli_repo)
	groff -man -ww -z "$repo/doc/husk.1" 2>"$T/warn" || fail "groff failed"
	assert_eq "" "$(cat "$T/warn")" "groff warnings"
	if command -v man >/dev/null; then
		MANWIDTH=80 man --warnings -l "$repo/doc/husk.1" 2>"$T/warn" >"$T/man.txt"
		assert_eq "" "$(cat "$T/warn")" "man warnings"
		grep -q "EXIT STATUS" "$T/man.txt" || fail "man -l renders no EXIT STATUS"
	fi
	for flag in --root --log --log-format --debug --systemd-cgroup --rootless --version; do
		grep -q -- "^\.B.* ${flag//-/\\\\-}\b" "$repo/doc/husk.1" || fail "global option $flag not in the man page"
	done
	for v in $(cli_verbs); do
		sect=$(cli_man_section "$v")
		[ -n "$sect" ] || fail "no man page section for $v"
		# each option the verb's --help names is described
		hk "$v" --help >"$T/help" 2>/dev/null || continue
		for flag in $(grep -oE -- '--[a-z][a-z0-9-]*' "$T/help" | sort -u); do
			[ "$flag" = --help ] && continue
			assert_contains "$sect" "$flag" "man page section on $v"
		done
	done
	for sect in "EXIT STATUS" FILES ENVIRONMENT EXAMPLES; do
		grep -q "^\.SH \"\?$sect" "$repo/doc/husk.1" || fail "no $sect section"
	done
}

# candidates of the bash completion for the words $@ (the last is the one
# being completed)
cli_complete() {
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_husk
		printf "%s\n" "${COMPREPLY[@]}"' _ "$(cli_repo)/contrib/bash-completion/husk" "$@"
}

test_cli_bash_completion() {
	local v out b id
	assert_eq "exec" "$(cli_complete husk ex)" "husk ex<TAB>"
	assert_eq "--all --help" "$(cli_complete husk kill -- | sort | xargs)" "husk kill --<TAB>"
	# bash splits --opt=value into three words
	assert_eq "json text" "$(cli_complete husk --log-format = | sort | xargs)" "--log-format=<TAB>"
	assert_eq "json" "$(cli_complete husk --log-format = j)" "--log-format=j<TAB>"
	assert_eq "auto" "$(cli_complete husk --log-format = json --rootless a)" "--rootless a<TAB>"
	assert_eq "json text" "$(cli_complete husk --log-format '' | sort | xargs)" "--log-format <TAB>"
	assert_eq "table" "$(cli_complete husk --root /x list -f t)" "list -f t<TAB>"
	assert_eq "--debug" "$(cli_complete husk --de)" "global option"
	# every verb of main.c has an entry, and its --help options are in it
	# (one bash for all: "VERB CANDIDATE..." a line)
	# shellcheck disable=SC2046
	bash -c '
		source "$1"; shift
		for v in "$@"; do
			COMP_WORDS=(husk "$v" --); COMP_CWORD=2
			_husk
			echo "$v ${COMPREPLY[*]} "
		done' _ "$(cli_repo)/contrib/bash-completion/husk" $(cli_verbs) >"$T/opts"
	for v in $(cli_verbs); do
		out=$(grep "^$v " "$T/opts") || fail "no completion line for $v"
		assert_contains "$out" " --help " "completion of husk $v --"
		hk "$v" --help >"$T/help" 2>/dev/null || continue
		for flag in $(grep -oE -- '--[a-z][a-z0-9-]*' "$T/help" | sort -u); do
			assert_contains "$out" " $flag " "completion of husk $v --"
		done
	done
	assert_contains " $(cli_complete husk '' | xargs) " " box " "commands"
	# container ids from `husk list -q` in the --root given
	b=$(mkbundle)
	setargs "$b" sleep 60
	id=$(newid)
	hk --root "$T/state" create -b "$b" "$id"
	out=$(cli_complete "$HUSK" --root "$T/state" kill '')
	assert_eq "$id" "$out" "ids for kill"
	out=$(cli_complete "$HUSK" --root = "$T/state" state '')
	assert_eq "$id" "$out" "ids with --root=DIR"
	assert_contains "$(cli_complete "$HUSK" --root "$T/state" kill "$id" '')" "KILL" "signals after the id"
	assert_eq "" "$(cli_complete "$HUSK" --root "$T/state" run '')" "no ids for run (a new one)"
	hk --root "$T/state" delete --force "$id"
}
