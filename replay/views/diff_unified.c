/* SPDX-License-Identifier: MIT */
/*
 * The unified diff of two texts (aa_diff.h): Myers' shortest edit script
 * between their differing middles, in hunks with context, each hunk
 * headed by the process its first change is under (as diff -p names the
 * function).
 */
#include <stdlib.h>
#include <string.h>

#include "diff_impl.h"

struct op {
	char kind;   /* ' ', '-', '+' */
	size_t a, b; /* line of a (for ' ', '-') and of b (for ' ', '+') */
};

struct ops {
	struct op *o;
	size_t n;
};

static int same(const struct diff_line *x, const struct diff_line *y)
{
	return x->hash == y->hash && x->len == y->len && !memcmp(x->s, y->s, x->len);
}

static void push(struct ops *e, char kind, size_t a, size_t b)
{
	e->o[e->n++] = (struct op){ kind, a, b };
}

/*
 * Myers' edit script of a[lo_a..hi_a) against b[lo_b..hi_b) appended to
 * e; past AA_DIFF_MAX_EDITS differences, all of one removed and all of the
 * other added. Returns 0 or -1 when out of memory.
 */
static int myers(const struct diff_text *a, size_t lo_a, size_t hi_a, const struct diff_text *b, size_t lo_b,
		 size_t hi_b, struct ops *e)
{
	long n = (long)(hi_a - lo_a), m = (long)(hi_b - lo_b), max = AA_DIFF_MAX_EDITS, d, k;
	int *v, **trace; /* int: the trace is the memory this takes, O(max^2) */
	int found = 0;

	if (n + m < max)
		max = n + m;
	if (n > INT32_MAX / 2 || m > INT32_MAX / 2)
		max = 0; /* the whole middle out and in */
	v = calloc((size_t)(2 * max + 3), sizeof(*v));
	trace = calloc((size_t)max + 1, sizeof(*trace));
	if (!v || !trace) {
		free(v);
		free(trace);
		return -1;
	}
	int *V = v + max + 1; /* V[k], k in -max-1 .. max+1 */
	for (d = 0; d <= max && !found; d++) {
		for (k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && V[k - 1] < V[k + 1])) ? V[k + 1] : V[k - 1] + 1, y = x - k;
			while (x < n && y < m && same(&a->l[lo_a + (size_t)x], &b->l[lo_b + (size_t)y]))
				x++, y++;
			V[k] = (int)x;
			if (x >= n && y >= m)
				found = 1;
		}
		if (!(trace[d] = malloc((size_t)(2 * d + 1) * sizeof(int))))
			goto nomem;
		memcpy(trace[d], V - d, (size_t)(2 * d + 1) * sizeof(int));
	}
	size_t start = e->n;
	if (!found) { /* too different: the whole middle out and in */
		for (long i = 0; i < n; i++)
			push(e, '-', lo_a + (size_t)i, lo_b);
		for (long j = 0; j < m; j++)
			push(e, '+', lo_a + (size_t)n, lo_b + (size_t)j);
	} else { /* backwards from (n, m), then reversed */
		long x = n, y = m;
		for (d--; d >= 0; d--) {
			const int *P = d ? trace[d - 1] + (d - 1) : NULL;
			k = x - y;
			long pk = d == 0 ? 0 : (k == -d || (k != d && P[k - 1] < P[k + 1])) ? k + 1 : k - 1;
			long px = d == 0 ? 0 : P[pk], py = px - pk;
			while (x > px && y > py) {
				x--, y--;
				push(e, ' ', lo_a + (size_t)x, lo_b + (size_t)y);
			}
			if (d == 0)
				break;
			if (x == px)
				push(e, '+', lo_a + (size_t)x, lo_b + (size_t)--y);
			else
				push(e, '-', lo_a + (size_t)--x, lo_b + (size_t)y);
		}
		for (size_t i = start, j = e->n - 1; i < j; i++, j--) {
			struct op t = e->o[i];
			e->o[i] = e->o[j];
			e->o[j] = t;
		}
	}
	for (d = 0; d <= max && trace[d]; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return 0;
nomem:
	for (d = 0; d <= max && trace[d]; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return -1;
}

struct out {
	int (*on_line)(void *user, const char *line, size_t len);
	void *user;
	char *buf;
	size_t cap;
};

static int emit(struct out *o, char c, const char *s, size_t len)
{
	if (!o->on_line)
		return 0;
	if (len + 2 > o->cap) {
		size_t cap = len + 256;
		char *b = realloc(o->buf, cap);
		if (!b)
			return AA_E_NOMEM;
		o->buf = b;
		o->cap = cap;
	}
	size_t n = 0;
	if (c)
		o->buf[n++] = c;
	memcpy(o->buf + n, s, len);
	o->buf[n + len] = 0;
	return o->on_line(o->user, o->buf, n + len) ? AA_E_STOPPED : 0;
}

/* The process line a hunk is under, without its indentation. */
static const struct diff_line *hunk_proc(const struct diff_text *a, const struct diff_text *b, const struct op *first)
{
	const struct diff_text *t = first->kind == '+' ? b : a;
	size_t i = first->kind == '+' ? first->b : first->a;

	return i < t->n ? &t->l[t->l[i].proc] : NULL;
}

static int hunks(const struct diff_text *a, const struct diff_text *b, const struct ops *e, unsigned ctx,
		 struct out *o)
{
	size_t i = 0;
	int rc;

	while (i < e->n) {
		while (i < e->n && e->o[i].kind == ' ')
			i++;
		if (i == e->n)
			break;
		size_t from = i > ctx ? i - ctx : 0, to = i; /* [from, to) */
		const struct op *first = &e->o[i];
		for (;;) { /* take changes while the gap to the next is at most 2 ctx */
			while (to < e->n && e->o[to].kind != ' ')
				to++;
			size_t gap = to;
			while (gap < e->n && e->o[gap].kind == ' ')
				gap++;
			if (gap < e->n && gap - to <= 2 * (size_t)ctx) {
				to = gap;
				continue;
			}
			to = to + ctx < e->n ? to + ctx : e->n;
			break;
		}
		size_t na = 0, nb = 0;
		for (size_t j = from; j < to; j++) {
			na += e->o[j].kind != '+';
			nb += e->o[j].kind != '-';
		}
		const struct diff_line *pl = hunk_proc(a, b, first);
		char head[96];
		int hl = snprintf(head, sizeof(head), "@@ -%zu,%zu +%zu,%zu @@%s", e->o[from].a + (na != 0), na,
				  e->o[from].b + (nb != 0), nb, pl ? " " : "");
		size_t skip = 0;
		while (pl && skip < pl->len && pl->s[skip] == ' ')
			skip++;
		char *line = malloc((size_t)hl + (pl ? pl->len - skip : 0) + 1);
		if (!line)
			return AA_E_NOMEM;
		memcpy(line, head, (size_t)hl);
		if (pl)
			memcpy(line + hl, pl->s + skip, pl->len - skip);
		rc = emit(o, 0, line, (size_t)hl + (pl ? pl->len - skip : 0));
		free(line);
		if (rc)
			return rc;
		for (size_t j = from; j < to; j++) {
			const struct diff_line *l = e->o[j].kind == '+' ? &b->l[e->o[j].b] : &a->l[e->o[j].a];
			if ((rc = emit(o, e->o[j].kind, l->s, l->len)))
				return rc;
		}
		i = to;
	}
	return 0;
}

int diff_unified(const struct diff_text *a, const struct diff_text *b, unsigned ctx,
		 const char *label_a, const char *label_b,
		 int (*on_line)(void *user, const char *line, size_t len), void *user,
		 uint64_t *removed, uint64_t *added)
{
	struct ops e = { 0 };
	struct out o = { .on_line = on_line, .user = user };
	size_t pre = 0, suf = 0;
	int rc = 0;

	*removed = *added = 0;
	while (pre < a->n && pre < b->n && same(&a->l[pre], &b->l[pre]))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre && same(&a->l[a->n - 1 - suf], &b->l[b->n - 1 - suf]))
		suf++;
	if (pre == a->n && pre == b->n)
		return 0;
	if (!(e.o = malloc((a->n + b->n + 1) * sizeof(*e.o))))
		return AA_E_NOMEM;
	for (size_t i = 0; i < pre; i++)
		push(&e, ' ', i, i);
	if (myers(a, pre, a->n - suf, b, pre, b->n - suf, &e)) {
		free(e.o);
		return AA_E_NOMEM;
	}
	for (size_t i = 0; i < suf; i++)
		push(&e, ' ', a->n - suf + i, b->n - suf + i);
	for (size_t i = 0; i < e.n; i++) {
		*removed += e.o[i].kind == '-';
		*added += e.o[i].kind == '+';
	}
	rc = 0;
	if (on_line) {
		size_t la = strlen(label_a), lb = strlen(label_b);
		char *h = malloc((la > lb ? la : lb) + 5);
		if (!h)
			rc = AA_E_NOMEM;
		if (!rc) {
			memcpy(h, "--- ", 4);
			memcpy(h + 4, label_a, la);
			rc = emit(&o, 0, h, la + 4);
		}
		if (!rc) {
			memcpy(h, "+++ ", 4);
			memcpy(h + 4, label_b, lb);
			rc = emit(&o, 0, h, lb + 4);
		}
		free(h);
		if (!rc)
			rc = hunks(a, b, &e, ctx, &o);
	}
	free(o.buf);
	free(e.o);
	return rc;
}
