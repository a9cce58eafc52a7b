/* test_size.c - hk_parse_size() (util/size.c), the one size parser of
 * `update` and `box`: docker's RAMInBytes, binary multiples. */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "util/size.h"

static int64_t size_of(const char *s)
{
	int64_t v = -42;
	return hk_parse_size(s, &v) == 0 ? v : -42;
}

TEST(plain_and_units)
{
	CHECK(size_of("0") == 0);
	CHECK(size_of("1024") == 1024);
	CHECK(size_of("1024b") == 1024);
	CHECK(size_of("1024B") == 1024);
	CHECK(size_of("512k") == 512 * 1024);
	CHECK(size_of("512K") == 512 * 1024);
	CHECK(size_of("100m") == 100LL << 20);
	CHECK(size_of("100M") == 100LL << 20);
	CHECK(size_of("1g") == 1LL << 30);
	CHECK(size_of("2t") == 2LL << 40);
	CHECK(size_of("3p") == 3LL << 50);
}

TEST(suffix_forms)
{
	/* [kmgtp] then an optional i, then an optional b, any case */
	CHECK(size_of("100Mi") == 100LL << 20);
	CHECK(size_of("100MiB") == 100LL << 20);
	CHECK(size_of("100mb") == 100LL << 20);
	CHECK(size_of("2GiB") == 2LL << 30);
	CHECK(size_of("64 kb") == 64 * 1024);
	CHECK(size_of("64 KiB") == 64 * 1024);
	CHECK(size_of("64 ") == 64); /* docker: the space, then no unit */
	CHECK(size_of("1.5g") == 3LL << 29);
	CHECK(size_of("0.5k") == 512);
}

TEST(refused)
{
	const char *bad[] = {
	    "",    "-1",   "-5m",  "+5",    "m",   "1x",        "0x10",
	    "1e3", "1.",   ".5",   "nan",   "inf", "1  m",      "1mm",
	    "1bb", "1ib ", "1kB2", "1.2.3", "8e",  "10000000p", "9223372036854775808"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v = 7;
		int r = hk_parse_size(bad[i], &v);
		if (r != -EINVAL || v != 7)
			fprintf(stderr, "  \"%s\" accepted (%lld)\n", bad[i], (long long)v);
		CHECK(r == -EINVAL && v == 7);
	}
}

TEST(limits)
{
	CHECK(size_of("9223372036854774784") == 9223372036854774784LL);
	CHECK(size_of("8191p") == 8191LL << 50);
	CHECK(size_of("8192p") == -42); /* 2^63 */
}

int main(void)
{
	RUN(plain_and_units);
	RUN(suffix_forms);
	RUN(refused);
	RUN(limits);
	return check_summary();
}
