/* SPDX-License-Identifier: MIT */
/*
 * One connection's decoder: the protocol is found from the first bytes
 * either side sends (the HTTP/2 preface, an HTTP/1 start line, an HTTP/2
 * frame when the start was not recorded), then every call goes to that
 * protocol's parser. What is none of them is emitted as it is, one message
 * per call; a later call that begins an HTTP/1 message starts decoding.
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"

struct dec_conn {
	struct dec_sink sink;
	enum aa_follow_proto proto;
	uint8_t first[DEC_H2_PREFACE_LEN]; /* a call shorter than the preface, held to decide */
	size_t first_len;
	unsigned first_dir;
	uint64_t first_time;
	struct dec_h1 *h1;
	struct dec_h2 *h2;
};

struct dec_conn *dec_conn_new(const struct dec_sink *s)
{
	struct dec_conn *c = calloc(1, sizeof(*c));

	if (c)
		c->sink = *s;
	return c;
}

enum aa_follow_proto dec_conn_proto(const struct dec_conn *c)
{
	return c->proto;
}

static void other(struct dec_conn *c, unsigned dir, uint64_t t, const uint8_t *p, size_t n)
{
	struct aa_follow_msg m = { .kind = AA_FOLLOW_OTHER, .proto = AA_FOLLOW_PROTO_OTHER,
				   .direction = dir, .time_ns = t, .body = { p, n }, .raw_len = n };
	c->sink.emit(c->sink.user, &m);
}

/* Decides from p[0..n); 0 when more bytes are needed. */
static int decide(struct dec_conn *c, unsigned dir, uint64_t t, const uint8_t *p, size_t n)
{
	size_t m = n < DEC_H2_PREFACE_LEN ? n : DEC_H2_PREFACE_LEN;

	if (!memcmp(p, DEC_H2_PREFACE, m)) {
		if (n < DEC_H2_PREFACE_LEN)
			return 0;
		c->proto = AA_FOLLOW_PROTO_H2;
	} else if (dec_h1_looks_like(p, n)) {
		c->proto = AA_FOLLOW_PROTO_HTTP1;
	} else if (dec_h2_looks_like(p, n)) {
		c->proto = AA_FOLLOW_PROTO_H2;
		dec_note(&c->sink, AA_FOLLOW_PROTO_H2, dir, t, 0,
			 "HTTP/2 without its start: the connection began before the recording (no "
			 "preface, no HPACK history); what can be decoded is");
	} else {
		c->proto = AA_FOLLOW_PROTO_OTHER;
		return 1;
	}
	if (c->proto == AA_FOLLOW_PROTO_H2)
		c->h2 = dec_h2_new();
	else
		c->h1 = dec_h1_new();
	if (!c->h1 && !c->h2) {
		dec_note(&c->sink, c->proto, dir, t, 0, "out of memory: not decoded");
		c->proto = AA_FOLLOW_PROTO_OTHER;
	}
	return 1;
}

static void to_parser(struct dec_conn *c, unsigned dir, uint64_t t, const uint8_t *p, size_t n,
		      int call_start)
{
	if (c->proto == AA_FOLLOW_PROTO_OTHER && call_start && dec_h1_looks_like(p, n) &&
	    (c->h1 = dec_h1_new()))
		c->proto = AA_FOLLOW_PROTO_HTTP1;
	if (c->proto == AA_FOLLOW_PROTO_HTTP1)
		dec_h1_feed(c->h1, &c->sink, dir, t, p, n, call_start);
	else if (c->proto == AA_FOLLOW_PROTO_H2)
		dec_h2_feed(c->h2, &c->sink, dir, t, p, n);
	else
		other(c, dir, t, p, n);
}

void dec_conn_feed(struct dec_conn *c, unsigned dir, uint64_t t, const uint8_t *p, size_t n,
		   int call_start)
{
	if (!n)
		return;
	if (c->proto != AA_FOLLOW_PROTO_UNKNOWN)
		return to_parser(c, dir, t, p, n, call_start);
	if (c->first_len && dir != c->first_dir) {
		/* the other side spoke before the held bytes grew to a preface */
		c->proto = AA_FOLLOW_PROTO_OTHER;
		other(c, c->first_dir, c->first_time, c->first, c->first_len);
		c->first_len = 0;
		return to_parser(c, dir, t, p, n, call_start);
	}
	size_t take = n;
	if (c->first_len + take > sizeof(c->first))
		take = sizeof(c->first) - c->first_len;
	if (c->first_len || n < DEC_H2_PREFACE_LEN) {
		memcpy(c->first + c->first_len, p, take);
		if (!c->first_len)
			c->first_time = t, c->first_dir = dir;
		c->first_len += take;
		if (!decide(c, dir, t, c->first, c->first_len))
			return;
		uint8_t held[DEC_H2_PREFACE_LEN];
		size_t hl = c->first_len;
		memcpy(held, c->first, hl);
		c->first_len = 0;
		to_parser(c, dir, c->first_time, held, hl, 1);
		if (n > take)
			to_parser(c, dir, t, p + take, n - take, 0);
		return;
	}
	decide(c, dir, t, p, n);
	to_parser(c, dir, t, p, n, call_start);
}

uint64_t dec_conn_open_since(const struct dec_conn *c)
{
	uint64_t t = c->first_len ? c->first_time : UINT64_MAX, m;

	if (c->h1 && (m = dec_h1_open_since(c->h1)) < t)
		t = m;
	if (c->h2 && (m = dec_h2_open_since(c->h2)) < t)
		t = m;
	return t;
}

void dec_conn_gap(struct dec_conn *c, unsigned dir, uint64_t t, uint32_t lost)
{
	dec_note(&c->sink, c->proto, dir, t, 0,
		 "%u bytes of a call were lost from the recording: what follows in this direction "
		 "may not decode", lost);
}

void dec_conn_end(struct dec_conn *c)
{
	if (c->first_len)
		other(c, c->first_dir, c->first_time, c->first, c->first_len);
	c->first_len = 0;
	if (c->h1)
		dec_h1_end(c->h1, &c->sink);
	if (c->h2)
		dec_h2_end(c->h2, &c->sink);
}

void dec_conn_free(struct dec_conn *c)
{
	if (!c)
		return;
	dec_h1_free(c->h1);
	dec_h2_free(c->h2);
	free(c);
}
