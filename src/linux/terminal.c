/* terminal.c - the container's pty (child side: hk_pty_setup_child) and
 * the caller's terminal (parent side: raw mode, window size, copying).
 *
 * The child opens the pty from its own devpts instance (/dev/ptmx is a
 * link to /dev/pts/ptmx, mounted newinstance,ptmxmode=0666), makes the
 * slave its controlling terminal and stdio, and hands the master back to
 * the parent, which relays it to its own stdin/stdout.
 */
#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/rootfs.h"
#include "util/cleanup.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define PUMP_BUF (64 * 1024)

/* Open the slave of MASTER: TIOCGPTPEER (no path lookup, always the
 * right devpts instance), else by its name.  PATH gets the name either
 * way (for the /dev/console bind mount). */
static int open_slave(int master, char *path, size_t len, hk_err *err)
{
	int e = ptsname_r(master, path, len);
	if (e != 0)
		return hk_err_set(err, e, "ptsname");
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != ENOTTY)
		return hk_err_set(err, errno, "open the pty slave");
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "open %s", path);
	return fd;
}

/* Bind the slave we hold (SLAVE, named SLAVE_PATH) onto TARGET, an O_PATH
 * fd: from the fd itself (open_tree + move_mount), so neither a /dev/pts/N
 * nor a /proc of the image's making can choose what gets bound; by name
 * only on kernels without the new mount API (< 5.2). */
static int bind_slave(int slave, const char *slave_path, int target, hk_err *err)
{
	int r = hk_mount_clone_onto(slave, "", false, target);
	if (r >= 0) {
		close(r);
		return 0;
	}
	if (r != -ENOSYS)
		return hk_err_set(err, -r, "bind mount %s on /dev/console", slave_path);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", target);
	if (mount(slave_path, proc, NULL, MS_BIND, NULL) < 0)
		return hk_err_set(err, errno, "bind mount %s on /dev/console", slave_path);
	return 0;
}

/* Bind the slave SLAVE onto /dev/console (an empty 0666 file,
 * created when missing; anything else there is replaced by one). */
static int mount_console(int slave, const char *slave_path, hk_err *err)
{
	const char *console = "/dev/console";
	struct stat st;
	if (lstat(console, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		if ((S_ISDIR(st.st_mode) ? rmdir(console) : unlink(console)) < 0)
			return hk_err_set(err, errno, "remove existing %s", console);
	}
	int fd = open(console, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd >= 0) {
		fchmod(fd, 0666); /* whatever the umask */
		close(fd);
	} else if (errno != EEXIST) {
		return hk_err_set(err, errno, "create %s", console);
	}
	_cleanup_close_ int target = open(console, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return hk_err_set(err, errno, "open %s", console);
	if (fstat(target, &st) < 0)
		return hk_err_set(err, errno, "stat %s", console);
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		return hk_err_plain(err, EEXIST, "%s is not a file", console);
	return bind_slave(slave, slave_path, target, err);
}

/* Make sure *FD is above 2 (still O_CLOEXEC). */
static int move_above_stdio(int *fd)
{
	if (*fd > 2)
		return 0;
	int nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return -errno;
	close(*fd);
	*fd = nfd;
	return 0;
}

int hk_pty_setup_child(bool mount_cons, unsigned rows, unsigned cols, int *master, hk_err *err)
{
	int r;
	*master = -1;
	_cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return hk_err_set(err, errno, "open /dev/ptmx");
	/* Keep the master and the slave off 0-2, which dup2 overwrites. */
	if ((r = move_above_stdio(&m)) < 0)
		return hk_err_set(err, -r, "dup the pty master");
	if (unlockpt(m) < 0)
		return hk_err_set(err, errno, "unlockpt");
	char path[128];
	_cleanup_close_ int slave = open_slave(m, path, sizeof(path), err);
	if (slave < 0)
		return slave;
	if ((r = move_above_stdio(&slave)) < 0)
		return hk_err_set(err, -r, "dup the pty slave");
	if (rows > 0 || cols > 0) {
		struct winsize ws = {.ws_row = (unsigned short)rows,
		                     .ws_col = (unsigned short)cols};
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return hk_err_set(err, errno, "set the window size");
	}
	if (mount_cons && (r = mount_console(slave, path, err)) < 0)
		return r;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return hk_err_set(err, errno, "make %s the controlling terminal", path);
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return hk_err_set(err, errno, "dup2 %s to %d", path, fd);
	*master = hk_steal_fd(&m);
	return 0;
}

int hk_tty_make_raw(int fd, struct termios *saved, hk_err *err)
{
	if (tcgetattr(fd, saved) < 0)
		return hk_err_set(err, errno, "tcgetattr");
	struct termios raw = *saved;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return hk_err_set(err, errno, "tcsetattr");
	return 0;
}

void hk_tty_restore(int fd, const struct termios *saved)
{
	int saved_errno = errno;
	while (tcsetattr(fd, TCSANOW, saved) < 0 && errno == EINTR)
		;
	errno = saved_errno;
}

int hk_tty_copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) < 0)
		return -errno;
	if (ioctl(to, TIOCSWINSZ, &ws) < 0)
		return -errno;
	return 0;
}

/* Write all of BUF to FD, waiting when it is non-blocking and full. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

long hk_tty_pump(int from, int to)
{
	char buf[PUMP_BUF];
	ssize_t n;
	do
		n = read(from, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EIO ? 0 : -errno; /* EIO: the slave side closed */
	if (n == 0)
		return 0;
	int r = write_all(to, buf, (size_t)n);
	return r < 0 ? r : (long)n;
}

int hk_console_socket_send(const char *path, int master, hk_err *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path))
		return hk_err_plain(err, ENAMETOOLONG, "console socket %s: path too long", path);
	strcpy(addr.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hk_err_set(err, errno, "console socket %s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return hk_err_set(err, errno, "console socket %s: connect", path);
	static const char name[] = "/dev/pts/0";
	struct iovec iov = {.iov_base = (void *)name, .iov_len = sizeof(name) - 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = u.buf,
	                     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	ssize_t n;
	while ((n = sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return hk_err_set(err, errno, "console socket %s: send", path);
	return 0;
}
