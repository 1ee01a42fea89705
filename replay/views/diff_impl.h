/* SPDX-License-Identifier: MIT */
/* aa_diff's insides, shared by its files (private). */
#ifndef AA_DIFF_IMPL_H
#define AA_DIFF_IMPL_H

#include <regex.h>
#include <stdio.h>

#include "aa_diff.h"
#include "aa_tree.h"

/* What is masked and left out, compiled from aa_diff_opts. */
struct diff_rules {
	struct diff_mask {
		regex_t re;
		const char *repl;
	} *masks;
	size_t nmasks;
	regex_t *ignore; /* aa_diff_opts.ignore_paths */
	size_t nignore;
	unsigned fields; /* AA_DIFF_* left out */
};

/* One line of a "what happened" text. */
struct diff_line {
	char *s;
	size_t len;
	uint64_t hash;
	size_t proc;     /* the index of the process line it is under */
};

struct diff_text {
	struct diff_line *l;
	size_t n, cap;
	uint32_t processes;
};

/*
 * Reads src to its end into the text of what happened, under rules.
 * Returns 0 or a negative AA_E_* (err filled; for a read error, from
 * aa_source_error(src)).
 */
int diff_text_build(struct diff_text *t, aa_source *src, const struct diff_rules *r,
		    struct aa_error_info *err);
void diff_text_free(struct diff_text *t);

/*
 * The unified diff of a and b with ctx lines of context through
 * on_line (may be NULL); counts the removed and added lines. Returns 0,
 * AA_E_NOMEM or AA_E_STOPPED.
 */
int diff_unified(const struct diff_text *a, const struct diff_text *b, unsigned ctx,
		 const char *label_a, const char *label_b,
		 int (*on_line)(void *user, const char *line, size_t len), void *user,
		 uint64_t *removed, uint64_t *added);

/*
 * TLS messages (diff_follow.c): diff_tls_piece takes each TLS record (and
 * diff_tls_end the input's end); each decoded request or response gives
 * its lines, made in ms one at a time, each handed to emit(user, pid of
 * its process), which returns non-zero when out of memory. Memory: the
 * follow library's (aa_follow.h: open connections, one body each).
 */
struct diff_tls;
struct diff_tls *diff_tls_new(const struct diff_rules *r, FILE *ms, int (*emit)(void *user, uint32_t pid),
			      void *user);
/* 0, or AA_E_NOMEM. */
int diff_tls_piece(struct diff_tls *t, const struct aa_record *rec);
int diff_tls_end(struct diff_tls *t);
void diff_tls_free(struct diff_tls *t);

#endif
