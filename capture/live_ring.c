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
	return 0;
}

static void give_back(struct aa_ring *r, uint64_t bytes)
{
	/* Release: our reads of the record happen before the kernel may reuse it. */
	__atomic_store_n(r->consumer_pos, *r->consumer_pos + bytes, __ATOMIC_RELEASE);
}

enum aa_ring_state aa_ring_next(struct aa_ring *r, const void **rec, uint32_t *len)
{
	if (r->held) {
		give_back(r, r->held);
		r->held = 0;
	}
	for (;;) {
		uint64_t cons = *r->consumer_pos;
		uint64_t prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		const uint8_t *at;
		uint32_t hdr, n;
		uint64_t total;

		if (cons >= prod)
			return AA_RING_EMPTY;
		at = r->data + (cons & r->mask);
		hdr = __atomic_load_n((const uint32_t *)at, __ATOMIC_ACQUIRE);
		if (hdr & RB_BUSY_BIT)
			return AA_RING_BUSY;
		n = hdr & ~(RB_BUSY_BIT | RB_DISCARD_BIT);
		total = ((uint64_t)n + RB_HDR_SIZE + 7) & ~7ull;
		if (hdr & RB_DISCARD_BIT) {
			give_back(r, total);
			continue;
		}
		*rec = at + RB_HDR_SIZE;
		*len = n;
		r->held = total;
		return AA_RING_RECORD;
	}
}

uint64_t aa_ring_pending(const struct aa_ring *r)
{
	return __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE) - *r->consumer_pos;
}

void aa_ring_unmap(struct aa_ring *r)
{
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page + 2 * r->data_size);
	memset(r, 0, sizeof(*r));
}
