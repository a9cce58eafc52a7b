/* size.h - sizes as docker and runc write them ("512m", "1.5g", "2GiB"). */
#ifndef HUSK_UTIL_SIZE_H
#define HUSK_UTIL_SIZE_H

#include <stdint.h>

/* docker's RAMInBytes, which runc's `update` and husk's `box` options use:
 * DIGITS[.DIGITS], an optional space, an optional unit k, m, g, t or p
 * (binary multiples, any case), then an optional "i" and an optional "b"
 * ("1024", "1024b", "512k", "100M", "100Mi", "1.5g", "2GiB", "64 kb").
 * No sign, hex or exponent; "-1" is not a size (callers that take it for
 * "unlimited" check for it first).  -EINVAL when S is not a size or is
 * 2^63 bytes or more; *OUT is then unchanged. */
int hk_parse_size(const char *s, int64_t *out);

#endif
