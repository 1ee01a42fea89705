/* SPDX-License-Identifier: MIT */
/*
 * Copies of records taken in arrival order and given back in about that
 * order (time order, records held behind a completion record): carved out
 * of large blocks, a block freed (or kept spare) once its last copy is
 * given back. No allocation per record. Private to the library.
 */
#ifndef AA_ARENA_H
#define AA_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct aa_arena_block {
	struct aa_arena_block *next; /* in the spare list */
	size_t size, used;           /* of data */
	uint32_t live;               /* copies in it not given back */
	uint32_t pad_;
	uint8_t data[];
};
_Static_assert(offsetof(struct aa_arena_block, data) % 8 == 0, "copies are 8-byte aligned");

struct aa_arena {
	size_t block_size;            /* a larger copy: a block of its own */
	size_t bytes;                 /* of the blocks in use (not spare) */
	struct aa_arena_block *cur;   /* the block being filled */
	struct aa_arena_block *spare; /* emptied blocks kept for reuse */
	size_t nspare;
};

/* An empty arena of blocks of block_size bytes (a multiple of 8). */
void aa_arena_init(struct aa_arena *a, size_t block_size);
/* aa_arena_take's and aa_arena_give's ways through a new block. */
void *aa_arena_take_new(struct aa_arena *a, size_t need, struct aa_arena_block **blk);
void aa_arena_block_done(struct aa_arena *a, struct aa_arena_block *b);

/* need bytes, 8-byte aligned, and the block they are in (for aa_arena_give);
 * NULL when out of memory. Inline: once per record. */
static inline void *aa_arena_take(struct aa_arena *a, size_t need, struct aa_arena_block **blk)
{
	struct aa_arena_block *b = a->cur;

	need = (need + 7) & ~(size_t)7;
	if (!b || b->size - b->used < need)
		return aa_arena_take_new(a, need, blk);
	void *p = b->data + b->used;
	b->used += need;
	b->live++;
	*blk = b;
	return p;
}

/* A copy taken from b is no longer used. */
static inline void aa_arena_give(struct aa_arena *a, struct aa_arena_block *b)
{
	if (--b->live == 0 && b != a->cur)
		aa_arena_block_done(a, b);
}
/* Frees every block: the copies must all have been given back, or be
 * given up with it. */
void aa_arena_free(struct aa_arena *a);

#endif /* AA_ARENA_H */
