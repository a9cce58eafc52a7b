/* test_terminal.c - unit tests for the pty layer: hk_pty_setup_child in a
 * forked child with its own devpts instance (the master sent back over a
 * socketpair and read with hk_tty_pump), raw mode and restore, window
 * size copying and hk_tty_pump's edge cases.
 *
 * The child unshares its mount namespace and makes "/" rprivate before
 * mounting anything, so the host's /dev is never touched.  Runs as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/terminal.h"
#include "util/cleanup.h"

static char tmpdir[] = "/tmp/hk-terminal-XXXXXX";

/* The child's mounts.  CHROOTED: a tmpfs root with its own devpts at
 * /dev/pts, /dev/ptmx -> pts/ptmx, /proc, and no /dev/console yet (as in a
 * container).  Otherwise, as the brief of this test says: a new devpts
 * instance on /dev/pts and /dev/pts/ptmx bound on /dev/ptmx, both only in
 * this mount namespace. */
static int child_mounts(bool chrooted)
{
	const char *pts_opts = "newinstance,ptmxmode=0666,mode=0620";
	if (!chrooted) {
		if (mount("devpts", "/dev/pts", "devpts", 0, pts_opts) < 0 ||
		    mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) < 0)
			return -1;
		return 0;
	}
	char r[256], p[512];
	snprintf(r, sizeof(r), "%s/root", tmpdir);
	if (mkdir(r, 0755) < 0 && errno != EEXIST)
		return -1;
	if (mount("tmpfs", r, "tmpfs", 0, "mode=755") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dev", r);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/dev/pts", r);
	mkdir(p, 0755);
	if (mount("devpts", p, "devpts", 0, pts_opts) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dev/ptmx", r);
	if (symlink("pts/ptmx", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/proc", r);
	mkdir(p, 0755);
	if (mount("proc", p, "proc", 0, NULL) < 0)
		return -1;
	if (chroot(r) < 0 || chdir("/") < 0)
		return -1;
	return 0;
}

/* In the child: set up the pty, send the master, write "hello", check
 * the terminal, wait for the parent's go and exit 0 if all was fine. */
static void pty_child(int sock, bool chrooted)
{
	if (tu_private_mounts(true) < 0)
		_exit(2);
	if (child_mounts(chrooted) < 0) {
		perror("child mounts");
		_exit(2);
	}
	if (setsid() < 0)
		_exit(3);
	int errfd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	int master = -1;
	hk_err err = {0};
	int rc = hk_pty_setup_child(chrooted, 24, 80, &master, &err);
	bool sent = rc == 0 && tu_send_fd(sock, master) == 0;
	bool wrote = write(1, "hello", 5) == 5;
	bool tty0 = isatty(0), tty1 = isatty(1), tty2 = isatty(2);
	struct winsize ws = {0};
	int wsr = ioctl(0, TIOCGWINSZ, &ws);
	int fdflags = fcntl(master, F_GETFD);
	pid_t fg = tcgetpgrp(0); /* works only on our controlling terminal */
	struct stat s0 = {0}, sc = {0};
	fstat(0, &s0);
	int cr = stat("/dev/console", &sc);
	dup2(errfd, 2);

	if (rc < 0)
		fprintf(stderr, "  hk_pty_setup_child: %s\n", err.msg);
	check_cur_failed = 0;
	CHECK(rc == 0 && sent && wrote);
	CHECK(master > 2 && (fdflags & FD_CLOEXEC));
	CHECK(tty0 && tty1 && tty2);
	CHECK(wsr == 0 && ws.ws_row == 24 && ws.ws_col == 80);
	CHECK(fg == getpid());
	if (chrooted)
		CHECK(cr == 0 && S_ISCHR(sc.st_mode) && sc.st_rdev == s0.st_rdev);
	char go;
	CHECK(read(sock, &go, 1) == 1);
	fflush(NULL);
	_exit(check_cur_failed ? 1 : 0);
}

static void pty_test(bool chrooted)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		pty_child(sv[1], chrooted);
	}
	close(sv[1]);
	int master = tu_recv_fd(sv[0]);
	CHECK(master >= 0);
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	char buf[16] = "";
	size_t got = 0;
	while (master >= 0 && got < 5) {
		struct pollfd pfd = {.fd = master, .events = POLLIN};
		if (poll(&pfd, 1, 5000) != 1)
			break;
		long n = hk_tty_pump(master, p[1]);
		if (n <= 0)
			break;
		CHECK(read(p[0], buf + got, (size_t)n) == n);
		got += (size_t)n;
	}
	CHECK(got == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK(write(sv[0], "g", 1) == 1);
	int status = tu_wait(pid);
	CHECK(status != -1);
	CHECK(tu_exited_ok(status));
	/* The slave is gone: EIO from the master reads as EOF. */
	if (master >= 0)
		CHECK(hk_tty_pump(master, p[1]) == 0);
	close(master);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
}

TEST(pty_setup_child_own_devpts)
{
	pty_test(false);
}

TEST(pty_setup_child_console_in_chroot)
{
	pty_test(true);
}

/* What the master reads after "a\n" is written to the slave. */
static int echo_through(int m, int s, char *out, size_t len)
{
	if (write(s, "a\n", 2) != 2)
		return -1;
	/* the pty may hand the line over in pieces: read up to its '\n' */
	size_t got = 0;
	out[0] = '\0';
	while (got < len - 1 && !strchr(out, '\n')) {
		struct pollfd pfd = {.fd = m, .events = POLLIN};
		if (poll(&pfd, 1, 2000) != 1)
			return -1;
		ssize_t n = read(m, out + got, len - 1 - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		out[got] = '\0';
	}
	return 0;
}

TEST(tty_make_raw_and_restore)
{
	int m, s;
	CHECK(openpty(&m, &s, NULL, NULL, NULL) == 0);
	struct termios saved, now;
	hk_err err = {0};
	CHECK(hk_tty_make_raw(s, &saved, &err) == 0);
	CHECK(saved.c_lflag & ICANON);
	CHECK(tcgetattr(s, &now) == 0);
	CHECK(!(now.c_lflag & (ICANON | ECHO | ISIG)) && !(now.c_oflag & OPOST));
	CHECK((now.c_cflag & CSIZE) == CS8 && now.c_cc[VMIN] == 1 && now.c_cc[VTIME] == 0);
	char out[16];
	CHECK(echo_through(m, s, out, sizeof(out)) == 0);
	CHECK_STREQ(out, "a\n"); /* no output processing */

	hk_tty_restore(s, &saved);
	CHECK(tcgetattr(s, &now) == 0);
	CHECK(now.c_lflag == saved.c_lflag && now.c_oflag == saved.c_oflag &&
	      now.c_iflag == saved.c_iflag && now.c_cflag == saved.c_cflag);
	CHECK(echo_through(m, s, out, sizeof(out)) == 0);
	CHECK_STREQ(out, "a\r\n"); /* ONLCR is back */
	close(m);
	close(s);

	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK(hk_tty_make_raw(p[0], &saved, &err) == -ENOTTY);
	CHECK_STREQ(err.msg, "tcgetattr: inappropriate ioctl for device");
	close(p[0]);
	close(p[1]);
}

TEST(tty_copy_winsize)
{
	int m1, s1, m2, s2;
	CHECK(openpty(&m1, &s1, NULL, NULL, NULL) == 0);
	CHECK(openpty(&m2, &s2, NULL, NULL, NULL) == 0);
	struct winsize ws = {.ws_row = 33, .ws_col = 99}, got = {0};
	CHECK(ioctl(s1, TIOCSWINSZ, &ws) == 0);
	CHECK(hk_tty_copy_winsize(s1, m2) == 0);
	CHECK(ioctl(s2, TIOCGWINSZ, &got) == 0);
	CHECK(got.ws_row == 33 && got.ws_col == 99);
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK(hk_tty_copy_winsize(p[0], m2) == -ENOTTY);
	CHECK(hk_tty_copy_winsize(s1, p[1]) == -ENOTTY);
	close(p[0]);
	close(p[1]);
	close(m1);
	close(s1);
	close(m2);
	close(s2);
}

TEST(tty_pump)
{
	enum { BIG = 64 * 1024 };
	int src[2] = {-1, -1}, dst[2] = {-1, -1};
	CHECK(pipe2(src, O_CLOEXEC) == 0 && pipe2(dst, O_CLOEXEC) == 0);

	/* Nothing readable on a non-blocking source. */
	CHECK(fcntl(src[0], F_SETFL, O_NONBLOCK) == 0);
	CHECK(hk_tty_pump(src[0], dst[1]) == -EAGAIN);

	/* 64 KiB into a one-page non-blocking pipe drained slowly by a
	 * child: partial writes and EAGAIN, all of it gets through. */
	CHECK(fcntl(src[1], F_SETPIPE_SZ, 2 * BIG) >= 2 * BIG);
	CHECK(fcntl(dst[1], F_SETPIPE_SZ, 4096) >= 4096);
	CHECK(fcntl(dst[1], F_SETFL, O_NONBLOCK) == 0);
	static char data[BIG];
	for (int i = 0; i < BIG; i++)
		data[i] = (char)(i * 7 + i / 251);
	CHECK(write(src[1], data, BIG) == BIG);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(dst[1]);
		static char in[BIG + 1];
		size_t got = 0;
		ssize_t n;
		usleep(50000);
		while ((n = read(dst[0], in + got, sizeof(in) - got)) > 0) {
			got += (size_t)n;
			usleep(1000);
		}
		_exit(got == BIG && memcmp(in, data, BIG) == 0 ? 0 : 1);
	}
	close(dst[0]);
	CHECK(hk_tty_pump(src[0], dst[1]) == BIG);
	close(dst[1]);
	CHECK(tu_exited_ok(tu_wait(pid)));

	/* EOF, and an error on the writing side. */
	CHECK(pipe2(dst, O_CLOEXEC) == 0);
	CHECK(write(src[1], "x", 1) == 1);
	close(dst[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK(hk_tty_pump(src[0], dst[1]) == -EPIPE);
	close(dst[1]);
	close(src[1]);
	CHECK(hk_tty_pump(src[0], STDOUT_FILENO) == 0);
	close(src[0]);

	/* A pty master whose slave is closed: EIO, read as EOF. */
	int m, s;
	CHECK(openpty(&m, &s, NULL, NULL, NULL) == 0);
	close(s);
	CHECK(hk_tty_pump(m, STDOUT_FILENO) == 0);
	close(m);
}

int main(void)
{
	if (!tu_make_tmpdir(tmpdir))
		return 1;
	RUN(pty_setup_child_own_devpts);
	RUN(pty_setup_child_console_in_chroot);
	RUN(tty_make_raw_and_restore);
	RUN(tty_copy_winsize);
	RUN(tty_pump);
	tu_remove_tree(tmpdir);
	return check_summary();
}
