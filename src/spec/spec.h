/* spec.h - config.json parsed and validated into the typed structs of
 * oci/types.h.
 *
 * hk_spec_parse() turns config.json into an hk_spec; every check a config
 * can fail is done there, with a message naming the JSON path
 * ("linux.namespaces[2].type: unknown namespace \"foo\"").  Nothing below
 * the spec layer parses JSON.  Optional scalars carry a has_* flag.  All
 * strings are owned by the spec and freed by hk_spec_free().  String
 * arrays are NULL-terminated and also carry their count.
 */
#ifndef HUSK_SPEC_SPEC_H
#define HUSK_SPEC_SPEC_H

#include <stdbool.h>

#include "oci/types.h"
#include "util/error.h"

/* The OCI spec versions husk accepts: major 1, any minor. */
#define HK_OCI_VERSION "1.2.0"

/* Parse config.json text.  On error the message is the JSON path and the
 * problem, e.g. "process.args: expected array of strings". */
int hk_spec_parse(const char *json, size_t len, hk_spec **out, hk_err *err);
/* Read and parse a file; errors are prefixed with the file's basename
 * ("config.json: linux.namespaces[2].type: unknown namespace \"foo\""). */
int hk_spec_load(const char *path, hk_spec **out, hk_err *err);
void hk_spec_free(hk_spec *spec);
static inline void hk_spec_freep(hk_spec **spec)
{
	hk_spec_free(*spec);
}
#define _cleanup_spec_ __attribute__((cleanup(hk_spec_freep)))

/* Parts of a config on their own, for `exec -p process.json` and `update
 * --resources FILE`: the same checks and messages as in config.json
 * ("process.args: required", "linux.resources.memory.limit: expected
 * integer").  *OUT is zeroed first; free its members with
 * hk_process_free() / hk_resources_free() (also after an error). */
int hk_spec_parse_process(const char *json, size_t len, hk_process *out, hk_err *err);
int hk_spec_parse_resources(const char *json, size_t len, hk_resources *out, hk_err *err);
void hk_process_free(hk_process *p);
void hk_resources_free(hk_resources *r);

/* The default config.json `husk spec` writes (same defaults as `runc spec`,
 * args ["sh"]), as a malloc'd string ending in a newline. */
char *hk_spec_default_json(bool rootless);

#endif
