/* cgroup_teardown.c - the end of a container's cgroup: the processes in
 * it (ps, kill --all), killing them, and removing the directories husk
 * made (hk_cgroup_destroy), or only empty ones (hk_cgroup_remove_empty).
 * Part of the cgroup code (cgroup.c), like it depending only on util/. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup.h"
#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define RMDIR_TIMEOUT_MS 2000

/* Append the pids in DIRFD's cgroup.procs to *PIDS (no duplicates). */
static int read_procs(int dirfd, pid_t **pids, size_t *n, hk_err *err)
{
	_cleanup_free_ char *s = NULL;
	int r = hk_read_file_at(dirfd, "cgroup.procs", &s, NULL, err);
	if (r < 0)
		return r;
	for (char *p = s, *end; *p; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		bool dup = false;
		for (size_t i = 0; i < *n && !dup; i++)
			dup = (*pids)[i] == (pid_t)v;
		if (dup || v <= 0)
			continue;
		pid_t *np = realloc(*pids, (*n + 1) * sizeof(**pids));
		if (!np)
			return hk_err_set(err, ENOMEM, "cgroup.procs");
		*pids = np;
		(*pids)[(*n)++] = (pid_t)v;
	}
	return 0;
}

int hk_cgroup_pids(hk_cgroup *cg, pid_t **pids, size_t *n, hk_err *err)
{
	*pids = NULL;
	*n = 0;
	for (size_t i = 0; cg && i < cg->n_h; i++) {
		int r = read_procs(cg->h[i].fd, pids, n, err);
		if (r < 0) {
			free(*pids);
			*pids = NULL;
			*n = 0;
			return hk_err_wrap(err, "cgroup %s%s", cg->h[i].mount, cg->h[i].path);
		}
	}
	return 0;
}

/* SIGKILL every process in DIRFD's cgroup and in the cgroups below it. */
static void kill_tree(int dirfd, int depth)
{
	pid_t *pids = NULL;
	size_t n = 0;
	hk_err e;
	read_procs(dirfd, &pids, &n, &e);
	for (size_t i = 0; i < n; i++)
		if (pids[i] != getpid())
			kill(pids[i], SIGKILL);
	free(pids);
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	for (struct dirent *de; depth < 32 && (de = readdir(d));) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_close_ int sub =
		    openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub >= 0)
			kill_tree(sub, depth + 1);
	}
}

static void kill_all(hk_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_h; i++) {
		if (cg->h[i].fd < 0)
			continue;
		if (cg->layout != HK_CGROUP_V2 || hk_cgv2_kill(cg->h[i].fd) < 0)
			kill_tree(cg->h[i].fd, 0);
	}
	/* a paused container: on v1 the SIGKILLs land only once thawed */
	hk_err e;
	if (hk_cgroup_frozen(cg))
		hk_cgroup_freeze(cg, false, &e);
}

/* rmdir PATH and the cgroups the container made below it. */
static int rmdir_tree(const char *path, int depth)
{
	_cleanup_dir_ DIR *d = depth < 32 ? opendir(path) : NULL;
	for (struct dirent *de; d && (de = readdir(d));) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *sub = NULL;
		if (asprintf(&sub, "%s/%s", path, de->d_name) >= 0)
			rmdir_tree(sub, depth + 1);
	}
	if (rmdir(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Remove the directories husk created, deepest first.  The leaf goes with
 * whatever cgroups the container made below it, retrying on EBUSY (killing
 * again when KILL) until the deadline.  A parent husk made is removed only
 * when empty: EBUSY there means another cgroup shares it, which is fine. */
int hk_cg_remove_dirs(hk_cgroup *cg, bool kill, hk_err *err)
{
	long long deadline = now_ms() + RMDIR_TIMEOUT_MS;
	int ret = 0;
	for (size_t i = 0; i < cg->n_h; i++) {
		struct hk_cg_hier *h = &cg->h[i];
		size_t ml = strlen(h->mount);
		while (h->n_created > 0) {
			const char *dir = h->created[h->n_created - 1];
			bool leaf = strncmp(dir, h->mount, ml) == 0 && !strcmp(dir + ml, h->path);
			int r = leaf ? rmdir_tree(dir, 0) : (rmdir(dir) < 0 ? -errno : 0);
			if (r == -ENOENT)
				r = 0;
			if (leaf && r == -EBUSY && now_ms() < deadline) {
				if (kill)
					kill_all(cg);
				usleep(10000);
				continue;
			}
			if (!leaf && (r == -EBUSY || r == -ENOTEMPTY))
				break;
			if (r < 0) {
				if (ret == 0)
					ret = hk_err_set(err, -r, "cgroup: rmdir %s", dir);
				break; /* its parents cannot go either */
			}
			free(h->created[--h->n_created]);
		}
	}
	return ret;
}

/* The common case: the container is gone and its cgroup is empty, with no
 * cgroups below it: each leaf goes with one rmdir, nothing to kill. */
static bool remove_empty_leaves(hk_cgroup *cg)
{
	bool all = true;
	for (size_t i = 0; i < cg->n_h; i++) {
		struct hk_cg_hier *h = &cg->h[i];
		if (!hk_cg_leaf_created(h)) {
			all = false; /* a leaf husk did not make: it may hold processes */
			continue;
		}
		if (rmdir(h->created[h->n_created - 1]) == 0 || errno == ENOENT)
			free(h->created[--h->n_created]);
		else
			all = false;
	}
	return all;
}

int hk_cgroup_remove_empty(hk_cgroup *cg, hk_err *err)
{
	return cg && cg->n_h ? hk_cg_remove_dirs(cg, false, err) : 0;
}

int hk_cgroup_destroy(hk_cgroup *cg, hk_err *err)
{
	if (!cg || cg->n_h == 0)
		return 0;
	/* An empty leaf holds no process: killing is only needed when some
	 * rmdir fails (EBUSY: processes or child cgroups left). */
	if (!remove_empty_leaves(cg))
		kill_all(cg);
	return hk_cg_remove_dirs(cg, true, err);
}
