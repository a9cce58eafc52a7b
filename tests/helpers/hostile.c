/* hostile.c - what a hostile process inside a container tries, for
 * tests/integration/test_hostile.sh (the busybox rootfs has no compiler).
 * Built static at test time and copied into the bundle's rootfs.
 *
 *   hostile tiocsti TEXT   push TEXT into the input of the terminal on fds
 *                          0, 1, 2 and /dev/tty (TIOCSTI); one line per try:
 *                          "tiocsti fd0: ok" or "tiocsti fd0: <strerror>"
 *   hostile finit_module FILE   finit_module(FILE): "finit_module: <strerror>"
 *   hostile init_module    init_module() of a junk image: "init_module: ..."
 *
 * Exit status 0 when every attempt failed, 1 when one succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int tiocsti(int fd, const char *name, const char *text)
{
	for (const char *c = text; *c; c++) {
		if (ioctl(fd, TIOCSTI, c) < 0) {
			printf("tiocsti %s: %s\n", name, strerror(errno));
			return 0;
		}
	}
	printf("tiocsti %s: ok\n", name);
	return 1;
}

int main(int argc, char **argv)
{
	int got = 0;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "tiocsti") == 0) {
		got |= tiocsti(0, "fd0", argv[2]);
		got |= tiocsti(1, "fd1", argv[2]);
		got |= tiocsti(2, "fd2", argv[2]);
		int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
		if (fd < 0)
			printf("tiocsti /dev/tty: open: %s\n", strerror(errno));
		else
			got |= tiocsti(fd, "/dev/tty", argv[2]);
	} else if (argc == 3 && strcmp(argv[1], "finit_module") == 0) {
		int fd = open(argv[2], O_RDONLY);
		if (fd < 0) {
			printf("finit_module: open %s: %s\n", argv[2], strerror(errno));
			return 2;
		}
		got = syscall(SYS_finit_module, fd, "", 0) == 0;
		printf("finit_module: %s\n", got ? "ok" : strerror(errno));
	} else if (argc == 2 && strcmp(argv[1], "init_module") == 0) {
		static char junk[4096] = "\177ELF junk, not a module";
		got = syscall(SYS_init_module, junk, sizeof(junk), "") == 0;
		printf("init_module: %s\n", got ? "ok" : strerror(errno));
	} else {
		fprintf(stderr, "usage: hostile tiocsti TEXT | finit_module FILE | init_module\n");
		return 2;
	}
	return got;
}
