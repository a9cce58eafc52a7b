/* control.h - acting on a living container through its cgroup: pause and
 * resume (the freezer), update (its resources, kept in ROOT/ID/config.json
 * too) and events (usage statistics and OOM kills as runc's JSON). */
#ifndef HUSK_RUNTIME_CONTROL_H
#define HUSK_RUNTIME_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "linux/cgroup.h"
#include "util/error.h"

/* Freeze a running container's cgroup: "container not running" (runc's
 * words) when it is not running (created, paused or stopped). */
int hk_lc_pause(const char *root, const char *id, hk_err *err);
/* Thaw a paused one: "container not paused" otherwise. */
int hk_lc_resume(const char *root, const char *id, hk_err *err);

/* Apply JSON (a LinuxResources object, as `update --resources`: the same
 * checks and messages as config.json's linux.resources) to a created,
 * running or paused container's cgroup, then record the values given in
 * ROOT/ID/config.json's linux.resources.  Values of 0 leave a setting as it
 * is (runc); device rules are ignored.  A stopped container: "container not
 * running".  An invalid value changes nothing. */
int hk_lc_update(const char *root, const char *id, const char *json, size_t len, hk_err *err);

/* What hk_lc_update() records: the text of config.json CONFIG (PATH
 * names it in errors) with the update JSON (LEN bytes, already accepted
 * by hk_spec_parse_resources()) merged into its linux.resources; values
 * that change nothing (0, "") are left out, device rules ignored.
 * *OUT is malloc'd. */
int hk_lc_update_config(const char *config, const char *path, const char *json, size_t len,
                        char **out, hk_err *err);

typedef struct hk_events_opts {
	bool stats_only;       /* one stats object, then return */
	long long interval_ms; /* between stats objects; > 0 */
	FILE *out;             /* one JSON object per line */
} hk_events_opts;

/* runc's `events`: {"type":"stats","id":ID,"data":{...}} every interval
 * (the first after one interval) and {"type":"oom","id":ID} when the OOM
 * killer kills in the container, until the container stops (then 0).
 * A stopped container: "container with id ID is not running". */
int hk_lc_events(const char *root, const char *id, const hk_events_opts *o, hk_err *err);

/* The stats event line (malloc'd, no newline) in runc's field names. */
char *hk_stats_event_json(const char *id, const hk_cg_stats *s);

#endif
