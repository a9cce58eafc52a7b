/* procfs.c - verified procfs writes; see procfs.h. */
#include "linux/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"

/* The inode number of every procfs root directory (fs/proc/root.c). */
#define PROC_ROOT_INO 1

static int use_openat2 = 1;

void hk_procfs_use_openat2(int on)
{
	use_openat2 = on;
}

/* 0 when FD is on a procfs. */
static int check_proc(int fd, const char *what, hk_err *err)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return hk_err_set(err, errno, "statfs %s", what);
	if (sf.f_type != PROC_SUPER_MAGIC)
		return hk_err_plain(err, EXDEV, "%s is not a procfs (filesystem type 0x%lx)", what,
		                    (unsigned long)sf.f_type);
	return 0;
}

int hk_procfs_open(const char *path, hk_err *err)
{
	/* A symlink is followed: whatever it leads to is checked below. */
	_cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR
		           ? hk_err_plain(err, EXDEV, "%s is not a procfs (not a directory)", path)
		           : hk_err_set(err, errno, "open %s", path);
	int r = check_proc(fd, path, err);
	if (r < 0)
		return r;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return hk_err_set(err, errno, "stat %s", path);
	if (st.st_ino != PROC_ROOT_INO)
		return hk_err_plain(err, EXDEV, "%s is not the root of a procfs", path);
	return hk_steal_fd(&fd);
}

/* "self/x" -> "<pid>/x", "thread-self/x" -> "<pid>/task/<tid>/x", as the
 * procfs PROCFD itself names them (its pid namespace, not ours). */
static int expand_self(int procfd, const char *rel, char *out, size_t len, hk_err *err)
{
	const char *link = NULL, *rest = rel;
	if (strncmp(rel, "self/", 5) == 0)
		link = "self", rest = rel + 5;
	else if (strncmp(rel, "thread-self/", 12) == 0)
		link = "thread-self", rest = rel + 12;
	if (!link) {
		if ((size_t)snprintf(out, len, "%s", rel) >= len)
			return hk_err_plain(err, ENAMETOOLONG, "/proc/%s: name too long", rel);
		return 0;
	}
	char target[64];
	ssize_t n = readlinkat(procfd, link, target, sizeof(target) - 1);
	if (n < 0)
		return hk_err_set(err, errno, "readlink /proc/%s", link);
	target[n] = '\0';
	/* the procfs's own link: digits, optionally "/task/<digits>" */
	if (!strchr("0123456789", target[0]) || strstr(target, ".."))
		return hk_err_plain(err, EXDEV, "/proc/%s: unexpected link \"%s\"", link, target);
	if ((size_t)snprintf(out, len, "%s/%s", target, rest) >= len)
		return hk_err_plain(err, ENAMETOOLONG, "/proc/%s: name too long", rel);
	return 0;
}

/* Without openat2 (or refused it): one component at a time, never following a symlink,
 * every component on the way still the procfs of PROCFD: same device, and
 * with MNT (a mount id, -1 for none) on that very mount, so that a bind
 * mount of another part of the same procfs (its device is the same) is
 * refused as openat2's RESOLVE_NO_XDEV refuses it (CVE-2025-52881: e.g.
 * sys/kernel/core_pattern bound over sys/net/ipv4/ip_forward).  *FDINFO:
 * see mount_of().  -1 and errno set on failure. */
static long long mount_of(int procfd, int *fdinfo, int fd);

static int walk_open(int procfd, char *path, int flags, long long mnt, int *fdinfo)
{
	struct stat root;
	if (fstat(procfd, &root) < 0)
		return -1;
	_cleanup_close_ int dir = dup(procfd);
	if (dir < 0)
		return -1;
	char *save = NULL;
	char *comp = strtok_r(path, "/", &save);
	while (comp) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(comp, "..") == 0) {
			errno = EXDEV;
			return -1;
		}
		int f = next ? O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
		             : flags | O_NOFOLLOW | O_CLOEXEC;
		_cleanup_close_ int fd = openat(dir, comp, f);
		if (fd < 0)
			return -1;
		struct stat st;
		struct statfs sf;
		if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0 || st.st_dev != root.st_dev ||
		    sf.f_type != PROC_SUPER_MAGIC) {
			errno = EXDEV;
			return -1;
		}
		if (mnt >= 0) {
			long long id = mount_of(procfd, fdinfo, fd);
			if (id < 0 || id != mnt) {
				errno = id < 0 ? (int)-id : EXDEV;
				return -1;
			}
		}
		if (!next)
			return hk_steal_fd(&fd);
		close(dir);
		dir = hk_steal_fd(&fd);
		comp = next;
	}
	errno = EINVAL;
	return -1;
}

static int use_statx = 1;

void hk_procfs_use_statx_mnt_id(int on)
{
	use_statx = on;
}

/* FD's mount id from the "mnt_id:" line of its fdinfo, in the fdinfo
 * directory FDINFO; -errno. */
static long long fdinfo_mnt_id(int fdinfo, int fd)
{
	char name[16], buf[1024];
	snprintf(name, sizeof(name), "%d", fd);
	_cleanup_close_ int f = openat(fdinfo, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0)
		return -errno;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "mnt_id:", 7) == 0) {
			char *end;
			long long id = strtoll(l + 7, &end, 10);
			return end != l + 7 && id >= 0 ? id : -EIO;
		}
	return -ENOTSUP; /* a kernel older than 3.15 */
}

/* Our fdinfo directory beneath PROCFD ("thread-self/fdinfo", else
 * "self/fdinfo" before 3.17), reached by the device-checked walk, and
 * checked to be on PROCFD's mount by what it says of itself and of PROCFD
 * (so a bind of another task's fdinfo directory over ours would have to
 * describe, at those very numbers, fds on one mount); -errno. */
static int open_fdinfo(int procfd)
{
	char path[256];
	hk_err ignored;
	int fd = -1;
	for (int i = 0; i < 2 && fd < 0; i++) {
		const char *rel = i ? "self/fdinfo" : "thread-self/fdinfo";
		if (expand_self(procfd, rel, path, sizeof(path), &ignored) < 0)
			continue;
		fd = walk_open(procfd, path, O_PATH | O_DIRECTORY, -1, NULL);
	}
	if (fd < 0)
		return -errno;
	long long self = fdinfo_mnt_id(fd, fd), root = fdinfo_mnt_id(fd, procfd);
	if (self < 0 || root < 0 || self != root) {
		close(fd);
		return self < 0 ? (int)self : root < 0 ? (int)root : -EXDEV;
	}
	return fd;
}

/* FD's mount id: statx, else (kernels < 5.8) its fdinfo beneath PROCFD,
 * whose fdinfo directory *FDINFO holds once opened (-1 before); -errno. */
static long long mount_of(int procfd, int *fdinfo, int fd)
{
	struct statx stx;
	if (use_statx && statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0 &&
	    (stx.stx_mask & STATX_MNT_ID))
		return (long long)stx.stx_mnt_id;
	if (*fdinfo < 0 && (*fdinfo = open_fdinfo(procfd)) < 0) {
		int r = *fdinfo;
		*fdinfo = -1;
		return r;
	}
	return fdinfo_mnt_id(*fdinfo, fd);
}

long long hk_procfs_mount_id(int procfd, int fd)
{
	hk_err ignored;
	_cleanup_close_ int own = -1;
	_cleanup_close_ int fdinfo = -1;
	struct statx stx;
	if (use_statx && statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0 &&
	    (stx.stx_mask & STATX_MNT_ID))
		return (long long)stx.stx_mnt_id;
	if (procfd < 0 && (procfd = own = hk_procfs_open("/proc", &ignored)) < 0)
		return own;
	return mount_of(procfd, &fdinfo, fd);
}

/* walk_open() checking every component against PROCFD's mount. */
static int walk_open_checked(int procfd, char *path, int flags)
{
	_cleanup_close_ int fdinfo = -1;
	long long mnt = mount_of(procfd, &fdinfo, procfd);
	if (mnt < 0) {
		errno = (int)-mnt;
		return -1;
	}
	return walk_open(procfd, path, flags, mnt, &fdinfo);
}

static int open_error(const char *rel, hk_err *err)
{
	if (errno == EXDEV)
		return hk_err_plain(
		    err, EXDEV,
		    "open /proc/%s: refused: something is mounted over part of the path", rel);
	if (errno == ELOOP)
		return hk_err_plain(err, ELOOP, "open /proc/%s: refused: a symlink is on the path",
		                    rel);
	return hk_err_set(err, errno, "open /proc/%s", rel);
}

int hk_procfs_openat(int procfd, const char *rel, int flags, hk_err *err)
{
	char path[256];
	int r = expand_self(procfd, rel, path, sizeof(path), err);
	if (r < 0)
		return r;
	int fd = -1;
#ifdef SYS_openat2
	if (use_openat2) {
		struct open_how how = {
		    .flags = (unsigned long long)(flags | O_CLOEXEC | O_NOFOLLOW),
		    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV |
		               RESOLVE_NO_MAGICLINKS,
		};
		fd = (int)syscall(SYS_openat2, procfd, path, &how, sizeof(how));
		/* ENOSYS: a kernel < 5.6; EPERM: a seccomp profile (of
		 * whatever runs husk) that refuses it.  The walk is as
		 * strict, only slower. */
		if (fd < 0 && errno != ENOSYS && errno != EPERM)
			return open_error(rel, err);
	}
#endif
	if (fd < 0 && (fd = walk_open_checked(procfd, path, flags)) < 0)
		return open_error(rel, err);
	return fd;
}

int hk_procfs_write(int procfd, const char *rel, const char *buf, size_t len, hk_err *err)
{
	_cleanup_close_ int fd = hk_procfs_openat(procfd, rel, O_WRONLY, err);
	if (fd < 0)
		return fd;
	ssize_t n = write(fd, buf, len);
	if (n < 0)
		return hk_err_set(err, errno, "write /proc/%s", rel);
	if ((size_t)n != len)
		return hk_err_plain(err, EIO, "write /proc/%s: short write", rel);
	return 0;
}
