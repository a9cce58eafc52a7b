/* fs.h - small file helpers used by every layer. */
#ifndef HUSK_UTIL_FS_H
#define HUSK_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Write LEN bytes of DATA to PATH (relative to DIRFD; AT_FDCWD for cwd),
 * opened O_WRONLY|O_CLOEXEC (O_CREAT|O_TRUNC when CREATE).  One write()
 * call, as cgroup and proc files need.  Error message names PATH. */
int hk_write_file_at(int dirfd, const char *path, const char *data, size_t len, int create,
                     hk_err *err);
int hk_write_file(const char *path, const char *data, hk_err *err);

/* Read a whole (small or proc/sysfs) file; *OUT is NUL-terminated and must
 * be freed.  LEN_OUT may be NULL. */
int hk_read_file_at(int dirfd, const char *path, char **out, size_t *len_out, hk_err *err);
int hk_read_file(const char *path, char **out, size_t *len_out, hk_err *err);

/* realpath(PATH, NULL); for an absolute PATH in three system calls (the
 * kernel's name of PATH opened, from /proc/self/fd) instead of a readlink
 * per component, with the C library's realpath() where /proc cannot say.
 * NULL with errno set. */
char *hk_realpath(const char *path);

/* mkdir -p PATH with MODE for created components.  An existing PATH is
 * taken as it is, whatever it is (no stat on the common path): callers
 * find out when they use it (stat, O_DIRECTORY, ENOTDIR below it). */
int hk_mkdir_p(const char *path, mode_t mode, hk_err *err);

/* Read the first unsigned/signed integer in a file; -errno on failure
 * (no message), for best-effort reads of proc and cgroup files. */
int hk_read_u64_at(int dirfd, const char *path, unsigned long long *out);

/* close_range(FIRST, LAST, FLAGS): close the fds FIRST..LAST, or with
 * FLAGS CLOSE_RANGE_CLOEXEC mark them close-on-exec.  Where the kernel
 * lacks it (close_range: 5.9, CLOSE_RANGE_CLOEXEC: 5.11) or a seccomp
 * filter refuses it, the same is done fd by fd: those listed in
 * /proc/self/fd when that is a procfs, else every fd below the
 * RLIMIT_NOFILE soft limit, the hard one up to 65536, and never past
 * 1 << 20 (the default fs.nr_open; see fs.c for why).  Never fails;
 * allocates nothing (usable in a forked or cloned child). */
void hk_close_range(unsigned first, unsigned last, unsigned flags);

/* For the unit tests: SKIP 0 = as above; 1 = skip the system call (the
 * /proc/self/fd walk); 2 = skip the system call and /proc (the loop). */
void hk_close_range_skip(int skip);

#endif
