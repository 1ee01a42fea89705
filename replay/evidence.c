/* SPDX-License-Identifier: MIT */
/*
 * Joins, process table feed and folding (evidence.h). Records go out in the
 * order they came, always: with fold, a completion record waits (and every
 * record behind it) only until it is known whether its record came, so
 * that it can go out marked folded or not.
 */
#include "evidence.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "proctab.h"

/* Bytes of pending groups and records waiting behind them, at most; past
 * it the oldest group is an orphan. */
#define PENDING_MAX_BYTES (64u << 20)
/* Groups done with kept for the next ones rather than freed (a recording
 * makes one every few records), and the largest string buffer they keep. */
#define SPARE_GROUPS 64
#define SPARE_STRING_MAX 4096u
/* Held copies (fold) are taken from blocks of this size: none per record. */
#define HELD_BLOCK (64u << 10)

/* A record copied while it waits (fold), parsed again when it goes out. */
struct held {
	uint64_t time_ns, index;
	const char *path;
	const char *host;          /* the record's origin (aa_record.host ...) */
	const uint8_t *session;
	const char *arch;
	uint32_t origin;
	uint32_t chunk, len;
	uint32_t pad_;             /* bytes starts 8-byte aligned: aa_parse views it */
	uint8_t bytes[];
};
_Static_assert(offsetof(struct held, bytes) % 8 == 0, "held records are parsed in place");

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
	uint32_t cap;      /* of buf, which a spare group keeps */
};

/* The completion records of one (pid, tid, timestamp_ns). */
struct group {
	uint32_t origin;   /* of its records: pids of other hosts are others */
	uint32_t pid, tid;
	uint64_t ts;
	struct jstr s[AA_STRING_KIND_COUNT];
	int has_conn, has_task;
	struct aa_tls_conn_event conn;
	struct aa_task_event task;
	int joined;        /* a record took it (a TLS call's pieces: the first did) */
	int pending;       /* still in the pending list: more may come or join */
	int refs;          /* queue entries that point at it */
	size_t bytes;
};

/* A record waiting to go out. */
struct qent {
	struct held *h;         /* a copy (fold), in blk, or */
	struct aa_arena_block *blk;
	struct aa_record *live; /* the record just pushed (without fold) */
	struct group *g;        /* the group it is part of, or that completes it */
	int completion;         /* it is part of g, not completed by it */
};

struct aa_evidence {
	int fold;
	struct group *pending[AA_PENDING_MAX]; /* oldest first */
	size_t npending;
	size_t bytes;
	struct aa_proctab *procs;
	struct qent *q;
	size_t qhead, qn, qcap;
	struct qent out;       /* the entry popped last: its copy and group */
	struct aa_record out_rec;
	struct aa_joins joins; /* the joins of the record popped last */
	uint32_t origin;       /* of the record being pushed */
	struct group *spare[SPARE_GROUPS];
	size_t nspare;
	struct aa_arena held;  /* the copies (fold) */
};

struct aa_evidence *aa_evidence_new(int fold, uint32_t max_processes)
{
	struct aa_evidence *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->fold = fold;
	aa_arena_init(&e->held, HELD_BLOCK);
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

static void group_free(struct group *g)
{
	for (int k = 0; k < AA_STRING_KIND_COUNT; k++)
		free(g->s[k].buf);
	free(g);
}

static void group_unref(struct aa_evidence *e, struct group *g)
{
	if (!g || --g->refs > 0 || g->pending)
		return;
	e->bytes -= g->bytes;
	if (e->nspare == SPARE_GROUPS) {
		group_free(g);
		return;
	}
	for (int k = 0; k < AA_STRING_KIND_COUNT; k++)
		if (g->s[k].cap > SPARE_STRING_MAX) {
			free(g->s[k].buf);
			g->s[k].buf = NULL;
			g->s[k].cap = 0;
		}
	e->spare[e->nspare++] = g;
}

/* Takes g out of the pending list: nothing more joins it. */
static void settle(struct aa_evidence *e, size_t i)
{
	struct group *g = e->pending[i];

	memmove(&e->pending[i], &e->pending[i + 1], (e->npending - i - 1) * sizeof(e->pending[0]));
	e->npending--;
	g->pending = 0;
	g->refs++; /* group_unref frees it once no entry points at it */
	group_unref(e, g);
}

/* The queue, full, has room for one more entry; 0 or AA_E_NOMEM. */
static int queue_grow(struct aa_evidence *e)
{
	if (e->qhead) {
		memmove(e->q, e->q + e->qhead, (e->qn - e->qhead) * sizeof(*e->q));
		e->qn -= e->qhead;
		e->qhead = 0;
		return 0;
	}
	size_t cap = e->qcap ? e->qcap * 2 : 16;
	struct qent *q = realloc(e->q, cap * sizeof(*q));
	if (!q)
		return AA_E_NOMEM;
	e->q = q;
	e->qcap = cap;
	return 0;
}

/* Queues rec, part of g (completion) or completed by g (NULL: by nothing).
 * With fold, a copy: records behind a completion record wait with it. */
static int queue(struct aa_evidence *e, struct aa_record *rec, struct group *g, int completion)
{
	if (e->qhead == e->qn)
		e->qhead = e->qn = 0;
	if (e->qn == e->qcap && queue_grow(e) != 0)
		return AA_E_NOMEM;
	struct qent *q = &e->q[e->qn];
	*q = (struct qent){ .live = rec, .g = g, .completion = completion };
	if (e->fold) {
		struct held *h = aa_arena_take(&e->held, sizeof(*h) + rec->ev.len, &q->blk);
		if (!h)
			return AA_E_NOMEM;
		h->time_ns = rec->time_ns;
		h->index = rec->index;
		h->path = rec->path;
		h->host = rec->host;
		h->session = rec->session;
		h->arch = rec->arch;
		h->origin = rec->origin;
		h->chunk = rec->chunk;
		h->len = rec->ev.len;
		memcpy(h->bytes, rec->ev.raw, rec->ev.len);
		e->bytes += sizeof(*h) + rec->ev.len;
		q->h = h;
		q->live = NULL;
	}
	if (g)
		g->refs++;
	e->qn++;
	return 0;
}

/*
 * The first pending group of pid (and tid, if has_tid) with time stamp ts,
 * at *at; those of pid (tid) with another time stamp are settled on the
 * way: their record is not coming (a thread's records come in its order).
 * One pass: settling one moves only those after it.
 */
static struct group *find(struct aa_evidence *e, uint32_t pid, uint32_t tid, int has_tid,
			  uint64_t ts, size_t *at)
{
	struct group *found = NULL;

	for (size_t i = 0; i < e->npending;) {
		struct group *g = e->pending[i];
		if (g->origin != e->origin || g->pid != pid || (has_tid && g->tid != tid)) {
			i++;
		} else if (g->ts != ts) {
			settle(e, i);
		} else {
			if (!found) {
				found = g;
				*at = i;
			}
			i++;
		}
	}
	return found;
}

/* A second record of the same part: the group's own record was lost. ev is
 * a completion record (aa_is_completion): string, tls_conn or task. */
static int conflicts(const struct group *g, const struct aa_event *ev)
{
	if (g->joined)
		return 1;
	if (ev->type == AA_TYPE_STRING)
		return ev->string->seq == 0 && g->s[ev->string->kind].present;
	return ev->type == AA_TYPE_TLS_CONN ? g->has_conn : g->has_task;
}

static int add_string(struct aa_evidence *e, struct group *g, const struct aa_string_event *p)
{
	struct jstr *s = &g->s[p->kind];

	if (!s->present) {
		s->present = 1;
		s->total = p->total_len;
		s->keep = p->total_len < AA_JOIN_STRING_MAX ? p->total_len : AA_JOIN_STRING_MAX;
		s->orig_len = p->orig_len;
		if (s->cap < s->keep || !s->buf) {
			uint32_t cap = s->keep ? s->keep : 1;
			uint8_t *b = malloc(cap);
			if (!b)
				return AA_E_NOMEM;
			free(s->buf);
			s->buf = b;
			s->cap = cap;
		}
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

/* ev is a completion record, as conflicts() says. */
static int group_add(struct aa_evidence *e, struct group *g, const struct aa_event *ev)
{
	if (ev->type == AA_TYPE_STRING)
		return add_string(e, g, ev->string);
	if (ev->type == AA_TYPE_TLS_CONN) {
		g->has_conn = 1;
		g->conn = *ev->tls_conn;
	} else {
		g->has_task = 1;
		g->task = *ev->task;
	}
	return 0;
}

/* Keeps the pending groups within their bounds: the oldest are orphans. */
static void bound(struct aa_evidence *e)
{
	while (e->npending && (e->npending >= AA_PENDING_MAX || e->bytes > PENDING_MAX_BYTES))
		settle(e, 0);
}

static struct group *group_new(struct aa_evidence *e, uint32_t pid, uint32_t tid, uint64_t ts)
{
	struct group *g;

	bound(e);
	if (e->nspare) {
		/* all as new but its string buffers; conn and task are only
		 * read once has_conn or has_task says they were written */
		g = e->spare[--e->nspare];
		for (int k = 0; k < AA_STRING_KIND_COUNT; k++)
			g->s[k] = (struct jstr){ .buf = g->s[k].buf, .cap = g->s[k].cap };
		g->has_conn = g->has_task = 0;
		g->joined = g->refs = 0;
	} else if (!(g = calloc(1, sizeof(*g)))) {
		return NULL;
	}
	g->origin = e->origin;
	g->pid = pid;
	g->tid = tid;
	g->ts = ts;
	g->pending = 1;
	g->bytes = sizeof(*g);
	e->bytes += g->bytes;
	e->pending[e->npending++] = g;
	return g;
}

static void set_joins(struct aa_joins *j, const struct group *g)
{
	memset(j, 0, sizeof(*j));
	for (int k = 0; k < AA_STRING_KIND_COUNT; k++) {
		const struct jstr *s = &g->s[k];
		struct aa_string *o = &j->str[k];
		if (!s->present)
			continue;
		o->data = s->buf;
		o->len = s->contig;
		o->orig_len = s->orig_len;
		o->truncated = (s->flags & AA_STRING_TRUNCATED) || s->contig < s->total;
		o->unlinked = (s->flags & AA_STRING_UNLINKED) != 0;
	}
	j->tls_conn = g->has_conn ? &g->conn : NULL;
	j->task = g->has_task ? &g->task : NULL;
}

static int push_completion(struct aa_evidence *e, struct aa_record *rec, uint32_t pid, uint32_t tid)
{
	uint64_t ts = rec->ev.mono_ns;
	size_t at;
	struct group *g = find(e, pid, tid, 1, ts, &at);
	if (g && conflicts(g, &rec->ev)) {
		settle(e, at);
		g = NULL;
	}
	if (!g && !(g = group_new(e, pid, tid, ts)))
		return AA_E_NOMEM;
	if (group_add(e, g, &rec->ev) != 0)
		return AA_E_NOMEM;
	/* a task exec or exit record tells the table at once */
	rec->process = aa_proctab_feed(e->procs, rec, pid, NULL);
	return queue(e, rec, g, 1);
}

static int push_completed(struct aa_evidence *e, struct aa_record *rec, uint32_t pid, uint32_t tid,
			  int has_tid)
{
	uint64_t ts = rec->ev.mono_ns;
	size_t at;
	struct group *g = find(e, pid, tid, has_tid, ts, &at);
	if (g) {
		struct aa_joins j;
		int was = g->joined;

		g->joined = 1;
		set_joins(&j, g);
		rec->process = aa_proctab_feed(e->procs, rec, pid, &j);
		if (rec->ev.type != AA_TYPE_TLS && was)
			g = NULL; /* a second record of the key: the first took it */
		int rc = queue(e, rec, g, 0);
		/* a TLS call's later pieces have the same key: its group stays */
		if (rc == 0 && g && !(rec->ev.type == AA_TYPE_TLS && g->has_conn))
			settle(e, at);
		return rc;
	}
	rec->process = aa_proctab_feed(e->procs, rec, pid, NULL);
	return queue(e, rec, NULL, 0);
}

int aa_evidence_push(struct aa_evidence *e, struct aa_record *rec)
{
	uint32_t pid, tid;
	int has_tid;

	rec->process = NULL;
	e->origin = rec->origin;
	if (!key_of(&rec->ev, &pid, &tid, &has_tid))
		return queue(e, rec, NULL, 0);
	if (aa_is_completion(&rec->ev))
		return push_completion(e, rec, pid, tid);
	return push_completed(e, rec, pid, tid, has_tid);
}

void aa_evidence_end(struct aa_evidence *e)
{
	while (e->npending)
		settle(e, 0);
}

const struct aa_record *aa_evidence_pop(struct aa_evidence *e)
{
	/* most records have neither: no call for them */
	if (e->out.h)
		aa_arena_give(&e->held, e->out.blk);
	if (e->out.g)
		group_unref(e, e->out.g);
	e->out = (struct qent){ 0 };
	if (e->qhead == e->qn)
		return NULL;
	struct qent *q = &e->q[e->qhead];
	/* a completion record waits until it is known whether its record came */
	if (e->fold && q->completion && q->g->pending && !q->g->joined) {
		if (e->bytes <= PENDING_MAX_BYTES)
			return NULL;
		for (size_t i = 0; i < e->npending; i++)
			if (e->pending[i] == q->g) {
				settle(e, i); /* too much waits behind it: an orphan */
				break;
			}
	}
	e->qhead++;
	e->out = *q;
	struct aa_record *r = q->live;
	if (q->h) {
		uint32_t pid = 0;

		r = &e->out_rec;
		aa_parse(q->h->bytes, q->h->len, &r->ev);
		r->time_ns = q->h->time_ns;
		r->index = q->h->index;
		r->path = q->h->path;
		r->host = q->h->host;
		r->session = q->h->session;
		r->arch = q->h->arch;
		r->origin = q->h->origin;
		r->chunk = q->h->chunk;
		r->process = aa_event_pid(&r->ev, &pid) ? aa_proctab_at(e->procs, r->origin, pid, r->time_ns) : NULL;
		e->bytes -= sizeof(*q->h) + q->h->len;
	}
	r->folded = q->completion && q->g->joined;
	r->joins = NULL;
	if (q->g && !q->completion) {
		set_joins(&e->joins, q->g);
		r->joins = &e->joins;
	}
	return r;
}

void aa_evidence_free(struct aa_evidence *e)
{
	if (!e)
		return;
	aa_evidence_end(e);
	for (size_t i = e->qhead; i < e->qn; i++) {
		if (e->q[i].h)
			aa_arena_give(&e->held, e->q[i].blk);
		group_unref(e, e->q[i].g);
	}
	if (e->out.h)
		aa_arena_give(&e->held, e->out.blk);
	group_unref(e, e->out.g);
	aa_arena_free(&e->held);
	while (e->nspare)
		group_free(e->spare[--e->nspare]);
	free(e->q);
	aa_proctab_free(e->procs);
	free(e);
}
