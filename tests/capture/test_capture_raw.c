/* SPDX-License-Identifier: MIT */
/*
 * aa-capture -r: a raw record stream (file, stdin, slow pipe, damaged) into
 * a capture file, read back with the replay library byte for byte. Needs no
 * privilege.
 */
#include <inttypes.h>

#include "aa_raw.h"
#include "capfile.h"
#include "cap_test.h"

TestSuite(capture_raw, .init = cap_setup, .fini = cap_teardown, .timeout = 120);

/* Writes n mixed records as a raw stream at dir/name; returns its path. */
static char *make_raw(const char *name, struct aat_recs *recs, size_t n, uint64_t seed,
		      struct aat_mix_counts *counts)
{
	char *path = aat_path(dir, name);

	cap_mix(recs, n, seed, counts);
	cr_assert_eq(aat_recs_write_raw(recs, path), 0);
	return path;
}

static void expect_same(const struct aat_recs *got, const struct aat_recs *want)
{
	long d = aat_recs_diff(got, want);

	cr_expect_eq(got->n, want->n, "%zu records read back, %zu written", got->n, want->n);
	cr_expect_eq(d, -1, "record %ld differs", d);
}

Test(capture_raw, file_round_trip_byte_for_byte)
{
	struct aat_recs in = { 0 }, out = { 0 };
	struct aat_mix_counts counts = { 0 };
	struct aa_source_stats st;
	char *raw = make_raw("in.raw", &in, 20000, 42, &counts);
	char *cap = aat_path(dir, "out.pcapng");

	int rc = cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", cap, NULL });
	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(aat_read_capture(cap, NULL, &out, &st, NULL), 0);
	expect_same(&out, &in);
	cr_expect(st.intact, "the file reads intact");
	cr_expect_eq(st.files_closed, 1, "the file ends with its END chunk");
	for (int t = 0; t < AA_TYPE_COUNT; t++)
		cr_expect_eq(st.by_type[t], counts.by_type[t], "type %d: %" PRIu64 " read, %" PRIu64
			     " made", t, st.by_type[t], counts.by_type[t]);
	cr_expect_eq(st.invalid, counts.invalid);
	cr_expect_gt(counts.invalid, 0, "the mix holds invalid records, kept as they are");
	aat_recs_free(&in);
	aat_recs_free(&out);
	free(raw);
	free(cap);
}

Test(capture_raw, stdin_and_file_meta)
{
	struct aat_recs in = { 0 }, out = { 0 };
	char *raw = make_raw("in.raw", &in, 3000, 7, NULL);
	char *cap = aat_path(dir, "stdin.pcapng");
	const char *path = cap;
	aa_source *src;

	int rc = cap_run(raw, NULL, (const char *[]){ "-q", "-r", "-", "-w", cap, "--level", "9",
						     "--flush-ms", "250", NULL });
	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(aat_read_capture(cap, NULL, &out, NULL, NULL), 0);
	expect_same(&out, &in);

	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0);
	const struct aa_file_meta *m = aa_source_meta(src);
	cr_assert_not_null(m);
	cr_expect_str_eq(m->writer, "aa-capture");
	cr_expect_str_eq(m->source, "raw:-");
	cr_expect_eq(m->level, 9);
	cr_expect_eq(m->flush_ms, 250);
	cr_expect_eq(m->file_seq, 0);
	aa_close(src);
	aat_recs_free(&in);
	aat_recs_free(&out);
	free(raw);
	free(cap);
}

/* The first records of a slow pipe must be in the file within --flush-ms,
 * long before the writer ends. */
Test(capture_raw, slow_pipe_flushes_within_flush_ms)
{
	struct aat_recs in = { 0 }, out = { 0 };
	char *cap = aat_path(dir, "slow.pcapng");
	int p[2];

	cap_mix(&in, 40, 3, NULL);
	/* O_CLOEXEC: the child must not hold the write end, or it never sees the end. */
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", cap, "--flush-ms", "200",
						"--duration", "60", NULL },
			      p[0], NULL);
	close(p[0]);
	cap_write_raw(p[1], &in, 0, 20);
	/* The 20 records must appear while the pipe is still open (3 s: a loaded machine). */
	int rc = cap_wait_records(cap, 20, 3000, &out);
	cr_expect_eq(out.n, 20, "%zu of 20 records in the file while the writer still writes", out.n);
	cr_expect_eq(rc, AA_E_UNCLOSED, "the file is still open: %s", aa_error_name(rc));

	cap_write_raw(p[1], &in, 20, in.n);
	close(p[1]);
	cr_assert_eq(cap_wait(pid), 0);
	aat_recs_clear(&out);
	cr_assert_eq(aat_read_capture(cap, NULL, &out, NULL, NULL), 0);
	expect_same(&out, &in);
	aat_recs_free(&in);
	aat_recs_free(&out);
	free(cap);
}

/* Lines in the text of path (0 if missing). */
static size_t count_lines(const char *path)
{
	char *text = cap_slurp(path);
	size_t n = 0;

	for (const char *p = text; (p = strchr(p, '\n')); p++)
		n++;
	free(text);
	return n;
}

/* `aa-capture -w - | aa-replay cat -` fed slowly: each chunk's lines come
 * out as the chunk arrives, not when 64 KiB have gathered or at the end. */
Test(capture_raw, pipe_into_cat_shows_records_while_running)
{
	struct aat_recs in = { 0 };
	char *capture = cap_bin(), *replay_rel = aat_build_path("aa-replay");
	char *replay = realpath(replay_rel, NULL), *text = aat_path(dir, "cat.txt");
	char cmd[4096], want[64];
	int p[2], st;

	cr_assert_not_null(replay);
	cap_mix(&in, 30, 5, NULL);
	snprintf(cmd, sizeof(cmd), "'%s' -q -r - -w - --flush-ms 50 | '%s' cat --json - > '%s'",
		 capture, replay, text);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(p[0], 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(126);
	}
	close(p[0]);
	cap_write_raw(p[1], &in, 0, 1); /* one record: far less than a 64 KiB buffer of text */
	/* The pipe stays open, so aa-capture keeps running: the line must come anyway. */
	for (int waited = 0; count_lines(text) == 0 && waited < 10000; waited += 20)
		cap_sleep_ms(20);
	cr_expect_eq(waitpid(pid, &st, WNOHANG), 0, "the pipeline is still running");
	char *first = cap_slurp(text);
	struct aa_event ev;
	aa_parse(aat_recs_at(&in, 0), in.len[0], &ev);
	snprintf(want, sizeof(want), "{\"type\":\"%s\",", aa_type_name(ev.type));
	cr_expect(strncmp(first, want, strlen(want)) == 0 && strstr(first, "\"index\":0,"),
		  "the first record's line while aa-capture runs: %.200s", first);
	free(first);

	cap_write_raw(p[1], &in, 1, in.n);
	close(p[1]);
	cr_expect_eq(cap_wait(pid), 0);
	cr_expect_eq(count_lines(text), in.n, "one line per record at the end");
	aat_recs_free(&in);
	free(capture);
	free(replay_rel);
	free(replay);
	free(text);
}

/* Cuts the raw stream at cut bytes; aa-capture must exit 1, say where, and
 * keep every whole record before the cut in a closed, intact file. */
static void truncated_case(size_t keep_whole, size_t extra, const char *what)
{
	struct aat_recs in = { 0 }, out = { 0 }, want = { 0 };
	struct aa_source_stats st;
	char *raw = make_raw("full.raw", &in, 500, 11, NULL);
	char *cut = aat_path(dir, "cut.raw"), *cap = aat_path(dir, "cut.pcapng");
	char *errf = aat_path(dir, "err.txt");
	uint8_t *data;
	size_t size, off = 0;

	cr_assert_eq(aat_read_file(raw, &data, &size), 0);
	for (size_t i = 0; i < keep_whole; i++) {
		aat_recs_add(&want, aat_recs_at(&in, i), in.len[i]);
		off += 4 + in.len[i];
	}
	cr_assert_lt(extra, 4 + in.len[keep_whole]);
	cr_assert_eq(aat_write_file(cut, data, off + extra), 0);

	int rc = cap_run(NULL, errf, (const char *[]){ "-q", "-r", cut, "-w", cap, NULL });
	cr_expect_eq(rc, 1, "%s: exit %d", what, rc);
	char *msg = cap_slurp(errf), offset_text[64];
	snprintf(offset_text, sizeof(offset_text), "offset %zu", off);
	cr_expect(strstr(msg, offset_text), "%s: message names the %s: %s", what, offset_text, msg);
	cr_assert_eq(aat_read_capture(cap, NULL, &out, &st, NULL), 0);
	expect_same(&out, &want);
	cr_expect(st.intact, "%s: the file is closed and intact", what);
	free(msg);
	free(data);
	aat_recs_free(&in);
	aat_recs_free(&out);
	aat_recs_free(&want);
	free(raw);
	free(cut);
	free(cap);
	free(errf);
}

Test(capture_raw, truncated_inside_a_record_exits_1_keeping_whole_records)
{
	truncated_case(321, 4 + 3, "cut inside the bytes");
}

Test(capture_raw, truncated_inside_a_length_exits_1_keeping_whole_records)
{
	truncated_case(17, 2, "cut inside the length");
}

/* A length of 0 and a length over AA_RECORD_MAX: exit 1 with the offset, records before kept. */
static void bad_length_case(uint32_t bad, const char *want_text)
{
	struct aat_recs in = { 0 }, out = { 0 };
	char *raw = aat_path(dir, "bad.raw"), *cap = aat_path(dir, "bad.pcapng");
	char *errf = aat_path(dir, "err.txt");
	uint8_t *data;
	size_t size;

	cap_mix(&in, 10, 5, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	cr_assert_eq(aat_read_file(raw, &data, &size), 0);
	data = realloc(data, size + 16);
	aat_put_le32(data + size, bad);
	memset(data + size + 4, 0xab, 12);
	cr_assert_eq(aat_write_file(raw, data, size + 16), 0);

	int rc = cap_run(NULL, errf, (const char *[]){ "-q", "-r", raw, "-w", cap, NULL });
	cr_expect_eq(rc, 1, "length %u: exit %d", bad, rc);
	char *msg = cap_slurp(errf), offset_text[64];
	snprintf(offset_text, sizeof(offset_text), "offset %zu", size);
	cr_expect(strstr(msg, offset_text) && strstr(msg, want_text), "message: %s", msg);
	cr_assert_eq(aat_read_capture(cap, NULL, &out, NULL, NULL), 0);
	expect_same(&out, &in);
	free(msg);
	free(data);
	aat_recs_free(&in);
	aat_recs_free(&out);
	free(raw);
	free(cap);
	free(errf);
}

Test(capture_raw, length_zero_exits_1)
{
	bad_length_case(0, "length 0");
}

Test(capture_raw, length_over_the_limit_exits_1)
{
	bad_length_case(0x7fffffffu, "over the limit");
}

Test(capture_raw, count_and_event_filter)
{
	struct aat_recs in = { 0 }, out = { 0 }, want = { 0 };
	char *raw = make_raw("in.raw", &in, 2000, 9, NULL);
	char *cap = aat_path(dir, "c.pcapng"), *exe = aat_path(dir, "exec.pcapng");

	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", cap, "-c", "123",
							   NULL }), 0);
	for (size_t i = 0; i < 123; i++)
		aat_recs_add(&want, aat_recs_at(&in, i), in.len[i]);
	cr_assert_eq(aat_read_capture(cap, NULL, &out, NULL, NULL), 0);
	expect_same(&out, &want);

	/* --events with -r selects by type in user space. */
	aat_recs_clear(&want);
	aat_recs_clear(&out);
	for (size_t i = 0; i < in.n; i++) {
		struct aa_event ev;
		aa_parse(aat_recs_at(&in, i), in.len[i], &ev);
		if (ev.type == AA_TYPE_EXEC || ev.type == AA_TYPE_EXIT)
			aat_recs_add(&want, aat_recs_at(&in, i), in.len[i]);
	}
	cr_assert_gt(want.n, 10);
	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", exe, "--events",
							   "exec,exit", NULL }), 0);
	cr_assert_eq(aat_read_capture(exe, NULL, &out, NULL, NULL), 0);
	expect_same(&out, &want);
	aat_recs_free(&in);
	aat_recs_free(&out);
	aat_recs_free(&want);
	free(raw);
	free(cap);
	free(exe);
}

Test(capture_raw, print_shows_every_record_as_json_lines)
{
	struct aat_recs in = { 0 };
	char *raw = make_raw("in.raw", &in, 300, 13, NULL);
	char cmd[1024], out[8192];
	char *bin = cap_bin(), *cap = aat_path(dir, "p.pcapng");

	snprintf(cmd, sizeof(cmd), "'%s' -q -r '%s' -w '%s' --print --json | wc -l", bin, raw, cap);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0);
	cr_expect_eq(atol(out), 300, "one JSON line per record: %s", out);
	snprintf(cmd, sizeof(cmd), "'%s' -q -r '%s' -w '%s' --print | grep -c '^[0-9].* exec '",
		 bin, raw, cap);
	aat_run(cmd, out, sizeof(out));
	cr_expect_gt(atol(out), 0, "text lines name the exec records: %s", out);
	aat_recs_free(&in);
	free(raw);
	free(bin);
	free(cap);
}

/* The raw source through the library, as aa-capture uses it: AA_E_AGAIN on an idle pipe. */
Test(capture_raw, raw_source_times_out_on_an_idle_pipe)
{
	int p[2];
	aa_source *src;
	const struct aa_record *rec;
	struct aat_recs in = { 0 };
	char path[32];

	cap_mix(&in, 2, 21, NULL);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	cr_assert_eq(aa_open_raw(&src, path, NULL, NULL), 0);
	aa_raw_set_timeout(src, 50);
	cr_expect_eq(aa_next(src, &rec), AA_E_AGAIN);
	uint32_t len = in.len[0];
	cr_assert_eq(write(p[1], &len, 4), 4);
	cr_expect_eq(aa_next(src, &rec), AA_E_AGAIN, "only the length has come");
	cr_assert_eq(write(p[1], aat_recs_at(&in, 0), len), (ssize_t)len);
	cr_assert_eq(aa_next(src, &rec), 1);
	cr_expect_eq(rec->ev.len, len);
	cr_expect_eq(memcmp(rec->ev.raw, aat_recs_at(&in, 0), len), 0);
	cr_expect_eq(aa_raw_offset(src), 4 + len);
	close(p[1]);
	cr_expect_eq(aa_next(src, &rec), 0, "the end of the pipe is the end of the stream");
	aa_close(src);
	close(p[0]);
	aat_recs_free(&in);
}

/* The library's view of a damaged stream: every whole record first, then the
 * error with the record's offset, the same on every later call. */
Test(capture_raw, raw_source_reports_where_the_stream_breaks)
{
	struct aat_recs in = { 0 };
	char *path = aat_path(dir, "broken.raw");
	const struct aa_record *rec;
	aa_source *src;
	uint8_t *data;
	size_t size, whole = 0;

	cap_mix(&in, 5, 31, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, path), 0);
	cr_assert_eq(aat_read_file(path, &data, &size), 0);
	for (size_t i = 0; i < 4; i++)
		whole += 4 + in.len[i];
	cr_assert_eq(aat_write_file(path, data, whole + 6), 0); /* 2 bytes into record 4 */

	cr_assert_eq(aa_open_raw(&src, path, NULL, NULL), 0);
	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(aa_next(src, &rec), 1, "record %zu", i);
		cr_expect_eq(rec->index, i);
		cr_expect_eq(rec->ev.len, in.len[i]);
		cr_expect_eq(memcmp(rec->ev.raw, aat_recs_at(&in, i), in.len[i]), 0);
	}
	for (int again = 0; again < 2; again++) {
		cr_expect_eq(aa_next(src, &rec), AA_E_TRUNCATED);
		const struct aa_error_info *e = aa_source_error(src);
		cr_expect_eq(e->code, AA_E_TRUNCATED);
		cr_expect_eq(e->offset, (int64_t)whole, "offset %jd, want %zu", (intmax_t)e->offset, whole);
		cr_expect_str_eq(e->path, path);
	}
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_expect_eq(st.records, 4);
	aa_close(src);

	/* A length over the limit, at the start. */
	aat_put_le32(data, AA_RECORD_MAX + 1);
	cr_assert_eq(aat_write_file(path, data, size), 0);
	cr_assert_eq(aa_open_raw(&src, path, NULL, NULL), 0);
	cr_expect_eq(aa_next(src, &rec), AA_E_TOO_BIG);
	cr_expect_eq(aa_source_error(src)->offset, 0);
	aa_close(src);

	struct aa_error_info err;
	cr_expect_eq(aa_open_raw(&src, "/nonexistent/x.raw", NULL, &err), AA_E_IO);
	cr_expect_null(src);
	cr_expect_eq(err.sys_errno, ENOENT);
	free(data);
	free(path);
	aat_recs_free(&in);
}

/*
 * Time stamps at the ends of 64 bits: the raw source, the file written from
 * it and the file reader keep each record byte for byte, with its wall time
 * exact where it fits in 64 bits and clamped where it does not (the sum
 * near 2^63 was a signed overflow: the sanitizer build aborted).
 */
Test(capture_raw, time_stamps_near_2_63_are_kept_with_checked_wall_time)
{
	static const uint64_t stamps[] = { INT64_MAX - 1000, INT64_MAX, UINT64_MAX - 3, 5 };
	struct aat_recs in = { 0 };
	struct aat_rng rng;
	uint8_t buf[AAT_GEN_MAX];
	const struct aa_record *rec;
	aa_source *src;
	char *raw = aat_path(dir, "edge.raw"), *cap = aat_path(dir, "edge.pcapng");
	size_t n = sizeof(stamps) / sizeof(stamps[0]);

	aat_rng_seed(&rng, 77);
	for (size_t i = 0; i < n; i++)
		aat_recs_add(&in, buf, aat_gen_valid(&rng, AA_TYPE_EXIT, stamps[i], buf));
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);

	cr_assert_eq(aa_open_raw(&src, raw, NULL, NULL), 0);
	int64_t off = aa_raw_mono_to_wall(src);
	cr_assert_gt(off, 0, "wall time is ahead of the monotonic clock");
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(aa_next(src, &rec), 1, "record %zu is kept", i);
		cr_expect_eq(rec->ev.mono_ns, stamps[i]);
		uint64_t want = i == 2 ? UINT64_MAX : stamps[i] + (uint64_t)off;
		cr_expect_eq(rec->time_ns, want, "record %zu: time %" PRIu64 ", want %" PRIu64, i,
			     rec->time_ns, want);
	}
	cr_expect_eq(aa_next(src, &rec), 0);
	aa_close(src);

	/* Through aa-capture into a file, and back with the file's own offset. */
	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", cap, NULL }), 0);
	const char *paths[] = { cap };
	cr_assert_eq(aa_open_offline(&src, paths, 1, NULL, NULL), 0);
	off = aa_source_meta(src)->mono_to_wall;
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(aa_next(src, &rec), 1, "record %zu is in the file", i);
		cr_expect_eq(rec->ev.len, in.len[i]);
		cr_expect_eq(memcmp(rec->ev.raw, aat_recs_at(&in, i), in.len[i]), 0);
		cr_expect_eq(rec->time_ns, i == 2 ? UINT64_MAX : stamps[i] + (uint64_t)off);
	}
	cr_expect_eq(aa_next(src, &rec), 0);
	aa_close(src);
	aat_recs_free(&in);
	free(raw);
	free(cap);
}

/*
 * `aa-capture -r session.pcapng` (tcpdump's habit): a capture file is not
 * its raw export. Recognised by its first block, said in one line with what
 * to use, exit 2 (usage), from a file and from standard input; no empty
 * output file is left behind, and the summary does not count it; "ready"
 * is not said.
 */
Test(capture_raw, a_capture_file_as_input_is_named_and_leaves_no_output)
{
	struct aat_recs in = { 0 };
	char *pcap = aat_path(dir, "session.pcapng"), *cap = aat_path(dir, "out.pcapng");
	char *errf = aat_path(dir, "err.txt");

	cap_mix(&in, 50, 8, NULL);
	cr_assert_eq(aat_write_capture(pcap, &in, 0, in.n, NULL, 0, NULL), 0);
	for (int from_stdin = 0; from_stdin < 2; from_stdin++) {
		int rc = cap_run(from_stdin ? pcap : NULL, errf,
				 (const char *[]){ "-r", from_stdin ? "-" : pcap, "-w", cap, NULL });
		char *msg = cap_slurp(errf);

		cr_expect_eq(rc, 2, "stdin %d: exit %d: %s", from_stdin, rc, msg);
		/* not ready: the input was not recognised */
		cr_expect_null(strstr(msg, "aa-capture: ready"), "stdin %d: %s", from_stdin, msg);
		/* the summary counts no file: the one started was removed */
		cr_expect(strstr(msg, " 0 bytes written in 0 files"), "stdin %d: %s", from_stdin, msg);
		cr_expect(strstr(msg, ": this is a capture file; use aa-replay (or aa-replay export --raw to convert)\n"),
			  "stdin %d: %s", from_stdin, msg);
		cr_expect_null(strstr(msg, "over the limit"), "%s", msg);
		cr_expect_eq(access(cap, F_OK), -1, "stdin %d: %s was left behind", from_stdin, cap);
		free(msg);
	}
	aat_recs_free(&in);
	free(pcap);
	free(cap);
	free(errf);
}

/* Any failure before the first record leaves no output (a bad first length,
 * a stream cut inside its first record); one after it keeps the file. */
Test(capture_raw, failure_before_the_first_record_leaves_no_output)
{
	static const struct {
		uint8_t bytes[8];
		size_t len;
		int want;
	} cases[] = {
		{ { 0, 0, 0, 0 }, 4, 1 },             /* length 0 */
		{ { 0xff, 0xff, 0xff, 0x7f }, 4, 1 }, /* over the limit */
		{ { 16, 0, 0, 0, 1, 2 }, 6, 1 },      /* cut inside the first record */
		{ { 16, 0 }, 2, 1 },                  /* cut inside the first length */
	};
	char *raw = aat_path(dir, "bad.raw"), *cap = aat_path(dir, "out.pcapng");
	char *errf = aat_path(dir, "err.txt");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(aat_write_file(raw, cases[i].bytes, cases[i].len), 0);
		int rc = cap_run(NULL, errf, (const char *[]){ "-q", "-r", raw, "-w", cap, NULL });
		char *msg = cap_slurp(errf);

		cr_expect_eq(rc, cases[i].want, "case %zu: exit %d: %s", i, rc, msg);
		cr_expect_eq(access(cap, F_OK), -1, "case %zu: an empty %s was left behind", i, cap);
		unlink(cap);
		free(msg);
	}
	/* an empty input is no failure: the (empty) capture file is the answer */
	cr_assert_eq(aat_write_file(raw, "", 0), 0);
	cr_expect_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", cap, NULL }), 0);
	cr_expect_eq(access(cap, F_OK), 0, "the empty capture of an empty input is kept");
	free(raw);
	free(cap);
	free(errf);
}

/* aa-capture -q -r INPUT -w out.pcapng with stdin from in_fd (-1: none):
 * exit 2, stderr exactly want, and no output file. */
static void expect_input_refused(const char *input, int in_fd, const char *want)
{
	char *cap = aat_path(dir, "out.pcapng"), *errf = aat_path(dir, "err.txt");
	int rc = cap_wait(cap_spawn((const char *[]){ "-q", "-r", input, "-w", cap, NULL }, in_fd, errf));
	char *msg = cap_slurp(errf);

	cr_expect_eq(rc, 2, "exit %d: %s", rc, msg);
	cr_expect_str_eq(msg, want);
	cr_expect_eq(access(cap, F_OK), -1, "no output file left");
	free(msg);
	free(cap);
	free(errf);
}

/* A missing input: one line that says what could not be done. */
Test(capture_raw, missing_input_says_cannot_open)
{
	char *raw = aat_path(dir, "missing.raw"), want[4200];

	snprintf(want, sizeof(want), "aa-capture: %s: cannot open: No such file or directory\n", raw);
	expect_input_refused(raw, -1, want);
	free(raw);
}

/* An input that cannot be read (standard input a directory: read() fails
 * with EISDIR) is an I/O error, exit 2, not the damaged-input status 1. */
Test(capture_raw, unreadable_input_is_an_io_error_not_damage)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	cr_assert_geq(fd, 0);
	expect_input_refused("-", fd, "aa-capture: -: offset 0: read: Is a directory\n");
	close(fd);
}
