/* unpack.c - unpacking a root filesystem tarball with libarchive (tar and
 * GNU tar formats; gzip, bzip2, xz, zstd and lz4 filters, named one by one
 * so a static link pulls no more), refusing every entry that would land
 * outside the destination; and the SHA-256 of a file (nettle). */
#include "box/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

static void archive_readp(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
static void archive_writep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}
#define _cleanup_aread_  __attribute__((cleanup(archive_readp)))
#define _cleanup_awrite_ __attribute__((cleanup(archive_writep)))

/* Normalise the archive path NAME into OUT (relative, no "." or empty
 * components, no trailing slash; "" for the root itself).  Returns NULL,
 * or why NAME leads outside the root. */
static const char *normalize(const char *name, char *out, size_t len)
{
	size_t o = 0;
	if (name[0] == '/')
		return "absolute path";
	const char *p = name;
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "\"..\"";
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (o + n + 2 > len)
				return "name too long";
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = *e ? e + 1 : e;
	}
	out[o] = '\0';
	return NULL;
}

struct unpack_state {
	const char *label;
	int dest_fd;
	/* the last parent directory found free of symbolic links */
	char checked[PATH_MAX];
};

/* Does a directory above the relative REL (under DEST) exist as a
 * symbolic link?  Returns the first such prefix length, or 0. */
static size_t symlink_parent(struct unpack_state *s, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	if (!slash)
		return 0;
	size_t plen = (size_t)(slash - rel);
	if (s->checked[0] && strlen(s->checked) == plen && !strncmp(s->checked, rel, plen))
		return 0;
	char buf[PATH_MAX];
	memcpy(buf, rel, plen);
	buf[plen] = '\0';
	for (size_t i = 0; i <= plen; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char saved = buf[i];
		buf[i] = '\0';
		struct stat st;
		int r = fstatat(s->dest_fd, buf, &st, AT_SYMLINK_NOFOLLOW);
		buf[i] = saved;
		if (r < 0)
			break; /* not there yet: made as a directory */
		if (S_ISLNK(st.st_mode))
			return i;
	}
	memcpy(s->checked, rel, plen);
	s->checked[plen] = '\0';
	return 0;
}

/* Check the entry and point its path (and hard link target) into DEST.
 * 1: write it, 0: skip it, <0: refused. */
static int prepare_entry(struct unpack_state *s, struct archive_entry *e, const char *dest,
                         const hk_unpack_opts *o, hk_err *err)
{
	const char *name = archive_entry_pathname(e);
	char rel[PATH_MAX], path[PATH_MAX + 1];
	const char *why;

	if (!name || !*name)
		return hk_err_plain(err, EINVAL, "%s: an entry without a name", s->label);
	why = normalize(name, rel, sizeof(rel));
	if (why)
		return hk_err_plain(err, EPERM,
		                    "%s: entry \"%s\": leads outside the root filesystem "
		                    "(%s)",
		                    s->label, name, why);
	mode_t type = archive_entry_filetype(e);
	const char *link = archive_entry_hardlink(e);
	if (!rel[0]) {
		/* "." or "./": the root directory itself. */
		if (link || type != AE_IFDIR)
			return hk_err_plain(err, EINVAL,
			                    "%s: entry \"%s\": the root is not a "
			                    "directory",
			                    s->label, name);
		archive_entry_copy_pathname(e, dest); /* its mode, owner, times */
		return 1;
	}
	size_t at = symlink_parent(s, rel);
	if (at)
		return hk_err_plain(err, EPERM,
		                    "%s: entry \"%s\": leads outside the root filesystem (through "
		                    "the symbolic link \"%.*s\")",
		                    s->label, name, (int)at, rel);
	if (link) {
		char lrel[PATH_MAX];
		why = normalize(link, lrel, sizeof(lrel));
		if (!why && !lrel[0])
			why = "the root directory";
		if (why)
			return hk_err_plain(
			    err, EPERM,
			    "%s: entry \"%s\": hard link to \"%s\" leads outside the "
			    "root filesystem (%s)",
			    s->label, name, link, why);
		at = symlink_parent(s, lrel);
		if (at)
			return hk_err_plain(
			    err, EPERM,
			    "%s: entry \"%s\": hard link to \"%s\" leads outside the "
			    "root filesystem (through the symbolic link \"%.*s\")",
			    s->label, name, link, (int)at, lrel);
		if (snprintf(path, sizeof(path), "%s/%s", dest, lrel) >= (int)sizeof(path))
			return hk_err_plain(err, ENAMETOOLONG,
			                    "%s: entry \"%s\": hard link target too long", s->label,
			                    name);
		archive_entry_copy_hardlink(e, path);
	} else if (o->skip_devices && (type == AE_IFCHR || type == AE_IFBLK)) {
		return 0;
	}
	if (type == AE_IFLNK || link)
		s->checked[0] = '\0'; /* a directory may become a link */
	if (snprintf(path, sizeof(path), "%s/%s", dest, rel) >= (int)sizeof(path))
		return hk_err_plain(err, ENAMETOOLONG, "%s: entry \"%s\": name too long", s->label,
		                    name);
	archive_entry_copy_pathname(e, path);
	return 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(struct archive *a, const char *label, long long total, double *last)
{
	double t = now();
	if (t - *last < 0.1)
		return;
	*last = t;
	long long done = (long long)archive_filter_bytes(a, -1);
	if (total <= 0 || done < 0)
		return;
	if (done > total)
		done = total;
	fprintf(stderr, "\rhusk: unpacking %s: %d%% (%lld MiB of %lld MiB)", label,
	        (int)(done * 100 / total), done >> 20, total >> 20);
	fflush(stderr);
}

/* The error of a libarchive call for ENTRY (NULL: none). */
static int archive_fail(hk_err *err, struct archive *a, const char *label, const char *entry,
                        const char *what)
{
	int e = archive_errno(a);
	const char *msg = archive_error_string(a);
	if (e <= 0 || e >= 4096)
		e = EIO;
	if (entry)
		return hk_err_plain(err, e, "%s: entry \"%s\": %s: %s", label, entry, what,
		                    msg ? msg : "failed");
	return hk_err_plain(err, e, "%s: %s: %s", label, what, msg ? msg : "failed");
}

struct progress {
	bool on;
	long long total;
	double last;
};

static int copy_data(struct archive *in, struct archive *out, const char *label, const char *name,
                     struct progress *p, hk_err *err)
{
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = archive_read_data_block(in, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return archive_fail(err, in, label, name, "read");
		la_ssize_t w = archive_write_data_block(out, buf, size, off);
		if (w < ARCHIVE_WARN)
			return archive_fail(err, out, label, name, "write");
		if (p->on)
			show_progress(in, label, p->total, &p->last);
	}
}

static int unpack_entries(struct archive *in, struct archive *out, const char *dest,
                          const hk_unpack_opts *o, long long total, hk_err *err)
{
	const char *label = o->label;
	_cleanup_close_ int dfd = open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hk_err_set(err, errno, "%s", dest);
	struct unpack_state *s = calloc(1, sizeof(*s));
	if (!s)
		return hk_err_set(err, ENOMEM, "%s", label);
	_cleanup_free_ struct unpack_state *sp = s;
	s->label = label;
	s->dest_fd = dfd;
	struct progress prog = {.on = o->progress, .total = total, .last = now()};

	for (bool first = true;; first = false) {
		struct archive_entry *e;
		int r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			/* libarchive's ARCHIVE_ERRNO_FILE_FORMAT is EILSEQ on
			 * Linux: no tar header recognised. */
			if (first && archive_errno(in) == EILSEQ)
				return hk_err_plain(
				    err, EINVAL, "%s: not a tar archive (%s)", label,
				    archive_error_string(in) ? archive_error_string(in)
				                             : "unreadable");
			return archive_fail(err, in, label, NULL, "read");
		}
		_cleanup_free_ char *name = strdup(archive_entry_pathname(e) ?: "");
		if (!name)
			return hk_err_set(err, ENOMEM, "%s", label);
		r = prepare_entry(s, e, dest, o, err);
		if (r < 0)
			return r;
		if (r == 0) {
			if (archive_read_data_skip(in) < ARCHIVE_WARN)
				return archive_fail(err, in, label, name, "read");
			continue;
		}
		r = archive_write_header(out, e);
		if (r < ARCHIVE_WARN)
			return archive_fail(err, out, label, name, "extract");
		if (archive_entry_size(e) > 0 && copy_data(in, out, label, name, &prog, err) < 0)
			return -err->code;
		r = archive_write_finish_entry(out);
		if (r < ARCHIVE_WARN)
			return archive_fail(err, out, label, name, "extract");
		if (prog.on)
			show_progress(in, label, total, &prog.last);
	}
	if (archive_write_close(out) < ARCHIVE_WARN)
		return archive_fail(err, out, label, NULL, "finish");
	return 0;
}

/* The tarball as libarchive reads it: the bytes also go through SHA-256,
 * so what was unpacked is known to be what was hashed. */
struct hashed_reader {
	int fd;
	struct sha256_ctx ctx;
	uint8_t buf[256 * 1024];
};

/* Read the next chunk into H->buf and the hash: its size, 0 at the end,
 * -errno. */
static ssize_t hash_chunk(struct hashed_reader *h)
{
	ssize_t n;
	do
		n = read(h->fd, h->buf, sizeof(h->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	sha256_update(&h->ctx, (size_t)n, h->buf);
	return n;
}

static la_ssize_t hashed_read(struct archive *a, void *data, const void **out)
{
	struct hashed_reader *h = data;
	ssize_t n = hash_chunk(h);
	if (n < 0) {
		archive_set_error(a, (int)-n, "read");
		return -1;
	}
	*out = h->buf;
	return n;
}

static void hex_digest(struct sha256_ctx *ctx, char hex[65])
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_digest(ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* After the last entry: the rest of the file (the archive's padding) into
 * the hash, then compare. */
static int check_hash(struct hashed_reader *h, const char *want, const char *label, hk_err *err)
{
	ssize_t n;
	while ((n = hash_chunk(h)) > 0)
		;
	if (n < 0)
		return hk_err_set(err, (int)-n, "read %s", label);
	char got[65];
	hex_digest(&h->ctx, got);
	if (strcmp(got, want) != 0)
		return hk_err_plain(err, EAGAIN, "%s: changed while it was being unpacked", label);
	return 0;
}

int hk_unpack(const char *tar, const char *dest, const hk_unpack_opts *o, hk_err *err)
{
	const char *label = o->label ? o->label : tar;
	hk_unpack_opts opts = *o;
	opts.label = label;
	_cleanup_free_ char *rdest = realpath(dest, NULL);
	if (!rdest)
		return hk_err_set(err, errno, "%s", dest);
	_cleanup_free_ struct hashed_reader *h = malloc(sizeof(*h));
	if (!h)
		return hk_err_set(err, ENOMEM, "%s", label);
	_cleanup_close_ int fd = h->fd = open(tar, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return hk_err_set(err, errno, "%s", label);
	sha256_init(&h->ctx);

	_cleanup_aread_ struct archive *in = archive_read_new();
	_cleanup_awrite_ struct archive *out = archive_write_disk_new();
	if (!in || !out)
		return hk_err_set(err, ENOMEM, "%s", label);
	archive_read_support_format_tar(in);
	archive_read_support_format_gnutar(in);
	archive_read_support_filter_gzip(in);
	archive_read_support_filter_bzip2(in);
	archive_read_support_filter_xz(in);
	archive_read_support_filter_zstd(in);
	archive_read_support_filter_lz4(in);

	/* Our own checks come first (with clear messages); libarchive's
	 * are a second line.  No ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS:
	 * every path is DEST/... by now.  No user/group name look-ups: the
	 * host's names mean nothing in the root filesystem, ids are kept. */
	int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_XATTR |
	            ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT;
	if (opts.keep_owner)
		flags |= ARCHIVE_EXTRACT_OWNER;
	archive_write_disk_set_options(out, flags);

	if (archive_read_open(in, h, NULL, hashed_read, NULL) != ARCHIVE_OK) {
		int e = archive_errno(in);
		if (e > 0 && e < 4096 && e != EILSEQ)
			return hk_err_set(err, e, "%s", label);
		return hk_err_plain(err, EINVAL, "%s: not a tar archive (%s)", label,
		                    archive_error_string(in) ?: "unknown format");
	}
	int r = unpack_entries(in, out, rdest, &opts, (long long)st.st_size, err);
	if (r == 0 && opts.sha256)
		r = check_hash(h, opts.sha256, label, err);
	if (opts.progress) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	return r;
}

int hk_sha256_file(const char *path, char hex[65], hk_err *err)
{
	_cleanup_free_ struct hashed_reader *h = malloc(sizeof(*h));
	if (!h)
		return hk_err_set(err, ENOMEM, "%s", path);
	_cleanup_close_ int fd = h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "%s", path);
	sha256_init(&h->ctx);
	ssize_t n;
	while ((n = hash_chunk(h)) > 0)
		;
	if (n < 0)
		return hk_err_set(err, (int)-n, "read %s", path);
	hex_digest(&h->ctx, hex);
	return 0;
}
