/* paths.c - after pivot_root: linux.maskedPaths, linux.readonlyPaths and
 * linux.sysctl.
 *
 * Paths are resolved inside the new root with hk_resolve_in_root and
 * mounted onto "/proc/self/fd/N" of the resulting O_PATH fd, so a symlink
 * in the image cannot point a mask somewhere else.
 */
#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

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
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL) < 0)
				return hk_err_set(err, errno, "maskedPaths: mount tmpfs on %s",
				                  paths[i]);
			continue;
		}
		if (nullfd < 0) {
			nullfd = open_dev_null(rootfd, err);
			if (nullfd < 0)
				return nullfd;
		}
		char src[64];
		snprintf(src, sizeof(src), "/proc/self/fd/%d", nullfd);
		if (mount(src, p, NULL, MS_BIND, NULL) < 0)
			return hk_err_set(err, errno, "maskedPaths: bind /dev/null on %s",
			                  paths[i]);
	}
	return 0;
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
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
			return hk_err_set(err, errno, "readonlyPaths: bind %s", paths[i]);
		/* FD still names what is below the new mount: look it up again. */
		_cleanup_close_ int top = hk_resolve_in_root(rootfd, paths[i], false, false, err);
		if (top < 0)
			return hk_err_wrap(err, "readonlyPaths");
		snprintf(p, sizeof(p), "/proc/self/fd/%d", top);
		unsigned long flags = hk_mount_keep_flags(p, MS_BIND | MS_REMOUNT | MS_RDONLY);
		if (mount("", p, NULL, flags, NULL) < 0)
			return hk_err_set(err, errno, "readonlyPaths: remount %s read-only",
			                  paths[i]);
	}
	return 0;
}

int hk_sysctl_apply(const hk_kv *kv, size_t n, hk_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *key = kv[i].key;
		if (!*key || strchr(key, '/') || strstr(key, "..") || key[0] == '.')
			return hk_err_plain(err, EINVAL, "linux.sysctl \"%s\": invalid key", key);
		char path[4096];
		int len = snprintf(path, sizeof(path), "/proc/sys/%s", key);
		if (len < 0 || (size_t)len >= sizeof(path))
			return hk_err_plain(err, ENAMETOOLONG, "linux.sysctl \"%s\": key too long",
			                    key);
		for (char *c = path + strlen("/proc/sys/"); *c; c++)
			if (*c == '.')
				*c = '/';
		const char *value = kv[i].value ? kv[i].value : "";
		if (hk_write_file_at(AT_FDCWD, path, value, strlen(value), 0, err) < 0)
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
	static const char *const ipc_keys[] = {"kernel.msgmax",
	                                       "kernel.msgmnb",
	                                       "kernel.msgmni",
	                                       "kernel.sem",
	                                       "kernel.shmall",
	                                       "kernel.shmmax",
	                                       "kernel.shm_rmid_forced",
	                                       "kernel.shmmni",
	                                       NULL};
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
