/* SPDX-License-Identifier: MIT */
/* Time order in a bounded window (order.h). */
#include "order.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* A record held back: its bytes and where it came from, not its parsed
 * event (a struct aa_event is 4 KiB), which is made again when it goes out. */
struct held {
	uint64_t time_ns;
	uint64_t index;
	uint64_t arrival; /* ties keep capture order */
	const char *path;
	const char *host;
	const uint8_t *session;
	uint32_t origin;
	uint32_t chunk;
	uint32_t len;
	uint32_t pad_; /* bytes starts 8-byte aligned: aa_parse views it */
	uint8_t bytes[];
};
_Static_assert(offsetof(struct held, bytes) % 8 == 0, "held records are parsed in place");

struct aa_order {
	uint64_t window_ns;
	uint64_t newest_ns; /* latest time pushed */
	uint64_t arrivals;
	size_t bytes;       /* of the records held */
	struct held **heap;
	size_t n, cap;
	struct held *out;   /* the one last handed out, */
	struct aa_record out_rec; /* and its record */
};

struct aa_order *aa_order_new(uint64_t window_ns)
{
	struct aa_order *o = calloc(1, sizeof(*o));

	if (o)
		o->window_ns = window_ns;
	return o;
}

static int before(const struct held *a, const struct held *b)
{
	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns;
	return a->arrival < b->arrival;
}

static void swap(struct held **h, size_t i, size_t j)
{
	struct held *t = h[i];
	h[i] = h[j];
	h[j] = t;
}

int aa_order_push(struct aa_order *o, const struct aa_record *rec)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 1024;
		struct held **h = realloc(o->heap, cap * sizeof(*h));
		if (!h)
			return AA_E_NOMEM;
		o->heap = h;
		o->cap = cap;
	}
	struct held *e = malloc(sizeof(*e) + rec->ev.len);
	if (!e)
		return AA_E_NOMEM;
	e->time_ns = rec->time_ns;
	e->index = rec->index;
	e->path = rec->path;
	e->host = rec->host;
	e->session = rec->session;
	e->origin = rec->origin;
	e->chunk = rec->chunk;
	e->len = rec->ev.len;
	memcpy(e->bytes, rec->ev.raw, rec->ev.len);
	e->arrival = o->arrivals++;
	o->bytes += sizeof(*e) + e->len;
	if (rec->time_ns > o->newest_ns)
		o->newest_ns = rec->time_ns;

	size_t i = o->n++;
	o->heap[i] = e;
	while (i && before(o->heap[i], o->heap[(i - 1) / 2])) {
		swap(o->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static struct held *take_min(struct aa_order *o)
{
	struct held *top = o->heap[0];
	size_t i = 0;

	o->heap[0] = o->heap[--o->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < o->n && before(o->heap[l], o->heap[m]))
			m = l;
		if (r < o->n && before(o->heap[r], o->heap[m]))
			m = r;
		if (m == i)
			break;
		swap(o->heap, i, m);
		i = m;
	}
	o->bytes -= sizeof(*top) + top->len;
	return top;
}

struct aa_record *aa_order_pop(struct aa_order *o, int flush)
{
	free(o->out);
	o->out = NULL;
	if (!o->n)
		return NULL;
	const struct held *top = o->heap[0];
	int due = flush || o->bytes > AA_ORDER_MAX_BYTES ||
		  o->newest_ns - top->time_ns >= o->window_ns;
	if (!due)
		return NULL;
	struct held *e = o->out = take_min(o);
	struct aa_record *r = &o->out_rec;
	/* the same bytes parse to the same event and error */
	aa_parse(e->bytes, e->len, &r->ev);
	r->time_ns = e->time_ns;
	r->index = e->index;
	r->path = e->path;
	r->host = e->host;
	r->session = e->session;
	r->origin = e->origin;
	r->chunk = e->chunk;
	return r;
}

void aa_order_free(struct aa_order *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		free(o->heap[i]);
	free(o->heap);
	free(o->out);
	free(o);
}
