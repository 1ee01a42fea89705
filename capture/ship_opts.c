/* SPDX-License-Identifier: MIT */
/* aa-capture's shipping options (ship.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cap_opts.h"
#include "ship.h"
#include "ship_url.h"

static int bad(const char *fmt, const char *arg)
{
	fputs("aa-capture: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\naa-capture --help lists every option\n", stderr);
	return CAP_EXIT_USAGE;
}

/* A positive decimal number, fractions allowed, in (0, max]. */
static int number(const char *s, double max, double *out)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v <= 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int ship_opts_take(struct ship_opts *o, int opt, const char *arg)
{
	struct aa_ship_url u;
	char why[256];
	double v;

	switch (opt) {
	case SHIP_OPT_URL:
		if (aa_ship_url_parse(&u, arg, why, sizeof(why)) != 0) {
			fprintf(stderr, "aa-capture: --ship %s: %s\n", arg, why);
			return CAP_EXIT_USAGE;
		}
		o->url = arg;
		return -1;
	case SHIP_OPT_REPLICAS:
		if (number(arg, 5, &v) != 0 || v != (int)v)
			return bad("--ship-replicas %s: not from 1 to 5", arg);
		o->replicas = (int)v;
		return -1;
	case SHIP_OPT_CREDS:
		o->creds = arg;
		return -1;
	case SHIP_OPT_TLS_CA:
		o->tls_ca = arg;
		return -1;
	case SHIP_OPT_SPOOL:
		o->spool_dir = arg;
		return -1;
	case SHIP_OPT_SPOOL_MAX:
		if (number(arg, 1e7, &v) != 0)
			return bad("--spool-max %s: not a positive number of megabytes", arg);
		o->spool_max = (uint64_t)(v * 1e6);
		return -1;
	case SHIP_OPT_WAIT:
		if (number(arg, 86400, &v) != 0)
			return bad("--ship-wait %s: not a positive number of seconds", arg);
		o->wait_ms = (unsigned)(v * 1000);
		return -1;
	default:
		return bad("%s: not a shipping option", "?");
	}
}
