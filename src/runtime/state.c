/* state.c - the state store (see state.h): ROOT/ID/{state.json,exec.fifo,lock},
 * atomic saves, liveness of the recorded process from /proc/PID/stat, and
 * the OCI state JSON that `husk state` prints. */
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup.h"
#include "linux/rootless.h"
#include "runtime/notify.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

char *hk_state_root(const char *root_opt)
{
	char *root = NULL;
	if (root_opt) {
		root = strdup(root_opt);
	} else {
		root = hk_default_state_root();
	}
	if (!root)
		return NULL;
	/* Best effort: a root that cannot be made shows up as an error of
	 * the first operation in it. */
	hk_err ignored = {0};
	hk_mkdir_p(root, 0700, &ignored);
	return root;
}

/* ROOT must be a directory of the caller's (or root's) that nobody else
 * may write: /tmp/husk-UID could have been made by someone else.  Checked
 * once per command (create, then lock, then delete of a `run`). */
static int check_root(const char *root, hk_err *err)
{
	static char *checked;
	if (checked && !strcmp(checked, root))
		return 0;
	struct stat st;
	if (stat(root, &st) < 0)
		return hk_err_set(err, errno, "state root %s", root);
	if (!S_ISDIR(st.st_mode))
		return hk_err_plain(err, ENOTDIR, "state root %s: not a directory", root);
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 0022))
		return hk_err_plain(err, EPERM,
		                    "state root %s: must belong to you and be writable by you "
		                    "only (use --root)",
		                    root);
	free(checked);
	checked = strdup(root); /* NULL: checked again next time */
	return 0;
}

/* How long an operation waits for a container's lock: HUSK_LOCK_TIMEOUT
 * (seconds) or 30 s, more than any operation holds it (delete lets go of
 * it while the process dies, start while the hooks run). */
static long lock_timeout_ms(void)
{
	const char *v = getenv("HUSK_LOCK_TIMEOUT");
	if (v && *v) {
		char *end;
		errno = 0;
		long s = strtol(v, &end, 10);
		if (!errno && !*end && s >= 0 && s <= 24 * 3600)
			return s * 1000;
	}
	return 30000;
}

/* The pid holding a flock() on the file of SB, from /proc/locks (as seen
 * from our pid namespace): > 0, or 0 when unknown. */
static pid_t lock_holder(const struct stat *sb)
{
	_cleanup_file_ FILE *f = fopen("/proc/locks", "re");
	char line[256];
	while (f && fgets(line, sizeof(line), f)) {
		/* "1: FLOCK  ADVISORY  WRITE 1234 00:2e:5678 0 EOF"; a waiter's
		 * line has "->" after the number */
		char type[16];
		int pid;
		unsigned maj, min;
		unsigned long long ino;
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", type, &pid, &maj, &min, &ino) ==
		        5 &&
		    !strcmp(type, "FLOCK") && ino == (unsigned long long)sb->st_ino &&
		    makedev(maj, min) == sb->st_dev)
			return pid > 0 ? pid : 0;
	}
	return 0;
}

static void lock_alarm(int sig)
{
	(void)sig; /* only to interrupt flock() */
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* flock(FD, LOCK_EX), waiting at most LIMIT ms: a blocking flock (the
 * kernel hands the lock over in turn, no polling), interrupted by SIGALRM
 * (no SA_RESTART) at the limit and every 50 ms after it, in case the
 * first alarm came just before flock() started.  0, or -errno (-EINTR:
 * timed out). */
static int flock_within(int fd, long limit)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct sigaction sa = {.sa_handler = lock_alarm}, old_sa;
	sigaction(SIGALRM, &sa, &old_sa);
	sigset_t alrm, old_mask;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &alrm, &old_mask);
	struct itimerval it = {.it_value = {limit / 1000, (limit % 1000) * 1000},
	                       .it_interval = {0, 50000}},
	                 off = {0};
	struct itimerval old_it;
	setitimer(ITIMER_REAL, &it, &old_it);
	int r;
	while ((r = flock(fd, LOCK_EX) < 0 ? -errno : 0) == -EINTR && ms_since(&t0) < limit)
		;
	setitimer(ITIMER_REAL, &off, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	/* a caller's timer (an alarm() before exec) gets what is left of it */
	if (old_it.it_value.tv_sec || old_it.it_value.tv_usec) {
		long left =
		    old_it.it_value.tv_sec * 1000 + old_it.it_value.tv_usec / 1000 - ms_since(&t0);
		if (left < 1)
			left = 1;
		old_it.it_value = (struct timeval){left / 1000, (left % 1000) * 1000};
		setitimer(ITIMER_REAL, &old_it, NULL);
	}
	return r;
}

/* flock(FD, LOCK_EX), waiting at most lock_timeout_ms(): a husk killed
 * or stuck while it holds the lock must not hang every later one. */
static int lock_bounded(int fd, const char *id, hk_err *err)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK && errno != EINTR)
		return hk_err_set(err, errno, "container \"%s\": lock", id);
	const long limit = lock_timeout_ms();
	int r = limit > 0 ? flock_within(fd, limit) : -EINTR;
	if (r == 0)
		return 0;
	if (r != -EINTR)
		return hk_err_set(err, -r, "container \"%s\": lock", id);
	struct stat sb;
	pid_t pid = fstat(fd, &sb) == 0 ? lock_holder(&sb) : 0;
	char comm[64] = "";
	if (pid > 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		_cleanup_file_ FILE *f = fopen(path, "re");
		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
	}
	if (pid > 0)
		return hk_err_plain(err, EBUSY,
		                    "container \"%s\" is locked by another process (pid %d%s%s): "
		                    "gave up after %ld s",
		                    id, (int)pid, *comm ? ", " : "", comm, limit / 1000);
	return hk_err_plain(err, EBUSY,
	                    "container \"%s\" is locked by another process: gave up after %ld s",
	                    id, limit / 1000);
}

/* ROOT/ID/NAME (NAME may be NULL: ROOT/ID), malloc'd; NULL when out of
 * memory. */
static char *state_path(const char *root, const char *id, const char *name)
{
	char *p = NULL;
	int r = name ? asprintf(&p, "%s/%s/%s", root, id, name) : asprintf(&p, "%s/%s", root, id);
	return r < 0 ? NULL : p;
}

/* Open and lock ROOT/ID/lock; CREATE: O_CREAT. */
static int lock_dir(const char *root, const char *id, bool create, int *lock_fd, hk_err *err)
{
	int r = check_root(root, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = state_path(root, id, "lock");
	if (!path)
		return hk_err_set(err, ENOMEM, "container \"%s\"", id);
	int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0);
	_cleanup_close_ int fd = open(path, flags, 0600);
	if (fd < 0 && errno == ENOENT && !create)
		return hk_err_plain(err, ENOENT, "container \"%s\" does not exist", id);
	if (fd < 0)
		return hk_err_set(err, errno, "open %s", path);
	if ((r = lock_bounded(fd, id, err)) < 0)
		return r;
	/* A delete may have removed the directory while we waited. */
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return hk_err_set(err, errno, "stat %s", path);
	if (sb.st_nlink == 0)
		return hk_err_plain(err, ENOENT, "container \"%s\" does not exist", id);
	*lock_fd = hk_steal_fd(&fd);
	return 0;
}

int hk_state_create(const char *root, const char *id, int *lock_fd, hk_err *err)
{
	int r = check_root(root, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *dir = state_path(root, id, NULL);
	if (!dir)
		return hk_err_set(err, ENOMEM, "container \"%s\"", id);
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return hk_err_plain(err, EEXIST, "container \"%s\" already exists", id);
		return hk_err_set(err, errno, "container \"%s\": make its state directory %s", id,
		                  dir);
	}
	r = lock_dir(root, id, true, lock_fd, err);
	if (r < 0)
		rmdir(dir);
	return r;
}

int hk_state_save_cgroup_plan(const char *root, const char *id, const char *path, hk_err *err)
{
	_cleanup_free_ char *file = state_path(root, id, "cgroup.plan");
	if (!file)
		return hk_err_set(err, ENOMEM, "state");
	/* no fsync: this is for a husk that is killed, not a host that is */
	int r = hk_write_file_at(AT_FDCWD, file, path, strlen(path), 1, err);
	return r < 0 ? hk_err_wrap(err, "container \"%s\": save cgroup.plan", id) : 0;
}

int hk_state_load_cgroup_plan(const char *root, const char *id, char **out, hk_err *err)
{
	_cleanup_free_ char *file = state_path(root, id, "cgroup.plan");
	if (!file)
		return hk_err_set(err, ENOMEM, "state");
	return hk_read_file_at(AT_FDCWD, file, out, NULL, err);
}

int hk_state_remove_stub(const char *root, const char *id)
{
	_cleanup_free_ char *dir = state_path(root, id, NULL);
	if (!dir)
		return -ENOMEM;
	return rmdir(dir) < 0 ? -errno : 0;
}

int hk_state_open(const char *root, const char *id, int *lock_fd, hk_err *err)
{
	return lock_dir(root, id, false, lock_fd, err);
}

static json_object *kv_object(const hk_kv *kv, size_t n)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; o && i < n; i++)
		json_object_object_add(o, kv[i].key, json_object_new_string(kv[i].value));
	return o;
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

/* Write DATA to PATH (made or truncated), every error checked (a full
 * disk fails here, before anything is renamed over the old file).
 * Not fsynced (nor is the directory): a state file is worth what the
 * processes and cgroups it names are, and a host crash ends those too;
 * what must hold is that a killed husk or a full disk leaves the old file
 * or the new one, which the rename gives.  After a host crash `delete
 * --force` clears a record left torn (it falls back to the copy, then to
 * removing the directory).  An fsync cost 0.2-0.4 ms per file on a disk;
 * runc and crun do not sync their state either. */
static int write_whole(const char *path, const char *data, size_t len, hk_err *err)
{
	_cleanup_close_ int fd =
	    open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return hk_err_set(err, errno, "open %s", path);
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hk_err_set(err, n < 0 ? errno : EIO, "write %s", path);
		data += n;
		len -= (size_t)n;
	}
	int r = close(hk_steal_fd(&fd));
	return r < 0 ? hk_err_set(err, errno, "close %s", path) : 0;
}

/* ROOT/ID/NAME, written to NAME.tmp then renamed over. */
static int save_atomic(const char *root, const char *id, const char *name, const char *data,
                       size_t len, hk_err *err)
{
	_cleanup_free_ char *tmp = NULL, *path = state_path(root, id, name);
	if (!path || asprintf(&tmp, "%s.tmp", path) < 0)
		return hk_err_set(err, ENOMEM, "state");
	int r = write_whole(tmp, data, len, err);
	if (r == 0 && rename(tmp, path) < 0)
		r = hk_err_set(err, errno, "rename %s", tmp);
	if (r < 0) {
		unlink(tmp);
		return hk_err_wrap(err, "container \"%s\": save %s", id, name);
	}
	return 0;
}

int hk_state_save(const char *root, const hk_state *st, hk_err *err)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	if (!o)
		return hk_err_set(err, ENOMEM, "state");
	json_object_object_add(o, "id", json_object_new_string(str_or_empty(st->id)));
	json_object_object_add(o, "pid", json_object_new_int64(st->pid));
	json_object_object_add(o, "start", json_object_new_int64((int64_t)st->start));
	json_object_object_add(o, "bundle", json_object_new_string(str_or_empty(st->bundle)));
	json_object_object_add(o, "rootfs", json_object_new_string(str_or_empty(st->rootfs)));
	json_object_object_add(o, "created", json_object_new_string(str_or_empty(st->created)));
	json_object_object_add(o, "cgroup", json_object_new_string(str_or_empty(st->cgroup)));
	json_object_object_add(o, "owner", json_object_new_int64(st->owner));
	json_object_object_add(o, "annotations", kv_object(st->annotations, st->n_annotations));
	if (st->hooks >= 0)
		json_object_object_add(o, "hooks", json_object_new_boolean(st->hooks));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
	/* twice: the copy is what `delete --force` goes by when state.json
	 * has been damaged (it names the process and the cgroup to remove) */
	int r = save_atomic(root, st->id, "state.json", text, strlen(text), err);
	return r < 0 ? r : save_atomic(root, st->id, "state.json.bak", text, strlen(text), err);
}

int hk_state_save_config(const char *root, const char *id, const char *json, size_t len,
                         hk_err *err)
{
	return save_atomic(root, id, "config.json", json, len, err);
}

int hk_state_load_spec(const char *root, const char *id, hk_spec **out, hk_err *err)
{
	_cleanup_free_ char *path = state_path(root, id, "config.json");
	if (!path)
		return hk_err_set(err, ENOMEM, "state");
	int r = hk_spec_load(path, out, err);
	return r < 0 ? hk_err_wrap(err, "container \"%s\"", id) : 0;
}

void hk_state_free(hk_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup);
	for (size_t i = 0; i < st->n_annotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	free(st->annotations);
	free(st);
}

/* A string member of O, "" when absent; NULL only when out of memory or
 * present with another type (*BAD set). */
static char *get_str(json_object *o, const char *key, bool *bad)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return strdup("");
	if (!json_object_is_type(v, json_type_string)) {
		*bad = true;
		return NULL;
	}
	return strdup(json_object_get_string(v));
}

static bool get_int(json_object *o, const char *key, int64_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/* Parse TEXT, the record of container ID; the message says what is wrong
 * with it ("not a JSON object"), the caller says where. */
int hk_state_parse(const char *text, const char *id, hk_state **out, hk_err *err)
{
	_cleanup_json_ json_object *o = json_tokener_parse(text);
	if (!o || !json_object_is_type(o, json_type_object))
		return hk_err_plain(err, EINVAL, "not a JSON object");
	_cleanup_state_ hk_state *st = calloc(1, sizeof(*st));
	if (!st)
		return hk_err_set(err, ENOMEM, "load state");
	bool bad = false;
	int64_t pid = 0, start = 0, owner = 0;
	/* a pid beyond pid_t would become another (or a negative one: a
	 * process group to kill) */
	if (!get_int(o, "pid", &pid) || !get_int(o, "start", &start) || pid <= 0 ||
	    pid > INT32_MAX || start < 0)
		return hk_err_plain(err, EINVAL, "bad \"pid\" or \"start\"");
	if (get_int(o, "owner", &owner) && (owner < 0 || owner >= UINT32_MAX))
		return hk_err_plain(err, EINVAL, "bad \"owner\"");
	st->pid = (pid_t)pid;
	st->start = (unsigned long long)start;
	st->owner = (uid_t)owner;
	json_object *hooks;
	st->hooks = json_object_object_get_ex(o, "hooks", &hooks) &&
	                    json_object_is_type(hooks, json_type_boolean)
	                ? json_object_get_boolean(hooks)
	                : -1;
	st->id = get_str(o, "id", &bad);
	st->bundle = get_str(o, "bundle", &bad);
	st->rootfs = get_str(o, "rootfs", &bad);
	st->created = get_str(o, "created", &bad);
	st->cgroup = get_str(o, "cgroup", &bad);
	if (bad)
		return hk_err_plain(err, EINVAL, "a field is not a string");
	if (!st->id || !st->bundle || !st->rootfs || !st->created || !st->cgroup)
		return hk_err_set(err, ENOMEM, "load state");
	if (strcmp(st->id, id) != 0)
		return hk_err_plain(err, EINVAL, "id \"%s\" is not \"%s\"", st->id, id);
	json_object *ann;
	if (json_object_object_get_ex(o, "annotations", &ann) &&
	    json_object_is_type(ann, json_type_object)) {
		size_t n = (size_t)json_object_object_length(ann);
		st->annotations = calloc(n ? n : 1, sizeof(hk_kv));
		if (!st->annotations)
			return hk_err_set(err, ENOMEM, "load state");
		json_object_object_foreach(ann, key, val)
		{
			if (!json_object_is_type(val, json_type_string))
				return hk_err_plain(err, EINVAL,
				                    "annotation \"%s\" is not a string", key);
			hk_kv *kv = &st->annotations[st->n_annotations++];
			kv->key = strdup(key);
			kv->value = strdup(json_object_get_string(val));
			if (!kv->key || !kv->value)
				return hk_err_set(err, ENOMEM, "load state");
		}
	}
	*out = hk_steal_ptr(&st);
	return 0;
}

static int load_file(const char *root, const char *id, const char *name, hk_state **out,
                     hk_err *err)
{
	_cleanup_free_ char *path = state_path(root, id, name), *text = NULL;
	if (!path)
		return hk_err_set(err, ENOMEM, "state");
	int r = hk_read_file(path, &text, NULL, err);
	if (r == -ENOENT)
		return hk_err_plain(err, ENOENT, "container \"%s\" does not exist", id);
	if (r < 0)
		return hk_err_wrap(err, "container \"%s\": load state", id);
	hk_err why = {0};
	if ((r = hk_state_parse(text, id, out, &why)) == -ENOMEM) {
		*err = why;
		return r;
	}
	if (r < 0)
		return hk_err_plain(err, EINVAL,
		                    "container \"%s\": its state file %s is damaged (%s); "
		                    "`husk delete --force %s` removes the container",
		                    id, path, why.msg, id);
	return 0;
}

int hk_state_load(const char *root, const char *id, hk_state **out, hk_err *err)
{
	return load_file(root, id, "state.json", out, err);
}

int hk_state_load_copy(const char *root, const char *id, hk_state **out, hk_err *err)
{
	return load_file(root, id, "state.json.bak", out, err);
}

int hk_state_remove(const char *root, const char *id, hk_err *err)
{
	_cleanup_free_ char *dir = state_path(root, id, NULL);
	if (!dir)
		return hk_err_set(err, ENOMEM, "remove state");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return hk_err_set(err, errno, "remove state: open %s", dir);
	}
	_cleanup_dir_ DIR *d = fdopendir(fd); /* which then owns FD */
	if (!d) {
		int e = errno;
		close(fd);
		return hk_err_set(err, e, "remove state: read %s", dir);
	}
	struct dirent *de;
	/* the lock goes last: a delete killed half-way leaves a directory
	 * that delete --force still opens (hk_state_open needs the lock) */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "lock"))
			continue;
		int r = 0;
		if (!strcmp(de->d_name, "notify")) /* the one directory in there */
			r = hk_notify_remove_at(fd);
		else if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
			r = -errno;
		if (r < 0)
			return hk_err_set(err, -r, "remove state: unlink %s/%s", dir, de->d_name);
	}
	if (unlinkat(fd, "lock", 0) < 0 && errno != ENOENT)
		return hk_err_set(err, errno, "remove state: unlink %s/lock", dir);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return hk_err_set(err, errno, "remove state: rmdir %s", dir);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hk_state_list(const char *root, char ***ids, size_t *n, hk_err *err)
{
	*ids = NULL;
	*n = 0;
	_cleanup_dir_ DIR *d = opendir(root);
	if (!d && errno != ENOENT)
		return hk_err_set(err, errno, "list %s", root);
	size_t cap = 8, len = 0;
	_cleanup_strv_ char **v = calloc(cap + 1, sizeof(char *));
	if (!v)
		return hk_err_set(err, ENOMEM, "list %s", root);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		/* (a file system without d_type: ask) */
		struct stat sb;
		if (de->d_type == DT_UNKNOWN &&
		    (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		     !S_ISDIR(sb.st_mode)))
			continue;
		if (len == cap) {
			char **nv = realloc(v, (cap * 2 + 1) * sizeof(char *));
			if (!nv)
				return hk_err_set(err, ENOMEM, "list %s", root);
			v = nv;
			cap *= 2;
		}
		if (!(v[len] = strdup(de->d_name)))
			return hk_err_set(err, ENOMEM, "list %s", root);
		v[++len] = NULL;
	}
	qsort(v, len, sizeof(char *), cmp_str);
	*ids = hk_steal_ptr(&v);
	*n = len;
	return 0;
}

/* Field 3 (state) and field 22 (starttime) of /proc/PID/stat.  The comm
 * field (2) may hold spaces and ')': the fields resume after the LAST ')'. */
static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024];
	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t len = read(fd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return len < 0 ? -errno : -EIO;
	buf[len] = '\0';
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EIO;
	p += 2;
	*state = *p;
	/* from field 3: skip 19 fields to reach field 22 */
	for (int i = 0; i < 19; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	char *end;
	errno = 0;
	*start = strtoull(p, &end, 10);
	if (errno || end == p)
		return -EIO;
	return 0;
}

unsigned long long hk_proc_start_time(pid_t pid)
{
	char state;
	unsigned long long start;
	return proc_stat(pid, &state, &start) < 0 ? 0 : start;
}

bool hk_state_alive(const hk_state *st)
{
	char state = 0;
	unsigned long long start = 0;
	if (proc_stat(st->pid, &state, &start) < 0)
		return false;
	return start == st->start && state != 'Z' && state != 'X';
}

enum hk_status hk_state_status_cg(const char *root, const hk_state *st, hk_cgroup **cg_out)
{
	if (!hk_state_alive(st))
		return HK_STATUS_STOPPED;
	_cleanup_free_ char *fifo = state_path(root, st->id, "exec.fifo");
	if (fifo && faccessat(AT_FDCWD, fifo, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return HK_STATUS_CREATED;
	/* paused: its cgroup is frozen (`pause`, or by hand) */
	hk_err e;
	hk_cgroup *cg = NULL;
	bool frozen = false;
	if (st->cgroup && *st->cgroup && hk_cgroup_load(st->cgroup, &cg, &e) == 0) {
		frozen = hk_cgroup_frozen(cg);
		if (cg_out && !*cg_out)
			*cg_out = hk_steal_ptr(&cg);
		hk_cgroup_free(cg);
	}
	return frozen ? HK_STATUS_PAUSED : HK_STATUS_RUNNING;
}

enum hk_status hk_state_status(const char *root, const hk_state *st)
{
	return hk_state_status_cg(root, st, NULL);
}

const char *hk_status_name(enum hk_status s)
{
	switch (s) {
	case HK_STATUS_CREATING:
		return "creating";
	case HK_STATUS_CREATED:
		return "created";
	case HK_STATUS_RUNNING:
		return "running";
	case HK_STATUS_STOPPED:
		return "stopped";
	case HK_STATUS_PAUSED:
		return "paused";
	}
	return "unknown";
}

/* FULL: `runc state`'s object; else the runtime-spec's State alone (what a
 * seccomp agent and the hooks are sent), with no pid once the process is
 * gone (as runc's hooks get it: the spec requires one only while created
 * or running) */
static json_object *state_object(const hk_state *st, enum hk_status status, bool full)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	/* the order and the names of runc's `runc state` */
	json_object_object_add(o, "ociVersion", json_object_new_string(HK_OCI_VERSION));
	json_object_object_add(o, "id", json_object_new_string(str_or_empty(st->id)));
	if (full || status != HK_STATUS_STOPPED)
		json_object_object_add(
		    o, "pid", json_object_new_int(status == HK_STATUS_STOPPED ? 0 : st->pid));
	json_object_object_add(o, "status", json_object_new_string(hk_status_name(status)));
	json_object_object_add(o, "bundle", json_object_new_string(str_or_empty(st->bundle)));
	if (full) {
		json_object_object_add(o, "rootfs",
		                       json_object_new_string(str_or_empty(st->rootfs)));
		json_object_object_add(o, "created",
		                       json_object_new_string(str_or_empty(st->created)));
		json_object_object_add(o, "owner", json_object_new_string(""));
	}
	if (st->n_annotations)
		json_object_object_add(o, "annotations",
		                       kv_object(st->annotations, st->n_annotations));
	return o;
}

char *hk_state_json(const hk_state *st, enum hk_status status)
{
	_cleanup_json_ json_object *o = state_object(st, status, true);
	if (!o)
		return NULL;
	const char *text = json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = NULL;
	if (!text || asprintf(&out, "%s\n", text) < 0)
		return NULL;
	return out;
}

char *hk_state_hook_json(const hk_state *st, enum hk_status status)
{
	_cleanup_json_ json_object *o = state_object(st, status, false);
	const char *text =
	    o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	return text ? strdup(text) : NULL;
}

char *hk_state_process_json(const hk_state *st, enum hk_status status, pid_t pid,
                            const char *metadata)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object *fds = json_object_new_array();
	json_object *state = state_object(st, status, false);
	if (!o || !fds || !state) {
		json_object_put(fds);
		json_object_put(state);
		return NULL;
	}
	/* runtime-spec's containerProcessState, as runc sends it */
	json_object_object_add(o, "ociVersion", json_object_new_string(HK_OCI_VERSION));
	json_object_array_add(fds, json_object_new_string("seccompFd"));
	json_object_object_add(o, "fds", fds);
	json_object_object_add(o, "pid", json_object_new_int(pid));
	if (metadata && *metadata)
		json_object_object_add(o, "metadata", json_object_new_string(metadata));
	json_object_object_add(o, "state", state);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE);
	return text ? strdup(text) : NULL;
}
