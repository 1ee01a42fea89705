/* SPDX-License-Identifier: MIT */
/*
 * The TLS lines of the "what happened" text (aa_diff.h), from the follow
 * library's decoded messages (aa_follow.h's aa_follower, fed with each
 * TLS piece of the one pass the tree makes): a
 * request as "tls > METHOD PATH (PROTO)" and its decoded body, a response
 * as "tls < STATUS (PROTO)". Response bodies and events are not compared:
 * headers such as Date and generated content differ between two runs of
 * one job; a test wanting them reads them with aa_follow.
 */
#include <stdlib.h>
#include <string.h>

#include "aa_follow.h"
#include "diff_impl.h"
#include "print_enc.h"
#include "xxh64.h"

#define BODY_SHOWN 160 /* bytes of a body shown as text; past them its length and hash */

struct diff_tls {
	aa_follower *f;
	const struct diff_rules *r;
	FILE *ms;
	int (*emit)(void *user, uint32_t origin, uint32_t pid);
	void *user;
	int failed;
};

static void body_line(struct diff_tls *t, const struct aa_follow_msg *m)
{
	const struct aa_follow_bytes *b = &m->body;

	fseeko(t->ms, 0, SEEK_SET);
	fputs("body ", t->ms);
	aa_enc_text_string(t->ms, b->data, b->len < BODY_SHOWN ? b->len : BODY_SHOWN);
	if (b->len > BODY_SHOWN)
		fprintf(t->ms, "... (%zu bytes, xxh64 %016llx)", b->len, (unsigned long long)aa_xxh64(b->data, b->len, 0));
	if (m->body_cut)
		fputs(" (cut)", t->ms);
	if (m->body_incomplete)
		fputs(" (incomplete)", t->ms);
	if (t->emit(t->user, m->conn->origin, m->pid))
		t->failed = 1;
}

static int on_msg(void *user, const struct aa_follow_msg *m)
{
	struct diff_tls *t = user;

	if (m->kind != AA_FOLLOW_HTTP || (!m->is_request && !m->status))
		return 0;
	if (!(t->r->fields & AA_DIFF_TLS)) {
		fseeko(t->ms, 0, SEEK_SET);
		if (m->is_request) {
			fputs("tls > ", t->ms);
			aa_enc_text_bare(t->ms, m->method.data, m->method.len);
			putc(' ', t->ms);
			aa_enc_text_string(t->ms, m->path.data, m->path.len);
		} else {
			fprintf(t->ms, "tls < %d", m->status);
		}
		fprintf(t->ms, " (%s)", aa_follow_proto_name(m->proto));
		if (t->emit(t->user, m->conn->origin, m->pid))
			t->failed = 1;
	}
	if (m->is_request && m->body.len && !(t->r->fields & AA_DIFF_TLS_BODY))
		body_line(t, m);
	return t->failed;
}

struct diff_tls *diff_tls_new(const struct diff_rules *r, FILE *ms,
			      int (*emit)(void *user, uint32_t origin, uint32_t pid),
			      void *user)
{
	static const struct aa_follow_callbacks cb = { .on_msg = on_msg };
	struct diff_tls *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->r = r;
	t->ms = ms;
	t->emit = emit;
	t->user = user;
	if (aa_follower_new(&t->f, NULL, &cb, t)) {
		free(t);
		return NULL;
	}
	return t;
}

/* The follower stops only when on_msg said so: out of memory. */
int diff_tls_piece(struct diff_tls *t, const struct aa_record *rec)
{
	return aa_follower_add(t->f, rec) || t->failed ? AA_E_NOMEM : 0;
}

int diff_tls_end(struct diff_tls *t)
{
	return aa_follower_end(t->f) || t->failed ? AA_E_NOMEM : 0;
}

void diff_tls_free(struct diff_tls *t)
{
	if (!t)
		return;
	aa_follower_free(t->f);
	free(t);
}
