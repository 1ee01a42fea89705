/* SPDX-License-Identifier: MIT */
/* Live capture of TLS plaintext: openssl s_server and s_client on
 * 127.0.0.1 with a throwaway self-signed certificate, known text both ways
 * and a 10001-byte line split into 4096-byte pieces, every piece kept.
 * Needs root and the openssl command. */
#include "live_tls.h"

#define BIG_LEN 10000

Test(live_tls, openssl_text_both_ways_every_piece, .timeout = 60)
{
	/* The system libssl again under another name (usrmerge's /usr/lib):
	 * hooked once, or every byte below would be counted twice. */
	static const char *const alias[] = { "/usr/lib/x86_64-linux-gnu/libssl.so.3" };
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_EXEC) |
					    AA_TYPE_BIT(AA_TYPE_EXIT),
				  .ssl_libs = alias, .nssl_libs = access(alias[0], R_OK) == 0 };
	struct aat_tls_peer srv = { 0 }, cli = { 0 };
	char *dir, script[2048], big[BIG_LEN + 2];
	uint32_t tls_records = 0;
	struct live_run run;
	int port = 20000 + getpid() % 20000;

	live_require_root();
	if (aat_run("command -v openssl >/dev/null", NULL, 0) != 0)
		cr_skip_test("no openssl command");
	dir = tls_dir_with_cert();
	/* The client retries until the server listens, and quits on its stdin's
	 * end (-no_ign_eof); the server quits when the client has gone, and its
	 * stdin stays open until then (on its end it would quit at once). */
	snprintf(script, sizeof(script),
		 "d=%s; p=%d; big=$(head -c %d /dev/zero | tr '\\0' x)\n"
		 TLS_S_SERVER_HELLO("0.5", "3")
		 "for i in $(seq 50); do { echo client-says-hello; echo \"$big\"; sleep 1.5; } | "
		 "openssl s_client -connect 127.0.0.1:$p -quiet -no_ign_eof >$d/cli.out 2>/dev/null && break; "
		 "sleep 0.1; done\nwait\n",
		 dir, port, BIG_LEN);
	live_run_script(&run, script, &o, -1);
	srv.pid = exec_pid(&run, "openssl s_server");
	cli.pid = last_exec_pid(&run, "openssl s_client");
	cr_assert(srv.pid && cli.pid, "the execs of s_server and s_client were not seen");
	tls_peer_collect(&run, &srv, port);
	tls_peer_collect(&run, &cli, port);
	LIVE_FOREACH(&run, i, ev)
		tls_records += ev.type == AA_TYPE_TLS;
	cr_assert_eq(tls_records, srv.pieces + cli.pieces, "TLS records of other processes (or pid 0)");
	/* Every piece of every call, in order (each process has one thread). */
	cr_assert_eq(srv.out_of_order + cli.out_of_order, 0, "pieces out of order");
	cr_assert_eq(srv.next_seq + cli.next_seq, 0, "a call's last pieces are missing");
	memset(big, 'x', BIG_LEN);
	big[BIG_LEN] = '\n';
	big[BIG_LEN + 1] = 0;
	cr_assert(aat_stream_has(&cli.out, "client-says-hello\n"), "client's SSL_write of its text not seen");
	cr_assert(aat_stream_has(&srv.in, "client-says-hello\n"), "server's SSL_read of the client's text not seen");
	cr_assert(aat_stream_has(&srv.out, "server-says-hello\n"), "server's SSL_write of its text not seen");
	cr_assert(aat_stream_has(&cli.in, "server-says-hello\n"), "client's SSL_read of the server's text not seen");
	cr_assert(aat_stream_has(&cli.out, big) && aat_stream_has(&srv.in, big), "the 10001-byte line is not whole");
	cr_assert_geq(srv.split_calls + cli.split_calls, 1, "no call over 4096 bytes was split into pieces");
	/* Nothing but the plaintext: the outbound stream is exactly what was piped in. */
	cr_assert_eq(cli.out.len, strlen("client-says-hello\n") + BIG_LEN + 1, "client sent %zu bytes", cli.out.len);
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	cr_log_info("tls: %u pieces, %u calls split", tls_records, srv.split_calls + cli.split_calls);
	aat_tls_peer_free(&srv);
	aat_tls_peer_free(&cli);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

/* Python's ssl module calls SSL_write_ex and SSL_read_ex: a 20011-byte
 * sendall from the main thread is one call of 5 pieces; the server thread's
 * reads are recorded with its own tid. */
#define PY_TLS \
	"import socket, ssl, sys, threading\n" \
	"d = sys.argv[1]\n" \
	"msg = b'py-client-' + b'y' * 20000 + b'\\n'\n" \
	"sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sc.load_cert_chain(d + '/c.pem', d + '/k.pem')\n" \
	"cc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cc.check_hostname = False; cc.verify_mode = ssl.CERT_NONE\n" \
	"a, b = socket.socketpair()\n" \
	"def serve():\n" \
	"    s = sc.wrap_socket(a, server_side=True); got = b''\n" \
	"    while len(got) < len(msg): got += s.recv(65536)\n" \
	"    s.sendall(b'py-server-reply\\n'); s.close()\n" \
	"t = threading.Thread(target=serve); t.start()\n" \
	"c = cc.wrap_socket(b, server_hostname='localhost'); c.sendall(msg)\n" \
	"r = c.recv(100); t.join(); sys.exit(0 if r == b'py-server-reply\\n' else 1)\n"

Test(live_tls, ssl_ex_calls_from_two_threads, .timeout = 60)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct aat_stream out = { 0 }, in = { 0 }, reply = { 0 };
	char *dir, *py, script[256];
	struct live_run run;
	int big_pieces = 0;

	live_require_root();
	if (access("/usr/bin/python3", X_OK) != 0 || aat_run("/usr/bin/python3 -c 'import ssl'", NULL, 0) != 0)
		cr_skip_test("no /usr/bin/python3 with ssl");
	dir = tls_dir_with_cert();
	py = aat_path(dir, "tls.py");
	cr_assert_eq(aat_write_file(py, PY_TLS, strlen(PY_TLS)), 0);
	snprintf(script, sizeof(script), "exec /usr/bin/python3 %s %s", py, dir);
	live_run_script(&run, script, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0, "the python TLS exchange failed");
	LIVE_FOREACH(&run, i, ev) {
		const struct aa_tls_event *t = ev.tls;

		if (ev.type != AA_TYPE_TLS)
			continue;
		cr_assert_eq(t->pid, (uint32_t)run.pid);
		if (t->direction == AA_TLS_WRITE && t->tid == t->pid) { /* main thread: the client */
			aat_stream_add(&out, t);
			if (t->data_len == 20011)
				cr_assert_eq(t->seq, (uint32_t)big_pieces++, "pieces out of order");
		} else if (t->direction == AA_TLS_READ && t->tid != t->pid) { /* the server thread */
			aat_stream_add(&in, t);
		} else if (t->direction == AA_TLS_READ) {
			aat_stream_add(&reply, t);
		}
	}
	cr_assert_eq(big_pieces, 5, "the 20011-byte SSL_write_ex gave %d pieces", big_pieces);
	cr_assert_eq(out.len, 20011);
	cr_assert_eq(in.len, 20011, "the server thread read %zu bytes", in.len);
	cr_assert_eq(memcmp(out.data, in.data, 20011), 0);
	cr_assert(!memcmp(out.data, "py-client-yyy", 13) && out.data[20010] == '\n');
	cr_assert(aat_stream_has(&reply, "py-server-reply\n"));
	free(out.data);
	free(in.data);
	free(reply.data);
	free(py);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

Test(live_tls, missing_ssl_lib_is_one_line, .timeout = 30)
{
	static const char *const libs[] = { "/nonexistent/libssl.so.3" };
	struct aa_live_opts o = { .ssl_libs = libs, .nssl_libs = 1 };
	struct aa_error_info err;
	aa_source *src;

	live_require_root();
	cr_assert_eq(aa_open_live(&src, &o, &err), AA_E_INVAL);
	cr_assert(strstr(err.detail, "/nonexistent/libssl.so.3: No such file"), "%s", err.detail);
}

Test(live_tls, library_without_ssl_functions_is_refused, .timeout = 30)
{
	static const char *const libs[] = { "/bin/true" };
	struct aa_live_opts o = { .ssl_libs = libs, .nssl_libs = 1 };
	struct aa_error_info err;
	aa_source *src;

	live_require_root();
	cr_assert_eq(aa_open_live(&src, &o, &err), AA_E_BPF);
	cr_assert(strstr(err.detail, "no SSL_read or SSL_write"), "%s", err.detail);
}
