/* exec.c - finding the container's program the way runc does (Go's
 * exec.LookPath, with its exact error wording, which engines such as
 * docker parse to pick exit code 127 or 126), and process.oomScoreAdj.
 *
 * Runs in the container's init after pivot_root, so every path is looked
 * up in the container's root; relative PATH entries are relative to the
 * current directory (process.cwd) and an empty entry means ".".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/exec.h"
#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define HK_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The value of the last PATH= in ENV (the one a setenv loop leaves), or
 * NULL when there is none. */
static const char *env_path(char *const *env)
{
	const char *path = NULL;
	for (; env && *env; env++)
		if (strncmp(*env, "PATH=", 5) == 0)
			path = *env + 5;
	return path;
}

/* 0 when PATH names an executable regular file; -ENOENT when it does not
 * exist (or is not a regular file); -EACCES when it is a file we may not
 * execute. */
static int check_candidate(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -ENOENT;
	if (!(st.st_mode & 0111) || access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

static int copy_out(const char *arg0, const char *path, char *out, size_t outlen, hk_err *err)
{
	if (strlen(path) >= outlen)
		return hk_err_plain(err, ENAMETOOLONG, "exec: \"%s\": file name too long", arg0);
	strcpy(out, path);
	return 0;
}

/* ARG0 contains a '/': use it as is. */
static int lookup_path(const char *arg0, char *out, size_t outlen, hk_err *err)
{
	struct stat st;
	if (stat(arg0, &st) < 0) {
		int e = errno;
		char buf[128];
		return hk_err_plain(err, e, "exec: \"%s\": stat %s: %s", arg0, arg0,
		                    hk_strerror(e, buf, sizeof(buf)));
	}
	if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111) || access(arg0, X_OK) < 0)
		return hk_err_plain(err, EACCES, "exec: \"%s\": permission denied", arg0);
	return copy_out(arg0, arg0, out, outlen, err);
}

int hk_exec_lookup(const char *arg0, char *const *env, char *out, size_t outlen, hk_err *err)
{
	if (strchr(arg0, '/'))
		return lookup_path(arg0, out, outlen, err);

	const char *path = env_path(env);
	if (!path)
		path = HK_DEFAULT_PATH;
	bool denied = false;
	/* Go's filepath.SplitList: an empty PATH is an empty list. */
	for (const char *p = path; *arg0 && *path;) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		char cand[4096];
		int n;
		if (dlen == 0)
			n = snprintf(cand, sizeof(cand), "./%s", arg0);
		else if (p[dlen - 1] == '/')
			n = snprintf(cand, sizeof(cand), "%.*s%s", (int)dlen, p, arg0);
		else
			n = snprintf(cand, sizeof(cand), "%.*s/%s", (int)dlen, p, arg0);
		if (n > 0 && (size_t)n < sizeof(cand)) {
			int r = check_candidate(cand);
			if (r == 0)
				return copy_out(arg0, cand, out, outlen, err);
			if (r == -EACCES)
				denied = true;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	if (denied)
		return hk_err_plain(err, EACCES, "exec: \"%s\": permission denied", arg0);
	return hk_err_plain(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
}

int hk_oom_score_adj_apply(int value, hk_err *err)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", value);
	_cleanup_close_ int procfd = hk_procfs_open("/proc", err);
	int r = procfd < 0 ? procfd
	                   : hk_procfs_write(procfd, "self/oom_score_adj", buf, strlen(buf), err);
	if (r < 0)
		return hk_err_wrap(err, "oom_score_adj %d", value);
	return 0;
}
