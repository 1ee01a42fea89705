/* SPDX-License-Identifier: MIT */
/* Chunk encoding and checking (see chunk.h). */
#include "chunk.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "aa_error.h"
#include "capfile.h"
#include "pcapng.h"

_Static_assert(ZSTD_COMPRESSBOUND(AA_CHUNK_RAW_MAX) <= AA_CHUNK_STORED_MAX,
	       "an incompressible chunk must still fit in one block");

static void put_header(uint8_t *p, const struct aa_chunk_hdr *h)
{
	uint16_t hlen = AA_CHUNK_HEADER_SIZE;

	aa_put32(p + AA_CH_MAGIC, AA_CHUNK_MAGIC);
	p[AA_CH_VERSION] = AA_CHUNK_VERSION;
	p[AA_CH_KIND] = h->kind;
	memcpy(p + AA_CH_HEADER_LEN, &hlen, 2);
	aa_put32(p + AA_CH_INDEX, h->index);
	aa_put32(p + AA_CH_RECORDS, h->records);
	aa_put64(p + AA_CH_FIRST_RECORD, h->first_record);
	aa_put32(p + AA_CH_RAW_LEN, h->raw_len);
	aa_put32(p + AA_CH_STORED_LEN, h->stored_len);
	aa_put64(p + AA_CH_WRITTEN_NS, h->written_ns);
	aa_put64(p + AA_CH_FIRST_TS, h->first_ts);
	aa_put64(p + AA_CH_LAST_TS, h->last_ts);
	aa_put32(p + AA_CH_RESERVED, 0);
}

static uint32_t chunk_crc(const uint8_t *data, uint32_t stored_len)
{
	uLong crc = crc32(0L, data, AA_CH_CRC);
	return (uint32_t)crc32(crc, data + AA_CHUNK_HEADER_SIZE, stored_len);
}

long aa_chunk_encode(ZSTD_CCtx *cctx, struct aa_chunk_hdr *h, const void *raw, uint8_t *block)
{
	uint8_t *data = block + AA_EPB_HEAD;

	if (h->raw_len > AA_CHUNK_RAW_MAX)
		return AA_E_TOO_BIG;
	size_t n = ZSTD_compress2(cctx, data + AA_CHUNK_HEADER_SIZE, AA_CHUNK_STORED_MAX, raw,
				  h->raw_len);
	if (ZSTD_isError(n))
		return AA_E_ZSTD;
	h->stored_len = (uint32_t)n;
	put_header(data, h);
	aa_put32(data + AA_CH_CRC, chunk_crc(data, h->stored_len));
	return (long)aa_pcapng_epb_frame(block, h->written_ns, AA_CHUNK_HEADER_SIZE + h->stored_len);
}

#define FAIL(code, ...)                                   \
	do {                                              \
		snprintf(detail, 64, __VA_ARGS__);        \
		return code;                              \
	} while (0)

int aa_chunk_check(const uint8_t *data, size_t data_len, uint64_t epb_ts,
		   struct aa_chunk_hdr *h, const uint8_t **stored, char *detail)
{
	uint16_t hlen;

	if (data_len < AA_CHUNK_HEADER_SIZE)
		FAIL(AA_E_CHUNK, "packet of %zu bytes is too short for a chunk", data_len);
	if (aa_get32(data + AA_CH_MAGIC) != AA_CHUNK_MAGIC)
		FAIL(AA_E_CHUNK, "no chunk magic");
	memcpy(&hlen, data + AA_CH_HEADER_LEN, 2);
	if (data[AA_CH_VERSION] != AA_CHUNK_VERSION || hlen != AA_CHUNK_HEADER_SIZE)
		FAIL(AA_E_CHUNK, "chunk version %u, header length %u: not supported",
		     data[AA_CH_VERSION], hlen);
	h->kind = data[AA_CH_KIND];
	h->index = aa_get32(data + AA_CH_INDEX);
	h->records = aa_get32(data + AA_CH_RECORDS);
	h->first_record = aa_get64(data + AA_CH_FIRST_RECORD);
	h->raw_len = aa_get32(data + AA_CH_RAW_LEN);
	h->stored_len = aa_get32(data + AA_CH_STORED_LEN);
	h->written_ns = aa_get64(data + AA_CH_WRITTEN_NS);
	h->first_ts = aa_get64(data + AA_CH_FIRST_TS);
	h->last_ts = aa_get64(data + AA_CH_LAST_TS);
	if (h->stored_len != data_len - AA_CHUNK_HEADER_SIZE)
		FAIL(AA_E_CHUNK, "stored length %u, packet holds %zu", h->stored_len,
		     data_len - AA_CHUNK_HEADER_SIZE);
	if (chunk_crc(data, h->stored_len) != aa_get32(data + AA_CH_CRC))
		FAIL(AA_E_CHECKSUM, "crc32 mismatch");
	/* Past the CRC every field is as written; these catch a writer's bug. */
	if (h->kind < AA_CHUNK_RECORDS || h->kind > AA_CHUNK_END)
		FAIL(AA_E_CHUNK, "unknown chunk kind %u", h->kind);
	if (aa_get32(data + AA_CH_RESERVED) != 0)
		FAIL(AA_E_CHUNK, "reserved field not zero");
	if (h->raw_len > AA_CHUNK_RAW_MAX)
		FAIL(AA_E_CHUNK, "raw length %u over the limit", h->raw_len);
	if (epb_ts != h->written_ns)
		FAIL(AA_E_CHUNK, "block time stamp differs from the chunk's");
	*stored = data + AA_CHUNK_HEADER_SIZE;
	return 0;
}

int aa_chunk_decompress(ZSTD_DCtx *dctx, const struct aa_chunk_hdr *h, const uint8_t *stored,
			uint8_t *out, char *detail)
{
	/* Bounded before any work: the frame must declare exactly raw_len. */
	unsigned long long size = ZSTD_getFrameContentSize(stored, h->stored_len);
	if (size != h->raw_len)
		FAIL(AA_E_ZSTD, "zstd frame declares %llu bytes, chunk says %u", size, h->raw_len);
	if (ZSTD_findFrameCompressedSize(stored, h->stored_len) != h->stored_len)
		FAIL(AA_E_ZSTD, "zstd frame does not fill the chunk exactly");
	/* Without its checksum a changed byte of a stored block could go unseen.
	 * The flag is bit 2 of the frame header descriptor, after the magic (RFC 8878). */
	if (aa_get32(stored) != ZSTD_MAGICNUMBER)
		FAIL(AA_E_ZSTD, "not a zstd data frame");
	if (!(stored[4] & 0x04))
		FAIL(AA_E_ZSTD, "zstd frame has no content checksum");
	size_t n = ZSTD_decompressDCtx(dctx, out, AA_CHUNK_RAW_MAX, stored, h->stored_len);
	if (ZSTD_isError(n))
		FAIL(AA_E_ZSTD, "zstd: %s", ZSTD_getErrorName(n));
	if (n != h->raw_len)
		FAIL(AA_E_ZSTD, "decoded %zu bytes, chunk says %u", n, h->raw_len);
	return 0;
}
