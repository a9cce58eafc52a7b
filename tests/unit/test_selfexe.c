/* test_selfexe.c - the read-only views of husk's binary (CVE-2019-5736):
 * each way of making one (the new mount API, a bind in a throwaway mount
 * namespace, for root and, in a throwaway user namespace, for an ordinary
 * user; a sealed memfd copy) gives a descriptor that runs the program, has
 * its content, cannot be written through a reopen of /proc/self/fd/N by
 * the file's owner, and leaves no mount behind. */
#include <grp.h>
#include <sys/syscall.h>

#include "linux/selfexe.h"
#include "testutil.h"
#include "util/cleanup.h"

extern char **environ;

#define NOBODY 65534

static char dir[] = "/tmp/hk-selfexe-XXXXXX";
static char file[64];

static int mount_count(void)
{
	_cleanup_file_ FILE *f = fopen("/proc/self/mountinfo", "re");
	int n = 0, c;
	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	return n;
}

static bool same_content(int fd, const char *path)
{
	char p[64], a[4096], b[4096];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	_cleanup_file_ FILE *fa = fopen(p, "re");
	_cleanup_file_ FILE *fb = fopen(path, "re");
	if (!fa || !fb)
		return false;
	for (;;) {
		size_t na = fread(a, 1, sizeof(a), fa), nb = fread(b, 1, sizeof(b), fb);
		if (na != nb || memcmp(a, b, na) != 0)
			return false;
		if (na == 0)
			return true;
	}
}

/* Does the program behind FD run (it is a copy of true(1))? */
static bool runs(int fd)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"true", NULL};
		syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
		_exit(127);
	}
	return tu_exited_ok(tu_wait(pid));
}

/* Reopened for writing by the file's owner, FD's file takes no byte. */
static bool unwritable(int fd)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	_cleanup_close_ int w = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (w < 0)
		return errno == EROFS;
	return write(w, "x", 1) < 0 && errno == EPERM; /* sealed */
}

static void check_view(bool rootless, bool new_api, bool userns, enum hk_selfexe_how want)
{
	hk_err err = {0};
	_cleanup_close_ int fd = -1;
	enum hk_selfexe_how how = -1;
	int before = mount_count();
	hk_selfexe_use(new_api, userns);
	if (CHECK_OK(hk_selfexe_open_readonly(file, rootless, &fd, &how, &err), err) != 0)
		return;
	hk_selfexe_use(true, true);
	CHECK(how == want);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
	CHECK(unwritable(fd));
	CHECK(same_content(fd, file));
	CHECK(runs(fd));
	CHECK(mount_count() == before);
}

/* the file itself stays writable by its owner: the views are what
 * protects it, not some change to it */
static void check_file_writable(void)
{
	_cleanup_close_ int w = open(file, O_WRONLY | O_APPEND | O_CLOEXEC);
	CHECK(w >= 0);
}

static void root_views(void)
{
	check_file_writable();
	check_view(false, true, true, HK_SELFEXE_DETACHED);
	check_view(false, false, true, HK_SELFEXE_BIND);
}

TEST(selfexe_root)
{
	tu_in_child(root_views, TU_NEWNS);
}

static void rootless_views(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0) {
		perror("become nobody");
		CHECK(0);
		return;
	}
	check_file_writable();
	check_view(true, true, true, HK_SELFEXE_DETACHED);
	check_view(true, false, true, HK_SELFEXE_BIND);
	check_view(true, true, false, HK_SELFEXE_MEMFD);
}

TEST(selfexe_rootless)
{
	tu_in_child(rootless_views, 0);
}

int main(void)
{
	if (!tu_make_tmpdir(dir))
		return 1;
	snprintf(file, sizeof(file), "%s/husk", dir);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s && chown %d:%d %s && chmod 0755 %s %s", file,
	         NOBODY, NOBODY, file, dir, file);
	/* NOLINTNEXTLINE(cert-env33-c): the test's own command, on its own files */
	if (system(cmd) != 0)
		return 1;
	RUN(selfexe_root);
	RUN(selfexe_rootless);
	tu_remove_tree(dir);
	return check_summary();
}
