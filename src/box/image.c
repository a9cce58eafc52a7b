/* image.c - where a box's root filesystem comes from: the storage
 * directory, the built-in busybox rootfs (made once from the host's static
 * busybox), a directory as is, or a tarball unpacked once into the cache
 * (in a temporary directory renamed into place); and removing such trees,
 * also those with unreadable directories or files of subordinate ids. */
#include "box/image.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "box/unpack.h"
#include "linux/rootless.h"
#include "util/cleanup.h"
#include "util/fs.h"

extern char **environ;

int hk_storage_dir(char **out, hk_err *err)
{
	_cleanup_free_ char *dir = NULL;
	const char *env = getenv("HUSK_STORAGE");
	bool root = hk_host_root();

	if (env && *env) {
		if (env[0] != '/')
			return hk_err_plain(err, EINVAL,
			                    "HUSK_STORAGE must be an absolute path, not "
			                    "\"%s\"",
			                    env);
		dir = strdup(env);
	} else if (root) {
		dir = strdup("/var/lib/husk");
	} else {
		const char *xdg = getenv("XDG_CACHE_HOME");
		const char *home = getenv("HOME");
		_cleanup_free_ char *pwhome = NULL;
		if (xdg && xdg[0] == '/') {
			if (asprintf(&dir, "%s/husk", xdg) < 0)
				dir = NULL;
		} else {
			if (!home || home[0] != '/') {
				hk_passwd_lookup(geteuid(), NULL, &pwhome);
				home = pwhome;
			}
			if (!home || home[0] != '/')
				return hk_err_plain(
				    err, ENOENT,
				    "no home directory to keep husk's storage in: set "
				    "HOME or HUSK_STORAGE");
			if (asprintf(&dir, "%s/.cache/husk", home) < 0)
				dir = NULL;
		}
	}
	if (!dir)
		return hk_err_set(err, ENOMEM, "storage directory");
	int r = hk_mkdir_p(dir, root ? 0711 : 0700, err);
	if (r < 0)
		return hk_err_wrap(err, "storage directory");
	*out = hk_steal_ptr(&dir);
	return 0;
}

/* ---- removal ---- */

struct remove_ctx {
	dev_t dev;
	hk_err *err;
	int ret;
};

static int remove_at(struct remove_ctx *c, int pfd, const char *name, const char *path);

static int remove_contents(struct remove_ctx *c, int fd, const char *path)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return hk_err_set(c->err, e, "remove %s", path);
	}
	_cleanup_dir_ DIR *dp = d;
	int dfd = dirfd(d);
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				return hk_err_set(c->err, errno, "remove %s", path);
			return 0;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = NULL;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
			return hk_err_set(c->err, ENOMEM, "remove %s", path);
		int r = remove_at(c, dfd, de->d_name, sub);
		if (r < 0)
			return r;
	}
}

static int remove_at(struct remove_ctx *c, int pfd, const char *name, const char *path)
{
	struct stat st;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return hk_err_set(c->err, errno, "remove %s", path);
	}
	if (st.st_dev != c->dev)
		return hk_err_plain(c->err, EXDEV,
		                    "remove %s: a mount point (another file "
		                    "system), left alone",
		                    path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
			return hk_err_set(c->err, errno, "remove %s", path);
		return 0;
	}
	/* The directory itself, never a link put in its place. */
	_cleanup_close_ int pathfd =
	    openat(pfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat fst;
	if (pathfd < 0)
		return hk_err_set(c->err, errno, "remove %s", path);
	if (fstat(pathfd, &fst) < 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino)
		return hk_err_plain(c->err, EBUSY, "remove %s: changed while being removed", path);
	if ((fst.st_mode & 0700) != 0700) {
		/* overlayfs leaves work/work with mode 000; a user's unpacked
		 * tree may hold read-only directories (chmod through the fd:
		 * that very directory) */
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
		(void)chmod(proc, (fst.st_mode & 07777) | 0700);
	}
	int fd = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(c->err, errno, "remove %s", path);
	int r = remove_contents(c, fd, path);
	if (r < 0)
		return r;
	if (unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return hk_err_set(c->err, errno, "remove %s", path);
	return 0;
}

static int tree_remove_fn(void *arg, hk_err *err)
{
	const char *path = arg;
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return hk_err_set(err, ENOMEM, "remove %s", path);
	char *slash = strrchr(copy, '/');
	if (!slash || !slash[1])
		return hk_err_plain(err, EINVAL, "remove %s: not an absolute path to a file", path);
	*slash = '\0';
	const char *parent = copy[0] ? copy : "/";
	const char *name = slash + 1;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return hk_err_plain(err, EINVAL, "remove %s: not a plain path", path);
	_cleanup_close_ int pfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		if (errno == ENOENT)
			return 0;
		return hk_err_set(err, errno, "remove %s", path);
	}
	struct stat st;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return hk_err_set(err, errno, "remove %s", path);
	}
	struct remove_ctx c = {.dev = st.st_dev, .err = err};
	return remove_at(&c, pfd, name, path);
}

int hk_tree_remove(const char *path, const hk_idmaps *maps, hk_err *err)
{
	if (!path || path[0] != '/')
		return hk_err_plain(err, EINVAL, "remove %s: not an absolute path",
		                    path ? path : "(null)");
	if (maps && maps->full && !hk_host_root())
		return hk_userns_run(maps, tree_remove_fn, (void *)path, err);
	return tree_remove_fn((void *)path, err);
}

/* ---- the built-in rootfs ---- */

#define NEED_STATIC_BUSYBOX                                                                        \
	"the built-in rootfs needs a static busybox: install busybox-static (apt-get install "     \
	"busybox-static), or give a root filesystem"

/* Is PATH a static ELF executable (no PT_INTERP)?  0 or an error. */
static int check_static_elf(const char *path, hk_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return hk_err_plain(err, ENOENT, "%s: not found: %s", path,
			                    NEED_STATIC_BUSYBOX);
		return hk_err_set(err, errno, "%s", path);
	}
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return hk_err_plain(err, ENOEXEC, "%s: not a 64-bit ELF executable: %s", path,
		                    NEED_STATIC_BUSYBOX);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return hk_err_plain(err, ENOEXEC, "%s: truncated ELF file", path);
		if (ph.p_type == PT_INTERP)
			return hk_err_plain(err, ENOEXEC, "%s is dynamically linked: %s", path,
			                    NEED_STATIC_BUSYBOX);
	}
	return 0;
}

static int copy_file(const char *src, int dirfd, const char *dst, mode_t mode, hk_err *err)
{
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return hk_err_set(err, errno, "%s", src);
	_cleanup_close_ int out =
	    openat(dirfd, dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (out < 0)
		return hk_err_set(err, errno, "create %s", dst);
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hk_err_set(err, errno, "read %s", src);
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return hk_err_set(err, errno, "write %s", dst);
			off += w;
		}
	}
	if (fchmod(out, mode) < 0)
		return hk_err_set(err, errno, "chmod %s", dst);
	return 0;
}

/* mkdir -p REL under DIRFD, each created directory with MODE. */
static int mkdirs_at(int dirfd, const char *rel, mode_t mode, hk_err *err)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return hk_err_plain(err, ENAMETOOLONG, "%s: name too long", rel);
	for (char *p = buf;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdirat(dirfd, buf, 0755) == 0) {
			if (fchmodat(dirfd, buf, mode, 0) < 0)
				return hk_err_set(err, errno, "chmod %s", buf);
		} else if (errno != EEXIST) {
			return hk_err_set(err, errno, "mkdir %s", buf);
		}
		*p = c;
		if (!c)
			return 0;
	}
}

/* Run BUSYBOX --list-full and make one link per applet under DIRFD. */
static int make_applet_links(const char *busybox, int dirfd, hk_err *err)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return hk_err_set(err, errno, "pipe");
	_cleanup_close_ int rd = pfd[0];
	_cleanup_close_ int wr = pfd[1];
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, wr, STDOUT_FILENO);
	char *argv[] = {(char *)busybox, "--list-full", NULL};
	pid_t pid;
	int r = posix_spawn(&pid, busybox, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return hk_err_set(err, r, "run %s --list-full", busybox);
	close(hk_steal_fd(&wr));

	_cleanup_file_ FILE *f = fdopen(rd, "r");
	if (!f) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return hk_err_set(err, errno, "fdopen");
	}
	hk_steal_fd(&rd); /* f owns it */
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int ret = 0, count = 0;
	while (ret == 0 && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '/' || strstr(line, "..") ||
		    !strcmp(line, "bin/busybox"))
			continue;
		char *slash = strrchr(line, '/');
		char target[PATH_MAX] = "";
		if (slash) {
			*slash = '\0';
			ret = mkdirs_at(dirfd, line, 0755, err);
			bool in_bin = !strcmp(line, "bin");
			*slash = '/';
			if (ret < 0)
				break;
			if (in_bin) {
				strcpy(target, "busybox");
			} else {
				for (const char *p = line; p < slash; p++)
					if (*p == '/')
						strcat(target, "../");
				strcat(target, "../bin/busybox");
			}
		} else {
			strcpy(target, "bin/busybox");
		}
		if (symlinkat(target, dirfd, line) < 0 && errno != EEXIST)
			ret = hk_err_set(err, errno, "symlink %s", line);
		count++;
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return hk_err_set(err, errno, "wait %s", busybox);
	if (ret < 0)
		return ret;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || count == 0)
		return hk_err_plain(err, EINVAL, "%s --list-full failed: %s", busybox,
		                    NEED_STATIC_BUSYBOX);
	return 0;
}

static int build_builtin(const char *busybox, const char *tmp, hk_err *err)
{
	static const struct {
		const char *path;
		mode_t mode;
	} dirs[] = {
	    {"bin", 0755},  {"sbin", 0755}, {"usr/bin", 0755}, {"usr/sbin", 0755}, {"etc", 0755},
	    {"dev", 0755},  {"proc", 0555}, {"sys", 0555},     {"tmp", 01777},     {"root", 0700},
	    {"home", 0755}, {"run", 0755},  {"var", 0755},     {"var/tmp", 01777},
	};
	_cleanup_close_ int dfd = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hk_err_set(err, errno, "%s", tmp);
	int r;
	for (size_t i = 0; i < HK_ARRAY_SIZE(dirs); i++)
		if ((r = mkdirs_at(dfd, dirs[i].path, dirs[i].mode, err)) < 0)
			return r;
	if ((r = copy_file(busybox, dfd, "bin/busybox", 0755, err)) < 0)
		return r;
	if ((r = make_applet_links(busybox, dfd, err)) < 0)
		return r;
	if (symlinkat("busybox", dfd, "bin/sh") < 0 && errno != EEXIST)
		return hk_err_set(err, errno, "symlink bin/sh");
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
	                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
	static const char group[] = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";
	if ((r = hk_write_file_at(dfd, "etc/passwd", passwd, strlen(passwd), 1, err)) < 0 ||
	    (r = hk_write_file_at(dfd, "etc/group", group, strlen(group), 1, err)) < 0)
		return r;
	if (fchmodat(dfd, "etc/passwd", 0644, 0) < 0 || fchmodat(dfd, "etc/group", 0644, 0) < 0 ||
	    chmod(tmp, 0755) < 0)
		return hk_err_set(err, errno, "chmod");
	return 0;
}

/* Temporary directories of husks that died unpacking (Ctrl-C, a kill):
 * ".tmp-PID-XXXXXX" whose PID is gone. */
static void remove_stale(const char *rootfs_dir, const hk_idmaps *maps)
{
	_cleanup_dir_ DIR *d = opendir(rootfs_dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		int pid;
		if (sscanf(de->d_name, ".tmp-%d-", &pid) != 1 || pid <= 0)
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue; /* alive: still unpacking */
		_cleanup_free_ char *p = NULL;
		hk_err ignored;
		if (asprintf(&p, "%s/%s", rootfs_dir, de->d_name) > 0)
			hk_tree_remove(p, maps, &ignored);
	}
}

/* Make a temporary directory in ROOTFS_DIR, fill it with FN and rename it
 * to FINAL (someone else's FINAL wins a race). */
static int make_cached(const char *rootfs_dir, const char *final, const hk_idmaps *maps,
                       int (*fill)(const char *tmp, void *arg, hk_err *err), void *arg, hk_err *err)
{
	_cleanup_free_ char *tmp = NULL;
	remove_stale(rootfs_dir, maps);
	if (asprintf(&tmp, "%s/.tmp-%d-XXXXXX", rootfs_dir, (int)getpid()) < 0)
		return hk_err_set(err, ENOMEM, "%s", rootfs_dir);
	if (!mkdtemp(tmp))
		return hk_err_set(err, errno, "mkdtemp %s", tmp);
	int r = fill(tmp, arg, err);
	if (r == 0 && rename(tmp, final) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			hk_err ignored;
			hk_tree_remove(tmp, maps, &ignored);
			return 0;
		}
		r = hk_err_set(err, errno, "rename %s to %s", tmp, final);
	}
	if (r < 0) {
		hk_err ignored;
		hk_tree_remove(tmp, maps, &ignored);
	}
	return r;
}

/* The SHA-256 of TAR (a tarball, or busybox), remembered in
 * ROOTFS_DIR/.index/DEV-INO with the file's size, mtime and ctime (any
 * write changes the ctime, which cannot be set back), so that a big
 * tarball is read once, not at every box. */
static int cached_hash(const char *tar, const char *rootfs_dir, char hex[65], hk_err *err)
{
	struct stat st;
	if (stat(tar, &st) < 0)
		return hk_err_set(err, errno, "%s", tar);
	_cleanup_free_ char *dir = NULL, *entry = NULL, *stamp = NULL, *old = NULL;
	if (asprintf(&dir, "%s/.index", rootfs_dir) < 0 ||
	    asprintf(&entry, "%s/%llx-%llx", dir, (unsigned long long)st.st_dev,
	             (unsigned long long)st.st_ino) < 0 ||
	    asprintf(&stamp, "%lld %lld.%09ld %lld.%09ld ", (long long)st.st_size,
	             (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
	             st.st_ctim.tv_nsec) < 0)
		return hk_err_set(err, ENOMEM, "%s", tar);
	hk_err ignored;
	size_t n = strlen(stamp);
	if (hk_read_file(entry, &old, NULL, &ignored) == 0 && strncmp(old, stamp, n) == 0 &&
	    strlen(old + n) >= 64 && strspn(old + n, "0123456789abcdef") == 64) {
		memcpy(hex, old + n, 64);
		hex[64] = '\0';
		return 0;
	}
	int r = hk_sha256_file(tar, hex, err);
	if (r < 0)
		return r;
	/* best effort: a failure only means hashing again next time */
	_cleanup_free_ char *line = NULL, *tmp = NULL;
	if ((mkdir(dir, 0700) == 0 || errno == EEXIST) &&
	    asprintf(&line, "%s%s\n", stamp, hex) > 0 &&
	    asprintf(&tmp, "%s.%d", entry, (int)getpid()) > 0 &&
	    hk_write_file_at(AT_FDCWD, tmp, line, strlen(line), 1, &ignored) == 0 &&
	    rename(tmp, entry) < 0)
		unlink(tmp);
	return 0;
}

static int fill_builtin(const char *tmp, void *arg, hk_err *err)
{
	return build_builtin(arg, tmp, err);
}

static int resolve_builtin(const char *rootfs_dir, char **out, hk_err *err)
{
	const char *bb = getenv("HUSK_BUSYBOX");
	if (!bb || !*bb)
		bb = "/bin/busybox";
	int r = check_static_elf(bb, err);
	if (r < 0)
		return r;
	char hex[65];
	if ((r = cached_hash(bb, rootfs_dir, hex, err)) < 0)
		return r;
	_cleanup_free_ char *final = NULL;
	if (asprintf(&final, "%s/builtin-%.16s", rootfs_dir, hex) < 0)
		return hk_err_set(err, ENOMEM, "built-in rootfs");
	struct stat st;
	if (stat(final, &st) == 0 && S_ISDIR(st.st_mode)) {
		*out = hk_steal_ptr(&final);
		return 0;
	}
	r = make_cached(rootfs_dir, final, NULL, fill_builtin, (void *)bb, err);
	if (r < 0)
		return hk_err_wrap(err, "built-in rootfs");
	*out = hk_steal_ptr(&final);
	return 0;
}

/* ---- tarballs ---- */

struct unpack_job {
	const char *tar;
	const char *dest;
	hk_unpack_opts opts;
};

static int unpack_fn(void *arg, hk_err *err)
{
	struct unpack_job *j = arg;
	return hk_unpack(j->tar, j->dest, &j->opts, err);
}

struct fill_tar {
	const char *tar;
	const char *label;
	const char *sha256;
	const hk_idmaps *maps;
	bool progress;
};

static int fill_tarball(const char *tmp, void *arg, hk_err *err)
{
	struct fill_tar *f = arg;
	bool root = hk_host_root();
	struct unpack_job j = {
	    .tar = f->tar,
	    .dest = tmp,
	    .opts = {.keep_owner = root,
	             /* never device nodes from an image: on cgroup v2 no
	              * device rule would stop the box from using them */
	             .skip_devices = true,
	             .progress = f->progress,
	             .label = f->label,
	             .sha256 = f->sha256},
	};
	/* A root filesystem's root is searchable by all unless the archive
	 * says otherwise (its "./" entry). */
	if (chmod(tmp, 0755) < 0)
		return hk_err_set(err, errno, "chmod %s", tmp);
	if (f->maps && f->maps->full && !root) {
		j.opts.keep_owner = true;
		j.opts.skip_devices = true;
		return hk_userns_run(f->maps, unpack_fn, &j, err);
	}
	return unpack_fn(&j, err);
}

static int resolve_tarball(const char *tar, const char *label, const char *rootfs_dir,
                           const hk_idmaps *maps, bool progress, char **out, hk_err *err)
{
	char hex[65], key[96] = "";
	int r = cached_hash(tar, rootfs_dir, hex, err);
	if (r < 0)
		return r;
	if (maps && maps->full && maps->n_uids > 1 && maps->n_gids > 1) {
		const hk_idmap *u = &maps->uids[1], *g = &maps->gids[1];
		if (u->host_id == g->host_id && u->size == g->size)
			snprintf(key, sizeof(key), "-u%u-%u", u->host_id, u->size);
		else
			snprintf(key, sizeof(key), "-u%u-%u-g%u-%u", u->host_id, u->size,
			         g->host_id, g->size);
	} else if (maps && !hk_host_root()) {
		snprintf(key, sizeof(key), "-own%u", (unsigned)geteuid());
	}
	_cleanup_free_ char *final = NULL;
	if (asprintf(&final, "%s/sha256-%s%s", rootfs_dir, hex, key) < 0)
		return hk_err_set(err, ENOMEM, "%s", tar);
	struct stat st;
	if (stat(final, &st) == 0 && S_ISDIR(st.st_mode)) {
		*out = hk_steal_ptr(&final);
		return 0;
	}
	struct fill_tar f = {
	    .tar = tar, .label = label, .sha256 = hex, .maps = maps, .progress = progress};
	r = make_cached(rootfs_dir, final, maps, fill_tarball, &f, err);
	if (r < 0)
		return r;
	*out = hk_steal_ptr(&final);
	return 0;
}

int hk_image_resolve(const char *source, const char *storage, const hk_idmaps *maps, bool progress,
                     char **out, hk_err *err)
{
	struct stat st;
	_cleanup_free_ char *rootfs_dir = NULL;
	int r;

	if (source) {
		if (stat(source, &st) < 0)
			return hk_err_set(err, errno, "%s", source);
		if (S_ISDIR(st.st_mode)) {
			char *p = realpath(source, NULL);
			if (!p)
				return hk_err_set(err, errno, "%s", source);
			*out = p;
			return 0;
		}
		if (!S_ISREG(st.st_mode))
			return hk_err_plain(err, EINVAL, "%s: neither a directory nor a tarball",
			                    source);
	}
	if (asprintf(&rootfs_dir, "%s/rootfs", storage) < 0)
		return hk_err_set(err, ENOMEM, "%s", storage);
	if (mkdir(rootfs_dir, 0700) < 0 && errno != EEXIST)
		return hk_err_set(err, errno, "mkdir %s", rootfs_dir);
	if (!source)
		return resolve_builtin(rootfs_dir, out, err);
	_cleanup_free_ char *abs = realpath(source, NULL);
	if (!abs)
		return hk_err_set(err, errno, "%s", source);
	r = resolve_tarball(abs, source, rootfs_dir, maps, progress, out, err);
	return r;
}
