/* mounts_cgroup.c - a config's `cgroup` mount (hk_mounts_apply, mounts.c):
 * on a v1 or hybrid host a tmpfs holding one mount per hierarchy, on a
 * pure v2 host one cgroup2 mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/cgroup.h"
#include "linux/lsm.h"
#include "linux/mounts_internal.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* One /proc/self/mountinfo line: mount point, fs type and the super
 * options without rw/ro/release_agent, for mounting the same hierarchy
 * again with the same options (cgroup2 applies its options globally, so
 * mounting it with none would clear the host's nsdelegate). */
struct minfo {
	char root[256]; /* the mount's root within its filesystem */
	char mountpoint[256];
	char fstype[32];
	char opts[512];
};

static bool parse_mountinfo_line(char *line, struct minfo *mi)
{
	char *save = NULL, *tok;
	int field = 0;
	bool after_sep = false;
	int post = 0;
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), field++) {
		if (field == 3)
			snprintf(mi->root, sizeof(mi->root), "%s", tok);
		if (field == 4)
			snprintf(mi->mountpoint, sizeof(mi->mountpoint), "%s", tok);
		if (!after_sep) {
			if (field > 5 && strcmp(tok, "-") == 0)
				after_sep = true;
			continue;
		}
		if (post == 0)
			snprintf(mi->fstype, sizeof(mi->fstype), "%s", tok);
		else if (post == 2) {
			mi->opts[0] = '\0';
			char *s2 = NULL;
			for (char *o = strtok_r(tok, ",", &s2); o; o = strtok_r(NULL, ",", &s2)) {
				if (!strcmp(o, "rw") || !strcmp(o, "ro") ||
				    !strncmp(o, "release_agent=", 14))
					continue;
				size_t l = strlen(mi->opts);
				snprintf(mi->opts + l, sizeof(mi->opts) - l, "%s%s", l ? "," : "",
				         o);
			}
			return true;
		}
		post++;
	}
	return false;
}

static int cgroup_fallback_bind(int rootfd, const char *src, int target, const char *dest,
                                unsigned long flags, bool in_userns, hk_err *err)
{
	return hk_mnt_bind(rootfd, src, target, dest, flags | MS_BIND | MS_REC, 0, in_userns, NULL,
	                   err);
}

/* Pure cgroup v2 host: one cgroup2 mount (an rbind of the host's when the
 * kernel refuses, e.g. in a user namespace without a cgroup namespace). */
static int mount_cgroup2(int rootfd, int target, const char *dest, unsigned long flags,
                         const char *data, bool in_userns, hk_err *err)
{
	char p[64];
	unsigned long mflags = flags & ~(MS_BIND | MS_REC);
	if (mount("cgroup2", hk_mnt_fd_path(p, sizeof(p), target), "cgroup2", mflags, data) == 0)
		return 0;
	if (errno == EBUSY) {
		/* DEST is the root of the host's cgroup2 mount (a rootless
		 * config rbinds the host's /sys) and the kernel refuses the
		 * same filesystem on the same mount point: cover it with a
		 * tmpfs and mount the container's view on that. */
		int r =
		    hk_mnt_fs_mount("tmpfs", target, "tmpfs", mflags & ~MS_RDONLY, "mode=755", err);
		if (r < 0)
			return hk_err_wrap(err, "cover the host's cgroup2 mount");
		_cleanup_close_ int top = hk_resolve_in_root(rootfd, dest, false, false, err);
		if (top < 0)
			return top;
		if (mount("cgroup2", hk_mnt_fd_path(p, sizeof(p), top), "cgroup2", mflags, data) ==
		    0)
			return 0;
		if (errno != EPERM)
			return hk_err_set(err, errno, "mount cgroup2");
		return cgroup_fallback_bind(rootfd, HK_CGROUP_ROOT, top, dest, flags, in_userns,
		                            err);
	}
	if (errno != EPERM)
		return hk_err_set(err, errno, "mount cgroup2");
	return cgroup_fallback_bind(rootfd, HK_CGROUP_ROOT, target, dest, flags, in_userns, err);
}

/* Mirror the host's symlinks in /sys/fs/cgroup ("cpu" -> "cpu,cpuacct"). */
static void cgroup_symlinks(int destfd)
{
	_cleanup_dir_ DIR *d = opendir(HK_CGROUP_ROOT);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_LNK)
			continue;
		char target[256];
		ssize_t n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strchr(target, '/'))
			(void)symlinkat(target, destfd, de->d_name);
	}
}

/* Does the comma list LIST hold every item of the comma list ITEMS? */
static bool has_all(const char *list, const char *items)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", items);
	char *save = NULL;
	for (char *it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(it);
		const char *p = list;
		bool found = false;
		while ((p = strstr(p, it))) {
			if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) {
				found = true;
				break;
			}
			p += n;
		}
		if (!found)
			return false;
	}
	return *items != '\0';
}

/* The directory of our own cgroup in the hierarchy mounted as MI, into
 * OUT, from TABLE (/proc/self/cgroup; paths relative to the mount's root). */
static bool own_cgroup_dir(const char *table, const struct minfo *mi, char *out, size_t len)
{
	_cleanup_free_ char *s = table ? strdup(table) : NULL;
	bool v2 = strcmp(mi->fstype, "cgroup2") == 0;
	char *save = NULL;
	for (char *line = s ? strtok_r(s, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':');
		char *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		ctrls++;
		if (v2 ? *ctrls != '\0' : !has_all(mi->opts, ctrls))
			continue;
		size_t rl = strcmp(mi->root, "/") == 0 ? 0 : strlen(mi->root);
		if (strncmp(path, mi->root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
			return false; /* outside what is mounted */
		return snprintf(out, len, "%s%s", mi->mountpoint, path + rl) < (int)len;
	}
	return false;
}

/* The binds bind_own_cgroup() made, still to be given the mount's flags
 * (binds keep the flags of their source). */
struct pending_binds {
	char names[16][64];
	size_t n;
};

/* Bind OWN (a host path) on NAME in the directory TOP, the tmpfs that
 * mount_cgroup_v1() has just mounted (in the container's mount namespace,
 * before anything runs there: a name in it cannot be swapped): one
 * mount(2), where a bind onto a resolved fd takes eight system calls.
 * FLAGS are applied to all such binds at once by finish_binds(), or here
 * when PENDING is full.  (In a user namespace cgroup_fallback_bind()
 * binds, and also makes the cgroup mounts below read-only.) */
static int bind_own_cgroup(int top, const char *name, const char *own, unsigned long flags,
                           struct pending_binds *pending, hk_err *err)
{
	char p[4200];
	if (snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", top, name) >= (int)sizeof(p))
		return hk_err_plain(err, ENAMETOOLONG, "%s", name);
	if (mount(own, p, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hk_err_set(err, errno, "bind %s", own);
	if (!(flags & ~(MS_BIND | MS_REC | MS_REMOUNT)))
		return 0;
	size_t len = strlen(name);
	if (pending->n < HK_ARRAY_SIZE(pending->names) && len < sizeof(pending->names[0])) {
		memcpy(pending->names[pending->n++], name, len + 1);
		return 0;
	}
	return hk_mnt_bind_remount_path(p, flags, 0, false, err);
}

/* FLAGS as mount_setattr() attributes that leave a mount as a bind
 * remount with FLAGS would: the flags not in FLAGS cleared; the atime
 * ones kept unless FLAGS name one (then relatime unless another). */
static struct mount_attr remount_attr(unsigned long flags)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
	    {MS_RDONLY, MOUNT_ATTR_RDONLY},
	    {MS_NOSUID, MOUNT_ATTR_NOSUID},
	    {MS_NODEV, MOUNT_ATTR_NODEV},
	    {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
	    {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
	};
	struct mount_attr a = {0};
	for (size_t i = 0; i < HK_ARRAY_SIZE(map); i++)
		if (flags & map[i].ms)
			a.attr_set |= map[i].attr;
		else
			a.attr_clr |= map[i].attr;
	if (!(flags & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)))
		return a;
	a.attr_clr |= MOUNT_ATTR__ATIME;
	if (flags & MS_NOATIME)
		a.attr_set |= MOUNT_ATTR_NOATIME;
	else if (flags & MS_STRICTATIME)
		a.attr_set |= MOUNT_ATTR_STRICTATIME;
	if (flags & MS_NODIRATIME)
		a.attr_set |= MOUNT_ATTR_NODIRATIME;
	else
		a.attr_clr |= MOUNT_ATTR_NODIRATIME;
	return a;
}

/* FLAGS on the pending binds and on TOP (read-only when FLAGS say so):
 * with one mount_setattr() over the tree (5.12+; no user namespace here,
 * so nothing in it is locked), else a remount each. */
static int finish_binds(int top, const struct pending_binds *pending, unsigned long flags,
                        hk_err *err)
{
	struct mount_attr attr = remount_attr(flags);
	if (syscall(SYS_mount_setattr, top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
	            sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM) /* EPERM: refused by a seccomp profile */
		return hk_err_set(err, errno, "mount_setattr");
	for (size_t i = 0; i < pending->n; i++) {
		char p[128];
		snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", top, pending->names[i]);
		if (hk_mnt_bind_remount_path(p, flags, 0, false, err) < 0)
			return hk_err_wrap(err, "%s", pending->names[i]);
	}
	unsigned long base = flags & ~(MS_BIND | MS_REC | MS_RDONLY);
	return (flags & MS_RDONLY) ? hk_mnt_bind_remount(top, base | MS_RDONLY, 0, false, err) : 0;
}

/* v1 or hybrid host: a tmpfs at DEST holding one mount per hierarchy the
 * host has under /sys/fs/cgroup: a fresh one in a cgroup namespace of the
 * container's own (it shows the namespace's root), else, as runc does, a
 * bind of the container's own cgroup directory (a fresh mount would show
 * the whole hierarchy, and the limits of its root instead of the
 * container's). */
static int mount_cgroup_v1(int rootfd, int target, const char *dest, unsigned long flags,
                           bool in_userns, bool cgroupns, const char *label, hk_err *err)
{
	unsigned long base = flags & ~(MS_BIND | MS_REC | MS_RDONLY);
	/* the tmpfs takes the mount label, as runc's */
	_cleanup_free_ char *data = NULL;
	int r = label ? hk_lsm_mount_data("mode=755", label, &data, err) : 0;
	if (r < 0)
		return r;
	r = hk_mnt_fs_mount("tmpfs", target, "tmpfs", base, data ? data : "mode=755", err);
	if (r < 0)
		return r;
	_cleanup_close_ int top = hk_resolve_in_root(rootfd, dest, false, false, err);
	if (top < 0)
		return top;
	_cleanup_free_ char *lines = NULL;
	if ((r = hk_cgroup_mount_lines(&lines, err)) < 0)
		return r;
	/* our cgroups, read once for all the hierarchies (NULL: unknown) */
	_cleanup_free_ char *table = NULL;
	hk_err ignored;
	if (!cgroupns)
		hk_read_file("/proc/self/cgroup", &table, NULL, &ignored);
	const size_t plen = strlen(HK_CGROUP_ROOT "/");
	struct pending_binds pending = {.n = 0};
	for (char *line = lines, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct minfo mi;
		memset(&mi, 0, sizeof(mi));
		if (!parse_mountinfo_line(line, &mi))
			continue;
		if (strcmp(mi.fstype, "cgroup") != 0 && strcmp(mi.fstype, "cgroup2") != 0)
			continue;
		if (strncmp(mi.mountpoint, HK_CGROUP_ROOT "/", plen) != 0)
			continue;
		const char *name = mi.mountpoint + plen;
		if (!*name || strchr(name, '/') || name[0] == '.')
			continue;
		if (mkdirat(top, name, 0755) < 0 && errno != EEXIST)
			return hk_err_set(err, errno, "mkdir %s/%s", dest, name);
		char own[4096];
		bool have_own = !cgroupns && own_cgroup_dir(table, &mi, own, sizeof(own));
		if (have_own && !in_userns) {
			if ((r = bind_own_cgroup(top, name, own, flags, &pending, err)) < 0)
				return hk_err_wrap(err, "%s/%s", dest, name);
			continue;
		}
		_cleanup_close_ int sub =
		    openat(top, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			return hk_err_set(err, errno, "open %s/%s", dest, name);
		char p[64], sub_dest[4096];
		snprintf(sub_dest, sizeof(sub_dest), "%s/%s", dest, name);
		if (have_own) {
			r = cgroup_fallback_bind(rootfd, own, sub, sub_dest, flags, in_userns, err);
			if (r < 0)
				return r;
			continue;
		}
		if (mount(mi.fstype, hk_mnt_fd_path(p, sizeof(p), sub), mi.fstype,
		          flags & ~(MS_BIND | MS_REC), mi.opts) == 0)
			continue;
		if (errno != EPERM)
			return hk_err_set(err, errno, "mount %s %s", mi.fstype, name);
		r = cgroup_fallback_bind(rootfd, mi.mountpoint, sub, sub_dest, flags, in_userns,
		                         err);
		if (r < 0)
			return r;
	}
	cgroup_symlinks(top);
	if (pending.n > 0)
		return finish_binds(top, &pending, flags, err);
	if (flags & MS_RDONLY)
		return hk_mnt_bind_remount(top, base | MS_RDONLY, 0, in_userns, err);
	return 0;
}

int hk_mount_cgroup(int rootfd, int target, const char *dest, unsigned long flags, bool in_userns,
                    bool cgroupns, const char *label, hk_err *err)
{
	enum hk_cgroup_layout layout;
	if (hk_cgroup_layout(&layout, err) < 0)
		return -err->code;
	if (layout != HK_CGROUP_V2)
		return mount_cgroup_v1(rootfd, target, dest, flags, in_userns, cgroupns, label,
		                       err);

	/* Keep the host's cgroup2 options (nsdelegate...): they are global. */
	struct minfo host;
	memset(&host, 0, sizeof(host));
	_cleanup_free_ char *lines = NULL;
	hk_err ignored;
	if (hk_cgroup_mount_lines(&lines, &ignored) < 0)
		lines = NULL;
	for (char *line = lines, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct minfo mi;
		memset(&mi, 0, sizeof(mi));
		if (parse_mountinfo_line(line, &mi) && strcmp(mi.mountpoint, HK_CGROUP_ROOT) == 0)
			host = mi;
	}
	return mount_cgroup2(rootfd, target, dest, flags, host.opts, in_userns, err);
}
