/* test_cgroup_ctl.c - acting on an existing cgroup on the real host (v1/
 * hybrid or pure v2): freezing and thawing (a counting child stops and goes
 * on; destroy kills a frozen one), update (limits read back from the files,
 * 0 changes nothing, refused values change nothing, bad values
 * named), stats (memory, pids, OOM kills).  Runs as root; every cgroup it
 * makes is named husk-unit-ctl-<pid>-N and removed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* A new cgroup with a 32 MiB memory and an 8 pids limit (NULL: failed). */
static hk_cgroup *new_cg(void)
{
	char name[64];
	snprintf(name, sizeof(name), "husk-unit-ctl-%d-%d", (int)getpid(), ++seq);
	hk_resources r = {0};
	r.memory.has_limit = true;
	r.memory.limit = 32 * MiB;
	r.pids.has_limit = true;
	r.pids.limit = 8;
	hk_cgroup *cg = NULL;
	hk_err e;
	CHECK_OK(hk_cgroup_create(name, "x", &r, &cg, &e), e);
	return cg;
}

static char *read_at(hk_cgroup *cg, const char *ctrl, const char *file)
{
	_cleanup_free_ char *d = cg_leaf(cg, ctrl), *p = NULL;
	char *s = NULL;
	hk_err e;
	if (!d || asprintf(&p, "%s/%s", d, file) < 0 || hk_read_file(p, &s, NULL, &e) < 0)
		return NULL;
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static bool file_is(hk_cgroup *cg, const char *ctrl, const char *file, const char *want)
{
	_cleanup_free_ char *s = read_at(cg, ctrl, file);
	if (!s || strcmp(s, want) != 0)
		fprintf(stderr, "  %s: \"%s\", expected \"%s\"\n", file, s ? s : "(none)", want);
	return s && !strcmp(s, want);
}

/* A child in CG that uses 1 MiB (EAT: 100 MiB), then counts in *COUNTER
 * (shared memory) until killed. */
static pid_t child_in(hk_cgroup *cg, volatile unsigned long *counter, bool eat)
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
		for (int i = 0; i < (eat ? 100 : 1); i++) {
			char *m = tu_map_anon(MiB, MAP_PRIVATE);
			if (m == MAP_FAILED)
				_exit(98);
			memset(m, 1, MiB);
		}
		for (;;)
			if (counter)
				(*counter)++;
	}
	close(p[0]);
	hk_err e;
	CHECK_OK(hk_cgroup_enter(cg, pid, &e), e);
	if (write(p[1], "x", 1) != 1)
		abort();
	close(p[1]);
	return pid;
}

TEST(freeze_thaw_destroy)
{
	CHECK(hk_cgroup_layout(&layout, &(hk_err){0}) == 0);
	volatile unsigned long *n = tu_map_anon(4096, MAP_SHARED);
	hk_cgroup *cg = new_cg();
	if (!cg || n == MAP_FAILED)
		return;
	if (layout != HK_CGROUP_V2)
		CHECK(strstr(hk_cgroup_path(cg), "freezer:") != NULL);
	pid_t pid = child_in(cg, n, false);
	hk_err e;
	while (*n == 0)
		usleep(1000);
	CHECK(!hk_cgroup_frozen(cg));
	CHECK_OK(hk_cgroup_freeze(cg, true, &e), e);
	CHECK(hk_cgroup_frozen(cg));
	unsigned long a = *n;
	usleep(200000);
	CHECK(*n == a);
	CHECK_OK(hk_cgroup_freeze(cg, false, &e), e);
	CHECK(!hk_cgroup_frozen(cg));
	usleep(200000);
	CHECK(*n > a);
	/* destroy kills a frozen cgroup's processes (v1: thawing it) */
	CHECK_OK(hk_cgroup_freeze(cg, true, &e), e);
	_cleanup_free_ char *dir = cg_leaf(cg, "freezer");
	CHECK_OK(hk_cgroup_destroy(cg, &e), e);
	int st = tu_wait(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	struct stat sb;
	CHECK(dir && stat(dir, &sb) < 0 && errno == ENOENT);
	hk_cgroup_free(cg);
	munmap((void *)n, 4096);
	/* a cgroup that does nothing cannot be frozen */
	hk_cgroup *none = NULL;
	CHECK(hk_cgroup_load(NULL, &none, &e) == 0);
	CHECK(hk_cgroup_freeze(none, true, &e) == -ENOENT && strstr(e.msg, "no cgroup"));
	CHECK(!hk_cgroup_frozen(none));
	hk_resources r = {0};
	r.pids.has_limit = true;
	r.pids.limit = 3;
	CHECK(hk_cgroup_update(none, &r, &e) == -ENOENT);
	hk_cgroup_free(none);
}

TEST(update_limits)
{
	hk_cgroup *cg = new_cg();
	if (!cg)
		return;
	bool v2 = layout == HK_CGROUP_V2;
	const char *mem = v2 ? "memory.max" : "memory.limit_in_bytes";
	hk_err e;
	hk_resources r = {0};
	r.memory.has_limit = true;
	r.memory.limit = 48 * MiB;
	r.pids.has_limit = true;
	r.pids.limit = 12;
	r.cpu.has_quota = true;
	r.cpu.quota = 30000;
	r.cpu.has_period = true;
	r.cpu.period = 100000;
	CHECK_OK(hk_cgroup_update(cg, &r, &e), e);
	CHECK(file_is(cg, "memory", mem, "50331648"));
	CHECK(file_is(cg, "pids", "pids.max", "12"));
	if (v2)
		CHECK(file_is(cg, "cpu", "cpu.max", "30000 100000"));
	else
		CHECK(file_is(cg, "cpu", "cpu.cfs_quota_us", "30000"));
	/* a period alone keeps the quota (v2 writes both in cpu.max) */
	hk_resources p = {0};
	p.cpu.has_period = true;
	p.cpu.period = 50000;
	CHECK_OK(hk_cgroup_update(cg, &p, &e), e);
	if (v2)
		CHECK(file_is(cg, "cpu", "cpu.max", "30000 50000"));
	else
		CHECK(file_is(cg, "cpu", "cpu.cfs_period_us", "50000"));
	/* 0 leaves values alone; refused values change nothing */
	hk_resources z = {0};
	z.memory.has_limit = z.pids.has_limit = true;
	CHECK_OK(hk_cgroup_update(cg, &z, &e), e);
	hk_resources bad = r;
	bad.pids.limit = 20;
	bad.memory.has_swap = true;
	bad.memory.swap = 16 * MiB; /* below the limit */
	CHECK(hk_cgroup_update(cg, &bad, &e) == -EINVAL);
	CHECK(strstr(e.msg, "linux.resources.memory.swap: ") == e.msg);
	bad.memory.has_swap = false;
	bad.cpu.cpus = "0-x";
	CHECK(hk_cgroup_update(cg, &bad, &e) == -EINVAL);
	CHECK(strstr(e.msg, "linux.resources.cpu.cpus: ") == e.msg);
	bad.cpu.cpus = NULL;
	bad.block_io.has_weight = true;
	bad.block_io.weight = 5000;
	CHECK(hk_cgroup_update(cg, &bad, &e) == -EINVAL);
	CHECK(strstr(e.msg, "linux.resources.blockIO.weight: 5000 is out of range") == e.msg);
	CHECK(file_is(cg, "memory", mem, "50331648"));
	CHECK(file_is(cg, "pids", "pids.max", "12"));
	/* -1: unlimited */
	hk_resources u = {0};
	u.pids.has_limit = true;
	u.pids.limit = -1;
	CHECK_OK(hk_cgroup_update(cg, &u, &e), e);
	CHECK(file_is(cg, "pids", "pids.max", "max"));
	CHECK_OK(hk_cgroup_destroy(cg, &e), e);
	hk_cgroup_free(cg);
}

TEST(stats_and_oom)
{
	hk_cgroup *cg = new_cg();
	if (!cg)
		return;
	hk_err e;
	pid_t pid = child_in(cg, NULL, false);
	hk_cg_stats s;
	usleep(100000);
	CHECK(hk_cgroup_oom_kills(cg) == 0);
	if (CHECK_OK(hk_cgroup_stats(cg, &s, &e), e) == 0) {
		CHECK(s.memory.usage.usage > 0);
		CHECK(s.memory.usage.limit == 32 * MiB);
		CHECK(s.pids.current == 1 && s.pids.limit == 8);
		CHECK(s.cpu.total > 0);
		CHECK(s.memory.n_raw > 5 && s.memory.raw[0].key);
		CHECK(s.memory.oom_kill == 0);
		hk_cgroup_stats_free(&s);
	}
	kill(pid, SIGKILL);
	tu_wait(pid);
	/* no swap to escape to: swap limit = memory limit where there is one */
	hk_resources r = {0};
	r.memory.has_swap = true;
	r.memory.swap = 32 * MiB;
	if (hk_cgroup_update(cg, &r, &e) < 0)
		CHECK(strstr(e.msg, "swap") != NULL);
	pid = child_in(cg, NULL, true);
	int st = tu_wait(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(hk_cgroup_oom_kills(cg) >= 1);
	if (CHECK_OK(hk_cgroup_stats(cg, &s, &e), e) == 0) {
		CHECK(s.memory.oom_kill >= 1);
		CHECK(s.pids.current == 0);
		hk_cgroup_stats_free(&s);
	}
	CHECK_OK(hk_cgroup_destroy(cg, &e), e);
	hk_cgroup_free(cg);
}

int main(void)
{
	RUN(freeze_thaw_destroy);
	RUN(update_limits);
	RUN(stats_and_oom);
	return check_summary();
}
