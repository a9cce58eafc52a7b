/* passwd.h - reading passwd(5) and group(5) files
 * ("name:x:id:gid:gecos:home:shell"; a group line has members where gid
 * would be).  Shared by the host's /etc/passwd (user names), a rootfs's
 * (`husk box -u NAME`) and the container's own ($HOME). */
#ifndef HUSK_UTIL_PASSWD_H
#define HUSK_UTIL_PASSWD_H

#include <stdint.h>
#include <stdio.h>

typedef struct hk_pwent {
	const char *name;
	uint32_t id;
	uint32_t gid;     /* passwd only */
	const char *home; /* passwd only; "" when empty */
} hk_pwent;

/* The first entry of F named NAME, or, when NAME is NULL, whose id is ID.
 * The strings point into *BUF (getline()'s buffer, *CAP its size: the
 * caller frees it).  0, -ENOENT, or -EIO when F could not be read to its
 * end. */
int hk_pwent_find(FILE *f, const char *name, uint32_t id, hk_pwent *out, char **buf, size_t *cap);

#endif
