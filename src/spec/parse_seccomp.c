/* parse_seccomp.c - linux.seccomp of config.json: actions, architectures,
 * flags, the listener, and syscall rules with their argument filters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linux/seccomp_filter.h"
#include "spec/parse_internal.h"
#include "util/cleanup.h"

#define SEC "linux.seccomp"

static const char *const actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
};

static const char *const operators[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static int check_action(const char *path, const char *action, hk_err *err)
{
	if (!in_list(action, actions, HK_ARRAY_SIZE(actions)))
		return hk_err_plain(err, EINVAL, "%s: unknown action \"%s\"", path, action);
	return 0;
}

/* The architectures and flags libseccomp and husk know (their tables are
 * with the filter's compiler). */
static int check_archs_and_flags(const hk_seccomp *s, hk_err *err)
{
	for (size_t i = 0; i < s->n_architectures; i++)
		if (!hk_seccomp_arch_value(s->architectures[i]))
			return hk_err_plain(err, EINVAL,
			                    SEC ".architectures[%zu]: unknown architecture \"%s\"",
			                    i, s->architectures[i]);
	const char *known[16];
	size_t n = hk_seccomp_known_flags(known, HK_ARRAY_SIZE(known));
	for (size_t i = 0; i < s->n_flags; i++)
		if (!in_list(s->flags[i], known, n))
			return hk_err_plain(err, EINVAL, SEC ".flags[%zu]: unknown flag \"%s\"", i,
			                    s->flags[i]);
	return 0;
}

static int parse_arg(json_object *e, const char *pi, hk_seccomp_arg *a, hk_err *err)
{
	int r;
	if (!json_object_is_type(e, json_type_object))
		return hk_err_plain(err, EINVAL, "%s: expected object", pi);
	if ((r = hk_j_u32(e, pi, "index", NULL, &a->index, err)) < 0 ||
	    (r = hk_j_u64(e, pi, "value", NULL, &a->value, err)) < 0 ||
	    (r = hk_j_u64(e, pi, "valueTwo", HK_OPTIONAL, &a->value_two, err)) < 0 ||
	    (r = hk_j_str(e, pi, "op", true, &a->op, err)) < 0)
		return r;
	if (a->index > 5)
		return hk_err_plain(err, EINVAL, "%s.index: out of range (0..5)", pi);
	if (!in_list(a->op, operators, HK_ARRAY_SIZE(operators)))
		return hk_err_plain(err, EINVAL, "%s.op: unknown operator \"%s\"", pi, a->op);
	return 0;
}

static int parse_syscall(json_object *e, const char *pi, hk_seccomp_syscall *sc, hk_err *err)
{
	char p[HK_JPATH_MAX], pa[HK_JPATH_MAX];
	json_object *arr;
	int r;

	if (!json_object_is_type(e, json_type_object))
		return hk_err_plain(err, EINVAL, "%s: expected object", pi);
	if (!hk_jget(e, "names"))
		return hk_err_plain(err, EINVAL, "%s.names: required", pi);
	if ((r = hk_j_strv(e, pi, "names", &sc->names, &sc->n_names, err)) < 0)
		return r;
	if (sc->n_names == 0)
		return hk_err_plain(err, EINVAL, "%s.names: must not be empty", pi);
	if ((r = hk_j_str(e, pi, "action", true, &sc->action, err)) < 0 ||
	    (r = check_action(hk_jpath(p, pi, "action"), sc->action, err)) < 0 ||
	    (r = hk_j_u32(e, pi, "errnoRet", &sc->has_errno_ret, &sc->errno_ret, err)) < 0 ||
	    (r = hk_j_arr(e, pi, "args", false, &arr, err)) < 0)
		return r;
	if (!arr)
		return 0;
	size_t n = json_object_array_length(arr);
	sc->args = calloc(n ? n : 1, sizeof(*sc->args));
	if (!sc->args)
		return hk_j_oom(err);
	sc->n_args = n;
	hk_jpath(p, pi, "args");
	for (size_t i = 0; i < n; i++)
		if ((r = parse_arg(json_object_array_get_idx(arr, i), hk_jpath_idx(pa, p, i),
		                   &sc->args[i], err)) < 0)
			return r;
	return 0;
}

int hk_parse_seccomp(json_object *v, hk_seccomp *s, hk_err *err)
{
	char pi[HK_JPATH_MAX];
	json_object *arr;
	int r;

	if ((r = hk_j_str(v, SEC, "defaultAction", true, &s->default_action, err)) < 0 ||
	    (r = check_action(SEC ".defaultAction", s->default_action, err)) < 0 ||
	    (r = hk_j_u32(v, SEC, "defaultErrnoRet", &s->has_default_errno_ret,
	                  &s->default_errno_ret, err)) < 0 ||
	    (r = hk_j_strv(v, SEC, "architectures", &s->architectures, &s->n_architectures, err)) <
	        0 ||
	    (r = hk_j_strv(v, SEC, "flags", &s->flags, &s->n_flags, err)) < 0 ||
	    (r = hk_j_str(v, SEC, "listenerPath", false, &s->listener_path, err)) < 0 ||
	    (r = hk_j_str(v, SEC, "listenerMetadata", false, &s->listener_metadata, err)) < 0 ||
	    (r = hk_j_arr(v, SEC, "syscalls", false, &arr, err)) < 0 ||
	    (r = check_archs_and_flags(s, err)) < 0)
		return r;
	if (arr) {
		size_t n = json_object_array_length(arr);
		s->syscalls = calloc(n ? n : 1, sizeof(*s->syscalls));
		if (!s->syscalls)
			return hk_j_oom(err);
		s->n_syscalls = n;
		for (size_t i = 0; i < n; i++)
			if ((r = parse_syscall(json_object_array_get_idx(arr, i),
			                       hk_jpath_idx(pi, SEC ".syscalls", i),
			                       &s->syscalls[i], err)) < 0)
				return r;
	}
	bool notify = strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0;
	for (size_t i = 0; i < s->n_syscalls; i++)
		notify = notify || strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0;
	if (notify && (!s->listener_path || !s->listener_path[0]))
		return hk_err_plain(err, EINVAL,
		                    SEC ".listenerPath: required when SCMP_ACT_NOTIFY is used");
	if (s->listener_path && s->listener_path[0] && s->listener_path[0] != '/')
		return hk_err_plain(err, EINVAL, SEC ".listenerPath: must be an absolute path");
	return 0;
}
