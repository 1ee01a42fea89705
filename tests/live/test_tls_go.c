/* SPDX-License-Identifier: MIT */
/*
 * Go's crypto/tls found by the capture itself and captured byte for byte:
 * a Go client and a Go server (tests/live/test_tls_go_peer.go), built here
 * with Debian's golang-go, once with symbols and once stripped
 * (-ldflags='-s -w': only .gopclntab names the functions), started after
 * the capture began and not named to it. Each sends one message over 4 KiB
 * in one Write (pieces) and reads the other's; both directions of both
 * programs are compared with what was sent, and every call says lib "go"
 * and the connection (the socket under the *tls.Conn, its ports).
 * Needs root, go and openssl; run from the repository root.
 */
#include "live_tls.h"
#include "tls_msg.h"

#define CLI_BYTES 10000 /* 3 pieces */
#define SRV_BYTES 70000 /* more than one TLS record: Go's Write splits it, the probe sees one call */

/* The peer program built into dir/peer; ldflags "" or "-s -w". */
static void build_peer(const char *dir, const char *ldflags)
{
	char cmd[2048];

	if (aat_run("command -v go >/dev/null", NULL, 0) != 0)
		cr_skip_test("no go command (golang-go)");
	/* Offline, the standard library only, every cache in dir. */
	snprintf(cmd, sizeof(cmd),
		 "cp tests/live/test_tls_go_peer.go %s/peer.go && cd %s && printf 'module aatest\\n\\ngo 1.17\\n' >go.mod && "
		 "env GOCACHE=%s/cache GOPATH=%s/gopath GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local "
		 "go build -ldflags='%s' -o peer . >build.log 2>&1",
		 dir, dir, dir, dir, ldflags);
	cr_assert_eq(aat_run(cmd, NULL, 0), 0, "go build failed (see %s/build.log)", dir);
}

static void go_both_ways(const char *ldflags)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_TLS_CONN) |
					    AA_TYPE_BIT(AA_TYPE_EXEC) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct aat_tls_peer cli = { .lib = AA_TLS_LIB_GO }, srv = { .lib = AA_TLS_LIB_GO };
	char *dir, script[2048], peer[1024];
	static char want_cli[CLI_BYTES], want_srv[SRV_BYTES];
	struct live_run run;
	int port = 20000 + (getpid() * 2 + (ldflags[0] != 0)) % 20000;

	live_require_root();
	if (aat_run("command -v openssl >/dev/null", NULL, 0) != 0)
		cr_skip_test("no openssl command");
	dir = tls_dir_with_cert();
	build_peer(dir, ldflags);
	snprintf(peer, sizeof(peer), "%s/peer", dir);
	o.tls_hold = 1; /* probed before their first instruction (setsid: no terminal, so held) */
	/* held until probed even on a loaded machine (the default bound, 2 s,
	 * would let them run on unprobed: their first calls missed) */
	setenv("AA_TLS_HOLD_MAX_MS", "30000", 1);
	snprintf(script, sizeof(script),
		 "d=%s; p=%d\n"
		 "setsid -w $d/peer server $p $d/c.pem $d/k.pem %d %d >$d/srv.out 2>&1 &\n"
		 "setsid -w $d/peer client $p %d %d >$d/cli.out 2>&1\nc=$?\nwait $!\ns=$?\n"
		 "exit $((c + s))\n",
		 dir, port, SRV_BYTES, CLI_BYTES, SRV_BYTES, CLI_BYTES);
	live_run_script(&run, script, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0,
		  "the Go client or server failed (see %s/cli.out, srv.out)", dir);
	LIVE_FOREACH(&run, i, ev) /* setsid execs the peer: its last exec of each role */
		if (ev.type == AA_TYPE_EXEC && !strncmp((const char *)ev.exec->args, peer, strlen(peer)))
			*(strstr((const char *)ev.exec->args, " client ") ? &cli.pid : &srv.pid) = ev.exec->pid;
	cr_assert(cli.pid && srv.pid, "the execs of the Go client and server were not seen");
	tls_peer_collect(&run, &cli, port);
	tls_peer_collect(&run, &srv, port);
	tls_msg_fill(want_cli, CLI_BYTES, "go-client");
	tls_msg_fill(want_srv, SRV_BYTES, "go-server");
	cr_assert_eq(cli.out.len, CLI_BYTES, "the Go client's Writes gave %zu bytes (server: %zu read, %zu written)",
		     cli.out.len, srv.in.len, srv.out.len);
	cr_assert_eq(memcmp(cli.out.data, want_cli, CLI_BYTES), 0, "the Go client's plaintext differs");
	cr_assert_eq(srv.in.len, CLI_BYTES, "the Go server's Reads gave %zu bytes", srv.in.len);
	cr_assert_eq(memcmp(srv.in.data, want_cli, CLI_BYTES), 0, "the Go server read other bytes");
	cr_assert_eq(srv.out.len, SRV_BYTES, "the Go server's Writes gave %zu bytes", srv.out.len);
	cr_assert_eq(memcmp(srv.out.data, want_srv, SRV_BYTES), 0, "the Go server's plaintext differs");
	cr_assert_eq(cli.in.len, SRV_BYTES, "the Go client's Reads gave %zu bytes", cli.in.len);
	cr_assert_eq(memcmp(cli.in.data, want_srv, SRV_BYTES), 0, "the Go client read other bytes");
	/* one Write each, whole: the probes saw the call, not the TLS records */
	cr_assert_eq(cli.max_out, CLI_BYTES);
	cr_assert_eq(srv.max_out, SRV_BYTES);
	cr_assert_geq(cli.split_calls, 1);
	/* every call has its connection: lib go, the socket, the server's port */
	cr_assert_gt(cli.conns, 0);
	cr_assert_eq(cli.conns_lib, cli.conns, "%d of %d client calls say lib go", cli.conns_lib, cli.conns);
	cr_assert_eq(srv.conns_lib, srv.conns);
	cr_assert_eq(cli.conns_to_port, cli.conns, "%d of %d client calls name the server's port", cli.conns_to_port,
		     cli.conns);
	cr_assert_eq(srv.conns_to_port, srv.conns);
	cr_assert_eq(cli.conns_fd, cli.conns, "%d of %d client calls have their socket", cli.conns_fd, cli.conns);
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	aat_tls_peer_free(&cli);
	aat_tls_peer_free(&srv);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

Test(live_tls_go, client_and_server_with_symbols, .timeout = 120)
{
	go_both_ways("");
}

Test(live_tls_go, client_and_server_stripped, .timeout = 120)
{
	go_both_ways("-s -w");
}
