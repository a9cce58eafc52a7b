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
 * read-only mount and opening it for writing fails with EROFS.
 *
 * Rootless, the same holds for a binary the user owns: the container's
 * root is the user on the host.  An ordinary user cannot mount in husk's
 * own mount namespace, so a short-lived child makes the bind in a new user
 * and mount namespace of its own (~0.2 ms; a copy of husk costs ~1.4 ms
 * and its size in memory per container) and hands the descriptor over;
 * husk itself never leaves its namespaces.  The throwaway user namespace
 * is a sibling of the container's: its root has no capability over that
 * mount.  Only when no user namespace can be made is the binary copied
 * into a sealed memfd (runc's way for rootless).
 *
 * In the common case (host root) a static x86-64 build has made the
 * detached view and re-executed already, before the C library started
 * (selfexe_early.c); hk_selfexe_readonly() then only sees that husk runs
 * from a read-only mount. */
#include "linux/selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/rootless.h"
#include "linux/selfexe_early.h"
#include "util/cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define HK_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static bool use_new_api = true, use_userns = true;

void hk_selfexe_use(bool new_api, bool userns)
{
	use_new_api = new_api;
	use_userns = userns;
}

static bool on_readonly_mount(int fd)
{
	struct statvfs sv;
	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* Is FD's file (FD may be O_PATH) a memfd sealed against any change? */
static bool sealed(int fd)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	_cleanup_close_ int rd = open(p, O_RDONLY | O_CLOEXEC);
	int seals = rd >= 0 ? fcntl(rd, F_GET_SEALS) : -1;
	return seals >= 0 && (seals & HK_SEALS) == HK_SEALS;
}

static bool write_protected(int fd)
{
	return on_readonly_mount(fd) || sealed(fd);
}

/* Whether UID is the overflow uid standing for an owner that is not
 * mapped in husk's user namespace (and not a mapped id of that value). */
static bool owner_unmapped(uid_t uid)
{
	char buf[4096] = {0};
	unsigned long overflow = 65534, inside, outside, count;
	_cleanup_close_ int ofd = open("/proc/sys/kernel/overflowuid", O_RDONLY | O_CLOEXEC);
	if (ofd >= 0 && read(ofd, buf, sizeof(buf) - 1) > 0)
		overflow = strtoul(buf, NULL, 10);
	if (uid != overflow)
		return false;
	memset(buf, 0, sizeof(buf));
	_cleanup_close_ int mfd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	if (mfd < 0 || read(mfd, buf, sizeof(buf) - 1) <= 0)
		return false;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && uid >= inside &&
		    uid - inside < count)
			return false;
	return true;
}

/* A rootless container's processes run as the caller's uid or its
 * subordinate ids, never as host root, and their capabilities do not
 * reach an inode whose owner is not mapped in their user namespace: a
 * root-owned binary that neither its group nor others may write is out of
 * their reach (with an ACL the group bits are its mask, so no ACL entry
 * grants writing either). */
static bool beyond_rootless_reach(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return false;
	if (!hk_in_user_namespace())
		return st.st_uid == 0;
	/* husk itself in a user namespace (unshare -r): an owner that is not
	 * mapped here shows as the overflow uid and is out of reach of every
	 * id of this namespace and of those below it; host root mapped here
	 * (unshare -r as root) is not */
	return owner_unmapped(st.st_uid);
}

/* Bind PATH read-only onto itself in the current mount namespace.  The
 * flags a less privileged mount namespace cannot drop are kept. */
static int bind_readonly(const char *path, const char **what)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return *what = "statvfs", -errno;
	unsigned long keep = ((sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0) |
	                     ((sv.f_flag & ST_NODEV) ? MS_NODEV : 0) |
	                     ((sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0);
	if (mount(path, path, NULL, MS_BIND, NULL) < 0)
		return *what = "bind", -errno;
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
		return *what = "remount read-only", -errno;
	return 0;
}

/* In a new mount namespace, bind PATH read-only onto itself and open it
 * there; then back to husk's own mount namespace. */
static int open_readonly_view(const char *path, int *out, hk_err *err)
{
	_cleanup_close_ int orig = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (orig < 0 || root < 0 || cwd < 0)
		return hk_err_set(err, errno,
		                  "open the mount namespace, root and working directories");
	if (unshare(CLONE_NEWNS) < 0)
		return hk_err_set(err, errno, "unshare a mount namespace");
	int r = 0;
	const char *what = "";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		r = hk_err_set(err, errno, "make / private");
	else if ((r = bind_readonly(path, &what)) < 0)
		hk_err_set(err, -r, "%s %s", what, path);
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
	if (!use_new_api)
		return -1;
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

struct userns_req {
	const char *path;
	int fd;        /* the view, in the descriptor table shared with husk */
	bool detached; /* made with the new mount API */
	int err;       /* else the errno of the step WHAT that failed */
	const char *what;
};

/* The child of open_in_userns: it shares husk's memory and descriptor
 * table while husk waits (vfork), owns a new user and mount namespace,
 * and only makes the view.  Mounts copied into the mount namespace of a
 * less privileged user namespace are slaves: the bind of the old API
 * does not propagate out, and it is detached when the child exits (the
 * descriptor keeps it alive). */
static int userns_child(void *arg)
{
	struct userns_req *req = arg;
	req->fd = open_detached_readonly(req->path);
	req->detached = req->fd >= 0;
	if (req->fd >= 0)
		return 0;
	int r = bind_readonly(req->path, &req->what);
	if (r == 0 && (req->fd = open(req->path, O_PATH | O_CLOEXEC)) < 0)
		r = -errno, req->what = "open";
	req->err = -r;
	return r < 0;
}

static int open_in_userns(const char *path, int *out, enum hk_selfexe_how *how, hk_err *err)
{
	struct userns_req req = {.path = path, .fd = -1, .what = ""};
	char stack[32768] __attribute__((aligned(16)));
	pid_t pid = clone(
	    userns_child, stack + sizeof(stack),
	    CLONE_NEWUSER | CLONE_NEWNS | CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, &req);
	if (pid < 0)
		return hk_err_set(err, errno, "create a user namespace");
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	if (req.fd < 0)
		return hk_err_set(err, req.err, "in a user namespace: %s %s", req.what, path);
	*out = req.fd;
	*how = req.detached ? HK_SELFEXE_DETACHED : HK_SELFEXE_BIND;
	return 0;
}

/* A copy of PATH in a memfd sealed against any change. */
static int open_sealed_copy(const char *path, int *out, hk_err *err)
{
	_cleanup_close_ int src = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (src < 0 || fstat(src, &st) < 0)
		return hk_err_set(err, errno, "open %s", path);
	/* MFD_EXEC: executable even where vm.memfd_noexec makes the default
	 * noexec (6.3); older kernels refuse the flag */
	_cleanup_close_ int m = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (m < 0 && errno == EINVAL)
		m = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0)
		return hk_err_set(err, errno, "memfd_create");
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(m, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hk_err_set(err, n < 0 ? errno : EIO, "copy %s", path);
	}
	if (fcntl(m, F_ADD_SEALS, HK_SEALS) < 0)
		return hk_err_set(err, errno, "seal the copy of %s", path);
	*out = hk_steal_fd(&m);
	return 0;
}

int hk_selfexe_open_readonly(const char *path, bool rootless, int *fd, enum hk_selfexe_how *how,
                             hk_err *err)
{
	enum hk_selfexe_how h = HK_SELFEXE_DETACHED;
	int r = 0;
	*fd = -1;
	if (!rootless) {
		*fd = open_detached_readonly(path);
		if (*fd < 0) {
			h = HK_SELFEXE_BIND;
			r = open_readonly_view(path, fd, err);
		}
	} else {
		hk_err uerr = {0};
		r = use_userns ? open_in_userns(path, fd, &h, &uerr) : -ENOSYS;
		if (r < 0) {
			h = HK_SELFEXE_MEMFD;
			r = open_sealed_copy(path, fd, err);
			if (r < 0 && use_userns)
				hk_err_wrap(err, "%s; a sealed copy", uerr.msg);
		}
	}
	if (r == 0 && how)
		*how = h;
	return r;
}

int hk_selfexe_readonly(char *const argv[], hk_err *err)
{
	if (hk_early_exe_readonly)
		return 0; /* re-executed already, or installed on a read-only mount */
	_cleanup_close_ int self = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (self >= 0 && write_protected(self))
		return 0; /* re-executed already, or installed on a read-only mount */
	/* in a user namespace husk cannot go back to a mount namespace it
	 * leaves: the rootless way, as for an ordinary user */
	bool rootless = geteuid() != 0 || hk_in_user_namespace();
	if (rootless && self >= 0 && beyond_rootless_reach(self))
		return 0;
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return hk_err_set(err, errno ? errno : EINVAL, "readlink /proc/self/exe");
	path[n] = '\0';
	if (path[0] != '/' || access(path, F_OK) < 0)
		return hk_err_plain(err, ENOENT,
		                    "husk's binary %s was removed or replaced while it ran", path);
	_cleanup_close_ int fd = -1;
	int r = hk_selfexe_open_readonly(path, rootless, &fd, NULL, err);
	if (r < 0)
		return r;
	if (!write_protected(fd))
		return hk_err_plain(err, EROFS, "%s: the read-only view did not hold", path);
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return hk_err_set(err, errno, "re-execute %s", path);
}
