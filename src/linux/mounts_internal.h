/* mounts_internal.h - what mounts.c shares with mounts_cgroup.c,
 * mount_sources.c and rootfs.c. */
#ifndef HUSK_LINUX_MOUNTS_INTERNAL_H
#define HUSK_LINUX_MOUNTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* The copy of mounts[I]'s bind source hk_mounts_open_sources() made, for
 * the caller to attach and close; -1 when there is none
 * (mount_sources.c). */
int hk_mount_source_take(size_t i);

/* MS_* propagation flags for a rootfsPropagation value (NULL or "": the
 * default, rprivate); 0 when unknown (rootfs.c). */
unsigned long hk_rootfs_propagation(const char *p);

/* "/proc/self/fd/FD" in BUF (LEN bytes); returns BUF. */
const char *hk_mnt_fd_path(char *buf, size_t len, int fd);

/* Remount the bind mount at the path P (or fd TOP) with FLAGS, keeping
 * the locked flags in a user namespace (and retrying with them on EPERM
 * elsewhere); CLEARED: flags the config clears, never kept. */
int hk_mnt_bind_remount_path(const char *p, unsigned long flags, unsigned long cleared,
                             bool in_userns, hk_err *err);
int hk_mnt_bind_remount(int top, unsigned long flags, unsigned long cleared, bool in_userns,
                        hk_err *err);

/* Bind SRC onto the resolved target fd TARGET (DEST in the rootfs
 * ROOTFD), remounted with FLAGS; *TOP_OUT (may be NULL) gets the new
 * mount or -1.  In a user namespace an "ro" rbind makes the cgroup mounts
 * below it read-only too (CVE-2023-25809). */
int hk_mnt_bind(int rootfd, const char *src, int target, const char *dest, unsigned long flags,
                unsigned long cleared, bool in_userns, int *top_out, hk_err *err);

/* Mount a filesystem of TYPE from SRC onto fd TARGET; DATA may be "". */
int hk_mnt_fs_mount(const char *src, int target, const char *type, unsigned long flags,
                    const char *data, hk_err *err);

/* The config's `cgroup` mount onto fd TARGET (DEST): on a v1 or hybrid
 * host a tmpfs with the container's cgroup of each hierarchy bound in it
 * (a fresh mount of each with CGROUPNS, the container's own cgroup
 * namespace), on a pure v2 host a cgroup2 mount; LABEL: the SELinux
 * mount context of the tmpfs, or NULL (mounts_cgroup.c). */
int hk_mount_cgroup(int rootfd, int target, const char *dest, unsigned long flags, bool in_userns,
                    bool cgroupns, const char *label, hk_err *err);

#endif
