/* SPDX-License-Identifier: MIT */
/* The process tree (aa_tree.h) as an indented tree and as JSON Lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aa_print.h"
#include "aa_tree.h"
#include "print_enc.h"
#include "print_proc.h"
#include "tree_impl.h"

/* "|-" branches as pstree -A draws them: for each ancestor below top, "| "
 * while it has a later sibling; then "|-" or "`-" for n itself. */
static void branches(FILE *out, const struct aa_tree_node *top, const struct aa_tree_node *n)
{
	const struct aa_tree_node *chain[64];
	size_t k = 0, skipped = 0;

	if (n == top || (!top && !n->parent))
		return;
	for (const struct aa_tree_node *a = n->parent; a && a != top && (top || a->parent); a = a->parent) {
		if (k < sizeof(chain) / sizeof(chain[0]))
			chain[k++] = a;
		else
			skipped++;
	}
	if (skipped) /* a deeper tree than a line can show: its depth instead */
		fprintf(out, "[+%zu] ", skipped);
	while (k--)
		fputs(chain[k]->last ? "  " : "| ", out);
	fputs(n->last ? "`-" : "|-", out);
}

/* The host column of a tree of several hosts. */
static void host_column(FILE *out, const aa_tree *tree, const struct aa_tree_node *n)
{
	if (tree->stats.hosts < 2 || !n->proc.host)
		return;
	size_t len = strlen(n->proc.host), width = tree->label_width;
	aa_enc_text_bare(out, (const uint8_t *)n->proc.host, len);
	fprintf(out, "%*s ", (int)(width > len ? width - len : 0), "");
}

static void text_line(FILE *out, const aa_tree *tree, const struct aa_tree_node *top,
		      const struct aa_tree_node *n)
{
	const struct aa_process *p = &n->proc;
	char t[AA_TIME_BUF];

	host_column(out, tree, n);
	branches(out, top, n);
	fprintf(out, "%u", p->pid);
	if (p->how & AA_PROC_SNAPSHOT)
		fputs(" snapshot", out);
	if (!p->argv.data) {
		fputs(" comm=", out);
		aa_enc_text_string(out, (const uint8_t *)p->comm, strlen(p->comm));
		fputs(" argv unknown", out);
	} else if (p->argv_joined) {
		fputs(" args=", out);
		aa_enc_text_string(out, p->argv.data, p->argv.len);
	} else {
		aa_enc_text_argv(out, &p->argv);
	}
	if (!n->parent && n->ppid)
		fprintf(out, " ppid=%u (not recorded)", n->ppid);
	else if (!n->parent)
		fputs(" ppid unknown", out);
	if (!(p->how & (AA_PROC_SNAPSHOT | AA_PROC_FORK | AA_PROC_EXEC))) {
		fputs(" start unknown (seen only ending)", out); /* its start is when it was seen */
	} else {
		fprintf(out, " start=%s", aa_format_time(t, p->start_ns));
	}
	if ((p->how & (AA_PROC_SNAPSHOT | AA_PROC_FORK | AA_PROC_EXEC)) && (p->how & AA_PROC_EXIT) &&
	    p->end_ns >= p->start_ns) {
		fputs(" dur=", out);
		aa_enc_duration(out, p->end_ns - p->start_ns);
	}
	aa_proc_text_exit(out, p);
	fprintf(out, " file=%llu tls=%llu", (unsigned long long)n->counts.file,
		(unsigned long long)n->counts.tls);
	if (n->counts.tls)
		fprintf(out, "(%llu calls)", (unsigned long long)n->counts.tls_calls);
	fprintf(out, " net=%llu\n", (unsigned long long)n->counts.net);
}

static int wanted(const struct aa_tree_node *n, const uint32_t *pids, size_t npids)
{
	for (size_t i = 0; i < npids; i++)
		if (n->proc.pid == pids[i])
			return 1;
	return !npids && !n->parent;
}

/* Each subtree wanted, by line(): the number of them, or AA_E_IO. */
static int print(FILE *out, aa_tree *tree, const uint32_t *pids, size_t npids,
		 void (*line)(FILE *, const aa_tree *, const struct aa_tree_node *, const struct aa_tree_node *))
{
	const struct aa_tree_node *n = aa_tree_walk(tree, NULL, NULL);
	int found = 0;

	while (n) {
		if (!wanted(n, pids, npids)) {
			n = tree_walk_next(tree, NULL, n, 0);
			continue;
		}
		const struct aa_tree_node *top = npids ? n : NULL, *m;
		for (m = n; m; m = tree_walk_next(tree, n, m, 0))
			line(out, tree, top, m);
		found++;
		n = tree_walk_next(tree, NULL, n, 1);
	}
	if (aa_tree_walk_error(tree)) {
		errno = aa_tree_walk_error(tree);
		return AA_E_IO;
	}
	return aa_enc_status(out) < 0 ? AA_E_IO : found;
}

int aa_tree_print_text(FILE *out, aa_tree *tree, const uint32_t *pids, size_t npids)
{
	return print(out, tree, pids, npids, text_line);
}

static void json_line(FILE *out, const aa_tree *tree, const struct aa_tree_node *top,
		      const struct aa_tree_node *n)
{
	const char *sep = "";

	(void)top; /* (the text's: where its branches start) */
	putc('{', out);
	if (tree->stats.hosts > 1 && n->proc.host) {
		fputs("\"host\":", out);
		aa_enc_json_string(out, (const uint8_t *)n->proc.host, strlen(n->proc.host));
		putc(',', out);
	}
	fprintf(out, "\"id\":%u,\"parent\":", n->id);
	if (n->parent)
		fprintf(out, "%u", n->parent->id);
	else
		fputs("null", out);
	fputs(",\"children\":[", out);
	for (uint32_t i = 0; i < n->nchildren; i++, sep = ",")
		fprintf(out, "%s%u", sep, n->children[i]);
	fprintf(out, "],\"depth\":%u,\"ppid_at_start\":%u,", n->depth, n->ppid);
	aa_proc_json_fields(out, &n->proc);
	fprintf(out, ",\"counts\":{\"file\":%llu,\"tls\":%llu,\"tls_calls\":%llu,\"net\":%llu}}\n",
		(unsigned long long)n->counts.file, (unsigned long long)n->counts.tls,
		(unsigned long long)n->counts.tls_calls, (unsigned long long)n->counts.net);
}

int aa_tree_print_json(FILE *out, aa_tree *tree, const uint32_t *pids, size_t npids)
{
	return print(out, tree, pids, npids, json_line);
}
