/* SPDX-License-Identifier: MIT */
/*
 * The origins of a file source's records (aa_replay.h's struct aa_origin):
 * one per (host, session), in the order they became known, each with a
 * copy of its first META so that its strings outlive the file they came
 * from. Shared by the groups of a merged stream. Private to the library.
 */
#ifndef AA_ORIGIN_H
#define AA_ORIGIN_H

#include "aa_replay.h"

struct aa_origins;

struct aa_origins *aa_origins_new(void);
void aa_origins_free(struct aa_origins *t);

/*
 * The index of the origin of m's host and session, added (with a copy of
 * the META's bytes raw[0..len), which m points into) when new. 0 or
 * AA_E_NOMEM; *index set.
 */
int aa_origins_find(struct aa_origins *t, const struct aa_file_meta *m, const uint8_t *raw,
		    size_t len, uint32_t *index);

/* The i-th origin, NULL past the last; writable for the counts. */
struct aa_origin *aa_origins_get(const struct aa_origins *t, uint32_t i);
uint32_t aa_origins_count(const struct aa_origins *t);

/* Counts rec (its time_ns, type and length) in its origin o (that of
 * aa_origins_get(t, rec->origin): NULL counts nothing). Inline: every
 * record read from a file comes here. */
static inline void aa_origin_count_record(struct aa_origin *o, const struct aa_record *rec)
{
	if (!o)
		return;
	o->records++;
	o->by_type[rec->ev.type]++;
	o->bytes_raw += rec->ev.len;
	if (!o->first_ns || rec->time_ns < o->first_ns)
		o->first_ns = rec->time_ns;
	if (rec->time_ns > o->last_ns)
		o->last_ns = rec->time_ns;
}

#endif /* AA_ORIGIN_H */
