/* SPDX-License-Identifier: MIT */
/*
 * aa-capture's rotated sets: -C by size with tcpdump's numbered names, -W
 * keeping a ring of N files, -G by time, SIGHUP, -z on every finished file
 * (whose name has spaces; the rest of -z is in test_capture_postcmd.c), no
 * empty last file, and the signals that stop it cleanly. Every file
 * of a set must read intact on its own, share the session id, carry its
 * place, and the set read in order must give back the input.
 */
#include <dirent.h>

#include "cap_test.h"

TestSuite(capture_rotate, .init = cap_setup, .fini = cap_teardown, .timeout = 120);

static size_t count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

Test(capture_rotate, size_rotation_numbers_files_and_reads_back_as_a_set)
{
	struct aat_recs in = { 0 }, all = { 0 };
	char *raw = aat_path(dir, "in.raw"), *out = aat_path(dir, "set.pcapng");
	char names[64][512];
	const char *paths[64];
	struct cap_file_info fi;
	uint8_t session[16];

	cap_mix(&in, 6000, 5, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	int rc = cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", out, "-C", "0.3", NULL });
	cr_assert_eq(rc, 0);

	size_t n = cap_numbered_names("set.pcapng", names, 64);
	cr_assert_geq(n, 3, "%zu files: -C 0.3 on this input makes several", n);
	cr_expect_eq(count_entries(), n + 1, "only set.pcapng, set.pcapng1 ... and the input");
	for (size_t i = 0; i < n; i++) {
		cap_read_one(names[i], &fi);
		if (i == 0)
			memcpy(session, fi.session, 16);
		cr_expect_eq(memcmp(fi.session, session, 16), 0, "%s shares the session id", names[i]);
		cr_expect_eq(fi.file_seq, i, "%s has file_seq %u, want %zu", names[i], fi.file_seq, i);
		if (i + 1 < n) /* full files: past the limit by less than one chunk block */
			cr_expect(fi.size >= 300000 && fi.size < 300000 + 262144 + 4096,
				  "%s: %jd bytes", names[i], (intmax_t)fi.size);
		cr_expect_gt(fi.recs.n, 0);
		aat_recs_free(&fi.recs);
		paths[i] = names[i];
	}
	cr_assert_eq(cap_read_set(paths, n, &all, NULL), 0, "the set reads in order");
	cr_expect_eq(aat_recs_diff(&all, &in), -1, "the set gives back the input byte for byte");
	aat_recs_free(&in);
	aat_recs_free(&all);
	free(raw);
	free(out);
}

Test(capture_rotate, ring_keeps_the_last_n_files)
{
	struct aat_recs in = { 0 }, tail = { 0 };
	char *raw = aat_path(dir, "in.raw"), *out = aat_path(dir, "ring");
	char path[512];
	struct cap_file_info fi[3];

	cap_mix(&in, 6000, 8, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", out, "-C", "0.2",
							   "-W", "3", NULL }), 0);
	cr_expect_eq(count_entries(), 3 + 1, "ring0, ring1, ring2 and the input");
	uint32_t max_seq = 0;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/ring%d", dir, i);
		cap_read_one(path, &fi[i]);
		cr_expect_eq(fi[i].file_seq % 3, (uint32_t)i, "ring%d holds file %u", i, fi[i].file_seq);
		if (fi[i].file_seq > max_seq)
			max_seq = fi[i].file_seq;
	}
	cr_assert_geq(max_seq, 3, "the ring went round (last file %u)", max_seq);
	/* The three files, oldest first, read as one set: the input's last records. */
	char names[3][512];
	const char *ordered[3];
	for (int i = 0; i < 3; i++) {
		snprintf(names[i], sizeof(names[i]), "%s/ring%u", dir, (max_seq - 2 + i) % 3);
		ordered[i] = names[i];
	}
	cr_assert_eq(cap_read_set(ordered, 3, &tail, NULL), 0, "a ring reads as a set from its oldest");
	cr_assert_lt(tail.n, in.n);
	struct aat_recs want = { 0 };
	for (size_t k = in.n - tail.n; k < in.n; k++)
		aat_recs_add(&want, aat_recs_at(&in, k), in.len[k]);
	cr_expect_eq(aat_recs_diff(&tail, &want), -1, "the ring is the tail of the input");
	for (int i = 0; i < 3; i++)
		aat_recs_free(&fi[i].recs);
	aat_recs_free(&want);
	aat_recs_free(&tail);
	aat_recs_free(&in);
	free(raw);
	free(out);
}

Test(capture_rotate, post_command_gets_each_finished_file_as_one_argument)
{
	struct aat_recs in = { 0 };
	char *raw = aat_path(dir, "in.raw"), *sub = aat_path(dir, "my dir");
	char out[600], script[600], log[600], expect[700];

	cap_mix(&in, 3000, 2, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(out, sizeof(out), "%s/out file $(touch pwned) 'q'.pcapng", sub);
	snprintf(script, sizeof(script), "%s/z script.sh", sub);
	snprintf(log, sizeof(log), "%s/z.log", dir);
	char body[1024];
	snprintf(body, sizeof(body), "#!/bin/sh\nprintf '%%s|%%s\\n' \"$#\" \"$1\" >> '%s'\n", log);
	cap_write_script(script, body);

	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", out, "-C", "0.3",
							   "-z", script, NULL }), 0);
	char *got = cap_slurp(log);
	size_t lines = 0;
	for (char *p = got; (p = strchr(p, '\n')); p++)
		lines++;
	cr_expect_geq(lines, 2, "one line per finished file: %s", got);
	for (size_t i = 0; i < lines; i++) {
		if (i == 0)
			snprintf(expect, sizeof(expect), "1|%s\n", out);
		else
			snprintf(expect, sizeof(expect), "1|%s%zu\n", out, i);
		cr_expect(strstr(got, expect), "-z got %s in:\n%s", expect, got);
	}
	cr_expect_eq(access("pwned", F_OK), -1, "no shell ran the file name");
	free(got);
	aat_recs_free(&in);
	free(raw);
	free(sub);
}

/* aa-capture on an idle pipe: SIGHUP starts a new file, SIGUSR1 prints the
 * statistics, SIGTERM ends it with exit 0 and both files closed. */
Test(capture_rotate, signals_rotate_report_and_stop_cleanly)
{
	struct aat_recs in = { 0 };
	struct cap_file_info a = { 0 }, b = { 0 };
	char *out = aat_path(dir, "sig.pcapng"), *out1 = aat_path(dir, "sig.pcapng1");
	char *errf = aat_path(dir, "err.txt");
	int p[2];

	cap_mix(&in, 20, 4, NULL);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", out, "--duration", "60",
						"--flush-ms", "50", NULL },
			      p[0], errf);
	close(p[0]);
	/* Each signal only once the records before it are in the file. */
	cap_write_raw(p[1], &in, 0, 10);
	cap_wait_records(out, 10, 5000, &a.recs);
	kill(pid, SIGHUP);
	for (int waited = 0; access(out1, F_OK) != 0 && waited < 5000; waited += 20)
		cap_sleep_ms(20);
	cap_write_raw(p[1], &in, 10, 20);
	cap_wait_records(out1, 10, 5000, &b.recs);
	kill(pid, SIGUSR1);
	for (int waited = 0; cap_size(errf) <= 0 && waited < 5000; waited += 20)
		cap_sleep_ms(20);
	kill(pid, SIGTERM);
	cr_expect_eq(cap_wait(pid), 0, "SIGTERM: exit 0");
	close(p[1]);

	aat_recs_free(&a.recs);
	aat_recs_free(&b.recs);
	cap_read_one(out, &a);
	cap_read_one(out1, &b);
	cr_expect_eq(a.recs.n, 10, "before SIGHUP: %zu records", a.recs.n);
	cr_expect_eq(b.recs.n, 10, "after SIGHUP: %zu records", b.recs.n);
	cr_expect_eq(memcmp(a.session, b.session, 16), 0);
	cr_expect_eq(b.file_seq, 1);
	char *msg = cap_slurp(errf);
	cr_expect(strstr(msg, "aa-capture: 20 records written"), "SIGUSR1 statistics: %s", msg);
	free(msg);
	aat_recs_free(&a.recs);
	aat_recs_free(&b.recs);
	aat_recs_free(&in);
	free(out);
	free(out1);
	free(errf);
}

Test(capture_rotate, time_rotation_with_strftime_names)
{
	char *pattern = aat_path(dir, "g-%H%M%S.pcapng");
	int p[2];
	DIR *d;
	struct dirent *e;
	struct cap_file_info fi;
	size_t n = 0;
	uint8_t session[16];

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", pattern, "-G", "1",
						"--duration", "3.5", NULL },
			      p[0], NULL);
	close(p[0]);
	cr_expect_eq(cap_wait(pid), 0, "--duration ends with exit 0");
	close(p[1]);
	d = opendir(dir);
	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		char path[600];
		if (strncmp(e->d_name, "g-", 2) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		cap_read_one(path, &fi);
		if (n++ == 0)
			memcpy(session, fi.session, 16);
		cr_expect_eq(memcmp(fi.session, session, 16), 0);
		cr_expect_eq(strlen(e->d_name), strlen("g-213001.pcapng"), "%s", e->d_name);
		aat_recs_free(&fi.recs);
	}
	closedir(d);
	/* Files start at 0, 1, 2, 3 s; a loaded machine may push the last one past the end. */
	cr_expect(n == 4 || n == 3, "-G 1 for 3.5 s: %zu files, want 4 (3 under load)", n);
	free(pattern);
}

/* A strftime name that repeats within the run (several -C files in one
 * year) is numbered like a plain one; nothing is overwritten. */
Test(capture_rotate, repeated_strftime_name_is_numbered)
{
	struct aat_recs in = { 0 }, all = { 0 };
	char *raw = aat_path(dir, "in.raw"), *pattern = aat_path(dir, "y-%Y.pcapng");
	char base[64], names[64][512];
	const char *paths[64];
	time_t now = time(NULL);
	struct tm tm;

	cap_mix(&in, 3000, 12, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", pattern, "-C",
							   "0.3", NULL }), 0);
	localtime_r(&now, &tm);
	strftime(base, sizeof(base), "y-%Y.pcapng", &tm);
	size_t n = cap_numbered_names(base, names, 64);
	cr_assert_geq(n, 2, "%zu files named %s, %s1 ...", n, base, base);
	cr_expect_eq(count_entries(), n + 1);
	for (size_t i = 0; i < n; i++)
		paths[i] = names[i];
	cr_assert_eq(cap_read_set(paths, n, &all, NULL), 0);
	cr_expect_eq(aat_recs_diff(&all, &in), -1);
	aat_recs_free(&in);
	aat_recs_free(&all);
	free(raw);
	free(pattern);
}

/* -W with strftime names: the oldest file is removed as each new one starts. */
Test(capture_rotate, ring_of_time_stamped_files_removes_the_oldest)
{
	char *pattern = aat_path(dir, "w-%H%M%S.pcapng");
	int p[2];

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", pattern, "-G", "1", "-W",
						"2", "--duration", "3.5", NULL },
			      p[0], NULL);
	close(p[0]);
	cr_expect_eq(cap_wait(pid), 0);
	close(p[1]);
	cr_expect_eq(count_entries(), 2, "-W 2 keeps two of the 3 or 4 files");
	free(pattern);
}

/* Records in the file at path (it must read to its end). */
static size_t records_in(const char *path)
{
	struct cap_file_info fi;
	size_t n;

	cap_read_one(path, &fi);
	n = fi.recs.n;
	aat_recs_free(&fi.recs);
	return n;
}

/*
 * -c reached exactly as -C finds a file full, or the input ending there:
 * no trailing file with 0 records (a file is started by the record that
 * does not fit, as tcpdump's -C does). No timed flush (--flush-ms at its
 * maximum), so the file sizes depend on the records alone.
 */
Test(capture_rotate, count_or_end_exactly_at_a_size_rotation_leaves_no_empty_file)
{
	struct aat_recs in = { 0 }, head = { 0 };
	char *raw = aat_path(dir, "in.raw"), *raw_head = aat_path(dir, "head.raw");
	char *out = aat_path(dir, "a.pcapng"), *out1 = aat_path(dir, "a.pcapng1");
	char *c_out = aat_path(dir, "c.pcapng"), *c_out1 = aat_path(dir, "c.pcapng1");
	char *e_out = aat_path(dir, "e.pcapng"), *e_out1 = aat_path(dir, "e.pcapng1");
	char count[32];

	cap_mix(&in, 6000, 5, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", out, "-C", "0.3",
							   "--flush-ms", "3600000", NULL }), 0);
	size_t first = records_in(out);
	cr_assert(first > 0 && first < in.n && access(out1, F_OK) == 0, "the first file is full");

	snprintf(count, sizeof(count), "%zu", first);
	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", c_out, "-C", "0.3",
							   "--flush-ms", "3600000", "-c", count,
							   NULL }), 0);
	cr_expect_eq(records_in(c_out), first, "-c %s: all in the first file", count);
	cr_expect_eq(access(c_out1, F_OK), -1, "-c %s: no second file", count);

	for (size_t i = 0; i < first; i++)
		aat_recs_add(&head, aat_recs_at(&in, i), in.len[i]);
	cr_assert_eq(aat_recs_write_raw(&head, raw_head), 0);
	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw_head, "-w", e_out, "-C",
							   "0.3", "--flush-ms", "3600000", NULL }), 0);
	cr_expect_eq(records_in(e_out), first, "an input of %zu records: one file", first);
	cr_expect_eq(access(e_out1, F_OK), -1, "an input that ends at the limit: no second file");
	aat_recs_free(&in);
	aat_recs_free(&head);
	free(raw);
	free(raw_head);
	free(out);
	free(out1);
	free(c_out);
	free(c_out1);
	free(e_out);
	free(e_out1);
}

/* Lines in a small file (0 if it is missing). */
/*
 * -W: the oldest file goes only once the new one exists. Here the third
 * file's name is taken by a directory, so it cannot be made: the capture
 * ends with exit 3 and the two files it had are both still there, whole.
 */
Test(capture_rotate, ring_keeps_the_oldest_when_the_new_file_cannot_be_made)
{
	struct aat_recs in = { 0 }, all = { 0 };
	char *raw = aat_path(dir, "in.raw"), *pattern = aat_path(dir, "z%%.pcapng");
	char *errf = aat_path(dir, "err.txt"), names[3][512];

	cap_mix(&in, 3000, 21, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	snprintf(names[0], 512, "%s/z%%.pcapng", dir); /* strftime's %% is '%' */
	snprintf(names[1], 512, "%s/z%%.pcapng1", dir);
	snprintf(names[2], 512, "%s/z%%.pcapng2", dir);
	cr_assert_eq(mkdir(names[2], 0700), 0);
	int rc = cap_run(NULL, errf, (const char *[]){ "-q", "-r", raw, "-w", pattern, "-C", "0.3",
						       "-W", "2", NULL });
	char *msg = cap_slurp(errf);

	cr_expect_eq(rc, 3, "exit %d: %s", rc, msg);
	cr_expect(strstr(msg, "exists and is not a regular file"), "%s", msg);
	cr_expect_eq(access(names[0], F_OK), 0, "the oldest file was removed before the new one existed");
	cr_expect_eq(access(names[1], F_OK), 0);
	const char *paths[2] = { names[0], names[1] };
	struct aa_source_stats st;
	cr_expect_eq(cap_read_set(paths, 2, &all, &st), 0);
	cr_expect(st.intact, "both files whole and closed");
	cr_expect_gt(all.n, 0);
	cr_expect_lt(all.n, in.n, "the input did not all fit in two files");
	for (size_t i = 0; i < all.n && i < in.n; i++)
		cr_assert(all.len[i] == in.len[i] &&
			  !memcmp(aat_recs_at(&all, i), aat_recs_at(&in, i), in.len[i]),
			  "record %zu differs", i);
	free(msg);
	aat_recs_free(&in);
	aat_recs_free(&all);
	free(raw);
	free(pattern);
	free(errf);
}
