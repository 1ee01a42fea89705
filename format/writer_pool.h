/* SPDX-License-Identifier: MIT */
/*
 * The writer's threads (aa_writer_opts.threads), as zstd's multi-threaded
 * mode does it: sealed chunks are compressed by a pool of workers, each
 * with its own zstd context, and written in the order they were sealed by
 * one writing thread. The caller fills a job's raw bytes and seals it; it
 * never waits for a compression unless every job is taken (the queue is
 * bounded: 2 jobs per worker and 2 more, each 512 KiB).
 *
 * What a chunk holds is decided before it is sealed (its header, index and
 * time stamp included) and aa_chunk_encode is a pure function of that, so
 * the file is the one the calling thread alone would write.
 *
 * Private to the library: not installed, not exported.
 */
#ifndef AA_WRITER_POOL_H
#define AA_WRITER_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "chunk.h"
#include "pcapng.h"

/* Room before a job's EPB for the blocks that carry no chunk (an ISB). */
#define WP_PRE (2 * AA_SMALL_BLOCK_MAX)
/* At most this many workers. */
#define WP_THREADS_MAX 64

struct wp_job {
	struct aa_chunk_hdr h;
	uint32_t iface;  /* the EPB's interface id */
	uint8_t *raw;    /* AA_CHUNK_RAW_MAX bytes: the chunk's content */
	uint8_t *buf;    /* WP_PRE + AA_BLOCK_MAX: pre blocks end at WP_PRE, the EPB follows */
	size_t pre_len;  /* bytes of blocks without a chunk just before the EPB */
	/* set by the pool */
	long len;        /* the EPB's bytes, or AA_E_* of the encoding */
	uint64_t ub;     /* at most pre_len + len, known before compressing */
	int state;
	int written;     /* went to the file whole */
};

struct aa_wpool;

/*
 * Starts nworkers (1..WP_THREADS_MAX) compressing at zstd level `level`
 * and the writing thread, writing to fd from offset good_end on (the end of
 * what is already whole there). Returns 0 or AA_E_NOMEM / AA_E_INVAL.
 */
int wp_start(struct aa_wpool **p, unsigned nworkers, int level, int fd, off_t good_end);

/* A free job to fill (waiting for one to be written if all are taken); NULL
 * after an error (wp_error). Sink as for wp_reap. */
struct wp_job *wp_acquire(struct aa_wpool *p,
			  void (*sink)(void *u, const struct wp_job *job), void *u);

/* Queues an acquired job, filled: h (raw_len, index, written_ns ...),
 * iface, pre_len. Jobs are written in the order they are sealed. */
void wp_seal(struct aa_wpool *p, struct wp_job *job);

/* Calls sink (when not NULL), in order, with each job written whole since
 * the last call, and frees them. From the caller's thread only. */
void wp_reap(struct aa_wpool *p, void (*sink)(void *u, const struct wp_job *job), void *u);

/* Waits until every sealed job is written (or dropped after an error), then reaps. */
void wp_drain(struct aa_wpool *p, void (*sink)(void *u, const struct wp_job *job), void *u);

/* The first error (AA_E_*; AA_E_IO with its errno in *sys_errno), or 0.
 * Cheap: called on every record. */
int wp_error(struct aa_wpool *p, int *sys_errno);

/* Jobs sealed and not yet reaped. */
uint64_t wp_in_flight(struct aa_wpool *p);

/* Bytes written to the file, and RECORDS chunks among them. */
uint64_t wp_bytes_written(const struct aa_wpool *p);
uint64_t wp_records_chunks(const struct aa_wpool *p);

/* The end of the last whole block in the file (after wp_drain). */
off_t wp_good_end(struct aa_wpool *p);

/*
 * Whether the jobs sealed so far make at least `bytes` of file. Waits for
 * compressions only while the answer depends on their sizes, so that the
 * answer never depends on timing. 0 after an error.
 */
int wp_reached(struct aa_wpool *p, uint64_t bytes);

/* Stops the threads (after wp_drain) and frees p. */
void wp_stop(struct aa_wpool *p);

/* write(2) of all len bytes, retried after EINTR: 0 or the errno (ENOSPC
 * for a write that took nothing). */
int wp_write_all(int fd, const uint8_t *buf, size_t len);

/* The encoder the workers call: aa_chunk_encode_scratch, with the worker's
 * own scratch. A test may point it at one that fails, to see a worker's
 * failure handled. */
extern long (*wp_encode)(ZSTD_CCtx *cctx, struct aa_chunk_hdr *h, const void *raw,
			 uint8_t *block, uint8_t *scratch);

#endif /* AA_WRITER_POOL_H */
