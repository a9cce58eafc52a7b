/* copyup.c - hk_copy_tree: copy a directory of the container's rootfs
 * into the fresh tmpfs mounted over it (the `tmpcopyup` mount option that
 * podman puts on its tmpfs mounts; runc and crun do the same copy).
 *
 * The source is untrusted (an image, maybe a volume shared with a running
 * container): nothing is looked up by path.  Every entry is opened
 * relative to its parent's fd with O_NOFOLLOW -- regular files also with
 * O_NONBLOCK, so a fifo swapped in cannot block us -- and what was opened
 * is checked to be the object fstatat() described.  Symlinks are recreated
 * with their target text as is, never followed.  The recursion is bounded
 * (HK_COPYUP_MAX_DEPTH) and does not cross into other mounts.
 */
#include "linux/copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

struct copy {
	uint64_t mnt_id;     /* the source's mount; 0 when unknown */
	char path[PATH_MAX]; /* the entry being copied, relative to the source */
	char buf[65536];     /* for read/write when sendfile cannot */
	hk_err *err;
};

static int fail(struct copy *c, int errnum, const char *what)
{
	return hk_err_set(c->err, errnum, "%s %s", what, c->path[0] ? c->path : ".");
}

/* The mount FD is on (statx STATX_MNT_ID), 0 when the kernel cannot say. */
static uint64_t mount_id(int fd)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

static bool chown_failed(int r)
{
	/* EINVAL: the owner has no mapping in our user namespace; EPERM: not
	 * privileged over it.  The copy keeps our own ids then. */
	return r < 0 && (errno == EINVAL || errno == EPERM);
}

/* Owner, mode and times of ST onto FD.  chown first (it clears the set-id
 * bits); set-id bits are dropped when the owner could not be kept, so a
 * set-uid file of someone else never becomes one of ours. */
static int copy_meta_fd(struct copy *c, int fd, const struct stat *st)
{
	mode_t mode = st->st_mode & 07777;
	int r = fchown(fd, st->st_uid, st->st_gid);
	if (chown_failed(r))
		mode &= ~(mode_t)(S_ISUID | S_ISGID);
	else if (r < 0)
		return fail(c, errno, "chown");
	if (fchmod(fd, mode) < 0)
		return fail(c, errno, "chmod");
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (futimens(fd, ts) < 0)
		return fail(c, errno, "set the times of");
	return 0;
}

static int copy_data(struct copy *c, int in, int out)
{
	for (;;) {
		ssize_t n = sendfile(out, in, NULL, 1 << 30);
		if (n == 0)
			return 0;
		if (n > 0 || errno == EINTR)
			continue;
		if (errno == EINVAL || errno == ENOSYS)
			break;
		return fail(c, errno, "copy");
	}
	for (;;) {
		ssize_t n = read(in, c->buf, sizeof(c->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(c, errno, "read");
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, c->buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return fail(c, errno, "write");
			off += w;
		}
	}
}

/* Open NAME in SRC with FLAGS and check it is the object ST describes. */
static int open_checked(struct copy *c, int src, const char *name, int flags, const struct stat *st)
{
	_cleanup_close_ int fd = openat(src, name, flags | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return fail(c, errno, "open");
	struct stat now;
	if (fstat(fd, &now) < 0)
		return fail(c, errno, "stat");
	if (now.st_dev != st->st_dev || now.st_ino != st->st_ino ||
	    (now.st_mode & S_IFMT) != (st->st_mode & S_IFMT))
		return hk_err_plain(c->err, EAGAIN, "%s changed while being copied", c->path);
	return hk_steal_fd(&fd);
}

static int copy_file(struct copy *c, int src, int dst, const char *name, const struct stat *st)
{
	_cleanup_close_ int in = open_checked(c, src, name, O_RDONLY | O_NONBLOCK, st);
	if (in < 0)
		return in;
	_cleanup_close_ int out =
	    openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return fail(c, errno, "create");
	int r = copy_data(c, in, out);
	if (r < 0)
		return r;
	return copy_meta_fd(c, out, st);
}

static int copy_symlink(struct copy *c, int src, int dst, const char *name, const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
	if (n < 0)
		return fail(c, errno, "readlink");
	target[n] = '\0';
	if (symlinkat(target, dst, name) < 0)
		return fail(c, errno, "symlink");
	int r = fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0 && !chown_failed(r))
		return fail(c, errno, "chown");
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "set the times of");
	return 0;
}

static int copy_dir(struct copy *c, int src, int dst, unsigned depth);

static int copy_subdir(struct copy *c, int src, int dst, const char *name, const struct stat *st,
                       unsigned depth)
{
	if (depth >= HK_COPYUP_MAX_DEPTH)
		return hk_err_plain(c->err, ELOOP, "copy %s: more than %d directory levels",
		                    c->path, HK_COPYUP_MAX_DEPTH);
	_cleanup_close_ int sub = open_checked(c, src, name, O_RDONLY | O_DIRECTORY, st);
	if (sub < 0)
		return sub;
	if (c->mnt_id && mount_id(sub) != c->mnt_id)
		return 0; /* a mount below the source: not copied */
	if (mkdirat(dst, name, 0700) < 0)
		return fail(c, errno, "mkdir");
	_cleanup_close_ int out =
	    openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0)
		return fail(c, errno, "open");
	int r = copy_dir(c, sub, out, depth + 1);
	if (r < 0)
		return r;
	/* Last, so that the contents do not change the times again. */
	return copy_meta_fd(c, out, st);
}

static int copy_entry(struct copy *c, int src, int dst, const char *name, unsigned depth)
{
	struct stat st;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail(c, errno, "stat");
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(c, src, dst, name, &st);
	case S_IFLNK:
		return copy_symlink(c, src, dst, name, &st);
	case S_IFDIR:
		return copy_subdir(c, src, dst, name, &st, depth);
	default:
		return 0; /* fifos, sockets, devices: not copied */
	}
}

/* Copy what is in directory SRC (not owned) into DST. */
static int copy_dir(struct copy *c, int src, int dst, unsigned depth)
{
	int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail(c, errno, "open");
	_cleanup_dir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return fail(c, errno, "read directory");
	}
	size_t len = strlen(c->path);
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			c->path[len] = '\0';
			return errno ? fail(c, errno, "read directory") : 0;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int n = snprintf(c->path + len, sizeof(c->path) - len, "%s%s", len ? "/" : "",
		                 de->d_name);
		if (n < 0 || (size_t)n >= sizeof(c->path) - len) {
			c->path[len] = '\0';
			return fail(c, ENAMETOOLONG, "copy an entry of");
		}
		int r = copy_entry(c, dirfd(d), dst, de->d_name, depth);
		if (r < 0)
			return r;
		c->path[len] = '\0';
	}
}

int hk_copy_tree(int src, int dst, hk_err *err)
{
	_cleanup_free_ struct copy *c = calloc(1, sizeof(*c));
	if (!c)
		return hk_err_set(err, ENOMEM, "copy");
	c->err = err;
	c->mnt_id = mount_id(src);
	return copy_dir(c, src, dst, 0);
}
