/* SPDX-License-Identifier: MIT */
/*
 * The report's TLS conversations: fed each record of the one pass
 * (report_collect's), aa_follower decodes their HTTP/1.1, HTTP/2 and SSE
 * messages, streamed as one list of items in the order it gives them (a
 * connection's "conn" item, its messages, its "end" item with the totals)
 * into a temporary file, put into the data object at the end. Their times
 * are after the pass's first record; "shift" says how far that is after
 * the earliest one (the page's zero), known only at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "aa_follow.h"
#include "cli.h"
#include "print_enc.h"
#include "report.h"

/* Body bytes put into the page at most, in all and of one body: past
 * them, a body is only counted, or only its start is shown (aa-replay
 * follow prints them whole). */
#define REPORT_BODY_MAX (16u << 20)
#define REPORT_BODY_ONE (64u << 10)

struct tls_pass {
	FILE *j;                 /* the temporary file of the items */
	aa_follower *f;
	int based, failed;
	uint64_t base, body_bytes, bodies_omitted, items;
	uint64_t next_conn; /* the page's number for the next connection */
	/* the page's number of each open connection: aa_follow's connection
	 * structs are its own, so the number is kept by id and pid */
	struct open_conn { uint64_t id; uint32_t pid; uint64_t n; } open[AA_FOLLOW_MAX_CONNS];
	uint32_t nopen;
};

static uint64_t conn_number(struct tls_pass *t, const struct aa_follow_conn *c, int add, int drop)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < t->nopen; i++)
		if (t->open[i].id == c->id && t->open[i].pid == c->pid) {
			n = t->open[i].n;
			if (drop)
				t->open[i] = t->open[--t->nopen];
			return n;
		}
	n = ++t->next_conn;
	if (add && t->nopen < AA_FOLLOW_MAX_CONNS)
		t->open[t->nopen++] = (struct open_conn){ c->id, c->pid, n };
	return n;
}

static void put_bytes(FILE *j, const char *name, struct aa_follow_bytes b)
{
	if (!b.data)
		return;
	aa_enc_json_key(j, name);
	aa_enc_json_string(j, b.data, b.len);
}

static void item_start(struct tls_pass *t, const char *kind)
{
	fprintf(t->j, "%s{\"kind\":\"%s\"", t->items++ ? "," : "", kind);
}

static int on_conn(void *user, const struct aa_follow_conn *c)
{
	struct tls_pass *t = user;
	char ep[2][AA_ENDPOINT_BUF];

	item_start(t, "conn");
	fprintf(t->j, ",\"n\":%llu,\"id\":%llu,\"known\":%s,\"pid\":%u,\"comm\":",
		(unsigned long long)conn_number(t, c, 1, 0), (unsigned long long)c->id,
		c->known ? "true" : "false", c->pid);
	aa_enc_json_string(t->j, (const uint8_t *)c->comm, strnlen(c->comm, sizeof(c->comm)));
	fprintf(t->j, ",\"fd\":%d,\"local\":\"%s\",\"peer\":\"%s\",\"lib\":\"%s\",\"t\":%lld}", c->fd,
		aa_format_endpoint(ep[0], c->family, c->local_addr, c->local_port),
		aa_format_endpoint(ep[1], c->family, c->peer_addr, c->peer_port),
		aa_tls_lib_name(c->lib) ? aa_tls_lib_name(c->lib) : "?",
		(long long)(c->first_ns - t->base));
	return 0;
}

static int on_conn_end(void *user, const struct aa_follow_conn *c)
{
	struct tls_pass *t = user;

	item_start(t, "end");
	fprintf(t->j, ",\"n\":%llu,\"last\":%lld,\"calls\":[%llu,%llu],\"bytes\":[%llu,%llu]}",
		(unsigned long long)conn_number(t, c, 0, 1), (long long)(c->last_ns - t->base),
		(unsigned long long)c->calls[AA_TLS_WRITE], (unsigned long long)c->calls[AA_TLS_READ],
		(unsigned long long)c->bytes[AA_TLS_WRITE], (unsigned long long)c->bytes[AA_TLS_READ]);
	return 0;
}

static const char *kind_name(enum aa_follow_kind k)
{
	switch (k) {
	case AA_FOLLOW_HTTP: return "http";
	case AA_FOLLOW_SSE: return "sse";
	case AA_FOLLOW_OTHER: return "other";
	case AA_FOLLOW_NOTE: return "note";
	}
	return "note";
}

static void put_body(struct tls_pass *t, const struct aa_follow_msg *m)
{
	FILE *j = t->j;

	if (!m->body.data)
		return;
	size_t len = m->body.len < REPORT_BODY_ONE ? m->body.len : REPORT_BODY_ONE;

	if (t->body_bytes + len > REPORT_BODY_MAX) {
		t->bodies_omitted++;
		fputs(",\"omitted\":true", j);
		return;
	}
	t->body_bytes += len;
	fputs(",\"body\":", j);
	aa_enc_json_string(j, m->body.data, len);
	if (len < m->body.len)
		fprintf(j, ",\"shown\":%zu,\"body_len\":%zu", len, m->body.len);
	/* bytes that are no text: the page shows them escaped (a cut
	 * UTF-8 sequence at the end is no reason to call a body binary) */
	if (!aa_utf8_valid(m->body.data, len > 4 ? len - 4 : len))
		fputs(",\"binary\":true", j);
}

static int on_msg(void *user, const struct aa_follow_msg *m)
{
	struct tls_pass *t = user;
	FILE *j = t->j;

	item_start(t, kind_name(m->kind));
	fprintf(j, ",\"conn\":%llu,\"pid\":%u,\"dir\":\"%s\",\"t\":%lld,\"proto\":\"%s\"",
		(unsigned long long)conn_number(t, m->conn, 1, 0), m->pid,
		m->direction == AA_TLS_WRITE ? "write" : "read", (long long)(m->time_ns - t->base),
		aa_follow_proto_name(m->proto));
	if (m->stream_id)
		fprintf(j, ",\"stream\":%d", (int)m->stream_id);
	switch (m->kind) {
	case AA_FOLLOW_NOTE:
		fputs(",\"note\":", j);
		aa_enc_json_string(j, (const uint8_t *)m->note, strlen(m->note));
		break;
	case AA_FOLLOW_SSE:
		put_bytes(j, "event", m->event);
		put_bytes(j, "id", m->id);
		put_bytes(j, "data", m->data);
		break;
	case AA_FOLLOW_OTHER:
		put_body(t, m);
		break;
	case AA_FOLLOW_HTTP:
		fprintf(j, ",\"req\":%s,\"status\":%d", m->is_request ? "true" : "false", m->status);
		put_bytes(j, "method", m->method);
		put_bytes(j, "path", m->path);
		put_bytes(j, "authority", m->authority);
		put_bytes(j, "version", m->version);
		put_bytes(j, "encoding", m->encoding);
		fputs(",\"headers\":[", j);
		for (size_t i = 0; i < m->nheaders; i++) {
			fputs(i ? ",[" : "[", j);
			aa_enc_json_string(j, m->headers[i].name.data, m->headers[i].name.len);
			putc(',', j);
			aa_enc_json_string(j, m->headers[i].value.data, m->headers[i].value.len);
			putc(']', j);
		}
		fprintf(j, "],\"raw_len\":%llu,\"cut\":%s,\"incomplete\":%s,\"events\":%s",
			(unsigned long long)m->raw_len, m->body_cut ? "true" : "false",
			m->body_incomplete ? "true" : "false", m->events ? "true" : "false");
		put_body(t, m);
		break;
	}
	putc('}', j);
	return 0;
}

struct report_tls *report_tls_new(void)
{
	struct aa_follow_callbacks cb = { .on_conn = on_conn, .on_msg = on_msg, .on_conn_end = on_conn_end };
	struct tls_pass *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (!(t->j = tmpfile()) || aa_follower_new(&t->f, NULL, &cb, t)) {
		if (t->j)
			fclose(t->j);
		free(t);
		return NULL;
	}
	return (struct report_tls *)t;
}

void report_tls_add(struct report_tls *r, const struct aa_record *rec)
{
	struct tls_pass *t = (struct tls_pass *)r;

	if (!t->based) {
		t->base = rec->time_ns;
		t->based = 1;
	}
	/* TLS pieces, and the exits that end a process's connections (the
	 * follower ignores the rest): open connections stay few */
	if (!t->failed && aa_follower_add(t->f, rec) < 0)
		t->failed = 1;
}

int report_tls_finish(struct report_tls *r, FILE *j, uint64_t base_ns)
{
	struct tls_pass *t = (struct tls_pass *)r;
	char buf[65536];
	size_t n;
	int status = CLI_OK;

	if (!t->failed && aa_follower_end(t->f) < 0)
		t->failed = 1;
	fprintf(j, ",\"tls\":{\"shift\":%llu,\"items\":[",
		(unsigned long long)(t->based && t->base > base_ns ? t->base - base_ns : 0));
	rewind(t->j);
	while ((n = fread(buf, 1, sizeof(buf), t->j)) > 0)
		fwrite(buf, 1, n, j);
	if (ferror(t->j)) {
		cli_err("the TLS conversations' temporary file (in $TMPDIR, else /tmp): read failed");
		status = CLI_USAGE;
	}
	if (t->failed) {
		cli_err("out of memory decoding the TLS conversations: the page holds those before");
		status = cli_worse(status, CLI_DATA);
	}
	fprintf(j, "],\"conns\":%llu,\"bodies_omitted\":%llu}", (unsigned long long)t->next_conn,
		(unsigned long long)t->bodies_omitted);
	return status;
}

void report_tls_free(struct report_tls *r)
{
	struct tls_pass *t = (struct tls_pass *)r;

	if (!t)
		return;
	aa_follower_free(t->f);
	fclose(t->j);
	free(t);
}
