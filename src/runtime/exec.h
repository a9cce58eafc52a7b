/* exec.h - `husk exec`: a new process in a container that exists, as
 * `runc exec` does it.  (linux/exec.h is the lookup of the executable.) */
#ifndef HUSK_RUNTIME_EXEC_H
#define HUSK_RUNTIME_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/types.h"
#include "util/error.h"

typedef struct hk_exec_opts {
	const char *root; /* state root (hk_state_root()) */
	const char *id;
	/* -p FILE: the process object in FILE, used as is (its terminal
	 * decides the tty).  NULL: the container's own process (from the
	 * config it was created from) with the changes below. */
	const char *process_file;
	char **args; /* the command (required without -p) */
	size_t n_args;
	char **env; /* "K=V": replaces K when the process has it, else added */
	size_t n_env;
	const char *cwd; /* absolute; NULL: unchanged */
	bool has_uid, has_gid;
	uint32_t uid, gid;
	uint32_t *gids; /* added to additionalGids */
	size_t n_gids;
	char **caps; /* added to the bounding, effective and permitted sets (and
	                ambient when inheritable is not empty), as runc */
	size_t n_caps;
	bool tty;          /* process.terminal (false without it, as runc) */
	bool no_new_privs; /* true: set; false: as in the config */
	/* either way */
	bool detach;                /* return once the process has exec'd */
	bool ignore_paused;         /* exec into a paused container */
	const char *pid_file;       /* may be NULL: the process's host pid */
	const char *console_socket; /* with detach and a terminal */
	unsigned preserve_fds;      /* fds 3..3+N-1 passed on */
	/* --apparmor, --process-label: the process's AppArmor profile and
	 * SELinux label (also with -p).  NULL or "": the process's own, else
	 * the container's (as runc: an exec never runs less confined than
	 * the container by leaving them out) */
	const char *apparmor;
	const char *process_label;
	/* --cgroup: sub-cgroups of the container's to run in instead of its
	 * own, runc's "[CONTROLLER:]PATH" (hk_cgroup_sub()) */
	char **cgroups;
	size_t n_cgroups;
} hk_exec_opts;

/* Start the process in the container's namespaces and cgroup (or the
 * existing sub-cgroups of it that CGROUPS name), as its configured user,
 * and
 *   detach: return once it has exec'd (its pty master sent to
 *     CONSOLE_SOCKET when it has a terminal); *EXIT_CODE is 0;
 *   else: supervise it as `husk run` does (signals forwarded, pty
 *     relayed); *EXIT_CODE is its exit status (128+N when killed by
 *     signal N).
 * *EXIT_CODE is -1 when it never ran.  Errors: the container does not
 * exist, is stopped ("cannot exec in a stopped container"), is paused
 * (unless IGNORE_PAUSED), a --cgroup argument is wrong or names no
 * existing cgroup, a step of the setup failed (the message names it), or
 * the exec failed (runc's wording: exec: "foo": executable file
 * not found in $PATH). */
int hk_exec(const hk_exec_opts *o, int *exit_code, hk_err *err);

/* The process to run (exec_process.c): O's -p FILE, or SPEC's process
 * (moved into *P) with O's changes; its labels; O's terminal options
 * checked.  Messages name the option or file at fault. */
int hk_exec_process(const hk_exec_opts *o, hk_spec *spec, hk_process *p, hk_err *err);

#endif
