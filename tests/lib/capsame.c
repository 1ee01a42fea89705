/* SPDX-License-Identifier: MIT */
/* Two capture files compared but for their wall-clock times (capsame.h). */
#include "capsame.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "capfile.h"
#include "files.h"
#include "pcapng.h"

/* A chunk's header with its time stamp and crc (over that time) zeroed. */
static void header_sans_time(const uint8_t *file, const struct aat_block *b, uint8_t *out)
{
	memcpy(out, file + b->data_off, AA_CHUNK_HEADER_SIZE);
	memset(out + AA_CH_WRITTEN_NS, 0, 8);
	memset(out + AA_CH_CRC, 0, 4);
}

/* A STATS or END chunk's content with its wall-clock fields zeroed; META
 * (which holds its start time among its entries) compares by its raw length. */
static int body_sans_time(const uint8_t *file, const struct aat_block *b, uint8_t **raw, size_t *len)
{
	if (aat_chunk_decode(file, b, raw, len) != 0)
		return -1;
	if (b->kind == AA_CHUNK_STATS && *len >= 8)
		memset(*raw + offsetof(struct aa_stats_body, written_ns), 0, 8);
	if (b->kind == AA_CHUNK_END && *len == sizeof(struct aa_end_body)) {
		memset(*raw + offsetof(struct aa_end_body, ended_ns), 0, 8);
		memset(*raw + offsetof(struct aa_end_body, blocks_crc), 0, 4);
	}
	if (b->kind == AA_CHUNK_META)
		memset(*raw, 0, *len);
	return 0;
}

static long compare(const uint8_t *fa, size_t na, const uint8_t *fb, size_t nb, char *why,
		    size_t ws)
{
	struct aat_block *a = NULL, *b = NULL;
	long ca = aat_blocks(fa, na, &a), cb = aat_blocks(fb, nb, &b), chunks = 0, r = -1;

	if (ca < 0 || cb < 0 || ca != cb) {
		snprintf(why, ws, "%ld blocks against %ld", ca, cb);
		goto out;
	}
	for (long i = 0; i < ca; i++) {
		const struct aat_block *x = &a[i], *y = &b[i];
		/* META, STATS and END compress wall-clock times: their lengths may differ */
		int timed = x->kind && x->kind != AA_CHUNK_RECORDS;
		if (x->type != y->type || (x->len != y->len && !timed) || x->kind != y->kind) {
			snprintf(why, ws, "block %ld: type %#x length %zu kind %d against %#x %zu %d", i,
				 x->type, x->len, x->kind, y->type, y->len, y->kind);
			goto out;
		}
		if (x->type == AA_PCAPNG_ISB)
			continue; /* its times and nothing else: the counters are in STATS */
		if (!x->kind) {
			if (memcmp(fa + x->off, fb + y->off, x->len) != 0) {
				snprintf(why, ws, "block %ld (type %#x) differs", i, x->type);
				goto out;
			}
			continue;
		}
		chunks++;
		uint8_t ha[AA_CHUNK_HEADER_SIZE], hb[AA_CHUNK_HEADER_SIZE];
		header_sans_time(fa, x, ha);
		header_sans_time(fb, y, hb);
		if (timed) {
			memset(ha + AA_CH_STORED_LEN, 0, 4);
			memset(hb + AA_CH_STORED_LEN, 0, 4);
		}
		if (memcmp(ha, hb, sizeof(ha)) != 0) {
			snprintf(why, ws, "chunk %u: headers differ", x->index);
			goto out;
		}
		if (x->kind == AA_CHUNK_RECORDS) {
			size_t off = AA_CHUNK_HEADER_SIZE;
			if (memcmp(fa + x->data_off + off, fb + y->data_off + off, x->data_len - off)) {
				snprintf(why, ws, "chunk %u: the zstd frames differ", x->index);
				goto out;
			}
			continue;
		}
		uint8_t *ra = NULL, *rb = NULL;
		size_t la = 0, lb = 0;
		int bad = body_sans_time(fa, x, &ra, &la) || body_sans_time(fb, y, &rb, &lb) ||
			  la != lb || memcmp(ra, rb, la) != 0;
		free(ra);
		free(rb);
		if (bad) {
			snprintf(why, ws, "chunk %u (kind %d): contents differ", x->index, x->kind);
			goto out;
		}
	}
	r = chunks;
out:
	free(a);
	free(b);
	return r;
}

long aat_same_capture(const char *pa, const char *pb, char *why, size_t why_size)
{
	uint8_t *fa = NULL, *fb = NULL;
	size_t na, nb;
	long r = -1;

	snprintf(why, why_size, "cannot read %s or %s", pa, pb);
	if (aat_read_file(pa, &fa, &na) == 0 && aat_read_file(pb, &fb, &nb) == 0)
		r = compare(fa, na, fb, nb, why, why_size);
	free(fa);
	free(fb);
	return r;
}
