/* init.h - the container's side of creation (runs in the cloned child),
 * and the process setup it shares with exec (runtime/exec.c). */
#ifndef HUSK_RUNTIME_INIT_H
#define HUSK_RUNTIME_INIT_H

#include <signal.h>
#include <stdint.h>
#include <stdbool.h>

#include "linux/cgroup.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "spec/spec.h"

typedef struct hk_init_ctx {
	const hk_spec *spec;
	const char *rootfs;
	const hk_overlay *overlay; /* NULL: ROOTFS bound onto itself */
	int sync;                  /* child end of the sync socket */
	bool joins;                /* slow path: namespaces joined/created in the child */
	unsigned long unshare;     /* slow path: CLONE_NEW* to unshare in the child */
	bool userns_new;           /* a new user namespace */
	bool must_fork;            /* slow path: fork into the pid/time namespace */
	bool foreground;
	/* foreground run without process.consoleSize: the caller's terminal
	 * size, set on the pty before the program runs (0: none) */
	unsigned short tty_rows, tty_cols;
	int exec_fifo;     /* -1, or wait on it before exec (create) */
	bool cgroup_early; /* wait for cgroup placement before the rootfs */
	/* v1: the child enters CGROUP itself, first (hk_cgroup_join_tasks) */
	bool self_join;
	const hk_cgroup *cgroup;
	bool in_cgroup;        /* set in the child: clone3 put it in the cgroup (v2) */
	bool setgroups_denied; /* set in the child from the GO message */
	sigset_t sigmask;      /* husk's mask before it blocked the forwarded signals */
	uint64_t ignored;      /* signals husk ignores, bit SIG-1 (hk_init_ignored_signals) */
	unsigned preserve_fds; /* fds 3..3+N-1 stay open in the process */
	unsigned listen_fds;   /* of them, socket activation: LISTEN_FDS=N LISTEN_PID=1 */
	bool hooks; /* prestart, createRuntime, createContainer or startContainer hooks */
	const hk_seccomp_prog *seccomp; /* linux.seccomp compiled, or NULL */
} hk_init_ctx;

/* Never returns: execs the container's process or reports the error to
 * the parent and exits. */
__attribute__((noreturn)) void hk_init_main(const hk_init_ctx *ctx);

/* The steps every container process takes before its exec, shared by the
 * container's init and exec. */

/* Keep fds 3..3+PRESERVE_FDS-1 for the program (close-on-exec cleared);
 * mark every other fd from 3 up close-on-exec. */
void hk_init_fds(unsigned preserve_fds);
/* Does the user namespace we are in allow setgroups(2)? */
bool hk_init_setgroups_allowed(void);
/* The signals this process ignores (SIG_IGN, e.g. inherited from husk's
 * caller), from its own /proc/self/status before any container exists;
 * every signal when that cannot be read.  Bit SIG-1 for signal SIG, the
 * C library's own (32, 33) included.  Handlers need no reset: execve makes
 * them default, and keeps only what is ignored. */
uint64_t hk_init_ignored_signals(void);
/* Default handlers for the signals in IGNORED (hk_init_ignored_signals),
 * MASK as the signal mask. */
void hk_init_reset_signals(uint64_t ignored, const sigset_t *mask);
/* In the container's mount namespace, its root in place: rlimits,
 * oomScoreAdj, the AppArmor profile and SELinux label for the exec
 * (through the container's /proc), capabilities, the user switch,
 * noNewPrivileges, umask, chdir to cwd (which must stay inside the root),
 * the environment (HOME from the container's /etc/passwd when unset;
 * EXTRA_ENV, NULL-terminated or NULL, appended) into *ENVP, and the
 * executable's path into PATH (runc's wording: exec: "foo": executable
 * file not found in $PATH).  Without noNewPrivileges, the SECCOMP filter
 * (NULL: none) goes in first, before the capabilities drop: seccomp(2)
 * then needs CAP_SYS_ADMIN (as runc); with it, the caller installs it
 * last (hk_init_seccomp). */
int hk_init_process(const hk_process *p, const hk_seccomp_prog *seccomp, int sync,
                    bool setgroups_denied, const char *const *extra_env, char *path, size_t pathlen,
                    char ***envp, hk_err *err);
/* Install SECCOMP (NULL: nothing to do) and send its notify fd, if any,
 * to husk over SYNC (HK_SYNC_SECCOMP) for the seccomp agent.  The process
 * goes on at once, as with runc: a syscall for the agent waits until the
 * agent has the fd.  With noNewPrivileges, call it just before READY: the
 * fewer syscalls of husk's under the filter, the fewer a profile must
 * allow, and husk still hears of a failure. */
int hk_init_seccomp(const hk_seccomp_prog *seccomp, int sync, hk_err *err);
/* execve(); when it fails the error (runc's wording) goes over SYNC and
 * the process exits 127 (not found) or 126. */
__attribute__((noreturn)) void hk_init_exec(int sync, const char *path, char *const *args,
                                            char *const *envp);

#endif
