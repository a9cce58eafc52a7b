/* namespaces.h - creating and joining namespaces, and id maps. */
#ifndef HUSK_LINUX_NAMESPACES_H
#define HUSK_LINUX_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/types.h"
#include "util/error.h"

/* CLONE_NEW* flag of a namespace type. */
unsigned long hk_ns_clone_flag(enum hk_ns_type type);

/* clone3() with FLAGS (CLONE_NEW* ...), into the cgroup CGROUP_FD when
 * >= 0 (CLONE_INTO_CGROUP), a pidfd in *PIDFD when PIDFD is not NULL.
 * Returns the pid in the parent, 0 in the child, -errno on failure (an
 * ENOSYS/EINVAL from old kernels is retried without CLONE_INTO_CGROUP and
 * then with plain clone(); *INTO_CGROUP says whether it was used). */
pid_t hk_clone(unsigned long flags, int cgroup_fd, int *pidfd, bool *into_cgroup);

/* Is PID's namespace NAME (as /proc/PID/ns names it) ours: 1; another:
 * 0; unknown (PID gone, no such namespace, no access): -1. */
int hk_ns_is_ours(pid_t pid, const char *name);

/* Join the namespace at PATH (setns), checking it is of TYPE.  Error:
 * "linux.namespaces: join network namespace /x: ..." */
int hk_ns_join(enum hk_ns_type type, const char *path, hk_err *err);

/* M (N entries) as uid_map/gid_map text ("cid hid size\n" each) into BUF;
 * its length, or -E2BIG when BUF is too small. */
int hk_idmap_format(const hk_idmap *m, size_t n, char *buf, size_t len);

/* Whether the user namespace of PID (0: the caller) denies setgroups(2)
 * ("deny" in /proc/PID/setgroups, read through a verified procfs); when
 * that cannot be read, false: setgroups is tried and the kernel answers. */
bool hk_userns_setgroups_denied(pid_t pid);

/* Write /proc/PID/uid_map and gid_map.  As root: written directly.  As an
 * ordinary user: a single mapping of the user's own ids is written
 * directly (after "deny" to setgroups); anything else goes through the
 * setuid helpers newuidmap/newgidmap.  *SETGROUPS_DENIED tells whether
 * setgroups(2) is now denied in the namespace. */
int hk_userns_write_maps(pid_t pid, const hk_idmap *uids, size_t n_uids, const hk_idmap *gids,
                         size_t n_gids, bool *setgroups_denied, hk_err *err);

/* /proc/self/timens_offsets for a time namespace not yet entered. */
int hk_timens_write_offsets(const hk_time_offset *monotonic, const hk_time_offset *boottime,
                            hk_err *err);

/* Every process in the pid namespace of INIT (the processes of a
 * container that has no cgroup: rootless), found through the host's
 * /proc; none when INIT is gone.  -ENOTSUP when INIT shares husk's pid
 * namespace or is not pid 1 of its own (a joined namespace holds other
 * containers' processes): the namespace says nothing then.  The caller
 * makes sure INIT is still the container's process. */
int hk_pidns_members(pid_t init, pid_t **pids, size_t *n, hk_err *err);

/* Send SIG to every process in the pid namespace of INIT, each through a
 * pidfd after its namespace is checked again; -ENOTSUP as
 * hk_pidns_members().  Processes gone meanwhile are no error. */
int hk_pidns_signal(pid_t init, int sig, hk_err *err);

/* PID as its innermost pid namespace sees it (the last NSpid field of
 * its /proc status); 0 when unknown. */
pid_t hk_pid_innermost(pid_t pid);

#endif
