/* mounts.c - the config's `mounts` applied inside the rootfs
 * (hk_mounts_apply); the options are parsed by mountopts.c.
 *
 * Every target is resolved inside the rootfs (hk_resolve_in_root) and
 * mounted onto "/proc/self/fd/N" of that O_PATH fd, so a symlink in the
 * image can never redirect a mount to the host.  After a mount the target
 * is resolved again to reach the new mount (the first fd still names the
 * directory below it) for the remount, propagation and mount_setattr.
 *
 * Options that are not the kernel's: propagation (applied after the
 * mount), the recursive ones (mount_setattr), "bind"/"rbind", and
 * "tmpcopyup" (runc's extension, sent by podman): a tmpfs gets a copy of
 * what the directory it covers held (copyup.c); on any other type it is
 * ignored, as runc does.  Anything else goes to the filesystem as data,
 * so an option nobody knows fails the mount with the data named.  "ro" is
 * not recursive ("rro" is), but in a user namespace the host's cgroup
 * hierarchies below an "ro" rbind become read-only too (CVE-2023-25809).
 */
#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/cgroup.h"
#include "linux/copyup.h"
#include "linux/idmap_mount.h"
#include "linux/lsm.h"
#include "linux/mountopts.h"
#include "linux/mounts_internal.h"
#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/debug.h"
#include "util/fs.h"

unsigned long hk_mount_keep_flags(const char *path, unsigned long flags)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return flags;
	/* ST_* and MS_* share their values for these flags. */
	flags |= sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC);
	if (!(flags & HK_ATIME_FLAGS))
		flags |= sv.f_flag & (ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
	return flags;
}

const char *hk_mnt_fd_path(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

int hk_mnt_bind_remount_path(const char *p, unsigned long flags, unsigned long cleared,
                             bool in_userns, hk_err *err)
{
	flags = (flags & ~(MS_REC | MS_REMOUNT | MS_BIND)) | MS_BIND | MS_REMOUNT;
	if (!in_userns && mount("", p, NULL, flags, NULL) == 0)
		return 0;
	if (in_userns || errno == EPERM) {
		unsigned long keep = hk_mount_keep_flags(p, flags) & ~cleared;
		if (mount("", p, NULL, flags | keep, NULL) == 0)
			return 0;
	}
	return hk_err_set(err, errno, "remount");
}

int hk_mnt_bind_remount(int top, unsigned long flags, unsigned long cleared, bool in_userns,
                        hk_err *err)
{
	char p[64];
	return hk_mnt_bind_remount_path(hk_mnt_fd_path(p, sizeof(p), top), flags, cleared,
	                                in_userns, err);
}

/* Do A and B lead up (..) to the same directory of the same mount? */
static bool same_parent(int a, int b)
{
	_cleanup_close_ int pa = openat(a, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int pb = openat(b, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statx x, y;
	if (pa < 0 || pb < 0 || statx(pa, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &x) < 0 ||
	    statx(pb, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &y) < 0)
		return false;
	bool ids = (x.stx_mask & STATX_MNT_ID) && (y.stx_mask & STATX_MNT_ID);
	return x.stx_ino == y.stx_ino && x.stx_dev_major == y.stx_dev_major &&
	       x.stx_dev_minor == y.stx_dev_minor && (!ids || x.stx_mnt_id == y.stx_mnt_id);
}

/* After a mount onto TARGET, the new mount's root, found by resolving
 * DEST again (TARGET still names what is below it).  Checked to be the
 * root of a mount other than TARGET's that sits where TARGET is (for a
 * directory: both lead up to the same place), so a path changed in
 * between (a symlink swapped in a shared volume) cannot make the remount,
 * the propagation or the attributes meant for the new mount land on
 * another (the lookup itself never leaves the rootfs). */
static int new_mount_top(int rootfd, const char *dest, int target, hk_err *err)
{
	_cleanup_close_ int top = hk_resolve_in_root(rootfd, dest, false, false, err);
	if (top < 0)
		return top;
	struct statx a, b;
	if (statx(top, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_TYPE, &a) < 0 ||
	    statx(target, "", AT_EMPTY_PATH, STATX_MNT_ID, &b) < 0)
		return hk_err_set(err, errno, "statx %s", dest);
	bool ids = (a.stx_mask & STATX_MNT_ID) && (b.stx_mask & STATX_MNT_ID);
	bool root_known = a.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT;
	if ((ids && a.stx_mnt_id == b.stx_mnt_id) ||
	    (root_known && !(a.stx_attributes & STATX_ATTR_MOUNT_ROOT)) ||
	    (S_ISDIR(a.stx_mode) && !same_parent(top, target)))
		return hk_err_plain(err, EXDEV,
		                    "%s changed while it was being mounted on (refused)", dest);
	return hk_steal_fd(&top);
}

/* Post-mount steps on the new mount at DEST (on TARGET): propagation,
 * mount_setattr.  TOP: the new mount when the caller has it, else -1. */
static int finish_mount(int rootfd, const char *dest, int target, int top_fd,
                        const struct hk_mopts *o, hk_err *err)
{
	if (!o->n_prop && !o->has_attr)
		return 0;
	_cleanup_close_ int own = -1;
	/* "remount": TARGET is the mount itself */
	int top = o->flags & MS_REMOUNT ? target : top_fd;
	if (top < 0 && (top = own = new_mount_top(rootfd, dest, target, err)) < 0)
		return top;
	char p[64];
	hk_mnt_fd_path(p, sizeof(p), top);
	for (size_t i = 0; i < o->n_prop; i++)
		if (mount("", p, NULL, o->prop[i], NULL) < 0)
			return hk_err_set(err, errno, "set propagation");
	if (o->has_attr) {
		struct mount_attr attr = o->attr;
		if (syscall(SYS_mount_setattr, top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
		            sizeof(attr)) < 0)
			return hk_err_set(err, errno, "mount_setattr");
	}
	return 0;
}

/* The id of the mount FD is on, as /proc/self/mountinfo numbers them;
 * -1 when unknown.  Kernels < 5.8 have no STATX_MNT_ID: the fdinfo of
 * the host's /proc (this runs before pivot_root) has it since 3.15. */
static long long mount_id(int fd)
{
	long long id = hk_procfs_mount_id(-1, fd);
	return id < 0 ? -1 : id;
}

/* A line of /proc/self/mountinfo: ids, mount point, is it a cgroup fs. */
struct submount {
	long long id, parent;
	bool cgroup;
	char *path;
};

static void submounts_free(struct submount **v)
{
	for (struct submount *m = *v; m && m->path; m++)
		free(m->path);
	free(*v);
}

/* Every mount of our mount namespace, ended by one with a NULL path. */
static int read_submounts(struct submount **out, hk_err *err)
{
	_cleanup_file_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return hk_err_set(err, errno, "open /proc/self/mountinfo");
	_cleanup_free_ char *line = NULL;
	size_t len = 0, n = 0;
	while (getline(&line, &len, f) > 0) {
		struct submount *v = realloc(*out, (n + 2) * sizeof(**out));
		if (!v)
			return hk_err_set(err, ENOMEM, "mountinfo");
		*out = v;
		memset(&v[n], 0, 2 * sizeof(*v));
		char *save = NULL, *tok = strtok_r(line, " \n", &save);
		for (int field = 0; tok; tok = strtok_r(NULL, " \n", &save), field++) {
			if (field == 0 || field == 1)
				*(field ? &v[n].parent : &v[n].id) = strtoll(tok, NULL, 10);
			else if (field == 4 && !(v[n].path = strdup(tok)))
				return hk_err_set(err, ENOMEM, "mountinfo");
			else if (field > 5 && strcmp(tok, "-") == 0) {
				tok = strtok_r(NULL, " \n", &save);
				v[n].cgroup =
				    tok && (!strcmp(tok, "cgroup") || !strcmp(tok, "cgroup2"));
				break;
			}
		}
		if (v[n].path)
			n++;
	}
	return 0;
}

/* Is mount I of V below the mount TOP (its child, grandchild...)? */
static bool mount_below(const struct submount *v, size_t i, long long top)
{
	long long p = v[i].parent;
	for (size_t depth = 0; v[depth].path; depth++) {
		if (p == top)
			return true;
		size_t j = 0;
		while (v[j].path && v[j].id != p)
			j++;
		if (!v[j].path || v[j].parent == p)
			return false;
		p = v[j].parent;
	}
	return false;
}

/* In a user namespace, "ro" on an rbind (the /sys of rootless configs)
 * makes its top read-only only, as with runc and crun ("rro" is the
 * recursive option), and the host's cgroup hierarchies below it stay
 * writable: the cgroups delegated to the user, the container's and those
 * above it (CVE-2023-25809).  Make every cgroup filesystem below TOP
 * read-only as well, each remounted through its path.  One that cannot be
 * reached by its path (overmounted, an escaped name): the whole tree,
 * recursively, with mount_setattr (5.12+); without it (ENOSYS, or EPERM
 * from a seccomp profile) such a tree is refused, as it would stay
 * writable.  (Flags set in the container's user namespace are not
 * locked: a config that grants CAP_SYS_ADMIN lets the container remount
 * them rw, as with runc.) */
static int readonly_cgroups_below(int top, hk_err *err)
{
	struct submount *v __attribute__((cleanup(submounts_free))) = NULL;
	int r = read_submounts(&v, err);
	if (r < 0)
		return r;
	long long top_id = mount_id(top);
	const char *lost = top_id < 0 ? "" : NULL;
	for (size_t i = 0; top_id >= 0 && v && v[i].path; i++) {
		if (!v[i].cgroup || !mount_below(v, i, top_id))
			continue;
		_cleanup_close_ int fd =
		    open(v[i].path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || mount_id(fd) != v[i].id) {
			if (!lost)
				lost = v[i].path;
			continue;
		}
		if ((r = hk_mnt_bind_remount(fd, MS_RDONLY, 0, true, err)) < 0)
			return hk_err_wrap(err, "make the cgroup mount %s read-only", v[i].path);
	}
	if (!lost)
		return 0;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (syscall(SYS_mount_setattr, top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
	            sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM)
		return hk_err_set(err, errno, "make the cgroup mounts below read-only");
	if (top_id < 0)
		return hk_err_set(err, errno,
		                  "the mount ids are unknown, so the cgroup mounts below cannot be "
		                  "made read-only one by one, and the kernel cannot make the tree "
		                  "read-only (mount_setattr, 5.12+)");
	return hk_err_set(err, errno,
	                  "the cgroup mount %s below cannot be reached by its path to be made "
	                  "read-only, and the kernel cannot make the tree read-only "
	                  "(mount_setattr, 5.12+)",
	                  lost);
}

int hk_mount_clone_onto(int dirfd, const char *path, bool recursive, int target)
{
	int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0) |
	            (*path ? 0 : AT_EMPTY_PATH);
	_cleanup_close_ int tree = (int)syscall(SYS_open_tree, dirfd, path, flags);
	if (tree < 0) /* EPERM: a seccomp profile husk runs under may refuse it */
		return errno == EPERM ? -ENOSYS : -errno;
	if (syscall(SYS_move_mount, tree, "", target, "",
	            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return errno == ENOSYS ? -EINVAL : -errno;
	return hk_steal_fd(&tree);
}

/* Bind SRC (recursively with REC) onto the resolved target fd TARGET.  The
 * copy is made detached and attached to TARGET itself, so *TOP is the new
 * mount for what follows, with no lookup by name; -1 on kernels without
 * the new mount API (< 5.2), where mount(2) does it by name.  *TREE, when
 * not -1, is husk's copy of SRC (mount_sources.c), attached instead (and
 * taken). */
static int bind_onto(const char *src, int *tree, int target, bool rec, int *top, hk_err *err)
{
	*top = -1;
	if (*tree >= 0) {
		if (syscall(SYS_move_mount, *tree, "", target, "",
		            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return hk_err_set(err, errno, "bind %s", src);
		*top = hk_steal_fd(tree);
		return 0;
	}
	int r = hk_mount_clone_onto(AT_FDCWD, src, rec, target);
	if (r >= 0) {
		*top = r;
		return 0;
	}
	if (r != -ENOSYS)
		return hk_err_set(err, -r, "bind %s", src);
	char p[64];
	if (mount(src, hk_mnt_fd_path(p, sizeof(p), target), NULL, MS_BIND | (rec ? MS_REC : 0),
	          NULL) < 0)
		return hk_err_set(err, errno, "bind %s", src);
	return 0;
}

/* hk_mounts_set_idmapper() */
static hk_idmapper idmapper;
static void *idmapper_arg;

void hk_mounts_set_idmapper(hk_idmapper fn, void *arg)
{
	idmapper = fn;
	idmapper_arg = arg;
}

/* Bind SRC onto the already resolved target fd TARGET (DEST in the rootfs),
 * idmapped when IDM (mounts[IDX], whose source to use) is not NULL, then
 * remount with the entry's flags when it has any.  *TREE: husk's copy of
 * SRC or -1 (taken when used).  *TOP_OUT (when not NULL) gets the new
 * mount, or -1. */
static int idmap_bind(int rootfd, const char *src, int *tree, const hk_mount *idm, size_t idx,
                      int target, const char *dest, unsigned long flags, unsigned long cleared,
                      bool in_userns, int *top_out, hk_err *err)
{
	_cleanup_close_ int top = -1;
	int r = 0;
	if (idm)
		r = top =
		    hk_idmap_mount_onto(idm, idx, flags & MS_REC, in_userns, hk_steal_fd(tree),
		                        target, idmapper, idmapper_arg, err);
	else
		r = bind_onto(src, tree, target, flags & MS_REC, &top, err);
	if (r < 0)
		return r;
	if ((flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) || cleared) {
		if (top < 0 && (top = new_mount_top(rootfd, dest, target, err)) < 0)
			return top;
		r = hk_mnt_bind_remount(top, flags, cleared, in_userns, err);
		if (r == 0 && in_userns && (flags & MS_REC) && (flags & MS_RDONLY))
			r = readonly_cgroups_below(top, err);
		if (r < 0)
			return r;
	}
	if (top_out)
		*top_out = hk_steal_fd(&top);
	return 0;
}

int hk_mnt_bind(int rootfd, const char *src, int target, const char *dest, unsigned long flags,
                unsigned long cleared, bool in_userns, int *top_out, hk_err *err)
{
	int none = -1;
	return idmap_bind(rootfd, src, &none, NULL, 0, target, dest, flags, cleared, in_userns,
	                  top_out, err);
}

/* Mount a filesystem of TYPE onto fd TARGET; DATA may be "". */
int hk_mnt_fs_mount(const char *src, int target, const char *type, unsigned long flags,
                    const char *data, hk_err *err)
{
	char p[64];
	flags &= ~(MS_BIND | MS_REC);
	if (mount(src, hk_mnt_fd_path(p, sizeof(p), target), type, flags, data) == 0)
		return 0;
	/* Name the data: an option the filesystem does not know is the
	 * usual cause of EINVAL. */
	if (errno == EINVAL && data && *data)
		return hk_err_set(err, errno, "mount with data \"%s\"", data);
	return hk_err_set(err, errno, "mount");
}

/* A tmpfs onto fd TARGET (DEST in the rootfs) holding a copy of what the
 * directory it covers held (tmpcopyup).  The covered directory stays
 * readable through an fd opened before the mount, so no temporary mount
 * point is needed; the tmpfs is mounted writable and made read-only after
 * the copy when the options say so. */
static int mount_tmpfs_copyup(int rootfd, const char *src, int target, const char *dest,
                              const struct hk_mopts *o, bool in_userns, hk_err *err)
{
	_cleanup_close_ int from = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (from < 0 && errno != ENOTDIR)
		return hk_err_set(err, errno, "tmpcopyup: open %s", dest);
	int r = hk_mnt_fs_mount(src, target, "tmpfs", o->flags & ~MS_RDONLY, o->data, err);
	if (r < 0 || from < 0)
		return r; /* (not a directory: the mount failed) */
	_cleanup_close_ int top = new_mount_top(rootfd, dest, target, err);
	if (top < 0)
		return top;
	_cleanup_close_ int to = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (to < 0)
		return hk_err_set(err, errno, "tmpcopyup: open the new tmpfs");
	r = hk_copy_tree(from, to, err);
	if (r < 0)
		return hk_err_wrap(err, "tmpcopyup");
	if (o->flags & MS_RDONLY)
		return hk_mnt_bind_remount(top, o->flags, o->cleared, in_userns, err);
	return 0;
}

/* hk_mounts_apply(): does the container have a cgroup namespace of its own? */
static bool own_cgroupns;
/* hk_mounts_set_label(): the SELinux mount context, or NULL */
static const char *mount_label;

static bool is_type(const char *type, const char *name)
{
	return type && strcmp(type, name) == 0;
}

void hk_mounts_set_label(const char *label)
{
	mount_label = label;
}

/* Put the mount label into O's data for a filesystem of TYPE that takes
 * one (runc: everything but proc and sysfs, whose inodes the kernel labels
 * itself, and cgroup2; binds ignore data).  The unlabeled data is kept in
 * *PLAIN for mqueue, which older kernels refuse to label. */
static int label_data(struct hk_mopts *o, const char *type, char **plain, hk_err *err)
{
	*plain = NULL;
	if (!mount_label || !type || is_type(type, "proc") || is_type(type, "sysfs") ||
	    is_type(type, "cgroup2") || is_type(type, "bind"))
		return 0;
	char *labeled = NULL;
	int r = hk_lsm_mount_data(o->data, mount_label, &labeled, err);
	if (r < 0)
		return r;
	*plain = o->data;
	o->data = labeled;
	return 0;
}

/* runc's rule for proc and sysfs: an existing destination must be a plain
 * directory.  A procfs mounted where a symlink of the image points can be
 * covered by a later mount, leaving a fake /proc in front of the real one
 * for everything that reads /proc after pivot_root. */
static int check_plain_dir(int rootfd, const char *dest, const char *type, hk_err *err)
{
	_cleanup_free_ char *dir = strdup(dest);
	if (!dir)
		return hk_err_set(err, ENOMEM, "%s", dest);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return 0;
	if (slash)
		*slash = '\0';
	_cleanup_close_ int parent =
	    hk_resolve_in_root(rootfd, *dir ? dir : "/", false, false, err);
	if (parent == -ENOENT)
		return 0; /* made as a directory */
	if (parent < 0)
		return parent;
	struct stat st;
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : hk_err_set(err, errno, "stat %s", dest);
	if (!S_ISDIR(st.st_mode))
		return hk_err_plain(err, ENOTDIR,
		                    "filesystem \"%s\" must be mounted on an ordinary directory "
		                    "(%s is %s)",
		                    type, dest,
		                    S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
	return 0;
}

/* check_plain_dir() and the target in one lookup where the kernel can:
 * DEST opened without following its last component is either that plain
 * directory, or what the rule refuses (a missing one is made). */
static int plain_dir_target(int rootfd, const char *dest, const char *type, hk_err *err)
{
	_cleanup_free_ char *path = strdup(dest);
	if (!path)
		return hk_err_set(err, ENOMEM, "%s", dest);
	/* a trailing slash would have the lookup follow the last component */
	for (size_t n = strlen(path); n > 1 && path[n - 1] == '/';)
		path[--n] = '\0';
	_cleanup_close_ int fd = hk_resolve_in_root_nofollow(rootfd, path);
	struct stat st;
	if (fd < 0 && fd != -ENOENT && fd != -ENOSYS && fd != -EAGAIN)
		return hk_err_set(err, -fd, "resolve %s in rootfs", dest);
	if (fd >= 0 && fstat(fd, &st) < 0)
		return hk_err_set(err, errno, "stat %s", dest);
	if (fd >= 0 && S_ISDIR(st.st_mode))
		return hk_steal_fd(&fd);
	int r = check_plain_dir(rootfd, dest, type, err);
	if (r < 0)
		return r;
	return hk_resolve_in_root(rootfd, dest, true, false, err);
}

static int apply_one(int rootfd, const hk_mount *m, size_t idx, bool in_userns, hk_err *err)
{
	struct hk_mopts o __attribute__((cleanup(hk_mopts_free))) = {0};
	int r = hk_mopts_parse(m, &o, err);
	if (r < 0)
		return r;
	bool idmapped = hk_idmap_mount_wanted(m, o.idmap);
	/* husk's copy of a bind source (a user namespace), or -1: used only
	 * for a source this process may not reach; any other is looked up
	 * here, in the container's mount namespace, as without one (its
	 * mounts locked there as the kernel locks them) */
	_cleanup_close_ int tree = hk_mount_source_take(idx);

	const char *type = m->type;
	bool bind = hk_mopts_is_bind(m, &o);
	bool as_file = false;
	if (bind) {
		if (!m->source)
			return hk_err_plain(err, EINVAL, "bind mount without a source");
		/* the kernel would ignore them: never silently */
		if (o.data && *o.data)
			return hk_err_plain(err, EINVAL,
			                    "unknown mount option \"%s\" (a bind mount takes no "
			                    "filesystem options)",
			                    o.data);
		struct stat st;
		bool reached = stat(m->source, &st) == 0;
		if (!reached && errno == EACCES && tree < 0 && in_userns)
			return hk_err_set(err, errno,
			                  "stat %s (out of the user namespace's reach, and husk "
			                  "could not copy it: that takes the host's root)",
			                  m->source);
		if (!reached && (errno != EACCES || tree < 0))
			return hk_err_set(err, errno, "stat %s", m->source);
		if (reached && tree >= 0) {
			close(tree);
			tree = -1;
		} else if (!reached && fstat(tree, &st) < 0) {
			return hk_err_set(err, errno, "stat %s", m->source);
		}
		as_file = !S_ISDIR(st.st_mode);
	}
	_cleanup_free_ char *plain = NULL;
	if (!bind && !is_type(type, "cgroup") && (r = label_data(&o, type, &plain, err)) < 0)
		return r;
	_cleanup_close_ int target = -1;
	if (!bind && (is_type(type, "proc") || is_type(type, "sysfs")))
		target = plain_dir_target(rootfd, m->destination, type, err);
	else
		target = hk_resolve_in_root(rootfd, m->destination, true, as_file, err);
	if (target < 0)
		return target;

	const char *src = m->source ? m->source : (type ? type : "none");
	_cleanup_close_ int top = -1;
	if (idmapped && !bind) {
		return hk_err_plain(err, EINVAL,
		                    "idmapped mounts are supported for bind mounts only");
	} else if (bind) {
		r = idmap_bind(rootfd, m->source, &tree, idmapped ? m : NULL, idx, target,
		               m->destination, o.flags | MS_BIND, o.cleared, in_userns, &top, err);
	} else if (is_type(type, "cgroup")) {
		r = hk_mount_cgroup(rootfd, target, m->destination, o.flags, in_userns,
		                    own_cgroupns, mount_label, err);
	} else if (o.copyup && is_type(type, "tmpfs")) {
		r = mount_tmpfs_copyup(rootfd, src, target, m->destination, &o, in_userns, err);
	} else if (is_type(type, "sysfs")) {
		r = hk_mnt_fs_mount(src, target, type, o.flags, o.data, err);
		/* In a user namespace without its own network namespace the
		 * kernel refuses sysfs: bind the host's /sys, as runc does. */
		if (r == -EPERM)
			r = hk_mnt_bind(rootfd, "/sys", target, m->destination,
			                o.flags | MS_BIND | MS_REC, o.cleared, in_userns, &top,
			                err);
	} else {
		if (!type)
			return hk_err_plain(err, EINVAL, "no type and no bind option");
		r = hk_mnt_fs_mount(src, target, type, o.flags, o.data, err);
		if (r < 0 && plain && is_type(type, "mqueue")) {
			hk_debug("%s: mqueue refused the mount label, mounted without it",
			         m->destination);
			r = hk_mnt_fs_mount(src, target, type, o.flags, plain, err);
		}
	}
	if (r < 0)
		return r;
	return finish_mount(rootfd, m->destination, target, top, &o, err);
}

int hk_mounts_apply(int rootfd, const hk_mount *mounts, size_t n, bool in_userns, bool cgroupns,
                    hk_err *err)
{
	own_cgroupns = cgroupns;
	for (size_t i = 0; i < n; i++) {
		const hk_mount *m = &mounts[i];
		int r = apply_one(rootfd, m, i, in_userns, err);
		if (r < 0) {
			const char *label = m->type ? m->type : "bind";
			return hk_err_wrap(err, "mounts[%zu] (%s on %s)", i, label, m->destination);
		}
	}
	return 0;
}
