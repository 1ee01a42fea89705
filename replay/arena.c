/* SPDX-License-Identifier: MIT */
/* Blocks of record copies (arena.h). */
#include "arena.h"

#include <stdlib.h>

/* Emptied blocks kept for reuse rather than freed. */
#define SPARE_MAX 4

void aa_arena_init(struct aa_arena *a, size_t block_size)
{
	*a = (struct aa_arena){ .block_size = block_size };
}

void aa_arena_block_done(struct aa_arena *a, struct aa_arena_block *b)
{
	a->bytes -= b->size;
	if (b->size == a->block_size && a->nspare < SPARE_MAX) {
		b->next = a->spare;
		a->spare = b;
		a->nspare++;
		return;
	}
	free(b);
}

/* need (a multiple of 8) does not fit in the block being filled: a new one. */
void *aa_arena_take_new(struct aa_arena *a, size_t need, struct aa_arena_block **blk)
{
	struct aa_arena_block *b = a->cur;

	if (b && !b->live)
		aa_arena_block_done(a, b); /* no copy in it is used any more */
	a->cur = NULL;
	if (need <= a->block_size && a->spare) {
		b = a->spare;
		a->spare = b->next;
		a->nspare--;
	} else {
		size_t size = need <= a->block_size ? a->block_size : need;
		if (!(b = malloc(sizeof(*b) + size)))
			return NULL;
		b->size = size;
	}
	b->used = need;
	b->live = 1;
	a->bytes += b->size;
	a->cur = b;
	*blk = b;
	return b->data;
}

void aa_arena_free(struct aa_arena *a)
{
	free(a->cur);
	a->cur = NULL;
	while (a->spare) {
		struct aa_arena_block *b = a->spare;
		a->spare = b->next;
		free(b);
	}
	a->nspare = 0;
}
