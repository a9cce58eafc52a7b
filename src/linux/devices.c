/* devices.c - the container's /dev: the default device nodes, the
 * linux.devices entries and the standard /dev symlinks (hk_devices_setup).
 *
 * Runs in the container's child before pivot_root.  Every path is resolved
 * inside the rootfs with hk_resolve_in_root(); the node itself is created
 * with mknodat() relative to the fd of its parent directory and then
 * adjusted through an O_PATH fd of it, so a symlink planted in the image
 * can never make us create or chmod something on the host.  In a user
 * namespace, where mknod is forbidden, an empty file is created instead
 * and the host's device node is bind-mounted over it (as runc does; runc
 * also falls back to that when mknod fails with EPERM, so do we).
 */
#include "linux/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/rootfs.h"
#include "util/cleanup.h"

#define DEV_PATH_MAX 4096

/* One node to create, defaults and linux.devices alike. */
struct node {
	const char *path; /* as given, for messages and the host bind source */
	char type;        /* 'c', 'b', 'u' or 'p' */
	unsigned major, minor;
	mode_t mode; /* permission bits */
	uid_t uid;
	gid_t gid;
};

static const struct node default_nodes[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

/* Lexically clean an absolute container path into OUT: collapse "//",
 * drop ".", apply ".." (never above "/"), no trailing slash.  Returns
 * false when it does not fit. */
static bool clean_path(const char *path, char *out, size_t len)
{
	size_t o = 0;
	if (len < 2)
		return false;
	out[o++] = '/';
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the slash before the dropped component */
		} else {
			if (o + (o > 1) + n + 1 > len)
				return false;
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	out[o] = '\0';
	return true;
}

static mode_t type_bits(char type)
{
	switch (type) {
	case 'c':
	case 'u':
		return S_IFCHR;
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return 0;
	}
}

/* Does ST describe the node N asks for (type and, for devices, number)? */
static bool node_matches(const struct stat *st, const struct node *n)
{
	mode_t fmt = type_bits(n->type);
	if ((st->st_mode & S_IFMT) != fmt)
		return false;
	return fmt == S_IFIFO || st->st_rdev == makedev(n->major, n->minor);
}

/* Is NAME below DIRFD the root of a mount (something bind-mounted on it)? */
static bool is_mount_root(int dirfd, const char *name, const struct stat *st)
{
	struct statx stx;
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	struct stat dst;
	return fstat(dirfd, &dst) == 0 && dst.st_dev != st->st_dev;
}

/* Remove whatever is at NAME (an empty directory included). */
static int remove_entry(int dirfd, const char *name, const struct stat *st, hk_err *err)
{
	if (unlinkat(dirfd, name, S_ISDIR(st->st_mode) ? AT_REMOVEDIR : 0) < 0 && errno != ENOENT)
		return hk_err_set(err, errno, "remove existing %s", name);
	return 0;
}

/* chown and chmod NAME below DIRFD through an O_PATH fd of it (never
 * following a symlink). */
static int set_owner_mode(int dirfd, const char *name, const struct node *n, hk_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "open %s", name);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return hk_err_set(err, errno, "stat %s", name);
	if (!node_matches(&st, n))
		return hk_err_plain(err, EEXIST, "%s changed under us", name);
	if (fchownat(fd, "", n->uid, n->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return hk_err_set(err, errno, "chown %u:%u", (unsigned)n->uid, (unsigned)n->gid);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, n->mode) < 0) {
		/* No /proc: the entry was just checked not to be a symlink. */
		if (errno != ENOENT || fchmodat(dirfd, name, n->mode, 0) < 0)
			return hk_err_set(err, errno, "chmod %04o", (unsigned)n->mode);
	}
	return 0;
}

/* Bind-mount the host's device node N->path over NAME below DIRFD
 * (created as an empty file when missing or not a file/device). */
static int bind_node(int dirfd, const char *name, const struct node *n, hk_err *err)
{
	struct stat st;
	bool exists = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!exists && errno != ENOENT)
		return hk_err_set(err, errno, "stat %s", name);
	if (exists && node_matches(&st, n) && is_mount_root(dirfd, name, &st))
		return 0; /* already the device, bind-mounted */
	/* A file or a device node can be mounted on as it is (and must not
	 * be opened: opening a device can have side effects). */
	if (exists && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
		int r = remove_entry(dirfd, name, &st, err);
		if (r < 0)
			return r;
		exists = false;
	}
	if (!exists) {
		int fd =
		    openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
		if (fd < 0)
			return hk_err_set(err, errno, "create %s", name);
		close(fd);
	}

	_cleanup_close_ int target = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return hk_err_set(err, errno, "open %s", name);
	if (fstat(target, &st) < 0)
		return hk_err_set(err, errno, "stat %s", name);
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return hk_err_plain(err, EEXIST, "%s is not a file", name);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", target);
	if (mount(n->path, proc, NULL, MS_BIND, NULL) < 0)
		return hk_err_set(err, errno, "bind mount %s", n->path);
	return 0;
}

/* The directory PARENT of the rootfs ROOTFD, created when missing. */
static int open_parent(int rootfd, const char *parent, hk_err *err)
{
	_cleanup_close_ int dirfd = hk_resolve_in_root(rootfd, parent, true, false, err);
	if (dirfd < 0)
		return dirfd;
	struct stat st;
	if (fstat(dirfd, &st) < 0)
		return hk_err_set(err, errno, "stat %s", parent);
	if (!S_ISDIR(st.st_mode))
		return hk_err_set(err, ENOTDIR, "%s", parent);
	return hk_steal_fd(&dirfd);
}

/* Create the node N as NAME in the directory DIRFD. */
static int create_node_at(int dirfd, const char *name, const struct node *n, bool in_userns,
                          hk_err *err)
{
	struct stat st;
	mode_t fmt = type_bits(n->type);
	if (!fmt)
		return hk_err_plain(err, EINVAL, "invalid type '%c'", n->type);
	bool mknod_ok = !in_userns || fmt == S_IFIFO;
	if (!mknod_ok)
		return bind_node(dirfd, name, n, err);

	dev_t dev = fmt == S_IFIFO ? 0 : makedev(n->major, n->minor);
	/* The usual case, a fresh /dev: made with its mode (the umask is 0
	 * here) and owner (ours, unless a setgid directory or a default ACL
	 * says otherwise), checked with one stat. */
	if (mknodat(dirfd, name, fmt | n->mode, dev) == 0) {
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && node_matches(&st, n) &&
		    (st.st_mode & 07777) == n->mode && st.st_uid == n->uid && st.st_gid == n->gid)
			return 0;
		return set_owner_mode(dirfd, name, n, err);
	}
	if (errno == EPERM && fmt != S_IFIFO)
		return bind_node(dirfd, name, n, err);
	if (errno != EEXIST)
		return hk_err_set(err, errno, "mknod");
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (node_matches(&st, n)) {
			/* Keep it; fix its mode and owner unless it is a node
			 * bind-mounted from elsewhere (maybe the host's). */
			if (is_mount_root(dirfd, name, &st))
				return 0;
			return set_owner_mode(dirfd, name, n, err);
		}
		int r = remove_entry(dirfd, name, &st, err);
		if (r < 0)
			return r;
	} else if (errno != ENOENT) {
		return hk_err_set(err, errno, "stat %s", name);
	}
	if (mknodat(dirfd, name, fmt | n->mode, dev) < 0) {
		if (errno == EPERM && fmt != S_IFIFO)
			return bind_node(dirfd, name, n, err);
		return hk_err_set(err, errno, "mknod");
	}
	return set_owner_mode(dirfd, name, n, err);
}

/* Create the node N, in the rootfs ROOTFD. */
static int create_node(int rootfd, const struct node *n, bool in_userns, hk_err *err)
{
	char clean[DEV_PATH_MAX];
	if (!n->path || n->path[0] != '/' || !clean_path(n->path, clean, sizeof(clean)))
		return hk_err_plain(err, EINVAL, "invalid path");
	char *slash = strrchr(clean, '/');
	const char *name = slash + 1;
	if (!*name)
		return hk_err_plain(err, EINVAL, "invalid path");
	char parent[DEV_PATH_MAX] = "/";
	size_t plen = (size_t)(slash - clean);
	if (plen) {
		memcpy(parent, clean, plen);
		parent[plen] = '\0';
	}
	_cleanup_close_ int dirfd = open_parent(rootfd, parent, err);
	if (dirfd < 0)
		return dirfd;
	return create_node_at(dirfd, name, n, in_userns, err);
}

static bool same_path(const char *a, const char *b)
{
	char ca[DEV_PATH_MAX], cb[DEV_PATH_MAX];
	return a && b && clean_path(a, ca, sizeof(ca)) && clean_path(b, cb, sizeof(cb)) &&
	       strcmp(ca, cb) == 0;
}

/* The linux.devices entry D as a node; -EINVAL (with ERR) when invalid. */
static int spec_node(const hk_device *d, struct node *n, hk_err *err)
{
	*n = (struct node){
	    .path = d->path,
	    .type = d->type,
	    .mode = d->has_file_mode ? (mode_t)(d->file_mode & 07777) : 0666,
	    .uid = d->has_uid ? d->uid : 0,
	    .gid = d->has_gid ? d->gid : 0,
	};
	if (d->type != 'p') {
		/* The kernel's dev_t: 12 bits of major, 20 of minor. */
		if (d->major < 0 || d->major > 0xfff || d->minor < 0 || d->minor > 0xfffff)
			return hk_err_plain(err, EINVAL, "invalid device number %lld:%lld",
			                    (long long)d->major, (long long)d->minor);
		n->major = (unsigned)d->major;
		n->minor = (unsigned)d->minor;
	}
	return 0;
}

/* LINK -> TARGET in DEVFD; an existing entry is kept unless REPLACE. */
static int make_link(int devfd, const char *target, const char *name, bool replace, hk_err *err)
{
	if (replace) {
		struct stat st;
		char cur[64];
		if (fstatat(devfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			ssize_t l = readlinkat(devfd, name, cur, sizeof(cur) - 1);
			if (l >= 0 && (size_t)l == strlen(target) &&
			    !memcmp(cur, target, (size_t)l))
				return 0;
			if (unlinkat(devfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
				return hk_err_set(err, errno, "remove existing /dev/%s", name);
		}
	}
	if (symlinkat(target, devfd, name) < 0 && errno != EEXIST)
		return hk_err_set(err, errno, "symlink /dev/%s -> %s", name, target);
	return 0;
}

static int setup_links(int devfd, hk_err *err)
{
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},
	    {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"},
	    {"/proc/self/fd/2", "stderr"},
	};
	int r;
	for (size_t i = 0; i < HK_ARRAY_SIZE(links); i++)
		if ((r = make_link(devfd, links[i][0], links[i][1], false, err)) < 0)
			return r;
	if (access("/proc/kcore", F_OK) == 0 &&
	    (r = make_link(devfd, "/proc/kcore", "core", false, err)) < 0)
		return r;
	if ((r = make_link(devfd, "pts/ptmx", "ptmx", true, err)) < 0)
		return r;
	static const char *const dirs[] = {"pts", "shm"};
	for (size_t i = 0; i < HK_ARRAY_SIZE(dirs); i++)
		if (mkdirat(devfd, dirs[i], 0755) < 0 && errno != EEXIST)
			return hk_err_set(err, errno, "mkdir /dev/%s", dirs[i]);
	return 0;
}

static int setup(int rootfd, const hk_device *devs, size_t n, bool in_userns, hk_err *err)
{
	int r;
	/* the default nodes and the links: /dev, resolved once */
	_cleanup_close_ int devfd = open_parent(rootfd, "/dev", err);
	if (devfd < 0)
		return hk_err_wrap(err, "device directory /dev");
	for (size_t i = 0; i < HK_ARRAY_SIZE(default_nodes); i++) {
		const struct node *d = &default_nodes[i];
		bool replaced = false;
		for (size_t j = 0; j < n && !replaced; j++)
			replaced = same_path(devs[j].path, d->path);
		if (replaced)
			continue;
		if ((r = create_node_at(devfd, d->path + strlen("/dev/"), d, in_userns, err)) < 0)
			return hk_err_wrap(err, "device %s", d->path);
	}
	for (size_t i = 0; i < n; i++) {
		/* /dev/ptmx is always the link to the devpts instance (runc). */
		if (same_path(devs[i].path, "/dev/ptmx"))
			continue;
		struct node nd;
		if ((r = spec_node(&devs[i], &nd, err)) < 0 ||
		    (r = create_node(rootfd, &nd, in_userns, err)) < 0)
			return hk_err_wrap(err, "linux.devices[%zu] (%s)", i,
			                   devs[i].path ? devs[i].path : "");
	}
	return setup_links(devfd, err);
}

int hk_devices_setup(int rootfd, const hk_device *devs, size_t n, bool in_userns, hk_err *err)
{
	/* nodes made with their mode as it is (set_owner_mode() fixes what
	 * was there before) */
	mode_t old = umask(0);
	int r = setup(rootfd, devs, n, in_userns, err);
	umask(old);
	return r;
}
