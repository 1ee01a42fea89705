/* SPDX-License-Identifier: MIT */
/* Output file names (names.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

void namer_init(struct namer *n, const char *pattern, unsigned ring)
{
	memset(n, 0, sizeof(*n));
	n->pattern = pattern;
	n->ring = ring;
	n->has_conversions = strchr(pattern, '%') != NULL;
}

/* Digits of the largest ring index, N-1: 0 for a ring of one file. */
static int ring_width(unsigned ring)
{
	int d = 0;

	for (unsigned v = ring - 1; v > 0; v /= 10)
		d++;
	return d;
}

int namer_next(struct namer *n, time_t t, char *out, size_t size)
{
	char base[PATH_MAX];
	struct tm tm;
	int len;

	if (n->has_conversions) {
		/* strftime returns 0 both for "too long" and for an empty result. */
		if (!localtime_r(&t, &tm) || strftime(base, sizeof(base), n->pattern, &tm) == 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
	} else if (snprintf(base, sizeof(base), "%s", n->pattern) >= (int)sizeof(base)) {
		errno = ENAMETOOLONG;
		return -1;
	}

	if (n->ring > 1 && !n->has_conversions) {
		len = snprintf(out, size, "%s%0*u", base, ring_width(n->ring),
			       (unsigned)(n->files % n->ring));
	} else if (n->ring == 1 && !n->has_conversions) {
		len = snprintf(out, size, "%s", base); /* a ring of one: the name itself */
	} else {
		if (n->files > 0 && strcmp(base, n->prev_base) == 0)
			n->repeats++;
		else
			n->repeats = 0;
		memcpy(n->prev_base, base, sizeof(base));
		len = n->repeats ? snprintf(out, size, "%s%u", base, n->repeats)
				 : snprintf(out, size, "%s", base);
	}
	if (len < 0 || (size_t)len >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n->files++;
	return 0;
}
