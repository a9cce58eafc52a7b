/* create.c - `create` and `start`: a container whose process waits,
 * before its exec, on ROOT/ID/exec.fifo until `start` opens the fifo (as
 * runc).  create records the container in the state store (state.h) and
 * returns; nothing of a failed create is left. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/lifecycle.h"
#include "runtime/notify.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/fs.h"

static char *now_rfc3339(void)
{
	struct timespec ts;
	char when[HK_UTC_LEN], *out = NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	hk_utc_format(ts.tv_sec, when);
	if (asprintf(&out, "%s.%09ldZ", when, ts.tv_nsec) < 0)
		return NULL;
	return out;
}

int hk_lc_record(const hk_create_opts *o, const hk_container *c, hk_err *err)
{
	if (o->config_json) {
		int r = hk_state_save_config(o->root, o->id, o->config_json, o->config_len, err);
		if (r < 0)
			return r;
	}
	hk_state st = {
	    .id = (char *)o->id,
	    .pid = c->pid,
	    .start = hk_proc_start_time(c->pid),
	    .bundle = (char *)o->bundle,
	    .rootfs = c->rootfs,
	    .created = now_rfc3339(),
	    .cgroup =
	        (char *)(c->cgroup && hk_cgroup_path(c->cgroup) ? hk_cgroup_path(c->cgroup) : ""),
	    .owner = geteuid(),
	    .annotations = o->spec->annotations,
	    .n_annotations = o->spec->n_annotations,
	    .hooks = 0,
	};
	for (int k = 0; k < HK_HOOK_KIND_COUNT; k++)
		if (o->spec->hooks.n[k])
			st.hooks = 1;
	int r = st.created ? hk_state_save(o->root, &st, err) : hk_err_set(err, ENOMEM, "state");
	free(st.created);
	return r;
}

int hk_lc_note_cgroup(const char *path, void *arg, hk_err *err)
{
	const hk_create_opts *o = arg;
	return hk_state_save_cgroup_plan(o->root, o->id, path, err);
}

static int create_locked(const hk_create_opts *o, hk_err *err)
{
	const hk_spec *s = o->spec;
	if (s->has_process && s->process.terminal && !o->console_socket)
		return hk_err_plain(err, EINVAL,
		                    "process.terminal: a container created with a terminal "
		                    "needs --console-socket (nothing will read its pty otherwise)");
	_cleanup_free_ char *fifo = NULL;
	if (asprintf(&fifo, "%s/%s/exec.fifo", o->root, o->id) < 0)
		return hk_err_set(err, ENOMEM, "create");
	int r = hk_notify_mkdir(o->root, o->id, err);
	if (r < 0)
		return r;
	/* 0622 whatever the umask (as runc): a process.user that is not root
	 * must be able to open it for writing through its O_PATH fd (the
	 * 0700 state directory keeps everyone else from its path) */
	if (mkfifo(fifo, 0622) < 0 || chmod(fifo, 0622) < 0)
		return hk_err_set(err, errno, "create: exec fifo %s", fifo);
	_cleanup_close_ int ffd = open(fifo, O_PATH | O_CLOEXEC);
	if (ffd < 0)
		return hk_err_set(err, errno, "create: exec fifo %s", fifo);
	/* owned by the host ids that are root in the container */
	uint32_t owner = 0, gowner = 0;
	hk_idmap_root(s->lnx.uid_mappings, s->lnx.n_uid_mappings, &owner);
	hk_idmap_root(s->lnx.gid_mappings, s->lnx.n_gid_mappings, &gowner);
	if (hk_spec_namespace(s, HK_NS_USER) && chown(fifo, owner, gowner) < 0 && geteuid() == 0)
		return hk_err_set(err, errno, "create: exec fifo %s: chown", fifo);

	hk_container_opts co = {.id = o->id,
	                        .bundle = o->bundle,
	                        .spec = s,
	                        .wait_start = true,
	                        .exec_fifo = ffd,
	                        .preserve_fds = o->preserve_fds,
	                        .listen_fds = true,
	                        .note_cgroup = hk_lc_note_cgroup,
	                        .note_arg = (void *)o};
	hk_container *c = NULL;
	r = hk_container_create(&co, &c, err);
	if (r < 0)
		return r;
	if (c->pty_master >= 0)
		r = hk_console_socket_send(o->console_socket, c->pty_master, err);
	if (r == 0)
		r = hk_lc_record(o, c, err);
	if (r == 0 && o->pid_file)
		r = hk_container_write_pid_file(c, o->pid_file, err);
	if (r == 0)
		r = hk_container_recorded(c, err);
	if (r < 0)
		hk_container_fail(c, &co);
	else
		hk_container_free(c);
	return r;
}

int hk_lc_create(const hk_create_opts *o, hk_err *err)
{
	_cleanup_close_ int lock = -1;
	int r = hk_state_create(o->root, o->id, &lock, err);
	if (r < 0)
		return r;
	if ((r = create_locked(o, err)) < 0) {
		hk_err ignored;
		hk_state_remove(o->root, o->id, &ignored);
	}
	return r;
}

/* After the start byte the container's init runs its startContainer hooks
 * and writes "E" and the error when one fails; its exec closes the fifo
 * (close-on-exec): read until then. */
static int start_hooks_result(int fd, hk_err *err)
{
	char buf[HK_ERR_MSG_MAX];
	size_t len = 0;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return hk_err_set(err, errno, "start: poll");
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0 || (len += (size_t)n) == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	if (len > 0 && buf[0] == 'E')
		return hk_err_plain(err, EIO, "start: %s", buf + 1);
	return 0;
}

int hk_lc_start(const char *root, const char *id, hk_err *err)
{
	_cleanup_close_ int lock = -1;
	int r = hk_state_open(root, id, &lock, err);
	if (r < 0)
		return r;
	_cleanup_state_ hk_state *st = NULL;
	if ((r = hk_state_load(root, id, &st, err)) < 0)
		return r;
	enum hk_status status = hk_state_status(root, st);
	if (status != HK_STATUS_CREATED)
		return hk_err_plain(err, EINVAL, "container \"%s\" is not created: %s", id,
		                    hk_status_name(status));
	/* its config, for its startContainer and poststart hooks (not read
	 * when the record says there are none) */
	_cleanup_spec_ hk_spec *spec = NULL;
	if (st->hooks != 0 && (r = hk_state_load_spec(root, id, &spec, err)) < 0)
		return r;
	_cleanup_free_ char *fifo = NULL;
	if (asprintf(&fifo, "%s/%s/exec.fifo", root, id) < 0)
		return hk_err_set(err, ENOMEM, "start");
	/* bound before the process may run, so that no READY is lost; the
	 * pidfd ends the wait for READY when the process exits */
	_cleanup_close_ int nsock = hk_notify_bind(root, id, err);
	if (nsock < 0 && nsock != -ENOENT)
		return nsock;
	_cleanup_close_ int pidfd = nsock >= 0 ? (int)syscall(SYS_pidfd_open, st->pid, 0) : -1;
	if (nsock >= 0 && pidfd < 0)
		return hk_err_set(err, errno, "start: pidfd_open %d", (int)st->pid);
	/* non-blocking: a process that died meanwhile must not hang us */
	_cleanup_close_ int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "start: exec fifo %s", fifo);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char byte;
	if (poll(&p, 1, 10000) != 1 || read(fd, &byte, 1) != 1)
		return hk_err_plain(err, ESRCH,
		                    "start: the container's process did not take the start "
		                    "(it is gone)");
	unlink(fifo);
	/* started: kill and delete must not wait for its hooks (or for a
	 * container process that holds the fifo open) */
	close(lock);
	lock = -1;
	if (spec && hk_hooks_any(&spec->hooks, HK_HOOK_START_CONTAINER) &&
	    (r = start_hooks_result(fd, err)) < 0)
		return r;
	if (spec && hk_hooks_any(&spec->hooks, HK_HOOK_POSTSTART)) {
		_cleanup_free_ char *state = hk_state_hook_json(st, HK_STATUS_RUNNING);
		if (!state)
			return hk_err_set(err, ENOMEM, "start");
		if ((r = hk_hooks_run(&spec->hooks, HK_HOOK_POSTSTART, state, err)) < 0)
			return r;
	}
	/* as runc: start returns once the process is ready (or gone) */
	return nsock >= 0 ? hk_notify_relay(nsock, pidfd, st->pid, err) : 0;
}
