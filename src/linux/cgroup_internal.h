/* cgroup_internal.h - what cgroup.c, cgroup_v1.c and cgroup_v2.c share.
 *
 * Not for use outside src/linux/cgroup*.c (and the unit test). */
#ifndef HUSK_LINUX_CGROUP_INTERNAL_H
#define HUSK_LINUX_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "linux/cgroup.h"

/* One hierarchy the cgroup lives in: on v2 the only one; on v1 one per
 * mounted hierarchy used (memory, pids, cpu, ...). */
struct hk_cg_hier {
	char *ctrls;    /* v1: "memory", "cpu,cpuacct"; v2: NULL */
	char *mount;    /* mount point, "/sys/fs/cgroup/memory" */
	char *path;     /* the cgroup below the hierarchy root, "/a/b" */
	int fd;         /* O_DIRECTORY fd of the leaf; -1 before creation */
	int tasks;      /* its "tasks" file (hk_cgroup_open_tasks), or -1 */
	char **created; /* absolute dirs husk made, shallowest first */
	size_t n_created;
	bool existed; /* hk_cgroup_load(): the leaf was there before husk */
};

struct hk_cgroup {
	enum hk_cgroup_layout layout;
	struct hk_cg_hier *h; /* none: the cgroup does nothing */
	size_t n_h;
	char *path; /* what hk_cgroup_path() returns; NULL when it does nothing */
	/* made by an ordinary user: hierarchies it may not write and that
	 * nothing was asked of (devices, ...) were left out */
	bool rootless;
	/* v2: this process has attached a device program to it */
	bool dev_prog;
};

/* A mounted hierarchy and husk's own cgroup in it (from mountinfo and
 * /proc/self/cgroup; OWN is already relative to the mount's root). */
struct hk_cg_mnt {
	char *ctrls; /* v1: controllers joined by ',' ("name=systemd" too); v2: NULL */
	char *mount;
	char *own; /* "/" when unknown */
};

/* Mounted hierarchies of the layout: the v1 ones (never the unified mount
 * of a hybrid host) or the single v2 one. */
int hk_cg_mounts(enum hk_cgroup_layout layout, struct hk_cg_mnt **out, size_t *n, hk_err *err);
void hk_cg_mounts_free(struct hk_cg_mnt *m, size_t n);

/* Does the comma-separated list CTRLS contain controller C? */
bool hk_cg_has_ctrl(const char *ctrls, const char *c);

/* The v1 controllers husk may use (cgroup_mounts.c). */
extern const char *const hk_cg_v1_ctrls[];
extern const size_t hk_cg_n_v1_ctrls;
/* Do the comma lists A and B name the same controllers? */
bool hk_cg_same_ctrls(const char *a, const char *b);

/* The hierarchy of CG holding controller C (v1), or NULL. */
struct hk_cg_hier *hk_cg_find(hk_cgroup *cg, const char *c);

/* Did husk make the leaf of H (and so may remove it)? (cgroup.c) */
bool hk_cg_leaf_created(const struct hk_cg_hier *h);

/* Remove the directories husk created in CG, deepest first, the leaf with
 * the cgroups below it, killing what they hold when KILL; a parent only
 * when empty (cgroup_teardown.c). */
int hk_cg_remove_dirs(hk_cgroup *cg, bool kill, hk_err *err);

/* Write VALUE to FILE below DIRFD for the resource FIELD ("memory.limit");
 * a missing file is "linux.resources.FIELD: FILE not available (WHY)"
 * (WHY may be NULL) unless OPTIONAL (the value asks for nothing), any
 * other failure is prefixed with "linux.resources.FIELD". */
int hk_cg_set(int dirfd, const char *field, const char *file, const char *value, const char *why,
              bool optional, hk_err *err);
int hk_cg_set_num(int dirfd, const char *field, const char *file, long long v, const char *why,
                  bool optional, hk_err *err);

/* The value of KEY in TEXT, a "key value" list like memory.events, or -1
 * when the key is missing. */
long long hk_cg_key_value(const char *text, const char *key);
/* Read FILE (a "key value" list like memory.events) and return KEY's value,
 * or -1 when the file or key is missing. */
long long hk_cg_read_key(int dirfd, const char *file, const char *key);

/* --- the fields of linux.resources (cgroup_res.c) --- */

/* One field of linux.resources that a config sets (present in it). */
struct hk_cg_field {
	const char *name; /* below linux.resources: "memory.limit" */
	const char *v1;   /* the v1 controller that does it ("memory") */
	const char *v2;   /* the v2 controller that does it; NULL: v2 cannot */
	const char *why;  /* v2 NULL: why cgroup v2 cannot */
	bool asks;        /* not zero or default: the host must honour it */
};
#define HK_CG_MAX_FIELDS 40

/* The fields RES sets (not the device rules, not the unified keys), into F
 * (HK_CG_MAX_FIELDS entries); returns how many. */
size_t hk_cg_fields(const hk_resources *res, struct hk_cg_field *f);

/* Is any field of RES one that asks for something (not zero, unlimited or
 * default)?  Device rules do not count; unified keys do. */
bool hk_cg_res_wants(const hk_resources *res);

/* The first field of RES that asks something of a v1 controller in the
 * comma list CTRLS (NULL: of any controller, unified keys too), as
 * "memory.limit"; NULL when none does.  Device rules do not count. */
const char *hk_cg_asked_field(const hk_resources *res, const char *ctrls);

/* Checks made before anything is written: value ranges (swappiness,
 * blockIO weights, cpu.idle, realtimeRuntime, device numbers, page sizes
 * and the host's huge page sizes, interface and RDMA device names) and
 * what the layout cannot do (on v2: kernel memory, swappiness other than
 * vm.swappiness, disableOOMKiller, useHierarchy false, realtime, leaf
 * weights, network; on v1: unified keys), each an error naming the field
 * ("linux.resources.cpu.realtimeRuntime: not available on cgroup v2 (...)"). */
int hk_cg_validate(const hk_resources *res, enum hk_cgroup_layout layout, hk_err *err);

/* memory.checkBeforeUpdate: when RES sets it, refuse (-EBUSY) a memory
 * limit not above the cgroup's current memory usage, or a swap (memory +
 * swap) limit not above its memory + swap usage.  Nothing to compare
 * with (no memory cgroup): no error, as runc. */
int hk_cg_check_usage(hk_cgroup *cg, const hk_resources *res, hk_err *err);

/* The kernel's name of a huge page size of KIB KiB in hugetlb file names
 * ("2MB", "1GB", "64KB") into BUF; snprintf's return. */
int hk_cg_page_size_name(unsigned long long kib, char *buf, size_t len);

/* --- v1 (cgroup_v1.c) --- */

/* Does a v1 cgroup for RES need a directory in the hierarchy of controller
 * CTRL?  memory, pids, cpu, cpuacct, cpuset, devices, freezer and blkio
 * always (`update` may set their limits later, `events` reads cpuacct,
 * `pause` needs the freezer); the others (net_cls, net_prio, hugetlb,
 * rdma) when RES sets one of their fields. */
bool hk_cgv1_needs(const hk_resources *res, const char *ctrl);
/* hk_cg_set() for the leaf DIRFD of the hierarchy of CTRL, -1 when the
 * cgroup has none: then an error "FIELD: FILE not available (no CTRL cgroup
 * hierarchy)" unless OPTIONAL. */
int hk_cgv1_set(int dirfd, const char *ctrl, const char *field, const char *file, const char *value,
                const char *why, bool optional, hk_err *err);
int hk_cgv1_set_num(int dirfd, const char *ctrl, const char *field, const char *file, long long v,
                    const char *why, bool optional, hk_err *err);
/* Called on each directory husk creates in hierarchy H: copy cpuset.cpus
 * and cpuset.mems from the parent (a new cpuset cgroup starts empty). */
int hk_cgv1_init_dir(const struct hk_cg_hier *h, const char *dir, hk_err *err);
/* Apply RES to the leaf of every hierarchy of CG (at creation: check the
 * device rules too; hk_cgroup_set_devices() applies them). */
int hk_cgv1_apply(hk_cgroup *cg, const hk_resources *res, hk_err *err);
int hk_cgv1_update(hk_cgroup *cg, const hk_resources *res, hk_err *err);
int hk_cgv1_apply_memory(int dirfd, const hk_resources *res, hk_err *err);
/* (cgroup_io.c) blockIO to the blkio leaf DIRFD (-1: none). */
int hk_cgv1_apply_io(int dirfd, const hk_resources *res, hk_err *err);
/* (cgroup_misc.c) hugepageLimits, network and rdma to CG's hierarchies. */
int hk_cgv1_apply_misc(hk_cgroup *cg, const hk_resources *res, hk_err *err);
/* (cgroup_devices.c) Would RES's device rules be accepted by
 * hk_cgroup_set_devices()?  An error names the rule. */
int hk_cg_check_devices(const hk_resources *res, hk_err *err);
bool hk_cgv1_oom_killed(hk_cgroup *cg);

/* --- v2 (cgroup_v2.c) --- */

/* Enable the controllers RES needs ("memory" and "pids" always; "cpu",
 * "cpuset", "io", "hugetlb", "rdma" and the prefixes of unified keys when
 * RES sets one of their fields) in DIR's cgroup.subtree_control.  Failing
 * to enable one is an error naming the field only when a field asks for
 * something of it. */
int hk_cgv2_enable(const char *dir, const hk_resources *res, hk_err *err);
int hk_cgv2_apply(int dirfd, const hk_resources *res, hk_err *err);
/* (cgroup_io.c) blockIO to the leaf DIRFD. */
int hk_cgv2_apply_io(int dirfd, const hk_resources *res, hk_err *err);
/* (cgroup_misc.c) hugepageLimits and rdma to the leaf DIRFD. */
int hk_cgv2_apply_misc(int dirfd, const hk_resources *res, hk_err *err);
bool hk_cgv2_oom_killed(hk_cgroup *cg);
/* Make the controllers RES asks for available in DIR (below MOUNT),
 * enabling them in the subtree_control of DIR's ancestors where missing. */
int hk_cgv2_enable_up(const char *mount, const char *dir, const hk_resources *res, hk_err *err);
/* Write 1 to cgroup.kill; -ENOENT when the kernel has none. */
int hk_cgv2_kill(int dirfd);

/* runc's conversions */
/* cpu.weight from cpu.shares: 2..262144 onto 1..10000 */
unsigned long long hk_cgv2_weight_from_shares(unsigned long long shares);
/* (cgroup_io.c) io.weight from blkio's weight: 10..1000 onto 1..10000 */
unsigned long long hk_cgv2_io_weight(unsigned blkio_weight);
/* memory.swap.max from spec swap (memory+swap) and limit; -1 = max,
 * 0 = leave alone.  Returns -EINVAL with a message on nonsense. */
int hk_cgv2_swap(long long swap, long long limit, long long *out, hk_err *err);

#endif
