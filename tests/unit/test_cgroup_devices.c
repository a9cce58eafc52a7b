/* test_cgroup_devices.c - device control: the emulation of v1's rule
 * semantics (decisions for rule lists, errors naming the rule), the v2
 * eBPF program run through a small interpreter and compared with the
 * emulation device by device, the emulation compared with what the v1
 * kernel makes of the same rules (devices.list, on hosts with a v1 devices
 * hierarchy), and the program loaded into a real cgroup2 cgroup (pure v2,
 * or the unified hierarchy of a hybrid host) deciding what a process in it
 * may open, and replaced by a second one.  Runs as root; every cgroup it
 * makes is named husk-unit-dev-<pid>-N and removed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/cgroup.h"
#include "linux/cgroup_devices.h"
#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define R  BPF_DEVCG_ACC_READ
#define W  BPF_DEVCG_ACC_WRITE
#define M  BPF_DEVCG_ACC_MKNOD
#define RW (R | W)

static int seq;

/* The emulated state after the whole policy for RULES (NULL on error,
 * with the message in *E). */
static struct hk_devcg *build(const hk_device_rule *rules, size_t n, hk_err *e)
{
	static struct hk_devcg s;
	hk_devcg_free(&s);
	return hk_devcg_build(&s, rules, n, NULL, 0, e) == 0 ? &s : NULL;
}

#define RULE(allow, type, major, minor, access)                                                    \
	{                                                                                          \
		allow, type, major, minor, access                                                  \
	}
#define BUILD(e, ...)                                                                              \
	({                                                                                         \
		static const hk_device_rule _r[] = {__VA_ARGS__};                                  \
		build(_r, HK_ARRAY_SIZE(_r), e);                                                   \
	})

static bool allows(const struct hk_devcg *s, char type, uint32_t ma, uint32_t mi, unsigned acc)
{
	return s && hk_devcg_allows(s, type, ma, mi, acc);
}

TEST(defaults_only)
{
	hk_err e;
	struct hk_devcg *s = build(NULL, 0, &e);
	CHECK(s && !s->default_allow);
	CHECK(allows(s, 'c', 1, 3, RW));    /* null */
	CHECK(allows(s, 'c', 136, 7, RW));  /* a pts */
	CHECK(allows(s, 'c', 5, 2, R | W)); /* ptmx */
	CHECK(allows(s, 'c', 42, 1, M));    /* mknod of anything */
	CHECK(allows(s, 'b', 8, 0, M));
	CHECK(!allows(s, 'c', 1, 11, W)); /* kmsg */
	CHECK(!allows(s, 'c', 1, 1, R));  /* mem */
	CHECK(!allows(s, 'b', 8, 0, R));
	CHECK(!allows(s, 'c', 42, 1, R | M));
}

TEST(order_and_resets)
{
	hk_err e;
	/* the last word on c 1:11 w wins */
	struct hk_devcg *s = BUILD(&e, RULE(false, 'a', -1, -1, "rwm"),
	                           RULE(true, 'c', 1, 11, "rw"), RULE(false, 'c', 1, 11, "w"));
	CHECK(allows(s, 'c', 1, 11, R) && !allows(s, 'c', 1, 11, W) && !allows(s, 'c', 1, 11, RW));
	s = BUILD(&e, RULE(false, 'c', 1, 11, "w"), RULE(true, 'c', 1, 11, "w"));
	CHECK(allows(s, 'c', 1, 11, W) && !allows(s, 'c', 1, 11, R));
	/* an "a" rule forgets what came before it */
	s = BUILD(&e, RULE(true, 'c', 1, 11, "rwm"), RULE(false, 'a', -1, -1, "r"));
	CHECK(s && !allows(s, 'c', 1, 11, W));
	s = BUILD(&e, RULE(false, 'a', -1, -1, NULL), RULE(true, 'a', -1, -1, NULL));
	CHECK(s && s->default_allow && s->n_ex == 0 && allows(s, 'b', 8, 0, RW | M));
	/* exceptions for the same device merge: rw from r and w */
	s = BUILD(&e, RULE(true, 'c', 1, 11, "r"), RULE(true, 'c', 1, 11, "w"));
	CHECK(allows(s, 'c', 1, 11, RW));
	/* ... but one exception must grant all of an O_RDWR open */
	s = BUILD(&e, RULE(true, 'c', 1, -1, "r"), RULE(true, 'c', -1, 11, "w"));
	CHECK(allows(s, 'c', 1, 11, R) && allows(s, 'c', 1, 11, W) && !allows(s, 'c', 1, 11, RW));
	/* wildcards and types */
	s = BUILD(&e, RULE(true, 'c', 10, -1, "rw"));
	CHECK(allows(s, 'c', 10, 229, RW) && !allows(s, 'b', 10, 229, R) &&
	      !allows(s, 'c', 11, 229, R));
	/* no access string: rwm, as the v1 line written */
	s = BUILD(&e, RULE(true, 'b', 7, 0, NULL));
	CHECK(allows(s, 'b', 7, 0, RW) && !allows(s, 'b', 7, 1, R));
}

TEST(allow_by_default)
{
	hk_err e;
	struct hk_devcg *s =
	    BUILD(&e, RULE(true, 'a', -1, -1, "rwm"), RULE(false, 'c', 1, 11, "w"));
	CHECK(s && s->default_allow);
	CHECK(allows(s, 'c', 1, 11, R) && !allows(s, 'c', 1, 11, W));
	CHECK(!allows(s, 'c', 1, 11, RW)); /* any denied bit denies */
	CHECK(allows(s, 'b', 8, 0, RW) && allows(s, 'c', 1, 1, R));
	/* an allow after a deny takes it back (exact match) */
	s = BUILD(&e, RULE(true, 'a', -1, -1, NULL), RULE(false, 'c', 1, 11, "rw"),
	          RULE(true, 'c', 1, 11, "w"));
	CHECK(allows(s, 'c', 1, 11, W) && !allows(s, 'c', 1, 11, R));
	/* a deny of a default device is undone by the defaults, as in runc */
	s = BUILD(&e, RULE(true, 'a', -1, -1, NULL), RULE(false, 'c', 1, 3, "rwm"));
	CHECK(allows(s, 'c', 1, 3, RW));
	s = BUILD(&e, RULE(false, 'c', 1, 3, "rwm"));
	CHECK(allows(s, 'c', 1, 3, RW));
}

TEST(nodes_allowed)
{
	hk_err e;
	struct hk_devcg s = {0};
	hk_device nodes[] = {
	    {.path = "/dev/kmsg", .type = 'c', .major = 1, .minor = 11},
	    {.path = "/dev/fuse", .type = 'u', .major = 10, .minor = 229},
	    {.path = "/dev/loop9", .type = 'b', .major = 7, .minor = 9},
	    {.path = "/dev/fifo", .type = 'p'},
	};
	hk_device_rule deny = {.type = 'a', .major = -1, .minor = -1};
	CHECK_OK(hk_devcg_build(&s, &deny, 1, nodes, HK_ARRAY_SIZE(nodes), &e), e);
	CHECK(allows(&s, 'c', 1, 11, RW) && allows(&s, 'c', 10, 229, RW | M) &&
	      allows(&s, 'b', 7, 9, RW));
	CHECK(!allows(&s, 'c', 0, 0, R) && !allows(&s, 'b', 7, 8, R));
	/* a node comes after the rules: a rule cannot deny it */
	hk_device_rule deny_kmsg = {.type = 'c', .major = 1, .minor = 11, .access = "rwm"};
	CHECK_OK(hk_devcg_build(&s, &deny_kmsg, 1, nodes, 1, &e), e);
	CHECK(allows(&s, 'c', 1, 11, W));
	hk_devcg_free(&s);
}

TEST(errors_name_the_rule)
{
	hk_err e = {0};
	/* v1 would ignore the deny (no exception c 1:11): refused, as runc */
	CHECK(!BUILD(&e, RULE(false, 'a', -1, -1, NULL), RULE(true, 'c', -1, -1, "rwm"),
	             RULE(false, 'c', 1, 11, "w")));
	CHECK(e.code == EINVAL &&
	      strstr(e.msg, "linux.resources.devices[2]: denying \"c 1:11 w\"") &&
	      strstr(e.msg, "\"c *:* rwm\""));
	CHECK(!BUILD(&e, RULE(true, 'c', 1, -1, "rw"), RULE(false, 'c', 1, 3, "r")));
	CHECK(strstr(e.msg, "devices[1]") && strstr(e.msg, "\"c 1:* rw\""));
	/* no overlap in access: nothing is ignored */
	CHECK(BUILD(&e, RULE(true, 'c', -1, -1, "r"), RULE(false, 'c', 1, 11, "w")) != NULL);
	/* other type: not the same wildcard */
	CHECK(BUILD(&e, RULE(true, 'b', -1, -1, "rw"), RULE(false, 'c', 1, 11, "w")) != NULL);
	/* allowing everything, then denying every char device: the defaults
	 * (allow c 1:3 ...) would have to punch holes */
	CHECK(!BUILD(&e, RULE(true, 'a', -1, -1, NULL), RULE(false, 'c', -1, -1, "rw")));
	CHECK(strstr(e.msg, "default device rule \"c 1:3 rwm\": allowing"));
	CHECK(!BUILD(&e, RULE(true, 'c', 4294967296LL, 1, "r")));
	CHECK(strstr(e.msg, "linux.resources.devices[0].major: 4294967296 is out of range"));
	CHECK(!BUILD(&e, RULE(true, 'x', 1, 1, "r")));
	CHECK(strstr(e.msg, "devices[0].type"));
	hk_resources res = {0};
	hk_device_rule bad[] = {RULE(true, 'c', -1, -1, "r"), RULE(false, 'c', 5, -1, "r")};
	res.devices = bad;
	res.n_devices = 2;
	CHECK(hk_cg_check_devices(&res, &e) == -EINVAL && strstr(e.msg, "devices[1]"));
}

/* ---- the program, run by a small interpreter of what it uses ---- */

/* The verdict of PROG for the device (-1: a bad program). */
static int run_prog(const struct bpf_insn *p, size_t n, char type, uint32_t major, uint32_t minor,
                    unsigned access)
{
	uint32_t ctx[3] = {access << 16 | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
	                   major, minor};
	uint64_t r[11] = {0};
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t b = BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
		bool jump = false;
		if (i->dst_reg > 10)
			return -1;
		switch (BPF_CLASS(i->code)) {
		case BPF_LDX:
			if (i->code != (BPF_LDX | BPF_MEM | BPF_W) || i->src_reg != BPF_REG_1 ||
			    i->off % 4 || i->off < 0 || i->off > 8)
				return -1;
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_LD:
			/* BPF_LD and BPF_IMM are both 0: the opcode spelled out */
			/* NOLINTNEXTLINE(misc-redundant-expression) */
			if (i->code != (BPF_LD | BPF_DW | BPF_IMM) || pc + 1 >= n)
				return -1;
			r[i->dst_reg] = (uint32_t)i->imm | (uint64_t)(uint32_t)p[pc + 1].imm << 32;
			pc++;
			break;
		case BPF_ALU:
			switch (BPF_OP(i->code)) {
			case BPF_AND:
				r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & b);
				break;
			case BPF_RSH:
				r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> (b & 31);
				break;
			case BPF_MOV:
				r[i->dst_reg] = (uint32_t)b;
				break;
			default:
				return -1;
			}
			break;
		case BPF_ALU64:
			if (BPF_OP(i->code) != BPF_MOV)
				return -1;
			r[i->dst_reg] = b;
			break;
		case BPF_JMP:
			switch (BPF_OP(i->code)) {
			case BPF_EXIT:
				return (int)r[0];
			case BPF_JNE:
				jump = r[i->dst_reg] != b;
				break;
			case BPF_JEQ:
				jump = r[i->dst_reg] == b;
				break;
			default:
				return -1;
			}
			if (jump && (i->off < 0 || pc + 1 + i->off >= n))
				return -1;
			if (jump)
				pc += i->off;
			break;
		default:
			return -1;
		}
	}
	return -1; /* fell off the end */
}

/* Does the program of RULES decide as the emulation, on every device and
 * access of a grid around the rules' numbers? */
static void program_matches(const hk_device_rule *rules, size_t n)
{
	hk_err e;
	struct hk_devcg s = {0};
	struct bpf_insn *prog = NULL;
	size_t len = 0;
	if (CHECK_OK(hk_devcg_build(&s, rules, n, NULL, 0, &e), e) < 0 ||
	    CHECK_OK(hk_devcg_program(&s, &prog, &len, &e), e) < 0)
		return;
	static const uint32_t nums[] = {0, 1, 3, 5, 7, 11, 136, 229, 4095, 3000000000u};
	size_t bad = 0;
	for (int t = 0; t < 2; t++)
		for (size_t a = 0; a < HK_ARRAY_SIZE(nums); a++)
			for (size_t b = 0; b < HK_ARRAY_SIZE(nums); b++)
				for (unsigned acc = 1; acc <= 7; acc++) {
					char type = t ? 'b' : 'c';
					bool want =
					    hk_devcg_allows(&s, type, nums[a], nums[b], acc);
					int got = run_prog(prog, len, type, nums[a], nums[b], acc);
					if (got != (want ? 1 : 0) && bad++ < 3)
						fprintf(stderr, "  %c %u:%u acc %u: program %d\n",
						        type, nums[a], nums[b], acc, got);
				}
	CHECK(bad == 0);
	free(prog);
	hk_devcg_free(&s);
}

#define PROGRAM_MATCHES(...)                                                                       \
	do {                                                                                       \
		static const hk_device_rule _r[] = {__VA_ARGS__};                                  \
		program_matches(_r, HK_ARRAY_SIZE(_r));                                            \
	} while (0)

TEST(program_decides_as_v1)
{
	program_matches(NULL, 0);
	PROGRAM_MATCHES(RULE(false, 'a', -1, -1, "rwm"));
	PROGRAM_MATCHES(RULE(true, 'a', -1, -1, "rwm"));
	PROGRAM_MATCHES(RULE(true, 'a', -1, -1, NULL), RULE(false, 'c', 1, 11, "w"),
	                RULE(false, 'b', -1, 7, "r"), RULE(false, 'c', 136, -1, "m"));
	PROGRAM_MATCHES(RULE(false, 'a', -1, -1, NULL), RULE(true, 'c', 1, -1, "r"),
	                RULE(true, 'c', -1, 11, "w"), RULE(true, 'b', 3000000000LL, 5, "rw"),
	                RULE(true, 'c', 7, 3000000000LL, "rm"),
	                RULE(false, 'c', 7, 3000000000LL, "r"));
	PROGRAM_MATCHES(RULE(true, 'c', 11, 229, "rw"), RULE(true, 'b', -1, -1, "rwm"));
}

TEST(program_shape)
{
	hk_err e;
	struct hk_devcg *s = build(NULL, 0, &e);
	struct bpf_insn *prog = NULL;
	size_t n = 0;
	if (!s || CHECK_OK(hk_devcg_program(s, &prog, &n, &e), e) < 0)
		return;
	/* 6 to read the context, 2 for the default, a few per exception */
	CHECK(n > 8 && n < 6 + 2 + 9 * s->n_ex);
	CHECK(prog[n - 1].code == (BPF_JMP | BPF_EXIT) && prog[n - 2].imm == 0);
	free(prog);
}

/* ---- against the kernel ---- */

static char *unit_name(void)
{
	char *s = NULL;
	if (asprintf(&s, "husk-unit-dev-%d-%d", (int)getpid(), ++seq) < 0)
		abort();
	return s;
}

/* v1: the devices.list the kernel makes of RULES equals the emulation. */
static void v1_list_matches(hk_cgroup *cg, const hk_device_rule *rules, size_t n)
{
	hk_err e;
	struct hk_devcg s = {0};
	_cleanup_free_ char *list = NULL;
	if (CHECK_OK(hk_cgroup_set_devices(cg, rules, n, NULL, 0, &e), e) < 0 ||
	    CHECK_OK(hk_devcg_build(&s, rules, n, NULL, 0, &e), e) < 0)
		return;
	CHECK(hk_read_file_at(hk_cg_find(cg, "devices")->fd, "devices.list", &list, NULL, &e) == 0);
	size_t lines = 0;
	for (const char *p = list; p && *p; p++)
		lines += *p == '\n';
	if (s.default_allow) {
		CHECK_STREQ(list, "a *:* rwm\n");
	} else {
		CHECK(lines == s.n_ex);
		for (size_t i = 0; i < s.n_ex; i++) {
			char line[80], ma[24] = "*", mi[24] = "*", acc[4], *p = acc;
			if (s.ex[i].major >= 0)
				snprintf(ma, sizeof(ma), "%lld", (long long)s.ex[i].major);
			if (s.ex[i].minor >= 0)
				snprintf(mi, sizeof(mi), "%lld", (long long)s.ex[i].minor);
			if (s.ex[i].access & R)
				*p++ = 'r';
			if (s.ex[i].access & W)
				*p++ = 'w';
			if (s.ex[i].access & M)
				*p++ = 'm';
			*p = '\0';
			snprintf(line, sizeof(line), "%c %s:%s %s\n", s.ex[i].type, ma, mi, acc);
			if (!list || !strstr(list, line)) {
				fprintf(stderr, "  missing %s  in:\n%s", line, list ? list : "");
				CHECK(false);
			}
		}
	}
	hk_devcg_free(&s);
}

#define V1_LIST_MATCHES(cg, ...)                                                                   \
	do {                                                                                       \
		static const hk_device_rule _r[] = {__VA_ARGS__};                                  \
		v1_list_matches(cg, _r, HK_ARRAY_SIZE(_r));                                        \
	} while (0)

TEST(v1_kernel_agrees)
{
	enum hk_cgroup_layout layout;
	hk_err e;
	CHECK(hk_cgroup_layout(&layout, &e) == 0);
	if (layout == HK_CGROUP_V2) {
		printf("     (skipped v1_kernel_agrees: pure cgroup v2 host, no devices.list)\n");
		return;
	}
	_cleanup_free_ char *name = unit_name();
	hk_cgroup *cg = NULL;
	if (CHECK_OK(hk_cgroup_create(name, "x", NULL, &cg, &e), e) < 0)
		return;
	if (!hk_cg_find(cg, "devices")) {
		printf("     (skipped v1_kernel_agrees: no v1 devices hierarchy)\n");
	} else {
		v1_list_matches(cg, NULL, 0);
		V1_LIST_MATCHES(cg, RULE(false, 'a', -1, -1, NULL), RULE(true, 'c', 1, 11, "r"),
		                RULE(true, 'c', 1, 11, "w"), RULE(true, 'b', 7, -1, "rw"),
		                RULE(false, 'b', 7, -1, "w"), RULE(true, 'c', 10, 229, "m"),
		                RULE(false, 'c', 10, 229, "m"));
		V1_LIST_MATCHES(cg, RULE(true, 'c', 1, 11, "rwm"), RULE(false, 'a', -1, -1, "r"),
		                RULE(true, 'c', -1, 11, "w"));
		V1_LIST_MATCHES(cg, RULE(true, 'a', -1, -1, NULL), RULE(false, 'c', 1, 11, "w"));
		/* the node of linux.devices lands there too */
		hk_device node = {.path = "/dev/kmsg", .type = 'c', .major = 1, .minor = 11};
		_cleanup_free_ char *list = NULL;
		CHECK_OK(hk_cgroup_set_devices(cg, NULL, 0, &node, 1, &e), e);
		CHECK(hk_read_file_at(hk_cg_find(cg, "devices")->fd, "devices.list", &list, NULL,
		                      &e) == 0);
		CHECK(list && strstr(list, "c 1:11 rwm\n"));
		/* refused before anything is written */
		hk_device_rule hole[] = {RULE(true, 'c', -1, -1, "rw"),
		                         RULE(false, 'c', 1, 11, "w")};
		CHECK(hk_cgroup_set_devices(cg, hole, 2, NULL, 0, &e) == -EINVAL);
		CHECK(strstr(e.msg, "linux.resources.devices[1]"));
	}
	CHECK(hk_cgroup_destroy(cg, &e) == 0);
	hk_cgroup_free(cg);
}

/* A cgroup2 mount: /sys/fs/cgroup (v2) or /sys/fs/cgroup/unified (hybrid). */
static const char *cgroup2_mount(void)
{
	if (tu_fs_type("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup";
	if (tu_fs_type("/sys/fs/cgroup/unified") == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup/unified";
	return NULL;
}

static uint32_t attached(int dirfd)
{
	uint32_t ids[8];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)dirfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = 8;
	return syscall(__NR_bpf, BPF_PROG_QUERY, &a, sizeof(a)) == 0 ? a.query.prog_cnt : 99;
}

/* In a child moved into the cgroup DIR: bit 0 /dev/null opens for writing,
 * bit 1 /dev/kmsg opens for writing, bit 2 /dev/zero opens for reading, bit
 * 3 a char 1:11 node can be made (mknod) in TMP.  -1: the child failed. */
static int probe(const char *dir, const char *tmp)
{
	pid_t pid = fork();
	if (pid == 0) {
		char procs[512], node[512], me[16];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		snprintf(node, sizeof(node), "%s/k", tmp);
		snprintf(me, sizeof(me), "%d", (int)getpid());
		hk_err e;
		if (hk_write_file(procs, me, &e) < 0)
			_exit(100);
		int bits = 0, fd;
		const struct {
			const char *path;
			int flags;
		} o[] = {{"/dev/null", O_WRONLY}, {"/dev/kmsg", O_WRONLY}, {"/dev/zero", O_RDONLY}};
		for (int i = 0; i < 3; i++)
			if ((fd = open(o[i].path, o[i].flags | O_CLOEXEC)) >= 0 && close(fd) == 0)
				bits |= 1 << i;
		unlink(node);
		if (mknod(node, S_IFCHR | 0600, makedev(1, 11)) == 0)
			bits |= 8;
		unlink(node);
		_exit(bits);
	}
	int st = tu_wait(pid);
	return WIFEXITED(st) && WEXITSTATUS(st) < 100 ? WEXITSTATUS(st) : -1;
}

TEST(program_in_the_kernel)
{
	const char *mnt = cgroup2_mount();
	if (!mnt) {
		printf("     (skipped program_in_the_kernel: no cgroup2 mount on this host)\n");
		return;
	}
	char tmp[] = "/tmp/hk-devcg-XXXXXX";
	_cleanup_free_ char *name = unit_name(), *dir = NULL;
	if (!tu_make_tmpdir(tmp) || asprintf(&dir, "%s/%s", mnt, name) < 0 ||
	    mkdir(dir, 0755) < 0) {
		CHECK(false);
		return;
	}
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	hk_err e;
	struct hk_devcg s = {0};
	struct bpf_insn *prog = NULL;
	size_t n = 0;
	CHECK(probe(dir, tmp) == 15); /* nothing attached: all works */
	/* the default policy: null and zero yes, kmsg no, mknod yes */
	if (CHECK_OK(hk_devcg_build(&s, NULL, 0, NULL, 0, &e), e) == 0 &&
	    CHECK_OK(hk_devcg_program(&s, &prog, &n, &e), e) == 0 &&
	    CHECK_OK(hk_devcg_attach(fd, true, prog, n, &e), e) == 0) {
		CHECK(attached(fd) == 1);
		CHECK(probe(dir, tmp) == (1 | 4 | 8));
	}
	free(prog);
	prog = NULL;
	/* a second program replaces the first: kmsg writable, no mknod */
	hk_device_rule rules[] = {RULE(true, 'a', -1, -1, NULL), RULE(false, 'c', 1, 11, "m")};
	if (CHECK_OK(hk_devcg_build(&s, rules, 2, NULL, 0, &e), e) == 0 &&
	    CHECK_OK(hk_devcg_program(&s, &prog, &n, &e), e) == 0 &&
	    CHECK_OK(hk_devcg_attach(fd, false, prog, n, &e), e) == 0) {
		CHECK(attached(fd) == 1);
		CHECK(probe(dir, tmp) == (1 | 2 | 4));
	}
	/* failures say what failed: not a cgroup; a program the verifier
	 * refuses (r6 read before it is set), with its log */
	_cleanup_close_ int tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(hk_devcg_attach(tfd, false, prog, n, &e) < 0);
	CHECK(strstr(e.msg, "cannot attach the eBPF device program: "));
	struct bpf_insn bad[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_6},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	CHECK(hk_devcg_attach(fd, false, bad, 2, &e) == -EACCES);
	CHECK(strstr(e.msg, "cannot load the eBPF device program (verifier: ") &&
	      strstr(e.msg, "R6 !read_ok"));
	CHECK(attached(fd) == 1);
	free(prog);
	hk_devcg_free(&s);
	CHECK(rmdir(dir) == 0);
	CHECK(rmdir(tmp) == 0);
}

/* The public call on the host's own layout: v2 attaches one program that
 * a process entered with hk_cgroup_enter() is held to. */
TEST(set_devices_on_v2)
{
	enum hk_cgroup_layout layout;
	hk_err e;
	CHECK(hk_cgroup_layout(&layout, &e) == 0);
	if (layout != HK_CGROUP_V2) {
		printf("     (skipped set_devices_on_v2: not a pure cgroup v2 host; "
		       "program_in_the_kernel covers the program)\n");
		return;
	}
	char tmp[] = "/tmp/hk-devcg-XXXXXX";
	_cleanup_free_ char *name = unit_name(), *dir = NULL;
	hk_cgroup *cg = NULL;
	if (!tu_make_tmpdir(tmp) || CHECK_OK(hk_cgroup_create(name, "x", NULL, &cg, &e), e) < 0)
		return;
	hk_device node = {.path = "/dev/kmsg", .type = 'c', .major = 1, .minor = 11};
	CHECK(asprintf(&dir, "/sys/fs/cgroup%s", hk_cgroup_path(cg)) > 0);
	CHECK_OK(hk_cgroup_set_devices(cg, NULL, 0, NULL, 0, &e), e);
	CHECK(attached(hk_cgroup_clone_fd(cg)) == 1);
	CHECK(probe(dir, tmp) == (1 | 4 | 8));
	/* again, with kmsg as a linux.devices node: replaced, not added */
	CHECK_OK(hk_cgroup_set_devices(cg, NULL, 0, &node, 1, &e), e);
	CHECK(attached(hk_cgroup_clone_fd(cg)) == 1);
	CHECK(probe(dir, tmp) == (1 | 2 | 4 | 8));
	CHECK(hk_cgroup_destroy(cg, &e) == 0);
	hk_cgroup_free(cg);
	CHECK(rmdir(tmp) == 0);
}

int main(void)
{
	RUN(defaults_only);
	RUN(order_and_resets);
	RUN(allow_by_default);
	RUN(nodes_allowed);
	RUN(errors_name_the_rule);
	RUN(program_decides_as_v1);
	RUN(program_shape);
	RUN(v1_kernel_agrees);
	RUN(program_in_the_kernel);
	RUN(set_devices_on_v2);
	return check_summary();
}
