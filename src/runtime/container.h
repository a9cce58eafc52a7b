/* container.h - the one code path that creates containers.
 *
 * `run`, and later `create`, `exec` and `box`, all call
 * hk_container_create(); it returns once the container's process has
 * exec'd its program (or failed, in which case nothing is left behind). */
#ifndef HUSK_RUNTIME_CONTAINER_H
#define HUSK_RUNTIME_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "linux/cgroup.h"
#include "linux/rootfs.h"
#include "runtime/state.h"
#include "spec/spec.h"
#include "util/error.h"

typedef struct hk_container_opts {
	const char *id;
	const char *bundle; /* absolute path of the bundle directory */
	const hk_spec *spec;
	bool foreground; /* the container dies with husk (run) */
	/* husk box: the root filesystem is this overlay, mounted on root.path
	 * (an empty directory) in the container's mount namespace.  NULL for
	 * OCI bundles. */
	const hk_overlay *overlay;
	/* create: the container's process stops before its exec until
	 * `start` opens EXEC_FIFO (an O_PATH fd of ROOT/ID/exec.fifo), and
	 * hk_container_create() returns as soon as it waits there.  false:
	 * run (exec at once). */
	bool wait_start;
	int exec_fifo;
	/* --preserve-fds N: fds 3.. of husk stay open in the process, after
	 * the socket-activation ones when LISTEN_FDS (run, create: $LISTEN_FDS
	 * fds when $LISTEN_PID is husk's pid; the process then gets
	 * LISTEN_FDS=N LISTEN_PID=1 in its environment, as with runc). */
	unsigned preserve_fds;
	bool listen_fds;
	/* create: told the cgroup's path before it is made
	 * (hk_cgroup_create_noted), for a delete --force after husk was
	 * killed before its state was recorded.  NULL: not told. */
	hk_cgroup_note_fn note_cgroup;
	void *note_arg;
} hk_container_opts;

typedef struct hk_container {
	char *id;
	char *rootfs; /* absolute */
	const hk_spec *spec;
	pid_t pid;      /* the container's process, in husk's pid namespace */
	int pidfd;      /* -1 when the kernel has no pidfds */
	int pty_master; /* -1 without process.terminal */
	hk_cgroup *cgroup;
	/* wait_start: the sync socket, open until the container is recorded
	 * (hk_container_recorded); -1 otherwise */
	int sync;
} hk_container;

int hk_container_create(const hk_container_opts *o, hk_container **out, hk_err *err);

/* create: the container is in the state store; its process may wait for
 * `start` now.  Until this, a husk killed takes the process along (it
 * reads EOF): nothing unrecorded is left running, cgroup or not. */
int hk_container_recorded(hk_container *c, hk_err *err);

/* After the process has exited (and been reaped): OOM check is left to the
 * caller; this kills what is left and removes the cgroup. */
int hk_container_destroy(hk_container *c, hk_err *err);
/* A step after hk_container_create() failed: kill and reap the process,
 * remove the cgroup, free C.  Nothing is left. */
void hk_container_abort(hk_container *c);
/* hk_container_abort(), then, when its process had been started, the
 * poststop hooks with the state "stopped" (the lifecycle's steps 12-13
 * after a failed create, runtime.md); O: what C was created with. */
void hk_container_fail(hk_container *c, const hk_container_opts *o);
/* --pid-file: the container's pid, written atomically (temp + rename). */
int hk_container_write_pid_file(const hk_container *c, const char *path, hk_err *err);
void hk_container_free(hk_container *c);
/* The container's state as hooks get it on stdin (hooks.h), with STATUS;
 * malloc'd JSON, NULL when out of memory. */
char *hk_container_state_json(const hk_container *c, const hk_container_opts *o,
                              enum hk_status status);

/* $LISTEN_FDS when $LISTEN_PID is our pid (systemd socket activation),
 * else 0. */
unsigned hk_listen_fds(void);
/* Fds 3..3+N-1 must be open to be passed on; runc's wording otherwise:
 * "unable to stat preserved-fd 0 (of 2): bad file descriptor". */
int hk_check_preserved_fds(unsigned n, unsigned listen, hk_err *err);

/* The signals husk forwards to the container; blocked in husk while it
 * supervises, restored in the container before exec. */
void hk_forward_sigset(sigset_t *set);

#endif
