/* SPDX-License-Identifier: MIT */
/*
 * Output file names, as tcpdump makes them: the -w pattern through
 * strftime(3) at the time a file starts; a name that would repeat within one
 * run gets a number (FILE, FILE1, FILE2, ...); with a ring of N files (-W)
 * and no strftime conversion, every name is numbered FILE0 .. FILE<N-1>,
 * padded to the width of N-1 (a ring of one keeps FILE), and reused in turn.
 */
#ifndef AA_CAP_NAMES_H
#define AA_CAP_NAMES_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

struct namer {
	const char *pattern;
	unsigned ring;          /* -W N, 0: none */
	int has_conversions;    /* the pattern holds a '%' */
	uint64_t files;         /* names made so far */
	unsigned repeats;       /* earlier names in a row with the same base */
	char prev_base[PATH_MAX];
};

void namer_init(struct namer *n, const char *pattern, unsigned ring);

/* The next file's name for a file started at t: 0, or -1 if it does not fit (ENAMETOOLONG). */
int namer_next(struct namer *n, time_t t, char *out, size_t size);

#endif /* AA_CAP_NAMES_H */
