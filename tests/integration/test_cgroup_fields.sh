# test_cgroup_fields.sh - every linux.resources field beyond memory and
# pids limits, read back from the container's cgroup files on the host
# side: cpu burst, idle and realtime, block I/O throttling and weights (on
# loop0, 7:0), kernel memory, swappiness, useHierarchy, huge pages,
# network, rdma, checkBeforeUpdate; the errors naming the field for what a
# layout or host cannot do; zeros that ask for nothing; `update` of each on
# a running container.  Run on the host (hybrid v1) and again in the pure
# cgroup v2 VM (where loop and bfq are loaded by the tests that need them).

# File $2 of the cgroup of bundle $1.
cgf_read() {
	local d
	d=$(cg_dir_of "$1" "$2") || return 1
	cat "$d/$2"
}

# A new bundle in $CGF_B (mkbundle in this shell: several per test).
cgf_new() {
	mkbundle >"$T/.bundle" || return 1
	CGF_B=$(cat "$T/.bundle")
}

cgf_v2() { [ "$(cg_layout)" = v2 ]; }

# Create and start a `sleep 60` container from bundle $1 as id $2.
cgf_start() {
	setargs "$1" sleep 60
	hkr create -b "$1" "$2"
	hkr start "$2"
}

# A bundle whose resources are $1 (JSON), refused by `run` with an error
# containing $2.
cgf_refused() {
	local b
	cgf_new && b=$CGF_B
	cfg "$b" ".linux.resources = $1"
	setargs "$b" true
	expect_fail hk run -b "$b" "$(newid)"
	assert_contains "$(cat "$T/err")" "$2"
}

# loop0 (7:0), the block device used here: the host has it; the VM once
# the loop module is loaded.
cgf_loop0() {
	[ -e /sys/block/loop0 ] || modprobe loop 2>/dev/null || true
	[ -e /sys/block/loop0 ] || fail "no /sys/block/loop0 (and no loop module)"
}

test_cgf_cpu_burst_idle() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id burst
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.cpu = {"quota": 50000, "period": 100000, "burst": 20000, "idle": 1}'
	id=$(newid)
	cgf_start "$b" "$id"
	if cgf_v2; then burst=cpu.max.burst; else burst=cpu.cfs_burst_us; fi
	assert_eq 20000 "$(cgf_read "$b" $burst)" "$burst"
	assert_eq 1 "$(cgf_read "$b" cpu.idle)" "cpu.idle"
	if cgf_v2; then
		assert_eq "50000 100000" "$(cgf_read "$b" cpu.max)" "cpu.max"
	else
		assert_eq 50000 "$(cgf_read "$b" cpu.cfs_quota_us)" "cpu.cfs_quota_us"
	fi
	# update: a burst above the current quota goes in after the new quota
	echo '{"cpu": {"burst": 70000, "quota": 80000, "idle": 0}}' | hkr update -r - "$id"
	assert_eq 70000 "$(cgf_read "$b" $burst)" "$burst after update"
	assert_eq 0 "$(cgf_read "$b" cpu.idle)" "cpu.idle after update"
	assert_eq 70000 "$(jq .linux.resources.cpu.burst "$T/state/$id/config.json")" "kept"
	# a burst above the quota: the kernel refuses it, the field is named
	echo '{"cpu": {"burst": 90000}}' | expect_fail hkr update -r - "$id"
	assert_contains "$(cat "$T/err")" "linux.resources.cpu.burst"
	assert_eq 70000 "$(cgf_read "$b" $burst)" "$burst after a refused update"
	hkr delete --force "$id"
}

test_cgf_cpu_realtime() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id
	if cgf_v2; then
		cgf_refused '{"cpu": {"realtimeRuntime": 5000, "realtimePeriod": 100000}}' \
			"linux.resources.cpu.realtimeRuntime: not available on cgroup v2 (the cgroup v2 cpu controller has no realtime bandwidth"
		cgf_refused '{"cpu": {"realtimePeriod": 100000}}' "linux.resources.cpu.realtimePeriod: not available on cgroup v2"
		return 0
	fi
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.cpu = {"realtimeRuntime": 5000, "realtimePeriod": 100000}'
	id=$(newid)
	cgf_start "$b" "$id"
	assert_eq 5000 "$(cgf_read "$b" cpu.rt_runtime_us)" "cpu.rt_runtime_us"
	assert_eq 100000 "$(cgf_read "$b" cpu.rt_period_us)" "cpu.rt_period_us"
	# a period below the current runtime, with a smaller runtime: written
	# in runc's order (the period again after the runtime); 0 changes nothing
	hkr update --cpu-rt-period 4000 --cpu-rt-runtime 1000 "$id"
	assert_eq 1000 "$(cgf_read "$b" cpu.rt_runtime_us)" "cpu.rt_runtime_us after update"
	assert_eq 4000 "$(cgf_read "$b" cpu.rt_period_us)" "cpu.rt_period_us after update"
	hkr update --cpu-rt-runtime 0 "$id"
	assert_eq 1000 "$(cgf_read "$b" cpu.rt_runtime_us)" "cpu.rt_runtime_us after 0"
	hkr delete --force "$id"
}

test_cgf_blkio_throttle() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id
	cgf_loop0
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.blockIO = {"weight": 0,
		"throttleReadBpsDevice": [{"major": 7, "minor": 0, "rate": 1048576}],
		"throttleWriteIOPSDevice": [{"major": 7, "minor": 0, "rate": 100}]}'
	id=$(newid)
	cgf_start "$b" "$id"
	if cgf_v2; then
		assert_eq "7:0 rbps=1048576 wbps=max riops=max wiops=100" "$(cgf_read "$b" io.max)" "io.max"
	else
		assert_eq "7:0 1048576" "$(cgf_read "$b" blkio.throttle.read_bps_device)" "read_bps_device"
		assert_eq "7:0 100" "$(cgf_read "$b" blkio.throttle.write_iops_device)" "write_iops_device"
	fi
	# update: a new rate; 0 removes that limit
	echo '{"blockIO": {"throttleReadBpsDevice": [{"major": 7, "minor": 0, "rate": 2097152}],
		"throttleWriteIOPSDevice": [{"major": 7, "minor": 0, "rate": 0}]}}' | hkr update -r - "$id"
	if cgf_v2; then
		assert_eq "7:0 rbps=2097152 wbps=max riops=max wiops=max" "$(cgf_read "$b" io.max)" "io.max after update"
	else
		assert_eq "7:0 2097152" "$(cgf_read "$b" blkio.throttle.read_bps_device)" "read_bps_device after update"
		assert_eq "" "$(cgf_read "$b" blkio.throttle.write_iops_device)" "write_iops_device after 0"
	fi
	hkr delete --force "$id"
}

# The file holding the group weight in the cgroup of bundle $1, or "" when
# the host's I/O schedulers have none (as runc: BFQ's first on v2, CFQ's
# first on v1).
cgf_weight_file() {
	local name f d
	name=$(jq -r .linux.cgroupsPath "$1/config.json")
	for f in io.bfq.weight io.weight blkio.weight blkio.bfq.weight; do
		for d in $(find /sys/fs/cgroup -maxdepth 8 -type d -name "$name" 2>/dev/null); do
			[ -e "$d/$f" ] && echo "$f" && return 0
		done
	done
	echo ""
}

# What file $2 shows for blkio weight $3.
cgf_weight_shown() {
	case "$2" in
	io.weight) echo "default $((1 + ($3 - 10) * 9999 / 990))" ;; # runc's conversion
	io.bfq.weight) echo "default $3" ;;
	*) echo "$3" ;;
	esac
}

test_cgf_blkio_weight() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id f
	cgf_new && b=$CGF_B
	id=$(newid)
	cgf_start "$b" "$id"
	f=$(cgf_weight_file "$b")
	if [ -z "$f" ]; then
		# this host (no CFQ, no BFQ): a weight cannot hold
		expect_fail hkr update --blkio-weight 300 "$id"
		assert_contains "$(cat "$T/err")" "linux.resources.blockIO.weight: neither blkio.weight nor blkio.bfq.weight is available"
		hkr delete --force "$id"
		cgf_refused '{"blockIO": {"weight": 500}}' "linux.resources.blockIO.weight: neither"
		return 0
	fi
	hkr update --blkio-weight 300 "$id"
	assert_eq "$(cgf_weight_shown "$b" "$f" 300)" "$(cgf_read "$b" "$f" | head -1)" "$f after update"
	hkr update --blkio-weight 0 "$id" # 0: unchanged (runc)
	assert_eq "$(cgf_weight_shown "$b" "$f" 300)" "$(cgf_read "$b" "$f" | head -1)" "$f after 0"
	hkr delete --force "$id"
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.blockIO = {"weight": 500}'
	id=$(newid)
	cgf_start "$b" "$id"
	assert_eq "$(cgf_weight_shown "$b" "$f" 500)" "$(cgf_read "$b" "$f" | head -1)" "$f at creation"
	hkr delete --force "$id"
	cgf_refused '{"blockIO": {"weight": 5}}' "linux.resources.blockIO.weight: 5 is out of range (10-1000"
}

# Per-device weights need BFQ on the device: in the VM the module is loaded
# and loop0 switched to it; where BFQ is missing, an error naming the field.
test_cgf_blkio_weight_device() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id sched old="" d
	cgf_loop0
	sched=/sys/block/loop0/queue/scheduler
	if [ "${HK_TEST_LABEL:-}" = v2-vm ] && ! grep -qw bfq $sched; then
		modprobe bfq 2>/dev/null || true
	fi
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.blockIO = {"weightDevice": [{"major": 7, "minor": 0, "weight": 200}]}'
	setargs "$b" sleep 60
	if ! grep -qw bfq $sched; then
		expect_fail hk run -b "$b" "$(newid)"
		assert_contains "$(cat "$T/err")" "linux.resources.blockIO.weightDevice[0]: "
		return 0
	fi
	old=$(sed 's/.*\[\(.*\)\].*/\1/' $sched)
	echo bfq >$sched
	id=$(newid)
	local rc=0
	(
		set -e
		hkr create -b "$b" "$id"
		hkr start "$id"
		if cgf_v2; then
			assert_contains "$(cgf_read "$b" io.bfq.weight)" "7:0 200" "io.bfq.weight"
		else
			assert_contains "$(cgf_read "$b" blkio.bfq.weight_device)" "7:0 200" "blkio.bfq.weight_device"
		fi
		echo '{"blockIO": {"weightDevice": [{"major": 7, "minor": 0, "weight": 700}]}}' |
			hkr update -r - "$id"
		if cgf_v2; then
			assert_contains "$(cgf_read "$b" io.bfq.weight)" "7:0 700" "io.bfq.weight after update"
		else
			assert_contains "$(cgf_read "$b" blkio.bfq.weight_device)" "7:0 700" "after update"
		fi
	) || rc=$?
	hkr delete --force "$id" 2>/dev/null || true
	echo "$old" >$sched
	return $rc
}

test_cgf_memory_kernel() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id d
	if cgf_v2; then
		cgf_refused '{"memory": {"kernelTCP": 33554432}}' \
			"linux.resources.memory.kernelTCP: not available on cgroup v2 (cgroup v2 has no separate kernel memory limit: memory.max counts it)"
		cgf_refused '{"memory": {"kernel": 67108864}}' "linux.resources.memory.kernel: not available on cgroup v2"
		cgf_refused '{"memory": {"useHierarchy": false}}' \
			"linux.resources.memory.useHierarchy: not available on cgroup v2 (cgroup v2 is always hierarchical)"
		cgf_refused '{"memory": {"disableOOMKiller": true}}' "linux.resources.memory.disableOOMKiller: not available on cgroup v2"
		cgf_new && b=$CGF_B # what asks for nothing (or the default) runs
		cfg "$b" '.linux.resources.memory = {"limit": 67108864, "kernel": -1, "kernelTCP": 0, "useHierarchy": true, "disableOOMKiller": false}'
		setargs "$b" true
		hk run -b "$b" "$(newid)"
		return 0
	fi
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.memory = {"limit": 67108864, "kernelTCP": 33554432, "useHierarchy": true}'
	id=$(newid)
	cgf_start "$b" "$id"
	assert_eq 33554432 "$(cgf_read "$b" memory.kmem.tcp.limit_in_bytes)" "kmem.tcp.limit_in_bytes"
	assert_eq 1 "$(cgf_read "$b" memory.use_hierarchy)" "use_hierarchy"
	echo '{"memory": {"kernelTCP": 16777216}}' | hkr update -r - "$id"
	assert_eq 16777216 "$(cgf_read "$b" memory.kmem.tcp.limit_in_bytes)" "kmem.tcp after update"
	# kernel memory limits: enforced by older kernels; current ones accept
	# and ignore them, which is an error rather than a limit that is not
	if echo '{"memory": {"kernel": 67108864}}' | hkr update -r - "$id" 2>"$T/err"; then
		assert_eq 67108864 "$(cgf_read "$b" memory.kmem.limit_in_bytes)" "kmem.limit_in_bytes"
	else
		assert_contains "$(cat "$T/err")" "linux.resources.memory.kernel: this kernel does not enforce it"
	fi
	hkr delete --force "$id"
	cgf_refused '{"memory": {"useHierarchy": false}}' "linux.resources.memory.useHierarchy: "
}

test_cgf_memory_swappiness() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id host
	host=$(cat /proc/sys/vm/swappiness)
	if cgf_v2; then
		# every v2 cgroup uses vm.swappiness: that value holds, others not
		cgf_new && b=$CGF_B
		cfg "$b" ".linux.resources.memory = {\"swappiness\": $host}"
		setargs "$b" true
		hk run -b "$b" "$(newid)"
		cgf_refused "{\"memory\": {\"swappiness\": $(((host + 1) % 101))}}" \
			"linux.resources.memory.swappiness: not available on cgroup v2 (cgroup v2 has no per-cgroup swappiness: every cgroup uses vm.swappiness, $host here)"
		return 0
	fi
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.memory = {"swappiness": 30}'
	id=$(newid)
	cgf_start "$b" "$id"
	assert_eq 30 "$(cgf_read "$b" memory.swappiness)" "memory.swappiness"
	echo '{"memory": {"swappiness": 0}}' | hkr update -r - "$id"
	assert_eq 0 "$(cgf_read "$b" memory.swappiness)" "memory.swappiness 0 (a value, not 'unset')"
	hkr delete --force "$id"
	cgf_refused '{"memory": {"swappiness": 101}}' "linux.resources.memory.swappiness: 101 is out of range (0-100)"
}

# the number in file $1 is $2 or more
cgf_usage_at_least() { [ "$(cat "$1")" -ge "$2" ]; }

test_cgf_check_before_update() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id lim use d
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.memory = {"limit": 67108864, "checkBeforeUpdate": true}'
	# 16 MiB in /dev/shm (tmpfs pages are charged to the container)
	setargs "$b" sh -c 'head -c 16777216 /dev/zero >/dev/shm/x; exec sleep 60'
	id=$(newid)
	hkr create -b "$b" "$id"
	hkr start "$id"
	if cgf_v2; then lim=memory.max use=memory.current; else lim=memory.limit_in_bytes use=memory.usage_in_bytes; fi
	d=$(cg_dir_of "$b" $use)
	wait_until 30 cgf_usage_at_least "$d/$use" 16777216 || fail "$use: $(cat "$d/$use"), expected 16 MiB or more"
	# set at creation, it holds for an update that does not mention it
	expect_fail hkr update --memory 8m "$id"
	assert_contains "$(cat "$T/err")" "linux.resources.memory.limit: 8388608 is not above the current usage"
	echo '{"memory": {"limit": 8388608, "checkBeforeUpdate": true}}' | expect_fail hkr update -r - "$id"
	assert_contains "$(cat "$T/err")" "linux.resources.memory.limit: 8388608 is not above the current usage"
	assert_eq 67108864 "$(cat "$d/$lim")" "$lim after a refused update"
	echo '{"memory": {"limit": 50331648, "checkBeforeUpdate": true}}' | hkr update -r - "$id"
	assert_eq 50331648 "$(cat "$d/$lim")" "$lim"
	hkr delete --force "$id"
}

test_cgf_hugetlb() {
	local b id uni=""
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || fail "no 2MB huge pages on this machine"
	[ -r /sys/fs/cgroup/unified/cgroup.controllers ] && uni=$(cat /sys/fs/cgroup/unified/cgroup.controllers)
	if ! cgf_v2 && [ ! -d /sys/fs/cgroup/hugetlb ] && [[ " $uni " == *" hugetlb "* ]]; then
		# this host: hugetlb only on the hybrid's cgroup2 mount
		cgf_refused '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}' \
			"linux.resources.hugepageLimits: no hugetlb cgroup v1 hierarchy (the hugetlb controller is on the cgroup2 mount at /sys/fs/cgroup/unified, which husk does not use on a hybrid host)"
		cgf_new && b=$CGF_B # kubelet's zero limits ask for nothing
		cfg "$b" '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 0}, {"pageSize": "1GB", "limit": 0}]'
		setargs "$b" true
		hk run -b "$b" "$(newid)"
		return 0
	fi
	local max=hugetlb.2MB.max rsvd=hugetlb.2MB.rsvd.max
	cgf_v2 || max=hugetlb.2MB.limit_in_bytes rsvd=hugetlb.2MB.rsvd.limit_in_bytes
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	id=$(newid)
	cgf_start "$b" "$id"
	assert_eq 4194304 "$(cgf_read "$b" $max)" "$max"
	if [ -e "$(cg_dir_of "$b" $max)/$rsvd" ]; then
		assert_eq 4194304 "$(cgf_read "$b" $rsvd)" "$rsvd (as runc)"
	fi
	echo '{"hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}]}' | hkr update -r - "$id"
	assert_eq 2097152 "$(cgf_read "$b" $max)" "$max after update"
	hkr delete --force "$id"
	cgf_refused '{"hugepageLimits": [{"pageSize": "3MB", "limit": 4194304}]}' \
		"linux.resources.hugepageLimits[0].pageSize: 3MB is not a huge page size of this host (it has: "
}

test_cgf_network() {
	local b
	if cgf_v2; then
		cgf_refused '{"network": {"classID": 1048577}}' \
			"linux.resources.network.classID: not available on cgroup v2 (cgroup v2 has no net_cls controller)"
		cgf_refused '{"network": {"priorities": [{"name": "lo", "priority": 5}]}}' \
			"linux.resources.network.priorities: not available on cgroup v2 (cgroup v2 has no net_prio controller)"
	elif ! grep ' - cgroup ' /proc/self/mountinfo | grep -qw net_cls; then
		# no net_cls hierarchy mounted here (the unit test mounts one)
		cgf_refused '{"network": {"classID": 1048577}}' \
			"linux.resources.network.classID: net_cls.classid not available (no net_cls cgroup hierarchy)"
		cgf_refused '{"network": {"priorities": [{"name": "lo", "priority": 5}]}}' \
			"linux.resources.network.priorities[0]: net_prio.ifpriomap not available (no net_prio cgroup hierarchy)"
	fi
	cgf_new && b=$CGF_B # a zero class asks for nothing
	cfg "$b" '.linux.resources.network = {"classID": 0}'
	setargs "$b" true
	hk run -b "$b" "$(newid)"
}

test_cgf_rdma() {
	local b
	if cgf_v2 && grep -qw rdma /sys/fs/cgroup/cgroup.controllers; then
		# the controller, but no RDMA device: the kernel refuses the line
		cgf_refused '{"rdma": {"hk_nodev0": {"hcaHandles": 3, "hcaObjects": 10}}}' "linux.resources.rdma.hk_nodev0: "
	elif ! cgf_v2; then
		cgf_refused '{"rdma": {"mlx5_0": {"hcaHandles": 3}}}' \
			"linux.resources.rdma.mlx5_0: rdma.max not available (no rdma cgroup hierarchy)"
	fi
	cgf_new && b=$CGF_B # an entry without limits asks for nothing
	cfg "$b" '.linux.resources.rdma = {"mlx5_0": {}}'
	setargs "$b" true
	hk run -b "$b" "$(newid)"
}

# What engines send with every container, every value zero or default:
# nothing asked, nothing refused, on either layout.
test_cgf_zeros_ask_nothing() {
	local b
	cgf_loop0
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources = {
		"memory": {"limit": 0, "swap": 0, "reservation": 0, "kernel": 0, "kernelTCP": 0, "useHierarchy": true, "disableOOMKiller": false},
		"cpu": {"shares": 0, "burst": 0, "idle": 0, "realtimeRuntime": 0, "realtimePeriod": 0},
		"blockIO": {"weight": 0, "leafWeight": 0,
			"weightDevice": [{"major": 7, "minor": 0, "weight": 0, "leafWeight": 0}],
			"throttleReadBpsDevice": [{"major": 7, "minor": 0, "rate": 0}]},
		"hugepageLimits": [{"pageSize": "2MB", "limit": 0}],
		"network": {"classID": 0},
		"rdma": {"mlx5_0": {}}}'
	setargs "$b" echo ran
	assert_eq ran "$(hk run -b "$b" "$(newid)")"
}

# v1: the container is in the blkio hierarchy without asking (so that
# `update --blkio-weight` has a cgroup to write); v2 has one hierarchy.
test_cgf_v1_blkio_joined() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b out path
	cgf_v2 && return 0
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.namespaces |= map(select(.type != "cgroup"))'
	setargs "$b" cat /proc/self/cgroup
	out=$(hk run -b "$b" "$(newid)")
	path=$(jq -r .linux.cgroupsPath "$b/config.json")
	assert_contains "$(echo "$out" | grep ':blkio:')" "/$path" "blkio line of /proc/self/cgroup"
}

test_cgf_update_pids_running() {
	needs_root "sets cgroup limits or reads the container's cgroup"
	local b id
	cgf_new && b=$CGF_B
	cfg "$b" '.linux.resources.pids = {"limit": 30}'
	id=$(newid)
	cgf_start "$b" "$id"
	hkr update --pids-limit 7 "$id"
	assert_eq 7 "$(cgf_read "$b" pids.max)" "pids.max"
	hkr update --pids-limit 0 "$id" # unchanged
	assert_eq 7 "$(cgf_read "$b" pids.max)" "pids.max after 0"
	hkr delete --force "$id"
}
