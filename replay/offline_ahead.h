/* SPDX-License-Identifier: MIT */
/*
 * Reading ahead with threads (aa_replay_opts.threads), as zstd -T# and the
 * writer's pool (format/writer_pool.c) do it the other way round: the
 * caller's thread reads and checks the blocks (structure, order, crc32) as
 * without threads, copies each chunk's frame into a slot, and N workers
 * decompress, undo the transform and check zstd's checksum into buffers of
 * the file source while the caller's thread parses and hands out the
 * chunks before them, in order. Private to the library.
 *
 * What the reader says is kept in each slot as it said it (the result, its
 * error, its offset after the block), so the file source sees every chunk,
 * error and total exactly as it would without threads. Reading ahead stops
 * at anything but a good chunk, and after an END chunk: what the source
 * does then (report, resync, close, the next section) is done on the reader
 * as it stands, with nothing read past it.
 *
 * The stream digest is serial: the worker that finds the oldest decoded
 * chunk not yet folded folds it (and the decoded ones after it) into a
 * running digest, walking its frames as the source would; a slot is taken
 * only once folded. A frame whose meaning depends on the source's state (a
 * merged file's source) stops the folding: the source digests from there.
 */
#ifndef AA_OFFLINE_AHEAD_H
#define AA_OFFLINE_AHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "capfile.h"
#include "reader.h"
#include "xxh64.h"

/* One result of aa_reader_next, read ahead. */
struct ahead_item {
	int rc;                   /* aa_reader_next's */
	struct aa_chunk_view c;   /* c.stored points at the slot's own copy */
	struct aa_read_error err; /* rc < 0: the reader's error then */
	uint64_t offset;          /* aa_reader_offset() after it */
	void *tag;                /* the caller's buffer the chunk decodes into, or NULL */
	uint8_t *out;             /* its AA_CHUNK_RAW_MAX bytes */
	int dec_rc;               /* the decoding's result: 0, AA_E_ZSTD, AA_E_NOMEM */
	char detail[64];          /* why it failed */
	/* The stream digest folded in ahead (a RECORDS chunk, decoded): the
	 * digest before and after this chunk's frames, framed as the source
	 * frames them. Taken only if the source's digest equals dig_before. */
	int dig_ok;
	struct aa_xxh64 dig_before, dig_after;
	/* the pool's */
	uint8_t *stored;          /* AA_BLOCK_MAX bytes */
	int decoded;
	int done;
};

struct ahead;

/* threads workers (1..64) and 2 * threads + 1 slots; NULL if they cannot
 * be had (the caller then reads without threads). */
struct ahead *ahead_new(unsigned threads);
/* Waits for the workers to finish and frees everything. */
void ahead_free(struct ahead *a);
/* A free slot to fill, or NULL when all are taken. */
struct ahead_item *ahead_slot(struct ahead *a);
/* Folds the digest of the chunks submitted from now on into a copy of
 * seed, in order, off the caller's thread. Only when none is queued. */
void ahead_seed(struct ahead *a, const struct aa_xxh64 *seed);
/* Hands the slot ahead_slot() gave to the workers: decoded into out when
 * out is set (c.stored copied into stored first), else only queued. */
void ahead_submit(struct ahead *a, struct ahead_item *it);
/* The oldest slot submitted, once decoded; NULL when none is. Valid until
 * the next ahead_slot(). */
struct ahead_item *ahead_take(struct ahead *a);
/* Slots submitted and not taken. */
unsigned ahead_queued(const struct ahead *a);
/* Waits for every slot submitted and empties the queue, calling drop(user,
 * tag) for each one not taken that had a buffer. */
void ahead_drain(struct ahead *a, void (*drop)(void *user, void *tag), void *user);

/*
 * The checks of a record's frame that do not depend on the file (FORMAT.md
 * "RECORDS"), the same for the file source and the workers folding the
 * digest: p[0..left) starts with the frame's header (left >=
 * AA_FRAME_HEADER), len its length. NULL, with *framed its bytes with the
 * padding, or why it is wrong.
 */
static inline const char *offline_frame_body(const uint8_t *p, size_t left, uint32_t len,
					     size_t *framed)
{
	/* len first: rounded up, a length near 4 GiB wraps a 32-bit size_t. */
	if (len > left - AA_FRAME_HEADER)
		return "length past the end of the chunk";
	size_t n = AA_FRAME_HEADER + (((size_t)len + 7) & ~(size_t)7);
	if (n > left)
		return "length past the end of the chunk";
	for (size_t i = AA_FRAME_HEADER + len; i < n; i++)
		if (p[i])
			return "non-zero padding";
	*framed = n;
	return NULL;
}

#endif /* AA_OFFLINE_AHEAD_H */
