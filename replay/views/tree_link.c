/* SPDX-License-Identifier: MIT */
/* The process tree (aa_tree.h): parents, children in a fixed order, and the walk. */
#include <stdlib.h>
#include <string.h>

#include "tree_impl.h"

/* argv, else program, as bytes; a known one before an unknown one. */
static int cmp_strings(const struct aa_string *a, const struct aa_string *b)
{
	if (!a->data || !b->data)
		return !a->data - !b->data;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->data, b->data, n);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int by_pid_start(const void *x, const void *y)
{
	const struct tnode *a = *(const struct tnode *const *)x, *b = *(const struct tnode *const *)y;

	if (a->n.proc.origin != b->n.proc.origin)
		return a->n.proc.origin < b->n.proc.origin ? -1 : 1;
	if (a->n.proc.pid != b->n.proc.pid)
		return a->n.proc.pid < b->n.proc.pid ? -1 : 1;
	if (a->n.proc.start_ns != b->n.proc.start_ns)
		return a->n.proc.start_ns < b->n.proc.start_ns ? -1 : 1;
	return (a->n.id > b->n.id) - (a->n.id < b->n.id);
}

/* Siblings: by parent, then (roots) origin, then start time, argv,
 * program, id. The same job recorded twice gets the same order whatever
 * its pids; each host's roots stay together. */
static int by_parent_start(const void *x, const void *y)
{
	const struct tnode *a = *(const struct tnode *const *)x, *b = *(const struct tnode *const *)y;
	uint32_t pa = a->n.parent ? a->n.parent->id : 0, pb = b->n.parent ? b->n.parent->id : 0;
	int c;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	if (a->n.proc.origin != b->n.proc.origin)
		return a->n.proc.origin < b->n.proc.origin ? -1 : 1;
	if (a->n.proc.start_ns != b->n.proc.start_ns)
		return a->n.proc.start_ns < b->n.proc.start_ns ? -1 : 1;
	if ((c = cmp_strings(&a->n.proc.argv, &b->n.proc.argv)) ||
	    (c = cmp_strings(&a->n.proc.exe, &b->n.proc.exe)))
		return c;
	return (a->n.id > b->n.id) - (a->n.id < b->n.id);
}

/* A process known only from its end: its start_ns is when it was seen. */
static int start_unknown(const struct tnode *x)
{
	return !(x->n.proc.how & (AA_PROC_SNAPSHOT | AA_PROC_FORK | AA_PROC_EXEC));
}

/* Could p be c's parent: it started first (or, at the same time, became
 * known first), or its start is unknown and it ended after c started. */
static int before(const struct tnode *p, const struct tnode *c)
{
	if (start_unknown(p))
		return p != c && p->n.proc.end_ns >= c->n.proc.start_ns;
	return p->n.proc.start_ns < c->n.proc.start_ns ||
	       (p->n.proc.start_ns == c->n.proc.start_ns && p->n.id < c->n.id);
}

/* A recording can claim a loop of parents (a damaged or forged one): the
 * link that closes it is cut, so that every node is under a root. */
static void cut_loops(struct tnode **all, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tnode *x = all[i];
		while (x && !x->mark) { /* up the path, marking it */
			x->mark = 1;
			struct tnode *up = (struct tnode *)x->n.parent;
			if (up && up->mark == 1) {
				x->n.parent = NULL; /* the loop closes here */
				break;
			}
			x = up;
		}
		for (x = all[i]; x && x->mark == 1; x = (struct tnode *)x->n.parent)
			x->mark = 2;
	}
}

/* The incarnation of ppid (of c's origin: a pid of another host is another
 * process) alive when c started, else the last one started before it. */
static struct tnode *find_parent(struct tnode **all, size_t n, const struct tnode *c)
{
	size_t lo = 0, hi = n;
	struct tnode *best = NULL;

	if (!c->n.ppid || c->n.ppid == c->n.proc.pid)
		return NULL;
	while (lo < hi) { /* the first of pid ppid of c's origin */
		size_t mid = lo + (hi - lo) / 2;
		const struct aa_process *m = &all[mid]->n.proc;
		if (m->origin < c->n.proc.origin || (m->origin == c->n.proc.origin && m->pid < c->n.ppid))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && all[lo]->n.proc.pid == c->n.ppid && all[lo]->n.proc.origin == c->n.proc.origin; lo++)
		if (before(all[lo], c))
			best = all[lo];
	return best;
}

int aa_tree_link(struct aa_tree *t)
{
	size_t n = t->stats.nodes, i = 0;
	struct tnode **all;

	if (!n)
		return 0;
	if (!(all = malloc(n * sizeof(*all))))
		return -1;
	for (struct tnode *x = t->first; x; x = x->all_next)
		all[i++] = x;
	qsort(all, n, sizeof(*all), by_pid_start);
	for (i = 0; i < n; i++) {
		struct tnode *p = find_parent(all, n, all[i]);
		all[i]->n.parent = p ? &p->n : NULL;
	}
	cut_loops(all, n);
	qsort(all, n, sizeof(*all), by_parent_start);
	for (i = 0; i < n; i++) {
		struct tnode *x = all[i];
		struct aa_tree_node *parent = (struct aa_tree_node *)x->n.parent;
		if (i + 1 < n && all[i + 1]->n.parent == x->n.parent)
			x->n.next = &all[i + 1]->n;
		if (i == 0 || all[i - 1]->n.parent != x->n.parent) {
			if (parent)
				parent->child = &x->n;
			else
				t->root = &x->n;
		}
		if (!parent)
			t->stats.roots++;
	}
	free(all);
	/* depths, parents first */
	for (const struct aa_tree_node *x = aa_tree_walk(t, NULL, NULL); x; x = aa_tree_walk(t, NULL, x))
		((struct aa_tree_node *)x)->depth = x->parent ? x->parent->depth + 1 : 0;
	return 0;
}

const struct aa_tree_node *aa_tree_roots(const aa_tree *tree)
{
	return tree->root;
}

const struct aa_tree_node *aa_tree_walk(const aa_tree *tree, const struct aa_tree_node *top,
					const struct aa_tree_node *n)
{
	if (!n)
		return top ? top : tree->root;
	if (n->child)
		return n->child;
	for (; n && n != top; n = n->parent)
		if (n->next)
			return n->next;
	return NULL;
}
