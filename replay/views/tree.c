/* SPDX-License-Identifier: MIT */
/* The process tree of a recording (aa_tree.h): building it in one pass. */
#include "aa_tree.h"

#include <stdlib.h>
#include <string.h>

#include "host_label.h"
#include "tree_impl.h"

#define BUCKETS 4096 /* a power of two */

static size_t ptr_hash(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	return (size_t)((v >> 4) ^ (v >> 16)) & (BUCKETS - 1);
}

/* The node of the incarnation the process table hands out as p, if any:
 * the table reuses a forgotten (exited) incarnation's memory, so a node
 * whose process has ended is its only while p is that same ending. */
static struct tnode *node_of(struct aa_tree *t, const struct aa_process *p)
{
	for (struct tnode *n = t->bucket[ptr_hash(p)]; n; n = n->hnext) {
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

/* Takes in what the table says of the process now. */
static void update(struct aa_tree *t, struct tnode *n, const struct aa_process *p)
{
	struct aa_string exe = n->n.proc.exe, argv = n->n.proc.argv;
	int strings = n->src_exe != p->exe.data || n->src_argv != p->argv.data ||
		      n->src_exe_len != p->exe.len || n->src_argv_len != p->argv.len ||
		      n->n.proc.execs != p->execs;

	n->n.proc = *p;
	n->n.proc.exe = exe;
	n->n.proc.argv = argv;
	if (strings) {
		keep_string(t, &n->n.proc.exe, &n->exe_buf, &p->exe);
		keep_string(t, &n->n.proc.argv, &n->argv_buf, &p->argv);
		n->src_exe = p->exe.data;
		n->src_argv = p->argv.data;
		n->src_exe_len = p->exe.len;
		n->src_argv_len = p->argv.len;
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

static struct tnode *add_node(struct aa_tree *t, const struct aa_record *rec)
{
	const struct aa_process *p = rec->process;
	struct tnode *n;

	if (t->stats.nodes >= t->max_nodes || !(n = calloc(1, sizeof(*n)))) {
		t->stats.lost += starts_process(rec);
		return NULL;
	}
	n->key = p;
	n->n.id = ++t->stats.nodes;
	n->n.ppid = p->ppid;
	n->hnext = t->bucket[ptr_hash(p)];
	t->bucket[ptr_hash(p)] = n;
	if (t->last)
		t->last->all_next = n;
	else
		t->first = n;
	t->last = n;
	update(t, n, p);
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
	} else if (rec->ev.error || !(n = add_node(t, rec))) {
		t->stats.unowned += counted(rec);
		return NULL;
	}
	count(n, rec);
	return n;
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
	for (struct tnode *n = t->first; n; n = n->all_next)
		n->n.proc.host = n->n.proc.origin < t->nlabels ? t->labels[n->n.proc.origin] : "";
	return 0;
}

int aa_tree_build(aa_tree **tree, aa_source *src, const struct aa_tree_opts *opts)
{
	struct aa_tree_opts o = { 0 };
	const struct aa_record *rec;
	struct aa_tree *t;
	int rc;

	if (!tree)
		return AA_E_INVAL;
	*tree = NULL;
	if (!src)
		return AA_E_INVAL;
	if (opts)
		o = *opts;
	if (!(t = calloc(1, sizeof(*t))))
		return AA_E_NOMEM;
	t->max_nodes = o.max_nodes ? o.max_nodes : AA_TREE_MAX_NODES;
	while ((rc = aa_next(src, &rec)) == 1) {
		t->stats.records++;
		struct tnode *n = take(t, rec);
		if (o.on_record && o.on_record(o.user, n ? &n->n : NULL, rec)) {
			rc = AA_E_STOPPED;
			break;
		}
	}
	if (set_hosts(t, src) < 0 || aa_tree_link(t) < 0) {
		aa_tree_free(t);
		return AA_E_NOMEM;
	}
	*tree = t;
	return rc < 0 ? rc : 0;
}

void aa_tree_get_stats(const aa_tree *tree, struct aa_tree_stats *stats)
{
	*stats = tree->stats;
}

const struct aa_tree_node *aa_tree_next(const aa_tree *tree, const struct aa_tree_node *prev)
{
	const struct tnode *n = prev ? ((const struct tnode *)prev)->all_next : tree->first;

	return n ? &n->n : NULL;
}

void aa_tree_free(aa_tree *tree)
{
	if (!tree)
		return;
	for (struct tnode *n = tree->first, *next; n; n = next) {
		next = n->all_next;
		free(n->exe_buf);
		free(n->argv_buf);
		free(n);
	}
	for (uint32_t i = 0; i < tree->nlabels; i++)
		free(tree->labels[i]);
	free(tree->labels);
	free(tree->roots);
	free(tree);
}
