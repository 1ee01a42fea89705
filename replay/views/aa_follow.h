/* SPDX-License-Identifier: MIT */
/*
 * Following TLS conversations: the plaintext of each TLS connection, its
 * pieces joined into whole calls, both directions in the order they
 * happened, and the HTTP in it decoded (HTTP/1.1, HTTP/2 with the HPACK
 * state of the whole connection, server-sent events, gzip, deflate and
 * brotli bodies undone). `aa-replay follow` prints what this delivers.
 *
 * A connection is its socket (the tls_conn record's conn, format version
 * 2) on its host (the record's origin: files of several hosts are read as
 * one stream, FORMAT.md section 7). Where no tls_conn record says which connection a call used (format
 * version 1 files, or a lost record), the calls of one process are taken as
 * one conversation of conn id 0 with known = 0, and every message of it
 * says so: nothing is guessed beyond that.
 *
 * Memory is bounded by the connections open at once (a connection ends
 * when the process that opened it exits; at most AA_FOLLOW_MAX_CONNS, the
 * least recently used one ended first) and by max_body per message being
 * decoded, never by the size of the files.
 *
 * Lifetimes: every pointer handed to a callback (the structs, their byte
 * strings, header arrays) is valid during that call only; copy what must
 * live longer. Byte strings come from the recording: untrusted, not
 * NUL-terminated, to be printed escaped (aa_print.h).
 */
#ifndef AA_FOLLOW_H
#define AA_FOLLOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aa_replay.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AA_FOLLOW_MAX_CONNS 4096
#define AA_FOLLOW_MAX_BODY (16u << 20) /* default cap of one message's body */
#define AA_FOLLOW_MAX_CALL (16u << 20) /* longest call part delivered at once */

/* Bytes of the recording: data[0..len), not NUL-terminated; data NULL when absent. */
struct aa_follow_bytes {
	const uint8_t *data;
	size_t len;
};

/* One TLS connection as its tls_conn records tell it. */
struct aa_follow_conn {
	uint64_t id;           /* socket inode ("socket:[N]"); 0 when not recorded */
	int known;             /* 1: a tls_conn record named it; 0: calls of pid grouped */
	uint32_t pid;          /* the process of its first call */
	char comm[16];         /* that process's comm, NUL-terminated, "" unknown */
	int fd;                /* -1 unknown */
	unsigned family;       /* AF_INET 2, AF_INET6 10, AF_UNIX 1; 0 unknown */
	uint8_t local_addr[16], peer_addr[16]; /* IPv4 in the first 4 bytes */
	uint16_t local_port, peer_port;
	unsigned lib;          /* enum aa_tls_lib */
	uint64_t first_ns, last_ns;           /* wall clock of its first and last call so far */
	uint64_t calls[2], bytes[2];          /* by direction (AA_TLS_WRITE, AA_TLS_READ) */
	/* Whose connection it is (files of several hosts: an inode or pid of
	 * one host is not another's): aa_record.origin, .host and .session of
	 * its first call; host and session NULL for a live source, else valid
	 * until aa_close of the source. */
	uint32_t origin;
	const char *host;
	const uint8_t *session;
};

/*
 * One TLS call, its pieces joined. A call longer than AA_FOLLOW_MAX_CALL
 * comes in parts (offset, last). Pieces the recording lost are missing
 * from data: lost counts their bytes (data holds what came, in order).
 */
struct aa_follow_call {
	const struct aa_follow_conn *conn;
	uint32_t pid, tid;
	unsigned direction;    /* AA_TLS_WRITE (this process sent) or AA_TLS_READ */
	uint64_t time_ns;      /* wall clock of the call */
	const uint8_t *data;
	size_t len;
	uint32_t data_len;     /* the whole call's length, as recorded */
	uint64_t offset;       /* of data in the call */
	int last;              /* the call's last part */
	uint32_t lost;         /* bytes of this part whose pieces never came */
};

enum aa_follow_kind {
	AA_FOLLOW_HTTP = 1,    /* an HTTP request or response */
	AA_FOLLOW_SSE = 2,     /* one server-sent event of the response before it */
	AA_FOLLOW_OTHER = 3,   /* bytes that are not HTTP: one per call */
	AA_FOLLOW_NOTE = 4,    /* what could not be decoded, a cut body, a missing start */
};

enum aa_follow_proto {
	AA_FOLLOW_PROTO_UNKNOWN = 0,
	AA_FOLLOW_PROTO_HTTP1 = 1,
	AA_FOLLOW_PROTO_H2 = 2,
	AA_FOLLOW_PROTO_OTHER = 3,
};

struct aa_follow_header {
	struct aa_follow_bytes name, value;
};

/*
 * One decoded message. For kind HTTP, a request has method and path
 * (HTTP/2: also authority and scheme), a response has status. Headers in
 * order as sent (HTTP/2 pseudo-headers included). body is decoded:
 * chunking and content-encoding undone, at most max_body bytes (body_cut
 * then); raw_len counts the body's bytes as sent, before either.
 * A text/event-stream response comes when its head is complete, with
 * events = 1 and an empty body; its events follow as kind SSE.
 */
struct aa_follow_msg {
	enum aa_follow_kind kind;
	const struct aa_follow_conn *conn;
	uint32_t pid;
	unsigned direction;     /* AA_TLS_WRITE (sent by pid) or AA_TLS_READ */
	uint64_t time_ns;       /* wall clock of the call it began in */
	enum aa_follow_proto proto;
	int32_t stream_id;      /* HTTP/2 stream, else 0 */
	int is_request;
	struct aa_follow_bytes method, path, authority, scheme, version;
	int status;             /* a response's, else 0 (and 0 with is_request 0: headers not decoded) */
	const struct aa_follow_header *headers;
	size_t nheaders;
	struct aa_follow_bytes body;
	uint64_t raw_len;       /* body bytes as sent */
	int body_cut;           /* body longer than max_body: only its start */
	int body_incomplete;    /* the recording ended (or a piece was lost) inside it */
	int events;             /* an event stream: body comes as SSE messages */
	struct aa_follow_bytes encoding; /* the content-encoding undone, data NULL none */
	/* kind SSE: the event's fields (data lines joined by '\n') */
	struct aa_follow_bytes event, data, id;
	/* kind NOTE: what happened, one line of ASCII */
	const char *note;
};

struct aa_follow_opts {
	uint64_t conn;          /* only this connection (socket inode); 0 all */
	int raw;                /* calls only: no decoding, no on_msg */
	size_t max_body;        /* 0: AA_FOLLOW_MAX_BODY */
	/*
	 * 1: deliver in time order across connections: every callback's item
	 * (a connection at its first call, a call, a message at the call it
	 * began in, an ended connection at its last call), ties in the order
	 * they were complete. Needs a source in time order
	 * (aa_replay_opts.ordered). Items wait, as copies, until no earlier one
	 * can come (a message still being decoded holds back all later ones),
	 * at most 64 MiB of them: past that the earliest go out. 0: each as
	 * soon as it is complete (per connection in order, not across them).
	 */
	int ordered;
};

/* Each may be NULL. A non-zero return stops aa_follow with AA_E_STOPPED. */
struct aa_follow_callbacks {
	int (*on_conn)(void *user, const struct aa_follow_conn *c);     /* its first call */
	int (*on_call)(void *user, const struct aa_follow_call *c);
	int (*on_msg)(void *user, const struct aa_follow_msg *m);
	int (*on_conn_end)(void *user, const struct aa_follow_conn *c); /* its process's exit,
				       the input's end, or evicted past AA_FOLLOW_MAX_CONNS: totals final */
};

/*
 * Reads src to its end (aa_next), following every TLS connection: for
 * each, on_conn at its first call, on_call for each call, on_msg for each
 * decoded message as soon as it is complete, on_conn_end when the process
 * that opened it exits (an exit or task exit record) or at the end. Select
 * processes and times with src's own filter (aa_replay_opts); keep tls,
 * exit and task records in it (types: the rest, left out, is dropped
 * before the evidence stage: faster). Returns 0, AA_E_STOPPED, or the source's
 * negative AA_E_* (err, when not NULL, always filled: code 0 on success).
 */
int aa_follow(aa_source *src, const struct aa_follow_opts *opts,
	      const struct aa_follow_callbacks *cb, void *user, struct aa_error_info *err);

/*
 * The same, fed by a caller that makes its own pass over the records (a
 * view reading once for several purposes): aa_follower_add() each record
 * as aa_next delivered it (TLS pieces, and exits that end connections;
 * others are ignored; keep the tls_conn records in the source's filter),
 * aa_follower_end() at the end
 * (on_conn_end, messages still open), aa_follower_free(). opts and cb are
 * copied. Each returns 0, AA_E_STOPPED once a callback returned non-zero
 * (nothing more is delivered), AA_E_NOMEM or AA_E_INVAL.
 */
typedef struct aa_follower aa_follower;
int aa_follower_new(aa_follower **f, const struct aa_follow_opts *opts,
		    const struct aa_follow_callbacks *cb, void *user);
int aa_follower_add(aa_follower *f, const struct aa_record *rec);
int aa_follower_end(aa_follower *f);
void aa_follower_free(aa_follower *f); /* NULL is allowed */

/*
 * Printing what aa_follow delivers, as `aa-replay follow` does: text lines
 * (a message's line, its headers indented by two spaces, its body by four:
 * plain text as it is, other text escaped, binary as a hex dump), or with
 * AA_FOLLOW_JSON one JSON object per message or call and a newline (strings
 * as aa_print_json writes them, "<name>_b64" beside one that is not UTF-8).
 * AA_FOLLOW_PRETTY indents a JSON body in text output. aa_follow_print_conn
 * takes AA_FOLLOW_HOST and AA_FOLLOW_SESSION. Each returns 0, or
 * AA_E_IO (errno set) once out has an error.
 */
#define AA_FOLLOW_JSON 0x1
#define AA_FOLLOW_PRETTY 0x2
/* Each line (JSON: each object) starts with the connection's host (files of
 * several hosts); with AA_FOLLOW_SESSION also its session's first 8 hex
 * digits ("HOST/SSSSSSSS", as `aa-replay cat` shows them), for hosts with
 * more than one session in the stream. */
#define AA_FOLLOW_HOST 0x4
#define AA_FOLLOW_SESSION 0x8
int aa_follow_print_conn(FILE *out, const struct aa_follow_conn *c, unsigned flags); /* text: one line */
int aa_follow_print_call(FILE *out, const struct aa_follow_call *c, unsigned flags);
int aa_follow_print_msg(FILE *out, const struct aa_follow_msg *m, unsigned flags);

/* "http/1.1", "h2", "other", "unknown". */
const char *aa_follow_proto_name(enum aa_follow_proto p);

#ifdef __cplusplus
}
#endif

#endif /* AA_FOLLOW_H */
