/* SPDX-License-Identifier: MIT */
/*
 * The "what happened" text in the tree's order (diff_build.h): each
 * process's line (its host first, for a root of several hosts), its exe
 * and end, then its own lines indented under it; then the lines of no
 * known process. Counted and fingerprinted without reading a process's
 * lines back, or written to the text's index and lines files.
 */
#include <stdlib.h>
#include <string.h>

#include "aa_print.h"
#include "diff_build.h"
#include "print_enc.h"

/* Appends the line made in b->ms to the text (counting: to its count and fingerprint). */
static void text_add(struct build *b, struct diff_text *t, uint64_t proc)
{
	if (fflush(b->ms) || b->nomem) {
		b->nomem = 1;
		return;
	}
	if (b->counting) {
		t->fp = diff_fold(t->fp, diff_text_hash(diff_hash(b->buf, b->len), b->indent));
		t->n++;
	} else if (!b->io && diff_text_add_indented(t, b->indent, b->buf, b->len, proc)) {
		diff_io_failed(b);
	}
}

static void indent(struct build *b, unsigned n)
{
	diff_line_start(b);
	b->indent = 2 * n;
}

/* A line of a process into the text, indented under its process line. */
struct under {
	struct diff_text *t;
	uint64_t proc;
	unsigned depth;
};

static void under_line(struct build *b, void *arg, const char *s, size_t len, uint64_t hash, int64_t at)
{
	const struct under *u = arg;

	/* a spooled line stays where it is (the spool is the text's lines
	 * file): only its entry is written; one still in memory goes there
	 * (s is NULL for a spooled line: its bytes are not read back) */
	if (!b->io && !b->nomem &&
	    (at >= 0 ? diff_text_entry_add(u->t, (uint64_t)at, (uint32_t)len, 2 * u->depth, hash, u->proc)
		     : diff_text_append(u->t, 2 * u->depth, s, len, hash, u->proc)))
		diff_io_failed(b);
}

/* A process's own lines (p: NULL for none) under its process line at, at
 * depth: counted, they are folded as one hash (of their fingerprint,
 * number and indent) without reading them back. */
static void own_lines(struct build *b, struct diff_text *t, const struct diff_proc *p, uint64_t at,
		      unsigned depth)
{
	struct under u = { t, at, depth };

	if (!p) {
		return;
	} else if (b->counting) {
		t->fp = diff_fold(t->fp, diff_text_hash(diff_fold(p->fp, p->n), 2 * depth));
		t->n += p->n;
	} else {
		diff_proc_lines(b, p, under_line, &u);
	}
}

static void process_lines(struct build *b, struct diff_text *t, const struct aa_tree_node *n)
{
	const struct aa_process *pr = &n->proc;
	uint64_t at = t->n;

	if (!n->parent && b->hosts > 1 && pr->host) {
		/* each host's trees under its name: pids are per host */
		indent(b, 0);
		fputs("host ", b->ms);
		aa_enc_text_string(b->ms, (const uint8_t *)pr->host, strlen(pr->host));
		text_add(b, t, at);
	}
	indent(b, n->depth);
	fputs("process", b->ms);
	if ((b->r->fields & AA_DIFF_ARGV) || !pr->argv.data) {
		fputs(" comm=", b->ms);
		aa_enc_text_string(b->ms, (const uint8_t *)pr->comm, strlen(pr->comm));
		if (!(b->r->fields & AA_DIFF_ARGV))
			fputs(" (argv unknown)", b->ms);
	} else if (pr->argv_joined) {
		fputs(" args=", b->ms);
		diff_put_masked(b, pr->argv.data, pr->argv.len);
	} else {
		const uint8_t *item;
		uint32_t pos = 0, len;
		while (aa_argv_item(&pr->argv, &pos, &item, &len)) {
			putc(' ', b->ms);
			diff_put_masked(b, item, len);
		}
		if (pr->argv.truncated)
			fputs(" (argv truncated)", b->ms);
	}
	text_add(b, t, at);
	if (pr->exe.data && !(b->r->fields & AA_DIFF_EXE)) {
		indent(b, n->depth + 1);
		fputs("exe ", b->ms);
		diff_put_masked(b, pr->exe.data, pr->exe.len);
		text_add(b, t, at);
	}
	if (!(b->r->fields & AA_DIFF_EXIT)) {
		indent(b, n->depth + 1);
		if (!(pr->how & AA_PROC_EXIT))
			fputs("running (no end recorded)", b->ms);
		else if (pr->signal)
			fprintf(b->ms, "killed by SIG%s%s", sigabbrev_np(pr->signal) ? sigabbrev_np(pr->signal) : "?",
				pr->core_dumped ? " (core dumped)" : "");
		else
			fprintf(b->ms, "exit %d", pr->exit_code);
		text_add(b, t, at);
	}
	if (n->tag && !diff_proc_back(b, n->tag, &b->back))
		own_lines(b, t, &b->back, at, n->depth + 1);
	t->processes++;
}

/* The lines of records no process is known for, as a root of their own. */
static void unknown_lines(struct build *b, struct diff_text *t)
{
	uint64_t at = t->n;

	if (!b->unknown.n)
		return;
	diff_line_start(b);
	fputs("process (records of no known process)", b->ms);
	text_add(b, t, at);
	own_lines(b, t, &b->unknown, at, 1);
}

void diff_text_walk(struct build *b, struct diff_text *t, int counting)
{
	b->counting = counting;
	t->n = 0;
	t->processes = 0;
	if (b->counting)
		t->fp = 0;
	for (const struct aa_tree_node *n = aa_tree_walk(b->tree, NULL, NULL); n && !b->nomem && !b->io;
	     n = aa_tree_walk(b->tree, NULL, n))
		process_lines(b, t, n);
	if (aa_tree_walk_error(b->tree) && !b->io)
		b->io = aa_tree_walk_error(b->tree);
	unknown_lines(b, t);
	b->counting = 0;
}
