/* clock.h - wall-clock time as text. */
#ifndef HUSK_UTIL_CLOCK_H
#define HUSK_UTIL_CLOCK_H

#include <time.h>

/* T (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SS" in UTC, into OUT
 * (HK_UTC_LEN bytes or more).  Computed here, not with gmtime_r(): glibc
 * loads /etc/localtime on the first conversion, even to UTC (seven system
 * calls and a file read on every husk create). */
#define HK_UTC_LEN 64
void hk_utc_format(time_t t, char *out);

#endif
