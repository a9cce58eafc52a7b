/* paths.c - after pivot_root: linux.maskedPaths, linux.readonlyPaths and
 * linux.sysctl.
 *
 * Paths are resolved inside the new root with hk_resolve_in_root, and the
 * masks are attached to the resulting O_PATH fd with the fd-based mount API
 * (open_tree/fsmount + move_mount), so neither a symlink in the image nor a
 * /proc of its making can point a mask somewhere else.  sysctl values go
 * through a verified procfs (procfs.h).
 */
#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int open_root(hk_err *err)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "open /");
	return fd;
}

/* Resolve PATH in ROOTFD; 0 with *FD = -1 when it does not exist. */
static int resolve_existing(int rootfd, const char *path, int *fd, hk_err *err)
{
	*fd = -1;
	int r = hk_resolve_in_root(rootfd, path, false, false, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	*fd = r;
	return 0;
}

/* The container's /dev/null, checked to really be the 1:3 char device. */
static int open_dev_null(int rootfd, hk_err *err)
{
	_cleanup_close_ int fd = hk_resolve_in_root(rootfd, "/dev/null", false, false, err);
	if (fd < 0)
		return hk_err_wrap(err, "maskedPaths");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return hk_err_set(err, errno, "maskedPaths: stat /dev/null");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		return hk_err_plain(err, EPERM, "maskedPaths: /dev/null is not the null device");
	return hk_steal_fd(&fd);
}

/* Mount the detached mount TREE on the O_PATH fd TARGET. */
static int attach(int tree, int target)
{
	return (int)syscall(SYS_move_mount, tree, "", target, "",
	                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* Kernels without the new mount API (< 5.2, or < 5.12 for mount_setattr)
 * mount by the name "/proc/self/fd/N": only once /proc is a real procfs. */
static int fd_path(int fd, char *buf, size_t len, hk_err *err)
{
	_cleanup_close_ int procfd = hk_procfs_open("/proc", err);
	if (procfd < 0)
		return procfd;
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return 0;
}

/* A read-only empty tmpfs over the directory FD: as runc's, named "tmpfs"
 * and read-only down to its superblock (a remount of the mount alone
 * cannot make it writable). */
static int mask_dir(int fd, const char *path, hk_err *err)
{
	_cleanup_close_ int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs >= 0) {
		if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
		    syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
		    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			return hk_err_set(err, errno, "create tmpfs for %s", path);
		_cleanup_close_ int mnt =
		    (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
		if (mnt < 0 || attach(mnt, fd) < 0)
			return hk_err_set(err, errno, "mount tmpfs on %s", path);
		return 0;
	}
	if (errno != ENOSYS && errno != EPERM) /* EPERM: refused by a seccomp profile */
		return hk_err_set(err, errno, "create tmpfs for %s", path);
	char p[64];
	int r = fd_path(fd, p, sizeof(p), err);
	if (r < 0)
		return r;
	if (mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL) < 0)
		return hk_err_set(err, errno, "mount tmpfs on %s", path);
	return 0;
}

/* Bind the null device NULLFD over the file FD. */
static int mask_file(int nullfd, int fd, const char *path, hk_err *err)
{
	int r = hk_mount_clone_onto(nullfd, "", false, fd);
	if (r >= 0) {
		close(r);
		return 0;
	}
	if (r != -ENOSYS)
		return hk_err_set(err, -r, "bind /dev/null on %s", path);
	char src[64], p[64];
	if ((r = fd_path(nullfd, src, sizeof(src), err)) < 0)
		return r;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	if (mount(src, p, NULL, MS_BIND, NULL) < 0)
		return hk_err_set(err, errno, "bind /dev/null on %s", path);
	return 0;
}

int hk_paths_mask(char *const *paths, size_t n, hk_err *err)
{
	if (!n)
		return 0;
	_cleanup_close_ int rootfd = open_root(err);
	if (rootfd < 0)
		return rootfd;
	_cleanup_close_ int nullfd = -1;

	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int fd = -1;
		int r = resolve_existing(rootfd, paths[i], &fd, err);
		if (r < 0)
			return hk_err_wrap(err, "maskedPaths");
		if (fd < 0)
			continue;
		struct stat st;
		if (fstat(fd, &st) < 0)
			return hk_err_set(err, errno, "maskedPaths: stat %s", paths[i]);
		if (S_ISDIR(st.st_mode)) {
			if ((r = mask_dir(fd, paths[i], err)) < 0)
				return hk_err_wrap(err, "maskedPaths");
			continue;
		}
		if (nullfd < 0) {
			nullfd = open_dev_null(rootfd, err);
			if (nullfd < 0)
				return nullfd;
		}
		if ((r = mask_file(nullfd, fd, paths[i], err)) < 0)
			return hk_err_wrap(err, "maskedPaths");
	}
	return 0;
}

/* Old kernels: bind the path on itself, then remount its top read-only. */
static int readonly_by_name(int rootfd, int fd, const char *path, hk_err *err)
{
	char p[64];
	int r = fd_path(fd, p, sizeof(p), err);
	if (r < 0)
		return r;
	if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hk_err_set(err, errno, "bind %s", path);
	/* FD still names what is below the new mount: look it up again. */
	_cleanup_close_ int top = hk_resolve_in_root(rootfd, path, false, false, err);
	if (top < 0)
		return top;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", top);
	unsigned long flags = hk_mount_keep_flags(p, MS_BIND | MS_REMOUNT | MS_RDONLY);
	if (mount("", p, NULL, flags, NULL) < 0)
		return hk_err_set(err, errno, "remount %s read-only", path);
	return 0;
}

/* A recursive bind of FD, made read-only (with everything below it) while
 * still detached, then mounted over FD: nothing is looked up again by name
 * and there is no moment at which it is mounted writable. */
static int make_readonly(int rootfd, int fd, const char *path, hk_err *err)
{
	_cleanup_close_ int tree =
	    (int)syscall(SYS_open_tree, fd, "",
	                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0 && errno != ENOSYS && errno != EPERM)
		return hk_err_set(err, errno, "bind %s", path);
	if (tree >= 0) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
		            sizeof(attr)) == 0) {
			if (attach(tree, fd) < 0)
				return hk_err_set(err, errno, "bind %s", path);
			return 0;
		}
		if (errno != ENOSYS && errno != EPERM)
			return hk_err_set(err, errno, "make %s read-only", path);
	}
	return readonly_by_name(rootfd, fd, path, err);
}

int hk_paths_readonly(char *const *paths, size_t n, hk_err *err)
{
	if (!n)
		return 0;
	_cleanup_close_ int rootfd = open_root(err);
	if (rootfd < 0)
		return rootfd;

	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int fd = -1;
		int r = resolve_existing(rootfd, paths[i], &fd, err);
		if (r < 0)
			return hk_err_wrap(err, "readonlyPaths");
		if (fd < 0)
			continue;
		if ((r = make_readonly(rootfd, fd, paths[i], err)) < 0)
			return hk_err_wrap(err, "readonlyPaths");
	}
	return 0;
}

int hk_sysctl_apply(const hk_kv *kv, size_t n, hk_err *err)
{
	if (!n)
		return 0;
	_cleanup_close_ int procfd = hk_procfs_open("/proc", err);
	if (procfd < 0)
		return hk_err_wrap(err, "linux.sysctl");
	for (size_t i = 0; i < n; i++) {
		const char *key = kv[i].key;
		if (!*key || strchr(key, '/') || strstr(key, "..") || key[0] == '.')
			return hk_err_plain(err, EINVAL, "linux.sysctl \"%s\": invalid key", key);
		char path[4096];
		int len = snprintf(path, sizeof(path), "sys/%s", key);
		if (len < 0 || (size_t)len >= sizeof(path))
			return hk_err_plain(err, ENAMETOOLONG, "linux.sysctl \"%s\": key too long",
			                    key);
		for (char *c = path + strlen("sys/"); *c; c++)
			if (*c == '.')
				*c = '/';
		const char *value = kv[i].value ? kv[i].value : "";
		if (hk_procfs_write(procfd, path, value, strlen(value), err) < 0)
			return hk_err_wrap(err, "linux.sysctl \"%s\"", key);
	}
	return 0;
}

static bool in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(key, *list) == 0)
			return true;
	return false;
}

int hk_sysctl_check(const hk_kv *kv, size_t n, bool new_ipc, bool new_net, bool new_uts,
                    hk_err *err)
{
	static const char *const ipc_keys[] = {
	    "kernel.msgmax",      "kernel.msgmnb",      "kernel.msgmni",
	    "kernel.msg_next_id", "kernel.sem",         "kernel.sem_next_id",
	    "kernel.shmall",      "kernel.shmmax",      "kernel.shm_rmid_forced",
	    "kernel.shmmni",      "kernel.shm_next_id", NULL};
	static const char *const uts_keys[] = {"kernel.hostname", "kernel.domainname", NULL};
	for (size_t i = 0; i < n; i++) {
		const char *k = kv[i].key;
		const char *ns = NULL;
		bool own = false;
		if (in_list(k, ipc_keys) || strncmp(k, "fs.mqueue.", 10) == 0)
			ns = "ipc", own = new_ipc;
		else if (strncmp(k, "net.", 4) == 0)
			ns = "network", own = new_net;
		else if (in_list(k, uts_keys))
			ns = "uts", own = new_uts;
		if (!ns)
			return hk_err_plain(err, EPERM,
			                    "linux.sysctl \"%s\": not namespaced: setting it would "
			                    "change the host",
			                    k);
		if (!own)
			return hk_err_plain(err, EPERM,
			                    "linux.sysctl \"%s\": needs a new %s namespace (else "
			                    "it would change the host's)",
			                    k, ns);
	}
	return 0;
}
