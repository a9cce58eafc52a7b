/* cgroup.h - the container's cgroup, on v1, hybrid and pure v2 hosts.
 *
 * This layer knows nothing of containers beyond a path and resources: it
 * could become a library of its own.  cgroup.c detects the layout and
 * resolves paths; cgroup_v1.c and cgroup_v2.c write the files;
 * cgroup_ctl.c freezes and updates an existing cgroup; cgroup_stats.c
 * reads its usage. */
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

/* Resolve CGROUPS_PATH as runc does (absolute: below each hierarchy's
 * root; relative: below husk's own cgroup on v1 and below the parent of
 * husk's own cgroup on v2; NULL: the relative default "husk-ID"), create
 * the directories (remembering which it made), and apply RES (may be
 * NULL).  A resource the host cannot honour is an error naming the field
 * ("linux.resources.memory.limit: ...").  When the cgroup cannot be made
 * for lack of permission and RES asks for nothing, succeed with no cgroup
 * (*OUT is then a cgroup that does nothing; device rules do not count as
 * asking).  As an ordinary user, hierarchies it may not write that nothing
 * is asked of are left out (device rules are then not applied); a limit
 * asked where no cgroup is delegated to the user is an error saying so
 * and what to do.  Device rules (linux.resources.devices) are applied on v1 as
 * "deny a", the rules in order, then runc's default allowed devices (null,
 * zero, full, random, urandom, tty, ptmx, pts, mknod of any); on v2 they
 * are accepted but not enforced yet (that needs an eBPF program). */
int hk_cgroup_create(const char *cgroups_path, const char *id, const hk_resources *res,
                     hk_cgroup **out, hk_err *err);

/* On pure v2: an O_DIRECTORY fd of the cgroup for clone3's
 * CLONE_INTO_CGROUP; -1 otherwise.  Owned by CG. */
int hk_cgroup_clone_fd(const hk_cgroup *cg);

/* Move PID into the cgroup (every hierarchy used). */
int hk_cgroup_enter(hk_cgroup *cg, pid_t pid, hk_err *err);

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
 * even one hk_cgroup_create() had made.  A leaf that no longer exists is
 * an error (-ENOENT). */
int hk_cgroup_load(const char *resolved_path, hk_cgroup **out, hk_err *err);

/* The processes in the cgroup (each hierarchy's cgroup.procs, without
 * duplicates); *PIDS is malloc'd (NULL when none).  A cgroup that does
 * nothing has none. */
int hk_cgroup_pids(hk_cgroup *cg, pid_t **pids, size_t *n, hk_err *err);

/* Allow a device on top of linux.resources.devices (for the linux.devices
 * nodes, as runc does): TYPE 'c', 'b' or 'a', MAJOR/MINOR -1 for any,
 * ACCESS a subset of "rwm" (NULL: "rwm").  v1 only; a no-op on v2 (no
 * device enforcement there yet) and on a cgroup that does nothing. */
int hk_cgroup_allow_device(hk_cgroup *cg, char type, int64_t major, int64_t minor,
                           const char *access, hk_err *err);

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
 * (has_*; cpus/mems when non-empty); as runc, a limit, reservation, swap,
 * shares, quota, period or pids limit of 0 leaves the value unchanged
 * (-1: unlimited).  Device rules are not touched.  A field the cgroup code
 * does not support is an error naming it, as at creation.  On v2 a
 * controller a field needs is enabled in the ancestors' subtree_control
 * where missing; on v1 a field whose hierarchy the cgroup is not in is an
 * error naming the field.  swap without limit and period without quota
 * are completed from the cgroup's current values. */
int hk_cgroup_update(hk_cgroup *cg, const hk_resources *res, hk_err *err);

typedef struct hk_cg_mem_entry {
	uint64_t usage, max, limit, failcnt; /* bytes; limit UINT64_MAX: none */
} hk_cg_mem_entry;

typedef struct hk_cg_stat_kv {
	char *key;
	uint64_t value;
} hk_cg_stat_kv;

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
} hk_cg_stats;

/* Read the cgroup's usage: memory (usage, limit, max usage, failcnt,
 * swap, memory.stat), cpu (usage total/user/kernel, throttling), pids
 * (current, limit), OOM kills.  Files that are missing leave zeros.  Free
 * with hk_cgroup_stats_free().  A cgroup that does nothing: an error. */
int hk_cgroup_stats(hk_cgroup *cg, hk_cg_stats *out, hk_err *err);
void hk_cgroup_stats_free(hk_cg_stats *s);

/* The OOM-kill counter alone (cheap, for watching): -1 when unknown. */
long long hk_cgroup_oom_kills(hk_cgroup *cg);

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
