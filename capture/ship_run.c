/* SPDX-License-Identifier: MIT */
/* aa-capture's start and end of shipping (ship.h). */
#include <stdio.h>

#include "cap_opts.h"
#include "ship.h"

int ship_start(struct cap_opts *o)
{
	if (!o->ship_opts.wait_ms)
		o->ship_opts.wait_ms = SHIP_WAIT_DEFAULT_MS;
	return ship_open(&o->ship, &o->ship_opts);
}

int ship_finish(struct cap_opts *o, int r)
{
	struct ship_stats st;

	if (!o->ship)
		return r;
	int lost = ship_close(o->ship, 0, &st); /* what is lost or left is said even with -q */
	o->ship = NULL;
	if (!o->quiet)
		fprintf(stderr,
			"aa-capture: --ship: %llu chunks (%llu bytes) acknowledged, %llu of them already "
			"stored; %llu dropped (%llu records) by a full spool; %llu failed tries\n",
			(unsigned long long)st.shipped, (unsigned long long)st.shipped_bytes,
			(unsigned long long)st.duplicates, (unsigned long long)st.dropped,
			(unsigned long long)st.dropped_records, (unsigned long long)st.failures);
	return r == CAP_EXIT_OK && lost ? CAP_EXIT_WRITE : r;
}
