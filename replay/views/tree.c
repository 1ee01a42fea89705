/* SPDX-License-Identifier: MIT */
/*
 * The process tree of a recording (aa_tree.h): building it in one pass,
 * holding only the processes that may still change (tree_close.c puts the
 * others away).
 */
#include "aa_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host_label.h"
#include "spool.h"
#include "tree_impl.h"

size_t tree_ptr_hash(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	return (size_t)((v >> 4) ^ (v >> 16)) & (TREE_BUCKETS - 1);
}

size_t tree_pid_hash(uint32_t origin, uint32_t pid)
{
	return (pid + origin * 2654435761u) & (TREE_BUCKETS - 1);
}

/* The node of the incarnation the process table hands out as p, if any:
 * the table reuses a forgotten (exited) incarnation's memory, so a node
 * whose process has ended is its only while p is that same ending. */
static struct tnode *node_of(struct aa_tree *t, const struct aa_process *p)
{
	for (struct tnode *n = t->bucket[tree_ptr_hash(p)]; n; n = n->hnext) {
		if (n->key != p)
			continue;
		if (n->n.proc.pid != p->pid)
			return NULL;
		if ((n->n.proc.how & AA_PROC_EXIT) &&
		    (!(p->how & AA_PROC_EXIT) || p->end_ns != n->n.proc.end_ns))
			return NULL;
		return n;
	}
	return NULL;
}

struct aa_tree_node *aa_tree_running(aa_tree *t, uint32_t origin, uint32_t pid)
{
	for (struct tnode *n = t->pids[tree_pid_hash(origin, pid)]; n; n = n->pnext)
		if (n->n.proc.pid == pid && n->n.proc.origin == origin)
			return &n->n;
	return NULL;
}

/* Copies s into the node's own buffer; not kept past the byte bound. */
static void keep_string(struct aa_tree *t, struct aa_string *dst, uint8_t **buf, const struct aa_string *s)
{
	uint8_t *b = NULL;

	if (s->data && t->bytes + s->len <= AA_TREE_MAX_BYTES && (b = malloc(s->len ? s->len : 1)))
		memcpy(b, s->data, s->len);
	else if (s->data)
		t->stats.strings_lost++;
	t->bytes -= dst->data ? dst->len : 0;
	free(*buf);
	*buf = b;
	*dst = *s;
	dst->data = b;
	if (b)
		t->bytes += s->len;
	else
		dst->len = 0;
}

/* Takes in what the table says of the process now; an exit puts it in
 * line to be put away. */
static void update(struct aa_tree *t, struct tnode *n, const struct aa_process *p)
{
	struct aa_string exe = n->n.proc.exe, argv = n->n.proc.argv;
	int strings = n->src_exe != p->exe.data || n->src_argv != p->argv.data ||
		      n->src_exe_len != p->exe.len || n->src_argv_len != p->argv.len ||
		      n->n.proc.execs != p->execs;
	int exited = !(n->n.proc.how & AA_PROC_EXIT) && (p->how & AA_PROC_EXIT);

	n->n.proc = *p;
	n->n.proc.exe = exe;
	n->n.proc.argv = argv;
	n->n.proc.host = NULL; /* the source's: set again in the walk */
	if (strings) {
		keep_string(t, &n->n.proc.exe, &n->exe_buf, &p->exe);
		keep_string(t, &n->n.proc.argv, &n->argv_buf, &p->argv);
		n->src_exe = p->exe.data;
		n->src_argv = p->argv.data;
		n->src_exe_len = p->exe.len;
		n->src_argv_len = p->argv.len;
	}
	if (exited) {
		if (t->xlast)
			t->xlast->xnext = n;
		else
			t->xfirst = n;
		t->xlast = n;
	}
}

/* Does rec start a process: its fork, its snapshot, or a first exec with neither? */
static int starts_process(const struct aa_record *rec)
{
	const struct aa_process *p = rec->process;

	if (rec->ev.type == AA_TYPE_TASK)
		return rec->ev.task->kind == AA_TASK_FORK || rec->ev.task->kind == AA_TASK_SNAPSHOT;
	return rec->ev.type == AA_TYPE_EXEC && p->execs == 1 && !(p->how & (AA_PROC_FORK | AA_PROC_SNAPSHOT));
}

/* A process known only from its end: its start_ns is when it was seen. */
static int start_unknown(const struct aa_process *p)
{
	return !(p->how & (AA_PROC_SNAPSHOT | AA_PROC_FORK | AA_PROC_EXEC));
}

/* Could p be c's parent: it started first (or, at the same time, became
 * known first), or its start is unknown and it ended after c started. */
static int before(const struct aa_tree_node *p, const struct aa_tree_node *c)
{
	if (start_unknown(&p->proc))
		return p != c && p->proc.end_ns >= c->proc.start_ns;
	return p->proc.start_ns < c->proc.start_ns || (p->proc.start_ns == c->proc.start_ns && p->id < c->id);
}

static void link_child(struct tnode *up, struct tnode *c)
{
	c->up = up;
	c->sib_prev = NULL;
	c->sib_next = up->first;
	if (up->first)
		up->first->sib_prev = c;
	up->first = c;
	up->running_children++;
}

/* The process of c's ppid (of c's origin: a pid of another host is
 * another process) running when c started: the newest that could be. */
static struct tnode *find_parent(struct aa_tree *t, const struct tnode *c)
{
	uint32_t ppid = c->n.ppid, origin = c->n.proc.origin;

	if (!ppid || ppid == c->n.proc.pid)
		return NULL;
	for (struct tnode *p = t->pids[tree_pid_hash(origin, ppid)]; p; p = p->pnext)
		if (p->n.proc.pid == ppid && p->n.proc.origin == origin && before(&p->n, &c->n))
			return p;
	return NULL;
}

static int is_above(const struct tnode *a, const struct tnode *x)
{
	for (; x; x = x->up)
		if (x == a)
			return 1;
	return 0;
}

/* A process that started before it became known (a snapshot's, or one
 * seen only ending) can be the parent of roots seen earlier: it takes
 * them, running or put away, unless that would close a loop of parents
 * (a damaged or forged recording: that link is cut). */
static void adopt(struct aa_tree *t, struct tnode *p)
{
	uint32_t pid = p->n.proc.pid, origin = p->n.proc.origin;

	for (struct tnode *c = t->first; c; c = c->all_next)
		if (!c->up && c != p && c->n.ppid == pid && c->n.proc.origin == origin && before(&p->n, &c->n) &&
		    !is_above(c, p))
			link_child(p, c);
	for (struct orphan **pp = &t->orphans[tree_pid_hash(origin, pid)], *o; (o = *pp);) {
		if (o->k.ppid == pid && o->k.origin == origin && (start_unknown(&p->n.proc) ?
		    p->n.proc.end_ns >= o->k.start_ns : p->n.proc.start_ns < o->k.start_ns)) {
			if (tree_kids_push(&p->kids, &o->k) < 0) {
				t->nomem = 1;
				return;
			}
			*pp = o->next;
			free(o);
		} else {
			pp = &o->next;
		}
	}
}

static struct tnode *add_node(struct aa_tree *t, const struct aa_record *rec)
{
	const struct aa_process *p = rec->process;
	struct tnode *n, *up;

	if (t->running >= t->max_nodes || !(n = calloc(1, sizeof(*n)))) {
		t->stats.lost += starts_process(rec);
		return NULL;
	}
	n->key = p;
	n->n.id = ++t->stats.nodes;
	n->n.ppid = p->ppid;
	n->hnext = t->bucket[tree_ptr_hash(p)];
	t->bucket[tree_ptr_hash(p)] = n;
	update(t, n, p);
	if ((up = find_parent(t, n)))
		link_child(up, n);
	size_t h = tree_pid_hash(p->origin, p->pid);
	n->pnext = t->pids[h];
	t->pids[h] = n;
	if (t->last)
		t->last->all_next = n;
	else
		t->first = n;
	n->all_prev = t->last;
	t->last = n;
	if (++t->running > t->stats.max_running)
		t->stats.max_running = t->running;
	if (start_unknown(&n->n.proc) || (n->n.proc.how & AA_PROC_SNAPSHOT))
		adopt(t, n);
	return n;
}

static void count(struct tnode *n, const struct aa_record *rec)
{
	if (rec->ev.error)
		return;
	switch (rec->ev.type) {
	case AA_TYPE_FILE:
	case AA_TYPE_FILEOP:
		n->n.counts.file++;
		break;
	case AA_TYPE_TLS:
		n->n.counts.tls++;
		n->n.counts.tls_calls += rec->ev.tls->seq == 0;
		break;
	case AA_TYPE_NET:
		n->n.counts.net++;
		break;
	case AA_TYPE_EXEC:
	case AA_TYPE_EXIT:
	case AA_TYPE_TASK:
	case AA_TYPE_STRING:
	case AA_TYPE_TLS_CONN:
	case AA_TYPE_UNKNOWN:
		break;
	}
}

/* A record the counts are of: file, fileop, tls, net. */
static int counted(const struct aa_record *rec)
{
	return !rec->ev.error && (rec->ev.type == AA_TYPE_FILE || rec->ev.type == AA_TYPE_FILEOP ||
				  rec->ev.type == AA_TYPE_TLS || rec->ev.type == AA_TYPE_NET);
}

static struct tnode *take(struct aa_tree *t, const struct aa_record *rec)
{
	const struct aa_process *p = rec->process;
	struct tnode *n;

	if (!p) {
		t->stats.unowned += counted(rec);
		return NULL;
	}
	if ((n = node_of(t, p))) {
		/* only these records change a process */
		if (!rec->ev.error && (rec->ev.type == AA_TYPE_TASK || rec->ev.type == AA_TYPE_EXEC ||
				       rec->ev.type == AA_TYPE_EXIT))
			update(t, n, p);
	} else if (counted(rec) && (p->how & AA_PROC_EXIT) && p->end_ns + AA_TREE_CLOSE_NS < t->now) {
		t->stats.late++; /* of a process put away already (or never held) */
		return NULL;
	} else if (rec->ev.error || !(n = add_node(t, rec))) {
		t->stats.unowned += counted(rec);
		return NULL;
	}
	count(n, rec);
	return n;
}

/* Processes that exited long enough ago are ready; those with no child
 * running are put away. */
static void put_away(struct aa_tree *t)
{
	struct tnode *x;

	while ((x = t->xfirst) && x->n.proc.end_ns + AA_TREE_CLOSE_NS < t->now) {
		if (!(t->xfirst = x->xnext))
			t->xlast = NULL;
		x->ready = 1;
		if (!x->running_children)
			tree_close(t, x);
	}
}

/* Each node's host: its origin's label, kept by the tree (the source's
 * strings end with it). Only when the stream has more than one origin: a
 * tree of one host says nothing of hosts. */
static int set_hosts(struct aa_tree *t, const aa_source *src)
{
	char buf[VIEW_HOST_LABEL_MAX];

	t->stats.hosts = aa_source_origins(src);
	if (t->stats.hosts < 2)
		return 0;
	if (!(t->labels = calloc(t->stats.hosts, sizeof(*t->labels))))
		return -1;
	t->nlabels = t->stats.hosts;
	for (uint32_t i = 0; i < t->nlabels; i++) {
		size_t len = strlen(view_host_label(src, i, buf, sizeof(buf)));
		if (!(t->labels[i] = malloc(len + 1)))
			return -1;
		memcpy(t->labels[i], buf, len + 1);
		if (len > t->label_width)
			t->label_width = len;
	}
	return 0;
}

int aa_tree_build(aa_tree **tree, aa_source *src, const struct aa_tree_opts *opts)
{
	const struct aa_record *rec;
	struct aa_tree *t;
	int rc;

	if (!tree)
		return AA_E_INVAL;
	*tree = NULL;
	if (!src)
		return AA_E_INVAL;
	if (!(t = calloc(1, sizeof(*t))))
		return AA_E_NOMEM;
	if (opts)
		t->opts = *opts;
	t->max_nodes = t->opts.max_nodes ? t->opts.max_nodes : AA_TREE_MAX_NODES;
	*tree = t;
	while ((rc = aa_next(src, &rec)) == 1) {
		t->stats.records++;
		if (rec->time_ns > t->now)
			t->now = rec->time_ns;
		struct tnode *n = take(t, rec);
		if (t->opts.on_record && t->opts.on_record(t->opts.user, n ? &n->n : NULL, rec)) {
			rc = AA_E_STOPPED;
			break;
		}
		if (t->xfirst)
			put_away(t);
	}
	if (t->opts.on_end && t->opts.on_end(t->opts.user, t) && rc >= 0)
		rc = AA_E_STOPPED;
	tree_close_all(t);
	t->stats.roots = (uint32_t)t->roots.n;
	if (!t->nomem && !t->spool_err)
		tree_sort_kids(t, &t->roots);
	if (t->nomem || set_hosts(t, src) < 0 || t->spool_err) {
		int e = t->spool_err;
		rc = t->nomem || !e ? AA_E_NOMEM : AA_E_IO;
		aa_tree_free(t);
		*tree = NULL;
		errno = e;
		return rc;
	}
	return rc < 0 ? rc : 0;
}

void aa_tree_get_stats(const aa_tree *tree, struct aa_tree_stats *stats)
{
	*stats = tree->stats;
}

void aa_tree_free(aa_tree *tree)
{
	if (!tree)
		return;
	for (struct tnode *n = tree->first, *next; n; n = next) {
		next = n->all_next;
		free(n->exe_buf);
		free(n->argv_buf);
		free(n->kids.v);
		free(n);
	}
	for (uint32_t i = 0; i < tree->nlabels; i++)
		free(tree->labels[i]);
	free(tree->labels);
	free(tree->roots.v);
	for (size_t h = 0; h < TREE_BUCKETS; h++)
		for (struct orphan *o; (o = tree->orphans[h]); free(o))
			tree->orphans[h] = o->next;
	free(tree->scratch);
	tree_walk_free(tree);
	view_spool_close(tree->spool, tree->spool_buf);
	free(tree);
}
