/* cgroup_stats.c - a cgroup's resource usage for `events`: memory (with
 * swap and memory.stat), cpu time and throttling, pids, OOM kills, block IO
 * and huge pages, read from the v1 hierarchies or the v2 files, in runc's
 * units (bytes, ns) and tables. */
#include <dirent.h>
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

/* ---- block IO ---- */

static int add_blkio(hk_cg_blkio_entry **e, size_t *n, uint64_t major, uint64_t minor,
                     const char *op, size_t oplen, uint64_t value, hk_err *err)
{
	hk_cg_blkio_entry *ne = realloc(*e, (*n + 1) * sizeof(**e));
	if (!ne)
		return hk_err_set(err, ENOMEM, "blkio statistics");
	*e = ne;
	ne[*n] = (hk_cg_blkio_entry){.major = major, .minor = minor, .value = value};
	snprintf(ne[*n].op, sizeof(ne[*n].op), "%.*s", (int)oplen, op);
	(*n)++;
	return 0;
}

/* The entries of a v1 blkio file: "MAJ:MIN [OP] VALUE" lines, the last
 * "Total N" left out (as runc).  None when the file is missing. */
static int read_blkio_v1(int dirfd, const char *file, hk_cg_blkio_entry **e, size_t *n, hk_err *err)
{
	_cleanup_free_ char *s = NULL;
	hk_err e2;
	*e = NULL;
	*n = 0;
	if (hk_read_file_at(dirfd, file, &s, NULL, &e2) < 0)
		return 0;
	for (char *line = s, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		unsigned long long major, minor, value;
		char op[16];
		int r = 0;
		if (sscanf(line, "%llu:%llu %15s %llu", &major, &minor, op, &value) == 4)
			r = add_blkio(e, n, major, minor, op, strlen(op), value, err);
		else if (sscanf(line, "%llu:%llu %llu", &major, &minor, &value) == 3)
			r = add_blkio(e, n, major, minor, "", 0, value, err);
		if (r < 0)
			return r; /* (the caller frees *E) */
	}
	return 0;
}

/* runc's order of v1 file sets: the first whose first file has entries is
 * used (BFQ with debug files, BFQ, CFQ, throttle recursive, throttle). */
static const struct blkio_file {
	const char *file;
	int table;
} bfq_debug[] = {{"blkio.bfq.sectors_recursive", HK_BLKIO_SECTORS},
                 {"blkio.bfq.io_service_time_recursive", HK_BLKIO_SERVICE_TIME},
                 {"blkio.bfq.io_wait_time_recursive", HK_BLKIO_WAIT_TIME},
                 {"blkio.bfq.io_merged_recursive", HK_BLKIO_MERGED},
                 {"blkio.bfq.io_queued_recursive", HK_BLKIO_QUEUED},
                 {"blkio.bfq.time_recursive", HK_BLKIO_TIME},
                 {"blkio.bfq.io_serviced_recursive", HK_BLKIO_SERVICED},
                 {"blkio.bfq.io_service_bytes_recursive", HK_BLKIO_SERVICE_BYTES},
                 {NULL, 0}},
  bfq[] = {{"blkio.bfq.io_serviced_recursive", HK_BLKIO_SERVICED},
           {"blkio.bfq.io_service_bytes_recursive", HK_BLKIO_SERVICE_BYTES},
           {NULL, 0}},
  cfq[] = {{"blkio.sectors_recursive", HK_BLKIO_SECTORS},
           {"blkio.io_service_time_recursive", HK_BLKIO_SERVICE_TIME},
           {"blkio.io_wait_time_recursive", HK_BLKIO_WAIT_TIME},
           {"blkio.io_merged_recursive", HK_BLKIO_MERGED},
           {"blkio.io_queued_recursive", HK_BLKIO_QUEUED},
           {"blkio.time_recursive", HK_BLKIO_TIME},
           {"blkio.io_serviced_recursive", HK_BLKIO_SERVICED},
           {"blkio.io_service_bytes_recursive", HK_BLKIO_SERVICE_BYTES},
           {NULL, 0}},
  throttle_rec[] = {{"blkio.throttle.io_serviced_recursive", HK_BLKIO_SERVICED},
                    {"blkio.throttle.io_service_bytes_recursive", HK_BLKIO_SERVICE_BYTES},
                    {NULL, 0}},
  throttle[] = {{"blkio.throttle.io_serviced", HK_BLKIO_SERVICED},
                {"blkio.throttle.io_service_bytes", HK_BLKIO_SERVICE_BYTES},
                {NULL, 0}};

static int blkio_v1(int dirfd, hk_cg_stats *o, hk_err *err)
{
	static const struct blkio_file *const sets[] = {bfq_debug, bfq, cfq, throttle_rec,
	                                                throttle};
	if (dirfd < 0)
		return 0;
	for (size_t s = 0; s < HK_ARRAY_SIZE(sets); s++) {
		for (const struct blkio_file *f = sets[s]; f->file; f++) {
			hk_cg_blkio_entry *e = NULL;
			size_t n = 0;
			int r = read_blkio_v1(dirfd, f->file, &e, &n, err);
			if (r < 0 || n == 0) {
				free(e);
				if (r < 0)
					return r;
				if (f == sets[s])
					break; /* not this set: the next */
				return 0;      /* runc stops there too */
			}
			free(o->blkio.e[f->table]);
			o->blkio.e[f->table] = e;
			o->blkio.n[f->table] = n;
			if (!f[1].file)
				return 0;
		}
	}
	return 0;
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N"
 * per device, mapped to v1's tables as runc does (the rest is left out). */
static int blkio_v2(int dirfd, hk_cg_stats *o, hk_err *err)
{
	static const struct {
		const char *key, *op;
		int table;
	} map[] = {{"rbytes", "Read", HK_BLKIO_SERVICE_BYTES},
	           {"wbytes", "Write", HK_BLKIO_SERVICE_BYTES},
	           {"rios", "Read", HK_BLKIO_SERVICED},
	           {"wios", "Write", HK_BLKIO_SERVICED}};
	_cleanup_free_ char *s = NULL;
	hk_err e2;
	if (dirfd < 0 || hk_read_file_at(dirfd, "io.stat", &s, NULL, &e2) < 0)
		return 0;
	for (char *line = s, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		unsigned long long major, minor;
		int used = 0;
		if (sscanf(line, "%llu:%llu%n", &major, &minor, &used) != 2)
			continue;
		char *save = NULL;
		for (char *kv = strtok_r(line + used, " ", &save); kv;
		     kv = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(kv, '=');
			if (!eq)
				continue;
			*eq = '\0';
			for (size_t i = 0; i < HK_ARRAY_SIZE(map); i++) {
				if (strcmp(kv, map[i].key) != 0)
					continue;
				int t = map[i].table;
				int r = add_blkio(&o->blkio.e[t], &o->blkio.n[t], major, minor,
				                  map[i].op, strlen(map[i].op),
				                  strtoull(eq + 1, NULL, 10), err);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

/* ---- huge pages ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The huge page sizes of the host in bytes (sorted), from the
 * hugepages-NkB directories of /sys/kernel/mm/hugepages. */
static size_t page_sizes(uint64_t *out, size_t max)
{
	_cleanup_dir_ DIR *d = opendir("/sys/kernel/mm/hugepages");
	size_t n = 0;
	for (struct dirent *de; d && n < max && (de = readdir(d));) {
		unsigned long long kb;
		char unit[3];
		if (sscanf(de->d_name, "hugepages-%llu%2s", &kb, unit) == 2 && !strcmp(unit, "kB"))
			out[n++] = (uint64_t)kb * 1024;
	}
	qsort(out, n, sizeof(*out), cmp_u64);
	return n;
}

static int hugetlb(int dirfd, bool v2, hk_cg_stats *o, hk_err *err)
{
	uint64_t sizes[16] = {0};
	size_t n = dirfd < 0 ? 0 : page_sizes(sizes, HK_ARRAY_SIZE(sizes));
	for (size_t i = 0; i < n; i++) {
		char name[16], f[64];
		hk_cg_page_size_name(sizes[i] / 1024, name, sizeof(name));
		snprintf(f, sizeof(f), "hugetlb.%s.%s", name, v2 ? "current" : "usage_in_bytes");
		if (!exists(dirfd, f))
			continue; /* the cgroup does not account them */
		hk_cg_hugetlb_entry *ne = realloc(o->hugetlb, (o->n_hugetlb + 1) * sizeof(*ne));
		if (!ne)
			return hk_err_set(err, ENOMEM, "hugetlb statistics");
		o->hugetlb = ne;
		ne += o->n_hugetlb++;
		memset(ne, 0, sizeof(*ne));
		snprintf(ne->size, sizeof(ne->size), "%s", name);
		ne->usage = num(dirfd, f);
		if (v2) {
			snprintf(f, sizeof(f), "hugetlb.%s.events", name);
			ne->failcnt = key(dirfd, f, "max");
			continue;
		}
		snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", name);
		ne->max = num(dirfd, f);
		snprintf(f, sizeof(f), "hugetlb.%s.failcnt", name);
		ne->failcnt = num(dirfd, f);
	}
	return 0;
}

/* ---- per layout ---- */

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
	if (r == 0)
		r = blkio_v1(fd_of(cg, "blkio"), o, err);
	if (r == 0)
		r = hugetlb(fd_of(cg, "hugetlb"), false, o, err);
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
	if (r == 0)
		r = blkio_v2(fd, o, err);
	if (r == 0)
		r = hugetlb(fd, true, o, err);
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
	if (!s)
		return;
	free(s->memory.raw);
	s->memory.raw = NULL;
	s->memory.n_raw = 0;
	for (size_t t = 0; t < HK_BLKIO_N_TABLES; t++) {
		free(s->blkio.e[t]);
		s->blkio.e[t] = NULL;
		s->blkio.n[t] = 0;
	}
	free(s->hugetlb);
	s->hugetlb = NULL;
	s->n_hugetlb = 0;
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
