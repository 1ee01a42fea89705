/* SPDX-License-Identifier: MIT */
/* The workers that decode chunks read ahead (see offline_ahead.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "aa_error.h"
#include "capfile.h"
#include "chunk.h"
#include "offline_ahead.h"
#include "xform.h"

#define THREADS_MAX 64

struct ahead {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a slot was submitted, or quit */
	pthread_cond_t done; /* a slot was decoded */
	struct ahead_item *slots;
	unsigned nslots;
	/* counters, slot = counter % nslots: head <= claim <= tail, tail - head <= nslots */
	unsigned long head;  /* the next to take */
	unsigned long claim; /* the next a worker takes up */
	unsigned long tail;  /* the next to submit */
	int quit;
	pthread_t threads[THREADS_MAX];
	unsigned nthreads;
};

/* Each worker's own zstd context and transform scratch (chunk.h), made once. */
static void *worker(void *arg)
{
	struct ahead *a = arg;
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	uint8_t *scratch = malloc(AA_XFORM_MAX);

	pthread_mutex_lock(&a->lock);
	for (;;) {
		/* slots with nothing to decode are the caller's alone */
		while (a->claim < a->tail && !a->slots[a->claim % a->nslots].out)
			a->claim++;
		if (a->claim == a->tail) {
			if (a->quit)
				break;
			pthread_cond_wait(&a->work, &a->lock);
			continue;
		}
		struct ahead_item *it = &a->slots[a->claim++ % a->nslots];
		pthread_mutex_unlock(&a->lock);
		if (!dctx || !scratch) {
			it->dec_rc = AA_E_NOMEM;
			snprintf(it->detail, sizeof(it->detail), "out of memory for decoding");
		} else {
			it->dec_rc = aa_chunk_decompress_scratch(dctx, &it->c.h, it->c.stored, it->out,
								 scratch, it->detail);
		}
		pthread_mutex_lock(&a->lock);
		it->done = 1;
		pthread_cond_broadcast(&a->done);
	}
	pthread_mutex_unlock(&a->lock);
	ZSTD_freeDCtx(dctx);
	free(scratch);
	return NULL;
}

struct ahead *ahead_new(unsigned threads)
{
	struct ahead *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (threads > THREADS_MAX)
		threads = THREADS_MAX;
	a->nslots = 2 * threads + 1;
	a->slots = calloc(a->nslots, sizeof(*a->slots));
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_cond_init(&a->done, NULL);
	for (unsigned i = 0; a->slots && i < a->nslots; i++)
		if (!(a->slots[i].stored = malloc(AA_BLOCK_MAX)))
			goto fail;
	if (!a->slots)
		goto fail;
	for (; a->nthreads < threads; a->nthreads++)
		if (pthread_create(&a->threads[a->nthreads], NULL, worker, a) != 0)
			goto fail;
	return a;
fail:
	ahead_free(a);
	return NULL;
}

void ahead_free(struct ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->quit = 1;
	pthread_cond_broadcast(&a->work);
	pthread_mutex_unlock(&a->lock);
	for (unsigned i = 0; i < a->nthreads; i++)
		pthread_join(a->threads[i], NULL);
	for (unsigned i = 0; a->slots && i < a->nslots; i++)
		free(a->slots[i].stored);
	free(a->slots);
	pthread_cond_destroy(&a->done);
	pthread_cond_destroy(&a->work);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* Only the caller's thread moves head and tail: it reads them unlocked. */
struct ahead_item *ahead_slot(struct ahead *a)
{
	struct ahead_item *it;

	if (a->tail - a->head == a->nslots)
		return NULL;
	it = &a->slots[a->tail % a->nslots];
	it->tag = NULL;
	it->out = NULL;
	it->dec_rc = 0;
	it->detail[0] = 0;
	return it;
}

void ahead_submit(struct ahead *a, struct ahead_item *it)
{
	if (it->out) {
		memcpy(it->stored, it->c.stored, it->c.h.stored_len);
		it->c.stored = it->stored;
	}
	pthread_mutex_lock(&a->lock);
	it->done = !it->out;
	a->tail++;
	if (it->out)
		pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->lock);
}

struct ahead_item *ahead_take(struct ahead *a)
{
	struct ahead_item *it;

	if (a->head == a->tail)
		return NULL;
	it = &a->slots[a->head % a->nslots];
	pthread_mutex_lock(&a->lock);
	while (!it->done)
		pthread_cond_wait(&a->done, &a->lock);
	if (a->claim <= a->head)
		a->claim = a->head + 1; /* no worker looks at a slot taken */
	pthread_mutex_unlock(&a->lock);
	a->head++;
	return it;
}

unsigned ahead_queued(const struct ahead *a)
{
	return (unsigned)(a->tail - a->head);
}

void ahead_drain(struct ahead *a, void (*drop)(void *user, void *tag), void *user)
{
	struct ahead_item *it;

	while ((it = ahead_take(a)))
		if (it->tag)
			drop(user, it->tag);
}
