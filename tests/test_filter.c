/* SPDX-License-Identifier: MIT */
/*
 * Filters by type, pid and wall-clock time select exactly the records a
 * model of the file says, in order, with their place in the whole stream.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"

#define N 600
#define MONO_TO_WALL 1700000000000000000ull
#define T0 1000000000ull /* monotonic time of record 0; record i is at T0 + i us */

static const uint32_t pids[] = {100, 200, 300, 400};

/* What each record is, known from how it was made. */
static struct {
	enum aa_type type;
	int has_pid;
	uint32_t pid;
	uint64_t time_ns; /* wall clock as replay must give it */
} model[N];

static char *dir, *path;
static struct aat_recs recs;

static size_t make_record(struct aat_rng *r, size_t i, uint8_t *buf)
{
	uint64_t ts = T0 + i * 1000;
	uint32_t pid = pids[i % 4];
	size_t len;
	model[i].has_pid = 1;
	model[i].pid = pid;
	model[i].time_ns = ts + MONO_TO_WALL;
	switch (i % 6) {
	case 0:
		len = aat_gen_valid(r, AA_TYPE_TLS, ts, buf);
		((struct aa_tls_event *)buf)->pid = pid;
		model[i].type = AA_TYPE_TLS;
		break;
	case 1:
	case 5: /* 5: invalid, still a file record of its pid */
		len = aat_gen_valid(r, AA_TYPE_FILE, ts, buf);
		((struct aa_file_event *)buf)->pid = pid;
		if (i % 6 == 5)
			((struct aa_file_event *)buf)->syscall = 9;
		model[i].type = AA_TYPE_FILE;
		break;
	case 2:
		len = aat_gen_valid(r, AA_TYPE_EXEC, ts, buf);
		((struct aa_exec_event *)buf)->pid = pid;
		model[i].type = AA_TYPE_EXEC;
		break;
	case 3:
		len = aat_gen_valid(r, AA_TYPE_EXIT, ts, buf);
		((struct aa_exit_event *)buf)->pid = pid;
		model[i].type = AA_TYPE_EXIT;
		break;
	default: /* unknown: no pid, time of its chunk (filled in later) */
		len = 100 + i % 50;
		aat_fill(r, buf, len);
		model[i].type = AA_TYPE_UNKNOWN;
		model[i].has_pid = 0;
		break;
	}
	return len;
}

static void setup(void)
{
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
	path = aat_path(dir, "f.pcapng");
	struct aat_rng r;
	aat_rng_seed(&r, 2024);
	memset(&recs, 0, sizeof(recs));
	for (size_t i = 0; i < N; i++) {
		uint8_t buf[AAT_GEN_MAX];
		size_t len = make_record(&r, i, buf);
		aat_recs_add(&recs, buf, len);
	}
	struct aa_writer_opts wo = {.chunk_raw_max = 16384, .mono_to_wall = (int64_t)MONO_TO_WALL};
	cr_assert_eq(aat_write_capture(path, &recs, 0, N, &wo, 50, NULL), 0);

	/* An unknown record's time is when its chunk was written. */
	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	struct aat_block *b;
	long nb = aat_blocks(file, size, &b);
	for (long k = 0; k < nb; k++) {
		if (b[k].kind != AA_CHUNK_RECORDS)
			continue;
		uint64_t written = aat_le64(file + b[k].data_off + AA_CH_WRITTEN_NS);
		for (uint64_t i = b[k].first_record; i < b[k].first_record + b[k].records; i++)
			if (model[i].type == AA_TYPE_UNKNOWN)
				model[i].time_ns = written;
	}
	free(b);
	free(file);
}

static void teardown(void)
{
	aat_recs_free(&recs);
	free(path);
	aat_tmpdir_remove(dir);
}

TestSuite(filter, .init = setup, .fini = teardown);

static int selected(const struct aa_filter *f, size_t i)
{
	if (f->types && !(f->types & AA_TYPE_BIT(model[i].type)))
		return 0;
	if (f->since_ns && model[i].time_ns < f->since_ns)
		return 0;
	if (f->until_ns && model[i].time_ns >= f->until_ns)
		return 0;
	if (f->npids) {
		int any = 0;
		for (size_t k = 0; k < f->npids; k++)
			any |= model[i].has_pid && model[i].pid == f->pids[k];
		return any;
	}
	return 1;
}

/* Reads with the filter and compares with the model; returns how many were delivered. */
static size_t check(const struct aa_filter *f, const char *what)
{
	struct aa_replay_opts opts = {.filter = *f};
	aa_source *src;
	cr_assert_eq(aa_open_offline(&src, (const char *const *)&path, 1, &opts, NULL), 0);
	const struct aa_record *rec;
	size_t want = 0, got = 0;
	int rc;
	for (size_t i = 0; i < N; i++) {
		if (!selected(f, i))
			continue;
		want++;
		rc = aa_next(src, &rec);
		cr_assert_eq(rc, 1, "%s: record %zu missing (%s)", what, i, aa_error_name(rc));
		cr_assert_eq(rec->index, i, "%s: got record %llu, want %zu", what,
			     (unsigned long long)rec->index, i);
		cr_assert_eq(rec->ev.len, recs.len[i]);
		cr_assert_eq(memcmp(rec->ev.raw, aat_recs_at(&recs, i), recs.len[i]), 0);
		cr_assert_eq(rec->time_ns, model[i].time_ns, "%s: record %zu time", what, i);
		got++;
	}
	rc = aa_next(src, &rec);
	cr_assert_eq(rc, 0, "%s: record %llu delivered beyond the selection", what,
		     rc == 1 ? (unsigned long long)rec->index : 0ull);
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_expect_eq(st.records, N, "%s: every record counted", what);
	cr_expect_eq(st.delivered, want, "%s", what);
	cr_expect_eq(st.intact, 1);
	aa_close(src);
	return got;
}

Test(filter, none_selects_all)
{
	struct aa_filter f = {0};
	cr_expect_eq(check(&f, "no filter"), N);
}

Test(filter, types)
{
	struct aa_filter f = {.types = AA_TYPE_BIT(AA_TYPE_FILE)};
	cr_expect_eq(check(&f, "file"), 2 * N / 6, "invalid file records are file records");
	f.types = AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_EXIT);
	cr_expect_eq(check(&f, "tls,exit"), 2 * N / 6);
	f.types = AA_TYPE_BIT(AA_TYPE_UNKNOWN);
	cr_expect_eq(check(&f, "unknown"), N / 6);
	f.types = AA_TYPE_BIT(AA_TYPE_EXEC);
	cr_expect_eq(check(&f, "exec"), N / 6);
	f.types = AA_TYPE_ALL;
	cr_expect_eq(check(&f, "all"), N);
}

Test(filter, pids)
{
	uint32_t one[] = {200}, two[] = {100, 400}, none[] = {999};
	struct aa_filter f = {.pids = one, .npids = 1};
	/* records of pid 200 are i % 4 == 1, unknown ones (i % 6 == 4) have no pid */
	size_t want = 0;
	for (size_t i = 0; i < N; i++)
		want += i % 4 == 1 && i % 6 != 4;
	cr_expect_eq(check(&f, "pid 200"), want);
	f.pids = two;
	f.npids = 2;
	check(&f, "pids 100,400");
	f.pids = none;
	f.npids = 1;
	cr_expect_eq(check(&f, "pid 999"), 0);
}

Test(filter, time_range)
{
	struct aa_filter f = {.since_ns = MONO_TO_WALL + T0 + 100 * 1000,
			      .until_ns = MONO_TO_WALL + T0 + 200 * 1000};
	/* records 100..199 but the 17 unknown ones (100, 106, ... 196), which carry
	 * their chunk's (later) time */
	cr_expect_eq(check(&f, "since..until"), 83);
	f.until_ns = 0;
	check(&f, "since");
	f.since_ns = 0;
	f.until_ns = MONO_TO_WALL + T0 + 300 * 1000;
	check(&f, "until");
	f.since_ns = f.until_ns; /* an empty range */
	cr_expect_eq(check(&f, "empty range"), 0);
}

Test(filter, combined)
{
	uint32_t p[] = {200}; /* i % 4 == 1: odd records, so file records i % 12 in {1, 5} */
	struct aa_filter f = {.types = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_UNKNOWN),
			      .pids = p,
			      .npids = 1,
			      .since_ns = MONO_TO_WALL + T0 + 50 * 1000,
			      .until_ns = MONO_TO_WALL + T0 + 500 * 1000};
	cr_expect_eq(check(&f, "file+unknown, pid 200, 50..500"), 75);
}
