/* jget.c - typed json-c getters for the spec parser (see parse_internal.h):
 * type and range checks with "<json path>: <problem>" messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/parse_internal.h"

/* Paths longer than HK_JPATH_MAX are truncated; that only shortens an
 * error message. */
const char *hk_jpath(char *buf, const char *parent, const char *key)
{
	int n;
	if (!parent || !*parent)
		n = snprintf(buf, HK_JPATH_MAX, "%s", key);
	else
		n = snprintf(buf, HK_JPATH_MAX, "%s.%s", parent, key);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

const char *hk_jpath_idx(char *buf, const char *parent, size_t idx)
{
	int n = snprintf(buf, HK_JPATH_MAX, "%s[%zu]", parent, idx);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

json_object *hk_jget(json_object *obj, const char *key)
{
	json_object *v = NULL;
	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v; /* NULL for JSON null as well */
}

int hk_j_oom(hk_err *err)
{
	return hk_err_plain(err, ENOMEM, "out of memory");
}

int hk_j_strdup(const char *s, char **out, hk_err *err)
{
	*out = strdup(s);
	return *out ? 0 : hk_j_oom(err);
}

int hk_jv_str(json_object *v, const char *path, char **out, hk_err *err)
{
	if (!json_object_is_type(v, json_type_string))
		return hk_err_plain(err, EINVAL, "%s: expected string", path);
	return hk_j_strdup(json_object_get_string(v), out, err);
}

/* json-c keeps integers as int64 or (above INT64_MAX) uint64; values beyond
 * uint64 are clamped by json-c itself. */
int hk_jv_u64(json_object *v, const char *path, uint64_t max, uint64_t *out, hk_err *err)
{
	if (!json_object_is_type(v, json_type_int))
		return hk_err_plain(err, EINVAL, "%s: expected integer", path);
	if (json_object_get_int64(v) < 0)
		return hk_err_plain(err, EINVAL, "%s: out of range", path);
	uint64_t u = json_object_get_uint64(v);
	if (u > max)
		return hk_err_plain(err, EINVAL, "%s: out of range", path);
	*out = u;
	return 0;
}

int hk_jv_i64(json_object *v, const char *path, int64_t min, int64_t max, int64_t *out, hk_err *err)
{
	if (!json_object_is_type(v, json_type_int))
		return hk_err_plain(err, EINVAL, "%s: expected integer", path);
	int64_t i = json_object_get_int64(v);
	if (i >= 0 && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return hk_err_plain(err, EINVAL, "%s: out of range", path);
	if (i < min || i > max)
		return hk_err_plain(err, EINVAL, "%s: out of range", path);
	*out = i;
	return 0;
}

int hk_jv_u32(json_object *v, const char *path, uint32_t *out, hk_err *err)
{
	uint64_t u;
	int r = hk_jv_u64(v, path, UINT32_MAX, &u, err);
	if (r < 0)
		return r;
	*out = (uint32_t)u;
	return 0;
}

static int typed_child(json_object *obj, const char *path, const char *key, bool required,
                       enum json_type type, const char *what, json_object **out, hk_err *err)
{
	char p[HK_JPATH_MAX];
	json_object *v = hk_jget(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return hk_err_plain(err, EINVAL, "%s: required", hk_jpath(p, path, key));
		return 0;
	}
	if (!json_object_is_type(v, type))
		return hk_err_plain(err, EINVAL, "%s: expected %s", hk_jpath(p, path, key), what);
	*out = v;
	return 0;
}

int hk_j_obj(json_object *obj, const char *path, const char *key, bool required, json_object **out,
             hk_err *err)
{
	return typed_child(obj, path, key, required, json_type_object, "object", out, err);
}

int hk_j_arr(json_object *obj, const char *path, const char *key, bool required, json_object **out,
             hk_err *err)
{
	return typed_child(obj, path, key, required, json_type_array, "array", out, err);
}

int hk_j_str(json_object *obj, const char *path, const char *key, bool required, char **out,
             hk_err *err)
{
	json_object *v;
	int r = typed_child(obj, path, key, required, json_type_string, "string", &v, err);
	if (r < 0 || !v)
		return r;
	return hk_j_strdup(json_object_get_string(v), out, err);
}

int hk_j_bool(json_object *obj, const char *path, const char *key, bool *has, bool *out,
              hk_err *err)
{
	json_object *v;
	int r = typed_child(obj, path, key, !has, json_type_boolean, "boolean", &v, err);
	if (r < 0)
		return r;
	if (has)
		*has = v != NULL;
	if (v)
		*out = json_object_get_boolean(v);
	return 0;
}

/* Fetch KEY for an integer getter; *V NULL when absent and optional. */
static int int_child(json_object *obj, const char *path, const char *key, bool *has,
                     json_object **v, char *p, hk_err *err)
{
	hk_jpath(p, path, key);
	*v = hk_jget(obj, key);
	if (has)
		*has = *v != NULL;
	if (!*v && !has)
		return hk_err_plain(err, EINVAL, "%s: required", p);
	return 0;
}

static int uint_key(json_object *obj, const char *path, const char *key, bool *has, uint64_t max,
                    uint64_t *out, hk_err *err)
{
	char p[HK_JPATH_MAX];
	json_object *v;
	int r = int_child(obj, path, key, has, &v, p, err);
	if (r < 0 || !v)
		return r;
	return hk_jv_u64(v, p, max, out, err);
}

int hk_j_u64(json_object *obj, const char *path, const char *key, bool *has, uint64_t *out,
             hk_err *err)
{
	return uint_key(obj, path, key, has, UINT64_MAX, out, err);
}

int hk_j_u32(json_object *obj, const char *path, const char *key, bool *has, uint32_t *out,
             hk_err *err)
{
	uint64_t u = 0;
	int r = uint_key(obj, path, key, has, UINT32_MAX, &u, err);
	if (r == 0 && (!has || *has))
		*out = (uint32_t)u;
	return r;
}

int hk_j_u16(json_object *obj, const char *path, const char *key, bool *has, uint16_t *out,
             hk_err *err)
{
	uint64_t u = 0;
	int r = uint_key(obj, path, key, has, UINT16_MAX, &u, err);
	if (r == 0 && (!has || *has))
		*out = (uint16_t)u;
	return r;
}

int hk_j_i64(json_object *obj, const char *path, const char *key, bool *has, int64_t *out,
             hk_err *err)
{
	char p[HK_JPATH_MAX];
	json_object *v;
	int r = int_child(obj, path, key, has, &v, p, err);
	if (r < 0 || !v)
		return r;
	return hk_jv_i64(v, p, INT64_MIN, INT64_MAX, out, err);
}

int hk_j_int_range(json_object *obj, const char *path, const char *key, int min, int max, bool *has,
                   int *out, hk_err *err)
{
	char p[HK_JPATH_MAX];
	json_object *v;
	int64_t i;
	int r = int_child(obj, path, key, has, &v, p, err);
	if (r < 0 || !v)
		return r;
	r = hk_jv_i64(v, p, INT64_MIN, INT64_MAX, &i, err);
	if (r < 0)
		return r;
	if (i < min || i > max)
		return hk_err_plain(err, EINVAL, "%s: out of range (%d..%d)", p, min, max);
	*out = (int)i;
	return 0;
}

int hk_j_strv(json_object *obj, const char *path, const char *key, char ***out, size_t *n,
              hk_err *err)
{
	char p[HK_JPATH_MAX];
	json_object *v = hk_jget(obj, key);

	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return hk_err_plain(err, EINVAL, "%s: expected array of strings",
		                    hk_jpath(p, path, key));
	size_t len = json_object_array_length(v);
	char **strv = calloc(len + 1, sizeof(*strv));
	if (!strv)
		return hk_j_oom(err);
	*out = strv; /* owned by the spec from here on, even if incomplete */
	*n = len;
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return hk_err_plain(err, EINVAL, "%s: expected array of strings",
			                    hk_jpath(p, path, key));
		int r = hk_j_strdup(json_object_get_string(e), &strv[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

int hk_j_abs_paths(json_object *obj, const char *path, const char *key, char ***out, size_t *n,
                   hk_err *err)
{
	char p[HK_JPATH_MAX], pi[HK_JPATH_MAX];
	int r = hk_j_strv(obj, path, key, out, n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < *n; i++)
		if ((*out)[i][0] != '/')
			return hk_err_plain(err, EINVAL, "%s: must be an absolute path",
			                    hk_jpath_idx(pi, hk_jpath(p, path, key), i));
	return 0;
}

int hk_j_kv(json_object *obj, const char *path, const char *key, hk_kv **out, size_t *n,
            hk_err *err)
{
	char p[HK_JPATH_MAX], pk[HK_JPATH_MAX];
	json_object *v;
	int r = hk_j_obj(obj, path, key, false, &v, err);

	*out = NULL;
	*n = 0;
	if (r < 0 || !v)
		return r;
	size_t len = (size_t)json_object_object_length(v);
	hk_kv *kv = calloc(len ? len : 1, sizeof(*kv));
	if (!kv)
		return hk_j_oom(err);
	*out = kv;
	hk_jpath(p, path, key);
	json_object_object_foreach(v, k, val)
	{
		if (!json_object_is_type(val, json_type_string))
			return hk_err_plain(err, EINVAL, "%s: expected string", hk_jpath(pk, p, k));
		hk_kv *e = &kv[(*n)++];
		if (hk_j_strdup(k, &e->key, err) < 0 ||
		    hk_j_strdup(json_object_get_string(val), &e->value, err) < 0)
			return -err->code;
	}
	return 0;
}

int hk_j_idmaps(json_object *obj, const char *path, const char *key, hk_idmap **out, size_t *n,
                hk_err *err)
{
	char p[HK_JPATH_MAX], pi[HK_JPATH_MAX];
	json_object *arr;
	int r = hk_j_arr(obj, path, key, false, &arr, err);

	*out = NULL;
	*n = 0;
	if (r < 0 || !arr)
		return r;
	size_t len = json_object_array_length(arr);
	hk_idmap *m = calloc(len ? len : 1, sizeof(*m));
	if (!m)
		return hk_j_oom(err);
	*out = m;
	*n = len;
	hk_jpath(p, path, key);
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		hk_jpath_idx(pi, p, i);
		if (!json_object_is_type(e, json_type_object))
			return hk_err_plain(err, EINVAL, "%s: expected object", pi);
		if ((r = hk_j_u32(e, pi, "containerID", NULL, &m[i].container_id, err)) < 0 ||
		    (r = hk_j_u32(e, pi, "hostID", NULL, &m[i].host_id, err)) < 0 ||
		    (r = hk_j_u32(e, pi, "size", NULL, &m[i].size, err)) < 0)
			return r;
		if (m[i].size == 0)
			return hk_err_plain(err, EINVAL, "%s.size: must be > 0", pi);
		if ((uint64_t)m[i].container_id + m[i].size - 1 > UINT32_MAX ||
		    (uint64_t)m[i].host_id + m[i].size - 1 > UINT32_MAX)
			return hk_err_plain(err, EINVAL, "%s: range exceeds 32-bit ids", pi);
	}
	return 0;
}
