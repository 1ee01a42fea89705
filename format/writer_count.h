/* SPDX-License-Identifier: MIT */
/*
 * What aa-capture asks the writer on every record, without what
 * aa_writer_get_info() also computes (the stream digest), and how it adds
 * records. Private to the toolkit: not installed, not exported.
 */
#ifndef AA_WRITER_COUNT_H
#define AA_WRITER_COUNT_H

#include <stdint.h>

#include "writer.h"

/*
 * aa_writer_add, and *copy set to where the record is now in the chunk being
 * gathered: 8-byte aligned, valid until the next call on w. A caller that
 * must parse the record does it there, instead of copying it once more to
 * align it.
 */
AA_MUST_CHECK int aa_writer_add_at(struct aa_writer *w, const void *rec, size_t len,
				   const void **copy);

/* RECORDS chunks written to the file so far. */
uint64_t aa_writer_chunk_count(const struct aa_writer *w);

/* RECORDS chunks closed so far: written, or (with threads) still being
 * compressed and written. Each takes every record added before it. */
uint64_t aa_writer_chunks_sealed(const struct aa_writer *w);

/*
 * Whether the file holds at least `bytes` once every chunk closed so far is
 * written (-C). With threads, waits for compressions only when the answer
 * depends on their sizes, so that it is the same as without threads.
 */
int aa_writer_reached(struct aa_writer *w, uint64_t bytes);

/*
 * Closes the RECORDS chunk being filled and, with threads, waits until every
 * closed chunk is written and given to the sink: what the sink counts (a
 * full ship spool's drops) is then known before the last STATS is made.
 * 0 or the writer's error.
 */
int aa_writer_settle(struct aa_writer *w);

#endif /* AA_WRITER_COUNT_H */
