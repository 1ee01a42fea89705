/* SPDX-License-Identifier: MIT */
/* One message being built: its head (headers stored as offsets in one
 * buffer), its body decoded on the fly, and its emission. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"

size_t dec_buf_add(struct dec_buf *b, const void *p, size_t n, size_t max)
{
	if (b->len >= max)
		return 0;
	if (n > max - b->len)
		n = max - b->len;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > max)
			cap = max;
		uint8_t *q = realloc(b->p, cap);
		if (!q)
			return 0;
		b->p = q;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return n;
}

void dec_buf_free(struct dec_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void dec_note(const struct dec_sink *s, enum aa_follow_proto proto, unsigned dir, uint64_t time_ns,
	      int32_t stream, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct aa_follow_msg m = { .kind = AA_FOLLOW_NOTE, .proto = proto, .direction = dir,
				   .time_ns = time_ns, .stream_id = stream, .note = text };
	s->emit(s->user, &m);
}

void dec_msg_start(struct dec_msg *d, enum aa_follow_proto proto, unsigned dir, uint64_t time_ns,
		   int32_t stream)
{
	memset(&d->m, 0, sizeof(d->m));
	d->open = 1;
	d->m.kind = AA_FOLLOW_HTTP;
	d->m.proto = proto;
	d->m.direction = dir;
	d->m.time_ns = time_ns;
	d->m.stream_id = stream;
	d->store.len = 0;
	d->body.len = 0;
	d->nhdr = 0;
	memset(d->sl, 0, sizeof(d->sl));
	d->head_cut = 0;
	d->sse = 0;
	d->content_error_said = 0;
	dec_content_free(&d->content);
	dec_content_init(&d->content, DEC_ENC_NONE);
	dec_sse_free(&d->sse_state);
}

void dec_msg_header(struct dec_msg *d, const uint8_t *name, size_t nlen, const uint8_t *value,
		    size_t vlen)
{
	size_t at = d->store.len;

	if (!d->hdr && !(d->hdr = malloc(DEC_MAX_HEADERS * sizeof(*d->hdr))))
		d->head_cut = 1; /* no memory: as if past the limit */
	if (!d->hdr || d->nhdr == DEC_MAX_HEADERS || dec_buf_add(&d->store, name, nlen, DEC_MAX_HEAD) < nlen ||
	    dec_buf_add(&d->store, value, vlen, DEC_MAX_HEAD) < vlen) {
		d->store.len = at;
		d->head_cut = 1;
		return;
	}
	d->hdr[d->nhdr++] = (struct dec_hdr_at){ (uint32_t)at, (uint32_t)nlen, (uint32_t)(at + nlen),
						 (uint32_t)vlen };
}

const uint8_t *dec_msg_get(const struct dec_msg *d, const char *name, size_t *len)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < d->nhdr; i++)
		if (d->hdr[i].name_len == n &&
		    !strncasecmp((const char *)d->store.p + d->hdr[i].name, name, n)) {
			*len = d->hdr[i].value_len;
			return d->store.p + d->hdr[i].value;
		}
	return NULL;
}

static int begins_ci(const uint8_t *v, size_t len, const char *with)
{
	size_t n = strlen(with);
	while (len && *v == ' ')
		v++, len--;
	return len >= n && !strncasecmp((const char *)v, with, n);
}

void dec_msg_head_done(struct dec_msg *d, const struct dec_sink *s)
{
	size_t len;
	const uint8_t *v = dec_msg_get(d, "content-encoding", &len);
	enum dec_enc enc = v ? dec_content_kind(v, len) : DEC_ENC_NONE;

	dec_content_free(&d->content);
	dec_content_init(&d->content, enc);
	if (enc == DEC_ENC_UNKNOWN)
		dec_note(s, d->m.proto, d->m.direction, d->m.time_ns, d->m.stream_id,
			 "content-encoding not known: body shown as sent");
	v = dec_msg_get(d, "content-type", &len);
	d->sse = v && begins_ci(v, len, "text/event-stream");
	if (d->sse) {
		/* the head now: its events follow as they come */
		d->sse = 0;
		d->m.events = 1;
		dec_msg_end(d, s, 0);
		d->sse = 1;
	}
}

/* Fills the pointers of d->m from the store; valid until d changes. */
static void fill(struct dec_msg *d, struct aa_follow_header *hs)
{
	const uint8_t *b = d->store.p;

	for (size_t i = 0; i < d->nhdr; i++) {
		struct dec_hdr_at *h = &d->hdr[i];
		hs[i] = (struct aa_follow_header){ { b + h->name, h->name_len }, { b + h->value, h->value_len } };
		if (h->name_len && b[h->name] == ':') {
			struct aa_follow_bytes *f = NULL;
			const char *nm = (const char *)b + h->name;
			if (h->name_len == 7 && !memcmp(nm, ":method", 7))
				f = &d->m.method;
			else if (h->name_len == 5 && !memcmp(nm, ":path", 5))
				f = &d->m.path;
			else if (h->name_len == 10 && !memcmp(nm, ":authority", 10))
				f = &d->m.authority;
			else if (h->name_len == 7 && !memcmp(nm, ":scheme", 7))
				f = &d->m.scheme;
			if (f)
				*f = hs[i].value;
		}
	}
	for (int i = 0; i < 3; i++) {
		struct aa_follow_bytes *f = i == 0 ? &d->m.method : i == 1 ? &d->m.path : &d->m.version;
		if (d->sl[i].set)
			*f = (struct aa_follow_bytes){ b + d->sl[i].at, d->sl[i].len };
	}
	d->m.headers = hs;
	d->m.nheaders = d->nhdr;
}

void dec_msg_start_line(struct dec_msg *d, int i, const uint8_t *p, size_t n)
{
	size_t at = d->store.len;

	if (dec_buf_add(&d->store, p, n, DEC_MAX_HEAD) < n) {
		d->store.len = at;
		d->head_cut = 1;
		return;
	}
	d->sl[i].at = (uint32_t)at;
	d->sl[i].len = (uint32_t)n;
	d->sl[i].set = 1;
}

void dec_msg_body(struct dec_msg *d, const struct dec_sink *s, uint64_t time_ns, const uint8_t *p,
		  size_t n)
{
	struct dec_buf tmp = { 0 };
	int cut = 0;

	d->m.raw_len += n;
	if (!d->sse) {
		if (dec_content_feed(&d->content, p, n, &d->body, s->max_body, &cut) < 0 &&
		    !d->content_error_said) {
			d->content_error_said = 1;
			dec_note(s, d->m.proto, d->m.direction, d->m.time_ns, d->m.stream_id,
				 "%s: the body is shown as far as it decoded", d->content.error);
		}
		if (cut)
			d->m.body_cut = 1;
		return;
	}
	/* an event stream: decoded bytes go to the event parser, not kept */
	if (dec_content_feed(&d->content, p, n, &tmp, s->max_body, &cut) < 0 && !d->content_error_said) {
		d->content_error_said = 1;
		dec_note(s, d->m.proto, d->m.direction, d->m.time_ns, d->m.stream_id, "%s", d->content.error);
	}
	struct aa_follow_header hs[1];
	struct aa_follow_msg t = d->m;
	t.headers = hs;
	t.nheaders = 0;
	t.time_ns = time_ns;
	dec_sse_feed(&d->sse_state, tmp.p, tmp.len, s, &t);
	dec_buf_free(&tmp);
}

#define DEC_IDLE_KEEP 4096 /* bytes of a buffer kept for the next message */

void dec_msg_end(struct dec_msg *d, const struct dec_sink *s, int incomplete)
{
	struct aa_follow_header hs[DEC_MAX_HEADERS];

	if (d->sse) {
		/* the end of an event stream: its last event if unterminated */
		if (incomplete)
			dec_note(s, d->m.proto, d->m.direction, d->m.time_ns, d->m.stream_id,
				 "event stream ends with the recording");
		return;
	}
	fill(d, hs);
	d->m.body_incomplete = incomplete;
	d->m.body = (struct aa_follow_bytes){ d->body.p ? d->body.p : (const uint8_t *)"", d->body.len };
	if (d->content.enc != DEC_ENC_NONE && d->content.enc != DEC_ENC_UNKNOWN) {
		size_t len;
		const uint8_t *v = dec_msg_get(d, "content-encoding", &len);
		d->m.encoding = (struct aa_follow_bytes){ v, len };
	}
	if (d->head_cut)
		dec_note(s, d->m.proto, d->m.direction, d->m.time_ns, d->m.stream_id,
			 "more than %u headers or %u bytes of them: the rest not kept", DEC_MAX_HEADERS,
			 DEC_MAX_HEAD);
	d->open = 0;
	s->emit(s->user, &d->m);
	if (!d->m.events) {
		/* done with: a connection that stays open (or is never seen closing)
		 * keeps no decoder window and no big buffer */
		dec_content_free(&d->content);
		free(d->hdr);
		d->hdr = NULL;
		d->nhdr = 0;
		if (d->body.cap > DEC_IDLE_KEEP)
			dec_buf_free(&d->body);
		if (d->store.cap > DEC_IDLE_KEEP)
			dec_buf_free(&d->store);
	}
}

uint64_t dec_msg_open_since(const struct dec_msg *d)
{
	return d->open ? d->m.time_ns : UINT64_MAX;
}

void dec_msg_free(struct dec_msg *d)
{
	free(d->hdr);
	d->hdr = NULL;
	dec_buf_free(&d->store);
	dec_buf_free(&d->body);
	dec_content_free(&d->content);
	dec_sse_free(&d->sse_state);
}
