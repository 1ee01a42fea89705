/* SPDX-License-Identifier: MIT */
/* Joins, process table feed and folding (evidence.h). */
#include "evidence.h"

#include <stdlib.h>
#include <string.h>

#include "proctab.h"

/* Bytes of pending groups (strings and held records) at most; past it the
 * oldest group is an orphan. */
#define PENDING_MAX_BYTES (64u << 20)

/* A record copied to be delivered later (fold), re-parsed when it goes. */
struct held {
	uint64_t time_ns, index;
	const char *path;
	uint32_t chunk, len;
	uint8_t bytes[];
};

/* One string being put together from its pieces. */
struct jstr {
	uint8_t *buf;
	uint32_t total;    /* total_len of its pieces */
	uint32_t keep;     /* bytes kept: min(total, AA_JOIN_STRING_MAX) */
	uint32_t contig;   /* bytes in from 0 with no piece missing */
	uint32_t next_seq;
	uint32_t orig_len;
	uint8_t flags;
	int present;
};

/* The completion records of one (pid, tid, timestamp_ns). */
struct group {
	uint32_t pid, tid;
	uint64_t ts;
	struct jstr s[AA_STRING_KIND_COUNT];
	int has_conn, has_task;
	struct aa_tls_conn_event conn;
	struct aa_task_event task;
	int used;          /* a TLS call's conn: kept for the call's later pieces */
	size_t bytes;
	struct held **held; /* fold: the records themselves, in order */
	size_t nheld, capheld;
};

struct qent {
	struct held *h;         /* a copy, or */
	struct aa_record *live; /* the record pushed last */
	int folded;
};

struct aa_evidence {
	int fold;
	struct group *pending[AA_PENDING_MAX]; /* oldest first */
	size_t npending;
	size_t bytes;
	struct group *cur;     /* the group joined to the record pushed last */
	struct aa_joins joins; /* its view */
	struct aa_proctab *procs;
	struct qent *q;
	size_t qhead, qn, qcap;
	struct held *out;      /* the copy popped last, and its record */
	struct aa_record out_rec;
};

struct aa_evidence *aa_evidence_new(int fold, uint32_t max_processes)
{
	struct aa_evidence *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->fold = fold;
	if (!(e->procs = aa_proctab_new(max_processes))) {
		free(e);
		return NULL;
	}
	return e;
}

struct aa_proctab *aa_evidence_procs(const struct aa_evidence *e)
{
	return e->procs;
}

int aa_is_completion(const struct aa_event *ev)
{
	if (ev->error)
		return 0;
	switch (ev->type) {
	case AA_TYPE_STRING:
	case AA_TYPE_TLS_CONN:
		return 1;
	case AA_TYPE_TASK:
		return ev->task->kind == AA_TASK_EXEC || ev->task->kind == AA_TASK_EXIT;
	case AA_TYPE_TLS:
	case AA_TYPE_FILE:
	case AA_TYPE_EXEC:
	case AA_TYPE_EXIT:
	case AA_TYPE_FILEOP:
	case AA_TYPE_NET:
	case AA_TYPE_UNKNOWN:
		return 0;
	}
	return 0;
}

/* The record's pid and tid; exec and exit records have no tid (0 then).
 * 0 for a record that takes no part (unknown, invalid). */
static int key_of(const struct aa_event *ev, uint32_t *pid, uint32_t *tid, int *has_tid)
{
	*has_tid = 1;
	if (ev->error)
		return 0;
	switch (ev->type) {
	case AA_TYPE_TLS: *pid = ev->tls->pid; *tid = ev->tls->tid; return 1;
	case AA_TYPE_FILE: *pid = ev->file->pid; *tid = ev->file->tid; return 1;
	case AA_TYPE_TASK: *pid = ev->task->pid; *tid = ev->task->tid; return 1;
	case AA_TYPE_STRING: *pid = ev->string->pid; *tid = ev->string->tid; return 1;
	case AA_TYPE_TLS_CONN: *pid = ev->tls_conn->pid; *tid = ev->tls_conn->tid; return 1;
	case AA_TYPE_FILEOP: *pid = ev->fileop->pid; *tid = ev->fileop->tid; return 1;
	case AA_TYPE_NET: *pid = ev->net->pid; *tid = ev->net->tid; return 1;
	case AA_TYPE_EXEC: *pid = ev->exec->pid; *tid = 0; *has_tid = 0; return 1;
	case AA_TYPE_EXIT: *pid = ev->exit->pid; *tid = 0; *has_tid = 0; return 1;
	case AA_TYPE_UNKNOWN: return 0;
	}
	return 0;
}

static struct held *hold_copy(const struct aa_record *rec)
{
	struct held *h = malloc(sizeof(*h) + rec->ev.len);

	if (!h)
		return NULL;
	h->time_ns = rec->time_ns;
	h->index = rec->index;
	h->path = rec->path;
	h->chunk = rec->chunk;
	h->len = rec->ev.len;
	memcpy(h->bytes, rec->ev.raw, rec->ev.len);
	return h;
}

static int queue(struct aa_evidence *e, struct held *h, struct aa_record *live, int folded)
{
	if (e->qhead == e->qn)
		e->qhead = e->qn = 0;
	if (e->qn == e->qcap) {
		size_t cap = e->qcap ? e->qcap * 2 : 16;
		struct qent *q = realloc(e->q, cap * sizeof(*q));
		if (!q)
			return AA_E_NOMEM;
		e->q = q;
		e->qcap = cap;
	}
	e->q[e->qn++] = (struct qent){ .h = h, .live = live, .folded = folded };
	return 0;
}

/* Hands g's held records to the queue (folded, or as orphans). */
static int release_held(struct aa_evidence *e, struct group *g, int folded)
{
	int rc = 0;

	for (size_t i = 0; i < g->nheld; i++) {
		size_t n = sizeof(struct held) + g->held[i]->len;
		if (rc == 0 && (rc = queue(e, g->held[i], NULL, folded)) == 0)
			g->held[i] = NULL;
		free(g->held[i]);
		g->bytes -= n;
		e->bytes -= n;
	}
	g->nheld = 0;
	return rc;
}

static void group_free(struct aa_evidence *e, struct group *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nheld; i++)
		free(g->held[i]);
	free(g->held);
	for (int k = 0; k < AA_STRING_KIND_COUNT; k++)
		free(g->s[k].buf);
	e->bytes -= g->bytes;
	free(g);
}

/* Frees g; its held records go to the queue first. */
static int group_release(struct aa_evidence *e, struct group *g, int folded)
{
	int rc = release_held(e, g, folded);

	group_free(e, g);
	return rc;
}

static void pending_remove(struct aa_evidence *e, size_t i)
{
	memmove(&e->pending[i], &e->pending[i + 1], (e->npending - i - 1) * sizeof(e->pending[0]));
	e->npending--;
}

/* Groups of pid (and tid, if has_tid) with another time stamp: their record
 * is not coming (a thread's records come in its order). */
static int drop_stale(struct aa_evidence *e, uint32_t pid, uint32_t tid, int has_tid, uint64_t ts)
{
	int rc = 0;

	for (size_t i = 0; i < e->npending;) {
		struct group *g = e->pending[i];
		if (g->pid == pid && (!has_tid || g->tid == tid) && g->ts != ts) {
			pending_remove(e, i);
			int r = group_release(e, g, 0);
			rc = rc ? rc : r;
		} else {
			i++;
		}
	}
	return rc;
}

static struct group *find(struct aa_evidence *e, uint32_t pid, uint32_t tid, int has_tid,
			  uint64_t ts, size_t *at)
{
	for (size_t i = 0; i < e->npending; i++) {
		struct group *g = e->pending[i];
		if (g->pid == pid && g->ts == ts && (!has_tid || g->tid == tid)) {
			*at = i;
			return g;
		}
	}
	return NULL;
}

/* A second record of the same part: the group's own record was lost. */
static int conflicts(const struct group *g, const struct aa_event *ev)
{
	if (g->used)
		return 1;
	switch (ev->type) {
	case AA_TYPE_STRING:
		return ev->string->seq == 0 && g->s[ev->string->kind].present;
	case AA_TYPE_TLS_CONN:
		return g->has_conn;
	case AA_TYPE_TASK:
		return g->has_task;
	case AA_TYPE_TLS:
	case AA_TYPE_FILE:
	case AA_TYPE_EXEC:
	case AA_TYPE_EXIT:
	case AA_TYPE_FILEOP:
	case AA_TYPE_NET:
	case AA_TYPE_UNKNOWN:
		return 0;
	}
	return 0;
}

static int add_string(struct aa_evidence *e, struct group *g, const struct aa_string_event *p)
{
	struct jstr *s = &g->s[p->kind];

	if (!s->present) {
		s->present = 1;
		s->total = p->total_len;
		s->keep = p->total_len < AA_JOIN_STRING_MAX ? p->total_len : AA_JOIN_STRING_MAX;
		s->orig_len = p->orig_len;
		if (!(s->buf = malloc(s->keep ? s->keep : 1)))
			return AA_E_NOMEM;
		g->bytes += s->keep;
		e->bytes += s->keep;
	}
	s->flags |= p->flags;
	uint64_t off = (uint64_t)p->seq * AA_STRING_PIECE_MAX;
	uint32_t len = aa_string_piece_len(p);
	if (p->seq == s->next_seq && off == s->contig && off < s->keep) {
		uint32_t n = len < s->keep - off ? len : (uint32_t)(s->keep - off);
		memcpy(s->buf + off, p->data, n);
		s->contig += n;
	}
	s->next_seq = p->seq + 1;
	return 0;
}

static int group_add(struct aa_evidence *e, struct group *g, const struct aa_record *rec)
{
	const struct aa_event *ev = &rec->ev;
	int rc = 0;

	switch (ev->type) {
	case AA_TYPE_STRING:
		rc = add_string(e, g, ev->string);
		break;
	case AA_TYPE_TLS_CONN:
		g->has_conn = 1;
		g->conn = *ev->tls_conn;
		break;
	case AA_TYPE_TASK:
		g->has_task = 1;
		g->task = *ev->task;
		break;
	case AA_TYPE_TLS:
	case AA_TYPE_FILE:
	case AA_TYPE_EXEC:
	case AA_TYPE_EXIT:
	case AA_TYPE_FILEOP:
	case AA_TYPE_NET:
	case AA_TYPE_UNKNOWN:
		break;
	}
	if (rc || !e->fold)
		return rc;
	if (g->nheld == g->capheld) {
		size_t cap = g->capheld ? g->capheld * 2 : 4;
		struct held **h = realloc(g->held, cap * sizeof(*h));
		if (!h)
			return AA_E_NOMEM;
		g->held = h;
		g->capheld = cap;
	}
	if (!(g->held[g->nheld] = hold_copy(rec)))
		return AA_E_NOMEM;
	size_t n = sizeof(struct held) + rec->ev.len;
	g->nheld++;
	g->bytes += n;
	e->bytes += n;
	return 0;
}

static struct group *group_new(struct aa_evidence *e, uint32_t pid, uint32_t tid, uint64_t ts)
{
	struct group *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->pid = pid;
	g->tid = tid;
	g->ts = ts;
	g->bytes = sizeof(*g);
	e->bytes += g->bytes;
	e->pending[e->npending++] = g;
	return g;
}

/* Keeps the pending groups within their bounds: the oldest go as orphans. */
static int bound(struct aa_evidence *e)
{
	int rc = 0;

	while (e->npending && (e->npending >= AA_PENDING_MAX || e->bytes > PENDING_MAX_BYTES)) {
		struct group *g = e->pending[0];
		pending_remove(e, 0);
		int r = group_release(e, g, 0);
		rc = rc ? rc : r;
	}
	return rc;
}

static void set_joins(struct aa_evidence *e, const struct group *g)
{
	memset(&e->joins, 0, sizeof(e->joins));
	for (int k = 0; k < AA_STRING_KIND_COUNT; k++) {
		const struct jstr *s = &g->s[k];
		struct aa_string *o = &e->joins.str[k];
		if (!s->present)
			continue;
		o->data = s->buf;
		o->len = s->contig;
		o->orig_len = s->orig_len;
		o->truncated = (s->flags & AA_STRING_TRUNCATED) || s->contig < s->total;
		o->unlinked = (s->flags & AA_STRING_UNLINKED) != 0;
	}
	e->joins.tls_conn = g->has_conn ? &g->conn : NULL;
	e->joins.task = g->has_task ? &g->task : NULL;
}

static int push_completion(struct aa_evidence *e, struct aa_record *rec, uint32_t pid, uint32_t tid)
{
	uint64_t ts = rec->ev.mono_ns;
	size_t at;
	int rc = drop_stale(e, pid, tid, 1, ts);
	struct group *g = find(e, pid, tid, 1, ts, &at);

	if (g && conflicts(g, &rec->ev)) {
		pending_remove(e, at);
		int r = group_release(e, g, 0);
		rc = rc ? rc : r;
		g = NULL;
	}
	if (rc == 0 && !g && (rc = bound(e)) == 0 && !(g = group_new(e, pid, tid, ts)))
		rc = AA_E_NOMEM;
	if (rc == 0)
		rc = group_add(e, g, rec);
	/* a task exec or exit record tells the table at once */
	rec->process = aa_proctab_feed(e->procs, rec, NULL);
	if (rc == 0 && !e->fold)
		rc = queue(e, NULL, rec, 0);
	return rc;
}

static int push_completed(struct aa_evidence *e, struct aa_record *rec, uint32_t pid, uint32_t tid,
			  int has_tid)
{
	uint64_t ts = rec->ev.mono_ns;
	size_t at;
	int rc = drop_stale(e, pid, tid, has_tid, ts);
	struct group *g = find(e, pid, tid, has_tid, ts, &at);

	if (g) {
		set_joins(e, g);
		rec->joins = &e->joins;
		if (rec->ev.type == AA_TYPE_TLS && g->has_conn && !g->used) {
			/* the call's later pieces have the same key: the group stays */
			g->used = 1;
			int r = release_held(e, g, 1);
			rc = rc ? rc : r;
		} else if (!g->used) {
			pending_remove(e, at);
			/* kept for rec's joins until the next push; its held records go first */
			int r = release_held(e, g, 1);
			rc = rc ? rc : r;
			e->cur = g;
		}
	}
	rec->process = aa_proctab_feed(e->procs, rec, rec->joins);
	int r = queue(e, NULL, rec, 0);
	return rc ? rc : r;
}

int aa_evidence_push(struct aa_evidence *e, struct aa_record *rec)
{
	uint32_t pid, tid;
	int has_tid;

	group_free(e, e->cur);
	e->cur = NULL;
	rec->joins = NULL;
	rec->process = NULL;
	rec->folded = 0;
	if (!key_of(&rec->ev, &pid, &tid, &has_tid))
		return queue(e, NULL, rec, 0);
	if (aa_is_completion(&rec->ev))
		return push_completion(e, rec, pid, tid);
	return push_completed(e, rec, pid, tid, has_tid);
}

void aa_evidence_end(struct aa_evidence *e)
{
	while (e->npending) {
		struct group *g = e->pending[0];
		pending_remove(e, 0);
		/* out of memory here loses held records' delivery, not memory */
		(void)group_release(e, g, 0);
	}
}

const struct aa_record *aa_evidence_pop(struct aa_evidence *e)
{
	free(e->out);
	e->out = NULL;
	if (e->qhead == e->qn)
		return NULL;
	struct qent *q = &e->q[e->qhead++];
	if (q->live)
		return q->live;
	struct held *h = e->out = q->h;
	struct aa_record *r = &e->out_rec;
	uint32_t pid = 0;

	aa_parse(h->bytes, h->len, &r->ev);
	r->time_ns = h->time_ns;
	r->index = h->index;
	r->path = h->path;
	r->chunk = h->chunk;
	r->joins = NULL;
	r->folded = q->folded;
	r->process = aa_event_pid(&r->ev, &pid) ? aa_proctab_at(e->procs, pid, r->time_ns) : NULL;
	return r;
}

void aa_evidence_free(struct aa_evidence *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->npending; i++)
		group_free(e, e->pending[i]);
	group_free(e, e->cur);
	for (size_t i = e->qhead; i < e->qn; i++)
		free(e->q[i].h);
	free(e->q);
	free(e->out);
	aa_proctab_free(e->procs);
	free(e);
}
