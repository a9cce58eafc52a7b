/* cgroup_io.c - linux.resources.blockIO: v1's blkio files and v2's io
 * files, with runc's conversions (libcontainer/cgroups/fs/blkio.go and
 * fs2/io.go).
 *
 *   weight          v1: blkio.weight (CFQ), else blkio.bfq.weight (BFQ)
 *                   v2: io.bfq.weight (BFQ) as is, else io.weight converted
 *                       from blkio's 10..1000 to io's 1..10000
 *   leafWeight      v1: blkio.leaf_weight (CFQ only); v2: none
 *   weightDevice[]  v1: blkio.weight_device / blkio.bfq.weight_device and
 *                       blkio.leaf_weight_device, "MAJ:MIN WEIGHT"
 *                   v2: io.bfq.weight "MAJ:MIN WEIGHT" (BFQ, Linux 5.4);
 *                       runc skips them silently without it: an error here
 *   throttle*[]     v1: blkio.throttle.{read,write}_{bps,iops}_device
 *                       "MAJ:MIN RATE" (0 removes the limit)
 *                   v2: io.max "MAJ:MIN rbps=RATE" (wbps, riops, wiops),
 *                       one line per entry as runc; a rate of 0, which v1
 *                       takes as "no limit" and io.max refuses (ERANGE),
 *                       is written as "max"
 *
 * A weight of 0 is "not set" (runc), nothing is written; a device whose
 * I/O scheduler has no weights makes a non-zero weight an error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* A weight asked where FD has neither weight file A nor B. */
static int no_weights(const char *field, const char *a, const char *b, hk_err *err)
{
	return hk_err_plain(err, ENOENT,
	                    "linux.resources.%s: neither %s nor %s is available (no I/O "
	                    "scheduler with weights, CFQ or BFQ, in this kernel)",
	                    field, a, b);
}

unsigned long long hk_cgv2_io_weight(unsigned blkio_weight)
{
	/* runc's cgroups.ConvertBlkIOToIOWeightValue: 10..1000 linearly onto
	 * 1..10000 (10 -> 1, 500 -> 4950, 1000 -> 10000); 0 stays 0 */
	if (blkio_weight == 0)
		return 0;
	if (blkio_weight < 10)
		blkio_weight = 10;
	return 1 + ((unsigned long long)blkio_weight - 10) * 9999 / 990;
}

static bool has_file(int dirfd, const char *file)
{
	return dirfd >= 0 && faccessat(dirfd, file, F_OK, 0) == 0;
}

struct throttle {
	const char *name;    /* below blockIO */
	const char *v1_file; /* blkio.throttle.* */
	const char *v2_key;  /* io.max key */
	const hk_throttle_device *t;
	size_t n;
};

static void throttles(const hk_resources *res, struct throttle out[4])
{
	const __typeof__(res->block_io) *b = &res->block_io;
	out[0] = (struct throttle){"throttleReadBpsDevice", "blkio.throttle.read_bps_device",
	                           "rbps", b->throttle_read_bps, b->n_throttle_read_bps};
	out[1] = (struct throttle){"throttleWriteBpsDevice", "blkio.throttle.write_bps_device",
	                           "wbps", b->throttle_write_bps, b->n_throttle_write_bps};
	out[2] = (struct throttle){"throttleReadIOPSDevice", "blkio.throttle.read_iops_device",
	                           "riops", b->throttle_read_iops, b->n_throttle_read_iops};
	out[3] = (struct throttle){"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device",
	                           "wiops", b->throttle_write_iops, b->n_throttle_write_iops};
}

/* ---- v1 ---- */

static int v1_weights(int fd, const hk_resources *res, hk_err *err)
{
	const __typeof__(res->block_io) *b = &res->block_io;
	if (!(b->has_weight && b->weight != 0) && !(b->has_leaf_weight && b->leaf_weight != 0) &&
	    b->n_weight_device == 0)
		return 0;
	/* runc: CFQ's files when there, else BFQ's */
	bool cfq = has_file(fd, "blkio.weight");
	const char *wfile = cfq ? "blkio.weight" : "blkio.bfq.weight";
	const char *dfile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
	char field[96], line[64];
	int r = 0;
	bool any = fd < 0 || cfq || has_file(fd, wfile);
	if (b->has_weight && b->weight != 0) {
		if (!any)
			return no_weights("blockIO.weight", "blkio.weight", wfile, err);
		r = hk_cgv1_set_num(fd, "blkio", "blockIO.weight", wfile, b->weight, NULL, false,
		                    err);
	}
	if (r == 0 && b->has_leaf_weight && b->leaf_weight != 0)
		r = hk_cgv1_set_num(fd, "blkio", "blockIO.leafWeight", "blkio.leaf_weight",
		                    b->leaf_weight, "leaf weights need the CFQ I/O scheduler",
		                    false, err);
	for (size_t i = 0; r == 0 && i < b->n_weight_device; i++) {
		const hk_weight_device *w = &b->weight_device[i];
		snprintf(field, sizeof(field), "blockIO.weightDevice[%zu]", i);
		if (w->has_weight && w->weight != 0) {
			snprintf(line, sizeof(line), "%lld:%lld %u", (long long)w->major,
			         (long long)w->minor, w->weight);
			if (!any)
				return no_weights(field, "blkio.weight_device", dfile, err);
			r = hk_cgv1_set(fd, "blkio", field, dfile, line, NULL, false, err);
		}
		if (r == 0 && w->has_leaf_weight && w->leaf_weight != 0) {
			snprintf(line, sizeof(line), "%lld:%lld %u", (long long)w->major,
			         (long long)w->minor, w->leaf_weight);
			r = hk_cgv1_set(fd, "blkio", field, "blkio.leaf_weight_device", line,
			                "leaf weights need the CFQ I/O scheduler", false, err);
		}
	}
	return r;
}

int hk_cgv1_apply_io(int fd, const hk_resources *res, hk_err *err)
{
	struct throttle t[4];
	char field[96], line[64];
	int r = v1_weights(fd, res, err);
	throttles(res, t);
	for (size_t k = 0; r == 0 && k < 4; k++)
		for (size_t i = 0; r == 0 && i < t[k].n; i++) {
			const hk_throttle_device *d = &t[k].t[i];
			snprintf(field, sizeof(field), "blockIO.%s[%zu]", t[k].name, i);
			snprintf(line, sizeof(line), "%lld:%lld %llu", (long long)d->major,
			         (long long)d->minor, (unsigned long long)d->rate);
			r = hk_cgv1_set(fd, "blkio", field, t[k].v1_file, line, NULL, d->rate == 0,
			                err);
		}
	return r;
}

/* ---- v2 ---- */

/* Does io.bfq.weight take per-device weights ("default 100" and
 * "MAJ:MIN W" lines since Linux 5.4; a lone number before)?  runc's
 * bfqDeviceWeightSupported. */
static bool bfq_per_device(int fd)
{
	_cleanup_free_ char *s = NULL;
	hk_err e;
	if (hk_read_file_at(fd, "io.bfq.weight", &s, NULL, &e) < 0)
		return false;
	char *end;
	strtoull(s, &end, 10);
	return end == s || (*end && *end != '\n');
}

static int v2_weights(int fd, const hk_resources *res, hk_err *err)
{
	const __typeof__(res->block_io) *b = &res->block_io;
	bool bfq = has_file(fd, "io.bfq.weight");
	/* before the weight is written: it reads as a lone number then */
	bool per_device = bfq && b->n_weight_device > 0 && bfq_per_device(fd);
	char field[96], line[64];
	int r = 0;
	if (b->has_weight && b->weight != 0) {
		if (bfq)
			r = hk_cg_set_num(fd, "blockIO.weight", "io.bfq.weight", b->weight, NULL,
			                  false, err);
		else if (!has_file(fd, "io.weight"))
			return no_weights("blockIO.weight", "io.bfq.weight", "io.weight", err);
		else
			r = hk_cg_set_num(fd, "blockIO.weight", "io.weight",
			                  (long long)hk_cgv2_io_weight(b->weight), NULL, false,
			                  err);
	}
	for (size_t i = 0; r == 0 && i < b->n_weight_device; i++) {
		const hk_weight_device *w = &b->weight_device[i];
		if (!w->has_weight || w->weight == 0)
			continue; /* leaf weights were refused by hk_cg_validate() */
		snprintf(field, sizeof(field), "blockIO.weightDevice[%zu]", i);
		if (!per_device)
			return hk_err_plain(
			    err, ENOENT,
			    "linux.resources.%s: per-device weights need the BFQ I/O "
			    "scheduler's io.bfq.weight (Linux 5.4), which this cgroup "
			    "does not have",
			    field);
		snprintf(line, sizeof(line), "%lld:%lld %u", (long long)w->major,
		         (long long)w->minor, w->weight);
		r = hk_cg_set(fd, field, "io.bfq.weight", line, NULL, false, err);
	}
	return r;
}

int hk_cgv2_apply_io(int fd, const hk_resources *res, hk_err *err)
{
	struct throttle t[4];
	char field[96], line[96];
	int r = v2_weights(fd, res, err);
	throttles(res, t);
	for (size_t k = 0; r == 0 && k < 4; k++)
		for (size_t i = 0; r == 0 && i < t[k].n; i++) {
			const hk_throttle_device *d = &t[k].t[i];
			snprintf(field, sizeof(field), "blockIO.%s[%zu]", t[k].name, i);
			if (d->rate == 0)
				snprintf(line, sizeof(line), "%lld:%lld %s=max",
				         (long long)d->major, (long long)d->minor, t[k].v2_key);
			else
				snprintf(line, sizeof(line), "%lld:%lld %s=%llu",
				         (long long)d->major, (long long)d->minor, t[k].v2_key,
				         (unsigned long long)d->rate);
			r = hk_cg_set(fd, field, "io.max", line, NULL, d->rate == 0, err);
		}
	return r;
}
