/* test_cgroup.c - the cgroup layer on the real host (v1/hybrid or pure v2):
 * limits read back, entering, OOM kills, pids.max, destroy with processes
 * inside, path checks, missing files, load, the unprivileged no-op and
 * error, and an unprivileged user in a cgroup delegated to it.
 * Runs as root; every cgroup it makes is named husk-unit-<pid>-N and
 * removed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/cgroup.h"
#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MiB (1024LL * 1024)

static enum hk_cgroup_layout layout;
static int seq;

static char *unit_name(void)
{
	char *s = NULL;
	if (asprintf(&s, "husk-unit-%d-%d", (int)getpid(), ++seq) < 0)
		abort();
	return s;
}

/* Husk's own cgroup for a v1 controller (NULL: the v2 line). */
static char *own(const char *ctrl)
{
	_cleanup_free_ char *s = NULL;
	hk_err e;
	if (hk_read_file("/proc/self/cgroup", &s, NULL, &e) < 0)
		return NULL;
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *c = strchr(l, ':') + 1, *p = strchr(c, ':');
		*p++ = '\0';
		if (ctrl ? hk_cg_has_ctrl(c, ctrl) : !*c)
			return strdup(p);
	}
	return NULL;
}

/* Where relative NAME must end up in the hierarchy of CTRL (NULL: v2). */
static char *expected(const char *ctrl, const char *name)
{
	_cleanup_free_ char *o = own(ctrl);
	char *s = NULL;
	if (!o)
		return NULL;
	if (!ctrl) {
		char *slash = strrchr(o, '/');
		*(slash == o ? slash + 1 : slash) = '\0';
	}
	if (asprintf(&s, "%s/%s", strcmp(o, "/") ? o : "", name) < 0)
		return NULL;
	return s;
}

static char *dir_of(const char *ctrl, const char *path)
{
	char *s = NULL;
	if (layout == HK_CGROUP_V2)
		asprintf(&s, "/sys/fs/cgroup%s", path);
	else
		asprintf(&s, "/sys/fs/cgroup/%s%s", ctrl, path);
	return s;
}

static bool gone(const char *dir)
{
	struct stat st;
	return stat(dir, &st) < 0 && errno == ENOENT;
}

static long long read_num(const char *dir, const char *file)
{
	_cleanup_free_ char *p = NULL, *s = NULL;
	hk_err e;
	if (asprintf(&p, "%s/%s", dir, file) < 0 || hk_read_file(p, &s, NULL, &e) < 0)
		return -2;
	if (!strncmp(s, "max", 3))
		return -1;
	return strtoll(s, NULL, 10);
}

/* A child stopped on a pipe until released with go(). */
struct waiter {
	pid_t pid;
	int fd;
};
static struct waiter spawn(int (*fn)(void))
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(99);
		_exit(fn ? fn() : 0);
	}
	close(p[0]);
	return (struct waiter){pid, p[1]};
}
static void go(struct waiter *w)
{
	if (write(w->fd, "x", 1) != 1)
		abort();
	close(w->fd);
}

static int eat_memory(void)
{
	for (int i = 0; i < 100; i++) {
		char *p = tu_map_anon(MiB, MAP_PRIVATE);
		if (p == MAP_FAILED)
			return 2;
		memset(p, 0x5a, MiB);
	}
	return 0;
}

static int fork_bomb(void)
{
	int ok = 0, eagain = 0;
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid > 0)
			ok++;
		else if (errno == EAGAIN)
			eagain = 1;
	}
	return ok + (eagain ? 100 : 0);
}

static hk_resources limits(void)
{
	hk_resources r = {0};
	r.memory.has_limit = true;
	r.memory.limit = 32 * MiB;
	r.pids.has_limit = true;
	r.pids.limit = 8;
	return r;
}

TEST(layout_detected)
{
	enum hk_cgroup_layout l;
	hk_err e;
	CHECK(hk_cgroup_layout(&l, &e) == 0);
	long type = tu_fs_type("/sys/fs/cgroup");
	CHECK(type != -1);
	if (type == CGROUP2_SUPER_MAGIC)
		CHECK(l == HK_CGROUP_V2);
	else
		CHECK(l == HK_CGROUP_V1 || l == HK_CGROUP_HYBRID);
	layout = l;
}

static int create_no_swap(const char *name, hk_resources *res, hk_cgroup **cg, hk_err *e)
{
	res->memory.has_swap = true;
	res->memory.swap = res->memory.limit; /* no swapping out of the OOM */
	int r = hk_cgroup_create(name, "x", res, cg, e);
	if (r == -ENOENT && strstr(e->msg, "swap accounting")) {
		res->memory.has_swap = false;
		r = hk_cgroup_create(name, "x", res, cg, e);
	}
	return r;
}

/* A new cgroup husk-unit-<pid>-N with limits() (NO_SWAP: and no swap, if
 * swap accounting is there), its name in *NAME if NAME is not NULL; NULL
 * (and the test failed) if it could not be made. */
static hk_cgroup *new_limited(char **name, bool no_swap)
{
	_cleanup_free_ char *n = unit_name();
	hk_resources res = limits();
	hk_cgroup *cg = NULL;
	hk_err e;
	if (no_swap ? CHECK_OK(create_no_swap(n, &res, &cg, &e), e) < 0
	            : CHECK_OK(hk_cgroup_create(n, "x", &res, &cg, &e), e) < 0)
		return NULL;
	if (name)
		*name = hk_steal_ptr(&n);
	return cg;
}

TEST(create_enter_destroy)
{
	_cleanup_free_ char *name = NULL;
	hk_cgroup *cg = new_limited(&name, false);
	if (!cg)
		return;
	hk_err e;
	const char *mctl = layout == HK_CGROUP_V2 ? NULL : "memory";
	const char *pctl = layout == HK_CGROUP_V2 ? NULL : "pids";
	_cleanup_free_ char *mpath = expected(mctl, name), *ppath = expected(pctl, name);
	_cleanup_free_ char *mdir = dir_of("memory", mpath), *pdir = dir_of("pids", ppath);
	CHECK(read_num(mdir, layout == HK_CGROUP_V2 ? "memory.max" : "memory.limit_in_bytes") ==
	      32 * MiB);
	CHECK(read_num(pdir, "pids.max") == 8);
	if (layout == HK_CGROUP_V2) {
		CHECK_STREQ(hk_cgroup_path(cg), mpath);
		CHECK(hk_cgroup_clone_fd(cg) >= 0);
	} else {
		CHECK(strstr(hk_cgroup_path(cg), "memory:") != NULL);
		CHECK(hk_cgroup_clone_fd(cg) == -1);
	}

	struct waiter w = spawn(NULL);
	CHECK(hk_cgroup_enter(cg, w.pid, &e) == 0);
	char proc[64];
	_cleanup_free_ char *txt = NULL;
	snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int)w.pid);
	CHECK(hk_read_file(proc, &txt, NULL, &e) == 0);
	char want[600];
	if (layout == HK_CGROUP_V2) {
		snprintf(want, sizeof(want), "0::%s\n", mpath);
		CHECK(txt && strstr(txt, want));
	} else {
		snprintf(want, sizeof(want), ":memory:%s\n", mpath);
		CHECK(txt && strstr(txt, want));
		snprintf(want, sizeof(want), ":pids:%s\n", ppath);
		CHECK(txt && strstr(txt, want));
		/* every line of hk_cgroup_path() is in /proc/PID/cgroup */
		_cleanup_free_ char *p = strdup(hk_cgroup_path(cg));
		char *save = NULL;
		for (char *l = strtok_r(p, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			snprintf(want, sizeof(want), ":%s\n", l);
			CHECK(txt && strstr(txt, want));
		}
	}
	pid_t *pids = NULL;
	size_t n = 0;
	CHECK(hk_cgroup_pids(cg, &pids, &n, &e) == 0);
	CHECK(n == 1 && pids && pids[0] == w.pid);
	free(pids);

	/* the child is still inside, blocked on its pipe */
	CHECK(hk_cgroup_destroy(cg, &e) == 0);
	int st = tu_wait(w.pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(w.fd);
	CHECK(gone(mdir));
	CHECK(gone(pdir));
	hk_cgroup_free(cg);
}

TEST(oom_killed)
{
	hk_cgroup *cg = new_limited(NULL, true);
	if (!cg)
		return;
	CHECK(!hk_cgroup_oom_killed(cg));
	struct waiter w = spawn(eat_memory);
	hk_err e;
	CHECK(hk_cgroup_enter(cg, w.pid, &e) == 0);
	go(&w);
	int st = tu_wait(w.pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(hk_cgroup_oom_killed(cg));
	CHECK(hk_cgroup_destroy(cg, &e) == 0);
	hk_cgroup_free(cg);
}

TEST(pids_max_enforced)
{
	hk_cgroup *cg = new_limited(NULL, false);
	if (!cg)
		return;
	struct waiter w = spawn(fork_bomb);
	hk_err e;
	CHECK(hk_cgroup_enter(cg, w.pid, &e) == 0);
	go(&w);
	int st = tu_wait(w.pid);
	CHECK(WIFEXITED(st));
	CHECK(WEXITSTATUS(st) == 107); /* 7 forks + itself = 8, then EAGAIN */
	pid_t *pids = NULL;
	size_t n = 0;
	CHECK(hk_cgroup_pids(cg, &pids, &n, &e) == 0);
	CHECK(n == 7);
	free(pids);
	_cleanup_free_ char *pdir = dir_of(
	    "pids", layout == HK_CGROUP_V2 ? hk_cgroup_path(cg)
	                                   : strchr(strstr(hk_cgroup_path(cg), "pids:"), ':') + 1);
	char *nl = strchr(pdir, '\n');
	if (nl)
		*nl = '\0';
	CHECK(hk_cgroup_destroy(cg, &e) == 0); /* kills the 7 left */
	CHECK(gone(pdir));
	hk_cgroup_free(cg);
}

TEST(bad_paths_refused)
{
	hk_cgroup *cg = NULL;
	hk_err e;
	CHECK(hk_cgroup_create("a/../../etc", "x", NULL, &cg, &e) == -EINVAL);
	CHECK(strstr(e.msg, "\"..\" is not allowed") != NULL);
	CHECK(hk_cgroup_create("/..", "x", NULL, &cg, &e) == -EINVAL);
	CHECK(hk_cgroup_create("/", "x", NULL, &cg, &e) == -EINVAL);
	CHECK(hk_cgroup_create("//./", "x", NULL, &cg, &e) == -EINVAL);
	CHECK(hk_cgroup_load("/a/../b", &cg, &e) < 0);
}

/* Refused before any directory is made (more in test_cgroup_fields.c). */
TEST(bad_value_refused)
{
	hk_resources res = {0};
	res.block_io.has_weight = true;
	res.block_io.weight = 5;
	hk_cgroup *cg = NULL;
	hk_err e;
	CHECK(hk_cgroup_create("husk-unit-never", "x", &res, &cg, &e) == -EINVAL);
	CHECK_STREQ(e.msg,
	            "linux.resources.blockIO.weight: 5 is out of range (10-1000; 0: not set)");
}

/* A directory standing in for a cgroup whose memory files lack swap. */
TEST(missing_file_named)
{
	char tmp[] = "/tmp/husk-cg-XXXXXX";
	CHECK(mkdtemp(tmp) != NULL);
	_cleanup_close_ int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	hk_err e;
	CHECK(hk_write_file_at(fd, "memory.limit_in_bytes", "", 0, 1, &e) == 0);
	CHECK(hk_write_file_at(fd, "memory.max", "", 0, 1, &e) == 0);
	hk_resources res = limits();
	res.memory.has_swap = true;
	res.memory.swap = 64 * MiB;
	CHECK(hk_cgv1_apply_memory(fd, &res, &e) == -ENOENT);
	CHECK_STREQ(e.msg, "linux.resources.memory.swap: memory.memsw.limit_in_bytes not "
	                   "available (swap accounting disabled)");
	CHECK(hk_cgv2_apply(fd, &res, &e) == -ENOENT);
	CHECK_STREQ(e.msg, "linux.resources.memory.swap: memory.swap.max not available (swap "
	                   "accounting disabled)");
	/* unlimited swap asks for nothing: fine without the file */
	res.memory.swap = -1;
	res.pids.has_limit = false;
	CHECK(hk_cgv1_apply_memory(fd, &res, &e) == 0);
	CHECK(hk_cgv2_apply(fd, &res, &e) == 0);
	_cleanup_free_ char *v = NULL;
	CHECK(hk_read_file_at(fd, "memory.max", &v, NULL, &e) == 0);
	CHECK_STREQ(v, "33554432");
	/* v1 without a memory hierarchy at all */
	CHECK(hk_cgv1_apply_memory(-1, &res, &e) == -ENOENT);
	CHECK(strstr(e.msg, "linux.resources.memory.limit: ") == e.msg);
	unlinkat(fd, "memory.limit_in_bytes", 0);
	unlinkat(fd, "memory.max", 0);
	CHECK(rmdir(tmp) == 0);
}

/* On the real host: a missing file, and everything made is removed. */
TEST(missing_file_real)
{
	_cleanup_free_ char *name = unit_name();
	hk_kv kv = {"memory.no_such_file", "1"};
	hk_resources res = limits();
	res.unified = &kv;
	res.n_unified = 1;
	hk_cgroup *cg = NULL;
	hk_err e;
	int r = hk_cgroup_create(name, "x", &res, &cg, &e);
	if (layout == HK_CGROUP_V2) {
		CHECK(r == -ENOENT);
		CHECK_STREQ(e.msg, "linux.resources.unified.memory.no_such_file: "
		                   "memory.no_such_file not available");
	} else {
		CHECK(r == -EINVAL);
		CHECK(strstr(e.msg, "linux.resources.unified: ") == e.msg);
	}
	_cleanup_free_ char *mpath = expected(layout == HK_CGROUP_V2 ? NULL : "memory", name);
	_cleanup_free_ char *mdir = dir_of("memory", mpath);
	CHECK(gone(mdir));
}

static char *read_str(const char *dir, const char *file)
{
	_cleanup_free_ char *p = NULL;
	char *s = NULL;
	hk_err e;
	if (asprintf(&p, "%s/%s", dir, file) < 0 || hk_read_file(p, &s, NULL, &e) < 0)
		return NULL;
	return s;
}

TEST(cpu_and_devices)
{
	_cleanup_free_ char *top = unit_name(), *name = NULL;
	CHECK(asprintf(&name, "%s/nested", top) > 0);
	hk_device_rule deny = {.allow = false, .type = 'a', .major = -1, .minor = -1};
	hk_resources res = {0};
	res.devices = &deny;
	res.n_devices = 1;
	res.cpu.has_shares = true;
	res.cpu.shares = 512;
	res.cpu.has_quota = true;
	res.cpu.quota = 50000;
	res.cpu.has_period = true;
	res.cpu.period = 100000;
	res.cpu.cpus = "0"; /* mems copied from the parent on v1 */
	hk_cgroup *cg = NULL;
	hk_err e;
	if (CHECK_OK(hk_cgroup_create(name, "x", &res, &cg, &e), e) < 0)
		return;
	CHECK_OK(hk_cgroup_set_devices(cg, res.devices, res.n_devices, NULL, 0, &e), e);
	_cleanup_free_ char *cpath = expected(layout == HK_CGROUP_V2 ? NULL : "cpu", name);
	_cleanup_free_ char *dpath = expected(layout == HK_CGROUP_V2 ? NULL : "devices", name);
	_cleanup_free_ char *spath = expected(layout == HK_CGROUP_V2 ? NULL : "cpuset", name);
	_cleanup_free_ char *cdir = dir_of("cpu", cpath), *ddir = dir_of("devices", dpath);
	_cleanup_free_ char *sdir = dir_of("cpuset", spath);
	_cleanup_free_ char *cpus = read_str(sdir, "cpuset.cpus");
	_cleanup_free_ char *mems = read_str(sdir, "cpuset.mems");
	CHECK_STREQ(cpus, "0\n");
	if (layout != HK_CGROUP_V2)
		CHECK(mems && mems[0] >= '0' && mems[0] <= '9');
	struct waiter w = spawn(NULL);
	CHECK(hk_cgroup_enter(cg, w.pid, &e) == 0);
	go(&w);
	CHECK(WIFEXITED(tu_wait(w.pid)));
	_cleanup_free_ char *list = NULL, *lp = NULL, *cmax = NULL, *mp = NULL;
	if (layout == HK_CGROUP_V2) {
		CHECK(read_num(cdir, "cpu.weight") == 20);
		CHECK(asprintf(&mp, "%s/cpu.max", cdir) > 0);
		CHECK(hk_read_file(mp, &cmax, NULL, &e) == 0);
		CHECK_STREQ(cmax, "50000 100000\n");
	} else {
		CHECK(read_num(cdir, "cpu.shares") == 512);
		CHECK(read_num(cdir, "cpu.cfs_quota_us") == 50000);
		CHECK(asprintf(&lp, "%s/devices.list", ddir) > 0);
		CHECK(hk_read_file(lp, &list, NULL, &e) == 0);
		CHECK(list && strstr(list, "c 1:3 rwm") && !strstr(list, "a *:* rwm"));
		CHECK(list && !strstr(list, "c 4:"));
		hk_device_rule more[] = {
		    deny, {.allow = true, .type = 'c', .major = 4, .minor = 1, .access = "rw"}};
		CHECK_OK(hk_cgroup_set_devices(cg, more, 2, NULL, 0, &e), e);
		free(list);
		list = NULL;
		CHECK(hk_read_file(lp, &list, NULL, &e) == 0);
		CHECK(list && strstr(list, "c 4:1 rw"));
	}
	CHECK(hk_cgv2_weight_from_shares(2) == 1);
	CHECK(hk_cgv2_weight_from_shares(1024) == 39);
	CHECK(hk_cgv2_weight_from_shares(262144) == 10000);
	CHECK(hk_cgroup_destroy(cg, &e) == 0);
	CHECK(gone(cdir));
	CHECK(gone(ddir));
	CHECK(gone(sdir));
	*strrchr(sdir, '/') = '\0';
	CHECK(gone(sdir));
	hk_cgroup_free(cg);
}

TEST(swap_conversion)
{
	long long out = 7;
	hk_err e;
	CHECK(hk_cgv2_swap(0, -1, &out, &e) == 0 && out == -1);
	CHECK(hk_cgv2_swap(-1, 100, &out, &e) == 0 && out == -1);
	CHECK(hk_cgv2_swap(300, 100, &out, &e) == 0 && out == 200);
	CHECK(hk_cgv2_swap(100, 100, &out, &e) == 0 && out == 0);
	CHECK(hk_cgv2_swap(50, 100, &out, &e) == -EINVAL);
	CHECK(hk_cgv2_swap(50, 0, &out, &e) == -EINVAL);
}

/* load() sees only the leaf as husk's: the parent it did not "create"
 * survives the loaded handle's destroy. */
TEST(load_then_destroy)
{
	_cleanup_free_ char *name = unit_name(), *sub = NULL;
	CHECK(asprintf(&sub, "%s/leaf", name) > 0);
	hk_resources res = limits();
	hk_cgroup *cg = NULL, *again = NULL;
	hk_err e;
	CHECK(hk_cgroup_create(sub, "x", &res, &cg, &e) == 0);
	if (!cg)
		return;
	struct waiter w = spawn(NULL);
	CHECK(hk_cgroup_enter(cg, w.pid, &e) == 0);
	CHECK(hk_cgroup_load(hk_cgroup_path(cg), &again, &e) == 0);
	CHECK_STREQ(hk_cgroup_path(again), hk_cgroup_path(cg));
	pid_t *pids = NULL;
	size_t n = 0;
	CHECK(hk_cgroup_pids(again, &pids, &n, &e) == 0 && n == 1 && pids[0] == w.pid);
	free(pids);
	_cleanup_free_ char *mpath = expected(layout == HK_CGROUP_V2 ? NULL : "memory", sub);
	_cleanup_free_ char *mdir = dir_of("memory", mpath);
	_cleanup_free_ char *parent = strdup(mdir);
	*strrchr(parent, '/') = '\0';
	CHECK(hk_cgroup_destroy(again, &e) == 0);
	int st = tu_wait(w.pid);
	CHECK(WIFSIGNALED(st));
	close(w.fd);
	CHECK(gone(mdir));
	CHECK(!gone(parent));
	hk_cgroup_free(again);
	/* a sibling made by someone else keeps the shared parent alive */
	_cleanup_free_ char *sib = NULL;
	CHECK(asprintf(&sib, "%s/sibling", parent) > 0);
	CHECK(mkdir(sib, 0755) == 0);
	CHECK(hk_cgroup_destroy(cg, &e) == 0);
	CHECK(gone(mdir) && !gone(sib) && !gone(parent));
	CHECK(rmdir(sib) == 0 && rmdir(parent) == 0);
	hk_cgroup_free(cg);
	CHECK(hk_cgroup_load(hk_cgroup_path(NULL), &again, &e) == 0);
	CHECK(hk_cgroup_path(again) == NULL);
	hk_cgroup_free(again);
}

static int unprivileged(void)
{
	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		return 10;
	hk_cgroup *cg = NULL;
	hk_err e;
	char name[64];
	snprintf(name, sizeof(name), "husk-unit-%d-nobody", (int)getppid());
	if (hk_cgroup_create(name, "x", NULL, &cg, &e) < 0)
		return 11;
	if (hk_cgroup_path(cg) != NULL || hk_cgroup_clone_fd(cg) != -1)
		return 12;
	if (hk_cgroup_enter(cg, getpid(), &e) < 0 || hk_cgroup_destroy(cg, &e) < 0)
		return 13;
	hk_cgroup_free(cg);
	hk_resources res = limits();
	if (hk_cgroup_create(name, "x", &res, &cg, &e) != -EACCES)
		return 14;
	/* says which field, which directory, whose, and what to do */
	if (!strstr(e.msg, "linux.resources.memory.limit: cannot create cgroup /sys/fs/cgroup/") ||
	    !strstr(e.msg, name) || !strstr(e.msg, "delegated to user nobody (uid 65534)") ||
	    !strstr(e.msg, "chown it to you") || strchr(e.msg, '\n'))
		return 15;
	res.memory.has_limit = false;
	if (hk_cgroup_create(name, "x", &res, &cg, &e) != -EACCES ||
	    !strstr(e.msg, "linux.resources.pids.limit: cannot create cgroup"))
		return 16;
	return 0;
}

TEST(unprivileged_noop)
{
	struct waiter w = spawn(unprivileged);
	go(&w);
	int st = tu_wait(w.pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, "  child status %d\n", WEXITSTATUS(st));
}

/* The cgroups delegated to nobody: v1: husk-unit-PID-deleg below our own in
 * the memory and pids hierarchies; v2: D = that name beside our own, with
 * D/shell to run in.  N_DIRS dirs in DIRS, to enter (v2: D/shell) and to
 * remove (in reverse). */
struct deleg {
	char *dirs[3];
	size_t n;
};

static int chown_deleg(const char *dir, const char *const *files)
{
	int r = chown(dir, 65534, 65534);
	for (; r == 0 && *files; files++) {
		_cleanup_free_ char *f = NULL;
		if (asprintf(&f, "%s/%s", dir, *files) < 0)
			return -1;
		r = chown(f, 65534, 65534);
	}
	return r;
}

static int delegate(struct deleg *d)
{
	_cleanup_free_ char *name = NULL;
	hk_err e;
	if (asprintf(&name, "husk-unit-%d-deleg", (int)getpid()) < 0)
		return -1;
	if (layout == HK_CGROUP_V2) {
		_cleanup_free_ char *path = expected(NULL, name);
		static const char *const files[] = {"cgroup.procs", "cgroup.threads",
		                                    "cgroup.subtree_control", NULL};
		static const char *const shell_files[] = {"cgroup.procs", "cgroup.threads", NULL};
		d->dirs[0] = dir_of(NULL, path);
		if (mkdir(d->dirs[0], 0755) < 0)
			return -1;
		d->n = 1;
		asprintf(&d->dirs[1], "%s/shell", d->dirs[0]);
		_cleanup_free_ char *sc = NULL;
		asprintf(&sc, "%s/cgroup.subtree_control", d->dirs[0]);
		if (hk_write_file(sc, "+memory +pids", &e) < 0 || mkdir(d->dirs[1], 0755) < 0)
			return -1;
		d->n = 2;
		return chown_deleg(d->dirs[0], files) == 0 &&
		               chown_deleg(d->dirs[1], shell_files) == 0
		           ? 0
		           : -1;
	}
	static const char *const ctrls[] = {"memory", "pids"};
	static const char *const files[] = {"cgroup.procs", "tasks", NULL};
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *path = expected(ctrls[i], name);
		d->dirs[i] = dir_of(ctrls[i], path);
		if (mkdir(d->dirs[i], 0755) < 0)
			return -1;
		d->n = i + 1;
		if (chown_deleg(d->dirs[i], files) < 0)
			return -1;
	}
	return 0;
}

static struct deleg deleg;

/* As nobody, in the delegated cgroup: limits apply; devices are left out. */
static int delegated_child(void)
{
	hk_err e;
	char pid[32];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (size_t i = layout == HK_CGROUP_V2 ? 1 : 0; i < deleg.n; i++) {
		_cleanup_free_ char *f = NULL;
		asprintf(&f, "%s/cgroup.procs", deleg.dirs[i]);
		if (hk_write_file(f, pid, &e) < 0)
			return 20;
	}
	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		return 21;
	hk_resources res = limits();
	hk_cgroup *cg = NULL;
	if (hk_cgroup_create("husk-x", "x", &res, &cg, &e) < 0) {
		fprintf(stderr, "  %s\n", e.msg);
		return 22;
	}
	const char *path = hk_cgroup_path(cg);
	if (!path || (layout != HK_CGROUP_V2 && (strstr(path, "devices") || cg->n_h != 2)))
		return 23;
	_cleanup_free_ char *leaf = NULL;
	asprintf(&leaf, "%s/husk-x", deleg.dirs[0]); /* v1: the memory hierarchy's */
	long long lim =
	    read_num(leaf, layout == HK_CGROUP_V2 ? "memory.max" : "memory.limit_in_bytes");
	if (lim != 32 * MiB)
		return 24;
	struct waiter w = spawn(NULL);
	if (hk_cgroup_enter(cg, w.pid, &e) < 0) {
		fprintf(stderr, "  %s\n", e.msg);
		return 25;
	}
	if (hk_cgroup_destroy(cg, &e) < 0)
		return 26;
	int st = tu_wait(w.pid);
	close(w.fd);
	hk_cgroup_free(cg);
	return WIFSIGNALED(st) && gone(leaf) ? 0 : 27;
}

TEST(unprivileged_delegated)
{
	int r = delegate(&deleg);
	CHECK(r == 0);
	if (r == 0) {
		struct waiter w = spawn(delegated_child);
		go(&w);
		int st = tu_wait(w.pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fprintf(stderr, "  child status %d\n", WEXITSTATUS(st));
	}
	for (size_t i = deleg.n; i > 0; i--) {
		CHECK(rmdir(deleg.dirs[i - 1]) == 0);
		free(deleg.dirs[i - 1]);
	}
}

TEST(asked_field)
{
	hk_resources r = {0};
	CHECK(hk_cg_asked_field(&r, NULL) == NULL);
	r.pids.has_limit = true;
	r.pids.limit = 5;
	CHECK_STREQ(hk_cg_asked_field(&r, NULL), "pids.limit");
	CHECK(hk_cg_asked_field(&r, "memory") == NULL);
	CHECK_STREQ(hk_cg_asked_field(&r, "pids"), "pids.limit");
	r.memory.has_limit = true;
	r.memory.limit = -1; /* unlimited asks for nothing */
	CHECK(hk_cg_asked_field(&r, "memory") == NULL);
	r.memory.limit = MiB;
	CHECK_STREQ(hk_cg_asked_field(&r, NULL), "memory.limit");
	CHECK(hk_cg_asked_field(&r, "devices") == NULL);
	r.cpu.has_shares = true;
	r.cpu.shares = 512;
	CHECK_STREQ(hk_cg_asked_field(&r, "cpu,cpuacct"), "cpu.shares");
}

int main(void)
{
	RUN(layout_detected);
	RUN(create_enter_destroy);
	RUN(oom_killed);
	RUN(pids_max_enforced);
	RUN(bad_paths_refused);
	RUN(bad_value_refused);
	RUN(missing_file_named);
	RUN(missing_file_real);
	RUN(cpu_and_devices);
	RUN(swap_conversion);
	RUN(load_then_destroy);
	RUN(unprivileged_noop);
	RUN(unprivileged_delegated);
	RUN(asked_field);
	return check_summary();
}
