/* control.c - pause, resume, update and events over the state store and
 * the container's cgroup (see control.h).  Each operation holds the
 * container's lock while it acts; events lets go of it after looking up the
 * cgroup, so that kill and delete are not held up while it watches. */
#include "runtime/control.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/state.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

/* Open, lock and load container ID, and its status; its cgroup in *CG
 * when finding the status loaded it (load_cgroup() then has it). */
static int open_container(const char *root, const char *id, int *lock, hk_state **st,
                          enum hk_status *status, hk_cgroup **cg, hk_err *err)
{
	int r = hk_state_open(root, id, lock, err);
	if (r < 0 || (r = hk_state_load(root, id, st, err)) < 0)
		return r;
	*status = hk_state_status_cg(root, *st, cg);
	return 0;
}

static int load_cgroup(const hk_state *st, hk_cgroup **cg, hk_err *err)
{
	if (*cg)
		return 0;
	int r = hk_cgroup_load(st->cgroup, cg, err);
	return r < 0 ? hk_err_wrap(err, "container \"%s\"", st->id) : 0;
}

/* ---- pause / resume ---- */

static int set_frozen(const char *root, const char *id, bool frozen, hk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_state_ hk_state *st = NULL;
	_cleanup_cgroup_ hk_cgroup *cg = NULL;
	enum hk_status status;
	int r = open_container(root, id, &lock, &st, &status, &cg, err);
	if (r < 0)
		return r;
	if (frozen && status != HK_STATUS_RUNNING)
		return hk_err_plain(err, EINVAL, "container not running");
	if (!frozen && status != HK_STATUS_PAUSED)
		return hk_err_plain(err, EINVAL, "container not paused");
	if ((r = load_cgroup(st, &cg, err)) < 0)
		return r;
	if ((r = hk_cgroup_freeze(cg, frozen, err)) < 0)
		return hk_err_wrap(err, "%s container \"%s\"", frozen ? "pause" : "resume", id);
	return 0;
}

int hk_lc_pause(const char *root, const char *id, hk_err *err)
{
	return set_frozen(root, id, true, err);
}

int hk_lc_resume(const char *root, const char *id, hk_err *err)
{
	return set_frozen(root, id, false, err);
}

/* ---- update ---- */

/* Is V, at KEY of the section SECT of an update, one that changes nothing
 * (runc: 0 and "" leave a setting alone; null is absent)? */
static bool noop_value(const char *sect, const char *key, json_object *v)
{
	if (!v || json_object_is_type(v, json_type_null))
		return true;
	if (json_object_is_type(v, json_type_string))
		return !strcmp(sect, "cpu") && (!strcmp(key, "cpus") || !strcmp(key, "mems")) &&
		       !*json_object_get_string(v);
	if (!json_object_is_type(v, json_type_int))
		return false;
	/* as hk_cgroup_update() (and runc's update): these leave the value */
	static const char *const zero_noop[] = {
	    "memory.limit",        "memory.reservation", "memory.swap", "memory.kernel",
	    "memory.kernelTCP",    "cpu.shares",         "cpu.quota",   "cpu.period",
	    "cpu.realtimeRuntime", "cpu.realtimePeriod", "pids.limit",  "blockIO.weight",
	    "blockIO.leafWeight",  "network.classID"};
	char path[128];
	snprintf(path, sizeof(path), "%s.%s", sect, key);
	for (size_t i = 0; i < HK_ARRAY_SIZE(zero_noop); i++)
		if (!strcmp(path, zero_noop[i]))
			return json_object_get_int64(v) == 0;
	return false;
}

/* Merge the update UPD (a LinuxResources object) into RES (the config's
 * linux.resources): sections merged key by key, other values replaced. */
static void merge(json_object *res, json_object *upd)
{
	json_object_object_foreach(upd, sect, val)
	{
		if (!strcmp(sect, "devices") || json_object_is_type(val, json_type_null))
			continue; /* update never changes device rules */
		json_object *cur = NULL;
		if (!json_object_is_type(val, json_type_object)) {
			json_object_object_add(res, sect, json_object_get(val));
			continue;
		}
		if (!json_object_object_get_ex(res, sect, &cur) ||
		    !json_object_is_type(cur, json_type_object)) {
			cur = json_object_new_object();
			json_object_object_add(res, sect, cur);
		}
		json_object_object_foreach(val, key, v)
		{
			if (!noop_value(sect, key, v))
				json_object_object_add(cur, key, json_object_get(v));
		}
		/* unlimited memory without a swap value: both unlimited */
		json_object *lim = NULL, *sw = NULL;
		if (!strcmp(sect, "memory") && json_object_object_get_ex(val, "limit", &lim) &&
		    json_object_is_type(lim, json_type_int) && json_object_get_int64(lim) == -1 &&
		    (!json_object_object_get_ex(val, "swap", &sw) || noop_value(sect, "swap", sw)))
			json_object_object_add(cur, "swap", json_object_new_int64(-1));
	}
}

int hk_lc_update_config(const char *config, const char *path, const char *json, size_t len,
                        char **out, hk_err *err)
{
	_cleanup_json_ json_object *cfg = json_tokener_parse(config);
	_cleanup_json_ json_object *upd = NULL;
	json_tokener *tok = json_tokener_new();
	if (tok) {
		upd = json_tokener_parse_ex(tok, json, (int)len);
		json_tokener_free(tok);
	}
	if (!cfg || !json_object_is_type(cfg, json_type_object))
		return hk_err_plain(err, EINVAL, "%s: not a JSON object", path);
	if (!upd || !json_object_is_type(upd, json_type_object))
		return hk_err_plain(err, EINVAL, "resources: not a JSON object");
	json_object *lnx = NULL, *res = NULL;
	if (!json_object_object_get_ex(cfg, "linux", &lnx) ||
	    !json_object_is_type(lnx, json_type_object)) {
		lnx = json_object_new_object();
		json_object_object_add(cfg, "linux", lnx);
	}
	if (!json_object_object_get_ex(lnx, "resources", &res) ||
	    !json_object_is_type(res, json_type_object)) {
		res = json_object_new_object();
		json_object_object_add(lnx, "resources", res);
	}
	merge(res, upd);
	const char *text = json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PRETTY |
	                                                           JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text || !(*out = strdup(text)))
		return hk_err_set(err, ENOMEM, "update");
	return 0;
}

/* Record UPD in ROOT/ID/config.json's linux.resources. */
static int record(const char *root, const char *id, const char *json, size_t len, hk_err *err)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *merged = NULL;
	if (asprintf(&path, "%s/%s/config.json", root, id) < 0)
		return hk_err_set(err, ENOMEM, "update");
	int r = hk_read_file(path, &text, NULL, err);
	if (r < 0)
		return r;
	if ((r = hk_lc_update_config(text, path, json, len, &merged, err)) < 0)
		return r;
	return hk_state_save_config(root, id, merged, strlen(merged), err);
}

int hk_lc_update(const char *root, const char *id, const char *json, size_t len, hk_err *err)
{
	hk_resources res;
	int r = hk_spec_parse_resources(json, len, &res, err);
	if (r < 0) {
		hk_resources_free(&res);
		return r;
	}
	_cleanup_close_ int lock = -1;
	_cleanup_state_ hk_state *st = NULL;
	_cleanup_cgroup_ hk_cgroup *cg = NULL;
	enum hk_status status;
	r = open_container(root, id, &lock, &st, &status, &cg, err);
	if (r == 0 && status == HK_STATUS_STOPPED)
		r = hk_err_plain(err, EINVAL, "container not running");
	if (r == 0)
		r = load_cgroup(st, &cg, err);
	/* memory.checkBeforeUpdate set at creation holds for every update
	 * that does not say otherwise (runc keeps it in its config) */
	_cleanup_spec_ hk_spec *spec = NULL;
	hk_err ignored;
	if (r == 0 && !res.memory.has_check_before_update &&
	    hk_state_load_spec(root, id, &spec, &ignored) == 0 && spec->lnx.has_resources) {
		res.memory.has_check_before_update =
		    spec->lnx.resources.memory.has_check_before_update;
		res.memory.check_before_update = spec->lnx.resources.memory.check_before_update;
	}
	if (r == 0 && (r = hk_cgroup_update(cg, &res, err)) < 0)
		hk_err_wrap(err, "update container \"%s\"", id);
	hk_resources_free(&res);
	if (r < 0)
		return r;
	if ((r = record(root, id, json, len, err)) < 0)
		return hk_err_wrap(err, "update container \"%s\": applied, but not recorded", id);
	return 0;
}

/* ---- events ---- */

static void add_u64(json_object *o, const char *k, uint64_t v, bool omitempty)
{
	if (v || !omitempty)
		json_object_object_add(o, k, json_object_new_uint64(v));
}

static json_object *mem_entry(const hk_cg_mem_entry *m)
{
	json_object *o = json_object_new_object();
	add_u64(o, "limit", m->limit, false);
	add_u64(o, "usage", m->usage, true);
	add_u64(o, "max", m->max, true);
	add_u64(o, "failcnt", m->failcnt, false);
	return o;
}

/* runc's blkio object: a list per non-empty table, entries with their
 * zero fields left out (omitempty). */
static json_object *blkio_json(const hk_cg_stats *s)
{
	static const char *const names[HK_BLKIO_N_TABLES] = {
	    [HK_BLKIO_SERVICE_BYTES] = "ioServiceBytesRecursive",
	    [HK_BLKIO_SERVICED] = "ioServicedRecursive",
	    [HK_BLKIO_QUEUED] = "ioQueueRecursive",
	    [HK_BLKIO_SERVICE_TIME] = "ioServiceTimeRecursive",
	    [HK_BLKIO_WAIT_TIME] = "ioWaitTimeRecursive",
	    [HK_BLKIO_MERGED] = "ioMergedRecursive",
	    [HK_BLKIO_TIME] = "ioTimeRecursive",
	    [HK_BLKIO_SECTORS] = "sectorsRecursive",
	};
	json_object *o = json_object_new_object();
	for (size_t t = 0; o && t < HK_BLKIO_N_TABLES; t++) {
		if (!s->blkio.n[t])
			continue;
		json_object *list = json_object_new_array();
		for (size_t i = 0; list && i < s->blkio.n[t]; i++) {
			const hk_cg_blkio_entry *e = &s->blkio.e[t][i];
			json_object *je = json_object_new_object();
			add_u64(je, "major", e->major, true);
			add_u64(je, "minor", e->minor, true);
			if (e->op[0])
				json_object_object_add(je, "op", json_object_new_string(e->op));
			add_u64(je, "value", e->value, true);
			json_object_array_add(list, je);
		}
		json_object_object_add(o, names[t], list);
	}
	return o;
}

/* runc's hugetlb object: page size -> {usage, max, failcnt}. */
static json_object *hugetlb_json(const hk_cg_stats *s)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; o && i < s->n_hugetlb; i++) {
		json_object *h = json_object_new_object();
		add_u64(h, "usage", s->hugetlb[i].usage, true);
		add_u64(h, "max", s->hugetlb[i].max, true);
		add_u64(h, "failcnt", s->hugetlb[i].failcnt, false);
		json_object_object_add(o, s->hugetlb[i].size, h);
	}
	return o;
}

static char *event_line(json_object *o)
{
	const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
	return t ? strdup(t) : NULL;
}

char *hk_stats_event_json(const char *id, const hk_cg_stats *s)
{
	_cleanup_json_ json_object *ev = json_object_new_object();
	json_object *data = json_object_new_object();
	json_object *cpu = json_object_new_object(), *usage = json_object_new_object();
	json_object *thr = json_object_new_object(), *mem = json_object_new_object();
	json_object *pids = json_object_new_object(), *raw = json_object_new_object();
	if (!ev || !data || !cpu || !usage || !thr || !mem || !pids || !raw)
		return NULL; /* (a few objects leak when out of memory) */
	json_object_object_add(ev, "type", json_object_new_string("stats"));
	json_object_object_add(ev, "id", json_object_new_string(id));
	json_object_object_add(ev, "data", data);
	/* runc's names (types/events.go); "omitempty" fields left out when 0 */
	add_u64(usage, "total", s->cpu.total, true);
	add_u64(usage, "kernel", s->cpu.kernel, false);
	add_u64(usage, "user", s->cpu.user, false);
	json_object_object_add(cpu, "usage", usage);
	add_u64(thr, "periods", s->cpu.periods, true);
	add_u64(thr, "throttledPeriods", s->cpu.throttled_periods, true);
	add_u64(thr, "throttledTime", s->cpu.throttled_time, true);
	json_object_object_add(cpu, "throttling", thr);
	json_object_object_add(data, "cpu", cpu);
	add_u64(mem, "cache", s->memory.cache, true);
	json_object_object_add(mem, "usage", mem_entry(&s->memory.usage));
	json_object_object_add(mem, "swap", mem_entry(&s->memory.swap));
	for (size_t i = 0; i < s->memory.n_raw; i++)
		add_u64(raw, s->memory.raw[i].key, s->memory.raw[i].value, false);
	if (s->memory.n_raw)
		json_object_object_add(mem, "raw", raw);
	else
		json_object_put(raw);
	json_object_object_add(data, "memory", mem);
	add_u64(pids, "current", s->pids.current, true);
	add_u64(pids, "limit", s->pids.limit, true);
	json_object_object_add(data, "pids", pids);
	json_object_object_add(data, "blkio", blkio_json(s));
	json_object_object_add(data, "hugetlb", hugetlb_json(s));
	return event_line(ev);
}

static int emit(FILE *out, char *line, hk_err *err)
{
	if (!line)
		return hk_err_set(err, ENOMEM, "events");
	int r = fprintf(out, "%s\n", line) < 0 || fflush(out) != 0 ? -1 : 0;
	free(line);
	return r < 0 ? hk_err_set(err, errno ? errno : EIO, "events: write") : 0;
}

static int emit_stats(FILE *out, const char *id, hk_cgroup *cg, hk_err *err)
{
	hk_cg_stats s;
	int r = hk_cgroup_stats(cg, &s, err);
	if (r < 0)
		return r;
	r = emit(out, hk_stats_event_json(id, &s), err);
	hk_cgroup_stats_free(&s);
	return r;
}

static int emit_oom(FILE *out, const char *id, hk_err *err)
{
	_cleanup_json_ json_object *ev = json_object_new_object();
	if (!ev)
		return hk_err_set(err, ENOMEM, "events");
	json_object_object_add(ev, "type", json_object_new_string("oom"));
	json_object_object_add(ev, "id", json_object_new_string(id));
	return emit(out, event_line(ev), err);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How often the OOM counter and the container's life are looked at. */
#define WATCH_MS 100

int hk_lc_events(const char *root, const char *id, const hk_events_opts *o, hk_err *err)
{
	_cleanup_state_ hk_state *st = NULL;
	_cleanup_cgroup_ hk_cgroup *cg = NULL;
	{
		_cleanup_close_ int lock = -1;
		enum hk_status status;
		int r = open_container(root, id, &lock, &st, &status, &cg, err);
		if (r < 0)
			return r;
		if (status == HK_STATUS_STOPPED)
			return hk_err_plain(err, ESRCH, "container with id %s is not running", id);
		if ((r = load_cgroup(st, &cg, err)) < 0)
			return r;
	}
	if (o->stats_only)
		return emit_stats(o->out, id, cg, err);
	if (o->interval_ms <= 0)
		return hk_err_plain(err, EINVAL, "duration interval must be greater than 0");
	long long ooms = hk_cgroup_oom_kills(cg);
	long long next = now_ms() + o->interval_ms;
	for (;;) {
		long long left = next - now_ms();
		usleep((useconds_t)(left < WATCH_MS ? (left > 0 ? left : 0) : WATCH_MS) * 1000);
		long long k = hk_cgroup_oom_kills(cg);
		int r = 0;
		if (k > ooms && ooms >= 0)
			r = emit_oom(o->out, id, err);
		if (k >= 0)
			ooms = k;
		if (r < 0)
			return r;
		if (!hk_state_alive(st))
			return 0;
		if (now_ms() >= next) {
			hk_cg_stats s;
			hk_err e;
			/* a failed read (the cgroup going away) skips a beat */
			if (hk_cgroup_stats(cg, &s, &e) == 0) {
				r = emit(o->out, hk_stats_event_json(id, &s), err);
				hk_cgroup_stats_free(&s);
				if (r < 0)
					return r;
			}
			next += o->interval_ms;
			if (next < now_ms())
				next = now_ms() + o->interval_ms;
		}
	}
}
