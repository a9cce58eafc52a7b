/* container.c - creating a container, parent side.
 *
 * The creation order, in one place (the child's half is in init.c):
 *
 *   parent                                   child (init.c)
 *   1. resolve and check the rootfs,
 *      compile linux.seccomp
 *   2. create the cgroup, apply resources,
 *      device rules (v2: the eBPF program);
 *      v1: open its "tasks" files
 *   3. socketpair for sync; block the forwarded signals
 *   4. clone3 into the new namespaces          v1: into the cgroup by itself
 *      and straight into the cgroup (v2)       ("0" to the tasks files), first
 *                                              (fast path: all at once)
 *                                              (slow path, when a namespace
 *                                               is joined by path or time
 *                                               offsets are set: clone
 *                                               bare, setns the joined
 *                                               ones, unshare user ->
 *                                               USERNS_READY)
 *   5. write uid/gid maps (user namespace)
 *   6. send GO (user namespace only)    ->     (waits for CGROUP first when
 *   7. when the child is not in the            it forks or unshares a cgroup
 *      cgroup by now (an old kernel            namespace and is not in it)
 *      without CLONE_INTO_CGROUP, a v1         unshare the rest; fork into
 *      tasks file it may not open):            the pid/time namespace when
 *      move it, send CGROUP                    needed (-> PID)
 *      (slow path: on PID, reap the
 *      intermediate, send REAPED)
 *                                               8. cgroup ns, setsid, rootfs,
 *                                                  mounts, /dev, cwd, pivot_root,
 *                                                  sysctl, readonly and masked
 *                                                  paths, hostname, pty (-> PTY),
 *                                                  rlimits, seccomp (without
 *                                                  noNewPrivileges), caps, ids,
 *                                                  env; wait for CGROUP (and
 *                                                  REAPED), set PR_SET_PDEATHSIG,
 *                                                  seccomp (with noNewPrivileges)
 *      (SECCOMP: the notify fd to   <-         (a notify fd -> SECCOMP)
 *      the agent at listenerPath)
 *   9. wait for READY, then EOF         <-     READY; execve (CLOEXEC closes
 *      (exec done) or ERROR                     the socket) or ERROR
 *  10. on any failure: kill, reap, remove the cgroup: nothing is left.
 */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/idmap_mount.h"
#include "linux/lsm.h"
#include "linux/namespaces.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "linux/sync.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fs.h"

void hk_forward_sigset(sigset_t *set)
{
	static const int sigs[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGTERM,   SIGUSR1, SIGUSR2,
	                           SIGPIPE, SIGALRM, SIGCONT, SIGTSTP,   SIGTTIN, SIGTTOU,
	                           SIGURG,  SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
	                           SIGIO,   SIGPWR,  SIGSYS,  SIGCHLD};
	sigemptyset(set);
	for (size_t i = 0; i < HK_ARRAY_SIZE(sigs); i++)
		sigaddset(set, sigs[i]);
}

static int resolve_rootfs(const hk_container_opts *o, char **out, hk_err *err)
{
	_cleanup_free_ char *joined = NULL;
	const char *root = o->spec->root_path;
	if (!root)
		return hk_err_plain(err, EINVAL, "root.path: required");
	if (root[0] != '/') {
		if (asprintf(&joined, "%s/%s", o->bundle, root) < 0)
			return hk_err_set(err, ENOMEM, "root.path");
		root = joined;
	}
	char *real = hk_realpath(root);
	if (!real)
		return hk_err_set(err, errno, "root.path: %s", root);
	struct stat st;
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return hk_err_plain(err, ENOTDIR, "root.path: %s: not a directory", root);
	}
	*out = real;
	return 0;
}

/* Which namespaces to create where.  Fast path: everything new is created
 * by clone3 itself.  Slow path: the child joins and unshares. */
static int plan_namespaces(const hk_spec *s, hk_init_ctx *ctx, unsigned long *clone_flags,
                           hk_err *err)
{
	unsigned long create = 0;
	bool joins = false;
	for (size_t i = 0; i < s->lnx.n_namespaces; i++) {
		const hk_namespace *ns = &s->lnx.namespaces[i];
		if (ns->path)
			joins = true;
		else if (ns->type != HK_NS_CGROUP) /* unshared after cgroup placement */
			create |= hk_ns_clone_flag(ns->type);
	}
	if (!hk_spec_namespace(s, HK_NS_MOUNT) || hk_spec_namespace(s, HK_NS_MOUNT)->path)
		return hk_err_plain(err, EINVAL,
		                    "linux.namespaces: a new mount namespace is required");
	if (s->hostname &&
	    (!hk_spec_namespace(s, HK_NS_UTS) || hk_spec_namespace(s, HK_NS_UTS)->path))
		return hk_err_plain(err, EINVAL,
		                    "hostname: setting it needs a new uts namespace in "
		                    "linux.namespaces");
	const hk_namespace *tns = hk_spec_namespace(s, HK_NS_TIME);
	bool offsets = s->lnx.time_monotonic.present || s->lnx.time_boottime.present;
	if (offsets && (!tns || tns->path))
		return hk_err_plain(
		    err, EINVAL,
		    "linux.timeOffsets: needs a new time namespace in linux.namespaces");
	const hk_namespace *ipc = hk_spec_namespace(s, HK_NS_IPC);
	const hk_namespace *net = hk_spec_namespace(s, HK_NS_NETWORK);
	const hk_namespace *uts = hk_spec_namespace(s, HK_NS_UTS);
	if (hk_sysctl_check(s->lnx.sysctl, s->lnx.n_sysctl, ipc && !ipc->path, net && !net->path,
	                    uts && !uts->path, err) < 0)
		return -err->code;
	const hk_namespace *uns = hk_spec_namespace(s, HK_NS_USER);
	ctx->userns_new = uns && !uns->path;
	if (ctx->userns_new && s->lnx.n_uid_mappings == 0)
		return hk_err_plain(err, EINVAL,
		                    "linux.uidMappings: required with a new user namespace");
	if (!joins && !offsets) {
		*clone_flags = create;
		return 0;
	}
	ctx->joins = true;
	ctx->unshare = create;
	const hk_namespace *pns = hk_spec_namespace(s, HK_NS_PID);
	ctx->must_fork = pns != NULL || (tns && !tns->path);
	*clone_flags = 0;
	return 0;
}

static void kill_and_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
}

/* An error the child already reported explains a failure better than
 * what it caused on our side (e.g. ESRCH joining a dead child to a cgroup). */
static void prefer_child_error(int sock, hk_err *err)
{
	struct pollfd p = {.fd = sock, .events = POLLIN};
	hk_sync_msg msg;
	hk_err ignored;
	if (poll(&p, 1, 0) == 1 && hk_sync_recv(sock, &msg, NULL, &ignored) == 0 &&
	    msg.type == HK_SYNC_ERROR) {
		*err = msg.err;
		if (err->code <= 0)
			err->code = EINVAL;
	}
}

static int setup_cgroup(hk_container *c, const hk_container_opts *o, hk_err *err)
{
	const hk_linux *l = &c->spec->lnx;
	const hk_resources *res = l->has_resources ? &l->resources : NULL;
	int r = hk_cgroup_create_noted(l->cgroups_path, o->id, res, o->note_cgroup, o->note_arg,
	                               &c->cgroup, err);
	/* the whole device policy at once (on v2 one eBPF program): the
	 * config's rules, the nodes of linux.devices (as runc), the defaults */
	if (r == 0)
		r = hk_cgroup_set_devices(c->cgroup, res ? res->devices : NULL,
		                          res ? res->n_devices : 0, l->devices, l->n_devices, err);
	return r;
}

static hk_state state_of(const hk_container *c, const hk_container_opts *o)
{
	return (hk_state){
	    .id = c->id,
	    .pid = c->pid,
	    .bundle = (char *)o->bundle,
	    .rootfs = c->rootfs,
	    .annotations = c->spec->annotations,
	    .n_annotations = c->spec->n_annotations,
	};
}

char *hk_container_state_json(const hk_container *c, const hk_container_opts *o,
                              enum hk_status status)
{
	hk_state st = state_of(c, o);
	return hk_state_hook_json(&st, status);
}

/* PID as the container sees it (runtime-spec's state: "for hooks executed
 * in the container namespace, it is the pid as seen by the container"):
 * the last NSpid of its /proc status; PID itself when unknown. */
static pid_t pid_in_container(pid_t pid)
{
	pid_t v = hk_pid_innermost(pid);
	return v > 0 ? v : pid;
}

/* SECCOMP from the child: its filter's notify fd, for the seccomp agent
 * at listenerPath, with the state "creating" (as runc).  Sent from here:
 * the path is the host's, and the child is in the container's root. */
static int seccomp_agent(hk_container *c, const hk_container_opts *o, int fd, hk_err *err)
{
	_cleanup_close_ int nfd = fd;
	const hk_seccomp *sc = c->spec->lnx.seccomp;
	if (nfd < 0 || !sc || !sc->listener_path)
		return hk_err_plain(err, EPROTO, "sync: a seccomp fd without a listener");
	hk_state st = state_of(c, o);
	_cleanup_free_ char *json =
	    hk_state_process_json(&st, HK_STATUS_CREATING, c->pid, sc->listener_metadata);
	if (!json)
		return hk_err_set(err, ENOMEM, "linux.seccomp.listenerPath");
	return hk_seccomp_send_listener(sc->listener_path, json, nfd, err);
}

/* HOOKS from the child (its namespaces and mounts exist, pivot_root is
 * next): run prestart then createRuntime here, in husk's namespaces, and
 * hand the child the states for createContainer ("creating") and
 * startContainer ("created"), with its pid as it sees it, NUL-separated
 * in a memfd. */
static int run_create_hooks(hk_container *c, const hk_container_opts *o, int sock, hk_err *err)
{
	const hk_hooks *h = &c->spec->hooks;
	hk_state st = state_of(c, o);
	_cleanup_free_ char *runtime = hk_state_hook_json(&st, HK_STATUS_CREATING);
	st.pid = pid_in_container(c->pid);
	_cleanup_free_ char *creating = hk_state_hook_json(&st, HK_STATUS_CREATING);
	_cleanup_free_ char *created = hk_state_hook_json(&st, HK_STATUS_CREATED);
	if (!runtime || !creating || !created)
		return hk_err_set(err, ENOMEM, "hooks");
	int r;
	if ((r = hk_hooks_run(h, HK_HOOK_PRESTART, runtime, err)) < 0 ||
	    (r = hk_hooks_run(h, HK_HOOK_CREATE_RUNTIME, runtime, err)) < 0)
		return r;
	_cleanup_close_ int mfd = memfd_create("husk-hook-state", MFD_CLOEXEC);
	if (mfd < 0)
		return hk_err_set(err, errno, "hooks: memfd_create");
	size_t a = strlen(creating) + 1, b = strlen(created) + 1;
	if (write(mfd, creating, a) != (ssize_t)a || write(mfd, created, b) != (ssize_t)b ||
	    lseek(mfd, 0, SEEK_SET) < 0)
		return hk_err_set(err, errno, "hooks: write the state");
	return hk_sync_send(sock, HK_SYNC_HOOKS_DONE, 0, mfd, err);
}

static bool has_cgroup_mount(const hk_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].type && strcmp(s->mounts[i].type, "cgroup") == 0)
			return true;
	return false;
}

struct hooks_arg {
	hk_container *c;
	const hk_container_opts *o;
	int sock;
};

/* IDMAP from the child: idmap its copy FD of mounts[I]'s source (the
 * same mount the child holds: the answer carries no fd). */
static int idmap_request(const hk_container *c, int sock, int i, int fd, hk_err *err)
{
	_cleanup_close_ int tree = fd;
	const hk_spec *s = c->spec;
	if (tree < 0 || i < 0 || (size_t)i >= s->n_mounts)
		return hk_err_plain(err, EPROTO, "sync: a bad idmap request");
	int r = hk_idmap_mount_set(s, (size_t)i, tree, c->pid, err);
	return r < 0 ? r : hk_sync_send(sock, HK_SYNC_IDMAP_DONE, 0, -1, err);
}

/* The child's requests while it sets up: HOOKS, SECCOMP, IDMAP. */
static int on_request(void *arg, const hk_sync_msg *msg, int fd, hk_err *err)
{
	const struct hooks_arg *a = arg;
	if (msg->type == HK_SYNC_SECCOMP)
		return seccomp_agent(a->c, a->o, fd, err);
	if (msg->type == HK_SYNC_IDMAP)
		return idmap_request(a->c, a->sock, msg->value, fd, err);
	if (fd >= 0)
		close(fd);
	if (msg->type != HK_SYNC_HOOKS)
		return hk_err_plain(err, EPROTO, "sync: unexpected message %d", msg->type);
	return run_create_hooks(a->c, a->o, a->sock, err);
}

/* Steps 5-9 on the parent's side; PLACED: the child is in its cgroup
 * already (clone3 put it there, or it joins by itself). */
static int parent_sync(hk_container *c, const hk_container_opts *o, int sock,
                       const hk_init_ctx *ctx, bool placed, hk_err *err)
{
	const hk_spec *s = c->spec;
	hk_sync_msg msg;
	bool denied = false;
	int r;

	if (ctx->userns_new) {
		if (ctx->joins &&
		    (r = hk_sync_expect(sock, HK_SYNC_USERNS_READY, &msg, NULL, err)) < 0)
			return r;
		r = hk_userns_write_maps(c->pid, s->lnx.uid_mappings, s->lnx.n_uid_mappings,
		                         s->lnx.gid_mappings, s->lnx.n_gid_mappings, &denied, err);
		/* GO carries whether setgroups(2) is denied in the new namespace */
		if (r == 0)
			r = hk_sync_send(sock, HK_SYNC_GO, denied, -1, err);
		if (r < 0) {
			/* the child may have failed first (joining its v1
			 * cgroup): its error, not the missing /proc files */
			prefer_child_error(sock, err);
			return -err->code;
		}
	}
	/* 7 */
	if (!placed && ((r = hk_cgroup_enter(c->cgroup, c->pid, err)) < 0 ||
	                (r = hk_sync_send(sock, HK_SYNC_CGROUP, 0, -1, err)) < 0)) {
		prefer_child_error(sock, err);
		return -err->code;
	}
	if (ctx->must_fork) {
		if ((r = hk_sync_expect(sock, HK_SYNC_PID, &msg, NULL, err)) < 0)
			return r;
		/* The intermediate child exits; its child is ours (subreaper). */
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (c->pidfd >= 0)
			close(c->pidfd);
		c->pidfd = -1;
		c->pid = msg.value;
		/* now it may tie its life to ours (PR_SET_PDEATHSIG) */
		if ((r = hk_sync_send(sock, HK_SYNC_REAPED, 0, -1, err)) < 0)
			return r;
	}
	struct hooks_arg ha = {c, o, sock};
	return hk_sync_wait_exec(sock, &c->pty_master, o->wait_start, "the container's init",
	                         on_request, NULL, &ha, err);
}

void hk_container_abort(hk_container *c)
{
	hk_err ignored;
	kill_and_reap(c->pid);
	hk_container_destroy(c, &ignored);
	hk_container_free(c);
}

void hk_container_fail(hk_container *c, const hk_container_opts *o)
{
	hk_err ignored;
	kill_and_reap(c->pid);
	hk_container_destroy(c, &ignored);
	/* runtime.md: a failed prestart, createRuntime, createContainer (or,
	 * with run, startContainer) hook continues the lifecycle at step 12,
	 * the destruction, and 13, the poststop hooks; runc runs them after
	 * any create that fails once its process exists.  Their failures are
	 * warnings (hooks.h). */
	if (c->pid > 0 && hk_hooks_any(&c->spec->hooks, HK_HOOK_POSTSTOP)) {
		_cleanup_free_ char *state = hk_container_state_json(c, o, HK_STATUS_STOPPED);
		if (state)
			hk_hooks_run(&c->spec->hooks, HK_HOOK_POSTSTOP, state, &ignored);
	}
	hk_container_free(c);
}

int hk_container_write_pid_file(const hk_container *c, const char *path, hk_err *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)c->pid);
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return hk_err_set(err, ENOMEM, "pid file");
	int r = hk_write_file_at(AT_FDCWD, tmp, buf, (size_t)n, 1, err);
	if (r == 0 && rename(tmp, path) < 0)
		r = hk_err_set(err, errno, "pid file: rename %s", path);
	if (r < 0)
		unlink(tmp);
	return r;
}

/* Step 10: undo what was made so far; ERR keeps the first failure. */
static int abort_create(hk_container *c, const hk_container_opts *o, const sigset_t *mask,
                        hk_err *err)
{
	hk_container_fail(c, o);
	if (mask)
		sigprocmask(SIG_SETMASK, mask, NULL);
	return err->code > 0 ? -err->code : -EINVAL;
}

unsigned hk_listen_fds(void)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	char *end;
	if (!fds || !pid)
		return 0;
	errno = 0;
	unsigned long p = strtoul(pid, &end, 10);
	if (errno || *end || p != (unsigned long)getpid())
		return 0;
	unsigned long n = strtoul(fds, &end, 10);
	if (errno || *end || n > 65536)
		return 0;
	return (unsigned)n;
}

int hk_check_preserved_fds(unsigned n, unsigned listen, hk_err *err)
{
	for (unsigned i = 0; i < n + listen; i++) {
		if (fcntl((int)(3 + i), F_GETFD) >= 0)
			continue;
		if (i < listen)
			return hk_err_set(err, errno, "LISTEN_FDS: fd %u (of %u)", 3 + i, listen);
		return hk_err_set(err, errno, "unable to stat preserved-fd %u (of %u)", i - listen,
		                  n);
	}
	return 0;
}

int hk_container_create(const hk_container_opts *o, hk_container **out, hk_err *err)
{
	const hk_spec *s = o->spec;
	hk_init_ctx ctx = {.spec = s,
	                   .foreground = o->foreground,
	                   .overlay = o->overlay,
	                   .exec_fifo = o->wait_start ? o->exec_fifo : -1};
	/* the caller's terminal size is the pty's from the start: copied
	 * only by the supervisor, the program could read 0x0 first */
	struct winsize ws;
	if (o->foreground && s->has_process && s->process.terminal &&
	    ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
		ctx.tty_rows = ws.ws_row;
		ctx.tty_cols = ws.ws_col;
	}
	unsigned long flags = 0;
	int sv[2];
	/* the child has its own copy (clone without CLONE_VM) */
	_cleanup_seccomp_prog_ hk_seccomp_prog *seccomp = NULL;

	if (!s->has_process)
		return hk_err_plain(err, EINVAL, "process: required to run a container");
	ctx.listen_fds = o->listen_fds ? hk_listen_fds() : 0;
	ctx.preserve_fds = ctx.listen_fds + o->preserve_fds;
	if (hk_check_preserved_fds(o->preserve_fds, ctx.listen_fds, err) < 0)
		return -err->code;
	hk_container *c = calloc(1, sizeof(*c));
	if (!c || !(c->id = strdup(o->id))) {
		free(c);
		return hk_err_set(err, ENOMEM, "create container");
	}
	c->spec = s;
	c->pid = -1;
	c->pidfd = -1;
	c->pty_master = -1;
	c->sync = -1;
	/* 1-3 */
	enum hk_cgroup_layout layout;
	/* the filter is compiled here: a bad profile is a config error
	 * before anything exists */
	if (hk_lsm_check_spec(
	        s, hk_lsm_enabled_for(s->process.apparmor_profile, s->process.selinux_label), err) <
	        0 ||
	    resolve_rootfs(o, &c->rootfs, err) < 0 || plan_namespaces(s, &ctx, &flags, err) < 0 ||
	    hk_idmap_mounts_check(s, err) < 0 ||
	    (s->lnx.seccomp && hk_seccomp_build(s->lnx.seccomp, &seccomp, err) < 0) ||
	    hk_cgroup_layout(&layout, err) < 0 || setup_cgroup(c, o, err) < 0 ||
	    hk_sync_pair(sv, err) < 0)
		return abort_create(c, o, NULL, err);
	/* v1: the child moves itself (hk_cgroup_open_tasks); else step 7 */
	hk_err no_tasks;
	ctx.cgroup = c->cgroup;
	ctx.self_join = hk_cgroup_open_tasks(c->cgroup, &no_tasks) == 0;
	const hk_namespace *cgns = hk_spec_namespace(s, HK_NS_CGROUP);

	ctx.rootfs = c->rootfs;
	ctx.seccomp = seccomp;
	for (int k = HK_HOOK_PRESTART; k <= HK_HOOK_START_CONTAINER; k++)
		ctx.hooks = ctx.hooks || hk_hooks_any(&s->hooks, (enum hk_hook_kind)k);
	/* the hooks' HOOKS/HOOKS_DONE exchange comes after CGROUP; on v1 a
	 * cgroup mount without a cgroup namespace binds the container's own
	 * cgroups (mounts.c): they must be its own by then */
	ctx.cgroup_early = ctx.must_fork || (cgns && !cgns->path) || ctx.hooks ||
	                   (layout != HK_CGROUP_V2 && !cgns && has_cgroup_mount(s));
	_cleanup_close_ int sock = sv[0];
	ctx.sync = sv[1];
	sigset_t fwd, before;
	hk_forward_sigset(&fwd);
	sigprocmask(SIG_BLOCK, &fwd, &before);
	/* The container starts with none of the forwarded signals blocked. */
	ctx.sigmask = before;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&fwd, sig))
			sigdelset(&ctx.sigmask, sig);
	ctx.ignored = hk_init_ignored_signals();
	if (ctx.must_fork)
		prctl(PR_SET_CHILD_SUBREAPER, 1);

	/* 4: in a user namespace whose root is another uid than husk's the
	 * child may not reach what it binds: husk copies the bind sources
	 * for it first (mount_sources.c) */
	uint32_t root = 0;
	bool other_root = hk_spec_namespace(s, HK_NS_USER) &&
	                  (!hk_idmap_root(s->lnx.uid_mappings, s->lnx.n_uid_mappings, &root) ||
	                   root != geteuid());
	if (other_root &&
	    hk_mounts_open_sources(s->mounts, s->n_mounts, s->lnx.rootfs_propagation, err) < 0) {
		close(sv[1]);
		return abort_create(c, o, &before, err);
	}
	bool in_cgroup = false;
	int cgfd = c->cgroup ? hk_cgroup_clone_fd(c->cgroup) : -1;
	pid_t pid = hk_clone(flags, cgfd, &c->pidfd, &in_cgroup);
	if (pid == 0) {
		close(sock);
		ctx.in_cgroup = in_cgroup;
		hk_init_main(&ctx);
	}
	hk_mounts_close_sources();
	close(sv[1]);
	hk_cgroup_close_tasks(c->cgroup);
	if (pid < 0) {
		c->pidfd = -1;
		hk_err_set(err, -pid, "clone the container's process");
		return abort_create(c, o, &before, err);
	}
	c->pid = pid;
	/* 5-9 */
	if (parent_sync(c, o, sock, &ctx, in_cgroup || ctx.self_join, err) < 0) {
		/* a memory limit too low for husk's own setup in the child */
		if (err->code == ECHILD && hk_cgroup_oom_killed(c->cgroup))
			hk_err_plain(err, ENOMEM,
			             "the container's init was killed by the OOM killer while "
			             "being set up: linux.resources.memory.limit is too low");
		return abort_create(c, o, &before, err);
	}
	sigprocmask(SIG_SETMASK, &before, NULL); /* run blocked them itself, before */
	if (o->wait_start)
		c->sync = hk_steal_fd(&sock);
	*out = c;
	return 0;
}

int hk_container_recorded(hk_container *c, hk_err *err)
{
	if (c->sync < 0)
		return 0;
	int r = hk_sync_send(c->sync, HK_SYNC_RECORDED, 0, -1, err);
	close(c->sync);
	c->sync = -1;
	return r;
}

int hk_container_destroy(hk_container *c, hk_err *err)
{
	if (!c->cgroup)
		return 0;
	int r = hk_cgroup_destroy(c->cgroup, err);
	hk_cgroup_free(c->cgroup);
	c->cgroup = NULL;
	return r;
}

void hk_container_free(hk_container *c)
{
	if (!c)
		return;
	if (c->cgroup)
		hk_cgroup_free(c->cgroup);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->pty_master >= 0)
		close(c->pty_master);
	if (c->sync >= 0)
		close(c->sync);
	free(c->rootfs);
	free(c->id);
	free(c);
}
