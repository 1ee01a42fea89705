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
#include "pcapng.h"
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
	unsigned long fold;  /* the next whose digest to fold: head <= fold (but past slots with nothing to decode) */
	int folding;         /* a worker folds: run is its alone */
	int dig_on;          /* run follows the source's digest */
	struct aa_xxh64 run; /* the digest after the slots before fold */
	int quit;
	pthread_t threads[THREADS_MAX];
	unsigned nthreads;
};

/*
 * The frames of a decoded RECORDS chunk into a->run, as the file source's
 * next_frame() takes them: each whole, well padded frame up to the
 * header's count; the first that is not ends the chunk there (the source
 * reports it and goes on with the next chunk, with these in its digest).
 * A frame naming a source (a merged file) is left to the source, and so
 * is everything after it.
 */
static void fold_chunk(struct ahead *a, struct ahead_item *it)
{
	const uint8_t *raw = it->out;
	size_t pos = 0, len = it->c.h.raw_len;
	uint32_t seen = 0;

	it->dig_ok = 0;
	if (!a->dig_on || it->dec_rc)
		return; /* not decoded: nothing of it is handed out */
	if (it->c.h.kind == AA_CHUNK_META || it->c.h.kind == AA_CHUNK_STATS ||
	    it->c.h.kind == AA_CHUNK_END)
		return;
	it->dig_before = a->run;
	while (pos < len) {
		const uint8_t *p = raw + pos;
		size_t left = len - pos;
		if (left < AA_FRAME_HEADER)
			break;
		uint32_t flen = aa_get32(p);
		if (aa_get32(p + 4) != 0) {
			a->dig_on = 0;
			return;
		}
		size_t framed;
		if (offline_frame_body(p, left, flen, &framed) || seen >= it->c.h.records)
			break;
		aa_xxh64_update(&a->run, p, 4);
		aa_xxh64_update(&a->run, p + AA_FRAME_HEADER, flen);
		seen++;
		pos += framed;
	}
	it->dig_after = a->run;
	it->dig_ok = 1;
}

/*
 * Folds the decoded slots from a->fold on, in order, and lets the caller
 * take them; called with the lock held by a worker that decoded one. One
 * worker folds at a time; one that finds another folding leaves its slot
 * to it (the folder looks again under the lock before it stops).
 */
static void fold_ready(struct ahead *a)
{
	if (a->folding)
		return;
	a->folding = 1;
	while (a->fold < a->tail) {
		struct ahead_item *it = &a->slots[a->fold % a->nslots];
		if (!it->out) {
			a->fold++; /* the caller's alone, done when submitted */
			continue;
		}
		if (!it->decoded)
			break;
		pthread_mutex_unlock(&a->lock);
		fold_chunk(a, it);
		pthread_mutex_lock(&a->lock);
		it->done = 1;
		a->fold++;
		pthread_cond_broadcast(&a->done);
	}
	a->folding = 0;
}

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
		it->decoded = 1;
		fold_ready(a);
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
	it->dig_ok = 0;
	return it;
}

void ahead_submit(struct ahead *a, struct ahead_item *it)
{
	if (it->out) {
		memcpy(it->stored, it->c.stored, it->c.h.stored_len);
		it->c.stored = it->stored;
	}
	pthread_mutex_lock(&a->lock);
	it->decoded = 0;
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
	if (a->fold <= a->head)
		a->fold = a->head + 1;
	pthread_mutex_unlock(&a->lock);
	a->head++;
	return it;
}

void ahead_seed(struct ahead *a, const struct aa_xxh64 *seed)
{
	pthread_mutex_lock(&a->lock);
	/* nothing queued: every slot is folded, no worker folds */
	a->run = *seed;
	a->dig_on = 1;
	pthread_mutex_unlock(&a->lock);
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
