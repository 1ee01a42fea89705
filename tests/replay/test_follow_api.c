/* SPDX-License-Identifier: MIT */
/*
 * aa_follow() as other views call it: a connection's identity and totals
 * (on_conn, on_conn_end), whole calls joined from pieces of two threads
 * interleaved (on_call), messages (on_msg) in order, a callback's stop
 * (AA_E_STOPPED, err filled), --conn's option, raw (no messages).
 */
#include "cli_fixture.h"
#include "evid.h"
#include "aa_follow.h"
#include "print_enc.h"

TestSuite(follow_api, .timeout = 30);

#define TS 1000000u

struct seen {
	int conns, ends, calls, msgs, stop_at;
	uint64_t end_order[3];
	int end_at[3];           /* calls seen when each of the first three ended */
	uint64_t end_calls[2], end_bytes[2], end_first, end_last;
	char log[4096];
};

static void add(struct seen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct seen *s, const char *fmt, ...)
{
	va_list ap;
	size_t at = strlen(s->log);
	va_start(ap, fmt);
	vsnprintf(s->log + at, sizeof(s->log) - at, fmt, ap);
	va_end(ap);
}

static int on_conn(void *u, const struct aa_follow_conn *c)
{
	struct seen *s = u;
	char a[AA_ENDPOINT_BUF], b[AA_ENDPOINT_BUF];
	s->conns++;
	add(s, "conn %llu %d pid=%u %s %s->%s lib=%u\n", (unsigned long long)c->id, c->known, c->pid, c->comm,
	    aa_format_endpoint(a, c->family, c->local_addr, c->local_port),
	    aa_format_endpoint(b, c->family, c->peer_addr, c->peer_port), c->lib);
	return 0;
}

static int on_call(void *u, const struct aa_follow_call *c)
{
	struct seen *s = u;
	s->calls++;
	add(s, "call %llu tid=%u %u %zu/%u %.4s\n", (unsigned long long)c->conn->id, c->tid, c->direction,
	    c->len, c->data_len, (const char *)c->data);
	return 0;
}

static int on_msg(void *u, const struct aa_follow_msg *m)
{
	struct seen *s = u;
	s->msgs++;
	add(s, "msg %llu %d %.*s%.*s %d %zu\n", (unsigned long long)m->conn->id, m->kind, (int)m->method.len,
	    (const char *)m->method.data, (int)m->path.len, (const char *)m->path.data, m->status, m->body.len);
	return s->stop_at && s->msgs == s->stop_at;
}

static int on_end(void *u, const struct aa_follow_conn *c)
{
	struct seen *s = u;
	if (s->ends < 3) {
		s->end_order[s->ends] = c->id;
		s->end_at[s->ends] = s->calls;
	}
	s->ends++;
	if (c->id == 555) {
		memcpy(s->end_calls, c->calls, sizeof(s->end_calls));
		memcpy(s->end_bytes, c->bytes, sizeof(s->end_bytes));
		s->end_first = c->first_ns;
		s->end_last = c->last_ns;
	}
	return 0;
}

static void make(struct fx *f)
{
	struct aa_tls_conn_event c = { .conn = 555, .fd = 3, .family = 2, .lib = AA_TLS_LIB_OPENSSL,
				       .local_port = 40000, .peer_port = 443 };
	struct aa_writer_opts wo = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	static char big[9000];
	struct aat_recs a = { 0 }, b = { 0 };

	memcpy(c.local_addr, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(c.peer_addr, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	fx_init(f);
	aat_add_task(&f->recs, AA_TASK_SNAPSHOT, TS, 10, 10, 1, "agent", "", 0);
	int h = snprintf(big, sizeof(big), "PUT /big HTTP/1.1\r\nContent-Length: %d\r\n\r\n", 9000 - 43);
	cr_assert_eq(h, 43);
	memset(big + h, 'b', sizeof(big) - (size_t)h);
	/* two threads' calls of 3 pieces each, their records interleaved */
	aat_add_tls_call(&a, TS + 1000, 10, 11, &c, AA_TLS_WRITE, big, 9000);
	aat_add_tls_call(&b, TS + 1000, 10, 12, NULL, AA_TLS_WRITE, big, 9000);
	for (size_t i = 0; i < a.n || i < b.n; i++) {
		if (i < a.n)
			aat_recs_add(&f->recs, aat_recs_at(&a, i), a.len[i]);
		if (i < b.n)
			aat_recs_add(&f->recs, aat_recs_at(&b, i), b.len[i]);
	}
	aat_add_tls_call(&f->recs, TS + 2000, 10, 11, &c, AA_TLS_READ, "HTTP/1.1 204 No Content\r\n\r\n", 27);
	aat_recs_free(&a);
	aat_recs_free(&b);
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &wo, 0, NULL), 0);
}

static int follow(struct fx *f, const struct aa_follow_opts *o, struct seen *s, struct aa_error_info *err)
{
	struct aa_follow_callbacks cb = { on_conn, on_call, on_msg, on_end };
	aa_source *src;

	cr_assert_eq(aa_open_offline(&src, (const char *const *)&f->path, 1, NULL, err), 0);
	int rc = aa_follow(src, o, &cb, s, err);
	aa_close(src);
	return rc;
}

Test(follow_api, conns_calls_messages_totals)
{
	struct fx f;
	struct seen s = { 0 };
	struct aa_follow_opts o = { 0 };
	struct aa_error_info err;

	make(&f);
	cr_assert_eq(follow(&f, &o, &s, &err), 0);
	cr_expect_eq(err.code, 0);
	cr_expect_str_eq(s.log,
			 /* tid 12's first piece came first; it has no tls_conn record */
			 "conn 0 0 pid=10 agent -> lib=0\n"
			 "conn 555 1 pid=10 agent 10.0.0.1:40000->10.0.0.2:443 lib=1\n"
			 "call 0 tid=12 0 9000/9000 PUT \n"
			 "msg 0 1 PUT/big 0 8957\n"
			 "call 555 tid=11 0 9000/9000 PUT \n"
			 "msg 555 1 PUT/big 0 8957\n"
			 "call 555 tid=11 1 27/27 HTTP\n"
			 "msg 555 1  204 0\n");
	cr_expect_eq(s.ends, 2);
	cr_expect_eq(s.end_calls[0], 1);
	cr_expect_eq(s.end_calls[1], 1);
	cr_expect_eq(s.end_bytes[0], 9000);
	cr_expect_eq(s.end_bytes[1], 27);
	cr_expect_eq(s.end_last - s.end_first, 1000);
	fx_free(&f);
}

Test(follow_api, one_conn_raw_and_stop)
{
	struct fx f;
	struct seen s = { 0 };
	struct aa_follow_opts o = { .conn = 555, .raw = 1 };
	struct aa_error_info err;

	make(&f);
	cr_assert_eq(follow(&f, &o, &s, &err), 0);
	cr_expect_eq(s.conns, 1);
	cr_expect_eq(s.calls, 2);
	cr_expect_eq(s.msgs, 0, "raw: no decoding");

	struct seen t = { .stop_at = 1 };
	struct aa_follow_opts all = { 0 };
	cr_assert_eq(follow(&f, &all, &t, &err), AA_E_STOPPED);
	cr_expect_eq(err.code, AA_E_STOPPED);
	cr_expect_eq(t.msgs, 1);
	cr_expect_eq(t.ends, 0, "stopped: nothing after");
	cr_expect_eq(aa_follow(NULL, NULL, NULL, NULL, &err), AA_E_INVAL);
	cr_expect_eq(err.code, AA_E_INVAL);
	cr_expect_str_eq(aa_follow_proto_name(AA_FOLLOW_PROTO_H2), "h2");
	fx_free(&f);
}

Test(follow_api, print_msg_text_and_json)
{
	static const uint8_t body[] = { 'o', 'k', 0xff, '\n' };
	struct aa_follow_conn c = { .id = 7, .known = 1, .pid = 3, .comm = "cu\x1b" };
	struct aa_follow_header h[] = { { { (const uint8_t *)"x-a", 3 }, { (const uint8_t *)"1\x1b[2J", 5 } },
					{ { (const uint8_t *)"x-b", 3 }, { (const uint8_t *)"\xfe", 1 } } };
	struct aa_follow_msg m = { .kind = AA_FOLLOW_HTTP, .conn = &c, .pid = 3, .direction = AA_TLS_READ,
				   .time_ns = 1000000000ull, .proto = AA_FOLLOW_PROTO_HTTP1, .status = 500,
				   .headers = h, .nheaders = 2, .body = { body, sizeof(body) }, .raw_len = 4 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(aa_follow_print_msg(f, &m, 0), 0);
	cr_assert_eq(aa_follow_print_msg(f, &m, AA_FOLLOW_JSON), 0);
	fclose(f);
	/* controls escaped, binary as a hex dump; JSON valid with the exact bytes in base64 */
	cr_expect_str_eq(buf,
			 "1970-01-01T00:00:01.000000000Z conn=7 pid=3 < http/1.1 500 body=4\n"
			 "  x-a: 1\\x1b[2J\n"
			 "  x-b: \\xfe\n"
			 "    00000000  6f 6b ff 0a                                      |ok..|\n"
			 "{\"conn\":7,\"pid\":3,\"comm\":\"cu\\u001b\",\"direction\":\"read\",\"time\":\"1970-01-01T00:00:01.000000000Z\","
			 "\"time_ns\":1000000000,\"kind\":\"http\",\"proto\":\"http/1.1\",\"request\":false,\"method\":null,"
			 "\"path\":null,\"status\":500,\"headers\":[[\"x-a\",\"1\\u001b[2J\"],[\"x-b\",\"\\u00fe\"]],"
			 "\"headers_b64\":[[\"eC1h\",\"MRtbMko=\"],[\"eC1i\",\"/g==\"]],\"body\":\"ok\\u00ff\\u000a\","
			 "\"body_b64\":\"b2v/Cg==\",\"body_len\":4,\"raw_len\":4,\"encoding\":null,\"body_cut\":false,"
			 "\"body_incomplete\":false,\"events\":false}\n");
	free(buf);
}

/* A view's own pass: the records fed one by one give what aa_follow gives. */
Test(follow_api, follower_fed_by_the_caller)
{
	struct fx f;
	struct seen s = { 0 }, t = { 0 };
	struct aa_follow_opts o = { 0 };
	struct aa_follow_callbacks cb = { on_conn, on_call, on_msg, on_end };
	struct aa_error_info err;
	const struct aa_record *rec;
	aa_follower *fl;
	aa_source *src;

	make(&f);
	cr_assert_eq(follow(&f, &o, &s, &err), 0);
	cr_assert_eq(aa_open_offline(&src, (const char *const *)&f.path, 1, NULL, &err), 0);
	cr_assert_eq(aa_follower_new(&fl, &o, &cb, &t), 0);
	while (aa_next(src, &rec) == 1)
		cr_assert_eq(aa_follower_add(fl, rec), 0);
	cr_assert_eq(aa_follower_end(fl), 0);
	cr_expect_eq(aa_follower_end(fl), AA_E_INVAL, "ended once");
	aa_follower_free(fl);
	aa_close(src);
	cr_expect_str_eq(t.log, s.log);
	cr_expect_eq(t.ends, 2);
	cr_expect_eq(aa_follower_new(NULL, NULL, NULL, NULL), AA_E_INVAL);
	aa_follower_free(NULL);
	fx_free(&f);
}

struct evict_seen {
	int conns, ends, msgs;
	uint64_t first_ends[2], one_reads;
};

static int ev_conn(void *u, const struct aa_follow_conn *c)
{
	(void)c;
	((struct evict_seen *)u)->conns++;
	return 0;
}

static int ev_msg(void *u, const struct aa_follow_msg *m)
{
	(void)m;
	((struct evict_seen *)u)->msgs++;
	return 0;
}

static int ev_end(void *u, const struct aa_follow_conn *c)
{
	struct evict_seen *s = u;
	if (s->ends < 2)
		s->first_ends[s->ends] = c->id;
	if (c->id == 1)
		s->one_reads = c->calls[1];
	s->ends++;
	return 0;
}

/* More connections than AA_FOLLOW_MAX_CONNS: the least recently used one
 * ends first (not the first seen, and not one used since), and one that
 * comes back after it ended is a new connection. */
Test(follow_api, least_recently_used_conn_ends_first)
{
	struct fx f;
	struct aa_writer_opts wo = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	struct aa_tls_conn_event c = { .fd = 3, .family = 2, .lib = AA_TLS_LIB_OPENSSL, .peer_port = 443 };
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char resp[] = "HTTP/1.1 204 No Content\r\n\r\n";
	uint64_t t = TS;

	fx_init(&f);
	aat_add_task(&f.recs, AA_TASK_SNAPSHOT, t, 10, 10, 1, "agent", "", 0);
	for (uint64_t id = 1; id <= AA_FOLLOW_MAX_CONNS; id++) {
		c.conn = id;
		aat_add_tls_call(&f.recs, t += 10, 10, 11, &c, AA_TLS_WRITE, req, sizeof(req) - 1);
	}
	c.conn = 1; /* used again: now the most recently used */
	aat_add_tls_call(&f.recs, t += 10, 10, 11, &c, AA_TLS_READ, resp, sizeof(resp) - 1);
	c.conn = AA_FOLLOW_MAX_CONNS + 1; /* one too many: connection 2 ends */
	aat_add_tls_call(&f.recs, t += 10, 10, 11, &c, AA_TLS_WRITE, req, sizeof(req) - 1);
	c.conn = 2; /* back: a new connection; connection 3 ends */
	aat_add_tls_call(&f.recs, t += 10, 10, 11, &c, AA_TLS_WRITE, req, sizeof(req) - 1);
	cr_assert_eq(aat_write_capture(f.path, &f.recs, 0, f.recs.n, &wo, 0, NULL), 0);

	struct evict_seen s = { 0 };
	struct aa_follow_callbacks cb = { .on_conn = ev_conn, .on_msg = ev_msg, .on_conn_end = ev_end };
	struct aa_follow_opts o = { 0 };
	struct aa_error_info err;
	aa_source *src;
	cr_assert_eq(aa_open_offline(&src, (const char *const *)&f.path, 1, NULL, &err), 0);
	cr_assert_eq(aa_follow(src, &o, &cb, &s, &err), 0);
	aa_close(src);
	cr_expect_eq(s.conns, AA_FOLLOW_MAX_CONNS + 2);
	cr_expect_eq(s.ends, AA_FOLLOW_MAX_CONNS + 2);
	cr_expect_eq(s.msgs, AA_FOLLOW_MAX_CONNS + 3);
	cr_expect_eq(s.first_ends[0], 2, "the least recently used ends first, not %llu",
		     (unsigned long long)s.first_ends[0]);
	cr_expect_eq(s.first_ends[1], 3);
	cr_expect_eq(s.one_reads, 1, "connection 1 was used again: one connection, its read counted");
	fx_free(&f);
}

static int print_msg(void *u, const struct aa_follow_msg *m)
{
	return aa_follow_print_msg(u, m, AA_FOLLOW_JSON) != 0;
}

/* follow over the session fixture as `aa-replay follow` opens it (only TLS
 * records delivered, the rest left out before the evidence stage) and
 * with every record delivered: the same messages, with the same comm. */
static char *follow_session(unsigned types)
{
	const char *path = "tests/fixtures/session/session-a.pcapng";
	struct aa_replay_opts ro = { .filter = { .types = types }, .ordered = 1 };
	struct aa_follow_callbacks cb = { .on_msg = print_msg };
	struct aa_follow_opts o = { .ordered = 1 };
	struct aa_error_info err;
	aa_source *src;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(aa_open_offline(&src, &path, 1, &ro, &err), 0, "%s", err.detail);
	cr_assert_eq(aa_follow(src, &o, &cb, f, &err), 0, "%s", err.detail);
	aa_close(src);
	fclose(f);
	return buf;
}

Test(follow_api, only_tls_delivered_gives_the_same_messages)
{
	char *all = follow_session(0), *tls = follow_session(AA_TYPE_BIT(AA_TYPE_TLS));

	cr_expect_str_eq(tls, all);
	cr_expect(strstr(all, "\"method\":\"POST\",\"path\":\"/v1/files\""), "the known request is there");
	cr_expect(strstr(all, "\"comm\":\"curl\""), "comm from the process table");
	free(all);
	free(tls);
}

/* A process's exit ends the connections it opened there and then (their
 * decoders' memory goes with them), after its call still being joined is
 * handed out with the rest counted lost; another process's go on. */
Test(follow_api, exit_ends_the_process_connections)
{
	struct fx f;
	struct aa_writer_opts wo = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	struct aa_tls_conn_event c = { .fd = 3, .family = 2, .lib = AA_TLS_LIB_OPENSSL, .peer_port = 443 };
	static const char req[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
	static char big[9000];
	struct aat_recs part = { 0 };

	memset(big, 'x', sizeof(big));
	fx_init(&f);
	aat_add_task(&f.recs, AA_TASK_SNAPSHOT, TS, 10, 10, 1, "agent", "", 0);
	aat_add_task(&f.recs, AA_TASK_SNAPSHOT, TS, 20, 20, 1, "other", "", 0);
	c.conn = 555;
	aat_add_tls_call(&f.recs, TS + 10, 10, 11, &c, AA_TLS_WRITE, req, sizeof(req) - 1);
	c.conn = 777;
	aat_add_tls_call(&f.recs, TS + 20, 20, 21, &c, AA_TLS_WRITE, req, sizeof(req) - 1);
	c.conn = 556; /* pid 10's second connection */
	aat_add_tls_call(&f.recs, TS + 25, 10, 11, &c, AA_TLS_WRITE, req, sizeof(req) - 1);
	/* pid 10's read of 9000 bytes: only its first piece came */
	c.conn = 555;
	aat_add_tls_call(&part, TS + 30, 10, 11, &c, AA_TLS_READ, big, sizeof(big));
	aat_recs_add(&f.recs, aat_recs_at(&part, 0), part.len[0]);
	aat_recs_add(&f.recs, aat_recs_at(&part, 1), part.len[1]);
	aat_recs_free(&part);
	aat_add_task(&f.recs, AA_TASK_EXIT, TS + 40, 10, 10, 1, "agent", "", 0);
	c.conn = 777;
	aat_add_tls_call(&f.recs, TS + 50, 20, 21, &c, AA_TLS_WRITE, req, sizeof(req) - 1);
	cr_assert_eq(aat_write_capture(f.path, &f.recs, 0, f.recs.n, &wo, 0, NULL), 0);

	struct seen s = { 0 };
	struct aa_follow_callbacks cb = { on_conn, on_call, NULL, on_end };
	struct aa_follow_opts o = { .raw = 1 };
	struct aa_error_info err;
	aa_source *src;
	cr_assert_eq(aa_open_offline(&src, (const char *const *)&f.path, 1, NULL, &err), 0);
	cr_assert_eq(aa_follow(src, &o, &cb, &s, &err), 0);
	aa_close(src);
	/* on_end logs nothing: count where it came by the calls before it */
	cr_expect_eq(s.ends, 3);
	cr_expect_str_eq(s.log,
			 "conn 555 1 pid=10 agent 0.0.0.0:0->0.0.0.0:443 lib=1\n"
			 "call 555 tid=11 0 28/28 GET \n"
			 "conn 777 1 pid=20 other 0.0.0.0:0->0.0.0.0:443 lib=1\n"
			 "call 777 tid=21 0 28/28 GET \n"
			 "conn 556 1 pid=10 agent 0.0.0.0:0->0.0.0.0:443 lib=1\n"
			 "call 556 tid=11 0 28/28 GET \n"
			 "call 555 tid=11 1 4096/9000 xxxx\n"
			 "call 777 tid=21 0 28/28 GET \n");
	/* pid 10's connections end at its exit, in the order first seen */
	cr_expect_eq(s.end_order[0], 555);
	cr_expect_eq(s.end_order[1], 556);
	cr_expect_eq(s.end_order[2], 777);
	cr_expect_eq(s.end_at[0], 4, "after its own last call, before pid 20's second");
	cr_expect_eq(s.end_at[1], 4);
	fx_free(&f);
}
