/* SPDX-License-Identifier: MIT */
/*
 * Time arguments of --since and --until: RFC 3339 (zone optional, UTC when
 * missing), seconds since the epoch, or an offset like "+5s" from a base.
 */
#include <string.h>

#include "cli.h"

#define NS 1000000000ull

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, 400-year eras). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* Exactly n digits at *p as a number; advances *p. -1 if not digits. */
static int64_t digits(const char **p, int n)
{
	int64_t v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/*
 * An unsigned number with an optional fraction, scaled by unit_ns; advances
 * *p. -1 when it is not one, -2 when it is past what u64 nanoseconds hold
 * (18446744073.709551615 s): a wrapped value would read as no bound at all.
 */
static int decimal(const char **p, uint64_t unit_ns, uint64_t *ns)
{
	const char *s = *p;
	uint64_t whole = 0, frac = 0, scale = 1, scaled;
	int over = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		over |= __builtin_mul_overflow(whole, 10, &whole) ||
			__builtin_add_overflow(whole, (uint64_t)(*s - '0'), &whole);
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (scale < NS) { /* digits past nanoseconds are ignored */
				frac = frac * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
		}
	}
	*p = s;
	if (over || __builtin_mul_overflow(whole, unit_ns, &scaled) ||
	    __builtin_add_overflow(scaled, (uint64_t)((unsigned __int128)frac * unit_ns / scale), ns))
		return -2;
	return 0;
}

static int parse_offset(const char *s, uint64_t *ns)
{
	static const struct { const char *name; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", NS },
		{ "m", 60 * NS }, { "h", 3600 * NS }, { "", NS },
	};
	const char *end = s;

	while ((*end >= '0' && *end <= '9') || *end == '.')
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		const char *p = s;

		if (strcmp(end, units[i].name) == 0) {
			int rc = decimal(&p, units[i].ns, ns);

			return p == end ? rc : -1;
		}
	}
	return -1;
}

static int parse_rfc3339(const char *s, uint64_t *ns)
{
	int64_t y, mo, d, h, mi, sec, off = 0;
	uint64_t frac = 0;

	if ((y = digits(&s, 4)) < 0 || *s++ != '-' || (mo = digits(&s, 2)) < 1 || mo > 12 ||
	    *s++ != '-' || (d = digits(&s, 2)) < 1 || d > 31)
		return -1;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return -1;
	s++;
	if ((h = digits(&s, 2)) < 0 || h > 23 || *s++ != ':' || (mi = digits(&s, 2)) < 0 ||
	    mi > 59 || *s++ != ':' || (sec = digits(&s, 2)) < 0 || sec > 60)
		return -1;
	if (*s == '.') {
		const char *p = s - 1; /* decimal() wants a digit first: reuse the last one */
		uint64_t v;

		if (decimal(&p, NS, &v) != 0)
			return -1;
		frac = v % NS;
		s = p;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s++ == '-' ? -1 : 1;
		int64_t oh, om;

		if ((oh = digits(&s, 2)) < 0 || oh > 23 || *s++ != ':' || (om = digits(&s, 2)) < 0 ||
		    om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*s)
		return -1;
	int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
		    sec - off;
	if (t < 0 || __builtin_mul_overflow((uint64_t)t, NS, ns) || __builtin_add_overflow(*ns, frac, ns))
		return -2; /* before 1970, or after 2554-07-21T23:34:33.709551615Z */
	return 0;
}

int cli_parse_time(const char *text, uint64_t base_ns, uint64_t *ns, int *is_offset)
{
	const char *p = text;
	int rc;

	*is_offset = text[0] == '+';
	if (*is_offset) {
		uint64_t off;

		if ((rc = parse_offset(text + 1, &off)) != 0)
			return rc;
		if (off > UINT64_MAX - base_ns)
			return -2;
		*ns = base_ns + off;
		return 0;
	}
	if (strlen(text) >= 10 && text[4] == '-')
		return parse_rfc3339(text, ns);
	if ((rc = decimal(&p, NS, ns)) != 0)
		return rc == -2 && *p == '\0' ? -2 : -1;
	return *p == '\0' ? 0 : -1;
}
