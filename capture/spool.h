/* SPDX-License-Identifier: MIT */
/*
 * aa-capture --ship's queue of chunks not yet acknowledged, oldest first:
 * on disk with --spool DIR (one file per chunk, fsynced before it counts,
 * named by its place in the queue, so that a later aa-capture finds and
 * sends them in order), else in memory. Bounded by bytes: a chunk that does
 * not fit is refused (the caller counts it dropped). Not thread-safe: the
 * shipper (ship.c) holds its lock around every call.
 */
#ifndef AA_CAP_SPOOL_H
#define AA_CAP_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool;

/* One queued chunk, as spool_peek hands it out. */
struct spool_item {
	char subject[160];
	char msg_id[80];
	uint8_t *bytes; /* owned by the spool, valid until the next spool call */
	size_t len;
};

/*
 * dir NULL: in memory. A directory is created (0700) if missing, and the
 * chunks a previous run left there are queued first. max_bytes: 0 none.
 * Returns 0, or -1 with why filled.
 */
int spool_open(struct spool **sp, const char *dir, uint64_t max_bytes, char *why, size_t why_len);

/*
 * Queues a chunk. Over max_bytes it is refused, unless keep (a META, STATS
 * or END chunk: small, and what makes the rest readable), which may go up
 * to 1 MiB past it. Returns 0 queued, 1 refused (full), -1 refused after a
 * write error (errno set).
 */
int spool_put(struct spool *s, const char *subject, const char *msg_id, const uint8_t *bytes,
	      size_t len, int keep);

/* The oldest chunk: 1 with *it filled, 0 none, -1 a spool file could not be
 * read (it is dropped; errno set). */
int spool_peek(struct spool *s, struct spool_item *it);
/* Removes the oldest chunk (acknowledged). */
void spool_pop(struct spool *s);

uint64_t spool_bytes(const struct spool *s);
uint64_t spool_count(const struct spool *s);
/* Chunks a previous run left in the directory, found at open. */
uint64_t spool_found(const struct spool *s);

void spool_close(struct spool *s);

#endif /* AA_CAP_SPOOL_H */
