/* cgroup_devices.c - which device nodes the container may use: the policy
 * (config rules, linux.devices nodes, runc's defaults), v1's devices.allow
 * / devices.deny lists, and on v2 an eBPF program (cgroup_bpf.c) built
 * from an emulation of what v1 would do with the same rules, so that a
 * config means the same on both. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/cgroup_devices.h"
#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* The devices every container gets after its rules and nodes, as runc. */
static const hk_device_rule default_rules[] = {
    {true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"}, {true, 'c', 1, 3, "rwm"},
    {true, 'c', 1, 8, "rwm"}, {true, 'c', 1, 7, "rwm"}, {true, 'c', 5, 0, "rwm"},
    {true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 9, "rwm"}, {true, 'c', 136, -1, "rwm"},
    {true, 'c', 5, 2, "rwm"},
};

/* A linux.devices node as the rule allowing it (false: not a device the
 * cgroup controls, a fifo). */
static bool node_rule(const hk_device *d, hk_device_rule *out)
{
	char type = d->type;
	if (type == 'u')
		type = 'c';
	if (type != 'c' && type != 'b')
		return false;
	*out = (hk_device_rule){.allow = true, .type = type, .major = d->major, .minor = d->minor};
	return true;
}

static unsigned access_mask(const char *access)
{
	unsigned m = 0;
	if (!access || !*access) /* as the v1 rule we write: "rwm" */
		return ACC_ALL;
	for (const char *p = access; *p; p++)
		m |= *p == 'r'   ? BPF_DEVCG_ACC_READ
		     : *p == 'w' ? BPF_DEVCG_ACC_WRITE
		     : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
		                 : 0;
	return m;
}

static void format_rule(char *buf, size_t len, const hk_device_rule *d)
{
	char ma[24] = "*", mi[24] = "*";
	if (d->type == 'a') {
		snprintf(buf, len, "a");
		return;
	}
	if (d->major >= 0)
		snprintf(ma, sizeof(ma), "%lld", (long long)d->major);
	if (d->minor >= 0)
		snprintf(mi, sizeof(mi), "%lld", (long long)d->minor);
	snprintf(buf, len, "%c %s:%s %s", d->type, ma, mi,
	         d->access && *d->access ? d->access : "rwm");
}

void hk_devcg_free(struct hk_devcg *s)
{
	free(s->ex);
	*s = (struct hk_devcg){0};
}

static struct hk_devcg_ex *find_ex(struct hk_devcg *s, char type, int64_t major, int64_t minor)
{
	for (size_t i = 0; i < s->n_ex; i++)
		if (s->ex[i].type == type && s->ex[i].major == major && s->ex[i].minor == minor)
			return &s->ex[i];
	return NULL;
}

static void acc_str(unsigned a, char *buf)
{
	char *p = buf;
	if (a & BPF_DEVCG_ACC_READ)
		*p++ = 'r';
	if (a & BPF_DEVCG_ACC_WRITE)
		*p++ = 'w';
	if (a & BPF_DEVCG_ACC_MKNOD)
		*p++ = 'm';
	*p = '\0';
}

/* Take ACC away from the exception TYPE MAJOR:MINOR.  v1 only looks for
 * that exact exception: a wildcard one granting part of ACC would keep
 * granting it, which runc refuses (the emulator's "cannot punch hole"). */
static int remove_ex(struct hk_devcg *s, const hk_device_rule *r, int64_t major, int64_t minor,
                     unsigned acc, const char *what, hk_err *err)
{
	const int64_t partial[3][2] = {{-1, minor}, {major, -1}, {-1, -1}};
	for (size_t i = 0; i < 3; i++) {
		if (partial[i][0] == major && partial[i][1] == minor)
			continue;
		const struct hk_devcg_ex *w = find_ex(s, r->type, partial[i][0], partial[i][1]);
		if (!w || !(w->access & acc))
			continue;
		char rule[80], wild[80], wacc[4];
		format_rule(rule, sizeof(rule), r);
		acc_str(w->access, wacc);
		format_rule(
		    wild, sizeof(wild),
		    &(hk_device_rule){
		        .type = w->type, .major = w->major, .minor = w->minor, .access = wacc});
		return hk_err_plain(err, EINVAL,
		                    "%s: %s \"%s\" would not take that access away from the "
		                    "earlier wildcard rule \"%s\" (the devices cgroup ignores "
		                    "such a rule): %s the devices one by one instead of with a "
		                    "wildcard",
		                    what, r->allow ? "allowing" : "denying", rule, wild,
		                    s->default_allow ? "deny" : "allow");
	}
	struct hk_devcg_ex *e = find_ex(s, r->type, major, minor);
	if (e && !(e->access &= ~acc))
		*e = s->ex[--s->n_ex];
	return 0;
}

int hk_devcg_apply(struct hk_devcg *s, const hk_device_rule *r, const char *what, hk_err *err)
{
	if (r->type == 'a') {
		hk_devcg_free(s);
		s->default_allow = r->allow;
		return 0;
	}
	if (r->type != 'c' && r->type != 'b')
		return hk_err_plain(err, EINVAL, "%s.type: unknown device type \"%c\"", what,
		                    r->type);
	if (r->major > UINT32_MAX || r->minor > UINT32_MAX)
		return hk_err_plain(err, EINVAL, "%s.%s: %lld is out of range", what,
		                    r->major > UINT32_MAX ? "major" : "minor",
		                    (long long)(r->major > UINT32_MAX ? r->major : r->minor));
	int64_t major = r->major < 0 ? -1 : r->major, minor = r->minor < 0 ? -1 : r->minor;
	unsigned acc = access_mask(r->access);
	if (!acc)
		return 0;
	if (r->allow == s->default_allow)
		return remove_ex(s, r, major, minor, acc, what, err);
	struct hk_devcg_ex *e = find_ex(s, r->type, major, minor);
	if (e) {
		e->access |= acc;
		return 0;
	}
	struct hk_devcg_ex *nx = realloc(s->ex, (s->n_ex + 1) * sizeof(*nx));
	if (!nx)
		return hk_err_set(err, ENOMEM, "%s", what);
	s->ex = nx;
	s->ex[s->n_ex++] = (struct hk_devcg_ex){r->type, major, minor, acc};
	return 0;
}

int hk_devcg_build(struct hk_devcg *s, const hk_device_rule *rules, size_t n_rules,
                   const hk_device *nodes, size_t n_nodes, hk_err *err)
{
	char what[96];
	int r = 0;
	hk_devcg_free(s);
	for (size_t i = 0; r == 0 && i < n_rules; i++) {
		snprintf(what, sizeof(what), "linux.resources.devices[%zu]", i);
		r = hk_devcg_apply(s, &rules[i], what, err);
	}
	for (size_t i = 0; r == 0 && i < n_nodes; i++) {
		hk_device_rule d;
		snprintf(what, sizeof(what), "linux.devices[%zu]", i);
		if (node_rule(&nodes[i], &d))
			r = hk_devcg_apply(s, &d, what, err);
	}
	for (size_t i = 0; r == 0 && i < HK_ARRAY_SIZE(default_rules); i++) {
		char rule[48];
		format_rule(rule, sizeof(rule), &default_rules[i]);
		snprintf(what, sizeof(what), "default device rule \"%s\"", rule);
		r = hk_devcg_apply(s, &default_rules[i], what, err);
	}
	if (r < 0)
		hk_devcg_free(s);
	return r;
}

static bool ex_matches(const struct hk_devcg_ex *e, char type, uint32_t major, uint32_t minor)
{
	return e->type == type && (e->major < 0 || (uint32_t)e->major == major) &&
	       (e->minor < 0 || (uint32_t)e->minor == minor);
}

bool hk_devcg_allows(const struct hk_devcg *s, char type, uint32_t major, uint32_t minor,
                     unsigned access)
{
	for (size_t i = 0; i < s->n_ex; i++) {
		const struct hk_devcg_ex *e = &s->ex[i];
		if (!ex_matches(e, type, major, minor))
			continue;
		if (!s->default_allow && !(access & ~e->access))
			return true;
		if (s->default_allow && (access & e->access))
			return false;
	}
	return s->default_allow;
}

/* ---- applying it ---- */

int hk_cg_check_devices(const hk_resources *res, hk_err *err)
{
	struct hk_devcg s = {0};
	int r = hk_devcg_build(&s, res->devices, res->n_devices, NULL, 0, err);
	hk_devcg_free(&s);
	return r;
}

/* The v1 devices leaf DIR and its devices.allow and devices.deny, each
 * opened at its first rule and written one rule per write(2). */
struct v1_files {
	int dir;
	int fd[2]; /* deny, allow */
};

static void v1_files_close(struct v1_files *f)
{
	for (size_t i = 0; i < 2; i++)
		if (f->fd[i] >= 0)
			close(f->fd[i]);
}

/* Write RULE (named WHAT in errors) to the v1 devices leaf. */
static int v1_write(struct v1_files *f, const hk_device_rule *rule, const char *what, hk_err *err)
{
	char buf[80];
	format_rule(buf, sizeof(buf), rule);
	const char *file = rule->allow ? "devices.allow" : "devices.deny";
	int *fd = &f->fd[rule->allow ? 1 : 0];
	size_t len = strlen(buf);
	ssize_t n = 0;
	if (*fd < 0)
		*fd = openat(f->dir, file, O_WRONLY | O_CLOEXEC);
	if (*fd < 0)
		hk_err_set(err, errno, "open %s", file);
	else if ((n = write(*fd, buf, len)) != (ssize_t)len)
		hk_err_set(err, n < 0 ? errno : EIO, "write %s", file);
	else
		return 0;
	return hk_err_wrap(err, "%s (\"%s\")", what, buf);
}

/* Is this process in the initial user namespace (root there is root)? */
static bool initial_userns(void)
{
	_cleanup_free_ char *map = NULL;
	hk_err e;
	unsigned long inside, outside, count;
	if (hk_read_file("/proc/self/uid_map", &map, NULL, &e) < 0 ||
	    sscanf(map, "%lu %lu %lu", &inside, &outside, &count) != 3)
		return true;
	return inside == 0 && outside == 0 && count == 4294967295UL;
}

/* v1: the kernel does what hk_devcg_build() emulates (checked first, so
 * that a rule v1 would ignore is refused on both layouts), rule by rule. */
static int set_v1(hk_cgroup *cg, const hk_device_rule *rules, size_t n_rules,
                  const hk_device *nodes, size_t n_nodes, hk_err *err)
{
	struct hk_cg_hier *h = hk_cg_find(cg, "devices");
	if (!h && cg->rootless) /* a devices hierarchy it may not write was left out */
		return 0;
	if (!h)
		return hk_err_plain(err, ENOENT,
		                    "linux.resources.devices: devices.deny not available (no "
		                    "devices cgroup hierarchy)");
	struct hk_devcg s = {0};
	int r = hk_devcg_build(&s, rules, n_rules, nodes, n_nodes, err);
	hk_devcg_free(&s);
	static const hk_device_rule deny_all = {.type = 'a'};
	char what[96];
	__attribute__((cleanup(v1_files_close))) struct v1_files f = {h->fd, {-1, -1}};
	/* writing devices.allow/deny takes CAP_SYS_ADMIN: an ordinary user
	 * with a delegated devices hierarchy, or root of a user namespace,
	 * cannot (runc ignores the devices controller there too) */
	if (r == 0 && cg->rootless)
		return 0;
	if (r == 0)
		r = v1_write(&f, &deny_all, "linux.resources.devices", err);
	if (r == -EPERM && !initial_userns())
		return 0;
	for (size_t i = 0; r == 0 && i < n_rules; i++) {
		/* a config's first rule denying all (runc spec's) is deny_all */
		if (i == 0 && rules[0].type == 'a' && !rules[0].allow)
			continue;
		snprintf(what, sizeof(what), "linux.resources.devices[%zu]", i);
		r = v1_write(&f, &rules[i], what, err);
	}
	for (size_t i = 0; r == 0 && i < n_nodes; i++) {
		hk_device_rule d;
		snprintf(what, sizeof(what), "linux.devices[%zu]", i);
		if (node_rule(&nodes[i], &d))
			r = v1_write(&f, &d, what, err);
	}
	for (size_t i = 0; r == 0 && i < HK_ARRAY_SIZE(default_rules); i++)
		r = v1_write(&f, &default_rules[i], "linux.resources.devices", err);
	return r;
}

int hk_cgroup_set_devices(hk_cgroup *cg, const hk_device_rule *rules, size_t n_rules,
                          const hk_device *nodes, size_t n_nodes, hk_err *err)
{
	if (!cg || cg->n_h == 0)
		return 0;
	if (cg->layout != HK_CGROUP_V2)
		return set_v1(cg, rules, n_rules, nodes, n_nodes, err);
	/* rootless: loading a device program needs privileges an ordinary
	 * user does not have (runc ignores the failure the same way) */
	if (cg->rootless)
		return 0;
	struct hk_devcg s = {0};
	_cleanup_free_ struct bpf_insn *prog = NULL;
	size_t n = 0;
	int r = hk_devcg_build(&s, rules, n_rules, nodes, n_nodes, err);
	if (r == 0)
		r = hk_devcg_program(&s, &prog, &n, err);
	hk_devcg_free(&s);
	if (r < 0)
		return r;
	/* a cgroup this process made, and has not given a program yet, has none */
	bool fresh = hk_cg_leaf_created(&cg->h[0]) && !cg->dev_prog;
	r = hk_devcg_attach(cg->h[0].fd, fresh, prog, n, err);
	if (r == 0)
		cg->dev_prog = true;
	/* root in a user namespace is not root enough either */
	if (r == -EPERM && !initial_userns())
		return 0;
	return r < 0 ? hk_err_wrap(err, "cgroup %s%s", cg->h[0].mount, cg->h[0].path) : 0;
}
