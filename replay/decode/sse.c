/* SPDX-License-Identifier: MIT */
/* Server-sent events (the WHATWG event stream format): lines ended by CRLF,
 * LF or CR; "field: value"; data lines joined by '\n'; a comment starts
 * with ':'; an empty line ends the event. */
#include <string.h>

#include "decode.h"

#define SSE_MAX_LINE (1u << 20)

static void field(struct dec_sse *s, const uint8_t *l, size_t n, size_t max)
{
	const uint8_t *colon = memchr(l, ':', n);
	size_t nlen = colon ? (size_t)(colon - l) : n;
	const uint8_t *v = colon ? colon + 1 : l + n;
	size_t vlen = colon ? n - nlen - 1 : 0;

	if (nlen == 0)
		return; /* a comment */
	if (vlen && *v == ' ')
		v++, vlen--;
	if (nlen == 5 && !memcmp(l, "event", 5)) {
		s->event.len = 0;
		dec_buf_add(&s->event, v, vlen, max);
	} else if (nlen == 4 && !memcmp(l, "data", 4)) {
		if (s->have_data)
			dec_buf_add(&s->data, "\n", 1, max);
		dec_buf_add(&s->data, v, vlen, max);
		s->have_data = 1;
	} else if (nlen == 2 && !memcmp(l, "id", 2)) {
		s->id.len = 0;
		dec_buf_add(&s->id, v, vlen, max);
	}
	/* retry and unknown fields: nothing to show */
}

static void dispatch(struct dec_sse *s, const struct dec_sink *sink, struct aa_follow_msg *tmpl)
{
	if (!s->have_data && !s->event.len) {
		s->id.len = 0;
		return;
	}
	struct aa_follow_msg m = *tmpl;
	m.kind = AA_FOLLOW_SSE;
	m.headers = NULL;
	m.nheaders = 0;
	m.body = (struct aa_follow_bytes){ 0 };
	m.event = (struct aa_follow_bytes){ s->event.len ? s->event.p : NULL, s->event.len };
	m.data = (struct aa_follow_bytes){ s->have_data ? (s->data.p ? s->data.p : (const uint8_t *)"") : NULL,
					   s->data.len };
	m.id = (struct aa_follow_bytes){ s->id.len ? s->id.p : NULL, s->id.len };
	sink->emit(sink->user, &m);
	s->event.len = s->data.len = 0;
	s->have_data = 0;
}

static void line_end(struct dec_sse *s, const struct dec_sink *sink, struct aa_follow_msg *tmpl)
{
	if (s->line.len == 0 && !s->line_cut)
		dispatch(s, sink, tmpl);
	else
		field(s, s->line.p, s->line.len, sink->max_body);
	s->line.len = 0;
	s->line_cut = 0;
}

void dec_sse_feed(struct dec_sse *s, const uint8_t *p, size_t n, const struct dec_sink *sink,
		  struct aa_follow_msg *tmpl)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '\n' && s->last_cr) { /* the LF of a CRLF */
			s->last_cr = 0;
			continue;
		}
		s->last_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			line_end(s, sink, tmpl);
			continue;
		}
		size_t run = 1;
		while (i + run < n && p[i + run] != '\r' && p[i + run] != '\n')
			run++;
		if (dec_buf_add(&s->line, p + i, run, SSE_MAX_LINE) < run)
			s->line_cut = 1;
		i += run - 1;
	}
}

void dec_sse_free(struct dec_sse *s)
{
	dec_buf_free(&s->line);
	dec_buf_free(&s->event);
	dec_buf_free(&s->data);
	dec_buf_free(&s->id);
	memset(s, 0, sizeof(*s));
}
