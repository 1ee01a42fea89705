/* SPDX-License-Identifier: MIT */
/*
 * The file source's state, shared by its two files: offline.c (blocks,
 * chunks, records) and offline_meta.c (the META, STATS and END chunks).
 * Private to the library.
 */
#ifndef AA_OFFLINE_INT_H
#define AA_OFFLINE_INT_H

#include <stdint.h>

#include "meta.h"
#include "reader.h"
#include "source.h"
#include "xxh64.h"

struct aa_origins;
struct aa_offline_input;
struct ahead;
struct ahead_item;

/* A decoded RECORDS chunk's buffer, kept while a later stage holds records
 * of it (struct aa_pin: time order keeps them instead of copying). */
struct chunk_buf {
	struct aa_pin pin;
	int busy; /* read ahead into, or being read (threads): not to be reused either */
	struct chunk_buf *next;
	uint8_t *data; /* AA_CHUNK_RAW_MAX bytes */
};


/* A merged file's source other than the first: its META and origin. */
struct file_src {
	struct aa_file_meta meta;
	uint8_t *buf;
	uint32_t origin;
	int have;
};

/* What one file (or one section of a concatenated file) has shown so far. */
struct file_state {
	struct aa_file_meta meta; /* source 0's: the file's */
	uint8_t *meta_buf;
	int have_meta;
	uint32_t origin;  /* of source 0 */
	int merged;       /* format 3: frames name their source, of nsrc */
	uint32_t nsrc;
	struct file_src *more; /* sources 1 .. nsrc-1 */
	int refused;      /* a format this reader does not know: read no further */
	int ended;   /* its END chunk was read */
	int damaged; /* something was skipped: totals cannot match */
	uint64_t records, chunks, bytes_raw;
	uint64_t last_first;        /* first_record of the last RECORDS chunk taken with records */
	int have_first;
	uint64_t first_ts, last_ts; /* of the records' own time stamps, 0 if none, as END has them */
	uint64_t dropped;           /* the last STATS chunk's, 0 before one */
	struct aa_xxh64 digest;
};

struct offline {
	aa_source base;
	char **paths;
	size_t npaths, cur;
	int skip_damaged;
	void (*on_damage)(void *user, const struct aa_error_info *err);
	void (*on_read)(void *user);
	void *user;
	int follow;
	int (*stop)(void *user);
	struct aa_origins *origins;
	int own_origins;

	struct aa_reader *rd;
	/* reading ahead on threads (offline_ahead.h), for a regular file */
	unsigned threads;         /* aa_replay_opts.threads */
	struct ahead *ahead;      /* made at the first file read so */
	int ahead_on;             /* for the file being read */
	int ahead_stopped;        /* read ahead up to something the source must see first */
	struct ahead_item *item;  /* the one taken last, while it is handled; else NULL */
	uint64_t item_offset;     /* its offset after its block */
	struct chunk_buf *held;   /* its buffer, busy until the next is taken */
	int dig_ahead;            /* the current chunk's frames are in f.digest already */
	/* what the reader gave at open when it was not a good META: taken by
	 * the first aa_next, as a stream cannot be read again */
	int pending;
	int pending_rc;
	struct aa_chunk_view pending_c;
	struct file_state f;
	uint64_t done_bytes;  /* file bytes of the files already read */
	uint64_t base_index;  /* stream index of the current file's first record */

	/* the chunk being handed out, in buf (a RECORDS chunk) */
	struct chunk_buf *bufs, *buf; /* every buffer; the current one */
	const uint8_t *raw;
	size_t raw_len, pos;
	struct aa_chunk_hdr chunk;
	int64_t chunk_offset; /* of its block in the file */
	uint32_t seen;

	/* a rotated set: same session, file_seq counting up */
	uint8_t prev_session[16];
	int have_prev;
	uint32_t prev_seq;
	/* drop counters are cumulative per capture session */
	uint64_t dropped_done, drops_done[AA_DROP_SLOTS], dropped_cur, drops_cur[AA_DROP_SLOTS];

	struct aa_record rec;
	/* the origin of the record before, kept (origins stay put) */
	struct aa_origin *origin_g;
	uint32_t origin_of;
	/* rec's typed view when a record does not sit 8-byte aligned in its
	 * chunk (records of a decoded chunk do: then it is unused) */
	union aa_record_copy copy;
	const struct aa_offline_input *input; /* inputs that are not files (offline_input.h) */
	void *input_user;
};

static inline const char *cur_path(const struct offline *o)
{
	return o->paths[o->cur];
}

/*
 * Something is wrong in the data: recorded in the error and the stats; then
 * either reading goes on past it (skip_damaged: 0 returned) or the code is.
 */
int offline_damage(struct offline *o, int code, int64_t offset, int64_t chunk, const char *detail);
/* A buffer to decode the next RECORDS chunk into (not pinned, not busy), or NULL. */
struct chunk_buf *offline_free_buf(struct offline *o);

/* Reading ahead (offline_ahead.c). Starts it for the file just opened when
 * it may be (threads asked, a regular file, not followed, not a stream). */
void offline_ahead_start(struct offline *o);
/* aa_reader_next's result, read ahead; o->item is its slot (decoded). */
int offline_ahead_next(struct offline *o, struct aa_chunk_view *c);
/* The chunk just taken (o->item), to be handed out from its start: 1 if
 * its frames' digest, folded ahead from the source's digest as it stands,
 * is now f.digest (the frames are then not digested again), else 0. */
int offline_ahead_digest(struct offline *o);
/* Forgets what was read ahead of the current file (it is closed). */
void offline_ahead_stop(struct offline *o);
/* aa_reader_offset() as it was after the chunk taken last. */
uint64_t offline_read_offset(const struct offline *o);
void offline_free_sources(struct file_state *f);

/* The chunks that are not records, decoded (raw): each 0 or an AA_E_*. A
 * META of a format this reader does not know sets o->f.refused. */
int offline_take_meta(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw);
int offline_take_stats(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw);
int offline_take_end(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw);

#endif /* AA_OFFLINE_INT_H */
