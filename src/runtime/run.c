/* run.c - `husk run` in the foreground: create the container, supervise
 * its process (supervise.c: signals forwarded, pty relayed), report an OOM
 * kill, remove the cgroup. */
#include "runtime/run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/sync.h"
#include "runtime/hooks.h"
#include "runtime/lifecycle.h"
#include "runtime/notify.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"

static void format_bytes(int64_t v, char *buf, size_t len)
{
	if (v > 0 && v % (1024 * 1024) == 0)
		snprintf(buf, len, "%" PRId64 " MiB", v / (1024 * 1024));
	else
		snprintf(buf, len, "%" PRId64 " bytes", v);
}

static void report_oom(const hk_container *c, int status)
{
	const hk_resources *res = &c->spec->lnx.resources;
	char limit[64] = "unknown";
	if (res->memory.has_limit && res->memory.limit > 0)
		format_bytes(res->memory.limit, limit, sizeof(limit));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		fprintf(stderr, "husk: container killed by the OOM killer (memory limit %s)\n",
		        limit);
	else
		fprintf(stderr,
		        "husk: a process in the container was killed by the OOM killer (memory "
		        "limit %s)\n",
		        limit);
}

/* The state a foreground container's hooks get. */
static void run_hooks(const hk_container *c, const hk_container_opts *o, enum hk_hook_kind kind,
                      enum hk_status status)
{
	if (!hk_hooks_any(&o->spec->hooks, kind))
		return;
	_cleanup_free_ char *state = hk_container_state_json(c, o, status);
	hk_err ignored; /* poststart/poststop failures are warnings (hooks.h) */
	if (state)
		hk_hooks_run(&o->spec->hooks, kind, state, &ignored);
}

/* Forget REG's record once the container is gone (unless `delete
 * --force` already did). */
static void unregister(const hk_create_opts *reg)
{
	_cleanup_close_ int lock = -1;
	hk_err ignored;
	if (hk_state_open(reg->root, reg->id, &lock, &ignored) == 0)
		hk_state_remove(reg->root, reg->id, &ignored);
}

/* *NSOCK: the notify socket (notify.h), bound before the process runs,
 * or -1. */
static int create_registered(const hk_container_opts *o, const hk_create_opts *reg,
                             hk_container **c, int *nsock, hk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int sock = -1;
	int r;
	if (reg && (r = hk_state_create(reg->root, reg->id, &lock, err)) < 0)
		return r;
	r = reg ? hk_notify_mkdir(reg->root, reg->id, err) : 0;
	if (r == 0 && reg && (sock = hk_notify_bind(reg->root, reg->id, err)) < 0 &&
	    sock != -ENOENT)
		r = sock;
	/* a run killed before its record leaves a cgroup delete --force finds */
	hk_container_opts noted = *o;
	if (reg) {
		noted.note_cgroup = hk_lc_note_cgroup;
		noted.note_arg = (void *)reg;
	}
	if (r == 0)
		r = hk_container_create(&noted, c, err);
	if (r == 0 && reg && (r = hk_lc_record(reg, *c, err)) < 0)
		hk_container_fail(*c, o);
	if (r < 0 && reg) {
		hk_err ignored;
		hk_state_remove(reg->root, reg->id, &ignored);
	}
	if (r == 0 && sock >= 0)
		*nsock = hk_steal_fd(&sock);
	return r; /* the lock goes: state, kill, exec may act on it now */
}

int hk_run_foreground(const hk_container_opts *o, const hk_create_opts *reg, const char *pid_file,
                      int *exit_code, hk_err *err)
{
	*exit_code = -1;
	sigset_t fwd, old;
	int r;

	/* Block before creating so no signal is lost between clone and loop. */
	hk_forward_sigset(&fwd);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	_cleanup_close_ int sigfd = signalfd(-1, &fwd, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return hk_err_set(err, errno, "signalfd");
	}

	/* INT, TERM, HUP or QUIT while the container is being made abort it. */
	hk_container *c = NULL;
	hk_sync_cancel_on(sigfd);
	int nsock = -1;
	r = create_registered(o, reg, &c, &nsock, err);
	hk_sync_cancel_on(-1);
	if (r < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	/* husk is the process to watch (as runc): MAINPID is ours.  The
	 * process runs already: without the thread its READY goes unheard,
	 * a warning. */
	struct hk_notify_bg *notify = NULL;
	hk_err nerr = {0};
	if (nsock >= 0 && hk_notify_bg_start(nsock, getpid(), &notify, &nerr) < 0) {
		close(nsock);
		hk_err_warn(&nerr);
	}
	if (pid_file && (r = hk_container_write_pid_file(c, pid_file, err)) < 0) {
		hk_notify_bg_stop(notify);
		hk_container_fail(c, o);
		if (reg)
			unregister(reg);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	run_hooks(c, o, HK_HOOK_POSTSTART, HK_STATUS_RUNNING);
	int status = 0;
	/* c is set (r == 0; the analyzer thinks create_registered() may return > 0) */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	hk_supervise(c->pid, c->pty_master, sigfd, &status);
	hk_notify_bg_stop(notify);
	if (hk_cgroup_oom_killed(c->cgroup))
		report_oom(c, status);
	*exit_code = hk_exit_code(status);
	/* The container ran (*EXIT_CODE is set) even if the cleanup fails. */
	r = hk_container_destroy(c, err);
	if (reg)
		unregister(reg);
	run_hooks(c, o, HK_HOOK_POSTSTOP, HK_STATUS_STOPPED);
	hk_container_free(c);
	if (pid_file)
		unlink(pid_file);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
