/* test_seccomp_cache.c - the compiled-filter cache (seccomp_cache.c): a hit
 * gives the very program, flags and listener the compiler gives, and the
 * program works; a cache file that is damaged, of another profile, or not
 * exactly as husk writes it (mode, owner, links, type, directory) is
 * ignored: the profile is compiled again and the file replaced. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "linux/seccomp_internal.h"
#include "spec/spec.h"
#include "testutil.h"
#include "util/cleanup.h"

#define NOBODY 65534

static char dir[] = "/tmp/hk-seccache-XXXXXX";

/* An allow list with a denied mkdir (errnoRet), args, three
 * architectures: the ENOSYS stub, several sections. */
static const char *profile =
    "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"
    "'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32'],"
    "'syscalls':["
    "{'names':['read','write','exit','exit_group','getpid','rt_sigreturn','brk','mmap',"
    "'munmap','fstat','newfstatat','close','sigaltstack'],'action':'SCMP_ACT_ALLOW'},"
    "{'names':['getpriority'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':0,"
    "'op':'SCMP_CMP_EQ'}]},"
    "{'names':['mkdir','mkdirat'],'action':'SCMP_ACT_ERRNO','errnoRet':39}]}";

static const char *notify_profile =
    "{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x','flags':['SECCOMP_FILTER_FLAG_LOG'],"
    "'syscalls':[{'names':['mkdir','mkdirat'],'action':'SCMP_ACT_NOTIFY'}]}";

/* JSON with ' for " */
static hk_spec *spec_with(const char *prof)
{
	char doc[8192];
	snprintf(doc, sizeof(doc),
	         "{'ociVersion':'1.2.0','root':{'path':'rootfs'},'linux':{'seccomp':%s}}", prof);
	for (char *p = doc; (p = strchr(p, '\'')); p++)
		*p = '"';
	hk_spec *spec = NULL;
	hk_err err = {0};
	if (hk_spec_parse(doc, strlen(doc), &spec, &err) < 0)
		fprintf(stderr, "  parse: %s\n", err.msg);
	return spec;
}

static hk_seccomp_prog *build(const char *prof)
{
	hk_spec *spec = spec_with(prof);
	hk_seccomp_prog *p = NULL;
	hk_err err = {0};
	if (spec && hk_seccomp_build(spec->lnx.seccomp, &p, &err) < 0) {
		fprintf(stderr, "  build: %s\n", err.msg);
		p = NULL;
	}
	hk_spec_free(spec);
	return p;
}

/* The path of PROF's cache file. */
static const char *file_of(const char *prof)
{
	static char path[256];
	uint8_t key[HK_SECCOMP_KEY_SIZE];
	hk_spec *spec = spec_with(prof);
	bool ok = spec && hk_seccomp_cache_key(spec->lnx.seccomp, key);
	hk_spec_free(spec);
	if (!ok)
		return "(no key)";
	int n = snprintf(path, sizeof(path), "%s/", dir);
	for (size_t i = 0; i < HK_SECCOMP_KEY_SIZE; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", key[i]);
	return path;
}

static bool same(const hk_seccomp_prog *a, const hk_seccomp_prog *b)
{
	return a && b && a->len == b->len && a->flags == b->flags && a->listener == b->listener &&
	       memcmp(a->insns, b->insns, a->len * sizeof(struct sock_filter)) == 0;
}

static hk_seccomp_prog *reference(const char *prof)
{
	hk_seccomp_cache_dir(NULL);
	hk_seccomp_prog *p = build(prof);
	hk_seccomp_cache_dir(dir);
	return p;
}

static void reset(void)
{
	memset(&hk_seccomp_cache_counts, 0, sizeof(hk_seccomp_cache_counts));
}

/* P loaded in a child: mkdir gets errnoRet 39, getpriority(0, 0) works. */
static bool filter_works(const hk_seccomp_prog *p)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int fd;
		hk_err err;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || hk_seccomp_load(p, &fd, &err) < 0)
			_exit(2);
		bool denied =
		    syscall(SYS_mkdirat, AT_FDCWD, "/tmp/hk-never", 0700) < 0 && errno == ENOTEMPTY;
		bool allowed = syscall(SYS_getpriority, 0, 0) >= 0;
		syscall(SYS_exit_group, denied && allowed ? 0 : 1);
	}
	return tu_exited_ok(tu_wait(pid));
}

TEST(cache_hit_gives_the_same_program)
{
	hk_seccomp_prog *p0 = reference(profile);
	reset();
	hk_seccomp_prog *p1 = build(profile);
	CHECK(hk_seccomp_cache_counts.misses == 1 && hk_seccomp_cache_counts.stores == 1);
	struct stat st;
	CHECK(stat(file_of(profile), &st) == 0 && (st.st_mode & 0777) == 0600);
	hk_seccomp_prog *p2 = build(profile);
	CHECK(hk_seccomp_cache_counts.hits == 1);
	CHECK(same(p0, p1));
	CHECK(same(p0, p2));
	CHECK(p2 && filter_works(p2));
	hk_seccomp_prog_free(p0);
	hk_seccomp_prog_free(p1);
	hk_seccomp_prog_free(p2);
}

TEST(cache_hit_keeps_listener_and_flags)
{
	hk_seccomp_prog *p0 = reference(notify_profile);
	hk_seccomp_prog_free(build(notify_profile)); /* stored */
	reset();
	hk_seccomp_prog *p = build(notify_profile);
	CHECK(hk_seccomp_cache_counts.hits == 1);
	CHECK(same(p0, p));
	CHECK(p && p->listener && (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	      (p->flags & SECCOMP_FILTER_FLAG_LOG));
	hk_seccomp_prog_free(p0);
	hk_seccomp_prog_free(p);
}

/* the key: the program's inputs, not the listener's address */
TEST(cache_key_follows_the_profile)
{
	uint8_t a[HK_SECCOMP_KEY_SIZE], b[HK_SECCOMP_KEY_SIZE], c[HK_SECCOMP_KEY_SIZE];
	hk_spec *s1 = spec_with(notify_profile);
	hk_spec *s2 = spec_with("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/y',"
	                        "'flags':['SECCOMP_FILTER_FLAG_LOG'],'syscalls':[{'names':["
	                        "'mkdir','mkdirat'],'action':'SCMP_ACT_NOTIFY'}]}");
	hk_spec *s3 = spec_with("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x',"
	                        "'flags':['SECCOMP_FILTER_FLAG_LOG'],'syscalls':[{'names':["
	                        "'mkdir','mkdirat'],'action':'SCMP_ACT_ERRNO'}]}");
	CHECK(s1 && s2 && s3);
	if (s1 && s2 && s3) {
		CHECK(hk_seccomp_cache_key(s1->lnx.seccomp, a) &&
		      hk_seccomp_cache_key(s2->lnx.seccomp, b) &&
		      hk_seccomp_cache_key(s3->lnx.seccomp, c));
		CHECK(memcmp(a, b, sizeof(a)) == 0);
		CHECK(memcmp(a, c, sizeof(a)) != 0);
	}
	hk_spec_free(s1);
	hk_spec_free(s2);
	hk_spec_free(s3);
}

/* the key: the libseccomp that compiles the programs (an upgrade of a
 * shared libseccomp keeps husk's own build id) */
TEST(cache_key_follows_libseccomp)
{
	uint8_t a[HK_SECCOMP_KEY_SIZE], b[HK_SECCOMP_KEY_SIZE], c[HK_SECCOMP_KEY_SIZE];
	hk_spec *s1 = spec_with(notify_profile);
	CHECK(s1);
	if (!s1)
		return;
	const struct scmp_version *real = seccomp_version();
	CHECK(real != NULL);
	if (!real) {
		hk_spec_free(s1);
		return;
	}
	struct scmp_version next = *real;
	next.micro++;
	CHECK(hk_seccomp_cache_key(s1->lnx.seccomp, a));
	hk_seccomp_cache_lib_version(&next);
	CHECK(hk_seccomp_cache_key(s1->lnx.seccomp, b));
	hk_seccomp_cache_lib_version(NULL);
	CHECK(hk_seccomp_cache_key(s1->lnx.seccomp, c));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK(memcmp(a, c, sizeof(a)) == 0);
	hk_spec_free(s1);
}

/* ---- tampering ---- */

static bool run(const char *cmd)
{
	char full[1024];
	/* flip N: change the byte at offset N */
	snprintf(full, sizeof(full),
	         "set -e; cd %s; f=%s; flip() { b=$(od -An -tu1 -j $1 -N1 $f | tr -d ' '); "
	         "printf \"\\\\$(printf %%03o $(((b + 1) %% 256)))\" | "
	         "dd of=$f bs=1 seek=$1 conv=notrunc status=none; }; %s",
	         dir, file_of(profile), cmd);
	/* NOLINTNEXTLINE(cert-env33-c): the tests' own shell script */
	return system(full) == 0;
}

/* CMD ($f: the cache file, cwd the cache dir) damages the cache: the next
 * build must not use it and give the compiler's program; the one after
 * uses the replaced, good file (unless AGAIN_MISSES: the cache is off). */
static void tampered(const hk_seccomp_prog *p0, const char *cmd, bool again_misses)
{
	int failed_before = check_cur_failed;
	check_cur_failed = 0;
	hk_seccomp_prog *p = build(profile); /* a good file */
	hk_seccomp_prog_free(p);
	CHECK(run(cmd));
	reset();
	p = build(profile);
	CHECK(hk_seccomp_cache_counts.hits == 0);
	CHECK(same(p0, p));
	hk_seccomp_prog_free(p);
	reset();
	p = build(profile);
	CHECK(hk_seccomp_cache_counts.hits == (again_misses ? 0U : 1U));
	CHECK(same(p0, p));
	hk_seccomp_prog_free(p);
	if (!run("chmod 0700 . && rm -f -- * .tmp.*"))
		fprintf(stderr, "  cleanup of %s failed\n", dir);
	if (check_cur_failed)
		fprintf(stderr, "  (after: %s)\n", cmd);
	check_cur_failed |= failed_before;
}

/* a working filter that denies nothing: what an attacker would put */
static const char *allow_all = "{'defaultAction':'SCMP_ACT_ALLOW'}";

TEST(tampered_cache_is_ignored)
{
	hk_seccomp_prog *p0 = reference(profile);
	char cmd[1024];
	/* an instruction changed (jump offsets, a return value...) */
	tampered(p0, "flip 100", false);
	/* the digest, the key, the length */
	tampered(p0, "flip $(($(stat -c %s $f) - 1))", false);
	tampered(p0, "flip 8", false);
	tampered(p0, "flip 40", false);
	tampered(p0, "truncate -s -8 $f", false);
	tampered(p0, "printf '\\0\\0\\0\\0\\0\\0\\0\\0' >>$f", false);
	tampered(p0, ": >$f", false);
	tampered(p0, "printf 'XKSCMP01' | dd of=$f bs=1 conv=notrunc status=none", false);
	/* not exactly as husk writes it */
	tampered(p0, "chmod 0644 $f", false);
	tampered(p0, "chmod 0640 $f", false);
	tampered(p0, "ln $f link", false);
	tampered(p0, "mv $f good; ln -s good $f", false);
	tampered(p0, "rm $f; mkfifo -m 0600 $f", false);
	tampered(p0, "chmod 0755 .", true);
	snprintf(cmd, sizeof(cmd), "chown %d $f", NOBODY);
	tampered(p0, cmd, false);
	/* a good file of another profile (a program that denies nothing)
	 * under this profile's name */
	hk_seccomp_prog *other = build(allow_all);
	hk_seccomp_prog_free(other);
	snprintf(cmd, sizeof(cmd), "cp %s $f", strrchr(file_of(allow_all), '/') + 1);
	tampered(p0, cmd, false);
	hk_seccomp_prog_free(p0);
}

int main(void)
{
	if (!tu_make_tmpdir(dir))
		return 1;
	hk_seccomp_cache_dir(dir);
	RUN(cache_hit_gives_the_same_program);
	RUN(cache_hit_keeps_listener_and_flags);
	RUN(cache_key_follows_the_profile);
	RUN(cache_key_follows_libseccomp);
	RUN(tampered_cache_is_ignored);
	tu_remove_tree(dir);
	return check_summary();
}
