/* fuzz_resources.c - `husk update --resources FILE` (and -r -): the
 * LinuxResources parse (hk_spec_parse_resources()), the checks against each
 * cgroup layout that come before any cgroup file is written, and, for an
 * accepted update, the config.json husk records (hk_lc_update_config()):
 * that must still be a config husk accepts, or every later exec and
 * update of the container would fail. */
#include <json-c/json.h>

#include "fuzz.h"
#include "linux/cgroup.h"
#include "linux/cgroup_internal.h"
#include "runtime/control.h"
#include "spec/spec.h"

static char *base_config;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* `husk spec`'s config with resources set, as a container has it */
	char *json = hk_spec_default_json(false);
	json_object *top = json ? json_tokener_parse(json) : NULL;
	json_object *lnx = NULL;
	FUZZ_ASSERT(top && json_object_object_get_ex(top, "linux", &lnx));
	json_object_object_add(
	    lnx, "resources",
	    json_tokener_parse("{\"memory\": {\"limit\": 104857600, \"swap\": 209715200}, "
	                       "\"cpu\": {\"shares\": 512, \"cpus\": \"0\"}, \"pids\": {\"limit\": "
	                       "64}, \"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}"));
	base_config = strdup(json_object_to_json_string(top));
	json_object_put(top);
	free(json);
	hk_spec *s = NULL;
	hk_err err;
	FUZZ_ASSERT(base_config && hk_spec_parse(base_config, strlen(base_config), &s, &err) == 0);
	hk_spec_free(s);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hk_err err = {0};
	hk_resources res;
	int r = hk_spec_parse_resources((const char *)data, size, &res, &err);
	fuzz_check_err(r, &err);
	if (r == 0) {
		r = hk_cg_validate(&res, HK_CGROUP_V1, &err);
		fuzz_check_err(r, &err);
		r = hk_cg_validate(&res, HK_CGROUP_V2, &err);
		fuzz_check_err(r, &err);
	}
	hk_resources_free(&res);
	if (r < 0)
		return 0;
	/* what update records after applying it */
	char *merged = NULL;
	r = hk_lc_update_config(base_config, "config.json", (const char *)data, size, &merged,
	                        &err);
	fuzz_check_err(r, &err);
	FUZZ_ASSERT(r == 0 && merged);
	hk_spec *s = NULL;
	r = hk_spec_parse(merged, strlen(merged), &s, &err);
	if (r < 0)
		fprintf(stderr, "recorded config refused: %s\n", err.msg);
	FUZZ_ASSERT(r == 0);
	hk_spec_free(s);
	free(merged);
	return 0;
}
