/* default.c - hk_spec_default_json(): the config.json `husk spec` writes,
 * the same document as `runc spec` (and `runc spec --rootless`), with
 * ociVersion HK_OCI_VERSION. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/cgroup.h"
#include "spec/parse_internal.h"
#include "util/cleanup.h"

/* runc's default spec.  The rootless variant is derived from it below the
 * way runc's ToRootless() does. */
static const char default_json[] =
    "{\"ociVersion\": \"" HK_OCI_VERSION "\","
    "\"process\": {"
    "  \"terminal\": true,"
    "  \"user\": {\"uid\": 0, \"gid\": 0},"
    "  \"args\": [\"sh\"],"
    "  \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    "            \"TERM=xterm\"],"
    "  \"cwd\": \"/\","
    "  \"capabilities\": {"
    "    \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "    \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "    \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "    \"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]"
    "  },"
    "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
    "  \"noNewPrivileges\": true"
    "},"
    "\"root\": {\"path\": \"rootfs\", \"readonly\": true},"
    "\"hostname\": \"runc\","
    "\"mounts\": ["
    "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "   \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    "  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
    "   \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\","
    "                 \"mode=0620\", \"gid=5\"]},"
    "  {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
    "  {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},"
    "  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
    "  {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}"
    "],"
    "\"linux\": {"
    "  \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
    "  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
    "                  {\"type\": \"uts\"}, {\"type\": \"mount\"}],"
    "  \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\","
    "    \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\","
    "    \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],"
    "  \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\","
    "    \"/proc/sysrq-trigger\"]"
    "}}";

static json_object *idmap_array(unsigned host_id)
{
	json_object *arr = json_object_new_array();
	json_object *m = json_object_new_object();
	json_object_object_add(m, "containerID", json_object_new_int64(0));
	json_object_object_add(m, "hostID", json_object_new_int64(host_id));
	json_object_object_add(m, "size", json_object_new_int64(1));
	json_object_array_add(arr, m);
	return arr;
}

/* The rebuilt "linux" object: runc puts uidMappings/gidMappings first,
 * drops resources, removes the network namespace and appends "user". */
static json_object *rootless_linux(json_object *lnx)
{
	json_object *out = json_object_new_object();
	json_object *ns = json_object_new_array();
	json_object *old_ns = hk_jget(lnx, "namespaces");

	json_object_object_add(out, "uidMappings", idmap_array(geteuid()));
	json_object_object_add(out, "gidMappings", idmap_array(getegid()));
	for (size_t i = 0; i < json_object_array_length(old_ns); i++) {
		json_object *e = json_object_array_get_idx(old_ns, i);
		const char *t = json_object_get_string(hk_jget(e, "type"));
		if (strcmp(t, "network") != 0 && strcmp(t, "user") != 0)
			json_object_array_add(ns, json_object_get(e));
	}
	json_object *user = json_object_new_object();
	json_object_object_add(user, "type", json_object_new_string("user"));
	json_object_array_add(ns, user);
	json_object_object_add(out, "namespaces", ns);
	json_object_object_foreach(lnx, key, val)
	{
		if (strcmp(key, "namespaces") != 0 && strcmp(key, "resources") != 0 &&
		    strcmp(key, "uidMappings") != 0 && strcmp(key, "gidMappings") != 0)
			json_object_object_add(out, key, json_object_get(val));
	}
	return out;
}

/* As runc: /sys becomes a read-only rbind of the host's, and uid=/gid=
 * mount options are dropped (they cannot be mapped). */
static void rootless_mounts(json_object *mounts)
{
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		if (strcmp(json_object_get_string(hk_jget(m, "destination")), "/sys") == 0) {
			json_object_object_add(m, "type", json_object_new_string("none"));
			json_object_object_add(m, "source", json_object_new_string("/sys"));
			json_object *opts = json_object_new_array();
			static const char *const o[] = {"rbind", "nosuid", "noexec", "nodev", "ro"};
			for (size_t j = 0; j < HK_ARRAY_SIZE(o); j++)
				json_object_array_add(opts, json_object_new_string(o[j]));
			json_object_object_add(m, "options", opts);
			continue;
		}
		json_object *opts = hk_jget(m, "options");
		if (!opts)
			continue;
		json_object *kept = json_object_new_array();
		for (size_t j = 0; j < json_object_array_length(opts); j++) {
			json_object *o = json_object_array_get_idx(opts, j);
			const char *s = json_object_get_string(o);
			if (strncmp(s, "uid=", 4) != 0 && strncmp(s, "gid=", 4) != 0)
				json_object_array_add(kept, json_object_get(o));
		}
		json_object_object_add(m, "options", kept);
	}
}

char *hk_spec_default_json(bool rootless)
{
	json_object *top = json_tokener_parse(default_json);
	if (!top)
		return NULL;
	/* As runc: a cgroup namespace by default on a pure cgroup v2 host. */
	enum hk_cgroup_layout layout;
	hk_err ignored;
	if (hk_cgroup_layout(&layout, &ignored) == 0 && layout == HK_CGROUP_V2) {
		json_object *cg = json_object_new_object();
		json_object_object_add(cg, "type", json_object_new_string("cgroup"));
		json_object_array_add(hk_jget(hk_jget(top, "linux"), "namespaces"), cg);
	}
	if (rootless) {
		rootless_mounts(hk_jget(top, "mounts"));
		json_object_object_add(top, "linux", rootless_linux(hk_jget(top, "linux")));
	}
	const char *s = json_object_to_json_string_ext(
	    top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB | JSON_C_TO_STRING_SPACED |
	             JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = NULL;
	if (s && asprintf(&out, "%s\n", s) < 0)
		out = NULL;
	json_object_put(top);
	return out;
}
