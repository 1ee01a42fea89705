/* SPDX-License-Identifier: MIT */
/*
 * One chunk: the 64-byte header and the zstd frame that make up the data of
 * an Enhanced Packet Block (layout in capfile.h and FORMAT.md). Encoding
 * builds the whole block; decoding checks every byte before trusting any.
 */
#ifndef AA_CHUNK_H
#define AA_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include <zstd.h>

struct aa_chunk_hdr {
	uint8_t kind;         /* enum aa_chunk_kind */
	uint8_t encoding;     /* enum aa_chunk_encoding: set by encoding, read by checking */
	uint32_t index;       /* chunk number in the file */
	uint32_t records;
	uint64_t first_record;
	uint32_t raw_len;
	uint32_t stored_len;
	uint64_t written_ns;  /* wall clock, also the EPB time stamp */
	uint64_t first_ts, last_ts;
};

/*
 * Compresses raw[0..h->raw_len) with cctx and builds the whole EPB into block
 * (AA_BLOCK_MAX bytes); sets h->stored_len and h->encoding. A RECORDS chunk
 * is transformed first (xform.h, AA_ENC_XFORM) unless its framing does not
 * allow it; other kinds are stored plain. Returns the block length, or
 * AA_E_TOO_BIG / AA_E_ZSTD / AA_E_NOMEM.
 */
long aa_chunk_encode(ZSTD_CCtx *cctx, struct aa_chunk_hdr *h, const void *raw,
		     uint8_t *block);

/*
 * aa_chunk_encode with the transform's scratch given: AA_XFORM_MAX bytes
 * (xform.h) the caller owns and no other thread uses meanwhile, or NULL
 * (then it comes from the heap for this chunk only).
 */
long aa_chunk_encode_scratch(ZSTD_CCtx *cctx, struct aa_chunk_hdr *h, const void *raw,
			     uint8_t *block, uint8_t *scratch);

/*
 * Checks an EPB's packet data as a chunk: header fields, lengths, CRC, and
 * that the EPB time stamp equals written_ns. Fills h; *stored points at the
 * zstd frame. Returns 0 or AA_E_CHUNK / AA_E_CHECKSUM, with detail (64 bytes)
 * saying which check failed.
 */
int aa_chunk_check(const uint8_t *data, size_t data_len, uint64_t epb_ts,
		   struct aa_chunk_hdr *h, const uint8_t **stored, char *detail);

/*
 * Decompresses a checked chunk into out (AA_CHUNK_RAW_MAX bytes): exactly
 * one frame of exactly h->stored_len bytes giving exactly h->raw_len bytes
 * (AA_ENC_XFORM: giving the transformed records, which are then undone into
 * exactly h->raw_len bytes). Returns 0, AA_E_ZSTD (also for transformed
 * records that do not undo) or AA_E_NOMEM.
 */
int aa_chunk_decompress(ZSTD_DCtx *dctx, const struct aa_chunk_hdr *h, const uint8_t *stored,
			uint8_t *out, char *detail);

/*
 * aa_chunk_decompress with the transformed records decoded into scratch:
 * AA_XFORM_MAX bytes the caller owns (kept beside its dctx, used by one
 * thread at a time), or NULL (then from the heap for this chunk only).
 */
int aa_chunk_decompress_scratch(ZSTD_DCtx *dctx, const struct aa_chunk_hdr *h,
				const uint8_t *stored, uint8_t *out, uint8_t *scratch,
				char *detail);

#endif /* AA_CHUNK_H */
