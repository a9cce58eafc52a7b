/* mountopts.h - the mount options husk accepts (the tables behind
 * `features` mountOptions) and their parse into what mounts.c applies.
 * Internal to linux/: mounts.c is the user. */
#ifndef HUSK_LINUX_MOUNTOPTS_H
#define HUSK_LINUX_MOUNTOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/mount.h>

#include "oci/types.h"
#include "util/error.h"

#define HK_ATIME_FLAGS     (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)
#define HK_MAX_PROPAGATION 8

/* One entry's options, sorted by how they are applied. */
struct hk_mopts {
	unsigned long flags;
	unsigned long cleared;
	unsigned long prop[HK_MAX_PROPAGATION];
	size_t n_prop;
	struct mount_attr attr;
	bool has_attr;
	bool copyup;    /* tmpcopyup */
	bool idmap;     /* idmap or ridmap */
	bool idmap_rec; /* ridmap: the submounts too */
	char *data;     /* comma-separated fs options, "" when none */
};

/* Parse M's options into *O (zeroed by the caller); an unknown option
 * goes to data, for the filesystem to judge. */
int hk_mopts_parse(const hk_mount *m, struct hk_mopts *o, hk_err *err);
/* Is M (its options parsed into O) a bind mount: type "bind" or a bind
 * option? */
bool hk_mopts_is_bind(const hk_mount *m, const struct hk_mopts *o);
void hk_mopts_free(struct hk_mopts *o);

#endif
