/* SPDX-License-Identifier: MIT */
/*
 * aa-replay export --raw: the records byte for byte as a length-framed
 * stream, whose XXH64 (xxhsum -H64) is the digest the writer stored.
 */
#include <inttypes.h>
#include <sys/stat.h>

#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];

Test(cli_export, raw_equals_the_records_and_their_digest)
{
	struct fx f;
	uint8_t *got, *want;
	size_t ngot, nwant;
	struct stat st;

	fx_make(&f, 41, 2000, 16384, 0);
	char *expect = aat_path(f.dir, "expect.raw"), *raw = aat_path(f.dir, "out.raw");
	cr_assert_eq(aat_recs_write_raw(&f.recs, expect), 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --raw cap.pcapng out.raw"),
		     0, "%s", err);
	cr_assert_eq(aat_read_file(raw, &got, &ngot), 0);
	cr_assert_eq(aat_read_file(expect, &want, &nwant), 0);
	cr_expect_eq(ngot, nwant);
	cr_expect(ngot == nwant && !memcmp(got, want, ngot), "byte for byte");
	cr_assert_eq(stat(raw, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);

	/* xxhsum prints "<16 hex digits>  <name>" */
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "export --raw cap.pcapng - | xxhsum -H64"), 0);
	char digest[17];
	snprintf(digest, sizeof(digest), "%016" PRIx64, f.digest);
	cr_expect(!strncmp(out, digest, 16), "xxhsum %s, END digest %s", out, digest);

	/* never over an existing file, and never through a symbolic link */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --raw cap.pcapng out.raw"), 2);
	cr_expect(strstr(err, "aa-replay: out.raw: cannot create: "), "%s", err);
	free(raw);
	cr_assert_eq(symlink("/tmp/aa-export-target-never", raw = aat_path(f.dir, "link.raw")), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --raw cap.pcapng link.raw"), 2);
	cr_expect_neq(access("/tmp/aa-export-target-never", F_OK), 0);
	free(got);
	free(want);
	free(expect);
	free(raw);
	fx_free(&f);
}

Test(cli_export, filters_and_usage)
{
	struct fx f;

	fx_make(&f, 42, 600, 0, 0);
	/* the exit record of the known pid: 4 bytes of length, 16 of record */
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0,
			    "export --raw --type exit --pid %u cap.pcapng - | od -An -tx1 | tr -d ' \\n'",
			    FX_PID_EXEC), 0);
	cr_expect_eq(strlen(out), 40, "%s", out);
	cr_expect(fx_starts(out, "10000000"), "length 16 first: %s", out);
	cr_expect(!strncmp(out + 24, "a1bb0d00" "89000000", 16), "pid 900001, code 137: %s", out);
	/* the raw stream is the default: the same bytes without --raw */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "export --type exit --pid %u cap.pcapng - | od -An -tx1 | tr -d ' \\n'",
			    FX_PID_EXEC), 0, "%s", err);
	cr_expect_eq(strlen(out), 40, "%s", out);
	cr_expect(!strncmp(out + 24, "a1bb0d00" "89000000", 16), "pid 900001, code 137: %s", out);
	cr_expect_str_empty(err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --raw cap.pcapng"), 2);
	fx_free(&f);
}

Test(cli_export, write_errors_are_one_line_and_status_2)
{
	struct fx f;

	fx_make(&f, 43, 400, 0, 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --raw cap.pcapng - >/dev/full"), 2);
	cr_expect_str_eq(err, "aa-replay: stdout: write failed: No space left on device\n");
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --json cap.pcapng >/dev/full"), 2);
	cr_expect_str_eq(err, "aa-replay: stdout: write failed: No space left on device\n");
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info cap.pcapng >&-"), 2);
	cr_expect_str_eq(err, "aa-replay: stdout: write failed: Bad file descriptor\n");
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --raw cap.pcapng /nonexistent-dir/x"), 2);
	cr_expect_str_eq(err, "aa-replay: /nonexistent-dir/x: cannot create: No such file or directory\n");
	fx_free(&f);
}
