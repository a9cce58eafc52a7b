/* parse_internal.h - typed json-c getters shared by the spec parser's
 * files in src/spec.  Not for use outside src/spec.
 *
 * Every getter takes the JSON path of the parent object ("linux.resources",
 * "" for the top level) and a key, and on error sets a one-line message
 * "<path>.<key>: <problem>" and returns a negative errno.  A key that is
 * absent or JSON null counts as absent.  Getters with a `bool *has`
 * argument treat the key as optional (has = false when absent); passing
 * has == NULL makes the key required ("<path>: required").
 */
#ifndef HUSK_SPEC_PARSE_INTERNAL_H
#define HUSK_SPEC_PARSE_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "spec/spec.h"
#include "util/error.h"

#define HK_JPATH_MAX 512

/* For a getter's HAS: the key is optional, and whether it was there does
 * not matter.  (An array rather than &(bool){false}: cppcheck 2.10 cannot
 * parse the latter in an argument list.) */
#define HK_OPTIONAL ((bool[1]){false})

/* "parent.key" (or "key" when PARENT is empty) into BUF. */
const char *hk_jpath(char *buf, const char *parent, const char *key);
/* "parent[idx]" into BUF. */
const char *hk_jpath_idx(char *buf, const char *parent, size_t idx);

/* The member KEY of OBJ; NULL when absent or null. */
json_object *hk_jget(json_object *obj, const char *key);

int hk_j_oom(hk_err *err);
int hk_j_strdup(const char *s, char **out, hk_err *err);

/* Value-level checks: V is non-NULL, PATH is its full JSON path. */
int hk_jv_str(json_object *v, const char *path, char **out, hk_err *err);
int hk_jv_u64(json_object *v, const char *path, uint64_t max, uint64_t *out, hk_err *err);
int hk_jv_i64(json_object *v, const char *path, int64_t min, int64_t max, int64_t *out,
              hk_err *err);
int hk_jv_u32(json_object *v, const char *path, uint32_t *out, hk_err *err);

/* Containers: *OUT is NULL when absent (required: error). */
int hk_j_obj(json_object *obj, const char *path, const char *key, bool required, json_object **out,
             hk_err *err);
int hk_j_arr(json_object *obj, const char *path, const char *key, bool required, json_object **out,
             hk_err *err);

/* Scalars by key. */
int hk_j_str(json_object *obj, const char *path, const char *key, bool required, char **out,
             hk_err *err);
int hk_j_bool(json_object *obj, const char *path, const char *key, bool *has, bool *out,
              hk_err *err);
int hk_j_u64(json_object *obj, const char *path, const char *key, bool *has, uint64_t *out,
             hk_err *err);
int hk_j_u32(json_object *obj, const char *path, const char *key, bool *has, uint32_t *out,
             hk_err *err);
int hk_j_u16(json_object *obj, const char *path, const char *key, bool *has, uint16_t *out,
             hk_err *err);
int hk_j_i64(json_object *obj, const char *path, const char *key, bool *has, int64_t *out,
             hk_err *err);
/* An int in [MIN, MAX]; out of range reads "out of range (MIN..MAX)". */
int hk_j_int_range(json_object *obj, const char *path, const char *key, int min, int max, bool *has,
                   int *out, hk_err *err);

/* An array of strings -> NULL-terminated char ** (NULL, 0 when absent).
 * Errors read "<path>.<key>: expected array of strings". */
int hk_j_strv(json_object *obj, const char *path, const char *key, char ***out, size_t *n,
              hk_err *err);
/* Each element must be an absolute path ("<path>.<key>[i]: must be an
 * absolute path"). */
int hk_j_abs_paths(json_object *obj, const char *path, const char *key, char ***out, size_t *n,
                   hk_err *err);
/* An object of string values -> hk_kv array, in document order. */
int hk_j_kv(json_object *obj, const char *path, const char *key, hk_kv **out, size_t *n,
            hk_err *err);
/* [{containerID, hostID, size}] (all three required, size > 0). */
int hk_j_idmaps(json_object *obj, const char *path, const char *key, hk_idmap **out, size_t *n,
                hk_err *err);

/* JSON text -> a top-level object (strict; errors "invalid JSON: ... (line N)"). */
int hk_parse_json_text(const char *json, size_t len, json_object **out, hk_err *err);

/* Section parsers (parse_process.c, parse_linux.c, parse_resources.c,
 * parse_seccomp.c); V is the section's object. */
int hk_parse_process(json_object *v, hk_process *p, hk_err *err);
int hk_parse_linux(json_object *v, hk_linux *l, hk_err *err);
int hk_parse_resources(json_object *v, hk_resources *r, hk_err *err);
int hk_parse_seccomp(json_object *v, hk_seccomp *s, hk_err *err);

/* free.c */
void hk_kv_free(hk_kv *kv, size_t n);

#endif
