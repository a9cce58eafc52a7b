/* seccomp_filter.c - linux.seccomp compiled with libseccomp, loaded with
 * seccomp(2), and the notify fd handed to a seccomp agent (see seccomp_filter.h;
 * the ENOSYS stub is in seccomp_enosys.c). */
#include "linux/seccomp_filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/seccomp_internal.h"
#include "util/cleanup.h"
#include "util/debug.h"

#define SEC "linux.seccomp"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

typedef struct named {
	const char *name;
	uint32_t value;
} named;

/* ERRNO and TRACE get their errno added (EPERM without errnoRet). */
static const named actions[] = {
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
};

static const named operators[] = {
    {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
    {"SCMP_CMP_NE", SCMP_CMP_NE},
};

/* Those of libseccomp 2.5 (the spec's list less LoongArch, M68K, SH). */
static const named archs[] = {
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
};

#define FLAG_IGNORED 0 /* TSYNC: accepted, nothing to do */
static const named flags[] = {
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_TSYNC", FLAG_IGNORED},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

static const named *lookup(const named *t, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}
#define LOOKUP(t, name) lookup(t, HK_ARRAY_SIZE(t), name)

static size_t names_of(const named *t, size_t n, const char **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < max; i++)
		out[k++] = t[i].name;
	return k;
}

size_t hk_seccomp_actions(const char **out, size_t max)
{
	return names_of(actions, HK_ARRAY_SIZE(actions), out, max);
}
size_t hk_seccomp_operators(const char **out, size_t max)
{
	return names_of(operators, HK_ARRAY_SIZE(operators), out, max);
}
size_t hk_seccomp_archs(const char **out, size_t max)
{
	return names_of(archs, HK_ARRAY_SIZE(archs), out, max);
}
size_t hk_seccomp_known_flags(const char **out, size_t max)
{
	return names_of(flags, HK_ARRAY_SIZE(flags), out, max);
}

uint32_t hk_seccomp_arch_value(const char *name)
{
	const named *a = LOOKUP(archs, name);
	return a ? a->value : 0;
}

/* The kernel validates the flags before it reads the program: a NULL
 * program fails with EFAULT exactly when the flags are known (libseccomp
 * probes so too).  WAIT_KILLABLE_RECV is only valid with a listener. */
static bool kernel_has_flag(unsigned long flag)
{
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	errno = 0;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
	return r < 0 && errno == EFAULT;
}

bool hk_seccomp_flag_supported(const char *name)
{
	const named *f = LOOKUP(flags, name);
	return f && (f->value == FLAG_IGNORED || kernel_has_flag(f->value));
}

/* The libseccomp action of NAME, with the errno of ERRNO and TRACE. */
static int action_value(const char *path, const char *name, bool has_errno, uint32_t errno_ret,
                        uint32_t *out, hk_err *err)
{
	const named *a = LOOKUP(actions, name);
	if (!a)
		return hk_err_plain(err, EINVAL, "%s: unknown action \"%s\"", path,
		                    name ? name : "");
	*out = a->value;
	if (a->value == SCMP_ACT_ERRNO(0) || a->value == SCMP_ACT_TRACE(0))
		*out |= (has_errno ? errno_ret : EPERM) & 0xffffU;
	return 0;
}

int hk_seccomp_max_syscall(const hk_seccomp *s, uint32_t arch)
{
	int max = -1;
	for (size_t i = 0; i < s->n_syscalls; i++)
		for (size_t j = 0; j < s->syscalls[i].n_names; j++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, s->syscalls[i].names[j]);
			if (nr > max)
				max = nr;
		}
	return max;
}

static void ctx_release(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int add_archs(scmp_filter_ctx ctx, const hk_seccomp *s, hk_err *err)
{
	for (size_t i = 0; i < s->n_architectures; i++) {
		const named *a = LOOKUP(archs, s->architectures[i]);
		if (!a)
			return hk_err_plain(err, EINVAL,
			                    SEC ".architectures[%zu]: unknown architecture \"%s\"",
			                    i, s->architectures[i]);
		int r = seccomp_arch_add(ctx, a->value);
		if (r == -EDOM)
			return hk_err_plain(err, EDOM,
			                    SEC ".architectures[%zu]: %s has another byte order "
			                        "than this machine",
			                    i, a->name);
		if (r < 0 && r != -EEXIST)
			return hk_err_set(err, -r, SEC ".architectures[%zu]: add %s", i, a->name);
	}
	return 0;
}

static int collect_flags(const hk_seccomp *s, bool listener, unsigned *out, hk_err *err)
{
	*out = listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	for (size_t i = 0; i < s->n_flags; i++) {
		const named *f = LOOKUP(flags, s->flags[i]);
		if (!f)
			return hk_err_plain(err, EINVAL, SEC ".flags[%zu]: unknown flag \"%s\"", i,
			                    s->flags[i]);
		if (f->value == FLAG_IGNORED)
			continue;
		if (f->value == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !listener) {
			hk_debug("seccomp: %s without SCMP_ACT_NOTIFY: ignored", f->name);
			continue;
		}
		if (!kernel_has_flag(f->value))
			return hk_err_plain(err, EOPNOTSUPP,
			                    SEC ".flags[%zu]: %s is not supported by this kernel",
			                    i, f->name);
		*out |= f->value;
	}
	return 0;
}

/* SC's args as libseccomp conditions; *SPLIT when an index repeats (each
 * condition then makes a rule of its own, as runc). */
static int conditions(const hk_seccomp_syscall *sc, const char *pi, struct scmp_arg_cmp *c,
                      bool *split, hk_err *err)
{
	unsigned seen = 0;
	*split = false;
	for (size_t k = 0; k < sc->n_args; k++) {
		const hk_seccomp_arg *a = &sc->args[k];
		const named *op = LOOKUP(operators, a->op);
		if (!op)
			return hk_err_plain(err, EINVAL, "%s.args[%zu].op: unknown operator \"%s\"",
			                    pi, k, a->op ? a->op : "");
		if (a->index > 5)
			return hk_err_plain(err, EINVAL, "%s.args[%zu].index: out of range (0..5)",
			                    pi, k);
		if (seen & (1U << a->index))
			*split = true;
		seen |= 1U << a->index;
		/* MASKED_EQ: (arg & value) == valueTwo */
		c[k] = (struct scmp_arg_cmp){.arg = a->index,
		                             .op = (enum scmp_compare)op->value,
		                             .datum_a = a->value,
		                             .datum_b = a->value_two};
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, const hk_seccomp_syscall *sc, const char *pi,
                    uint32_t action, hk_err *err)
{
	_cleanup_free_ struct scmp_arg_cmp *c = calloc(sc->n_args + 1, sizeof(*c));
	bool split;
	int r;
	if (!c)
		return hk_err_set(err, ENOMEM, "%s", pi);
	if ((r = conditions(sc, pi, c, &split, err)) < 0)
		return r;
	for (size_t j = 0; j < sc->n_names; j++) {
		const char *name = sc->names[j];
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			/* newer than libseccomp, or of another architecture */
			hk_debug("seccomp: unknown syscall \"%s\" (%s) skipped", name, pi);
			continue;
		}
		if (!ctx)
			continue; /* checked only: the program came from the cache */
		if (!split)
			r = seccomp_rule_add_array(ctx, action, nr, (unsigned)sc->n_args, c);
		for (size_t k = 0; split && k < sc->n_args && r >= 0; k++)
			r = seccomp_rule_add_array(ctx, action, nr, 1, &c[k]);
		if (r < 0)
			return hk_err_set(err, -r, "%s: add a rule for \"%s\"", pi, name);
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const hk_seccomp *s, uint32_t def, bool *listener,
                     hk_err *err)
{
	char pi[64], pa[96];
	int r;
	*listener = false;
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const hk_seccomp_syscall *sc = &s->syscalls[i];
		uint32_t action;
		snprintf(pi, sizeof(pi), SEC ".syscalls[%zu]", i);
		snprintf(pa, sizeof(pa), "%s.action", pi);
		if ((r = action_value(pa, sc->action, sc->has_errno_ret, sc->errno_ret, &action,
		                      err)) < 0)
			return r;
		if (action == SCMP_ACT_NOTIFY) {
			*listener = true;
			/* husk's process hands the notify fd to husk with
			 * sendmsg(2) after loading: it would wait for an agent
			 * that has no fd yet (runc refuses write(2) so) */
			for (size_t j = 0; j < sc->n_names; j++)
				if (strcmp(sc->names[j], "sendmsg") == 0)
					return hk_err_plain(err, EINVAL,
					                    "%s.names[%zu]: SCMP_ACT_NOTIFY cannot "
					                    "be used for sendmsg",
					                    pi, j);
		}
		if (action == def)
			continue; /* libseccomp refuses it; it changes nothing */
		if ((r = add_rule(ctx, sc, pi, action, err)) < 0)
			return r;
	}
	return 0;
}

/* libseccomp's BPF program, through a memfd (2.5 writes it to an fd). */
static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **insns, size_t *len, hk_err *err)
{
	_cleanup_close_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	struct stat st;
	int r;
	if (fd < 0)
		return hk_err_set(err, errno, SEC ": memfd_create");
	if ((r = seccomp_export_bpf(ctx, fd)) < 0)
		return hk_err_set(err, -r, SEC ": export the filter");
	if (fstat(fd, &st) < 0)
		return hk_err_set(err, errno, SEC ": export the filter");
	size_t size = (size_t)st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter))
		return hk_err_plain(err, EPROTO, SEC ": libseccomp exported %zu bytes", size);
	*insns = malloc(size);
	if (!*insns)
		return hk_err_set(err, ENOMEM, SEC);
	if (pread(fd, *insns, size, 0) != (ssize_t)size) {
		free(*insns);
		*insns = NULL;
		return hk_err_set(err, errno ? errno : EIO, SEC ": read the exported filter");
	}
	*len = size / sizeof(struct sock_filter);
	return 0;
}

/* ALLOW, LOG and TRACE let unknown syscalls through already (a tracer
 * handles ENOSYS itself), and ERRNO(ENOSYS) is what the stub returns. */
static bool wants_stub(uint32_t def)
{
	return def != SCMP_ACT_ALLOW && def != SCMP_ACT_LOG &&
	       (def & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_TRACE &&
	       def != SCMP_ACT_ERRNO(ENOSYS);
}

static int compile(const hk_seccomp *s, hk_seccomp_prog *p, hk_err *err)
{
	uint32_t def;
	int r;
	if ((r = action_value(SEC ".defaultAction", s->default_action, s->has_default_errno_ret,
	                      s->default_errno_ret, &def, err)) < 0)
		return r;
	/* everything husk's process does after loading would wait for an
	 * agent that has no fd yet (runc refuses it too) */
	if (def == SCMP_ACT_NOTIFY)
		return hk_err_plain(err, EINVAL,
		                    SEC ".defaultAction: SCMP_ACT_NOTIFY cannot be the default "
		                        "action");
	/* a program compiled before: the rest of the profile's checks, its
	 * --debug notes, its flags, as when compiling */
	uint8_t key[HK_SECCOMP_KEY_SIZE];
	bool keyed = hk_seccomp_cache_key(s, key);
	bool listener;
	if (keyed && hk_seccomp_cache_load(key, p)) {
		if ((r = add_rules(NULL, s, def, &listener, err)) < 0 ||
		    (r = collect_flags(s, listener, &p->flags, err)) < 0)
			return r;
		p->listener = listener;
		hk_debug("seccomp: the compiled filter came from the cache");
		return 0;
	}
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return hk_err_plain(err, EOPNOTSUPP,
		                    SEC ".defaultAction: %s is not supported by libseccomp or the "
		                        "kernel",
		                    s->default_action);
	if ((r = add_archs(ctx, s, err)) < 0)
		return r;
	/* a binary tree over long lists (libseccomp 2.5 misbehaves with it
	 * when there are no rules; runc uses it above 32 names too) */
	size_t names = 0;
	for (size_t i = 0; i < s->n_syscalls; i++)
		names += s->syscalls[i].n_names;
	if (names > 32)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if ((r = add_rules(ctx, s, def, &listener, err)) < 0 ||
	    (r = collect_flags(s, listener, &p->flags, err)) < 0)
		return r;
	p->listener = listener;
	struct sock_filter *insns = NULL;
	size_t len = 0;
	if ((r = export_bpf(ctx, &insns, &len, err)) < 0)
		return r;
	p->insns = insns;
	p->len = len;
	if (wants_stub(def) && (r = hk_seccomp_prepend_enosys(s, p, err)) < 0)
		return r;
	if (p->len > BPF_MAXINSNS)
		return hk_err_plain(err, E2BIG,
		                    SEC ": the filter has %zu instructions, the kernel takes %d",
		                    p->len, BPF_MAXINSNS);
	if (keyed)
		hk_seccomp_cache_store(key, p);
	return 0;
}

int hk_seccomp_build(const hk_seccomp *s, hk_seccomp_prog **out, hk_err *err)
{
	hk_seccomp_prog *p = calloc(1, sizeof(*p));
	if (!p)
		return hk_err_set(err, ENOMEM, SEC);
	int r = compile(s, p, err);
	if (r < 0) {
		hk_seccomp_prog_free(p);
		return r;
	}
	*out = p;
	return 0;
}

void hk_seccomp_prog_free(hk_seccomp_prog *p)
{
	if (!p)
		return;
	free(p->insns);
	free(p);
}

int hk_seccomp_load(const hk_seccomp_prog *p, int *notify_fd, hk_err *err)
{
	struct sock_fprog prog = {.len = (unsigned short)p->len, .filter = p->insns};
	*notify_fd = -1;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
	if (r < 0)
		return hk_err_set(err, errno, SEC ": load the filter");
	if (p->listener)
		*notify_fd = (int)r;
	return 0;
}

int hk_seccomp_send_listener(const char *path, const char *state_json, int fd, hk_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return hk_err_plain(err, ENAMETOOLONG, SEC ".listenerPath: %s: path too long",
		                    path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return hk_err_set(err, errno, SEC ".listenerPath: socket");
	int r;
	while ((r = connect(sock, (struct sockaddr *)&sa, sizeof(sa))) < 0 && errno == EINTR)
		;
	if (r < 0)
		return hk_err_set(err, errno,
		                  SEC ".listenerPath: connect to the seccomp agent at %s", path);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	size_t len = strlen(state_json), off = 0;
	struct iovec iov = {.iov_base = (void *)state_json, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	/* the fd goes with the first bytes; a stream may take the rest later */
	while (off < len) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hk_err_set(err, n < 0 ? errno : EIO,
			                  SEC ".listenerPath: send the seccomp fd to %s", path);
		off += (size_t)n;
		iov.iov_base = (char *)state_json + off;
		iov.iov_len = len - off;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	return 0;
}
