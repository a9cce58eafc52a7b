/* passwd.c - see passwd.h. */
#include "util/passwd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_id(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int hk_pwent_find(FILE *f, const char *name, uint32_t id, hk_pwent *out, char **buf, size_t *cap)
{
	while (getline(buf, cap, f) > 0) {
		char *fields[7] = {0};
		char *p = *buf;
		p[strcspn(p, "\n")] = '\0';
		for (int i = 0; i < 7 && p; i++) {
			fields[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		hk_pwent e = {.name = fields[0], .home = fields[5] ? fields[5] : ""};
		if (!fields[2] || parse_id(fields[2], &e.id) < 0)
			continue;
		if (name ? strcmp(e.name, name) != 0 : e.id != id)
			continue;
		if (fields[3])
			parse_id(fields[3], &e.gid);
		*out = e;
		return 0;
	}
	return ferror(f) ? -EIO : -ENOENT;
}
