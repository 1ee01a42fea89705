/* SPDX-License-Identifier: MIT */
/*
 * The HTTP/1.1 decoder, the content encodings and server-sent events, fed
 * real bytes: gzip and deflate made by zlib, brotli by libbrotlienc;
 * content-length, chunked and pipelined messages, one fed a byte a call,
 * and bad input (one note, then decoding resumes).
 */
#include <criterion/criterion.h>
#include <zlib.h>
#include <brotli/encode.h>

#include "follow_collect.h"

TestSuite(follow_http1, .timeout = 30);

static struct dec_conn *conn(size_t max_body)
{
	struct dec_sink s = { collect, NULL, max_body ? max_body : AA_FOLLOW_MAX_BODY };
	got_reset();
	struct dec_conn *c = dec_conn_new(&s);
	cr_assert_not_null(c);
	return c;
}

static void call(struct dec_conn *c, unsigned dir, const void *p, size_t n)
{
	dec_conn_feed(c, dir, 1000, p, n, 1);
}

static void end(struct dec_conn *c)
{
	dec_conn_end(c);
	dec_conn_free(c);
}

/* zlib: window_bits 15 zlib, 31 gzip, -15 raw deflate. */
static size_t zip(const char *in, size_t n, int window_bits, uint8_t *out, size_t cap)
{
	z_stream z = { 0 };
	cr_assert_eq(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t len = z.total_out;
	deflateEnd(&z);
	return len;
}

/* A response head with content-length n and the given encoding, then the body. */
static size_t response(char *out, size_t cap, const char *enc, const uint8_t *body, size_t n)
{
	int h = snprintf(out, cap, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Encoding: %s\r\nContent-Length: %zu\r\n\r\n", enc, n);
	memcpy(out + h, body, n);
	return (size_t)h + n;
}

static const char JSON[] = "{\"id\": \"chat-1\", \"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"run ls\"}}]}";

Test(follow_http1, request_and_gzip_response)
{
	static const char req[] = "POST /v1/chat HTTP/1.1\r\nHost: 127.0.0.1:24481\r\nContent-Type: application/json\r\n"
				  "Content-Length: 28\r\n\r\n{\"model\": \"aa-test\", \"x\": 1}";
	uint8_t z[512];
	char resp[1024];
	struct dec_conn *c = conn(0);

	call(c, AA_TLS_WRITE, req, sizeof(req) - 2); /* the body is 28 bytes: the last '}' left out */
	call(c, AA_TLS_WRITE, "}", 1);
	size_t zn = zip(JSON, strlen(JSON), 31, z, sizeof(z));
	call(c, AA_TLS_READ, resp, response(resp, sizeof(resp), "gzip", z, zn));
	end(c);
	cr_assert_eq(got_count(AA_FOLLOW_HTTP, NULL), 2);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, NULL), 0);
	struct got *q = got_nth(AA_FOLLOW_HTTP, 0), *r = got_nth(AA_FOLLOW_HTTP, 1);
	cr_assert(q->is_request);
	cr_assert_str_eq(q->method, "POST");
	cr_assert_str_eq(q->path, "/v1/chat");
	cr_assert_str_eq(q->body, "{\"model\": \"aa-test\", \"x\": 1}");
	cr_assert_eq(q->dir, AA_TLS_WRITE);
	cr_assert(strstr(q->hdrs, "Content-Type: application/json\n"));
	cr_assert_not(r->is_request);
	cr_assert_eq(r->status, 200);
	cr_assert_eq(r->dir, AA_TLS_READ);
	cr_assert_str_eq(r->body, JSON);
	cr_assert_eq(r->raw_len, zn);
	cr_assert_str_eq(r->enc, "gzip");
}

Test(follow_http1, deflate_zlib_and_raw_and_brotli)
{
	static const char *const encs[] = { "deflate", "deflate", "br" };
	uint8_t z[512];
	char resp[1024];

	for (int i = 0; i < 3; i++) {
		struct dec_conn *c = conn(0);
		size_t zn;
		if (i < 2) {
			zn = zip(JSON, strlen(JSON), i == 0 ? 15 : -15, z, sizeof(z));
		} else {
			zn = sizeof(z);
			cr_assert(BrotliEncoderCompress(11, 22, BROTLI_MODE_TEXT, strlen(JSON),
							(const uint8_t *)JSON, &zn, z));
		}
		call(c, AA_TLS_WRITE, "GET /x HTTP/1.1\r\n\r\n", 19);
		call(c, AA_TLS_READ, resp, response(resp, sizeof(resp), encs[i], z, zn));
		end(c);
		struct got *r = got_nth(AA_FOLLOW_HTTP, 1);
		cr_assert_str_eq(r->body, JSON, "%s #%d", encs[i], i);
		cr_assert_eq(r->raw_len, zn);
		cr_assert_eq(got_count(AA_FOLLOW_NOTE, NULL), 0, "%s", got_count(AA_FOLLOW_NOTE, NULL) ? got_nth(AA_FOLLOW_NOTE, 0)->note : "");
	}
}

Test(follow_http1, damaged_gzip_one_note)
{
	uint8_t z[512];
	char resp[1024];
	struct dec_conn *c = conn(0);

	size_t zn = zip(JSON, strlen(JSON), 31, z, sizeof(z));
	memset(z + 12, 0xff, 20); /* the deflate data damaged */
	call(c, AA_TLS_READ, resp, response(resp, sizeof(resp), "gzip", z, zn));
	call(c, AA_TLS_READ, "HTTP/1.1 204 No Content\r\n\r\n", 27);
	end(c);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, "gzip data damaged"), 1);
	cr_assert_eq(got_count(AA_FOLLOW_HTTP, NULL), 2);
	cr_assert_eq(got_nth(AA_FOLLOW_HTTP, 1)->status, 204);
}

Test(follow_http1, pipelined_and_head)
{
	static const char reqs[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"
				   "POST /c HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
	static const char resps[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n"
				    "Content-Length: 1000\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone";
	struct dec_conn *c = conn(0);

	call(c, AA_TLS_WRITE, reqs, sizeof(reqs) - 1);
	call(c, AA_TLS_READ, resps, sizeof(resps) - 1);
	end(c);
	cr_assert_eq(got_count(AA_FOLLOW_HTTP, NULL), 6);
	cr_assert_str_eq(got_nth(AA_FOLLOW_HTTP, 0)->path, "/a");
	cr_assert_str_eq(got_nth(AA_FOLLOW_HTTP, 1)->method, "HEAD");
	cr_assert_str_eq(got_nth(AA_FOLLOW_HTTP, 2)->body, "abc");
	cr_assert_str_eq(got_nth(AA_FOLLOW_HTTP, 3)->body, "ok");
	/* the response to HEAD has a length and no body */
	cr_assert_eq(got_nth(AA_FOLLOW_HTTP, 4)->body_len, 0);
	cr_assert_eq(got_nth(AA_FOLLOW_HTTP, 5)->status, 201);
	cr_assert_str_eq(got_nth(AA_FOLLOW_HTTP, 5)->body, "done");
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, NULL), 0);
}

static const char SSE_HEAD[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
static const char SSE_BODY[] = "event: token\r\ndata: {\"t\": \"hello\"}\r\n\r\n"
			       ": a comment\ndata: line one\ndata: line two\nid: 7\n\n"
			       "event: done\rdata: [DONE]\r\r";

/* The event stream as chunks of 5 bytes, fed a byte a call or at once. */
static void sse(int bytewise)
{
	char buf[2048];
	size_t n = 0, len = strlen(SSE_BODY);
	struct dec_conn *c = conn(0);

	n += (size_t)snprintf(buf, sizeof(buf), "%s", SSE_HEAD);
	for (size_t off = 0; off < len; off += 5) {
		size_t k = len - off < 5 ? len - off : 5;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%zx\r\n%.*s\r\n", k, (int)k, SSE_BODY + off);
	}
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "0\r\n\r\n");
	call(c, AA_TLS_WRITE, "GET /v1/stream HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n", 54);
	if (bytewise) {
		for (size_t i = 0; i < n; i++)
			dec_conn_feed(c, AA_TLS_READ, 2000 + i, (const uint8_t *)buf + i, 1, i == 0);
	} else {
		call(c, AA_TLS_READ, buf, n);
	}
	end(c);
	cr_assert_eq(got_count(AA_FOLLOW_HTTP, NULL), 2);
	struct got *h = got_nth(AA_FOLLOW_HTTP, 1);
	cr_assert(h->events);
	cr_assert_eq(h->status, 200);
	cr_assert_eq(got_count(AA_FOLLOW_SSE, NULL), 3);
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 0)->event, "token");
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 0)->data, "{\"t\": \"hello\"}");
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 1)->event, "");
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 1)->data, "line one\nline two");
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 1)->id, "7");
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 2)->event, "done");
	cr_assert_str_eq(got_nth(AA_FOLLOW_SSE, 2)->data, "[DONE]");
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, NULL), 0);
}

Test(follow_http1, sse_chunked)
{
	sse(0);
}

Test(follow_http1, sse_a_byte_a_call)
{
	sse(1);
}

Test(follow_http1, bad_chunk_size_then_resumes)
{
	struct dec_conn *c = conn(0);

	call(c, AA_TLS_READ, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n", 58);
	call(c, AA_TLS_READ, "more bytes", 10);
	call(c, AA_TLS_READ, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno", 47);
	end(c);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, "bad chunk size"), 1);
	cr_assert_eq(got_count(AA_FOLLOW_NOTE, NULL), 1);
	cr_assert_eq(got_count(AA_FOLLOW_OTHER, NULL), 1);
	cr_assert_str_eq(got_nth(AA_FOLLOW_OTHER, 0)->body, "more bytes");
	struct got *r = got_nth(AA_FOLLOW_HTTP, 0);
	cr_assert_eq(r->status, 404);
	cr_assert_str_eq(r->body, "no");
}

Test(follow_http1, truncated_body_and_cap)
{
	struct dec_conn *c = conn(100);
	char big[1100];

	int h = snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
	memset(big + h, 'x', 1000);
	call(c, AA_TLS_READ, big, (size_t)h + 1000);
	call(c, AA_TLS_WRITE, "POST /p HTTP/1.1\r\nContent-Length: 50\r\n\r\nshort", 45);
	end(c);
	struct got *r = got_nth(AA_FOLLOW_HTTP, 0);
	cr_assert_eq(r->body_len, 100);
	cr_assert_eq(r->raw_len, 1000);
	cr_assert(r->cut);
	struct got *q = got_nth(AA_FOLLOW_HTTP, 1);
	cr_assert(q->incomplete);
	cr_assert_str_eq(q->body, "short");
}

Test(follow_http1, gzip_bomb_bounded)
{
	static char zeros[1 << 20];
	static uint8_t z[1 << 16];
	char *resp = malloc(sizeof(z) + 256);
	struct dec_conn *c = conn(4096);

	size_t zn = zip(zeros, sizeof(zeros), 31, z, sizeof(z));
	call(c, AA_TLS_READ, resp, response(resp, sizeof(z) + 256, "gzip", z, zn));
	end(c);
	struct got *r = got_nth(AA_FOLLOW_HTTP, 0);
	cr_assert_eq(r->body_len, 4096);
	cr_assert(r->cut);
	cr_assert_eq(r->raw_len, zn);
	free(resp);
}

Test(follow_http1, not_http_is_other)
{
	struct dec_conn *c = conn(0);

	call(c, AA_TLS_WRITE, "fixture client hello\n", 21);
	call(c, AA_TLS_READ, "\x01\x02\xff", 3);
	end(c);
	cr_assert_eq(got_count(AA_FOLLOW_OTHER, NULL), 2);
	cr_assert_str_eq(got_nth(AA_FOLLOW_OTHER, 0)->body, "fixture client hello\n");
	cr_assert_eq(got_nth(AA_FOLLOW_OTHER, 1)->body_len, 3);
}

Test(follow_http1, json_pretty)
{
	static const char in[] = "{\"a\": [1, 2, {}], \"b\": {\"c\": \"x\\\"y\"}, \"d\": []}";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(dec_json_pretty(f, (const uint8_t *)in, strlen(in), ""), 0);
	fclose(f);
	cr_assert_str_eq(buf, "{\n  \"a\": [\n    1,\n    2,\n    {}\n  ],\n  \"b\": {\n    \"c\": \"x\\\"y\"\n  },\n  \"d\": []\n}");
	free(buf);
	cr_assert_eq(dec_json_pretty(NULL, (const uint8_t *)"{\"a\": 1", 7, ""), -1);
	cr_assert_eq(dec_json_pretty(NULL, (const uint8_t *)"[\"\x1b[2J\"]", 8, ""), -1);
}

/* Damaged copies of a chunked SSE, brotli, deflate and pipelined exchange
 * fed a random number of bytes a call: never a crash or a read outside
 * (ASan in make SAN=1), and every message of a known kind. */
Test(follow_http1, damaged_bytes_any_way)
{
	static const char base[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "a\r\ndata: 1\n\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
				   "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\n\x1b\x03\x00\xf8"
				   "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "5\r\n\x78\x9c\x4b\x04\x00\r\n0\r\nX-Trailer: 1\r\n\r\n";
	uint8_t b[sizeof(base)];
	uint64_t r = 12345;

	for (int round = 0; round < 1000; round++) {
		struct dec_conn *c = conn(64);
		memcpy(b, base, sizeof(base) - 1);
		for (int k = 0; k < 1 + round % 3; k++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			b[(r >> 33) % (sizeof(base) - 1)] = (uint8_t)(r >> 17);
		}
		for (size_t at = 0; at < sizeof(base) - 1;) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			size_t k = 1 + (r >> 20) % 40;
			if (k > sizeof(base) - 1 - at)
				k = sizeof(base) - 1 - at;
			dec_conn_feed(c, AA_TLS_READ, 1000, b + at, k, (r >> 50) & 1);
			at += k;
		}
		end(c);
		for (size_t i = 0; i < ngot; i++)
			cr_assert(got[i].kind >= AA_FOLLOW_HTTP && got[i].kind <= AA_FOLLOW_NOTE);
	}
	got_reset();
}

/* A body that inflates to many times zlib's and our buffers, in calls of
 * 1000 bytes: every byte comes out (none left inside the inflater), gzip
 * and br. */
Test(follow_http1, large_bodies_whole)
{
	static char text[200000];
	static uint8_t z[1 << 18];
	char *resp = malloc(sizeof(z) + 256);

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + (i * 7 + i / 13) % 26);
	for (int br = 0; br < 2; br++) {
		struct dec_conn *c = conn(0);
		size_t zn = sizeof(z);
		if (br)
			cr_assert(BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, sizeof(text),
							(const uint8_t *)text, &zn, z));
		else
			zn = zip(text, sizeof(text), 31, z, sizeof(z));
		size_t n = response(resp, sizeof(z) + 256, br ? "br" : "gzip", z, zn);
		for (size_t at = 0; at < n; at += 1000) /* calls of 1000 bytes */
			call(c, AA_TLS_READ, resp + at, n - at < 1000 ? n - at : 1000);
		end(c);
		struct got *r = got_nth(AA_FOLLOW_HTTP, 0);
		cr_assert_eq(r->body_len, sizeof(text), "%s: %zu bytes", br ? "br" : "gzip", r->body_len);
		cr_assert_eq(memcmp(r->body, text, sizeof(text)), 0);
		cr_assert_not(r->cut);
	}
	free(resp);
}
