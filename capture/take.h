/* SPDX-License-Identifier: MIT */
/*
 * Records for a program that only stores them (aa-capture without --print
 * or a filter): the next record's bytes straight from a raw-stream or live
 * source, not parsed, not counted in aa_source_get_stats(), and not passed
 * through the evidence stage (joins, process table) that aa_next() runs
 * every record through. They are the records aa_next() gives without a
 * filter, in the same order (that stage never drops or reorders one).
 * A source is read one way or the other, never both.
 *
 * Private to the toolkit: not installed, not exported.
 */
#ifndef AA_TAKE_H
#define AA_TAKE_H

#include <stdint.h>

#include "aa_replay.h"

/*
 * 1 with *rec and *len set (the bytes are the source's, valid until the
 * next call on src; a raw stream's are not aligned, a live ring's are 8-byte
 * aligned), 0 at the end of a raw stream, AA_E_AGAIN when nothing came
 * within the source's timeout, or another AA_E_* with aa_source_error()
 * saying why. On a source of another kind: AA_E_INVAL.
 */
int aa_raw_take(aa_source *src, const void **rec, uint32_t *len);
int aa_live_take(aa_source *src, const void **rec, uint32_t *len);

#endif /* AA_TAKE_H */
