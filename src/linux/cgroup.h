/* cgroup.h - the container's cgroup, on v1, hybrid and pure v2 hosts.
 *
 * This layer knows nothing of containers beyond a path and resources: it
 * could become a library of its own.  cgroup.c detects the layout and
 * resolves paths; cgroup_v1.c and cgroup_v2.c write the files. */
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

/* Kill what is left in the cgroup, then remove the directories husk
 * created (never one it did not create), retrying on EBUSY with a bound.
 * Safe to call on a cgroup that does nothing. */
int hk_cgroup_destroy(hk_cgroup *cg, hk_err *err);
void hk_cgroup_free(hk_cgroup *cg);

#endif
