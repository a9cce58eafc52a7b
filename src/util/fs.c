/* fs.c - see fs.h */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int hk_mkdir_p(const char *path, mode_t mode, hk_err *err)
{
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
