/* SPDX-License-Identifier: MIT */
/*
 * The writer's state, shared by its files: writer.c (records, chunks,
 * STATS, END) and writer_meta.c (the header blocks and META chunks a file
 * starts with). Private to the library: not installed, not exported.
 */
#ifndef AA_WRITER_INT_H
#define AA_WRITER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "chunk.h"
#include "writer.h"
#include "xxh64.h"

struct aa_wpool;
struct wp_job;

struct aa_writer {
	int fd;
	char *path;
	int err;       /* first error met; sticky */
	int sys_errno;
	off_t good_end; /* end of the last whole block written */
	ZSTD_CCtx *cctx;
	unsigned flush_ms, stats_ms;
	size_t raw_max;

	/* the chunk being gathered, in gather: raw, or with threads the job cur's */
	uint8_t *raw;
	uint8_t *gather;
	size_t raw_len;
	struct aa_wpool *pool; /* aa_writer_opts.threads; NULL: all in this thread */
	struct wp_job *cur;
	struct aa_chunk_hdr chunk;
	uint64_t chunk_since; /* monotonic ns of its first record */

	uint8_t *block; /* AA_BLOCK_MAX bytes */
	uint8_t *xbuf;  /* the transform's scratch (AA_XFORM_MAX): made at the first records chunk */
	uint32_t nsources; /* a merged file's; 0: one source */
	uint32_t next_index;
	uint64_t start_ns;
	uint64_t last_stats; /* monotonic ns */
	uint64_t drops[AA_DROP_SLOTS];

	/* the whole file */
	/* bytes_file: written by this thread (all but the pool's); chunks: with
	 * threads, those sealed (the pool counts those written) */
	uint64_t records, bytes_raw, bytes_file, chunks, first_ts, last_ts;
	struct aa_xxh64 digest;
	uint32_t blocks_crc; /* of the blocks that carry no chunk: SHB, IDB, ISBs */
	uint8_t session[16];
	/* aa_writer_opts.sink, and the blocks without a chunk written since its last call */
	void (*sink)(void *user, const struct aa_writer_chunk *chunk);
	void *sink_user;
	uint32_t file_seq;
	uint8_t *sink_buf; /* AA_BLOCK_MAX + 2 * AA_SMALL_BLOCK_MAX bytes */
	size_t sink_len;
};

/* Writes one whole block (not a chunk's, with threads) at the end of the
 * file: 0 or the writer's error. */
int wr_write_block(struct aa_writer *w, const uint8_t *buf, size_t len);

/* Encodes raw as the next chunk of h's kind and writes it on interface
 * iface (with threads: queues it). 0 or the writer's error. */
int wr_write_chunk_on(struct aa_writer *w, struct aa_chunk_hdr *h, const void *raw,
		      uint32_t iface);

/* The blocks a file starts with: SHB, the IDBs, and the META chunks of o
 * (one source, or a merged file's). 0 or the writer's error. */
int wr_write_start(struct aa_writer *w, const struct aa_writer_opts *o);

#endif /* AA_WRITER_INT_H */
