/* SPDX-License-Identifier: MIT */
/*
 * The process tree (aa_tree.h): the walk in pre-order, reading the units
 * back from the spool one path at a time (a frame per depth).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"
#include "tree_impl.h"

void tree_walk_free(struct aa_tree *t)
{
	for (size_t i = 0; i < t->depth_cap; i++) {
		struct frame *f = t->stack[i];
		free(f->s.buf[0]);
		free(f->s.buf[1]);
		free(f->ids);
		free(f->units);
		free(f);
	}
	free(t->stack);
	view_cache_free(&t->cache);
	for (int i = 0; i < 2; i++) {
		free(t->cmp[i].buf[0]);
		free(t->cmp[i].buf[1]);
	}
}

static const struct aa_tree_node *failed(struct aa_tree *t)
{
	t->walk_err = errno ? errno : EIO;
	return NULL;
}

/* The frame of depth d, made when first needed. */
static struct frame *frame_at(struct aa_tree *t, size_t d)
{
	if (d == t->depth_cap) {
		size_t cap = t->depth_cap ? 2 * t->depth_cap : 16;
		struct frame **s = realloc(t->stack, cap * sizeof(*s));
		if (!s)
			return NULL;
		t->stack = s;
		for (; t->depth_cap < cap; t->depth_cap++)
			if (!(s[t->depth_cap] = calloc(1, sizeof(**s))))
				return NULL;
	}
	return t->stack[d];
}

/* Loads the unit at off as the node of depth d, index i of n siblings. */
static const struct aa_tree_node *load(struct aa_tree *t, size_t d, uint64_t off, size_t i, size_t n)
{
	struct frame *f = frame_at(t, d);
	struct unit_head h;

	errno = 0;
	if (!f || tree_unit_read(t, off, &h, &f->s))
		return failed(t);
	if (h.nchildren > f->kids_cap) {
		uint32_t *ids = realloc(f->ids, h.nchildren * sizeof(*ids));
		if (ids)
			f->ids = ids;
		uint64_t *units = realloc(f->units, h.nchildren * sizeof(*units));
		if (units)
			f->units = units;
		if (!ids || !units)
			return failed(t);
		f->kids_cap = h.nchildren;
	}
	if (view_cache_read(&t->cache, t->spool, f->ids, h.nchildren * sizeof(*f->ids), f->s.kids_at) ||
	    view_cache_read(&t->cache, t->spool, f->units, h.nchildren * sizeof(*f->units),
			    f->s.kids_at + h.nchildren * sizeof(*f->ids)))
		return failed(t);
	f->n = (struct aa_tree_node){
		.proc = h.proc,
		.id = h.id,
		.ppid = h.ppid,
		.parent = d ? &t->stack[d - 1]->n : NULL,
		.children = f->ids,
		.nchildren = h.nchildren,
		.last = i + 1 == n,
		.depth = (unsigned)d,
		.counts = h.counts,
		.tag = h.tag,
	};
	if (t->nlabels > 1)
		f->n.proc.host = f->n.proc.origin < t->nlabels ? t->labels[f->n.proc.origin] : "";
	f->index = i;
	return &f->n;
}

/* The node after n in pre-order within top's subtree, into n's children
 * unless over. */
const struct aa_tree_node *tree_walk_next(struct aa_tree *t, const struct aa_tree_node *top,
					  const struct aa_tree_node *n, int over)
{
	size_t d = n->depth;

	if (!over && n->nchildren)
		return load(t, d + 1, t->stack[d]->units[0], 0, n->nchildren);
	for (;;) {
		struct frame *f = t->stack[d];
		if (&f->n == top)
			return NULL;
		size_t next = f->index + 1, count = d ? t->stack[d - 1]->n.nchildren : t->roots.n;
		if (next < count)
			return load(t, d, d ? t->stack[d - 1]->units[next] : t->roots.v[next].unit, next, count);
		if (!d)
			return NULL;
		d--;
	}
}

const struct aa_tree_node *aa_tree_walk(aa_tree *t, const struct aa_tree_node *top, const struct aa_tree_node *n)
{
	if (n)
		return tree_walk_next(t, top, n, 0);
	t->walk_err = 0;
	if (top)
		return top;
	return t->roots.n ? load(t, 0, t->roots.v[0].unit, 0, t->roots.n) : NULL;
}

int aa_tree_walk_error(const aa_tree *t)
{
	return t->walk_err;
}
