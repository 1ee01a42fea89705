/* SPDX-License-Identifier: MIT */
/* A small deterministic random generator (splitmix64): the same seed gives
 * the same records on every machine, so failures can be replayed. */
#ifndef AAT_RNG_H
#define AAT_RNG_H

#include <stddef.h>
#include <stdint.h>

struct aat_rng {
	uint64_t state;
};

void aat_rng_seed(struct aat_rng *r, uint64_t seed);
uint64_t aat_rand(struct aat_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t aat_below(struct aat_rng *r, uint32_t n);
/* Uniform in [lo, hi]. */
uint64_t aat_between(struct aat_rng *r, uint64_t lo, uint64_t hi);
void aat_fill(struct aat_rng *r, void *buf, size_t n);

#endif
