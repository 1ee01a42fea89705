/* SPDX-License-Identifier: MIT */
/*
 * aa_open_nats (aa_nats.h) against a real nats-server with JetStream,
 * started here on 127.0.0.1 and stopped at the end: a session published
 * chunk by chunk from the committed recording reads as the file does; a
 * foreign message stops aa_next with AA_E_CHUNK naming host and session
 * (without skip_damaged), and the next aa_next goes on; with skip_damaged
 * it goes to on_damage; a server that is not there and a bad URL are
 * errors at open, err filled. A record names the machine of the META it
 * came under (aa_record.arch), which the printers read its flags by.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aa_nats.h"
#include "aa_print.h"
#include "capio.h"
#include "files.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(nats);

static pid_t server;
static int port;
static char url[128];

/* A nats-server on a free port, its store in dir; skips without one. */
static void start_server(void)
{
	char out[64], cmd[512];

	if (system("command -v nats-server >/dev/null") != 0)
		cr_skip_test("nats-server not installed");
	cr_assert_eq(aat_run("python3 tests/ship/natsctl.py free-ports 1", out, sizeof(out)), 0);
	port = atoi(out);
	server = fork();
	cr_assert_geq(server, 0);
	if (server == 0) {
		char p[16], sd[4200];
		snprintf(p, sizeof(p), "%d", port);
		snprintf(sd, sizeof(sd), "%s/js", dir);
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* gone with the test, even one that failed */
		freopen("/dev/null", "w", stderr);
		freopen("/dev/null", "w", stdout);
		execlp("nats-server", "nats-server", "-a", "127.0.0.1", "-p", p, "-js", "-sd", sd,
		       (char *)NULL);
		_exit(127);
	}
	/* ready once it takes a connection */
	for (int i = 0; i < 100; i++) {
		snprintf(cmd, sizeof(cmd),
			 "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", %d))' 2>/dev/null",
			 port);
		if (system(cmd) == 0)
			break;
		usleep(50000);
	}
	snprintf(url, sizeof(url), "nats://127.0.0.1:%d/AASRC", port);
	/* the stream, and one session with a foreign message after chunk 2 */
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json, sys; sys.path.insert(0, \"tests/ship\"); import natsctl; "
		 "n = natsctl.Nats(%d); "
		 "r = json.loads(n.request(\"$JS.API.STREAM.CREATE.AASRC\", json.dumps({\"name\": \"AASRC\", "
		 "\"subjects\": [\"aa.>\"], \"storage\": \"file\", \"num_replicas\": 1}).encode())); "
		 "assert \"error\" not in r, r' && "
		 "python3 tests/ship/natsctl.py ship %d aa.host-a.%032x tests/fixtures/live.pcapng "
		 "--foreign-after 2",
		 port, port, 0xabcu);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void stop_server(void)
{
	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
		server = 0;
	}
}

static int damage_calls;
static struct aa_error_info last_damage;

static void on_damage(void *user, const struct aa_error_info *err)
{
	(void)user;
	damage_calls++;
	last_damage = *err;
}

Test(nats, foreign_message_stops_then_goes_on)
{
	aa_source *src;
	struct aa_error_info err;
	const struct aa_record *rec;
	int rc, errors = 0;
	size_t n = 0;
	char msg[512];

	start_server();
	struct aa_nats_opts no = { .host = "host-a" };
	rc = aa_open_nats(&src, url, &no, NULL, &err);
	cr_assert_eq(rc, 0, "open: %s", err.detail);
	cr_assert_not_null(aa_source_meta(src), "the first session's META is there at open");
	while ((rc = aa_next(src, &rec)) != 0) {
		if (rc < 0) {
			errors++;
			aa_error_format(aa_source_error(src), msg, sizeof(msg));
			cr_assert_eq(rc, AA_E_CHUNK, "%s", msg);
			cr_assert(strstr(msg, "/host-a/00000000000000000000000000000abc: "), "%s", msg);
			cr_assert(strstr(msg, "is not a chunk of this session: after chunk 2"), "%s", msg);
			cr_assert_lt(errors, 3);
			continue;
		}
		cr_assert(strstr(rec->path, "/AASRC/host-a/00000000000000000000000000000abc"));
		n++;
	}
	cr_assert_eq(errors, 1);
	cr_assert_eq(n, 708, "every record after the foreign message too");
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_assert_eq(st.damaged, 1);
	cr_assert_eq(st.intact, 0);
	cr_assert_eq(st.files_closed, 1, "its END was read and matched");
	aa_close(src);

	/* with skip_damaged: on_damage, no error */
	struct aa_replay_opts ro = { .skip_damaged = 1, .on_damage = on_damage,
				     .filter = { .types = AA_TYPE_BIT(AA_TYPE_EXEC) } };
	cr_assert_eq(aa_open_nats(&src, url, NULL, &ro, &err), 0, "%s", err.detail);
	n = 0;
	while ((rc = aa_next(src, &rec)) == 1)
		n++;
	cr_assert_eq(rc, 0);
	cr_assert_eq(n, 18, "the filter applies: 18 execs");
	cr_assert_eq(damage_calls, 1);
	cr_assert_eq(last_damage.code, AA_E_CHUNK);
	aa_close(src);

	/* another host: no session, said */
	no.host = "host-b";
	cr_assert_eq(aa_open_nats(&src, url, &no, NULL, &err), AA_E_INVAL);
	cr_assert_null(src);
	cr_assert(strstr(err.detail, "no session of host host-b"), "%s", err.detail);
	stop_server();
}

/* A session captured on arm64: its records say so, and read by arm64's
 * numbers (040000 is O_DIRECTORY there, O_DIRECT on x86-64). */
Test(nats, records_name_the_machine_of_their_meta)
{
	static const uint8_t session[16] = { 0xa6, 4 };
	struct aa_writer_opts o = { .hostname = "pi", .arch = "aarch64", .session = session,
				    .source = "test", .kernel = "6.1.0-test" };
	struct aa_file_event e = { .pid = 7, .tid = 7, .timestamp_ns = 1000, .syscall = AA_SYS_OPENAT,
				   .flags = 040000, .return_code = 3, .path = "/srv" };
	struct aat_recs recs = { 0 };
	struct aa_nats_opts no = { .host = "pi" };
	const struct aa_record *rec;
	aa_source *src;
	struct aa_error_info err;
	char cmd[4400], line[512];
	char *path = aat_path(dir, "pi.pcapng");
	FILE *f;

	start_server();
	aat_recs_add(&recs, &e, sizeof(e));
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &o, 0, NULL), 0);
	snprintf(cmd, sizeof(cmd), "python3 tests/ship/natsctl.py ship %d aa.pi.a6040000000000000000000000000000 %s",
		 port, path);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	cr_assert_eq(aa_open_nats(&src, url, &no, NULL, &err), 0, "open: %s", err.detail);
	cr_assert_eq(aa_next(src, &rec), 1);
	cr_assert_str_eq(rec->arch, "aarch64");
	cr_assert_not_null(f = fmemopen(line, sizeof(line), "w"));
	cr_assert_eq(aa_print_text(f, rec), 0);
	fclose(f);
	cr_expect(strstr(line, " flags=O_RDONLY|O_DIRECTORY "), "%s", line);
	cr_assert_eq(aa_next(src, &rec), 0);
	aa_close(src);
	aat_recs_free(&recs);
	free(path);
	stop_server();
}

Test(nats, open_errors)
{
	aa_source *src;
	struct aa_error_info err;

	cr_assert_eq(aa_open_nats(&src, "nats://127.0.0.1:1/AA", NULL, NULL, &err), AA_E_IO);
	cr_assert_null(src);
	cr_assert(strstr(err.detail, "cannot connect"), "%s", err.detail);
	cr_assert_eq(aa_open_nats(&src, "nats://127.0.0.1:1/A.B", NULL, NULL, &err), AA_E_INVAL);
	cr_assert(strstr(err.detail, "stream name"), "%s", err.detail);
	cr_assert_eq(aa_open_nats(&src, "http://x/AA", NULL, NULL, &err), AA_E_INVAL);
	cr_assert(aa_is_nats_url("tls://h:1/S") && !aa_is_nats_url("capture.pcapng"));
}
