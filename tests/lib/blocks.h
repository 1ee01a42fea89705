/* SPDX-License-Identifier: MIT */
/*
 * An independent walk over a capture file's pcapng blocks, written from
 * FORMAT.md and capfile.h rather than with the library's reader, so tests
 * can cut, flip and count blocks and chunks and check the library against
 * a second reading.
 */
#ifndef AAT_BLOCKS_H
#define AAT_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

struct aat_block {
	uint32_t type;  /* AA_PCAPNG_* */
	size_t off;     /* of the block in the file */
	size_t len;     /* total block length */
	/* For an Enhanced Packet Block holding a chunk (kind != 0): */
	size_t data_off;  /* file offset of the chunk header (the EPB's packet data) */
	uint32_t data_len;
	int kind;         /* enum aa_chunk_kind, 0 if not a chunk */
	uint32_t index;   /* chunk number */
	uint32_t records; /* records in the chunk */
	uint64_t first_record;
};

/*
 * Walks the blocks of a whole file held in memory. Returns how many blocks
 * are complete (*out malloc'd, free it) and stops at the first block whose
 * lengths do not fit; -1 if the file does not start with a Section Header
 * Block.
 */
long aat_blocks(const uint8_t *file, size_t size, struct aat_block **out);

/* Decodes a chunk's zstd frame into a malloc'd buffer. Returns 0 or -1. */
int aat_chunk_decode(const uint8_t *file, const struct aat_block *b, uint8_t **raw, size_t *len);

#endif
