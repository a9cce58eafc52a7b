/* parse_resources.c - linux.resources of config.json: device rules,
 * memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/parse_internal.h"

#define RES "linux.resources"

/* Allocate *ARR for the array at OBJ.KEY; *ARR NULL when absent. */
static int res_array(json_object *obj, const char *path, const char *key, size_t elem, void **arr,
                     size_t *n, json_object **jarr, hk_err *err)
{
	int r = hk_j_arr(obj, path, key, false, jarr, err);
	*arr = NULL;
	*n = 0;
	if (r < 0 || !*jarr)
		return r;
	size_t len = json_object_array_length(*jarr);
	*arr = calloc(len ? len : 1, elem);
	if (!*arr)
		return hk_j_oom(err);
	*n = len;
	return 0;
}

/* Element I of JARR, which must be an object; its path in PI. */
static int res_elem(json_object *jarr, const char *parent, size_t i, char *pi, json_object **e,
                    hk_err *err)
{
	hk_jpath_idx(pi, parent, i);
	*e = json_object_array_get_idx(jarr, i);
	if (!json_object_is_type(*e, json_type_object))
		return hk_err_plain(err, EINVAL, "%s: expected object", pi);
	return 0;
}

static int parse_device_rule(json_object *e, const char *pi, hk_device_rule *d, hk_err *err)
{
	char *type = NULL;
	bool has;
	int r;

	if ((r = hk_j_bool(e, pi, "allow", NULL, &d->allow, err)) < 0 ||
	    (r = hk_j_str(e, pi, "type", false, &type, err)) < 0)
		return r;
	d->type = 'a';
	if (type) {
		if (strlen(type) != 1 || !strchr("acb", type[0]))
			r = hk_err_plain(err, EINVAL, "%s.type: unknown device type \"%s\"", pi,
			                 type);
		d->type = type[0];
		free(type);
		if (r < 0)
			return r;
	}
	if ((r = hk_j_i64(e, pi, "major", &has, &d->major, err)) < 0)
		return r;
	if (!has)
		d->major = -1;
	if ((r = hk_j_i64(e, pi, "minor", &has, &d->minor, err)) < 0)
		return r;
	if (!has)
		d->minor = -1;
	if ((r = hk_j_str(e, pi, "access", false, &d->access, err)) < 0)
		return r;
	if (d->access && strspn(d->access, "rwm") != strlen(d->access))
		return hk_err_plain(
		    err, EINVAL, "%s.access: invalid access \"%s\" (must be a subset of \"rwm\")",
		    pi, d->access);
	return 0;
}

static int parse_device_rules(json_object *v, hk_resources *res, hk_err *err)
{
	char pi[HK_JPATH_MAX];
	json_object *arr, *e;
	int r = res_array(v, RES, "devices", sizeof(hk_device_rule), (void **)&res->devices,
	                  &res->n_devices, &arr, err);
	for (size_t i = 0; r == 0 && i < res->n_devices; i++)
		if ((r = res_elem(arr, RES ".devices", i, pi, &e, err)) == 0)
			r = parse_device_rule(e, pi, &res->devices[i], err);
	return r;
}

/* A memory value: int64, -1 = unlimited, nothing below. */
static int mem_value(json_object *m, const char *key, bool *has, int64_t *out, hk_err *err)
{
	int r = hk_j_i64(m, RES ".memory", key, has, out, err);
	if (r == 0 && *has && *out < -1)
		return hk_err_plain(err, EINVAL, RES ".memory.%s: out of range (-1 = unlimited)",
		                    key);
	return r;
}

static int parse_memory(json_object *v, hk_resources *res, hk_err *err)
{
	const char *p = RES ".memory";
	json_object *m;
	int r = hk_j_obj(v, RES, "memory", false, &m, err);
	if (r < 0 || !m)
		return r;
	typeof(res->memory) *mem = &res->memory;
	if ((r = mem_value(m, "limit", &mem->has_limit, &mem->limit, err)) < 0 ||
	    (r = mem_value(m, "reservation", &mem->has_reservation, &mem->reservation, err)) < 0 ||
	    (r = mem_value(m, "swap", &mem->has_swap, &mem->swap, err)) < 0 ||
	    (r = mem_value(m, "kernel", &mem->has_kernel, &mem->kernel, err)) < 0 ||
	    (r = mem_value(m, "kernelTCP", &mem->has_kernel_tcp, &mem->kernel_tcp, err)) < 0 ||
	    (r = hk_j_u64(m, p, "swappiness", &mem->has_swappiness, &mem->swappiness, err)) < 0 ||
	    (r = hk_j_bool(m, p, "disableOOMKiller", &mem->has_disable_oom_killer,
	                   &mem->disable_oom_killer, err)) < 0 ||
	    (r = hk_j_bool(m, p, "useHierarchy", &mem->has_use_hierarchy, &mem->use_hierarchy,
	                   err)) < 0 ||
	    (r = hk_j_bool(m, p, "checkBeforeUpdate", &mem->has_check_before_update,
	                   &mem->check_before_update, err)) < 0)
		return r;
	return 0;
}

static int parse_cpu(json_object *v, hk_resources *res, hk_err *err)
{
	const char *p = RES ".cpu";
	json_object *c;
	int r = hk_j_obj(v, RES, "cpu", false, &c, err);
	if (r < 0 || !c)
		return r;
	typeof(res->cpu) *cpu = &res->cpu;
	if ((r = hk_j_u64(c, p, "shares", &cpu->has_shares, &cpu->shares, err)) < 0 ||
	    (r = hk_j_i64(c, p, "quota", &cpu->has_quota, &cpu->quota, err)) < 0 ||
	    (r = hk_j_u64(c, p, "burst", &cpu->has_burst, &cpu->burst, err)) < 0 ||
	    (r = hk_j_u64(c, p, "period", &cpu->has_period, &cpu->period, err)) < 0 ||
	    (r = hk_j_i64(c, p, "realtimeRuntime", &cpu->has_realtime_runtime,
	                  &cpu->realtime_runtime, err)) < 0 ||
	    (r = hk_j_u64(c, p, "realtimePeriod", &cpu->has_realtime_period, &cpu->realtime_period,
	                  err)) < 0 ||
	    (r = hk_j_i64(c, p, "idle", &cpu->has_idle, &cpu->idle, err)) < 0 ||
	    (r = hk_j_str(c, p, "cpus", false, &cpu->cpus, err)) < 0 ||
	    (r = hk_j_str(c, p, "mems", false, &cpu->mems, err)) < 0)
		return r;
	return 0;
}

static int parse_throttle(json_object *b, const char *key, hk_throttle_device **out, size_t *n,
                          hk_err *err)
{
	char p[HK_JPATH_MAX], pi[HK_JPATH_MAX];
	json_object *arr, *e;
	int r = res_array(b, RES ".blockIO", key, sizeof(hk_throttle_device), (void **)out, n, &arr,
	                  err);
	hk_jpath(p, RES ".blockIO", key);
	for (size_t i = 0; r == 0 && i < *n; i++) {
		hk_throttle_device *t = &(*out)[i];
		if ((r = res_elem(arr, p, i, pi, &e, err)) < 0 ||
		    (r = hk_j_i64(e, pi, "major", NULL, &t->major, err)) < 0 ||
		    (r = hk_j_i64(e, pi, "minor", NULL, &t->minor, err)) < 0)
			break;
		r = hk_j_u64(e, pi, "rate", NULL, &t->rate, err);
	}
	return r;
}

static int parse_block_io(json_object *v, hk_resources *res, hk_err *err)
{
	const char *p = RES ".blockIO";
	char pi[HK_JPATH_MAX];
	json_object *b, *arr, *e;
	int r = hk_j_obj(v, RES, "blockIO", false, &b, err);
	if (r < 0 || !b)
		return r;
	typeof(res->block_io) *bio = &res->block_io;
	if ((r = hk_j_u16(b, p, "weight", &bio->has_weight, &bio->weight, err)) < 0 ||
	    (r = hk_j_u16(b, p, "leafWeight", &bio->has_leaf_weight, &bio->leaf_weight, err)) < 0 ||
	    (r = res_array(b, p, "weightDevice", sizeof(hk_weight_device),
	                   (void **)&bio->weight_device, &bio->n_weight_device, &arr, err)) < 0)
		return r;
	for (size_t i = 0; i < bio->n_weight_device; i++) {
		hk_weight_device *w = &bio->weight_device[i];
		if ((r = res_elem(arr, RES ".blockIO.weightDevice", i, pi, &e, err)) < 0)
			return r;
		if ((r = hk_j_i64(e, pi, "major", NULL, &w->major, err)) < 0 ||
		    (r = hk_j_i64(e, pi, "minor", NULL, &w->minor, err)) < 0 ||
		    (r = hk_j_u16(e, pi, "weight", &w->has_weight, &w->weight, err)) < 0 ||
		    (r = hk_j_u16(e, pi, "leafWeight", &w->has_leaf_weight, &w->leaf_weight, err)) <
		        0)
			return r;
	}
	if ((r = parse_throttle(b, "throttleReadBpsDevice", &bio->throttle_read_bps,
	                        &bio->n_throttle_read_bps, err)) < 0 ||
	    (r = parse_throttle(b, "throttleWriteBpsDevice", &bio->throttle_write_bps,
	                        &bio->n_throttle_write_bps, err)) < 0 ||
	    (r = parse_throttle(b, "throttleReadIOPSDevice", &bio->throttle_read_iops,
	                        &bio->n_throttle_read_iops, err)) < 0 ||
	    (r = parse_throttle(b, "throttleWriteIOPSDevice", &bio->throttle_write_iops,
	                        &bio->n_throttle_write_iops, err)) < 0)
		return r;
	return 0;
}

static int parse_hugepages(json_object *v, hk_resources *res, hk_err *err)
{
	char pi[HK_JPATH_MAX];
	json_object *arr, *e;
	int r = res_array(v, RES, "hugepageLimits", sizeof(hk_hugepage_limit),
	                  (void **)&res->hugepage_limits, &res->n_hugepage_limits, &arr, err);
	for (size_t i = 0; r == 0 && i < res->n_hugepage_limits; i++) {
		hk_hugepage_limit *h = &res->hugepage_limits[i];
		if ((r = res_elem(arr, RES ".hugepageLimits", i, pi, &e, err)) < 0 ||
		    (r = hk_j_str(e, pi, "pageSize", true, &h->page_size, err)) < 0)
			break;
		r = hk_j_u64(e, pi, "limit", NULL, &h->limit, err);
	}
	return r;
}

static int parse_network(json_object *v, hk_resources *res, hk_err *err)
{
	const char *p = RES ".network";
	char pi[HK_JPATH_MAX];
	json_object *net, *arr, *e;
	int r = hk_j_obj(v, RES, "network", false, &net, err);
	if (r < 0 || !net)
		return r;
	typeof(res->network) *nw = &res->network;
	if ((r = hk_j_u32(net, p, "classID", &nw->has_class_id, &nw->class_id, err)) < 0 ||
	    (r = res_array(net, p, "priorities", sizeof(hk_kv), (void **)&nw->priorities,
	                   &nw->n_priorities, &arr, err)) < 0)
		return r;
	for (size_t i = 0; i < nw->n_priorities; i++) {
		uint32_t prio;
		if ((r = res_elem(arr, RES ".network.priorities", i, pi, &e, err)) < 0 ||
		    (r = hk_j_str(e, pi, "name", true, &nw->priorities[i].key, err)) < 0 ||
		    (r = hk_j_u32(e, pi, "priority", NULL, &prio, err)) < 0)
			return r;
		if (asprintf(&nw->priorities[i].value, "%u", prio) < 0) {
			nw->priorities[i].value = NULL;
			return hk_j_oom(err);
		}
	}
	return 0;
}

static int parse_rdma(json_object *v, hk_resources *res, hk_err *err)
{
	char p[HK_JPATH_MAX];
	json_object *obj;
	int r = hk_j_obj(v, RES, "rdma", false, &obj, err);
	if (r < 0 || !obj)
		return r;
	size_t n = (size_t)json_object_object_length(obj);
	res->rdma = calloc(n ? n : 1, sizeof(*res->rdma));
	if (!res->rdma)
		return hk_j_oom(err);
	json_object_object_foreach(obj, dev, lim)
	{
		hk_rdma_limit *l = &res->rdma[res->n_rdma++];
		hk_jpath(p, RES ".rdma", dev);
		if ((r = hk_j_strdup(dev, &l->device, err)) < 0)
			return r;
		if (!json_object_is_type(lim, json_type_object))
			return hk_err_plain(err, EINVAL, "%s: expected object", p);
		if ((r = hk_j_u32(lim, p, "hcaHandles", &l->has_hca_handles, &l->hca_handles,
		                  err)) < 0 ||
		    (r = hk_j_u32(lim, p, "hcaObjects", &l->has_hca_objects, &l->hca_objects,
		                  err)) < 0)
			return r;
	}
	return 0;
}

int hk_parse_resources(json_object *v, hk_resources *res, hk_err *err)
{
	json_object *pids;
	int r;
	if ((r = parse_device_rules(v, res, err)) < 0 || (r = parse_memory(v, res, err)) < 0 ||
	    (r = parse_cpu(v, res, err)) < 0 ||
	    (r = hk_j_obj(v, RES, "pids", false, &pids, err)) < 0)
		return r;
	if (pids && (r = hk_j_i64(pids, RES ".pids", "limit", &res->pids.has_limit,
	                          &res->pids.limit, err)) < 0)
		return r;
	if ((r = parse_block_io(v, res, err)) < 0 || (r = parse_hugepages(v, res, err)) < 0 ||
	    (r = parse_network(v, res, err)) < 0 || (r = parse_rdma(v, res, err)) < 0 ||
	    (r = hk_j_kv(v, RES, "unified", &res->unified, &res->n_unified, err)) < 0)
		return r;
	return 0;
}
