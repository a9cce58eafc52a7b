/* cgroup_v1.c - resources on cgroup v1 (and hybrid) hosts: one directory
 * per hierarchy, the files of each controller, device rules, OOM status. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- which fields ask for something (shared with v2) ---- */

bool hk_cg_res_wants(const hk_resources *r)
{
	if (r->memory.has_limit && r->memory.limit > 0)
		return true;
	if (r->memory.has_reservation && r->memory.reservation > 0)
		return true;
	if (r->memory.has_swap && r->memory.swap > 0)
		return true;
	if (r->memory.has_swappiness)
		return true;
	if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
		return true;
	if (r->pids.has_limit && r->pids.limit > 0)
		return true;
	if ((r->cpu.has_shares && r->cpu.shares > 0) || (r->cpu.has_quota && r->cpu.quota > 0))
		return true;
	if ((r->cpu.cpus && *r->cpu.cpus) || (r->cpu.mems && *r->cpu.mems))
		return true;
	return r->n_unified > 0;
}

const char *hk_cg_asked_field(const hk_resources *r, const char *ctrls)
{
	const __typeof__(r->memory) *m = &r->memory;
	const __typeof__(r->cpu) *c = &r->cpu;
	if (!ctrls || hk_cg_has_ctrl(ctrls, "memory")) {
		if (m->has_limit && m->limit > 0)
			return "memory.limit";
		if (m->has_reservation && m->reservation > 0)
			return "memory.reservation";
		if (m->has_swap && m->swap > 0)
			return "memory.swap";
		if (m->has_swappiness)
			return "memory.swappiness";
		if (m->has_disable_oom_killer && m->disable_oom_killer)
			return "memory.disableOOMKiller";
	}
	if ((!ctrls || hk_cg_has_ctrl(ctrls, "pids")) && r->pids.has_limit && r->pids.limit > 0)
		return "pids.limit";
	if (!ctrls || hk_cg_has_ctrl(ctrls, "cpu")) {
		if (c->has_shares && c->shares > 0)
			return "cpu.shares";
		if (c->has_quota && c->quota > 0)
			return "cpu.quota";
	}
	if (!ctrls || hk_cg_has_ctrl(ctrls, "cpuset")) {
		if (c->cpus && *c->cpus)
			return "cpu.cpus";
		if (c->mems && *c->mems)
			return "cpu.mems";
	}
	if (!ctrls && r->n_unified > 0)
		return "unified";
	return NULL;
}

int hk_cg_check_unsupported(const hk_resources *r, hk_err *err)
{
	const struct {
		bool set;
		const char *field;
	} f[] = {
	    /* a zero asks for nothing (runc leaves the setting alone): engines
	     * send them (docker: blockIO.weight 0 in every container) */
	    {r->memory.has_kernel && r->memory.kernel != 0, "memory.kernel"},
	    {r->memory.has_kernel_tcp && r->memory.kernel_tcp != 0, "memory.kernelTCP"},
	    {r->memory.has_use_hierarchy && r->memory.use_hierarchy, "memory.useHierarchy"},
	    {r->memory.has_check_before_update && r->memory.check_before_update,
	     "memory.checkBeforeUpdate"},
	    {r->cpu.has_burst && r->cpu.burst != 0, "cpu.burst"},
	    {r->cpu.has_realtime_runtime && r->cpu.realtime_runtime != 0, "cpu.realtimeRuntime"},
	    {r->cpu.has_realtime_period && r->cpu.realtime_period != 0, "cpu.realtimePeriod"},
	    {r->cpu.has_idle && r->cpu.idle != 0, "cpu.idle"},
	    {r->block_io.has_weight && r->block_io.weight != 0, "blockIO.weight"},
	    {r->block_io.has_leaf_weight && r->block_io.leaf_weight != 0, "blockIO.leafWeight"},
	    {r->block_io.n_weight_device > 0, "blockIO.weightDevice"},
	    {r->block_io.n_throttle_read_bps > 0, "blockIO.throttleReadBpsDevice"},
	    {r->block_io.n_throttle_write_bps > 0, "blockIO.throttleWriteBpsDevice"},
	    {r->block_io.n_throttle_read_iops > 0, "blockIO.throttleReadIOPSDevice"},
	    {r->block_io.n_throttle_write_iops > 0, "blockIO.throttleWriteIOPSDevice"},
	    {r->n_hugepage_limits > 0, "hugepageLimits"},
	    {r->network.has_class_id, "network.classID"},
	    {r->network.n_priorities > 0, "network.priorities"},
	    {r->n_rdma > 0, "rdma"},
	};
	for (size_t i = 0; i < HK_ARRAY_SIZE(f); i++)
		if (f[i].set)
			return hk_err_plain(err, ENOTSUP, "linux.resources.%s: not supported yet",
			                    f[i].field);
	return 0;
}

/* ---- v1 ---- */

bool hk_cgv1_needs(const hk_resources *res, const char *ctrl)
{
	/* always, as runc: `update` may ask for cpu limits later, `events`
	 * reads cpuacct and `pause` needs the freezer */
	static const char *const always[] = {"memory", "pids",    "cpu",    "cpuacct",
	                                     "cpuset", "devices", "freezer"};
	for (size_t i = 0; i < HK_ARRAY_SIZE(always); i++)
		if (!strcmp(ctrl, always[i]))
			return true;
	return false;
}

static bool blank(const char *s)
{
	return s[strspn(s, " \t\n")] == '\0';
}

int hk_cgv1_init_dir(const struct hk_cg_hier *h, const char *dir, hk_err *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	if (!hk_cg_has_ctrl(h->ctrls, "cpuset"))
		return 0;
	for (size_t i = 0; i < HK_ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *cur = NULL, *par = NULL, *cpath = NULL, *ppath = NULL;
		if (asprintf(&cpath, "%s/%s", dir, files[i]) < 0 ||
		    asprintf(&ppath, "%s/../%s", dir, files[i]) < 0)
			return hk_err_set(err, ENOMEM, "cpuset");
		if (hk_read_file(cpath, &cur, NULL, err) < 0 || !blank(cur))
			continue;
		int r = hk_read_file(ppath, &par, NULL, err);
		if (r == 0 && !blank(par))
			r = hk_write_file(cpath, par, err);
		if (r < 0)
			return hk_err_wrap(err, "cgroup: cpuset of %s", dir);
	}
	return 0;
}

/* Write to FILE of the hierarchy whose leaf is DIRFD (-1: not mounted). */
static int set1(int dirfd, const char *ctrl, const char *field, const char *file, const char *value,
                const char *why, bool optional, hk_err *err)
{
	if (dirfd < 0 && dirfd != AT_FDCWD) {
		if (optional)
			return 0;
		return hk_err_plain(err, ENOENT,
		                    "linux.resources.%s: %s not available (no %s cgroup hierarchy)",
		                    field, file, ctrl);
	}
	return hk_cg_set(dirfd, field, file, value, why, optional, err);
}

static int set1_num(int dirfd, const char *ctrl, const char *field, const char *file, long long v,
                    const char *why, bool optional, hk_err *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	return set1(dirfd, ctrl, field, file, buf, why, optional, err);
}

#define SWAP_WHY "swap accounting disabled"

int hk_cgv1_apply_memory(int fd, const hk_resources *res, hk_err *err)
{
	const __typeof__(res->memory) *m = &res->memory;
	int r = 0;
	if (m->has_swap && m->swap > 0 && m->has_limit && m->limit > 0 && m->swap < m->limit)
		return hk_err_plain(
		    err, EINVAL,
		    "linux.resources.memory.swap: memory+swap limit (%lld) should be "
		    ">= memory limit (%lld)",
		    (long long)m->swap, (long long)m->limit);
	if (m->has_limit) {
		r = set1_num(fd, "memory", "memory.limit", "memory.limit_in_bytes", m->limit, NULL,
		             m->limit <= 0, err);
		if (r == -EINVAL && m->has_swap) {
			/* the current memsw limit is lower: raise it first */
			r = set1_num(fd, "memory", "memory.swap", "memory.memsw.limit_in_bytes",
			             m->swap, SWAP_WHY, m->swap <= 0, err);
			if (r == 0)
				r = set1_num(fd, "memory", "memory.limit", "memory.limit_in_bytes",
				             m->limit, NULL, m->limit <= 0, err);
		}
	}
	if (r == 0 && m->has_swap)
		r = set1_num(fd, "memory", "memory.swap", "memory.memsw.limit_in_bytes", m->swap,
		             SWAP_WHY, m->swap <= 0, err);
	if (r == 0 && m->has_reservation)
		r = set1_num(fd, "memory", "memory.reservation", "memory.soft_limit_in_bytes",
		             m->reservation, NULL, m->reservation <= 0, err);
	if (r == 0 && m->has_swappiness) {
		if (m->swappiness > 100)
			return hk_err_plain(
			    err, EINVAL,
			    "linux.resources.memory.swappiness: %llu is out of range "
			    "(0-100)",
			    (unsigned long long)m->swappiness);
		r = set1_num(fd, "memory", "memory.swappiness", "memory.swappiness",
		             (long long)m->swappiness, NULL, false, err);
	}
	if (r == 0 && m->has_disable_oom_killer && m->disable_oom_killer)
		r = set1(fd, "memory", "memory.disableOOMKiller", "memory.oom_control", "1", NULL,
		         false, err);
	return r;
}

static int fd_of(hk_cgroup *cg, const char *ctrl)
{
	struct hk_cg_hier *h = hk_cg_find(cg, ctrl);
	return h ? h->fd : -1;
}

static int apply(hk_cgroup *cg, const hk_resources *res, bool devices, hk_err *err)
{
	if (res->n_unified > 0)
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.unified: only available on cgroup v2 hosts");
	int r = hk_cgv1_apply_memory(fd_of(cg, "memory"), res, err);
	int pfd = fd_of(cg, "pids");
	if (r == 0 && res->pids.has_limit) {
		if (res->pids.limit > 0)
			r = set1_num(pfd, "pids", "pids.limit", "pids.max",
			             (long long)res->pids.limit, NULL, false, err);
		else
			r = set1(pfd, "pids", "pids.limit", "pids.max", "max", NULL, true, err);
	}
	const __typeof__(res->cpu) *c = &res->cpu;
	int cfd = fd_of(cg, "cpu");
	if (r == 0 && c->has_shares)
		r = set1_num(cfd, "cpu", "cpu.shares", "cpu.shares", (long long)c->shares, NULL,
		             c->shares == 0, err);
	if (r == 0 && c->has_period)
		r = set1_num(cfd, "cpu", "cpu.period", "cpu.cfs_period_us", (long long)c->period,
		             NULL, !(c->has_quota && c->quota > 0), err);
	if (r == 0 && c->has_quota)
		r = set1_num(cfd, "cpu", "cpu.quota", "cpu.cfs_quota_us",
		             c->quota > 0 ? (long long)c->quota : -1, NULL, c->quota <= 0, err);
	int sfd = fd_of(cg, "cpuset");
	if (r == 0 && c->cpus && *c->cpus)
		r = set1(sfd, "cpuset", "cpu.cpus", "cpuset.cpus", c->cpus, NULL, false, err);
	if (r == 0 && c->mems && *c->mems)
		r = set1(sfd, "cpuset", "cpu.mems", "cpuset.mems", c->mems, NULL, false, err);
	/* rootless: a devices hierarchy husk may not write was left out */
	if (r == 0 && devices && !(cg->rootless && fd_of(cg, "devices") < 0))
		r = hk_cgv1_apply_devices(fd_of(cg, "devices"), res, err);
	return r;
}

int hk_cgv1_apply(hk_cgroup *cg, const hk_resources *res, hk_err *err)
{
	return apply(cg, res, true, err);
}

int hk_cgv1_update(hk_cgroup *cg, const hk_resources *res, hk_err *err)
{
	return apply(cg, res, false, err);
}

bool hk_cgv1_oom_killed(hk_cgroup *cg)
{
	int fd = fd_of(cg, "memory");
	if (fd < 0)
		return false;
	long long k = hk_cg_read_key(fd, "memory.oom_control", "oom_kill");
	if (k >= 0)
		return k > 0;
	/* before 4.13: no counter; being under OOM or having hit the limit */
	unsigned long long failcnt = 0;
	hk_read_u64_at(fd, "memory.failcnt", &failcnt);
	return hk_cg_read_key(fd, "memory.oom_control", "under_oom") > 0 || failcnt > 0;
}
