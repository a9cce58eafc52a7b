/* procfs.h - writes to /proc through a procfs that is verified to be one.
 *
 * A container's image or config can put anything at /proc: a directory of
 * fake files, a symlink, a volume mounted over /proc/sys or /proc/self/attr
 * (CVE-2019-16884, CVE-2019-19921, CVE-2025-52881).  Every write husk makes
 * under /proc (sysctl, oom_score_adj, LSM attributes, id maps, time
 * offsets) opens the procfs root first and checks it is the root of a real
 * proc mount, then opens the file beneath it without following any symlink
 * and without crossing into another mount.
 */
#ifndef HUSK_LINUX_PROCFS_H
#define HUSK_LINUX_PROCFS_H

#include <stddef.h>

#include "util/error.h"

/* An O_PATH fd of PATH (normally "/proc"), refused unless it is the root
 * directory of a procfs (statfs magic PROC_SUPER_MAGIC, root inode). */
int hk_procfs_open(const char *path, hk_err *err);

/* Open REL (e.g. "sys/net/ipv4/ip_forward", "self/oom_score_adj",
 * "thread-self/attr/exec", "1234/uid_map") beneath the procfs PROCFD with
 * FLAGS (O_CLOEXEC is added).  A leading "self/" or "thread-self/" is
 * replaced by what that procfs's own link names; after that no symlink is
 * followed and no mount point is crossed, so nothing mounted over a part of
 * /proc is ever written. */
int hk_procfs_openat(int procfd, const char *rel, int flags, hk_err *err);

/* Write BUF (LEN bytes, in one write) to REL beneath PROCFD. */
int hk_procfs_write(int procfd, const char *rel, const char *buf, size_t len, hk_err *err);

/* The id of the mount FD is on, as /proc/self/mountinfo numbers them:
 * statx's STATX_MNT_ID (5.8+), else the "mnt_id:" line of FD's fdinfo
 * (3.15+), read beneath the procfs PROCFD ("thread-self/fdinfo", else
 * "self/fdinfo") with the same checks as hk_procfs_openat.  PROCFD < 0:
 * the procfs at /proc (hk_procfs_open).  -errno when it cannot be known. */
long long hk_procfs_mount_id(int procfd, int fd);

/* Tests: false makes hk_procfs_openat use its fallback walk, as on a
 * kernel without openat2 (< 5.6). */
void hk_procfs_use_openat2(int on);

/* Tests: false makes mount ids come from fdinfo, as on a kernel without
 * STATX_MNT_ID (< 5.8). */
void hk_procfs_use_statx_mnt_id(int on);

#endif
