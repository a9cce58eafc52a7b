/* types.c - names of and lookups in the OCI config data (see types.h). */
#include "oci/types.h"

#include <string.h>

static const char *const ns_names[HK_NS_COUNT] = {
    [HK_NS_PID] = "pid",       [HK_NS_NETWORK] = "network", [HK_NS_MOUNT] = "mount",
    [HK_NS_IPC] = "ipc",       [HK_NS_UTS] = "uts",         [HK_NS_USER] = "user",
    [HK_NS_CGROUP] = "cgroup", [HK_NS_TIME] = "time",
};

const char *hk_ns_type_name(enum hk_ns_type type)
{
	if ((unsigned)type >= HK_NS_COUNT)
		return NULL;
	return ns_names[type];
}

int hk_ns_type_from_name(const char *name)
{
	for (int i = 0; i < HK_NS_COUNT; i++)
		if (strcmp(ns_names[i], name) == 0)
			return i;
	return -1;
}

bool hk_idmap_root(const hk_idmap *m, size_t n, uint32_t *host)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0) {
			*host = m[i].host_id;
			return true;
		}
	return false;
}

const hk_namespace *hk_spec_namespace(const hk_spec *spec, enum hk_ns_type type)
{
	if (!spec->has_linux)
		return NULL;
	for (size_t i = 0; i < spec->lnx.n_namespaces; i++)
		if (spec->lnx.namespaces[i].type == type)
			return &spec->lnx.namespaces[i];
	return NULL;
}

static const char *const hook_kind_names[HK_HOOK_KIND_COUNT] = {
    [HK_HOOK_PRESTART] = "prestart",
    [HK_HOOK_CREATE_RUNTIME] = "createRuntime",
    [HK_HOOK_CREATE_CONTAINER] = "createContainer",
    [HK_HOOK_START_CONTAINER] = "startContainer",
    [HK_HOOK_POSTSTART] = "poststart",
    [HK_HOOK_POSTSTOP] = "poststop",
};

const char *hk_hook_kind_name(enum hk_hook_kind kind)
{
	return (unsigned)kind < HK_HOOK_KIND_COUNT ? hook_kind_names[kind] : "?";
}
