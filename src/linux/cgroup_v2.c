/* cgroup_v2.c - resources on pure cgroup v2 hosts: enabling controllers in
 * the parents' cgroup.subtree_control, writing the leaf's files with runc's
 * conversions from the v1-shaped spec values, OOM status and cgroup.kill. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define SWAP_WHY "swap accounting disabled"

unsigned long long hk_cgv2_weight_from_shares(unsigned long long shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

int hk_cgv2_swap(long long swap, long long limit, long long *out, hk_err *err)
{
	if (limit == -1 && swap == 0) {
		*out = -1; /* memory unlimited and swap unset: both unlimited */
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (limit <= 0)
		return hk_err_plain(err, EINVAL,
		                    "linux.resources.memory.swap: cannot set a swap limit without "
		                    "a memory limit");
	if (swap < limit)
		return hk_err_plain(
		    err, EINVAL,
		    "linux.resources.memory.swap: memory+swap limit (%lld) should be "
		    ">= memory limit (%lld)",
		    swap, limit);
	*out = swap - limit;
	return 0;
}

struct want {
	char ctrl[64];
	char field[128]; /* empty: nothing asked of it, failures are ignored */
};

static void add_want(struct want *w, size_t *n, size_t max, const char *ctrl, const char *field)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(w[i].ctrl, ctrl) == 0) {
			if (!w[i].field[0] && field)
				snprintf(w[i].field, sizeof(w[i].field), "%s", field);
			return;
		}
	}
	if (*n == max)
		return;
	snprintf(w[*n].ctrl, sizeof(w[*n].ctrl), "%s", ctrl);
	snprintf(w[*n].field, sizeof(w[*n].field), "%s", field ? field : "");
	(*n)++;
}

/* Space/newline separated list -> comma separated, for hk_cg_has_ctrl. */
static void commas(char *s)
{
	for (; *s; s++)
		if (*s == ' ' || *s == '\n')
			*s = ',';
}

int hk_cgv2_enable(const char *dir, const hk_resources *res, hk_err *err)
{
	struct want w[32] = {0};
	size_t n = 0;
	/* memory, pids, cpu, io and hugetlb always (where the parent has
	 * them; runc enables every controller): `update` may ask for them
	 * later and `events --stats` reads their files; the others when the
	 * config sets one of their fields (a failure is an error only when
	 * one asks for something).  Enabling costs a write only the first
	 * time below a parent. */
	static const char *const always[] = {"memory", "pids", "cpu", "io", "hugetlb"};
	for (size_t i = 0; i < HK_ARRAY_SIZE(always); i++)
		add_want(w, &n, 32, always[i], NULL);
	struct hk_cg_field f[HK_CG_MAX_FIELDS];
	size_t nf = hk_cg_fields(res, f);
	for (size_t i = 0; i < nf; i++)
		if (f[i].v2)
			add_want(w, &n, 32, f[i].v2, f[i].asks ? f[i].name : NULL);
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *key = res->unified[i].key;
		const char *dot = strchr(key, '.');
		char ctrl[64], field[128];
		if (!dot || (size_t)(dot - key) >= sizeof(ctrl) || !strncmp(key, "cgroup.", 7))
			continue;
		snprintf(ctrl, sizeof(ctrl), "%.*s", (int)(dot - key), key);
		snprintf(field, sizeof(field), "unified.%s", key);
		add_want(w, &n, 32, ctrl, field);
	}

	_cleanup_free_ char *avail = NULL, *enabled = NULL;
	_cleanup_free_ char *cpath = NULL, *spath = NULL;
	if (asprintf(&cpath, "%s/cgroup.controllers", dir) < 0 ||
	    asprintf(&spath, "%s/cgroup.subtree_control", dir) < 0)
		return hk_err_set(err, ENOMEM, "cgroup");
	hk_err e;
	if (hk_read_file(cpath, &avail, NULL, &e) < 0)
		avail = strdup("");
	if (hk_read_file(spath, &enabled, NULL, &e) < 0)
		enabled = strdup("");
	if (!avail || !enabled)
		return hk_err_set(err, ENOMEM, "cgroup");
	commas(avail);
	commas(enabled);
	for (size_t i = 0; i < n; i++) {
		bool asked = w[i].field[0] != '\0';
		if (hk_cg_has_ctrl(enabled, w[i].ctrl))
			continue;
		if (!hk_cg_has_ctrl(avail, w[i].ctrl)) {
			if (!asked)
				continue;
			return hk_err_plain(
			    err, ENOENT,
			    "linux.resources.%s: the %s controller is not available "
			    "in %s",
			    w[i].field, w[i].ctrl, dir);
		}
		char buf[80];
		snprintf(buf, sizeof(buf), "+%.63s", w[i].ctrl);
		int r = hk_write_file(spath, buf, err);
		if (r < 0 && asked)
			return hk_err_wrap(err, "linux.resources.%s: enable the %s controller",
			                   w[i].field, w[i].ctrl);
	}
	return 0;
}

static int apply_memory(int fd, const hk_resources *res, hk_err *err)
{
	/* kernel, kernelTCP, swappiness, disableOOMKiller and useHierarchy
	 * have no v2 file: hk_cg_validate() refused the values that ask */
	const __typeof__(res->memory) *m = &res->memory;
	int r = 0;
	if (m->has_limit) {
		if (m->limit > 0)
			r = hk_cg_set_num(fd, "memory.limit", "memory.max", m->limit, NULL, false,
			                  err);
		else
			r = hk_cg_set(fd, "memory.limit", "memory.max", "max", NULL, true, err);
	}
	if (r == 0 && m->has_reservation && m->reservation > 0)
		r = hk_cg_set_num(fd, "memory.reservation", "memory.low", m->reservation, NULL,
		                  false, err);
	if (r == 0 && (m->has_swap || (m->has_limit && m->limit == -1))) {
		long long swap = 0;
		r = hk_cgv2_swap(m->has_swap ? m->swap : 0, m->has_limit ? m->limit : 0, &swap,
		                 err);
		if (r < 0)
			return r;
		if (swap == -1)
			r = hk_cg_set(fd, "memory.swap", "memory.swap.max", "max", SWAP_WHY, true,
			              err);
		else if (swap > 0 || (m->has_swap && m->swap > 0))
			r = hk_cg_set_num(fd, "memory.swap", "memory.swap.max", swap, SWAP_WHY,
			                  false, err);
	}
	return r;
}

/* runc's fs2 setCpu: cpu.weight (from shares), cpu.idle, cpu.max.burst,
 * then cpu.max ("QUOTA PERIOD", "max" for no quota); a burst the kernel
 * refuses (EINVAL: above the current quota) is written again after
 * cpu.max.  realtime* have no v2 file (refused by hk_cg_validate()). */
static int apply_cpu(int fd, const hk_resources *res, hk_err *err)
{
	const __typeof__(res->cpu) *c = &res->cpu;
	bool quota = (c->has_quota && c->quota != 0) || (c->has_period && c->period != 0);
	bool burst_later = false;
	int r = 0;
	if (c->has_shares && c->shares > 0)
		r = hk_cg_set_num(fd, "cpu.shares", "cpu.weight",
		                  (long long)hk_cgv2_weight_from_shares(c->shares), NULL, false,
		                  err);
	if (r == 0 && c->has_idle)
		r = hk_cg_set_num(fd, "cpu.idle", "cpu.idle", (long long)c->idle,
		                  "the kernel has no SCHED_IDLE cgroups (Linux 5.15)", c->idle == 0,
		                  err);
	if (r == 0 && c->has_burst) {
		r = hk_cg_set_num(fd, "cpu.burst", "cpu.max.burst", (long long)c->burst,
		                  "the kernel has no CFS burst (Linux 5.14)", c->burst == 0, err);
		burst_later = r == -EINVAL && quota;
		if (burst_later)
			r = 0;
	}
	if (r == 0 && quota) {
		char buf[64];
		int n = c->has_quota && c->quota > 0
		            ? snprintf(buf, sizeof(buf), "%lld", (long long)c->quota)
		            : snprintf(buf, sizeof(buf), "max");
		if (c->has_period && c->period != 0)
			snprintf(buf + n, sizeof(buf) - n, " %llu", (unsigned long long)c->period);
		bool asks = c->has_quota && c->quota > 0;
		r = hk_cg_set(fd, asks ? "cpu.quota" : "cpu.period", "cpu.max", buf, NULL, !asks,
		              err);
	}
	if (r == 0 && burst_later)
		r = hk_cg_set_num(fd, "cpu.burst", "cpu.max.burst", (long long)c->burst, NULL,
		                  false, err);
	if (r == 0 && c->cpus && *c->cpus)
		r = hk_cg_set(fd, "cpu.cpus", "cpuset.cpus", c->cpus, NULL, false, err);
	if (r == 0 && c->mems && *c->mems)
		r = hk_cg_set(fd, "cpu.mems", "cpuset.mems", c->mems, NULL, false, err);
	return r;
}

int hk_cgv2_apply(int fd, const hk_resources *res, hk_err *err)
{
	int r = apply_memory(fd, res, err);
	if (r == 0 && res->pids.has_limit) {
		if (res->pids.limit > 0)
			r = hk_cg_set_num(fd, "pids.limit", "pids.max", (long long)res->pids.limit,
			                  NULL, false, err);
		else
			r = hk_cg_set(fd, "pids.limit", "pids.max", "max", NULL, true, err);
	}
	if (r == 0)
		r = apply_cpu(fd, res, err);
	if (r == 0)
		r = hk_cgv2_apply_io(fd, res, err);
	if (r == 0)
		r = hk_cgv2_apply_misc(fd, res, err);
	/* linux.resources.devices: hk_cgroup_set_devices() (cgroup_devices.c) */
	for (size_t i = 0; r == 0 && i < res->n_unified; i++) {
		const char *key = res->unified[i].key;
		char field[300];
		snprintf(field, sizeof(field), "unified.%s", key);
		if (!*key || strchr(key, '/') || key[0] == '.' || !strchr(key, '.'))
			return hk_err_plain(err, EINVAL, "linux.resources.%s: not a cgroup file",
			                    field);
		if (!strcmp(key, "cgroup.procs") || !strcmp(key, "cgroup.threads") ||
		    !strcmp(key, "cgroup.kill") || !strcmp(key, "cgroup.subtree_control"))
			return hk_err_plain(err, EINVAL, "linux.resources.%s: not allowed", field);
		r = hk_cg_set(fd, field, key, res->unified[i].value ? res->unified[i].value : "",
		              NULL, false, err);
	}
	return r;
}

bool hk_cgv2_oom_killed(hk_cgroup *cg)
{
	hk_err e;
	_cleanup_free_ char *s = NULL;
	if (hk_read_file_at(cg->h[0].fd, "memory.events", &s, NULL, &e) < 0)
		return false;
	return hk_cg_key_value(s, "oom_kill") > 0 || hk_cg_key_value(s, "oom_group_kill") > 0;
}

int hk_cgv2_kill(int dirfd)
{
	hk_err e;
	return hk_write_file_at(dirfd, "cgroup.kill", "1", 1, 0, &e);
}
