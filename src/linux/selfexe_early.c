/* selfexe_early.c - selfexe.c's re-execution, done before the C library
 * starts (static x86-64 builds; see the Makefile).
 *
 * A verb that puts processes in a container re-executes husk from a
 * read-only view of its binary (CVE-2019-5736, selfexe.c).  Started
 * normally, the first image would pay for a whole start of the static C
 * library it throws away at once: glibc probes the CPU with about a
 * hundred cpuid instructions (each a trap to the hypervisor in a VM: ~0.35
 * ms here) and resolves every ifunc, touching pages it never uses again.
 * So the binary's entry point is hk_early_entry: in the obvious case -
 * host root (no user namespace), one of those verbs, the binary on a
 * writable mount - it makes the same view as selfexe.c's first choice (a
 * detached read-only clone of the binary's mount, open_tree +
 * mount_setattr) and executes it, with raw system calls only; then
 * glibc's _start runs in the re-executed image alone.
 *
 * Nothing depends on it: in any other case, or when a step fails, it
 * returns and _start goes on as always; main() then finds husk already on
 * a read-only mount, or does the whole of hk_selfexe_readonly() itself
 * (rootless and user namespace ways, errors reported).  A wrong guess at
 * the verb only costs or saves a re-execution main() would decide anyway.
 *
 * The code below runs before TLS, errno, the stack protector's canary and
 * ifunc relocation exist: no C library call, no stack protector, no
 * compiler-made memcpy/memset (the Makefile builds this file freestanding). */
#include "linux/selfexe_early.h"

int hk_early_exe_readonly;

#if defined(__x86_64__) && defined(__linux__)

#include <fcntl.h>
#include <linux/mount.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

void hk_early_entry(void);
void hk_early(long *sp);

/* The kernel starts the process here with the stack pointer at argc and
 * rdx holding a function for atexit (0 for a static binary; kept as it
 * is for _start).  The stack is 16-byte aligned, as a call expects. */
__asm__(".text\n"
        ".globl hk_early_entry\n"
        ".type hk_early_entry, @function\n"
        "hk_early_entry:\n"
        "	mov %rdx, %r12\n" /* callee-saved: survives hk_early */
        "	mov %rsp, %rdi\n"
        "	call hk_early\n"
        "	mov %r12, %rdx\n"
        "	jmp _start\n"
        ".size hk_early_entry, .-hk_early_entry\n");

static long sys6(long nr, long a, long b, long c, long d, long e)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
	                 : "rcx", "r11", "memory");
	return ret;
}

#define sys(nr, a, b, c) sys6(nr, (long)(a), (long)(b), (long)(c), 0, 0)

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The verb, as main()'s getopt_long_only() would find it: the first
 * argument that is no global option nor an option's value. */
static const char *find_verb(int argc, char **argv)
{
	static const char *const with_value[] = {"root", "log", "log-format", "rootless"};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-')
			return a;
		if (streq(a, "--"))
			return i + 1 < argc ? argv[i + 1] : NULL;
		const char *name = a + 1 + (a[1] == '-');
		bool has_eq = false;
		for (const char *p = name; *p; p++)
			has_eq = has_eq || *p == '=';
		for (size_t k = 0; !has_eq && k < sizeof(with_value) / sizeof(*with_value); k++)
			if (streq(name, with_value[k]))
				i++; /* the value is the next argument */
	}
	return NULL;
}

/* main()'s list (into_container) */
static bool into_container(const char *verb)
{
	return verb && (streq(verb, "create") || streq(verb, "run") || streq(verb, "exec") ||
	                streq(verb, "box"));
}

static bool on_readonly_mount(int fd)
{
	struct statfs st;
	/* the system call fills st (inline assembly: the analyzer cannot see it) */
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
	return sys(SYS_fstatfs, fd, &st, 0) == 0 && (st.f_flags & ST_RDONLY);
}

/* Is this the initial user namespace (uid_map "0 0 4294967295", one
 * line)?  As hk_in_user_namespace(), which main() asks again. */
static bool initial_userns(void)
{
	char buf[128];
	int fd = (int)sys(SYS_open, "/proc/self/uid_map", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return false;
	long n = sys(SYS_read, fd, buf, sizeof(buf) - 1);
	sys(SYS_close, fd, 0, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	static const unsigned long want[3] = {0, 0, 4294967295UL};
	const char *p = buf;
	for (int k = 0; k < 3; k++) {
		while (*p == ' ')
			p++;
		unsigned long v = 0;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (unsigned long)(*p++ - '0');
		if (v != want[k])
			return false;
	}
	return streq(p, "\n");
}

__attribute__((used)) void hk_early(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (!into_container(find_verb(argc, argv)) || sys(SYS_geteuid, 0, 0, 0) != 0)
		return;
	int self = (int)sys(SYS_open, "/proc/self/exe", O_PATH | O_CLOEXEC, 0);
	if (self < 0)
		return;
	int view = -1;
	if (on_readonly_mount(self))
		hk_early_exe_readonly = 1;
	else if (initial_userns()) {
		view = (int)sys(SYS_open_tree, self, "",
		                AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if (view >= 0 && (sys6(SYS_mount_setattr, view, (long)"", AT_EMPTY_PATH,
		                       (long)&attr, sizeof(attr)) < 0 ||
		                  !on_readonly_mount(view))) {
			sys(SYS_close, view, 0, 0);
			view = -1;
		}
	}
	sys(SYS_close, self, 0, 0);
	if (view < 0)
		return;
	sys6(SYS_execveat, view, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH);
	sys(SYS_close, view, 0, 0); /* failed: main() tries again, and says why */
}

#endif
