/* SPDX-License-Identifier: MIT */
/* Random records for round trips: valid records of each known type, with
 * every field exercised, and plain random bytes of any length. */
#ifndef AAT_GEN_H
#define AAT_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
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

/* A length in 1..max that no known type has. */
size_t aat_gen_unknown_len(struct aat_rng *r, size_t max);

#endif
