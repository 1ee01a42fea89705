/* SPDX-License-Identifier: MIT */
/*
 * XXH64, streaming, written from the published xxHash specification: the
 * capture file's stream digest. Chosen because it runs at memory speed and
 * anyone can recompute it with `xxhsum -H64`. It detects damage, not forgery.
 */
#ifndef AA_XXH64_H
#define AA_XXH64_H

#include <stddef.h>
#include <stdint.h>

struct aa_xxh64 {
	uint64_t v[4];
	uint64_t total;
	uint8_t buf[32];
	uint32_t buffered;
	uint64_t seed;
};

void aa_xxh64_init(struct aa_xxh64 *s, uint64_t seed);
void aa_xxh64_update(struct aa_xxh64 *s, const void *data, size_t len);
/* The digest of everything added so far; s may go on being updated. */
uint64_t aa_xxh64_digest(const struct aa_xxh64 *s);
/* The digest of data[0..len) at once, as init, update and digest give it
 * (no state to set up and no copy: for short strings). */
uint64_t aa_xxh64(const void *data, size_t len, uint64_t seed);

#endif /* AA_XXH64_H */
