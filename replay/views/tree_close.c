/* SPDX-License-Identifier: MIT */
/*
 * The process tree (aa_tree.h): putting a finished process away, as a unit
 * in the spool file (tree_impl.h), and the order of siblings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"
#include "tree_impl.h"

int tree_kids_push(struct kids *l, const struct kid *k)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4;
		struct kid *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *k;
	return 0;
}

static void spool_failed(struct aa_tree *t)
{
	if (!t->spool_err)
		t->spool_err = errno ? errno : EIO;
}

/* x's unit, written at the spool's end: its offset. */
static uint64_t unit_write(struct aa_tree *t, const struct tnode *x)
{
	const struct aa_process *p = &x->n.proc;
	uint64_t off = t->spool_len;
	struct unit_head h;

	if (!t->spool && !t->spool_err && !(t->spool = view_spool("aa-tree", &t->spool_buf)))
		spool_failed(t);
	if (t->spool_err)
		return 0;
	memset(&h, 0, sizeof(h)); /* its padding too: the file holds no stray bytes */
	h.proc = *p;
	h.proc.exe.data = h.proc.argv.data = NULL;
	h.proc.host = NULL;
	h.counts = x->n.counts;
	h.tag = x->n.tag;
	h.id = x->n.id;
	h.ppid = x->n.ppid;
	h.nchildren = (uint32_t)x->kids.n;
	h.has_exe = p->exe.data != NULL;
	h.has_argv = p->argv.data != NULL;
	int bad = fwrite(&h, sizeof(h), 1, t->spool) != 1 ||
		  (h.has_exe && fwrite(p->exe.data, 1, p->exe.len, t->spool) != p->exe.len) ||
		  (h.has_argv && fwrite(p->argv.data, 1, p->argv.len, t->spool) != p->argv.len);
	for (size_t i = 0; !bad && i < x->kids.n; i++)
		bad = fwrite(&x->kids.v[i].id, sizeof(uint32_t), 1, t->spool) != 1;
	for (size_t i = 0; !bad && i < x->kids.n; i++)
		bad = fwrite(&x->kids.v[i].unit, sizeof(uint64_t), 1, t->spool) != 1;
	if (bad) {
		spool_failed(t);
		return 0;
	}
	t->spool_len += sizeof(h) + (h.has_exe ? p->exe.len : 0) + (h.has_argv ? p->argv.len : 0) +
			x->kids.n * (sizeof(uint32_t) + sizeof(uint64_t));
	return off;
}

/* A unit's head and strings read back into f's buffers (tree_walk.c's
 * frames hold them too): 0, or -1 with errno set. */
int tree_unit_read(struct aa_tree *t, uint64_t off, struct unit_head *h, struct unit_strings *s)
{
	if (view_cache_read(&t->cache, t->spool, h, sizeof(*h), off))
		return -1;
	off += sizeof(*h);
	for (int i = 0; i < 2; i++) {
		struct aa_string *str = i ? &h->proc.argv : &h->proc.exe;
		if (!(i ? h->has_argv : h->has_exe)) {
			str->data = NULL;
			continue;
		}
		if (s->cap[i] < (size_t)str->len + 1) {
			uint8_t *b = realloc(s->buf[i], (size_t)str->len + 1);
			if (!b)
				return -1;
			s->buf[i] = b;
			s->cap[i] = (size_t)str->len + 1;
		}
		if (view_cache_read(&t->cache, t->spool, s->buf[i], str->len, off))
			return -1;
		str->data = s->buf[i];
		off += str->len;
	}
	s->kids_at = off;
	return 0;
}

/* argv, else program, as bytes; a known one before an unknown one. */
static int cmp_strings(const struct aa_string *a, const struct aa_string *b)
{
	if (!a->data || !b->data)
		return !a->data - !b->data;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->data, b->data, n);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Siblings: origin (of roots: each host's together), start time, then
 * argv, program and id. The same job recorded twice gets the same order
 * whatever its pids. The strings are read back only for a tie in time. */
static int by_start(const void *x, const void *y, void *arg)
{
	const struct kid *a = x, *b = y;
	struct aa_tree *t = arg;
	struct unit_head ha, hb;
	int c;

	if (a->origin != b->origin)
		return a->origin < b->origin ? -1 : 1;
	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	if (t->spool_err)
		; /* (the build fails: no order to keep) */
	else if (tree_unit_read(t, a->unit, &ha, &t->cmp[0]) || tree_unit_read(t, b->unit, &hb, &t->cmp[1]))
		spool_failed(t);
	else if ((c = cmp_strings(&ha.proc.argv, &hb.proc.argv)) || (c = cmp_strings(&ha.proc.exe, &hb.proc.exe)))
		return c;
	return (a->id > b->id) - (a->id < b->id);
}

void tree_sort_kids(struct aa_tree *t, struct kids *k)
{
	if (k->n > 1)
		qsort_r(k->v, k->n, sizeof(*k->v), by_start, t);
}

/* x out of the chain at *pp (linked by the field at offset next_at) */
static void unchain(struct tnode **pp, const struct tnode *x, size_t next_at)
{
	while (*pp && *pp != x)
		pp = (struct tnode **)((char *)*pp + next_at);
	if (*pp)
		*pp = *(struct tnode **)((char *)x + next_at);
}

static void forget(struct aa_tree *t, struct tnode *x)
{
	unchain(&t->bucket[tree_ptr_hash(x->key)], x, offsetof(struct tnode, hnext));
	unchain(&t->pids[tree_pid_hash(x->n.proc.origin, x->n.proc.pid)], x, offsetof(struct tnode, pnext));
	if (x->all_prev)
		x->all_prev->all_next = x->all_next;
	else
		t->first = x->all_next;
	if (x->all_next)
		x->all_next->all_prev = x->all_prev;
	else
		t->last = x->all_prev;
	if (x->up) {
		if (x->sib_prev)
			x->sib_prev->sib_next = x->sib_next;
		else
			x->up->first = x->sib_next;
		if (x->sib_next)
			x->sib_next->sib_prev = x->sib_prev;
		x->up->running_children--;
	}
	t->bytes -= (x->n.proc.exe.data ? x->n.proc.exe.len : 0) + (x->n.proc.argv.data ? x->n.proc.argv.len : 0);
	t->running--;
	free(x->exe_buf);
	free(x->argv_buf);
	free(x->kids.v);
	free(x);
}

void tree_close(struct aa_tree *t, struct tnode *x)
{
	while (x) {
		struct tnode *up = x->up;
		if (t->opts.on_close)
			t->opts.on_close(t->opts.user, &x->n);
		tree_sort_kids(t, &x->kids);
		struct kid k = { .start_ns = x->n.proc.start_ns, .unit = unit_write(t, x), .id = x->n.id,
				 .origin = x->n.proc.origin, .ppid = x->n.ppid };
		uint32_t pid = x->n.proc.pid;
		forget(t, x);
		if (!up && k.ppid && k.ppid != pid) {
			struct orphan *o = malloc(sizeof(*o));
			size_t h = tree_pid_hash(k.origin, k.ppid);
			if (!o) {
				t->nomem = 1;
			} else {
				o->k = k;
				o->next = t->orphans[h];
				t->orphans[h] = o;
			}
		} else if (tree_kids_push(up ? &up->kids : &t->roots, &k) < 0) {
			t->nomem = 1;
		}
		x = up && up->ready && !up->running_children ? up : NULL;
	}
}

void tree_close_all(struct aa_tree *t)
{
	struct tnode *x;

	t->xfirst = t->xlast = NULL;
	for (x = t->first; x; x = x->all_next)
		x->ready = 1;
	while ((x = t->first)) {
		while (x->first)
			x = x->first;
		tree_close(t, x);
	}
	for (size_t h = 0; h < TREE_BUCKETS; h++)
		for (struct orphan *o; (o = t->orphans[h]); free(o)) {
			t->orphans[h] = o->next;
			if (tree_kids_push(&t->roots, &o->k) < 0)
				t->nomem = 1;
		}
}
