/* init.h - the container's side of creation (runs in the cloned child). */
#ifndef HUSK_RUNTIME_INIT_H
#define HUSK_RUNTIME_INIT_H

#include <signal.h>
#include <stdbool.h>

#include "linux/rootfs.h"
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
	int exec_fifo; /* -1, or wait on it before exec (create) */
	bool cgroup_early;
	bool setgroups_denied;
	/* set in the child from the GO message */ /* wait for cgroup placement before the
	                                              rootfs */
	sigset_t sigmask; /* husk's mask before it blocked the forwarded signals */
} hk_init_ctx;

/* Never returns: execs the container's process or reports the error to
 * the parent and exits. */
__attribute__((noreturn)) void hk_init_main(const hk_init_ctx *ctx);

#endif
