/* SPDX-License-Identifier: MIT */
/*
 * The decoders under aa_follow (library-internal): fed the bytes of one
 * connection, each direction in order, they emit whole messages
 * (struct aa_follow_msg) through one callback. Views (follow, report,
 * diff, export) share them through aa_follow.h.
 *
 *   dec_conn  (conn.c)     which protocol a connection speaks, and dispatch
 *   dec_h1    (http1.c)    HTTP/1.1 heads, content-length and chunked bodies
 *   dec_h2    (http2.c)    HTTP/2 frames, HPACK with libnghttp2's inflater
 *   dec_msg   (msg.c)      one message being built: headers, body, encoding
 *   dec_content (content.c) gzip, deflate, brotli undone, output bounded
 *   dec_sse   (sse.c)      server-sent events from a body's decoded bytes
 */
#ifndef AA_DECODE_H
#define AA_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aa_follow.h"

/* A message is ready (m's pointers valid during the call). */
typedef void (*dec_emit_fn)(void *user, struct aa_follow_msg *m);

struct dec_sink {
	dec_emit_fn emit;
	void *user;
	size_t max_body;
};

/* Emits a NOTE message with printf-formatted text. */
void dec_note(const struct dec_sink *s, enum aa_follow_proto proto, unsigned dir, uint64_t time_ns,
	      int32_t stream, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A growing byte buffer. */
struct dec_buf {
	uint8_t *p;
	size_t len, cap;
};
/* Appends up to max - len bytes of p[0..n); returns how many (fewer: full, or no memory). */
size_t dec_buf_add(struct dec_buf *b, const void *p, size_t n, size_t max);
void dec_buf_free(struct dec_buf *b);

/* --- content encodings --- */
enum dec_enc { DEC_ENC_NONE, DEC_ENC_GZIP, DEC_ENC_DEFLATE, DEC_ENC_BR, DEC_ENC_UNKNOWN };
struct dec_content {
	enum dec_enc enc;
	void *state;           /* z_stream or BrotliDecoderState */
	int raw_deflate_tried; /* deflate without its zlib wrapper */
	int done, failed;
	uint64_t in_total;
	const char *error;     /* static text once failed */
};
/* The encoding a Content-Encoding value names ("gzip", "x-gzip", "deflate", "br", "identity"). */
enum dec_enc dec_content_kind(const uint8_t *v, size_t len);
void dec_content_init(struct dec_content *c, enum dec_enc enc);
/*
 * Undoes the encoding of p[0..n) into out, up to max bytes of it (then
 * *cut is set and the rest is only counted). Returns 0, or -1 once the
 * stream is found damaged (c->error says how).
 */
int dec_content_feed(struct dec_content *c, const uint8_t *p, size_t n, struct dec_buf *out,
		     size_t max, int *cut);
void dec_content_free(struct dec_content *c);

/* --- server-sent events --- */
struct dec_sse {
	struct dec_buf line, event, data, id;
	int have_data, last_cr, line_cut;
};
/* Feeds decoded body bytes; each complete event is emitted as kind SSE from tmpl. */
void dec_sse_feed(struct dec_sse *s, const uint8_t *p, size_t n, const struct dec_sink *sink,
		  struct aa_follow_msg *tmpl);
void dec_sse_free(struct dec_sse *s);

/* --- one message being built --- */
#define DEC_MAX_HEADERS 256
#define DEC_MAX_HEAD (64u << 10) /* header bytes of one message */
struct dec_hdr_at {
	uint32_t name, name_len, value, value_len; /* offsets in dec_msg.store */
};
struct dec_msg {
	struct aa_follow_msg m;      /* kind, proto, direction, time_ns, stream_id, is_request, status */
	struct dec_buf store;        /* header bytes */
	struct dec_hdr_at *hdr;      /* DEC_MAX_HEADERS of them, from the first header to the message's end */
	size_t nhdr;
	struct { uint32_t at, len; int set; } sl[3]; /* HTTP/1 start line: method, path, version */
	int head_cut;
	int sse;                     /* body is an event stream */
	struct dec_content content;
	struct dec_buf body;
	struct dec_sse sse_state;
	int content_error_said;
	int open;                    /* started, not yet emitted (an event stream: until its head is) */
};
void dec_msg_start(struct dec_msg *d, enum aa_follow_proto proto, unsigned dir, uint64_t time_ns,
		   int32_t stream);
/* Adds a header (names as given; HTTP/2 pseudo-headers fill method, path ...). */
void dec_msg_header(struct dec_msg *d, const uint8_t *name, size_t nlen, const uint8_t *value,
		    size_t vlen);
/* Part i (0 method, 1 path, 2 version) of an HTTP/1 start line. */
void dec_msg_start_line(struct dec_msg *d, int i, const uint8_t *p, size_t n);
/* The value of header name (case-insensitive), or NULL. */
const uint8_t *dec_msg_get(const struct dec_msg *d, const char *name, size_t *len);
/* The head is complete: sets up content decoding, and emits an event stream's head now. */
void dec_msg_head_done(struct dec_msg *d, const struct dec_sink *s);
/* Body bytes as sent (chunking already undone), of a call at time_ns. */
void dec_msg_body(struct dec_msg *d, const struct dec_sink *s, uint64_t time_ns, const uint8_t *p,
		  size_t n);
/* The message is over (incomplete: the recording ended inside it): emits it and resets d. */
void dec_msg_end(struct dec_msg *d, const struct dec_sink *s, int incomplete);
void dec_msg_free(struct dec_msg *d);
/*
 * The earliest time_ns a message still to be emitted can have (UINT64_MAX:
 * none is under way): what lets aa_follow deliver messages of several
 * connections in time order. Messages that begin later than the bytes fed
 * so far (a head still being gathered is placed at its first byte's call)
 * are not counted: they are later than every call fed.
 */
uint64_t dec_msg_open_since(const struct dec_msg *d);
struct dec_h1;
struct dec_h2;
struct dec_conn;
uint64_t dec_h1_open_since(const struct dec_h1 *h);
uint64_t dec_h2_open_since(const struct dec_h2 *h);
uint64_t dec_conn_open_since(const struct dec_conn *c);

/* --- HTTP/1.1 --- */
struct dec_h1;
struct dec_h1 *dec_h1_new(void);
/* Feeds one call's bytes of direction dir (call_start: the first bytes of a call). */
void dec_h1_feed(struct dec_h1 *h, const struct dec_sink *s, unsigned dir, uint64_t time_ns,
		 const uint8_t *p, size_t n, int call_start);
void dec_h1_end(struct dec_h1 *h, const struct dec_sink *s);
void dec_h1_free(struct dec_h1 *h);
/* 1 when p[0..n) begins like an HTTP/1 request or status line. */
int dec_h1_looks_like(const uint8_t *p, size_t n);

/* --- HTTP/2 --- */
struct dec_h2;
/* preface_seen: 0 when the connection's start was not recorded. */
struct dec_h2 *dec_h2_new(void);
void dec_h2_feed(struct dec_h2 *h, const struct dec_sink *s, unsigned dir, uint64_t time_ns,
		 const uint8_t *p, size_t n);
void dec_h2_end(struct dec_h2 *h, const struct dec_sink *s);
void dec_h2_free(struct dec_h2 *h);
#define DEC_H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define DEC_H2_PREFACE_LEN 24
/* 1 when p[0..n) begins with what looks like an HTTP/2 frame (no preface). */
int dec_h2_looks_like(const uint8_t *p, size_t n);

/* --- a connection: protocol found from its first bytes --- */
struct dec_conn;
struct dec_conn *dec_conn_new(const struct dec_sink *s);
/* One call (or part of one) of direction dir; call_start for its first bytes. */
void dec_conn_feed(struct dec_conn *c, unsigned dir, uint64_t time_ns, const uint8_t *p, size_t n,
		   int call_start);
/* Pieces of direction dir were lost: what was being decoded there is cut. */
void dec_conn_gap(struct dec_conn *c, unsigned dir, uint64_t time_ns, uint32_t lost);
enum aa_follow_proto dec_conn_proto(const struct dec_conn *c);
/* The recording ends: messages still open are emitted, marked incomplete. */
void dec_conn_end(struct dec_conn *c);
void dec_conn_free(struct dec_conn *c);

/* --- JSON, pretty-printed for people --- */
/*
 * Writes s[0..len) indented by two spaces a level, each line after the
 * first starting with indent; returns 0, or -1 (nothing written) when it is
 * not one JSON value.
 */
int dec_json_pretty(FILE *out, const uint8_t *s, size_t len, const char *indent);

#endif /* AA_DECODE_H */
