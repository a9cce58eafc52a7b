/* cgroup_misc.c - the smaller controllers, on both layouts:
 *
 *   hugepageLimits[]   v1: hugetlb.<size>.limit_in_bytes, v2: hugetlb.<size>.max;
 *                      as runc, the same limit also goes to the reservation
 *                      file (hugetlb.<size>.rsvd.*, Linux 5.7) where there is one
 *   network.classID    v1: net_cls.classid; v2: none (refused by hk_cg_validate)
 *   network.priorities v1: net_prio.ifpriomap "IFNAME PRIO" per entry; v2: none
 *   rdma.<dev>         v1 and v2: rdma.max "DEV hca_handle=N hca_object=N"
 *
 * On v1 these hierarchies are joined only when the config sets one of
 * their fields (hk_cgv1_needs()). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int fd_of(hk_cgroup *cg, const char *ctrl)
{
	struct hk_cg_hier *h = hk_cg_find(cg, ctrl);
	return h ? h->fd : -1;
}

/* A hybrid host with hugetlb on its cgroup2 mount only (as this one may
 * be): husk does not use that mount (it would mean a second cgroup for
 * every container, placed in both trees, and enabling hugetlb in the
 * host's root cgroup), so say where the controller is instead. */
static int no_hugetlb(enum hk_cgroup_layout layout, hk_err *err)
{
	_cleanup_free_ char *ctrls = NULL;
	hk_err e;
	bool unified =
	    layout == HK_CGROUP_HYBRID &&
	    hk_read_file(HK_CGROUP_ROOT "/unified/cgroup.controllers", &ctrls, NULL, &e) == 0 &&
	    strstr(ctrls, "hugetlb");
	if (unified)
		return hk_err_plain(
		    err, ENOENT,
		    "linux.resources.hugepageLimits: no hugetlb cgroup v1 hierarchy "
		    "(the hugetlb controller is on the cgroup2 mount at "
		    "%s/unified, which husk does not use on a hybrid host)",
		    HK_CGROUP_ROOT);
	return hk_err_plain(err, ENOENT,
	                    "linux.resources.hugepageLimits: no hugetlb cgroup hierarchy (the "
	                    "kernel has no hugetlb controller, or it is not mounted)");
}

static int hugetlb(int fd, bool v2, const hk_resources *res, hk_err *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < res->n_hugepage_limits; i++) {
		const hk_hugepage_limit *h = &res->hugepage_limits[i];
		char field[64], file[96], rsvd[96];
		snprintf(field, sizeof(field), "hugepageLimits[%zu]", i);
		snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size,
		         v2 ? "max" : "limit_in_bytes");
		snprintf(rsvd, sizeof(rsvd), "hugetlb.%s.rsvd.%s", h->page_size,
		         v2 ? "max" : "limit_in_bytes");
		/* a zero limit asks for nothing where the size or controller is
		 * missing; where it is there, it keeps such pages out */
		char val[32]; /* unsigned: a limit >= 2^63 is a number, not -1 */
		snprintf(val, sizeof(val), "%llu", (unsigned long long)h->limit);
		r = hk_cgv1_set(fd, "hugetlb", field, file, val, NULL, h->limit == 0, err);
		if (r == 0 && fd >= 0 && faccessat(fd, rsvd, F_OK, 0) == 0)
			r = hk_cg_set(fd, field, rsvd, val, NULL, false, err);
	}
	return r;
}

static int rdma(int fd, const hk_resources *res, hk_err *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < res->n_rdma; i++) {
		const hk_rdma_limit *l = &res->rdma[i];
		char field[128], line[160];
		int n = snprintf(line, sizeof(line), "%s", l->device);
		if (!l->has_hca_handles && !l->has_hca_objects)
			continue;
		if (l->has_hca_handles)
			n += snprintf(line + n, sizeof(line) - n, " hca_handle=%u", l->hca_handles);
		if (l->has_hca_objects)
			snprintf(line + n, sizeof(line) - n, " hca_object=%u", l->hca_objects);
		snprintf(field, sizeof(field), "rdma.%s", l->device);
		r = hk_cgv1_set(fd, "rdma", field, "rdma.max", line, NULL, false, err);
	}
	return r;
}

int hk_cgv1_apply_misc(hk_cgroup *cg, const hk_resources *res, hk_err *err)
{
	const __typeof__(res->network) *nw = &res->network;
	int r = 0, hfd = fd_of(cg, "hugetlb");
	bool asks = false;
	for (size_t i = 0; i < res->n_hugepage_limits; i++)
		asks |= res->hugepage_limits[i].limit > 0;
	if (hfd < 0 && asks)
		return no_hugetlb(cg->layout, err);
	if (hfd >= 0)
		r = hugetlb(hfd, false, res, err);
	if (r == 0 && nw->has_class_id)
		r = hk_cgv1_set_num(fd_of(cg, "net_cls"), "net_cls", "network.classID",
		                    "net_cls.classid", nw->class_id, NULL, nw->class_id == 0, err);
	int pfd = fd_of(cg, "net_prio");
	for (size_t i = 0; r == 0 && i < nw->n_priorities; i++) {
		char field[64], line[64];
		snprintf(field, sizeof(field), "network.priorities[%zu]", i);
		snprintf(line, sizeof(line), "%s %s", nw->priorities[i].key,
		         nw->priorities[i].value);
		r = hk_cgv1_set(pfd, "net_prio", field, "net_prio.ifpriomap", line, NULL, false,
		                err);
	}
	return r == 0 ? rdma(fd_of(cg, "rdma"), res, err) : r;
}

int hk_cgv2_apply_misc(int fd, const hk_resources *res, hk_err *err)
{
	/* the network fields that ask were refused by hk_cg_validate() */
	int r = hugetlb(fd, true, res, err);
	return r == 0 ? rdma(fd, res, err) : r;
}
