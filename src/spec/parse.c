/* parse.c - config.json -> hk_spec: the entry points (hk_spec_parse,
 * hk_spec_load), JSON syntax errors, the top-level fields (ociVersion,
 * root, mounts, hooks, annotations) and the namespace name table.  The
 * process and linux sections live in parse_process.c / parse_linux.c. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/parse_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* A semver 2.0.0 numeric identifier: digits, no leading zero. */
static const char *semver_num(const char *s, unsigned long *val)
{
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return NULL;
	char *end;
	errno = 0;
	*val = strtoul(s, &end, 10);
	return errno ? NULL : end;
}

/* Dot-separated [0-9A-Za-z-]+ identifiers (pre-release or build);
 * PRERELEASE additionally forbids leading zeros in numeric ones. */
static const char *semver_idents(const char *s, bool prerelease)
{
	for (;;) {
		const char *start = s;
		bool numeric = true;
		while (isalnum((unsigned char)*s) || *s == '-') {
			if (!isdigit((unsigned char)*s))
				numeric = false;
			s++;
		}
		if (s == start)
			return NULL;
		if (prerelease && numeric && start[0] == '0' && s - start > 1)
			return NULL;
		if (*s != '.')
			return s;
		s++;
	}
}

static bool semver_valid(const char *v, unsigned long *major)
{
	unsigned long minor, patch;
	const char *s = semver_num(v, major);
	if (!s || *s++ != '.' || !(s = semver_num(s, &minor)) || *s++ != '.' ||
	    !(s = semver_num(s, &patch)))
		return false;
	if (*s == '-' && !(s = semver_idents(s + 1, true)))
		return false;
	if (*s == '+' && !(s = semver_idents(s + 1, false)))
		return false;
	return *s == '\0';
}

static int parse_version(json_object *top, hk_spec *spec, hk_err *err)
{
	unsigned long major;
	int r = hk_j_str(top, "", "ociVersion", true, &spec->oci_version, err);
	if (r < 0)
		return r;
	if (!semver_valid(spec->oci_version, &major))
		return hk_err_plain(err, EINVAL,
		                    "ociVersion: \"%s\" is not a valid semantic version",
		                    spec->oci_version);
	if (major != 1)
		return hk_err_plain(err, EINVAL,
		                    "ociVersion: unsupported version \"%s\" (husk supports 1.x)",
		                    spec->oci_version);
	return 0;
}

static int parse_root(json_object *top, hk_spec *spec, hk_err *err)
{
	json_object *root;
	int r = hk_j_obj(top, "", "root", true, &root, err);
	if (r < 0)
		return r;
	if ((r = hk_j_str(root, "root", "path", true, &spec->root_path, err)) < 0 ||
	    (r = hk_j_bool(root, "root", "readonly", HK_OPTIONAL, &spec->root_readonly, err)) < 0)
		return r;
	if (!spec->root_path[0])
		return hk_err_plain(err, EINVAL, "root.path: must not be empty");
	return 0;
}

static int parse_mount(json_object *v, const char *p, hk_mount *m, hk_err *err)
{
	int r;
	if (!json_object_is_type(v, json_type_object))
		return hk_err_plain(err, EINVAL, "%s: expected object", p);
	if ((r = hk_j_str(v, p, "destination", true, &m->destination, err)) < 0 ||
	    (r = hk_j_str(v, p, "type", false, &m->type, err)) < 0 ||
	    (r = hk_j_str(v, p, "source", false, &m->source, err)) < 0 ||
	    (r = hk_j_strv(v, p, "options", &m->options, &m->n_options, err)) < 0 ||
	    (r = hk_j_idmaps(v, p, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err)) < 0 ||
	    (r = hk_j_idmaps(v, p, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err)) < 0)
		return r;
	if (!m->destination[0])
		return hk_err_plain(err, EINVAL, "%s.destination: must not be empty", p);
	if (m->destination[0] != '/') {
		/* As runc: a relative destination is taken relative to "/". */
		char *abs;
		if (asprintf(&abs, "/%s", m->destination) < 0)
			return hk_j_oom(err);
		free(m->destination);
		m->destination = abs;
	}
	if ((m->n_uid_mappings > 0) != (m->n_gid_mappings > 0))
		return hk_err_plain(err, EINVAL,
		                    "%s: uidMappings and gidMappings must be given together", p);
	return 0;
}

static int parse_mounts(json_object *top, hk_spec *spec, hk_err *err)
{
	char p[HK_JPATH_MAX];
	json_object *arr;
	int r = hk_j_arr(top, "", "mounts", false, &arr, err);
	if (r < 0 || !arr)
		return r;
	size_t n = json_object_array_length(arr);
	spec->mounts = calloc(n ? n : 1, sizeof(*spec->mounts));
	if (!spec->mounts)
		return hk_j_oom(err);
	spec->n_mounts = n;
	for (size_t i = 0; i < n; i++) {
		r = parse_mount(json_object_array_get_idx(arr, i), hk_jpath_idx(p, "mounts", i),
		                &spec->mounts[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_hook(json_object *v, const char *p, hk_hook *h, hk_err *err)
{
	int r;
	if (!json_object_is_type(v, json_type_object))
		return hk_err_plain(err, EINVAL, "%s: expected object", p);
	if ((r = hk_j_str(v, p, "path", true, &h->path, err)) < 0 ||
	    (r = hk_j_strv(v, p, "args", &h->args, &h->n_args, err)) < 0 ||
	    (r = hk_j_strv(v, p, "env", &h->env, &h->n_env, err)) < 0 ||
	    (r = hk_j_int_range(v, p, "timeout", INT_MIN, INT_MAX, &h->has_timeout, &h->timeout,
	                        err)) < 0)
		return r;
	if (h->path[0] != '/')
		return hk_err_plain(err, EINVAL, "%s.path: must be an absolute path", p);
	if (h->has_timeout && h->timeout <= 0)
		return hk_err_plain(err, EINVAL, "%s.timeout: must be > 0", p);
	return 0;
}

static int parse_hooks(json_object *top, hk_hooks *hooks, hk_err *err)
{
	char pk[HK_JPATH_MAX], p[HK_JPATH_MAX];
	json_object *obj, *arr;
	int r = hk_j_obj(top, "", "hooks", false, &obj, err);
	if (r < 0 || !obj)
		return r;
	for (int k = 0; k < HK_HOOK_KIND_COUNT; k++) {
		if ((r = hk_j_arr(obj, "hooks", hk_hook_kind_name((enum hk_hook_kind)k), false,
		                  &arr, err)) < 0)
			return r;
		if (!arr)
			continue;
		size_t n = json_object_array_length(arr);
		hooks->list[k] = calloc(n ? n : 1, sizeof(hk_hook));
		if (!hooks->list[k])
			return hk_j_oom(err);
		hooks->n[k] = n;
		hk_jpath(pk, "hooks", hk_hook_kind_name((enum hk_hook_kind)k));
		for (size_t i = 0; i < n; i++) {
			r = parse_hook(json_object_array_get_idx(arr, i), hk_jpath_idx(p, pk, i),
			               &hooks->list[k][i], err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_top(json_object *top, hk_spec *spec, hk_err *err)
{
	json_object *v;
	int r;

	if ((r = parse_version(top, spec, err)) < 0 || (r = parse_root(top, spec, err)) < 0 ||
	    (r = parse_mounts(top, spec, err)) < 0)
		return r;
	if ((r = hk_j_obj(top, "", "process", false, &v, err)) < 0)
		return r;
	if (v) {
		spec->has_process = true;
		if ((r = hk_parse_process(v, &spec->process, err)) < 0)
			return r;
	}
	if ((r = hk_j_str(top, "", "hostname", false, &spec->hostname, err)) < 0 ||
	    (r = hk_j_str(top, "", "domainname", false, &spec->domainname, err)) < 0 ||
	    (r = parse_hooks(top, &spec->hooks, err)) < 0 ||
	    (r = hk_j_kv(top, "", "annotations", &spec->annotations, &spec->n_annotations, err)) <
	        0)
		return r;
	if ((r = hk_j_obj(top, "", "linux", false, &v, err)) < 0)
		return r;
	if (v) {
		spec->has_linux = true;
		if ((r = hk_parse_linux(v, &spec->lnx, err)) < 0)
			return r;
	}
	return 0;
}

static size_t line_of(const char *s, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

int hk_parse_json_text(const char *json, size_t len, json_object **out, hk_err *err)
{
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return hk_j_oom(err);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	if (len > INT_MAX) {
		json_tokener_free(tok);
		return hk_err_plain(err, EFBIG, "invalid JSON: document too large");
	}
	json_object *obj = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (!obj || jerr != json_tokener_success) {
		json_object_put(obj);
		if (jerr == json_tokener_continue || jerr == json_tokener_success)
			return hk_err_plain(err, EINVAL, "invalid JSON: unexpected end of input");
		/* The tokener stops at the offending character. */
		return hk_err_plain(err, EINVAL, "invalid JSON: %s (line %zu)",
		                    json_tokener_error_desc(jerr),
		                    line_of(json, end < len ? end : len));
	}
	for (size_t i = end; i < len; i++) {
		if (!isspace((unsigned char)json[i])) {
			json_object_put(obj);
			return hk_err_plain(err, EINVAL,
			                    "invalid JSON: unexpected data after the top-level "
			                    "value (line %zu)",
			                    line_of(json, i));
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return hk_err_plain(err, EINVAL,
		                    "invalid JSON: expected an object at the top level");
	}
	*out = obj;
	return 0;
}

int hk_spec_parse(const char *json, size_t len, hk_spec **out, hk_err *err)
{
	json_object *top = NULL;
	*out = NULL;
	int r = hk_parse_json_text(json, len, &top, err);
	if (r < 0)
		return r;
	hk_spec *spec = calloc(1, sizeof(*spec));
	if (!spec) {
		json_object_put(top);
		return hk_j_oom(err);
	}
	r = parse_top(top, spec, err);
	json_object_put(top);
	if (r < 0) {
		hk_spec_free(spec);
		return r;
	}
	*out = spec;
	return 0;
}

int hk_spec_load(const char *path, hk_spec **out, hk_err *err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *abs = NULL;
	size_t len = 0;
	const char *base = strrchr(path, '/');
	base = base && base[1] ? base + 1 : path;

	*out = NULL;
	if (path[0] != '/') {
		_cleanup_free_ char *cwd = getcwd(NULL, 0);
		if (cwd && asprintf(&abs, "%s/%s", cwd, path) < 0)
			abs = NULL;
	}
	const char *shown = abs ? abs : path;
	/* Read through the absolute path so errors name it, as runc does. */
	int r = hk_read_file(shown, &data, &len, err);
	if (r < 0)
		return hk_err_wrap(err, "%s", base);
	r = hk_spec_parse(data, len, out, err);
	if (r < 0)
		return hk_err_wrap(err, "%s", base);
	return 0;
}
