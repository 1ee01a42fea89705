/* SPDX-License-Identifier: MIT */
/*
 * BoringSSL found by the capture itself and captured byte for byte: a
 * client and a server built against Debian's android-libboringssl
 * (tls_boring_peer: BoringSSL's libssl.so.0 from its Android directory, a
 * file the capture is not told about), both started after the capture
 * began, each sending one call of more than 4 KiB; every record of theirs
 * says lib boringssl, not openssl. Needs root and the package.
 */
#include "live_tls.h"

#define CLIENT_MSG 10000 /* one SSL_write: three pieces */
#define SERVER_MSG 12000

Test(tls_boring, client_and_server_started_later_both_ways_byte_exact, .timeout = 90)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_TLS_CONN) |
					    AA_TYPE_BIT(AA_TYPE_EXEC) | AA_TYPE_BIT(AA_TYPE_EXIT),
				  .tls_hold = 1 }; /* probed before their first instruction */
	struct aat_tls_peer cli = { .lib = AA_TLS_LIB_BORINGSSL }, srv = { .lib = AA_TLS_LIB_BORINGSSL };
	char peer[4200], script[10000];
	struct live_run run;
	int port = 20000 + getpid() % 20000;
	char *dir;

	live_require_root();
	live_beside_self("tls_boring_peer", peer, sizeof(peer));
	dir = tls_dir_with_cert();
	/* setsid: with no controlling terminal, a program is held at its exec
	 * until probed (one with a terminal runs on as it is probed). */
	snprintf(script, sizeof(script),
		 "d=%s; p=%d; peer=%s\n"
		 "setsid -w $peer server $p $d/c.pem $d/k.pem %d %d >$d/srv.out &\n"
		 "setsid -w $peer client $p %d %d >$d/cli.out || exit 1\n"
		 "wait $! || exit 2\n",
		 dir, port, peer, SERVER_MSG, CLIENT_MSG, CLIENT_MSG, SERVER_MSG);
	live_run_script(&run, script, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0,
		  "the BoringSSL peers failed (script status %#x)", run.status);
	LIVE_FOREACH(&run, i, ev) {
		if (ev.type != AA_TYPE_EXEC || strncmp((const char *)ev.exec->args, peer, strlen(peer)))
			continue;
		if (strstr((const char *)ev.exec->args, " server "))
			srv.pid = ev.exec->pid;
		else if (strstr((const char *)ev.exec->args, " client "))
			cli.pid = ev.exec->pid;
	}
	cr_assert(cli.pid && srv.pid, "the execs of the BoringSSL client and server were not seen");
	tls_peer_collect(&run, &cli, port);
	tls_peer_collect(&run, &srv, port);

	stream_expect_msg(&cli.out, CLIENT_MSG, "boring-client", "the client's SSL_write");
	stream_expect_msg(&srv.in, CLIENT_MSG, "boring-client", "the server's SSL_reads");
	stream_expect_msg(&srv.out, SERVER_MSG, "boring-server", "the server's SSL_write");
	stream_expect_msg(&cli.in, SERVER_MSG, "boring-server", "the client's SSL_reads");
	cr_assert_eq(cli.max_out, CLIENT_MSG, "the client's largest write: %u", cli.max_out);
	cr_assert_eq(srv.max_out, SERVER_MSG, "the server's largest write: %u", srv.max_out);
	cr_assert_gt(srv.max_in, AA_TLS_PAYLOAD_MAX, "no server read over 4 KiB (largest %u)", srv.max_in);
	cr_assert_gt(cli.max_in, AA_TLS_PAYLOAD_MAX, "no client read over 4 KiB (largest %u)", cli.max_in);
	/* which stack: BoringSSL's libssl, told from OpenSSL's by its own symbols */
	cr_assert_gt(cli.conns, 0, "no tls_conn record of the client");
	cr_assert_gt(srv.conns, 0, "no tls_conn record of the server");
	cr_assert_eq(cli.conns_lib, cli.conns, "%d of the client's %d tls_conn records say boringssl",
		     cli.conns_lib, cli.conns);
	cr_assert_eq(srv.conns_lib, srv.conns, "%d of the server's %d tls_conn records say boringssl",
		     srv.conns_lib, srv.conns);
	cr_assert_eq(cli.conns_to_port, cli.conns, "the client's calls do not all name the server's port");
	cr_assert_eq(srv.conns_to_port, srv.conns, "the server's calls do not all name its port");
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	aat_tls_peer_free(&cli);
	aat_tls_peer_free(&srv);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}
