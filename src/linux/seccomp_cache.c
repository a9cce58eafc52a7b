/* seccomp_cache.c - compiled seccomp programs kept across runs (see
 * seccomp_internal.h).
 *
 * libseccomp takes ~18 ms to compile a profile like podman's default; the
 * result depends only on the profile, on husk's own code, on libseccomp
 * (linked in, or a shared object) and on the kernel.  The finished
 * program (ENOSYS stub included) is kept in a file named by the SHA-256
 * of exactly these:
 *
 *   - husk's build id (the ELF note; without one, the identity of
 *     /proc/self/exe: device, inode, size, times), libseccomp's version
 *     and, when husk is linked dynamically, libseccomp's build id;
 *   - the native architecture, uname's release, version and machine, and
 *     the boot id (a kernel's features, for which libseccomp and husk
 *     probe, cannot change without a reboot);
 *   - every field of the profile the compiler reads (not listenerPath or
 *     listenerMetadata).
 *
 * A file is used only when everything about it is as husk writes it: in
 * a directory of the caller's that nobody else may enter, a regular
 * file of the caller's, mode 0600, one link, the right size, magic, key,
 * an instruction count the kernel takes, and a SHA-256 of its content
 * that matches (a torn or damaged file).  Otherwise it is ignored and the
 * profile compiled again, and the new program replaces it.  The digest is
 * no secret: what keeps a hostile program out is that only the caller
 * (root for root) can write there, as for the rest of the state
 * directory.  Files are written to a temporary name and renamed; past
 * HK_SECCOMP_CACHE_MAX files the directory is emptied first. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "linux/rootless.h"
#include "linux/seccomp_internal.h"
#include "util/cleanup.h"
#include "util/debug.h"
#include "util/fs.h"

#define HK_SECCOMP_CACHE_MAX 64
#define MAGIC                "HKSCMP01"

struct head {
	char magic[8];
	uint8_t key[HK_SECCOMP_KEY_SIZE];
	uint32_t len; /* instructions after the head */
	uint32_t zero;
};

hk_seccomp_cache_stats hk_seccomp_cache_counts;

static bool dir_set;
static const char *dir_override;

void hk_seccomp_cache_dir(const char *dir)
{
	dir_set = true;
	dir_override = dir;
}

void hk_seccomp_cache_in(const char *state_root)
{
	static char *dir;
	free(dir);
	dir = NULL;
	if (state_root && asprintf(&dir, "%s/.seccomp-cache", state_root) < 0)
		dir = NULL;
	hk_seccomp_cache_dir(dir);
}

/* hk_seccomp_cache_in()'s, else the default state directory's (that of
 * root, or of the user: $XDG_RUNTIME_DIR/husk, else /tmp/husk-UID).  A
 * dot name: no container id can start with one. */
static char *cache_dir(void)
{
	char *d = NULL;
	if (dir_set)
		return dir_override ? strdup(dir_override) : NULL;
	_cleanup_free_ char *root = hk_default_state_root();
	if (!root || asprintf(&d, "%s/.seccomp-cache", root) < 0)
		return NULL;
	return d;
}

/* ---- the key ---- */

static void put(struct sha256_ctx *h, const void *p, size_t n)
{
	sha256_update(h, n, p);
}

static void put_u64(struct sha256_ctx *h, uint64_t v)
{
	put(h, &v, sizeof(v));
}

/* a string, told apart from NULL and from its neighbours */
static void put_str(struct sha256_ctx *h, const char *s)
{
	put_u64(h, s ? strlen(s) + 1 : 0);
	if (s)
		put(h, s, strlen(s));
}

static void put_strv(struct sha256_ctx *h, char *const *v, size_t n)
{
	put_u64(h, n);
	for (size_t i = 0; i < n; i++)
		put_str(h, v[i]);
}

struct build_id {
	const uint8_t *p;
	size_t n;
};

/* The NT_GNU_BUILD_ID note of the object INFO describes, if it has one. */
static bool note_build_id(const struct dl_phdr_info *info, struct build_id *id)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		/* NOLINTNEXTLINE(performance-no-int-to-ptr): dlpi_addr is an address */
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		const uint8_t *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const uint8_t *name = p + sizeof(*nh);
			const uint8_t *desc = name + ((nh->n_namesz + 3) & ~3U);
			if (desc + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0 && nh->n_descsz > 0) {
				id->p = desc;
				id->n = nh->n_descsz;
				return true;
			}
			p = desc + ((nh->n_descsz + 3) & ~3U);
		}
	}
	return false;
}

/* The main program's build id (the first object). */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *arg)
{
	note_build_id(info, arg);
	return 1; /* only the first object: the program */
}

/* A shared libseccomp's build id (husk linked dynamically: a sanitizer
 * build, a distribution's package), so that an upgrade of the library,
 * which compiles the programs, is a new key. */
static int find_libseccomp(struct dl_phdr_info *info, size_t size, void *arg)
{
	const char *base = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
	base = base ? base + 1 : info->dlpi_name;
	return base && strncmp(base, "libseccomp", 10) == 0 && note_build_id(info, arg);
}

static const struct scmp_version *fake_version;

void hk_seccomp_cache_lib_version(const struct scmp_version *v)
{
	fake_version = v;
}

static bool put_binary(struct sha256_ctx *h)
{
	struct build_id id = {NULL, 0}, lib = {NULL, 0};
	/* libseccomp's version, and its build id when it is a shared
	 * object (linked statically it is part of husk's) */
	const struct scmp_version *ver = fake_version ? fake_version : seccomp_version();
	put_u64(h,
	        ver ? ((uint64_t)ver->major << 32) | ((uint64_t)ver->minor << 16) | ver->micro : 0);
	dl_iterate_phdr(find_libseccomp, &lib);
	put_u64(h, lib.n);
	if (lib.n)
		put(h, lib.p, lib.n);
	dl_iterate_phdr(find_build_id, &id);
	if (id.n) {
		put_u64(h, id.n);
		put(h, id.p, id.n);
		return true;
	}
	struct stat st;
	if (stat("/proc/self/exe", &st) < 0)
		return false;
	uint64_t v[] = {st.st_dev,         st.st_ino,          (uint64_t)st.st_size,
	                st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec,
	                st.st_ctim.tv_nsec};
	put(h, v, sizeof(v));
	return true;
}

static void put_kernel(struct sha256_ctx *h)
{
	struct utsname u;
	char boot[64] = "";
	put_u64(h, seccomp_arch_native());
	if (uname(&u) == 0) {
		put_str(h, u.release);
		put_str(h, u.version);
		put_str(h, u.machine);
	}
	_cleanup_close_ int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, boot, sizeof(boot) - 1) : -1;
	boot[n > 0 ? n : 0] = '\0';
	put_str(h, boot);
}

static void put_profile(struct sha256_ctx *h, const hk_seccomp *s)
{
	put_str(h, s->default_action);
	put_u64(h, s->has_default_errno_ret);
	put_u64(h, s->default_errno_ret);
	put_strv(h, s->architectures, s->n_architectures);
	put_strv(h, s->flags, s->n_flags);
	put_u64(h, s->n_syscalls);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const hk_seccomp_syscall *sc = &s->syscalls[i];
		put_strv(h, sc->names, sc->n_names);
		put_str(h, sc->action);
		put_u64(h, sc->has_errno_ret);
		put_u64(h, sc->errno_ret);
		put_u64(h, sc->n_args);
		for (size_t k = 0; k < sc->n_args; k++) {
			put_u64(h, sc->args[k].index);
			put_u64(h, sc->args[k].value);
			put_u64(h, sc->args[k].value_two);
			put_str(h, sc->args[k].op);
		}
	}
}

bool hk_seccomp_cache_key(const hk_seccomp *s, uint8_t key[HK_SECCOMP_KEY_SIZE])
{
	struct sha256_ctx h;
	sha256_init(&h);
	put_str(&h, "husk seccomp cache 1");
	if (!put_binary(&h))
		return false;
	put_kernel(&h);
	put_profile(&h, s);
	sha256_digest(&h, HK_SECCOMP_KEY_SIZE, key);
	return true;
}

/* ---- the files ---- */

static void hex(const uint8_t key[HK_SECCOMP_KEY_SIZE], char out[2 * HK_SECCOMP_KEY_SIZE + 1])
{
	for (size_t i = 0; i < HK_SECCOMP_KEY_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", key[i]);
}

/* FD's file is the caller's and nobody else's (and, for a file, has no
 * other name) */
static bool private(int fd, mode_t type)
{
	struct stat st;
	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == geteuid() &&
	       !(st.st_mode & 077) && (type == S_IFDIR || st.st_nlink == 1);
}

static int open_dir(bool create)
{
	_cleanup_free_ char *dir = cache_dir();
	if (!dir)
		return -1;
	hk_err ignored;
	if (create && hk_mkdir_p(dir, 0700, &ignored) < 0)
		return -1;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !private(fd, S_IFDIR))
		return -1;
	return hk_steal_fd(&fd);
}

static void digest(const void *p, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, n, p);
	sha256_digest(&h, SHA256_DIGEST_SIZE, out);
}

/* The checks of a file's content BUF (N bytes); its instructions. */
static bool valid(const uint8_t *buf, size_t n, const uint8_t key[HK_SECCOMP_KEY_SIZE],
                  uint32_t *len)
{
	struct head hd;
	uint8_t d[SHA256_DIGEST_SIZE];
	if (n < sizeof(hd) + SHA256_DIGEST_SIZE)
		return false;
	memcpy(&hd, buf, sizeof(hd));
	if (memcmp(hd.magic, MAGIC, sizeof(hd.magic)) != 0 ||
	    memcmp(hd.key, key, HK_SECCOMP_KEY_SIZE) != 0 || hd.zero != 0 || hd.len == 0 ||
	    hd.len > BPF_MAXINSNS ||
	    n != sizeof(hd) + hd.len * sizeof(struct sock_filter) + SHA256_DIGEST_SIZE)
		return false;
	digest(buf, n - SHA256_DIGEST_SIZE, d);
	if (memcmp(d, buf + n - SHA256_DIGEST_SIZE, SHA256_DIGEST_SIZE) != 0)
		return false;
	*len = hd.len;
	return true;
}

bool hk_seccomp_cache_load(const uint8_t key[HK_SECCOMP_KEY_SIZE], hk_seccomp_prog *p)
{
	char name[2 * HK_SECCOMP_KEY_SIZE + 1];
	const size_t max =
	    sizeof(struct head) + BPF_MAXINSNS * sizeof(struct sock_filter) + SHA256_DIGEST_SIZE;
	hex(key, name);
	_cleanup_close_ int dir = open_dir(false);
	/* O_NONBLOCK: a fifo put there must not hang husk (it is refused) */
	_cleanup_close_ int fd =
	    dir < 0 ? -1 : openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		hk_seccomp_cache_counts.misses++;
		return false;
	}
	_cleanup_free_ uint8_t *buf = NULL;
	uint32_t len = 0;
	bool ok = private(fd, S_IFREG) && fstat(fd, &st) == 0 && st.st_size > 0 &&
	          (size_t)st.st_size <= max && (buf = malloc((size_t)st.st_size)) &&
	          pread(fd, buf, (size_t)st.st_size, 0) == st.st_size &&
	          valid(buf, (size_t)st.st_size, key, &len);
	void *insns = ok ? malloc(len * sizeof(struct sock_filter)) : NULL;
	if (!insns) {
		hk_seccomp_cache_counts.rejected++;
		hk_debug("seccomp: the cached filter %s is not usable: compiling", name);
		return false;
	}
	memcpy(insns, buf + sizeof(struct head), len * sizeof(struct sock_filter));
	p->insns = insns;
	p->len = len;
	hk_seccomp_cache_counts.hits++;
	return true;
}

/* Past the limit, empty the directory (of cache files only). */
static void trim(int dir)
{
	_cleanup_close_ int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d)
		return;
	hk_steal_fd(&fd); /* the DIR owns it */
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strlen(e->d_name) == 2 * HK_SECCOMP_KEY_SIZE;
	if (n < HK_SECCOMP_CACHE_MAX)
		return;
	rewinddir(d);
	while ((e = readdir(d)))
		if (strlen(e->d_name) == 2 * HK_SECCOMP_KEY_SIZE)
			unlinkat(dir, e->d_name, 0);
}

void hk_seccomp_cache_store(const uint8_t key[HK_SECCOMP_KEY_SIZE], const hk_seccomp_prog *p)
{
	char name[2 * HK_SECCOMP_KEY_SIZE + 1], tmp[64];
	hex(key, name);
	_cleanup_close_ int dir = open_dir(true);
	if (dir < 0 || p->len == 0 || p->len > BPF_MAXINSNS)
		return;
	trim(dir);
	size_t body = p->len * sizeof(struct sock_filter);
	size_t n = sizeof(struct head) + body + SHA256_DIGEST_SIZE;
	_cleanup_free_ uint8_t *buf = calloc(1, n);
	if (!buf)
		return;
	struct head hd = {.len = (uint32_t)p->len};
	memcpy(hd.magic, MAGIC, sizeof(hd.magic));
	memcpy(hd.key, key, HK_SECCOMP_KEY_SIZE);
	memcpy(buf, &hd, sizeof(hd));
	memcpy(buf + sizeof(hd), p->insns, body);
	digest(buf, n - SHA256_DIGEST_SIZE, buf + n - SHA256_DIGEST_SIZE);
	snprintf(tmp, sizeof(tmp), ".tmp.%d", (int)getpid());
	unlinkat(dir, tmp, 0); /* left by a crash */
	_cleanup_close_ int fd =
	    openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	bool ok = write(fd, buf, n) == (ssize_t)n && renameat(dir, tmp, dir, name) == 0;
	if (!ok)
		unlinkat(dir, tmp, 0);
	else
		hk_seccomp_cache_counts.stores++;
}
