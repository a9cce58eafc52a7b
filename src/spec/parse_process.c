/* parse_process.c - the "process" section of config.json: args, env, cwd,
 * user, console size, capabilities, rlimits, oomScoreAdj, scheduler,
 * ioPriority, LSM labels. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linux/caps.h"
#include "linux/rlimits.h"
#include "linux/procsched.h"
#include "spec/parse_internal.h"
#include "util/cleanup.h"

static int parse_user(json_object *proc, hk_user *u, hk_err *err)
{
	json_object *v;
	int r = hk_j_obj(proc, "process", "user", false, &v, err);
	if (r < 0 || !v)
		return r; /* absent: uid 0, gid 0, as runc */
	json_object *gids;
	/* uid/gid are REQUIRED on Linux; like runc, a missing one means 0. */
	if ((r = hk_j_u32(v, "process.user", "uid", HK_OPTIONAL, &u->uid, err)) < 0 ||
	    (r = hk_j_u32(v, "process.user", "gid", HK_OPTIONAL, &u->gid, err)) < 0 ||
	    (r = hk_j_u32(v, "process.user", "umask", &u->has_umask, &u->umask, err)) < 0 ||
	    (r = hk_j_str(v, "process.user", "username", false, &u->username, err)) < 0 ||
	    (r = hk_j_arr(v, "process.user", "additionalGids", false, &gids, err)) < 0)
		return r;
	if (!gids)
		return 0;
	size_t n = json_object_array_length(gids);
	u->additional_gids = calloc(n ? n : 1, sizeof(uint32_t));
	if (!u->additional_gids)
		return hk_j_oom(err);
	u->n_additional_gids = n;
	for (size_t i = 0; i < n; i++) {
		char p[HK_JPATH_MAX];
		hk_jpath_idx(p, "process.user.additionalGids", i);
		if ((r = hk_jv_u32(json_object_array_get_idx(gids, i), p, &u->additional_gids[i],
		                   err)) < 0)
			return r;
	}
	return 0;
}

static int parse_capset(json_object *caps, const char *key, uint64_t *set, hk_err *err)
{
	char p[HK_JPATH_MAX], pi[HK_JPATH_MAX];
	json_object *arr;
	int r = hk_j_arr(caps, "process.capabilities", key, false, &arr, err);
	if (r < 0 || !arr)
		return r;
	hk_jpath(p, "process.capabilities", key);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		hk_jpath_idx(pi, p, i);
		if (!json_object_is_type(e, json_type_string))
			return hk_err_plain(err, EINVAL, "%s: expected string", pi);
		const char *name = json_object_get_string(e);
		int cap = hk_cap_from_name(name);
		if (cap < 0 || cap >= 64)
			return hk_err_plain(err, EINVAL, "%s: unknown capability \"%s\"", pi, name);
		*set |= UINT64_C(1) << cap;
	}
	return 0;
}

static int parse_caps(json_object *proc, hk_process *p, hk_err *err)
{
	json_object *v;
	int r = hk_j_obj(proc, "process", "capabilities", false, &v, err);
	if (r < 0 || !v)
		return r;
	p->has_capabilities = true;
	if ((r = parse_capset(v, "bounding", &p->caps.bounding, err)) < 0 ||
	    (r = parse_capset(v, "effective", &p->caps.effective, err)) < 0 ||
	    (r = parse_capset(v, "inheritable", &p->caps.inheritable, err)) < 0 ||
	    (r = parse_capset(v, "permitted", &p->caps.permitted, err)) < 0 ||
	    (r = parse_capset(v, "ambient", &p->caps.ambient, err)) < 0)
		return r;
	return 0;
}

static int parse_rlimits(json_object *proc, hk_process *p, hk_err *err)
{
	char pi[HK_JPATH_MAX];
	json_object *arr;
	int r = hk_j_arr(proc, "process", "rlimits", false, &arr, err);
	if (r < 0 || !arr)
		return r;
	size_t n = json_object_array_length(arr);
	p->rlimits = calloc(n ? n : 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return hk_j_oom(err);
	p->n_rlimits = n;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		hk_rlimit *rl = &p->rlimits[i];
		hk_jpath_idx(pi, "process.rlimits", i);
		if (!json_object_is_type(e, json_type_object))
			return hk_err_plain(err, EINVAL, "%s: expected object", pi);
		if ((r = hk_j_str(e, pi, "type", true, &rl->type, err)) < 0)
			return r;
		rl->resource = hk_rlimit_from_name(rl->type);
		if (rl->resource < 0)
			return hk_err_plain(err, EINVAL, "%s.type: unknown rlimit \"%s\"", pi,
			                    rl->type);
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == rl->resource)
				return hk_err_plain(err, EINVAL, "%s.type: duplicate rlimit \"%s\"",
				                    pi, rl->type);
		if ((r = hk_j_u64(e, pi, "soft", NULL, &rl->soft, err)) < 0 ||
		    (r = hk_j_u64(e, pi, "hard", NULL, &rl->hard, err)) < 0)
			return r;
		if (rl->soft > rl->hard)
			return hk_err_plain(err, EINVAL, "%s: soft limit is above the hard limit",
			                    pi);
	}
	return 0;
}

static int parse_io_priority(json_object *proc, hk_process *p, hk_err *err)
{
	json_object *v;
	_cleanup_free_ char *cls = NULL;
	int r = hk_j_obj(proc, "process", "ioPriority", false, &v, err);
	if (r < 0 || !v)
		return r;
	if ((r = hk_j_str(v, "process.ioPriority", "class", true, &cls, err)) < 0)
		return r;
	p->io_priority_class = hk_ioprio_class_from_name(cls);
	if (p->io_priority_class < 0)
		return hk_err_plain(err, EINVAL, "process.ioPriority.class: unknown class \"%s\"",
		                    cls);
	/* absent: 0, as runc (Go's zero value) */
	if ((r = hk_j_int_range(v, "process.ioPriority", "priority", 0, 7, HK_OPTIONAL,
	                        &p->io_priority, err)) < 0)
		return r;
	p->has_io_priority = true;
	return 0;
}

static int parse_sched_flags(json_object *v, hk_sched *s, hk_err *err)
{
	char pi[HK_JPATH_MAX];
	json_object *arr;
	int r = hk_j_arr(v, "process.scheduler", "flags", false, &arr, err);
	if (r < 0 || !arr)
		return r;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		hk_jpath_idx(pi, "process.scheduler.flags", i);
		if (!json_object_is_type(e, json_type_string))
			return hk_err_plain(err, EINVAL, "%s: expected string", pi);
		uint64_t bit = hk_sched_flag_from_name(json_object_get_string(e));
		if (!bit)
			return hk_err_plain(err, EINVAL, "%s: unknown flag \"%s\"", pi,
			                    json_object_get_string(e));
		s->flags |= bit;
	}
	return 0;
}

/* The checks of runc's validator, plus the priority range the kernel
 * enforces for the RT policies, so a bad config fails at create with the
 * JSON path rather than as EINVAL from the init. */
static int parse_scheduler(json_object *proc, hk_process *p, hk_err *err)
{
	static const char *const sp = "process.scheduler";
	json_object *v;
	_cleanup_free_ char *policy = NULL;
	hk_sched *s = &p->scheduler;
	int r = hk_j_obj(proc, "process", "scheduler", false, &v, err);
	if (r < 0 || !v)
		return r;
	if ((r = hk_j_str(v, sp, "policy", true, &policy, err)) < 0)
		return r;
	s->policy = hk_sched_policy_from_name(policy);
	if (s->policy < 0)
		return hk_err_plain(err, EINVAL, "%s.policy: unknown policy \"%s\"", sp, policy);
	if ((r = hk_j_int_range(v, sp, "nice", -20, 19, HK_OPTIONAL, &s->nice, err)) < 0 ||
	    (r = hk_j_int_range(v, sp, "priority", 0, 99, HK_OPTIONAL, &s->priority, err)) < 0 ||
	    (r = parse_sched_flags(v, s, err)) < 0 ||
	    (r = hk_j_u64(v, sp, "runtime", HK_OPTIONAL, &s->runtime, err)) < 0 ||
	    (r = hk_j_u64(v, sp, "deadline", HK_OPTIONAL, &s->deadline, err)) < 0 ||
	    (r = hk_j_u64(v, sp, "period", HK_OPTIONAL, &s->period, err)) < 0)
		return r;
	bool has_rt = s->policy == HK_SCHED_FIFO || s->policy == HK_SCHED_RR;
	if (has_rt && s->priority == 0)
		return hk_err_plain(err, EINVAL, "%s.priority: %s needs a priority in 1..99", sp,
		                    policy);
	if (!has_rt && s->priority != 0)
		return hk_err_plain(
		    err, EINVAL, "%s.priority: only SCHED_FIFO and SCHED_RR take a priority", sp);
	if (s->policy != HK_SCHED_DEADLINE && (s->runtime || s->deadline || s->period))
		return hk_err_plain(err, EINVAL,
		                    "%s: runtime, deadline and period are for SCHED_DEADLINE only",
		                    sp);
	p->has_scheduler = true;
	return 0;
}

static int parse_console(json_object *proc, hk_process *p, hk_err *err)
{
	json_object *v;
	int r = hk_j_obj(proc, "process", "consoleSize", false, &v, err);
	if (r < 0 || !v)
		return r;
	p->has_console_size = true;
	if ((r = hk_j_u32(v, "process.consoleSize", "height", NULL, &p->console_height, err)) < 0 ||
	    (r = hk_j_u32(v, "process.consoleSize", "width", NULL, &p->console_width, err)) < 0)
		return r;
	return 0;
}

int hk_parse_process(json_object *v, hk_process *p, hk_err *err)
{
	int r;
	if ((r = hk_j_bool(v, "process", "terminal", HK_OPTIONAL, &p->terminal, err)) < 0 ||
	    (r = parse_console(v, p, err)) < 0 || (r = parse_user(v, &p->user, err)) < 0)
		return r;
	if (!hk_jget(v, "args"))
		return hk_err_plain(err, EINVAL, "process.args: required");
	if ((r = hk_j_strv(v, "process", "args", &p->args, &p->n_args, err)) < 0)
		return r;
	if (p->n_args == 0)
		return hk_err_plain(err, EINVAL, "process.args: must not be empty");
	if ((r = hk_j_strv(v, "process", "env", &p->env, &p->n_env, err)) < 0 ||
	    (r = hk_j_str(v, "process", "cwd", true, &p->cwd, err)) < 0)
		return r;
	if (p->cwd[0] != '/')
		return hk_err_plain(err, EINVAL, "process.cwd: must be an absolute path");
	if ((r = parse_caps(v, p, err)) < 0 || (r = parse_rlimits(v, p, err)) < 0 ||
	    (r = hk_j_bool(v, "process", "noNewPrivileges", HK_OPTIONAL, &p->no_new_privileges,
	                   err)) < 0 ||
	    (r = hk_j_int_range(v, "process", "oomScoreAdj", -1000, 1000, &p->has_oom_score_adj,
	                        &p->oom_score_adj, err)) < 0 ||
	    (r = parse_scheduler(v, p, err)) < 0 || (r = parse_io_priority(v, p, err)) < 0 ||
	    (r = hk_j_str(v, "process", "apparmorProfile", false, &p->apparmor_profile, err)) < 0 ||
	    (r = hk_j_str(v, "process", "selinuxLabel", false, &p->selinux_label, err)) < 0)
		return r;
	return 0;
}
