/* features.c - `husk features`: the OCI features document (runtime-spec
 * features.md) of this build: what it does, not what it parses. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/hooks.h"
#include "linux/caps.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "spec/spec.h"
#include "util/cleanup.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_object *sorted_strings(const char **v, size_t n)
{
	qsort(v, n, sizeof(*v), by_name);
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *enabled(bool on)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "enabled", json_object_new_boolean(on));
	return o;
}

/* linux.seccomp: what the filter's compiler knows; supportedFlags are the
 * known flags this kernel takes. */
static json_object *seccomp_features(void)
{
	const char *names[64] = {0}, *supported[16] = {0};
	json_object *o = enabled(true);
	size_t n = hk_seccomp_actions(names, HK_ARRAY_SIZE(names));
	json_object_object_add(o, "actions", sorted_strings(names, n));
	n = hk_seccomp_operators(names, HK_ARRAY_SIZE(names));
	json_object_object_add(o, "operators", sorted_strings(names, n));
	n = hk_seccomp_archs(names, HK_ARRAY_SIZE(names));
	json_object_object_add(o, "archs", sorted_strings(names, n));
	n = hk_seccomp_known_flags(names, HK_ARRAY_SIZE(supported));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (hk_seccomp_flag_supported(names[i]))
			supported[k++] = names[i];
	json_object_object_add(o, "knownFlags", sorted_strings(names, n));
	json_object_object_add(o, "supportedFlags", sorted_strings(supported, k));
	return o;
}

int hk_cmd_features(const hk_global *g, int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			printf("usage: husk features\n\nPrint what this build of husk supports "
			       "(OCI features JSON).\n");
			return 0;
		}
		return hk_cli_usage_error("features", "",
		                          argv[1][0] == '-' ? "unknown option %s"
		                                            : "unexpected argument \"%s\"",
		                          argv[1]);
	}
	json_object *top = json_object_new_object();
	json_object_object_add(top, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(top, "ociVersionMax", json_object_new_string(HK_OCI_VERSION));
	json_object *hooks = json_object_new_array();
	for (int k = 0; k < HK_HOOK_KIND_COUNT; k++)
		json_object_array_add(
		    hooks, json_object_new_string(hk_hook_kind_name((enum hk_hook_kind)k)));
	json_object_object_add(top, "hooks", hooks);
	const char *names[128];
	size_t n = hk_mount_option_names(names, HK_ARRAY_SIZE(names));
	json_object_object_add(top, "mountOptions", sorted_strings(names, n));

	json_object *lnx = json_object_new_object();
	n = 0;
	for (int t = 0; t < HK_NS_COUNT; t++)
		names[n++] = hk_ns_type_name((enum hk_ns_type)t);
	json_object_object_add(lnx, "namespaces", sorted_strings(names, n));
	n = 0;
	for (int c = 0; c < 64 && n < HK_ARRAY_SIZE(names); c++)
		if (hk_cap_name(c))
			names[n++] = hk_cap_name(c);
	json_object_object_add(lnx, "capabilities", sorted_strings(names, n));
	json_object *cg = json_object_new_object();
	json_object_object_add(cg, "v1", json_object_new_boolean(true));
	json_object_object_add(cg, "v2", json_object_new_boolean(true));
	json_object_object_add(cg, "systemd", json_object_new_boolean(false));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
	json_object_object_add(cg, "rdma", json_object_new_boolean(true)); /* rdma.max */
	json_object_object_add(lnx, "cgroup", cg);
	json_object_object_add(lnx, "seccomp", seccomp_features());
	/* as runc: what this build can apply (lsm.c), not whether this host
	 * runs the module (a label for one it does not run is an error) */
	json_object_object_add(lnx, "apparmor", enabled(true));
	json_object_object_add(lnx, "selinux", enabled(true));
	/* linux.intelRdt (resctrl) is not implemented: false, not absent
	 * (features.md: absent means "unknown") */
	json_object_object_add(lnx, "intelRdt", enabled(false));
	/* a mount's uidMappings/gidMappings (idmap_mount.c): the spec asks
	 * for true even where the kernel or filesystem cannot do them */
	json_object *ext = json_object_new_object();
	json_object_object_add(ext, "idmap", enabled(true));
	json_object_object_add(lnx, "mountExtensions", ext);
	json_object_object_add(top, "linux", lnx);
	json_object *ann = json_object_new_object();
	json_object_object_add(ann, "org.opencontainers.runtime.name",
	                       json_object_new_string("husk"));
	json_object_object_add(top, "annotations", ann);
	/* no annotation of config.json changes what husk does */
	json_object_object_add(top, "potentiallyUnsafeConfigAnnotations", json_object_new_array());
	printf("%s\n", json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
	                                                       JSON_C_TO_STRING_SPACED |
	                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(top);
	return 0;
}
