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
 * --since/--until seek inside a session of many chunks shipped by
 * aa-capture: exactly the records of the file read with the same window,
 * no damage reported, and fewer messages fetched than the session holds;
 * a chunk really missing is reported when the window needs it.
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
#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "clock.h"
#include "files.h"
#include "gen.h"
#include "recs.h"
#include "rng.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(nats);

static pid_t server;
static int port;
static char url[128];

/* Stream name on the server, taking subjects aa.> (from stream drop, if
 * not NULL); direct gets allowed when direct; url names it. */
static void make_stream(const char *name, const char *drop, int direct)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json, sys; sys.path.insert(0, \"tests/ship\"); import natsctl; "
		 "n = natsctl.Nats(%d); %s%s%s"
		 "r = json.loads(n.request(\"$JS.API.STREAM.CREATE.%s\", json.dumps({\"name\": \"%s\", "
		 "\"subjects\": [\"aa.>\"], \"storage\": \"file\", \"num_replicas\": 1, "
		 "\"allow_direct\": %s}).encode())); assert \"error\" not in r, r'",
		 port, drop ? "n.request(\"$JS.API.STREAM.DELETE." : "", drop ? drop : "",
		 drop ? "\", b\"\"); " : "", name, name, direct ? "True" : "False");
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	snprintf(url, sizeof(url), "nats://127.0.0.1:%d/%s", port, name);
}

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
	/* the stream, and one session with a foreign message after chunk 2 */
	make_stream("AASRC", NULL, 0);
	snprintf(cmd, sizeof(cmd),
		 "python3 tests/ship/natsctl.py ship %d aa.host-a.%032x tests/fixtures/live.pcapng "
		 "--foreign-after 2",
		 port, 0xabcu);
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

/* The records of the window from a file and from the stream, compared one by one. */
struct window {
	const char *what;
	uint64_t since, until; /* wall clock ns, 0 no bound */
};

static size_t same_records(const char *file, const struct window *w, struct aa_nats_stats *ns)
{
	struct aa_replay_opts ro = { .skip_damaged = 1, .on_damage = on_damage,
				     .filter = { .since_ns = w->since, .until_ns = w->until } };
	const char *paths[] = { file };
	aa_source *a, *b;
	struct aa_error_info err;
	const struct aa_record *ra, *rb;
	size_t n = 0;
	int rc;

	damage_calls = 0;
	cr_assert_eq(aa_open_offline(&a, paths, 1, &ro, &err), 0, "%s", err.detail);
	cr_assert_eq(aa_open_nats(&b, url, NULL, &ro, &err), 0, "%s", err.detail);
	while ((rc = aa_next(a, &ra)) == 1) {
		cr_assert_eq(aa_next(b, &rb), 1, "%s: record %zu of the file is not in the stream's",
			     w->what, n);
		cr_assert(ra->ev.len == rb->ev.len && !memcmp(ra->ev.raw, rb->ev.raw, ra->ev.len) &&
				  ra->time_ns == rb->time_ns,
			  "%s: record %zu differs", w->what, n);
		n++;
	}
	cr_assert_eq(rc, 0);
	cr_assert_eq(aa_next(b, &rb), 0, "%s: the stream has more than the file's %zu", w->what, n);
	cr_assert_eq(damage_calls, 0, "%s: damage reported: %s", w->what, last_damage.detail);
	struct aa_source_stats st;
	aa_source_get_stats(b, &st);
	cr_assert(st.intact && st.damaged == 0, "%s: %llu damaged", w->what,
		  (unsigned long long)st.damaged);
	cr_assert_eq(aa_nats_source_stats(b, ns), 0);
	cr_assert_eq(aa_nats_source_stats(a, ns), AA_E_INVAL, "a file is no stream source");
	cr_assert_eq(aa_nats_source_stats(b, ns), 0);
	aa_close(a);
	aa_close(b);
	return n;
}

Test(nats, since_until_seek_inside_a_session)
{
	char cmd[8192], out[256];
	struct aat_recs recs = { 0 };
	struct aat_rng r;
	uint64_t ts = 1000;

	start_server(); /* (its stream gives way to one that allows direct gets) */
	/* many chunks: a random mix (unknown records among them) through aa-capture */
	aat_rng_seed(&r, 77);
	for (int g = 0; g < 20; g++) { /* with pauses: a span long against the reorder window */
		aat_gen_mix(&r, 1500, 6000, &ts, &recs, NULL);
		ts += 500000000;
	}
	char *raw_path = aat_path(dir, "mix.raw"), *capture = aat_build_path("aa-capture");
	char *replay = aat_build_path("aa-replay");
	FILE *raw = fopen(raw_path, "wb");
	cr_assert_not_null(raw);
	for (size_t i = 0; i < recs.n; i++) {
		uint32_t len = (uint32_t)recs.len[i];
		fwrite(&len, 4, 1, raw);
		fwrite(aat_recs_at(&recs, i), 1, len, raw);
	}
	cr_assert_eq(fclose(raw), 0);
	aat_recs_free(&recs);
	make_stream("AASEEK", "AASRC", 1);
	snprintf(cmd, sizeof(cmd), "%s -q -r %s/mix.raw -w %s/mix.pcapng --flush-ms 50 --ship %s",
		 capture, dir, dir, url);
	cr_assert_eq(system(cmd), 0, "%s", cmd);

	/* the file's span, and its chunks: the messages of the session */
	char *file = aat_path(dir, "mix.pcapng");
	const char *paths[] = { file };
	aa_source *src;
	struct aa_error_info err;
	const struct aa_record *rec;
	struct aa_source_stats fs;
	cr_assert_eq(aa_open_offline(&src, paths, 1, NULL, &err), 0, "%s", err.detail);
	while (aa_next(src, &rec) == 1)
		;
	aa_source_get_stats(src, &fs);
	const struct aa_file_meta *m = aa_source_meta(src);
	int64_t m_off = m->mono_to_wall;
	uint64_t first = aa_wall_ns(1000, m_off), reorder = aa_meta_reorder_ns(m);
	uint64_t span = ts - 1000, msgs = fs.chunks + 3; /* RECORDS, and META, STATS, END */
	aa_close(src);
	cr_assert_gt(fs.chunks, 60, "%llu chunks", (unsigned long long)fs.chunks);
	cr_assert_lt(reorder, span / 4, "the reorder window is short against the span");

	static const struct {
		const char *what;
		double since, until; /* fractions of the span from the first record; < 0: none */
		double most;         /* of the session's messages fetched at most */
	} cases[] = {
		{ "a window in the middle", 0.45, 0.55, 0.3 },
		{ "the first fifth", -1, 0.2, 0.4 },
		{ "a tiny window", 0.7, 0.7001, 0.2 },
		{ "the whole", -1, -1, 1 },
		/* the unknown records have the time their chunk was written, later
		 * than any record here: every chunk may hold some */
		{ "since alone", 0.5, -1, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct window w = { .what = cases[i].what };
		struct aa_nats_stats ns;
		if (cases[i].since >= 0)
			w.since = first + (uint64_t)(cases[i].since * (double)span);
		if (cases[i].until >= 0)
			w.until = first + (uint64_t)(cases[i].until * (double)span);
		size_t n = same_records(file, &w, &ns);
		cr_log_info("%s: %zu records; %llu of %llu messages fetched (%llu probes), %llu chunks "
			    "left out, %llu sessions cut", w.what, n, (unsigned long long)ns.messages,
			    (unsigned long long)msgs, (unsigned long long)ns.probes,
			    (unsigned long long)ns.chunks_skipped, (unsigned long long)ns.sessions_cut);
		cr_assert_leq((double)ns.messages, cases[i].most * (double)msgs, "%s: %llu of %llu",
			      w.what, (unsigned long long)ns.messages, (unsigned long long)msgs);
		if (w.until)
			cr_assert_eq(ns.sessions_cut, 1, "%s: reading stopped past until", w.what);
		if (w.since && w.until)
			cr_assert_gt(n, 0, "%s: records in it", w.what);
	}
	/* the same through aa-replay: export --raw from both */
	snprintf(cmd, sizeof(cmd),
		 "D=%s R=%s && w='--since %llu.%09llu --until %llu.%09llu' && "
		 "$R export --raw $w $D/mix.pcapng $D/a.raw && $R export --raw $w %s $D/b.raw && "
		 "cmp $D/a.raw $D/b.raw && test -s $D/a.raw && echo same",
		 dir, replay, (unsigned long long)((first + span / 3) / 1000000000),
		 (unsigned long long)((first + span / 3) % 1000000000),
		 (unsigned long long)((first + span / 2) / 1000000000),
		 (unsigned long long)((first + span / 2) % 1000000000), url);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0, "%s: %s", cmd, out);
	cr_assert_str_eq(out, "same\n");

	/* A chunk really missing (the session shipped again without it, as
	 * host "gap"): a window holding its records says so, once; one that
	 * stops before it does not (the seeking's own gaps are never said). */
	uint8_t *data;
	size_t size;
	struct aat_block *b;
	cr_assert_eq(aat_read_file(file, &data, &size), 0);
	long nb = aat_blocks(data, size, &b), k = 0;
	uint32_t missing = (uint32_t)(fs.chunks / 2);
	while (k < nb && !(b[k].kind == AA_CHUNK_RECORDS && b[k].index == missing))
		k++;
	cr_assert_lt(k, nb);
	struct window gap = { .what = "a window holding the missing chunk",
			      .since = aa_wall_ns(aat_le64(data + b[k].data_off + 40), m_off),
			      .until = aa_wall_ns(aat_le64(data + b[k].data_off + 48), m_off) + 1 };
	free(b);
	free(data);
	snprintf(cmd, sizeof(cmd), "python3 tests/ship/natsctl.py ship %d aa.gap.%032x %s --skip %u",
		 port, 1u, file, missing);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	struct aa_nats_opts gap_host = { .host = "gap" };
	struct window early = { .what = "a window that stops before it", .until = first + span / 5 };
	const struct window *gw[] = { &gap, &early };
	for (int i = 0; i < 2; i++) {
		struct aa_replay_opts ro = { .skip_damaged = 1, .on_damage = on_damage,
					     .filter = { .since_ns = gw[i]->since, .until_ns = gw[i]->until } };
		damage_calls = 0;
		cr_assert_eq(aa_open_nats(&src, url, &gap_host, &ro, &err), 0, "%s", err.detail);
		while (aa_next(src, &rec) == 1)
			;
		aa_close(src);
		cr_assert_eq(damage_calls, i == 0, "%s: %d damage reports (%s)", gw[i]->what,
			     damage_calls, last_damage.detail);
	}
	cr_assert_eq(last_damage.code, AA_E_SEQUENCE, "%s", last_damage.detail);
	cr_assert_eq(last_damage.chunk, missing + 1);
	free(file);
	free(raw_path);
	free(capture);
	free(replay);
	stop_server();
}
