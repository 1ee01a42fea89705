/* SPDX-License-Identifier: MIT */
/*
 * The file source reading ahead on threads (offline_ahead.h): which files,
 * what is read ahead, and where it stops so that the source sees every
 * block's verdict as it would without threads.
 */
#include <string.h>

#include "aa_error.h"
#include "capfile.h"
#include "offline_ahead.h"
#include "offline_int.h"

/*
 * Only a regular file that is not followed is read ahead. A pipe, a FIFO,
 * a followed file or a stream's messages may wait for their writer: a read
 * ahead would then hold back the records already decoded (aa-capture -w - |
 * aa-replay cat -: each chunk shows as it arrives), so they are read in the
 * caller's thread alone, as before.
 */
void offline_ahead_start(struct offline *o)
{
	o->ahead_on = 0;
	o->ahead_stopped = 0;
	if (!o->threads || o->follow || o->input || !aa_reader_is_file(o->rd))
		return;
	if (!o->ahead && !(o->ahead = ahead_new(o->threads)))
		return; /* no threads to be had: read as without them */
	o->ahead_on = 1;
}

static void unbusy(void *user, void *tag)
{
	(void)user;
	((struct chunk_buf *)tag)->busy = 0;
}

static void release_held(struct offline *o)
{
	if (o->held)
		o->held->busy = 0;
	o->held = NULL;
}

/* What the source must see before anything after it is read. */
static int stops(const struct ahead_item *it)
{
	if (it->rc == AA_READ_CHUNK || (it->rc == AA_E_SEQUENCE && it->c.stored))
		return it->c.h.kind == AA_CHUNK_END || !it->tag;
	return 1;
}

/* Reads ahead into the free slots, up to where it must stop. */
static void fill(struct offline *o)
{
	struct ahead_item *it;

	/* the chunk before is all handed out: the digest is whole up to here */
	if (!ahead_queued(o->ahead))
		ahead_seed(o->ahead, &o->f.digest);
	while (!o->ahead_stopped && (it = ahead_slot(o->ahead))) {
		it->c = (struct aa_chunk_view){0};
		it->rc = aa_reader_next(o->rd, &it->c);
		it->offset = aa_reader_offset(o->rd);
		if (it->rc < 0)
			it->err = *aa_reader_error(o->rd);
		if (it->rc == AA_READ_CHUNK || (it->rc == AA_E_SEQUENCE && it->c.stored)) {
			struct chunk_buf *b = offline_free_buf(o);
			if (b) {
				b->busy = 1;
				it->tag = b;
				it->out = b->data;
			} else {
				it->dec_rc = AA_E_NOMEM; /* said when it is taken */
			}
		}
		o->ahead_stopped = stops(it);
		ahead_submit(o->ahead, it);
	}
}

int offline_ahead_next(struct offline *o, struct aa_chunk_view *c)
{
	/* the chunk before is all handed out (or held by its pins) */
	release_held(o);
	fill(o);
	struct ahead_item *it = ahead_take(o->ahead);
	if (stops(it))
		o->ahead_stopped = 0; /* seen now: reading goes on from where the reader stands */
	o->item = it;
	o->item_offset = it->offset;
	o->held = it->tag;
	*c = it->c;
	return it->rc;
}

/* The same digest state, whatever bytes lie unused in it. */
static int same_state(const struct aa_xxh64 *a, const struct aa_xxh64 *b)
{
	return !memcmp(a->v, b->v, sizeof(a->v)) && a->total == b->total &&
	       a->seed == b->seed && a->buffered == b->buffered &&
	       !memcmp(a->buf, b->buf, a->buffered);
}

int offline_ahead_digest(struct offline *o)
{
	const struct ahead_item *it = o->item;

	if (!it || !it->dig_ok || !same_state(&o->f.digest, &it->dig_before))
		return 0;
	o->f.digest = it->dig_after;
	return 1;
}

void offline_ahead_stop(struct offline *o)
{
	if (o->ahead)
		ahead_drain(o->ahead, unbusy, NULL);
	release_held(o);
	o->item = NULL;
	o->ahead_on = 0;
	o->ahead_stopped = 0;
}

uint64_t offline_read_offset(const struct offline *o)
{
	if (o->ahead_on && ahead_queued(o->ahead))
		return o->item_offset;
	return aa_reader_offset(o->rd);
}
