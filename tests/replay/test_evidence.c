/* SPDX-License-Identifier: MIT */
/*
 * The evidence records through the real writer and aa_next: a record's
 * completing strings and tls_conn (aa_record.joins), the process table
 * (aa_record.process, aa_process_at) with reused pids, the filter and time
 * order, orphans, strings cut over pieces, and every record still
 * delivered byte for byte and in its place (with aa_replay_opts.fold too).
 */
#include "cli_fixture.h"
#include "evid.h"

TestSuite(evidence, .timeout = 60);

#define PID 4242u
#define TS 5000000u /* monotonic; wall = + FX_MONO_TO_WALL */

/* The next record, which must be there. */
static const struct aa_record *next(aa_source *src)
{
	const struct aa_record *rec;

	cr_assert_eq(aa_next(src, &rec), 1);
	return rec;
}

/* argv "ls\0-l\0a b\0": three items, one with a space. */
static const char ARGV[] = "ls\0-l\0a b";
#define ARGV_LEN ((uint32_t)sizeof(ARGV))

/* A filename of 300 bytes: longer than the exec record's field. */
static void long_name(char *buf, size_t n)
{
	memset(buf, 'd', n);
	buf[0] = '/';
	buf[n] = 0;
}

/* task(EXEC), string ARGV, string FILENAME, exec: one exec of PID at ts. */
static void add_exec(struct aat_recs *r, uint64_t ts, uint32_t pid, const char *comm,
		     const char *file)
{
	struct aa_exec_event ex = { .timestamp_ns = ts, .pid = pid, .ppid = 1, .uid = 1000 };

	aat_add_task(r, AA_TASK_EXEC, ts, pid, pid, 1, comm, "docker-" "0123456789abcdef0123456789abcdef"
		     "0123456789abcdef0123456789abcdef.scope", 0);
	aat_add_string(r, ts, pid, pid, AA_STRING_ARGV, ARGV, ARGV_LEN, ARGV_LEN, 0);
	aat_add_string(r, ts, pid, pid, AA_STRING_FILENAME, file, (uint32_t)strlen(file),
		       (uint32_t)strlen(file), 0);
	snprintf((char *)ex.filename, sizeof(ex.filename), "%s", file);
	memcpy(ex.args, "ls -l a b", 10);
	aat_recs_add(r, &ex, sizeof(ex));
}

Test(evidence, exec_record_carries_argv_filename_and_process)
{
	struct fx f;
	char file[301];

	fx_init(&f);
	long_name(file, 300);
	add_exec(&f.recs, TS, PID, "ls", file);
	fx_write(&f);

	aa_source *src = fx_open(&f, NULL);
	for (int i = 0; i < 3; i++) { /* task, argv, filename: delivered as themselves */
		const struct aa_record *rec = next(src);
		cr_expect_eq(rec->ev.len, f.recs.len[i]);
		cr_expect_eq(memcmp(rec->ev.raw, aat_recs_at(&f.recs, i), rec->ev.len), 0);
		cr_expect_eq(rec->folded, 0);
	}
	const struct aa_record *rec = next(src);
	cr_assert_eq(rec->ev.type, AA_TYPE_EXEC);
	cr_assert_not_null(rec->joins);
	const struct aa_string *argv = &rec->joins->str[AA_STRING_ARGV];
	cr_expect_eq(argv->len, ARGV_LEN);
	cr_expect_eq(memcmp(argv->data, ARGV, ARGV_LEN), 0);
	cr_expect_eq(argv->truncated, 0);
	const struct aa_string *fn = &rec->joins->str[AA_STRING_FILENAME];
	cr_expect_eq(fn->len, 300);
	cr_expect_eq(memcmp(fn->data, file, 300), 0);
	cr_expect_not_null(rec->joins->task);
	cr_assert_not_null(rec->process);
	cr_expect_str_eq(rec->process->comm, "ls");
	cr_expect_eq(rec->process->exe.len, 300);
	cr_expect_eq(rec->process->argv.len, ARGV_LEN);
	cr_expect_eq(rec->process->argv_joined, 0);
	cr_expect_str_eq(rec->process->container_id,
			 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	cr_expect_eq(rec->process->how, AA_PROC_EXEC);
	cr_expect_eq(aa_next(src, &rec), 0);
	aa_close(src);
	fx_free(&f);
}

Test(evidence, fold_marks_completion_records_and_keeps_the_order)
{
	struct fx f;
	struct aa_replay_opts o = { .fold = 1 };
	struct aa_file_event other = { .pid = 7, .tid = 7, .timestamp_ns = TS + 1, .syscall = AA_SYS_READ };

	fx_init(&f);
	add_exec(&f.recs, TS, PID, "ls", "/bin/ls");
	/* another process's record between the strings and their exec */
	struct aat_recs moved = { 0 };
	for (size_t i = 0; i < f.recs.n; i++)
		aat_recs_add(&moved, aat_recs_at(&f.recs, i), f.recs.len[i]);
	aat_recs_clear(&f.recs);
	for (size_t i = 0; i < 3; i++)
		aat_recs_add(&f.recs, aat_recs_at(&moved, i), moved.len[i]);
	aat_recs_add(&f.recs, &other, sizeof(other));
	aat_recs_add(&f.recs, aat_recs_at(&moved, 3), moved.len[3]);
	aat_recs_free(&moved);
	fx_write(&f);

	aa_source *src = fx_open(&f, &o);
	for (size_t i = 0; i < f.recs.n; i++) {
		const struct aa_record *rec = next(src);
		cr_assert_eq(rec->ev.len, f.recs.len[i]);
		cr_expect_eq(memcmp(rec->ev.raw, aat_recs_at(&f.recs, i), rec->ev.len), 0, "record %zu", i);
		cr_expect_eq(rec->index, i);
		cr_expect_eq(rec->folded, i < 3, "record %zu", i);
		cr_expect_eq(rec->joins != NULL, i == 4, "record %zu", i);
	}
	const struct aa_record *rec;
	cr_expect_eq(aa_next(src, &rec), 0);
	aa_close(src);
	fx_free(&f);
}

Test(evidence, reused_pid_answers_by_time)
{
	struct fx f;

	fx_init(&f);
	aat_add_task(&f.recs, AA_TASK_FORK, TS, PID, PID, 1, "first", "", 0);
	aat_add_task(&f.recs, AA_TASK_EXIT, TS + 100, PID, PID, 1, "first", "", 9); /* SIGKILL */
	struct aa_exit_event xe = { .timestamp_ns = TS + 100, .pid = PID, .exit_code = 137 };
	aat_recs_add(&f.recs, &xe, sizeof(xe));
	aat_add_task(&f.recs, AA_TASK_FORK, TS + 200, PID, PID, 1, "second", "", 0);
	aat_add_task(&f.recs, AA_TASK_EXIT, TS + 300, PID, PID, 1, "second", "", 3 << 8);
	fx_write(&f);

	aa_source *src = fx_open(&f, NULL);
	const struct aa_record *rec;
	while (aa_next(src, &rec) == 1)
		if (rec->ev.type == AA_TYPE_EXIT) {
			cr_assert_not_null(rec->process);
			cr_expect_str_eq(rec->process->comm, "first");
			cr_expect_eq(rec->process->signal, 9);
			cr_expect_eq(rec->joins->task->exit_status, 9);
		}
	const uint64_t w = FX_MONO_TO_WALL;
	const struct aa_process *p = aa_process_at(src, PID, w + TS + 50);
	cr_assert_not_null(p);
	cr_expect_str_eq(p->comm, "first");
	cr_expect_eq(p->signal, 9);
	cr_expect_eq(p->end_ns, w + TS + 100);
	p = aa_process_at(src, PID, w + TS + 250);
	cr_assert_not_null(p);
	cr_expect_str_eq(p->comm, "second");
	cr_expect_eq(p->exit_code, 3);
	cr_expect_eq(p->signal, 0);
	cr_expect_null(aa_process_at(src, PID, w + TS - 1));
	cr_expect_null(aa_process_at(src, PID + 1, w + TS + 50));
	int n = 0;
	for (p = aa_process_next(src, NULL); p; p = aa_process_next(src, p))
		n++;
	cr_expect_eq(n, 2);
	aa_close(src);
	fx_free(&f);
}

Test(evidence, filtered_out_records_still_feed_the_table)
{
	struct fx f;
	const uint32_t pids[] = { PID };
	struct aa_replay_opts o = { .filter = { .pids = pids, .npids = 1, .types = AA_TYPE_BIT(AA_TYPE_FILE) },
				    .ordered = 1 };
	struct aa_file_event fi = { .pid = PID, .tid = PID + 1, .timestamp_ns = TS + 10,
				    .syscall = AA_SYS_OPENAT, .return_code = 3 };
	char path[2000];

	fx_init(&f);
	add_exec(&f.recs, TS, PID, "ls", "/bin/ls");
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	memcpy(fi.path, path, 255);
	/* the file record comes before the exec in capture order, its strings just before it */
	struct aat_recs all = { 0 };
	aat_add_string(&all, TS + 10, PID, PID + 1, AA_STRING_PATH, path, sizeof(path), sizeof(path), 0);
	aat_recs_add(&all, &fi, sizeof(fi));
	for (size_t i = 0; i < f.recs.n; i++)
		aat_recs_add(&all, aat_recs_at(&f.recs, i), f.recs.len[i]);
	aat_recs_free(&f.recs);
	f.recs = all;
	fx_write(&f);

	aa_source *src = fx_open(&f, &o);
	const struct aa_record *rec = next(src);
	cr_assert_eq(rec->ev.type, AA_TYPE_FILE);
	cr_assert_not_null(rec->process, "the exec, earlier in time, was filtered out but seen");
	cr_expect_str_eq(rec->process->comm, "ls");
	cr_assert_not_null(rec->joins);
	cr_expect_eq(rec->joins->str[AA_STRING_PATH].len, sizeof(path));
	cr_expect_eq(memcmp(rec->joins->str[AA_STRING_PATH].data, path, sizeof(path)), 0);
	cr_expect_eq(aa_next(src, &rec), 0);
	aa_close(src);
	fx_free(&f);
}

Test(evidence, orphan_strings_are_delivered_and_joined_to_nothing)
{
	struct fx f;
	struct aa_replay_opts o = { .fold = 1 };
	struct aa_file_event fi = { .pid = PID, .tid = PID, .timestamp_ns = TS + 1, .syscall = AA_SYS_READ };

	fx_init(&f);
	/* a PATH whose file record was lost, then the thread's next record */
	aat_add_string(&f.recs, TS, PID, PID, AA_STRING_PATH, "/lost", 5, 5, 0);
	aat_recs_add(&f.recs, &fi, sizeof(fi));
	/* and one at the very end */
	aat_add_string(&f.recs, TS + 2, PID, PID, AA_STRING_PATH, "/end", 4, 4, 0);
	fx_write(&f);

	for (int fold = 0; fold < 2; fold++) {
		o.fold = fold;
		aa_source *src = fx_open(&f, &o);
		const struct aa_record *rec = next(src);
		cr_expect_eq(rec->ev.type, AA_TYPE_STRING);
		cr_expect_eq(rec->folded, 0);
		rec = next(src);
		cr_expect_eq(rec->ev.type, AA_TYPE_FILE);
		cr_expect_null(rec->joins);
		rec = next(src);
		cr_expect_eq(rec->ev.type, AA_TYPE_STRING);
		cr_expect_eq(rec->folded, 0);
		cr_expect_eq(memcmp(rec->ev.raw, aat_recs_at(&f.recs, 2), rec->ev.len), 0);
		cr_expect_eq(aa_next(src, &rec), 0);
		aa_close(src);
	}
	fx_free(&f);
}

Test(evidence, truncated_string_over_pieces)
{
	struct fx f;
	uint8_t argv[2500];

	fx_init(&f);
	for (size_t i = 0; i < sizeof(argv); i++)
		argv[i] = i % 100 == 99 ? 0 : (uint8_t)('a' + i % 26);
	aat_add_task(&f.recs, AA_TASK_EXEC, TS, PID, PID, 1, "x", "", 0);
	aat_add_string(&f.recs, TS, PID, PID, AA_STRING_ARGV, argv, sizeof(argv), 5000, AA_STRING_TRUNCATED);
	struct aa_exec_event ex = { .timestamp_ns = TS, .pid = PID };
	aat_recs_add(&f.recs, &ex, sizeof(ex));
	cr_assert_eq(f.recs.n, 5, "3 pieces");
	fx_write(&f);

	aa_source *src = fx_open(&f, NULL);
	const struct aa_record *rec;
	while (aa_next(src, &rec) == 1 && rec->ev.type != AA_TYPE_EXEC)
		;
	cr_assert_eq(rec->ev.type, AA_TYPE_EXEC);
	const struct aa_string *s = &rec->joins->str[AA_STRING_ARGV];
	cr_expect_eq(s->len, sizeof(argv));
	cr_expect_eq(s->orig_len, 5000);
	cr_expect_eq(s->truncated, 1);
	cr_expect_eq(memcmp(s->data, argv, sizeof(argv)), 0);
	aa_close(src);
	fx_free(&f);
}

Test(evidence, a_lost_piece_makes_the_string_truncated)
{
	struct fx f;
	struct aat_recs pieces = { 0 };
	uint8_t path[3000];

	fx_init(&f);
	memset(path, 'q', sizeof(path));
	aat_add_string(&pieces, TS, PID, PID, AA_STRING_PATH, path, sizeof(path), sizeof(path), 0);
	aat_recs_add(&f.recs, aat_recs_at(&pieces, 0), pieces.len[0]);
	aat_recs_add(&f.recs, aat_recs_at(&pieces, 2), pieces.len[2]); /* piece 1 lost */
	aat_recs_free(&pieces);
	struct aa_file_event fi = { .pid = PID, .tid = PID, .timestamp_ns = TS, .syscall = AA_SYS_READ };
	aat_recs_add(&f.recs, &fi, sizeof(fi));
	fx_write(&f);

	aa_source *src = fx_open(&f, NULL);
	const struct aa_record *rec;
	while (aa_next(src, &rec) == 1 && rec->ev.type != AA_TYPE_FILE)
		;
	const struct aa_string *s = &rec->joins->str[AA_STRING_PATH];
	cr_expect_eq(s->len, 1024, "only the bytes before the gap");
	cr_expect_eq(s->truncated, 1);
	aa_close(src);
	fx_free(&f);
}

Test(evidence, tls_conn_stays_with_every_piece_of_the_call)
{
	struct fx f;
	struct aa_tls_conn_event c = { .timestamp_ns = TS, .pid = PID, .tid = PID + 1, .conn = 99, .fd = 5,
				       .family = 2, .lib = AA_TLS_LIB_OPENSSL, .local_port = 40000,
				       .peer_port = 8443, .data_len = 5000 };
	struct aa_tls_event t = { .timestamp_ns = TS, .pid = PID, .tid = PID + 1, .data_len = 5000 };

	fx_init(&f);
	memcpy(c.local_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	memcpy(c.peer_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	aat_recs_add(&f.recs, &c, sizeof(c));
	aat_recs_add(&f.recs, &t, sizeof(t));
	t.seq = 1;
	aat_recs_add(&f.recs, &t, sizeof(t));
	t.seq = 0;
	t.timestamp_ns = TS + 5; /* the next call, without a conn record */
	t.data_len = 3;
	aat_recs_add(&f.recs, &t, sizeof(t));
	fx_write(&f);

	aa_source *src = fx_open(&f, NULL);
	const struct aa_record *rec = next(src);
	cr_expect_eq(rec->ev.type, AA_TYPE_TLS_CONN);
	for (int i = 0; i < 2; i++) {
		rec = next(src);
		cr_assert_not_null(rec->joins, "piece %d", i);
		cr_assert_not_null(rec->joins->tls_conn);
		cr_expect_eq(rec->joins->tls_conn->conn, 99);
	}
	rec = next(src);
	cr_expect_null(rec->joins);
	aa_close(src);
	fx_free(&f);
}

Test(evidence, snapshot_and_fork_give_identity)
{
	struct fx f;
	static const char argv[] = "sshd\0-D";
	static const char exe[] = "/usr/sbin/sshd";

	fx_init(&f);
	aat_add_string(&f.recs, TS, 300, 300, AA_STRING_ARGV, argv, sizeof(argv), sizeof(argv), 0);
	aat_add_string(&f.recs, TS, 300, 300, AA_STRING_EXE, exe, sizeof(exe) - 1, sizeof(exe) - 1, 0);
	aat_add_task(&f.recs, AA_TASK_SNAPSHOT, TS, 300, 300, 1, "sshd",
		     "cri-containerd-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.scope", 0);
	aat_add_task(&f.recs, AA_TASK_FORK, TS + 10, 301, 301, 300, "sshd", "", 0);
	fx_write(&f);

	aa_source *src = fx_open(&f, NULL);
	const struct aa_record *rec;
	while (aa_next(src, &rec) == 1)
		;
	const struct aa_process *p = aa_process_at(src, 300, FX_MONO_TO_WALL + TS);
	cr_assert_not_null(p);
	cr_expect_eq(p->how, AA_PROC_SNAPSHOT);
	cr_expect_eq(p->argv.len, sizeof(argv));
	cr_expect_eq(p->exe.len, sizeof(exe) - 1);
	cr_expect_str_eq(p->container_id, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	p = aa_process_at(src, 301, FX_MONO_TO_WALL + TS + 20);
	cr_assert_not_null(p);
	cr_expect_eq(p->how, AA_PROC_FORK);
	cr_expect_eq(p->ppid, 300);
	cr_expect_eq(p->argv.len, sizeof(argv), "a child runs its parent's program");
	aa_close(src);
	fx_free(&f);
}

Test(evidence, container_id_from_cgroup_names)
{
	char id[65];
	const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char name[128];

	snprintf(name, sizeof(name), "docker-%s.scope", hex);
	cr_expect_eq(aa_container_id(name, id), 1);
	cr_expect_str_eq(id, hex);
	snprintf(name, sizeof(name), "libpod-%s", hex);
	cr_expect_eq(aa_container_id(name, id), 1);
	cr_expect_eq(aa_container_id(hex, id), 1);
	cr_expect_str_eq(id, hex);
	snprintf(name, sizeof(name), "docker-%s0.scope", hex); /* 65 digits */
	cr_expect_eq(aa_container_id(name, id), 0);
	cr_expect_str_eq(id, "");
	cr_expect_eq(aa_container_id("user@1000.service", id), 0);
	cr_expect_eq(aa_container_id("session-3.scope", id), 0);
}

Test(evidence, format_1_exec_and_exit_feed_the_table)
{
	struct fx f;
	struct aa_exec_event ex = { .timestamp_ns = TS, .pid = PID, .ppid = 1, .uid = 0 };
	struct aa_exit_event xe = { .timestamp_ns = TS + 5, .pid = PID, .exit_code = 2 };

	fx_init(&f);
	strcpy((char *)ex.filename, "/usr/bin/a-very-long-program-name");
	strcpy((char *)ex.args, "prog x y");
	aat_recs_add(&f.recs, &ex, sizeof(ex));
	aat_recs_add(&f.recs, &xe, sizeof(xe));
	fx_write(&f);

	aa_source *src = fx_open(&f, NULL);
	const struct aa_record *rec = next(src);
	cr_assert_not_null(rec->process);
	cr_expect_str_eq(rec->process->comm, "a-very-long-pro", "the kernel's 15 bytes of the name");
	cr_expect_eq(rec->process->argv_joined, 1);
	rec = next(src);
	cr_expect_eq(rec->process->exit_code, 2);
	cr_expect_eq(rec->process->how, AA_PROC_EXEC | AA_PROC_EXIT);
	aa_close(src);
	fx_free(&f);
}

Test(evidence, the_table_keeps_its_bound)
{
	struct fx f;
	struct aa_replay_opts o = { .max_processes = 10 };

	fx_init(&f);
	for (uint32_t i = 0; i < 25; i++) {
		aat_add_task(&f.recs, AA_TASK_FORK, TS + i * 10, 1000 + i, 1000 + i, 1, "p", "", 0);
		aat_add_task(&f.recs, AA_TASK_EXIT, TS + i * 10 + 5, 1000 + i, 1000 + i, 1, "p", "", 0);
	}
	aat_add_task(&f.recs, AA_TASK_FORK, TS + 1000, 2000, 2000, 1, "alive", "", 0);
	fx_write(&f);

	aa_source *src = fx_open(&f, &o);
	const struct aa_record *rec;
	while (aa_next(src, &rec) == 1)
		;
	uint32_t n = 0, first = 0;
	for (const struct aa_process *p = aa_process_next(src, NULL); p; p = aa_process_next(src, p))
		if (n++ == 0)
			first = p->pid;
	cr_expect_eq(n, 10);
	cr_expect_eq(first, 1016, "those that exited first are forgotten first");
	cr_expect_not_null(aa_process_at(src, 2000, FX_MONO_TO_WALL + TS + 1000));
	cr_expect_null(aa_process_at(src, 1000, FX_MONO_TO_WALL + TS + 1));
	aa_close(src);
	fx_free(&f);
}

/* Records the filter leaves out are dropped before the evidence stage only
 * when nothing delivered takes evidence from them: a path string that is
 * delivered is folded into its file record whether or not file records
 * are delivered (the file record is read), and a file record's joins do not
 * depend on whether strings are delivered. */
Test(evidence, type_filter_keeps_what_completes_a_delivered_record)
{
	struct fx f;
	struct aa_file_event fi = { .pid = PID, .tid = PID, .timestamp_ns = TS + 10, .syscall = AA_SYS_OPENAT,
				    .return_code = 3 };
	static const unsigned sets[] = { AA_TYPE_BIT(AA_TYPE_STRING),
					 AA_TYPE_BIT(AA_TYPE_STRING) | AA_TYPE_BIT(AA_TYPE_TASK),
					 AA_TYPE_BIT(AA_TYPE_FILE), AA_TYPE_BIT(AA_TYPE_FILEOP) | AA_TYPE_BIT(AA_TYPE_STRING),
					 0 };

	fx_init(&f);
	memcpy(fi.path, "/gone", 5);
	aat_add_string(&f.recs, TS + 10, PID, PID, AA_STRING_PATH, "/gone/file", 10, 10, AA_STRING_UNLINKED);
	aat_recs_add(&f.recs, &fi, sizeof(fi));
	fx_write(&f);

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct aa_replay_opts o = { .fold = 1, .filter = { .types = sets[i] } };
		aa_source *src = fx_open(&f, &o);
		const struct aa_record *rec;
		int strings = 0, files = 0;
		while (aa_next(src, &rec) == 1) {
			if (rec->ev.type == AA_TYPE_STRING) {
				strings++;
				cr_expect_eq(rec->folded, 1, "types %#x: its file record came", sets[i]);
			} else if (rec->ev.type == AA_TYPE_FILE) {
				files++;
				cr_expect(rec->joins && rec->joins->str[AA_STRING_PATH].len == 10, "types %#x", sets[i]);
			}
		}
		int want_s = !sets[i] || (sets[i] & AA_TYPE_BIT(AA_TYPE_STRING));
		int want_f = !sets[i] || (sets[i] & AA_TYPE_BIT(AA_TYPE_FILE));
		cr_expect_eq(strings, want_s, "types %#x", sets[i]);
		cr_expect_eq(files, want_f, "types %#x", sets[i]);
		aa_close(src);
	}
	fx_free(&f);
}
