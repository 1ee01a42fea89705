/* SPDX-License-Identifier: MIT */
/*
 * The snapshot task records of a capture file, each with its argv and exe
 * put back together from their string records: a string record completes
 * the next record of its pid and tid with its timestamp_ns (events.h), its
 * pieces in order. Header-only, as cap_test.h (tests.mk links only
 * tests/lib/ beside each test_*.c).
 */
#ifndef AAT_SNAP_STRINGS_H
#define AAT_SNAP_STRINGS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aa_replay.h"

struct snap_string {
	int present;        /* a piece seq 0 came */
	int whole;          /* every piece came, in order, and they add up to total_len */
	uint8_t *data;      /* total_len bytes (malloc'd) */
	uint32_t len;       /* bytes put together so far */
	uint32_t total_len;
	uint32_t orig_len;
	uint8_t flags;
	uint32_t pieces;
};

struct snap_proc {
	struct aa_task_event task;
	struct snap_string argv, exe;
};

struct snap_list {
	struct snap_proc *p;
	size_t n;
	size_t strings;    /* string records in the file */
	size_t orphans;    /* string records that completed no snapshot record */
	size_t records;    /* records in the file */
};

/* Strings waiting for the record they complete, per thread. */
struct snap_pending {
	uint32_t pid, tid;
	uint64_t ts;
	struct snap_string s[AA_STRING_KIND_COUNT];
};

static inline void snap_string_free(struct snap_string *s)
{
	free(s->data);
	memset(s, 0, sizeof(*s));
}

static inline struct snap_pending *snap_pending_of(struct snap_pending **pend, size_t *n, uint32_t pid,
						   uint32_t tid)
{
	for (size_t i = 0; i < *n; i++)
		if ((*pend)[i].pid == pid && (*pend)[i].tid == tid)
			return &(*pend)[i];
	*pend = realloc(*pend, (*n + 1) * sizeof(**pend));
	cr_assert_not_null(*pend);
	memset(&(*pend)[*n], 0, sizeof(**pend));
	(*pend)[*n].pid = pid;
	(*pend)[*n].tid = tid;
	return &(*pend)[(*n)++];
}

/* Strings held for a record that came with another time stamp: they completed nothing. */
static inline void snap_pending_drop(struct snap_list *out, struct snap_pending *p)
{
	for (int k = 0; k < AA_STRING_KIND_COUNT; k++) {
		out->orphans += p->s[k].pieces;
		snap_string_free(&p->s[k]);
	}
}

static inline void snap_add_piece(struct snap_list *out, struct snap_pending *p,
				  const struct aa_string_event *e)
{
	uint32_t n = aa_string_piece_len(e);

	if (p->ts != e->timestamp_ns)
		snap_pending_drop(out, p);
	p->ts = e->timestamp_ns;
	cr_assert_lt(e->kind, AA_STRING_KIND_COUNT);
	struct snap_string *s = &p->s[e->kind];
	if (e->seq == 0) {
		snap_string_free(s);
		s->present = 1;
		s->total_len = e->total_len;
		s->orig_len = e->orig_len;
		s->flags = e->flags;
		s->data = malloc(e->total_len ? e->total_len : 1);
		cr_assert_not_null(s->data);
	}
	s->pieces++;
	/* in order, and every piece saying the same of the whole */
	if (!s->present || e->seq * AA_STRING_PIECE_MAX != s->len || e->total_len != s->total_len ||
	    e->orig_len != s->orig_len || e->flags != s->flags) {
		s->present = 0;
		return;
	}
	memcpy(s->data + s->len, e->data, n);
	s->len += n;
}

/* Reads path (a closed capture file) into out. */
static inline void snap_read(const char *path, struct snap_list *out)
{
	struct snap_pending *pend = NULL;
	size_t npend = 0;
	aa_source *src;
	const struct aa_record *rec;
	int rc;

	memset(out, 0, sizeof(*out));
	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0, "%s opens", path);
	while ((rc = aa_next(src, &rec)) == 1) {
		const struct aa_event *ev = &rec->ev;
		uint32_t pid, tid;

		out->records++;
		if (ev->error)
			continue;
		if (ev->type == AA_TYPE_STRING) {
			out->strings++;
			snap_add_piece(out, snap_pending_of(&pend, &npend, ev->string->pid, ev->string->tid),
				       ev->string);
			continue;
		}
		if (ev->type != AA_TYPE_TASK || ev->task->kind != AA_TASK_SNAPSHOT) {
			/* whatever this completes is not ours: it is done with */
			if (aa_event_pid(ev, &pid))
				for (size_t i = 0; i < npend; i++)
					if (pend[i].pid == pid)
						snap_pending_drop(out, &pend[i]);
			continue;
		}
		pid = ev->task->pid;
		tid = ev->task->tid;
		struct snap_pending *p = snap_pending_of(&pend, &npend, pid, tid);
		out->p = realloc(out->p, (out->n + 1) * sizeof(*out->p));
		cr_assert_not_null(out->p);
		struct snap_proc *sp = &out->p[out->n++];
		memset(sp, 0, sizeof(*sp));
		sp->task = *ev->task;
		if (p->ts == ev->task->timestamp_ns) {
			sp->argv = p->s[AA_STRING_ARGV];
			sp->exe = p->s[AA_STRING_EXE];
			memset(&p->s[AA_STRING_ARGV], 0, sizeof(p->s[0]));
			memset(&p->s[AA_STRING_EXE], 0, sizeof(p->s[0]));
		}
		snap_pending_drop(out, p);
		sp->argv.whole = sp->argv.present && sp->argv.len == sp->argv.total_len;
		sp->exe.whole = sp->exe.present && sp->exe.len == sp->exe.total_len;
	}
	cr_assert_eq(rc, 0, "%s reads to its end", path);
	aa_close(src);
	for (size_t i = 0; i < npend; i++)
		snap_pending_drop(out, &pend[i]);
	free(pend);
}

/* The snapshot record of pid, or NULL. */
static inline const struct snap_proc *snap_find(const struct snap_list *l, uint32_t pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->p[i].task.pid == pid)
			return &l->p[i];
	return NULL;
}

static inline void snap_free(struct snap_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		snap_string_free(&l->p[i].argv);
		snap_string_free(&l->p[i].exe);
	}
	free(l->p);
	memset(l, 0, sizeof(*l));
}

#endif
