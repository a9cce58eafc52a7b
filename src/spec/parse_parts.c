/* parse_parts.c - a process or a resources object on its own (exec -p,
 * update --resources), parsed by the same code as config.json. */
#include <string.h>

#include "spec/parse_internal.h"

int hk_spec_parse_process(const char *json, size_t len, hk_process *out, hk_err *err)
{
	json_object *top = NULL;
	memset(out, 0, sizeof(*out));
	int r = hk_parse_json_text(json, len, &top, err);
	if (r < 0)
		return r;
	r = hk_parse_process(top, out, err);
	json_object_put(top);
	return r;
}

int hk_spec_parse_resources(const char *json, size_t len, hk_resources *out, hk_err *err)
{
	json_object *top = NULL;
	memset(out, 0, sizeof(*out));
	int r = hk_parse_json_text(json, len, &top, err);
	if (r < 0)
		return r;
	r = hk_parse_resources(top, out, err);
	json_object_put(top);
	return r;
}
