/* SPDX-License-Identifier: MIT */
/* Chunk encoding and checking (see chunk.h). */
#include "chunk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "aa_error.h"
#include "capfile.h"
#include "pcapng.h"
#include "xform.h"

_Static_assert(ZSTD_COMPRESSBOUND(AA_CHUNK_RAW_MAX) <= AA_CHUNK_STORED_MAX,
	       "an incompressible chunk must still fit in one block");

static void put_header(uint8_t *p, const struct aa_chunk_hdr *h)
{
	uint16_t hlen = AA_CHUNK_HEADER_SIZE;

	aa_put32(p + AA_CH_MAGIC, AA_CHUNK_MAGIC);
	p[AA_CH_VERSION] = h->encoding ? AA_CHUNK_VERSION_2 : AA_CHUNK_VERSION;
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
	aa_put32(p + AA_CH_RESERVED, h->encoding);
}

static uint32_t chunk_crc(const uint8_t *data, uint32_t stored_len)
{
	uLong crc = crc32(0L, data, AA_CH_CRC);
	return (uint32_t)crc32(crc, data + AA_CHUNK_HEADER_SIZE, stored_len);
}

long aa_chunk_encode(ZSTD_CCtx *cctx, struct aa_chunk_hdr *h, const void *raw, uint8_t *block)
{
	return aa_chunk_encode_scratch(cctx, h, raw, block, NULL);
}

long aa_chunk_encode_scratch(ZSTD_CCtx *cctx, struct aa_chunk_hdr *h, const void *raw,
			     uint8_t *block, uint8_t *scratch)
{
	uint8_t *data = block + AA_EPB_HEAD;

	if (h->raw_len > AA_CHUNK_RAW_MAX)
		return AA_E_TOO_BIG;
	/* The transform's scratch is the caller's (one per writer or worker, so
	 * threads never share one), or from the heap for this chunk only. */
	uint8_t *x = NULL;
	long x_len = -1;
	if (h->kind == AA_CHUNK_RECORDS) {
		x = scratch ? scratch : malloc(AA_XFORM_MAX);
		if (!x)
			return AA_E_NOMEM;
		x_len = aa_xform_encode(raw, h->raw_len, h->records, x);
	}
	h->encoding = x_len >= 0 ? AA_ENC_XFORM : AA_ENC_PLAIN;
	size_t n = x_len >= 0 ?
		ZSTD_compress2(cctx, data + AA_CHUNK_HEADER_SIZE, AA_CHUNK_STORED_MAX, x,
			       (size_t)x_len) :
		ZSTD_compress2(cctx, data + AA_CHUNK_HEADER_SIZE, AA_CHUNK_STORED_MAX, raw,
			       h->raw_len);
	if (x != scratch)
		free(x);
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
	uint8_t version = data[AA_CH_VERSION];
	if ((version != AA_CHUNK_VERSION && version != AA_CHUNK_VERSION_2) ||
	    hlen != AA_CHUNK_HEADER_SIZE)
		FAIL(AA_E_CHUNK, "chunk version %u, header length %u: not supported",
		     data[AA_CH_VERSION], hlen);
	h->kind = data[AA_CH_KIND];
	h->encoding = version == AA_CHUNK_VERSION_2 ? data[AA_CH_ENCODING] : AA_ENC_PLAIN;
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
	if (aa_get32(data + AA_CH_RESERVED) != h->encoding)
		FAIL(AA_E_CHUNK, "reserved field not zero");
	if (h->encoding > AA_ENC_XFORM ||
	    (h->encoding == AA_ENC_XFORM && h->kind != AA_CHUNK_RECORDS))
		FAIL(AA_E_CHUNK, "encoding %u on a chunk of kind %u: not supported", h->encoding,
		     h->kind);
	if (h->raw_len > AA_CHUNK_RAW_MAX)
		FAIL(AA_E_CHUNK, "raw length %u over the limit", h->raw_len);
	if (epb_ts != h->written_ns)
		FAIL(AA_E_CHUNK, "block time stamp differs from the chunk's");
	*stored = data + AA_CHUNK_HEADER_SIZE;
	return 0;
}

/* The frame into scratch (exactly the size it declared), then undone into out. */
static int decompress_xform(ZSTD_DCtx *dctx, const struct aa_chunk_hdr *h, const uint8_t *stored,
			    size_t size, uint8_t *out, uint8_t *scratch, char *detail)
{
	uint8_t *x = scratch ? scratch : malloc(AA_XFORM_MAX);
	if (!x)
		FAIL(AA_E_NOMEM, "no memory for a transformed chunk");
	size_t n = ZSTD_decompressDCtx(dctx, x, AA_XFORM_MAX, stored, h->stored_len);
	int rc = 0;
	if (ZSTD_isError(n)) {
		snprintf(detail, 64, "zstd: %s", ZSTD_getErrorName(n));
		rc = AA_E_ZSTD;
	} else if (n != size) {
		snprintf(detail, 64, "decoded %zu transformed bytes, frame says %zu", n, size);
		rc = AA_E_ZSTD;
	} else if (aa_xform_decode(x, n, h->records, h->raw_len, out, detail) != 0) {
		rc = AA_E_ZSTD;
	}
	if (x != scratch)
		free(x);
	return rc;
}

int aa_chunk_decompress(ZSTD_DCtx *dctx, const struct aa_chunk_hdr *h, const uint8_t *stored,
			uint8_t *out, char *detail)
{
	return aa_chunk_decompress_scratch(dctx, h, stored, out, NULL, detail);
}

int aa_chunk_decompress_scratch(ZSTD_DCtx *dctx, const struct aa_chunk_hdr *h,
				const uint8_t *stored, uint8_t *out, uint8_t *scratch,
				char *detail)
{
	/* Bounded before any work: the frame must declare exactly raw_len (a
	 * transformed chunk: at most AA_XFORM_MAX, the transform checks the rest). */
	unsigned long long size = ZSTD_getFrameContentSize(stored, h->stored_len);
	if (h->encoding == AA_ENC_XFORM) {
		if (size > AA_XFORM_MAX) /* also ZSTD_CONTENTSIZE_UNKNOWN and _ERROR */
			FAIL(AA_E_ZSTD, "zstd frame declares %llu transformed bytes", size);
	} else if (size != h->raw_len) {
		FAIL(AA_E_ZSTD, "zstd frame declares %llu bytes, chunk says %u", size, h->raw_len);
	}
	if (ZSTD_findFrameCompressedSize(stored, h->stored_len) != h->stored_len)
		FAIL(AA_E_ZSTD, "zstd frame does not fill the chunk exactly");
	/* Without its checksum a changed byte of a stored block could go unseen.
	 * The flag is bit 2 of the frame header descriptor, after the magic (RFC 8878). */
	if (aa_get32(stored) != ZSTD_MAGICNUMBER)
		FAIL(AA_E_ZSTD, "not a zstd data frame");
	if (!(stored[4] & 0x04))
		FAIL(AA_E_ZSTD, "zstd frame has no content checksum");
	if (h->encoding == AA_ENC_XFORM)
		return decompress_xform(dctx, h, stored, (size_t)size, out, scratch, detail);
	size_t n = ZSTD_decompressDCtx(dctx, out, AA_CHUNK_RAW_MAX, stored, h->stored_len);
	if (ZSTD_isError(n))
		FAIL(AA_E_ZSTD, "zstd: %s", ZSTD_getErrorName(n));
	if (n != h->raw_len)
		FAIL(AA_E_ZSTD, "decoded %zu bytes, chunk says %u", n, h->raw_len);
	return 0;
}
