/* SPDX-License-Identifier: MIT */
/*
 * aa-replay over a rotated set and with drop counters: cat reads the files
 * as one stream in order; info counts the drops the capture recorded, and
 * recover keeps them.
 */
#include <fcntl.h>

#include "cli_fixture.h"

static char out[1 << 20], err[1 << 14];

static const uint8_t session[16] = "aa-replay-tests", other_session[16] = "another session";

/* Writes recs[from..to) to dir/name as file seq of a set, with drops. */
static void write_session_part(const struct fx *f, const char *name, size_t from, size_t to,
			       const uint8_t *session, uint32_t seq, const uint64_t drops[AA_DROP_SLOTS])
{
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .session = session,
				    .file_seq = seq };
	struct aa_writer *w;
	char *path = aat_path(f->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	cr_assert_geq(fd, 0);
	cr_assert_eq(aa_writer_open(&w, fd, path, &o), 0);
	for (size_t i = from; i < to; i++)
		cr_assert_eq(aa_writer_add(w, aat_recs_at(&f->recs, i), f->recs.len[i]), 0);
	aa_writer_set_drops(w, drops);
	cr_assert_eq(aa_writer_close(w), 0);
	free(path);
}

static void write_part(const struct fx *f, const char *name, size_t from, size_t to,
		       uint32_t seq, const uint64_t drops[AA_DROP_SLOTS])
{
	write_session_part(f, name, from, to, session, seq, drops);
}

Test(cli_set, cat_reads_a_rotated_set_in_order)
{
	static const uint64_t d0[AA_DROP_SLOTS] = { 1, 2, 0, 0 }, d1[AA_DROP_SLOTS] = { 1, 2, 3, 4 };
	struct fx f;

	fx_make(&f, 71, 900, 0, 0);
	write_part(&f, "p0.pcapng", 0, 400, 0, d0);
	write_part(&f, "p1.pcapng", 400, 900, 1, d1);
	/* one stream: the index runs on across the files */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --json --capture-order p0.pcapng p1.pcapng | python3 -c '"
			    "import json,sys\n"
			    "print(all(json.loads(l)[\"index\"]==i for i,l in enumerate(sys.stdin)))'"),
		     0, "%s", err);
	cr_expect_str_eq(out, "True\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat p0.pcapng p1.pcapng | wc -l"), 0);
	cr_expect_str_eq(out, "900\n");
	/* out of order, the set is damaged, and said so */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --skip-damaged p1.pcapng p0.pcapng"), 1);
	cr_expect_eq(fx_lines(out), 900, "every record still shown");
	cr_expect(strstr(err, "aa-replay: p0.pcapng: offset "), "%s", err);
	/* info sums the set up as one stream */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info --json p0.pcapng p1.pcapng"), 0,
		     "%s", err);
	cr_expect(fx_starts(out, "{\"files\":[\"p0.pcapng\",\"p1.pcapng\"],\"records\":900,"),
		  "%s", out);
	cr_expect_eq(fx_json_u64(out, "dropped"), 10);
	cr_expect(strstr(out, "\"intact\":true}\n"), "%s", out);
	cr_expect_eq(fx_run(&f, out, sizeof(out), NULL, 0, "info --json p1.pcapng p0.pcapng"), 1);
	cr_expect(strstr(out, "\"intact\":false}\n"), "%s", out);
		/* drop counters are cumulative in a capture session: the last file's count */
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "info --json p1.pcapng"), 0);
	cr_expect_eq(fx_json_u64(out, "dropped"), 10);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "recover p1.pcapng r1.pcapng"), 0, "%s", err);
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "info --json r1.pcapng"), 0);
	cr_expect_eq(fx_json_u64(out, "dropped"), 10);
	cr_expect_eq(fx_json_u64(out, "records"), 500);
	fx_free(&f);
}

Test(cli_set, info_shows_the_drops_per_type)
{
	/* cumulative within a session (p1 holds p0's and more), summed across sessions */
	static const uint64_t d0[AA_DROP_SLOTS] = { 1, 3, 0, 0 }, d1[AA_DROP_SLOTS] = { 1, 10, 2, 0 }, e0[AA_DROP_SLOTS] = { 0, 0, 7, 5 };
	struct fx f;

	fx_make(&f, 72, 600, 0, 0);
	write_part(&f, "p0.pcapng", 0, 200, 0, d0);
	write_part(&f, "p1.pcapng", 200, 400, 1, d1);
	write_session_part(&f, "q0.pcapng", 400, 600, other_session, 0, e0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info p1.pcapng"), 0, "%s", err);
	cr_expect(strstr(out, "\nDropped:        13 (tls 1, file 10, exec 2, exit 0, task 0, string 0, tls_conn 0, fileop 0, net 0)\n"), "%s", out);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info p0.pcapng p1.pcapng q0.pcapng"),
		     0, "%s", err);
	cr_expect(strstr(out, "\nDropped:        25 (tls 1, file 10, exec 9, exit 5, task 0, string 0, tls_conn 0, fileop 0, net 0)\n"), "%s", out);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "info --json p0.pcapng p1.pcapng q0.pcapng"), 0, "%s", err);
	cr_expect(strstr(out, ",\"dropped\":25,\"drops_by_type\":{\"tls\":1,\"file\":10,\"exec\":9,\"exit\":5,\"task\":0,\"string\":0,\"tls_conn\":0,\"fileop\":0,\"net\":0},"),
		  "%s", out);
	/* --each: each file's own */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info --each --json p0.pcapng q0.pcapng"),
		     0, "%s", err);
	cr_expect(strstr(out, "\"drops_by_type\":{\"tls\":1,\"file\":3,\"exec\":0,\"exit\":0,\"task\":0,\"string\":0,\"tls_conn\":0,\"fileop\":0,\"net\":0}"), "%s", out);
	cr_expect(strstr(out, "\"drops_by_type\":{\"tls\":0,\"file\":0,\"exec\":7,\"exit\":5,\"task\":0,\"string\":0,\"tls_conn\":0,\"fileop\":0,\"net\":0}"), "%s", out);
	fx_free(&f);
}
