/* SPDX-License-Identifier: MIT */
/*
 * format/xxh64.c against xxhsum, the reference implementation, and against
 * itself fed in pieces of every size: the stream digest adds each record as
 * a 4-byte length and then its bytes, so the buffered paths (a piece that
 * fills the 32-byte stripe, one that stays inside it, the tail kept) all run
 * on every record, at every offset within a stripe.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "files.h"
#include "tmpsuite.h"
#include "xxh64.h"

AAT_TMPDIR_SUITE(xxh64);

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

static uint64_t whole(const uint8_t *b, size_t n)
{
	struct aa_xxh64 h;

	aa_xxh64_init(&h, 0);
	aa_xxh64_update(&h, b, n);
	return aa_xxh64_digest(&h);
}

static uint64_t xxhsum(const uint8_t *b, size_t n)
{
	char *path = aat_path(dir, "bytes"), cmd[512], out[256];

	cr_assert_eq(aat_write_file(path, b, n), 0);
	snprintf(cmd, sizeof(cmd), "xxhsum -H1 '%s'", path);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0, "xxhsum failed (make deps installs xxhash)");
	free(path);
	return strtoull(out, NULL, 16);
}

Test(xxh64, matches_xxhsum_around_every_stripe_boundary)
{
	static const size_t lens[] = { 0, 1, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 100, 4133 };
	uint8_t b[4133];

	fill(b, sizeof(b), 7);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint64_t want = xxhsum(b, lens[i]);
		cr_expect_eq(whole(b, lens[i]), want, "%zu bytes: %016" PRIx64 ", xxhsum %016" PRIx64, lens[i],
			     whole(b, lens[i]), want);
		cr_expect_eq(aa_xxh64(b, lens[i], 0), want, "%zu bytes at once", lens[i]);
	}
}

/* Pieces of k bytes (k = 1 … 40, an empty one after each), and the stream
 * digest's own pattern: a 4-byte length, then n bytes, for n = 0 … 70. */
Test(xxh64, any_split_gives_the_digest_of_the_whole)
{
	uint8_t b[3000];

	fill(b, sizeof(b), 11);
	for (size_t n = 0; n <= 300; n += 1 + n / 16) {
		uint64_t want = whole(b, n);
		for (size_t k = 1; k <= 40; k++) {
			struct aa_xxh64 h;

			aa_xxh64_init(&h, 0);
			for (size_t at = 0; at < n; at += k) {
				aa_xxh64_update(&h, b + at, n - at < k ? n - at : k);
				aa_xxh64_update(&h, b, 0);
			}
			cr_expect_eq(aa_xxh64_digest(&h), want, "%zu bytes in pieces of %zu", n, k);
		}
	}
	for (size_t start = 0; start < 32; start++) {
		struct aa_xxh64 h, framed;
		size_t at = 0;

		aa_xxh64_init(&framed, 0);
		aa_xxh64_update(&framed, b, start); /* every offset within a stripe */
		at = start;
		for (uint32_t n = 0; n <= 70 && at + 4 + n <= sizeof(b); n++) {
			aa_xxh64_update(&framed, b + at, 4);
			aa_xxh64_update(&framed, b + at + 4, n);
			at += 4 + n;
		}
		aa_xxh64_init(&h, 0);
		aa_xxh64_update(&h, b, at);
		cr_expect_eq(aa_xxh64_digest(&framed), aa_xxh64_digest(&h), "records from offset %zu", start);
	}
}

/* At once (aa_xxh64) as in pieces, with a seed too. */
Test(xxh64, at_once_equals_streamed_with_any_seed)
{
	static const uint64_t seeds[] = { 0, 1, 0x9e3779b97f4a7c15ull, ~0ull };
	uint8_t b[300];

	fill(b, sizeof(b), 5);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		for (size_t n = 0; n <= sizeof(b); n++) {
			struct aa_xxh64 h;

			aa_xxh64_init(&h, seeds[i]);
			aa_xxh64_update(&h, b, n / 3);
			aa_xxh64_update(&h, b + n / 3, n - n / 3);
			cr_expect_eq(aa_xxh64(b, n, seeds[i]), aa_xxh64_digest(&h), "%zu bytes, seed %" PRIx64, n,
				     seeds[i]);
		}
}
