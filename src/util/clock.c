/* clock.c - wall-clock time as text (clock.h). */
#include "util/clock.h"

#include <stdio.h>

void hk_utc_format(time_t t, char *out)
{
	long long days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* the proleptic Gregorian calendar from the day number, in eras of
	 * 400 years starting on March 1st (H. Hinnant's days_from_civil,
	 * inverted) */
	days += 719468;
	long long era = (days >= 0 ? days : days - 146096) / 146097;
	long long doe = days - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	long long day = doy - (153 * mp + 2) / 5 + 1;
	long long month = mp < 10 ? mp + 3 : mp - 9;
	long long year = yoe + era * 400 + (month <= 2);
	snprintf(out, HK_UTC_LEN, "%04lld-%02d-%02dT%02d:%02d:%02d", year, (int)month, (int)day,
	         (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}
