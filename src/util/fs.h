/* fs.h - small file helpers used by every layer. */
#ifndef HUSK_UTIL_FS_H
#define HUSK_UTIL_FS_H

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

/* mkdir -p PATH with MODE for created components. */
int hk_mkdir_p(const char *path, mode_t mode, hk_err *err);

/* Read the first unsigned/signed integer in a file; -errno on failure
 * (no message), for best-effort reads of proc and cgroup files. */
int hk_read_u64_at(int dirfd, const char *path, unsigned long long *out);

#endif
