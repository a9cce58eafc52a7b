# test_cgroup_join.sh - the container's init and an exec'd process are in
# the container's cgroup in every hierarchy husk uses: on cgroup v1 they
# move themselves there ("0" written to each hierarchy's tasks file), on v2
# clone3 puts the init there.  Checked from the host's /proc/PID/cgroup.
# Every test keeps its state in $T/state and deletes its containers on exit.

# Fail unless every line of the /proc/PID/cgroup text $1 that husk joins
# (v1: a controller hierarchy, not name=...; v2: "0::") ends in /$2.
cj_all_in() {
	local text=$1 name=$2 line n=0
	while IFS= read -r line; do
		case $line in
		*:name=*:*) continue ;;
		0::*) [ "$(cg_layout)" = v2 ] || continue ;;
		esac
		n=$((n + 1))
		case $line in
		*/"$name") ;;
		*) fail "not in the container's cgroup $name: $line" || return 1 ;;
		esac
	done <<<"$text"
	[ "$n" -gt 0 ] || fail "no cgroup hierarchy in [$text]"
}

test_cgroup_join_init_and_exec_in_every_hierarchy() {
	needs_root "husk makes the container's cgroups (rootless: test_rootless.sh's delegated ones)"
	local b id name pid
	b=$(mkbundle)
	id=$(newid)
	name=$(jq -r .linux.cgroupsPath "$b/config.json")
	setargs "$b" sleep 600
	delete_at_exit "$id"
	hkr run -d -b "$b" "$id" >/dev/null
	wait_status "$id" running >/dev/null
	pid=$(hkr state "$id" | jq -r .pid)
	cj_all_in "$(cat "/proc/$pid/cgroup")" "$name" || return 1
	# an exec'd process, seen from the host too (its pid from inside
	# would be the container's)
	hkr exec -d --pid-file "$T/exec.pid" "$id" sleep 600
	cj_all_in "$(cat "/proc/$(cat "$T/exec.pid")/cgroup")" "$name"
}
