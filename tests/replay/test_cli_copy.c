/* SPDX-License-Identifier: MIT */
/*
 * aa-replay recover and filter: new capture files that verify and hold
 * exactly the intact or the selected records, in order.
 */
#include <sys/stat.h>

#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];

/* Reads path back with the library: its records, and whether it is intact. */
static int read_back(const char *path, struct aat_recs *recs)
{
	struct aa_source_stats st;

	cr_assert_eq(aat_read_capture(path, NULL, recs, &st, NULL), 0, "%s reads", path);
	return st.intact;
}

Test(cli_copy, recover_of_a_cut_file_verifies)
{
	struct fx f;
	uint8_t *file;
	size_t size;
	struct aat_recs got = { 0 }, want = { 0 };

	fx_make(&f, 51, 1500, 16384, 0);
	/* cut in the middle of the 10th record chunk: chunks 0..8 survive */
	struct aat_block c = fx_record_chunk(&f, 9, &file, &size);
	cr_assert_eq(truncate(f.path, (off_t)(c.off + c.len / 2)), 0);
	for (size_t i = 0; i < c.first_record; i++)
		aat_recs_add(&want, aat_recs_at(&f.recs, i), f.recs.len[i]);

	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "recover cap.pcapng fixed.pcapng"), 1);
	cr_expect(strstr(err, "kept "), "%s", err);
	cr_expect(strstr(err, "(IN was cut short"), "%s", err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify fixed.pcapng"), 0, "%s", err);
	char *fixed = aat_path(f.dir, "fixed.pcapng");
	cr_expect(read_back(fixed, &got));
	cr_expect_eq(aat_recs_diff(&got, &want), -1, "records %zu, want %zu", got.n, want.n);
	struct stat st;
	cr_assert_eq(stat(fixed, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	/* the clock offset is kept: times stay the same */
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "info --json fixed.pcapng"), 1 - 1);
	cr_expect_eq(fx_json_u64(out, "first_ns"), f.first_ts + FX_MONO_TO_WALL);
	cr_expect(strstr(out, "\"writer\":\"aa-replay\""), "%s", out);
	cr_expect(strstr(out, "\"source\":\"recover:cap.pcapng\""), "%s", out);
	/* and so is what the file says of the machine it was captured on */
	cr_expect(strstr(out, "\"host\":\"capture-host\",\"kernel\":\"5.15.0-test\",\"arch\":\"aarch64\","),
		  "%s", out);
	/* an existing OUT is never overwritten */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "recover cap.pcapng fixed.pcapng"), 2);
	cr_expect(strstr(err, "fixed.pcapng: cannot create: the file exists"), "%s", err);
	aat_recs_free(&got);
	aat_recs_free(&want);
	free(fixed);
	free(file);
	fx_free(&f);
}

Test(cli_copy, recover_skips_a_damaged_chunk_and_counts_its_records)
{
	struct fx f;
	uint8_t *file;
	size_t size;
	struct aat_recs got = { 0 }, want = { 0 };

	fx_make(&f, 52, 1500, 16384, 0);
	struct aat_block c = fx_record_chunk(&f, 4, &file, &size);
	file[c.data_off + c.data_len - 3] ^= 0xff;
	cr_assert_eq(aat_write_file(f.path, file, size), 0);
	for (size_t i = 0; i < f.recs.n; i++)
		if (i < c.first_record || i >= c.first_record + c.records)
			aat_recs_add(&want, aat_recs_at(&f.recs, i), f.recs.len[i]);

	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "recover cap.pcapng fixed.pcapng"), 1);
	char lost[64];
	snprintf(lost, sizeof(lost), "%u records known lost\n", c.records);
	cr_expect(strstr(err, lost), "want %s in %s", lost, err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify fixed.pcapng"), 0, "%s", err);
	char *fixed = aat_path(f.dir, "fixed.pcapng");
	cr_expect(read_back(fixed, &got));
	cr_expect_eq(aat_recs_diff(&got, &want), -1, "records %zu, want %zu", got.n, want.n);
	aat_recs_free(&got);
	aat_recs_free(&want);
	free(fixed);
	free(file);
	fx_free(&f);
}

Test(cli_copy, recover_of_an_intact_file_keeps_everything)
{
	struct fx f;
	struct aat_recs got = { 0 };

	fx_make(&f, 53, 700, 0, 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "recover --level 9 cap.pcapng fixed.pcapng"), 0, "%s", err);
	cr_expect(strstr(err, "kept 700 records"), "%s", err);
	char *fixed = aat_path(f.dir, "fixed.pcapng");
	cr_expect(read_back(fixed, &got));
	cr_expect_eq(aat_recs_diff(&got, &f.recs), -1);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "recover --level 99 cap.pcapng x"), 2);
	cr_expect(strstr(err, "not a zstd level"), "%s", err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "recover nothere.pcapng y"), 2);
	char *y = aat_path(f.dir, "y");
	cr_expect_neq(access(y, F_OK), 0, "no OUT for an unusable IN");
	free(y);
	aat_recs_free(&got);
	free(fixed);
	fx_free(&f);
}

Test(cli_copy, filter_writes_exactly_the_selected_records)
{
	struct fx f;
	struct aat_recs got = { 0 }, want = { 0 };

	fx_make(&f, 54, 2000, 16384, 0);
	for (size_t i = 0; i < f.recs.n; i++) {
		struct aa_event ev;
		aa_parse(aat_recs_at(&f.recs, i), f.recs.len[i], &ev);
		if (ev.type == AA_TYPE_FILE || ev.type == AA_TYPE_TLS)
			aat_recs_add(&want, aat_recs_at(&f.recs, i), f.recs.len[i]);
	}
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "filter --type file,tls cap.pcapng sel.pcapng"), 0, "%s", err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify sel.pcapng"), 0, "%s", err);
	char *sel = aat_path(f.dir, "sel.pcapng");
	cr_expect(read_back(sel, &got));
	cr_expect_eq(aat_recs_diff(&got, &want), -1, "records %zu, want %zu", got.n, want.n);

	/* by pid: the known exec and exit */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "filter --pid %u cap.pcapng pid.pcapng",
			    FX_PID_EXEC), 0, "%s", err);
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "cat pid.pcapng"), 0);
	cr_expect_eq(fx_lines(out), 2, "%s", out);
	cr_expect(strstr(out, " exec pid=900001 ") && strstr(out, " exit pid=900001 exit_code=137"), "%s", out);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "filter cap.pcapng"), 2);
	cr_expect(strstr(err, "needs IN and OUT"), "%s", err);
	aat_recs_free(&got);
	aat_recs_free(&want);
	free(sel);
	fx_free(&f);
}

/* OUT "-" is standard output for every command that writes a file, never a file named "-". */
Test(cli_copy, dash_is_standard_output)
{
	struct fx f;
	struct aat_recs got = { 0 }, want = { 0 };

	fx_make(&f, 55, 1200, 16384, 0);
	char *dash = aat_path(f.dir, "-"), *sel = aat_path(f.dir, "sel.pcapng"),
	     *rec = aat_path(f.dir, "rec.pcapng");
	for (size_t i = 0; i < f.recs.n; i++) {
		struct aa_event ev;
		aa_parse(aat_recs_at(&f.recs, i), f.recs.len[i], &ev);
		if (ev.type == AA_TYPE_EXEC)
			aat_recs_add(&want, aat_recs_at(&f.recs, i), f.recs.len[i]);
	}
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "filter --type exec cap.pcapng - >sel.pcapng"), 0, "%s", err);
	cr_expect_neq(access(dash, F_OK), 0, "filter wrote a file named '-'");
	cr_expect(read_back(sel, &got));
	cr_expect_eq(aat_recs_diff(&got, &want), -1, "records %zu, want %zu", got.n, want.n);
	aat_recs_free(&got);

	/* recover from standard input to standard output, through a pipe */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "recover - - <cap.pcapng 2>rec.err | cat >rec.pcapng"), 0);
	char *rec_err = aat_path(f.dir, "rec.err");
	uint8_t *said;
	size_t n;
	cr_assert_eq(aat_read_file(rec_err, &said, &n), 0);
	cr_expect(memmem(said, n, "recover: stdout: kept 1200 records", 34), "%.*s", (int)n, said);
	free(said);
	free(rec_err);
	cr_expect_neq(access(dash, F_OK), 0, "recover wrote a file named '-'");
	cr_expect(read_back(rec, &got));
	cr_expect_eq(aat_recs_diff(&got, &f.recs), -1, "records %zu", got.n);

	/* a reader that has had enough is no error */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "filter cap.pcapng - | head -c 100 >/dev/null; exit $(( $? ))"), 0, "%s", err);
	cr_expect_str_eq(err, "");
	aat_recs_free(&got);
	aat_recs_free(&want);
	free(dash);
	free(sel);
	free(rec);
	fx_free(&f);
}

/* Binary data is never written to a terminal: one line, status 2, nothing made. */
Test(cli_copy, dash_refuses_a_terminal)
{
	const char *cmds[] = { "filter cap.pcapng -", "recover cap.pcapng -", "export --raw cap.pcapng -" };
	struct fx f;
	char cmd[4096];

	if (aat_run("command -v script >/dev/null", NULL, 0) != 0)
		cr_skip_test("no script(1) to give the command a terminal");
	fx_make(&f, 56, 300, 0, 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		/* script(1) runs the command with a pseudo-terminal as its stdout */
		snprintf(cmd, sizeof(cmd), "cd '%s' && script -qec \"'%s' %s\" /dev/null", f.dir,
			 f.replay, cmds[i]);
		int rc = aat_run(cmd, out, sizeof(out));
		cr_expect_eq(rc, 2, "%s: status %d", cmds[i], rc);
		cr_expect(strstr(out, "stdout: not writing binary data to a terminal"), "%s: %s", cmds[i], out);
		cr_expect_eq(fx_lines(out), 1, "%s: %s", cmds[i], out);
		char *dash = aat_path(f.dir, "-");
		cr_expect_neq(access(dash, F_OK), 0, "%s wrote a file named '-'", cmds[i]);
		free(dash);
	}
	fx_free(&f);
}
