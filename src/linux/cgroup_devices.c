/* cgroup_devices.c - which device nodes the container may use: v1's
 * devices.allow / devices.deny lists (and, later, the v2 eBPF program). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"

/* Write a rule to FILE of the devices hierarchy's leaf DIRFD (-1: none). */
static int dev_set(int fd, const char *field, const char *file, const char *value, const char *why,
                   bool optional, hk_err *err)
{
	if (fd < 0)
		return hk_err_plain(err, ENOENT,
		                    "linux.resources.%s: %s not available (no devices cgroup "
		                    "hierarchy)",
		                    field, file);
	return hk_cg_set(fd, field, file, value, why, optional, err);
}

/* The devices every container gets on top of its rules, as runc does. */
static const char *const default_allow[] = {
    "c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:8 rwm",   "c 1:7 rwm",
    "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm",
};

static void format_rule(char *buf, size_t len, char type, long long major, long long minor,
                        const char *access)
{
	char ma[24] = "*", mi[24] = "*";
	if (type == 'a') {
		snprintf(buf, len, "a");
		return;
	}
	if (major >= 0)
		snprintf(ma, sizeof(ma), "%lld", major);
	if (minor >= 0)
		snprintf(mi, sizeof(mi), "%lld", minor);
	snprintf(buf, len, "%c %s:%s %s", type, ma, mi, access && *access ? access : "rwm");
}

/* Every container starts from "deny all" (even with no rules in the
 * config, as runc), then the config's rules, then the defaults. */
int hk_cgv1_apply_devices(int fd, const hk_resources *res, hk_err *err)
{
	int r = dev_set(fd, "devices", "devices.deny", "a", NULL, false, err);
	for (size_t i = 0; r == 0 && i < res->n_devices; i++) {
		const hk_device_rule *d = &res->devices[i];
		char buf[80], field[32];
		if (d->type != 'a' && d->type != 'b' && d->type != 'c')
			return hk_err_plain(
			    err, EINVAL, "linux.resources.devices[%zu].type: \"%c\"", i, d->type);
		format_rule(buf, sizeof(buf), d->type, (long long)d->major, (long long)d->minor,
		            d->access);
		snprintf(field, sizeof(field), "devices[%zu]", i);
		r = dev_set(fd, field, d->allow ? "devices.allow" : "devices.deny", buf, NULL,
		            false, err);
	}
	for (size_t i = 0; r == 0 && i < HK_ARRAY_SIZE(default_allow); i++)
		r = dev_set(fd, "devices", "devices.allow", default_allow[i], NULL, false, err);
	return r;
}

int hk_cgv1_allow_device(int fd, char type, long long major, long long minor, const char *access,
                         hk_err *err)
{
	char buf[80];
	if (type != 'a' && type != 'b' && type != 'c')
		return hk_err_plain(err, EINVAL, "cgroup: device type \"%c\"", type);
	format_rule(buf, sizeof(buf), type, major, minor, access);
	return dev_set(fd, "devices", "devices.allow", buf, NULL, false, err);
}

int hk_cgroup_allow_device(hk_cgroup *cg, char type, int64_t major, int64_t minor,
                           const char *access, hk_err *err)
{
	if (!cg || cg->layout == HK_CGROUP_V2)
		return 0;
	struct hk_cg_hier *h = hk_cg_find(cg, "devices");
	if (!h)
		return 0;
	return hk_cgv1_allow_device(h->fd, type, (long long)major, (long long)minor, access, err);
}
