/* cgroup_ctl.c - acting on a container's existing cgroup: freezing and
 * thawing it (pause/resume) and changing its resources (update).  The
 * resource files are written by the same code as at creation (cgroup_v1.c,
 * cgroup_v2.c, cgroup_io.c, cgroup_misc.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* How long a freeze may take: a busy or emulated machine is slow. */
#define FREEZE_TIMEOUT_MS 10000

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool no_cgroup(const hk_cgroup *cg)
{
	return !cg || cg->n_h == 0;
}

/* ---- freezing ---- */

/* FILE's first word below DIRFD into BUF ("" when unreadable). */
static void read_word(int dirfd, const char *file, char *buf, size_t len)
{
	_cleanup_free_ char *s = NULL;
	hk_err e;
	buf[0] = '\0';
	if (hk_read_file_at(dirfd, file, &s, NULL, &e) < 0)
		return;
	snprintf(buf, len, "%.*s", (int)strcspn(s, " \t\n"), s);
}

static int no_freezer(const hk_cgroup *cg, hk_err *err)
{
	if (cg->rootless)
		return hk_err_plain(err, ENOENT,
		                    "no freezer cgroup: the container's cgroup has no directory "
		                    "in the freezer hierarchy (none is delegated to uid %u); ask "
		                    "an admin to delegate a cgroup in the freezer hierarchy "
		                    "(chown it to you) and create the container in it",
		                    (unsigned)geteuid());
	return hk_err_plain(err, ENOENT,
	                    "no freezer cgroup: the freezer hierarchy is not mounted (or was "
	                    "not when the container was created)");
}

static int freeze_v1(hk_cgroup *cg, bool frozen, hk_err *err)
{
	struct hk_cg_hier *h = hk_cg_find(cg, "freezer");
	if (!h)
		return no_freezer(cg, err);
	const char *want = frozen ? "FROZEN" : "THAWED";
	const long long deadline = now_ms() + FREEZE_TIMEOUT_MS;
	char state[32];
	for (int i = 0;; i++) {
		/* While processes keep appearing (fork, exec) a v1 freeze can
		 * stay FREEZING: thawing now and then gives it a new chance
		 * (what runc does too). */
		if (frozen && i % 50 == 49) {
			hk_err e;
			hk_write_file_at(h->fd, "freezer.state", "THAWED", 6, 0, &e);
			usleep(10000);
		}
		int r = hk_write_file_at(h->fd, "freezer.state", want, strlen(want), 0, err);
		if (r < 0)
			return hk_err_wrap(err, "%s cgroup %s%s", frozen ? "freeze" : "thaw",
			                   h->mount, h->path);
		if (i % 25 == 24)
			usleep(1000);
		read_word(h->fd, "freezer.state", state, sizeof(state));
		if (!strcmp(state, want))
			return 0;
		if (strcmp(state, "FREEZING") != 0 && (frozen || strcmp(state, "FROZEN") != 0))
			return hk_err_plain(err, EIO, "unexpected freezer state \"%s\" in %s%s",
			                    state, h->mount, h->path);
		if (now_ms() > deadline) {
			if (frozen) {
				hk_err e;
				hk_write_file_at(h->fd, "freezer.state", "THAWED", 6, 0, &e);
			}
			return hk_err_plain(err, EBUSY, "unable to %s cgroup %s%s (still %s)",
			                    frozen ? "freeze" : "thaw", h->mount, h->path, state);
		}
		if (i >= 100)
			usleep(1000);
	}
}

static int freeze_v2(hk_cgroup *cg, bool frozen, hk_err *err)
{
	struct hk_cg_hier *h = &cg->h[0];
	int r = hk_write_file_at(h->fd, "cgroup.freeze", frozen ? "1" : "0", 1, 0, err);
	if (r == -ENOENT)
		return hk_err_plain(err, ENOENT,
		                    "cgroup %s%s has no cgroup.freeze (the kernel's cgroup v2 "
		                    "freezer needs Linux 5.2)",
		                    h->mount, h->path);
	if (r < 0)
		return hk_err_wrap(err, "%s cgroup %s%s", frozen ? "freeze" : "thaw", h->mount,
		                   h->path);
	const long long deadline = now_ms() + FREEZE_TIMEOUT_MS;
	for (int i = 0;; i++) {
		long long v = hk_cg_read_key(h->fd, "cgroup.events", "frozen");
		if (v < 0 || v == (frozen ? 1 : 0))
			return 0; /* no cgroup.events: nothing to wait for */
		if (now_ms() > deadline)
			break;
		usleep(i < 100 ? 1000 : 10000);
	}
	if (frozen) {
		hk_err e;
		hk_write_file_at(h->fd, "cgroup.freeze", "0", 1, 0, &e);
	}
	return hk_err_plain(err, EBUSY, "unable to %s cgroup %s%s within %d s",
	                    frozen ? "freeze" : "thaw", h->mount, h->path,
	                    FREEZE_TIMEOUT_MS / 1000);
}

int hk_cgroup_freeze(hk_cgroup *cg, bool frozen, hk_err *err)
{
	if (no_cgroup(cg))
		return hk_err_plain(err, ENOENT,
		                    "the container has no cgroup to %s (as an ordinary user, "
		                    "husk makes one only where a cgroup is delegated to you)",
		                    frozen ? "freeze" : "thaw");
	return cg->layout == HK_CGROUP_V2 ? freeze_v2(cg, frozen, err) : freeze_v1(cg, frozen, err);
}

bool hk_cgroup_frozen(hk_cgroup *cg)
{
	if (no_cgroup(cg))
		return false;
	if (cg->layout == HK_CGROUP_V2) {
		unsigned long long v = 0;
		return hk_read_u64_at(cg->h[0].fd, "cgroup.freeze", &v) == 0 && v == 1;
	}
	struct hk_cg_hier *h = hk_cg_find(cg, "freezer");
	char state[32];
	if (!h)
		return false;
	read_word(h->fd, "freezer.state", state, sizeof(state));
	return !strcmp(state, "FROZEN") || !strcmp(state, "FREEZING");
}

/* ---- update ---- */

int hk_cgv2_enable_up(const char *mount, const char *dir, const hk_resources *res, hk_err *err)
{
	size_t ml = strlen(mount);
	if (strlen(dir) <= ml)
		return 0;
	_cleanup_free_ char *parent = strdup(dir);
	if (!parent)
		return hk_err_set(err, ENOMEM, "cgroup");
	*strrchr(parent, '/') = '\0';
	if (strlen(parent) < ml)
		return 0;
	int r = hk_cgv2_enable(parent, res, err);
	if (r == -ENOENT && strlen(parent) > ml) {
		/* not available in PARENT: its own parent must enable it first */
		r = hk_cgv2_enable_up(mount, parent, res, err);
		if (r == 0)
			r = hk_cgv2_enable(parent, res, err);
	}
	return r;
}

/* What is a no-op for runc's update: 0 means "leave as is" for the memory
 * limits, shares, quota, period, pids, the realtime values, blkio weights
 * and the net_cls class (runc writes each only when non-zero); burst and
 * idle are pointers in runc's config, so 0 sets 0, and the device lists
 * (throttling, hugepages, rdma, priorities) are written as given (a
 * throttle rate of 0 removes that limit). */
static void drop_zeros(hk_resources *r)
{
	__typeof__(r->memory) *m = &r->memory;
	__typeof__(r->cpu) *c = &r->cpu;
	m->has_limit &= m->limit != 0;
	m->has_reservation &= m->reservation != 0;
	m->has_swap &= m->swap != 0;
	m->has_kernel &= m->kernel != 0;
	m->has_kernel_tcp &= m->kernel_tcp != 0;
	/* unlimited memory and swap not given: both unlimited (runc) */
	if (m->has_limit && m->limit == -1 && !m->has_swap) {
		m->has_swap = true;
		m->swap = -1;
	}
	c->has_shares &= c->shares != 0;
	c->has_quota &= c->quota != 0;
	c->has_period &= c->period != 0;
	c->has_realtime_runtime &= c->realtime_runtime != 0;
	c->has_realtime_period &= c->realtime_period != 0;
	r->pids.has_limit &= r->pids.limit != 0;
	if (c->cpus && !*c->cpus)
		c->cpus = NULL;
	if (c->mems && !*c->mems)
		c->mems = NULL;
	r->block_io.has_weight &= r->block_io.weight != 0;
	r->block_io.has_leaf_weight &= r->block_io.leaf_weight != 0;
	r->network.has_class_id &= r->network.class_id != 0;
	r->devices = NULL; /* update never changes device rules (runc) */
	r->n_devices = 0;
}

static bool sets_anything(const hk_resources *r)
{
	struct hk_cg_field f[HK_CG_MAX_FIELDS];
	return hk_cg_fields(r, f) > 0 || r->n_unified > 0;
}

/* A number in FILE below DIRFD; false for "max", garbage or a missing file. */
static bool read_limit(int dirfd, const char *file, long long *out)
{
	_cleanup_free_ char *s = NULL;
	hk_err e;
	if (dirfd < 0 || hk_read_file_at(dirfd, file, &s, NULL, &e) < 0)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0)
		return false;
	*out = v;
	return true;
}

/* Values the kernel needs together with the ones asked: the current memory
 * limit for a swap limit, the current quota for a v2 period. */
static void complete(hk_cgroup *cg, hk_resources *r)
{
	bool v2 = cg->layout == HK_CGROUP_V2;
	struct hk_cg_hier *mh = v2 ? &cg->h[0] : hk_cg_find(cg, "memory");
	long long v;
	if (r->memory.has_swap && r->memory.swap > 0 && !r->memory.has_limit && mh &&
	    read_limit(mh->fd, v2 ? "memory.max" : "memory.limit_in_bytes", &v) &&
	    v < (1LL << 62)) {
		r->memory.has_limit = true;
		r->memory.limit = v;
	}
	if (v2 && r->cpu.has_period && !r->cpu.has_quota &&
	    read_limit(cg->h[0].fd, "cpu.max", &v)) {
		r->cpu.has_quota = true;
		r->cpu.quota = v;
	}
}

/* A cpuset list: "0-3,5", numbers and ranges separated by commas. */
static bool cpuset_list(const char *s)
{
	for (;;) {
		if (*s < '0' || *s > '9')
			return false;
		char *end;
		unsigned long a = strtoul(s, &end, 10), b;
		s = end;
		if (*s == '-') {
			if (s[1] < '0' || s[1] > '9')
				return false;
			b = strtoul(s + 1, &end, 10);
			if (b < a)
				return false;
			s = end;
		}
		if (*s == '\n' && !s[1])
			return true;
		if (!*s)
			return true;
		if (*s++ != ',')
			return false;
	}
}

/* Checks made before anything is written, so that a refused update
 * changes nothing. */
/* v1: a field that asks something of a hierarchy the container was not
 * put in (net_cls, net_prio, hugetlb and rdma are joined only when the
 * config sets one of their fields at creation) while the host has it. */
static int not_joined(hk_cgroup *cg, const hk_resources *r, hk_err *err)
{
	struct hk_cg_field f[HK_CG_MAX_FIELDS];
	size_t n = hk_cg_fields(r, f);
	struct hk_cg_mnt *m = NULL;
	size_t nm = 0;
	hk_err e;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!f[i].asks || hk_cg_find(cg, f[i].v1))
			continue;
		if (!m && hk_cg_mounts(cg->layout, &m, &nm, &e) < 0)
			break; /* the writes will say what is missing */
		for (size_t k = 0; rc == 0 && k < nm; k++)
			if (hk_cg_has_ctrl(m[k].ctrls, f[i].v1))
				rc = hk_err_plain(
				    err, ENOENT,
				    "linux.resources.%s: the container has no %s cgroup (it was "
				    "created without one: husk joins the net_cls, net_prio, "
				    "hugetlb and rdma hierarchies only for a config that sets "
				    "one of their fields)",
				    f[i].name, f[i].v1);
	}
	hk_cg_mounts_free(m, nm);
	return rc;
}

/* Checks made before anything is written, so that a refused update
 * changes nothing.  (A file the kernel lacks is found only when written:
 * the fields before it are then changed, as with runc.) */
static int validate(hk_cgroup *cg, const hk_resources *r, hk_err *err)
{
	const __typeof__(r->memory) *m = &r->memory;
	int rc = hk_cg_validate(r, cg->layout, err);
	if (rc < 0)
		return rc;
	if (m->has_swap && m->swap > 0 && m->has_limit && m->limit > 0 && m->swap < m->limit)
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.memory.swap: memory+swap limit (%lld) should "
		                    "be >= memory limit (%lld)",
		                    (long long)m->swap, (long long)m->limit);
	if (cg->layout == HK_CGROUP_V2 && (m->has_swap || (m->has_limit && m->limit == -1))) {
		long long out;
		rc =
		    hk_cgv2_swap(m->has_swap ? m->swap : 0, m->has_limit ? m->limit : 0, &out, err);
		if (rc < 0)
			return rc;
	}
	if (r->cpu.cpus && !cpuset_list(r->cpu.cpus))
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.cpu.cpus: \"%s\" is not a list "
		                    "of CPUs (such as 0-2,4)",
		                    r->cpu.cpus);
	if (r->cpu.mems && !cpuset_list(r->cpu.mems))
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.cpu.mems: \"%s\" is not a list "
		                    "of memory nodes (such as 0-1)",
		                    r->cpu.mems);
	if (cg->layout != HK_CGROUP_V2 && !cg->rootless && (rc = not_joined(cg, r, err)) < 0)
		return rc;
	return 0;
}

int hk_cgroup_update(hk_cgroup *cg, const hk_resources *in, hk_err *err)
{
	int r;
	hk_resources res = *in; /* shallow: only flags are changed */
	drop_zeros(&res);
	if (!sets_anything(&res))
		return 0;
	if (no_cgroup(cg))
		return hk_err_plain(err, ENOENT,
		                    "cannot update resources: the container has no cgroup (as an "
		                    "ordinary user, husk makes one only where a cgroup is "
		                    "delegated to you)");
	/* checkBeforeUpdate: on the limits asked, not those complete() adds */
	if ((r = hk_cg_check_usage(cg, &res, err)) < 0)
		return r;
	complete(cg, &res);
	if ((r = validate(cg, &res, err)) < 0)
		return r;
	if (cg->layout != HK_CGROUP_V2)
		return hk_cgv1_update(cg, &res, err);
	struct hk_cg_hier *h = &cg->h[0];
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return hk_err_set(err, ENOMEM, "cgroup");
	if ((r = hk_cgv2_enable_up(h->mount, dir, &res, err)) < 0)
		return r;
	return hk_cgv2_apply(h->fd, &res, err);
}
