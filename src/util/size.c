/* size.c - see size.h */
#include "util/size.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int hk_parse_size(const char *s, int64_t *out)
{
	size_t whole = strspn(s, "0123456789");
	if (whole == 0)
		return -EINVAL;
	const char *p = s + whole;
	if (*p == '.') {
		size_t frac = strspn(p + 1, "0123456789");
		if (frac == 0)
			return -EINVAL;
		p += 1 + frac;
	}
	/* the digits checked above are all strtod sees: no hex, exponent, nan */
	double v = strtod(s, NULL);
	if (*p == ' ')
		p++;
	static const char units[] = "kmgtp";
	const char *u = *p ? strchr(units, *p | 0x20) : NULL;
	if (u) {
		for (const char *q = units; q <= u; q++)
			v *= 1024;
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	/* 2^63 and above do not fit (9.2e18 is just below) */
	if (*p || v >= 9223372036854775808.0)
		return -EINVAL;
	*out = (int64_t)v;
	return 0;
}
