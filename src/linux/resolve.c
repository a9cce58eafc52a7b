/* resolve.c - open a path inside the container's rootfs without ever
 * leaving it (hk_resolve_in_root).
 *
 * Symlinks and ".." are resolved as if the rootfs were "/": a symlink in an
 * image pointing a mount target at "/etc" or "../../../../tmp" lands inside
 * the rootfs.  openat2(RESOLVE_IN_ROOT) does it in the kernel; when it is
 * missing (ENOSYS), or when missing components must be created, a
 * userspace walk does the same one component at a time with O_NOFOLLOW,
 * keeping a stack of directory fds so ".." never goes above the root.
 * Components are always created with mkdirat()/openat() relative to the fd
 * of their parent, never through a path string.
 */
#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define HK_MAX_SYMLINKS 40

static bool use_openat2 = true;

void hk_resolve_use_openat2(bool on)
{
	use_openat2 = on;
}

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
#ifdef SYS_openat2
	return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* The directory fds of the walk: stack[0] is the root (not owned). */
struct walk {
	int rootfd;
	int *stack;
	size_t depth, cap;
};

static int walk_cur(const struct walk *w)
{
	return w->depth ? w->stack[w->depth - 1] : w->rootfd;
}

static void walk_pop(struct walk *w)
{
	if (w->depth)
		close(w->stack[--w->depth]);
}

static void walk_free(struct walk *w)
{
	while (w->depth)
		walk_pop(w);
	free(w->stack);
}

static int walk_push(struct walk *w, int fd)
{
	if (w->depth == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 16;
		int *ns = realloc(w->stack, ncap * sizeof(*ns));
		if (!ns) {
			close(fd);
			return -ENOMEM;
		}
		w->stack = ns;
		w->cap = ncap;
	}
	w->stack[w->depth++] = fd;
	return 0;
}

/* Open (creating when asked) the single component NAME below DIRFD without
 * following it.  Returns an O_PATH fd or -errno. */
static int open_component(int dirfd, const char *name, bool create, bool as_file)
{
	for (int tries = 0; tries < 8; tries++) {
		int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || !create)
			return fd >= 0 ? fd : -errno;
		if (as_file) {
			fd = openat(dirfd, name,
			            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd >= 0) {
				close(fd);
				continue;
			}
		} else if (mkdirat(dirfd, name, 0755) == 0) {
			continue;
		}
		if (errno != EEXIST)
			return -errno;
		/* Lost a race with someone creating it: look again. */
	}
	return -ELOOP;
}

/* Is the symlink FD, whose target reads TARGET, a procfs "magic link"
 * (/proc/PID/fd/N, cwd, root, exe, ns/..., map_files/...)?  Those are not
 * paths: the kernel jumps straight to the object, and the text readlink
 * gives is a path in the caller's (the host's) view, "pipe:[N]" or
 * "mnt:[N]".  The walk must refuse them as openat2(RESOLVE_NO_MAGICLINKS)
 * does, not re-resolve that text inside the root (it would create
 * directories named after host paths).  procfs's ordinary symlinks
 * (self, thread-self, mounts, net) all have relative targets without ':'. */
static bool is_magic_link(int fd, const char *target)
{
	struct statfs sfs;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return false;
	return target[0] == '/' || strchr(target, ':') != NULL;
}

/* The userspace walk.  PATH is resolved below ROOTFD, following every
 * symlink (including the last component) inside the root. */
static int walk_in_root(int rootfd, const char *path, bool mkdir_missing, bool mkfile_last)
{
	struct walk w = {.rootfd = rootfd};
	int links = 0, r;

	/* TODO holds the part of the path still to walk; a symlink's target
	 * is spliced in front of what remains. */
	size_t cap = strlen(path) + 1;
	_cleanup_free_ char *todo = malloc(cap);
	if (!todo)
		return -ENOMEM;
	memcpy(todo, path, cap);

	char *p = todo;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *end = strchrnul(p, '/');
		bool last = true;
		for (const char *q = end; *q; q++)
			if (*q != '/') {
				last = false;
				break;
			}
		char name[NAME_MAX + 1];
		size_t len = (size_t)(end - p);
		if (len > NAME_MAX) {
			walk_free(&w);
			return -ENAMETOOLONG;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p = end;

		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			walk_pop(&w);
			continue;
		}
		int fd = open_component(walk_cur(&w), name, mkdir_missing, last && mkfile_last);
		if (fd < 0) {
			walk_free(&w);
			return fd;
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			r = -errno;
			close(fd);
			walk_free(&w);
			return r;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			r = n < 0 ? -errno : 0;
			if (n >= 0)
				target[n] = '\0';
			if (r == 0 && is_magic_link(fd, target))
				r = -ELOOP;
			close(fd);
			if (r == 0 && ++links > HK_MAX_SYMLINKS)
				r = -ELOOP;
			if (r == 0 && n == 0)
				r = -ENOENT;
			if (r < 0) {
				walk_free(&w);
				return r;
			}
			/* New todo: TARGET + "/" + rest. */
			size_t rest = strlen(p);
			char *nt = malloc((size_t)n + 1 + rest + 1);
			if (!nt) {
				walk_free(&w);
				return -ENOMEM;
			}
			memcpy(nt, target, (size_t)n);
			nt[n] = '/';
			memcpy(nt + n + 1, p, rest + 1);
			free(todo);
			todo = nt;
			p = todo;
			if (target[0] == '/')
				while (w.depth)
					walk_pop(&w);
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode)) {
			close(fd);
			walk_free(&w);
			return -ENOTDIR;
		}
		r = walk_push(&w, fd);
		if (r < 0) {
			walk_free(&w);
			return r;
		}
	}

	int fd;
	if (w.depth) {
		fd = w.stack[--w.depth];
	} else {
		fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	walk_free(&w);
	return fd;
}

/* PATH resolved in ROOTFD by the kernel (with FLAGS besides O_PATH, and
 * RESOLVE besides RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS); -errno on
 * failure. */
static int openat2_in_root_flags(int rootfd, const char *path, int flags,
                                 unsigned long long resolve)
{
	struct open_how how = {
	    .flags = (unsigned long long)(O_PATH | O_CLOEXEC | flags),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
	};
	int fd = -ENOSYS;
	for (int tries = 0; tries < 16; tries++) {
		fd = sys_openat2(rootfd, path, &how);
		if (fd >= 0)
			return fd;
		fd = -errno;
		/* EAGAIN: a rename raced with the lookup; retry. */
		if (fd != -EAGAIN)
			break;
	}
	return fd;
}

static int openat2_in_root(int rootfd, const char *path)
{
	return openat2_in_root_flags(rootfd, path, 0, 0);
}

int hk_resolve_in_root_nofollow(int rootfd, const char *path)
{
	return use_openat2 ? openat2_in_root_flags(rootfd, path, O_NOFOLLOW, 0) : -ENOSYS;
}

static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return true;
	return false;
}

/* The usual missing mount point (/dev/pts in a fresh /dev): only its last
 * component is missing, and the path has no symlink and no "..".  Its
 * parent resolved by the kernel, the directory made there and opened
 * without following anything (O_DIRECTORY fails on whatever may have
 * replaced it).  -EAGAIN for anything else (a missing parent, a symlink,
 * "..", a race): the walk then does it.  (Where a mount covers the root,
 * the kernel's ".." and a symlink's "/" land on the mount, the walk's on
 * the root below: only the walk may create things through them.) */
static int mkdir_last(int rootfd, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t plen = slash ? (size_t)(slash - path) : 0;
	char parent[PATH_MAX];
	if (!*name || !strcmp(name, ".") || has_dotdot(path) || strlen(name) > NAME_MAX ||
	    plen >= sizeof(parent))
		return -EAGAIN;
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	_cleanup_close_ int dir =
	    openat2_in_root_flags(rootfd, plen ? parent : "/", 0, RESOLVE_NO_SYMLINKS);
	if (dir < 0 || mkdirat(dir, name, 0755) < 0)
		return -EAGAIN;
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -EAGAIN;
	return fd;
}

int hk_resolve_in_root(int rootfd, const char *path, bool mkdir_missing, bool mkfile_last,
                       hk_err *err)
{
	int fd = -ENOSYS;

	if (use_openat2) {
		fd = openat2_in_root(rootfd, path);
		if (fd >= 0)
			return fd;
		if (fd == -ENOENT && mkdir_missing && !mkfile_last &&
		    (fd = mkdir_last(rootfd, path)) >= 0)
			return fd;
	}
	/* Fall back to the walk when openat2 is missing, or when something
	 * (perhaps a dangling symlink) must be created. */
	if (fd == -ENOSYS || fd == -EAGAIN || (fd == -ENOENT && mkdir_missing))
		fd = walk_in_root(rootfd, path, mkdir_missing, mkfile_last);
	if (fd < 0)
		return hk_err_set(err, -fd, "resolve %s in rootfs", path);
	return fd;
}
