/* SPDX-License-Identifier: MIT */
/*
 * aa-capture -T N: the files are the same whatever N (chunk for chunk and
 * byte for byte but for wall-clock times), -C rotation included; a write
 * error on the writing thread gives the one line and exit 3, the file cut
 * back to its last whole block; a bad -T is a usage error.
 */
#include "cap_test.h"
#include "capsame.h"

TestSuite(capture_threads, .init = cap_setup, .fini = cap_teardown, .timeout = 240);

/* aa-capture -q -r raw -T threads -w out [-C c_mb]: its exit status. */
static int capture_with(const char *raw, const char *threads, const char *out, const char *c_mb)
{
	const char *args[] = {"-q", "-r", raw, "-T", threads, "-w", out,
			      "--flush-ms", "3600000", c_mb ? "-C" : NULL, c_mb, NULL};
	return cap_run(NULL, NULL, args);
}

Test(capture_threads, same_file_whatever_the_thread_count)
{
	struct aat_recs in = {0}, back = {0};
	char *raw = aat_path(dir, "in.raw");
	/* about 9 MB: many chunks of 256 KiB in flight at once */
	cap_mix(&in, 6000, 7, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	char *one = aat_path(dir, "t1.pcapng");
	cr_assert_eq(capture_with(raw, "1", one, NULL), 0);
	static const char *const counts[] = {"2", "3", "0"};
	for (size_t i = 0; i < 3; i++) {
		char name[32], why[200];
		snprintf(name, sizeof(name), "t%s.pcapng", counts[i]);
		char *path = aat_path(dir, name);
		cr_assert_eq(capture_with(raw, counts[i], path, NULL), 0);
		long chunks = aat_same_capture(one, path, why, sizeof(why));
		cr_expect_gt(chunks, 10, "-T %s against -T 1: %s", counts[i], why);
		free(path);
	}
	struct aa_source_stats st;
	cr_expect_eq(aat_read_capture(one, NULL, &back, &st, NULL), 0);
	cr_expect_eq(aat_recs_diff(&back, &in), -1);
	cr_expect_eq(st.intact, 1);
	aat_recs_free(&back);
	aat_recs_free(&in);
	free(one);
	free(raw);
}

/* -C 0.5: each file ends with the chunk that makes it reach 500 kB, whether the
 * sizes were known at once or came from the threads later. */
Test(capture_threads, size_rotation_same_files)
{
	struct aat_recs in = {0};
	char *raw = aat_path(dir, "in.raw");
	cap_mix(&in, 2000, 3, NULL); /* random bytes: megabytes that hardly compress */
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	char *a = aat_path(dir, "a.pcapng"), *b = aat_path(dir, "b.pcapng");
	cr_assert_eq(capture_with(raw, "1", a, "0.5"), 0);
	cr_assert_eq(capture_with(raw, "3", b, "0.5"), 0);
	char na[40][512], nb[40][512];
	size_t ca = cap_numbered_names("a.pcapng", na, 40), cb = cap_numbered_names("b.pcapng", nb, 40);
	cr_expect_geq(ca, 3, "%zu files", ca);
	cr_expect_eq(ca, cb, "as many files: %zu and %zu", ca, cb);
	for (size_t i = 0; i < ca && i < cb; i++) {
		char why[200];
		cr_expect_geq(aat_same_capture(na[i], nb[i], why, sizeof(why)), 0, "%s: %s", nb[i], why);
		cr_expect_lt(cap_size(na[i]), 500000 + 270000, "%s ends with its first chunk past 500 kB",
			     na[i]);
	}
	aat_recs_free(&in);
	free(a);
	free(b);
	free(raw);
}

/* The file size limit (EFBIG) met by the writing thread: one line naming
 * the file and the cause, exit 3, the file cut back to whole blocks. */
Test(capture_threads, write_error_on_the_writing_thread)
{
	struct aat_recs in = {0}, out = {0};
	char *raw = aat_path(dir, "in.raw"), *cap = aat_path(dir, "big.pcapng");
	char *errf = aat_path(dir, "err.txt"), *cmd;
	cap_mix(&in, 3000, 5, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	char *bin = cap_bin();
	cr_assert(asprintf(&cmd, "trap '' XFSZ; ulimit -f 600; exec '%s' -q -T 2 -r '%s' -w '%s' 2> '%s'",
			   bin, raw, cap, errf) > 0);
	int rc = aat_run(cmd, NULL, 0);
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 3, "exit %d: %s", rc, msg);
	char want[600];
	snprintf(want, sizeof(want), "aa-capture: %s: write failed: File too large\n", cap);
	cr_expect_str_eq(msg, want);
	struct aa_error_info err;
	struct aa_source_stats st;
	rc = aat_read_capture(cap, NULL, &out, &st, &err);
	cr_expect_eq(rc, AA_E_UNCLOSED, "%s", aa_error_name(rc));
	cr_expect_eq(err.offset, (int64_t)cap_size(cap), "cut back to its last whole block");
	cr_expect_gt(out.n, 0);
	cr_expect_eq(aat_recs_diff(&out, &in), (long)out.n, "the input's beginning");
	free(bin);
	free(cmd);
	free(msg);
	free(errf);
	free(cap);
	free(raw);
	aat_recs_free(&in);
	aat_recs_free(&out);
}

Test(capture_threads, bad_thread_count_is_a_usage_error)
{
	char *errf = aat_path(dir, "err.txt");
	int rc = cap_run(NULL, errf, (const char *[]){"-T", "65", "-r", "-", "-w", "-", NULL});
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 2);
	const char *want = "aa-capture: -T 65: not a thread count from 0 (one per core) to 64\n";
	cr_expect(strncmp(msg, want, strlen(want)) == 0, "%s", msg);
	free(msg);
	free(errf);
}

/* The line of aa-capture's summary with the records written by type and
 * the invalid ones ("" if none). */
static char *written_line(const char *path)
{
	char *s = cap_slurp(path), *at = strstr(s, "records written");
	while (at && at > s && at[-1] != '\n')
		at--;
	char *line = strdup(at ? at : "");
	char *nl = strchr(line, '\n');
	if (nl)
		*nl = 0;
	free(s);
	return line;
}

/* Without --print the records go from the source straight to the writer
 * (capture/take.h), with it through aa_next() and its evidence stage: the
 * same file, chunk for chunk, and the same counts (invalid ones included). */
Test(capture_threads, same_file_with_and_without_print)
{
	struct aat_recs in = {0};
	char *raw = aat_path(dir, "in.raw"), *a = aat_path(dir, "a.pcapng");
	char *b = aat_path(dir, "b.pcapng"), *ea = aat_path(dir, "a.err");
	char *eb = aat_path(dir, "b.err"), *bin = cap_bin(), cmd[2048], out[64], why[200];
	cap_mix(&in, 4000, 11, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	for (int threads = 0; threads < 2; threads++) {
		const char *t = threads ? "2" : "1";
		cr_assert_eq(cap_run(NULL, ea, (const char *[]){"-r", raw, "-T", t, "-w", a,
								   "--flush-ms", "3600000", NULL}),
			     0);
		snprintf(cmd, sizeof(cmd),
			 "'%s' -r '%s' -T %s -w '%s' --flush-ms 3600000 --print --json >/dev/null 2>'%s'",
			 bin, raw, t, b, eb);
		cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0);
		cr_expect_gt(aat_same_capture(a, b, why, sizeof(why)), 3, "-T %s: %s", t, why);
		char *la = written_line(ea), *lb = written_line(eb);
		cr_expect_str_eq(la, lb);
		cr_expect(strstr(la, "4000 records written") && !strstr(la, "; 0 invalid"), "%s", la);
		free(la);
		free(lb);
	}
	aat_recs_free(&in);
	free(raw);
	free(a);
	free(b);
	free(ea);
	free(eb);
	free(bin);
}
