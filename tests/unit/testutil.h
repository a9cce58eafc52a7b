/* testutil.h - scaffolding shared by the unit tests: running a test body in
 * a forked child (optionally in its own mount namespace with "/" made
 * rprivate) and waiting for children, temp directories under /tmp and
 * their removal, a call's error message on failure (CHECK_OK), file system
 * opens that must fail, anonymous memory, file system types and
 * /proc/self/mountinfo look-ups, /proc/self/status fields and passing a file
 * descriptor over a unix socket.
 *
 *   #include "testutil.h"   (it includes check.h)
 */
#ifndef HUSK_TESTS_TESTUTIL_H
#define HUSK_TESTS_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* CALL returns 0 or a negative errno and fills the hk_err ERR: fail the
 * test with ERR's message unless it returned 0.  Yields the return value.
 * cppcheck (make lint) does not see a call inside ({ ... }) set what it is
 * given a pointer to, and would take "hk_state *st = NULL;" for NULL after
 * CHECK_OK(hk_state_load(..., &st), err): it is shown the call alone. */
#ifdef __CPPCHECK__
static inline int tu_cppcheck_ok(int rc)
{
	return rc;
}
#define CHECK_OK(call, err) tu_cppcheck_ok(call)
#else
#define CHECK_OK(call, err)                                                                        \
	({                                                                                         \
		int _rc = (call);                                                                  \
		if (_rc != 0) {                                                                    \
			fprintf(stderr, "  %s:%d: %s = %d: %s\n", __FILE__, __LINE__, #call, _rc,  \
			        _rc < 0 ? (err).msg : "");                                         \
			check_cur_failed = 1;                                                      \
		}                                                                                  \
		_rc;                                                                               \
	})
#endif

/* Wait for PID, retrying on EINTR: its wait status, or -1. */
static inline int tu_wait(pid_t pid)
{
	int st = 0;
	pid_t r;
	if (pid <= 0)
		return -1;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	return r == pid ? st : -1;
}

/* Did wait status ST come from an exit with status 0? */
static inline bool tu_exited_ok(int st)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Unshare the mount namespace and (RPRIVATE) make "/" rprivate, so that
 * mounts made afterwards never reach the host: 0, or -1 (reported). */
static inline int tu_private_mounts(bool rprivate)
{
	if (unshare(CLONE_NEWNS) < 0) {
		perror("unshare(CLONE_NEWNS)");
		return -1;
	}
	if (rprivate && mount("", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("make / rprivate");
		return -1;
	}
	return 0;
}

/* How tu_in_child sets up the child. */
enum {
	TU_NEWNS = 1 << 0,            /* its own mount namespace, "/" made rprivate */
	TU_KEEP_PROPAGATION = 1 << 1, /* with TU_NEWNS: leave "/" as it is */
};

/* Run FN in a forked child set up as FLAGS says; the child's CHECK
 * failures (and its exiting any other way than normally) fail the test. */
static inline void tu_in_child(void (*fn)(void), unsigned flags)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if ((flags & TU_NEWNS) && tu_private_mounts(!(flags & TU_KEEP_PROPAGATION)) < 0)
			_exit(2);
		check_cur_failed = 0;
		fn();
		fflush(NULL);
		_exit(check_cur_failed ? 1 : 0);
	}
	int st = tu_wait(pid);
	CHECK(st != -1);
	CHECK(tu_exited_ok(st));
}

/* mkdtemp TMPL ("/tmp/hk-x-XXXXXX"), saying why on failure. */
static inline bool tu_make_tmpdir(char *tmpl)
{
	if (mkdtemp(tmpl))
		return true;
	perror("mkdtemp");
	return false;
}

static inline int tu_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

/* Remove DIR and all below it, not crossing into mounts: 0, or -1 if DIR
 * is still there. */
static inline int tu_remove_tree(const char *dir)
{
	nftw(dir, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return access(dir, F_OK) == 0 ? -1 : 0;
}

/* Does open(PATH, FLAGS, 0644) fail with errno ERR?  An fd it opens after
 * all is closed (and the answer is no). */
static inline bool tu_open_fails(const char *path, int flags, int err)
{
	int fd = open(path, flags, 0644);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == err;
}

/* LEN bytes of anonymous read-write memory, FLAGS MAP_PRIVATE or MAP_SHARED
 * (seen by forked children too): MAP_FAILED on failure. */
static inline void *tu_map_anon(size_t len, int flags)
{
	/* cppcheck's mmap() wants an fd >= 0; with MAP_ANONYMOUS it is -1 */
	// cppcheck-suppress invalidFunctionArg
	return mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
}

/* The file system type (statfs f_type) of PATH, or -1. */
static inline long tu_fs_type(const char *path)
{
	struct statfs s;
	return statfs(path, &s) == 0 ? (long)s.f_type : -1;
}

/* The number of /proc/self/mountinfo lines whose mount point is MP (any,
 * when MP is NULL) and that contain FIELD (when not NULL). */
static inline int tu_mountinfo_count(const char *mp, const char *field)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;
	while (f && getline(&line, &cap, f) > 0) {
		char *p = NULL;
		bool at = !mp || (sscanf(line, "%*s %*s %*s %*s %ms", &p) == 1 && !strcmp(p, mp));
		free(p);
		if (at && (!field || strstr(line, field)))
			n++;
	}
	free(line);
	if (f)
		fclose(f);
	return n;
}

/* Is something mounted at MP? */
static inline bool tu_mounted_at(const char *mp)
{
	return tu_mountinfo_count(mp, NULL) > 0;
}

/* The hex value of FIELD ("CapEff") in /proc/PID/status text TEXT (which
 * starts with a newline); ~0 if missing. */
static inline uint64_t tu_status_hex(const char *text, const char *field)
{
	char key[32];
	snprintf(key, sizeof(key), "\n%s:", field);
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : ~0ULL;
}

/* The hex value of FIELD in /proc/self/status; ~0 if missing. */
static inline uint64_t tu_self_status(const char *field)
{
	char buf[8192] = "\n";
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf + 1, sizeof(buf) - 2) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return ~0ULL;
	buf[n + 1] = '\0';
	return tu_status_hex(buf, field);
}

/* One byte and room for one SCM_RIGHTS fd, for tu_send_fd / tu_recv_fd. */
struct tu_fd_msg {
	char c;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
};

static inline void tu_fd_msg_init(struct tu_fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->c = 'm';
	m->iov = (struct iovec){.iov_base = &m->c, .iov_len = 1};
	m->msg = (struct msghdr){.msg_iov = &m->iov,
	                         .msg_iovlen = 1,
	                         .msg_control = m->u.buf,
	                         .msg_controllen = sizeof(m->u.buf)};
}

/* Send FD over the unix socket SOCK: 0 or -1. */
static inline int tu_send_fd(int sock, int fd)
{
	struct tu_fd_msg m;
	tu_fd_msg_init(&m);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m.msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m.msg, 0) == 1 ? 0 : -1;
}

/* Receive an fd sent by tu_send_fd over SOCK (close-on-exec), or -1. */
static inline int tu_recv_fd(int sock)
{
	struct tu_fd_msg m;
	tu_fd_msg_init(&m);
	if (recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m.msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

#endif
