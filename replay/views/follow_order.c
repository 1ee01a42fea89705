/* SPDX-License-Identifier: MIT */
/* Time order across connections: held copies in a heap (follow_order.h). */
#include "follow_order.h"

#include <stdlib.h>
#include <string.h>

struct follow_entry {
	enum follow_what what;
	uint64_t time, seq;
	size_t size;
	struct aa_follow_conn conn;  /* as it was when the item came */
	struct aa_follow_call call;
	struct aa_follow_msg msg;
	/* then the headers and the bytes the pointers above point to */
};

static int earlier(const struct follow_entry *a, const struct follow_entry *b)
{
	return a->time != b->time ? a->time < b->time : a->seq < b->seq;
}

static void up(struct follow_order *q, size_t i)
{
	while (i) {
		size_t parent = (i - 1) / 2;
		if (!earlier(q->heap[i], q->heap[parent]))
			break;
		struct follow_entry *e = q->heap[i];
		q->heap[i] = q->heap[parent];
		q->heap[parent] = e;
		i = parent;
	}
}

static struct follow_entry *pop(struct follow_order *q)
{
	struct follow_entry *top = q->heap[0];
	size_t i = 0;

	q->heap[0] = q->heap[--q->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->n && earlier(q->heap[l], q->heap[m]))
			m = l;
		if (r < q->n && earlier(q->heap[r], q->heap[m]))
			m = r;
		if (m == i)
			break;
		struct follow_entry *e = q->heap[i];
		q->heap[i] = q->heap[m];
		q->heap[m] = e;
		i = m;
	}
	q->bytes -= top->size;
	return top;
}

static size_t blen(struct aa_follow_bytes b)
{
	return b.data ? b.len : 0;
}

/* Copies b's bytes to *at (moved past them); b then points there. */
static void take(uint8_t **at, struct aa_follow_bytes *b)
{
	if (!b->data)
		return;
	memcpy(*at, b->data, b->len);
	b->data = *at;
	*at += b->len;
}

static size_t msg_bytes(const struct aa_follow_msg *m)
{
	size_t n = blen(m->method) + blen(m->path) + blen(m->authority) + blen(m->scheme) +
		   blen(m->version) + blen(m->body) + blen(m->encoding) + blen(m->event) +
		   blen(m->data) + blen(m->id) + (m->note ? strlen(m->note) + 1 : 0) +
		   m->nheaders * sizeof(struct aa_follow_header);

	for (size_t i = 0; i < m->nheaders; i++)
		n += blen(m->headers[i].name) + blen(m->headers[i].value);
	return n;
}

static void msg_copy(struct follow_entry *e, const struct aa_follow_msg *m)
{
	uint8_t *at = (uint8_t *)(e + 1);
	struct aa_follow_header *h = (struct aa_follow_header *)at;

	e->msg = *m;
	e->msg.conn = &e->conn;
	at += m->nheaders * sizeof(*h);
	for (size_t i = 0; i < m->nheaders; i++) {
		h[i] = m->headers[i];
		take(&at, &h[i].name);
		take(&at, &h[i].value);
	}
	e->msg.headers = m->nheaders ? h : NULL;
	struct aa_follow_bytes *b[] = { &e->msg.method, &e->msg.path, &e->msg.authority,
					&e->msg.scheme, &e->msg.version, &e->msg.body,
					&e->msg.encoding, &e->msg.event, &e->msg.data, &e->msg.id };
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		take(&at, b[i]);
	if (m->note) {
		memcpy(at, m->note, strlen(m->note) + 1);
		e->msg.note = (const char *)at;
	}
}

int follow_order_add(struct follow_order *q, enum follow_what what, uint64_t t, const void *item)
{
	const struct aa_follow_msg *m = item;
	const struct aa_follow_call *c = item;
	const struct aa_follow_conn *conn = what == FOLLOW_MSG ? m->conn : what == FOLLOW_CALL ? c->conn : item;
	size_t extra = what == FOLLOW_MSG ? msg_bytes(m) : what == FOLLOW_CALL ? c->len : 0;
	struct follow_entry *e;

	if (q->failed)
		return -1;
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct follow_entry **h = realloc(q->heap, cap * sizeof(*h));
		if (!h) {
			q->failed = 1;
			return -1;
		}
		q->heap = h;
		q->cap = cap;
	}
	if (!(e = calloc(1, sizeof(*e) + extra))) {
		q->failed = 1;
		return -1;
	}
	e->what = what;
	e->time = t;
	e->seq = q->seq++;
	e->size = sizeof(*e) + extra;
	if (conn)
		e->conn = *conn;
	if (what == FOLLOW_MSG) {
		msg_copy(e, m);
	} else if (what == FOLLOW_CALL) {
		e->call = *c;
		e->call.conn = conn ? &e->conn : NULL;
		e->call.data = (const uint8_t *)(e + 1);
		memcpy(e + 1, c->data, c->len);
	}
	q->heap[q->n++] = e;
	q->bytes += e->size;
	up(q, q->n - 1);
	return 0;
}

int follow_deliver(enum follow_what what, const void *item, const struct aa_follow_callbacks *cb,
		   void *user)
{
	switch (what) {
	case FOLLOW_CONN:
		return cb->on_conn ? cb->on_conn(user, item) : 0;
	case FOLLOW_CONN_END:
		return cb->on_conn_end ? cb->on_conn_end(user, item) : 0;
	case FOLLOW_CALL:
		return cb->on_call ? cb->on_call(user, item) : 0;
	case FOLLOW_MSG:
		return cb->on_msg ? cb->on_msg(user, item) : 0;
	}
	return 0;
}

static int deliver(struct follow_order *q, struct follow_entry *e, const struct aa_follow_callbacks *cb,
		   void *user)
{
	const void *item = e->what == FOLLOW_MSG ? (const void *)&e->msg
			   : e->what == FOLLOW_CALL ? (const void *)&e->call : (const void *)&e->conn;
	int rc;

	if (e->time < q->sent)
		q->late++;
	else
		q->sent = e->time;
	rc = follow_deliver(e->what, item, cb, user);
	free(e);
	return rc;
}

int follow_order_flush(struct follow_order *q, uint64_t before, const struct aa_follow_callbacks *cb,
		       void *user)
{
	int rc = 0;

	while (!rc && q->n && (q->heap[0]->time < before || before == UINT64_MAX ||
			       q->bytes > FOLLOW_ORDER_MAX_BYTES))
		rc = deliver(q, pop(q), cb, user);
	return rc;
}

void follow_order_free(struct follow_order *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->heap[i]);
	free(q->heap);
	memset(q, 0, sizeof(*q));
}
