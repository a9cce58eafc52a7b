/* run.h - run a container in the foreground: create it, relay the
 * terminal and signals, wait, report, clean up. */
#ifndef HUSK_RUNTIME_RUN_H
#define HUSK_RUNTIME_RUN_H

#include "runtime/container.h"

/* *EXIT_CODE is the container process's exit status (128+N when killed by
 * signal N), or -1 when it never ran.  An error after it ran (removing its
 * cgroup) is still returned, with *EXIT_CODE set.  PID_FILE (may be NULL)
 * receives its pid. */
int hk_run_foreground(const hk_container_opts *o, const char *pid_file, int *exit_code,
                      hk_err *err);

#endif
