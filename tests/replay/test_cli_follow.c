/* SPDX-License-Identifier: MIT */
/*
 * aa-replay follow end to end on a recording made for it: an HTTP/1.1
 * keep-alive connection (a JSON POST, a gzip response, a 10000-byte body in
 * 3 pieces with another process's pieces between them), a connection that
 * is not HTTP, a call with a lost piece, and a call with no tls_conn
 * record; text, --json, --conn, --pid, --raw, and a bad option.
 */
#include <zlib.h>

#include "cli_fixture.h"
#include "evid.h"

TestSuite(cli_follow, .timeout = 60);

static char out[1 << 20], err[1 << 14];

#define TS 1000000u
#define W "2026-11-25T21:30:01.001"

static const char CHAT_REQ[] = "POST /v1/chat HTTP/1.1\r\nHost: 127.0.0.1:24481\r\nContent-Type: application/json\r\n"
			       "Content-Length: 81\r\n\r\n"
			       "{\"model\": \"aa-test\", \"messages\": [{\"role\": \"user\", \"content\": \"list the files\"}]}";
static const char CHAT_BODY[] = "{\"id\": \"chat-1\", \"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"run ls\"}}]}";

static void make(struct fx *f)
{
	struct aa_tls_conn_event c = { .conn = 555, .fd = 3, .family = 2, .lib = AA_TLS_LIB_OPENSSL,
				       .local_port = 40000, .peer_port = 24481 };
	struct aa_tls_conn_event o = { .conn = 888, .fd = 4, .family = 2, .lib = AA_TLS_LIB_OPENSSL,
				       .local_port = 40001, .peer_port = 4433 };
	struct aa_writer_opts wo = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	static char big[10200], resp[512];
	uint8_t gz[256];
	z_stream z = { 0 };

	memcpy(c.local_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	memcpy(c.peer_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	memcpy(o.local_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	memcpy(o.peer_addr, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)CHAT_BODY;
	z.avail_in = sizeof(CHAT_BODY) - 1;
	z.next_out = gz;
	z.avail_out = sizeof(gz);
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	int rl = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			  "Content-Encoding: gzip\r\nContent-Length: %lu\r\n\r\n", z.total_out);
	memcpy(resp + rl, gz, z.total_out);
	rl += (int)z.total_out;
	deflateEnd(&z);

	fx_init(f);
	aat_add_task(&f->recs, AA_TASK_SNAPSHOT, TS, 10, 10, 1, "python3", "", 0);
	aat_add_task(&f->recs, AA_TASK_SNAPSHOT, TS, 20, 20, 1, "client", "", 0);
	aat_add_tls_call(&f->recs, TS + 1000, 10, 10, &c, AA_TLS_WRITE, CHAT_REQ, sizeof(CHAT_REQ) - 1);
	aat_add_tls_call(&f->recs, TS + 2000, 10, 10, &c, AA_TLS_READ, resp, (uint32_t)rl);

	/* 10000 bytes of body: 3 pieces, with pid 20's call between them */
	int hl = snprintf(big, sizeof(big), "POST /v1/files HTTP/1.1\r\nContent-Type: application/json\r\n"
			  "Content-Length: 10000\r\n\r\n{\"data\": \"");
	memset(big + hl, 'x', 10000 - 12);
	memcpy(big + hl + 10000 - 12, "\"}", 2);
	uint32_t blen = (uint32_t)hl + 10000 - 10;
	struct aat_recs call = { 0 };
	aat_add_tls_call(&call, TS + 3000, 10, 11, &c, AA_TLS_WRITE, big, blen);
	cr_assert_eq(call.n, 4, "a tls_conn record and 3 pieces");
	for (size_t i = 0; i < call.n; i++) {
		aat_recs_add(&f->recs, aat_recs_at(&call, i), call.len[i]);
		if (i == 1)
			aat_add_tls_call(&f->recs, TS + 3000, 20, 20, &o, AA_TLS_WRITE, "hello\x01\n", 7);
	}
	aat_recs_free(&call);
	aat_add_tls_call(&f->recs, TS + 4000, 10, 10, &c, AA_TLS_READ,
			 "HTTP/1.1 201 Created\r\nContent-Length: 17\r\n\r\n{\"stored\": 10000}", 61);

	/* a 9000-byte call of pid 20 whose second piece was lost */
	aat_add_tls_call(&call, TS + 5000, 20, 20, &o, AA_TLS_READ, big, 9000);
	for (size_t i = 0; i < call.n; i++)
		if (i != 2)
			aat_recs_add(&f->recs, aat_recs_at(&call, i), call.len[i]);
	aat_recs_free(&call);
	/* no tls_conn record: the connection is not known */
	aat_add_tls_call(&f->recs, TS + 6000, 30, 30, NULL, AA_TLS_WRITE, "ping\n", 5);
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &wo, 0, NULL), 0);
}

Test(cli_follow, text)
{
	struct fx f;

	make(&f);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow cap.pcapng | grep -v '^    xxx'"), 0, "%s", err);
	cr_expect(strstr(out, W "001000Z conn=555 pid=10 comm=\"python3\" 127.0.0.1:40000 -> 127.0.0.1:24481 fd=3 lib=openssl\n"), "%s", out);
	cr_expect(strstr(out, W "001000Z conn=555 pid=10 > http/1.1 POST /v1/chat body=81\n"
			 "  Host: 127.0.0.1:24481\n  Content-Type: application/json\n  Content-Length: 81\n"
			 "    {\"model\": \"aa-test\", \"messages\": [{\"role\": \"user\", \"content\": \"list the files\"}]}\n"), "%s", out);
	cr_expect(strstr(out, W "002000Z conn=555 pid=10 < http/1.1 200 body=86 (gzip from "), "%s", out);
	cr_expect(strstr(out, "\n    {\"id\": \"chat-1\", \"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"run ls\"}}]}\n"), "%s", out);
	cr_expect(strstr(out, W "003000Z conn=555 pid=10 > http/1.1 POST /v1/files body=10000\n"), "%s", out);
	cr_expect(strstr(out, W "004000Z conn=555 pid=10 < http/1.1 201 body=17\n"), "%s", out);
	cr_expect(strstr(out, W "003000Z conn=888 pid=20 > 7 bytes (not HTTP)\n    00000000  68 65 6c 6c 6f 01 0a"), "%s", out);
	cr_expect(strstr(out, "conn=? pid=30 comm=\"\" connection not recorded (no tls_conn records)"), "%s", out);
	cr_expect(strstr(out, W "006000Z conn=? pid=30 > 5 bytes (not HTTP)\n    ping\n"), "%s", out);
	/* --max-body: the body's start, and said so */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow --max-body 100 --conn 555 cap.pcapng | grep -A4 /v1/files"), 0, "%s", err);
	cr_expect(strstr(out, "> http/1.1 POST /v1/files body=100 body_cut\n"), "%s", out);
	cr_expect(strstr(out, "    {\"data\": \"" "xxxxxxxxxx"), "%s", out);
	cr_expect_eq(strcspn(strstr(out, "{\"data"), "\n"), 100, "100 bytes on the body's line: %s", out);
	/* with --pretty the JSON body is indented */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow --pretty --conn 555 cap.pcapng"), 0, "%s", err);
	cr_expect(strstr(out, "    {\n      \"id\": \"chat-1\",\n      \"choices\": [\n"), "%s", out);
	fx_free(&f);
}

Test(cli_follow, json)
{
	struct fx f;

	make(&f);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "follow --json cap.pcapng | python3 -c '"
			    "import json,sys\n"
			    "for l in sys.stdin:\n"
			    " o=json.loads(l)\n"
			    " if o[\"kind\"]==\"http\": print(o[\"conn\"],o[\"pid\"],o[\"comm\"],o[\"direction\"],o[\"method\"],o[\"path\"],o[\"status\"],o[\"encoding\"],len(o[\"body\"]),o[\"raw_len\"],o[\"body\"][:12],dict(o[\"headers\"]).get(\"Content-Type\"))\n"
			    " else: print(o[\"conn\"],o[\"pid\"],o[\"kind\"],o[\"direction\"],o.get(\"body\"),o.get(\"body_b64\"),o.get(\"note\",\"\")[:30])\n"
			    "'"), 0, "%s", err);
	cr_expect_str_eq(out,
			 "555 10 python3 write POST /v1/chat None None 81 81 {\"model\": \"a application/json\n"
			 "555 10 python3 read None None 200 gzip 86 93 {\"id\": \"chat application/json\n"
			 "888 20 other write hello\x01\n None \n"
			 "555 10 python3 write POST /v1/files None None 10000 10000 {\"data\": \"xx application/json\n"
			 "555 10 python3 read None None 201 None 17 17 {\"stored\": 1 None\n"
			 "888 20 note read None None 4096 bytes of a call were lost\n"
			 /* a call that begins like HTTP/1.1 starts decoding; its lost piece
			  * cuts it; in time order, this request (its call at TS + 5000,
			  * complete only at the end) comes before pid 30's ping (TS + 6000) */
			 "888 20 client read POST /v1/files None None 4822 4822 {\"data\": \"xx application/json\n"
			 "None 30 other write ping\n None \n");
	fx_free(&f);
}

Test(cli_follow, conn_pid_raw)
{
	struct fx f;

	make(&f);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow --conn 888 cap.pcapng | grep -c 'conn=888'"), 0, "%s", err);
	cr_expect_str_eq(out, "4\n"); /* the connection line, the two calls and the note */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow --conn 888 cap.pcapng | grep -c 'conn=555'"), 1);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow --pid 30 cap.pcapng"), 0, "%s", err);
	cr_expect_str_eq(out, W "006000Z conn=? pid=30 comm=\"\" connection not recorded (no tls_conn records): this process's calls as one conversation\n"
			 W "006000Z conn=? pid=30 > 5 bytes (not HTTP)\n    ping\n");
	/* --raw: calls whole, the 10000-byte one in one piece of output */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow --raw --conn 555 cap.pcapng | grep '^2026'"), 0, "%s", err);
	cr_expect_str_eq(out, W "001000Z conn=555 pid=10 comm=\"python3\" 127.0.0.1:40000 -> 127.0.0.1:24481 fd=3 lib=openssl\n"
			 W "001000Z conn=555 pid=10 > 182 bytes\n"
			 W "002000Z conn=555 pid=10 < 188 bytes\n"
			 W "003000Z conn=555 pid=10 > 10082 bytes\n"
			 W "004000Z conn=555 pid=10 < 61 bytes\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "follow --raw --json --pid 20 cap.pcapng | python3 -c '"
			    "import json,sys\n"
			    "for l in sys.stdin:\n"
			    " o=json.loads(l); print(o[\"conn\"],o[\"tid\"],o[\"direction\"],o[\"len\"],o[\"data_len\"],o[\"lost\"],o[\"last\"])\n"
			    "'"), 0, "%s", err);
	cr_expect_str_eq(out, "888 20 write 7 7 0 True\n888 20 read 4904 9000 4096 True\n");
	fx_free(&f);
}

Test(cli_follow, usage_errors)
{
	struct fx f;

	make(&f);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow --conn abc cap.pcapng"), 2);
	cr_expect(strstr(err, "--conn: 'abc' is not a connection id"), "%s", err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow --max-body 0 cap.pcapng"), 2);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow"), 2);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "follow missing.pcapng"), 2);
	fx_free(&f);
}

/* n keep-alive exchanges on one connection, 20 KB each way, 10 s apart. */
static void make_many(struct fx *f, size_t n)
{
	struct aa_tls_conn_event c = { .conn = 4242, .fd = 3, .family = 2, .lib = AA_TLS_LIB_OPENSSL };
	struct aa_writer_opts wo = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	static char req[20200], resp[20200];
	int rl = snprintf(req, sizeof(req), "POST /up HTTP/1.1\r\nContent-Length: 20000\r\n\r\n");
	int sl = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n");

	memset(req + rl, 'q', 20000);
	memset(resp + sl, 'r', 20000);
	fx_init(f);
	for (size_t i = 0; i < n; i++) {
		uint64_t t = TS + i * 10000000000ull;
		aat_add_tls_call(&f->recs, t, 10, 10, &c, AA_TLS_WRITE, req, (uint32_t)rl + 20000);
		aat_add_tls_call(&f->recs, t + 1000, 10, 10, &c, AA_TLS_READ, resp, (uint32_t)sl + 20000);
	}
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &wo, 0, NULL), 0);
	aat_recs_free(&f->recs); /* not to be counted in the peak of a child forked from here */
}

Test(cli_follow, memory_bounded_by_connections_not_file_size)
{
	struct fx small, big;

	make_many(&small, 100);
	make_many(&big, 2000); /* 80 MB of TLS bytes */
	long a = fx_peak_kib(&small, "follow", "--json");
	long b = fx_peak_kib(&big, "follow", "--json");
	cr_log_info("peak RSS of follow: %ld KiB on 100 exchanges, %ld KiB on 2000", a, b);
	cr_expect_lt(b, a + 8 * 1024, "%ld KiB against %ld KiB", b, a);
	cr_assert_eq(fx_run(&big, out, sizeof(out), err, sizeof(err), "follow cap.pcapng | grep -c ' 200 body=20000$'"), 0, "%s", err);
	cr_expect_str_eq(out, "2000\n");
	fx_free(&small);
	fx_free(&big);
}
