/* run.c - the foreground supervisor behind `husk run`.
 *
 * husk stays the container's parent: it forwards the signals it receives
 * (INT, TERM, HUP, USR1, ...) to the container's process, relays a pty
 * when process.terminal is set (raw mode on the caller's terminal, window
 * size changes propagated), waits for the exit, reports an OOM kill, and
 * removes the cgroup.  The loop is a poll() over a signalfd and the pty. */
#include "runtime/run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "linux/sync.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/fs.h"

typedef struct supervisor {
	hk_container *c;
	int sigfd;
	bool stdin_tty;
	bool stdin_open;
	struct termios saved;
	int status;
	bool exited;
	char in_buf[4096]; /* from stdin, not yet written to the pty */
	size_t in_off, in_len;
} supervisor;

/* The caller's window size, unless it has none (0x0, e.g. under script(1)
 * with no real terminal): then process.consoleSize stays. */
static void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

static void reap(supervisor *sv)
{
	int status;
	pid_t p;
	/* Reap everything: with a pid namespace joined through a fork we are
	 * the subreaper of the container's process. */
	while ((p = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (p == sv->c->pid) {
			sv->status = status;
			sv->exited = true;
		}
	}
}

static void on_signal(supervisor *sv, int sig)
{
	if (sig == SIGCHLD) {
		reap(sv);
		return;
	}
	if (sig == SIGWINCH && sv->c->pty_master >= 0) {
		if (sv->stdin_tty)
			copy_winsize(STDIN_FILENO, sv->c->pty_master);
		return;
	}
	kill(sv->c->pid, sig);
}

/* Keystrokes for the container: never a blocking write into the pty (a
 * container that does not read its terminal would freeze husk, and with
 * it signal forwarding and the exit), so they wait in a buffer and stdin
 * is read only when it is empty. */
static void feed_pty(supervisor *sv, int master, short revents_in, short revents_out)
{
	if (sv->in_len == 0 && (revents_in & (POLLIN | POLLHUP | POLLERR))) {
		ssize_t n = read(STDIN_FILENO, sv->in_buf, sizeof(sv->in_buf));
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			sv->stdin_open = false;
		sv->in_len = n > 0 ? (size_t)n : 0;
		sv->in_off = 0;
	}
	if (sv->in_len > 0 && (revents_out & (POLLOUT | POLLERR | POLLHUP))) {
		ssize_t n = write(master, sv->in_buf + sv->in_off, sv->in_len);
		if (n > 0) {
			sv->in_off += (size_t)n;
			sv->in_len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			sv->in_len = 0; /* the terminal is gone: drop the input */
		}
	}
}

static void relay_loop(supervisor *sv)
{
	int master = sv->c->pty_master;
	if (master >= 0)
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	while (!sv->exited) {
		bool want_in = master >= 0 && sv->stdin_open && sv->in_len == 0;
		struct pollfd pfd[3] = {
		    {.fd = sv->sigfd, .events = POLLIN},
		    {.fd = master, .events = POLLIN | (sv->in_len ? POLLOUT : 0)},
		    {.fd = want_in ? STDIN_FILENO : -1, .events = POLLIN},
		};
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sv->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				on_signal(sv, (int)si.ssi_signo);
		}
		if (master < 0)
			continue;
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			long n = hk_tty_pump(master, STDOUT_FILENO);
			if (n == 0 || (n < 0 && n != -EAGAIN)) {
				master = -1; /* slave closed; wait for the exit */
				continue;
			}
		}
		feed_pty(sv, master, pfd[2].revents, pfd[1].revents);
	}
	/* What the container wrote just before exiting. */
	if (sv->c->pty_master >= 0) {
		while (hk_tty_pump(sv->c->pty_master, STDOUT_FILENO) > 0)
			;
	}
}

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

int hk_run_foreground(const hk_container_opts *o, const char *pid_file, int *exit_code, hk_err *err)
{
	supervisor sv = {.sigfd = -1, .stdin_open = true};
	*exit_code = -1;
	sigset_t fwd, old;
	int r;

	/* Block before creating so no signal is lost between clone and loop. */
	hk_forward_sigset(&fwd);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	_cleanup_close_ int sigfd = signalfd(-1, &fwd, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return hk_err_set(err, errno, "signalfd");
	sv.sigfd = sigfd;

	/* INT, TERM, HUP or QUIT while the container is being made abort it. */
	hk_container *c = NULL;
	hk_sync_cancel_on(sigfd);
	r = hk_container_create(o, &c, err);
	hk_sync_cancel_on(-1);
	if (r < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	sv.c = c;
	if (pid_file && (r = hk_container_write_pid_file(c, pid_file, err)) < 0) {
		hk_container_abort(c);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	if (c->pty_master >= 0) {
		sv.stdin_tty = isatty(STDIN_FILENO);
		if (sv.stdin_tty) {
			copy_winsize(STDIN_FILENO, c->pty_master);
			hk_err ignored;
			if (hk_tty_make_raw(STDIN_FILENO, &sv.saved, &ignored) < 0)
				sv.stdin_tty = false;
		}
	}
	reap(&sv);
	relay_loop(&sv);
	if (sv.stdin_tty)
		hk_tty_restore(STDIN_FILENO, &sv.saved);
	if (!sv.exited) {
		/* The loop failed: never leave the container behind. */
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &sv.status, 0);
	}
	if (hk_cgroup_oom_killed(c->cgroup))
		report_oom(c, sv.status);
	if (WIFSIGNALED(sv.status))
		*exit_code = 128 + WTERMSIG(sv.status);
	else
		*exit_code = WEXITSTATUS(sv.status);
	/* The container ran (*EXIT_CODE is set) even if the cleanup fails. */
	r = hk_container_destroy(c, err);
	hk_container_free(c);
	if (pid_file)
		unlink(pid_file);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
