/* SPDX-License-Identifier: MIT */
/*
 * The TLS lines of the "what happened" text (aa_diff.h), from the joined
 * records alone: each TLS call assembled from its pieces; a call that
 * starts with an HTTP/1 request line gives "tls > LINE" and the rest of
 * its bytes, and the calls after it in the same direction on the same
 * connection, "body ..."; a call that starts with a status line gives
 * "tls < LINE" (its body is not compared: a server's gzip header holds a
 * time). No decoding beyond that first line: HTTP/2 frames, compression
 * and chunking are aa-replay follow's (replay/views/aa_follow.h), which
 * this is to give way to once it is in the library.
 */
#include <stdlib.h>
#include <string.h>

#include "diff_impl.h"
#include "print_enc.h"
#include "xxh64.h"

#define CALL_MAX (64u << 10) /* bytes of one call kept; past them a call is known by its hash */
#define BODY_SHOWN 160       /* bytes of a body shown as text */
#define SLOTS 256            /* calls being assembled and connections followed at once */

struct call {
	uint32_t pid, tid;
	uint64_t conn;      /* tls_conn's socket inode, else the SSL pointer, else 0 */
	uint8_t dir;
	uint32_t len, got;  /* the call's length, bytes seen */
	uint8_t *buf;       /* the first CALL_MAX bytes */
	struct aa_xxh64 hash; /* of all its bytes */
	int used;
};

struct conn {
	uint64_t conn;
	uint32_t pid;
	uint8_t dir;
	int in_request;     /* the calls that follow carry a request's body */
	uint64_t age;
};

struct diff_tls {
	struct call call[SLOTS];
	struct conn conns[SLOTS];
	uint64_t clock;
};

struct diff_tls *diff_tls_new(void)
{
	return calloc(1, sizeof(struct diff_tls));
}

void diff_tls_free(struct diff_tls *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < SLOTS; i++)
		free(t->call[i].buf);
	free(t);
}

static struct conn *conn_state(struct diff_tls *t, const struct call *c)
{
	struct conn *old = &t->conns[0];

	for (size_t i = 0; i < SLOTS; i++) {
		struct conn *s = &t->conns[i];
		if (s->age && s->conn == c->conn && s->pid == c->pid && s->dir == c->dir) {
			s->age = ++t->clock;
			return s;
		}
		if (s->age < old->age)
			old = s;
	}
	/* the connection not used the longest gives way: open connections bound this */
	*old = (struct conn){ .conn = c->conn, .pid = c->pid, .dir = c->dir, .age = ++t->clock };
	return old;
}

/* Length of the first line (up to CRLF) when it is an HTTP/1 request or status line, else 0. */
static size_t first_line(const uint8_t *b, size_t n, int *request)
{
	const uint8_t *cr = n > 2 ? memmem(b, n, "\r\n", 2) : NULL;
	size_t len = cr ? (size_t)(cr - b) : 0, i = 0;

	if (len >= 12 && !memcmp(b, "HTTP/1.", 7) && b[8] == ' ') {
		*request = 0;
		return len;
	}
	while (i < len && b[i] >= 'A' && b[i] <= 'Z')
		i++;
	if (i && i < len && b[i] == ' ' && len > 9 && !memcmp(b + len - 9, " HTTP/1.", 8)) {
		*request = 1;
		return len;
	}
	return 0;
}

/* "body TEXT", and past BODY_SHOWN bytes its length and hash (of the
 * whole call when the call was longer than what is kept of it). */
static void body_line(FILE *ms, const struct call *c, size_t off)
{
	size_t kept = c->got < CALL_MAX ? c->got : CALL_MAX, n = kept - off;
	uint64_t h;

	fputs("body ", ms);
	aa_enc_text_string(ms, c->buf + off, n < BODY_SHOWN ? n : BODY_SHOWN);
	if (c->len - off <= BODY_SHOWN)
		return;
	if (kept == c->got) {
		struct aa_xxh64 x;
		aa_xxh64_init(&x, 0);
		aa_xxh64_update(&x, c->buf + off, n);
		h = aa_xxh64_digest(&x);
	} else {
		h = aa_xxh64_digest(&c->hash);
	}
	fprintf(ms, "... (%zu bytes, xxh64 %016llx%s)", (size_t)c->len - off, (unsigned long long)h,
		kept == c->got ? "" : " of the whole call");
}

/* A whole call: its lines through emit. */
static void call_done(struct diff_tls *t, struct call *c, const struct diff_rules *r, FILE *ms,
		      void (*emit)(void *user), void *user)
{
	struct conn *s = conn_state(t, c);
	size_t kept = c->got < CALL_MAX ? c->got : CALL_MAX;
	int request = 0;
	size_t line = first_line(c->buf, kept, &request);

	if (line) {
		s->in_request = request;
		if (!(r->fields & AA_DIFF_TLS)) {
			fseeko(ms, 0, SEEK_SET);
			fputs(request ? "tls > " : "tls < ", ms);
			aa_enc_text_string(ms, c->buf, line);
			emit(user);
		}
		if (request && !(r->fields & AA_DIFF_TLS_BODY)) {
			const uint8_t *end = memmem(c->buf, kept, "\r\n\r\n", 4);
			size_t off = end ? (size_t)(end - c->buf) + 4 : kept;
			if (off < kept) {
				fseeko(ms, 0, SEEK_SET);
				body_line(ms, c, off);
				emit(user);
			}
		}
	} else if (s->in_request && !(r->fields & AA_DIFF_TLS_BODY)) {
		fseeko(ms, 0, SEEK_SET);
		body_line(ms, c, 0);
		emit(user);
	}
	c->used = 0;
}

int diff_tls_piece(struct diff_tls *t, const struct aa_record *rec, const struct diff_rules *r, FILE *ms,
		   void (*emit)(void *user), void *user)
{
	const struct aa_tls_event *e = rec->ev.tls;
	const struct aa_tls_conn_event *tc = rec->joins ? rec->joins->tls_conn : NULL;
	struct call *c = NULL, *free_slot = NULL;
	uint32_t off = e->seq * AA_TLS_PAYLOAD_MAX, n;

	if (off >= e->data_len)
		return 0;
	n = e->data_len - off < AA_TLS_PAYLOAD_MAX ? e->data_len - off : AA_TLS_PAYLOAD_MAX;
	for (size_t i = 0; i < SLOTS && !c; i++) {
		if (t->call[i].used && t->call[i].pid == e->pid && t->call[i].tid == e->tid)
			c = &t->call[i];
		else if (!t->call[i].used && !free_slot)
			free_slot = &t->call[i];
	}
	if (c && (e->seq == 0 || off != c->got)) /* a piece lost: that call is dropped */
		c->used = 0;
	if (!c || !c->used) {
		if (e->seq != 0)
			return 0;
		if (!c && !(c = free_slot))
			return 0; /* more threads in a call at once than followed */
		if (!c->buf && !(c->buf = malloc(CALL_MAX)))
			return AA_E_NOMEM;
		*c = (struct call){ .pid = e->pid, .tid = e->tid, .dir = e->direction, .len = e->data_len,
				    .buf = c->buf, .used = 1,
				    .conn = tc ? (tc->conn ? tc->conn : tc->ssl) : 0 };
		aa_xxh64_init(&c->hash, 0);
	}
	if (c->got < CALL_MAX)
		memcpy(c->buf + c->got, e->payload, CALL_MAX - c->got < n ? CALL_MAX - c->got : n);
	aa_xxh64_update(&c->hash, e->payload, n);
	c->got += n;
	if (c->got >= c->len)
		call_done(t, c, r, ms, emit, user);
	return 0;
}
