/* seccomp_enosys.c - the stub before libseccomp's program that makes
 * syscalls newer than the profile fail with ENOSYS (see seccomp_filter.h).
 *
 * libseccomp 2.5 has one default action for every syscall the profile
 * does not name, known or not; runc's patchbpf prepends such a stub, and
 * this is the same idea:
 *
 *       ld  [arch]
 *       jeq AUDIT_ARCH_a, section_a          one per architecture
 *       ...
 *       ja  filter
 *   section_a:
 *       ld  [nr]
 *       (s390, s390x: jeq 0, enosys -- unknown large syscalls land on 0)
 *       (x86_64: jset 0x40000000 picks the x32 or the x86_64 bound)
 *       jgt MAX_a, enosys, filter
 *       ...
 *   enosys:
 *       ret ERRNO(ENOSYS)
 *   filter:
 *       libseccomp's program (it checks the architecture again)
 *
 * MAX_a is the largest number of a syscall the profile names, whatever
 * its action.  Like runc's, the bound is a heuristic: a syscall numbered
 * below it that the profile does not name still gets the default action.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "linux/seccomp_internal.h"
#include "util/cleanup.h"

#define X32_SYSCALL_BIT 0x40000000U
#define MAX_GROUPS      32

/* One kernel architecture (x86_64 and x32 share AUDIT_ARCH_X86_64). */
typedef struct group {
	uint32_t audit;
	int max;     /* -1: the profile has none */
	int max_x32; /* x86_64 only */
	bool s390;
} group;

static void add_arch(const hk_seccomp *s, uint32_t arch, group *g, size_t *n)
{
	int max = hk_seccomp_max_syscall(s, arch);
	if (max < 0)
		return;
	uint32_t audit = arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : arch;
	size_t i = 0;
	while (i < *n && g[i].audit != audit)
		i++;
	if (i == *n) {
		if (*n == MAX_GROUPS)
			return;
		g[(*n)++] = (group){.audit = audit, .max = -1, .max_x32 = -1};
	}
	if (arch == SCMP_ARCH_X32)
		g[i].max_x32 = max;
	else
		g[i].max = max;
	g[i].s390 = arch == SCMP_ARCH_S390 || arch == SCMP_ARCH_S390X;
}

/* Jump targets before layout: the next instruction, the ENOSYS return,
 * the start of libseccomp's program, or an index (>= 0). */
enum { T_NEXT = -1, T_ENOSYS = -2, T_FILTER = -3 };

typedef struct ins {
	uint16_t code;
	uint32_t k;
	int jt, jf; /* targets; JA: jt */
} ins;

typedef struct stub {
	ins v[4 + MAX_GROUPS * 6];
	size_t n;
} stub;

static size_t emit(stub *st, uint16_t code, uint32_t k, int jt, int jf)
{
	st->v[st->n] = (ins){.code = code, .k = k, .jt = jt, .jf = jf};
	return st->n++;
}

#define LD(off)           emit(st, BPF_LD | BPF_W | BPF_ABS, (off), T_NEXT, T_NEXT)
#define JMP(op, k, t, f)  emit(st, BPF_JMP | (op) | BPF_K, (k), (t), (f))
#define JGT_ENOSYS(bound) JMP(BPF_JGT, (uint32_t)(bound), T_ENOSYS, T_FILTER)

static void section(stub *st, const group *g)
{
	LD(offsetof(struct seccomp_data, nr));
	if (g->s390)
		JMP(BPF_JEQ, 0, T_ENOSYS, T_NEXT);
	if (g->audit != AUDIT_ARCH_X86_64) {
		JGT_ENOSYS(g->max);
	} else if (g->max >= 0 && g->max_x32 >= 0) {
		size_t at = JMP(BPF_JSET, X32_SYSCALL_BIT, T_NEXT, T_NEXT);
		JGT_ENOSYS(g->max);
		st->v[at].jt = (int)JGT_ENOSYS(g->max_x32);
	} else if (g->max >= 0) {
		JMP(BPF_JSET, X32_SYSCALL_BIT, T_FILTER, T_NEXT);
		JGT_ENOSYS(g->max);
	} else {
		JMP(BPF_JSET, X32_SYSCALL_BIT, T_NEXT, T_FILTER);
		JGT_ENOSYS(g->max_x32);
	}
}

static int resolve(const stub *st, size_t i, int target, size_t enosys, uint32_t *off)
{
	size_t to = target == T_NEXT     ? i + 1
	            : target == T_ENOSYS ? enosys
	            : target == T_FILTER ? st->n
	                                 : (size_t)target;
	*off = (uint32_t)(to - (i + 1));
	return to > i ? 0 : -1;
}

/* The stub as sock_filter instructions (offsets from the targets). */
static int assemble(const stub *st, size_t enosys, struct sock_filter *out, hk_err *err)
{
	for (size_t i = 0; i < st->n; i++) {
		const ins *x = &st->v[i];
		uint32_t t = 0, f = 0;
		out[i] = (struct sock_filter){.code = x->code, .k = x->k};
		if (BPF_CLASS(x->code) != BPF_JMP)
			continue;
		if (resolve(st, i, x->jt, enosys, &t) < 0 || resolve(st, i, x->jf, enosys, &f) < 0)
			return hk_err_plain(err, EPROTO, "linux.seccomp: ENOSYS stub: bad jump");
		if (BPF_OP(x->code) == BPF_JA) {
			out[i].k = t;
			continue;
		}
		if (t > 255 || f > 255)
			return hk_err_plain(err, E2BIG, "linux.seccomp: ENOSYS stub: jump too far");
		out[i].jt = (uint8_t)t;
		out[i].jf = (uint8_t)f;
	}
	return 0;
}

int hk_seccomp_prepend_enosys(const hk_seccomp *s, hk_seccomp_prog *p, hk_err *err)
{
	group g[MAX_GROUPS];
	size_t ng = 0;
	/* libseccomp always filters the native architecture */
	add_arch(s, seccomp_arch_native(), g, &ng);
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t a = hk_seccomp_arch_value(s->architectures[i]);
		if (a)
			add_arch(s, a, g, &ng);
	}
	if (ng == 0)
		return 0;
	stub sv = {.n = 0}, *st = &sv;
	LD(offsetof(struct seccomp_data, arch));
	size_t first_jeq = st->n;
	for (size_t i = 0; i < ng; i++)
		JMP(BPF_JEQ, g[i].audit, T_NEXT, T_NEXT);
	emit(st, BPF_JMP | BPF_JA, 0, T_FILTER, T_NEXT);
	for (size_t i = 0; i < ng; i++) {
		st->v[first_jeq + i].jt = (int)st->n;
		section(st, &g[i]);
	}
	size_t enosys = emit(st, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, T_NEXT, T_NEXT);

	struct sock_filter *all = calloc(st->n + p->len, sizeof(*all));
	if (!all)
		return hk_err_set(err, ENOMEM, "linux.seccomp");
	int r = assemble(st, enosys, all, err);
	if (r < 0) {
		free(all);
		return r;
	}
	memcpy(all + st->n, p->insns, p->len * sizeof(*all));
	free(p->insns);
	p->insns = all;
	p->len += st->n;
	return 0;
}
