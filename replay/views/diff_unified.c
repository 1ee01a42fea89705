/* SPDX-License-Identifier: MIT */
/*
 * The unified diff of two texts (aa_diff.h): Myers' shortest edit script
 * between their differing middles, in hunks with context, each hunk
 * headed by the process its first change is under (as diff -p names the
 * function). Lines are compared by their 64-bit hashes; the texts are
 * spooled (diff_spool.c): only the middles' hashes are read into memory,
 * the edit script is kept as runs, and the lines a hunk prints are read
 * back from the files.
 */
#include <stdlib.h>
#include <string.h>

#include "diff_impl.h"

/* A run of n edit operations of one kind: line a, a+1 ... of a (for ' ',
 * '-'; a stays for '+') against b, b+1 ... of b (for ' ', '+'; b stays for '-'). */
struct run {
	char kind; /* ' ', '-', '+' */
	uint64_t a, b, n;
	uint64_t pos; /* the index of its first operation in the script */
};

struct ops {
	struct run *r;
	size_t n, cap;
	uint64_t total; /* operations */
};

struct op {
	char kind;
	uint64_t a, b;
};

static int takes_a(char kind)
{
	return kind != '+';
}

static int takes_b(char kind)
{
	return kind != '-';
}

/* Adds n operations of kind from (a, b) at the end: 0, or -1 when out of memory. */
static int push(struct ops *e, char kind, uint64_t a, uint64_t b, uint64_t n)
{
	struct run *l = e->n ? &e->r[e->n - 1] : NULL;

	if (!n)
		return 0;
	if (l && l->kind == kind && l->a + takes_a(kind) * l->n == a && l->b + takes_b(kind) * l->n == b) {
		l->n += n;
	} else {
		if (e->n == e->cap) {
			size_t cap = e->cap ? e->cap * 2 : 64;
			struct run *r = realloc(e->r, cap * sizeof(*r));
			if (!r)
				return -1;
			e->r = r;
			e->cap = cap;
		}
		e->r[e->n++] = (struct run){ kind, a, b, n, e->total };
	}
	e->total += n;
	return 0;
}

/* Operation j (< e->total). */
static struct op op_at(const struct ops *e, uint64_t j)
{
	size_t lo = 0, hi = e->n; /* the last run with pos <= j */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->r[mid].pos <= j)
			lo = mid;
		else
			hi = mid;
	}
	const struct run *r = &e->r[lo];
	uint64_t k = j - r->pos;
	return (struct op){ r->kind, r->a + takes_a(r->kind) * k, r->b + takes_b(r->kind) * k };
}

/* The hashes of lines [lo, hi) of t into a new array, NULL on failure (*rc set). */
static uint64_t *hashes(struct diff_text *t, uint64_t lo, uint64_t hi, int *rc)
{
	uint64_t *h = malloc((size_t)(hi - lo ? hi - lo : 1) * sizeof(*h));
	struct diff_entry en;

	if (!h) {
		*rc = AA_E_NOMEM;
		return NULL;
	}
	for (uint64_t i = lo; i < hi; i++) {
		if ((*rc = diff_text_entry(t, i, &en))) {
			free(h);
			return NULL;
		}
		h[i - lo] = en.hash;
	}
	return h;
}

/*
 * Myers' edit script of ha[0..n) against hb[0..m) (lines lo_a.., lo_b..)
 * appended to e; past AA_DIFF_MAX_EDITS differences, all of one removed
 * and all of the other added. Returns 0 or -1 when out of memory.
 */
static int myers(const uint64_t *ha, long n, uint64_t lo_a, const uint64_t *hb, long m, uint64_t lo_b,
		 struct ops *e)
{
	long max = AA_DIFF_MAX_EDITS, d, k;
	int *v, **trace; /* int: the trace is the memory this takes, O(max^2) */
	int found = 0, rc = -1;
	struct ops back = { 0 };

	if (n + m < max)
		max = n + m;
	if (n > INT32_MAX / 2 || m > INT32_MAX / 2)
		max = 0; /* the whole middle out and in */
	v = calloc((size_t)(2 * max + 3), sizeof(*v));
	trace = calloc((size_t)max + 1, sizeof(*trace));
	if (!v || !trace)
		goto out;
	int *V = v + max + 1; /* V[k], k in -max-1 .. max+1 */
	for (d = 0; d <= max && !found; d++) {
		for (k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && V[k - 1] < V[k + 1])) ? V[k + 1] : V[k - 1] + 1, y = x - k;
			while (x < n && y < m && ha[x] == hb[y])
				x++, y++;
			V[k] = (int)x;
			if (x >= n && y >= m)
				found = 1;
		}
		if (!(trace[d] = malloc((size_t)(2 * d + 1) * sizeof(int))))
			goto out;
		memcpy(trace[d], V - d, (size_t)(2 * d + 1) * sizeof(int));
	}
	if (!found) { /* too different: the whole middle out and in */
		rc = push(e, '-', lo_a, lo_b, (uint64_t)n) || push(e, '+', lo_a + (uint64_t)n, lo_b, (uint64_t)m) ? -1 : 0;
		goto out;
	}
	/* backwards from (n, m), runs of single steps, then reversed */
	long x = n, y = m;
	for (d--; d >= 0; d--) {
		const int *P = d ? trace[d - 1] + (d - 1) : NULL;
		k = x - y;
		long pk = d == 0 ? 0 : (k == -d || (k != d && P[k - 1] < P[k + 1])) ? k + 1 : k - 1;
		long px = d == 0 ? 0 : P[pk], py = px - pk;
		if (x > px && y > py) {
			long s = x - px < y - py ? x - px : y - py;
			x -= s, y -= s;
			if (push(&back, ' ', (uint64_t)x, (uint64_t)y, (uint64_t)s))
				goto out;
		}
		if (d == 0)
			break;
		if (x == px ? push(&back, '+', (uint64_t)x, (uint64_t)--y, 1) : push(&back, '-', (uint64_t)--x, (uint64_t)y, 1))
			goto out;
	}
	for (size_t i = back.n; i-- > 0;) { /* each backward step is a run of its own: forwards now */
		const struct run *r = &back.r[i];
		if (push(e, r->kind, lo_a + r->a, lo_b + r->b, r->n))
			goto out;
	}
	rc = 0;
out:
	for (d = 0; trace && d <= max && trace[d]; d++)
		free(trace[d]);
	free(trace);
	free(v);
	free(back.r);
	return rc;
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

/* Line i of t into *line (NUL-terminated, until the next read of t): 0 or AA_E_IO. */
static int line_of(struct diff_text *t, uint64_t i, struct diff_entry *en, const char **line)
{
	int rc = diff_text_entry(t, i, en);

	if (rc)
		return rc;
	return (*line = diff_text_line(t, en)) ? 0 : AA_E_IO;
}

/* The hunk's head: its ranges and the process line its first change is under. */
static int hunk_head(struct diff_text *a, struct diff_text *b, struct op from, struct op first, uint64_t na,
		     uint64_t nb, struct out *o)
{
	struct diff_text *t = first.kind == '+' ? b : a;
	uint64_t i = first.kind == '+' ? first.b : first.a;
	const char *pl = NULL;
	struct diff_entry en;
	char head[96];
	int rc;

	if (i < t->n) {
		if ((rc = diff_text_entry(t, i, &en)) || (rc = line_of(t, en.proc, &en, &pl)))
			return rc;
		while (*pl == ' ')
			pl++;
	}
	int hl = snprintf(head, sizeof(head), "@@ -%llu,%llu +%llu,%llu @@%s",
			  (unsigned long long)(from.a + (na != 0)), (unsigned long long)na,
			  (unsigned long long)(from.b + (nb != 0)), (unsigned long long)nb, pl ? " " : "");
	size_t pn = pl ? strlen(pl) : 0;
	char *line = malloc((size_t)hl + pn + 1);
	if (!line)
		return AA_E_NOMEM;
	memcpy(line, head, (size_t)hl);
	memcpy(line + hl, pl ? pl : "", pn);
	rc = emit(o, 0, line, (size_t)hl + pn);
	free(line);
	return rc;
}

static int hunks(struct diff_text *a, struct diff_text *b, const struct ops *e, unsigned ctx, struct out *o)
{
	uint64_t i = 0, n = e->total;
	int rc;

	while (i < n) {
		while (i < n && op_at(e, i).kind == ' ')
			i++;
		if (i == n)
			break;
		uint64_t from = i > ctx ? i - ctx : 0, to = i; /* [from, to) */
		struct op first = op_at(e, i);
		for (;;) { /* take changes while the gap to the next is at most 2 ctx */
			while (to < n && op_at(e, to).kind != ' ')
				to++;
			uint64_t gap = to;
			while (gap < n && op_at(e, gap).kind == ' ')
				gap++;
			if (gap < n && gap - to <= 2 * (uint64_t)ctx) {
				to = gap;
				continue;
			}
			to = to + ctx < n ? to + ctx : n;
			break;
		}
		uint64_t na = 0, nb = 0;
		for (uint64_t j = from; j < to; j++) {
			struct op p = op_at(e, j);
			na += takes_a(p.kind);
			nb += takes_b(p.kind);
		}
		if ((rc = hunk_head(a, b, op_at(e, from), first, na, nb, o)))
			return rc;
		for (uint64_t j = from; j < to; j++) {
			struct op p = op_at(e, j);
			struct diff_entry en;
			const char *l;
			if ((rc = p.kind == '+' ? line_of(b, p.b, &en, &l) : line_of(a, p.a, &en, &l)) ||
			    (rc = emit(o, p.kind, l, en.len)))
				return rc;
		}
		i = to;
	}
	return 0;
}

/* Whether lines i of a and j of b are the same (by hash): 1, 0, or a negative AA_E_*. */
static int same(struct diff_text *a, uint64_t i, struct diff_text *b, uint64_t j)
{
	struct diff_entry x, y;
	int rc;

	if ((rc = diff_text_entry(a, i, &x)) || (rc = diff_text_entry(b, j, &y)))
		return rc;
	return x.hash == y.hash;
}

int diff_unified(struct diff_text *a, struct diff_text *b, unsigned ctx,
		 const char *label_a, const char *label_b,
		 int (*on_line)(void *user, const char *line, size_t len), void *user,
		 uint64_t *removed, uint64_t *added)
{
	struct ops e = { 0 };
	struct out o = { .on_line = on_line, .user = user };
	uint64_t pre = 0, suf = 0, *ha = NULL, *hb = NULL;
	int rc = 0, s = 1;

	*removed = *added = 0;
	while (pre < a->n && pre < b->n && (s = same(a, pre, b, pre)) == 1)
		pre++;
	while (s >= 0 && suf < a->n - pre && suf < b->n - pre &&
	       (s = same(a, a->n - 1 - suf, b, b->n - 1 - suf)) == 1)
		suf++;
	if (s < 0)
		return s;
	if (pre == a->n && pre == b->n)
		return 0;
	if (!(ha = hashes(a, pre, a->n - suf, &rc)) || !(hb = hashes(b, pre, b->n - suf, &rc)))
		goto out;
	rc = AA_E_NOMEM;
	if (push(&e, ' ', 0, 0, pre) ||
	    myers(ha, (long)(a->n - suf - pre), pre, hb, (long)(b->n - suf - pre), pre, &e) ||
	    push(&e, ' ', a->n - suf, b->n - suf, suf))
		goto out;
	free(ha);
	free(hb);
	ha = hb = NULL;
	for (size_t i = 0; i < e.n; i++) {
		*removed += e.r[i].kind == '-' ? e.r[i].n : 0;
		*added += e.r[i].kind == '+' ? e.r[i].n : 0;
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
out:
	free(ha);
	free(hb);
	free(o.buf);
	free(e.r);
	return rc;
}
