/* exec.c - `husk exec`: a new process in an existing container.
 *
 *   husk (holds the state lock)          intermediate            process
 *   1. state: not stopped, not paused
 *   2. the process to run: -p FILE, or
 *      the container's own with changes;
 *      the container's seccomp filter
 *   3. pidfd of the container's init
 *      (without one: its /proc/PID/ns/
 *      files that differ from ours),
 *      init still alive
 *   4. fork ------------------------>   not dumpable; join the
 *                                       container's cgroup or the
 *                                       --cgroup sub-cgroups (host
 *                                       credentials); one setns on
 *                                       the pidfd (the config's
 *                                       namespaces and any other
 *                                       not ours), else by the
 *                                       files: user, the others,
 *                                       mnt last;
 *                                       clone(CLONE_PARENT) ---->  (husk's child, in
 *   5. <- PID; reap the intermediate    <- PID, exit               the pid and time
 *      GO ------------------------------------------------------>  namespaces)
 *                                                                  setsid, pty (-> PTY),
 *                                                                  fds, rlimits, caps,
 *                                                                  user, cwd, env, path,
 *                                                                  seccomp (as init.c;
 *      SECCOMP: the notify fd to the agent <--------------------  a notify fd -> SECCOMP)
 *   6. READY, then EOF (exec'd) or   <---------------------------  READY; execve
 *      ERROR (then nothing is left)
 *   7. pid file; lock released; detached: pty to --console-socket, done;
 *      else supervise (supervise.c) and exit with its status.
 *
 * That is the way with a user namespace to join (only a process inside it
 * may enter its pid namespace, and then only for its children).  Without
 * one (and with a pidfd), husk enters the container's pid namespace for
 * its children itself, forks the process directly and goes back: the
 * process does the intermediate's part, then its own; no PID message
 * (fork_direct).
 *
 * Nothing of husk's reaches the process: every fd but stdio and the
 * preserved ones is close-on-exec, and it stays non-dumpable until its
 * exec, so that nothing in the container can ptrace it or open its
 * /proc files while it still holds husk's (CVE-2016-9962). */
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/exec.h"
#include "linux/cgroup.h"
#include "linux/namespaces.h"
#include "linux/seccomp_filter.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "runtime/container.h"
#include "runtime/init.h"
#include "runtime/state.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The order of joining: user first (it gives us the rights over the
 * others), mount last (after it, the container's root is ours). */
static const struct {
	enum hk_ns_type type;
	const char *name; /* in /proc/PID/ns */
} join_order[] = {
    {HK_NS_USER, "user"},     {HK_NS_IPC, "ipc"}, {HK_NS_UTS, "uts"},   {HK_NS_NETWORK, "net"},
    {HK_NS_CGROUP, "cgroup"}, {HK_NS_PID, "pid"}, {HK_NS_TIME, "time"}, {HK_NS_MOUNT, "mnt"},
};

typedef struct exec_ctx {
	const hk_process *p;
	/* the container's init (5.3+; -1 without); with ns_flags (5.8+) the
	 * intermediate (or the process, fork_direct) joins the container's
	 * namespaces at once, with one setns() on it, else (or when that is
	 * refused) one by one by the files in ns */
	int pidfd;
	int ns_flags;
	int ns[HK_ARRAY_SIZE(join_order)]; /* -1: the same as ours, not joined */
	hk_cgroup *cg;
	unsigned preserve_fds;
	/* a paused container (--ignore-paused): the process joins its cgroup
	 * (and freezes) only after its setup, and husk lets go of the lock
	 * then, so that `husk resume` can thaw it */
	bool late_cgroup;
	int lock;              /* closed in the children */
	sigset_t sigmask;      /* for the process: husk's, the forwarded ones unblocked */
	uint64_t ignored;      /* husk's ignored signals (hk_init_ignored_signals) */
	hk_state *st;          /* the container's record */
	enum hk_status status; /* its status then (created, running, paused) */
	hk_spec *spec;         /* its config: linux.seccomp */
	hk_seccomp_prog *seccomp;
	bool oom_written; /* oomScoreAdj: by the intermediate, while dumpable */
} exec_ctx;

static void ctx_release(exec_ctx *x)
{
	if (x->pidfd >= 0)
		close(x->pidfd);
	x->pidfd = -1;
	for (size_t i = 0; i < HK_ARRAY_SIZE(x->ns); i++) {
		if (x->ns[i] >= 0)
			close(x->ns[i]);
		x->ns[i] = -1;
	}
	if (x->cg)
		hk_cgroup_free(x->cg);
	x->cg = NULL;
	hk_seccomp_prog_free(x->seccomp);
	x->seccomp = NULL;
	hk_spec_free(x->spec);
	x->spec = NULL;
	hk_state_free(x->st);
	x->st = NULL;
}

/* ---- the container ---- */

/* Has the process behind PIDFD exited?  (Its pid may be reused after.) */
static bool pidfd_exited(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	return poll(&p, 1, 0) == 1;
}

static int same_file(int fd, const char *path)
{
	struct stat a, b;
	if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int stopped(const char *id, hk_err *err)
{
	return hk_err_plain(err, ESRCH, "cannot exec in a stopped container \"%s\"", id);
}

/* The files of the namespaces of ST's process that are not ours, in
 * x->ns.  PIDFD (or -1) tells whether the process went meanwhile. */
static int open_ns_files(const hk_state *st, exec_ctx *x, int pidfd, hk_err *err)
{
	for (size_t i = 0; i < HK_ARRAY_SIZE(join_order); i++) {
		char path[64], self[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)st->pid, join_order[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", join_order[i].name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		int e = errno;
		if (fd < 0 && e == ENOENT && access(self, F_OK) < 0)
			continue; /* the kernel has no such namespace */
		if (fd < 0 && (!hk_state_alive(st) || (pidfd >= 0 && pidfd_exited(pidfd))))
			return stopped(st->id, err); /* it went meanwhile */
		/* the init is not dumpable until it execs the program (init.c):
		 * only root may reach it before `start` */
		if (fd < 0 && e == EACCES && x->status == HK_STATUS_CREATED)
			return hk_err_set(err, e,
			                  "open %s (as an ordinary user, exec once the container "
			                  "is started)",
			                  path);
		if (fd < 0)
			return hk_err_set(err, e, "open %s", path);
		if (same_file(fd, self)) {
			close(fd);
			continue;
		}
		x->ns[i] = fd;
	}
	/* still the recorded process: the files were its namespaces */
	if ((pidfd >= 0 && pidfd_exited(pidfd)) || !hk_state_alive(st))
		return stopped(st->id, err);
	return 0;
}

/* The namespaces to join, as setns() flags: those of the config (the
 * container's own or joined), and any other of ST's process that is not
 * ours (created by a husk in other namespaces than this one's: as
 * runc, the process joins all of the container's). */
static int target_ns_flags(const hk_state *st, const hk_spec *spec)
{
	int flags = 0;
	for (size_t i = 0; i < HK_ARRAY_SIZE(join_order); i++)
		if (hk_spec_namespace(spec, join_order[i].type) ||
		    hk_ns_is_ours(st->pid, join_order[i].name) == 0)
			flags |= (int)hk_ns_clone_flag(join_order[i].type);
	return flags;
}

/* How the intermediate will join ST's process's namespaces, and its
 * cgroup (unless finding the status loaded it). */
static int open_target(const hk_state *st, exec_ctx *x, hk_err *err)
{
	x->pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (x->pidfd < 0 && errno != ENOSYS)
		return stopped(st->id, err);
	/* checked after opening: the pidfd is the recorded process's */
	if (!hk_state_alive(st))
		return stopped(st->id, err);
	x->ns_flags = x->pidfd >= 0 ? target_ns_flags(st, x->spec) : 0;
	int r = x->ns_flags ? 0 : open_ns_files(st, x, x->pidfd, err);
	if (r < 0 || x->cg)
		return r;
	r = hk_cgroup_load(st->cgroup, &x->cg, err);
	return r < 0 ? hk_err_wrap(err, "the container's cgroup") : 0;
}

/* In the intermediate: into the container's namespaces, user first
 * (setns() on a pidfd does the same order), mount last. */
static int join_namespaces(exec_ctx *x, hk_err *err)
{
	/* all at once, or none (a kernel before 5.8, or a namespace of the
	 * config that is in fact ours: the files say which differ) */
	if (x->ns_flags && setns(x->pidfd, x->ns_flags) == 0)
		return 0;
	if (x->ns_flags) {
		int r = open_ns_files(x->st, x, x->pidfd, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < HK_ARRAY_SIZE(join_order); i++) {
		if (x->ns[i] < 0)
			continue;
		if (setns(x->ns[i], (int)hk_ns_clone_flag(join_order[i].type)) < 0)
			return hk_err_set(err, errno, "join the container's %s namespace",
			                  join_order[i].name);
		close(x->ns[i]);
		x->ns[i] = -1;
	}
	return 0;
}

/* ---- the children ---- */

__attribute__((noreturn)) static void child_fail(int sock, hk_err *err)
{
	hk_sync_send_error(sock, err);
	_exit(1);
}

/* The new process, in every namespace of the container. */
__attribute__((noreturn)) static void process_main(const exec_ctx *x, int sock)
{
	hk_process proc = *x->p;
	if (x->oom_written)
		proc.has_oom_score_adj = false; /* inherited from the intermediate */
	const hk_process *p = &proc;
	hk_err err = {0};
	hk_sync_msg msg;
	/* husk knows our pid now and may kill us on failure */
	if (hk_sync_expect(sock, HK_SYNC_GO, &msg, NULL, &err) < 0)
		_exit(1);
	if (setsid() < 0) {
		hk_err_set(&err, errno, "setsid");
		child_fail(sock, &err);
	}
	if (p->terminal) {
		/* /dev/ptmx of the container's devpts: we are in its mounts */
		int master = -1;
		int r =
		    hk_pty_setup_child(false, p->console_height, p->console_width, &master, &err);
		if (r < 0) {
			hk_err_wrap(&err, "process.terminal");
			child_fail(sock, &err);
		}
		if (hk_sync_send(sock, HK_SYNC_PTY, 0, master, &err) < 0)
			child_fail(sock, &err);
		close(master);
	}
	hk_init_fds(x->preserve_fds);
	/* linux.personality: the container's, as its init's (and as runc);
	 * before the seccomp filter, which may refuse personality(2) */
	const hk_linux *l = x->spec ? &x->spec->lnx : NULL;
	if (l && l->has_personality &&
	    personality(strcmp(l->personality_domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX) <
	        0) {
		hk_err_set(&err, errno, "linux.personality");
		child_fail(sock, &err);
	}
	char path[PATH_MAX];
	char **envp = NULL;
	if (hk_init_process(p, x->seccomp, sock, !hk_init_setgroups_allowed(), NULL, path,
	                    sizeof(path), &envp, &err) < 0)
		child_fail(sock, &err);
	/* a change of ids may have made us dumpable again */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	hk_init_reset_signals(x->ignored, &x->sigmask);
	if (p->no_new_privileges && hk_init_seccomp(x->seccomp, sock, &err) < 0)
		child_fail(sock, &err);
	if (hk_sync_send(sock, HK_SYNC_READY, 0, -1, &err) < 0)
		_exit(1);
	if (x->late_cgroup && hk_sync_expect(sock, HK_SYNC_CGROUP, &msg, NULL, &err) < 0)
		_exit(1);
	hk_init_exec(sock, path, p->args, envp);
}

/* Into CG: on v1 by "0" to its tasks files (hk_cgroup_open_tasks: no
 * global lock, no RCU grace period to wait for), else our pid to
 * cgroup.procs.  We are single-threaded. */
static int join_cgroup(hk_cgroup *cg, hk_err *err)
{
	hk_err ignored;
	if (hk_cgroup_open_tasks(cg, &ignored) < 0)
		return hk_cgroup_enter(cg, getpid(), err);
	int r = hk_cgroup_join_tasks(cg, err);
	hk_cgroup_close_tasks(cg);
	return r;
}

/* In a child of husk's: what it does as husk's (the host's) before
 * entering the container: oom_score_adj, not dumpable, the cgroup; then
 * into the container's namespaces. */
static void enter_container(exec_ctx *x, int sock)
{
	hk_err err = {0};
	hk_sync_cancel_on(-1);
	if (x->lock >= 0)
		close(x->lock);
	/* oom_score_adj before going non-dumpable (as runc): a process that
	 * is not may not write its own /proc files as an ordinary user */
	if (x->p->has_oom_score_adj) {
		if (hk_oom_score_adj_apply(x->p->oom_score_adj, &err) < 0) {
			hk_err_wrap(&err, "process.oomScoreAdj");
			child_fail(sock, &err);
		}
		x->oom_written = true;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		hk_err_set(&err, errno, "prctl PR_SET_DUMPABLE");
		child_fail(sock, &err);
	}
	if (!x->late_cgroup && join_cgroup(x->cg, &err) < 0) {
		hk_err_wrap(&err, "join the container's cgroup");
		child_fail(sock, &err);
	}
	/* no directory fd of the host's cgroup tree goes into the container */
	if (!x->late_cgroup) {
		hk_cgroup_free(x->cg);
		x->cg = NULL;
	}
	if (join_namespaces(x, &err) < 0)
		child_fail(sock, &err);
	close(x->pidfd);
	x->pidfd = -1;
}

/* The intermediate (a user namespace to join): enters, then forks the
 * process as husk's child (into the pid namespace, which only children
 * enter). */
__attribute__((noreturn)) static void intermediate_main(exec_ctx *x, int sock)
{
	hk_err err = {0};
	enter_container(x, sock);
	/* CLONE_PARENT: the process is husk's child, for husk to wait on */
	long pid =
	    syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL, NULL, NULL);
	if (pid < 0) {
		hk_err_set(&err, errno, "fork into the container's pid namespace");
		child_fail(sock, &err);
	}
	if (pid == 0)
		process_main(x, sock);
	if (hk_sync_send(sock, HK_SYNC_PID, (int)pid, -1, &err) < 0)
		_exit(1);
	_exit(0);
}

/* ---- husk's side ---- */

/* Bounded: a process frozen in a paused container (cgroup v1) dies only
 * once thawed; husk does not wait for that. */
static void kill_and_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	for (int i = 0; i < 200; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG | __WALL);
		if (r == pid || (r < 0 && errno != EINTR))
			return;
		usleep(10000);
	}
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
}

/* A paused container: put the process in its cgroup (where it freezes
 * until `husk resume`, which needs the lock) and let it go on. */
static int late_cgroup(const exec_ctx *x, int sock, pid_t pid, int *lock, hk_err *err)
{
	int r = hk_cgroup_enter(x->cg, pid, err);
	if (r < 0)
		return hk_err_wrap(err, "join the container's cgroup");
	close(*lock);
	*lock = -1;
	return hk_sync_send(sock, HK_SYNC_CGROUP, 0, -1, err);
}

struct ready_arg {
	const exec_ctx *x;
	int sock;
	pid_t pid;
	int *lock;
};

static int on_ready(void *arg, const hk_sync_msg *msg, int fd, hk_err *err)
{
	const struct ready_arg *a = arg;
	return late_cgroup(a->x, a->sock, a->pid, a->lock, err);
}

/* SECCOMP: the process's notify fd, for the seccomp agent, with the
 * container's state and the process's pid (as runc). */
static int on_seccomp(void *arg, const hk_sync_msg *msg, int fd, hk_err *err)
{
	const struct ready_arg *a = arg;
	_cleanup_close_ int nfd = fd;
	const hk_seccomp *sc = a->x->spec ? a->x->spec->lnx.seccomp : NULL;
	if (msg->type != HK_SYNC_SECCOMP)
		return hk_err_plain(err, EPROTO, "sync: unexpected message %d", msg->type);
	if (nfd < 0 || !sc || !sc->listener_path)
		return hk_err_plain(err, EPROTO, "sync: a seccomp fd without a listener");
	_cleanup_free_ char *json =
	    hk_state_process_json(a->x->st, a->x->status, a->pid, sc->listener_metadata);
	if (!json)
		return hk_err_set(err, ENOMEM, "linux.seccomp.listenerPath");
	return hk_seccomp_send_listener(sc->listener_path, json, nfd, err);
}

/* Steps 5-6: the process's pid in *PID (-1 when none; known already
 * when INTER is -1), its pty master. */
static int parent_sync(const exec_ctx *x, int sock, pid_t inter, pid_t *pid, int *master, int *lock,
                       hk_err *err)
{
	hk_sync_msg msg;
	int r = inter > 0 ? hk_sync_expect(sock, HK_SYNC_PID, &msg, NULL, err) : 0;
	if (r < 0) {
		kill_and_reap(inter);
		if (r == -EPIPE)
			return hk_err_plain(err, ECHILD,
			                    "exec: joining the container failed, with no error "
			                    "reported");
		return r;
	}
	if (inter > 0) {
		reap(inter);
		*pid = msg.value;
	}
	/* (a direct child may have failed and gone before GO: its ERROR is
	 * still to be read) */
	if ((r = hk_sync_send(sock, HK_SYNC_GO, 0, -1, err)) < 0 && !(inter < 0 && r == -EPIPE))
		return r;
	struct ready_arg ra = {x, sock, *pid, lock};
	return hk_sync_wait_exec(sock, master, false, "exec: the process", on_seccomp,
	                         x->late_cgroup ? on_ready : NULL, &ra, err);
}

/* The process as husk's own child, with no intermediate: possible when
 * there is no user namespace to join (only the process itself could enter
 * it, and then its pid namespace only for its children).  husk enters the
 * container's pid namespace for its children (setns() on the pidfd), forks
 * and goes back (no later child of husk's belongs there).  0 with *PID
 * (0 in the child); 1 when husk may not go there and back (the
 * intermediate then does); -errno when it cannot get back after the fork
 * (the process is killed) or cannot fork. */
static int fork_direct(const exec_ctx *x, pid_t *pid, hk_err *err)
{
	*pid = -1;
	_cleanup_close_ int own = -1;
	if (x->ns_flags & CLONE_NEWPID) {
		own = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		/* the way back first (joining where we are changes nothing): a
		 * husk in a user namespace of its own (rootless engines) may
		 * enter the container's and not come back */
		if (own < 0 || setns(own, CLONE_NEWPID) < 0 || setns(x->pidfd, CLONE_NEWPID) < 0)
			return 1;
	}
	pid_t p = fork();
	if (p == 0) {
		*pid = 0;
		return 0;
	}
	int e = errno;
	if (own >= 0 && setns(own, CLONE_NEWPID) < 0) {
		hk_err_set(err, errno, "exec: back to husk's pid namespace");
		kill_and_reap(p);
		return -err->code;
	}
	if (p < 0)
		return hk_err_set(err, e, "fork");
	*pid = p;
	return 0;
}

/* Steps 4-6: the process, exec'd; nothing is left on failure. */
static int spawn(exec_ctx *x, pid_t *pid, int *master, int *lock, hk_err *err)
{
	int sv[2];
	*pid = -1;
	*master = -1;
	if (hk_sync_pair(sv, err) < 0)
		return -err->code;
	_cleanup_close_ int sock = sv[0];
	pid_t inter = -1;
	int direct = 1;
	if (x->ns_flags && !(x->ns_flags & CLONE_NEWUSER)) {
		pid_t p;
		direct = fork_direct(x, &p, err);
		if (direct < 0) {
			close(sv[1]);
			return direct;
		}
		if (direct == 0 && p == 0) {
			close(sock);
			enter_container(x, sv[1]);
			process_main(x, sv[1]);
		}
		if (direct == 0)
			*pid = p;
	}
	if (direct != 0) {
		inter = fork();
		if (inter < 0) {
			close(sv[1]);
			return hk_err_set(err, errno, "fork");
		}
		if (inter == 0) {
			close(sock);
			intermediate_main(x, sv[1]);
		}
	}
	close(sv[1]);
	int r = parent_sync(x, sock, inter, pid, master, lock, err);
	if (r < 0) {
		kill_and_reap(*pid);
		if (*master >= 0)
			close(*master);
		*master = -1;
		*pid = -1;
	}
	return r;
}

static int write_pid_file(pid_t pid, const char *path, hk_err *err)
{
	hk_container c = {.pid = pid};
	return hk_container_write_pid_file(&c, path, err);
}

static void process_freep(hk_process *p)
{
	hk_process_free(p);
}

/* Steps 1-3, under the lock. */
static int prepare(const hk_exec_opts *o, hk_process *p, exec_ctx *x, hk_err *err)
{
	int r = hk_state_load(o->root, o->id, &x->st, err);
	if (r < 0)
		return r;
	const hk_state *st = x->st;
	enum hk_status status = hk_state_status_cg(o->root, st, &x->cg);
	if (status == HK_STATUS_STOPPED)
		return stopped(o->id, err);
	x->status = status;
	x->late_cgroup = status == HK_STATUS_PAUSED;
	if (status == HK_STATUS_PAUSED && !o->ignore_paused)
		return hk_err_plain(err, EBUSY,
		                    "cannot exec in a paused container \"%s\" (use "
		                    "--ignore-paused to override)",
		                    o->id);
	if ((r = hk_state_load_spec(o->root, o->id, &x->spec, err)) < 0 ||
	    (r = hk_exec_process(o, x->spec, p, err)) < 0)
		return r;
	/* the container's filter is every process's in it (as runc), compiled
	 * before anything starts */
	const hk_seccomp *sc = x->spec->lnx.seccomp;
	if (sc && (r = hk_seccomp_build(sc, &x->seccomp, err)) < 0)
		return r;
	if ((r = open_target(st, x, err)) < 0 || o->n_cgroups == 0)
		return r;
	/* --cgroup: the process joins these instead (also when late) */
	hk_cgroup *sub = NULL;
	if ((r = hk_cgroup_sub(x->cg, o->cgroups, o->n_cgroups, &sub, err)) < 0)
		return r;
	hk_cgroup_free(x->cg);
	x->cg = sub;
	return 0;
}

static int exec_locked(const hk_exec_opts *o, hk_process *p, exec_ctx *x, int *lock, int *exit_code,
                       hk_err *err)
{
	int r = prepare(o, p, x, err);
	if (r < 0)
		return r;
	x->p = p;
	x->lock = *lock;
	x->preserve_fds = o->preserve_fds;
	sigset_t fwd, old;
	hk_forward_sigset(&fwd);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	x->sigmask = old;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&fwd, sig))
			sigdelset(&x->sigmask, sig);
	x->ignored = hk_init_ignored_signals();
	_cleanup_close_ int sigfd = signalfd(-1, &fwd, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return hk_err_set(err, errno, "signalfd");
	}
	/* INT, TERM, HUP or QUIT during the setup abort it */
	pid_t pid;
	_cleanup_close_ int master = -1;
	hk_sync_cancel_on(sigfd);
	r = spawn(x, &pid, &master, lock, err);
	hk_sync_cancel_on(-1);
	ctx_release(x);
	if (r == 0 && o->pid_file)
		r = write_pid_file(pid, o->pid_file, err);
	if (r == 0 && o->detach && master >= 0)
		r = hk_console_socket_send(o->console_socket, master, err);
	if (r < 0) {
		kill_and_reap(pid);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	/* running: `husk state`, `kill` and `ps` may go on meanwhile */
	if (*lock >= 0)
		close(*lock);
	*lock = -1;
	if (o->detach) {
		*exit_code = 0;
	} else {
		int status = 0;
		hk_supervise(pid, master, sigfd, &status);
		*exit_code = hk_exit_code(status);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int hk_exec(const hk_exec_opts *o, int *exit_code, hk_err *err)
{
	*exit_code = -1;
	/* before any fd of ours may take their numbers */
	int r = hk_check_preserved_fds(o->preserve_fds, 0, err);
	if (r < 0)
		return r;
	_cleanup_close_ int lock = -1;
	if ((r = hk_state_open(o->root, o->id, &lock, err)) < 0)
		return r;
	__attribute__((cleanup(process_freep))) hk_process p = {0};
	exec_ctx x = {.lock = -1, .pidfd = -1};
	for (size_t i = 0; i < HK_ARRAY_SIZE(x.ns); i++)
		x.ns[i] = -1;
	r = exec_locked(o, &p, &x, &lock, exit_code, err);
	ctx_release(&x);
	return r;
}
