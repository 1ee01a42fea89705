/* SPDX-License-Identifier: MIT */
/*
 * Inside the JetStream reading (nats_stream.c) and its seeking by time
 * (nats_seek.c): the connection and the cursor over one session's
 * messages, and what both use of a message's chunk. Private.
 */
#ifndef AA_NATS_INT_H
#define AA_NATS_INT_H

#include <nats/nats.h>

#include "chunk.h"
#include "nats_stream.h"
#include "ship_creds.h"
#include "ship_url.h"

struct aa_nats {
	struct aa_ship_url url;
	char url_text[1024];
	natsOptions *opts;
	struct aa_ship_creds creds; /* opts' handlers use it */
	natsConnection *nc;
	jsCtx *js;
	int timeout_ms;
	struct aa_nats_stats stats; /* what reading sessions fetched */
};

#define NATS_GAPS 8

struct aa_nats_cursor {
	struct aa_nats *n;
	const struct aa_nats_session *s;
	natsSubscription *sub;
	natsMsg *msg;        /* the message handed out last */
	int ended;           /* the last one the stream held was handed out */
	int have_last;
	uint32_t last_file, last_index; /* of the last chunk taken (handed out or skipped) */
	uint32_t file_guess; /* without the Aa-File-Seq header: counted by META chunks */
	int seen_any;
	/* Seeking by time (nats_seek.c): on when a window is given and the
	 * session's clock is known; then RECORDS chunks of file 0 outside the
	 * window are left out and reading stops past it. */
	int seek;
	uint64_t since, until; /* wall clock ns, 0: no bound */
	natsMsg *head;         /* the META, fetched alone, handed out before the rest */
	int skipped;           /* chunks were left out since the last one handed out */
	int leap;              /* the start passes over chunks: the next after the META follows on */
	int have_seen, follows;
	uint32_t seen_index;   /* of the last chunk taken, and whether the one before it was next */
	int cut;               /* reading stopped before the session's end, past until */
	int have_out;
	uint32_t out_index;    /* of the last chunk handed out */
	/* chunks handed out just after left-out ones: the reader finds a gap
	 * there, which is the seeking's own doing (aa_nats_cursor_expected) */
	uint32_t gaps[NATS_GAPS];
	unsigned gap_first, gap_count;
};

/* "URL: what: the library's last error" in why; returns AA_E_IO. */
int nats_fail(char *why, size_t n, const char *what, const char *url);

/* The chunk at the end of a message (after its other blocks): its EPB, or NULL (why). */
const uint8_t *nats_last_block(const uint8_t *b, size_t len, char *why, size_t why_len);

/* A message's chunk, checked (aa_chunk_check: lengths, CRC) but not
 * decompressed: 0 with *h and *stored, or -1. */
int nats_chunk_of(natsMsg *m, struct aa_chunk_hdr *h, const uint8_t **stored);

/* A direct get of the first message of s at or after stream sequence seq
 * (counted in n's stats): NATS_OK with *m, or the library's status. */
natsStatus nats_direct_get(struct aa_nats *n, const struct aa_nats_session *s, uint64_t seq,
			   natsMsg **m);

/*
 * Sets c up to read s within [since, until) (nats_seek.c): c->seek, the
 * META fetched alone (c->head), and *start: the stream sequence to read
 * from after it (0: from the session's first message, and no head).
 */
void nats_seek_setup(struct aa_nats_cursor *c, uint64_t since, uint64_t until, uint64_t *start);

enum nats_seek_verdict { NATS_TAKE, NATS_LEAVE, NATS_STOP };
/* What to do with msg, a new chunk m of the session, while seeking. */
enum nats_seek_verdict nats_seek_judge(struct aa_nats_cursor *c, natsMsg *msg,
				       const struct aa_nats_msg *m);
/* m is handed out: note a gap before it that the seeking made. */
void nats_seek_handed_out(struct aa_nats_cursor *c, const struct aa_nats_msg *m);

#endif /* AA_NATS_INT_H */
