/* fuzz_unpack.c - `husk box TARBALL`: a tarball (plain or compressed)
 * unpacked by hk_unpack() with the options box uses (owners kept when
 * root, the SHA-256 checked) into a fresh directory, which is emptied
 * after each input.  Device nodes are skipped (as in a user namespace):
 * the harness must not make device nodes on the host.
 *
 * Nothing may land outside the destination: it is TMP/u2/u1/root, and
 * after every input TMP, TMP/u2 and TMP/u2/u1 must hold exactly what the
 * harness put there (a canary file each, unchanged), so an entry escaping
 * by up to three ".." levels, or through a symbolic link to one of them,
 * is caught even when husk's own checks would let it through. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "box/image.h"
#include "box/unpack.h"
#include "fuzz.h"

static char tmp[4096], tarball[4200], dest[4200];
static const char canary_text[] = "canary\n";

static void cleanup(void)
{
	hk_err err;
	if (tmp[0])
		hk_tree_remove(tmp, NULL, &err);
}

static void put_canary(const char *dir)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/canary", dir);
	FILE *f = fopen(path, "w");
	FUZZ_ASSERT(f && fputs(canary_text, f) >= 0 && fclose(f) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/husk-fuzz-unpack.XXXXXX", t && *t ? t : "/tmp");
	FUZZ_ASSERT(mkdtemp(tmp));
	atexit(cleanup);
	snprintf(tarball, sizeof(tarball), "%s/in.tar", tmp);
	char d[4300];
	snprintf(d, sizeof(d), "%s/u2", tmp);
	FUZZ_ASSERT(mkdir(d, 0700) == 0);
	put_canary(d);
	snprintf(d, sizeof(d), "%s/u2/u1", tmp);
	FUZZ_ASSERT(mkdir(d, 0700) == 0);
	put_canary(d);
	snprintf(dest, sizeof(dest), "%s/u2/u1/root", tmp);
	return 0;
}

/* DIR holds exactly the names in WANT (NULL-terminated), a canary intact */
static void expect_only(const char *dir, const char *const *want)
{
	DIR *d = opendir(dir);
	FUZZ_ASSERT(d);
	size_t n = 0, found = 0;
	for (const char *const *w = want; *w; w++)
		n++;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		bool known = false;
		for (const char *const *w = want; *w; w++)
			known = known || !strcmp(de->d_name, *w);
		if (!known)
			fprintf(stderr, "written outside the destination: %s/%s\n", dir,
			        de->d_name);
		FUZZ_ASSERT(known);
		found++;
	}
	closedir(d);
	FUZZ_ASSERT(found == n);
	char path[4300], buf[64] = {0};
	snprintf(path, sizeof(path), "%s/canary", dir);
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return; /* TMP itself has none */
	FUZZ_ASSERT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1);
	ssize_t got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	FUZZ_ASSERT(got == (ssize_t)strlen(canary_text) && !strcmp(buf, canary_text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(tarball, "w");
	FUZZ_ASSERT(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
	FUZZ_ASSERT(mkdir(dest, 0755) == 0);
	hk_err err = {0};
	char hex[65];
	FUZZ_ASSERT(hk_sha256_file(tarball, hex, &err) == 0);
	hk_unpack_opts o = {
	    .keep_owner = geteuid() == 0,
	    .skip_devices = true,
	    .label = "in.tar",
	    .sha256 = hex,
	};
	int r = hk_unpack(tarball, dest, &o, &err);
	fuzz_check_err(r, &err);
	/* the file did not change while it was unpacked */
	FUZZ_ASSERT(r != -EAGAIN);

	char d[4300];
	expect_only(tmp, (const char *const[]){"in.tar", "u2", NULL});
	snprintf(d, sizeof(d), "%s/u2", tmp);
	expect_only(d, (const char *const[]){"u1", "canary", NULL});
	snprintf(d, sizeof(d), "%s/u2/u1", tmp);
	expect_only(d, (const char *const[]){"root", "canary", NULL});
	struct stat st;
	FUZZ_ASSERT(lstat(dest, &st) == 0 && S_ISDIR(st.st_mode));

	int rr = hk_tree_remove(dest, NULL, &err);
	if (rr < 0)
		fprintf(stderr, "%s\n", err.msg);
	FUZZ_ASSERT(rr == 0);
	return 0;
}
