/* SPDX-License-Identifier: MIT */
/*
 * aa-capture's output: one capture file at a time through the writer
 * (writer.h), rotated by time (-G), size (-C) or SIGHUP, keeping a ring of
 * the last N files (-W) and running -z on each finished one. Every file of
 * the run shares one session id and carries its place (file_seq 0, 1, 2 ...).
 *
 * Functions that fail print one line naming the file and return
 * CAP_EXIT_WRITE; after that only output_finish() may be called.
 */
#ifndef AA_CAP_OUTPUT_H
#define AA_CAP_OUTPUT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "cap_opts.h"
#include "names.h"
#include "outdir.h"
#include "parse.h"
#include "writer.h"

/* What reached the files: a record counts once the chunk holding it is
 * written whole, so after a failed write the counts equal what the file
 * holds (as `aa-replay info` reads it). */
struct output_totals {
	uint64_t records;    /* records written, in all files */
	uint64_t by_type[AA_TYPE_COUNT];
	uint64_t invalid;    /* of those, known sizes with bad content */
	uint64_t bytes_raw;  /* their bytes */
	uint64_t bytes_file; /* file bytes written */
	uint32_t files;      /* files started */
};

struct output {
	const struct cap_opts *o;
	const char *source;       /* META source */
	int64_t mono_to_wall;
	uint8_t session[16];
	struct namer names;
	struct aa_writer *w;      /* NULL between files and after a failure */
	int fd;                   /* the writer's descriptor, to see that the file is still there */
	char path[PATH_MAX];      /* the open file */
	int64_t opened_ms;        /* monotonic ms when it was opened, for -G */
	char **ring;              /* -W N: the last N names, slot = file number % N */
	struct outdir_lock lock;  /* of the -w pattern, from the first file on */
	int dir_warned;           /* the warning about a shared directory is out */
	uint64_t drops[AA_DROP_SLOTS];
	struct output_totals done;    /* of the files already finished; files: started */
	struct output_totals file;    /* in the chunks of the open file written so far */
	struct output_totals pending; /* added since its last chunk: not in the file yet */
	/* The chunks closed but not yet written (the writer's threads), oldest
	 * first: a ring of inflight_cap, inflight_n of them from inflight_head. */
	struct output_totals *inflight;
	unsigned inflight_cap, inflight_head, inflight_n;
	uint64_t sealed_seen;         /* the writer's closed chunks when last looked at */
	uint64_t chunks_seen;         /* the writer's written chunks when last looked at */
	unsigned threads;             /* -T, resolved: the writer's compression threads */
	int gone;                     /* the open file was deleted: nothing of it counts */
	int failed;
};

/* Opens the first file. 0 or CAP_EXIT_WRITE. */
int output_start(struct output *out, const struct cap_opts *o, const char *source,
		 int64_t mono_to_wall, int64_t now_ms);

/* Adds a record, first starting a new file if -C says the open one is full. */
int output_add(struct output *out, const struct aa_event *ev, int64_t now_ms);

/* output_add of a record's bytes, not parsed yet: rec need not be aligned
 * (it is parsed where the writer copied it, so copied only once); *ev is
 * its parsed event, valid until the next call on out. */
int output_take(struct output *out, const void *rec, uint32_t len, int64_t now_ms,
		struct aa_event *ev);

/* Writes a chunk or stats that are due; starts a new file when -G says so.
 * A file deleted meanwhile (alone or with its directory) is an error. */
int output_tick(struct output *out, int64_t now_ms);

/* Milliseconds until output_tick() has something to do; -1: nothing planned. */
int output_timeout_ms(const struct output *out, int64_t now_ms);

/* Finishes the open file (-z runs on it) and opens the next. */
int output_rotate(struct output *out, int64_t now_ms);

/* Cumulative drop counters (enum aa_drop_slot) for the files' stats. */
void output_set_drops(struct output *out, const uint64_t drops[AA_DROP_SLOTS]);

/* What reached the files so far (chunks the writer's threads wrote since the
 * last call included). */
void output_get_totals(struct output *out, struct output_totals *t);

/*
 * After a failure: if not a single record was added in the whole run, the
 * file is closed and removed (no -z on it), as an empty file would only
 * hide the failure. Standard output and what is not a regular file stay.
 */
void output_drop_if_empty(struct output *out);

/* Finishes the open file and frees everything. 0, or CAP_EXIT_WRITE (also
 * when an earlier call failed). */
int output_finish(struct output *out);

#endif /* AA_CAP_OUTPUT_H */
