/* SPDX-License-Identifier: MIT */
/*
 * Time order across connections (library-internal, under aa_follow with
 * aa_follow_opts.ordered): what the decoders emit is held, as copies, until
 * nothing earlier can still come, then handed to the callbacks in the
 * order of its time (a message's: the call it began in), ties in the order
 * emitted. Held: at most FOLLOW_ORDER_MAX_BYTES; past that the earliest
 * go out at once, and what comes later with an earlier time is counted late.
 */
#ifndef AA_FOLLOW_ORDER_H
#define AA_FOLLOW_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "aa_follow.h"

#define FOLLOW_ORDER_MAX_BYTES (64u << 20)

struct follow_entry;

struct follow_order {
	struct follow_entry **heap; /* by (time, seq) */
	size_t n, cap;
	size_t bytes;
	uint64_t seq;
	uint64_t sent;              /* time of the last one handed out */
	uint64_t late;              /* handed out after a later one */
	int failed;                 /* out of memory once: delivered as they come since */
};

enum follow_what { FOLLOW_CONN, FOLLOW_CALL, FOLLOW_MSG, FOLLOW_CONN_END };

/*
 * Holds a copy of what one callback would get (c for CONN and CONN_END, a
 * call, a msg), at time t. Returns 0, or -1 when it could not be held
 * (then the caller delivers it itself).
 */
int follow_order_add(struct follow_order *q, enum follow_what what, uint64_t t, const void *item);
/*
 * Hands out, in order, what is held with a time before `before` (all of
 * it for UINT64_MAX), and the earliest beyond the byte bound. Stops at a
 * callback's non-zero return (returned).
 */
int follow_order_flush(struct follow_order *q, uint64_t before, const struct aa_follow_callbacks *cb,
		       void *user);
void follow_order_free(struct follow_order *q);
/* Calls item's callback (NULL ones skipped): its return. */
int follow_deliver(enum follow_what what, const void *item, const struct aa_follow_callbacks *cb,
		   void *user);

#endif
