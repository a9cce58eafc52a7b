# test_soak.sh - 2,000 run/delete cycles in a row (300 in the emulated VM
# and under AddressSanitizer; HK_SOAK_CYCLES overrides): no growth of what husk holds or leaves.
# Checked after the first 100 cycles and again at the end: the mounts
# (mountinfo lines), the cgroups below the test's, the entries of the
# state root, the fds and the anonymous memory of a supervising `husk
# run` (sampled while it waits for its container), husk's peak RSS
# (wait4's ru_maxrss of each husk, the last 100 against the first 100,
# loosely), and no process left.
# Cycles alternate: `run` of true in the foreground (husk removes it) and
# `run --detach` of sleep then `delete --force` (kills it).

soak_cycles() {
	if [ -n "${HK_SOAK_CYCLES:-}" ]; then
		echo "$HK_SOAK_CYCLES"
	elif [ "${HK_TEST_LABEL:-}" = v2-vm ] || sanitized; then
		echo 300
	else
		echo 2000
	fi
}

test_soak_run_delete_cycles() {
	needs_root "counts the cgroups and mounts of the host"
	local fg bg slow n
	n=$(soak_cycles)
	fg=$(mkbundle)
	setargs "$fg" true
	bg=$(mkbundle)
	setargs "$bg" sleep 1000
	slow=$(mkbundle)
	setargs "$slow" sleep 2
	for b in "$fg" "$bg" "$slow"; do
		cfg "$b" --arg m "HK_SOAK_MARK=$HK_CG_PREFIX" '.process.env += [$m]'
	done
	/usr/bin/python3 - "$HUSK" "$T/state" "$fg" "$bg" "$slow" "$n" "$HK_CG_PREFIX" <<'EOF' || fail "soak"
import os, subprocess, sys, time
husk, root, fg, bg, slow, cycles, prefix = sys.argv[1:8]
cycles = int(cycles)
errs = open(os.path.join(os.path.dirname(root), "soak.err"), "w+")

def husk_cmd(args, wait=True):
    p = subprocess.Popen([husk, "--root", root] + args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=errs)
    if not wait:
        return p
    _, status, ru = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        errs.seek(0)
        sys.exit(f"husk {' '.join(args)}: exit {code}: {errs.read().strip()[-300:]}")
    errs.seek(0)
    errs.truncate()
    return ru.ru_maxrss

def cgroups():
    n = 0
    for top, dirs, _ in os.walk("/sys/fs/cgroup"):
        n += sum(1 for d in dirs if prefix in d)
    return n

def marked():
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"HK_SOAK_MARK={prefix}".encode() in f.read():
                    left.append(pid)
        except OSError:
            pass
    return left

def supervisor(i):
    """What a foreground `husk run` of `sleep 2` holds while it waits: its
    fds (where they point, ids aside) and its anonymous memory (heap and
    stack: RssAnon; file pages of the binary are shared page cache)."""
    name = f"soak-fds-{i}"
    p = husk_cmd(["run", "-b", slow, name], wait=False)
    # sampled once its container runs (husk is waiting then, not creating),
    # a moment later: "running" is on record just before husk lets go of
    # the container's lock (the container sleeps 2 s)
    for _ in range(300):
        out = subprocess.run([husk, "--root", root, "state", name], capture_output=True, text=True)
        if '"status": "running"' in out.stdout or '"status":"running"' in out.stdout:
            break
        time.sleep(0.05)
    time.sleep(0.2)
    try:
        fds = sorted(os.readlink(f"/proc/{p.pid}/fd/{fd}").replace(name, "NAME")
                     for fd in os.listdir(f"/proc/{p.pid}/fd"))
        anon = [l.split()[1] for l in open(f"/proc/{p.pid}/status") if l.startswith("RssAnon:")]
    except OSError as e:
        fds, anon = [f"unreadable: {e}"], ["?"]
    _, status, _ = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"supervised run {i}: exit {status}")
    return fds, int(anon[0]) if anon[0].isdigit() else -1

def sample(i):
    fds, anon = supervisor(i)
    return {"mounts": len(open("/proc/self/mountinfo").readlines()), "cgroups": cgroups(),
            "state entries": len(os.listdir(root)) if os.path.isdir(root) else 0,
            "husk run's fds": fds, "husk run's RssAnon (KiB)": anon}

rss = []
start = time.time()
first = None
for i in range(cycles):
    if i % 2 == 0:
        rss.append(husk_cmd(["run", "-b", fg, f"soak-{i}"]))
    else:
        rss.append(husk_cmd(["run", "--detach", "-b", bg, f"soak-{i}"]))
        rss.append(husk_cmd(["delete", "--force", f"soak-{i}"]))
    if i == 99:
        first = sample(i)
last = sample(cycles)
def same(k):
    # a page or two of stack and allocator noise either way (more under
    # AddressSanitizer, whose shadow pages vary)
    if k.endswith("(KiB)"):
        return abs(first[k] - last[k]) <= max(8, first[k] // 50)
    return first[k] == last[k]
bad = [f"{k}: {first[k]} after 100 cycles, {last[k]} after {cycles}" for k in first if not same(k)]
# peak RSS counts the binary's file pages too, which grow a little as the
# page cache warms (fault-around maps cached neighbours): a leak shows in
# RssAnon above, this only catches a gross one
early, late = max(rss[:100]), max(rss[-100:])
if late > early * 1.1:
    bad.append(f"husk's peak RSS: {early} KiB in the first 100 runs, {late} KiB in the last 100")
for _ in range(300):
    left = marked()
    if not left:
        break
    time.sleep(0.05)
if left:
    bad.append(f"processes left: {left}")
print(f"{cycles} cycles in {time.time() - start:.1f} s; husk peak RSS {early}/{late} KiB; "
      f"{last['mounts']} mounts, {last['cgroups']} cgroups, supervisor {last}")
if bad:
    sys.exit("; ".join(bad))
EOF
	[ -z "$(ls -A "$T/state")" ] || fail "state left: $(ls -A "$T/state")"
	[ -z "$(cg_leftovers)" ] || fail "cgroups left: $(cg_leftovers)"
}
