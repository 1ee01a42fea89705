/* SPDX-License-Identifier: MIT */
/* aa-replay follow: TLS conversations and the HTTP in them (aa_follow.h). */
#include <stdlib.h>
#include <string.h>

#include "aa_follow.h"
#include "aa_print.h"
#include "cli.h"
#include "decode.h"
#include "print_enc.h"

static const char help[] =
	"Usage: " CLI_PROG " follow [OPTIONS] FILE...\n"
	"Show the TLS conversations of FILE... (a rotated set, oldest first): each\n"
	"connection's calls joined from their pieces, both directions in order, and\n"
	"where the bytes are HTTP the messages in them: HTTP/1.1 requests and\n"
	"responses (chunked bodies, gzip, deflate and brotli undone), HTTP/2 streams\n"
	"(HPACK kept across the whole connection), server-sent events one per line.\n"
	"Bytes that are not HTTP print as text with escapes, or as a hex dump.\n"
	"'>' is what the process sent (SSL_write), '<' what it received (SSL_read).\n"
	"\n"
	"  --conn ID       only the connection of socket inode ID (conn= in the output)\n"
	"  --pid PID       only calls of this pid (repeatable, or comma-separated)\n"
	"  --raw           the calls' bytes only, no decoding\n"
	"  --json          one JSON object per message (with --raw: per call): \"conn\",\n"
	"                  \"pid\", \"comm\", \"direction\" (write, read), \"time\", \"kind\"\n"
	"                  (http, sse, other, note), \"proto\", \"method\", \"path\",\n"
	"                  \"status\", \"headers\" ([name, value] pairs), \"body\" (decoded;\n"
	"                  \"body_b64\" beside it when not UTF-8), \"raw_len\" ...\n"
	"  --pretty        JSON bodies indented (text output)\n"
	"  --max-body N    keep at most N bytes of one body (default 16 MiB); longer\n"
	"                  ones are cut and say so\n"
	"  -h, --help      this help\n"
	"\n"
	"A connection is its socket, as tls_conn records name it (format version 2).\n"
	"Without them (version 1 files) a process's calls are shown as one\n"
	"conversation of conn=?, and said so. A connection that began before the\n"
	"recording is decoded as far as it can be, and said so.\n"
	"\n"
	"Examples:\n"
	"  " CLI_PROG " follow session.pcapng\n"
	"  " CLI_PROG " follow --pid 4242 --pretty session.pcapng\n"
	"  " CLI_PROG " follow --json session.pcapng | jq 'select(.kind == \"http\") | .path'\n"
	"  " CLI_PROG " follow --raw --conn 81234 session.pcapng\n";

struct out {
	FILE *f;
	int json, pretty;
	char t[AA_TIME_BUF];
};

static void conn_id(FILE *f, const struct aa_follow_conn *c)
{
	if (c->known)
		fprintf(f, "conn=%llu", (unsigned long long)c->id);
	else
		fputs("conn=?", f);
}

static int on_conn(void *user, const struct aa_follow_conn *c)
{
	struct out *o = user;
	char a[AA_ENDPOINT_BUF], b[AA_ENDPOINT_BUF];

	if (o->json)
		return 0;
	fprintf(o->f, "%s ", aa_format_time(o->t, c->first_ns));
	conn_id(o->f, c);
	fprintf(o->f, " pid=%u comm=", c->pid);
	aa_enc_text_string(o->f, (const uint8_t *)c->comm, strnlen(c->comm, sizeof(c->comm)));
	if (!c->known) {
		fputs(" connection not recorded (no tls_conn records): this process's calls as one conversation\n",
		      o->f);
		return 0;
	}
	if (c->family == 2 || c->family == 10)
		fprintf(o->f, " %s -> %s", aa_format_endpoint(a, c->family, c->local_addr, c->local_port),
			aa_format_endpoint(b, c->family, c->peer_addr, c->peer_port));
	if (c->fd >= 0)
		fprintf(o->f, " fd=%d", c->fd);
	const char *lib = aa_tls_lib_name(c->lib);
	fprintf(o->f, " lib=%s\n", lib ? lib : "?");
	return 0;
}

static void line_start(struct out *o, const struct aa_follow_conn *c, uint32_t pid, unsigned dir,
		       uint64_t t)
{
	fprintf(o->f, "%s ", aa_format_time(o->t, t));
	conn_id(o->f, c);
	fprintf(o->f, " pid=%u %c ", pid, dir == AA_TLS_WRITE ? '>' : '<');
}

/*
 * How bytes can be shown: 2 plain text (valid UTF-8, no control but tab and
 * newline: printed as they are, a line each), 1 text with escapes (valid
 * UTF-8 with other controls), 0 a hex dump.
 */
static int text_kind(const uint8_t *p, size_t n)
{
	int plain = 1;

	for (size_t i = 0; i < n;) {
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
static void bytes_block(struct out *o, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	if (o->pretty && dec_json_pretty(NULL, p, n, NULL) == 0) {
		fputs("    ", o->f);
		dec_json_pretty(o->f, p, n, "    ");
		putc('\n', o->f);
		return;
	}
	int kind = text_kind(p, n);
	if (!kind)
		return hexdump(o->f, p, n);
	while (n) {
		const uint8_t *eol = memchr(p, '\n', n);
		size_t l = eol ? (size_t)(eol - p) + 1 : n;
		fputs("    ", o->f);
		if (kind == 2)
			fwrite(p, 1, l - (eol != NULL), o->f);
		else
			aa_enc_text_bare(o->f, p, l - (eol != NULL));
		putc('\n', o->f);
		p += l, n -= l;
	}
}

static void text_msg(struct out *o, const struct aa_follow_msg *m)
{
	FILE *f = o->f;

	line_start(o, m->conn, m->pid, m->direction, m->time_ns);
	switch (m->kind) {
	case AA_FOLLOW_NOTE:
		fprintf(f, "note: %s\n", m->note);
		return;
	case AA_FOLLOW_OTHER:
		fprintf(f, "%zu bytes (not HTTP)\n", m->body.len);
		bytes_block(o, m->body.data, m->body.len);
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
	bytes_block(o, m->body.data, m->body.len);
}

static void json_head(struct out *o, const struct aa_follow_conn *c, uint32_t pid, unsigned dir,
		      uint64_t t)
{
	FILE *f = o->f;

	if (c->known)
		fprintf(f, "{\"conn\":%llu", (unsigned long long)c->id);
	else
		fputs("{\"conn\":null", f);
	fprintf(f, ",\"pid\":%u", pid);
	aa_enc_json_field(f, "comm", (const uint8_t *)c->comm, strnlen(c->comm, sizeof(c->comm)));
	fprintf(f, ",\"direction\":\"%s\",\"time\":\"%s\",\"time_ns\":%llu",
		dir == AA_TLS_WRITE ? "write" : "read", aa_format_time(o->t, t), (unsigned long long)t);
}

static void json_opt(FILE *f, const char *name, struct aa_follow_bytes b)
{
	if (b.data)
		aa_enc_json_field(f, name, b.data, b.len);
	else
		fprintf(f, ",\"%s\":null", name);
}

static void json_msg(struct out *o, const struct aa_follow_msg *m)
{
	static const char *const kinds[] = { "?", "http", "sse", "other", "note" };
	FILE *f = o->f;

	json_head(o, m->conn, m->pid, m->direction, m->time_ns);
	fprintf(f, ",\"kind\":\"%s\",\"proto\":\"%s\"", kinds[m->kind], aa_follow_proto_name(m->proto));
	if (m->stream_id)
		fprintf(f, ",\"stream\":%d", m->stream_id);
	if (m->kind == AA_FOLLOW_NOTE) {
		aa_enc_json_field(f, "note", (const uint8_t *)m->note, strlen(m->note));
	} else if (m->kind == AA_FOLLOW_SSE) {
		json_opt(f, "event", m->event);
		json_opt(f, "id", m->id);
		json_opt(f, "data", m->data);
	} else if (m->kind == AA_FOLLOW_OTHER) {
		aa_enc_json_field(f, "body", m->body.data, m->body.len);
	} else {
		fprintf(f, ",\"request\":%s", m->is_request ? "true" : "false");
		json_opt(f, "method", m->method);
		json_opt(f, "path", m->path);
		if (m->proto == AA_FOLLOW_PROTO_H2) {
			json_opt(f, "authority", m->authority);
			json_opt(f, "scheme", m->scheme);
		}
		if (m->is_request)
			fputs(",\"status\":null", f);
		else
			fprintf(f, ",\"status\":%d", m->status);
		fputs(",\"headers\":[", f);
		for (size_t i = 0; i < m->nheaders; i++) {
			/* a header's name and value: JSON strings (escaped as the library does) */
			fputs(i ? ",[" : "[", f);
			aa_enc_json_string(f, m->headers[i].name.data, m->headers[i].name.len);
			putc(',', f);
			aa_enc_json_string(f, m->headers[i].value.data, m->headers[i].value.len);
			putc(']', f);
		}
		putc(']', f);
		aa_enc_json_field(f, "body", m->body.data, m->body.len);
		fprintf(f, ",\"body_len\":%zu,\"raw_len\":%llu", m->body.len, (unsigned long long)m->raw_len);
		json_opt(f, "encoding", m->encoding);
		fprintf(f, ",\"body_cut\":%s,\"body_incomplete\":%s,\"events\":%s",
			m->body_cut ? "true" : "false", m->body_incomplete ? "true" : "false",
			m->events ? "true" : "false");
	}
	fputs("}\n", f);
}

static int on_msg(void *user, const struct aa_follow_msg *m)
{
	struct out *o = user;

	if (o->json)
		json_msg(o, m);
	else
		text_msg(o, m);
	return ferror(o->f) ? -1 : 0;
}

static int on_call(void *user, const struct aa_follow_call *c)
{
	struct out *o = user;

	if (o->json) {
		json_head(o, c->conn, c->pid, c->direction, c->time_ns);
		fprintf(o->f, ",\"tid\":%u,\"len\":%zu,\"data_len\":%u,\"offset\":%llu,\"last\":%s,\"lost\":%u",
			c->tid, c->len, c->data_len, (unsigned long long)c->offset,
			c->last ? "true" : "false", c->lost);
		aa_enc_json_field(o->f, "data", c->data, c->len);
		fputs("}\n", o->f);
	} else {
		line_start(o, c->conn, c->pid, c->direction, c->time_ns);
		fprintf(o->f, "%zu bytes", c->len);
		if (c->offset || !c->last)
			fprintf(o->f, " at %llu of %u", (unsigned long long)c->offset, c->data_len);
		if (c->lost)
			fprintf(o->f, " (%u bytes lost)", c->lost);
		putc('\n', o->f);
		bytes_block(o, c->data, c->len);
	}
	return ferror(o->f) ? -1 : 0;
}

int cmd_follow(int argc, char **argv)
{
	enum { OPT_CONN = 0x2001, OPT_RAW, OPT_JSON, OPT_PRETTY, OPT_MAX_BODY };
	static const struct option longopts[] = {
		{ "conn", required_argument, NULL, OPT_CONN },
		{ "pid", required_argument, NULL, CLI_OPT_PID },
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "pretty", no_argument, NULL, OPT_PRETTY },
		{ "max-body", required_argument, NULL, OPT_MAX_BODY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct aa_follow_opts fo = { 0 };
	struct cli_filter cf = { 0 };
	struct out o = { .f = stdout };
	struct cli_input in = { 0 };
	struct aa_follow_callbacks cb = { .on_conn = on_conn, .on_msg = on_msg };
	struct aa_filter filter;
	struct aa_error_info err;
	int c, status;
	char *end;

	while ((c = cli_getopt("follow", argc, argv, "h", longopts)) != -1) {
		int r;
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == OPT_CONN) {
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || !v)
				return cli_usage("follow", "--conn: '%s' is not a connection id (a socket inode)", optarg);
			fo.conn = v;
		} else if (c == OPT_MAX_BODY) {
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || !v || v > (1ull << 30))
				return cli_usage("follow", "--max-body: '%s' is not a size of 1 to 1073741824 bytes", optarg);
			fo.max_body = (size_t)v;
		} else if (c == OPT_RAW) {
			fo.raw = 1;
		} else if (c == OPT_JSON) {
			o.json = 1;
		} else if (c == OPT_PRETTY) {
			o.pretty = 1;
		} else if ((r = cli_filter_option(&cf, "follow", c, optarg)) != 1) {
			return r ? r : CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("follow", "no FILE given");
	if (fo.raw) {
		cb.on_call = on_call;
		cb.on_msg = NULL;
	}
	const char *const *paths = (const char *const *)argv + optind;
	size_t npaths = (size_t)(argc - optind);
	cf.types = AA_TYPE_BIT(AA_TYPE_TLS);
	if ((status = cli_filter_resolve(&cf, "follow", paths, npaths, &filter)) != CLI_OK)
		return status;
	if ((status = cli_open(&in, paths, npaths, &filter)) != CLI_OK)
		return status;
	cli_stdout_setup();
	int rc = aa_follow(in.src, &fo, &cb, &o, &err);
	fflush(stdout);
	status = cli_output_check(stdout, "stdout");
	if (rc < 0 && rc != AA_E_STOPPED) {
		cli_err_info(&err);
		status = cli_worse(status, cli_status_of(rc));
	}
	return cli_close(&in, status);
}
