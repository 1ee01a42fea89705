/* SPDX-License-Identifier: MIT */
/* What aa_follow delivers, as aa-replay follow prints it (aa_follow.h). */
#include <string.h>

#include "aa_follow.h"
#include "aa_print.h"
#include "decode.h"
#include "print_enc.h"

static void conn_id(FILE *f, const struct aa_follow_conn *c)
{
	if (c->known)
		fprintf(f, "conn=%llu", (unsigned long long)c->id);
	else
		fputs("conn=?", f);
}

/* "HOST " or "HOST/SSSSSSSS " (text), or "host":"...", (JSON, after its '{'). */
static void host(FILE *f, const struct aa_follow_conn *c, unsigned flags)
{
	if (!(flags & AA_FOLLOW_HOST) || !c || !c->host)
		return;
	if (flags & AA_FOLLOW_JSON) {
		fputs("\"host\":", f);
		aa_enc_json_string(f, (const uint8_t *)c->host, strlen(c->host));
		if ((flags & AA_FOLLOW_SESSION) && c->session)
			fprintf(f, ",\"session\":\"%02x%02x%02x%02x\"", c->session[0], c->session[1],
				c->session[2], c->session[3]);
		putc(',', f);
		return;
	}
	aa_enc_text_bare(f, (const uint8_t *)c->host, strlen(c->host));
	if ((flags & AA_FOLLOW_SESSION) && c->session)
		fprintf(f, "/%02x%02x%02x%02x", c->session[0], c->session[1], c->session[2], c->session[3]);
	putc(' ', f);
}

int aa_follow_print_conn(FILE *f, const struct aa_follow_conn *c, unsigned flags)
{
	char a[AA_ENDPOINT_BUF], b[AA_ENDPOINT_BUF], t[AA_TIME_BUF];

	host(f, c, flags & ~AA_FOLLOW_JSON);
	fprintf(f, "%s ", aa_format_time(t, c->first_ns));
	conn_id(f, c);
	fprintf(f, " pid=%u comm=", c->pid);
	aa_enc_text_string(f, (const uint8_t *)c->comm, strnlen(c->comm, sizeof(c->comm)));
	if (!c->known) {
		fputs(" connection not recorded (no tls_conn records): this process's calls as one conversation\n",
		      f);
		return aa_enc_status(f);
	}
	if (c->family == 2 || c->family == 10)
		fprintf(f, " %s -> %s", aa_format_endpoint(a, c->family, c->local_addr, c->local_port),
			aa_format_endpoint(b, c->family, c->peer_addr, c->peer_port));
	if (c->fd >= 0)
		fprintf(f, " fd=%d", c->fd);
	const char *lib = aa_tls_lib_name(c->lib);
	fprintf(f, " lib=%s\n", lib ? lib : "?");
	return aa_enc_status(f);
}

static void line_start(FILE *f, unsigned flags, const struct aa_follow_conn *c, uint32_t pid,
		       unsigned dir, uint64_t t)
{
	char tb[AA_TIME_BUF];

	host(f, c, flags);
	fprintf(f, "%s ", aa_format_time(tb, t));
	conn_id(f, c);
	fprintf(f, " pid=%u %c ", pid, dir == AA_TLS_WRITE ? '>' : '<');
}

/*
 * How bytes can be shown: 2 plain text (valid UTF-8, no control but tab and
 * newline: printed as they are, a line each), 1 text with escapes (valid
 * UTF-8 with other controls), 0 a hex dump.
 */
/* 1 when the 8 bytes of w are all printable ASCII (0x20 to 0x7e). */
static int printable8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t del = w ^ (0x7f * ones);

	return !(w & high) && !((w - 0x20 * ones) & high) && !((del - ones) & ~del & high);
}

static int text_kind(const uint8_t *p, size_t n)
{
	int plain = 1;

	for (size_t i = 0; i < n;) {
		uint64_t w;
		if (n - i >= 8 && (memcpy(&w, p + i, 8), printable8(w))) {
			i += 8;
			continue;
		}
		if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\t') {
			i++; /* plain ASCII, most of any text: no call */
			continue;
		}
		size_t l = aa_utf8_seq_len(p + i, n - i);
		if (!l)
			return 0;
		if (l == 1 && ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') || p[i] == 0x7f))
			plain = 0;
		if (l == 1 && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return 0;
		if (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			plain = 0; /* a C1 control */
		i += l;
	}
	return plain ? 2 : 1;
}

/* A name, path or header value on a line of its own: as it is when plain
 * text without a newline, else escaped. */
static void put_text(FILE *f, struct aa_follow_bytes b)
{
	if (b.len && text_kind(b.data, b.len) == 2 && !memchr(b.data, '\n', b.len))
		fwrite(b.data, 1, b.len, f);
	else
		aa_enc_text_bare(f, b.data, b.len);
}

static void hexdump(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t off = 0; off < n; off += 16) {
		size_t k = n - off < 16 ? n - off : 16;
		fprintf(f, "    %08zx ", off);
		for (size_t i = 0; i < 16; i++)
			i < k ? fprintf(f, " %02x", p[off + i]) : fputs("   ", f);
		fputs("  |", f);
		for (size_t i = 0; i < k; i++)
			putc(p[off + i] >= 0x20 && p[off + i] < 0x7f ? p[off + i] : '.', f);
		fputs("|\n", f);
	}
}

/* Bytes as indented lines of escaped text, or a hex dump. */
static void bytes_block(FILE *f, unsigned flags, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	if ((flags & AA_FOLLOW_PRETTY) && dec_json_pretty(NULL, p, n, NULL) == 0) {
		fputs("    ", f);
		dec_json_pretty(f, p, n, "    ");
		putc('\n', f);
		return;
	}
	int kind = text_kind(p, n);
	if (!kind)
		return hexdump(f, p, n);
	while (n) {
		const uint8_t *eol = memchr(p, '\n', n);
		size_t l = eol ? (size_t)(eol - p) + 1 : n;
		fputs("    ", f);
		if (kind == 2)
			fwrite(p, 1, l - (eol != NULL), f);
		else
			aa_enc_text_bare(f, p, l - (eol != NULL));
		putc('\n', f);
		p += l, n -= l;
	}
}

static void text_msg(FILE *f, unsigned flags, const struct aa_follow_msg *m)
{
	line_start(f, flags, m->conn, m->pid, m->direction, m->time_ns);
	switch (m->kind) {
	case AA_FOLLOW_NOTE:
		fprintf(f, "note: %s\n", m->note);
		return;
	case AA_FOLLOW_OTHER:
		fprintf(f, "%zu bytes (not HTTP)\n", m->body.len);
		bytes_block(f, flags, m->body.data, m->body.len);
		return;
	case AA_FOLLOW_SSE:
		fputs("event", f);
		if (m->stream_id)
			fprintf(f, " stream=%d", m->stream_id);
		if (m->event.data) {
			fputs(" event=", f);
			aa_enc_text_string(f, m->event.data, m->event.len);
		}
		if (m->id.data) {
			fputs(" id=", f);
			aa_enc_text_string(f, m->id.data, m->id.len);
		}
		if (m->data.data) {
			fputs(" data=", f);
			aa_enc_text_string(f, m->data.data, m->data.len);
		}
		putc('\n', f);
		return;
	case AA_FOLLOW_HTTP:
		break;
	}
	fputs(aa_follow_proto_name(m->proto), f);
	if (m->stream_id)
		fprintf(f, " stream=%d", m->stream_id);
	if (m->is_request) {
		putc(' ', f);
		put_text(f, m->method);
		putc(' ', f);
		put_text(f, m->path);
	} else {
		fprintf(f, " %d", m->status);
	}
	if (m->body.len || m->raw_len) {
		fprintf(f, " body=%zu", m->body.len);
		if (m->encoding.data) {
			fputs(" (", f);
			put_text(f, m->encoding);
			fprintf(f, " from %llu)", (unsigned long long)m->raw_len);
		}
	}
	if (m->body_cut)
		fputs(" body_cut", f);
	if (m->body_incomplete)
		fputs(" incomplete", f);
	if (m->events)
		fputs(" events follow", f);
	putc('\n', f);
	for (size_t i = 0; i < m->nheaders; i++) {
		fputs("  ", f);
		put_text(f, m->headers[i].name);
		fputs(": ", f);
		put_text(f, m->headers[i].value);
		putc('\n', f);
	}
	bytes_block(f, flags, m->body.data, m->body.len);
}

static void json_head(FILE *f, unsigned flags, const struct aa_follow_conn *c, uint32_t pid,
		      unsigned dir, uint64_t t)
{
	char tb[AA_TIME_BUF];

	putc('{', f);
	host(f, c, flags);
	fputs("\"conn\":", f);
	if (c->known)
		aa_enc_u64(f, c->id);
	else
		fputs("null", f);
	fputs(",\"pid\":", f);
	aa_enc_u64(f, pid);
	aa_enc_json_field(f, "comm", (const uint8_t *)c->comm, strnlen(c->comm, sizeof(c->comm)));
	if (c->family == 2 || c->family == 10) {
		char e[AA_ENDPOINT_BUF];
		fprintf(f, ",\"local\":\"%s\"", aa_format_endpoint(e, c->family, c->local_addr, c->local_port));
		fprintf(f, ",\"peer\":\"%s\"", aa_format_endpoint(e, c->family, c->peer_addr, c->peer_port));
	}
	fputs(dir == AA_TLS_WRITE ? ",\"direction\":\"write\",\"time\":\"" : ",\"direction\":\"read\",\"time\":\"", f);
	fputs(aa_format_time(tb, t), f);
	fputs("\",\"time_ns\":", f);
	aa_enc_u64(f, t);
}

static void json_opt(FILE *f, const char *name, struct aa_follow_bytes b)
{
	if (b.data) {
		aa_enc_json_field(f, name, b.data, b.len);
	} else {
		aa_enc_json_key(f, name);
		fputs("null", f);
	}
}

/* ,"headers":[[name, value] ...] as JSON strings, or "headers_b64" in base64. */
static void json_headers(FILE *f, const struct aa_follow_msg *m, int b64)
{
	fputs(b64 ? ",\"headers_b64\":[" : ",\"headers\":[", f);
	for (size_t i = 0; i < m->nheaders; i++) {
		const struct aa_follow_bytes *b[2] = { &m->headers[i].name, &m->headers[i].value };
		fputs(i ? ",[" : "[", f);
		for (int k = 0; k < 2; k++) {
			if (k)
				putc(',', f);
			if (b64) {
				putc('"', f);
				aa_enc_base64(f, b[k]->data, b[k]->len);
				putc('"', f);
			} else {
				aa_enc_json_string(f, b[k]->data, b[k]->len);
			}
		}
		putc(']', f);
	}
	putc(']', f);
}

static void json_msg(FILE *f, unsigned flags, const struct aa_follow_msg *m)
{
	static const char *const kinds[] = { "?", "http", "sse", "other", "note" };

	json_head(f, flags, m->conn, m->pid, m->direction, m->time_ns);
	fputs(",\"kind\":\"", f);
	fputs(kinds[m->kind], f);
	fputs("\",\"proto\":\"", f);
	fputs(aa_follow_proto_name(m->proto), f);
	putc('"', f);
	if (m->stream_id) {
		fputs(",\"stream\":", f);
		aa_enc_i64(f, m->stream_id);
	}
	if (m->kind == AA_FOLLOW_NOTE) {
		aa_enc_json_field(f, "note", (const uint8_t *)m->note, strlen(m->note));
	} else if (m->kind == AA_FOLLOW_SSE) {
		json_opt(f, "event", m->event);
		json_opt(f, "id", m->id);
		json_opt(f, "data", m->data);
	} else if (m->kind == AA_FOLLOW_OTHER) {
		aa_enc_json_field(f, "body", m->body.data, m->body.len);
	} else {
		fputs(m->is_request ? ",\"request\":true" : ",\"request\":false", f);
		json_opt(f, "method", m->method);
		json_opt(f, "path", m->path);
		if (m->proto == AA_FOLLOW_PROTO_H2) {
			json_opt(f, "authority", m->authority);
			json_opt(f, "scheme", m->scheme);
		}
		fputs(",\"status\":", f);
		if (m->is_request)
			fputs("null", f);
		else
			aa_enc_i64(f, m->status);
		json_headers(f, m, 0);
		for (size_t i = 0; i < m->nheaders; i++)
			if (!aa_utf8_valid(m->headers[i].name.data, m->headers[i].name.len) ||
			    !aa_utf8_valid(m->headers[i].value.data, m->headers[i].value.len)) {
				json_headers(f, m, 1); /* the exact bytes too */
				break;
			}
		aa_enc_json_field(f, "body", m->body.data, m->body.len);
		fputs(",\"body_len\":", f);
		aa_enc_u64(f, m->body.len);
		fputs(",\"raw_len\":", f);
		aa_enc_u64(f, m->raw_len);
		json_opt(f, "encoding", m->encoding);
		fputs(m->body_cut ? ",\"body_cut\":true" : ",\"body_cut\":false", f);
		fputs(m->body_incomplete ? ",\"body_incomplete\":true" : ",\"body_incomplete\":false", f);
		fputs(m->events ? ",\"events\":true" : ",\"events\":false", f);
	}
	fputs("}\n", f);
}

int aa_follow_print_msg(FILE *f, const struct aa_follow_msg *m, unsigned flags)
{
	if (flags & AA_FOLLOW_JSON)
		json_msg(f, flags, m);
	else
		text_msg(f, flags, m);
	return aa_enc_status(f);
}

int aa_follow_print_call(FILE *f, const struct aa_follow_call *c, unsigned flags)
{
	if (flags & AA_FOLLOW_JSON) {
		json_head(f, flags, c->conn, c->pid, c->direction, c->time_ns);
		fprintf(f, ",\"tid\":%u,\"len\":%zu,\"data_len\":%u,\"offset\":%llu,\"last\":%s,\"lost\":%u",
			c->tid, c->len, c->data_len, (unsigned long long)c->offset,
			c->last ? "true" : "false", c->lost);
		aa_enc_json_field(f, "data", c->data, c->len);
		fputs("}\n", f);
	} else {
		line_start(f, flags, c->conn, c->pid, c->direction, c->time_ns);
		fprintf(f, "%zu bytes", c->len);
		if (c->offset || !c->last)
			fprintf(f, " at %llu of %u", (unsigned long long)c->offset, c->data_len);
		if (c->lost)
			fprintf(f, " (%u bytes lost)", c->lost);
		putc('\n', f);
		bytes_block(f, flags, c->data, c->len);
	}
	return aa_enc_status(f);
}
