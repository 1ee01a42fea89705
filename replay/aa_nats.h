/* SPDX-License-Identifier: MIT */
/*
 * Reading capture sessions from a NATS JetStream stream that aa-capture
 * --ship filled: one more source behind the consumer interface
 * (aa_replay.h). Each session (one host, one capture run) is read as its
 * capture files would be, the chunk messages in stream order making up the
 * file byte for byte: the same records, the same checks, the same END
 * digests. Messages that are not a chunk of their session (another
 * program's, cut or altered framing) are reported as damage with host,
 * session and stream sequence; a chunk sent twice (a resend after a
 * restart) is read once. Needs -lnats.
 */
#ifndef AA_NATS_H
#define AA_NATS_H

#include "aa_replay.h"

#ifdef __cplusplus
extern "C" {
#endif

struct aa_nats_opts {
	const char *host;    /* only this host's sessions (its name as in the subject); NULL: all */
	const char *session; /* only sessions whose id begins with these hex digits; NULL: all */
	const char *creds;   /* a NATS credentials file, or NULL */
	const char *tls_ca;  /* CA certificates to trust (TLS), or NULL */
	int timeout_ms;      /* each request to the server; 0: 5000 */
};

/*
 * Opens the sessions of the stream in url (nats://HOST:PORT[,HOST:PORT...]/STREAM
 * or tls://...) that nopts selects, to be read one after the other, oldest
 * first (by their first message); opts as for aa_open_offline (the filter
 * selects records; with since_ns/until_ns a session whose META and END
 * chunks put every record outside the window is not read, and of one that
 * may hold some only its META and the chunks that may hold some are
 * fetched and read, when the stream allows direct gets and the session is
 * one file: the same records, but what they join with before the window
 * (the process table) is not read). Records' path names the
 * session: "URL/HOST/SESSION" (valid until aa_close). A session still being
 * shipped reads up to its last message and then lacks its END (damage).
 * Returns 0 or AA_E_* (AA_E_IO: the server cannot be reached; AA_E_INVAL:
 * a bad url, or no session selected), err (if not NULL) filled.
 */
AA_MUST_CHECK int aa_open_nats(aa_source **src, const char *url, const struct aa_nats_opts *nopts,
			       const struct aa_replay_opts *opts, struct aa_error_info *err);

/* What a stream source fetched from the server to read its sessions. */
struct aa_nats_stats {
	uint64_t messages;       /* messages fetched: chunks read in turn, and the META and
				    the start search's probes fetched alone (by direct get) */
	uint64_t bytes;          /* their bytes */
	uint64_t probes;         /* of them, the start search's (--since) */
	uint64_t chunks_skipped; /* RECORDS chunks fetched but not decompressed: outside
				    --since/--until */
	uint64_t sessions_cut;   /* sessions whose reading stopped before their end, past
				    --until */
};

/* src's counts so far. 0, or AA_E_INVAL (nothing filled) when src is not a
 * stream source (aa_open_nats). */
AA_MUST_CHECK int aa_nats_source_stats(aa_source *src, struct aa_nats_stats *st);

/* 1 when text is a stream URL for aa_open_nats (nats:// or tls://). */
int aa_is_nats_url(const char *text);

#ifdef __cplusplus
}
#endif

#endif /* AA_NATS_H */
