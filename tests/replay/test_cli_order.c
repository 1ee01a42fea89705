/* SPDX-License-Identifier: MIT */
/*
 * cat gives records in time order: file records carry their syscall's
 * start time but reach the capture at its end, so capture order goes back
 * in time. The window is the file's (META reorder_ns: flush interval plus
 * 250 ms); a record later than that is printed when it comes and counted in
 * a warning; --capture-order keeps the order of the file; the memory held is
 * bounded even when nothing is ever due.
 */
#include <inttypes.h>

#include "cli_fixture.h"
#include "meta.h"
#include "rng.h"

TestSuite(cli_order, .timeout = 120);

static char out[8 << 20], err[1 << 14];

static void add_file(struct aat_recs *recs, uint64_t ts, uint32_t pid)
{
	struct aa_file_event e = { .pid = pid, .tid = pid, .timestamp_ns = ts,
				   .syscall = AA_SYS_READ, .return_code = 1 };
	strcpy((char *)e.path, "/etc/hostname");
	aat_recs_add(recs, &e, sizeof(e));
}

static void write_file(struct fx *f)
{
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &o, 0, NULL), 0);
}

/* Checks cat --json's lines: time_ns never goes back; every index once. */
static void expect_time_order(const char *json, size_t n)
{
	uint64_t last = 0;
	char *seen = calloc(n, 1);
	size_t lines = 0;

	for (const char *l = json; *l; l = strchr(l, '\n') + 1, lines++) {
		uint64_t t = fx_json_line_u64(l, "time_ns"), i = fx_json_line_u64(l, "index");
		cr_assert_geq(t, last, "line %zu goes back in time", lines);
		cr_assert_lt(i, n);
		cr_assert(!seen[i], "index %" PRIu64 " twice", i);
		seen[i] = 1;
		last = t;
	}
	cr_expect_eq(lines, n);
	free(seen);
}

Test(cli_order, cat_puts_late_file_records_in_time_order)
{
	struct fx f;
	struct aat_rng r;
	const size_t n = 20000;

	fx_init(&f);
	aat_rng_seed(&r, 5);
	/* one record a millisecond, each up to 1 s earlier than its place */
	for (size_t i = 0; i < n; i++)
		add_file(&f.recs, 2000000000ull + i * 1000000ull - aat_below(&r, 1000000000u), 7);
	write_file(&f);

	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --json cap.pcapng"), 0,
		     "%s", err);
	expect_time_order(out, n);
	cr_expect_str_eq(err, "", "nothing came later than the window");

	/* --capture-order: as in the file, and so back in time */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --json --capture-order cap.pcapng"), 0);
	size_t i = 0, back = 0;
	uint64_t last = 0;
	for (const char *l = out; *l; l = strchr(l, '\n') + 1, i++) {
		cr_assert_eq(fx_json_line_u64(l, "index"), i);
		back += fx_json_line_u64(l, "time_ns") < last;
		last = fx_json_line_u64(l, "time_ns");
	}
	cr_expect_gt(back, n / 4, "the file is out of order: %zu steps back", back);
	fx_free(&f);
}

Test(cli_order, a_record_later_than_the_window_is_printed_and_counted)
{
	struct fx f;

	fx_init(&f);
	for (int i = 0; i < 100; i++)
		add_file(&f.recs, 10000000000ull + (uint64_t)i * 100000000ull, 1);
	/* 5 s back, 10 s of records after its time already read: past a 1.25 s window */
	add_file(&f.recs, 15000000000ull, 2);
	add_file(&f.recs, 19950000000ull, 3); /* 50 ms back: inside the window */
	write_file(&f);

	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat cap.pcapng"), 0, "%s", err);
	cr_expect_eq(fx_lines(out), 102, "every record");
	cr_expect_str_eq(err, "aa-replay: warning: 1 record came later than the reorder window of "
			      "1.250 s and is out of time order\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --capture-order cap.pcapng"), 0);
	cr_expect_str_eq(err, "", "capture order warns of nothing");
	fx_free(&f);
}

Test(cli_order, the_window_is_written_in_the_file)
{
	struct fx f;
	aa_source *src;

	fx_init(&f);
	add_file(&f.recs, 1, 1);
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .flush_ms = 200 };
	cr_assert_eq(aat_write_capture(f.path, &f.recs, 0, f.recs.n, &o, 0, NULL), 0);
	const char *paths[] = { f.path };
	cr_assert_eq(aa_open_offline(&src, paths, 1, NULL, NULL), 0);
	cr_expect_eq(aa_source_meta(src)->reorder_ns, 450000000ull, "200 ms + 250 ms");
	aa_close(src);
	/* a file from before the field: its flush interval plus the margin */
	struct aa_file_meta old = { .flush_ms = 1000 };
	cr_expect_eq(aa_meta_reorder_ns(&old), 1250000000ull);
	cr_expect_eq(aa_meta_reorder_ns(NULL), 1250000000ull);
	fx_free(&f);
}

Test(cli_order, memory_stays_bounded_when_nothing_is_due)
{
	struct fx f;
	const size_t n = 400000; /* 118 MB of records, all of one time: never due by time */

	fx_init(&f);
	for (size_t i = 0; i < n; i++)
		add_file(&f.recs, 5000000000ull, (uint32_t)i);
	write_file(&f);
	long ordered = fx_peak_kib(&f, "cat", "--json"), plain = fx_peak_kib(&f, "cat", "--capture-order");
	cr_log_info("peak RSS: %ld KiB in time order, %ld KiB in capture order", ordered, plain);
	/* 64 MiB of held records at most, and what holding them costs */
	cr_expect_lt(ordered, plain + 96 * 1024, "%ld KiB against %ld KiB", ordered, plain);
	/* equal times keep capture order */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --json cap.pcapng | head -n 3 | grep -o '\"pid\":[0-9]*'"), 0);
	cr_expect_str_eq(out, "\"pid\":0\n\"pid\":1\n\"pid\":2\n");
	fx_free(&f);
}
