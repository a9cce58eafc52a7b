/* notify.c - the sd_notify proxy (notify.h). */
#include "runtime/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/rootless.h"
#include "util/cleanup.h"

#define SOCK_NAME "notify.sock"

bool hk_notify_wanted(void)
{
	const char *v = getenv("NOTIFY_SOCKET");
	return v && *v;
}

static int add_env(hk_process *p, hk_err *err)
{
	char *var = strdup("NOTIFY_SOCKET=" HK_NOTIFY_DIR "/" SOCK_NAME);
	if (!var)
		return hk_err_set(err, ENOMEM, "notify");
	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], "NOTIFY_SOCKET=", 14) == 0) {
			free(p->env[i]);
			p->env[i] = var;
			return 0;
		}
	char **env = realloc(p->env, (p->n_env + 2) * sizeof(*env));
	if (!env) {
		free(var);
		return hk_err_set(err, ENOMEM, "notify");
	}
	env[p->n_env++] = var;
	env[p->n_env] = NULL;
	p->env = env;
	return 0;
}

int hk_notify_setup_spec(hk_spec *s, const char *root, const char *id, hk_err *err)
{
	if (!hk_notify_wanted() || !s->has_process)
		return 0;
	/* the host's root copies the socket's directory for the container's
	 * process (mount_sources.c); husk without that privilege may not */
	uint32_t root_uid;
	if (!hk_host_root() && hk_spec_namespace(s, HK_NS_USER) &&
	    hk_idmap_root(s->lnx.uid_mappings, s->lnx.n_uid_mappings, &root_uid) &&
	    root_uid != geteuid())
		return hk_err_plain(err, ENOTSUP,
		                    "NOTIFY_SOCKET: not supported with a user namespace whose "
		                    "root (host uid %u) is not husk's user: it cannot reach "
		                    "the state directory to mount the socket from",
		                    (unsigned)root_uid);
	static const char *const opts[] = {"bind", "nosuid", "noexec", "nodev", "ro"};
	size_t n = sizeof(opts) / sizeof(opts[0]);
	hk_mount m = {.n_options = n};
	m.destination = strdup(HK_NOTIFY_DIR);
	m.type = strdup("bind");
	m.options = calloc(n + 1, sizeof(char *));
	bool ok = m.destination && m.type && m.options &&
	          asprintf(&m.source, "%s/%s/notify", root, id) >= 0;
	for (size_t i = 0; ok && i < n; i++)
		ok = (m.options[i] = strdup(opts[i])) != NULL;
	hk_mount *mounts = ok ? realloc(s->mounts, (s->n_mounts + 1) * sizeof(*mounts)) : NULL;
	if (!mounts) {
		free(m.destination);
		free(m.type);
		if (ok)
			free(m.source);
		hk_strv_free(m.options);
		return hk_err_set(err, ENOMEM, "notify");
	}
	mounts[s->n_mounts++] = m;
	s->mounts = mounts;
	return add_env(&s->process, err);
}

int hk_notify_mkdir(const char *root, const char *id, hk_err *err)
{
	if (!hk_notify_wanted())
		return 0;
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/%s/notify", root, id) < 0)
		return hk_err_set(err, ENOMEM, "notify");
	/* 0755 whatever the umask: a container user that is not root must
	 * reach the socket through the mount */
	if (mkdir(dir, 0755) < 0 || chmod(dir, 0755) < 0)
		return hk_err_set(err, errno, "notify: mkdir %s", dir);
	return 0;
}

int hk_notify_remove_at(int dfd)
{
	_cleanup_close_ int nfd =
	    openat(dfd, "notify", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0)
		return errno == ENOENT ? 0 : -errno;
	unlinkat(nfd, SOCK_NAME, 0);
	return unlinkat(dfd, "notify", AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

/* sun_path holds 108 bytes, less than a long ROOT/ID: bind through
 * /proc/self/fd/N of the directory instead. */
int hk_notify_bind(const char *root, const char *id, hk_err *err)
{
	if (!hk_notify_wanted())
		return -ENOENT;
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/%s/notify", root, id) < 0)
		return hk_err_set(err, ENOMEM, "notify");
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? -ENOENT : hk_err_set(err, errno, "notify: %s", dir);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/" SOCK_NAME, dfd);
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0)
		return hk_err_set(err, errno, "notify: socket");
	unlinkat(dfd, SOCK_NAME, 0); /* a `start` before ours that failed */
	if (bind(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		return hk_err_set(err, errno, "notify: bind %s/" SOCK_NAME, dir);
	/* anyone in the container may notify (as runc) */
	if (fchmodat(dfd, SOCK_NAME, 0777, 0) < 0)
		return hk_err_set(err, errno, "notify: chmod %s/" SOCK_NAME, dir);
	return hk_steal_fd(&sock);
}

static int host_send(const char *msg, hk_err *err)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return hk_err_plain(err, EINVAL, "NOTIFY_SOCKET is not set");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len >= sizeof(a.sun_path))
		return hk_err_plain(err, ENAMETOOLONG, "NOTIFY_SOCKET %s: too long", path);
	memcpy(a.sun_path, path, len);
	if (path[0] == '@') /* the abstract namespace, as sd_notify */
		a.sun_path[0] = '\0';
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hk_err_set(err, errno, "notify: socket");
	socklen_t alen =
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] != '@'));
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&a, alen) < 0)
		return hk_err_set(err, errno, "notify: send to NOTIFY_SOCKET %s", path);
	return 0;
}

/* The READY= line of a datagram, copied to OUT with its newline. */
static bool ready_line(char *buf, char *out, size_t outlen)
{
	char *save = NULL;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "READY=", 6) == 0) {
			snprintf(out, outlen, "%s\n", l);
			return true;
		}
	return false;
}

int hk_notify_relay(int sock, int stopfd, pid_t mainpid, hk_err *err)
{
	char buf[4097], line[4098];
	for (;;) {
		struct pollfd p[2] = {{.fd = sock, .events = POLLIN},
		                      {.fd = stopfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return hk_err_set(err, errno, "notify: poll");
		}
		/* a READY sent just before the process exited still counts */
		ssize_t n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return hk_err_set(err, errno, "notify: recv");
		if (n >= 0) {
			buf[n] = '\0';
			if (!ready_line(buf, line, sizeof(line)))
				continue;
			char pid[64];
			snprintf(pid, sizeof(pid), "MAINPID=%d\n", (int)mainpid);
			int r = host_send(line, err);
			return r < 0 ? r : host_send(pid, err);
		}
		if (p[1].revents)
			return 0;
	}
}

struct hk_notify_bg {
	pthread_t thread;
	int sock, stop;
	pid_t mainpid;
};

static void *bg_main(void *arg)
{
	struct hk_notify_bg *bg = arg;
	hk_err err = {0};
	if (hk_notify_relay(bg->sock, bg->stop, bg->mainpid, &err) < 0)
		fprintf(stderr, "husk: %s\n", err.msg);
	return NULL;
}

int hk_notify_bg_start(int sock, pid_t mainpid, struct hk_notify_bg **out, hk_err *err)
{
	struct hk_notify_bg *bg = calloc(1, sizeof(*bg));
	if (!bg)
		return hk_err_set(err, ENOMEM, "notify");
	*bg = (struct hk_notify_bg){.sock = sock, .mainpid = mainpid};
	bg->stop = eventfd(0, EFD_CLOEXEC);
	int e = bg->stop < 0 ? errno : pthread_create(&bg->thread, NULL, bg_main, bg);
	if (e) {
		if (bg->stop >= 0)
			close(bg->stop);
		free(bg);
		return hk_err_set(err, e, "notify: relay thread");
	}
	*out = bg;
	return 0;
}

void hk_notify_bg_stop(struct hk_notify_bg *bg)
{
	if (!bg)
		return;
	uint64_t one = 1;
	if (write(bg->stop, &one, sizeof(one)) < 0) {
		/* an eventfd write only fails on overflow: not ours */
	}
	pthread_join(bg->thread, NULL);
	close(bg->stop);
	close(bg->sock);
	free(bg);
}
