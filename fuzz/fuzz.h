/* fuzz.h - what the libFuzzer harnesses of fuzz/ share.
 *
 * Each harness feeds one kind of untrusted input to the code husk runs on
 * it (the same objects as build/husk, built by clang with ASan + UBSan in
 * build-fuzz/) and checks the error convention besides: a rejected input
 * returns -errno with a positive code and a message (util/error.h).
 * Nothing a harness reaches may touch the system (no mounts, cgroups,
 * namespaces, state directories). */
#ifndef HUSK_FUZZ_FUZZ_H
#define HUSK_FUZZ_FUZZ_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant: a crash libFuzzer records (abort()), with why. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			dprintf(2, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond);    \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* R from a husk function that filled ERR: 0, or -ERR->code with a
 * message. */
static inline void fuzz_check_err(int r, const hk_err *err)
{
	FUZZ_ASSERT(r <= 0);
	if (r == 0)
		return;
	FUZZ_ASSERT(err->code > 0 && r == -err->code);
	FUZZ_ASSERT(err->msg[0] != '\0');
	FUZZ_ASSERT(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
}

/* DATA as a NUL-terminated string (malloc'd; embedded NULs end it early,
 * as for a C string from argv or a file read as text). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
