/* sync.c - the parent <-> container-child channel (see sync.h). */
#include "linux/sync.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

int hk_sync_pair(int fds[2], hk_err *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return hk_err_set(err, errno, "sync socketpair");
	return 0;
}

/* An errno a seccomp filter gives for a syscall it refuses. */
static bool refused(int e)
{
	return e == EPERM || e == EACCES || e == ENOSYS;
}

static int write_msg(int sock, const void *buf, size_t n)
{
	ssize_t w;
	while ((w = write(sock, buf, n)) < 0 && errno == EINTR)
		;
	return w == (ssize_t)n ? 0 : -1;
}

int hk_sync_send(int sock, int type, int value, int fd, hk_err *err)
{
	hk_sync_msg msg = {.type = type, .value = value};
	struct iovec iov = {.iov_base = &msg, .iov_len = offsetof(hk_sync_msg, err)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
		if (errno == EINTR)
			continue;
		/* the container's seccomp filter may refuse sendmsg (runc's
		 * init only writes): a message without an fd goes by write()
		 * (SEQPACKET keeps its boundary) */
		if (fd < 0 && refused(errno) && write_msg(sock, &msg, iov.iov_len) == 0)
			return 0;
		return hk_err_set(err, errno, "sync: send message %d", type);
	}
	return 0;
}

void hk_sync_send_error(int sock, const hk_err *e)
{
	hk_sync_msg msg = {.type = HK_SYNC_ERROR, .value = e->code};
	size_t len = strnlen(e->msg, sizeof(e->msg) - 1);
	memcpy(&msg.err, e, sizeof(*e));
	msg.err.msg[len] = '\0';
	size_t n = offsetof(hk_sync_msg, err) + offsetof(hk_err, msg) + len + 1;
	ssize_t w;
	while ((w = send(sock, &msg, n, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (w < 0 && refused(errno))
		write_msg(sock, &msg, n);
}

static int cancel_fd = -1;

void hk_sync_cancel_on(int sigfd)
{
	cancel_fd = sigfd;
}

/* Wait until SOCK is readable; a cancelling signal on cancel_fd wins. */
static int wait_readable(int sock, hk_err *err)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = sock, .events = POLLIN},
		                      {.fd = cancel_fd, .events = POLLIN}};
		if (poll(p, cancel_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return hk_err_set(err, errno, "sync: poll");
		}
		if (p[0].revents)
			return 0;
		struct signalfd_siginfo si;
		while (read(cancel_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			int sig = (int)si.ssi_signo;
			if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
				return hk_err_plain(err, EINTR,
				                    "interrupted by signal %s while creating the "
				                    "container",
				                    sigabbrev_np(sig));
			/* others (SIGCHLD of a helper, SIGWINCH...) mean nothing yet */
		}
	}
}

int hk_sync_recv(int sock, hk_sync_msg *msg, int *fd, hk_err *err)
{
	if (cancel_fd >= 0) {
		int r = wait_readable(sock, err);
		if (r < 0)
			return r;
	}
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof(*msg)};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof(u.buf)};
	ssize_t n;

	if (fd)
		*fd = -1;
	memset(msg, 0, sizeof(*msg));
	/* ECONNRESET: the peer exited with one of our messages unread; the
	 * kernel reports that (once) before what the peer sent last, often
	 * its ERROR: read on. */
	bool reset = false;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && !reset && (reset = true))));
	if (n < 0 && errno == ECONNRESET)
		return hk_err_plain(err, EPIPE, "sync: the container's process went away");
	if (n < 0)
		return hk_err_set(err, errno, "sync: receive");
	if (n == 0)
		return hk_err_plain(err, EPIPE, "sync: the container's process went away");
	if ((size_t)n < offsetof(hk_sync_msg, err))
		return hk_err_plain(err, EPROTO, "sync: short message");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;
			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (fd)
				*fd = got;
			else
				close(got);
		}
	}
	msg->err.msg[sizeof(msg->err.msg) - 1] = '\0';
	return 0;
}

int hk_sync_read_type(int sock, int type)
{
	hk_sync_msg msg;
	ssize_t n;
	/* bounded: a seccomp filter may answer EINTR every time; ECONNRESET:
	 * the peer died with a message of ours unread (EOF comes next) */
	int tries = 0;
	for (;;) {
		while ((n = read(sock, &msg, sizeof(msg))) < 0 && errno == EINTR && ++tries < 100)
			;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (n < (ssize_t)offsetof(hk_sync_msg, err))
			return -EPIPE;
		/* news the child may not have waited for (sync.h) */
		if (msg.type != HK_SYNC_REAPED && msg.type != HK_SYNC_CGROUP)
			return msg.type == type ? 0 : -EPIPE;
	}
}

int hk_sync_expect(int sock, int type, hk_sync_msg *msg, int *fd, hk_err *err)
{
	int r = hk_sync_recv(sock, msg, fd, err);
	if (r < 0)
		return r;
	if (msg->type == HK_SYNC_ERROR) {
		*err = msg->err;
		if (err->code <= 0)
			err->code = EINVAL;
		return -err->code;
	}
	if (msg->type != type)
		return hk_err_plain(err, EPROTO, "sync: expected message %d, got %d", type,
		                    msg->type);
	return 0;
}

int hk_sync_wait_exec(int sock, int *pty, bool stop_at_ready, const char *who,
                      hk_sync_handler on_msg, hk_sync_handler after_ready, void *arg, hk_err *err)
{
	hk_sync_msg msg;
	bool ready = false;
	for (;;) {
		int fd = -1;
		int r = hk_sync_recv(sock, &msg, &fd, err);
		if (r == -EPIPE && ready)
			return 0; /* exec'd: the CLOEXEC socket closed */
		if (r == -EPIPE)
			return hk_err_plain(err, ECHILD, "%s died before reporting an error", who);
		if (r < 0)
			return r;
		switch (msg.type) {
		case HK_SYNC_PTY:
			if (*pty >= 0)
				close(*pty);
			*pty = fd;
			break;
		case HK_SYNC_READY:
			if (fd >= 0)
				close(fd);
			if (stop_at_ready)
				return 0;
			ready = true;
			if (after_ready && (r = after_ready(arg, &msg, -1, err)) < 0)
				return r;
			break;
		case HK_SYNC_ERROR:
			if (fd >= 0)
				close(fd);
			*err = msg.err;
			if (err->code <= 0)
				err->code = EINVAL;
			return -err->code;
		default:
			if (on_msg) {
				if ((r = on_msg(arg, &msg, fd, err)) < 0)
					return r;
				break;
			}
			if (fd >= 0)
				close(fd);
			return hk_err_plain(err, EPROTO, "sync: unexpected message %d", msg.type);
		}
	}
}
