/* test_cgroup_res.c - the rules on linux.resources fields, without a
 * real cgroup: runc's conversions, the zero rule (zero or default asks for
 * nothing), what each layout refuses and bad values, each named; and the
 * file formats written into stand-in directories (for the controllers a
 * host may lack: net_cls, net_prio, rdma, v1 hugetlb, CFQ and BFQ
 * weights).  Values in real cgroups: test_cgroup_fields.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/cgroup.h"
#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MiB (1024LL * 1024)

static bool starts(const char *msg, const char *prefix)
{
	bool ok = strncmp(msg, prefix, strlen(prefix)) == 0;
	if (!ok)
		fprintf(stderr, "  message: %s\n", msg);
	return ok;
}

TEST(conversions)
{
	/* runc's ConvertBlkIOToIOWeightValue: 1 + (w - 10) * 9999 / 990 */
	CHECK(hk_cgv2_io_weight(0) == 0);
	CHECK(hk_cgv2_io_weight(10) == 1);
	CHECK(hk_cgv2_io_weight(100) == 910);
	CHECK(hk_cgv2_io_weight(500) == 4950);
	CHECK(hk_cgv2_io_weight(1000) == 10000);
	/* and ConvertCPUSharesToCgroupV2Value */
	CHECK(hk_cgv2_weight_from_shares(1024) == 39);
	char b[16];
	hk_cg_page_size_name(2048, b, sizeof(b));
	CHECK_STREQ(b, "2MB");
	hk_cg_page_size_name(1048576, b, sizeof(b));
	CHECK_STREQ(b, "1GB");
	hk_cg_page_size_name(64, b, sizeof(b));
	CHECK_STREQ(b, "64KB");
}

/* Every field set to its zero or default value. */
static hk_resources zeros(hk_throttle_device *t, hk_hugepage_limit *h, hk_rdma_limit *rd,
                          hk_weight_device *wd)
{
	hk_resources r = {0};
	r.memory.has_kernel = r.memory.has_kernel_tcp = true;
	r.memory.kernel = -1;
	r.memory.has_use_hierarchy = r.memory.use_hierarchy = true;
	r.memory.has_disable_oom_killer = true;
	r.cpu.has_burst = r.cpu.has_idle = true;
	r.cpu.has_realtime_runtime = r.cpu.has_realtime_period = true;
	r.block_io.has_weight = r.block_io.has_leaf_weight = true;
	*wd = (hk_weight_device){.major = 7, .has_weight = true, .has_leaf_weight = true};
	r.block_io.weight_device = wd;
	r.block_io.n_weight_device = 1;
	*t = (hk_throttle_device){7, 0, 0};
	r.block_io.throttle_read_bps = t;
	r.block_io.n_throttle_read_bps = 1;
	*h = (hk_hugepage_limit){"2MB", 0};
	r.hugepage_limits = h;
	r.n_hugepage_limits = 1;
	r.network.has_class_id = true;
	*rd = (hk_rdma_limit){.device = "mlx5_0"};
	r.rdma = rd;
	r.n_rdma = 1;
	return r;
}

TEST(zero_asks_nothing)
{
	hk_throttle_device t;
	hk_hugepage_limit h;
	hk_rdma_limit rd;
	hk_weight_device wd;
	hk_resources r = zeros(&t, &h, &rd, &wd);
	hk_err e;
	CHECK(!hk_cg_res_wants(&r));
	CHECK(hk_cg_asked_field(&r, NULL) == NULL);
	/* nothing is refused, whatever the layout */
	CHECK_OK(hk_cg_validate(&r, HK_CGROUP_V2, &e), e);
	CHECK_OK(hk_cg_validate(&r, HK_CGROUP_HYBRID, &e), e);
	/* a hierarchy is joined for a field set, even to zero */
	CHECK(hk_cgv1_needs(&r, "net_cls") && hk_cgv1_needs(&r, "hugetlb"));
	CHECK(hk_cgv1_needs(&r, "rdma") && !hk_cgv1_needs(&r, "net_prio"));
	hk_resources none = {0};
	CHECK(hk_cgv1_needs(&none, "blkio") && !hk_cgv1_needs(&none, "hugetlb"));
	/* and values that ask */
	r.memory.use_hierarchy = false;
	CHECK_STREQ(hk_cg_asked_field(&r, "memory"), "memory.useHierarchy");
	r.memory.use_hierarchy = true;
	r.network.class_id = 0x100001;
	CHECK_STREQ(hk_cg_asked_field(&r, "net_cls,net_prio"), "network.classID");
	CHECK(hk_cg_asked_field(&r, "memory") == NULL);
	h.limit = 2 * MiB;
	CHECK_STREQ(hk_cg_asked_field(&r, "hugetlb"), "hugepageLimits");
	t.rate = 1;
	CHECK_STREQ(hk_cg_asked_field(&r, "blkio"), "blockIO.throttleReadBpsDevice");
	rd.has_hca_handles = true;
	CHECK_STREQ(hk_cg_asked_field(&r, "rdma"), "rdma");
}

/* hk_cg_validate(R) on LAYOUT fails with a message starting with WANT. */
static bool refused(hk_resources *r, enum hk_cgroup_layout l, const char *want)
{
	hk_err e;
	return hk_cg_validate(r, l, &e) < 0 && starts(e.msg, want);
}

TEST(layout_refusals)
{
	hk_resources r = {0};
	r.cpu.has_realtime_runtime = true;
	r.cpu.realtime_runtime = 5000;
	CHECK(refused(&r, HK_CGROUP_V2,
	              "linux.resources.cpu.realtimeRuntime: not available on cgroup v2 (the cgroup "
	              "v2 cpu controller has no realtime bandwidth"));
	hk_err e;
	CHECK_OK(hk_cg_validate(&r, HK_CGROUP_V1, &e), e);
	r = (hk_resources){0};
	r.network.has_class_id = true;
	r.network.class_id = 7;
	CHECK(refused(&r, HK_CGROUP_V2,
	              "linux.resources.network.classID: not available on cgroup "
	              "v2 (cgroup v2 has no net_cls controller)"));
	r = (hk_resources){0};
	hk_kv prio = {"lo", "5"};
	r.network.priorities = &prio;
	r.network.n_priorities = 1;
	CHECK(refused(&r, HK_CGROUP_V2, "linux.resources.network.priorities: not available"));
	r = (hk_resources){0};
	r.memory.has_kernel_tcp = true;
	r.memory.kernel_tcp = MiB;
	CHECK(refused(&r, HK_CGROUP_V2, "linux.resources.memory.kernelTCP: not available on"));
	r = (hk_resources){0};
	r.memory.has_use_hierarchy = true;
	CHECK(refused(&r, HK_CGROUP_V2,
	              "linux.resources.memory.useHierarchy: not available on "
	              "cgroup v2 (cgroup v2 is always hierarchical)"));
	r.memory.use_hierarchy = true;
	CHECK_OK(hk_cg_validate(&r, HK_CGROUP_V2, &e), e);
	r = (hk_resources){0};
	r.memory.has_disable_oom_killer = r.memory.disable_oom_killer = true;
	CHECK(refused(&r, HK_CGROUP_V2, "linux.resources.memory.disableOOMKiller: not available"));
	r = (hk_resources){0};
	hk_weight_device wd = {.major = 7, .has_leaf_weight = true, .leaf_weight = 100};
	r.block_io.weight_device = &wd;
	r.block_io.n_weight_device = 1;
	CHECK(refused(&r, HK_CGROUP_V2,
	              "linux.resources.blockIO.weightDevice[0].leafWeight: not "
	              "available on cgroup v2"));
	/* swappiness: v2 uses vm.swappiness; asking for that very value holds */
	r = (hk_resources){0};
	_cleanup_free_ char *sw = NULL;
	CHECK(hk_read_file("/proc/sys/vm/swappiness", &sw, NULL, &e) == 0);
	r.memory.has_swappiness = true;
	r.memory.swappiness = sw ? strtoull(sw, NULL, 10) : 0;
	CHECK_OK(hk_cg_validate(&r, HK_CGROUP_V2, &e), e);
	r.memory.swappiness = r.memory.swappiness == 0 ? 1 : r.memory.swappiness - 1;
	CHECK(refused(&r, HK_CGROUP_V2,
	              "linux.resources.memory.swappiness: not available on "
	              "cgroup v2 (cgroup v2 has no per-cgroup swappiness: "
	              "every cgroup uses vm.swappiness"));
	r = (hk_resources){0};
	hk_kv kv = {"io.max", ""};
	r.unified = &kv;
	r.n_unified = 1;
	CHECK(
	    refused(&r, HK_CGROUP_HYBRID, "linux.resources.unified: only available on cgroup v2"));
}

TEST(bad_values_named)
{
	hk_resources r = {0};
	r.block_io.has_weight = true;
	r.block_io.weight = 5;
	CHECK(refused(&r, HK_CGROUP_V1, "linux.resources.blockIO.weight: 5 is out of range"));
	r = (hk_resources){0};
	hk_weight_device wd = {.major = 8, .has_weight = true, .weight = 1001};
	r.block_io.weight_device = &wd;
	r.block_io.n_weight_device = 1;
	CHECK(refused(&r, HK_CGROUP_V1, "linux.resources.blockIO.weightDevice[0].weight: 1001"));
	r = (hk_resources){0};
	hk_throttle_device td[2] = {{8, 0, 10}, {-1, 0, 10}};
	r.block_io.throttle_write_iops = td;
	r.block_io.n_throttle_write_iops = 2;
	CHECK(refused(&r, HK_CGROUP_V2,
	              "linux.resources.blockIO.throttleWriteIOPSDevice[1]: -1:0 is not a device"));
	r = (hk_resources){0};
	r.cpu.has_idle = true;
	r.cpu.idle = 2;
	CHECK(refused(&r, HK_CGROUP_V2, "linux.resources.cpu.idle: 2 is out of range"));
	r = (hk_resources){0};
	r.cpu.has_realtime_runtime = true;
	r.cpu.realtime_runtime = -2;
	CHECK(refused(&r, HK_CGROUP_V1, "linux.resources.cpu.realtimeRuntime: -2 is out of"));
	r = (hk_resources){0};
	hk_hugepage_limit h = {"2M", 0};
	r.hugepage_limits = &h;
	r.n_hugepage_limits = 1;
	CHECK(refused(&r, HK_CGROUP_V2,
	              "linux.resources.hugepageLimits[0].pageSize: \"2M\" is not a page size"));
	h.page_size = "3MB"; /* no such size anywhere; a zero limit asks nothing */
	hk_err e;
	CHECK_OK(hk_cg_validate(&r, HK_CGROUP_V2, &e), e);
	h.limit = 6 * MiB;
	CHECK(refused(&r, HK_CGROUP_V2,
	              "linux.resources.hugepageLimits[0].pageSize: 3MB is not a "
	              "huge page size of this host (it has: "));
	r = (hk_resources){0};
	hk_kv prio = {"eth 0", "5"};
	r.network.priorities = &prio;
	r.network.n_priorities = 1;
	CHECK(refused(&r, HK_CGROUP_V1, "linux.resources.network.priorities[0].name: \"eth 0\""));
}

/* ---- file formats, in stand-in directories ---- */

/* Make DIR/FILE holding TEXT. */
static void put(int dfd, const char *file, const char *text)
{
	hk_err e;
	CHECK(hk_write_file_at(dfd, file, text, strlen(text), 1, &e) == 0);
}

static char *got(int dfd, const char *file)
{
	char *s = NULL;
	hk_err e;
	if (hk_read_file_at(dfd, file, &s, NULL, &e) < 0)
		return NULL;
	return s;
}

#define CHECK_AT(dfd, file, want)                                                                  \
	do {                                                                                       \
		_cleanup_free_ char *_v = got(dfd, file);                                          \
		CHECK_STREQ(_v, want);                                                             \
	} while (0)

static void rm_dir(const char *dir)
{
	CHECK(tu_remove_tree(dir) == 0);
}

/* v1: blkio (CFQ's files, then BFQ's), net_cls, net_prio, hugetlb, rdma. */
TEST(v1_file_formats)
{
	char tmp[] = "/tmp/husk-cgf-XXXXXX";
	if (!tu_make_tmpdir(tmp))
		return;
	static const char *const ctrls[] = {"blkio", "net_cls,net_prio", "hugetlb", "rdma"};
	struct hk_cg_hier h[4] = {0};
	for (size_t i = 0; i < 4; i++) {
		char d[64];
		snprintf(d, sizeof(d), "%s/%zu", tmp, i);
		CHECK(mkdir(d, 0755) == 0);
		h[i] = (struct hk_cg_hier){.ctrls = (char *)ctrls[i],
		                           .fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	}
	hk_cgroup cg = {.layout = HK_CGROUP_V1, .h = h, .n_h = 4};
	const char *blkio[] = {"blkio.weight", "blkio.weight_device", "blkio.leaf_weight",
	                       "blkio.throttle.read_bps_device",
	                       "blkio.throttle.write_iops_device"};
	for (size_t i = 0; i < HK_ARRAY_SIZE(blkio); i++)
		put(h[0].fd, blkio[i], "");
	put(h[1].fd, "net_cls.classid", "");
	put(h[1].fd, "net_prio.ifpriomap", "");
	put(h[2].fd, "hugetlb.2MB.limit_in_bytes", "");
	put(h[2].fd, "hugetlb.2MB.rsvd.limit_in_bytes", "");
	put(h[3].fd, "rdma.max", "");

	hk_resources r = {0};
	r.block_io.has_weight = r.block_io.has_leaf_weight = true;
	r.block_io.weight = 500;
	r.block_io.leaf_weight = 300;
	hk_weight_device wd = {.major = 8, .minor = 16, .has_weight = true, .weight = 200};
	r.block_io.weight_device = &wd;
	r.block_io.n_weight_device = 1;
	hk_throttle_device rb = {7, 0, 1048576}, wi = {7, 1, 100};
	r.block_io.throttle_read_bps = &rb;
	r.block_io.n_throttle_read_bps = 1;
	r.block_io.throttle_write_iops = &wi;
	r.block_io.n_throttle_write_iops = 1;
	r.network.has_class_id = true;
	r.network.class_id = 0x100001;
	hk_kv prio = {"lo", "5"};
	r.network.priorities = &prio;
	r.network.n_priorities = 1;
	hk_hugepage_limit hp = {"2MB", 4 * MiB};
	r.hugepage_limits = &hp;
	r.n_hugepage_limits = 1;
	hk_rdma_limit rd = {"mlx5_0", true, 3, true, 10};
	r.rdma = &rd;
	r.n_rdma = 1;
	hk_err e;
	CHECK_OK(hk_cgv1_apply_io(h[0].fd, &r, &e), e);
	CHECK_OK(hk_cgv1_apply_misc(&cg, &r, &e), e);
	CHECK_AT(h[0].fd, "blkio.weight", "500");
	CHECK_AT(h[0].fd, "blkio.leaf_weight", "300");
	CHECK_AT(h[0].fd, "blkio.weight_device", "8:16 200");
	CHECK_AT(h[0].fd, "blkio.throttle.read_bps_device", "7:0 1048576");
	CHECK_AT(h[0].fd, "blkio.throttle.write_iops_device", "7:1 100");
	CHECK_AT(h[1].fd, "net_cls.classid", "1048577");
	CHECK_AT(h[1].fd, "net_prio.ifpriomap", "lo 5");
	CHECK_AT(h[2].fd, "hugetlb.2MB.limit_in_bytes", "4194304");
	CHECK_AT(h[2].fd, "hugetlb.2MB.rsvd.limit_in_bytes", "4194304");
	CHECK_AT(h[3].fd, "rdma.max", "mlx5_0 hca_handle=3 hca_object=10");
	/* BFQ's files where CFQ's are missing (runc's choice) */
	unlinkat(h[0].fd, "blkio.weight", 0);
	unlinkat(h[0].fd, "blkio.weight_device", 0);
	put(h[0].fd, "blkio.bfq.weight", "");
	put(h[0].fd, "blkio.bfq.weight_device", "");
	r.block_io.has_leaf_weight = false;
	CHECK_OK(hk_cgv1_apply_io(h[0].fd, &r, &e), e);
	CHECK_AT(h[0].fd, "blkio.bfq.weight", "500");
	CHECK_AT(h[0].fd, "blkio.bfq.weight_device", "8:16 200");
	/* neither: a weight is an error naming the field, a zero one is not */
	unlinkat(h[0].fd, "blkio.bfq.weight", 0);
	CHECK(hk_cgv1_apply_io(h[0].fd, &r, &e) == -ENOENT);
	CHECK(starts(e.msg, "linux.resources.blockIO.weight: neither blkio.weight nor "
	                    "blkio.bfq.weight is available"));
	r.block_io.weight = 0;
	r.block_io.n_weight_device = 0;
	CHECK_OK(hk_cgv1_apply_io(h[0].fd, &r, &e), e);
	/* no hierarchy: the field is named */
	cg.n_h = 1;
	CHECK(hk_cgv1_apply_misc(&cg, &r, &e) == -ENOENT);
	CHECK(starts(e.msg, "linux.resources.hugepageLimits: no hugetlb cgroup"));
	hp.limit = 0;
	CHECK(hk_cgv1_apply_misc(&cg, &r, &e) == -ENOENT);
	CHECK_STREQ(e.msg, "linux.resources.network.classID: net_cls.classid not available (no "
	                   "net_cls cgroup hierarchy)");
	for (size_t i = 0; i < 4; i++)
		close(h[i].fd);
	rm_dir(tmp);
}

/* v2: io.bfq.weight or io.weight, io.max, hugetlb.*.max, rdma.max. */
TEST(v2_file_formats)
{
	char tmp[] = "/tmp/husk-cgf-XXXXXX";
	if (!tu_make_tmpdir(tmp))
		return;
	_cleanup_close_ int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* stand-in files are not truncated by the writes (a cgroup file takes
	 * each write whole): short contents.  Not a lone number: per-device
	 * weights (Linux >= 5.4 reads "default 100") */
	put(fd, "io.bfq.weight", "d\n");
	put(fd, "io.weight", "");
	put(fd, "io.max", "");
	put(fd, "hugetlb.1GB.max", "");
	put(fd, "hugetlb.1GB.rsvd.max", "");
	put(fd, "rdma.max", "");
	hk_resources r = {0};
	r.block_io.has_weight = true;
	r.block_io.weight = 500;
	hk_weight_device wd = {.major = 8, .minor = 0, .has_weight = true, .weight = 300};
	r.block_io.weight_device = &wd;
	r.block_io.n_weight_device = 1;
	hk_err e;
	CHECK_OK(hk_cgv2_apply_io(fd, &r, &e), e);
	CHECK_AT(fd, "io.bfq.weight", "8:0 300"); /* after "500" */
	CHECK_AT(fd, "io.weight", "");
	/* no BFQ: io.weight with runc's conversion; no per-device weights */
	unlinkat(fd, "io.bfq.weight", 0);
	r.block_io.n_weight_device = 0;
	CHECK_OK(hk_cgv2_apply_io(fd, &r, &e), e);
	CHECK_AT(fd, "io.weight", "4950");
	r.block_io.n_weight_device = 1;
	CHECK(hk_cgv2_apply_io(fd, &r, &e) == -ENOENT);
	CHECK(starts(e.msg, "linux.resources.blockIO.weightDevice[0]: per-device weights need the "
	                    "BFQ I/O scheduler"));
	/* throttling: one io.max line per entry (kept apart by the kernel);
	 * a rate of 0 is "max" */
	r = (hk_resources){0};
	hk_throttle_device rb = {7, 0, 1048576}, wi = {7, 0, 0};
	r.block_io.throttle_read_bps = &rb;
	r.block_io.n_throttle_read_bps = 1;
	CHECK_OK(hk_cgv2_apply_io(fd, &r, &e), e);
	CHECK_AT(fd, "io.max", "7:0 rbps=1048576");
	r.block_io.n_throttle_read_bps = 0;
	r.block_io.throttle_write_iops = &wi;
	r.block_io.n_throttle_write_iops = 1;
	put(fd, "io.max", "");
	CHECK_OK(hk_cgv2_apply_io(fd, &r, &e), e);
	CHECK_AT(fd, "io.max", "7:0 wiops=max");
	hk_hugepage_limit hp = {"1GB", 1024 * MiB};
	r.hugepage_limits = &hp;
	r.n_hugepage_limits = 1;
	hk_rdma_limit rd = {.device = "rxe0", .has_hca_objects = true, .hca_objects = 7};
	r.rdma = &rd;
	r.n_rdma = 1;
	CHECK_OK(hk_cgv2_apply_misc(fd, &r, &e), e);
	CHECK_AT(fd, "hugetlb.1GB.max", "1073741824");
	CHECK_AT(fd, "hugetlb.1GB.rsvd.max", "1073741824");
	CHECK_AT(fd, "rdma.max", "rxe0 hca_object=7");
	/* a size the cgroup lacks: named when it asks, skipped when zero */
	hp.page_size = "2MB";
	CHECK(hk_cgv2_apply_misc(fd, &r, &e) == -ENOENT);
	CHECK_STREQ(e.msg, "linux.resources.hugepageLimits[0]: hugetlb.2MB.max not available");
	hp.limit = 0;
	CHECK_OK(hk_cgv2_apply_misc(fd, &r, &e), e);
	close(hk_steal_fd(&fd));
	rm_dir(tmp);
}

int main(void)
{
	RUN(conversions);
	RUN(zero_asks_nothing);
	RUN(layout_refusals);
	RUN(bad_values_named);
	RUN(v1_file_formats);
	RUN(v2_file_formats);
	return check_summary();
}
