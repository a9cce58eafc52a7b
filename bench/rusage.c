/* rusage.c - `rusage CMD [ARG...]`: run CMD and print, on stderr, what it
 * and every process it started cost, once they have all exited:
 *
 *   rusage faults=MINOR+MAJOR maxrss=KB status=EXIT
 *
 * faults: the page faults (minor + major) of all of them together;
 * maxrss: the largest peak RSS (ru_maxrss, KiB) of any one of them.
 *
 * getrusage(RUSAGE_CHILDREN) only counts descendants that were waited for,
 * by us or by a waited-for ancestor.  A runtime's daemonising double fork
 * would hand an orphan to init, out of the count: we are therefore a child
 * subreaper, so orphans come to us, and we reap until none is left.  (So
 * CMD must not leave a process running: `run`, not `create`.)  CMD is
 * started with posix_spawn (vfork): no copy-on-write faults of our own are
 * counted as its.  But until its execve, CMD's process runs in our memory,
 * and the peak RSS the kernel keeps for it across the execve is ours then:
 * a floor under maxrss, so bench/start.sh links this program statically
 * (~0.5 MiB resident, against ~1.1 MiB dynamically linked).  Exit status:
 * CMD's. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rusage CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("rusage: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	pid_t cmd;
	int r = posix_spawnp(&cmd, argv[1], NULL, NULL, argv + 1, environ);
	if (r != 0) {
		errno = r;
		perror(argv[1]);
		return 127;
	}
	int status = 0, exit_code = 1;
	pid_t pid;
	while ((pid = wait(&status)) > 0 || errno == EINTR)
		if (pid == cmd)
			exit_code =
			    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) < 0) {
		perror("rusage: getrusage");
		return 2;
	}
	fprintf(stderr, "rusage faults=%ld maxrss=%ld status=%d\n", ru.ru_minflt + ru.ru_majflt,
	        ru.ru_maxrss, exit_code);
	return exit_code;
}
