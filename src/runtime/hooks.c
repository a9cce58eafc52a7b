/* hooks.c - running OCI hooks (see hooks.h): fork, exec with the state
 * on stdin, wait with the hook's timeout, report its exit and output. */
#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

bool hk_hooks_any(const hk_hooks *hooks, enum hk_hook_kind kind)
{
	return hooks && kind >= 0 && kind < HK_HOOK_KIND_COUNT && hooks->n[kind] > 0;
}

/* The hook's side: never returns.  ERRFD (close-on-exec) receives errno
 * when the exec fails. */
__attribute__((noreturn)) static void hook_child(const hk_hook *h, int in, int out, int errfd)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	/* everything else goes, but the exec-error pipe (close-on-exec) */
	if (errfd > 3)
		hk_close_range(3U, (unsigned)errfd - 1, 0U);
	hk_close_range((unsigned)errfd + 1, ~0U, 0U);
	char *argv_default[] = {h->path, NULL};
	char *env_none[] = {NULL};
	execve(h->path, h->args && h->n_args ? h->args : argv_default, h->env ? h->env : env_none);
	int e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* nothing more to say */
	}
	_exit(127);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the hook printed: the last bytes, on one line. */
typedef struct output {
	char buf[512];
	size_t len;
} output;

static void keep(output *o, const char *data, size_t n)
{
	if (n >= sizeof(o->buf)) {
		data += n - sizeof(o->buf) + 1;
		n = sizeof(o->buf) - 1;
	}
	if (o->len + n >= sizeof(o->buf)) {
		size_t drop = o->len + n - (sizeof(o->buf) - 1);
		memmove(o->buf, o->buf + drop, o->len - drop);
		o->len -= drop;
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void one_line(output *o)
{
	while (o->len > 0 && (o->buf[o->len - 1] == '\n' || o->buf[o->len - 1] == ' '))
		o->buf[--o->len] = '\0';
	for (size_t i = 0; i < o->len; i++)
		if (o->buf[i] == '\n' || o->buf[i] == '\r' || o->buf[i] == '\t')
			o->buf[i] = ' ';
}

/* The state goes to the hook's stdin IN_FD (non-blocking: a hook that
 * does not read it must not block husk beyond its timeout) while its
 * output is collected from OUT_FD; wait for PID at most TIMEOUT_S seconds
 * (0: no limit).  Returns the wait status, or -ETIMEDOUT after killing it. */
static int wait_hook(pid_t pid, int *in_fdp, const char *state, int out_fd, int timeout_s,
                     output *o)
{
	int in_fd = *in_fdp;
	size_t left_in = strlen(state);
	fcntl(in_fd, F_SETFL, O_NONBLOCK);
	long long deadline = timeout_s > 0 ? now_ms() + (long long)timeout_s * 1000 : -1;
	_cleanup_close_ int pidfd = -1;
#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	int status;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -ECHILD;
		int wait = pidfd >= 0 ? -1 : 10;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				kill(pid, SIGKILL);
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
				return -ETIMEDOUT;
			}
			if (wait < 0 || left < wait)
				wait = (int)left;
		}
		if (in_fd >= 0 && left_in == 0) {
			close(in_fd); /* EOF for the hook */
			in_fd = *in_fdp = -1;
		}
		struct pollfd p[3] = {{.fd = out_fd, .events = POLLIN},
		                      {.fd = pidfd, .events = POLLIN},
		                      {.fd = in_fd, .events = POLLOUT}};
		if (poll(p, 3, wait) < 0 && errno != EINTR)
			return -errno;
		if (p[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
			ssize_t n = write(in_fd, state, left_in);
			if (n > 0) {
				state += n;
				left_in -= (size_t)n;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				left_in = 0; /* it closed its stdin: fine */
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			char buf[1024];
			ssize_t n = read(out_fd, buf, sizeof(buf));
			if (n > 0)
				keep(o, buf, (size_t)n);
			else if (n == 0)
				out_fd = -1; /* EOF: only the exit is left to wait for */
		}
	}
	/* what it printed last, without waiting on any child it left behind */
	fcntl(out_fd, F_SETFL, O_NONBLOCK);
	char buf[1024];
	ssize_t n;
	while (out_fd >= 0 && (n = read(out_fd, buf, sizeof(buf))) > 0)
		keep(o, buf, (size_t)n);
	return status;
}

static int run_one(const hk_hook *h, const char *name, const char *state, hk_err *err)
{
	int in[2], out[2], ex[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return hk_err_set(err, errno, "%s (%s): pipe", name, h->path);
	_cleanup_close_ int in_r = in[0], in_w = in[1];
	if (pipe2(out, O_CLOEXEC) < 0)
		return hk_err_set(err, errno, "%s (%s): pipe", name, h->path);
	_cleanup_close_ int out_r = out[0], out_w = out[1];
	if (pipe2(ex, O_CLOEXEC) < 0)
		return hk_err_set(err, errno, "%s (%s): pipe", name, h->path);
	_cleanup_close_ int ex_r = ex[0], ex_w = ex[1];

	pid_t pid = fork();
	if (pid < 0)
		return hk_err_set(err, errno, "%s (%s): fork", name, h->path);
	if (pid == 0)
		hook_child(h, in_r, out_w, ex_w);
	close(hk_steal_fd(&in_r));
	close(hk_steal_fd(&out_w));
	close(hk_steal_fd(&ex_w));
	int e = 0;
	ssize_t n;
	while ((n = read(ex_r, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return hk_err_set(err, e, "%s (%s): exec", name, h->path);
	}
	output o = {.len = 0};
	o.buf[0] = '\0';
	int status =
	    wait_hook(pid, &in_w, state ? state : "", out_r, h->has_timeout ? h->timeout : 0, &o);
	one_line(&o);
	const char *sep = o.len ? ": " : "";
	if (status == -ETIMEDOUT)
		return hk_err_plain(err, ETIMEDOUT, "%s (%s): timed out after %d s, killed%s%s",
		                    name, h->path, h->timeout, sep, o.buf);
	if (status < 0)
		return hk_err_set(err, -status, "%s (%s): wait", name, h->path);
	if (WIFSIGNALED(status))
		return hk_err_plain(err, EIO, "%s (%s): killed by signal %d%s%s", name, h->path,
		                    WTERMSIG(status), sep, o.buf);
	if (WEXITSTATUS(status) != 0)
		return hk_err_plain(err, EIO, "%s (%s): exited with status %d%s%s", name, h->path,
		                    WEXITSTATUS(status), sep, o.buf);
	return 0;
}

int hk_hooks_run(const hk_hooks *hooks, enum hk_hook_kind kind, const char *state_json, hk_err *err)
{
	if (!hk_hooks_any(hooks, kind))
		return 0;
	bool warn_only = kind == HK_HOOK_POSTSTART || kind == HK_HOOK_POSTSTOP;
	/* a hook that closes its stdin early must not kill husk */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
	sigaction(SIGPIPE, &ign, &old_pipe);
	int r = 0;
	for (size_t i = 0; i < hooks->n[kind] && r == 0; i++) {
		char name[64];
		snprintf(name, sizeof(name), "hooks.%s[%zu]", hk_hook_kind_name(kind), i);
		hk_err e = {0};
		int ri = run_one(&hooks->list[kind][i], name, state_json, &e);
		if (ri < 0 && !warn_only) {
			*err = e;
			r = ri;
		} else if (ri < 0) {
			hk_err_warn(&e);
		}
	}
	/* with signals blocked (create forwards them), an ignored SIGPIPE is
	 * still queued: take it before the old action comes back */
	/* (setting SIG_IGN above discarded one pending from before: only
	 * ours can be pending now) */
	sigset_t pipe_set, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	struct timespec now = {0};
	while (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) &&
	       sigtimedwait(&pipe_set, NULL, &now) == SIGPIPE)
		;
	sigaction(SIGPIPE, &old_pipe, NULL);
	return r;
}
