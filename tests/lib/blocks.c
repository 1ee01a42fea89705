/* SPDX-License-Identifier: MIT */
#include "blocks.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "capfile.h"
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
	const uint8_t *h = file + b->data_off;
	uint32_t raw_len = aat_le32(h + AA_CH_RAW_LEN);
	uint32_t stored = aat_le32(h + AA_CH_STORED_LEN);
	if (stored > b->data_len - AA_CHUNK_HEADER_SIZE)
		return -1;
	uint8_t *buf = malloc(raw_len ? raw_len : 1);
	if (!buf)
		return -1;
	size_t got = ZSTD_decompress(buf, raw_len, h + AA_CHUNK_HEADER_SIZE, stored);
	if (ZSTD_isError(got) || got != raw_len) {
		free(buf);
		return -1;
	}
	*raw = buf;
	*len = got;
	return 0;
}
