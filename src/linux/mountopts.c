/* mountopts.c - the table of mount options runc accepts, and their parse;
 * see mountopts.h. */
#include "linux/mountopts.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linux/rootfs.h"
#include "util/cleanup.h"

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} flag_options[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"suid", true, MS_NOSUID},
    {"nosuid", false, MS_NOSUID},
    {"dev", true, MS_NODEV},
    {"nodev", false, MS_NODEV},
    {"exec", true, MS_NOEXEC},
    {"noexec", false, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"atime", true, MS_NOATIME},
    {"noatime", false, MS_NOATIME},
    {"diratime", true, MS_NODIRATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
    {"symfollow", true, MS_NOSYMFOLLOW},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
};

static const struct {
	const char *name;
	unsigned long flag;
} propagation_options[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Recursive options, applied with mount_setattr(AT_RECURSIVE).  The atime
 * values are an enum in MOUNT_ATTR__ATIME: setting one clears the field. */
static const struct {
	const char *name;
	bool clear;
	uint64_t attr;
} recursive_options[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};
static const struct {
	const char *name;
	uint64_t atime;
} recursive_atime_options[] = {
    {"rnoatime", MOUNT_ATTR_NOATIME},         {"ratime", MOUNT_ATTR_RELATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME},       {"rnorelatime", MOUNT_ATTR_STRICTATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", MOUNT_ATTR_RELATIME},
};

/* runc's extension options (and "notmpcopyup", which undoes it). */
static const struct {
	const char *name;
	bool copyup;
} extension_options[] = {
    {"tmpcopyup", true},
    {"notmpcopyup", false},
};

size_t hk_mount_option_names(const char **out, size_t max)
{
	size_t n = 0;
#define HK_ADD_NAMES(table)                                                                        \
	for (size_t i = 0; i < HK_ARRAY_SIZE(table); i++, n++)                                     \
		if (n < max)                                                                       \
			out[n] = (table)[i].name;
	HK_ADD_NAMES(flag_options)
	HK_ADD_NAMES(propagation_options)
	HK_ADD_NAMES(recursive_options)
	HK_ADD_NAMES(recursive_atime_options)
	HK_ADD_NAMES(extension_options)
	if (n < max)
		out[n] = "idmap";
	if (++n < max)
		out[n] = "ridmap";
	n++;
#undef HK_ADD_NAMES
	return n;
}

void hk_mopts_free(struct hk_mopts *o)
{
	free(o->data);
}

static bool parse_flag_option(struct hk_mopts *o, const char *opt)
{
	for (size_t i = 0; i < HK_ARRAY_SIZE(flag_options); i++) {
		if (strcmp(opt, flag_options[i].name) != 0)
			continue;
		if (flag_options[i].clear) {
			o->flags &= ~flag_options[i].flag;
			o->cleared |= flag_options[i].flag;
		} else {
			o->flags |= flag_options[i].flag;
			o->cleared &= ~flag_options[i].flag;
		}
		return true;
	}
	return false;
}

static bool parse_recursive_option(struct hk_mopts *o, const char *opt)
{
	for (size_t i = 0; i < HK_ARRAY_SIZE(recursive_options); i++) {
		if (strcmp(opt, recursive_options[i].name) != 0)
			continue;
		uint64_t a = recursive_options[i].attr;
		if (recursive_options[i].clear) {
			o->attr.attr_clr |= a;
			o->attr.attr_set &= ~a;
		} else {
			o->attr.attr_set |= a;
			o->attr.attr_clr &= ~a;
		}
		o->has_attr = true;
		return true;
	}
	for (size_t i = 0; i < HK_ARRAY_SIZE(recursive_atime_options); i++) {
		if (strcmp(opt, recursive_atime_options[i].name) != 0)
			continue;
		o->attr.attr_clr |= MOUNT_ATTR__ATIME;
		o->attr.attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
		o->attr.attr_set |= recursive_atime_options[i].atime;
		o->has_attr = true;
		return true;
	}
	return false;
}

static bool parse_extension_option(struct hk_mopts *o, const char *opt)
{
	for (size_t i = 0; i < HK_ARRAY_SIZE(extension_options); i++) {
		if (strcmp(opt, extension_options[i].name) == 0) {
			o->copyup = extension_options[i].copyup;
			return true;
		}
	}
	return false;
}

bool hk_mopts_is_bind(const hk_mount *m, const struct hk_mopts *o)
{
	return (o->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
}

int hk_mopts_parse(const hk_mount *m, struct hk_mopts *o, hk_err *err)
{
	size_t cap = 1;
	for (size_t i = 0; i < m->n_options; i++)
		cap += strlen(m->options[i]) + 1;
	o->data = calloc(1, cap);
	if (!o->data)
		return hk_err_set(err, ENOMEM, "options");

	for (size_t i = 0; i < m->n_options; i++) {
		const char *opt = m->options[i];
		if (parse_flag_option(o, opt) || parse_recursive_option(o, opt) ||
		    parse_extension_option(o, opt))
			continue;
		/* runc 1.2's idmapped mounts (idmap_mount.c), never a
		 * filesystem's data */
		if (!strcmp(opt, "idmap") || !strcmp(opt, "ridmap")) {
			o->idmap = true;
			o->idmap_rec |= opt[0] == 'r';
			continue;
		}
		bool prop = false;
		for (size_t j = 0; j < HK_ARRAY_SIZE(propagation_options); j++) {
			if (strcmp(opt, propagation_options[j].name) != 0)
				continue;
			if (o->n_prop == HK_MAX_PROPAGATION)
				return hk_err_plain(err, EINVAL, "too many propagation options");
			o->prop[o->n_prop++] = propagation_options[j].flag;
			prop = true;
		}
		if (prop)
			continue;
		if (o->data[0])
			strcat(o->data, ",");
		strcat(o->data, opt);
	}
	return 0;
}
