/* cgroup_res.c - the fields of linux.resources as the cgroup code sees
 * them: which controller does each on v1 and on v2, which values ask for
 * something, and the checks made before anything is written (ranges,
 * what a layout cannot do, checkBeforeUpdate).
 *
 * The zero rule, in this one place: a field asks for something unless its
 * value is zero or the default ("unlimited", -1).  A field that asks must
 * be honoured or be an error naming it and saying why; one that asks for
 * nothing is written where the host has the file and skipped where it has
 * not (engines send such values with every container: docker's
 * blockIO.weight 0, kubelet's hugepageLimits of 0 for the sizes a pod does
 * not use).  Exceptions, where "zero" is the request itself: useHierarchy
 * asks when false, disableOOMKiller when true, swappiness always (0 is a
 * value), network priorities and rdma limits whenever given. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define NO_RT   "the cgroup v2 cpu controller has no realtime bandwidth (cpu.rt_*)"
#define NO_KMEM "cgroup v2 has no separate kernel memory limit: memory.max counts it"
#define NO_LEAF "cgroup v2 has no leaf weights"

static void add(struct hk_cg_field *f, size_t *n, const char *name, const char *v1, const char *v2,
                const char *why, bool asks)
{
	if (*n < HK_CG_MAX_FIELDS)
		f[(*n)++] = (struct hk_cg_field){name, v1, v2, why, asks};
}

static bool any_rate(const hk_throttle_device *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].rate != 0)
			return true;
	return false;
}

static void block_io_fields(const hk_resources *r, struct hk_cg_field *f, size_t *n)
{
	const __typeof__(r->block_io) *b = &r->block_io;
	static const char *const thr[] = {
	    "blockIO.throttleReadBpsDevice", "blockIO.throttleWriteBpsDevice",
	    "blockIO.throttleReadIOPSDevice", "blockIO.throttleWriteIOPSDevice"};
	const hk_throttle_device *tl[] = {b->throttle_read_bps, b->throttle_write_bps,
	                                  b->throttle_read_iops, b->throttle_write_iops};
	const size_t tn[] = {b->n_throttle_read_bps, b->n_throttle_write_bps,
	                     b->n_throttle_read_iops, b->n_throttle_write_iops};
	if (b->has_weight)
		add(f, n, "blockIO.weight", "blkio", "io", NULL, b->weight != 0);
	if (b->has_leaf_weight)
		add(f, n, "blockIO.leafWeight", "blkio", NULL, NO_LEAF, b->leaf_weight != 0);
	if (b->n_weight_device > 0) {
		bool asks = false;
		for (size_t i = 0; i < b->n_weight_device; i++) {
			const hk_weight_device *w = &b->weight_device[i];
			asks |=
			    (w->has_weight && w->weight) || (w->has_leaf_weight && w->leaf_weight);
		}
		add(f, n, "blockIO.weightDevice", "blkio", "io", NULL, asks);
	}
	for (size_t i = 0; i < HK_ARRAY_SIZE(thr); i++)
		if (tn[i] > 0)
			add(f, n, thr[i], "blkio", "io", NULL, any_rate(tl[i], tn[i]));
}

size_t hk_cg_fields(const hk_resources *r, struct hk_cg_field *f)
{
	const __typeof__(r->memory) *m = &r->memory;
	const __typeof__(r->cpu) *c = &r->cpu;
	size_t n = 0;
	if (m->has_limit)
		add(f, &n, "memory.limit", "memory", "memory", NULL, m->limit > 0);
	if (m->has_reservation)
		add(f, &n, "memory.reservation", "memory", "memory", NULL, m->reservation > 0);
	if (m->has_swap)
		add(f, &n, "memory.swap", "memory", "memory", NULL, m->swap > 0);
	if (m->has_kernel)
		add(f, &n, "memory.kernel", "memory", NULL, NO_KMEM, m->kernel > 0);
	if (m->has_kernel_tcp)
		add(f, &n, "memory.kernelTCP", "memory", NULL, NO_KMEM, m->kernel_tcp > 0);
	if (m->has_swappiness)
		add(f, &n, "memory.swappiness", "memory", NULL,
		    "cgroup v2 has no per-cgroup swappiness", true);
	if (m->has_disable_oom_killer)
		add(f, &n, "memory.disableOOMKiller", "memory", NULL,
		    "cgroup v2 cannot turn the OOM killer off for a cgroup", m->disable_oom_killer);
	if (m->has_use_hierarchy)
		add(f, &n, "memory.useHierarchy", "memory", NULL,
		    "cgroup v2 is always hierarchical", !m->use_hierarchy);
	if (r->pids.has_limit)
		add(f, &n, "pids.limit", "pids", "pids", NULL, r->pids.limit > 0);
	if (c->has_shares)
		add(f, &n, "cpu.shares", "cpu", "cpu", NULL, c->shares > 0);
	if (c->has_quota)
		add(f, &n, "cpu.quota", "cpu", "cpu", NULL, c->quota > 0);
	if (c->has_period) /* alone it changes nothing: a quota is needed */
		add(f, &n, "cpu.period", "cpu", "cpu", NULL, false);
	if (c->has_burst)
		add(f, &n, "cpu.burst", "cpu", "cpu", NULL, c->burst > 0);
	if (c->has_realtime_runtime)
		add(f, &n, "cpu.realtimeRuntime", "cpu", NULL, NO_RT, c->realtime_runtime != 0);
	if (c->has_realtime_period)
		add(f, &n, "cpu.realtimePeriod", "cpu", NULL, NO_RT, c->realtime_period != 0);
	if (c->has_idle)
		add(f, &n, "cpu.idle", "cpu", "cpu", NULL, c->idle != 0);
	if (c->cpus && *c->cpus)
		add(f, &n, "cpu.cpus", "cpuset", "cpuset", NULL, true);
	if (c->mems && *c->mems)
		add(f, &n, "cpu.mems", "cpuset", "cpuset", NULL, true);
	block_io_fields(r, f, &n);
	if (r->n_hugepage_limits > 0) {
		bool asks = false;
		for (size_t i = 0; i < r->n_hugepage_limits; i++)
			asks |= r->hugepage_limits[i].limit > 0;
		add(f, &n, "hugepageLimits", "hugetlb", "hugetlb", NULL, asks);
	}
	if (r->network.has_class_id)
		add(f, &n, "network.classID", "net_cls", NULL,
		    "cgroup v2 has no net_cls controller", r->network.class_id != 0);
	if (r->network.n_priorities > 0)
		add(f, &n, "network.priorities", "net_prio", NULL,
		    "cgroup v2 has no net_prio controller", true);
	if (r->n_rdma > 0) {
		bool asks = false;
		for (size_t i = 0; i < r->n_rdma; i++)
			asks |= r->rdma[i].has_hca_handles || r->rdma[i].has_hca_objects;
		add(f, &n, "rdma", "rdma", "rdma", NULL, asks);
	}
	return n;
}

bool hk_cg_res_wants(const hk_resources *r)
{
	return hk_cg_asked_field(r, NULL) != NULL;
}

const char *hk_cg_asked_field(const hk_resources *r, const char *ctrls)
{
	struct hk_cg_field f[HK_CG_MAX_FIELDS];
	size_t n = hk_cg_fields(r, f);
	for (size_t i = 0; i < n; i++)
		if (f[i].asks && (!ctrls || hk_cg_has_ctrl(ctrls, f[i].v1)))
			return f[i].name;
	if (!ctrls && r->n_unified > 0)
		return "unified";
	return NULL;
}

/* ---- checks before writing ---- */

static int weight_range(const char *field, unsigned w, hk_err *err)
{
	if (w != 0 && (w < 10 || w > 1000))
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.%s: %u is out of range (10-1000; 0: not set)",
		                    field, w);
	return 0;
}

static int device_numbers(const char *field, int64_t major, int64_t minor, hk_err *err)
{
	if (major < 0 || minor < 0 || major > 0xfffff || minor > 0xfffff)
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.%s: %lld:%lld is not a device number", field,
		                    (long long)major, (long long)minor);
	return 0;
}

static int check_block_io(const hk_resources *r, bool v2, hk_err *err)
{
	const __typeof__(r->block_io) *b = &r->block_io;
	char f[128];
	int rc = 0;
	if (b->has_weight)
		rc = weight_range("blockIO.weight", b->weight, err);
	if (rc == 0 && b->has_leaf_weight)
		rc = weight_range("blockIO.leafWeight", b->leaf_weight, err);
	for (size_t i = 0; rc == 0 && i < b->n_weight_device; i++) {
		const hk_weight_device *w = &b->weight_device[i];
		snprintf(f, sizeof(f), "blockIO.weightDevice[%zu]", i);
		rc = device_numbers(f, w->major, w->minor, err);
		if (rc == 0 && w->has_weight) {
			snprintf(f, sizeof(f), "blockIO.weightDevice[%zu].weight", i);
			rc = weight_range(f, w->weight, err);
		}
		if (rc == 0 && w->has_leaf_weight) {
			snprintf(f, sizeof(f), "blockIO.weightDevice[%zu].leafWeight", i);
			rc = weight_range(f, w->leaf_weight, err);
			if (rc == 0 && v2 && w->leaf_weight)
				rc = hk_err_plain(
				    err, EINVAL,
				    "linux.resources.%s: not available on cgroup v2 (%s)", f,
				    NO_LEAF);
		}
	}
	static const char *const names[] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
	                                    "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
	const hk_throttle_device *tl[] = {b->throttle_read_bps, b->throttle_write_bps,
	                                  b->throttle_read_iops, b->throttle_write_iops};
	const size_t tn[] = {b->n_throttle_read_bps, b->n_throttle_write_bps,
	                     b->n_throttle_read_iops, b->n_throttle_write_iops};
	for (size_t k = 0; rc == 0 && k < HK_ARRAY_SIZE(names); k++)
		for (size_t i = 0; rc == 0 && i < tn[k]; i++) {
			snprintf(f, sizeof(f), "blockIO.%s[%zu]", names[k], i);
			rc = device_numbers(f, tl[k][i].major, tl[k][i].minor, err);
		}
	return rc;
}

int hk_cg_page_size_name(unsigned long long kib, char *buf, size_t len)
{
	/* the kernel's names of the hugetlb files (mm/hugetlb_cgroup.c) */
	if (kib >= 1024 * 1024)
		return snprintf(buf, len, "%lluGB", kib / (1024 * 1024));
	if (kib >= 1024)
		return snprintf(buf, len, "%lluMB", kib / 1024);
	return snprintf(buf, len, "%lluKB", kib);
}

/* Is SIZE ("2MB") a huge page size of this host?  LIST gets them all
 * ("2MB, 1GB"; "none" when the host has none). */
static bool host_page_size(const char *size, char *list, size_t len)
{
	_cleanup_dir_ DIR *d = opendir("/sys/kernel/mm/hugepages");
	bool found = false;
	snprintf(list, len, "none");
	size_t used = 0;
	for (struct dirent *de; d && (de = readdir(d));) {
		unsigned long long kib;
		char name[32];
		if (sscanf(de->d_name, "hugepages-%llukB", &kib) != 1)
			continue;
		hk_cg_page_size_name(kib, name, sizeof(name));
		found |= !strcmp(name, size);
		int w = snprintf(list + used, len - used, "%s%s", used ? ", " : "", name);
		if (w > 0 && (size_t)w < len - used)
			used += (size_t)w;
	}
	return found;
}

static int check_hugepages(const hk_resources *r, hk_err *err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const hk_hugepage_limit *h = &r->hugepage_limits[i];
		const char *s = h->page_size ? h->page_size : "";
		size_t digits = strspn(s, "0123456789");
		char list[256];
		if (digits == 0 || digits > 12 ||
		    (strcmp(s + digits, "KB") != 0 && strcmp(s + digits, "MB") != 0 &&
		     strcmp(s + digits, "GB") != 0))
			return hk_err_plain(
			    err, EINVAL,
			    "linux.resources.hugepageLimits[%zu].pageSize: \"%s\" is "
			    "not a page size (such as 2MB, 1GB, 64KB)",
			    i, s);
		if (h->limit > 0 && !host_page_size(s, list, sizeof(list)))
			return hk_err_plain(
			    err, EINVAL,
			    "linux.resources.hugepageLimits[%zu].pageSize: %s is not a "
			    "huge page size of this host (it has: %s)",
			    i, s, list);
	}
	return 0;
}

/* Names written into a cgroup file line: no blanks, not empty. */
static bool word(const char *s, size_t max)
{
	return s && *s && strlen(s) <= max && !s[strcspn(s, " \t\n")];
}

static int check_names(const hk_resources *r, hk_err *err)
{
	for (size_t i = 0; i < r->network.n_priorities; i++)
		if (!word(r->network.priorities[i].key, 15))
			return hk_err_plain(
			    err, EINVAL,
			    "linux.resources.network.priorities[%zu].name: \"%s\" is "
			    "not an interface name",
			    i, r->network.priorities[i].key);
	for (size_t i = 0; i < r->n_rdma; i++)
		if (!word(r->rdma[i].device, 64))
			return hk_err_plain(
			    err, EINVAL, "linux.resources.rdma: \"%s\" is not an RDMA device name",
			    r->rdma[i].device);
	return 0;
}

/* The system's vm.swappiness (what every cgroup v2 uses), or -1. */
static long host_swappiness(void)
{
	_cleanup_free_ char *s = NULL;
	hk_err e;
	if (hk_read_file("/proc/sys/vm/swappiness", &s, NULL, &e) < 0)
		return -1;
	return strtol(s, NULL, 10);
}

/* What cgroup v2 cannot do; on v1 the unified keys. */
static int check_layout(const hk_resources *r, bool v2, hk_err *err)
{
	if (!v2 && r->n_unified > 0)
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.unified: only available on cgroup v2 hosts");
	if (!v2)
		return 0;
	struct hk_cg_field f[HK_CG_MAX_FIELDS];
	size_t n = hk_cg_fields(r, f);
	for (size_t i = 0; i < n; i++) {
		if (f[i].v2 || !f[i].asks)
			continue;
		if (!strcmp(f[i].name, "memory.swappiness")) {
			/* v2 uses vm.swappiness: asking for that value is honoured */
			long host = host_swappiness();
			if (host >= 0 && (unsigned long long)host == r->memory.swappiness)
				continue;
			return hk_err_plain(
			    err, EINVAL,
			    "linux.resources.memory.swappiness: not available on "
			    "cgroup v2 (%s: every cgroup uses vm.swappiness, %ld here)",
			    f[i].why, host);
		}
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.%s: not available on cgroup v2 (%s)",
		                    f[i].name, f[i].why);
	}
	return 0;
}

int hk_cg_validate(const hk_resources *r, enum hk_cgroup_layout layout, hk_err *err)
{
	bool v2 = layout == HK_CGROUP_V2;
	const __typeof__(r->cpu) *c = &r->cpu;
	int rc = check_layout(r, v2, err);
	if (rc < 0)
		return rc;
	if (r->memory.has_swappiness && r->memory.swappiness > 100)
		return hk_err_plain(
		    err, EINVAL, "linux.resources.memory.swappiness: %llu is out of range (0-100)",
		    (unsigned long long)r->memory.swappiness);
	if (c->has_idle && c->idle != 0 && c->idle != 1)
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.cpu.idle: %lld is out of range (0: normal, 1: "
		                    "SCHED_IDLE)",
		                    (long long)c->idle);
	if (c->has_realtime_runtime && c->realtime_runtime < -1)
		return hk_err_plain(
		    err, EINVAL,
		    "linux.resources.cpu.realtimeRuntime: %lld is out of range (-1: "
		    "unlimited)",
		    (long long)c->realtime_runtime);
	if ((rc = check_block_io(r, v2, err)) < 0 || (rc = check_hugepages(r, err)) < 0)
		return rc;
	return check_names(r, err);
}

/* ---- checkBeforeUpdate ---- */

static long long read_num(int dirfd, const char *file)
{
	unsigned long long v;
	if (dirfd < 0 || hk_read_u64_at(dirfd, file, &v) < 0)
		return -1;
	return (long long)v;
}

int hk_cg_check_usage(hk_cgroup *cg, const hk_resources *r, hk_err *err)
{
	const __typeof__(r->memory) *m = &r->memory;
	if (!m->has_check_before_update || !m->check_before_update)
		return 0;
	bool v2 = cg->layout == HK_CGROUP_V2;
	struct hk_cg_hier *h = v2 ? &cg->h[0] : hk_cg_find(cg, "memory");
	int fd = h ? h->fd : -1;
	long long mem = read_num(fd, v2 ? "memory.current" : "memory.usage_in_bytes");
	/* memory + swap, as the spec's swap value counts: v1 has it in one
	 * file; v2 counts swap alone (runc compares with memory.current
	 * only, which lets a limit below the swapped-out part through) */
	long long both =
	    v2 ? read_num(fd, "memory.swap.current") : read_num(fd, "memory.memsw.usage_in_bytes");
	if (v2 && both >= 0 && mem >= 0)
		both += mem;
	if (mem < 0) /* best effort, as runc: nothing to compare with */
		return 0;
	if (m->has_limit && m->limit > 0 && m->limit <= mem)
		return hk_err_plain(
		    err, EBUSY,
		    "linux.resources.memory.limit: %lld is not above the current usage "
		    "(%lld bytes) and checkBeforeUpdate is set",
		    (long long)m->limit, mem);
	if (m->has_swap && m->swap > 0 && m->swap <= (both >= 0 ? both : mem))
		return hk_err_plain(
		    err, EBUSY,
		    "linux.resources.memory.swap: %lld is not above the current memory "
		    "+ swap usage (%lld bytes) and checkBeforeUpdate is set",
		    (long long)m->swap, both >= 0 ? both : mem);
	return 0;
}
