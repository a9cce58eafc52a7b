/* seccomp_probe.c - the effect of a seccomp rule on getppid(2), for
 * tests/integration/test_conformance.sh.  getppid takes no argument, so
 * whatever is in its argument registers is harmless and only the filter
 * looks at it: a rule's args conditions can be tried with any value.
 *
 *   seccomp_probe VALUE...   for each VALUE, a new thread calls
 *                            getppid(VALUE) (VALUE in the first argument)
 *                            and the main thread prints one line:
 *     "VALUE: ok"             the call went through
 *     "VALUE: errno N"        it failed with errno N
 *     "VALUE: thread killed"  the calling thread was killed, not the process
 *   and, from the SIGSYS handler (SCMP_ACT_TRAP), before that line:
 *     "VALUE: SIGSYS getppid" (or "SIGSYS syscall N code C" for another)
 *   then "done".  A filter that kills the process ends it before "done".
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOT_RETURNED (-1000)

static unsigned long value;
static volatile int result = NOT_RETURNED;

/* async-signal-safe: snprintf into a stack buffer, one write() */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char buf[96];
	int n;
	(void)sig;
	(void)ctx;
	if (si->si_syscall == SYS_getppid && si->si_code == 1 /* SYS_SECCOMP */)
		n = snprintf(buf, sizeof(buf), "%lu: SIGSYS getppid\n", value);
	else
		n = snprintf(buf, sizeof(buf), "%lu: SIGSYS syscall %d code %d\n", value,
		             si->si_syscall, si->si_code);
	if (write(1, buf, n) < 0)
		_exit(3);
}

static void *call(void *arg)
{
	(void)arg;
	long r = syscall(SYS_getppid, value, 0, 0, 0, 0, 0);
	result = r < 0 ? errno : 0;
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	setvbuf(stdout, NULL, _IONBF, 0);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		perror("sigaction");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		pthread_t t;
		value = strtoul(argv[i], NULL, 0);
		result = NOT_RETURNED;
		if (pthread_create(&t, NULL, call, NULL) != 0 || pthread_join(t, NULL) != 0) {
			fprintf(stderr, "seccomp_probe: thread failed\n");
			return 2;
		}
		if (result == NOT_RETURNED)
			printf("%lu: thread killed\n", value);
		else if (result == 0)
			printf("%lu: ok\n", value);
		else
			printf("%lu: errno %d\n", value, result);
	}
	printf("done\n");
	return 0;
}
