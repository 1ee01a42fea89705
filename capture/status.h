/* SPDX-License-Identifier: MIT */
/*
 * What aa-capture tells while it runs: a status line on stderr, refreshed
 * once a second while stderr is a terminal (events per second by type, MB
 * written, compression ratio, drops), and the statistics printed at exit and
 * on SIGUSR1.
 */
#ifndef AA_CAP_STATUS_H
#define AA_CAP_STATUS_H

#include <stdint.h>
#include <stdio.h>

#include "output.h"
#include "parse.h"

struct cap_counts {
	uint64_t by_type[AA_TYPE_COUNT]; /* records taken, by type, for the rates */
	uint64_t drops[AA_DROP_SLOTS]; /* lost in the kernel, by enum aa_drop_slot */
};

struct status {
	int enabled;
	int shown;      /* a line is on the terminal now */
	int64_t next_ms;
	int64_t last_ms;
	uint64_t last[AA_TYPE_COUNT];
};

void status_init(struct status *s, int enabled, int64_t now_ms);

/* Milliseconds until the next refresh; -1 when disabled. */
int status_timeout_ms(const struct status *s, int64_t now_ms);

/* Redraws the line if a second has passed. */
void status_refresh(struct status *s, const struct cap_counts *c,
		    const struct output_totals *t, int64_t now_ms);

/* Erases the line, so that other messages start on a clean line. */
void status_clear(struct status *s);

/* The statistics, a few lines prefixed "aa-capture: ". */
void stats_print(FILE *f, const struct cap_counts *c, const struct output_totals *t);

#endif /* AA_CAP_STATUS_H */
