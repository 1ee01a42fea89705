/* SPDX-License-Identifier: MIT */
/*
 * The JetStream side of reading shipped sessions, shared by the stream
 * source (nats_source.c) and aa-replay pull: the sessions a stream holds,
 * and each session's chunk messages in order, checked to be whole pcapng
 * blocks ending in one chunk, resends left out. Private to the toolkit.
 */
#ifndef AA_NATS_STREAM_H
#define AA_NATS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "aa_nats.h"

struct aa_nats;
struct aa_nats_cursor;

struct aa_nats_session {
	char subject[160];   /* aa.HOST.SESSION */
	char host[80];       /* the subject's host token */
	char session[40];    /* the subject's session token */
	char name[1200];     /* URL/HOST/SESSION, for messages */
	uint64_t msgs;
	uint64_t first_seq, last_seq; /* stream sequences (first 0: not known) */
	uint64_t first_ns, last_ns;    /* written_ns of its first and last chunk, 0 unknown */
	/* Wall-clock ns of its first and last record as its META and END
	 * chunks say (0: not known: still recording, or several files), and 1
	 * when an END says it holds none: what --since/--until need to leave a
	 * session out without reading it. */
	uint64_t first_wall, last_wall;
	int empty;
	/* From its META (fetched alone with the first message): the clock
	 * offset and reorder window that put a chunk's records in wall-clock
	 * time, to seek by --since/--until (have_clock 0: not known). */
	int have_clock;
	int64_t mono_to_wall;
	uint64_t reorder_ns;
	int one_file; /* its last message is of its file 0: one file so far */
};

struct aa_nats_msg {
	const uint8_t *bytes; /* valid until the next call on the cursor */
	size_t len;
	uint64_t seq;         /* stream sequence */
	uint32_t file_seq;    /* the file of the session it belongs to */
	uint32_t index;       /* its chunk number in that file */
	uint8_t kind;         /* the chunk's kind */
};

/* A message that is not a chunk of its session: where and why. */
typedef void (*aa_nats_bad_fn)(void *user, const struct aa_nats_session *s, uint64_t seq,
			       int64_t chunk, const char *why);

/* Connects (without retrying). 0, or AA_E_INVAL (bad url) / AA_E_IO with why. */
int aa_nats_connect(struct aa_nats **n, const char *url, const struct aa_nats_opts *o,
		    char *why, size_t why_len);

/*
 * The sessions of the stream that o selects (host, session id prefix),
 * oldest first (by their first message). *list is malloc'ed. 0 or AA_E_*
 * with why.
 */
int aa_nats_sessions(struct aa_nats *n, const struct aa_nats_opts *o,
		     struct aa_nats_session **list, size_t *count, char *why, size_t why_len);

/* 1 when s holds records in [since_ns, until_ns) (0: no bound) or may:
 * 0 only when its META and END say it holds none there. */
int aa_nats_session_in_time(const struct aa_nats_session *s, uint64_t since_ns, uint64_t until_ns);

/*
 * Reads s's messages from its first one. With a window [since_ns,
 * until_ns) (0: no bound) and s's clock known, only what can hold records
 * in it: the META, then from the first chunk that can (found by a binary
 * search over s's messages), RECORDS chunks wholly outside left out
 * undecompressed, and no more once a chunk starts past until_ns and the
 * reorder window (nats_seek.c says why that is exact). 0 or AA_E_IO with why.
 */
int aa_nats_cursor_open(struct aa_nats *n, const struct aa_nats_session *s, uint64_t since_ns,
			uint64_t until_ns, struct aa_nats_cursor **c, char *why, size_t why_len);
/*
 * 1 when a problem the reader found in c's messages is the seeking's own
 * doing, and not to be reported: the gap (AA_E_SEQUENCE at chunk) before a
 * chunk read after left-out ones, or the missing END (AA_E_UNCLOSED) of a
 * session not read to its end. Each gap is answered once.
 */
int aa_nats_cursor_expected(struct aa_nats_cursor *c, int code, int64_t chunk);
/* What reading sessions has fetched on n so far. */
void aa_nats_get_stats(const struct aa_nats *n, struct aa_nats_stats *st);
/*
 * The next chunk message: 1 with *m, 0 after the last one the stream held
 * when it was reached, AA_E_IO (why) when the server stops answering.
 * Messages that are not chunks go to bad (which may be NULL) and are passed.
 */
int aa_nats_cursor_next(struct aa_nats_cursor *c, struct aa_nats_msg *m, aa_nats_bad_fn bad,
			void *user, char *why, size_t why_len);
void aa_nats_cursor_close(struct aa_nats_cursor *c);

void aa_nats_close(struct aa_nats *n);

#endif /* AA_NATS_STREAM_H */
