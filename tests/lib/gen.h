/* SPDX-License-Identifier: MIT */
/* Random records for round trips: valid records of each known type, with
 * every field exercised, and plain random bytes of any length. */
#ifndef AAT_GEN_H
#define AAT_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "recs.h"
#include "rng.h"

/* The largest record any generator here writes. */
#define AAT_GEN_MAX AA_TLS_EVENT_SIZE

/*
 * Writes a record of known type `type` that aa_parse accepts (error 0), with
 * time stamp ts and random fields; bytes after a string's NUL are random
 * too, so a round trip proves every byte is kept. buf holds AAT_GEN_MAX.
 * Returns the record's size.
 */
size_t aat_gen_valid(struct aat_rng *r, enum aa_type type, uint64_t ts, void *buf);

/*
 * Writes a record of known type `type` (not exit, which has nothing to get
 * wrong) with exactly one bad field; returns the AA_E_* aa_parse must give.
 */
int aat_gen_invalid(struct aat_rng *r, enum aa_type type, uint64_t ts, void *buf);

/* A length in 1..max that no known type has. */
size_t aat_gen_unknown_len(struct aat_rng *r, size_t max);

/* What a mix holds, counted as the parser must count it. */
struct aat_mix_counts {
	uint64_t by_type[AA_TYPE_COUNT];
	uint64_t invalid; /* known sizes with a bad field */
};

/*
 * Appends n records to out: mostly valid records of the four types, some
 * invalid ones (one bad field each) and some of unknown sizes 1..max_len
 * with random bytes; none longer than max_len. Time stamps of the known
 * types grow from *ts. counts (if not NULL) is added to.
 */
void aat_gen_mix(struct aat_rng *r, size_t n, size_t max_len, uint64_t *ts, struct aat_recs *out,
		 struct aat_mix_counts *counts);

/* aat_gen_mix of n records from a generator seeded with seed, time stamps from 1. */
void aat_mix(uint64_t seed, size_t n, size_t max_len, struct aat_recs *out,
	     struct aat_mix_counts *counts);

#endif
