/* SPDX-License-Identifier: MIT */
/*
 * What a source (offline file reader, live ring buffer) implements behind
 * aa_replay.h. Private to the library: callers only see aa_source.
 * The common layer (source.c) filters, counts and dispatches; a source only
 * produces every record in order.
 */
#ifndef AA_SOURCE_H
#define AA_SOURCE_H

#include "aa_replay.h"

struct aa_evidence;
struct aa_origins;

/*
 * A buffer of a source's records (a decoded chunk) that a later stage may
 * keep past the next read instead of copying the records out (time order):
 * each record kept counts one reference, and the source writes into the
 * buffer again only when none is left.
 */
struct aa_pin {
	uint32_t refs;
	size_t size; /* bytes it holds down while referenced */
};

struct aa_source_ops {
	/* The next record, unfiltered: 1 with *rec set, 0 at the end, <0 AA_E_*
	 * with src->err filled. Every field of *rec but arch is the source's to
	 * set; the common layer sets arch from its origin (or META). */
	int (*next)(aa_source *src, struct aa_record **rec);
	const struct aa_file_meta *(*meta)(const aa_source *src);
	void (*destroy)(aa_source *src);
	/* Where its records come from (origin.h); NULL: a source of none (live). */
	struct aa_origins *(*origins)(const aa_source *src);
	/* The buffer the record next() returned last lives in, if it can be
	 * kept (struct aa_pin); NULL (or no op): copy what must be kept. */
	struct aa_pin *(*pin)(aa_source *src);
};

/* Distinct META arch strings a source keeps for its records (a stream of
 * more machines than that names the rest ""). */
#define AA_SOURCE_ARCHS 8

struct aa_source {
	const struct aa_source_ops *ops;
	struct aa_filter filter; /* pids owned by the source */
	struct aa_error_info err;
	struct aa_source_stats stats;
	/* time order (aa_replay_opts.ordered), set up at the first aa_next */
	int ordered;
	struct aa_order *order;
	int order_rc;             /* the source's end or error, once reached */
	int order_end;
	uint64_t order_last_ns;   /* time of the record delivered last */
	/* joins and process table (evidence.h), set up at the first aa_next */
	int fold;                 /* aa_replay_opts.fold */
	uint32_t max_processes;   /* and max_processes */
	struct aa_evidence *evidence;
	int ending;               /* the stream's end or error is next, */
	int end_rc;               /* and this it */
	/* The META arch strings of a source without origins (aa_record.arch) */
	char *archs[AA_SOURCE_ARCHS];
	uint32_t narchs;
	/* The arch of the origin of the record before (origins and their
	 * METAs do not change): no lookup per record of a run of one origin.
	 * NULL until a record of an origin came. */
	uint32_t arch_origin;
	const char *arch_of;
};

/* Sets up the common part; copies the filter. Returns 0 or AA_E_NOMEM. */
int aa_source_init(aa_source *src, const struct aa_source_ops *ops,
		   const struct aa_filter *filter);
/* Fills a caller's err (when not NULL) whole, for an open that failed
 * before or without a source; returns code. */
int aa_error_set(struct aa_error_info *err, int code, int sys_errno, const char *path,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* For the calls of one kind of source (aa_live_fd ...): 1 if src is of the
 * kind ops says; else 0, with src->err (src not NULL) naming fn and what. */
int aa_source_is(aa_source *src, const struct aa_source_ops *ops, const char *fn, const char *what);
/* The first line of such a call: returns fallback (nothing for a void
 * call) from the caller when src is not of the kind ops says. */
#define AA_SOURCE_REQUIRE(src, ops, what, fallback)                \
	do {                                                       \
		if (!aa_source_is(src, ops, __func__, what))       \
			return fallback;                           \
	} while (0)
/* Fills src->err; returns code. */
int aa_source_fail(aa_source *src, int code, const char *path, int64_t offset,
		   int64_t chunk, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif /* AA_SOURCE_H */
