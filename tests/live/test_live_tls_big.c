/* SPDX-License-Identifier: MIT */
/*
 * The direction the other TLS tests keep short: a server's message of more
 * than 4 KiB read by a GnuTLS client (gnutls-cli) and an NSS client
 * (tstclnt), captured byte for byte on the client's side (they read in calls
 * of their own buffer's size: 4096 and 4000 bytes), and written by openssl
 * s_server in calls of more than 4 KiB. (test_live_tls_found has the
 * client-to-server direction and wget's reads of over 4 KiB; test_tls_boring
 * both directions of BoringSSL.) Needs root, openssl, gnutls-cli, tstclnt.
 */
#include "live_tls.h"

#define SERVER_MSG 20000

/*
 * Runs client_loop (a script line retrying a client until it has read the
 * whole message into $d/cli.out) against s_server sending SERVER_MSG bytes
 * of tls_msg_fill("big-server") in one piece; checks the client's reads,
 * byte for byte, their stack and the server's writes.
 */
static void big_server_message(const char *client, uint8_t lib, const char *setup, const char *client_loop)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_TLS_CONN) |
					    AA_TYPE_BIT(AA_TYPE_EXEC) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct aat_tls_peer cli = { .lib = lib }, srv = { .lib = AA_TLS_LIB_OPENSSL };
	char *dir, *msg, script[4096];
	struct live_run run;
	int port = 20000 + (getpid() * 2 + (lib == AA_TLS_LIB_NSS)) % 20000;

	dir = tls_dir_with_cert();
	msg = tls_msg_file(dir, "msg", SERVER_MSG, "big-server");
	/* s_server sends what it reads from its stdin: the message in one
	 * read (a file), after the client's hello. */
	snprintf(script, sizeof(script),
		 "d=%s; p=%d\n%s"
		 "{ sleep 1; cat $d/msg; sleep 3; } | openssl s_server -accept 127.0.0.1:$p -cert $d/c.pem "
		 "-key $d/k.pem -quiet -naccept 1 >$d/srv.out 2>/dev/null &\n"
		 /* listening (/proc/net/tcp, state 0A): a client tried before would
		  * wait out its input's sleep */
		 "for i in $(seq 200); do grep -qi \":$(printf %%04X $p) 00000000:0000 0A\" /proc/net/tcp && break; "
		 "sleep 0.05; done\n%s\nwait\n",
		 dir, port, setup, client_loop);
	live_run_script(&run, script, &o, -1);
	srv.pid = exec_pid(&run, "openssl s_server");
	cli.pid = last_exec_pid(&run, client);
	cr_assert(srv.pid && cli.pid, "the execs of s_server and %s were not seen", client);
	tls_peer_collect(&run, &cli, port);
	tls_peer_collect(&run, &srv, port);
	stream_expect_msg(&cli.in, SERVER_MSG, "big-server", client);
	stream_expect_msg(&srv.out, SERVER_MSG, "big-server", "s_server's writes");
	cr_assert_gt(srv.max_out, AA_TLS_PAYLOAD_MAX, "no s_server write over 4 KiB (largest %u)", srv.max_out);
	cr_assert_gt(cli.conns, 0);
	cr_assert_eq(cli.conns_lib, cli.conns, "%d of %s's %d tls_conn records say its stack", cli.conns_lib, client,
		     cli.conns);
	cr_assert_eq(cli.conns_to_port, cli.conns);
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	cr_log_info("%s: largest read %u bytes; s_server's largest write %u", client, cli.max_in, srv.max_out);
	aat_tls_peer_free(&cli);
	aat_tls_peer_free(&srv);
	free(msg);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

Test(live_tls_big, gnutls_cli_reads_a_big_server_message, .timeout = 90)
{
	tls_need("gnutls-cli");
	tls_need("openssl");
	big_server_message("gnutls-cli", AA_TLS_LIB_GNUTLS, "",
			   "for i in $(seq 50); do { echo hello; sleep 4; } | gnutls-cli --insecure -p $p 127.0.0.1 "
			   ">$d/cli.out 2>/dev/null && break; sleep 0.1; done");
}

Test(live_tls_big, tstclnt_reads_a_big_server_message, .timeout = 90)
{
	tls_need("tstclnt");
	tls_need("certutil");
	tls_need("openssl");
	/* tstclnt does not quit when the server has gone: timeout ends it */
	big_server_message("tstclnt", AA_TLS_LIB_NSS,
			   "mkdir $d/db && certutil -N -d sql:$d/db --empty-password || exit 1\n",
			   "for i in $(seq 50); do { echo hello; sleep 4; } | timeout 5 tstclnt -d sql:$d/db -h 127.0.0.1 "
			   "-p $p -o -o >$d/cli.out 2>/dev/null; [ -s $d/cli.out ] && break; sleep 0.1; done");
}
