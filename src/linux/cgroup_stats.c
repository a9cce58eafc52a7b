/* cgroup_stats.c - a cgroup's resource usage for `events`: memory (with
 * swap and memory.stat), cpu time and throttling, pids and OOM kills, read
 * from the v1 hierarchies or the v2 files, in runc's units (bytes, ns). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* The number in FILE (0 when missing; UINT64_MAX for "max"). */
static uint64_t num(int dirfd, const char *file)
{
	_cleanup_free_ char *s = NULL;
	hk_err e;
	if (dirfd < 0 || hk_read_file_at(dirfd, file, &s, NULL, &e) < 0)
		return 0;
	if (!strncmp(s, "max", 3))
		return UINT64_MAX;
	return strtoull(s, NULL, 10);
}

static bool exists(int dirfd, const char *file)
{
	return dirfd >= 0 && faccessat(dirfd, file, F_OK, 0) == 0;
}

/* KEY's value in the "key value" file FILE (0 when missing). */
static uint64_t key(int dirfd, const char *file, const char *k)
{
	if (dirfd < 0)
		return 0;
	long long v = hk_cg_read_key(dirfd, file, k);
	return v < 0 ? 0 : (uint64_t)v;
}

/* memory.stat into OUT->memory.raw. */
static int read_raw(int dirfd, hk_cg_stats *out, hk_err *err)
{
	_cleanup_free_ char *s = NULL;
	hk_err e;
	if (dirfd < 0 || hk_read_file_at(dirfd, "memory.stat", &s, NULL, &e) < 0)
		return 0;
	for (char *line = s, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		hk_cg_stat_kv *n =
		    realloc(out->memory.raw, (out->memory.n_raw + 1) * sizeof(*out->memory.raw));
		if (!n)
			return hk_err_set(err, ENOMEM, "memory.stat");
		out->memory.raw = n;
		if (!(n[out->memory.n_raw].key = strdup(line)))
			return hk_err_set(err, ENOMEM, "memory.stat");
		n[out->memory.n_raw++].value = strtoull(sp + 1, NULL, 10);
	}
	return 0;
}

static uint64_t raw(const hk_cg_stats *s, const char *k)
{
	for (size_t i = 0; i < s->memory.n_raw; i++)
		if (!strcmp(s->memory.raw[i].key, k))
			return s->memory.raw[i].value;
	return 0;
}

static int fd_of(hk_cgroup *cg, const char *ctrl)
{
	struct hk_cg_hier *h = hk_cg_find(cg, ctrl);
	return h ? h->fd : -1;
}

static int stats_v1(hk_cgroup *cg, hk_cg_stats *o, hk_err *err)
{
	int m = fd_of(cg, "memory");
	o->memory.usage.usage = num(m, "memory.usage_in_bytes");
	o->memory.usage.max = num(m, "memory.max_usage_in_bytes");
	o->memory.usage.limit = num(m, "memory.limit_in_bytes");
	o->memory.usage.failcnt = num(m, "memory.failcnt");
	if ((o->memory.has_swap = exists(m, "memory.memsw.usage_in_bytes"))) {
		o->memory.swap.usage = num(m, "memory.memsw.usage_in_bytes");
		o->memory.swap.max = num(m, "memory.memsw.max_usage_in_bytes");
		o->memory.swap.limit = num(m, "memory.memsw.limit_in_bytes");
		o->memory.swap.failcnt = num(m, "memory.memsw.failcnt");
	}
	o->memory.oom_kill = key(m, "memory.oom_control", "oom_kill");
	int r = read_raw(m, o, err);
	o->memory.cache = raw(o, "cache");

	int acct = fd_of(cg, "cpuacct");
	long tck = sysconf(_SC_CLK_TCK);
	uint64_t ns_per_tick = tck > 0 ? 1000000000ULL / (uint64_t)tck : 10000000ULL;
	o->cpu.total = num(acct, "cpuacct.usage");
	o->cpu.user = key(acct, "cpuacct.stat", "user") * ns_per_tick;
	o->cpu.kernel = key(acct, "cpuacct.stat", "system") * ns_per_tick;
	int c = fd_of(cg, "cpu");
	o->cpu.periods = key(c, "cpu.stat", "nr_periods");
	o->cpu.throttled_periods = key(c, "cpu.stat", "nr_throttled");
	o->cpu.throttled_time = key(c, "cpu.stat", "throttled_time");

	int p = fd_of(cg, "pids");
	o->pids.current = num(p, "pids.current");
	o->pids.limit = num(p, "pids.max");
	return r;
}

static int stats_v2(hk_cgroup *cg, hk_cg_stats *o, hk_err *err)
{
	int fd = cg->h[0].fd;
	o->memory.usage.usage = num(fd, "memory.current");
	o->memory.usage.max = num(fd, "memory.peak");
	o->memory.usage.limit = num(fd, "memory.max");
	o->memory.usage.failcnt = key(fd, "memory.events", "max");
	if ((o->memory.has_swap = exists(fd, "memory.swap.current"))) {
		/* as runc: memory + swap, the v1 meaning */
		uint64_t lim = num(fd, "memory.swap.max"), mlim = o->memory.usage.limit;
		o->memory.swap.usage = num(fd, "memory.swap.current") + o->memory.usage.usage;
		o->memory.swap.limit =
		    lim == UINT64_MAX || mlim == UINT64_MAX ? UINT64_MAX : lim + mlim;
		o->memory.swap.failcnt = key(fd, "memory.swap.events", "max");
	}
	o->memory.oom = key(fd, "memory.events", "oom");
	o->memory.oom_kill = key(fd, "memory.events", "oom_kill");
	int r = read_raw(fd, o, err);
	o->memory.cache = raw(o, "file");

	o->cpu.total = key(fd, "cpu.stat", "usage_usec") * 1000;
	o->cpu.user = key(fd, "cpu.stat", "user_usec") * 1000;
	o->cpu.kernel = key(fd, "cpu.stat", "system_usec") * 1000;
	o->cpu.periods = key(fd, "cpu.stat", "nr_periods");
	o->cpu.throttled_periods = key(fd, "cpu.stat", "nr_throttled");
	o->cpu.throttled_time = key(fd, "cpu.stat", "throttled_usec") * 1000;

	o->pids.current = num(fd, "pids.current");
	o->pids.limit = num(fd, "pids.max");
	return r;
}

int hk_cgroup_stats(hk_cgroup *cg, hk_cg_stats *out, hk_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!cg || cg->n_h == 0)
		return hk_err_plain(err, ENOENT,
		                    "the container has no cgroup to read statistics from (as an "
		                    "ordinary user, husk makes one only where a cgroup is "
		                    "delegated to you)");
	int r = cg->layout == HK_CGROUP_V2 ? stats_v2(cg, out, err) : stats_v1(cg, out, err);
	if (out->pids.limit == UINT64_MAX)
		out->pids.limit = 0; /* "max": none, as runc reports it */
	if (r < 0)
		hk_cgroup_stats_free(out);
	return r;
}

void hk_cgroup_stats_free(hk_cg_stats *s)
{
	for (size_t i = 0; s && i < s->memory.n_raw; i++)
		free(s->memory.raw[i].key);
	if (s) {
		free(s->memory.raw);
		s->memory.raw = NULL;
		s->memory.n_raw = 0;
	}
}

long long hk_cgroup_oom_kills(hk_cgroup *cg)
{
	if (!cg || cg->n_h == 0)
		return -1;
	if (cg->layout == HK_CGROUP_V2)
		return hk_cg_read_key(cg->h[0].fd, "memory.events", "oom_kill");
	int m = fd_of(cg, "memory");
	return m < 0 ? -1 : hk_cg_read_key(m, "memory.oom_control", "oom_kill");
}
