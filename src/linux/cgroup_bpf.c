/* cgroup_bpf.c - cgroup v2 device control: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program encoded by hand (no libbpf) from the emulated v1 state of
 * cgroup_devices.c, loaded with bpf(2) and attached to the cgroup.
 *
 * The program, for the device the kernel asks about (struct
 * bpf_cgroup_dev_ctx: access_type = access << 16 | type, major, minor):
 *
 *   r2 = type, r3 = access, r4 = major, r5 = minor
 *   for each exception (any order: they all have the same verdict):
 *     if r2 != its type goto next
 *     if r4 != its major goto next          (not for a wildcard major)
 *     if r5 != its minor goto next          (not for a wildcard minor)
 *     deny by default:  if (r3 & its access) != r3 goto next   (all granted)
 *     allow by default: if (r3 & its access) == 0 goto next    (any denied)
 *     return the exception's verdict
 *   next: ...
 *   return the default
 *
 * which is how v1 decides (the kernel's match_exception and
 * match_exception_partial).  Returning 1 allows, 0 denies (EPERM). */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/cgroup_devices.h"
#include "util/cleanup.h"

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(d, s, o)     INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_K(op, d, i)  INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_X(d, s)      INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_K(d, i)      INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define JMP_K(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_X(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
/* a 64-bit constant takes two instruction slots */
#define LD_IMM64_1(d, v) INSN(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)(v))
#define LD_IMM64_2(v)    INSN(0, 0, 0, 0, (int32_t)((uint64_t)(v) >> 32))
#define EXIT()           INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* a jump to the next block, patched once the block's length is known */
#define TO_NEXT INT16_MIN

struct block {
	struct bpf_insn i[16];
	size_t n;
};

static void emit(struct block *b, struct bpf_insn insn)
{
	b->i[b->n++] = insn;
}

/* if REG != V goto next.  The context's u32 sits zero-extended in REG; an
 * immediate is sign-extended, so a value above INT32_MAX goes through r1. */
static void jne_value(struct block *b, int reg, int64_t v)
{
	if (v <= INT32_MAX) {
		emit(b, JMP_K(BPF_JNE, reg, (int32_t)v, TO_NEXT));
		return;
	}
	emit(b, LD_IMM64_1(BPF_REG_1, v));
	emit(b, LD_IMM64_2(v));
	emit(b, JMP_X(BPF_JNE, reg, BPF_REG_1, TO_NEXT));
}

static void ex_block(struct block *b, const struct hk_devcg_ex *e, bool default_allow)
{
	b->n = 0;
	emit(b, JMP_K(BPF_JNE, BPF_REG_2, e->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR,
	              TO_NEXT));
	if (e->major >= 0)
		jne_value(b, BPF_REG_4, e->major);
	if (e->minor >= 0)
		jne_value(b, BPF_REG_5, e->minor);
	/* an allow exception of "rwm" covers every request; a deny exception
	 * only one asking some access (access(F_OK) on a node asks none, and
	 * v1 allows it where the default allows) */
	if (default_allow || (e->access & ACC_ALL) != ACC_ALL) {
		emit(b, MOV32_X(BPF_REG_1, BPF_REG_3));
		emit(b, ALU32_K(BPF_AND, BPF_REG_1, (int32_t)e->access));
		emit(b, default_allow ? JMP_K(BPF_JEQ, BPF_REG_1, 0, TO_NEXT)
		                      : JMP_X(BPF_JNE, BPF_REG_1, BPF_REG_3, TO_NEXT));
	}
	emit(b, MOV64_K(BPF_REG_0, default_allow ? 0 : 1));
	emit(b, EXIT());
	for (size_t k = 0; k < b->n; k++)
		if (BPF_CLASS(b->i[k].code) == BPF_JMP && b->i[k].off == TO_NEXT)
			b->i[k].off = (int16_t)(b->n - k - 1);
}

int hk_devcg_program(const struct hk_devcg *s, struct bpf_insn **prog, size_t *n, hk_err *err)
{
	const struct bpf_insn head[] = {
	    LDX_W(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type)),
	    ALU32_K(BPF_AND, BPF_REG_2, 0xffff),
	    LDX_W(BPF_REG_3, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type)),
	    ALU32_K(BPF_RSH, BPF_REG_3, 16),
	    LDX_W(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major)),
	    LDX_W(BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor)),
	};
	const size_t nh = HK_ARRAY_SIZE(head);
	struct bpf_insn *p =
	    calloc(nh + s->n_ex * HK_ARRAY_SIZE(((struct block *)0)->i) + 2, sizeof(*p));
	if (!p)
		return hk_err_set(err, ENOMEM, "device program");
	memcpy(p, head, sizeof(head));
	size_t len = nh;
	for (size_t i = 0; i < s->n_ex; i++) {
		struct block b;
		ex_block(&b, &s->ex[i], s->default_allow);
		memcpy(p + len, b.i, b.n * sizeof(*p));
		len += b.n;
	}
	p[len++] = MOV64_K(BPF_REG_0, s->default_allow ? 1 : 0);
	p[len++] = EXIT();
	*prog = p;
	*n = len;
	return 0;
}

/* ---- bpf(2) ---- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int prog_load(const struct bpf_insn *prog, size_t n, char *log, size_t log_size)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = ptr(prog);
	a.insn_cnt = (uint32_t)n;
	/* the verifier only asks for a GPL-compatible license when a
	 * GPL-only helper is called, and this program calls none */
	a.license = ptr("GPL");
	if (log) {
		log[0] = '\0';
		a.log_buf = ptr(log);
		a.log_size = (uint32_t)log_size;
		a.log_level = 1;
	}
	return sys_bpf(BPF_PROG_LOAD, &a);
}

/* Load PROG; before Linux 5.11 programs counted against RLIMIT_MEMLOCK
 * (EPERM when over it): retry once with it raised, then put it back (the
 * container inherits husk's limits). */
static int load(const struct bpf_insn *prog, size_t n, hk_err *err)
{
	int fd = prog_load(prog, n, NULL, 0);
	struct rlimit old, inf = {RLIM_INFINITY, RLIM_INFINITY};
	if (fd < 0 && errno == EPERM && getrlimit(RLIMIT_MEMLOCK, &old) == 0 &&
	    setrlimit(RLIMIT_MEMLOCK, &inf) == 0) {
		fd = prog_load(prog, n, NULL, 0);
		int saved = errno;
		setrlimit(RLIMIT_MEMLOCK, &old);
		errno = saved;
	}
	if (fd >= 0)
		return fd;
	int e = errno;
	/* (the verifier refuses a program with EACCES or EINVAL) */
	if (e == EPERM)
		return hk_err_set(err, e,
		                  "cannot load the eBPF device program (that needs CAP_SYS_ADMIN, "
		                  "or CAP_BPF and CAP_NET_ADMIN)");
	/* once more with the verifier's log, for the message */
	const size_t log_size = 64 * 1024;
	_cleanup_free_ char *log = calloc(1, log_size);
	if (log && (fd = prog_load(prog, n, log, log_size)) >= 0)
		return fd;
	const char *tail = "";
	if (log && *log) {
		size_t l = strlen(log);
		while (l > 0 && log[l - 1] == '\n')
			log[--l] = '\0';
		tail = l > 300 ? log + l - 300 : log;
		for (char *c = log; *c; c++)
			if (*c == '\n')
				*c = ' ';
	}
	char why[400];
	snprintf(why, sizeof(why), "%s%s%s", *tail ? " (verifier: " : "", tail, *tail ? ")" : "");
	return hk_err_set(err, e, "cannot load the eBPF device program%s", why);
}

/* The ids of the device programs attached to DIRFD itself; *IDS malloc'd. */
static int query(int dirfd, uint32_t **ids, uint32_t *n, hk_err *err)
{
	for (uint32_t cap = 64;; cap *= 2) {
		_cleanup_free_ uint32_t *buf = calloc(cap, sizeof(*buf));
		if (!buf)
			return hk_err_set(err, ENOMEM, "eBPF device programs");
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.query.target_fd = (uint32_t)dirfd;
		a.query.attach_type = BPF_CGROUP_DEVICE;
		a.query.prog_ids = ptr(buf);
		a.query.prog_cnt = cap;
		if (sys_bpf(BPF_PROG_QUERY, &a) == 0) {
			*ids = hk_steal_ptr(&buf);
			*n = a.query.prog_cnt;
			return 0;
		}
		if (errno != ENOSPC || cap >= 65536)
			return hk_err_set(err, errno,
			                  "cannot list the attached eBPF device programs");
	}
}

static int prog_id(int fd, uint32_t *id)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = ptr(&info);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
		return -errno;
	*id = info.id;
	return 0;
}

/* Detach every device program of DIRFD but KEEP (its id). */
static int detach_others(int dirfd, uint32_t keep, hk_err *err)
{
	_cleanup_free_ uint32_t *ids = NULL;
	uint32_t n = 0;
	int r = query(dirfd, &ids, &n, err);
	for (uint32_t i = 0; r == 0 && i < n; i++) {
		if (ids[i] == keep)
			continue;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.prog_id = ids[i];
		_cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0 && errno == ENOENT) /* gone meanwhile */
			continue;
		if (fd < 0)
			return hk_err_set(err, errno,
			                  "cannot open the earlier eBPF device program");
		memset(&a, 0, sizeof(a));
		a.target_fd = (uint32_t)dirfd;
		a.attach_bpf_fd = (uint32_t)fd;
		a.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
			return hk_err_set(err, errno,
			                  "cannot detach the earlier eBPF device program");
	}
	return r;
}

int hk_devcg_attach(int dirfd, bool fresh, const struct bpf_insn *prog, size_t n, hk_err *err)
{
	_cleanup_close_ int fd = load(prog, n, err);
	if (fd < 0)
		return fd;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dirfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	/* other programs may be attached here and above: each must allow */
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return hk_err_set(err, errno, "cannot attach the eBPF device program");
	/* a cgroup husk has just made had no program before this one */
	if (fresh)
		return 0;
	/* the new policy is in force: now the one it replaces may go */
	uint32_t id = 0;
	int r = prog_id(fd, &id);
	if (r < 0)
		return hk_err_set(err, -r, "eBPF device program");
	/* closing FD leaves the program to the cgroup: it lives while attached */
	return detach_others(dirfd, id, err);
}
