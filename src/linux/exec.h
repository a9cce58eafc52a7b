/* exec.h - finding and executing the container's process. */
#ifndef HUSK_LINUX_EXEC_H
#define HUSK_LINUX_EXEC_H

#include <stddef.h>

#include "util/error.h"

/* Resolve ARG0 the way runc does: containing '/' -> used as is (must
 * exist and be executable); otherwise searched in PATH taken from ENV
 * (NULL-terminated "K=V" list; a default PATH when it has none).
 * Errors use runc's exact wording, which engines parse:
 *   exec: "foo": executable file not found in $PATH      (ENOENT)
 *   exec: "/foo": stat /foo: no such file or directory    (ENOENT)
 *   exec: "/etc": permission denied                       (EACCES)
 * OUT receives the path to execve. */
int hk_exec_lookup(const char *arg0, char *const *env, char *out, size_t outlen, hk_err *err);

/* Write the value to /proc/self/oom_score_adj. */
int hk_oom_score_adj_apply(int value, hk_err *err);

#endif
