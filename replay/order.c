/* SPDX-License-Identifier: MIT */
/*
 * Time order in a bounded window (order.h).
 *
 * Most records come in time order already: those go to a FIFO, and only the
 * ones that come after a later record (a file record carries its syscall's
 * entry time but is written at its exit) go to a heap; the next record out
 * is the older of the FIFO's head and the heap's top. Either holds small
 * slots (time, arrival, where the record is), so neither chases pointers
 * to compare. A record's parsed event is copied once into large blocks
 * that are taken in arrival order and given back when their last record
 * has gone out: no allocation per record, and no parse again on the way
 * out. Its bytes stay in the source's buffer when the source can keep it
 * (struct aa_pin), else they are copied with it.
 */
#include "order.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Records are copied into blocks of this size (a larger record: its own). */
#define BLOCK_SIZE (1u << 20)
/* How many records ahead of the one going out the FIFO's are prefetched. */
#define PREFETCH 2

/* A record held back: as it was pushed (its event parsed), then its bytes
 * (or, with pin, its bytes stay where they are). */
struct held {
	struct aa_arena_block *blk;
	struct aa_pin *pin;
	struct aa_record rec;
	uint8_t bytes[];
};
_Static_assert(offsetof(struct held, bytes) % 8 == 0, "held records are viewed in place");

struct slot {
	uint64_t time_ns;
	uint64_t arrival; /* ties keep capture order */
	struct held *h;
};

struct aa_order {
	uint64_t window_ns;
	uint64_t newest_ns; /* latest time pushed */
	uint64_t arrivals;
	struct aa_arena arena; /* the copies */
	size_t bytes;       /* of the pinned buffers */
	struct slot *fifo;  /* a ring, in (time, arrival) order; fcap a power of 2 */
	size_t fhead, fn, fcap;
	struct slot *heap;  /* the records that came late */
	size_t hn, hcap;
	struct held *out;   /* the one last handed out */
};

struct aa_order *aa_order_new(uint64_t window_ns)
{
	struct aa_order *o = calloc(1, sizeof(*o));

	if (o) {
		o->window_ns = window_ns;
		aa_arena_init(&o->arena, BLOCK_SIZE);
	}
	return o;
}

static int before(const struct slot *a, const struct slot *b)
{
	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns;
	return a->arrival < b->arrival;
}

static void release(struct aa_order *o, struct held *h)
{
	if (h->pin && --h->pin->refs == 0)
		o->bytes -= h->pin->size;
	aa_arena_give(&o->arena, h->blk);
}

static int grow(struct slot **a, size_t *cap)
{
	size_t n = *cap ? *cap * 2 : 1024;
	struct slot *p = realloc(*a, n * sizeof(*p));

	if (!p)
		return AA_E_NOMEM;
	*a = p;
	*cap = n;
	return 0;
}

static int fifo_push(struct aa_order *o, struct slot s)
{
	if (o->fn == o->fcap) {
		size_t old = o->fcap;
		if (grow(&o->fifo, &o->fcap) != 0)
			return AA_E_NOMEM;
		/* the ring's wrapped part moves up to stay after its start */
		if (o->fhead + o->fn > old) {
			size_t tail = old - o->fhead;
			memmove(o->fifo + o->fcap - tail, o->fifo + o->fhead, tail * sizeof(*o->fifo));
			o->fhead = o->fcap - tail;
		}
	}
	o->fifo[(o->fhead + o->fn++) & (o->fcap - 1)] = s;
	return 0;
}

static int heap_push(struct aa_order *o, struct slot s)
{
	if (o->hn == o->hcap && grow(&o->heap, &o->hcap) != 0)
		return AA_E_NOMEM;
	size_t i = o->hn++;
	while (i && before(&s, &o->heap[(i - 1) / 2])) {
		o->heap[i] = o->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	o->heap[i] = s;
	return 0;
}

static struct slot heap_take(struct aa_order *o)
{
	struct slot top = o->heap[0], last = o->heap[--o->hn];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, m = l;
		if (l >= o->hn)
			break;
		if (l + 1 < o->hn && before(&o->heap[l + 1], &o->heap[l]))
			m = l + 1;
		if (!before(&o->heap[m], &last))
			break;
		o->heap[i] = o->heap[m];
		i = m;
	}
	if (o->hn)
		o->heap[i] = last;
	return top;
}

int aa_order_push(struct aa_order *o, const struct aa_record *rec, struct aa_pin *pin)
{
	/* kept in place only when its view is in its bytes, not in a copy */
	if (rec->ev.type != AA_TYPE_UNKNOWN && (const void *)rec->ev.tls != (const void *)rec->ev.raw)
		pin = NULL;
	size_t need = sizeof(struct held) + (pin ? 0 : rec->ev.len);
	struct aa_arena_block *blk;
	struct held *h = aa_arena_take(&o->arena, need, &blk);

	if (!h)
		return AA_E_NOMEM;
	h->blk = blk;
	h->rec = *rec;
	h->pin = pin;
	if (pin && pin->refs++ == 0)
		o->bytes += pin->size;
	else if (!pin)
		memcpy(h->bytes, rec->ev.raw, rec->ev.len);
	struct slot s = { rec->time_ns, o->arrivals++, h };
	if (rec->time_ns > o->newest_ns)
		o->newest_ns = rec->time_ns;
	/* in order after the FIFO's last: the FIFO; else the heap */
	int late = o->fn && before(&s, &o->fifo[(o->fhead + o->fn - 1) & (o->fcap - 1)]);
	int rc = late ? heap_push(o, s) : fifo_push(o, s);
	if (rc)
		release(o, h);
	return rc;
}

struct aa_record *aa_order_pop(struct aa_order *o, int flush)
{
	if (o->out) {
		release(o, o->out);
		o->out = NULL;
	}
	if (!o->fn && !o->hn)
		return NULL;
	const struct slot *f = o->fn ? &o->fifo[o->fhead] : NULL;
	int from_heap = o->hn && (!f || before(&o->heap[0], f));
	const struct slot *top = from_heap ? &o->heap[0] : f;
	int due = flush || o->arena.bytes + o->bytes > AA_ORDER_MAX_BYTES ||
		  o->newest_ns - top->time_ns >= o->window_ns;
	if (!due)
		return NULL;
	struct held *h;
	if (from_heap) {
		h = heap_take(o).h;
	} else {
		h = f->h;
		o->fhead = (o->fhead + 1) & (o->fcap - 1);
		o->fn--;
		/* The records go out long after they came in, out of the cache:
		 * fetch a next one's while this one is used, its event first and,
		 * a few records later, its bytes (where the event says they are). */
		if (2 * PREFETCH < o->fn) {
			const struct held *n = o->fifo[(o->fhead + 2 * PREFETCH) & (o->fcap - 1)].h;
			__builtin_prefetch(&n->rec);
			__builtin_prefetch((const uint8_t *)&n->rec + 64);
		}
		if (PREFETCH < o->fn)
			__builtin_prefetch(o->fifo[(o->fhead + PREFETCH) & (o->fcap - 1)].h->rec.ev.raw);
	}
	o->out = h;
	/* the event as parsed at the push, viewing its pinned bytes or the copy */
	struct aa_record *r = &h->rec;
	if (!h->pin) {
		r->ev.raw = h->bytes;
		if (r->ev.type != AA_TYPE_UNKNOWN)
			r->ev.tls = (const struct aa_tls_event *)(const void *)h->bytes;
	}
	return r;
}

void aa_order_free(struct aa_order *o)
{
	if (!o)
		return;
	/* every block in use is the current one or holds a record in a slot */
	for (size_t i = 0; i < o->hn; i++)
		release(o, o->heap[i].h);
	for (size_t i = 0; i < o->fn; i++)
		release(o, o->fifo[(o->fhead + i) & (o->fcap - 1)].h);
	if (o->out)
		release(o, o->out);
	aa_arena_free(&o->arena);
	free(o->fifo);
	free(o->heap);
	free(o);
}
