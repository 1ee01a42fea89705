/* SPDX-License-Identifier: MIT */
/*
 * Conversations (library-internal, under aa_follow): TLS pieces joined into
 * calls per thread, calls grouped by connection, each connection's calls
 * handed to its decoder in order. Bounded: AA_FOLLOW_MAX_CONNS connections
 * and CONV_MAX_OPEN calls being joined at once.
 */
#ifndef AA_CONV_H
#define AA_CONV_H

#include "aa_follow.h"
#include "decode.h"
#include "conv_table.h"
#include "follow_order.h"

#define CONV_MAX_OPEN 1024

struct conv_open;

struct conv {
	const struct aa_follow_opts *opts;
	const struct aa_follow_callbacks *cb;
	void *user;
	int stop;                 /* a callback's non-zero return */
	struct conv_table conns;
	uint64_t uses;            /* pieces taken in: when a call slot was used last */
	struct conv_open *open;   /* calls being joined, CONV_MAX_OPEN */
	size_t nopen;             /* slots ever used: open[nopen..] never were */
	size_t hint;              /* the slot found last */
	struct follow_order order; /* with opts->ordered: what waits for time order */
	uint64_t pieces;          /* TLS pieces taken in */
};

/* 0, or AA_E_NOMEM. */
int conv_init(struct conv *v, const struct aa_follow_opts *opts, const struct aa_follow_callbacks *cb,
	      void *user);
/* One TLS piece as aa_next delivered it. */
void conv_piece(struct conv *v, const struct aa_record *rec);
/* Process pid of origin exited: its calls being joined are delivered and
 * the connections it opened end (their memory goes with them). */
void conv_exit(struct conv *v, uint32_t origin, uint32_t pid);
/* The input ended: open calls delivered as they are, every connection ended. */
void conv_end(struct conv *v);
void conv_free(struct conv *v);

#endif /* AA_CONV_H */
