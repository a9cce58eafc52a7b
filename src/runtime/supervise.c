/* supervise.c - the foreground supervisor behind `husk run` and `husk exec`.
 *
 * husk stays the process's parent: it forwards the signals it receives
 * (INT, TERM, HUP, USR1, ...) to the process, relays a pty when there is
 * one (raw mode on the caller's terminal, window size changes propagated)
 * and waits for the exit.  The loop is a poll() over a signalfd and the
 * pty. */
#include "runtime/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "util/cleanup.h"

typedef struct supervisor {
	pid_t pid;
	int master;
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
 * with no real terminal): then the process's consoleSize stays. */
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
	/* Reap everything: husk may be the subreaper of what the process
	 * leaves behind. */
	while ((p = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (p == sv->pid) {
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
	if (sig == SIGWINCH && sv->master >= 0) {
		if (sv->stdin_tty)
			copy_winsize(STDIN_FILENO, sv->master);
		return;
	}
	kill(sv->pid, sig);
}

/* Keystrokes for the process: never a blocking write into the pty (a
 * process that does not read its terminal would freeze husk, and with it
 * signal forwarding and the exit), so they wait in a buffer and stdin is
 * read only when it is empty. */
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

static int relay_loop(supervisor *sv)
{
	int master = sv->master;
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
			return -errno;
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
	/* What the process wrote just before exiting. */
	if (sv->master >= 0) {
		while (hk_tty_pump(sv->master, STDOUT_FILENO) > 0)
			;
	}
	return 0;
}

int hk_supervise(pid_t pid, int pty_master, int sigfd, int *status)
{
	supervisor sv = {.pid = pid, .master = pty_master, .sigfd = sigfd, .stdin_open = true};
	if (pty_master >= 0) {
		sv.stdin_tty = isatty(STDIN_FILENO);
		if (sv.stdin_tty) {
			copy_winsize(STDIN_FILENO, pty_master);
			hk_err ignored;
			if (hk_tty_make_raw(STDIN_FILENO, &sv.saved, &ignored) < 0)
				sv.stdin_tty = false;
		}
	}
	reap(&sv);
	int r = relay_loop(&sv);
	if (sv.stdin_tty)
		hk_tty_restore(STDIN_FILENO, &sv.saved);
	if (!sv.exited) {
		/* The loop failed: never leave the process behind. */
		kill(pid, SIGKILL);
		while (waitpid(pid, &sv.status, __WALL) < 0 && errno == EINTR)
			;
	}
	*status = sv.status;
	return r;
}

int hk_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
