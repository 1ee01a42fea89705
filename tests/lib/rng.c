/* SPDX-License-Identifier: MIT */
#include "rng.h"

#include <string.h>

void aat_rng_seed(struct aat_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t aat_rand(struct aat_rng *r)
{
	uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint32_t aat_below(struct aat_rng *r, uint32_t n)
{
	return (uint32_t)(((aat_rand(r) >> 32) * n) >> 32);
}

uint64_t aat_between(struct aat_rng *r, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1;
	return span == 0 ? aat_rand(r) : lo + aat_rand(r) % span;
}

void aat_fill(struct aat_rng *r, void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n >= 8) {
		uint64_t v = aat_rand(r);
		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = aat_rand(r);
		memcpy(p, &v, n);
	}
}
