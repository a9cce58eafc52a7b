/* test_seccomp.c - linux.seccomp: profiles compiled by hk_seccomp_build()
 * and loaded in a forked child (with no_new_privs, so no privilege is
 * needed), where the syscalls' results are what is checked; the config
 * errors; the seccomp agent's message. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "linux/seccomp_filter.h"
#include "linux/seccomp_internal.h"
#include "runtime/state.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "testutil.h"

/* JSON with ' for " (as in test_spec.c). */
static const char *q(const char *s)
{
	static char buf[16384];
	size_t n = strnlen(s, sizeof(buf) - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (char *p = buf; (p = strchr(p, '\'')); p++)
		*p = '"';
	return buf;
}

/* The spec of a config whose linux.seccomp is PROFILE ('-quoted). */
static hk_spec *spec_with(const char *profile, hk_err *err)
{
	char doc[16384 + 128];
	hk_spec *spec = NULL;
	snprintf(doc, sizeof(doc),
	         "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
	         "\"linux\":{\"seccomp\":%s}}",
	         q(profile));
	if (hk_spec_parse(doc, strlen(doc), &spec, err) < 0)
		return NULL;
	return spec;
}

/* PROFILE compiled, or NULL (with the error message in ERR). */
static hk_seccomp_prog *build(const char *profile, hk_err *err)
{
	hk_spec *spec = spec_with(profile, err);
	hk_seccomp_prog *p = NULL;
	if (spec && hk_seccomp_build(spec->lnx.seccomp, &p, err) < 0)
		p = NULL;
	hk_spec_free(spec);
	return p;
}

/* The error of building PROFILE (parse or compile), or "(ok)". */
static const char *build_err(const char *profile)
{
	static hk_err err;
	memset(&err, 0, sizeof(err));
	hk_seccomp_prog *p = build(profile, &err);
	if (p) {
		hk_seccomp_prog_free(p);
		return "(ok)";
	}
	return err.msg;
}

static int notify_fd = -1;

/* Compile PROFILE, load it in a forked child and run FN there: the
 * child's CHECKs count.  The child's wait status. */
static int filtered(const char *profile, void (*fn)(void))
{
	hk_err err = {0};
	hk_seccomp_prog *p = build(profile, &err);
	if (!p) {
		fprintf(stderr, "  build: %s\n", err.msg);
		check_cur_failed = 1;
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* SIGSYS would dump core */
		setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
		check_cur_failed = 0;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    hk_seccomp_load(p, &notify_fd, &err) < 0) {
			fprintf(stderr, "  load: %s\n", err.msg);
			_exit(2);
		}
		fn();
		fflush(NULL);
		_exit(check_cur_failed ? 1 : 0);
	}
	hk_seccomp_prog_free(p);
	return tu_wait(pid);
}

#define CHECK_FAILS(call, e)                                                                       \
	do {                                                                                       \
		errno = 0;                                                                         \
		long _r = (long)(call);                                                            \
		int _e = errno;                                                                    \
		if (_r != -1 || _e != (e)) {                                                       \
			fprintf(stderr, "  %s:%d: %s = %ld, errno %d, not -1/%d\n", __FILE__,      \
			        __LINE__, #call, _r, _e, (e));                                     \
			check_cur_failed = 1;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_WORKS(call)                                                                          \
	do {                                                                                       \
		errno = 0;                                                                         \
		long _r = (long)(call);                                                            \
		if (_r == -1) {                                                                    \
			fprintf(stderr, "  %s:%d: %s failed, errno %d\n", __FILE__, __LINE__,      \
			        #call, errno);                                                     \
			check_cur_failed = 1;                                                      \
		}                                                                                  \
	} while (0)

/* getpriority(2) is harmless with any arguments: the args tests use it
 * (which: 0 process, 1 group, 2 user; who 0: ourselves). */
static long prio(int which, int who)
{
	return syscall(SYS_getpriority, which, who);
}

static void mkdir_denied(void)
{
	CHECK_FAILS(mkdir("/proc/hk-no", 0700), EPERM);
	CHECK_WORKS(getpid());
	CHECK_WORKS(prio(0, 0));
}

TEST(errno_action_denies_one_syscall)
{
	CHECK(tu_exited_ok(filtered("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':["
	                            "'mkdir','mkdirat'],'action':'SCMP_ACT_ERRNO'}]}",
	                            mkdir_denied)));
}

static void mkdir_enomsg(void)
{
	CHECK_FAILS(mkdir("/proc/hk-no", 0700), ENOMSG);
	CHECK_FAILS(prio(0, 0), EXDEV);
	CHECK_WORKS(getpid());
}

TEST(errno_ret)
{
	char profile[512];
	snprintf(profile, sizeof(profile),
	         "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir','mkdirat'],"
	         "'action':'SCMP_ACT_ERRNO','errnoRet':%d},{'names':['getpriority'],"
	         "'action':'SCMP_ACT_ERRNO','errnoRet':%d}]}",
	         ENOMSG, EXDEV);
	CHECK(tu_exited_ok(filtered(profile, mkdir_enomsg)));
}

static void skipped_name(void)
{
	CHECK_FAILS(mkdir("/proc/hk-no", 0700), EPERM);
}

TEST(unknown_syscall_name_is_skipped)
{
	CHECK(tu_exited_ok(filtered("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':["
	                            "'hk_no_such_syscall','mkdir','mkdirat'],"
	                            "'action':'SCMP_ACT_ERRNO'}]}",
	                            skipped_name)));
}

/* One operator on getpriority's second argument: a rule denies with
 * EXDEV (which getpriority never returns itself). */
static const struct {
	const char *op;
	unsigned value, value_two;
	int denied, passed;
} ops[] = {
    {"SCMP_CMP_EQ", 4242, 0, 4242, 4243},
    {"SCMP_CMP_NE", 4242, 0, 4243, 4242},
    {"SCMP_CMP_LT", 100, 0, 99, 100},
    {"SCMP_CMP_LE", 100, 0, 100, 101},
    {"SCMP_CMP_GT", 100, 0, 101, 100},
    {"SCMP_CMP_GE", 100, 0, 100, 99},
    {"SCMP_CMP_MASKED_EQ", 0xf0, 0x30, 0x3f, 0x4f},
};
static size_t op_i;

#define CHECK_NOT(call, e)                                                                         \
	do {                                                                                       \
		errno = 0;                                                                         \
		long _r = (long)(call);                                                            \
		if (_r == -1 && errno == (e)) {                                                    \
			fprintf(stderr, "  %s:%d: %s failed with %d\n", __FILE__, __LINE__, #call, \
			        (e));                                                              \
			check_cur_failed = 1;                                                      \
		}                                                                                  \
	} while (0)

static void one_op(void)
{
	CHECK_FAILS(prio(0, ops[op_i].denied), EXDEV);
	CHECK_NOT(prio(0, ops[op_i].passed), EXDEV);
}

TEST(args_every_operator)
{
	for (op_i = 0; op_i < HK_ARRAY_SIZE(ops); op_i++) {
		char profile[512];
		snprintf(profile, sizeof(profile),
		         "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpriority'],"
		         "'action':'SCMP_ACT_ERRNO','errnoRet':%d,'args':[{'index':1,'value':%u,"
		         "'valueTwo':%u,'op':'%s'}]}]}",
		         EXDEV, ops[op_i].value, ops[op_i].value_two, ops[op_i].op);
		int st = filtered(profile, one_op);
		if (!tu_exited_ok(st))
			fprintf(stderr, "  with %s\n", ops[op_i].op);
		CHECK(tu_exited_ok(st));
	}
}

static void and_rule(void)
{
	CHECK_FAILS(prio(2, 4242), EXDEV);
	CHECK_NOT(prio(2, 4243), EXDEV);
	CHECK_NOT(prio(1, 4242), EXDEV);
}

TEST(args_on_distinct_indexes_must_all_match)
{
	CHECK(tu_exited_ok(
	    filtered("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpriority'],"
	             "'action':'SCMP_ACT_ERRNO','errnoRet':18,'args':[{'index':0,'value':2,"
	             "'op':'SCMP_CMP_EQ'},{'index':1,'value':4242,'op':'SCMP_CMP_EQ'}]}]}",
	             and_rule)));
}

static void or_rule(void)
{
	CHECK_FAILS(prio(1, 0), EXDEV);
	CHECK_FAILS(prio(2, 0), EXDEV);
	CHECK_WORKS(prio(0, 0));
}

TEST(args_on_one_index_any_may_match)
{
	CHECK(tu_exited_ok(
	    filtered("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpriority'],"
	             "'action':'SCMP_ACT_ERRNO','errnoRet':18,'args':[{'index':0,'value':1,"
	             "'op':'SCMP_CMP_EQ'},{'index':0,'value':2,'op':'SCMP_CMP_EQ'}]}]}",
	             or_rule)));
}

static void killed_on_arg(void)
{
	CHECK_WORKS(prio(0, 0));
	prio(0, 777); /* the process dies here */
	_exit(0);
}

TEST(kill_process_on_an_arg)
{
	int st = filtered("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpriority'],"
	                  "'action':'SCMP_ACT_KILL_PROCESS','args':[{'index':1,'value':777,"
	                  "'op':'SCMP_CMP_EQ'}]}]}",
	                  killed_on_arg);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

static void trapped(void)
{
	prio(0, 0);
	_exit(0);
}

TEST(trap_sends_sigsys)
{
	int st = filtered("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpriority'],"
	                  "'action':'SCMP_ACT_TRAP'}]}",
	                  trapped);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

/* What a child under an allow list needs (glibc's exit, stdio; ASan's
 * runtime unsets its signal stack at exit). */
#define ALLOWED                                                                                    \
	"'exit_group','exit','write','writev','getpid','brk','mmap','munmap','fstat','newfstatat'" \
	","                                                                                        \
	"'rt_sigprocmask','rt_sigaction','sigaltstack','futex','getpriority'"

static void allow_list(void)
{
	CHECK_WORKS(getpid());
	/* known to the profile's architecture but not listed: the default */
	CHECK_FAILS(syscall(SYS_getppid), EPERM);
	CHECK_FAILS(mkdir("/proc/hk-no", 0700), EPERM);
	/* above every syscall the profile names: "not implemented" */
	CHECK_FAILS(syscall(1000), ENOSYS);
	CHECK_FAILS(syscall(SYS_getpriority + 500), ENOSYS);
}

TEST(default_errno_with_allow_list_newer_syscalls_get_enosys)
{
	CHECK(
	    tu_exited_ok(filtered("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[" ALLOWED
	                          "],'action':'SCMP_ACT_ALLOW'}]}",
	                          allow_list)));
	/* with the architectures listed (docker's), the same */
	CHECK(
	    tu_exited_ok(filtered("{'defaultAction':'SCMP_ACT_ERRNO','architectures':["
	                          "'SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32'],"
	                          "'syscalls':[{'names':[" ALLOWED "],'action':'SCMP_ACT_ALLOW'}]}",
	                          allow_list)));
}

static bool returns(const hk_seccomp_prog *p, uint32_t k)
{
	const struct sock_filter *f = p->insns;
	for (size_t i = 0; i < p->len; i++)
		if (f[i].code == (BPF_RET | BPF_K) && f[i].k == k)
			return true;
	return false;
}

static void all_enosys(void)
{
	CHECK_FAILS(syscall(SYS_getppid), ENOSYS);
	CHECK_FAILS(syscall(1000), ENOSYS);
}

TEST(default_errno_ret_enosys_needs_no_stub)
{
	hk_err err = {0};
	hk_seccomp_prog *with =
	    build("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[" ALLOWED
	          "],'action':'SCMP_ACT_ALLOW'}]}",
	          &err);
	hk_seccomp_prog *without = build("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
	                                 "'syscalls':[{'names':[" ALLOWED "],"
	                                 "'action':'SCMP_ACT_ALLOW'}]}",
	                                 &err);
	hk_seccomp_prog *allow = build("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':["
	                               "'mkdir'],'action':'SCMP_ACT_ERRNO'}]}",
	                               &err);
	CHECK(with && without && allow);
	/* ld arch, jeq x86_64, ja, ld nr, jset x32, jgt, ret ENOSYS */
	if (with && without) {
		CHECK(with->len == without->len + 7);
		CHECK(returns(with, SECCOMP_RET_ERRNO | ENOSYS));
		CHECK(returns(without, SECCOMP_RET_ERRNO | ENOSYS)); /* the default */
	}
	if (allow)
		CHECK(!returns(allow, SECCOMP_RET_ERRNO | ENOSYS));
	hk_seccomp_prog_free(with);
	hk_seccomp_prog_free(without);
	hk_seccomp_prog_free(allow);
	CHECK(tu_exited_ok(filtered("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
	                            "'syscalls':[{'names':[" ALLOWED "],"
	                            "'action':'SCMP_ACT_ALLOW'}]}",
	                            all_enosys)));
}

TEST(max_syscall_per_arch)
{
	hk_err err = {0};
	hk_spec *s = spec_with("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read',"
	                       "'write','hk_unknown'],'action':'SCMP_ACT_ALLOW'}]}",
	                       &err);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(hk_seccomp_max_syscall(s->lnx.seccomp, SCMP_ARCH_X86_64) == 1);
	CHECK(hk_seccomp_max_syscall(s->lnx.seccomp, SCMP_ARCH_X32) == 0x40000001);
	CHECK(hk_seccomp_max_syscall(s->lnx.seccomp, SCMP_ARCH_X86) == 4);
	hk_spec_free(s);
}

static int sv[2] = {-1, -1};

static void notified_child(void)
{
	/* hand the fd to the test (the agent), then wait for its answer */
	CHECK(notify_fd >= 0);
	CHECK(tu_send_fd(sv[1], notify_fd) == 0);
	CHECK_FAILS(mkdir("/proc/hk-no", 0700), EHOSTDOWN);
	CHECK_WORKS(getpid());
}

TEST(notify_goes_to_the_listener)
{
	hk_err err = {0};
	hk_seccomp_prog *p = build("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x',"
	                           "'flags':['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
	                           "'syscalls':[{'names':['mkdir','mkdirat'],"
	                           "'action':'SCMP_ACT_NOTIFY'}]}",
	                           &err);
	CHECK(p && p->listener && (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER));
	if (p && hk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
		CHECK(p->flags & (1U << 5));
	hk_seccomp_prog_free(p);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		check_cur_failed = 1;
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		int st = filtered("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x',"
		                  "'syscalls':[{'names':['mkdir','mkdirat'],"
		                  "'action':'SCMP_ACT_NOTIFY'}]}",
		                  notified_child);
		_exit(tu_exited_ok(st) ? 0 : 1);
	}
	close(sv[1]);
	int fd = tu_recv_fd(sv[0]);
	CHECK(fd >= 0);
	if (fd >= 0) {
		struct seccomp_notif req;
		memset(&req, 0, sizeof(req));
		CHECK(ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0);
		CHECK(req.data.nr == SYS_mkdir || req.data.nr == SYS_mkdirat);
		struct seccomp_notif_resp resp = {.id = req.id, .error = -EHOSTDOWN};
		CHECK(ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);
		close(fd);
	}
	close(sv[0]);
	CHECK(tu_exited_ok(tu_wait(pid)));
}

TEST(flags)
{
	hk_err err = {0};
	hk_seccomp_prog *p = build("{'defaultAction':'SCMP_ACT_ALLOW','flags':["
	                           "'SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_SPEC_ALLOW',"
	                           "'SECCOMP_FILTER_FLAG_TSYNC',"
	                           "'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']}",
	                           &err);
	CHECK(p != NULL);
	/* TSYNC ignored; WAIT_KILLABLE_RECV means nothing without a listener */
	if (p)
		CHECK(p->flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW) &&
		      !p->listener);
	hk_seccomp_prog_free(p);
	CHECK(hk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_LOG"));
	CHECK(hk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_TSYNC"));
	CHECK(!hk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_NOPE"));
}

/* Every name maps to an architecture libseccomp knows: those of this
 * machine's byte order go together, the others are refused as such. */
TEST(every_listed_arch_compiles)
{
	const char *a[32];
	size_t n = hk_seccomp_archs(a, 32), together = 0;
	char profile[4096] = "{'defaultAction':'SCMP_ACT_ERRNO','architectures':[";
	for (size_t i = 0; i < n; i++) {
		char one[512], want[256];
		snprintf(one, sizeof(one),
		         "{'defaultAction':'SCMP_ACT_ERRNO','architectures':['%s'],'syscalls':[{"
		         "'names':['read','socket'],'action':'SCMP_ACT_ALLOW'}]}",
		         a[i]);
		snprintf(want, sizeof(want),
		         "linux.seccomp.architectures[0]: %s has another byte order than this "
		         "machine",
		         a[i]);
		const char *e = build_err(one);
		if (strcmp(e, "(ok)") != 0) {
			CHECK_STREQ(e, want);
			continue;
		}
		snprintf(profile + strlen(profile), sizeof(profile) - strlen(profile), "%s'%s'",
		         together++ ? "," : "", a[i]);
	}
	strcat(profile, "],'syscalls':[{'names':['read','socket'],'action':'SCMP_ACT_ALLOW'}]}");
	CHECK(n >= 16 && together >= 8);
	CHECK_STREQ(build_err(profile), "(ok)");
}

TEST(errors)
{
	CHECK_STREQ(build_err("{'defaultAction':'SCMP_ACT_ALLOW','architectures':["
	                      "'SCMP_ARCH_X86_64','SCMP_ARCH_VAX']}"),
	            "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");
	CHECK_STREQ(
	    build_err("{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_X']}"),
	    "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_X\"");
	CHECK_STREQ(build_err("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	                      "'action':'SCMP_ACT_ALLOW'},{'names':['a'],'action':'SCMP_ACT_X'}]}"),
	            "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_X\"");
	CHECK_STREQ(build_err("{'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/x'}"),
	            "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	CHECK_STREQ(build_err("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x','syscalls':["
	                      "{'names':['mkdir','sendmsg'],'action':'SCMP_ACT_NOTIFY'}]}"),
	            "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for "
	            "sendmsg");
	/* a rule the same as the default is no error (libseccomp's would be) */
	CHECK_STREQ(build_err("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
	                      "'action':'SCMP_ACT_ERRNO'}]}"),
	            "(ok)");
	/* compile-time checks of what the parser let through */
	hk_seccomp s = {.default_action = "SCMP_ACT_ALLOW"};
	char *arch[] = {"SCMP_ARCH_NOPE", NULL};
	s.architectures = arch;
	s.n_architectures = 1;
	hk_err err = {0};
	hk_seccomp_prog *p = NULL;
	CHECK(hk_seccomp_build(&s, &p, &err) == -EINVAL && !p);
	CHECK_STREQ(err.msg,
	            "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_NOPE\"");
}

/* The agent's side of hk_seccomp_send_listener: JSON and the fd. */
TEST(listener_message)
{
	char dir[] = "/tmp/hk-sc-XXXXXX";
	CHECK(tu_make_tmpdir(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	CHECK(srv >= 0 && bind(srv, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      listen(srv, 1) == 0);

	hk_state st = {.id = "c1", .pid = 42, .bundle = "/b", .rootfs = "/b/rootfs"};
	char *json = hk_state_process_json(&st, HK_STATUS_CREATING, 43, "meta");
	CHECK_STREQ(json,
	            "{\"ociVersion\":\"" HK_OCI_VERSION "\",\"fds\":[\"seccompFd\"],"
	            "\"pid\":43,\"metadata\":\"meta\",\"state\":{\"ociVersion\":\"" HK_OCI_VERSION
	            "\",\"id\":\"c1\",\"pid\":42,\"status\":\"creating\","
	            "\"bundle\":\"/b\"}}");
	hk_err err = {0};
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_OK(hk_seccomp_send_listener(path, json, devnull, &err), err);
	int c = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	CHECK(c >= 0);
	char buf[4096] = "";
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	ssize_t n = c >= 0 ? recvmsg(c, &mh, MSG_CMSG_CLOEXEC) : -1;
	CHECK(json && n == (ssize_t)strlen(json));
	/* (the control buffer is not filled in when nothing came) */
	struct cmsghdr *cm = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	CHECK(cm && cm->cmsg_type == SCM_RIGHTS);
	if (cm) {
		int got;
		memcpy(&got, CMSG_DATA(cm), sizeof(int));
		struct stat a, b;
		CHECK(fstat(got, &a) == 0 && stat("/dev/null", &b) == 0 && a.st_rdev == b.st_rdev);
		close(got);
	}
	CHECK_STREQ(buf, json);
	if (c >= 0)
		close(c);
	close(devnull);
	free(json);
	/* nobody there */
	unlink(path);
	CHECK(hk_seccomp_send_listener(path, "{}", 0, &err) == -ENOENT);
	char want[256];
	snprintf(want, sizeof(want),
	         "linux.seccomp.listenerPath: connect to the seccomp agent at %s: no such file or "
	         "directory",
	         path);
	CHECK_STREQ(err.msg, want);
	close(srv);
	tu_remove_tree(dir);
}

int main(void)
{
	/* the compiler itself (test_seccomp_cache.c tests the cache) */
	hk_seccomp_cache_dir(NULL);
	RUN(errno_action_denies_one_syscall);
	RUN(errno_ret);
	RUN(unknown_syscall_name_is_skipped);
	RUN(args_every_operator);
	RUN(args_on_distinct_indexes_must_all_match);
	RUN(args_on_one_index_any_may_match);
	RUN(kill_process_on_an_arg);
	RUN(trap_sends_sigsys);
	RUN(default_errno_with_allow_list_newer_syscalls_get_enosys);
	RUN(default_errno_ret_enosys_needs_no_stub);
	RUN(max_syscall_per_arch);
	RUN(notify_goes_to_the_listener);
	RUN(flags);
	RUN(every_listed_arch_compiles);
	RUN(errors);
	RUN(listener_message);
	return check_summary();
}
