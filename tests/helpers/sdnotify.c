/* sdnotify.c - a minimal sd_notify(3) for tests/integration/test_notify.sh
 * (busybox has none): send each argument as one datagram to
 * $NOTIFY_SOCKET; print the errno on failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path) {
		fprintf(stderr, "sdnotify: no NOTIFY_SOCKET\n");
		return 2;
	}
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("sdnotify: socket");
		return 1;
	}
	for (int i = 1; i < argc; i++)
		if (sendto(fd, argv[i], strlen(argv[i]), 0, (struct sockaddr *)&a, sizeof(a)) < 0) {
			fprintf(stderr, "sdnotify: send %s: %s\n", path, strerror(errno));
			return 1;
		}
	return 0;
}
