/* SPDX-License-Identifier: MIT */
/*
 * A BPF ring buffer read in place: the map's consumer page mapped read-write,
 * its producer page and data area read-only (the data mapped twice by the
 * kernel, so that a record that wraps is still contiguous). Records are
 * handed out one at a time without a system call. The space of those taken
 * is given back (consumer_pos advanced, with release order) in batches of
 * a 64th of the ring, and all of it whenever the ring is found empty or
 * the next record not yet committed; the producer's position is read again
 * only once the records up to the last one read are taken. So the lines
 * the kernel writes on every record (producer_pos) and reads on every
 * reservation (consumer_pos) do not go back and forth between the CPUs
 * on every record.
 */
#ifndef AA_LIVE_RING_H
#define AA_LIVE_RING_H

#include <stddef.h>
#include <stdint.h>

struct aa_ring {
	unsigned long *consumer_pos; /* our page: the kernel reads it */
	const unsigned long *producer_pos;
	const uint8_t *data;
	uint64_t mask;    /* data size - 1 */
	uint64_t cons;    /* where the next record is: past those handed out */
	uint64_t given;   /* consumer_pos as last written: space given back up to there */
	uint64_t prod;    /* producer_pos when last read */
	uint64_t batch;   /* bytes taken before they are given back */
	size_t page;
	size_t data_size;
};

enum aa_ring_state {
	AA_RING_EMPTY = 0,  /* nothing committed after the last record */
	AA_RING_RECORD = 1, /* *rec and *len set */
	AA_RING_BUSY = 2,   /* the next record is reserved but not yet committed */
};

/* Maps the ring buffer map fd (data size `size`, a power of two). 0 or -errno. */
int aa_ring_map(struct aa_ring *r, int map_fd, size_t size);

/* Looks at the next record; the one handed out last stays valid until the
 * space it took is given back, at the earliest at this call. */
enum aa_ring_state aa_ring_next(struct aa_ring *r, const void **rec, uint32_t *len);

/* Bytes committed and not yet handed out. */
uint64_t aa_ring_pending(const struct aa_ring *r);

void aa_ring_unmap(struct aa_ring *r);

#endif /* AA_LIVE_RING_H */
