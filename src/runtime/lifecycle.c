/* lifecycle.c - kill and delete over the state store, and signal names
 * (create and start are in create.c).  The container's process is not our
 * child: it is signalled through a pidfd checked against the recorded
 * start time (no pid reuse race), and its end is awaited by polling. */
#include "runtime/lifecycle.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup.h"
#include "linux/namespaces.h"
#include "runtime/hooks.h"
#include "util/cleanup.h"

/* A pidfd of ST's process, checked to be the recorded one: >= 0; -ESRCH
 * when it is gone or another process has its pid; -ENOSYS when the kernel
 * has no pidfds. */
static int open_pidfd(const hk_state *st)
{
#ifdef SYS_pidfd_open
	_cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0)
		return errno == ENOSYS ? -ENOSYS : -ESRCH;
	/* Checked after opening: the pidfd then refers to the recorded process. */
	if (!hk_state_alive(st))
		return -ESRCH;
	return hk_steal_fd(&fd);
#else
	return -ENOSYS;
#endif
}

/* Send SIG to ST's process if it is still the recorded one: 0, -ESRCH or
 * another -errno. */
static int signal_recorded(const hk_state *st, int sig)
{
	_cleanup_close_ int fd = open_pidfd(st);
#ifdef SYS_pidfd_send_signal
	if (fd >= 0)
		return syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 ? -errno : 0;
#endif
	if (fd != -ENOSYS && fd < 0)
		return fd;
	/* no pidfds: a (small) race between this check and kill() */
	if (!hk_state_alive(st))
		return -ESRCH;
	return kill(st->pid, sig) < 0 ? -errno : 0;
}

static int not_running(const char *id, hk_err *err)
{
	return hk_err_plain(err, ESRCH, "container \"%s\" is not running", id);
}

/* Without a cgroup (rootless): every process in the container's pid
 * namespace; the process itself when it shares husk's. */
static int signal_without_cgroup(const hk_state *st, int sig, hk_err *err)
{
	hk_err e;
	/* the recorded process, held while its namespace is walked: a pid
	 * reused meanwhile must not lead to another namespace */
	_cleanup_close_ int fd = open_pidfd(st);
	if (fd == -ESRCH || !hk_state_alive(st))
		return 0; /* its pid namespace died with it */
	if (hk_pidns_signal(st->pid, sig, &e) == 0)
		return 0;
	int r = signal_recorded(st, sig);
	if (r == -ESRCH)
		return 0;
	return r < 0 ? hk_err_set(err, -r, "kill container \"%s\"", st->id) : 0;
}

/* Signal every process of ST's cgroup.  Also when the container's process
 * has exited (as runc): what it left behind in its cgroup is what --all is
 * for (containerd kills with --all after the task ended); nothing left is
 * not an error. */
static int signal_all(const hk_state *st, int sig, hk_err *err)
{
	if (!st->cgroup || !*st->cgroup)
		return signal_without_cgroup(st, sig, err);
	_cleanup_cgroup_ hk_cgroup *cg = NULL;
	int r = hk_cgroup_load(st->cgroup, &cg, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return hk_err_wrap(err, "kill container \"%s\"", st->id);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if ((r = hk_cgroup_pids(cg, &pids, &n, err)) < 0)
		return hk_err_wrap(err, "kill container \"%s\"", st->id);
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return hk_err_set(err, errno, "kill container \"%s\": pid %d", st->id,
			                  (int)pids[i]);
	return 0;
}

/* After a SIGKILL: a paused container's processes die only once its cgroup
 * is thawed (v1 freezer; harmless on v2), as runc does.  CG: ST's cgroup
 * if the caller has it, else NULL. */
static void thaw_after_kill(const hk_state *st, hk_cgroup *cg)
{
	if (!st->cgroup || !*st->cgroup)
		return;
	_cleanup_cgroup_ hk_cgroup *loaded = NULL;
	hk_err e;
	if (!cg && hk_cgroup_load(st->cgroup, &loaded, &e) == 0)
		cg = loaded;
	if (cg && hk_cgroup_frozen(cg))
		hk_cgroup_freeze(cg, false, &e);
}

int hk_lc_kill(const char *root, const char *id, int sig, bool all, hk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_state_ hk_state *st = NULL;
	int r = hk_state_open(root, id, &lock, err);
	if (r < 0 || (r = hk_state_load(root, id, &st, err)) < 0)
		return r;
	if (!all && !hk_state_alive(st))
		return not_running(id, err);
	/* KILL of the init of a pid namespace kills every process in it;
	 * without one of its own, the others would live on: kill them all
	 * (as runc; not knowing, the process alone) */
	if (sig == SIGKILL && !all && hk_ns_is_ours(st->pid, "pid") == 1)
		all = true;
	if (all) {
		r = signal_all(st, sig, err);
	} else {
		r = signal_recorded(st, sig);
		if (r == -ESRCH)
			return not_running(id, err);
		if (r < 0)
			return hk_err_set(err, -r, "kill container \"%s\"", id);
	}
	if (r == 0 && sig == SIGKILL)
		thaw_after_kill(st, NULL);
	return r;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGKILL ST's process and wait (up to ~10 s) until it has gone (exited:
 * a zombie counts as gone; it is not our child to reap).  The lock *LOCK
 * is held through the signal and the thaw (a concurrent pause must not
 * freeze it in between), and closed for the wait: a kill, an exec or
 * another delete must not wait on a process slow to exit.  CG: ST's
 * cgroup if the caller has it, else NULL. */
static int kill_and_wait(const hk_state *st, hk_cgroup *cg, int *lock, hk_err *err)
{
	const long long deadline = now_ms() + 10000;
	_cleanup_close_ int fd = open_pidfd(st);
	if (fd == -ESRCH)
		return 0;
	int r = -ENOSYS;
#ifdef SYS_pidfd_send_signal
	/* the pidfd is the recorded process's (open_pidfd checked) */
	if (fd >= 0)
		r = syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0 ? -errno : 0;
#endif
	if (r == -ENOSYS)
		r = signal_recorded(st, SIGKILL);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return hk_err_set(err, -r, "kill container \"%s\"", st->id);
	thaw_after_kill(st, cg);
	close(*lock);
	*lock = -1;
	while (hk_state_alive(st)) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return hk_err_plain(err, ETIMEDOUT,
			                    "delete container \"%s\": process %d did not exit "
			                    "after SIGKILL",
			                    st->id, (int)st->pid);
		if (fd >= 0) {
			/* readable once it has exited */
			struct pollfd p = {.fd = fd, .events = POLLIN};
			if (poll(&p, 1, (int)(left < 100 ? left : 100)) < 0 && errno != EINTR)
				return hk_err_set(err, errno, "poll pidfd");
		} else {
			usleep(10000);
		}
	}
	return 0;
}

/* A create killed before its state.json: the cgroup it was making (only
 * leaves that did not exist before it: a '=' line is someone else's).
 * Nothing in it is killed: its process left with the husk that was
 * killed (it reads EOF on the sync socket), and the leaf may have become
 * another container's since (same cgroupsPath).  1 when all of it is
 * gone, 0 when there was no plan, -EBUSY when some is still in use. */
static int remove_planned_cgroup(const char *root, const char *id, hk_err *err)
{
	_cleanup_free_ char *plan = NULL;
	hk_err e;
	if (hk_state_load_cgroup_plan(root, id, &plan, &e) < 0 || !plan)
		return 0;
	size_t w = 0;
	for (char *line = plan, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		nl = nl ? nl + 1 : NULL;
		if (*line == '=')
			continue;
		if (w)
			plan[w++] = '\n';
		memmove(plan + w, line, len);
		w += len;
	}
	plan[w] = '\0';
	_cleanup_cgroup_ hk_cgroup *cg = NULL;
	int r = hk_cgroup_load(plan, &cg, &e);
	if (r == -ENOENT || (r == 0 && !hk_cgroup_path(cg)))
		return 0;
	if (r == 0)
		r = hk_cgroup_remove_empty(cg, err);
	return r < 0 ? r : 1;
}

/* ST's record when delete --force finds state.json unreadable (R says
 * why): its copy.  With neither (a create that died half-way, or both
 * damaged) the directory alone is removed: 1.  Else 0, -errno. */
static int delete_fallback(const char *root, const char *id, int r, hk_state **st, hk_err *err)
{
	hk_err ignored;
	if (hk_state_load_copy(root, id, st, &ignored) == 0)
		return 0;
	hk_err e = {0};
	int d = remove_planned_cgroup(root, id, &e);
	if (r != -ENOENT && d <= 0)
		fprintf(stderr,
		        "husk: warning: container \"%s\": state.json and its copy are damaged; "
		        "its process and cgroup (if any) are left\n",
		        id);
	else if (d < 0)
		fprintf(stderr, "husk: warning: container \"%s\": its cgroup is left: %s\n", id,
		        e.msg);
	r = hk_state_remove(root, id, err);
	return r < 0 ? r : 1;
}

/* Is the container in ROOT/ID still the one of OLD (not deleted, and not
 * made anew, while we did not hold the lock)? */
static bool same_container(const char *root, const char *id, const hk_state *old)
{
	_cleanup_state_ hk_state *now = NULL;
	hk_err e;
	if (hk_state_load(root, id, &now, &e) < 0 && hk_state_load_copy(root, id, &now, &e) < 0)
		return false;
	return now->pid == old->pid && now->start == old->start;
}

int hk_lc_delete(const char *root, const char *id, bool force, hk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_state_ hk_state *st = NULL;
	int r = hk_state_open(root, id, &lock, err);
	/* (a create of the same id between its mkdir and its lock file
	 * loses its directory here: it fails, nothing is left) */
	if (r == -ENOENT && force) {
		if (hk_state_remove_stub(root, id) == -ENOTEMPTY)
			fprintf(stderr,
			        "husk: warning: container \"%s\": its state directory has no lock "
			        "file but is not empty: left\n",
			        id);
		return 0;
	}
	if (r < 0)
		return r;
	if ((r = hk_state_load(root, id, &st, err)) < 0) {
		/* only a damaged or missing record (unparsable, gone, a
		 * directory, unreadable on the disk): not, say, ENOMEM or
		 * EACCES, which say nothing of the container */
		if (!force || (r != -EINVAL && r != -ENOENT && r != -EISDIR && r != -ENOTDIR &&
		               r != -EIO && r != -EUCLEAN))
			return r;
		if ((r = delete_fallback(root, id, r, &st, err)) != 0)
			return r < 0 ? r : 0;
	}
	_cleanup_cgroup_ hk_cgroup *cg = NULL;
	enum hk_status status = hk_state_status_cg(root, st, &cg);
	if ((status == HK_STATUS_RUNNING || status == HK_STATUS_PAUSED) && !force)
		return hk_err_plain(err, EBUSY,
		                    "cannot delete container \"%s\" that is not "
		                    "stopped: %s",
		                    id, hk_status_name(status));
	if (status != HK_STATUS_STOPPED) {
		if ((r = kill_and_wait(st, cg, &lock, err)) < 0)
			return r;
		if (lock >= 0) /* it was gone already */
			close(hk_steal_fd(&lock));
		r = hk_state_open(root, id, &lock, err);
		/* another delete was quicker (or a new container has the id) */
		if (r == 0 && !same_container(root, id, st))
			r = hk_err_plain(err, ENOENT, "container \"%s\" does not exist", id);
		if (r == -ENOENT && force)
			return 0;
		if (r < 0)
			return r;
	}
	/* (the cgroup the status came from, if it was found then) */
	r = cg ? 0 : hk_cgroup_load(st->cgroup, &cg, err);
	if (r < 0 && r != -ENOENT)
		return hk_err_wrap(err, "delete container \"%s\"", id);
	/* destroy kills whatever is left in the cgroup, then removes it */
	if (r == 0 && (r = hk_cgroup_destroy(cg, err)) < 0)
		return hk_err_wrap(err, "delete container \"%s\"", id);
	/* poststop hooks: after the container is gone, from the config it
	 * was created from (a failure is a warning, hooks.h) */
	hk_spec *spec = NULL;
	hk_err ignored;
	if (st->hooks == 0 || hk_state_load_spec(root, id, &spec, &ignored) < 0)
		spec = NULL;
	r = hk_state_remove(root, id, err);
	/* gone: those waiting for the lock learn so now, not after the hooks */
	close(lock);
	lock = -1;
	if (r == 0 && spec && hk_hooks_any(&spec->hooks, HK_HOOK_POSTSTOP)) {
		_cleanup_free_ char *state = hk_state_hook_json(st, HK_STATUS_STOPPED);
		if (state)
			hk_hooks_run(&spec->hooks, HK_HOOK_POSTSTOP, state, &ignored);
	}
	hk_spec_free(spec);
	return r;
}

static const struct {
	const char *name;
	int sig;
} signames[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

/* Whole-string decimal in [0, max]: the value, or -1. */
static int parse_small(const char *s, int max)
{
	if (!*s || strlen(s) > 3)
		return -1;
	int v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= max ? v : -1;
}

int hk_signal_parse(const char *s)
{
	if (!s || !*s)
		return -EINVAL;
	int n = parse_small(s, SIGRTMAX);
	if (n >= 1)
		return n;
	if (n == 0 || (*s >= '0' && *s <= '9'))
		return -EINVAL;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < HK_ARRAY_SIZE(signames); i++)
		if (strcasecmp(s, signames[i].name) == 0)
			return signames[i].sig;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool min = strncasecmp(s, "RTMIN", 5) == 0;
		const char *rest = s + 5;
		int off = 0;
		if (*rest) {
			if (*rest != (min ? '+' : '-'))
				return -EINVAL;
			if ((off = parse_small(rest + 1, SIGRTMAX - SIGRTMIN)) < 0)
				return -EINVAL;
		}
		return min ? SIGRTMIN + off : SIGRTMAX - off;
	}
	return -EINVAL;
}
