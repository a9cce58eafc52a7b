/* test_stats.c - block IO and huge page statistics (cgroup_stats.c) read
 * from made-up cgroup directories (files as the kernel writes them, in a
 * temp dir standing for each hierarchy), and their JSON in `events`
 * (control.c): runc's table names, omitted zero fields, page size names.
 * No real cgroup is touched. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/cgroup_internal.h"
#include "runtime/control.h"
#include "util/cleanup.h"

static char root[] = "/tmp/hk-stats-XXXXXX";

static void put(const char *dir, const char *file, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	FILE *f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A fresh directory ROOT/NAME. */
static char *mkdir_in(const char *name)
{
	char *d = NULL;
	if (asprintf(&d, "%s/%s", root, name) < 0)
		abort();
	tu_remove_tree(d);
	mkdir(d, 0755);
	return d;
}

/* A cgroup object over made-up directories: hierarchy I has controllers
 * CTRLS[I] (NULL: v2) and lives in DIRS[I]. */
static hk_cgroup *fake_cg(enum hk_cgroup_layout layout, const char *const *ctrls, char *const *dirs,
                          size_t n)
{
	hk_cgroup *cg = calloc(1, sizeof(*cg));
	cg->layout = layout;
	cg->h = calloc(n, sizeof(*cg->h));
	for (size_t i = 0; i < n; i++) {
		struct hk_cg_hier *h = &cg->h[cg->n_h++];
		h->ctrls = ctrls[i] ? strdup(ctrls[i]) : NULL;
		h->mount = strdup(dirs[i]);
		h->path = strdup("/");
		h->fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return cg;
}

static bool entry_is(const hk_cg_stats *s, int t, size_t i, uint64_t maj, uint64_t min,
                     const char *op, uint64_t v)
{
	if (i >= s->blkio.n[t]) {
		fprintf(stderr, "  table %d: no entry %zu\n", t, i);
		return false;
	}
	const hk_cg_blkio_entry *e = &s->blkio.e[t][i];
	bool ok = e->major == maj && e->minor == min && !strcmp(e->op, op) && e->value == v;
	if (!ok)
		fprintf(stderr, "  table %d[%zu]: %llu:%llu \"%s\" %llu\n", t, i,
		        (unsigned long long)e->major, (unsigned long long)e->minor, e->op,
		        (unsigned long long)e->value);
	return ok;
}

static bool have_2mb_pages(void)
{
	return access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0;
}

/* v1 with only the throttle files (no BFQ or CFQ scheduler): the
 * recursive ones, "Total" lines and all. */
TEST(v1_throttle)
{
	_cleanup_free_ char *blk = mkdir_in("blkio"), *huge = mkdir_in("hugetlb");
	put(blk, "blkio.throttle.io_service_bytes_recursive",
	    "254:0 Read 4096\n254:0 Write 1048576\n254:0 Sync 1048576\n254:0 Async 4096\n"
	    "254:0 Discard 0\n254:0 Total 1052672\nTotal 1052672\n");
	put(blk, "blkio.throttle.io_serviced_recursive",
	    "254:0 Read 1\n254:0 Write 256\n254:0 Total 257\nTotal 257\n");
	/* not recursive: not used when the recursive ones have entries */
	put(blk, "blkio.throttle.io_service_bytes", "254:0 Read 1\nTotal 1\n");
	put(blk, "blkio.throttle.io_serviced", "254:0 Read 1\nTotal 1\n");
	/* a CFQ set whose first file has no entries: skipped */
	put(blk, "blkio.sectors_recursive", "Total 0\n");
	put(blk, "blkio.io_serviced_recursive", "8:0 Read 99\n");
	put(huge, "hugetlb.2MB.usage_in_bytes", "4194304\n");
	put(huge, "hugetlb.2MB.max_usage_in_bytes", "6291456\n");
	put(huge, "hugetlb.2MB.failcnt", "2\n");
	const char *ctrls[] = {"blkio", "hugetlb"};
	char *dirs[] = {blk, huge};
	hk_cgroup *cg = fake_cg(HK_CGROUP_V1, ctrls, dirs, 2);
	hk_cg_stats s;
	hk_err err;
	CHECK_OK(hk_cgroup_stats(cg, &s, &err), err);
	CHECK(s.blkio.n[HK_BLKIO_SERVICE_BYTES] == 6);
	CHECK(entry_is(&s, HK_BLKIO_SERVICE_BYTES, 0, 254, 0, "Read", 4096));
	CHECK(entry_is(&s, HK_BLKIO_SERVICE_BYTES, 1, 254, 0, "Write", 1048576));
	CHECK(entry_is(&s, HK_BLKIO_SERVICE_BYTES, 5, 254, 0, "Total", 1052672));
	CHECK(s.blkio.n[HK_BLKIO_SERVICED] == 3);
	CHECK(entry_is(&s, HK_BLKIO_SERVICED, 1, 254, 0, "Write", 256));
	CHECK(s.blkio.n[HK_BLKIO_SECTORS] == 0);
	if (have_2mb_pages()) {
		bool found = false;
		for (size_t i = 0; i < s.n_hugetlb; i++) {
			if (strcmp(s.hugetlb[i].size, "2MB") != 0)
				continue;
			found = true;
			CHECK(s.hugetlb[i].usage == 4194304);
			CHECK(s.hugetlb[i].max == 6291456);
			CHECK(s.hugetlb[i].failcnt == 2);
		}
		CHECK(found);
		/* the other sizes have no files: left out */
		CHECK(s.n_hugetlb == 1);
	}

	_cleanup_free_ char *line = hk_stats_event_json("c1", &s);
	json_object *ev = line ? json_tokener_parse(line) : NULL, *data = NULL, *blkio = NULL;
	CHECK(ev && json_object_object_get_ex(ev, "data", &data) &&
	      json_object_object_get_ex(data, "blkio", &blkio));
	json_object *list = NULL;
	CHECK(blkio && json_object_object_get_ex(blkio, "ioServiceBytesRecursive", &list));
	CHECK(list && json_object_array_length(list) == 6);
	/* runc's omitempty: no minor 0, no value 0 */
	if (list && json_object_array_length(list) == 6) {
		CHECK_STREQ(json_object_to_json_string_ext(json_object_array_get_idx(list, 1),
		                                           JSON_C_TO_STRING_PLAIN),
		            "{\"major\":254,\"op\":\"Write\",\"value\":1048576}");
		CHECK_STREQ(json_object_to_json_string_ext(json_object_array_get_idx(list, 4),
		                                           JSON_C_TO_STRING_PLAIN),
		            "{\"major\":254,\"op\":\"Discard\"}");
	}
	CHECK(blkio && json_object_object_get_ex(blkio, "ioServicedRecursive", NULL));
	CHECK(blkio && !json_object_object_get_ex(blkio, "sectorsRecursive", NULL));
	json_object *huge_j = NULL, *two = NULL;
	CHECK(data && json_object_object_get_ex(data, "hugetlb", &huge_j));
	if (have_2mb_pages() && huge_j) {
		CHECK(json_object_object_get_ex(huge_j, "2MB", &two));
		CHECK_STREQ(two ? json_object_to_json_string_ext(two, JSON_C_TO_STRING_PLAIN) : "",
		            "{\"usage\":4194304,\"max\":6291456,\"failcnt\":2}");
	}
	if (ev)
		json_object_put(ev);
	hk_cgroup_stats_free(&s);
	hk_cgroup_free(cg);
}

/* v1 with CFQ files: that set wins, with its op-less tables. */
TEST(v1_cfq)
{
	static const char *const files[] = {"blkio.sectors_recursive",
	                                    "blkio.io_service_time_recursive",
	                                    "blkio.io_wait_time_recursive",
	                                    "blkio.io_merged_recursive",
	                                    "blkio.io_queued_recursive",
	                                    "blkio.time_recursive",
	                                    "blkio.io_serviced_recursive",
	                                    "blkio.io_service_bytes_recursive",
	                                    "blkio.throttle.io_serviced_recursive",
	                                    "blkio.throttle.io_service_bytes_recursive"};
	_cleanup_free_ char *blk = mkdir_in("blkio-cfq");
	for (size_t i = 0; i < HK_ARRAY_SIZE(files); i++)
		put(blk, files[i], "8:16 Read 5\n8:16 Write 7\nTotal 12\n");
	put(blk, "blkio.sectors_recursive", "8:16 6792\n");
	put(blk, "blkio.time_recursive", "8:16 1234\n");
	const char *ctrls[] = {"blkio"};
	char *dirs[] = {blk};
	hk_cgroup *cg = fake_cg(HK_CGROUP_V1, ctrls, dirs, 1);
	hk_cg_stats s;
	hk_err err;
	CHECK_OK(hk_cgroup_stats(cg, &s, &err), err);
	CHECK(s.blkio.n[HK_BLKIO_SECTORS] == 1);
	CHECK(entry_is(&s, HK_BLKIO_SECTORS, 0, 8, 16, "", 6792));
	CHECK(entry_is(&s, HK_BLKIO_TIME, 0, 8, 16, "", 1234));
	CHECK(entry_is(&s, HK_BLKIO_QUEUED, 1, 8, 16, "Write", 7));
	CHECK(entry_is(&s, HK_BLKIO_SERVICE_BYTES, 0, 8, 16, "Read", 5));
	_cleanup_free_ char *line = hk_stats_event_json("c1", &s);
	CHECK(line &&
	      strstr(line, "\"sectorsRecursive\":[{\"major\":8,\"minor\":16,\"value\":6792}]"));
	CHECK(line && strstr(line, "\"ioQueueRecursive\":["));
	hk_cgroup_stats_free(&s);
	hk_cgroup_free(cg);
}

/* v2: io.stat's read/write bytes and operations per device, hugetlb's
 * current and events. */
TEST(v2_io_stat_hugetlb)
{
	_cleanup_free_ char *d = mkdir_in("v2");
	put(d, "io.stat",
	    "254:0 rbytes=4096 wbytes=1048576 rios=1 wios=256 dbytes=0 dios=0\n"
	    "7:3 rbytes=8388608 wbytes=0 rios=2048 wios=0 dbytes=0 dios=0\n");
	put(d, "hugetlb.2MB.current", "2097152\n");
	put(d, "hugetlb.2MB.events", "max 3\n");
	put(d, "hugetlb.2MB.max", "max\n");
	const char *ctrls[] = {NULL};
	char *dirs[] = {d};
	hk_cgroup *cg = fake_cg(HK_CGROUP_V2, ctrls, dirs, 1);
	hk_cg_stats s;
	hk_err err;
	CHECK_OK(hk_cgroup_stats(cg, &s, &err), err);
	CHECK(s.blkio.n[HK_BLKIO_SERVICE_BYTES] == 4);
	CHECK(entry_is(&s, HK_BLKIO_SERVICE_BYTES, 0, 254, 0, "Read", 4096));
	CHECK(entry_is(&s, HK_BLKIO_SERVICE_BYTES, 1, 254, 0, "Write", 1048576));
	CHECK(entry_is(&s, HK_BLKIO_SERVICE_BYTES, 2, 7, 3, "Read", 8388608));
	CHECK(entry_is(&s, HK_BLKIO_SERVICE_BYTES, 3, 7, 3, "Write", 0));
	CHECK(s.blkio.n[HK_BLKIO_SERVICED] == 4);
	CHECK(entry_is(&s, HK_BLKIO_SERVICED, 2, 7, 3, "Read", 2048));
	for (int t = HK_BLKIO_QUEUED; t < HK_BLKIO_N_TABLES; t++)
		CHECK(s.blkio.n[t] == 0);
	if (have_2mb_pages()) {
		CHECK(s.n_hugetlb == 1);
		CHECK(s.n_hugetlb == 1 && !strcmp(s.hugetlb[0].size, "2MB") &&
		      s.hugetlb[0].usage == 2097152 && s.hugetlb[0].failcnt == 3 &&
		      s.hugetlb[0].max == 0);
	}
	_cleanup_free_ char *line = hk_stats_event_json("c2", &s);
	CHECK(line && strstr(line, "{\"major\":7,\"minor\":3,\"op\":\"Write\"}"));
	if (have_2mb_pages())
		CHECK(line &&
		      strstr(line, "\"hugetlb\":{\"2MB\":{\"usage\":2097152,\"failcnt\":3}}"));
	hk_cgroup_stats_free(&s);
	hk_cgroup_free(cg);
}

/* Nothing to read: empty objects, as runc prints them. */
TEST(none)
{
	_cleanup_free_ char *d = mkdir_in("empty");
	const char *ctrls[] = {"blkio"};
	char *dirs[] = {d};
	hk_cgroup *cg = fake_cg(HK_CGROUP_V1, ctrls, dirs, 1);
	hk_cg_stats s;
	hk_err err;
	CHECK_OK(hk_cgroup_stats(cg, &s, &err), err);
	_cleanup_free_ char *line = hk_stats_event_json("c3", &s);
	CHECK(line && strstr(line, "\"blkio\":{}"));
	CHECK(line && strstr(line, "\"hugetlb\":{}"));
	hk_cgroup_stats_free(&s);
	hk_cgroup_free(cg);
}

int main(void)
{
	if (!tu_make_tmpdir(root))
		return 1;
	RUN(v1_throttle);
	RUN(v1_cfq);
	RUN(v2_io_stat_hugetlb);
	RUN(none);
	CHECK(tu_remove_tree(root) == 0);
	return check_summary();
}
