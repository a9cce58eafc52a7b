/* test_clock.c - hk_utc_format() (util/clock.c) against the C library's
 * gmtime_r() over four centuries and around the epoch. */
#include <time.h>

#include "check.h"
#include "util/clock.h"

static void libc_format(time_t t, char *out)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, HK_UTC_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
}

TEST(known_instants)
{
	char buf[HK_UTC_LEN];
	hk_utc_format(0, buf);
	CHECK_STREQ(buf, "1970-01-01T00:00:00");
	hk_utc_format(951782400, buf); /* a leap day in a century's leap year */
	CHECK_STREQ(buf, "2000-02-29T00:00:00");
	hk_utc_format(4107542399, buf); /* no leap day in 2100 */
	CHECK_STREQ(buf, "2100-02-28T23:59:59");
	hk_utc_format(-1, buf);
	CHECK_STREQ(buf, "1969-12-31T23:59:59");
}

TEST(same_as_gmtime_r)
{
	/* every ~17 hours, a prime step, from 1800 to 2300 */
	int bad = 0;
	for (long long t = -5364662400LL; t < 10413792000LL && bad < 5; t += 61211) {
		char ours[HK_UTC_LEN], libc[HK_UTC_LEN];
		hk_utc_format((time_t)t, ours);
		libc_format((time_t)t, libc);
		if (strcmp(ours, libc) != 0) {
			fprintf(stderr, "  %lld: %s, gmtime_r %s\n", t, ours, libc);
			bad++;
		}
	}
	CHECK(bad == 0);
}

int main(void)
{
	RUN(known_instants);
	RUN(same_as_gmtime_r);
	return check_summary();
}
