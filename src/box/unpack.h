/* unpack.h - root filesystems from tarballs (`docker export` output,
 * plain, .gz, .bz2, .xz, .zst, .lz4), with libarchive. */
#ifndef HUSK_BOX_UNPACK_H
#define HUSK_BOX_UNPACK_H

#include <stdbool.h>

#include "util/error.h"

typedef struct hk_unpack_opts {
	bool keep_owner;   /* chown entries to their uid/gid (root, or a full id map) */
	bool skip_devices; /* in a user namespace: device nodes are skipped, not errors */
	bool progress;     /* a progress line on stderr ("\r" updated, cleared at the end) */
	const char *label; /* the name shown in errors and progress (the tarball's path) */
	/* when set: the SHA-256 (hex) the bytes read must have; a tarball
	 * that changed while it was unpacked is an error (the cache is keyed
	 * by that hash) */
	const char *sha256;
} hk_unpack_opts;

/* Unpack the tarball TAR into DEST, an existing empty directory.  Entries
 * that would land outside DEST are refused before anything of them is
 * written, with an error naming the entry: an absolute path, a ".."
 * component, a hard link to such a path, or a path through a symbolic
 * link of the archive ("arch.tar: entry \"../escape\": leads outside the
 * root filesystem (\"..\")").  Symbolic links themselves may point
 * anywhere (they are resolved inside the container).  On error DEST may
 * hold part of the archive; the caller removes it. */
int hk_unpack(const char *tar, const char *dest, const hk_unpack_opts *o, hk_err *err);

/* The SHA-256 of a file's content, as 64 lowercase hex digits. */
int hk_sha256_file(const char *path, char hex[65], hk_err *err);

#endif
