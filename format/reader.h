/* SPDX-License-Identifier: MIT */
/*
 * Reading a capture file block by block: the pcapng structure, each chunk
 * checked (lengths, CRC, order) before it is handed out, and decoded on
 * request. Holds a window of two blocks and one decoded chunk at a time,
 * whatever the file's size. The replay library builds record iteration on top.
 */
#ifndef AA_READER_H
#define AA_READER_H

#include <stddef.h>
#include <stdint.h>

#include "chunk.h"

struct aa_reader;

struct aa_read_error {
	int code;       /* AA_E_* */
	int sys_errno;  /* for AA_E_IO */
	int64_t offset; /* file offset of the block concerned, -1 if none */
	int64_t chunk;  /* chunk number, -1 if not known */
	char detail[160];
};

struct aa_chunk_view {
	struct aa_chunk_hdr h;
	const uint8_t *stored; /* the zstd frame, valid until the next call */
	int64_t offset;        /* file offset of its block */
	uint32_t block_len;
	uint32_t iface;        /* its EPB's interface: the source, in a merged file */
};

enum aa_read_result {
	AA_READ_END = 0,     /* the end of the file, at a block boundary */
	AA_READ_CHUNK = 1,   /* a checked chunk */
	AA_READ_SECTION = 2, /* another section begins (files concatenated): chunk numbers restart */
};

/* path "-" reads standard input; a pipe or FIFO is read, and searched after
 * damage, as a file is. Returns 0 or AA_E_*, err filled. */
int aa_reader_open(struct aa_reader **r, const char *path, struct aa_read_error *err);

/* Reads the input through fn instead of a file: like read(2), up to n bytes
 * into buf, 0 at the end, -1 with errno. Read as a pipe is: never seeked. */
typedef long (*aa_reader_read_fn)(void *user, void *buf, size_t n);
int aa_reader_open_fn(struct aa_reader **r, aa_reader_read_fn fn, void *user,
		      struct aa_read_error *err);

/*
 * The next chunk. Skips blocks that are not chunks (reading ISBs' counters),
 * but after an END chunk only a new section may follow. Returns an enum
 * aa_read_result, or a negative AA_E_* with aa_reader_error() filled. After
 * AA_E_SEQUENCE, *c is a good chunk numbered out of turn (after missing ones,
 * or a number already passed) and may be used, unless c->stored is NULL: then
 * it was a block after the END chunk. After other errors the reader stands
 * after the bad block and may go on, unless aa_reader_lost() says the block
 * structure is lost (AA_E_BLOCK, AA_E_TRUNCATED, or a bad block found by
 * aa_reader_resync): then only aa_reader_resync() goes on.
 */
int aa_reader_next(struct aa_reader *r, struct aa_chunk_view *c);
int aa_reader_lost(const struct aa_reader *r);

/*
 * Follows the file at path (opened by r) while it is written, as tail -f:
 * at the end of what it holds, a block not yet whole included, the reader
 * waits for more (inotify, else polling) instead of ending, until the
 * section's END chunk. stop(user), called before each wait, ends the input
 * where it stands when it returns non-zero (aa_reader_stopped() then 1).
 * A file cut shorter or moved away meanwhile is AA_E_TRUNCATED or AA_E_IO
 * (aa_reader_follow_failed()). Returns 0, AA_E_NOMEM or AA_E_IO.
 */
int aa_reader_follow(struct aa_reader *r, const char *path, int (*stop)(void *user), void *user);
int aa_reader_stopped(const struct aa_reader *r);
/* 1 if the input is a regular file (not a pipe, FIFO, terminal or read function). */
int aa_reader_is_file(const struct aa_reader *r);
int aa_reader_follow_failed(const struct aa_reader *r);
/* Interface Description Blocks of the current section: a merged file has one per source. */
uint32_t aa_reader_interfaces(const struct aa_reader *r);

/* Decodes a chunk from aa_reader_next() into the reader's buffer. 0 or AA_E_ZSTD. */
int aa_reader_decode(struct aa_reader *r, const struct aa_chunk_view *c, const uint8_t **raw);
/* The same into out (AA_CHUNK_RAW_MAX bytes, 8-byte aligned: its records are
 * viewed in place), for a caller that keeps chunks past the next one. */
int aa_reader_decode_to(struct aa_reader *r, const struct aa_chunk_view *c, uint8_t *out);

/*
 * After a structural error: searches forward for the next block that looks
 * like a chunk and goes on from there. 1 found, 0 none before the end. The
 * search runs in the reader's window of the input, so a pipe needs no seek.
 */
int aa_reader_resync(struct aa_reader *r);

const struct aa_read_error *aa_reader_error(const struct aa_reader *r);
/* Bytes of the file read or skipped so far. */
uint64_t aa_reader_offset(const struct aa_reader *r);
/* The last Interface Statistics Block's isb_ifrecv and isb_ifdrop (0 if none). */
void aa_reader_isb(const struct aa_reader *r, uint64_t *recv, uint64_t *drop);
/* crc32 of the current section's blocks that are not EPBs, as END's blocks_crc. */
uint32_t aa_reader_blocks_crc(const struct aa_reader *r);
void aa_reader_close(struct aa_reader *r);

#endif /* AA_READER_H */
