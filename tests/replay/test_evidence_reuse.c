/* SPDX-License-Identifier: MIT */
/*
 * The evidence stage's reuse (replay/evidence.c): completion groups and
 * their string buffers kept for the next groups, and with fold the held
 * copies taken from blocks (replay/arena.c). Whatever a group before left
 * behind, each record's joins are its own and every record comes out byte
 * for byte.
 */
#include "cli_fixture.h"
#include "evid.h"

TestSuite(evidence_reuse, .timeout = 60);

#define TS 5000000u /* monotonic */

/* argv "ls\0-l\0a b\0": three items, one with a space. */
static const char ARGV[] = "ls\0-l\0a b";
#define ARGV_LEN ((uint32_t)sizeof(ARGV))

/*
 * Thousands of groups one after the other, of different parts (a path of
 * varying length, some longer than a group keeps for the next one, a new
 * path, a task and argv), with records that have none between: each record's
 * joins are exactly its own, nothing left over from a group before it,
 * with and without fold (whose held copies come and go in thousands too).
 */
#define MANY 3000u

static uint32_t many_path(uint32_t i, char *buf)
{
	uint32_t n = i % 500 == 0 ? 5000 : 1 + i % 61;

	for (uint32_t k = 0; k < n; k++)
		buf[k] = (char)('a' + (i + k) % 26);
	return n;
}

static void many_groups(int fold)
{
	struct fx f;
	struct aa_replay_opts o = { .fold = fold };
	char path[5000], np[16];

	fx_init(&f);
	for (uint32_t i = 0; i < MANY; i++) {
		uint32_t pid = 100 + i % 7;
		uint64_t ts = TS + (uint64_t)i * 10;
		if (i % 3 == 0) {
			struct aa_file_event fi = { .pid = pid, .tid = pid, .timestamp_ns = ts,
						    .syscall = i % 6 ? AA_SYS_OPENAT : AA_SYS_RENAME };
			uint32_t n = many_path(i, path);
			aat_add_string(&f.recs, ts, pid, pid, AA_STRING_PATH, path, n, n, 0);
			if (i % 6 == 0) {
				int m = snprintf(np, sizeof(np), "new%u", i);
				aat_add_string(&f.recs, ts, pid, pid, AA_STRING_NEW_PATH, np, (uint32_t)m,
					       (uint32_t)m, 0);
			}
			aat_recs_add(&f.recs, &fi, sizeof(fi));
		} else if (i % 3 == 1) {
			struct aa_exec_event ex = { .timestamp_ns = ts, .pid = pid, .ppid = 1 };
			aat_add_task(&f.recs, AA_TASK_EXEC, ts, pid, pid, 1, "x", "", 0);
			aat_add_string(&f.recs, ts, pid, pid, AA_STRING_ARGV, ARGV, ARGV_LEN, ARGV_LEN, 0);
			aat_recs_add(&f.recs, &ex, sizeof(ex));
		} else {
			struct aa_file_event fi = { .pid = pid, .tid = pid, .timestamp_ns = ts,
						    .syscall = AA_SYS_READ };
			aat_recs_add(&f.recs, &fi, sizeof(fi));
		}
	}
	fx_write(&f);

	aa_source *src = fx_open(&f, &o);
	const struct aa_record *rec;
	uint32_t i = 0;
	size_t n = 0;
	while (aa_next(src, &rec) == 1) {
		cr_assert_eq(rec->ev.len, f.recs.len[n]);
		cr_assert_eq(memcmp(rec->ev.raw, aat_recs_at(&f.recs, n), rec->ev.len), 0, "record %zu", n);
		n++;
		if (rec->ev.type != AA_TYPE_FILE && rec->ev.type != AA_TYPE_EXEC)
			continue;
		const struct aa_joins *j = rec->joins;
		if (i % 3 == 2) {
			cr_assert_null(j, "group %u: nothing joins it", i);
			i++;
			continue;
		}
		cr_assert_not_null(j, "group %u", i);
		for (int k = 0; k < AA_STRING_KIND_COUNT; k++) {
			int want = i % 3 == 0 ? k == AA_STRING_PATH || (k == AA_STRING_NEW_PATH && i % 6 == 0)
					      : k == AA_STRING_ARGV;
			cr_assert_eq(j->str[k].data != NULL, want, "group %u, string %d", i, k);
		}
		if (i % 3 == 0) {
			uint32_t len = many_path(i, path);
			cr_assert_eq(j->str[AA_STRING_PATH].len, len, "group %u", i);
			cr_assert_eq(memcmp(j->str[AA_STRING_PATH].data, path, len), 0, "group %u", i);
			cr_assert_eq(j->str[AA_STRING_PATH].truncated, 0, "group %u", i);
			if (i % 6 == 0) {
				int m = snprintf(np, sizeof(np), "new%u", i);
				cr_assert_eq(j->str[AA_STRING_NEW_PATH].len, (uint32_t)m);
				cr_assert_eq(memcmp(j->str[AA_STRING_NEW_PATH].data, np, (size_t)m), 0);
			}
			cr_assert_null(j->task, "group %u", i);
		} else {
			cr_assert_eq(j->str[AA_STRING_ARGV].len, ARGV_LEN);
			cr_assert_eq(memcmp(j->str[AA_STRING_ARGV].data, ARGV, ARGV_LEN), 0);
			cr_assert_not_null(j->task, "group %u", i);
			cr_assert_eq(j->task->pid, 100 + i % 7);
		}
		cr_assert_null(j->tls_conn, "group %u", i);
		i++;
	}
	cr_expect_eq(i, MANY);
	cr_expect_eq(n, f.recs.n);
	aa_close(src);
	fx_free(&f);
}

Test(evidence_reuse, thousands_of_groups_each_joined_to_its_own)
{
	many_groups(0);
}

Test(evidence_reuse, thousands_of_groups_each_joined_to_its_own_with_fold)
{
	many_groups(1);
}
