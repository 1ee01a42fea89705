/* SPDX-License-Identifier: MIT */
/* aa_diff's insides, shared by its files (private). */
#ifndef AA_DIFF_IMPL_H
#define AA_DIFF_IMPL_H

#include <regex.h>
#include <stdio.h>

#include "aa_diff.h"
#include "aa_tree.h"
#include "spool.h"

/* What is masked and left out, compiled from aa_diff_opts. */
struct diff_rules {
	struct diff_mask {
		regex_t re;
		const char *repl;
		const char *needle; /* in every match: without it, no regexec */
	} *masks;
	size_t nmasks;
	regex_t *ignore; /* aa_diff_opts.ignore_paths */
	size_t nignore;
	unsigned fields; /* AA_DIFF_* left out */
};

/*
 * A "what happened" text, spooled to two temporary files so that its size
 * is on disk, not in memory: the bytes of its lines (without their
 * indentation, where the build spooled them first: each line is written
 * once, and a line many processes have, mostly once), and an index of one
 * entry per line, in the text's order. Reading
 * it back goes through a cache of one block of entries (forwards or
 * backwards alike).
 */
struct diff_entry {
	uint64_t hash;   /* diff_text_hash of the line, never 0: lines are compared by it */
	uint64_t off;    /* where the line's bytes (after its indent) are in the lines file */
	uint64_t proc;   /* the index of the process line it is under */
	uint32_t len;    /* of the line as shown, indent included, without a newline */
	uint32_t indent; /* spaces before its bytes (not in the file) */
};

#define DIFF_CACHE 1024 /* entries read at once */

struct build;
struct diff_text {
	uint64_t fp; /* diff_fold of its lines' hashes (diff_text_build's): equal for equal texts */
	struct build *pending; /* what diff_text_index writes the index from; NULL once written */
	FILE *lines, *index;
	char *lines_buf, *index_buf; /* their stdio buffers */
	uint64_t n, bytes;
	uint32_t processes;
	struct diff_entry *cache;
	uint64_t cache_first;
	size_t cache_n;
	char *line;      /* the last line read back, NUL-terminated */
	size_t line_cap;
};

/* A line's hash for the sets, the mask memo and the text; never 0 (diff_proc.c). */
uint64_t diff_hash(const char *s, size_t len);
/* A line's hash in the text from its bytes' diff_hash and its indent. */
uint64_t diff_text_hash(uint64_t line_hash, uint32_t indent);
/* fp followed by h: a fingerprint of a sequence of hashes, folded one by
 * one (equal fingerprints: the same sequence, but 2^-64). */
uint64_t diff_fold(uint64_t fp, uint64_t h);
/* Appends the entry of a line whose len bytes (diff_hash line_hash) are at
 * off in the lines file already, shown after indent spaces, under the
 * process line proc: 0, or AA_E_IO. */
int diff_text_entry_add(struct diff_text *t, uint64_t off, uint32_t len, uint32_t indent, uint64_t line_hash,
			uint64_t proc);
/* Appends line s[0..len) (its diff_hash line_hash) to the lines file and its entry. */
int diff_text_append(struct diff_text *t, uint32_t indent, const char *s, size_t len, uint64_t line_hash,
		     uint64_t proc);
/* The same, hashing it. */
int diff_text_add_indented(struct diff_text *t, uint32_t indent, const char *s, size_t len, uint64_t proc);
/* Entry i (< t->n) into *e: 0, or AA_E_IO. */
int diff_text_entry(struct diff_text *t, uint64_t i, struct diff_entry *e);
/* The line of e as shown (its indent, then its bytes), NUL-terminated,
 * valid until the next call: NULL on a read error. */
const char *diff_text_line(struct diff_text *t, const struct diff_entry *e);
/* Ready for reading (the files flushed): 0, or AA_E_IO. */
int diff_text_done(struct diff_text *t);
/* Frees and closes what the index and the lines take (diff_text_free: all). */
void diff_text_spool_free(struct diff_text *t);

/*
 * Reads src to its end into the text of what happened, under rules: its
 * lines counted (n, processes) and fingerprinted (fp), so that two texts
 * alike are known without their index; the index (diff_text_entry) is
 * written by diff_text_index. Returns 0 or a negative AA_E_* (err filled;
 * for a read error, from aa_source_error(src)).
 */
int diff_text_build(struct diff_text *t, aa_source *src, const struct diff_rules *r,
		    struct aa_error_info *err);
/* Writes the index of a text diff_text_build made (once; after it, or for
 * a text made by entries, nothing): 0, or AA_E_NOMEM or AA_E_IO (err filled). */
int diff_text_index(struct diff_text *t, struct aa_error_info *err);
void diff_text_free(struct diff_text *t);

/*
 * The unified diff of a and b with ctx lines of context through
 * on_line (may be NULL); counts the removed and added lines. Returns 0,
 * AA_E_NOMEM, AA_E_IO (reading a text back) or AA_E_STOPPED. Memory: the
 * hashes of the lines between the common start and end (8 bytes a line)
 * and the edit script as runs (at most about 2 * AA_DIFF_MAX_EDITS).
 */
int diff_unified(struct diff_text *a, struct diff_text *b, unsigned ctx,
		 const char *label_a, const char *label_b,
		 int (*on_line)(void *user, const char *line, size_t len), void *user,
		 uint64_t *removed, uint64_t *added);

/*
 * TLS messages (diff_follow.c): diff_tls_piece takes each TLS record (and
 * diff_tls_end the input's end); each decoded request or response gives
 * its lines, made in ms one at a time, each handed to emit(user, origin
 * and pid of its process: pids are per host), which returns non-zero when
 * out of memory. Memory: the
 * follow library's (aa_follow.h: open connections, one body each).
 */
struct diff_tls;
struct diff_tls *diff_tls_new(const struct diff_rules *r, FILE *ms,
			      int (*emit)(void *user, uint32_t origin, uint32_t pid), void *user);
/* 0, or AA_E_NOMEM. */
int diff_tls_piece(struct diff_tls *t, const struct aa_record *rec);
int diff_tls_end(struct diff_tls *t);
void diff_tls_free(struct diff_tls *t);

#endif
