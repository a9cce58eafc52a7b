/* rootfs.h - the container's root filesystem and its mounts.
 *
 * All run in the container's child, in its new mount namespace.  Order
 * (called by the init sequence, runtime/init.c):
 *   hk_rootfs_prepare -> hk_mounts_apply -> (devices) -> hk_rootfs_pivot
 *   -> (masked/readonly paths, sysctl) -> hk_rootfs_finalize
 */
#ifndef HUSK_LINUX_ROOTFS_H
#define HUSK_LINUX_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/types.h"
#include "util/error.h"

/* A copy-on-write root filesystem (husk box): overlayfs with LOWER
 * read-only below and UPPER and WORK (directories of one filesystem)
 * receiving what the container writes.  Mounted nodev in the container's
 * mount namespace, so it goes away with the container. */
typedef struct hk_overlay {
	const char *lower;
	const char *upper;
	const char *work;
} hk_overlay;

/* Make the whole mount tree private (or rslave/rshared... as
 * rootfsPropagation says, applied to "/" recursively: default rprivate,
 * then later hk_rootfs_finalize sets the final propagation), bind-mount
 * ROOTFS (absolute path) onto itself (recursively) -- or, with OVERLAY,
 * mount that overlay on it (with "userxattr" IN_USERNS, as overlayfs in a
 * user namespace needs) -- and return an O_PATH directory fd of it in
 * *ROOTFD. */
int hk_rootfs_prepare(const char *rootfs, const char *propagation, const hk_overlay *overlay,
                      bool in_userns, int *rootfd, hk_err *err);

/* Open PATH (absolute or relative, as seen inside the container) below
 * ROOTFD, never leaving it: symlinks and ".." are resolved as if ROOTFD
 * were "/" (openat2 RESOLVE_IN_ROOT, with a userspace walk for kernels
 * without openat2).  Returns an O_PATH|O_CLOEXEC fd or -errno.  When
 * MKDIR is set, missing components are created as directories (0755);
 * when MKFILE is also set the last one is created as an empty file. */
int hk_resolve_in_root(int rootfd, const char *path, bool mkdir_missing, bool mkfile_last,
                       hk_err *err);

/* PATH below ROOTFD as hk_resolve_in_root() finds it, but its last
 * component not followed (a symlink there is returned as the symlink):
 * openat2 only; -ENOSYS without it (or with the walk forced), -errno. */
int hk_resolve_in_root_nofollow(int rootfd, const char *path);

/* Apply every entry of `mounts` in order, targets resolved inside the
 * rootfs (created when missing: a directory, or a file when the source is
 * a file).  IN_USERNS: keep the locked flags (nosuid, nodev, noexec,
 * atime) of bind sources on remount, as the kernel requires.  CGROUPNS:
 * the container has a cgroup namespace of its own; without one, a cgroup
 * mount on a v1 host shows the process's own cgroups (it must be in them
 * by now).  Error messages name the entry: "mounts[3] (tmpfs on
 * /mytemp): ...". */
int hk_mounts_apply(int rootfd, const hk_mount *mounts, size_t n, bool in_userns, bool cgroupns,
                    hk_err *err);

/* The SELinux context (linux.mountLabel, from hk_lsm_mount_label()) that
 * hk_mounts_apply() gives the filesystems it mounts from here on: as
 * context="LABEL" in their data (runc's label.FormatMountLabel), for
 * every type but binds, proc, sysfs and cgroup2, which take none (mqueue
 * is mounted again without it when an older kernel refuses it).  NULL:
 * none. */
void hk_mounts_set_label(const char *label);

/* Before the clone of a container with a user namespace: a detached copy
 * (open_tree) of each bind source of MOUNTS, made by husk's own process,
 * where the container's may not reach it; hk_mounts_apply() in the
 * container's process attaches the copy of an entry whose source it may
 * not reach (EACCES) instead.  PROPAGATION: linux.rootfsPropagation (the
 * copies follow the host's mounts when it does).  What cannot be copied
 * is left to the container's process (mount_sources.c).
 * hk_mounts_close_sources() lets the copies go (husk's process, after the
 * clone). */
int hk_mounts_open_sources(const hk_mount *mounts, size_t n, const char *propagation, hk_err *err);
void hk_mounts_close_sources(void);

/* How hk_mounts_apply() has an idmapped bind idmapped: FN(ARG, I, TREE,
 * ERR) gives TREE, a detached copy of mounts[I]'s source, its mappings
 * (the container's child asks husk, which has the privileges:
 * hk_idmap_mount_set); 0 or -errno with ERR filled.  Without one (NULL,
 * the default), idmapped mounts fail. */
typedef int (*hk_idmapper)(void *arg, size_t i, int tree, hk_err *err);
void hk_mounts_set_idmapper(hk_idmapper fn, void *arg);

/* The mount options hk_mounts_apply() understands (flags, propagation,
 * recursive ones), for `husk features`: up to MAX names into OUT; returns
 * how many there are. */
size_t hk_mount_option_names(const char **out, size_t max);

/* pivot_root into ROOTFD's directory and detach the old root. */
int hk_rootfs_pivot(int rootfd, hk_err *err);

/* After pivot_root: remount / read-only when READONLY, then set the
 * final propagation of / from PROPAGATION (NULL: leave rprivate). */
int hk_rootfs_finalize(bool readonly, const char *propagation, hk_err *err);

/* After pivot_root: linux.maskedPaths (a directory gets an empty
 * read-only tmpfs, anything else /dev/null bound over it; missing paths
 * are skipped) and linux.readonlyPaths (bind-mounted read-only onto
 * themselves, recursively; missing ones skipped). */
int hk_paths_mask(char *const *paths, size_t n, hk_err *err);
int hk_paths_readonly(char *const *paths, size_t n, hk_err *err);

/* After pivot_root: write each linux.sysctl key to /proc/sys
 * ("net.ipv4.ip_forward" -> /proc/sys/net/ipv4/ip_forward). */
int hk_sysctl_apply(const hk_kv *kv, size_t n, hk_err *err);

/* Before anything is created: only sysctls that belong to a namespace the
 * container has of its own (as runc): kernel.msg{max,mnb,mni}, kernel.sem,
 * kernel.shm{all,max,mni,_rmid_forced} and fs.mqueue.* with a new ipc
 * namespace, net.* with a new network namespace, kernel.hostname and
 * kernel.domainname with a new uts namespace.  Anything else would change
 * the host: "linux.sysctl \"kernel.core_pattern\": not namespaced ...". */
int hk_sysctl_check(const hk_kv *kv, size_t n, bool new_ipc, bool new_net, bool new_uts,
                    hk_err *err);

/* Internal to the rootfs layer (rootfs.c, mounts.c, paths.c) and its
 * tests. */

/* Clone the mount tree at DIRFD/PATH (PATH "": DIRFD itself), with what is
 * below it when RECURSIVE, and attach it on the O_PATH fd TARGET
 * (open_tree + move_mount: nothing looked up by name).  Returns the new
 * mount's fd, -ENOSYS on kernels without the new mount API (< 5.2) or
 * when open_tree is refused (EPERM: a seccomp profile husk runs under) --
 * the caller mounts by name then --, else -errno. */
int hk_mount_clone_onto(int dirfd, const char *path, bool recursive, int target);

/* FLAGS (MS_* for a MS_BIND|MS_REMOUNT) plus the flags of the mount at
 * PATH that such a remount must keep: nosuid, nodev, noexec and, when
 * FLAGS names no atime flag, the atime ones (in a user namespace they
 * are locked and dropping them fails with EPERM). */
unsigned long hk_mount_keep_flags(const char *path, unsigned long flags);

/* Testing: false makes hk_resolve_in_root skip openat2 and use its
 * userspace walk, as on kernels without openat2. */
void hk_resolve_use_openat2(bool on);

#endif
