/* SPDX-License-Identifier: MIT */
/* The decoders' messages, copied as they come, for the follow tests. */
#ifndef FOLLOW_COLLECT_H
#define FOLLOW_COLLECT_H

#include <stdlib.h>
#include <string.h>

#include "decode.h"

struct got {
	enum aa_follow_kind kind;
	enum aa_follow_proto proto;
	unsigned dir;
	int stream, is_request, status, cut, incomplete, events;
	char method[32], path[256], authority[64], enc[16], note[256];
	char hdrs[4096];  /* "name: value\n" each */
	char *body;       /* NUL added */
	size_t body_len;
	uint64_t raw_len;
	char event[64], data[1024], id[64];
};

#define GOT_MAX 256
static struct got got[GOT_MAX];
static size_t ngot;

static inline void got_str(char *dst, size_t cap, struct aa_follow_bytes b)
{
	size_t n = b.len < cap - 1 ? b.len : cap - 1;
	if (b.data)
		memcpy(dst, b.data, n);
	dst[b.data ? n : 0] = 0;
}

static inline void collect(void *user, struct aa_follow_msg *m)
{
	(void)user;
	if (ngot == GOT_MAX)
		return;
	struct got *g = &got[ngot++];
	memset(g, 0, sizeof(*g));
	g->kind = m->kind;
	g->proto = m->proto;
	g->dir = m->direction;
	g->stream = m->stream_id;
	g->is_request = m->is_request;
	g->status = m->status;
	g->cut = m->body_cut;
	g->incomplete = m->body_incomplete;
	g->events = m->events;
	g->raw_len = m->raw_len;
	got_str(g->method, sizeof(g->method), m->method);
	got_str(g->path, sizeof(g->path), m->path);
	got_str(g->authority, sizeof(g->authority), m->authority);
	got_str(g->enc, sizeof(g->enc), m->encoding);
	got_str(g->event, sizeof(g->event), m->event);
	got_str(g->data, sizeof(g->data), m->data);
	got_str(g->id, sizeof(g->id), m->id);
	if (m->note)
		snprintf(g->note, sizeof(g->note), "%s", m->note);
	for (size_t i = 0; i < m->nheaders; i++) {
		size_t at = strlen(g->hdrs);
		snprintf(g->hdrs + at, sizeof(g->hdrs) - at, "%.*s: %.*s\n", (int)m->headers[i].name.len,
			 (const char *)m->headers[i].name.data, (int)m->headers[i].value.len,
			 (const char *)m->headers[i].value.data);
	}
	g->body_len = m->body.len;
	g->body = malloc(m->body.len + 1);
	if (m->body.len)
		memcpy(g->body, m->body.data, m->body.len);
	g->body[m->body.len] = 0;
}

static inline void got_reset(void)
{
	for (size_t i = 0; i < ngot; i++)
		free(got[i].body);
	ngot = 0;
}

/* How many messages of kind k (NOTE: whose note contains s, if s). */
static inline size_t got_count(enum aa_follow_kind k, const char *s)
{
	size_t n = 0;
	for (size_t i = 0; i < ngot; i++)
		n += got[i].kind == k && (!s || strstr(got[i].note, s));
	return n;
}

/* The i-th message of kind k, or fails. */
static inline struct got *got_nth(enum aa_follow_kind k, size_t i)
{
	for (size_t j = 0; j < ngot; j++)
		if (got[j].kind == k && i-- == 0)
			return &got[j];
	cr_assert_fail("no message %zu of kind %d (of %zu)", i, k, ngot);
	return NULL;
}

#endif
