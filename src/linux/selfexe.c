/* selfexe.c - husk's own binary, out of the container's reach
 * (CVE-2019-5736).
 *
 * A process in a container that gets hold of a process running husk's
 * binary (e.g. `husk exec ID /evil` where /evil starts "#!/proc/self/exe":
 * the kernel runs husk's binary as the script's interpreter, inside the
 * container) can open /proc/PID/exe and, once husk has exited, reopen it
 * for writing: the host's husk is then the container's code.  runc copies
 * its binary into a sealed memfd or, since 1.2, runs it from a read-only
 * overlay; a copy costs much of husk's start time.  husk re-executes
 * itself once from a read-only bind mount of its binary that is attached
 * to no mount namespace (nobody sees it; it lives on through the
 * executable it runs): open_tree(OPEN_TREE_CLONE) + mount_setattr(RDONLY)
 * where the kernel has them (5.12), else a bind made in a throwaway mount
 * namespace.  /proc/PID/exe of every process husk makes then leads to a
 * read-only mount and opening it for writing fails with EROFS. */
#include "linux/selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

extern char **environ;

static bool on_readonly_mount(int fd)
{
	struct statvfs sv;
	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* In a new mount namespace, bind PATH read-only onto itself and open it
 * there; then back to husk's own mount namespace (ORIG). */
static int open_readonly_view(const char *path, int orig, int *out, hk_err *err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || cwd < 0)
		return hk_err_set(err, errno, "open the root and working directories");
	if (unshare(CLONE_NEWNS) < 0)
		return hk_err_set(err, errno, "unshare a mount namespace");
	int r = 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		r = hk_err_set(err, errno, "make / private");
	else if (mount(path, path, NULL, MS_BIND, NULL) < 0)
		r = hk_err_set(err, errno, "bind %s", path);
	else if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		r = hk_err_set(err, errno, "remount %s read-only", path);
	else if ((*out = open(path, O_PATH | O_CLOEXEC)) < 0)
		r = hk_err_set(err, errno, "open %s", path);
	/* whatever happened, husk goes on in its own mount namespace only,
	 * with its root and working directory (setns resets them) */
	if (setns(orig, CLONE_NEWNS) < 0 || fchdir(root) < 0 || chroot(".") < 0 || fchdir(cwd) < 0)
		return hk_err_set(err, errno, "return to husk's mount namespace");
	return r;
}

/* The new mount API: a detached clone of the mount of PATH, made
 * read-only; -1 when the kernel cannot. */
static int open_detached_readonly(const char *path)
{
#if defined(SYS_open_tree) && defined(SYS_mount_setattr)
	_cleanup_close_ int fd =
	    (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (fd < 0 || syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return -1;
	return hk_steal_fd(&fd);
#else
	return -1;
#endif
}

int hk_selfexe_readonly(char *const argv[], hk_err *err)
{
	_cleanup_close_ int self = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (self >= 0 && on_readonly_mount(self))
		return 0; /* re-executed already, or installed on a read-only mount */
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return hk_err_set(err, errno ? errno : EINVAL, "readlink /proc/self/exe");
	path[n] = '\0';
	if (path[0] != '/' || access(path, F_OK) < 0)
		return hk_err_plain(err, ENOENT,
		                    "husk's binary %s was removed or replaced while it ran", path);
	_cleanup_close_ int fd = open_detached_readonly(path);
	if (fd < 0) {
		_cleanup_close_ int orig = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (orig < 0)
			return hk_err_set(err, errno, "open /proc/self/ns/mnt");
		int r = open_readonly_view(path, orig, &fd, err);
		if (r < 0)
			return r;
	}
	if (!on_readonly_mount(fd))
		return hk_err_plain(err, EROFS, "%s: the read-only bind did not hold", path);
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return hk_err_set(err, errno, "re-execute %s", path);
}
