/* test_state.c - the state store (state.c) and kill/delete/signal names
 * (lifecycle.c): records saved and loaded, locks, liveness from
 * /proc/PID/stat (pid reuse, zombies), statuses, the OCI state JSON, kill
 * and delete of real processes (children, and orphans made by a double
 * fork as a container's process is not our child), and kill --all and
 * delete over a real cgroup.  Everything lives in a mkdtemp root; the
 * cgroup is husk-unit-state-<pid>, removed. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/cgroup.h"
#include "runtime/lifecycle.h"
#include "runtime/state.h"
#include "spec/spec.h"
#include "util/cleanup.h"

static char root[] = "/tmp/hk-state-XXXXXX";

/* A child that waits (at most 60 s) to be killed. */
static pid_t spawn_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(60);
		for (;;)
			pause();
	}
	return pid;
}

/* A waiting process that is not our child (double fork): its pid. */
static pid_t spawn_orphan(void)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t a = fork();
	if (a == 0) {
		pid_t b = spawn_child();
		(void)!write(p[1], &b, sizeof(b));
		_exit(0);
	}
	close(p[1]);
	pid_t b = -1;
	if (read(p[0], &b, sizeof(b)) != sizeof(b))
		b = -1;
	close(p[0]);
	tu_wait(a);
	return b;
}

/* Wait until PID is no longer a live process (for orphans: no waitpid). */
static bool gone_within(pid_t pid, int ms)
{
	hk_state st = {.pid = pid, .start = hk_proc_start_time(pid)};
	for (; ms > 0; ms -= 10) {
		if (st.start == 0 || !hk_state_alive(&st))
			return true;
		usleep(10000);
	}
	return false;
}

/* Record container ID for PID (cgroup CG, "" for none); 0 or -errno. */
static int record(const char *id, pid_t pid, const char *cg, hk_err *err)
{
	hk_kv ann[] = {{"org.example.a", "1"}, {"b/c", "x y"}};
	hk_state st = {
	    .id = (char *)id,
	    .pid = pid,
	    .start = hk_proc_start_time(pid),
	    .bundle = "/bundles/b",
	    .rootfs = "/bundles/b/rootfs",
	    .created = "2024-05-01T10:00:00.123456789Z",
	    .cgroup = (char *)cg,
	    .owner = 1234,
	    .annotations = ann,
	    .n_annotations = 2,
	};
	int lock = -1;
	int r = hk_state_create(root, id, &lock, err);
	if (r < 0)
		return r;
	r = hk_state_save(root, &st, err);
	close(lock);
	return r;
}

static bool dir_exists(const char *id)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, id);
	return access(path, F_OK) == 0;
}

TEST(root_is_made)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/r/a/b", root);
	_cleanup_free_ char *r = hk_state_root(path);
	CHECK_STREQ(r, path);
	struct stat sb;
	CHECK(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 07777) == 0700);
	snprintf(path, sizeof(path), "%s/r", root);
	tu_remove_tree(path);
}

TEST(save_load_roundtrip)
{
	hk_err err = {0};
	CHECK_OK(record("rt", getpid(), "", &err), err);
	hk_state *st = NULL;
	if (CHECK_OK(hk_state_load(root, "rt", &st, &err), err))
		return;
	CHECK_STREQ(st->id, "rt");
	CHECK(st->pid == getpid());
	CHECK(st->start == hk_proc_start_time(getpid()) && st->start > 0);
	CHECK_STREQ(st->bundle, "/bundles/b");
	CHECK_STREQ(st->rootfs, "/bundles/b/rootfs");
	CHECK_STREQ(st->created, "2024-05-01T10:00:00.123456789Z");
	CHECK_STREQ(st->cgroup, "");
	CHECK(st->owner == 1234);
	CHECK(st->n_annotations == 2);
	for (size_t i = 0; i < st->n_annotations; i++) {
		if (!strcmp(st->annotations[i].key, "org.example.a"))
			CHECK_STREQ(st->annotations[i].value, "1");
		else
			CHECK_STREQ(st->annotations[i].value, "x y");
	}
	hk_state_free(st);

	/* atomic save: only the record and the lock are left */
	char path[256];
	snprintf(path, sizeof(path), "%s/rt/state.json.tmp", root);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	snprintf(path, sizeof(path), "%s/rt", root);
	struct stat sb;
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0700);
	CHECK_OK(hk_state_remove(root, "rt", &err), err);
	CHECK(!dir_exists("rt"));
}

TEST(create_twice_open_missing)
{
	hk_err err = {0};
	int lock = -1, lock2 = -1;
	CHECK_OK(hk_state_create(root, "dup", &lock, &err), err);
	CHECK(hk_state_create(root, "dup", &lock2, &err) == -EEXIST);
	CHECK_STREQ(err.msg, "container \"dup\" already exists");
	CHECK(lock2 == -1);

	/* the lock is held: another open file of it cannot take it */
	char path[256];
	snprintf(path, sizeof(path), "%s/dup/lock", root);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK);
	close(lock);
	CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
	if (fd >= 0)
		close(fd);

	CHECK(hk_state_open(root, "nope", &lock, &err) == -ENOENT);
	CHECK_STREQ(err.msg, "container \"nope\" does not exist");
	hk_state *st = NULL;
	CHECK(hk_state_load(root, "nope", &st, &err) == -ENOENT);
	CHECK_STREQ(err.msg, "container \"nope\" does not exist");
	CHECK_OK(hk_state_remove(root, "dup", &err), err);
}

TEST(list_sorted)
{
	hk_err err = {0};
	const char *ids[] = {"zeta", "alpha", "m-1"};
	for (size_t i = 0; i < 3; i++)
		CHECK_OK(record(ids[i], getpid(), "", &err), err);
	char **v = NULL;
	size_t n = 0;
	CHECK_OK(hk_state_list(root, &v, &n, &err), err);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STREQ(v[0], "alpha");
		CHECK_STREQ(v[1], "m-1");
		CHECK_STREQ(v[2], "zeta");
		CHECK(v[3] == NULL);
	}
	hk_strv_free(v);
	for (size_t i = 0; i < 3; i++)
		CHECK_OK(hk_state_remove(root, ids[i], &err), err);
	CHECK_OK(hk_state_list(root, &v, &n, &err), err);
	CHECK(n == 0 && v && !v[0]);
	hk_strv_free(v);
}

TEST(proc_start_time)
{
	unsigned long long self = hk_proc_start_time(getpid());
	CHECK(self > 0);
	pid_t c = spawn_child();
	unsigned long long t = hk_proc_start_time(c);
	CHECK(t >= self && t > 0);
	/* a comm with spaces and ')' must not shift the fields */
	CHECK(prctl(PR_SET_NAME, "a) b) c d") == 0);
	CHECK(hk_proc_start_time(getpid()) == self);
	prctl(PR_SET_NAME, "test_state");
	kill(c, SIGKILL);
	tu_wait(c);
	CHECK(hk_proc_start_time(c) == 0);
	CHECK(hk_proc_start_time(0) == 0 && hk_proc_start_time(-1) == 0);
}

TEST(alive_and_status)
{
	hk_err err = {0};
	pid_t c = spawn_child();
	CHECK_OK(record("st", c, "", &err), err);
	hk_state *st = NULL;
	if (CHECK_OK(hk_state_load(root, "st", &st, &err), err)) {
		kill(c, SIGKILL);
		tu_wait(c);
		return;
	}
	CHECK(hk_state_alive(st));
	CHECK(hk_state_status(root, st) == HK_STATUS_RUNNING);

	char fifo[256];
	snprintf(fifo, sizeof(fifo), "%s/st/exec.fifo", root);
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(hk_state_status(root, st) == HK_STATUS_CREATED);
	unlink(fifo);

	/* another process with the recorded pid (a wrong start time) */
	st->start++;
	CHECK(!hk_state_alive(st));
	CHECK(hk_state_status(root, st) == HK_STATUS_STOPPED);
	st->start--;

	/* a zombie is gone */
	kill(c, SIGKILL);
	siginfo_t si;
	CHECK(waitid(P_PID, c, &si, WEXITED | WNOWAIT) == 0);
	CHECK(hk_proc_start_time(c) == st->start);
	CHECK(!hk_state_alive(st));
	CHECK(hk_state_status(root, st) == HK_STATUS_STOPPED);
	tu_wait(c);
	CHECK(!hk_state_alive(st));
	CHECK(hk_state_status(root, st) == HK_STATUS_STOPPED);
	CHECK_STREQ(hk_status_name(HK_STATUS_STOPPED), "stopped");
	hk_state_free(st);
	CHECK_OK(hk_state_remove(root, "st", &err), err);
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

TEST(state_json)
{
	hk_err err = {0};
	CHECK_OK(record("js", getpid(), "", &err), err);
	hk_state *st = NULL;
	if (CHECK_OK(hk_state_load(root, "js", &st, &err), err))
		return;
	_cleanup_free_ char *text = hk_state_json(st, HK_STATUS_RUNNING);
	CHECK(text && !strncmp(text, "{\n  \"ociVersion\": \"", 19));
	CHECK(text && text[strlen(text) - 1] == '\n');
	json_object *o = text ? json_tokener_parse(text) : NULL;
	CHECK(o != NULL);
	if (o) {
		CHECK_STREQ(jstr(o, "ociVersion"), HK_OCI_VERSION);
		CHECK_STREQ(jstr(o, "id"), "js");
		json_object *v;
		CHECK(json_object_object_get_ex(o, "pid", &v) &&
		      json_object_get_int(v) == getpid());
		CHECK_STREQ(jstr(o, "status"), "running");
		CHECK_STREQ(jstr(o, "bundle"), "/bundles/b");
		CHECK_STREQ(jstr(o, "rootfs"), "/bundles/b/rootfs");
		CHECK_STREQ(jstr(o, "created"), "2024-05-01T10:00:00.123456789Z");
		CHECK_STREQ(jstr(o, "owner"), "");
		CHECK(json_object_object_get_ex(o, "annotations", &v) &&
		      json_object_object_length(v) == 2);
		CHECK_STREQ(jstr(v, "b/c"), "x y");
		CHECK(!json_object_object_get_ex(o, "cgroup", NULL));
		CHECK(!json_object_object_get_ex(o, "start", NULL));
		json_object_put(o);
	}
	/* stopped: pid 0; no annotations: no key */
	for (size_t i = 0; i < st->n_annotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	st->n_annotations = 0;
	_cleanup_free_ char *t2 = hk_state_json(st, HK_STATUS_STOPPED);
	o = t2 ? json_tokener_parse(t2) : NULL;
	CHECK(o != NULL);
	if (o) {
		json_object *v;
		CHECK(json_object_object_get_ex(o, "pid", &v) && json_object_get_int(v) == 0);
		CHECK_STREQ(jstr(o, "status"), "stopped");
		CHECK(!json_object_object_get_ex(o, "annotations", NULL));
		json_object_put(o);
	}
	hk_state_free(st);
	CHECK_OK(hk_state_remove(root, "js", &err), err);
}

TEST(kill_live_and_stopped)
{
	hk_err err = {0};
	pid_t c = spawn_child();
	CHECK_OK(record("k", c, "", &err), err);
	CHECK_OK(hk_lc_kill(root, "k", SIGUSR1, false, &err), err);
	int ws = tu_wait(c);
	CHECK(ws != -1 && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGUSR1);
	CHECK(hk_lc_kill(root, "k", SIGTERM, false, &err) == -ESRCH);
	CHECK_STREQ(err.msg, "container \"k\" is not running");
	/* --all of an exited one: nothing left to signal is fine (as runc;
	 * containerd does it after the task ended) */
	CHECK_OK(hk_lc_kill(root, "k", SIGTERM, true, &err), err);
	CHECK(hk_lc_kill(root, "none", SIGTERM, false, &err) == -ENOENT);
	CHECK_STREQ(err.msg, "container \"none\" does not exist");
	CHECK_OK(hk_state_remove(root, "k", &err), err);

	/* --all without a cgroup: the process itself */
	c = spawn_child();
	CHECK_OK(record("k2", c, "", &err), err);
	CHECK_OK(hk_lc_kill(root, "k2", SIGUSR2, true, &err), err);
	ws = tu_wait(c);
	CHECK(ws != -1 && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGUSR2);
	CHECK_OK(hk_state_remove(root, "k2", &err), err);
}

TEST(delete_running_created_stopped)
{
	hk_err err = {0};
	pid_t o = spawn_orphan();
	CHECK(o > 0);
	if (o <= 0)
		return;
	CHECK_OK(record("d", o, "", &err), err);
	CHECK(hk_lc_delete(root, "d", false, &err) == -EBUSY);
	CHECK_STREQ(err.msg, "cannot delete container \"d\" that is not stopped: running");
	CHECK(dir_exists("d") && hk_proc_start_time(o) > 0);
	CHECK_OK(hk_lc_delete(root, "d", true, &err), err);
	CHECK(!dir_exists("d"));
	CHECK(gone_within(o, 10));

	/* created (exec.fifo): deleted without --force, its process killed */
	o = spawn_orphan();
	CHECK_OK(record("dc", o, "", &err), err);
	char fifo[256];
	snprintf(fifo, sizeof(fifo), "%s/dc/exec.fifo", root);
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK_OK(hk_lc_delete(root, "dc", false, &err), err);
	CHECK(!dir_exists("dc"));
	CHECK(gone_within(o, 10));

	/* stopped */
	pid_t c = spawn_child();
	CHECK_OK(record("ds", c, "", &err), err);
	kill(c, SIGKILL);
	tu_wait(c);
	CHECK_OK(hk_lc_delete(root, "ds", false, &err), err);
	CHECK(!dir_exists("ds"));

	/* missing */
	CHECK_OK(hk_lc_delete(root, "gone", true, &err), err);
	CHECK(hk_lc_delete(root, "gone", false, &err) == -ENOENT);
	CHECK_STREQ(err.msg, "container \"gone\" does not exist");
	while (waitpid(-1, NULL, WNOHANG) > 0) /* in case we are a subreaper */
		;
}

TEST(kill_all_and_delete_cgroup)
{
	hk_err err = {0};
	char name[64];
	snprintf(name, sizeof(name), "husk-unit-state-%d", (int)getpid());
	hk_cgroup *cg = NULL;
	if (CHECK_OK(hk_cgroup_create(name, "cg", NULL, &cg, &err), err))
		return;
	if (!hk_cgroup_path(cg)) {
		printf("  (no cgroup can be made here: skipped)\n");
		hk_cgroup_free(cg);
		return;
	}
	pid_t a = spawn_child(), b = spawn_child();
	CHECK_OK(hk_cgroup_enter(cg, a, &err), err);
	CHECK_OK(hk_cgroup_enter(cg, b, &err), err);
	CHECK_OK(record("cg", a, hk_cgroup_path(cg), &err), err);
	CHECK_OK(hk_lc_kill(root, "cg", SIGUSR1, true, &err), err);
	int wa = tu_wait(a), wb = tu_wait(b);
	CHECK(wa != -1 && WIFSIGNALED(wa) && WTERMSIG(wa) == SIGUSR1);
	CHECK(wb != -1 && WIFSIGNALED(wb) && WTERMSIG(wb) == SIGUSR1);

	/* delete removes the cgroup (and kills a leftover process in it) */
	pid_t c = spawn_child();
	CHECK_OK(hk_cgroup_enter(cg, c, &err), err);
	CHECK_OK(hk_lc_delete(root, "cg", false, &err), err);
	int wc = tu_wait(c);
	CHECK(wc != -1 && WIFSIGNALED(wc) && WTERMSIG(wc) == SIGKILL);
	CHECK(!dir_exists("cg"));
	hk_cgroup *again = NULL;
	CHECK(hk_cgroup_load(hk_cgroup_path(cg), &again, &err) == -ENOENT);
	if (again)
		hk_cgroup_free(again);
	hk_cgroup_destroy(cg, &err); /* in case the delete failed */
	hk_cgroup_free(cg);
}

TEST(signal_parse)
{
	CHECK(hk_signal_parse("TERM") == SIGTERM);
	CHECK(hk_signal_parse("SIGTERM") == SIGTERM);
	CHECK(hk_signal_parse("sigkill") == SIGKILL);
	CHECK(hk_signal_parse("Hup") == SIGHUP);
	CHECK(hk_signal_parse("9") == 9);
	CHECK(hk_signal_parse("64") == 64);
	CHECK(hk_signal_parse("SIGRTMIN") == SIGRTMIN);
	CHECK(hk_signal_parse("RTMIN+3") == SIGRTMIN + 3);
	CHECK(hk_signal_parse("rtmax-1") == SIGRTMAX - 1);
	CHECK(hk_signal_parse("WINCH") == SIGWINCH);
	CHECK(hk_signal_parse("0") == -EINVAL);
	CHECK(hk_signal_parse("65") == -EINVAL);
	CHECK(hk_signal_parse("-1") == -EINVAL);
	CHECK(hk_signal_parse("15x") == -EINVAL);
	CHECK(hk_signal_parse("") == -EINVAL);
	CHECK(hk_signal_parse("SIG") == -EINVAL);
	CHECK(hk_signal_parse("FOO") == -EINVAL);
	CHECK(hk_signal_parse("RTMIN-1") == -EINVAL);
	CHECK(hk_signal_parse("RTMIN+99") == -EINVAL);
}

int main(void)
{
	if (!tu_make_tmpdir(root))
		return 1;
	RUN(root_is_made);
	RUN(save_load_roundtrip);
	RUN(create_twice_open_missing);
	RUN(list_sorted);
	RUN(proc_start_time);
	RUN(alive_and_status);
	RUN(state_json);
	RUN(kill_live_and_stopped);
	RUN(delete_running_created_stopped);
	RUN(kill_all_and_delete_cgroup);
	RUN(signal_parse);
	CHECK(tu_remove_tree(root) == 0);
	return check_summary();
}
