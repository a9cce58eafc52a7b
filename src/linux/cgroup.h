/* cgroup.h - the container's cgroup, on v1, hybrid and pure v2 hosts.
 *
 * This layer knows nothing of containers beyond a path and resources: it
 * could become a library of its own.  cgroup.c detects the layout and
 * resolves paths; cgroup_res.c knows the fields (what asks for what,
 * the checks before writing); cgroup_v1.c, cgroup_v2.c, cgroup_io.c
 * (blockIO) and cgroup_misc.c (hugetlb, network, rdma) write the files;
 * cgroup_devices.c and cgroup_bpf.c control device access (v1 lists, v2
 * eBPF program); cgroup_ctl.c freezes and updates an existing cgroup;
 * cgroup_stats.c reads its usage. */
#ifndef HUSK_LINUX_CGROUP_H
#define HUSK_LINUX_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/types.h"
#include "util/error.h"

#define HK_CGROUP_ROOT "/sys/fs/cgroup"

enum hk_cgroup_layout {
	HK_CGROUP_V1,     /* only v1 hierarchies */
	HK_CGROUP_HYBRID, /* v1 controllers + a (controller-less) cgroup2 mount */
	HK_CGROUP_V2,     /* pure cgroup v2 at /sys/fs/cgroup */
};

typedef struct hk_cgroup hk_cgroup;

int hk_cgroup_layout(enum hk_cgroup_layout *out, hk_err *err);

/* The lines of /proc/self/mountinfo that are cgroup or cgroup2 mounts, as
 * this process first read them (finding its cgroups reads them anyway), in
 * a string of the caller's (*OUT, freed with free()).  A container's
 * child, cloned after husk found its cgroups, sees the same hierarchies
 * (its mount namespace is a copy) and need not read them again. */
int hk_cgroup_mount_lines(char **out, hk_err *err);

/* Resolve CGROUPS_PATH as runc does (absolute: below each hierarchy's
 * root; relative: below husk's own cgroup on v1 and below the parent of
 * husk's own cgroup on v2; NULL: the relative default "husk-ID"), create
 * the directories (remembering which it made), and apply RES (may be
 * NULL).  Every field of linux.resources is honoured or is an error
 * naming it and saying why ("linux.resources.cpu.realtimeRuntime: not
 * available on cgroup v2 (...)"), checked before any directory is made
 * where possible; a zero or default value asks for nothing and is never an
 * error (cgroup_res.c has the rules).  When the cgroup cannot be made
 * for lack of permission and RES asks for nothing, succeed with no cgroup
 * (*OUT is then a cgroup that does nothing; device rules do not count as
 * asking).  As an ordinary user, hierarchies it may not write that nothing
 * is asked of are left out; a limit asked where no cgroup is delegated to
 * the user is an error saying so and what to do.  Device rules
 * (RES->devices) are not applied here: hk_cgroup_set_devices() does, once
 * the cgroup exists (on v1 the rules are checked here already). */
int hk_cgroup_create(const char *cgroups_path, const char *id, const hk_resources *res,
                     hk_cgroup **out, hk_err *err);

/* hk_cgroup_create(), first telling NOTE (when not NULL) the path as
 * hk_cgroup_path() will give it (a leaf that exists already has its '='),
 * before any directory is made: a caller killed at any later point has a
 * record to destroy the cgroup from.  An error of NOTE ends the create. */
typedef int (*hk_cgroup_note_fn)(const char *path, void *arg, hk_err *err);
int hk_cgroup_create_noted(const char *cgroups_path, const char *id, const hk_resources *res,
                           hk_cgroup_note_fn note, void *note_arg, hk_cgroup **out, hk_err *err);

/* On pure v2: an O_DIRECTORY fd of the cgroup for clone3's
 * CLONE_INTO_CGROUP; -1 otherwise.  Owned by CG. */
int hk_cgroup_clone_fd(const hk_cgroup *cg);

/* Move PID into the cgroup (every hierarchy used). */
int hk_cgroup_enter(hk_cgroup *cg, pid_t pid, hk_err *err);

/* v1 and hybrid: let the container's first process move itself into CG.
 * hk_cgroup_open_tasks() opens the "tasks" file of each hierarchy for
 * writing (close-on-exec, kept in CG) in the process that made CG: -ENOTSUP
 * on v2 or with no hierarchy, the error of an open that fails (a
 * delegation may grant only cgroup.procs); nothing is left open then.  A
 * process that inherited them calls hk_cgroup_join_tasks(): it writes "0"
 * (itself, one thread: call it single-threaded) to each.  The kernel
 * moves the caller's thread without the global lock a cgroup.procs write
 * takes (a percpu rwsem whose writer may wait for an RCU grace period:
 * milliseconds on a busy host), and the process is in its cgroup before
 * it does anything.  hk_cgroup_close_tasks() closes CG's files. */
int hk_cgroup_open_tasks(hk_cgroup *cg, hk_err *err);
int hk_cgroup_join_tasks(const hk_cgroup *cg, hk_err *err);
void hk_cgroup_close_tasks(hk_cgroup *cg);

/* For `exec --cgroup`: a cgroup to hk_cgroup_enter() a process into,
 * made of sub-cgroups of CG named by ARGS (N of them, runc's
 * "[CONTROLLER[,CONTROLLER...]:]PATH").  PATH is below CG (a leading '/'
 * too, as runc); ".." is refused; the sub-cgroup must exist already (an
 * error naming it otherwise).  A PATH alone (then the only argument)
 * applies to every hierarchy; on v1 "memory:sub" moves the process only in
 * the hierarchy of memory (the others stay CG's), and a controller CG has
 * no hierarchy for is an error.  v2 has one cgroup for all controllers: a
 * CONTROLLER prefix is an error there (as runc: "unknown controller").
 * *OUT never removes anything; free it with hk_cgroup_free().  Messages
 * name the argument as "--cgroup ARG: ...". */
int hk_cgroup_sub(hk_cgroup *cg, char *const *args, size_t n, hk_cgroup **out, hk_err *err);

/* After the container has exited: did the OOM killer kill in it? */
bool hk_cgroup_oom_killed(hk_cgroup *cg);

/* The path as resolved, for the state file and hk_cgroup_load(); NULL for
 * a cgroup that does nothing.  On v2: "/a/b" (relative to the hierarchy
 * root).  On v1 and hybrid hosts a relative cgroupsPath resolves to a
 * different place in each hierarchy, so this is one line per hierarchy
 * used, "CONTROLLERS:/path" as in /proc/PID/cgroup without the id:
 * "memory:/process_api/abc/husk-x\npids:/husk-x". */
const char *hk_cgroup_path(const hk_cgroup *cg);

/* Re-open a cgroup made earlier, from what hk_cgroup_path() returned (NULL
 * or "": a cgroup that does nothing), so that a later process can list,
 * kill and destroy it.  Only the leaf directory of each hierarchy counts as
 * created by husk: hk_cgroup_destroy() then removes the leaf (and any
 * cgroups the container made below it) but never a directory above it,
 * even one hk_cgroup_create() had made.  A hierarchy whose leaf no longer
 * exists is left out (a delete killed half-way removed it); none left is
 * an error (-ENOENT). */
int hk_cgroup_load(const char *resolved_path, hk_cgroup **out, hk_err *err);

/* The processes in the cgroup (each hierarchy's cgroup.procs, without
 * duplicates); *PIDS is malloc'd (NULL when none).  A cgroup that does
 * nothing has none. */
int hk_cgroup_pids(hk_cgroup *cg, pid_t **pids, size_t *n, hk_err *err);

/* Which devices the processes of the cgroup may use, all in one call (on
 * v2 it is one eBPF program): as runc, "deny a", then RULES in order
 * (linux.resources.devices), then rwm on the NODES (linux.devices; fifos
 * are not devices to the cgroup), then runc's default allowed devices
 * (mknod of any node; null, zero, full, random, urandom, tty, ptmx, pts).
 * The rules mean what they mean to v1's devices.allow and devices.deny: an
 * "a" rule resets to allow or deny everything, other rules add to or take
 * away from the exceptions to that; a rule v1 would silently ignore
 * (taking away part of what an earlier wildcard rule grants: "deny c 1:3"
 * after "allow c *:*") is an error naming it, as in runc.
 * v1: written to devices.deny and devices.allow of the devices hierarchy.
 * v2: a BPF_PROG_TYPE_CGROUP_DEVICE program deciding as v1 would, attached
 * to the cgroup (a device program attached there before is replaced; the
 * cgroup's ancestors' programs still apply).
 * Calling it again replaces the policy.  The rules are checked, but
 * nothing is applied, for a cgroup that does nothing, as an ordinary user
 * (writing v1's lists and loading the v2 program take CAP_SYS_ADMIN, even
 * in a delegated cgroup) or as root of a user namespace the kernel refuses
 * (runc does not enforce devices rootless either). */
int hk_cgroup_set_devices(hk_cgroup *cg, const hk_device_rule *rules, size_t n_rules,
                          const hk_device *nodes, size_t n_nodes, hk_err *err);

/* Pause (FROZEN true) or resume every process of the cgroup, waiting
 * (bounded) until the kernel says it is done: v2 writes cgroup.freeze and
 * waits for "frozen 1" in cgroup.events; v1 writes freezer.state and
 * retries while it reads FREEZING, as runc does (thawing now and then).
 * Errors: a cgroup that does nothing, a v1 cgroup without a freezer
 * hierarchy (rootless: says to delegate one), "unable to freeze". */
int hk_cgroup_freeze(hk_cgroup *cg, bool frozen, hk_err *err);

/* Is the cgroup frozen (or being frozen)?  v2: cgroup.freeze is 1; v1:
 * freezer.state is FROZEN or FREEZING.  False for a cgroup that does
 * nothing. */
bool hk_cgroup_frozen(hk_cgroup *cg);

/* Apply RES to an existing cgroup (`update`): only the fields RES sets
 * (has_*; cpus/mems when non-empty; the device lists as given); as runc, a
 * memory limit, reservation, swap or kernel limit, cpu shares, quota,
 * period or realtime value, pids limit, blkio weight or leaf weight and
 * net_cls class of 0 leaves the value unchanged (-1: unlimited); burst and
 * idle of 0 set 0.  Device rules are not touched.  Values are checked as at
 * creation, before anything is written, and memory.checkBeforeUpdate
 * refuses a memory limit not above the current usage.  On v2 a controller
 * a field needs is enabled in the ancestors' subtree_control where
 * missing; on v1 a field whose hierarchy the cgroup is not in (net_cls,
 * net_prio, hugetlb and rdma are joined only when the config set one of
 * their fields) is an error naming the field.  swap without limit and
 * period without quota are completed from the cgroup's current values. */
int hk_cgroup_update(hk_cgroup *cg, const hk_resources *res, hk_err *err);

typedef struct hk_cg_mem_entry {
	uint64_t usage, max, limit, failcnt; /* bytes; limit UINT64_MAX: none */
} hk_cg_mem_entry;

typedef struct hk_cg_stat_kv {
	char *key;
	uint64_t value;
} hk_cg_stat_kv;

/* One line of a block IO table, as runc reports it: the device, the
 * operation ("Read", "Write", "Sync", "Async", "Discard", "Total"; "" in
 * the tables that have none, like sectors) and the value. */
typedef struct hk_cg_blkio_entry {
	uint64_t major, minor, value;
	char op[16];
} hk_cg_blkio_entry;

/* runc's block IO tables (cgroups.BlkioStats), in its order. */
enum hk_cg_blkio_table {
	HK_BLKIO_SERVICE_BYTES, /* bytes read and written */
	HK_BLKIO_SERVICED,      /* read and write operations */
	HK_BLKIO_QUEUED,
	HK_BLKIO_SERVICE_TIME,
	HK_BLKIO_WAIT_TIME,
	HK_BLKIO_MERGED,
	HK_BLKIO_TIME,
	HK_BLKIO_SECTORS,
	HK_BLKIO_N_TABLES,
};

/* Huge page usage for one page size. */
typedef struct hk_cg_hugetlb_entry {
	char size[16];    /* runc's name of the page size: "2MB", "1GB", "64KB" */
	uint64_t usage;   /* bytes */
	uint64_t max;     /* v1: the highest usage; v2: 0 (not kept) */
	uint64_t failcnt; /* allocations refused by the limit */
} hk_cg_hugetlb_entry;

/* Resource usage of a cgroup (hk_cgroup_stats()); 0 where unknown. */
typedef struct hk_cg_stats {
	struct {
		uint64_t total, user, kernel;                        /* ns */
		uint64_t periods, throttled_periods, throttled_time; /* time in ns */
	} cpu;
	struct {
		hk_cg_mem_entry usage;
		bool has_swap;
		hk_cg_mem_entry swap; /* memory + swap (v1's memsw; runc's on v2) */
		uint64_t cache;       /* page cache (memory.stat cache / file) */
		hk_cg_stat_kv *raw;   /* memory.stat as is */
		size_t n_raw;
		uint64_t oom;      /* v2: memory.events oom */
		uint64_t oom_kill; /* v2: memory.events oom_kill; v1: memory.oom_control */
	} memory;
	struct {
		uint64_t current, limit; /* limit 0: none */
	} pids;
	/* block IO, a table per enum hk_cg_blkio_table (most stay empty) */
	struct {
		hk_cg_blkio_entry *e[HK_BLKIO_N_TABLES];
		size_t n[HK_BLKIO_N_TABLES];
	} blkio;
	hk_cg_hugetlb_entry *hugetlb; /* one per page size the cgroup accounts */
	size_t n_hugetlb;
} hk_cg_stats;

/* Read the cgroup's usage: memory (usage, limit, max usage, failcnt,
 * swap, memory.stat), cpu (usage total/user/kernel, throttling), pids
 * (current, limit), OOM kills, block IO and huge pages.  Files that are
 * missing leave zeros (or empty tables).
 * Block IO as runc reads it: v1 the first of the BFQ, CFQ,
 * throttle-recursive and throttle file sets whose first file has entries
 * (recent kernels, 6.18 for one, keep the throttle counters only for
 * devices with a throttle rule); v2 io.stat's rbytes, wbytes, rios and
 * wios as the Read and Write lines of the service bytes and serviced
 * tables.
 * Huge pages: each size of /sys/kernel/mm/hugepages the cgroup has files
 * for (v1 hugetlb.SIZE.usage_in_bytes, max_usage_in_bytes and failcnt; v2
 * hugetlb.SIZE.current and the "max" of hugetlb.SIZE.events); none on a
 * hybrid host, whose hugetlb controller is on the cgroup2 mount (as runc).
 * Free with hk_cgroup_stats_free().  A cgroup that does nothing: an
 * error. */
int hk_cgroup_stats(hk_cgroup *cg, hk_cg_stats *out, hk_err *err);
void hk_cgroup_stats_free(hk_cg_stats *s);

/* The OOM-kill counter alone (cheap, for watching): -1 when unknown. */
long long hk_cgroup_oom_kills(hk_cgroup *cg);

/* Remove the cgroups hk_cgroup_create() made (as hk_cgroup_destroy) but
 * kill nothing: a leaf still holding processes after ~2 s is an error
 * (EBUSY) and stays. */
int hk_cgroup_remove_empty(hk_cgroup *cg, hk_err *err);
/* Kill what is left in the cgroup (a frozen one is thawed after the
 * SIGKILLs: on v1 they land only then), then remove the directories husk
 * created (never one it did not create), retrying on EBUSY with a bound.
 * Safe to call on a cgroup that does nothing. */
int hk_cgroup_destroy(hk_cgroup *cg, hk_err *err);
void hk_cgroup_free(hk_cgroup *cg);
static inline void hk_cgroup_freep(hk_cgroup **cg)
{
	if (*cg)
		hk_cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(hk_cgroup_freep)))

#endif
