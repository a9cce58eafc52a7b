/* run.h - run a container in the foreground: create it, relay the
 * terminal and signals, wait, report, clean up. */
#ifndef HUSK_RUNTIME_RUN_H
#define HUSK_RUNTIME_RUN_H

#include "runtime/container.h"
#include "runtime/lifecycle.h"

/* *EXIT_CODE is the container process's exit status (128+N when killed by
 * signal N), or -1 when it never ran.  An error after it ran (removing its
 * cgroup) is still returned, with *EXIT_CODE set.  PID_FILE (may be NULL)
 * receives its pid.  REG (NULL for a box): the container is recorded in
 * the state store while it runs, as `husk run` does (its id taken, so
 * that state, kill, ps and exec work on it; removed at the end).
 * poststart and poststop hooks run here. */
int hk_run_foreground(const hk_container_opts *o, const hk_create_opts *reg, const char *pid_file,
                      int *exit_code, hk_err *err);

#endif
