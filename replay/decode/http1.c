/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 (RFC 9112), one parser per direction: heads, bodies by
 * Content-Length, chunked, or (a response) to the end of the connection.
 * A response to HEAD, a 1xx, 204 or 304 has no body. After an error the
 * direction's bytes are shown as they are until a call begins with a new
 * start line.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"

enum h1_state { H1_HEAD, H1_BODY_LEN, H1_CHUNK_SIZE, H1_CHUNK_DATA, H1_CHUNK_CRLF, H1_TRAILER,
		H1_BODY_EOF, H1_BROKEN };

#define H1_METHODS 64 /* requests awaiting their response */

struct h1_dir {
	enum h1_state st;
	struct dec_buf line;   /* the head, or a chunk-size or trailer line, being gathered */
	uint64_t head_time;    /* the call the head being gathered began in */
	uint64_t left;         /* body or chunk bytes still to come */
	struct dec_msg msg;
	int in_msg;
	int is_request;
};

struct dec_h1 {
	struct h1_dir dir[2];
	/* HEAD requests in order, for the responses (a ring of flags) */
	uint8_t head_req[H1_METHODS];
	unsigned req_in, req_out;
	int requester; /* direction that sends requests, -1 unknown */
};

static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH",
				       "CONNECT", "TRACE", "PRI", NULL };

int dec_h1_looks_like(const uint8_t *p, size_t n)
{
	if (n >= 7 && !memcmp(p, "HTTP/1.", 7))
		return 1;
	for (int i = 0; methods[i]; i++) {
		size_t l = strlen(methods[i]);
		if (n > l && !memcmp(p, methods[i], l) && p[l] == ' ')
			return strcmp(methods[i], "PRI") != 0;
	}
	return 0;
}

struct dec_h1 *dec_h1_new(void)
{
	struct dec_h1 *h = calloc(1, sizeof(*h));
	if (h)
		h->requester = -1;
	return h;
}

static void broken(struct h1_dir *d, const struct dec_sink *s, unsigned dir, uint64_t t,
		   const char *why)
{
	dec_note(s, AA_FOLLOW_PROTO_HTTP1, dir, t, 0,
		 "HTTP/1.1 not understood (%s): the rest of this direction is shown as sent", why);
	d->st = H1_BROKEN;
	d->in_msg = 0;
	d->line.len = 0;
}

/* "Name: value" lines of p[0..n) (after the start line), into d->msg. */
static int parse_headers(struct dec_msg *m, const uint8_t *p, size_t n)
{
	while (n) {
		const uint8_t *eol = memchr(p, '\n', n);
		size_t len = eol ? (size_t)(eol - p) : n;
		size_t next = eol ? len + 1 : n;
		if (len && p[len - 1] == '\r')
			len--;
		if (len) {
			const uint8_t *colon = memchr(p, ':', len);
			if (!colon || colon == p)
				return -1;
			size_t nl = (size_t)(colon - p);
			const uint8_t *v = colon + 1;
			size_t vl = len - nl - 1;
			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			dec_msg_header(m, p, nl, v, vl);
		}
		p += next;
		n -= next;
	}
	return 0;
}

static int parse_u64(const uint8_t *v, size_t len, int base, uint64_t *out)
{
	uint64_t x = 0;
	size_t i = 0;

	while (i < len && (v[i] == ' ' || v[i] == '\t'))
		i++;
	if (i == len)
		return -1;
	for (; i < len; i++) {
		int dgt;
		if (v[i] >= '0' && v[i] <= '9')
			dgt = v[i] - '0';
		else if (base == 16 && (v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'f')
			dgt = (v[i] | 0x20) - 'a' + 10;
		else if (base == 16 && (v[i] == ';' || v[i] == ' ' || v[i] == '\t'))
			break; /* chunk extensions */
		else if (v[i] == ' ' || v[i] == '\t')
			break;
		else
			return -1;
		if (x > (UINT64_MAX - (uint64_t)dgt) / (uint64_t)base)
			return -1;
		x = x * (uint64_t)base + (uint64_t)dgt;
	}
	*out = x;
	return 0;
}

static int token_in(const uint8_t *v, size_t len, const char *tok)
{
	size_t n = strlen(tok);
	for (size_t i = 0; i + n <= len; i++)
		if (!strncasecmp((const char *)v + i, tok, n))
			return 1;
	return 0;
}

/* The head p[0..n) is whole: start line, headers; then how the body comes. */
static void head(struct dec_h1 *h, struct h1_dir *d, const struct dec_sink *s, unsigned dir,
		 uint64_t t, const uint8_t *p, size_t n)
{
	const uint8_t *eol = memchr(p, '\n', n);
	size_t ll = (size_t)(eol - p);
	const uint8_t *sp1, *sp2;
	size_t vl;
	const uint8_t *v;

	if (ll && p[ll - 1] == '\r')
		ll--;
	sp1 = memchr(p, ' ', ll);
	if (!sp1)
		return broken(d, s, dir, t, "no start line");
	dec_msg_start(&d->msg, AA_FOLLOW_PROTO_HTTP1, dir, t, 0);
	d->is_request = memcmp(p, "HTTP/", 5) != 0;
	d->msg.m.is_request = d->is_request;
	sp2 = memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - p));
	if (d->is_request) {
		if (!sp2)
			return broken(d, s, dir, t, "request line without a version");
		dec_msg_start_line(&d->msg, 0, p, (size_t)(sp1 - p));
		dec_msg_start_line(&d->msg, 1, sp1 + 1, (size_t)(sp2 - sp1 - 1));
		dec_msg_start_line(&d->msg, 2, sp2 + 1, ll - (size_t)(sp2 + 1 - p));
	} else {
		uint64_t code;
		size_t cl = sp2 ? (size_t)(sp2 - sp1 - 1) : ll - (size_t)(sp1 + 1 - p);
		if (parse_u64(sp1 + 1, cl, 10, &code) || code < 100 || code > 999)
			return broken(d, s, dir, t, "bad status code");
		d->msg.m.status = (int)code;
		dec_msg_start_line(&d->msg, 2, p, (size_t)(sp1 - p));
	}
	if (parse_headers(&d->msg, eol + 1, n - (size_t)(eol + 1 - p)))
		return broken(d, s, dir, t, "a header line without a colon");
	d->in_msg = 1;

	int head_req = 0;
	if (d->is_request) {
		h->requester = (int)dir;
		if (h->req_in - h->req_out < H1_METHODS)
			h->head_req[h->req_in++ % H1_METHODS] =
				d->msg.sl[0].len == 4 && !memcmp(d->msg.store.p + d->msg.sl[0].at, "HEAD", 4);
	} else if (d->msg.m.status >= 200 && h->req_in != h->req_out) {
		head_req = h->head_req[h->req_out++ % H1_METHODS];
	}
	dec_msg_head_done(&d->msg, s);

	int st = d->msg.m.status;
	if (head_req || (st >= 100 && st < 200) || st == 204 || st == 304) {
		d->st = H1_HEAD;
		d->in_msg = 0;
		dec_msg_end(&d->msg, s, 0);
		return;
	}
	if ((v = dec_msg_get(&d->msg, "transfer-encoding", &vl)) && token_in(v, vl, "chunked")) {
		d->st = H1_CHUNK_SIZE;
	} else if ((v = dec_msg_get(&d->msg, "content-length", &vl))) {
		if (parse_u64(v, vl, 10, &d->left))
			return broken(d, s, dir, t, "bad content-length");
		d->st = H1_BODY_LEN;
	} else {
		d->left = 0;
		d->st = d->is_request ? H1_BODY_LEN : H1_BODY_EOF;
	}
	if (d->st == H1_BODY_LEN && d->left == 0) {
		d->st = H1_HEAD;
		d->in_msg = 0;
		dec_msg_end(&d->msg, s, 0);
	}
}

/* Gathers a line (or the head, up to its empty line) into d->line: the
 * bytes it took, with *done set once it is whole (a line at a time, not
 * a byte: a head is most of what HTTP/1.1 decoding reads). */
static size_t gather(struct h1_dir *d, const uint8_t *p, size_t n, int whole_head, int *done,
		     int *over)
{
	size_t i = 0;

	*done = 0;
	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t run = nl ? (size_t)(nl - p) + 1 - i : n - i;
		size_t got = dec_buf_add(&d->line, p + i, run, DEC_MAX_HEAD);
		i += got;
		if (got < run) {
			*over = 1;
			return i;
		}
		if (!nl)
			break;
		const uint8_t *b = d->line.p;
		size_t l = d->line.len;
		if (!whole_head || (l >= 2 && b[l - 2] == '\n') || (l >= 4 && !memcmp(b + l - 4, "\r\n\r\n", 4))) {
			*done = 1;
			return i;
		}
	}
	return n;
}

void dec_h1_feed(struct dec_h1 *h, const struct dec_sink *s, unsigned dir, uint64_t t,
		 const uint8_t *p, size_t n, int call_start)
{
	struct h1_dir *d = &h->dir[dir & 1];
	int done, over = 0;

	if (d->st == H1_BROKEN && call_start && dec_h1_looks_like(p, n)) {
		d->st = H1_HEAD;
		d->line.len = 0;
	}
	while (n) {
		size_t k;
		switch (d->st) {
		case H1_BROKEN: {
			struct aa_follow_msg m = { .kind = AA_FOLLOW_OTHER, .proto = AA_FOLLOW_PROTO_HTTP1,
						   .direction = dir, .time_ns = t, .body = { p, n }, .raw_len = n };
			s->emit(s->user, &m);
			return;
		}
		case H1_HEAD:
			if (d->line.len == 0 && (*p == '\r' || *p == '\n')) {
				p++, n--; /* CRLF between messages */
				continue;
			}
			if (d->line.len == 0)
				d->head_time = t; /* a message is placed at its first byte's call */
			k = gather(d, p, n, 1, &done, &over);
			if (over)
				return broken(d, s, dir, t, "head longer than 64 KiB");
			if (d->line.len == k && !dec_h1_looks_like(p, n < 8 ? n : 8) && n >= 8)
				return broken(d, s, dir, t, "not a request or status line");
			p += k, n -= k;
			if (done) {
				head(h, d, s, dir, d->head_time, d->line.p, d->line.len);
				d->line.len = 0;
			}
			break;
		case H1_BODY_LEN:
			k = n < d->left ? n : (size_t)d->left;
			dec_msg_body(&d->msg, s, t, p, k);
			p += k, n -= k, d->left -= k;
			if (!d->left) {
				d->st = H1_HEAD;
				d->in_msg = 0;
				dec_msg_end(&d->msg, s, 0);
			}
			break;
		case H1_BODY_EOF:
			dec_msg_body(&d->msg, s, t, p, n);
			return;
		case H1_CHUNK_SIZE:
		case H1_TRAILER:
			k = gather(d, p, n, 0, &done, &over);
			if (over)
				return broken(d, s, dir, t, "chunk-size line too long");
			p += k, n -= k;
			if (!done)
				break;
			if (d->st == H1_TRAILER) {
				size_t l = d->line.len;
				if (l <= 2) { /* the empty line: the message ends */
					d->st = H1_HEAD;
					d->in_msg = 0;
					dec_msg_end(&d->msg, s, 0);
				} else {
					parse_headers(&d->msg, d->line.p, l);
				}
			} else if (parse_u64(d->line.p, d->line.len - 1 - (d->line.len > 1 && d->line.p[d->line.len - 2] == '\r'),
					     16, &d->left)) {
				return broken(d, s, dir, t, "bad chunk size");
			} else {
				d->st = d->left ? H1_CHUNK_DATA : H1_TRAILER;
			}
			d->line.len = 0;
			break;
		case H1_CHUNK_DATA:
			k = n < d->left ? n : (size_t)d->left;
			dec_msg_body(&d->msg, s, t, p, k);
			p += k, n -= k, d->left -= k;
			if (!d->left)
				d->st = H1_CHUNK_CRLF;
			break;
		case H1_CHUNK_CRLF:
			if (*p == '\r') {
				p++, n--;
			} else if (*p == '\n') {
				p++, n--;
				d->st = H1_CHUNK_SIZE;
			} else {
				return broken(d, s, dir, t, "chunk not followed by CRLF");
			}
			break;
		}
	}
}

uint64_t dec_h1_open_since(const struct dec_h1 *h)
{
	uint64_t t = UINT64_MAX;

	for (unsigned i = 0; i < 2; i++) {
		const struct h1_dir *d = &h->dir[i];
		uint64_t m = d->st == H1_HEAD && d->line.len ? d->head_time
			     : d->in_msg ? dec_msg_open_since(&d->msg) : UINT64_MAX;
		if (m < t)
			t = m;
	}
	return t;
}

void dec_h1_end(struct dec_h1 *h, const struct dec_sink *s)
{
	for (unsigned i = 0; i < 2; i++) {
		struct h1_dir *d = &h->dir[i];
		if (d->in_msg)
			dec_msg_end(&d->msg, s, d->st != H1_BODY_EOF);
		else if (d->st == H1_HEAD && d->line.len)
			dec_note(s, AA_FOLLOW_PROTO_HTTP1, i, 0, 0,
				 "the recording ends inside a head (%zu bytes)", d->line.len);
		d->in_msg = 0;
	}
}

void dec_h1_free(struct dec_h1 *h)
{
	if (!h)
		return;
	for (int i = 0; i < 2; i++) {
		dec_buf_free(&h->dir[i].line);
		dec_msg_free(&h->dir[i].msg);
	}
	free(h);
}
