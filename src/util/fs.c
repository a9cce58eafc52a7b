/* fs.c - see fs.h */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

int hk_write_file_at(int dirfd, const char *path, const char *data, size_t len, int create,
                     hk_err *err)
{
	int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
	_cleanup_close_ int fd = openat(dirfd, path, flags, 0644);
	if (fd < 0)
		return hk_err_set(err, errno, "open %s", path);
	ssize_t n = write(fd, data, len);
	if (n < 0)
		return hk_err_set(err, errno, "write %s", path);
	if ((size_t)n != len)
		return hk_err_set(err, EIO, "write %s: short write", path);
	return 0;
}

int hk_write_file(const char *path, const char *data, hk_err *err)
{
	return hk_write_file_at(AT_FDCWD, path, data, strlen(data), 0, err);
}

int hk_read_file_at(int dirfd, const char *path, char **out, size_t *len_out, hk_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "open %s", path);
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return hk_err_set(err, ENOMEM, "read %s", path);
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				return hk_err_set(err, ENOMEM, "read %s", path);
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hk_err_set(err, errno, "read %s", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (len_out)
		*len_out = len;
	*out = hk_steal_ptr(&buf);
	return 0;
}

int hk_read_file(const char *path, char **out, size_t *len_out, hk_err *err)
{
	return hk_read_file_at(AT_FDCWD, path, out, len_out, err);
}

char *hk_realpath(const char *path)
{
	if (path[0] != '/') /* "." is one getcwd() for the C library */
		return realpath(path, NULL);
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char link[64], buf[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	if (n > 0 && (size_t)n < sizeof(buf) - 1 && buf[0] == '/') {
		buf[n] = '\0';
		if (!strstr(buf, " (deleted)"))
			return strdup(buf);
	}
	return realpath(path, NULL);
}

int hk_mkdir_p(const char *path, mode_t mode, hk_err *err)
{
	/* usually there, or only the last component missing */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return hk_err_set(err, errno, "mkdir %s", path);
	size_t len = strlen(path);
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return hk_err_set(err, ENOMEM, "mkdir %s", path);
	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char saved = p[i];
		p[i] = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return hk_err_set(err, errno, "mkdir %s", p);
		p[i] = saved;
	}
	return 0;
}

int hk_read_u64_at(int dirfd, const char *path, unsigned long long *out)
{
	char buf[64];
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	*out = v;
	return 0;
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int close_range_skip;

void hk_close_range_skip(int skip)
{
	close_range_skip = skip;
}

static void close_one(unsigned fd, unsigned flags)
{
	if (flags & CLOSE_RANGE_CLOEXEC) {
		int fl = fcntl((int)fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
	} else {
		close((int)fd);
	}
}

/* The fds listed in /proc/self/fd; false when there is no procfs there
 * (before /proc is mounted, or a container's /proc replaced by something
 * else): then nothing was done.  Closing fds while listing is safe: the
 * directory's position is an fd number. */
static bool close_listed(unsigned first, unsigned last, unsigned flags)
{
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct statfs sf;
	if (dir < 0)
		return false;
	if (fstatfs(dir, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
		close(dir);
		return false;
	}
	char buf[4096] __attribute__((aligned(8)));
	long n;
	bool ok = true;
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			ok = false; /* the loop below does it all */
			break;
		}
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			const char *name = buf + off + 19;
			off += reclen;
			char *end;
			unsigned long fd = strtoul(name, &end, 10);
			if (name[0] < '0' || name[0] > '9' || *end || fd < first || fd > last ||
			    fd == (unsigned)dir)
				continue;
			close_one((unsigned)fd, flags);
		}
	}
	close(dir);
	return ok;
}

void hk_close_range(unsigned first, unsigned last, unsigned flags)
{
	if (first > last)
		return;
	if (close_range_skip < 1 && syscall(SYS_close_range, first, last, flags) == 0)
		return;
	if (close_range_skip < 2 && close_listed(first, last, flags))
		return;
	/* The last resort (kernel < 5.9, no procfs) costs a system call per
	 * number, so it stops at the highest fd that can plausibly be open.
	 * An fd at or above the soft limit exists only if the limit was
	 * lowered after it was opened (a parent that raised it to the hard
	 * limit and restored it before running us): the soft limit, and the
	 * hard limit up to 65536 (~10 ms).  Never past 1 << 20, the default
	 * fs.nr_open: no limit goes above it unless the administrator raised
	 * nr_open, and 2^30 numbers would take minutes.  An fd above all of
	 * these is left open (a raised nr_open, kernel < 5.9, no procfs). */
	struct rlimit rl = {0, 0};
	getrlimit(RLIMIT_NOFILE, &rl);
	rlim_t cap = 1 << 20, top = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
	if (rl.rlim_cur > top)
		top = rl.rlim_cur;
	if (top > cap) /* RLIM_INFINITY too */
		top = cap;
	if (top == 0)
		return;
	for (unsigned fd = first; fd <= last && fd < top; fd++)
		close_one(fd, flags);
}
