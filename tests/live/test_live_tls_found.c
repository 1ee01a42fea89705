/* SPDX-License-Identifier: MIT */
/*
 * TLS stacks beyond the system's libssl, each found by the capture itself
 * and captured byte for byte: GnuTLS (gnutls-cli, wget) against openssl
 * s_server; a program with OpenSSL linked in statically (no libssl.so)
 * started after the capture began, probed in its own ELF; a private copy of
 * libssl (as in a venv) loaded by a program started during the capture; NSS
 * (tstclnt), its TLS socket's calls and not those on its stdin and stdout.
 * Needs root, openssl, gnutls-cli, wget and tstclnt (libnss3-tools).
 */
#include "live_tls.h"
#include "tls_msg.h"

#define GNUTLS_BIG 6000   /* gnutls-cli sends what it reads, 4096 bytes at most a call */
#define STATIC_MSG 10000  /* one SSL_write: three pieces */
#define WGET_FILE 100000  /* wget reads it in calls of up to 16 KiB */
#define NSS_BIG 6000

/* The client's and the server's records (their pids set). */
static void pair_collect(const struct live_run *run, struct aat_tls_peer *cli, struct aat_tls_peer *srv, int port)
{
	tls_peer_collect(run, cli, port);
	tls_peer_collect(run, srv, port);
}

static int port_of_test(int k)
{
	return 20000 + (getpid() * 4 + k) % 20000;
}

static struct aa_live_opts tls_opts(void)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_TLS_CONN) |
					    AA_TYPE_BIT(AA_TYPE_EXEC) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	return o;
}

Test(live_tls_found, gnutls_cli_both_ways_byte_exact, .timeout = 90)
{
	struct aa_live_opts o = tls_opts();
	struct aat_tls_peer cli = { 0 }, srv = { 0 };
	char *dir, script[2048], want[64 + GNUTLS_BIG];
	struct live_run run;
	int port = port_of_test(0);

	tls_need("gnutls-cli");
	tls_need("openssl");
	dir = tls_dir_with_cert();
	snprintf(script, sizeof(script),
		 "d=%s; p=%d; big=$(head -c %d /dev/zero | tr '\\0' g)\n"
		 TLS_S_SERVER_HELLO("1", "3")
		 "for i in $(seq 50); do { echo client-says-hello; echo \"$big\"; sleep 2; } | "
		 "gnutls-cli --insecure -p $p 127.0.0.1 >$d/cli.out 2>/dev/null && break; sleep 0.1; done\nwait\n",
		 dir, port, GNUTLS_BIG);
	live_run_script(&run, script, &o, -1);
	srv.pid = exec_pid(&run, "openssl s_server");
	/* gnutls-cli's last exec is the one that connected (earlier ones found no server) */
	cli.pid = last_exec_pid(&run, "gnutls-cli");
	cr_assert(srv.pid && cli.pid, "the execs of s_server and gnutls-cli were not seen");
	pair_collect(&run, &cli, &srv, port);

	snprintf(want, sizeof(want), "client-says-hello\n");
	memset(want + 18, 'g', GNUTLS_BIG);
	want[18 + GNUTLS_BIG] = '\n';
	cr_assert_eq(cli.out.len, 18 + GNUTLS_BIG + 1, "gnutls-cli sent %zu bytes", cli.out.len);
	cr_assert_eq(memcmp(cli.out.data, want, cli.out.len), 0, "gnutls-cli's plaintext differs");
	cr_assert_eq(srv.in.len, cli.out.len, "the server read %zu bytes", srv.in.len);
	cr_assert_eq(memcmp(srv.in.data, want, srv.in.len), 0);
	cr_assert_eq(cli.in.len, 18, "gnutls-cli read %zu bytes", cli.in.len);
	cr_assert(aat_stream_has(&cli.in, "server-says-hello\n"));
	cr_assert(aat_stream_has(&srv.out, "server-says-hello\n"));
	cr_assert_eq(cli.last_lib, AA_TLS_LIB_GNUTLS, "gnutls-cli's calls say lib %u", cli.last_lib);
	cr_assert_eq(srv.last_lib, AA_TLS_LIB_OPENSSL);
	cr_assert_geq(cli.conns_to_port, 3, "gnutls-cli's calls do not name the server's port");
	cr_assert_eq(cli.out_of_order, 0); /* one thread: its pieces in order */
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	aat_tls_peer_free(&cli);
	aat_tls_peer_free(&srv);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

Test(live_tls_found, wget_https_file_byte_exact, .timeout = 90)
{
	struct aa_live_opts o = tls_opts();
	struct aat_tls_peer cli = { 0 }, srv = { 0 };
	char *dir, *file, script[2048];
	uint8_t *got = NULL;
	size_t got_len = 0;
	struct live_run run;
	int port = port_of_test(1);

	tls_need("wget");
	tls_need("openssl");
	dir = tls_dir_with_cert();
	file = tls_msg_file(dir, "file.txt", WGET_FILE, "wget-file");
	snprintf(script, sizeof(script),
		 "d=%s; p=%d; cd $d\n"
		 "openssl s_server -WWW -accept 127.0.0.1:$p -cert c.pem -key k.pem -quiet -naccept 1 "
		 "</dev/null >/dev/null 2>&1 &\n"
		 "for i in $(seq 50); do wget -q --no-check-certificate -O $d/got https://127.0.0.1:$p/file.txt "
		 "&& break; sleep 0.1; done\nwait\n",
		 dir, port);
	live_run_script(&run, script, &o, -1);
	srv.pid = exec_pid(&run, "openssl s_server");
	cli.pid = last_exec_pid(&run, "wget");
	cr_assert(srv.pid && cli.pid, "the execs of s_server and wget were not seen");
	pair_collect(&run, &cli, &srv, port);
	{
		char *path = aat_path(dir, "got");

		cr_assert_eq(aat_read_file(path, &got, &got_len), 0, "wget saved nothing");
		free(path);
	}
	cr_assert_eq(got_len, WGET_FILE);
	cr_assert(aat_stream_has(&cli.out, "GET /file.txt HTTP/1.1\r\n"), "wget's request was not seen");
	cr_assert(cli.in.data && memmem(cli.in.data, cli.in.len, file, WGET_FILE),
		  "the file is not whole in wget's reads (%zu bytes read)", cli.in.len);
	/* nothing but the response: its head and the file */
	cr_assert(cli.in.len > WGET_FILE && cli.in.len < WGET_FILE + 200, "wget read %zu bytes", cli.in.len);
	cr_assert_gt(cli.max_in, AA_TLS_PAYLOAD_MAX, "no wget call over 4 KiB (largest %u)", cli.max_in);
	cr_assert_eq(cli.out_of_order, 0); /* one thread: its pieces in order */
	cr_assert_eq(cli.last_lib, AA_TLS_LIB_GNUTLS);
	/* (s_server -WWW writes through a BIO_f_ssl, which calls libssl's
	 * internal write, not SSL_write: its side is not in the capture.) */
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	free(got);
	free(file);
	aat_tls_peer_free(&cli);
	aat_tls_peer_free(&srv);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

Test(live_tls_found, openssl_linked_into_a_program_started_later, .timeout = 90)
{
	struct aa_live_opts o = tls_opts();

	o.tls_hold = 1; /* probed before its first instruction: none of its TLS missed */
	struct aat_tls_peer cli = { 0 }, srv = { 0 };
	char *dir, client[4200], script[6000], want[STATIC_MSG];
	struct live_run run;
	int port = port_of_test(2);

	tls_need("openssl");
	live_beside_self("tls_static_client", client, sizeof(client));
	dir = tls_dir_with_cert();
	/* Not named by --ssl-lib, and not running when the capture began:
	 * its own SSL_write must be found at its exec. (setsid: without a
	 * controlling terminal, were the tests run from one, it is held at its
	 * exec until probed; one with a terminal is probed as it runs.) */
	snprintf(script, sizeof(script),
		 "d=%s; p=%d\n"
		 TLS_S_SERVER_HELLO("1", "2")
		 "setsid -w %s $p %d >$d/cli.out\nwait\n",
		 dir, port, client, STATIC_MSG);
	live_run_script(&run, script, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0, "the static client failed");
	srv.pid = exec_pid(&run, "openssl s_server");
	cli.pid = exec_pid(&run, client);
	cr_assert(srv.pid && cli.pid, "the execs of s_server and the client were not seen");
	pair_collect(&run, &cli, &srv, port);
	tls_msg_fill(want, STATIC_MSG, "static-client");
	cr_assert_eq(cli.out.len, STATIC_MSG, "the static client's SSL_write gave %zu bytes", cli.out.len);
	cr_assert_eq(memcmp(cli.out.data, want, STATIC_MSG), 0, "the static client's plaintext differs");
	cr_assert_eq(cli.max_out, STATIC_MSG);
	cr_assert_eq(cli.out_of_order, 0); /* one thread: its pieces in order */
	cr_assert_eq(cli.in.len, 18, "the static client read %zu bytes", cli.in.len);
	cr_assert(aat_stream_has(&cli.in, "server-says-hello\n"));
	cr_assert_eq(cli.last_lib, AA_TLS_LIB_OPENSSL);
	cr_assert_geq(cli.conns_to_port, 2);
	cr_assert_eq(srv.in.len, STATIC_MSG);
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	aat_tls_peer_free(&cli);
	aat_tls_peer_free(&srv);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

Test(live_tls_found, private_libssl_copy_loaded_later, .timeout = 90)
{
	struct aa_live_opts o = tls_opts();

	o.tls_hold = 1;
	struct aat_tls_peer cli = { 0 }, srv = { 0 };
	char *dir, cmd[1024], script[2048];
	struct live_run run;
	int port = port_of_test(3);

	tls_need("openssl");
	if (access("/lib/x86_64-linux-gnu/libssl.so.3", R_OK))
		cr_skip_test("no /lib/x86_64-linux-gnu/libssl.so.3 to copy");
	dir = tls_dir_with_cert();
	/* A libssl of its own, as a venv or a container has: a file no
	 * process had mapped when the capture began. */
	snprintf(cmd, sizeof(cmd), "mkdir %s/lib && cp /lib/x86_64-linux-gnu/libssl.so.3 %s/lib/", dir, dir);
	cr_assert_eq(aat_run(cmd, NULL, 0), 0);
	snprintf(script, sizeof(script),
		 "d=%s; p=%d\n"
		 TLS_S_SERVER_HELLO("0.5", "3")
		 "for i in $(seq 50); do { echo private-libssl-client; sleep 1.5; } | LD_LIBRARY_PATH=$d/lib "
		 "setsid -w openssl s_client -connect 127.0.0.1:$p -quiet -no_ign_eof >$d/cli.out 2>/dev/null && break; "
		 "sleep 0.1; done\nwait\n",
		 dir, port);
	live_run_script(&run, script, &o, -1);
	srv.pid = exec_pid(&run, "openssl s_server");
	cli.pid = last_exec_pid(&run, "openssl s_client");
	cr_assert(srv.pid && cli.pid, "the execs of s_server and s_client were not seen");
	pair_collect(&run, &cli, &srv, port);
	/* once: the copy is probed, the system's libssl is not mapped by it */
	cr_assert_eq(cli.out.len, strlen("private-libssl-client\n"), "s_client sent %zu bytes", cli.out.len);
	cr_assert(aat_stream_has(&cli.out, "private-libssl-client\n"));
	cr_assert(aat_stream_has(&cli.in, "server-says-hello\n"));
	cr_assert_eq(cli.last_lib, AA_TLS_LIB_OPENSSL);
	aat_tls_peer_free(&cli);
	aat_tls_peer_free(&srv);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

Test(live_tls_found, nss_tstclnt_tls_socket_only, .timeout = 120)
{
	struct aa_live_opts o = tls_opts();
	struct aat_tls_peer cli = { 0 }, srv = { 0 };
	char *dir, script[2048], want[64 + NSS_BIG];
	struct live_run run;
	int port = port_of_test(4);
	size_t head = strlen("nss-client-says-hello\n");

	tls_need("tstclnt");
	tls_need("certutil");
	tls_need("openssl");
	dir = tls_dir_with_cert();
	/* tstclnt reads its stdin and writes its stdout with PR_Read and
	 * PR_Write too: only its TLS socket's calls may be in the capture. It
	 * does not quit when the server has gone: timeout ends it. */
	snprintf(script, sizeof(script),
		 "d=%s; p=%d; big=$(head -c %d /dev/zero | tr '\\0' n)\n"
		 "mkdir $d/db && certutil -N -d sql:$d/db --empty-password || exit 1\n"
		 TLS_S_SERVER_HELLO("1", "2")
		 "for i in $(seq 50); do { echo nss-client-says-hello; echo \"$big\"; sleep 2; } | "
		 "timeout 4 tstclnt -d sql:$d/db -h 127.0.0.1 -p $p -o -o >$d/cli.out 2>/dev/null; "
		 "grep -q server-says-hello $d/cli.out && break; sleep 0.1; done\nwait\n",
		 dir, port, NSS_BIG);
	live_run_script(&run, script, &o, -1);
	srv.pid = exec_pid(&run, "openssl s_server");
	cli.pid = last_exec_pid(&run, "tstclnt");
	cr_assert(srv.pid && cli.pid, "the execs of s_server and tstclnt were not seen");
	pair_collect(&run, &cli, &srv, port);
	snprintf(want, sizeof(want), "nss-client-says-hello\n");
	memset(want + head, 'n', NSS_BIG);
	want[head + NSS_BIG] = '\n';
	cr_assert_eq(cli.out.len, head + NSS_BIG + 1, "tstclnt sent %zu bytes", cli.out.len);
	cr_assert_eq(memcmp(cli.out.data, want, cli.out.len), 0, "tstclnt's plaintext differs");
	cr_assert_eq(srv.in.len, cli.out.len);
	cr_assert_eq(cli.in.len, 18, "tstclnt read %zu bytes (its stdin's too?)", cli.in.len);
	cr_assert(aat_stream_has(&cli.in, "server-says-hello\n"));
	cr_assert_eq(cli.last_lib, AA_TLS_LIB_NSS, "tstclnt's calls say lib %u", cli.last_lib);
	cr_assert_geq(cli.conns_to_port, 2, "tstclnt's calls do not name the server's port");
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	aat_tls_peer_free(&cli);
	aat_tls_peer_free(&srv);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

/* Without --tls-hold a program that maps a new file is only looked at, never
 * stopped: a parent waiting with WUNTRACED (as Criterion's runner and shells
 * do) sees its child exit, not stop. */
Test(live_tls_found, a_new_program_is_not_stopped_without_tls_hold, .timeout = 60)
{
	struct aa_live_opts o = { .timeout_ms = 100 };
	struct aa_error_info err;
	aa_source *src;
	char *dir, prog[4200], cmd[8500];
	int status, rc;
	pid_t pid;

	live_require_root();
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
	snprintf(prog, sizeof(prog), "%s/fresh-true", dir);
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s", prog); /* a file no process has mapped */
	cr_assert_eq(aat_run(cmd, NULL, 0), 0);
	rc = aa_open_live(&src, &o, &err);
	cr_assert_eq(rc, 0, "aa_open_live: %s", err.detail);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		setsid(); /* no controlling terminal: one that has one is never stopped */
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &status, WUNTRACED), pid);
	cr_assert(!WIFSTOPPED(status), "the new program was stopped without --tls-hold");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	aa_close(src);
	aat_tmpdir_remove(dir);
}
