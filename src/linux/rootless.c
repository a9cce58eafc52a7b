/* rootless.c - see rootless.h. */
#include "linux/rootless.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/cleanup.h"

static int rootless_mode = -1; /* -1 auto, else 0/1 */

bool hk_in_user_namespace(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	char buf[256] = {0};
	unsigned long a, b, n;
	/* husk's own /proc, before any container exists: what the kernel
	 * says of husk itself */
	_cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return (cached = 0);
	/* the initial namespace has exactly one line "0 0 4294967295" */
	char *nl = strchr(buf, '\n');
	bool more = nl && nl[1] != '\0';
	cached = !(sscanf(buf, "%lu %lu %lu", &a, &b, &n) == 3 && a == 0 && b == 0 &&
	           n == 4294967295UL && !more);
	return cached;
}

bool hk_host_root(void)
{
	return geteuid() == 0 && !hk_in_user_namespace();
}

void hk_rootless_set(const char *mode)
{
	static const char *const yes[] = {"1", "t", "true"};
	if (!mode || !*mode || strcasecmp(mode, "auto") == 0) {
		rootless_mode = -1;
		return;
	}
	rootless_mode = 0;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(mode, yes[i]) == 0)
			rootless_mode = 1;
}

bool hk_rootless(void)
{
	if (rootless_mode >= 0)
		return rootless_mode;
	return geteuid() != 0 || hk_in_user_namespace();
}

char *hk_default_state_root(void)
{
	char *root = NULL;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	bool use_xdg = xdg && *xdg;
	if (use_xdg && geteuid() == 0) {
		const char *user = getenv("USER");
		use_xdg = hk_in_user_namespace() && (!user || strcmp(user, "root") != 0);
	}
	int r = use_xdg          ? asprintf(&root, "%s/husk", xdg)
	        : geteuid() == 0 ? asprintf(&root, "/run/husk")
	                         : asprintf(&root, "/tmp/husk-%u", (unsigned)geteuid());
	return r < 0 ? NULL : root;
}
