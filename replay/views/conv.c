/* SPDX-License-Identifier: MIT */
/* Conversations: TLS pieces into calls, calls into connections (conv.h). */
#include <stdlib.h>
#include <string.h>

#include "conv.h"

struct conv_open {
	int active;
	uint32_t origin, pid, tid, data_len, next_seq, lost;
	unsigned dir;
	uint64_t mono_ns, time_ns, offset, used;
	struct conv_conn *conn;
	struct dec_buf buf;
	int fed;               /* a part went to the decoder already */
};

#define KEY_PID (1ull << 63)

int conv_init(struct conv *v, const struct aa_follow_opts *opts, const struct aa_follow_callbacks *cb,
	      void *user)
{
	memset(v, 0, sizeof(*v));
	v->opts = opts;
	v->cb = cb;
	v->user = user;
	v->open = calloc(CONV_MAX_OPEN, sizeof(*v->open));
	if (!v->open || conv_table_init(&v->conns)) {
		free(v->open);
		v->open = NULL;
		return AA_E_NOMEM;
	}
	return 0;
}

/* Hands item to its callback, or with opts->ordered holds it for time
 * order (as it comes when it cannot be held). */
static void give(struct conv *v, enum follow_what what, uint64_t t, const void *item)
{
	if (v->stop)
		return;
	if (v->opts->ordered && follow_order_add(&v->order, what, t, item) == 0)
		return;
	v->stop = follow_deliver(what, item, v->cb, v->user);
}

static void emit(void *user, struct aa_follow_msg *m)
{
	struct conv_conn *c = user;

	m->conn = &c->pub;
	m->pid = c->pid;
	if (!m->time_ns)
		m->time_ns = c->pub.last_ns;
	give(c->v, FOLLOW_MSG, m->time_ns, m);
}

static void conn_end(struct conv *v, struct conv_conn *c)
{
	for (size_t i = 0; i < v->nopen; i++)
		if (v->open[i].active && v->open[i].conn == c)
			v->open[i].conn = NULL; /* its call goes on, now without decoding */
	if (c->dec) {
		dec_conn_end(c->dec);
		dec_conn_free(c->dec);
		c->dec = NULL;
	}
	conv_table_since(&v->conns, c, UINT64_MAX);
	give(v, FOLLOW_CONN_END, c->pub.last_ns, &c->pub);
}

/* c ends and goes: its memory with it. */
static void conn_drop(struct conv *v, struct conv_conn *c)
{
	conn_end(v, c);
	conv_table_remove(&v->conns, c);
	free(c);
}

static struct conv_conn *conn_find(struct conv *v, const struct aa_record *rec, uint64_t key)
{
	const struct aa_tls_conn_event *tc = rec->joins ? rec->joins->tls_conn : NULL;
	struct conv_conn *c = NULL;

	if ((c = conv_table_find(&v->conns, key, rec->origin)))
		return c;
	if (v->conns.n == AA_FOLLOW_MAX_CONNS) /* the least recently used one goes */
		conn_drop(v, v->conns.list[CONV_LRU].first);
	if (!(c = calloc(1, sizeof(*c))))
		return NULL;
	c->key = key;
	c->v = v;
	c->pub.id = key & KEY_PID ? 0 : key;
	c->pub.known = !(key & KEY_PID);
	c->pub.pid = rec->ev.tls->pid;
	c->pub.fd = -1;
	c->pub.first_ns = c->pub.last_ns = rec->time_ns;
	c->pub.origin = rec->origin;
	c->pub.host = rec->host;
	c->pub.session = rec->session;
	if (rec->process)
		memcpy(c->pub.comm, rec->process->comm, sizeof(c->pub.comm));
	if (tc && c->pub.known) {
		c->pub.fd = tc->fd;
		c->pub.family = tc->family;
		memcpy(c->pub.local_addr, tc->local_addr, 16);
		memcpy(c->pub.peer_addr, tc->peer_addr, 16);
		c->pub.local_port = tc->local_port;
		c->pub.peer_port = tc->peer_port;
		c->pub.lib = tc->lib;
	}
	if (!v->opts->raw) {
		struct dec_sink s = { emit, c, v->opts->max_body ? v->opts->max_body : AA_FOLLOW_MAX_BODY };
		c->dec = dec_conn_new(&s);
	}
	conv_table_add(&v->conns, c);
	give(v, FOLLOW_CONN, c->pub.first_ns, &c->pub);
	return c;
}

/* Delivers what o holds (a whole call, or a part of a long one). */
static void deliver(struct conv *v, struct conv_open *o, int last)
{
	struct conv_conn *c = o->conn;
	struct aa_follow_call call = { .conn = c ? &c->pub : NULL, .pid = o->pid, .tid = o->tid,
				       .direction = o->dir, .time_ns = o->time_ns,
				       .data = o->buf.p ? o->buf.p : (const uint8_t *)"", .len = o->buf.len,
				       .data_len = o->data_len, .offset = o->offset, .last = last,
				       .lost = o->lost };

	if (c) {
		if (o->offset == 0 && !o->fed) {
			c->pub.calls[o->dir & 1]++;
			c->pub.last_ns = o->time_ns;
		}
		c->pub.bytes[o->dir & 1] += o->buf.len;
	}
	if (c)
		give(v, FOLLOW_CALL, o->time_ns, &call);
	if (c && c->dec) {
		c->pid = o->pid;
		if (o->lost)
			dec_conn_gap(c->dec, o->dir, o->time_ns, o->lost);
		dec_conn_feed(c->dec, o->dir, o->time_ns, call.data, call.len, !o->fed);
		conv_table_since(&v->conns, c, dec_conn_open_since(c->dec));
	}
	o->fed = 1;
	o->offset += o->buf.len;
	o->buf.len = 0;
	o->lost = 0;
	if (last)
		o->active = 0;
}

/* The call ends before all its pieces came: the rest counts as lost. */
static void rest_lost(struct conv_open *o)
{
	uint64_t got = o->offset + o->buf.len + o->lost;

	if (o->data_len > got)
		o->lost += (uint32_t)(o->data_len - got);
}

/* The slot of tid's call, else a free one (the oldest call delivered as
 * it is when none is). Slots past v->nopen were never used: a recording
 * with few threads mid-call at once looks at few. */
static struct conv_open *open_find(struct conv *v, uint32_t origin, uint32_t tid)
{
	struct conv_open *free_one = NULL, *oldest = NULL;

	if (v->hint < v->nopen && v->open[v->hint].active && v->open[v->hint].tid == tid &&
	    v->open[v->hint].origin == origin)
		return &v->open[v->hint]; /* the next piece of the call before, mostly */
	for (size_t i = 0; i < v->nopen; i++) {
		struct conv_open *o = &v->open[i];
		if (o->active && o->tid == tid && o->origin == origin) {
			v->hint = i;
			return o;
		}
		if (!o->active && !free_one)
			free_one = o;
		if (o->active && (!oldest || o->used < oldest->used))
			oldest = o;
	}
	if (!free_one && v->nopen < CONV_MAX_OPEN)
		free_one = &v->open[v->nopen++];
	if (!free_one) {
		deliver(v, oldest, 1); /* more threads mid-call than kept: the oldest as it is */
		free_one = oldest;
	}
	v->hint = (size_t)(free_one - v->open);
	return free_one;
}

/* Hands out what is held that nothing can come before any more: calls
 * begin at now or later (the source is in time order), so only the
 * calls being joined and the messages the decoders have under way can. */
static void release(struct conv *v, uint64_t now)
{
	uint64_t before = now, t;

	for (size_t i = 0; i < v->nopen; i++)
		if (v->open[i].active && v->open[i].time_ns < before)
			before = v->open[i].time_ns;
	if ((t = conv_table_oldest(&v->conns)) < before)
		before = t;
	if (!v->stop)
		v->stop = follow_order_flush(&v->order, before, v->cb, v->user);
}

void conv_piece(struct conv *v, const struct aa_record *rec)
{
	const struct aa_tls_event *e = rec->ev.tls;
	const struct aa_tls_conn_event *tc = rec->joins ? rec->joins->tls_conn : NULL;
	uint64_t key = tc && tc->conn ? tc->conn : KEY_PID | e->pid;
	uint32_t len = aa_tls_piece_len(e);
	struct conv_open *o = open_find(v, rec->origin, e->tid);

	if (o->active && (o->mono_ns != e->timestamp_ns || o->data_len != e->data_len ||
			  o->dir != e->direction || o->pid != e->pid || e->seq < o->next_seq)) {
		/* a new call: the one before lost its last pieces */
		rest_lost(o);
		deliver(v, o, 1);
	}
	if (!o->active) {
		if (v->opts->conn && key != v->opts->conn)
			return;
		struct dec_buf keep = o->buf;
		memset(o, 0, sizeof(*o));
		o->buf = keep;
		o->buf.len = 0;
		o->active = 1;
		o->origin = rec->origin;
		o->pid = e->pid;
		o->tid = e->tid;
		o->dir = e->direction;
		o->data_len = e->data_len;
		o->mono_ns = e->timestamp_ns;
		o->time_ns = rec->time_ns;
		o->conn = conn_find(v, rec, key);
	}
	o->used = ++v->uses;
	if (e->seq > o->next_seq)
		o->lost += (e->seq - o->next_seq) * (uint32_t)AA_TLS_PAYLOAD_MAX;
	o->next_seq = e->seq + 1;
	if (dec_buf_add(&o->buf, e->payload, len, AA_FOLLOW_MAX_CALL) < len) {
		deliver(v, o, 0);
		dec_buf_add(&o->buf, e->payload, len, AA_FOLLOW_MAX_CALL);
	}
	if (o->offset + o->buf.len + o->lost >= o->data_len)
		deliver(v, o, 1);
	/* looking at every connection for each piece would cost more than
	 * holding a few more: every 64 pieces, or at 1 MiB held */
	if (v->order.n && (++v->pieces % 64 == 0 || v->order.bytes > (1u << 20)))
		release(v, rec->time_ns);
}

/* The calls being joined, of every process (all) or of pid of origin,
 * handed out as they are: no more pieces of them can come. */
static void calls_end(struct conv *v, int all, uint32_t origin, uint32_t pid)
{
	for (size_t i = 0; i < v->nopen; i++) {
		struct conv_open *o = &v->open[i];
		if (o->active && (all || (o->origin == origin && o->pid == pid))) {
			rest_lost(o);
			deliver(v, o, 1);
		}
	}
}

void conv_exit(struct conv *v, uint32_t origin, uint32_t pid)
{
	struct conv_conn *c, *next;

	calls_end(v, 0, origin, pid); /* out before their connections end */
	for (c = conv_table_of_pid(&v->conns, origin, pid, NULL); c; c = next) {
		next = conv_table_of_pid(&v->conns, origin, pid, c);
		conn_drop(v, c);
	}
}

void conv_end(struct conv *v)
{
	calls_end(v, 1, 0, 0);
	for (struct conv_conn *c = v->conns.list[CONV_SEEN].first; c; c = c->link[CONV_SEEN].next)
		conn_end(v, c);
	if (!v->stop)
		v->stop = follow_order_flush(&v->order, UINT64_MAX, v->cb, v->user);
}

void conv_free(struct conv *v)
{
	for (size_t i = 0; v->open && i < CONV_MAX_OPEN; i++)
		dec_buf_free(&v->open[i].buf);
	free(v->open);
	for (struct conv_conn *c = v->conns.list[CONV_SEEN].first, *next; c; c = next) {
		next = c->link[CONV_SEEN].next;
		dec_conn_free(c->dec);
		free(c);
	}
	conv_table_free(&v->conns);
	follow_order_free(&v->order);
	memset(v, 0, sizeof(*v));
}
