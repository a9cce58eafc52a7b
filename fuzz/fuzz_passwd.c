/* fuzz_passwd.c - a root filesystem's /etc/passwd or /etc/group (an
 * image's: `husk box -u NAME`, and $HOME in the container) read by
 * hk_pwent_find(), by name and by id. */
#include "fuzz.h"
#include "util/passwd.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void find(const uint8_t *data, size_t size, const char *name, uint32_t id)
{
	FILE *f = fmemopen((void *)data, size, "r");
	FUZZ_ASSERT(f);
	char *buf = NULL;
	size_t cap = 0;
	hk_pwent e;
	int r = hk_pwent_find(f, name, id, &e, &buf, &cap);
	FUZZ_ASSERT(r == 0 || r == -ENOENT);
	if (r == 0) {
		FUZZ_ASSERT(e.name && e.home);
		FUZZ_ASSERT(name ? !strcmp(e.name, name) : e.id == id);
		/* the strings point into the line buffer */
		FUZZ_ASSERT(e.name >= buf && e.name < buf + cap);
	}
	free(buf);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	find(data, size, "root", 0);
	find(data, size, "nobody", 0);
	find(data, size, NULL, 0);
	find(data, size, NULL, 1000);
	return 0;
}
