/* test_cgroup_fields.c - the linux.resources fields beyond memory and
 * pids limits and cpu shares and quota, read back from real cgroups made
 * below the test's own cgroup on this host (v1/hybrid or pure v2): CFS
 * burst, idle, realtime, throttling on loop0 and weights, kernel TCP
 * memory, hugetlb, net_cls and net_prio (on v1 in a hierarchy mounted in a
 * private mount namespace), refusals of what the layout or host cannot
 * do, update of each and checkBeforeUpdate.  The rules and file formats
 * without real cgroups: test_cgroup_res.c.  Runs as root; every cgroup it
 * makes is named husk-unit-f-<pid>-N and removed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/cgroup.h"
#include "cgtest.h"
#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MiB (1024LL * 1024)

static enum hk_cgroup_layout layout;
static int seq;

static char *unit_name(void)
{
	char *s = NULL;
	if (asprintf(&s, "husk-unit-f-%d-%d", (int)getpid(), ++seq) < 0)
		abort();
	return s;
}

/* FILE below DIR without its trailing newline; NULL when unreadable. */
static char *read_in(const char *dir, const char *file)
{
	_cleanup_free_ char *p = NULL;
	char *s = NULL;
	hk_err e;
	if (!dir || asprintf(&p, "%s/%s", dir, file) < 0 || hk_read_file(p, &s, NULL, &e) < 0)
		return NULL;
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
	return s;
}

static char *read_cg(hk_cgroup *cg, const char *ctrl, const char *file)
{
	_cleanup_free_ char *d = cg_leaf(cg, ctrl);
	return read_in(d, file);
}

static bool exists_in(hk_cgroup *cg, const char *ctrl, const char *file)
{
	_cleanup_free_ char *d = cg_leaf(cg, ctrl), *p = NULL;
	return d && asprintf(&p, "%s/%s", d, file) > 0 && access(p, F_OK) == 0;
}

#define CHECK_FILE(cg, ctrl, file, want)                                                           \
	do {                                                                                       \
		_cleanup_free_ char *_v = read_cg(cg, ctrl, file);                                 \
		CHECK_STREQ(_v, want);                                                             \
	} while (0)

static bool starts(const char *msg, const char *prefix)
{
	bool ok = strncmp(msg, prefix, strlen(prefix)) == 0;
	if (!ok)
		fprintf(stderr, "  message: %s\n", msg);
	return ok;
}

TEST(layout_detected)
{
	hk_err e;
	CHECK(hk_cgroup_layout(&layout, &e) == 0);
}

/* ---- real cgroups ---- */

static hk_cgroup *create(hk_resources *r)
{
	_cleanup_free_ char *name = unit_name();
	hk_cgroup *cg = NULL;
	hk_err e;
	if (CHECK_OK(hk_cgroup_create(name, "x", r, &cg, &e), e) < 0)
		return NULL;
	return cg;
}

static void destroy(hk_cgroup *cg)
{
	hk_err e;
	_cleanup_free_ char *d = cg_leaf(cg, "memory");
	CHECK_OK(hk_cgroup_destroy(cg, &e), e);
	CHECK(d && access(d, F_OK) < 0);
	hk_cgroup_free(cg);
}

TEST(cpu_burst_idle_realtime)
{
	bool v2 = layout == HK_CGROUP_V2;
	hk_resources r = {0};
	r.cpu.has_quota = r.cpu.has_period = r.cpu.has_burst = r.cpu.has_idle = true;
	r.cpu.quota = 50000;
	r.cpu.period = 100000;
	r.cpu.burst = 20000;
	r.cpu.idle = 1;
	/* realtime on v1 where the kernel has RT group scheduling */
	bool rt = !v2 && access("/sys/fs/cgroup/cpu/cpu.rt_runtime_us", F_OK) == 0;
	if (rt) {
		r.cpu.has_realtime_runtime = r.cpu.has_realtime_period = true;
		r.cpu.realtime_runtime = 5000;
		r.cpu.realtime_period = 100000;
	}
	hk_cgroup *cg = create(&r);
	if (!cg)
		return;
	hk_err e;
	CHECK_FILE(cg, "cpu", v2 ? "cpu.max.burst" : "cpu.cfs_burst_us", "20000");
	CHECK_FILE(cg, "cpu", v2 ? "cpu.max" : "cpu.cfs_quota_us", v2 ? "50000 100000" : "50000");
	CHECK_FILE(cg, "cpu", "cpu.idle", "1");
	if (rt) {
		CHECK_FILE(cg, "cpu", "cpu.rt_runtime_us", "5000");
		CHECK_FILE(cg, "cpu", "cpu.rt_period_us", "100000");
	}
	/* update: burst and idle 0 set 0 (pointers in runc's config); a zero
	 * realtime value leaves it as it is */
	hk_resources u = {0};
	u.cpu.has_burst = u.cpu.has_idle = true;
	u.cpu.has_realtime_runtime = true;
	CHECK_OK(hk_cgroup_update(cg, &u, &e), e);
	CHECK_FILE(cg, "cpu", v2 ? "cpu.max.burst" : "cpu.cfs_burst_us", "0");
	CHECK_FILE(cg, "cpu", "cpu.idle", "0");
	if (rt) {
		CHECK_FILE(cg, "cpu", "cpu.rt_runtime_us", "5000");
		/* a shorter period with a smaller runtime: the period first
		 * would be refused (runtime > period); runc's retry */
		u = (hk_resources){0};
		u.cpu.has_realtime_runtime = u.cpu.has_realtime_period = true;
		u.cpu.realtime_runtime = 1000;
		u.cpu.realtime_period = 4000;
		CHECK_OK(hk_cgroup_update(cg, &u, &e), e);
		CHECK_FILE(cg, "cpu", "cpu.rt_runtime_us", "1000");
		CHECK_FILE(cg, "cpu", "cpu.rt_period_us", "4000");
	}
	/* a burst above a new, smaller quota is refused by the kernel when
	 * written first: written again after the quota */
	u = (hk_resources){0};
	u.cpu.has_burst = u.cpu.has_quota = true;
	u.cpu.burst = 55000; /* above the current quota, 50000 */
	u.cpu.quota = 60000;
	CHECK_OK(hk_cgroup_update(cg, &u, &e), e);
	CHECK_FILE(cg, "cpu", v2 ? "cpu.max.burst" : "cpu.cfs_burst_us", "55000");
	CHECK_FILE(cg, "cpu", v2 ? "cpu.max" : "cpu.cfs_quota_us", v2 ? "60000 100000" : "60000");
	u.cpu.quota = 20000; /* below the burst: the kernel's EINVAL, named */
	CHECK(hk_cgroup_update(cg, &u, &e) == -EINVAL);
	CHECK(starts(e.msg, "linux.resources.cpu.quota: "));
	destroy(cg);
}

/* Throttling on loop0 (7:0: on the host; the VM has it once the loop
 * module is loaded), and the weight where the I/O scheduler has one. */
TEST(block_io)
{
	bool v2 = layout == HK_CGROUP_V2;
	hk_resources r = {0};
	hk_throttle_device rb = {7, 0, 1048576}, wi = {7, 0, 100};
	bool loop = access("/sys/block/loop0", F_OK) == 0;
	if (loop) {
		r.block_io.throttle_read_bps = &rb;
		r.block_io.n_throttle_read_bps = 1;
		r.block_io.throttle_write_iops = &wi;
		r.block_io.n_throttle_write_iops = 1;
	} else {
		fprintf(stderr, "  (no /sys/block/loop0: throttling not checked)\n");
	}
	r.block_io.has_weight = true; /* 0: docker's; asks nothing */
	hk_cgroup *cg = create(&r);
	if (!cg)
		return;
	hk_err e;
	if (loop && v2) {
		CHECK_FILE(cg, "io", "io.max", "7:0 rbps=1048576 wbps=max riops=max wiops=100");
	} else if (loop) {
		CHECK_FILE(cg, "blkio", "blkio.throttle.read_bps_device", "7:0 1048576");
		CHECK_FILE(cg, "blkio", "blkio.throttle.write_iops_device", "7:0 100");
	}
	/* update: a rate of 0 removes that limit */
	hk_resources u = {0};
	rb.rate = 0;
	u.block_io.throttle_read_bps = &rb;
	u.block_io.n_throttle_read_bps = loop;
	u.block_io.has_weight = true;
	u.block_io.weight = 300;
	const char *wfile =
	    v2 ? (exists_in(cg, "io", "io.bfq.weight") ? "io.bfq.weight" : "io.weight")
	       : (exists_in(cg, "blkio", "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight");
	bool weights = exists_in(cg, "blkio", wfile);
	int rc = hk_cgroup_update(cg, &u, &e);
	if (weights) {
		CHECK_OK(rc, e);
		bool conv = !strcmp(wfile, "io.weight");
		CHECK_FILE(cg, "blkio", wfile,
		           v2 ? (conv ? "default 2930" : "default 300") : "300");
	} else {
		CHECK(rc == -ENOENT);
		CHECK(starts(e.msg, "linux.resources.blockIO.weight: neither "));
		u.block_io.has_weight = false;
		CHECK_OK(hk_cgroup_update(cg, &u, &e), e);
	}
	if (loop && v2)
		CHECK_FILE(cg, "io", "io.max", "7:0 rbps=max wbps=max riops=max wiops=100");
	else if (loop)
		CHECK_FILE(cg, "blkio", "blkio.throttle.read_bps_device", "");
	destroy(cg);
}

TEST(kernel_memory)
{
	hk_resources r = {0};
	r.memory.has_kernel_tcp = r.memory.has_use_hierarchy = r.memory.use_hierarchy = true;
	r.memory.kernel_tcp = 32 * MiB;
	_cleanup_free_ char *name = unit_name();
	hk_cgroup *cg = NULL;
	hk_err e;
	int rc = hk_cgroup_create(name, "x", &r, &cg, &e);
	if (layout == HK_CGROUP_V2) {
		CHECK(rc == -EINVAL);
		CHECK(
		    starts(e.msg, "linux.resources.memory.kernelTCP: not available on cgroup v2"));
		return;
	}
	if (CHECK_OK(rc, e) < 0)
		return;
	CHECK_FILE(cg, "memory", "memory.kmem.tcp.limit_in_bytes", "33554432");
	CHECK_FILE(cg, "memory", "memory.use_hierarchy", "1");
	/* memory.kernel: enforced, or an error saying the kernel ignores it */
	hk_resources u = {0};
	u.memory.has_kernel = true;
	u.memory.kernel = 64 * MiB;
	rc = hk_cgroup_update(cg, &u, &e);
	if (rc == 0)
		CHECK_FILE(cg, "memory", "memory.kmem.limit_in_bytes", "67108864");
	else
		CHECK(rc == -EOPNOTSUPP &&
		      starts(e.msg,
		             "linux.resources.memory.kernel: this kernel does not enforce it"));
	destroy(cg);
}

static int hold_memory(void)
{
	size_t n = 16 * MiB;
	char *p = tu_map_anon(n, MAP_PRIVATE);
	if (p == MAP_FAILED)
		return 2;
	memset(p, 1, n);
	pause();
	return 0;
}

TEST(check_before_update)
{
	hk_resources r = {0};
	r.memory.has_limit = true;
	r.memory.limit = 64 * MiB;
	hk_cgroup *cg = create(&r);
	if (!cg)
		return;
	hk_err e;
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(9);
		_exit(hold_memory());
	}
	close(p[0]);
	CHECK_OK(hk_cgroup_enter(cg, pid, &e), e);
	CHECK(write(p[1], "x", 1) == 1);
	close(p[1]);
	const char *usage = layout == HK_CGROUP_V2 ? "memory.current" : "memory.usage_in_bytes";
	for (int i = 0; i < 500; i++) { /* until the 16 MiB are touched */
		_cleanup_free_ char *u = read_cg(cg, "memory", usage);
		if (u && atoll(u) >= 16 * MiB)
			break;
		usleep(10000);
	}
	const char *lim = layout == HK_CGROUP_V2 ? "memory.max" : "memory.limit_in_bytes";
	hk_resources u = {0};
	u.memory.has_check_before_update = u.memory.check_before_update = true;
	u.memory.has_limit = true;
	u.memory.limit = 8 * MiB;
	CHECK(hk_cgroup_update(cg, &u, &e) == -EBUSY);
	CHECK(
	    starts(e.msg, "linux.resources.memory.limit: 8388608 is not above the current usage "));
	CHECK_FILE(cg, "memory", lim, "67108864");
	u.memory.limit = 48 * MiB;
	CHECK_OK(hk_cgroup_update(cg, &u, &e), e);
	CHECK_FILE(cg, "memory", lim, "50331648");
	kill(pid, SIGKILL);
	tu_wait(pid);
	destroy(cg);
}

TEST(hugetlb)
{
	hk_resources r = {0};
	hk_hugepage_limit hp = {"2MB", 4 * MiB};
	r.hugepage_limits = &hp;
	r.n_hugepage_limits = 1;
	if (access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) < 0) {
		fprintf(stderr, "  (no 2MB huge pages here: not checked)\n");
		return;
	}
	_cleanup_free_ char *name = unit_name(), *uni = NULL;
	hk_cgroup *cg = NULL;
	hk_err e;
	int rc = hk_cgroup_create(name, "x", &r, &cg, &e);
	bool on_unified =
	    layout == HK_CGROUP_HYBRID &&
	    hk_read_file("/sys/fs/cgroup/unified/cgroup.controllers", &uni, NULL, &e) == 0 &&
	    strstr(uni, "hugetlb") && access("/sys/fs/cgroup/hugetlb", F_OK) < 0;
	if (on_unified) {
		CHECK(rc == -ENOENT);
		CHECK(starts(e.msg,
		             "linux.resources.hugepageLimits: no hugetlb cgroup v1 hierarchy "
		             "(the hugetlb controller is on the cgroup2 mount at "
		             "/sys/fs/cgroup/unified"));
		/* a zero limit asks for nothing */
		hp.limit = 0;
		cg = create(&r);
		if (cg)
			destroy(cg);
		return;
	}
	if (CHECK_OK(rc, e) < 0)
		return;
	bool v2 = layout == HK_CGROUP_V2;
	CHECK_FILE(cg, "hugetlb", v2 ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes", "4194304");
	if (exists_in(cg, "hugetlb",
	              v2 ? "hugetlb.2MB.rsvd.max" : "hugetlb.2MB.rsvd.limit_in_bytes"))
		CHECK_FILE(cg, "hugetlb",
		           v2 ? "hugetlb.2MB.rsvd.max" : "hugetlb.2MB.rsvd.limit_in_bytes",
		           "4194304");
	hk_resources u = {0};
	hp.limit = 0; /* update: as given, 0 keeps the pages out */
	u.hugepage_limits = &hp;
	u.n_hugepage_limits = 1;
	CHECK_OK(hk_cgroup_update(cg, &u, &e), e);
	CHECK_FILE(cg, "hugetlb", v2 ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes", "0");
	destroy(cg);
}

/* net_cls's line in /proc/cgroups: its v1 hierarchy (0: none) and the
 * number of cgroups in it; -1 when unknown. */
static int net_cls_hier(int *ncg)
{
	_cleanup_free_ char *s = NULL;
	hk_err e;
	int h = -1, n = -1;
	if (hk_read_file("/proc/cgroups", &s, NULL, &e) < 0)
		return -1;
	char *p = strstr(s, "\nnet_cls\t");
	if (p && sscanf(p, "\nnet_cls\t%d\t%d", &h, &n) == 2 && ncg)
		*ncg = n;
	return h;
}

/* Wait up to 3 s for net_cls to have no cgroup but the root (DYING:
 * for its hierarchy to be gone): a v1 hierarchy unmounted while a
 * removed child is still dying lives on, unmounted, and every process
 * then shows it in /proc/PID/cgroup. */
static bool net_cls_settled(bool gone)
{
	for (int i = 0; i < 300; i++) {
		int n = 0, h = net_cls_hier(&n);
		if (gone ? h == 0 : n == 1)
			return true;
		usleep(10000);
	}
	return false;
}

/* v1: net_cls and net_prio in a hierarchy this test mounts in its own
 * mount namespace (hosts rarely mount them) and unmounts, making sure the
 * hierarchy is gone after; v2: refused. */
static void net_child(void)
{
	char mnt[] = "/tmp/husk-netcls-XXXXXX";
	if (net_cls_hier(NULL) != 0) {
		fprintf(stderr, "  (net_cls is in use on a v1 hierarchy: not checked)\n");
		return;
	}
	if (!tu_make_tmpdir(mnt))
		return;
	if (mount("cgroup", mnt, "cgroup", 0, "net_cls,net_prio") < 0) {
		fprintf(stderr, "  (cannot mount net_cls,net_prio: %s; not checked)\n",
		        strerror(errno));
		rmdir(mnt);
		return;
	}
	hk_resources r = {0};
	r.network.has_class_id = true;
	r.network.class_id = 0x100001;
	hk_kv prio = {"lo", "5"};
	r.network.priorities = &prio;
	r.network.n_priorities = 1;
	hk_cgroup *cg = create(&r);
	hk_err e;
	if (cg) {
		CHECK_FILE(cg, "net_cls", "net_cls.classid", "1048577");
		_cleanup_free_ char *map = read_cg(cg, "net_prio", "net_prio.ifpriomap");
		CHECK(map && strstr(map, "lo 5"));
		hk_resources u = {0};
		u.network.has_class_id = true;
		u.network.class_id = 0x100002;
		CHECK_OK(hk_cgroup_update(cg, &u, &e), e);
		CHECK_FILE(cg, "net_cls", "net_cls.classid", "1048578");
		destroy(cg);
	}
	/* a container made without network fields is not in the hierarchy */
	hk_resources none = {0}, u = r;
	cg = create(&none);
	if (cg) {
		CHECK(hk_cgroup_update(cg, &u, &e) == -ENOENT);
		CHECK(starts(e.msg,
		             "linux.resources.network.classID: the container has no net_cls "
		             "cgroup (it was created without one: husk joins the net_cls, "));
		destroy(cg);
	}
	CHECK(net_cls_settled(false));
	CHECK(umount(mnt) == 0);
	if (!net_cls_settled(true) && mount("cgroup", mnt, "cgroup", 0, "net_cls,net_prio") == 0)
		CHECK(umount(mnt) == 0); /* kills it if it lingered */
	CHECK(net_cls_settled(true));
	CHECK(rmdir(mnt) == 0);
}

TEST(network)
{
	if (layout != HK_CGROUP_V2) {
		tu_in_child(net_child, TU_NEWNS);
		return;
	}
	hk_resources r = {0};
	r.network.has_class_id = true;
	r.network.class_id = 0x100001;
	hk_cgroup *cg = NULL;
	hk_err e;
	CHECK(hk_cgroup_create("husk-unit-never", "x", &r, &cg, &e) == -EINVAL);
	CHECK(starts(e.msg, "linux.resources.network.classID: not available on cgroup v2"));
}

int main(void)
{
	RUN(layout_detected);
	RUN(cpu_burst_idle_realtime);
	RUN(block_io);
	RUN(kernel_memory);
	RUN(check_before_update);
	RUN(hugetlb);
	RUN(network);
	return check_summary();
}
