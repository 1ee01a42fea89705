/* SPDX-License-Identifier: MIT */
#include "blocks.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "capfile.h"
#include "chunk.h"
#include "files.h"

#define EPB_DATA 28 /* type, length, interface, ts high, ts low, captured, original */

static void chunk_fields(const uint8_t *file, struct aat_block *b)
{
	const uint8_t *p = file + b->off;
	if (b->type != AA_PCAPNG_EPB || b->len < EPB_DATA + 4)
		return;
	uint32_t cap = aat_le32(p + 20);
	if (cap < AA_CHUNK_HEADER_SIZE || cap > b->len - EPB_DATA - 4)
		return;
	const uint8_t *h = p + EPB_DATA;
	if (aat_le32(h + AA_CH_MAGIC) != AA_CHUNK_MAGIC)
		return;
	b->data_off = b->off + EPB_DATA;
	b->data_len = cap;
	b->kind = h[AA_CH_KIND];
	b->index = aat_le32(h + AA_CH_INDEX);
	b->records = aat_le32(h + AA_CH_RECORDS);
	b->first_record = aat_le64(h + AA_CH_FIRST_RECORD);
}

long aat_blocks(const uint8_t *file, size_t size, struct aat_block **out)
{
	*out = NULL;
	if (size < 12 || aat_le32(file) != AA_PCAPNG_SHB)
		return -1;
	size_t n = 0, cap = 0, off = 0;
	struct aat_block *v = NULL;
	while (size - off >= 12) {
		uint32_t len = aat_le32(file + off + 4);
		if (len < 12 || len % 4 || len > size - off || aat_le32(file + off + len - 4) != len)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].type = aat_le32(file + off);
		v[n].off = off;
		v[n].len = len;
		chunk_fields(file, &v[n]);
		n++;
		off += len;
	}
	*out = v;
	return (long)n;
}

int aat_chunk_decode(const uint8_t *file, const struct aat_block *b, uint8_t **raw, size_t *len)
{
	if (!b->kind)
		return -1;
	/* through the library's own check and decoder: a RECORDS chunk is
	 * stored transformed (FORMAT.md 3.1), not as a plain zstd frame */
	struct aa_chunk_hdr h;
	const uint8_t *stored;
	char detail[64];
	if (aa_chunk_check(file + b->data_off, b->data_len, (uint64_t)aat_le32(file + b->off + 12) << 32 | aat_le32(file + b->off + 16), &h,
			   &stored, detail) != 0)
		return -1;
	uint8_t *buf = malloc(AA_CHUNK_RAW_MAX);
	ZSTD_DCtx *d = ZSTD_createDCtx();
	if (!buf || !d || aa_chunk_decompress(d, &h, stored, buf, detail) != 0) {
		ZSTD_freeDCtx(d);
		free(buf);
		return -1;
	}
	ZSTD_freeDCtx(d);
	*raw = buf;
	*len = h.raw_len;
	return 0;
}
