/* parse_linux.c - the "linux" section of config.json: namespaces, id
 * mappings, devices, sysctl, propagation, masked/readonly paths,
 * personality, time offsets.  linux.resources and linux.seccomp are in
 * parse_resources.c and parse_seccomp.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/parse_internal.h"
#include "util/cleanup.h"
#include "util/debug.h"

static int parse_namespaces(json_object *lv, hk_linux *l, hk_err *err)
{
	char pi[HK_JPATH_MAX];
	json_object *arr;
	int r = hk_j_arr(lv, "linux", "namespaces", false, &arr, err);
	if (r < 0 || !arr)
		return r;
	size_t n = json_object_array_length(arr);
	l->namespaces = calloc(n ? n : 1, sizeof(*l->namespaces));
	if (!l->namespaces)
		return hk_j_oom(err);
	l->n_namespaces = n;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		hk_namespace *ns = &l->namespaces[i];
		char *type = NULL;
		hk_jpath_idx(pi, "linux.namespaces", i);
		if (!json_object_is_type(e, json_type_object))
			return hk_err_plain(err, EINVAL, "%s: expected object", pi);
		if ((r = hk_j_str(e, pi, "type", true, &type, err)) < 0)
			return r;
		int t = hk_ns_type_from_name(type);
		if (t < 0)
			r = hk_err_plain(err, EINVAL, "%s.type: unknown namespace \"%s\"", pi,
			                 type);
		for (size_t j = 0; r == 0 && j < i; j++)
			if ((int)l->namespaces[j].type == t)
				r = hk_err_plain(err, EINVAL, "%s.type: duplicate namespace \"%s\"",
				                 pi, type);
		free(type);
		if (r < 0)
			return r;
		ns->type = (enum hk_ns_type)t;
		if ((r = hk_j_str(e, pi, "path", false, &ns->path, err)) < 0)
			return r;
		if (ns->path && ns->path[0] != '/')
			return hk_err_plain(err, EINVAL, "%s.path: must be an absolute path", pi);
	}
	return 0;
}

static int parse_device(json_object *e, const char *pi, hk_device *d, hk_err *err)
{
	char *type = NULL;
	int r;
	if (!json_object_is_type(e, json_type_object))
		return hk_err_plain(err, EINVAL, "%s: expected object", pi);
	if ((r = hk_j_str(e, pi, "path", true, &d->path, err)) < 0)
		return r;
	if (d->path[0] != '/')
		return hk_err_plain(err, EINVAL, "%s.path: must be an absolute path", pi);
	if ((r = hk_j_str(e, pi, "type", true, &type, err)) < 0)
		return r;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		r = hk_err_plain(err, EINVAL, "%s.type: unknown device type \"%s\"", pi, type);
	d->type = type[0];
	free(type);
	if (r < 0)
		return r;
	bool optional = d->type == 'p'; /* a fifo has no device number */
	if ((r = hk_j_i64(e, pi, "major", optional ? HK_OPTIONAL : NULL, &d->major, err)) < 0 ||
	    (r = hk_j_i64(e, pi, "minor", optional ? HK_OPTIONAL : NULL, &d->minor, err)) < 0 ||
	    (r = hk_j_u32(e, pi, "fileMode", &d->has_file_mode, &d->file_mode, err)) < 0 ||
	    (r = hk_j_u32(e, pi, "uid", &d->has_uid, &d->uid, err)) < 0 ||
	    (r = hk_j_u32(e, pi, "gid", &d->has_gid, &d->gid, err)) < 0)
		return r;
	return 0;
}

static int parse_devices(json_object *lv, hk_linux *l, hk_err *err)
{
	char pi[HK_JPATH_MAX];
	json_object *arr;
	int r = hk_j_arr(lv, "linux", "devices", false, &arr, err);
	if (r < 0 || !arr)
		return r;
	size_t n = json_object_array_length(arr);
	l->devices = calloc(n ? n : 1, sizeof(*l->devices));
	if (!l->devices)
		return hk_j_oom(err);
	l->n_devices = n;
	for (size_t i = 0; i < n; i++) {
		r = parse_device(json_object_array_get_idx(arr, i),
		                 hk_jpath_idx(pi, "linux.devices", i), &l->devices[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_personality(json_object *lv, hk_linux *l, hk_err *err)
{
	json_object *v;
	int r = hk_j_obj(lv, "linux", "personality", false, &v, err);
	if (r < 0 || !v)
		return r;
	l->has_personality = true;
	if ((r = hk_j_str(v, "linux.personality", "domain", true, &l->personality_domain, err)) < 0)
		return r;
	if (strcmp(l->personality_domain, "LINUX") != 0 &&
	    strcmp(l->personality_domain, "LINUX32") != 0)
		return hk_err_plain(err, EINVAL, "linux.personality.domain: unknown domain \"%s\"",
		                    l->personality_domain);
	/* The runtime spec defines no flags yet: as runc, they are ignored
	 * (runc warns), here with a --debug note; they must be strings. */
	char **flags = NULL;
	size_t n = 0;
	r = hk_j_strv(v, "linux.personality", "flags", &flags, &n, err);
	for (size_t i = 0; i < n; i++) {
		if (r == 0)
			hk_debug("linux.personality.flags[%zu]: \"%s\" ignored (no flag is defined "
			         "by the runtime spec; runc ignores them too)",
			         i, flags[i]);
		free(flags[i]);
	}
	free(flags);
	return r;
}

static int parse_time_offsets(json_object *lv, hk_linux *l, hk_err *err)
{
	char p[HK_JPATH_MAX];
	json_object *v;
	int r = hk_j_obj(lv, "linux", "timeOffsets", false, &v, err);
	if (r < 0 || !v)
		return r;
	json_object_object_foreach(v, clock, off)
	{
		hk_time_offset *t;
		hk_jpath(p, "linux.timeOffsets", clock);
		if (strcmp(clock, "monotonic") == 0)
			t = &l->time_monotonic;
		else if (strcmp(clock, "boottime") == 0)
			t = &l->time_boottime;
		else
			return hk_err_plain(err, EINVAL, "%s: unknown clock", p);
		if (!off)
			continue;
		if (!json_object_is_type(off, json_type_object))
			return hk_err_plain(err, EINVAL, "%s: expected object", p);
		t->present = true;
		if ((r = hk_j_i64(off, p, "secs", HK_OPTIONAL, &t->secs, err)) < 0 ||
		    (r = hk_j_u32(off, p, "nanosecs", HK_OPTIONAL, &t->nanosecs, err)) < 0)
			return r;
		if (t->nanosecs >= 1000000000)
			return hk_err_plain(err, EINVAL, "%s.nanosecs: out of range", p);
	}
	return 0;
}

static const char *const propagations[] = {
    "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
};

int hk_parse_linux(json_object *lv, hk_linux *l, hk_err *err)
{
	json_object *v;
	int r;

	if ((r = parse_namespaces(lv, l, err)) < 0 ||
	    (r = hk_j_idmaps(lv, "linux", "uidMappings", &l->uid_mappings, &l->n_uid_mappings,
	                     err)) < 0 ||
	    (r = hk_j_idmaps(lv, "linux", "gidMappings", &l->gid_mappings, &l->n_gid_mappings,
	                     err)) < 0 ||
	    (r = parse_devices(lv, l, err)) < 0 ||
	    (r = hk_j_str(lv, "linux", "cgroupsPath", false, &l->cgroups_path, err)) < 0)
		return r;
	if ((r = hk_j_obj(lv, "linux", "resources", false, &v, err)) < 0)
		return r;
	if (v) {
		l->has_resources = true;
		if ((r = hk_parse_resources(v, &l->resources, err)) < 0)
			return r;
	}
	if ((r = hk_j_kv(lv, "linux", "sysctl", &l->sysctl, &l->n_sysctl, err)) < 0 ||
	    (r = hk_j_obj(lv, "linux", "seccomp", false, &v, err)) < 0)
		return r;
	if (v) {
		l->seccomp = calloc(1, sizeof(*l->seccomp));
		if (!l->seccomp)
			return hk_j_oom(err);
		if ((r = hk_parse_seccomp(v, l->seccomp, err)) < 0)
			return r;
	}
	if ((r = hk_j_str(lv, "linux", "rootfsPropagation", false, &l->rootfs_propagation, err)) <
	    0)
		return r;
	if (l->rootfs_propagation) {
		bool ok = false;
		for (size_t i = 0; i < HK_ARRAY_SIZE(propagations); i++)
			ok = ok || strcmp(propagations[i], l->rootfs_propagation) == 0;
		if (!ok)
			return hk_err_plain(err, EINVAL,
			                    "linux.rootfsPropagation: unknown propagation \"%s\"",
			                    l->rootfs_propagation);
	}
	if ((r = hk_j_abs_paths(lv, "linux", "maskedPaths", &l->masked_paths, &l->n_masked_paths,
	                        err)) < 0 ||
	    (r = hk_j_abs_paths(lv, "linux", "readonlyPaths", &l->readonly_paths,
	                        &l->n_readonly_paths, err)) < 0 ||
	    (r = hk_j_str(lv, "linux", "mountLabel", false, &l->mount_label, err)) < 0 ||
	    (r = parse_personality(lv, l, err)) < 0 || (r = parse_time_offsets(lv, l, err)) < 0)
		return r;

	/* Cross-field checks (as runc's validator). */
	bool userns = false, timens = false;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		userns = userns || l->namespaces[i].type == HK_NS_USER;
		timens = timens || l->namespaces[i].type == HK_NS_TIME;
	}
	if ((l->n_uid_mappings || l->n_gid_mappings) && !userns)
		return hk_err_plain(err, EINVAL, "linux.%s: mappings need a user namespace",
		                    l->n_uid_mappings ? "uidMappings" : "gidMappings");
	if ((l->time_monotonic.present || l->time_boottime.present) && !timens)
		return hk_err_plain(err, EINVAL, "linux.timeOffsets: need a time namespace");
	return 0;
}
