/* SPDX-License-Identifier: MIT */
/*
 * The HTTP/2 decoder on frames made by libnghttp2's own client and server
 * sessions: two streams on one connection, the second request's headers
 * HPACK-coded against the first's; a gzip body; a connection whose start
 * was not recorded (an HPACK error said once, DATA still decoded); an
 * invalid frame (one note, the other direction goes on).
 */
#include <criterion/criterion.h>
#include <nghttp2/nghttp2.h>
#include <zlib.h>

#include "follow_collect.h"

TestSuite(follow_http2, .timeout = 30);

struct wire {
	uint8_t b[1 << 17];
	size_t n;
};

static ssize_t on_send(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *user)
{
	struct wire *w = user;
	(void)s, (void)flags;
	cr_assert(w->n + len <= sizeof(w->b));
	memcpy(w->b + w->n, data, len);
	w->n += len;
	return (ssize_t)len;
}

static const char MODELS[] = "{\"models\": [\"aa-test\"]}";
static const char LIMITS[] = "{\"limits\": {\"rpm\": 60}}";
static uint8_t limits_gz[256];
static size_t limits_gz_len;

struct body {
	const uint8_t *p;
	size_t n;
};

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
			 nghttp2_data_source *src, void *user)
{
	struct body *b = src->ptr;
	size_t k = b->n < len ? b->n : len;
	(void)s, (void)id, (void)user;
	memcpy(buf, b->p, k);
	b->p += k;
	b->n -= k;
	if (!b->n)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)k;
}

static struct body bodies[3];
static const char EVENTS[] = "event: token\ndata: {\"t\": \"hi\"}\n\n: keep-alive\n\ndata: [DONE]\n\n";
static char big_value[20000]; /* a header block past one frame: HEADERS and CONTINUATION */
static int with_events;       /* exchange() adds stream 5: big headers, an event stream */

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, NGHTTP2_NV_FLAG_NONE }

static int on_frame(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	(void)user;
	if (f->hd.type != NGHTTP2_HEADERS || !(f->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	if (f->hd.stream_id == 5) {
		nghttp2_nv ev[] = { NV(":status", "200"), NV("content-type", "text/event-stream") };
		bodies[2] = (struct body){ (const uint8_t *)EVENTS, strlen(EVENTS) };
		nghttp2_data_provider dp = { .source.ptr = &bodies[2], .read_callback = read_body };
		cr_assert_eq(nghttp2_submit_response(s, 5, ev, 2, &dp), 0);
		return 0;
	}
	int second = f->hd.stream_id == 3;
	nghttp2_nv plain[] = { NV(":status", "200"), NV("content-type", "application/json"),
			       NV("server", "nghttpd aa-test") };
	nghttp2_nv gz[] = { NV(":status", "200"), NV("content-type", "application/json"),
			    NV("server", "nghttpd aa-test"), NV("content-encoding", "gzip") };
	bodies[0] = (struct body){ (const uint8_t *)MODELS, strlen(MODELS) };
	bodies[1] = (struct body){ limits_gz, limits_gz_len };
	nghttp2_data_provider dp = { .source.ptr = &bodies[second], .read_callback = read_body };
	cr_assert_eq(nghttp2_submit_response(s, f->hd.stream_id, second ? gz : plain, second ? 4 : 3, &dp), 0);
	return 0;
}

/* The client's bytes (preface, SETTINGS, two requests) and the server's answer. */
static void exchange(struct wire *cw, struct wire *sw)
{
	nghttp2_session_callbacks *cbs;
	nghttp2_session *cli, *srv;
	z_stream z = { 0 };

	deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)LIMITS;
	z.avail_in = (uInt)strlen(LIMITS);
	z.next_out = limits_gz;
	z.avail_out = sizeof(limits_gz);
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	limits_gz_len = z.total_out;
	deflateEnd(&z);

	memset(cw, 0, sizeof(*cw));
	memset(sw, 0, sizeof(*sw));
	nghttp2_session_callbacks_new(&cbs);
	nghttp2_session_callbacks_set_send_callback(cbs, on_send);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame);
	cr_assert_eq(nghttp2_session_client_new(&cli, cbs, cw), 0);
	cr_assert_eq(nghttp2_session_server_new(&srv, cbs, sw), 0);
	nghttp2_submit_settings(cli, NGHTTP2_FLAG_NONE, NULL, 0);
	nghttp2_submit_settings(srv, NGHTTP2_FLAG_NONE, NULL, 0);
	nghttp2_nv r1[] = { NV(":method", "GET"), NV(":scheme", "https"), NV(":authority", "127.0.0.1:24480"),
			    NV(":path", "/v1/models"), NV("user-agent", "curl/8.14.1"), NV("accept", "*/*") };
	nghttp2_nv r2[] = { NV(":method", "GET"), NV(":scheme", "https"), NV(":authority", "127.0.0.1:24480"),
			    NV(":path", "/v1/limits"), NV("user-agent", "curl/8.14.1"), NV("accept", "*/*") };
	cr_assert_eq(nghttp2_submit_request(cli, NULL, r1, 6, NULL, NULL), 1);
	cr_assert_eq(nghttp2_submit_request(cli, NULL, r2, 6, NULL, NULL), 3);
	if (with_events) {
		memset(big_value, 'v', sizeof(big_value));
		nghttp2_nv r3[] = { NV(":method", "GET"), NV(":scheme", "https"), NV(":authority", "127.0.0.1:24480"),
				    NV(":path", "/v1/events"),
				    { (uint8_t *)"x-big", (uint8_t *)big_value, 5, sizeof(big_value), NGHTTP2_NV_FLAG_NONE } };
		cr_assert_eq(nghttp2_submit_request(cli, NULL, r3, 5, NULL, NULL), 5);
	}
	cr_assert_eq(nghttp2_session_send(cli), 0);
	cr_assert_geq(nghttp2_session_mem_recv(srv, cw->b, cw->n), 0);
	cr_assert_eq(nghttp2_session_send(srv), 0);
	nghttp2_session_del(cli);
	nghttp2_session_del(srv);
	nghttp2_session_callbacks_del(cbs);
}

static struct dec_conn *conn(void)
{
	struct dec_sink s = { collect, NULL, AA_FOLLOW_MAX_BODY };
	got_reset();
	struct dec_conn *c = dec_conn_new(&s);
	cr_assert_not_null(c);
	return c;
}

/* The offset of the first frame of type t on stream id in w (after any preface). */
static size_t frame_at(const struct wire *w, int type, int32_t id)
{
	size_t at = memcmp(w->b, DEC_H2_PREFACE, DEC_H2_PREFACE_LEN) ? 0 : DEC_H2_PREFACE_LEN;
	while (at + 9 <= w->n) {
		size_t len = (size_t)w->b[at] << 16 | (size_t)w->b[at + 1] << 8 | w->b[at + 2];
		int32_t sid = (int32_t)((uint32_t)w->b[at + 5] << 24 | (uint32_t)w->b[at + 6] << 16 |
					(uint32_t)w->b[at + 7] << 8 | w->b[at + 8]);
		if (w->b[at + 3] == type && sid == id)
			return at;
		at += 9 + len;
	}
	cr_assert_fail("no frame of type %d on stream %d", type, id);
	return 0;
}

static struct got *stream_msg(int32_t id, int request)
{
	for (size_t i = 0; i < ngot; i++)
		if (got[i].kind == AA_FOLLOW_HTTP && got[i].stream == id && got[i].is_request == request)
			return &got[i];
	cr_assert_fail("no %s on stream %d", request ? "request" : "response", id);
	return NULL;
}

static struct wire cw, sw;

Test(follow_http2, two_streams_hpack_state)
{
	exchange(&cw, &sw);
	/* the second request's headers refer to the first's in HPACK's table */
	size_t h1 = frame_at(&cw, 1, 1), h3 = frame_at(&cw, 1, 3);
	cr_assert_lt(cw.b[h3 + 2], cw.b[h1 + 2] / 2, "stream 3's block is not smaller");

	/* fed as calls of any size: here 7 bytes at a time */
	struct dec_conn *c = conn();
	for (size_t i = 0; i < cw.n; i += 7)
		dec_conn_feed(c, AA_TLS_WRITE, 1000, cw.b + i, cw.n - i < 7 ? cw.n - i : 7, i == 0);
	for (size_t i = 0; i < sw.n; i += 7)
		dec_conn_feed(c, AA_TLS_READ, 2000, sw.b + i, sw.n - i < 7 ? sw.n - i : 7, i == 0);
	cr_assert_eq(dec_conn_proto(c), AA_FOLLOW_PROTO_H2);
	dec_conn_end(c);
	dec_conn_free(c);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, NULL), 0, "%s", ngot ? got[0].note : "");
	cr_assert_eq(got_count(AA_FOLLOW_HTTP, NULL), 4);
	struct got *q1 = stream_msg(1, 1), *q3 = stream_msg(3, 1), *r1 = stream_msg(1, 0), *r3 = stream_msg(3, 0);
	cr_assert_str_eq(q1->method, "GET");
	cr_assert_str_eq(q1->path, "/v1/models");
	cr_assert_str_eq(q3->path, "/v1/limits");
	cr_assert_str_eq(q3->authority, "127.0.0.1:24480");
	cr_assert(strstr(q3->hdrs, "user-agent: curl/8.14.1\n"));
	cr_assert_eq(q3->dir, AA_TLS_WRITE);
	cr_assert_eq(r1->status, 200);
	cr_assert_str_eq(r1->body, MODELS);
	cr_assert_eq(r3->status, 200);
	cr_assert_str_eq(r3->body, LIMITS);
	cr_assert_str_eq(r3->enc, "gzip");
	cr_assert_eq(r3->raw_len, limits_gz_len);
	cr_assert(strstr(r3->hdrs, "server: nghttpd aa-test\n"));
}

Test(follow_http2, start_not_recorded)
{
	exchange(&cw, &sw);
	/* the server's side from stream 3's HEADERS on: its table is not known */
	size_t at = frame_at(&sw, 1, 3);
	struct dec_conn *c = conn();
	dec_conn_feed(c, AA_TLS_READ, 2000, sw.b + at, sw.n - at, 1);
	dec_conn_end(c);
	dec_conn_free(c);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, "without its start"), 1);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, "HPACK error"), 1);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, "start was not recorded"), 1);
	/* the DATA is delivered all the same; its content-encoding was in the lost headers */
	struct got *r3 = stream_msg(3, 0);
	cr_assert_eq(r3->status, 200, ":status 200 is in the static table: decoded before the error");
	cr_assert_eq(r3->body_len, limits_gz_len);
	cr_assert_eq(memcmp(r3->body, limits_gz, limits_gz_len), 0);
}

Test(follow_http2, invalid_frame_one_note)
{
	exchange(&cw, &sw);
	struct dec_conn *c = conn();
	/* the preface, then a CONTINUATION that continues nothing */
	static const uint8_t bad[] = { 0, 0, 3, 9, 4, 0, 0, 0, 1, 'a', 'b', 'c' };
	dec_conn_feed(c, AA_TLS_WRITE, 1000, (const uint8_t *)DEC_H2_PREFACE, DEC_H2_PREFACE_LEN, 1);
	dec_conn_feed(c, AA_TLS_WRITE, 1001, bad, sizeof(bad), 1);
	dec_conn_feed(c, AA_TLS_WRITE, 1002, cw.b + DEC_H2_PREFACE_LEN, cw.n - DEC_H2_PREFACE_LEN, 1);
	dec_conn_feed(c, AA_TLS_READ, 2000, sw.b, sw.n, 1);
	dec_conn_end(c);
	dec_conn_free(c);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, "CONTINUATION without HEADERS"), 1);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, NULL), 1);
	cr_assert_eq(got_count(AA_FOLLOW_OTHER, NULL), 1, "the rest of that direction as sent");
	/* the server's direction has its own HPACK state: both responses decode */
	cr_assert_str_eq(stream_msg(1, 0)->body, MODELS);
	cr_assert_str_eq(stream_msg(3, 0)->body, LIMITS);
}

Test(follow_http2, hpack_error_said_once)
{
	exchange(&cw, &sw);
	struct dec_conn *c = conn();
	/* a HEADERS frame on stream 5 whose block indexes far past any table */
	static const uint8_t bad[] = { 0, 0, 2, 1, 5, 0, 0, 0, 5, 0xff, 0x7f };
	dec_conn_feed(c, AA_TLS_WRITE, 1000, cw.b, cw.n, 1);
	dec_conn_feed(c, AA_TLS_WRITE, 1001, bad, sizeof(bad), 1);
	dec_conn_feed(c, AA_TLS_WRITE, 1002, bad, sizeof(bad), 1);
	dec_conn_feed(c, AA_TLS_READ, 2000, sw.b, sw.n, 1);
	dec_conn_end(c);
	dec_conn_free(c);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, "HPACK error"), 1);
	cr_assert_str_eq(stream_msg(1, 1)->path, "/v1/models");
	cr_assert_str_eq(stream_msg(3, 0)->body, LIMITS);
}

/* Damaged copies of both sides (bytes changed, cut at random places, fed
 * in random call sizes): never a crash or a read outside (ASan in
 * make SAN=1), and every message well formed. */
Test(follow_http2, damaged_bytes_any_way)
{
	static uint8_t b[2][sizeof(cw.b)];
	uint64_t r = 0x9e3779b97f4a7c15ull;

	exchange(&cw, &sw);
	for (int round = 0; round < 400; round++) {
		struct dec_conn *c = conn();
		size_t n[2] = { cw.n, sw.n };
		memcpy(b[0], cw.b, cw.n);
		memcpy(b[1], sw.b, sw.n);
		for (int side = 0; side < 2; side++)
			for (int k = 0; k < 1 + round % 4; k++) {
				r = r * 6364136223846793005ull + 1442695040888963407ull;
				b[side][(r >> 33) % n[side]] = (uint8_t)(r >> 17);
			}
		for (size_t at[2] = { 0, 0 }; at[0] < n[0] || at[1] < n[1];) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			int side = at[0] < n[0] && (at[1] >= n[1] || (r >> 40) & 1);
			side = !side;
			size_t k = 1 + (r >> 20) % 64;
			if (k > n[side] - at[side])
				k = n[side] - at[side];
			dec_conn_feed(c, (unsigned)side, 1000, b[side] + at[side], k, 1);
			at[side] += k;
		}
		dec_conn_end(c);
		dec_conn_free(c);
		for (size_t i = 0; i < ngot; i++)
			cr_assert(got[i].kind >= AA_FOLLOW_HTTP && got[i].kind <= AA_FOLLOW_NOTE);
	}
	got_reset();
}

Test(follow_http2, continuation_and_event_stream)
{
	with_events = 1;
	exchange(&cw, &sw);
	with_events = 0;
	frame_at(&cw, 9, 5); /* the request's headers did need a CONTINUATION */
	struct dec_conn *c = conn();
	dec_conn_feed(c, AA_TLS_WRITE, 1000, cw.b, cw.n, 1);
	dec_conn_feed(c, AA_TLS_READ, 2000, sw.b, sw.n, 1);
	dec_conn_end(c);
	dec_conn_free(c);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, NULL), 0, "%s", got_count(AA_FOLLOW_NOTE, NULL) ? got_nth(AA_FOLLOW_NOTE, 0)->note : "");
	struct got *q = stream_msg(5, 1), *r = stream_msg(5, 0);
	cr_assert_str_eq(q->path, "/v1/events");
	cr_assert(strstr(q->hdrs, "x-big: vvvv"));
	cr_assert(r->events);
	cr_assert_eq(got_count(AA_FOLLOW_SSE, NULL), 2);
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 0)->event, "token");
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 0)->data, "{\"t\": \"hi\"}");
	cr_assert_eq(got_nth(AA_FOLLOW_SSE, 0)->stream, 5);
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 1)->data, "[DONE]");
	/* the other two streams are whole beside it */
	cr_assert_str_eq(stream_msg(3, 0)->body, LIMITS);
}
