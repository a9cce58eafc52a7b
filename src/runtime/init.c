/* init.c - creating a container, the container's side.
 *
 * Runs in the child cloned by hk_container_create() (see the order written
 * down in container.c).  Every step returns 0 or a negative errno with a
 * message; the first failure is sent to the parent over the sync socket
 * and the child exits: the parent prints it, nothing is printed here. */
#include "runtime/init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/caps.h"
#include "linux/devices.h"
#include "linux/exec.h"
#include "linux/identity.h"
#include "linux/lsm.h"
#include "linux/namespaces.h"
#include "linux/rlimits.h"
#include "linux/net.h"
#include "linux/rootfs.h"
#include "linux/procfs.h"
#include "linux/procsched.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "runtime/hooks.h"
#include "util/cleanup.h"
#include "util/passwd.h"
#include "util/fs.h"

__attribute__((noreturn)) static void fail(const hk_init_ctx *ctx, const hk_err *err)
{
	hk_sync_send_error(ctx->sync, err);
	_exit(1);
}

/* Non-dumpable, the init's /proc/PID files are host root's: nothing of the
 * container's may ptrace it or open its fds (not root of its user
 * namespace, not a process of a pid namespace it joins) while it holds
 * husk's fds: the rootfs, the exec fifo, cgroup directories.  The execve
 * makes the program dumpable again (a new mm).  As crun (runc only when it
 * joins namespaces); oom_score_adj is written first, as runc does: once
 * non-dumpable, a process in a user namespace, or of an ordinary user,
 * may not write its own /proc/self files.  The price: an ordinary user
 * cannot `exec` into a created container before `start` (its /proc/PID/ns
 * are out of reach). */
static void go_non_dumpable(const hk_init_ctx *ctx)
{
	const hk_process *p = &ctx->spec->process;
	hk_err err = {0};
	if (p->has_oom_score_adj && hk_oom_score_adj_apply(p->oom_score_adj, &err) < 0) {
		hk_err_wrap(&err, "process.oomScoreAdj");
		fail(ctx, &err);
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		hk_err_set(&err, errno, "prctl PR_SET_DUMPABLE");
		fail(ctx, &err);
	}
}

uint64_t hk_init_ignored_signals(void)
{
	_cleanup_free_ char *status = NULL;
	hk_err ignored;
	const char *line = NULL;
	if (hk_read_file("/proc/self/status", &status, NULL, &ignored) == 0)
		line = strstr(status, "\nSigIgn:");
	char *end = NULL;
	unsigned long long bits = line ? strtoull(line + 8, &end, 16) : 0;
	if (!line || end == line + 8)
		return UINT64_MAX;
	return (uint64_t)bits;
}

/* The kernel's struct sigaction for rt_sigaction(2) on x86-64 and the
 * generic ABI: handler, flags, restorer, mask. */
struct hk_kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

void hk_init_reset_signals(uint64_t ignored, const sigset_t *mask)
{
	/* through the system call: glibc refuses its own two real-time
	 * signals (32, 33), which a caller may still have ignored */
	struct hk_kernel_sigaction sa = {.handler = SIG_DFL};
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && (ignored & (1ULL << (sig - 1))))
			syscall(SYS_rt_sigaction, sig, &sa, NULL, sizeof(sa.mask));
	sigprocmask(SIG_SETMASK, mask, NULL);
}

void hk_init_fds(unsigned preserve_fds)
{
	hk_close_range(3U + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	for (unsigned fd = 3; fd < 3 + preserve_fds; fd++)
		fcntl((int)fd, F_SETFD, 0);
}

/* Slow path: join namespaces given by path, unshare the user namespace
 * and let the parent map it.  The user namespace is joined last (once in
 * another we may lack rights over the host's namespaces), but one that
 * refuses us before (EPERM: owned by the joined user namespace, as for
 * a rootless husk) is joined again after it, as crun does. */
static int join_and_unshare_user(const hk_init_ctx *ctx, hk_err *err)
{
	const hk_spec *s = ctx->spec;
	const hk_namespace *user = NULL;
	bool later[HK_NS_COUNT] = {0}; /* by index: duplicates are refused */
	bool any_later = false;
	int r;
	for (size_t i = 0; i < s->lnx.n_namespaces; i++) {
		const hk_namespace *ns = &s->lnx.namespaces[i];
		if (!ns->path)
			continue;
		if (ns->type == HK_NS_USER) {
			user = ns;
			continue;
		}
		hk_err e;
		r = hk_ns_join(ns->type, ns->path, &e);
		if (r == -EPERM && i < HK_NS_COUNT) {
			later[i] = any_later = true;
			continue;
		}
		if (r < 0) {
			*err = e;
			return hk_err_wrap(err, "linux.namespaces[%zu]", i);
		}
	}
	if (user && (r = hk_ns_join(HK_NS_USER, user->path, err)) < 0)
		return hk_err_wrap(err, "linux.namespaces");
	for (size_t i = 0; any_later && i < s->lnx.n_namespaces; i++) {
		const hk_namespace *ns = &s->lnx.namespaces[i];
		if (later[i] && (r = hk_ns_join(ns->type, ns->path, err)) < 0)
			return hk_err_wrap(err, "linux.namespaces[%zu]", i);
	}
	if (ctx->userns_new) {
		if (unshare(CLONE_NEWUSER) < 0)
			return hk_err_set(err, errno, "unshare user namespace");
		if ((r = hk_sync_send(ctx->sync, HK_SYNC_USERNS_READY, 0, -1, err)) < 0)
			return r;
	}
	return 0;
}

/* Slow path, after GO: the remaining namespaces, then fork into the pid
 * (and time) namespace.  Only the forked child returns. */
static int unshare_and_fork(const hk_init_ctx *ctx, hk_err *err)
{
	const hk_spec *s = ctx->spec;
	unsigned long rest = ctx->unshare & ~(unsigned long)CLONE_NEWUSER;
	int r;
	if (rest && unshare((int)rest) < 0)
		return hk_err_set(err, errno, "unshare namespaces (flags %#lx)", rest);
	r = hk_timens_write_offsets(&s->lnx.time_monotonic, &s->lnx.time_boottime, err);
	if (r == -EACCES && !ctx->userns_new) {
		/* a rootless husk in a joined user namespace: our
		 * timens_offsets is host root's while we are non-dumpable */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		r = hk_timens_write_offsets(&s->lnx.time_monotonic, &s->lnx.time_boottime, err);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	if (r < 0)
		return r;
	/* before the fork into a (joined) pid namespace */
	if (ctx->userns_new)
		go_non_dumpable(ctx);
	if (!ctx->must_fork)
		return 0;
	pid_t pid = fork();
	if (pid < 0)
		return hk_err_set(err, errno, "fork into the pid namespace");
	if (pid > 0) {
		if (hk_sync_send(ctx->sync, HK_SYNC_PID, pid, -1, err) < 0)
			fail(ctx, err);
		_exit(0);
	}
	return 0;
}

/* In a user namespace our host ids mean nothing until we take ids that
 * are mapped: root of the namespace, as runc does. */
static int become_userns_root(hk_err *err)
{
	if (setresgid(0, 0, 0) < 0)
		return hk_err_set(err, errno, "user namespace: setresgid 0 (is gid 0 mapped?)");
	if (setresuid(0, 0, 0) < 0)
		return hk_err_set(err, errno, "user namespace: setresuid 0 (is uid 0 mapped?)");
	return 0;
}

/* Messages of husk's that may arrive while we wait for another: CGROUP
 * (when not waited for early) and REAPED come unasked. */
static bool got_cgroup, got_reaped;

/* Receive until a message of TYPE (its fd, if any, into *FD when FD is not
 * NULL), noting a CGROUP or REAPED on the way (not waited for again). */
static int await_msg(const hk_init_ctx *ctx, int type, int *fd, hk_err *err)
{
	for (;;) {
		hk_sync_msg msg;
		int r = hk_sync_recv(ctx->sync, &msg, fd, err);
		if (r < 0)
			return r;
		if (msg.type == type)
			return 0;
		if (msg.type == HK_SYNC_CGROUP && !got_cgroup)
			got_cgroup = true;
		else if (msg.type == HK_SYNC_REAPED && !got_reaped)
			got_reaped = true;
		else
			return hk_err_plain(err, EPROTO, "sync: expected message %d, got %d", type,
			                    msg.type);
	}
}

/* Ask husk: send TYPE (VALUE, FD attached when >= 0) and wait for REPLY
 * (its fd into *GOT when GOT is not NULL).  After a fork into the pid
 * namespace husk waits for the intermediate's PID first, and reaps it:
 * ask once that is through (REAPED), or the request could come first. */
static int ask_husk(const hk_init_ctx *ctx, int type, int value, int fd, int reply, int *got,
                    hk_err *err)
{
	int r;
	if (ctx->must_fork && !got_reaped) {
		if ((r = await_msg(ctx, HK_SYNC_REAPED, NULL, err)) < 0)
			return r;
		got_reaped = true;
	}
	if ((r = hk_sync_send(ctx->sync, type, value, fd, err)) < 0)
		return r;
	return await_msg(ctx, reply, got, err);
}

/* hk_mounts_apply()'s idmapper: husk idmaps the copy TREE of mounts[I]'s
 * source (it takes the host's privileges); when it cannot, it fails the
 * container itself, naming the entry. */
static int idmap_by_husk(void *arg, size_t i, int tree, hk_err *err)
{
	return ask_husk(arg, HK_SYNC_IDMAP, (int)i, tree, HK_SYNC_IDMAP_DONE, NULL, err);
}

/* The container dies with husk in `run` (set again here: the uid switch
 * cleared it).  After a fork into the pid namespace, wait until husk, the
 * subreaper, has reaped the intermediate process and so become our parent;
 * then make sure it did not die meanwhile (its end of the socket). */
static int die_with_parent(const hk_init_ctx *ctx, hk_err *err)
{
	hk_sync_msg msg;
	if (ctx->must_fork && !got_reaped &&
	    hk_sync_expect(ctx->sync, HK_SYNC_REAPED, &msg, NULL, err) < 0)
		return hk_err_wrap(err, "wait for the parent");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return hk_err_set(err, errno, "prctl PR_SET_PDEATHSIG");
	struct pollfd p = {.fd = ctx->sync, .events = POLLIN};
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
		_exit(1);
	return 0;
}

/* The states husk sent for the container's own hooks (HOOKS_DONE). */
static char *hook_states;

/* Before pivot_root: husk runs prestart and createRuntime, then we run
 * createContainer here, in the container's mount namespace. */
static int create_hooks(const hk_init_ctx *ctx, hk_err *err)
{
	int fd = -1, r;
	if ((r = ask_husk(ctx, HK_SYNC_HOOKS, 0, -1, HK_SYNC_HOOKS_DONE, &fd, err)) < 0)
		return r;
	_cleanup_close_ int mfd = fd;
	struct stat st;
	if (mfd < 0 || fstat(mfd, &st) < 0 || st.st_size < 2 || st.st_size > (1 << 24))
		return hk_err_plain(err, EPROTO, "hooks: no state from husk");
	hook_states = calloc(1, (size_t)st.st_size + 1);
	if (!hook_states || read(mfd, hook_states, (size_t)st.st_size) != st.st_size)
		return hk_err_set(err, errno ? errno : EIO, "hooks: read the state");
	return hk_hooks_run(&ctx->spec->hooks, HK_HOOK_CREATE_CONTAINER, hook_states, err);
}

/* Just before the exec: startContainer, in the container. */
static int start_hooks(const hk_init_ctx *ctx, hk_err *err)
{
	if (!hook_states)
		return 0;
	const char *created = hook_states + strlen(hook_states) + 1;
	return hk_hooks_run(&ctx->spec->hooks, HK_HOOK_START_CONTAINER, created, err);
}

/* Close every fd of husk's the init does not need any more, before the
 * seccomp filter may refuse close_range: the state lock above all (a
 * created container waiting for `start` must not hold it).  Kept: the
 * preserved fds, the sync socket, the exec fifo. */
static void close_strays(const hk_init_ctx *ctx)
{
	int keep[2] = {ctx->sync, ctx->exec_fifo};
	if (keep[0] > keep[1]) {
		int t = keep[0];
		keep[0] = keep[1];
		keep[1] = t;
	}
	unsigned from = 3U + ctx->preserve_fds;
	for (size_t i = 0; i < 2; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < from)
			continue;
		if ((unsigned)keep[i] > from)
			hk_close_range(from, (unsigned)keep[i] - 1, 0U);
		from = (unsigned)keep[i] + 1;
	}
	hk_close_range(from, ~0U, 0U);
}

/* create: block until `start` opens the exec fifo for reading (open for
 * writing through /proc/self/fd: the fifo is outside the rootfs now), say
 * so with one byte, and go on to exec.  The parent is gone: a failure can
 * only end the process. */
/* The exec fifo FIFO (an O_PATH fd) opened for writing: through the
 * container's procfs, verified to be one, and checked to be the very fifo
 * (a /proc of the image's making must not let the process run before
 * `start`, nor make it block on a fifo of its own).  -1 on failure. */
static int open_exec_fifo(int fifo)
{
	hk_err ignored;
	_cleanup_close_ int procfd = hk_procfs_open("/proc", &ignored);
	if (procfd < 0)
		return -1;
	_cleanup_close_ int dir =
	    hk_procfs_openat(procfd, "thread-self/fd", O_PATH | O_DIRECTORY, &ignored);
	if (dir < 0)
		return -1;
	char name[16];
	snprintf(name, sizeof(name), "%d", fifo);
	int fd;
	while ((fd = openat(dir, name, O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct stat a, b;
	if (fd >= 0 && (fstat(fd, &a) < 0 || fstat(fifo, &b) < 0 || !S_ISFIFO(a.st_mode) ||
	                a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void wait_for_start(const hk_init_ctx *ctx)
{
	/* Until husk has recorded the container: a husk killed before that
	 * leaves no record to find this process by, so it goes too (EOF).  A
	 * seccomp filter refusing read(2) with an errno skips the wait (one
	 * that kills on read kills the process here, as it would at its
	 * first read). */
	int r = hk_sync_read_type(ctx->sync, HK_SYNC_RECORDED);
	if (r < 0 && r != -EPERM && r != -EACCES && r != -ENOSYS && r != -EINTR)
		_exit(1);
	/* Nothing of husk's may stay open while it waits: the state lock
	 * above all (start, kill and delete take it).  The preserved fds
	 * (3..3+N-1) were open before husk opened the fifo: below it. */
	unsigned first = 3U + ctx->preserve_fds;
	if ((unsigned)ctx->exec_fifo > first)
		hk_close_range(first, (unsigned)ctx->exec_fifo - 1, 0U);
	hk_close_range((unsigned)ctx->exec_fifo + 1, ~0U, 0U);
	int fd = open_exec_fifo(ctx->exec_fifo);
	if (fd < 0 || write(fd, "0", 1) != 1)
		_exit(1);
	close(ctx->exec_fifo);
	/* `start` reads on until the exec closes FD (close-on-exec): a
	 * startContainer hook's failure reaches it as "E" and the message */
	hk_err err = {0};
	if (start_hooks(ctx, &err) < 0) {
		if (write(fd, "E", 1) != 1 || write(fd, err.msg, strlen(err.msg)) < 0)
			_exit(1);
		_exit(1);
	}
}

static int setup_rootfs(const hk_init_ctx *ctx, bool in_userns, hk_err *err)
{
	const hk_spec *s = ctx->spec;
	_cleanup_close_ int rootfd = -1;
	int r;

	if ((r = hk_rootfs_prepare(ctx->rootfs, s->lnx.rootfs_propagation, ctx->overlay, in_userns,
	                           &rootfd, err)) < 0)
		return hk_err_wrap(err, "rootfs %s", ctx->rootfs);
	hk_mounts_set_label(
	    hk_lsm_mount_label(s->lnx.mount_label, hk_lsm_enabled_for(s->lnx.mount_label, NULL)));
	hk_mounts_set_idmapper(idmap_by_husk, (void *)ctx);
	if ((r = hk_mounts_apply(rootfd, s->mounts, s->n_mounts, in_userns,
	                         hk_spec_namespace(s, HK_NS_CGROUP) != NULL, err)) < 0)
		return r;
	if ((r = hk_devices_setup(rootfd, s->lnx.devices, s->lnx.n_devices, in_userns, err)) < 0)
		return r; /* names "linux.devices[N] (...)" or "device /dev/null" */
	/* runc creates a missing cwd, inside the rootfs, before / may become
	 * read-only and before the uid switch ("/", the rootfs itself, is) */
	if (s->process.cwd && strcmp(s->process.cwd, "/") != 0) {
		r = hk_resolve_in_root(rootfd, s->process.cwd, true, false, err);
		if (r < 0)
			return hk_err_wrap(err, "process.cwd: create %s", s->process.cwd);
		close(r);
	}
	if (ctx->hooks && (r = create_hooks(ctx, err)) < 0)
		return r;
	if ((r = hk_rootfs_pivot(rootfd, err)) < 0)
		return hk_err_wrap(err, "pivot_root into %s", ctx->rootfs);
	/* sysctl before readonlyPaths makes /proc/sys read-only (as runc) */
	if ((r = hk_sysctl_apply(s->lnx.sysctl, s->lnx.n_sysctl, err)) < 0)
		return r;
	if ((r = hk_paths_readonly(s->lnx.readonly_paths, s->lnx.n_readonly_paths, err)) < 0)
		return hk_err_wrap(err, "linux.readonlyPaths");
	if ((r = hk_paths_mask(s->lnx.masked_paths, s->lnx.n_masked_paths, err)) < 0)
		return hk_err_wrap(err, "linux.maskedPaths");
	return 0;
}

/* After the console: / read-only, its propagation. */
static int finish_rootfs(const hk_spec *s, hk_err *err)
{
	if (hk_rootfs_finalize(s->root_readonly, s->lnx.rootfs_propagation, err) < 0)
		return hk_err_wrap(err, "root");
	return 0;
}

/* A network namespace of its own starts with lo down: up, as runc. */
static int setup_network(const hk_spec *s, hk_err *err)
{
	const hk_namespace *net = hk_spec_namespace(s, HK_NS_NETWORK);
	return net && !net->path ? hk_net_loopback_up(err) : 0;
}

static int setup_names(const hk_spec *s, hk_err *err)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return hk_err_set(err, errno, "hostname: sethostname \"%s\"", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return hk_err_set(err, errno, "domainname: setdomainname \"%s\"", s->domainname);
	return 0;
}

bool hk_init_setgroups_allowed(void)
{
	return !hk_userns_setgroups_denied(0);
}

static const char *env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);
	for (char *const *e = env; e && *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

/* HOME, when the config does not set it: from the container's
 * /etc/passwd for the uid, else "/" (as runc).  EXTRA goes last. */
static char **build_env(const hk_process *p, const char *const *extra, char *home_buf, size_t len)
{
	size_t n_extra = 0;
	while (extra && extra[n_extra])
		n_extra++;
	char **env = calloc(p->n_env + n_extra + 2, sizeof(char *));
	if (!env)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < p->n_env; i++)
		env[n++] = p->env[i];
	for (size_t i = 0; i < n_extra; i++)
		env[n++] = (char *)extra[i];
	if (env_get(p->env, "HOME"))
		return env;
	const char *home = "/";
	/* the image is untrusted: a FIFO or a device must not block us */
	int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	_cleanup_file_ FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (fd >= 0 && !f)
		close(fd);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	hk_pwent e;
	if (f && hk_pwent_find(f, NULL, p->user.uid, &e, &buf, &cap) == 0 && *e.home)
		home = e.home;
	snprintf(home_buf, len, "HOME=%s", home);
	home_buf[strcspn(home_buf, "\n")] = '\0';
	env[n] = home_buf;
	return env;
}

int hk_init_seccomp(const hk_seccomp_prog *seccomp, int sync, hk_err *err)
{
	int fd = -1;
	if (!seccomp)
		return 0;
	int r = hk_seccomp_load(seccomp, &fd, err);
	if (r < 0 || fd < 0)
		return r;
	/* in flight, the message holds the fd: ours may go */
	r = hk_sync_send(sync, HK_SYNC_SECCOMP, 0, fd, err);
	close(fd);
	return r;
}

int hk_init_process(const hk_process *p, const hk_seccomp_prog *seccomp, int sync,
                    bool setgroups_denied, const char *const *extra_env, char *path, size_t pathlen,
                    char ***envp, hk_err *err)
{
	static char home[PATH_MAX + 8];
	int r;

	if ((r = hk_rlimits_apply(p->rlimits, p->n_rlimits, err)) < 0)
		return hk_err_wrap(err, "process.rlimits");
	if (p->has_oom_score_adj && (r = hk_oom_score_adj_apply(p->oom_score_adj, err)) < 0)
		return hk_err_wrap(err, "process.oomScoreAdj");
	/* As runc: while the init still has its capabilities (RT policies and
	 * classes need CAP_SYS_NICE / CAP_SYS_ADMIN) and before the seccomp
	 * filter, which may refuse the syscalls. */
	if (p->has_scheduler && (r = hk_sched_apply(&p->scheduler, err)) < 0)
		return hk_err_wrap(err, "process.scheduler");
	if (p->has_io_priority &&
	    (r = hk_ioprio_apply(p->io_priority_class, p->io_priority, err)) < 0)
		return hk_err_wrap(err, "process.ioPriority");
	/* for the exec; before the seccomp filter may refuse the writes */
	if ((r = hk_lsm_apply_exec(p, "/proc", err)) < 0)
		return r;
	if (!p->no_new_privileges && (r = hk_init_seccomp(seccomp, sync, err)) < 0)
		return r;
	/* Without a capabilities object every set is empty, as with runc
	 * (nothing of the caller's passes on: CVE-2022-27650). */
	static const hk_caps no_caps;
	const hk_caps *caps = p->has_capabilities ? &p->caps : &no_caps;
	if ((r = hk_caps_prepare(caps, err)) < 0)
		return hk_err_wrap(err, "process.capabilities");
	if ((r = hk_identity_switch(&p->user, !setgroups_denied, err)) < 0)
		return hk_err_wrap(err, "process.user");
	if ((r = hk_caps_apply(caps, err)) < 0)
		return hk_err_wrap(err, "process.capabilities");
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hk_err_set(err, errno, "process.noNewPrivileges");
	umask(p->user.has_umask ? p->user.umask : 022);
	if (chdir(p->cwd ? p->cwd : "/") < 0)
		return hk_err_set(err, errno, "process.cwd: chdir %s", p->cwd);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return hk_err_plain(err, EPERM, "process.cwd: %s is outside the container", p->cwd);
	*envp = build_env(p, extra_env, home, sizeof(home));
	if (!*envp)
		return hk_err_set(err, ENOMEM, "process.env");
	return hk_exec_lookup(p->args[0], *envp, path, pathlen, err);
}

void hk_init_exec(int sync, const char *path, char *const *args, char *const *envp)
{
	hk_err err = {0};
	execve(path, args, envp);
	int e = errno;
	if (e == ENOENT || e == ENOTDIR)
		hk_err_plain(&err, e, "exec: \"%s\": %s", args[0],
		             e == ENOENT ? "no such file or directory" : "not a directory");
	else
		hk_err_set(&err, e, "exec: \"%s\"", args[0]);
	hk_sync_send_error(sync, &err);
	_exit(e == ENOENT ? 127 : 126);
}

/* LISTEN_FDS=N LISTEN_PID=1 when husk passes on socket-activation fds. */
static const char *const *listen_env(const hk_init_ctx *ctx)
{
	static char fds[32];
	static const char *env[3];
	if (!ctx->listen_fds)
		return NULL;
	snprintf(fds, sizeof(fds), "LISTEN_FDS=%u", ctx->listen_fds);
	env[0] = fds;
	env[1] = "LISTEN_PID=1";
	return env;
}

void hk_init_main(const hk_init_ctx *ctx)
{
	const hk_spec *s = ctx->spec;
	hk_err err = {0};
	hk_sync_msg msg;
	int r;

	hk_sync_cancel_on(-1); /* the parent's signalfd means nothing here */
	/* v1: into the cgroup first, so that all we do is the container's */
	if (ctx->self_join && hk_cgroup_join_tasks(ctx->cgroup, &err) < 0)
		fail(ctx, &err);
	/* otherwise husk moves us and says so (CGROUP) */
	bool placed = ctx->self_join || ctx->in_cgroup;
	/* First thing, but with a new user namespace: husk writes its maps
	 * through our /proc files (as the user, rootless), and we write our
	 * timens_offsets; then (unshare_and_fork, or below). */
	if (!ctx->userns_new)
		go_non_dumpable(ctx);
	/* No fd of husk's may reach the container's program, but the
	 * preserved ones (--preserve-fds, $LISTEN_FDS). */
	hk_init_fds(ctx->preserve_fds);
	if (ctx->foreground)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ctx->joins && join_and_unshare_user(ctx, &err) < 0)
		fail(ctx, &err);
	/* With a new user namespace, nothing works before the id maps. */
	bool setgroups_denied = false;
	if (ctx->userns_new) {
		if (hk_sync_expect(ctx->sync, HK_SYNC_GO, &msg, NULL, &err) < 0)
			_exit(1); /* the parent is gone or gave up */
		setgroups_denied = msg.value != 0;
	} else if (hk_spec_namespace(s, HK_NS_USER)) {
		setgroups_denied = !hk_init_setgroups_allowed(); /* a joined namespace */
	}
	/* A fork must land in the cgroup, and a cgroup namespace is rooted
	 * where we are: then wait for the placement now, else before exec. */
	if (ctx->cgroup_early && !placed &&
	    hk_sync_expect(ctx->sync, HK_SYNC_CGROUP, &msg, NULL, &err) < 0)
		_exit(1);
	if (ctx->joins && unshare_and_fork(ctx, &err) < 0)
		fail(ctx, &err);
	if (ctx->userns_new && !ctx->joins)
		go_non_dumpable(ctx);
	const hk_namespace *userns = hk_spec_namespace(s, HK_NS_USER);
	if (userns && become_userns_root(&err) < 0)
		fail(ctx, &err);
	const hk_namespace *cgns = hk_spec_namespace(s, HK_NS_CGROUP);
	if (cgns && !cgns->path && unshare(CLONE_NEWCGROUP) < 0) {
		hk_err_set(&err, errno, "unshare cgroup namespace");
		fail(ctx, &err);
	}
	if (setsid() < 0) {
		hk_err_set(&err, errno, "setsid");
		fail(ctx, &err);
	}
	if (setup_rootfs(ctx, userns != NULL, &err) < 0 || setup_names(s, &err) < 0 ||
	    setup_network(s, &err) < 0)
		fail(ctx, &err);
	/* the console is bound on /dev/console before / may turn read-only
	 * (as runc), which an image's own /dev would not allow after */
	if (s->process.terminal) {
		int master = -1;
		bool given = s->process.console_height || s->process.console_width;
		r = hk_pty_setup_child(true, given ? s->process.console_height : ctx->tty_rows,
		                       given ? s->process.console_width : ctx->tty_cols, &master,
		                       &err);
		if (r < 0) {
			hk_err_wrap(&err, "process.terminal");
			fail(ctx, &err);
		}
		if (hk_sync_send(ctx->sync, HK_SYNC_PTY, 0, master, &err) < 0)
			fail(ctx, &err);
		close(master);
	}
	if (finish_rootfs(s, &err) < 0)
		fail(ctx, &err);
	if (s->lnx.has_personality) {
		unsigned long dom =
		    strcmp(s->lnx.personality_domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
		if (personality(dom) < 0) {
			hk_err_set(&err, errno, "linux.personality");
			fail(ctx, &err);
		}
	}
	close_strays(ctx);
	char path[PATH_MAX];
	char **envp = NULL;
	hk_process proc = s->process;
	proc.has_oom_score_adj = false; /* written by go_non_dumpable() */
	if (hk_init_process(&proc, ctx->seccomp, ctx->sync, setgroups_denied, listen_env(ctx), path,
	                    sizeof(path), &envp, &err) < 0)
		fail(ctx, &err);
	if (!ctx->cgroup_early && !placed && !got_cgroup &&
	    hk_sync_expect(ctx->sync, HK_SYNC_CGROUP, &msg, NULL, &err) < 0)
		_exit(1);
	hk_init_reset_signals(ctx->ignored, &ctx->sigmask);
	if (ctx->foreground && die_with_parent(ctx, &err) < 0)
		fail(ctx, &err);
	if (s->process.no_new_privileges && hk_init_seccomp(ctx->seccomp, ctx->sync, &err) < 0)
		fail(ctx, &err);
	if (hk_sync_send(ctx->sync, HK_SYNC_READY, 0, -1, &err) < 0)
		_exit(1);
	if (ctx->exec_fifo >= 0)
		wait_for_start(ctx);
	else if (start_hooks(ctx, &err) < 0)
		fail(ctx, &err);
	hk_init_exec(ctx->sync, path, s->process.args, envp);
}
