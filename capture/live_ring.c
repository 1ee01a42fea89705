/* SPDX-License-Identifier: MIT */
/* Reading a BPF ring buffer in place (see live_ring.h). */
#include "live_ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The kernel's record header (uapi linux/bpf.h): u32 length with two flag
 * bits, u32 page offset; records start 8-byte aligned. */
#define RB_BUSY_BIT (1u << 31)
#define RB_DISCARD_BIT (1u << 30)
#define RB_HDR_SIZE 8u

int aa_ring_map(struct aa_ring *r, int map_fd, size_t size)
{
	void *cons, *prod;

	memset(r, 0, sizeof(*r));
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	if (!size || (size & (size - 1)) || size % r->page)
		return -EINVAL;
	cons = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (cons == MAP_FAILED)
		return -errno;
	prod = mmap(NULL, r->page + 2 * size, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
	if (prod == MAP_FAILED) {
		int err = -errno;

		munmap(cons, r->page);
		return err;
	}
	r->consumer_pos = cons;
	r->producer_pos = prod;
	r->data = (const uint8_t *)prod + r->page;
	r->data_size = size;
	r->mask = size - 1;
	r->cons = r->prod = r->given = *r->consumer_pos;
	r->batch = size / 64;
	return 0;
}

/* The space of the records taken so far goes back to the kernel; 1 if
 * there was any. */
static int give_back(struct aa_ring *r)
{
	if (r->given == r->cons)
		return 0;
	/* Release: our reads of the records happen before the kernel may reuse them. */
	__atomic_store_n(r->consumer_pos, r->cons, __ATOMIC_RELEASE);
	r->given = r->cons;
	return 1;
}

/* Whether a record came after the producer's position was last read. */
static int more_came(struct aa_ring *r)
{
	r->prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	return r->cons < r->prod;
}

enum aa_ring_state aa_ring_next(struct aa_ring *r, const void **rec, uint32_t *len)
{
	if (r->cons - r->given >= r->batch)
		give_back(r);
	for (;;) {
		const uint8_t *at;
		uint32_t hdr, n;

		if (r->cons >= r->prod && !more_came(r)) {
			if (!give_back(r))
				return AA_RING_EMPTY;
			/* A record committed while consumer_pos still lagged
			 * behind woke no one (the kernel wakes the reader
			 * whose position is the record's): look once more. */
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (!more_came(r))
				return AA_RING_EMPTY;
		}
		at = r->data + (r->cons & r->mask);
		hdr = __atomic_load_n((const uint32_t *)at, __ATOMIC_ACQUIRE);
		if (hdr & RB_BUSY_BIT) {
			give_back(r);
			return AA_RING_BUSY;
		}
		n = hdr & ~(RB_BUSY_BIT | RB_DISCARD_BIT);
		r->cons += ((uint64_t)n + RB_HDR_SIZE + 7) & ~7ull;
		if (hdr & RB_DISCARD_BIT)
			continue;
		*rec = at + RB_HDR_SIZE;
		*len = n;
		return AA_RING_RECORD;
	}
}

uint64_t aa_ring_pending(const struct aa_ring *r)
{
	return __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE) - r->cons;
}

void aa_ring_unmap(struct aa_ring *r)
{
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page + 2 * r->data_size);
	memset(r, 0, sizeof(*r));
}
