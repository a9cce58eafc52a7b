/* cgroup_mounts.c - where the cgroup hierarchies are mounted, and which
 * cgroup husk itself is in (per hierarchy): the bases that relative
 * cgroupsPaths resolve against. */
#include "linux/cgroup.h"
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
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- mounts and husk's own cgroup ---- */

const char *const hk_cg_v1_ctrls[] = {
    "cpu",   "cpuacct",    "cpuset",   "memory",  "devices", "freezer", "net_cls",
    "blkio", "perf_event", "net_prio", "hugetlb", "pids",    "rdma",    "misc",
};
const size_t hk_cg_n_v1_ctrls = sizeof(hk_cg_v1_ctrls) / sizeof(hk_cg_v1_ctrls[0]);

/* Undo mountinfo's octal escapes (\040) in place. */
static void unescape(char *s)
{
	char *d = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Controllers of a v1 mount from its super options; NULL if none. */
static char *v1_mount_ctrls(const char *opts)
{
	size_t cap = strlen(opts) + 1;
	char *out = calloc(1, cap);
	if (!out)
		return NULL;
	for (const char *p = opts; *p;) {
		const char *e = strchrnul(p, ',');
		size_t n = e - p;
		bool keep = n > 5 && strncmp(p, "name=", 5) == 0;
		for (size_t i = 0; !keep && i < hk_cg_n_v1_ctrls; i++)
			keep =
			    strlen(hk_cg_v1_ctrls[i]) == n && strncmp(p, hk_cg_v1_ctrls[i], n) == 0;
		if (keep) {
			if (*out)
				strcat(out, ",");
			strncat(out, p, n);
		}
		p = *e ? e + 1 : e;
	}
	if (!*out) {
		free(out);
		return NULL;
	}
	return out;
}

/* Same set of controllers, in any order. */
bool hk_cg_same_ctrls(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	for (const char *p = a; *p;) {
		const char *e = strchrnul(p, ',');
		_cleanup_free_ char *tok = strndup(p, e - p);
		if (!tok || !hk_cg_has_ctrl(b, tok))
			return false;
		na++;
		p = *e ? e + 1 : e;
	}
	for (const char *p = b; *p; p++)
		nb += *p == ',';
	return *b && na == nb + 1;
}

void hk_cg_mounts_free(struct hk_cg_mnt *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].ctrls);
		free(m[i].mount);
		free(m[i].own);
	}
	free(m);
}

/* Husk's own cgroup for the hierarchy with controllers CTRLS (NULL: v2),
 * relative to the mount's ROOT, from TABLE (/proc/self/cgroup, or NULL
 * when unreadable). */
static char *own_cgroup(const char *table, const char *ctrls, const char *root)
{
	_cleanup_free_ char *s = table ? strdup(table) : NULL;
	if (!s)
		return strdup("/");
	for (char *line = s; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *c = strchr(line, ':');
		char *p = c ? strchr(c + 1, ':') : NULL;
		if (p) {
			*p++ = '\0';
			c++;
			bool match =
			    ctrls ? *c && hk_cg_same_ctrls(c, ctrls) : (!*c && line[0] == '0');
			if (match) {
				size_t rl = strlen(root);
				if (strcmp(root, "/") != 0 && strncmp(p, root, rl) == 0 &&
				    (p[rl] == '/' || !p[rl]))
					p += rl;
				return strdup(*p ? p : "/");
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return strdup("/");
}

/* Is the mountinfo LINE a cgroup or cgroup2 mount? */
static bool cgroup_line(const char *line)
{
	const char *sep = strstr(line, " - ");
	if (!sep)
		return false;
	sep += 3;
	size_t n = strcspn(sep, " ");
	return (n == 6 && strncmp(sep, "cgroup", 6) == 0) ||
	       (n == 7 && strncmp(sep, "cgroup2", 7) == 0);
}

/* hk_cgroup_mount_lines()'s copy (NULL: not read yet). */
static char *mount_lines;

/* The cgroup lines of /proc/self/mountinfo, read now, kept as
 * mount_lines. */
static int read_mount_lines(hk_err *err)
{
	_cleanup_free_ char *all = NULL;
	int r = hk_read_file("/proc/self/mountinfo", &all, NULL, err);
	if (r < 0)
		return r;
	char *kept = malloc(strlen(all) + 1);
	if (!kept)
		return hk_err_set(err, ENOMEM, "mountinfo");
	size_t len = 0;
	for (char *line = all, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		size_t n = next ? (size_t)(++next - line) : strlen(line);
		if (cgroup_line(line)) {
			memcpy(kept + len, line, n);
			len += n;
		}
	}
	kept[len] = '\0';
	free(mount_lines);
	mount_lines = kept;
	return 0;
}

int hk_cgroup_mount_lines(char **out, hk_err *err)
{
	int r = mount_lines ? 0 : read_mount_lines(err);
	if (r < 0)
		return r;
	*out = strdup(mount_lines);
	return *out ? 0 : hk_err_set(err, ENOMEM, "mountinfo");
}

int hk_cg_mounts(enum hk_cgroup_layout layout, struct hk_cg_mnt **out, size_t *n, hk_err *err)
{
	_cleanup_free_ char *lines = NULL;
	int r = read_mount_lines(err);
	if (r < 0 || (r = hk_cgroup_mount_lines(&lines, err)) < 0)
		return r;
	size_t cnt = 0;
	struct hk_cg_mnt *m = NULL;
	bool v2 = layout == HK_CGROUP_V2;
	/* read once for all the hierarchies; unreadable: every own is "/" */
	_cleanup_free_ char *table = NULL;
	hk_err ignored;
	hk_read_file("/proc/self/cgroup", &table, NULL, &ignored);
	for (char *line = lines, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *fld[5], *save = NULL, *p = line;
		char *sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		int i = 0;
		for (char *t; i < 5 && (t = strtok_r(p, " ", &save)); p = NULL)
			fld[i++] = t;
		char *fstype = strtok_r(sep + 3, " ", &save);
		char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
		char *opts = source ? strtok_r(NULL, " ", &save) : NULL;
		if (i < 5 || !opts || strcmp(fstype, v2 ? "cgroup2" : "cgroup") != 0)
			continue;
		unescape(fld[3]);
		unescape(fld[4]);
		if (v2 && strcmp(fld[4], HK_CGROUP_ROOT) != 0)
			continue;
		_cleanup_free_ char *ctrls = v2 ? NULL : v1_mount_ctrls(opts);
		if (!v2 && !ctrls)
			continue;
		bool dup = false;
		for (size_t j = 0; j < cnt && !dup; j++)
			dup = v2 || hk_cg_same_ctrls(m[j].ctrls, ctrls);
		if (dup)
			continue;
		struct hk_cg_mnt *nm = realloc(m, (cnt + 1) * sizeof(*m));
		if (!nm) {
			hk_cg_mounts_free(m, cnt);
			return hk_err_set(err, ENOMEM, "cgroup mounts");
		}
		m = nm;
		m[cnt].mount = strdup(fld[4]);
		m[cnt].own = own_cgroup(table, ctrls, fld[3]);
		m[cnt].ctrls = hk_steal_ptr(&ctrls);
		cnt++;
		if (!m[cnt - 1].mount || !m[cnt - 1].own) {
			hk_cg_mounts_free(m, cnt);
			return hk_err_set(err, ENOMEM, "cgroup mounts");
		}
	}
	if (v2 && cnt == 0) {
		/* not in our mountinfo (odd, but statfs said so) */
		m = calloc(1, sizeof(*m));
		if (!m || !(m->mount = strdup(HK_CGROUP_ROOT)) ||
		    !(m->own = own_cgroup(table, NULL, "/"))) {
			hk_cg_mounts_free(m, m ? 1 : 0);
			return hk_err_set(err, ENOMEM, "cgroup mounts");
		}
		cnt = 1;
	}
	*out = m;
	*n = cnt;
	return 0;
}
