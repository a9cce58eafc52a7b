/* spec.c - the OCI config a box runs: `husk spec`'s defaults (runc's),
 * changed as the box's options say.  The result is ordinary config.json
 * text: `husk box --print-spec` prints it and hk_box_run() parses it with
 * the same parser as `husk run`. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "box/box.h"
#include "linux/rootfs.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/passwd.h"

static void json_put(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_put)))

/* podman's default capabilities: enough for package managers and
 * daemons that drop privileges, nothing that reaches the host. */
static const char *const box_caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
    "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
    "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT",
};

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

static json_object *str_array(const char *const *s, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(s[i]));
	return a;
}

static json_object *new_mount(const char *dest, const char *type, const char *source,
                              const char *const *opts, size_t n_opts)
{
	json_object *m = json_object_new_object();
	json_object_object_add(m, "destination", json_object_new_string(dest));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(source));
	json_object_object_add(m, "options", str_array(opts, n_opts));
	return m;
}

static json_object *idmaps_json(const hk_idmap *m, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "containerID", json_object_new_int64(m[i].container_id));
		json_object_object_add(e, "hostID", json_object_new_int64(m[i].host_id));
		json_object_object_add(e, "size", json_object_new_int64(m[i].size));
		json_object_array_add(a, e);
	}
	return a;
}

/* Open FILE (e.g. "/etc/passwd") of the root filesystem, resolved inside
 * it: a link in an image cannot make husk read the host's files. */
static FILE *open_in_rootfs(const char *rootfs, const char *file)
{
	hk_err ignored;
	_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return NULL;
	_cleanup_close_ int fd = hk_resolve_in_root(root, file, false, false, &ignored);
	struct stat st;
	/* only a regular file of sane size: not a FIFO or a device node */
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 22))
		return NULL;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	_cleanup_close_ int rfd = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st2;
	if (rfd < 0 || fstat(rfd, &st2) < 0 || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev)
		return NULL;
	FILE *f = fdopen(rfd, "re");
	if (f)
		hk_steal_fd(&rfd); /* f owns it */
	return f;
}

/* Look NAME (or, NULL, the id *ID) up in the rootfs's passwd or group
 * file: *ID, and for passwd *GID and *HOME too. */
static int lookup(const char *rootfs, const char *file, const char *name, uint32_t *id,
                  uint32_t *gid, char **home)
{
	_cleanup_file_ FILE *f = open_in_rootfs(rootfs, file);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	hk_pwent e;
	if (!f || hk_pwent_find(f, name, *id, &e, &buf, &cap) < 0)
		return -ENOENT;
	*id = e.id;
	if (gid)
		*gid = e.gid;
	if (home && *e.home)
		*home = strdup(e.home);
	return 0;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* -u USER[:GROUP], names looked up in the rootfs; the home directory for
 * $HOME. */
static int resolve_user(const hk_box_opts *o, const char *rootfs, uint32_t *uid, uint32_t *gid,
                        char **home, hk_err *err)
{
	*uid = 0;
	*gid = 0;
	if (!o->user) {
		lookup(rootfs, "/etc/passwd", NULL, uid, NULL, home);
		return 0;
	}
	_cleanup_free_ char *u = strdup(o->user);
	if (!u)
		return hk_err_set(err, ENOMEM, "-u");
	char *g = strchr(u, ':');
	if (g)
		*g++ = '\0';
	bool gid_given = g && *g;
	if (all_digits(u)) {
		*uid = (uint32_t)strtoul(u, NULL, 10);
		uint32_t pgid = 0;
		if (lookup(rootfs, "/etc/passwd", NULL, uid, &pgid, home) == 0 && !gid_given)
			*gid = pgid;
	} else if (lookup(rootfs, "/etc/passwd", u, uid, gid, home) < 0) {
		return hk_err_plain(err, ENOENT,
		                    "-u %s: no user \"%s\" in the root filesystem's "
		                    "/etc/passwd",
		                    o->user, u);
	}
	if (gid_given) {
		if (all_digits(g))
			*gid = (uint32_t)strtoul(g, NULL, 10);
		else if (lookup(rootfs, "/etc/group", g, gid, NULL, NULL) < 0)
			return hk_err_plain(err, ENOENT,
			                    "-u %s: no group \"%s\" in the root filesystem's "
			                    "/etc/group",
			                    o->user, g);
	}
	return 0;
}

static void set_env(json_object *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(env, i));
		if (strncmp(e, kv, klen) == 0 && e[klen] == '=') {
			json_object_array_put_idx(env, i, json_object_new_string(kv));
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(kv));
}

static int build_process(json_object *proc, const hk_box_opts *o, const hk_box_ctx *ctx,
                         const char *hostname, hk_err *err)
{
	uint32_t uid, gid;
	_cleanup_free_ char *home = NULL;
	int r = resolve_user(o, ctx->rootfs, &uid, &gid, &home, err);
	if (r < 0)
		return r;
	json_object_object_add(proc, "terminal", json_object_new_boolean(o->tty));
	json_object *user = json_object_new_object();
	json_object_object_add(user, "uid", json_object_new_int64(uid));
	json_object_object_add(user, "gid", json_object_new_int64(gid));
	json_object_object_add(proc, "user", user);
	static const char *const sh[] = {"/bin/sh"};
	json_object_object_add(proc, "args",
	                       o->argc ? str_array((const char *const *)o->argv, (size_t)o->argc)
	                               : str_array(sh, 1));
	json_object *env = get(proc, "env");
	if (!o->tty)
		json_object_array_del_idx(env, 1, 1); /* TERM */
	_cleanup_free_ char *h = NULL, *hm = NULL;
	if (asprintf(&h, "HOSTNAME=%s", hostname) < 0 || asprintf(&hm, "HOME=%s",
	                                                          home       ? home
	                                                          : uid == 0 ? "/root"
	                                                                     : "/") < 0)
		return hk_err_set(err, ENOMEM, "env");
	set_env(env, h);
	set_env(env, hm);
	set_env(env, "container=husk");
	for (size_t i = 0; i < o->n_env; i++) {
		const char *e = o->env[i];
		if (strchr(e, '=')) {
			set_env(env, e);
			continue;
		}
		const char *v = getenv(e); /* -e NAME: the host's value, if any */
		_cleanup_free_ char *kv = NULL;
		if (v && asprintf(&kv, "%s=%s", e, v) >= 0)
			set_env(env, kv);
	}
	if (o->workdir) {
		if (o->workdir[0] != '/')
			return hk_err_plain(err, EINVAL, "-w %s: must be an absolute path",
			                    o->workdir);
		json_object_object_add(proc, "cwd", json_object_new_string(o->workdir));
	}
	/* root gets the capabilities; another user only the bounding set */
	json_object *caps = json_object_new_object();
	size_t n = HK_ARRAY_SIZE(box_caps), granted = uid == 0 ? n : 0;
	json_object_object_add(caps, "bounding", str_array(box_caps, n));
	json_object_object_add(caps, "effective", str_array(box_caps, granted));
	json_object_object_add(caps, "permitted", str_array(box_caps, granted));
	json_object_object_add(proc, "capabilities", caps);
	json_object_object_del(proc, "rlimits"); /* inherit husk's */
	json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(false));
	return 0;
}

static int build_mounts(json_object *mounts, const hk_box_opts *o, const hk_box_ctx *ctx,
                        hk_err *err)
{
	bool rootless = ctx->maps != NULL;
	json_object *kept = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *dest = json_object_get_string(get(m, "destination"));
		if (strcmp(dest, "/sys/fs/cgroup") == 0)
			continue; /* added below */
		if (strcmp(dest, "/sys") == 0 && rootless && !o->net_none) {
			/* sysfs needs a network namespace of our own */
			static const char *const so[] = {"rbind", "nosuid", "noexec", "nodev",
			                                 "ro"};
			json_object_array_add(kept, new_mount("/sys", "none", "/sys", so, 5));
			continue;
		}
		if (strcmp(dest, "/dev/pts") == 0 && rootless && !ctx->maps->full) {
			/* gid 5 (tty) is not mapped */
			static const char *const po[] = {"nosuid", "noexec", "newinstance",
			                                 "ptmxmode=0666", "mode=0620"};
			json_object_array_add(kept, new_mount(dest, "devpts", "devpts", po, 5));
			continue;
		}
		json_object_array_add(kept, json_object_get(m));
	}
	/* cgroup v1 hierarchies cannot be mounted in a user namespace */
	if (!rootless || ctx->cgroup_v2) {
		static const char *const co[] = {"nosuid", "noexec", "nodev", "relatime", "ro"};
		json_object_array_add(kept, new_mount("/sys/fs/cgroup", "cgroup", "cgroup", co, 5));
	}
	if (!o->net_none) {
		/* the host's network: its name resolution too (as podman) */
		static const char *const files[] = {"/etc/resolv.conf", "/etc/hosts"};
		static const char *const ro[] = {"bind", "ro", "nosuid", "nodev", "noexec"};
		for (size_t i = 0; i < HK_ARRAY_SIZE(files); i++)
			if (access(files[i], R_OK) == 0)
				json_object_array_add(kept,
				                      new_mount(files[i], "bind", files[i], ro, 5));
	}
	if (o->readonly) {
		/* as podman's --read-only: the places programs write to at run
		 * time stay writable (tmpfs), unless the user mounts them */
		static const char *const rw[] = {"/run", "/tmp", "/var/tmp"};
		for (size_t i = 0; i < HK_ARRAY_SIZE(rw); i++) {
			bool given = false;
			for (size_t j = 0; j < o->n_mounts; j++)
				given |= strcmp(o->mounts[j].dest, rw[i]) == 0;
			const char *to[] = {"rw", "nosuid", "nodev", i ? "mode=1777" : "mode=755"};
			if (!given)
				json_object_array_add(kept,
				                      new_mount(rw[i], "tmpfs", "tmpfs", to, 4));
		}
	}
	for (size_t i = 0; i < o->n_mounts; i++) {
		const hk_box_mount *bm = &o->mounts[i];
		json_object *m;
		if (bm->source) {
			const char *bo[] = {"rbind", bm->readonly ? "ro" : "rw"};
			m = new_mount(bm->dest, "bind", bm->source, bo, 2);
		} else {
			/* podman's --tmpfs defaults, then the user's options */
			const char *to[32] = {"rw", "noexec", "nosuid", "nodev"};
			size_t n = 4;
			_cleanup_free_ char *copy = bm->opts ? strdup(bm->opts) : NULL;
			char *save = NULL;
			for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t;
			     t = strtok_r(NULL, ",", &save)) {
				if (n == HK_ARRAY_SIZE(to))
					return hk_err_plain(
					    err, EINVAL, "--tmpfs %s: too many options", bm->dest);
				to[n++] = t;
			}
			m = new_mount(bm->dest, "tmpfs", "tmpfs", to, n);
		}
		json_object_array_add(kept, m);
	}
	json_object_array_del_idx(mounts, 0, json_object_array_length(mounts));
	for (size_t i = 0; i < json_object_array_length(kept); i++)
		json_object_array_add(mounts, json_object_get(json_object_array_get_idx(kept, i)));
	json_object_put(kept);
	return 0;
}

static void build_linux(json_object *lnx, const hk_box_opts *o, const hk_box_ctx *ctx)
{
	static const char *const ns[] = {"pid", "mount", "uts", "ipc", "cgroup"};
	json_object *nss = json_object_new_array();
	for (size_t i = 0; i < HK_ARRAY_SIZE(ns); i++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "type", json_object_new_string(ns[i]));
		json_object_array_add(nss, e);
	}
	const char *extra[2];
	size_t n_extra = 0;
	if (o->net_none)
		extra[n_extra++] = "network";
	if (ctx->maps)
		extra[n_extra++] = "user";
	for (size_t i = 0; i < n_extra; i++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "type", json_object_new_string(extra[i]));
		json_object_array_add(nss, e);
	}
	json_object_object_add(lnx, "namespaces", nss);
	if (ctx->maps) {
		json_object_object_add(lnx, "uidMappings",
		                       idmaps_json(ctx->maps->uids, ctx->maps->n_uids));
		json_object_object_add(lnx, "gidMappings",
		                       idmaps_json(ctx->maps->gids, ctx->maps->n_gids));
	}
	if (ctx->cgroups_path)
		json_object_object_add(lnx, "cgroupsPath",
		                       json_object_new_string(ctx->cgroups_path));
	json_object *res = get(lnx, "resources");
	if (o->memory >= 0 || o->memory_swap != -2) {
		json_object *mem = json_object_new_object();
		if (o->memory >= 0)
			json_object_object_add(mem, "limit", json_object_new_int64(o->memory));
		if (o->memory_swap != -2)
			json_object_object_add(mem, "swap", json_object_new_int64(o->memory_swap));
		json_object_object_add(res, "memory", mem);
	}
	if (o->pids_limit >= 0) {
		json_object *pids = json_object_new_object();
		json_object_object_add(pids, "limit", json_object_new_int64(o->pids_limit));
		json_object_object_add(res, "pids", pids);
	}
	if (o->cpus > 0) {
		json_object *cpu = json_object_new_object();
		json_object_object_add(cpu, "period", json_object_new_int64(100000));
		json_object_object_add(cpu, "quota",
		                       json_object_new_int64((int64_t)(o->cpus * 100000)));
		json_object_object_add(res, "cpu", cpu);
	}
}

int hk_box_spec_json(const hk_box_opts *o, const hk_box_ctx *ctx, char **out, hk_err *err)
{
	_cleanup_free_ char *base = hk_spec_default_json(false);
	_cleanup_json_ json_object *top = base ? json_tokener_parse(base) : NULL;
	if (!top)
		return hk_err_set(err, ENOMEM, "box: default config");
	const char *hostname = o->hostname ? o->hostname : ctx->name;
	int r = build_process(get(top, "process"), o, ctx, hostname, err);
	if (r < 0)
		return r;
	json_object *root = get(top, "root");
	json_object_object_add(root, "path", json_object_new_string(ctx->rootfs));
	json_object_object_add(root, "readonly", json_object_new_boolean(o->readonly));
	json_object_object_add(top, "hostname", json_object_new_string(hostname));
	if ((r = build_mounts(get(top, "mounts"), o, ctx, err)) < 0)
		return r;
	build_linux(get(top, "linux"), o, ctx);
	const char *s = json_object_to_json_string_ext(
	    top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB | JSON_C_TO_STRING_SPACED |
	             JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || asprintf(out, "%s\n", s) < 0)
		return hk_err_set(err, ENOMEM, "box: config");
	return 0;
}
