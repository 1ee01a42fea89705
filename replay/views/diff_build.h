/* SPDX-License-Identifier: MIT */
/*
 * Making the "what happened" text (diff_text.c: the lines of the records),
 * the lines of each process it keeps while the tree is built (diff_proc.c):
 * each line once, in the order first seen, in a buffer of at most PROC_BUF
 * bytes and then a spool file; and the text in the tree's order
 * (diff_walk.c). Private to those three files.
 */
#ifndef AA_DIFF_BUILD_H
#define AA_DIFF_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diff_impl.h"

#define PROC_BUF 65536 /* bytes of a process's lines kept in memory before they are spooled */
#define SPOOLED_SEEN 16384 /* lines remembered in the spool (the same few come in process after process) */

/* The lines of one process, each [u32 length][u64 diff_hash][bytes]
 * (PROC_LINE_HEAD, then the bytes), with a set of their hashes to keep
 * each once. Spooled, a line's head also says where its bytes are:
 * [u32 length][u64 diff_hash][u64 offset in the spool] (SPOOL_HEAD). */
#define PROC_LINE_HEAD 12
#define SPOOL_HEAD 20
struct diff_proc {
	uint8_t *buf;       /* the lines not spooled yet */
	size_t len, cap;
	struct chunk {      /* the lines spooled, in order */
		uint64_t heads; /* of their heads (SPOOL_HEAD each) in the heads' spool */
		size_t n;       /* lines */
	} *chunks;
	size_t nchunks;
	size_t chunks_cap;  /* (diff_proc_back's) */
	size_t n;           /* lines */
	uint64_t fp;        /* diff_fold of their hashes, in order */
	uint64_t *set;      /* open addressing, 0 empty; NULL once the process ended */
	size_t setcap;
	int ended;
};

struct build {
	const struct diff_rules *r;
	struct diff_tls *tls;
	struct aa_tree_node *cur; /* the process of the record being taken in */
	aa_tree *tree;            /* kept, with the lines, until the text's index is written */
	struct diff_proc back;    /* a process's lines' places, read back in the walk */
	uint32_t hosts;           /* the tree's: more than one, each root says its host */
	int counting;             /* the text's lines are counted and folded, not written */
	struct pending {          /* TLS lines of no current process, placed at the end */
		uint32_t origin, pid;
		char *s;
	} *pend;
	size_t npend;
	struct diff_proc unknown; /* the lines of records of no known process */
	FILE *ms; /* the line being made */
	unsigned indent; /* spaces before it in the text (a process's own lines) */
	char *buf;
	size_t len;
	struct mask_memo { /* put_masked's last results */
		uint64_t h;
		char *in;
		size_t in_len;
		char *out;       /* masked and escaped */
		size_t out_len;
	} *memo;     /* MASK_MEMO of them, NULL when no memory for them */
	struct line_memo { /* lines made, found by what they were made of (diff_text.c) */
		uint64_t key;      /* the path's memo_hash mixed with the rest */
		uint32_t path_len; /* the path as recorded, then the line, in mem */
		uint32_t line_len;
		uint32_t what, mode;
		int64_t err;       /* the return value when an error, else 0 */
		uint64_t hash;     /* the line's diff_hash */
		char *mem;
	} *lines_memo; /* LINE_MEMO of them, NULL when no memory for them */
	FILE *spool; /* the bytes of processes' lines past their buffers */
	char *spool_buf;
	uint64_t spooled;
	struct spooled { /* lines whose bytes are in the spool, by diff_hash: written once */
		uint64_t hash, off;
		uint32_t len;
	} *in_spool; /* SPOOLED_SEEN of them, NULL when no memory for them */
	FILE *heads; /* their heads, read back for the text's index: not their bytes */
	char *heads_buf;
	uint64_t heads_len;
	struct view_cache heads_cache; /* of heads, read back */
	uint8_t *spare;     /* an ended process's line buffer, for the next one */
	size_t spare_cap;
	int nomem, io; /* io: the errno of a spool that failed */
};

/* Notes that the spool failed (errno) in b->io, unless it already did. */
void diff_io_failed(struct build *b);
/* Calls fn with each line of p in order (its length, its diff_hash, and
 * for a line in b->spool where its bytes are there, with s NULL; for one
 * still in memory its bytes, at -1): 0, or non-zero when one failed. */
typedef void diff_line_fn(struct build *b, void *arg, const char *s, size_t len, uint64_t hash, int64_t at);
int diff_proc_lines(struct build *b, const struct diff_proc *p, diff_line_fn *fn, void *arg);
/* A process ended: its lines go to the spool, its set goes. */
void diff_proc_end(struct build *b, struct diff_proc *p);
/* A process put away by the tree: its lines spooled (diff_proc_end) and
 * where they are written to the heads' file: the tag for
 * diff_proc_back (0: no lines, or a failure noted in b). */
uint64_t diff_proc_put_away(struct build *b, struct diff_proc *p);
/* Reads the lines' places of the tag into p (its chunks and counts; no
 * lines in memory): 0, or -1 with b->nomem or b->io set. */
int diff_proc_back(struct build *b, uint64_t tag, struct diff_proc *p);
/* Adds the line made in b->ms to p, unless p has it. */
void diff_proc_add(struct build *b, struct diff_proc *p);
/* The same for line s[0..len), its diff_hash h (a line made before). */
void diff_proc_add_line(struct build *b, struct diff_proc *p, const char *s, size_t len, uint64_t h);
/* Starts the line made in b->ms again, not indented (diff_text.c). */
void diff_line_start(struct build *b);
/* s[0..len) (up to a NUL) with every mask applied, escaped, into b->ms. */
void diff_put_masked(struct build *b, const uint8_t *s, size_t len);
/* The whole text in the tree's order (diff_walk.c): counted and
 * fingerprinted into t->n, t->processes and t->fp, else written to t's
 * index and lines files (t->fp left as it is). */
void diff_text_walk(struct build *b, struct diff_text *t, int counting);
/* Frees what p holds (diff_proc_clear) and p itself (diff_proc_free, NULL: nothing). */
void diff_proc_clear(struct diff_proc *p);
void diff_proc_free(struct diff_proc *p);

#endif /* AA_DIFF_BUILD_H */
