/* cgroup_v1.c - resources on cgroup v1 (and hybrid) hosts: one directory
 * per hierarchy, the files of each controller, device rules, OOM status. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- v1 ---- */

bool hk_cgv1_needs(const hk_resources *res, const char *ctrl)
{
	/* Always, as runc (which joins every hierarchy): `update` may ask
	 * for cpu, memory, pids and blkio limits later (runc's and docker's
	 * update have options for each), `events` reads cpuacct and `pause`
	 * needs the freezer.  The others (net_cls, net_prio, hugetlb, rdma,
	 * perf_event, misc) cost a mkdir, a cgroup.procs write and an rmdir
	 * each per container for nothing in most of them: only when the
	 * config sets one of their fields (even to zero, so that a zero
	 * hugepage limit is enforced where the host can).  runc's update has
	 * no option for them either. */
	static const char *const always[] = {"memory", "pids",    "cpu",     "cpuacct",
	                                     "cpuset", "devices", "freezer", "blkio"};
	for (size_t i = 0; i < HK_ARRAY_SIZE(always); i++)
		if (!strcmp(ctrl, always[i]))
			return true;
	struct hk_cg_field f[HK_CG_MAX_FIELDS];
	size_t n = hk_cg_fields(res, f);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].v1, ctrl))
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
	/* DIR was just made: its files are empty (or, with the parent's
	 * cgroup.clone_children, the parent's values already) */
	for (size_t i = 0; i < HK_ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *par = NULL, *cpath = NULL, *ppath = NULL;
		if (asprintf(&cpath, "%s/%s", dir, files[i]) < 0 ||
		    asprintf(&ppath, "%s/../%s", dir, files[i]) < 0)
			return hk_err_set(err, ENOMEM, "cpuset");
		int r = hk_read_file(ppath, &par, NULL, err);
		if (r == 0 && !blank(par))
			r = hk_write_file(cpath, par, err);
		if (r < 0)
			return hk_err_wrap(err, "cgroup: cpuset of %s", dir);
	}
	return 0;
}

int hk_cgv1_set(int dirfd, const char *ctrl, const char *field, const char *file, const char *value,
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

int hk_cgv1_set_num(int dirfd, const char *ctrl, const char *field, const char *file, long long v,
                    const char *why, bool optional, hk_err *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	return hk_cgv1_set(dirfd, ctrl, field, file, buf, why, optional, err);
}

#define SWAP_WHY "swap accounting disabled"
#define KMEM_WHY "the kernel has no kernel memory accounting"

/* memory.kernel and memory.kernelTCP: -1 (unlimited, the default) where the
 * file is; a limit written and read back, since kernels deprecating kernel
 * memory limits accept writes to memory.kmem.limit_in_bytes and ignore
 * them (runc ignores both fields, with a warning; here a limit that does
 * not hold is an error). */
static int kmem_limit(int fd, const char *field, const char *file, long long v, hk_err *err)
{
	if (v == 0)
		return 0;
	if (v < 0)
		return hk_cgv1_set_num(fd, "memory", field, file, -1, KMEM_WHY, true, err);
	int r = hk_cgv1_set_num(fd, "memory", field, file, v, KMEM_WHY, false, err);
	if (r < 0)
		return r;
	unsigned long long got = 0;
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long want =
	    page > 0 ? (unsigned long long)(v / page * page) : (unsigned long long)v;
	if (hk_read_u64_at(fd, file, &got) == 0 && got != want)
		return hk_err_plain(
		    err, EOPNOTSUPP,
		    "linux.resources.%s: this kernel does not enforce it (it accepts "
		    "%lld in %s and ignores it: the file still reads %llu; "
		    "kernel memory limits are deprecated)",
		    field, v, file, got);
	return 0;
}

static int use_hierarchy(int fd, bool on, hk_err *err)
{
	int r = hk_cgv1_set(fd, "memory", "memory.useHierarchy", "memory.use_hierarchy",
	                    on ? "1" : "0", NULL, on, err);
	if (r == -EINVAL && !on)
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.memory.useHierarchy: the kernel refuses false "
		                    "(non-hierarchical memory accounting is deprecated and refused "
		                    "by current kernels, and always once the cgroup has children)");
	return r;
}

int hk_cgv1_apply_memory(int fd, const hk_resources *res, hk_err *err)
{
	const __typeof__(res->memory) *m = &res->memory;
	int r = 0;
	if (m->has_use_hierarchy && (r = use_hierarchy(fd, m->use_hierarchy, err)) < 0)
		return r;
	if (m->has_swap && m->swap > 0 && m->has_limit && m->limit > 0 && m->swap < m->limit)
		return hk_err_plain(
		    err, EINVAL,
		    "linux.resources.memory.swap: memory+swap limit (%lld) should be "
		    ">= memory limit (%lld)",
		    (long long)m->swap, (long long)m->limit);
	/* a limit, swap or reservation of 0 asks for nothing (as runc): the
	 * kernel would take 0 at its word */
	if (m->has_limit && m->limit != 0) {
		r = hk_cgv1_set_num(fd, "memory", "memory.limit", "memory.limit_in_bytes", m->limit,
		                    NULL, m->limit <= 0, err);
		if (r == -EINVAL && m->has_swap && m->swap != 0) {
			/* the current memsw limit is lower: raise it first */
			r = hk_cgv1_set_num(fd, "memory", "memory.swap",
			                    "memory.memsw.limit_in_bytes", m->swap, SWAP_WHY,
			                    m->swap <= 0, err);
			if (r == 0)
				r = hk_cgv1_set_num(fd, "memory", "memory.limit",
				                    "memory.limit_in_bytes", m->limit, NULL,
				                    m->limit <= 0, err);
		}
	}
	if (r == 0 && m->has_swap && m->swap != 0)
		r = hk_cgv1_set_num(fd, "memory", "memory.swap", "memory.memsw.limit_in_bytes",
		                    m->swap, SWAP_WHY, m->swap <= 0, err);
	if (r == 0 && m->has_reservation && m->reservation != 0)
		r = hk_cgv1_set_num(fd, "memory", "memory.reservation",
		                    "memory.soft_limit_in_bytes", m->reservation, NULL,
		                    m->reservation <= 0, err);
	if (r == 0 && m->has_swappiness) {
		if (m->swappiness > 100)
			return hk_err_plain(
			    err, EINVAL,
			    "linux.resources.memory.swappiness: %llu is out of range "
			    "(0-100)",
			    (unsigned long long)m->swappiness);
		r = hk_cgv1_set_num(fd, "memory", "memory.swappiness", "memory.swappiness",
		                    (long long)m->swappiness, NULL, false, err);
	}
	if (r == 0 && m->has_disable_oom_killer)
		r = hk_cgv1_set(fd, "memory", "memory.disableOOMKiller", "memory.oom_control",
		                m->disable_oom_killer ? "1" : "0", NULL, !m->disable_oom_killer,
		                err);
	if (r == 0 && m->has_kernel)
		r = kmem_limit(fd, "memory.kernel", "memory.kmem.limit_in_bytes", m->kernel, err);
	if (r == 0 && m->has_kernel_tcp)
		r = kmem_limit(fd, "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes",
		               m->kernel_tcp, err);
	return r;
}

static int fd_of(hk_cgroup *cg, const char *ctrl)
{
	struct hk_cg_hier *h = hk_cg_find(cg, ctrl);
	return h ? h->fd : -1;
}

#define RT_WHY "the kernel has no realtime group scheduling (CONFIG_RT_GROUP_SCHED)"

/* cpu.rt_period_us and cpu.rt_runtime_us, in runc's order: the kernel
 * checks each write against the other value (runtime <= period, and the
 * children's runtime/period within their parent's), so a period it
 * refuses (EINVAL) is written again after the runtime.  Applied at
 * creation before any process joins: a SCHED_RR/SCHED_FIFO process cannot
 * join a cgroup without realtime runtime. */
static int apply_rt(int fd, const hk_resources *res, hk_err *err)
{
	const __typeof__(res->cpu) *c = &res->cpu;
	bool runtime = c->has_realtime_runtime && c->realtime_runtime != 0;
	bool period = c->has_realtime_period && c->realtime_period != 0, later = false;
	long long pv = (long long)c->realtime_period;
	int r = 0;
	if (period) {
		r = hk_cgv1_set_num(fd, "cpu", "cpu.realtimePeriod", "cpu.rt_period_us", pv, RT_WHY,
		                    false, err);
		if (r == -EINVAL && runtime) {
			later = true;
			r = 0;
		}
	}
	if (r == 0 && runtime)
		r = hk_cgv1_set_num(fd, "cpu", "cpu.realtimeRuntime", "cpu.rt_runtime_us",
		                    (long long)c->realtime_runtime, RT_WHY, false, err);
	if (r == 0 && later)
		r = hk_cgv1_set_num(fd, "cpu", "cpu.realtimePeriod", "cpu.rt_period_us", pv, RT_WHY,
		                    false, err);
	return r;
}

/* The CFS files, in runc's order (fs.CpuGroup.Set): a period or a burst
 * the kernel refuses (EINVAL: with the current quota the period would
 * exceed the parent's bandwidth; a burst above the current quota) is
 * written again once the quota is.  A zero share or period asks for
 * nothing and is not written (the kernel would take 0 shares as 2). */
static int apply_cpu(int fd, const hk_resources *res, hk_err *err)
{
	const __typeof__(res->cpu) *c = &res->cpu;
	bool quota = c->has_quota && c->quota != 0, period_later = false, burst_later = false;
	long long pv = (long long)c->period, bv = (long long)c->burst;
	int r = 0;
	if (c->has_shares && c->shares > 0)
		r = hk_cgv1_set_num(fd, "cpu", "cpu.shares", "cpu.shares", (long long)c->shares,
		                    NULL, false, err);
	if (r == 0 && c->has_period && c->period > 0) {
		r = hk_cgv1_set_num(fd, "cpu", "cpu.period", "cpu.cfs_period_us", pv, NULL,
		                    !(c->has_quota && c->quota > 0), err);
		period_later = r == -EINVAL && quota;
		if (period_later)
			r = 0;
	}
	if (r == 0 && c->has_burst) {
		r = hk_cgv1_set_num(fd, "cpu", "cpu.burst", "cpu.cfs_burst_us", bv,
		                    "the kernel has no CFS burst (Linux 5.14)", c->burst == 0, err);
		burst_later = r == -EINVAL && quota;
		if (burst_later)
			r = 0;
	}
	if (r == 0 && c->has_quota)
		r = hk_cgv1_set_num(fd, "cpu", "cpu.quota", "cpu.cfs_quota_us",
		                    c->quota > 0 ? (long long)c->quota : -1, NULL, c->quota <= 0,
		                    err);
	if (r == 0 && period_later)
		r = hk_cgv1_set_num(fd, "cpu", "cpu.period", "cpu.cfs_period_us", pv, NULL, false,
		                    err);
	if (r == 0 && burst_later)
		r = hk_cgv1_set_num(fd, "cpu", "cpu.burst", "cpu.cfs_burst_us", bv, NULL, false,
		                    err);
	if (r == 0 && c->has_idle)
		r = hk_cgv1_set_num(fd, "cpu", "cpu.idle", "cpu.idle", (long long)c->idle,
		                    "the kernel has no SCHED_IDLE cgroups (Linux 5.15)",
		                    c->idle == 0, err);
	return r == 0 ? apply_rt(fd, res, err) : r;
}

static int apply(hk_cgroup *cg, const hk_resources *res, bool devices, hk_err *err)
{
	/* linux.resources.unified was refused by hk_cg_validate() */
	int r = hk_cgv1_apply_memory(fd_of(cg, "memory"), res, err);
	int pfd = fd_of(cg, "pids");
	if (r == 0 && res->pids.has_limit) {
		if (res->pids.limit > 0)
			r = hk_cgv1_set_num(pfd, "pids", "pids.limit", "pids.max",
			                    (long long)res->pids.limit, NULL, false, err);
		else
			r = hk_cgv1_set(pfd, "pids", "pids.limit", "pids.max", "max", NULL, true,
			                err);
	}
	const __typeof__(res->cpu) *c = &res->cpu;
	if (r == 0)
		r = apply_cpu(fd_of(cg, "cpu"), res, err);
	int sfd = fd_of(cg, "cpuset");
	if (r == 0 && c->cpus && *c->cpus)
		r = hk_cgv1_set(sfd, "cpuset", "cpu.cpus", "cpuset.cpus", c->cpus, NULL, false,
		                err);
	if (r == 0 && c->mems && *c->mems)
		r = hk_cgv1_set(sfd, "cpuset", "cpu.mems", "cpuset.mems", c->mems, NULL, false,
		                err);
	if (r == 0)
		r = hk_cgv1_apply_io(fd_of(cg, "blkio"), res, err);
	if (r == 0)
		r = hk_cgv1_apply_misc(cg, res, err);
	/* rootless: a devices hierarchy husk may not write was left out */
	if (r == 0 && devices && !(cg->rootless && fd_of(cg, "devices") < 0))
		r = hk_cg_check_devices(res, err);
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
