/* test_unpack.c - root filesystems for `husk box`: tarballs unpacked (plain
 * and compressed, owners kept, hostile entries refused before anything
 * lands outside), SHA-256, the image cache, the built-in busybox rootfs,
 * tree removal, and the user namespace helpers (id maps of /etc/subuid,
 * running as root in a user namespace, and a rootless unpack as a
 * throw-away user with a subordinate range). */
#include <dirent.h>
#include <grp.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "box/image.h"
#include "box/unpack.h"
#include "linux/userns.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "testutil.h"

/* Is PATH a symbolic link to TARGET? */
static bool link_is(const char *path, const char *target)
{
	char l[PATH_MAX];
	ssize_t n = readlink(path, l, sizeof(l) - 1);
	if (n < 0)
		return false;
	l[n] = '\0';
	return strcmp(l, target) == 0;
}

static char base[] = "/tmp/hk-unpack-XXXXXX";

/* Tarballs made by python's tarfile: BASE/NAME.tar ... */
static const char mktars_py[] =
    "import io, os, sys, tarfile\n"
    "base = sys.argv[1]\n"
    "def f(t, name, data=b'', **kw):\n"
    "    i = tarfile.TarInfo(name); i.size = len(data); i.mode = kw.get('mode', 0o644)\n"
    "    i.uid = kw.get('uid', 0); i.gid = kw.get('gid', 0); i.mtime = 1000000\n"
    "    t.addfile(i, io.BytesIO(data))\n"
    "def d(t, name, mode=0o755, uid=0):\n"
    "    i = tarfile.TarInfo(name); i.type = tarfile.DIRTYPE; i.mode = mode; i.uid = uid\n"
    "    i.mtime = 1000000; t.addfile(i)\n"
    "def l(t, name, target, kind=tarfile.SYMTYPE):\n"
    "    i = tarfile.TarInfo(name); i.type = kind; i.linkname = target; t.addfile(i)\n"
    "def dev(t, name):\n"
    "    i = tarfile.TarInfo(name); i.type = tarfile.CHRTYPE; i.devmajor = 1\n"
    "    i.devminor = 3; i.mode = 0o666; t.addfile(i)\n"
    "def mk(name, fn, fmt=tarfile.GNU_FORMAT):\n"
    "    t = tarfile.open(os.path.join(base, name), 'w', format=fmt); fn(t); t.close()\n"
    "def normal(t):\n"
    "    d(t, './'); d(t, './etc/'); f(t, './etc/hello', b'hello\\n')\n"
    "    l(t, './etc/hard', './etc/hello', tarfile.LNKTYPE)\n"
    "    d(t, './bin/'); l(t, './bin/rel', '../etc/hello'); l(t, './bin/abs', '/etc/passwd')\n"
    "    d(t, './home/'); d(t, './home/u/', 0o700, 1000)\n"
    "    f(t, './home/u/owned', b'mine', uid=1000, gid=1000, mode=0o600)\n"
    "    d(t, './ro/', 0o555); f(t, 'ro/f', b'x', mode=0o444)\n"
    "    f(t, './big', os.urandom(3 << 20))\n"
    "    dev(t, './dev/null2')\n"
    "mk('normal.tar', lambda t: (d(t, 'dev/'), normal(t)))\n"
    "mk('pax.tar', normal, tarfile.PAX_FORMAT)\n"
    "mk('rootmode.tar', lambda t: (d(t, '.', 0o750), f(t, 'x', b'x')))\n"
    "mk('escape.tar', lambda t: (f(t, 'ok'), f(t, '../escape', b'x')))\n"
    "mk('abs.tar', lambda t: f(t, '/abs-hk-unpack-test', b'x'))\n"
    "mk('dotdot.tar', lambda t: (d(t, 'a/'), f(t, 'a/../../x', b'x')))\n"
    "mk('hardlink.tar', lambda t: (f(t, 'ok'), l(t, 'h', '../../etc/passwd', tarfile.LNKTYPE)))\n"
    "mk('hardabs.tar', lambda t: (f(t, 'ok'), l(t, 'h', '/etc/passwd', tarfile.LNKTYPE)))\n"
    "out = os.path.join(base, 'outside')\n"
    "mk('symlink.tar', lambda t: (l(t, 'link', out), f(t, 'link/file', b'x')))\n"
    "mk('symdeep.tar', lambda t: (d(t, 'a/'), l(t, 'a/b', out), f(t, './a/b/c/file', b'x')))\n"
    "mk('symhard.tar', lambda t: (l(t, 'link', out), l(t, 'h', 'link/x', tarfile.LNKTYPE)))\n"
    "open(os.path.join(base, 'notatar.tar'), 'w').write('this is not a tarball\\n' * 100)\n";

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(NULL);
	/* NOLINTNEXTLINE(cert-env33-c): the tests' own commands (useradd, python3 ...) */
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, 4096, fmt, ap);
	va_end(ap);
	return b;
}

static bool exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

/* A fresh empty directory under BASE (the last four stay valid). */
static char *fresh_dir(const char *name)
{
	static char bufs[4][4096];
	static int next;
	char *p = bufs[next++ % 4];
	snprintf(p, 4096, "%s/%s", base, name);
	tu_remove_tree(p);
	if (mkdir(p, 0755) < 0)
		perror(p);
	return p;
}

static void check_normal_tree(const char *d, bool owners)
{
	char *buf = NULL;
	hk_err err;
	struct stat st = {0}, st2 = {0};
	CHECK(hk_read_file(pathf("%s/etc/hello", d), &buf, NULL, &err) == 0);
	CHECK_STREQ(buf, "hello\n");
	free(buf);
	CHECK(stat(pathf("%s/etc/hello", d), &st) == 0 && stat(pathf("%s/etc/hard", d), &st2) == 0);
	CHECK(st.st_ino == st2.st_ino && st.st_nlink == 2);
	CHECK(st.st_mtime == 1000000);
	CHECK(link_is(pathf("%s/bin/rel", d), "../etc/hello"));
	CHECK(link_is(pathf("%s/bin/abs", d), "/etc/passwd"));
	CHECK(stat(pathf("%s/home/u/owned", d), &st) == 0);
	CHECK((st.st_mode & 07777) == 0600);
	if (owners)
		CHECK(st.st_uid == 1000 && st.st_gid == 1000);
	CHECK(stat(pathf("%s/ro", d), &st) == 0 && (st.st_mode & 07777) == 0555);
	CHECK(stat(pathf("%s/big", d), &st) == 0 && st.st_size == 3 << 20);
	CHECK(stat(d, &st) == 0 && (st.st_mode & 07777) == 0755);
}

TEST(unpack_plain_and_compressed)
{
	static const char *const names[] = {"normal.tar",     "pax.tar",       "normal.tar.gz",
	                                    "normal.tar.zst", "normal.tar.xz", "normal.tar.bz2"};
	for (size_t i = 0; i < HK_ARRAY_SIZE(names); i++) {
		hk_err err = {0};
		char *d = fresh_dir("out");
		hk_unpack_opts o = {.keep_owner = true, .label = names[i]};
		CHECK_OK(hk_unpack(pathf("%s/%s", base, names[i]), d, &o, &err), err);
		check_normal_tree(d, true);
		struct stat st;
		CHECK(lstat(pathf("%s/dev/null2", d), &st) == 0 && S_ISCHR(st.st_mode));
		CHECK(st.st_rdev == makedev(1, 3));
	}
	/* skip_devices: no device node; still everything else */
	hk_err err = {0};
	char *d = fresh_dir("out");
	hk_unpack_opts o = {.keep_owner = false, .skip_devices = true, .label = "n"};
	CHECK_OK(hk_unpack(pathf("%s/normal.tar", base), d, &o, &err), err);
	check_normal_tree(d, false);
	CHECK(!exists(pathf("%s/dev/null2", d)) && exists(pathf("%s/dev", d)));

	/* the archive's "." entry sets the root's mode; the progress line is
	 * cleared at the end */
	d = fresh_dir("out");
	o = (hk_unpack_opts){.keep_owner = true, .progress = true, .label = "r"};
	fflush(stderr);
	int saved = dup(2);
	int efd = open(pathf("%s/stderr", base), O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(efd, 2);
	CHECK_OK(hk_unpack(pathf("%s/rootmode.tar", base), d, &o, &err), err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(efd);
	char *text = NULL;
	CHECK(hk_read_file(pathf("%s/stderr", base), &text, NULL, &err) == 0);
	CHECK(text && strcmp(text + strlen(text) - 4, "\r\033[K") == 0);
	free(text);
	struct stat st;
	CHECK(stat(d, &st) == 0 && (st.st_mode & 07777) == 0750);
	CHECK(exists(pathf("%s/x", d)));
	tu_remove_tree(d);
}

static void refused(const char *tar, const char *want)
{
	hk_err err = {0};
	char *d = fresh_dir("sub/out");
	hk_unpack_opts o = {.keep_owner = true, .label = tar};
	int r = hk_unpack(pathf("%s/%s", base, tar), d, &o, &err);
	CHECK(r < 0);
	if (!strstr(err.msg, want)) {
		fprintf(stderr, "  %s: \"%s\" lacks \"%s\"\n", tar, err.msg, want);
		check_cur_failed = 1;
	}
	/* nothing written outside DEST */
	CHECK(!exists(pathf("%s/sub/escape", base)) && !exists(pathf("%s/escape", base)));
	CHECK(!exists(pathf("%s/sub/x", base)) && !exists(pathf("%s/x", base)));
	CHECK(!exists("/abs-hk-unpack-test"));
	CHECK(!exists(pathf("%s/outside/file", base)) && !exists(pathf("%s/outside/c", base)));
	CHECK(!exists(pathf("%s/outside/x", base)));
	CHECK(!exists(pathf("%s/sub/h", base)));
}

TEST(unpack_refuses_escapes)
{
	mkdir(pathf("%s/sub", base), 0755);
	mkdir(pathf("%s/outside", base), 0755);
	refused("escape.tar", "escape.tar: entry \"../escape\": leads outside the root "
	                      "filesystem (\"..\")");
	refused("abs.tar", "abs.tar: entry \"/abs-hk-unpack-test\": leads outside the root "
	                   "filesystem (absolute path)");
	refused("dotdot.tar", "entry \"a/../../x\": leads outside the root filesystem (\"..\")");
	refused("hardlink.tar", "entry \"h\": hard link to \"../../etc/passwd\" leads outside");
	refused("hardabs.tar", "entry \"h\": hard link to \"/etc/passwd\" leads outside the "
	                       "root filesystem (absolute path)");
	refused("symlink.tar", "entry \"link/file\": leads outside the root filesystem (through "
	                       "the symbolic link \"link\")");
	refused("symdeep.tar", "entry \"./a/b/c/file\": leads outside the root filesystem "
	                       "(through the symbolic link \"a/b\")");
	refused("symhard.tar", "entry \"h\": hard link to \"link/x\" leads outside the root "
	                       "filesystem (through the symbolic link \"link\")");
	refused("notatar.tar", "notatar.tar: not a tar archive (");
	hk_err err = {0};
	hk_unpack_opts o = {.label = "missing.tar"};
	CHECK(hk_unpack(pathf("%s/missing.tar", base), fresh_dir("sub/out"), &o, &err) == -ENOENT);
	CHECK_STREQ(err.msg, "missing.tar: no such file or directory");
	tu_remove_tree(pathf("%s/sub", base));
}

TEST(sha256_matches_sha256sum)
{
	char hex[65], want[65] = "";
	hk_err err = {0};
	const char *p = pathf("%s/normal.tar", base);
	CHECK_OK(hk_sha256_file(p, hex, &err), err);
	/* NOLINTNEXTLINE(cert-env33-c): the reference digest, from coreutils */
	FILE *f = popen(pathf("sha256sum %s", p), "r");
	CHECK(f && fscanf(f, "%64s", want) == 1);
	if (f)
		pclose(f);
	CHECK_STREQ(hex, want);
	CHECK(hk_sha256_file(pathf("%s/nope", base), hex, &err) == -ENOENT);
}

static int count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, ".tmp-", 5);
	if (d)
		closedir(d);
	return n;
}

TEST(image_resolve_dir_and_tarball)
{
	hk_err err = {0};
	char *storage = fresh_dir("storage");
	char *out = NULL, *out2 = NULL;

	CHECK_OK(hk_image_resolve(pathf("%s/storage/../storage", base), storage, NULL, false, &out,
	                          &err),
	         err);
	CHECK_STREQ(out, storage);
	free(out);
	out = NULL;

	CHECK_OK(
	    hk_image_resolve(pathf("%s/normal.tar.zst", base), storage, NULL, false, &out, &err),
	    err);
	char hex[65];
	hk_sha256_file(pathf("%s/normal.tar.zst", base), hex, &err);
	CHECK_STREQ(out, pathf("%s/rootfs/sha256-%s", storage, hex));
	if (out) {
		check_normal_tree(out, true);
		/* a second resolve takes the cached tree as it is */
		CHECK(hk_write_file(pathf("%s/marker", out), "m", &err) == 0 ||
		      hk_write_file_at(AT_FDCWD, pathf("%s/marker", out), "m", 1, 1, &err) == 0);
		CHECK_OK(hk_image_resolve(pathf("%s/normal.tar.zst", base), storage, NULL, false,
		                          &out2, &err),
		         err);
		CHECK_STREQ(out2, out);
		CHECK(exists(pathf("%s/marker", out)));
	}
	CHECK(count_tmp(pathf("%s/rootfs", storage)) == 0);

	/* a hostile tarball: an error, nothing left behind */
	CHECK(hk_image_resolve(pathf("%s/escape.tar", base), storage, NULL, false, &out2, &err) <
	      0);
	CHECK(strstr(err.msg, "leads outside the root filesystem") != NULL);
	CHECK(count_tmp(pathf("%s/rootfs", storage)) == 0);
	CHECK(hk_image_resolve(pathf("%s/notatar.tar", base), storage, NULL, false, &out2, &err) <
	      0);
	CHECK(strstr(err.msg, "not a tar archive") != NULL);
	CHECK(count_tmp(pathf("%s/rootfs", storage)) == 0);

	CHECK(hk_image_resolve(pathf("%s/none", base), storage, NULL, false, &out2, &err) ==
	      -ENOENT);
	CHECK_STREQ(err.msg, pathf("%s/none: no such file or directory", base));
	CHECK(hk_image_resolve("/dev/null", storage, NULL, false, &out2, &err) < 0);
	CHECK(strstr(err.msg, "/dev/null: neither a directory nor a tarball") != NULL);
	free(out);
	free(out2);
	tu_remove_tree(storage);
}

TEST(builtin_rootfs)
{
	struct stat st;
	if (stat("/bin/busybox", &st) < 0) {
		printf("  note: no /bin/busybox, built-in rootfs not tested\n");
		return;
	}
	hk_err err = {0};
	char *storage = fresh_dir("storage");
	char *out = NULL, *out2 = NULL;
	CHECK_OK(hk_image_resolve(NULL, storage, NULL, false, &out, &err), err);
	if (!out)
		return;
	CHECK(strncmp(out, pathf("%s/rootfs/builtin-", storage), strlen(storage) + 15) == 0);
	CHECK(stat(pathf("%s/bin/busybox", out), &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(link_is(pathf("%s/bin/sh", out), "busybox"));
	CHECK(link_is(pathf("%s/usr/bin/awk", out), "../../bin/busybox"));
	CHECK(stat(pathf("%s/tmp", out), &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(stat(pathf("%s/root", out), &st) == 0 && (st.st_mode & 07777) == 0700);
	CHECK(stat(out, &st) == 0 && (st.st_mode & 07777) == 0755);
	char *pw = NULL;
	CHECK(hk_read_file(pathf("%s/etc/passwd", out), &pw, NULL, &err) == 0);
	CHECK(pw && strncmp(pw, "root:x:0:0:root:/root:/bin/sh\n", 30) == 0);
	free(pw);
	/* it works: a shell and an applet through its /usr/bin link */
	CHECK(sh("chroot %s /bin/sh -c 'test \"$(echo hi | /usr/bin/awk \"{print \\$1}\")\" = "
	         "hi'",
	         out) == 0);
	CHECK_OK(hk_image_resolve(NULL, storage, NULL, false, &out2, &err), err);
	CHECK_STREQ(out2, out);
	CHECK(count_tmp(pathf("%s/rootfs", storage)) == 0);
	free(out2);
	out2 = NULL;

	/* a dynamic "busybox": the error says what to install */
	setenv("HUSK_BUSYBOX", "/bin/true", 1);
	CHECK(hk_image_resolve(NULL, storage, NULL, false, &out2, &err) < 0);
	CHECK(strstr(err.msg, "/bin/true is dynamically linked: the built-in rootfs needs a "
	                      "static busybox: install busybox-static") != NULL);
	setenv("HUSK_BUSYBOX", pathf("%s/nope", base), 1);
	CHECK(hk_image_resolve(NULL, storage, NULL, false, &out2, &err) == -ENOENT);
	CHECK(strstr(err.msg, "busybox-static") != NULL);
	unsetenv("HUSK_BUSYBOX");
	free(out);
	tu_remove_tree(storage);
}

TEST(storage_dir_env)
{
	hk_err err = {0};
	char *out = NULL;
	char *want = pathf("%s/st/a/b", base);
	setenv("HUSK_STORAGE", want, 1);
	CHECK_OK(hk_storage_dir(&out, &err), err);
	CHECK_STREQ(out, want);
	CHECK(exists(want));
	free(out);
	setenv("HUSK_STORAGE", "relative", 1);
	CHECK(hk_storage_dir(&out, &err) < 0);
	unsetenv("HUSK_STORAGE");
	tu_remove_tree(pathf("%s/st", base));
}

static void tree_remove_mountpoint(void)
{
	hk_err err = {0};
	char *t = fresh_dir("rm");
	CHECK(sh("mkdir -p %s/a/mnt %s/a/b && touch %s/a/b/f", t, t, t) == 0);
	CHECK(mount("tmpfs", pathf("%s/a/mnt", t), "tmpfs", 0, NULL) == 0);
	CHECK(sh("touch %s/a/mnt/keep", t) == 0);
	CHECK(hk_tree_remove(t, NULL, &err) == -EXDEV);
	CHECK(strstr(err.msg, "a mount point") != NULL);
	CHECK(exists(pathf("%s/a/mnt/keep", t)));
	umount(pathf("%s/a/mnt", t));
	CHECK_OK(hk_tree_remove(t, NULL, &err), err);
	CHECK(!exists(t));
}

TEST(tree_remove)
{
	hk_err err = {0};
	char *t = fresh_dir("rm");
	CHECK(sh("mkdir -p %s/w/work/deep %s/ro && touch %s/w/work/deep/f %s/ro/f && "
	         "ln -s /etc/passwd %s/link && ln -s %s/outside %s/dirlink && "
	         "chmod 000 %s/w/work %s/w/work/deep && chmod 555 %s/ro",
	         t, t, t, t, t, base, t, t, t, t) == 0);
	mkdir(pathf("%s/outside", base), 0755);
	CHECK(sh("touch %s/outside/keep", base) == 0);
	CHECK_OK(hk_tree_remove(t, NULL, &err), err);
	CHECK(!exists(t));
	CHECK(exists(pathf("%s/outside/keep", base)) && exists("/etc/passwd"));
	CHECK_OK(hk_tree_remove(t, NULL, &err), err); /* missing: fine */
	CHECK(hk_tree_remove("relative", NULL, &err) < 0);
	tu_in_child(tree_remove_mountpoint, TU_NEWNS);
	tu_remove_tree(pathf("%s/outside", base));
}

TEST(idmaps_parsing)
{
	hk_err err = {0};
	hk_idmaps m;
	char *pw = pathf("%s/passwd", base), *su = pathf("%s/subuid", base),
	     *sg = pathf("%s/subgid", base);
	hk_write_file_at(AT_FDCWD, pw, "x:x:5:5::/:/bin/sh\n", 19, 1, &err);
	char line[256];
	int n = snprintf(line, sizeof(line), "someone:x:%u:%u::/home/someone:/bin/sh\n",
	                 (unsigned)getuid(), (unsigned)getgid());
	int fd = open(pw, O_WRONLY | O_APPEND);
	CHECK(write(fd, line, (size_t)n) == n);
	close(fd);
	CHECK(hk_write_file_at(AT_FDCWD, su, "# c\nother:1:2\nsomeone:200000:65536\n", 35, 1,
	                       &err) == 0);
	n = snprintf(line, sizeof(line), "x:5:5\n%u:300000:1000\nsomeone:1:1\n",
	             (unsigned)getuid());
	CHECK(hk_write_file_at(AT_FDCWD, sg, line, (size_t)n, 1, &err) == 0);
	hk_idmaps_testing_files(su, sg, pw);
	CHECK_OK(hk_idmaps_for_user(&m, &err), err);
	CHECK(m.full && m.n_uids == 2 && m.n_gids == 2);
	CHECK(m.uids[0].container_id == 0 && m.uids[0].host_id == getuid() && m.uids[0].size == 1);
	CHECK(m.uids[1].container_id == 1 && m.uids[1].host_id == 200000 &&
	      m.uids[1].size == 65536);
	CHECK(m.gids[0].host_id == getgid());
	CHECK(m.gids[1].host_id == 300000 && m.gids[1].size == 1000);
	char *name = NULL, *home = NULL;
	CHECK(hk_passwd_lookup(getuid(), &name, &home) == 0);
	CHECK_STREQ(name, "someone");
	CHECK_STREQ(home, "/home/someone");
	free(name);
	free(home);

	/* no range in subgid: single */
	hk_write_file_at(AT_FDCWD, sg, "other:1:2\n", 10, 1, &err);
	CHECK_OK(hk_idmaps_for_user(&m, &err), err);
	CHECK(!m.full && m.n_uids == 1 && m.n_gids == 1);
	CHECK_STREQ(m.why_single, pathf("no range for someone in %s", sg));
	/* no files at all: single */
	hk_idmaps_testing_files(pathf("%s/none1", base), pathf("%s/none2", base), pw);
	CHECK_OK(hk_idmaps_for_user(&m, &err), err);
	CHECK(!m.full && strstr(m.why_single, "no range for someone") != NULL);
	hk_idmaps_testing_files(NULL, NULL, NULL);
	unlink(pw), unlink(su), unlink(sg);
}

struct probe {
	const char *dir;
};

static int probe_fn(void *arg, hk_err *err)
{
	struct probe *p = arg;
	if (getuid() != 0 || geteuid() != 0 || getgid() != 0)
		return hk_err_plain(err, EPERM, "not root in the namespace (%u)",
		                    (unsigned)getuid());
	char *f = pathf("%s/by1000", p->dir);
	int fd = open(f, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return hk_err_set(err, errno, "create %s", f);
	close(fd);
	if (chown(f, 1000, 1000) < 0)
		return hk_err_set(err, errno, "chown %s", f);
	return hk_err_plain(err, ENOTSUP, "probe done in %s", p->dir);
}

TEST(userns_run_as_root)
{
	hk_err err = {0};
	char *d = fresh_dir("ns");
	hk_idmaps m = {.n_uids = 2, .n_gids = 2, .full = true};
	m.uids[0] = m.gids[0] = (hk_idmap){0, 0, 1};
	m.uids[1] = m.gids[1] = (hk_idmap){1, 400000, 65536};
	struct probe p = {.dir = d};
	CHECK(hk_userns_run(&m, probe_fn, &p, &err) == -ENOTSUP);
	CHECK_STREQ(err.msg, pathf("probe done in %s", d));
	struct stat st;
	CHECK(stat(pathf("%s/by1000", d), &st) == 0 && st.st_uid == 400999 && st.st_gid == 400999);
	tu_remove_tree(d);
}

/* ---- rootless: a throw-away user ---- */

static char ut_user[64];
static uid_t ut_uid;
static gid_t ut_gid;

/* The unpacked tree, shared with the children that run as the user. */
static char *ut_out;
static bool rootless_full_expected;

static void as_user(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(ut_gid, ut_gid, ut_gid) < 0 ||
	    setresuid(ut_uid, ut_uid, ut_uid) < 0) {
		perror("drop to the test user");
		_exit(3);
	}
	setenv("HUSK_STORAGE", pathf("%s/ustorage", base), 1);
}

static void rootless_unpack_child(void)
{
	hk_err err = {0};
	hk_idmaps m;
	char *out = NULL, *storage = NULL;
	as_user();
	CHECK_OK(hk_storage_dir(&storage, &err), err);
	CHECK_OK(hk_idmaps_for_user(&m, &err), err);
	CHECK(m.full == rootless_full_expected);
	if (!rootless_full_expected)
		CHECK(strstr(m.why_single, "no range for husk-ut-") != NULL);
	else
		CHECK(m.uids[1].host_id == 300000 && m.uids[1].size == 65536);
	CHECK_OK(hk_image_resolve(pathf("%s/normal.tar.gz", base), storage, &m, false, &out, &err),
	         err);
	if (out)
		snprintf(ut_out, 4096, "%s", out);
	/* a hostile one: refused, nothing left behind */
	CHECK(hk_image_resolve(pathf("%s/symlink.tar", base), storage, &m, false, &out, &err) < 0);
	CHECK(strstr(err.msg, "through the symbolic link \"link\"") != NULL);
	CHECK(count_tmp(pathf("%s/rootfs", storage)) == 0);
	free(out);
	free(storage);
}

static void rootless_remove_child(void)
{
	hk_err err = {0};
	hk_idmaps m;
	as_user();
	CHECK_OK(hk_idmaps_for_user(&m, &err), err);
	/* read-only directories, files of subordinate ids */
	CHECK_OK(hk_tree_remove(ut_out, &m, &err), err);
	CHECK(!exists(ut_out));
}

static void rootless_round(bool full)
{
	rootless_full_expected = full;
	ut_out[0] = '\0';
	tu_in_child(rootless_unpack_child, 0);
	CHECK(ut_out[0] == '/');
	if (ut_out[0] != '/')
		return;
	/* checked as root: the user cannot look into directories of
	 * subordinate ids */
	struct stat st;
	check_normal_tree(ut_out, false);
	CHECK(!exists(pathf("%s/dev/null2", ut_out))); /* skipped */
	CHECK(stat(pathf("%s/etc/hello", ut_out), &st) == 0);
	CHECK(st.st_uid == ut_uid && st.st_gid == ut_gid);
	CHECK(stat(pathf("%s/home/u/owned", ut_out), &st) == 0);
	CHECK(st.st_uid == (full ? 300999 : ut_uid));
	CHECK(st.st_gid == (full ? 300999 : ut_gid));
	CHECK(strstr(ut_out, full ? "-u300000-65536" : "-own") != NULL);
	tu_in_child(rootless_remove_child, 0);
	CHECK(!exists(ut_out));
}

TEST(rootless_unpack)
{
	if (sh("command -v useradd >/dev/null && command -v newuidmap >/dev/null") != 0) {
		printf("  note: no useradd/newuidmap, rootless paths not tested\n");
		return;
	}
	snprintf(ut_user, sizeof(ut_user), "husk-ut-%d", (int)getpid());
	if (sh("useradd -M -s /bin/false -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 %s", ut_user) != 0) {
		printf("  note: useradd failed, rootless paths not tested\n");
		return;
	}
	/* (no getpwnam: the test may be linked statically) */
	unsigned u = 0, g = 0;
	/* NOLINTNEXTLINE(cert-env33-c): the test user's ids, from id(1) */
	FILE *f = popen(pathf("id -u %s && id -g %s", ut_user, ut_user), "r");
	bool pw = f && fscanf(f, "%u %u", &u, &g) == 2;
	if (f)
		pclose(f);
	CHECK(pw);
	ut_out = tu_map_anon(4096, MAP_SHARED);
	if (pw && ut_out != MAP_FAILED) {
		ut_uid = u;
		ut_gid = g;
		chmod(base, 0755);
		char *us = fresh_dir("ustorage");
		CHECK(chown(us, ut_uid, ut_gid) == 0);
		chmod(us, 0700);
		rootless_round(false);
		CHECK(sh("usermod --add-subuids 300000-365535 --add-subgids 300000-365535 %s",
		         ut_user) == 0);
		rootless_round(true);
		tu_remove_tree(us);
	}
	sh("usermod --del-subuids 300000-365535 --del-subgids 300000-365535 %s 2>/dev/null",
	   ut_user);
	CHECK(sh("userdel %s", ut_user) == 0);
	CHECK(sh("grep -q '^%s:' /etc/passwd /etc/subuid /etc/subgid", ut_user) != 0);
	chmod(base, 0700);
}

int main(void)
{
	if (!tu_make_tmpdir(base))
		return 1;
	FILE *f = fopen(pathf("%s/mk.py", base), "w");
	fputs(mktars_py, f);
	fclose(f);
	if (sh("cd %s && python3 mk.py %s && gzip -k normal.tar && zstd -q normal.tar && "
	       "xz -k normal.tar && bzip2 -k normal.tar",
	       base, base) != 0) {
		fprintf(stderr, "making the test tarballs failed\n");
		tu_remove_tree(base);
		return 1;
	}
	RUN(unpack_plain_and_compressed);
	RUN(unpack_refuses_escapes);
	RUN(sha256_matches_sha256sum);
	RUN(image_resolve_dir_and_tarball);
	RUN(builtin_rootfs);
	RUN(storage_dir_env);
	RUN(tree_remove);
	RUN(idmaps_parsing);
	RUN(userns_run_as_root);
	RUN(rootless_unpack);
	tu_remove_tree(base);
	return check_summary();
}
