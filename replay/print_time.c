/* SPDX-License-Identifier: MIT */
/* Wall-clock nanoseconds as RFC 3339 UTC text, without locale or tz state. */
#include "aa_print.h"

/* Year, month and day of a count of days since 1970-01-01 (proleptic
 * Gregorian calendar, computed in 400-year eras). */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468; /* days from 0000-03-01 to 1970-01-01 */
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *put_digits(char *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

char *aa_format_time(char buf[AA_TIME_BUF], uint64_t wall_ns)
{
	uint64_t secs = wall_ns / 1000000000u;
	uint64_t sod = secs % 86400;
	int64_t y;
	unsigned m, d;
	char *p = buf;

	civil_from_days((int64_t)(secs / 86400), &y, &m, &d);
	/* u64 nanoseconds end in the year 2554: four digits always suffice. */
	p = put_digits(p, (uint64_t)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	*p++ = '.';
	p = put_digits(p, wall_ns % 1000000000u, 9);
	*p++ = 'Z';
	*p = '\0';
	return buf;
}
