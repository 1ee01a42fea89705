/* SPDX-License-Identifier: MIT */
/* aa-replay info: exact counts, bytes and times of a generated file. */
#include <sys/stat.h>

#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];

Test(cli_info, json_counts_exactly)
{
	struct fx f;
	struct stat st;

	fx_make(&f, 11, 3000, 16384, 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info --json cap.pcapng"), 0,
		     "stderr: %s", err);
	cr_expect_eq(fx_lines(out), 1, "one object: %s", out);
	cr_expect_eq(fx_json_u64(out, "records"), f.recs.n);
	cr_expect_eq(fx_json_u64(out, "tls"), f.counts.by_type[AA_TYPE_TLS]);
	cr_expect_eq(fx_json_u64(out, "file"), f.counts.by_type[AA_TYPE_FILE]);
	cr_expect_eq(fx_json_u64(out, "exec"), f.counts.by_type[AA_TYPE_EXEC]);
	cr_expect_eq(fx_json_u64(out, "exit"), f.counts.by_type[AA_TYPE_EXIT]);
	cr_expect_eq(fx_json_u64(out, "unknown"), f.counts.by_type[AA_TYPE_UNKNOWN]);
	cr_expect_eq(fx_json_u64(out, "invalid"), f.counts.invalid);
	cr_expect_eq(fx_json_u64(out, "dropped"), 0);
	cr_expect_eq(fx_json_u64(out, "bytes_raw"), f.recs.used);
	cr_assert_eq(stat(f.path, &st), 0);
	cr_expect_eq(fx_json_u64(out, "bytes_stored"), (uint64_t)st.st_size);
	/* 3000 records of up to 6000 bytes in chunks of 16 KiB: many chunks */
	cr_expect_gt(fx_json_u64(out, "chunks"), 100);
	cr_expect_eq(fx_json_u64(out, "first_ns"), f.first_ts + FX_MONO_TO_WALL);
	cr_expect(strstr(out, "\"intact\":true}"), "%s", out);
	cr_expect(fx_starts(out, "{\"files\":[\"cap.pcapng\"],\"records\":"), "%s", out);
	cr_expect(strstr(out, "\"source\":\"test\""), "%s", out);
	cr_expect_str_empty(err);
	fx_free(&f);
}

Test(cli_info, last_ns_is_the_latest_record)
{
	struct fx f;

	fx_make(&f, 12, 200, 0, 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "info --json cap.pcapng"), 0);
	/* unknown records take their chunk's write time (now), which is later
	 * than every generated time stamp */
	cr_expect_geq(fx_json_u64(out, "last_ns"), f.last_ts + FX_MONO_TO_WALL);
	cr_expect_eq(fx_json_u64(out, "records"), 200);
	fx_free(&f);
}

Test(cli_info, text_summary_and_several_files)
{
	struct fx f;

	fx_make(&f, 13, 500, 0, 100);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "info --each cap.pcapng cap.pcapng"), 0, "%s", err);
	cr_expect(strstr(out, "File:           cap.pcapng\nIntact:         yes\nRecords:        500\n"),
		  "%s", out);
	cr_expect(strstr(out, "First record:   2026-11-25T21:30:01.000001000Z\n"), "%s", out);
	cr_expect(strstr(out, "Chunks:         5 (damaged 0)\n"), "%s", out);
	cr_expect(strstr(out, "Source:         test\n"), "%s", out);
	cr_expect(strstr(out, "Host:           capture-host\nKernel:         5.15.0-test aarch64\n"), "%s", out);
	/* two summaries, a blank line between them */
	char *second = strstr(out, "\n\nFile:           cap.pcapng\n");
	cr_expect_not_null(second, "%s", out);
	cr_expect_eq(fx_run(&f, out, sizeof(out), NULL, 0, "info --each --json cap.pcapng cap.pcapng | wc -l"), 0);
	cr_expect_str_eq(out, "2\n");
	fx_free(&f);
}

Test(cli_info, truncated_file_is_not_intact)
{
	struct fx f;
	struct stat st;

	fx_make(&f, 14, 1000, 16384, 0);
	cr_assert_eq(stat(f.path, &st), 0);
	cr_assert_eq(truncate(f.path, st.st_size / 2), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info --json cap.pcapng"), 1);
	cr_expect(strstr(out, "\"intact\":false}"), "%s", out);
	cr_expect_lt(fx_json_u64(out, "records"), 1000);
	cr_expect_gt(fx_json_u64(out, "records"), 100);
	cr_expect(strstr(err, "aa-replay: cap.pcapng: offset "), "one line naming file and offset: %s", err);
	fx_free(&f);
}
