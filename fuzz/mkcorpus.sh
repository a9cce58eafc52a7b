#!/bin/bash
# mkcorpus.sh HUSK - (re)make the seed corpus of fuzz/corpus/ (committed;
# kept small).  Needs jq, tar, gzip, python3.  Regression inputs (named
# crash-*, leak-*, ...) are kept as they are.
set -euo pipefail
husk=${1:?usage: mkcorpus.sh HUSK}
cd "$(dirname "$0")/corpus"
mkdir -p spec process state resources unpack cli passwd
def=$(cd "$(mktemp -d)" && "$husk" spec && cat config.json && rm -rf "$PWD")
rl=$(cd "$(mktemp -d)" && "$husk" spec --rootless && cat config.json && rm -rf "$PWD")

# ---- config.json ----
printf '%s\n' "$def" | jq -c . >spec/default.json
printf '%s\n' "$rl" | jq -c . >spec/rootless.json
printf '%s\n' "$def" | jq -c --slurpfile s ../../tests/seccomp-default.json '.linux.seccomp = $s[0]' \
	>spec/seccomp-podman.json
printf '%s\n' "$def" | jq -c '
  .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
    flags: ["SECCOMP_FILTER_FLAG_LOG"], listenerPath: "/run/agent.sock", listenerMetadata: "m",
    syscalls: [{names: ["mkdir", "chmod"], action: "SCMP_ACT_NOTIFY"},
      {names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
       args: [{index: 0, value: 8, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ"}]},
      {names: ["kill"], action: "SCMP_ACT_KILL_PROCESS"}]}' >spec/seccomp-notify.json
printf '%s\n' "$def" | jq -c '
  .hostname = "full" | .domainname = "example.org" |
  .annotations = {"org.test.a": "1", "org.test.b": "x y"} |
  .process.terminal = true | .process.consoleSize = {height: 24, width: 80} |
  .process.user = {uid: 1000, gid: 1000, umask: 18, additionalGids: [300, 7, 65533]} |
  .process.env += ["FOO=bar baz"] |
  .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: 4096}, {type: "RLIMIT_CORE", soft: 0, hard: 0}] |
  .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.ambient = ["CAP_KILL"] |
  .process.noNewPrivileges = true | .process.oomScoreAdj = 500 |
  .process.apparmorProfile = "husk-test" | .process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2" |
  .process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 5} |
  .process.scheduler = {policy: "SCHED_FIFO", priority: 10, flags: ["SCHED_FLAG_RESET_ON_FORK"]} |
  .process.execCPUAffinity = {initial: "0", final: "0-1"} |
  .root.readonly = false |
  .mounts += [
    {destination: "/data", type: "bind", source: "/srv", options: ["rbind", "ro", "nosuid", "rprivate", "idmap"],
     uidMappings: [{containerID: 0, hostID: 100000, size: 65536}], gidMappings: [{containerID: 0, hostID: 100000, size: 65536}]},
    {destination: "/t", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=1m", "tmpcopyup", "mode=1777", "rshared", "noatime", "nosymfollow"]},
    {destination: "/r", type: "bind", source: "/srv", options: ["rbind", "ridmap", "rro", "rnosuid", "strictatime", "unbindable"]}] |
  .hooks = {prestart: [{path: "/bin/true", args: ["true"], env: ["A=1"], timeout: 5}],
            createRuntime: [{path: "/bin/true"}], createContainer: [{path: "/bin/true"}],
            startContainer: [{path: "/bin/true"}], poststart: [{path: "/bin/true"}], poststop: [{path: "/bin/true"}]} |
  .linux.namespaces += [{type: "user"}, {type: "time"}, {type: "cgroup"}] |
  .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
  .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
  .linux.timeOffsets = {monotonic: {secs: 100, nanosecs: 5}, boottime: {secs: -5}} |
  .linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1000", "kernel.hostname": "h"} |
  .linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11, fileMode: 438, uid: 0, gid: 0}] |
  .linux.personality = {domain: "LINUX", flags: ["ADDR_NO_RANDOMIZE"]} |
  .linux.maskedPaths += ["/secret"] | .linux.readonlyPaths += ["/ro"] |
  .linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2" |
  .linux.rootfsPropagation = "rslave" | .linux.cgroupsPath = "/husk/full" |
  .linux.resources = {
    devices: [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 5, access: "r"}],
    memory: {limit: 67108864, reservation: 33554432, swap: 134217728, kernel: -1, kernelTCP: 0,
             swappiness: 30, disableOOMKiller: false, useHierarchy: true, checkBeforeUpdate: true},
    cpu: {shares: 512, quota: 50000, period: 100000, burst: 20000, realtimeRuntime: 0, realtimePeriod: 0,
          cpus: "0-1", mems: "0", idle: 0},
    pids: {limit: 30},
    blockIO: {weight: 500, leafWeight: 300, weightDevice: [{major: 8, minor: 0, weight: 200, leafWeight: 100}],
              throttleReadBpsDevice: [{major: 8, minor: 0, rate: 1048576}],
              throttleWriteIOPSDevice: [{major: 8, minor: 0, rate: 100}]},
    hugepageLimits: [{pageSize: "2MB", limit: 4194304}],
    network: {classID: 1048577, priorities: [{name: "eth0", priority: 5}]},
    rdma: {"mlx5_0": {hcaHandles: 3, hcaObjects: 10000}},
    unified: {"memory.high": "1000000"}}' >spec/full.json
printf '%s\n' "$def" | jq -c '.ociVersion = "2.0.0"' >spec/bad-version.json
printf '%s\n' "$def" | jq -c '.linux.namespaces += [{type: "foo"}]' >spec/bad-namespace.json
printf '%s\n' "$def" | jq -c '.mounts += [{destination: "/x", type: "bind", source: "/s", options: ["idmap"]}]' \
	>spec/bad-idmap.json
printf '%s\n' "$def" | jq -c '.linux.sysctl = {"kernel.printk": "1"}' >spec/bad-sysctl.json

# ---- process.json (exec -p) ----
printf '%s\n' "$def" | jq -c .process >process/default.json
jq -c .process spec/full.json >process/full.json
printf '{"args": []}' >process/empty-args.json
printf '{"args": ["sh"], "cwd": "relative", "user": {"uid": -1}}' >process/bad-user.json

# ---- state.json (ID c1) ----
printf '%s' '{"id":"c1","pid":4242,"start":123456,"bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-01T00:00:00.000000000Z","cgroup":"/husk/c1","owner":0,"annotations":{"a":"b"}}' >state/state.json
printf '%s' '{"id":"c1","pid":1,"start":0,"bundle":"/b","rootfs":"/b/rootfs","created":"","cgroup":"","owner":1000}' >state/minimal.json
printf '%s' '{"id":"c2","pid":4242,"start":1}' >state/other-id.json
printf '%s' '{"id":"c1","pid":4294967297,"start":1}' >state/pid-overflow.json

# ---- update --resources ----
jq -c .linux.resources spec/full.json >resources/full.json
printf '%s' '{"memory": {"limit": -1}}' >resources/unlimited.json
printf '%s' '{"memory": {"limit": 0, "swap": 0}, "cpu": {"cpus": "", "shares": 0}, "pids": {"limit": 0}}' >resources/noop.json
printf '%s' '{"memory": {"limit": "1g"}}' >resources/bad-type.json
printf '%s' '{"cpu": {"idle": 2}, "blockIO": {"weight": 5}}' >resources/bad-range.json

# ---- command-line values (see fuzz_cli.c: first byte the parser) ----
printf '\x00\x00512m' >cli/size-512m
printf '\x00\x001.5GiB' >cli/size-frac
printf '\x00\x0099999999999999999999p' >cli/size-huge
printf '\x01\x00my-container_1.0' >cli/id
printf '\x01\x00../x' >cli/id-dotdot
printf '\x02\x00SIGRTMIN+3' >cli/signal-rt
printf '\x02\x00KILL' >cli/signal-name
printf '\x03\x001m30.5s' >cli/duration
printf '\x03\x00-5\xc2\xb5s' >cli/duration-micro
printf '\x04\x001000:1000' >cli/user
printf '\x05\x00512m' >cli/update-memory
printf '\x05\x03-1' >cli/update-pids
printf '\x05\x0b5' >cli/update-blkio
printf '\x06\x00-m\x00100M\x00--pids-limit\x0010\x00--cpus\x000.5\x00--tmpfs\x00/t:size=1m\x00-v\x00/tmp:/data:ro\x00-e\x00A=1\x00-tfalse\x00--rm=false\x00--name\x00b1\x00--net\x00none\x00rootfs.tar\x00--\x00sh\x00-c\x00true' >cli/box-args
printf '\x06\x00-ti\x00--memory-swap\x00-1\x00--bogus' >cli/box-bad

# ---- /etc/passwd ----
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nuser::1000:1000::/home/user:/bin/sh\n' >passwd/passwd
printf 'root:x:0:\nwheel:x:10:root,user\nusers:x:100:\n' >passwd/group
printf 'root:x:-1:0\nroot:x:4294967296:0\nroot\n:::::::::\n' >passwd/bad

# ---- tarballs ----
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/r/bin" "$t/r/etc" "$t/r/dir/sub"
echo hello >"$t/r/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$t/r/etc/passwd"
ln -s ../etc/hostname "$t/r/bin/rel-link"
ln -s /etc/passwd "$t/r/bin/abs-link"
ln "$t/r/etc/hostname" "$t/r/dir/hard"
mkfifo "$t/r/dir/fifo"
chmod 4755 "$t/r/etc/passwd"
tar -C "$t/r" --owner=0 --group=0 -cf unpack/rootfs.tar .
tar -C "$t/r" --owner=0 --group=0 -czf unpack/rootfs.tar.gz etc bin
tar -C "$t/r" --owner=0 --group=0 --format=gnu -cf - etc | zstd -q -c >unpack/rootfs.tar.zst
# hostile entries, written by python's tarfile (names tar would fix)
python3 - "$t" <<'PY'
import io, sys, tarfile
def make(name, entries, fmt=tarfile.GNU_FORMAT):
    with tarfile.open(f"unpack/{name}", "w", format=fmt) as tf:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.type = e.get("type", tarfile.REGTYPE)
            ti.linkname = e.get("link", "")
            ti.mode = e.get("mode", 0o644)
            ti.devmajor, ti.devminor = e.get("dev", (0, 0))
            data = e.get("data", b"")
            ti.size = e.get("size", len(data))
            tf.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
make("dotdot.tar", [{"name": "../escape", "data": b"x"}])
make("absolute.tar", [{"name": "/etc/escape", "data": b"x"}])
make("symlink-dir.tar", [{"name": "l", "type": tarfile.SYMTYPE, "link": ".."},
                         {"name": "l/escape", "data": b"x"}])
make("abs-symlink-dir.tar", [{"name": "etc", "type": tarfile.SYMTYPE, "link": "/etc"},
                             {"name": "etc/escape", "data": b"x"}])
make("hardlink-out.tar", [{"name": "h", "type": tarfile.LNKTYPE, "link": "../../canary"}])
make("hardlink-symlink.tar", [{"name": "l", "type": tarfile.SYMTYPE, "link": "/"},
                              {"name": "h", "type": tarfile.LNKTYPE, "link": "l/etc/passwd"}])
make("devices.tar", [{"name": "dev/", "type": tarfile.DIRTYPE, "mode": 0o755},
                     {"name": "dev/sda", "type": tarfile.BLKTYPE, "dev": (8, 0), "mode": 0o666},
                     {"name": "dev/mem", "type": tarfile.CHRTYPE, "dev": (1, 1)}])
make("dot-file.tar", [{"name": "./", "data": b"x"}])  # a file named "./"
make("dot-root.tar", [{"name": "./", "type": tarfile.DIRTYPE, "mode": 0o700},
                      {"name": "./a/./b//c", "data": b"c"}])
# a header that claims a huge size with no data behind it
with open("unpack/huge-size.tar", "wb") as f:
    ti = tarfile.TarInfo("big"); ti.size = 8 * 2**30
    f.write(ti.tobuf(format=tarfile.GNU_FORMAT))
    f.write(b"\0" * 1024)
# a pax header with a huge size and a long name
make("pax-long.tar", [{"name": "d/" + "n" * 200, "data": b"y"}], fmt=tarfile.PAX_FORMAT)
PY
printf 'not a tarball at all\n' >unpack/not-tar
du -sh . >&2
