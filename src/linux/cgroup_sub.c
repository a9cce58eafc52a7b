/* cgroup_sub.c - the sub-cgroups of a container's cgroup that `exec
 * --cgroup` puts a process in (runc's "[<controller>:]<cgroup>").
 *
 * The result is a cgroup object of its own whose hierarchies point at the
 * sub-cgroups (or at the container's cgroup, for v1 hierarchies no
 * argument names), with no directory recorded as made by husk: it only
 * serves hk_cgroup_enter() and never removes anything.  The sub-cgroups go
 * with the container's cgroup at delete (hk_cgroup_destroy() removes what
 * the container made below its cgroup). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"

/* One --cgroup argument, parsed. */
struct sub_arg {
	const char *arg; /* as given, for messages */
	char *ctrls;     /* "memory" or "cpu,cpuacct"; NULL: every hierarchy */
	char *rel;       /* "/a/b" below the container's cgroup; "" for itself */
	bool used;       /* (with CTRLS) some hierarchy holds one of them */
};

/* "a//b/./c/" -> "/a/b/c"; a leading '/' is below the container's cgroup
 * too (runc joins the paths).  ".." is refused: nothing may be named
 * outside the container's cgroup. */
static int rel_path(const char *arg, const char *p, char **out, hk_err *err)
{
	_cleanup_free_ char *o = calloc(1, strlen(p) + 2);
	if (!o)
		return hk_err_set(err, ENOMEM, "--cgroup");
	for (const char *c = p; *c;) {
		const char *e = strchrnul(c, '/');
		size_t n = (size_t)(e - c);
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return hk_err_plain(err, EINVAL,
			                    "--cgroup %s: \"..\" is not allowed: the path is "
			                    "relative to the container's cgroup and stays below it",
			                    arg);
		if (n && !(n == 1 && c[0] == '.')) {
			strcat(o, "/");
			strncat(o, c, n);
		}
		c = *e ? e + 1 : e;
	}
	*out = hk_steal_ptr(&o);
	return 0;
}

/* Is controller C (CLEN bytes) in the comma list LIST (up to END)? */
static bool in_list(const char *list, const char *end, const char *c, size_t clen)
{
	for (const char *p = list; p && *p && (!end || p < end);) {
		size_t l = strcspn(p, ",");
		if (l == clen && !strncmp(p, c, l))
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}

/* Was controller C named before, by A[0..I-1] or earlier in A[I]'s list
 * (runc refuses a controller given twice)? */
static bool named_before(const struct sub_arg *a, size_t i, const char *c, size_t clen)
{
	for (size_t j = 0; j < i; j++)
		if (in_list(a[j].ctrls, NULL, c, clen))
			return true;
	return in_list(a[i].ctrls, c, c, clen);
}

/* runc's checks: "[CTRL[,CTRL...]:]PATH", no second ':', a path without
 * controllers only alone, each controller once. */
static int parse_arg(struct sub_arg *a, size_t i, size_t n, enum hk_cgroup_layout layout,
                     hk_err *err)
{
	const char *arg = a[i].arg, *colon = strchr(arg, ':');
	if (colon && strchr(colon + 1, ':'))
		return hk_err_plain(err, EINVAL, "--cgroup %s: expected [CONTROLLER:]PATH", arg);
	if (!colon) {
		if (n != 1)
			return hk_err_plain(
			    err, EINVAL,
			    "--cgroup %s: a path without a CONTROLLER: prefix must be "
			    "the only --cgroup",
			    arg);
		return rel_path(arg, arg, &a[i].rel, err);
	}
	if (layout == HK_CGROUP_V2)
		return hk_err_plain(err, EINVAL,
		                    "--cgroup %s: cgroup v2 has one cgroup for every controller: "
		                    "give the path without a controller",
		                    arg);
	if (!(a[i].ctrls = strndup(arg, (size_t)(colon - arg))))
		return hk_err_set(err, ENOMEM, "--cgroup");
	for (const char *p = a[i].ctrls;; p++) {
		size_t l = strcspn(p, ",");
		if (l == 0)
			return hk_err_plain(err, EINVAL, "--cgroup %s: empty controller name", arg);
		if (named_before(a, i, p, l))
			return hk_err_plain(err, EINVAL, "--cgroup %s: controller %.*s given twice",
			                    arg, (int)l, p);
		p += l;
		if (!*p)
			break;
	}
	return rel_path(arg, colon + 1, &a[i].rel, err);
}

/* The argument that applies to hierarchy H: the one without controllers,
 * or the one naming a controller of H; NULL for none.  Two arguments for
 * one hierarchy ("cpu:a", "cpuacct:b" where cpu,cpuacct are mounted
 * together) are an error. */
static int arg_for(const struct hk_cg_hier *h, struct sub_arg *a, size_t n, struct sub_arg **out,
                   hk_err *err)
{
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		bool hit = !a[i].ctrls;
		for (const char *p = a[i].ctrls; p && *p && !hit && h->ctrls;) {
			size_t l = strcspn(p, ",");
			hit = in_list(h->ctrls, NULL, p, l);
			p += l + (p[l] == ',');
		}
		if (!hit)
			continue;
		a[i].used = true;
		if (*out && strcmp((*out)->rel, a[i].rel) != 0)
			return hk_err_plain(err, EINVAL,
			                    "--cgroup %s and %s: one hierarchy (%s), two cgroups",
			                    (*out)->arg, a[i].arg, h->ctrls);
		*out = &a[i];
	}
	return 0;
}

/* Hierarchy H of the result: the sub-cgroup REL (may be "") of the
 * container's cgroup CH, which must exist. */
static int sub_hier(const struct hk_cg_hier *ch, const struct sub_arg *a, struct hk_cg_hier *h,
                    hk_err *err)
{
	const char *rel = a ? a->rel : "", *arg = a ? a->arg : "";
	h->fd = -1;
	h->ctrls = ch->ctrls ? strdup(ch->ctrls) : NULL;
	h->mount = strdup(ch->mount);
	if (asprintf(&h->path, "%s%s", ch->path, rel) < 0)
		h->path = NULL;
	if ((ch->ctrls && !h->ctrls) || !h->mount || !h->path)
		return hk_err_set(err, ENOMEM, "--cgroup");
	/* below the container's own directory fd: the lookup cannot leave it */
	h->fd =
	    openat(ch->fd, *rel ? rel + 1 : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (h->fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return hk_err_plain(err, ENOENT,
		                    "--cgroup %s: no cgroup %s%s (the sub-cgroup must exist: make "
		                    "it first)",
		                    arg, h->mount, h->path);
	if (h->fd < 0)
		return hk_err_set(err, errno, "--cgroup %s: open %s%s", arg, h->mount, h->path);
	return 0;
}

static void args_free(struct sub_arg *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].ctrls);
		free(a[i].rel);
	}
	free(a);
}

static int build(hk_cgroup *cg, struct sub_arg *a, size_t n, hk_cgroup *sub, hk_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int r = parse_arg(a, i, n, cg->layout, err);
		if (r < 0)
			return r;
	}
	if (!(sub->h = calloc(cg->n_h, sizeof(*sub->h))))
		return hk_err_set(err, ENOMEM, "--cgroup");
	for (size_t i = 0; i < cg->n_h; i++) /* hk_cgroup_free() closes what is not -1 */
		sub->h[i] = (struct hk_cg_hier){.fd = -1, .tasks = -1};
	for (size_t i = 0; i < cg->n_h; i++) {
		struct sub_arg *which;
		int r = arg_for(&cg->h[i], a, n, &which, err);
		sub->n_h++;
		if (r < 0 || (r = sub_hier(&cg->h[i], which, &sub->h[i], err)) < 0)
			return r;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i].ctrls && !a[i].used)
			return hk_err_plain(
			    err, EINVAL,
			    "--cgroup %s: the container has no cgroup of controller "
			    "\"%s\"",
			    a[i].arg, a[i].ctrls);
	return 0;
}

int hk_cgroup_sub(hk_cgroup *cg, char *const *args, size_t n, hk_cgroup **out, hk_err *err)
{
	*out = NULL;
	if (!cg || cg->n_h == 0)
		return hk_err_plain(err, ENOENT,
		                    "--cgroup: the container has no cgroup (as an ordinary user, "
		                    "husk makes one only where a cgroup is delegated to you)");
	struct sub_arg *a = calloc(n ? n : 1, sizeof(*a));
	_cleanup_cgroup_ hk_cgroup *sub = calloc(1, sizeof(*sub));
	if (!a || !sub) {
		free(a);
		return hk_err_set(err, ENOMEM, "--cgroup");
	}
	for (size_t i = 0; i < n; i++)
		a[i].arg = args[i];
	sub->layout = cg->layout;
	sub->rootless = cg->rootless;
	int r = build(cg, a, n, sub, err);
	args_free(a, n);
	if (r == 0)
		*out = hk_steal_ptr(&sub);
	return r;
}
