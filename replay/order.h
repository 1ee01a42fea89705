/* SPDX-License-Identifier: MIT */
/*
 * Time order for a source's records (aa_replay_opts.ordered). A file
 * record carries its syscall's entry time but reaches the ring at its exit,
 * so capture order can go back in time. Records are held in a min-heap on
 * (time, arrival) and handed out once the newest record seen is a window
 * later than them; memory is bounded by the window and by a byte cap, past
 * which the oldest goes out early. Private to the library.
 */
#ifndef AA_ORDER_H
#define AA_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "aa_replay.h"
#include "source.h"

/* Bytes of records held at most (of the blocks they are copied into); past
 * it the oldest is handed out early. */
#define AA_ORDER_MAX_BYTES (64u << 20)

struct aa_order;

/* NULL when out of memory. */
struct aa_order *aa_order_new(uint64_t window_ns);

/* Takes a copy of rec, and of its bytes unless pin (their buffer, see
 * source.h) is given: then a reference to it, until the record has gone
 * out. 0 or AA_E_NOMEM. */
int aa_order_push(struct aa_order *o, const struct aa_record *rec, struct aa_pin *pin);

/*
 * The oldest record held if it is due (the newest pushed is at least the
 * window later, the byte cap is passed, or all is pushed: flush), else
 * NULL. Valid until the next pop or aa_order_free.
 */
struct aa_record *aa_order_pop(struct aa_order *o, int flush);

void aa_order_free(struct aa_order *o);

#endif /* AA_ORDER_H */
