/* cgroup.c - the container's cgroup: layout detection, path resolution,
 * directory creation, entering and OOM checks (removing it and killing
 * what it holds: cgroup_teardown.c).  The
 * resource files are written by cgroup_v1.c, cgroup_v2.c, cgroup_io.c and
 * cgroup_misc.c; cgroup_res.c says which fields ask for what.
 *
 * Depends only on util/ and the spec structs: this could become a library. */
#include "linux/cgroup.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "linux/rootless.h"
#include "util/cleanup.h"
#include "util/fs.h"

int hk_cgroup_layout(enum hk_cgroup_layout *out, hk_err *err)
{
	/* The host's layout cannot change under one husk process: look once
	 * (the container's child inherits the answer through clone). */
	static int cached = -1;
	if (cached >= 0) {
		*out = (enum hk_cgroup_layout)cached;
		return 0;
	}
	struct statfs st;
	if (statfs(HK_CGROUP_ROOT, &st) < 0)
		return hk_err_set(err, errno, "statfs %s", HK_CGROUP_ROOT);
	if (st.f_type == CGROUP2_SUPER_MAGIC)
		*out = HK_CGROUP_V2;
	else if (statfs(HK_CGROUP_ROOT "/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		*out = HK_CGROUP_HYBRID;
	else
		*out = HK_CGROUP_V1;
	cached = (int)*out;
	return 0;
}

/* ---- helpers shared with cgroup_v1.c / cgroup_v2.c ---- */

bool hk_cg_has_ctrl(const char *ctrls, const char *c)
{
	size_t n = strlen(c);
	for (const char *p = ctrls; p && *p;) {
		const char *e = strchrnul(p, ',');
		if ((size_t)(e - p) == n && strncmp(p, c, n) == 0)
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

struct hk_cg_hier *hk_cg_find(hk_cgroup *cg, const char *c)
{
	for (size_t i = 0; i < cg->n_h; i++)
		if (cg->h[i].ctrls && hk_cg_has_ctrl(cg->h[i].ctrls, c))
			return &cg->h[i];
	return NULL;
}

int hk_cg_set(int dirfd, const char *field, const char *file, const char *value, const char *why,
              bool optional, hk_err *err)
{
	int r = hk_write_file_at(dirfd, file, value, strlen(value), 0, err);
	if (r == -ENOENT) {
		if (optional)
			return 0;
		return hk_err_plain(err, ENOENT, "linux.resources.%s: %s not available%s%s%s",
		                    field, file, why ? " (" : "", why ? why : "", why ? ")" : "");
	}
	if (r < 0)
		return hk_err_wrap(err, "linux.resources.%s", field);
	return 0;
}

int hk_cg_set_num(int dirfd, const char *field, const char *file, long long v, const char *why,
                  bool optional, hk_err *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	return hk_cg_set(dirfd, field, file, buf, why, optional, err);
}

long long hk_cg_key_value(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, n) == 0 && line[n] == ' ')
			return strtoll(line + n + 1, NULL, 10);
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return -1;
}

long long hk_cg_read_key(int dirfd, const char *file, const char *key)
{
	hk_err e;
	_cleanup_free_ char *s = NULL;
	if (hk_read_file_at(dirfd, file, &s, NULL, &e) < 0)
		return -1;
	return hk_cg_key_value(s, key);
}

/* ---- paths ---- */

/* "a//b/./c/" -> "/a/b/c"; refuses "..", newlines and the root itself. */
static int normalize(const char *in, char **out, hk_err *err)
{
	_cleanup_free_ char *o = calloc(1, strlen(in) + 2);
	if (!o)
		return hk_err_set(err, ENOMEM, "cgroupsPath");
	if (strchr(in, '\n'))
		return hk_err_plain(err, EINVAL, "linux.cgroupsPath: \"%s\": newline in path", in);
	for (const char *p = in; *p;) {
		const char *e = strchrnul(p, '/');
		size_t n = e - p;
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return hk_err_plain(err, EINVAL,
			                    "linux.cgroupsPath: \"%s\": \"..\" is not allowed", in);
		if (n && !(n == 1 && p[0] == '.')) {
			strcat(o, "/");
			strncat(o, p, n);
		}
		p = *e ? e + 1 : e;
	}
	if (!*o)
		return hk_err_plain(
		    err, EINVAL, "linux.cgroupsPath: \"%s\": refusing to use the root cgroup", in);
	*out = hk_steal_ptr(&o);
	return 0;
}

static char *join(const char *base, const char *rel)
{
	char *s = NULL;
	if (asprintf(&s, "%s%s", strcmp(base, "/") == 0 ? "" : base, rel) < 0)
		return NULL;
	return s;
}

static char *parent_of(const char *p)
{
	char *s = strdup(p);
	char *slash = s ? strrchr(s, '/') : NULL;
	if (slash)
		*(slash == s ? slash + 1 : slash) = '\0';
	return s;
}

/* Is A the same cgroup as B or an ancestor of it? */
static bool covers(const char *a, const char *b)
{
	size_t n = strlen(a);
	return strcmp(a, "/") == 0 || (strncmp(a, b, n) == 0 && (b[n] == '/' || !b[n]));
}

/* ---- the hk_cgroup object ---- */

static void hier_clear(struct hk_cg_hier *h)
{
	free(h->ctrls);
	free(h->mount);
	free(h->path);
	if (h->fd >= 0)
		close(h->fd);
	if (h->tasks >= 0)
		close(h->tasks);
	for (size_t i = 0; i < h->n_created; i++)
		free(h->created[i]);
	free(h->created);
}

void hk_cgroup_free(hk_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n_h; i++)
		hier_clear(&cg->h[i]);
	free(cg->h);
	free(cg->path);
	free(cg);
}

static int add_hier(hk_cgroup *cg, const struct hk_cg_mnt *m, const char *path, hk_err *err)
{
	if (covers(path, m->own))
		return hk_err_plain(err, EINVAL, "cgroup %s%s holds husk itself", m->mount, path);
	struct hk_cg_hier *nh = realloc(cg->h, (cg->n_h + 1) * sizeof(*nh));
	if (!nh)
		return hk_err_set(err, ENOMEM, "cgroup");
	cg->h = nh;
	struct hk_cg_hier *h = &cg->h[cg->n_h++];
	*h = (struct hk_cg_hier){.fd = -1, .tasks = -1};
	h->ctrls = m->ctrls ? strdup(m->ctrls) : NULL;
	h->mount = strdup(m->mount);
	h->path = strdup(path);
	if ((m->ctrls && !h->ctrls) || !h->mount || !h->path)
		return hk_err_set(err, ENOMEM, "cgroup");
	return 0;
}

static int remember(struct hk_cg_hier *h, const char *dir, hk_err *err)
{
	char **nc = realloc(h->created, (h->n_created + 1) * sizeof(*nc));
	if (!nc)
		return hk_err_set(err, ENOMEM, "cgroup");
	h->created = nc;
	if (!(h->created[h->n_created] = strdup(dir)))
		return hk_err_set(err, ENOMEM, "cgroup");
	h->n_created++;
	return 0;
}

/* A cgroup that already holds processes is not the container's: husk
 * would later kill them with the container (runc >= 1.2 refuses too). */
static int check_empty(int dirfd, const char *dir, hk_err *err)
{
	_cleanup_free_ char *procs = NULL;
	if (hk_read_file_at(dirfd, "cgroup.procs", &procs, NULL, err) < 0)
		return hk_err_wrap(err, "cgroup");
	size_t n = 0;
	for (const char *p = procs; *p; p++)
		n += *p == '\n';
	if (n > 0)
		return hk_err_plain(err, EBUSY,
		                    "cgroup %s is not empty: %zu process(es) in it are not the "
		                    "container's",
		                    dir, n);
	return 0;
}

/* mkdir -p the cgroup in H, remembering what was made; on v2 enable the
 * controllers in each parent from the deepest existing one down. */
static int make_dirs(hk_cgroup *cg, struct hk_cg_hier *h, const hk_resources *res, hk_err *err)
{
	_cleanup_free_ char *full = NULL;
	if (asprintf(&full, "%s%s", h->mount, h->path) < 0)
		return hk_err_set(err, ENOMEM, "cgroup");
	size_t base = strlen(h->mount);
	bool made_leaf = false;
	for (size_t i = base + 1; i <= strlen(full); i++) {
		if (full[i] != '/' && full[i] != '\0')
			continue;
		char saved = full[i];
		full[i] = '\0';
		/* v2 enables controllers in the parent before a child is
		 * made (and always in the leaf's); elsewhere mkdir itself
		 * says whether it existed */
		struct stat st;
		bool v2 = cg->layout == HK_CGROUP_V2;
		bool exists = v2 && saved && stat(full, &st) == 0;
		int r = 0;
		if (v2 && (!exists || !saved)) {
			_cleanup_free_ char *parent = parent_of(full);
			if (!parent)
				return hk_err_set(err, ENOMEM, "cgroup");
			r = hk_cgv2_enable(parent, res, err);
		}
		if (r == 0 && !exists) {
			if (mkdir(full, 0755) == 0) {
				made_leaf = !saved;
				r = remember(h, full, err);
				if (r == 0 && cg->layout != HK_CGROUP_V2)
					r = hk_cgv1_init_dir(h, full, err);
			} else if (errno != EEXIST) {
				r = hk_err_set(err, errno, "cgroup: mkdir %s", full);
			}
		}
		if (r < 0)
			return r;
		full[i] = saved;
	}
	h->fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->fd < 0)
		return hk_err_set(err, errno, "cgroup: open %s", full);
	/* one husk has just made holds nothing (and v1 builds a pid list for
	 * each read of cgroup.procs) */
	return made_leaf ? 0 : check_empty(h->fd, full, err);
}

static bool leaf_exists(const struct hk_cg_hier *h)
{
	_cleanup_free_ char *full = NULL;
	struct stat st;
	return asprintf(&full, "%s%s", h->mount, h->path) < 0 || stat(full, &st) == 0;
}

bool hk_cg_leaf_created(const struct hk_cg_hier *h)
{
	const char *dir = h->n_created ? h->created[h->n_created - 1] : NULL;
	size_t ml = strlen(h->mount);
	return dir && strncmp(dir, h->mount, ml) == 0 && strcmp(dir + ml, h->path) == 0;
}

/* One line per hierarchy, "CTRLS:/path" (v1) or "/path" (v2), with a
 * leading '=' when the leaf existed before: a cgroup husk did not create
 * is never removed (the OCI runtime spec's "delete only created
 * resources"), even by a later `husk delete`. */
static int build_path(hk_cgroup *cg, bool planned, hk_err *err)
{
	size_t len = 1;
	for (size_t i = 0; i < cg->n_h; i++)
		len +=
		    strlen(cg->h[i].path) + (cg->h[i].ctrls ? strlen(cg->h[i].ctrls) + 2 : 0) + 2;
	cg->path = calloc(1, len);
	if (!cg->path)
		return hk_err_set(err, ENOMEM, "cgroup");
	for (size_t i = 0; i < cg->n_h; i++) {
		if (i)
			strcat(cg->path, "\n");
		if (planned ? leaf_exists(&cg->h[i]) : !hk_cg_leaf_created(&cg->h[i]))
			strcat(cg->path, "=");
		if (cg->h[i].ctrls) {
			strcat(cg->path, cg->h[i].ctrls);
			strcat(cg->path, ":");
		}
		strcat(cg->path, cg->h[i].path);
	}
	return 0;
}

static int noop_cgroup(enum hk_cgroup_layout layout, hk_cgroup **out, hk_err *err)
{
	hk_cgroup *cg = calloc(1, sizeof(*cg));
	if (!cg)
		return hk_err_set(err, ENOMEM, "cgroup");
	cg->layout = layout;
	*out = cg;
	return 0;
}

static bool is_perm(int r)
{
	return r == -EACCES || r == -EPERM || r == -EROFS;
}

/* Rootless: leave out hierarchy I (nothing is asked of it and the user may
 * not write there), removing what make_dirs() made of it. */
static void drop_hier(hk_cgroup *cg, size_t i)
{
	struct hk_cg_hier *h = &cg->h[i];
	for (size_t k = h->n_created; k > 0; k--)
		if (rmdir(h->created[k - 1]) < 0 && errno != ENOENT)
			break;
	hier_clear(h);
	memmove(h, h + 1, (cg->n_h - i - 1) * sizeof(*h));
	cg->n_h--;
}

/* "alice (uid 1000)" from /etc/passwd (no NSS: husk is linked
 * statically), or "uid 1000". */
static void user_name(uid_t uid, char *buf, size_t len)
{
	hk_err e;
	_cleanup_free_ char *pw = NULL;
	snprintf(buf, len, "uid %u", (unsigned)uid);
	if (hk_read_file("/etc/passwd", &pw, NULL, &e) < 0)
		return;
	for (char *line = pw, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char *end = NULL;
		if (!c2 || strtoul(c2 + 1, &end, 10) != uid || *end != ':')
			continue;
		snprintf(buf, len, "%.*s (uid %u)", (int)(c1 - line), line, (unsigned)uid);
		return;
	}
}

/* Rootless, FIELD asks for a limit and the cgroup of H could not be made
 * (R: a permission error): say why and what to do. */
static int not_delegated(const hk_cgroup *cg, const struct hk_cg_hier *h, const char *field, int r,
                         hk_err *err)
{
	char who[256], why[128];
	user_name(geteuid(), who, sizeof(who));
	snprintf(why, sizeof(why), "%s", strerror(-r));
	why[0] = (char)tolower((unsigned char)why[0]);
	bool v2 = cg->layout == HK_CGROUP_V2;
	return hk_err_plain(err, -r,
	                    "linux.resources.%s: cannot create cgroup %s%s (%s): no cgroup is "
	                    "delegated to user %s there; ask an admin to delegate a cgroup%s%s%s "
	                    "(chown it to you) and run husk in it%s",
	                    field, h->mount, h->path, why, who, v2 ? "" : " in the ",
	                    v2 ? "" : h->ctrls, v2 ? "" : " hierarchy",
	                    v2 ? ", or run under `systemd-run --user --scope -p Delegate=yes`"
	                       : "");
}

int hk_cgroup_create(const char *cgroups_path, const char *id, const hk_resources *res,
                     hk_cgroup **out, hk_err *err)
{
	return hk_cgroup_create_noted(cgroups_path, id, res, NULL, NULL, out, err);
}

/* The path as planned to NOTE (hk_cgroup_create_noted). */
static int note_plan(hk_cgroup *cg, hk_cgroup_note_fn note, void *arg, hk_err *err)
{
	int r = build_path(cg, true, err);
	if (r == 0)
		r = note(cg->path, arg, err);
	free(cg->path);
	cg->path = NULL;
	return r;
}

int hk_cgroup_create_noted(const char *cgroups_path, const char *id, const hk_resources *res,
                           hk_cgroup_note_fn note, void *note_arg, hk_cgroup **out, hk_err *err)
{
	static const hk_resources none;
	if (!res)
		res = &none;
	int r;
	_cleanup_free_ char *dflt = NULL;
	if (!cgroups_path || !*cgroups_path) {
		if (!id || !*id || asprintf(&dflt, "husk-%s", id) < 0)
			return hk_err_plain(err, EINVAL, "cgroup: no cgroupsPath and no id");
		cgroups_path = dflt;
	}
	_cleanup_free_ char *rel = NULL;
	if ((r = normalize(cgroups_path, &rel, err)) < 0)
		return r;
	bool absolute = cgroups_path[0] == '/';

	enum hk_cgroup_layout layout;
	if ((r = hk_cgroup_layout(&layout, err)) < 0)
		return hk_err_wrap(err, "cgroup");
	/* what the layout cannot do and bad values, before any mkdir */
	if ((r = hk_cg_validate(res, layout, err)) < 0)
		return r;
	struct hk_cg_mnt *m = NULL;
	size_t nm = 0;
	if ((r = hk_cg_mounts(layout, &m, &nm, err)) < 0)
		return hk_err_wrap(err, "cgroup");
	_cleanup_cgroup_ hk_cgroup *cg = calloc(1, sizeof(*cg));
	if (!cg) {
		hk_cg_mounts_free(m, nm);
		return hk_err_set(err, ENOMEM, "cgroup");
	}
	cg->layout = layout;
	for (size_t i = 0; r == 0 && i < nm; i++) {
		if (layout != HK_CGROUP_V2) {
			bool used = false;
			for (size_t j = 0; !used && j < hk_cg_n_v1_ctrls; j++)
				used = hk_cg_has_ctrl(m[i].ctrls, hk_cg_v1_ctrls[j]) &&
				       hk_cgv1_needs(res, hk_cg_v1_ctrls[j]);
			if (!used)
				continue;
		}
		_cleanup_free_ char *base = layout == HK_CGROUP_V2 ? parent_of(m[i].own) : NULL;
		_cleanup_free_ char *path =
		    absolute ? strdup(rel) : join(base ? base : m[i].own, rel);
		r = path ? add_hier(cg, &m[i], path, err) : hk_err_set(err, ENOMEM, "cgroup");
	}
	hk_cg_mounts_free(m, nm);
	if (r == 0 && note)
		r = note_plan(cg, note, note_arg, err);
	if (r < 0)
		return r;

	/* An ordinary user gets a cgroup wherever one is delegated to it (it
	 * may write there); elsewhere only a limit asked for is an error. */
	cg->rootless = hk_rootless();
	hk_err e2;
	for (size_t i = 0; r == 0 && i < cg->n_h;) {
		r = make_dirs(cg, &cg->h[i], res, err);
		if (r == 0 || !is_perm(r) || !cg->rootless) {
			i++;
			continue;
		}
		const char *field = hk_cg_asked_field(res, cg->h[i].ctrls);
		if (field) {
			r = not_delegated(cg, &cg->h[i], field, r, err);
		} else {
			drop_hier(cg, i);
			r = 0;
		}
	}
	if (r < 0) {
		hk_cg_remove_dirs(cg, false, &e2);
		if (is_perm(r) && !hk_cg_res_wants(res))
			return noop_cgroup(layout, out, err);
		return r;
	}
	if (cg->n_h == 0) {
		/* none made (rootless): a limit whose v1 hierarchy this host
		 * lacks is still an error, not silently dropped */
		if (layout != HK_CGROUP_V2 && hk_cg_res_wants(res) &&
		    (r = hk_cgv1_apply(cg, res, err)) < 0)
			return r;
		return noop_cgroup(layout, out, err);
	}
	r = layout == HK_CGROUP_V2 ? hk_cgv2_apply(cg->h[0].fd, res, err)
	                           : hk_cgv1_apply(cg, res, err);
	if (r == 0)
		r = build_path(cg, false, err);
	if (r < 0) {
		hk_cg_remove_dirs(cg, false, &e2);
		return r;
	}
	*out = hk_steal_ptr(&cg);
	return 0;
}

int hk_cgroup_load(const char *resolved_path, hk_cgroup **out, hk_err *err)
{
	enum hk_cgroup_layout layout;
	int r = hk_cgroup_layout(&layout, err);
	if (r < 0)
		return hk_err_wrap(err, "cgroup");
	if (!resolved_path || !*resolved_path)
		return noop_cgroup(layout, out, err);
	struct hk_cg_mnt *m = NULL;
	size_t nm = 0;
	if ((r = hk_cg_mounts(layout, &m, &nm, err)) < 0)
		return hk_err_wrap(err, "cgroup");
	_cleanup_cgroup_ hk_cgroup *cg = calloc(1, sizeof(*cg));
	_cleanup_free_ char *s = strdup(resolved_path);
	if (!cg || !s) {
		hk_cg_mounts_free(m, nm);
		return hk_err_set(err, ENOMEM, "cgroup");
	}
	cg->layout = layout;
	cg->rootless = hk_rootless();
	for (char *line = s; r == 0 && line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		bool existed = line[0] == '=';
		if (existed)
			line++;
		char *ctrls = NULL, *p = line;
		if (line[0] != '/') {
			ctrls = line;
			p = strchr(line, ':');
			if (p)
				*p++ = '\0';
		}
		_cleanup_free_ char *norm = NULL;
		const struct hk_cg_mnt *mnt = NULL;
		for (size_t i = 0; i < nm && !mnt; i++)
			if (layout == HK_CGROUP_V2 ? !ctrls
			                           : (ctrls && hk_cg_same_ctrls(ctrls, m[i].ctrls)))
				mnt = &m[i];
		if (!p || *p != '/' || !mnt)
			r = hk_err_plain(err, EINVAL, "cgroup: bad or foreign path \"%s\"", line);
		else if ((r = normalize(p, &norm, err)) == 0)
			r = add_hier(cg, mnt, norm, err);
		if (r == 0)
			cg->h[cg->n_h - 1].existed = existed;
		line = nl ? nl + 1 : NULL;
	}
	hk_cg_mounts_free(m, nm);
	for (size_t i = 0; r == 0 && i < cg->n_h;) {
		struct hk_cg_hier *h = &cg->h[i];
		_cleanup_free_ char *full = NULL;
		if (asprintf(&full, "%s%s", h->mount, h->path) < 0)
			return hk_err_set(err, ENOMEM, "cgroup");
		h->fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* a delete killed half-way removed some leaves: the others */
		if (h->fd < 0 && errno == ENOENT) {
			drop_hier(cg, i);
			continue;
		}
		if (h->fd < 0)
			return hk_err_set(err, errno, "cgroup: open %s", full);
		if (!h->existed)
			r = remember(h, full, err);
		i++;
	}
	if (r == 0 && cg->n_h == 0)
		return hk_err_plain(err, ENOENT, "cgroup: %s: gone", resolved_path);
	if (r == 0)
		r = build_path(cg, false, err);
	if (r < 0)
		return r;
	*out = hk_steal_ptr(&cg);
	return 0;
}

int hk_cgroup_clone_fd(const hk_cgroup *cg)
{
	if (!cg || cg->layout != HK_CGROUP_V2 || cg->n_h != 1)
		return -1;
	return cg->h[0].fd;
}

const char *hk_cgroup_path(const hk_cgroup *cg)
{
	return cg ? cg->path : NULL;
}

int hk_cgroup_enter(hk_cgroup *cg, pid_t pid, hk_err *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; cg && i < cg->n_h; i++) {
		int r = hk_write_file_at(cg->h[i].fd, "cgroup.procs", buf, strlen(buf), 0, err);
		if (r < 0)
			return hk_err_wrap(err, "cgroup: enter %s%s", cg->h[i].mount,
			                   cg->h[i].path);
	}
	return 0;
}

void hk_cgroup_close_tasks(hk_cgroup *cg)
{
	for (size_t i = 0; cg && i < cg->n_h; i++) {
		if (cg->h[i].tasks >= 0)
			close(cg->h[i].tasks);
		cg->h[i].tasks = -1;
	}
}

int hk_cgroup_open_tasks(hk_cgroup *cg, hk_err *err)
{
	if (!cg || cg->layout == HK_CGROUP_V2 || cg->n_h == 0)
		return hk_err_plain(err, ENOTSUP, "cgroup: no v1 hierarchy to join");
	for (size_t i = 0; i < cg->n_h; i++) {
		struct hk_cg_hier *h = &cg->h[i];
		h->tasks = openat(h->fd, "tasks", O_WRONLY | O_CLOEXEC);
		if (h->tasks < 0) {
			int r =
			    hk_err_set(err, errno, "cgroup: open %s%s/tasks", h->mount, h->path);
			hk_cgroup_close_tasks(cg);
			return r;
		}
	}
	return 0;
}

int hk_cgroup_join_tasks(const hk_cgroup *cg, hk_err *err)
{
	for (size_t i = 0; i < cg->n_h; i++)
		if (write(cg->h[i].tasks, "0", 1) != 1)
			return hk_err_set(err, errno, "cgroup: enter %s%s", cg->h[i].mount,
			                  cg->h[i].path);
	return 0;
}

bool hk_cgroup_oom_killed(hk_cgroup *cg)
{
	if (!cg || cg->n_h == 0)
		return false;
	return cg->layout == HK_CGROUP_V2 ? hk_cgv2_oom_killed(cg) : hk_cgv1_oom_killed(cg);
}
