/* SPDX-License-Identifier: MIT */
/*
 * aa-capture's rotated sets: -C by size with tcpdump's numbered names, -W
 * keeping a ring of N files, -G by time, SIGHUP, -z on every finished file
 * (whose name has spaces; checked at start; each file shipped once even
 * when the ring comes round faster; out of reach of the job's Ctrl-C;
 * failures counted), no empty last file, and the signals that stop it
 * cleanly. Every file
 * of a set must read intact on its own, share the session id, carry its
 * place, and the set read in order must give back the input.
 */
#include <dirent.h>

#include "cap_test.h"

TestSuite(capture_rotate, .init = cap_setup, .fini = cap_teardown, .timeout = 120);

struct file_info {
	uint8_t session[16];
	uint32_t file_seq;
	struct aat_recs recs;
	off_t size;
};

/* Reads one file alone: it must be intact and closed. */
static void read_one(const char *path, struct file_info *fi)
{
	aa_source *src;
	const struct aa_record *rec;
	struct aa_source_stats st;
	int rc;

	memset(fi, 0, sizeof(*fi));
	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0, "%s opens", path);
	const struct aa_file_meta *m = aa_source_meta(src);
	cr_assert_not_null(m);
	memcpy(fi->session, m->session, 16);
	fi->file_seq = m->file_seq;
	while ((rc = aa_next(src, &rec)) == 1)
		aat_recs_add(&fi->recs, rec->ev.raw, rec->ev.len);
	cr_expect_eq(rc, 0, "%s reads to its end: %s", path, aa_error_name(rc));
	aa_source_get_stats(src, &st);
	cr_expect(st.intact && st.files_closed == 1, "%s is intact and closed", path);
	aa_close(src);
	fi->size = cap_size(path);
}

/* The names dir/base, dir/base1, dir/base2 ... that exist, in order. */
static size_t numbered_names(const char *base, char names[][512], size_t max)
{
	size_t n = 0;

	for (;; n++) {
		cr_assert_lt(n, max);
		if (n == 0)
			snprintf(names[n], 512, "%s/%s", dir, base);
		else
			snprintf(names[n], 512, "%s/%s%zu", dir, base, n);
		if (access(names[n], F_OK) != 0)
			return n;
	}
}

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

/* Writes an executable shell script. */
static void write_script(const char *path, const char *body)
{
	cr_assert_eq(aat_write_file(path, body, strlen(body)), 0);
	cr_assert_eq(chmod(path, 0700), 0);
}

Test(capture_rotate, size_rotation_numbers_files_and_reads_back_as_a_set)
{
	struct aat_recs in = { 0 }, all = { 0 };
	char *raw = aat_path(dir, "in.raw"), *out = aat_path(dir, "set.pcapng");
	char names[64][512];
	const char *paths[64];
	struct file_info fi;
	uint8_t session[16];

	cap_mix(&in, 6000, 5, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	int rc = cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", out, "-C", "0.3", NULL });
	cr_assert_eq(rc, 0);

	size_t n = numbered_names("set.pcapng", names, 64);
	cr_assert_geq(n, 3, "%zu files: -C 0.3 on this input makes several", n);
	cr_expect_eq(count_entries(), n + 1, "only set.pcapng, set.pcapng1 ... and the input");
	for (size_t i = 0; i < n; i++) {
		read_one(names[i], &fi);
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
	struct file_info fi[3];

	cap_mix(&in, 6000, 8, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	cr_assert_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", out, "-C", "0.2",
							   "-W", "3", NULL }), 0);
	cr_expect_eq(count_entries(), 3 + 1, "ring0, ring1, ring2 and the input");
	uint32_t max_seq = 0;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/ring%d", dir, i);
		read_one(path, &fi[i]);
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
	write_script(script, body);

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
	struct file_info a = { 0 }, b = { 0 };
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
	read_one(out, &a);
	read_one(out1, &b);
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
	struct file_info fi;
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
		read_one(path, &fi);
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
	size_t n = numbered_names(base, names, 64);
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
	struct file_info fi;
	size_t n;

	read_one(path, &fi);
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
static size_t lines_in(const char *path)
{
	char *s = cap_slurp(path);
	size_t n = 0;

	for (char *p = s; (p = strchr(p, '\n')); p++)
		n++;
	free(s);
	return n;
}

/*
 * A -z shipper: notes each file it is given in dir/started, waits until the
 * test creates dir/gate, copies the file to dir/ship/<its pid>.pcapng and
 * notes it in dir/done.
 */
static char *make_shipper(void)
{
	char *script = aat_path(dir, "ship.sh"), *ship = aat_path(dir, "ship");
	char body[2048];

	snprintf(body, sizeof(body),
		 "#!/bin/sh\n"
		 "d='%s'\n"
		 "echo \"$1\" >> \"$d/started\"\n"
		 "while [ ! -e \"$d/gate\" ]; do sleep 0.01; done\n"
		 "cp \"$1\" \"$d/ship/$$.tmp\" && mv \"$d/ship/$$.tmp\" \"$d/ship/$$.pcapng\" &&\n"
		 "echo \"$1\" >> \"$d/done\"\n",
		 dir);
	write_script(script, body);
	cr_assert_eq(mkdir(ship, 0700), 0);
	free(ship);
	return script;
}

static void open_gate(void)
{
	char *gate = aat_path(dir, "gate");

	cr_assert_eq(aat_write_file(gate, "", 0), 0);
	free(gate);
}

/*
 * Reads every copy in dir/ship: each must be intact, a different file of the
 * run (file_seq below nfiles, none twice), and all nfiles of them, read in
 * file_seq order, must give back want. Returns how many copies there are.
 */
static size_t expect_each_file_shipped_once(uint32_t nfiles, const struct aat_recs *want)
{
	char *ship = aat_path(dir, "ship");
	struct file_info *by_seq = calloc(nfiles, sizeof(*by_seq));
	struct aat_recs all = { 0 };
	struct dirent *e;
	size_t copies = 0;
	DIR *d = opendir(ship);

	cr_assert(d && by_seq);
	while ((e = readdir(d))) {
		char path[1024];
		struct file_info fi;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", ship, e->d_name);
		read_one(path, &fi);
		copies++;
		cr_expect_lt(fi.file_seq, nfiles, "%s: file %u of %u", path, fi.file_seq, nfiles);
		if (fi.file_seq >= nfiles || by_seq[fi.file_seq].recs.n) {
			cr_expect_fail("file %u shipped twice (or out of range)", fi.file_seq);
			aat_recs_free(&fi.recs);
			continue;
		}
		by_seq[fi.file_seq] = fi;
	}
	closedir(d);
	for (uint32_t i = 0; i < nfiles; i++) {
		cr_expect_gt(by_seq[i].recs.n, 0, "file %u was shipped", i);
		for (size_t k = 0; k < by_seq[i].recs.n; k++)
			aat_recs_add(&all, aat_recs_at(&by_seq[i].recs, k), by_seq[i].recs.len[k]);
		aat_recs_free(&by_seq[i].recs);
	}
	if (want)
		cr_expect_eq(aat_recs_diff(&all, want), -1, "the shipped files are the input, in order");
	aat_recs_free(&all);
	free(by_seq);
	free(ship);
	return copies;
}

/* aa-capture has said (on stderr, in errf) that the ring waits for a -z. */
static int ring_is_waiting(const char *errf)
{
	char *msg = cap_slurp(errf);
	int waiting = strstr(msg, "waiting for its -z command") != NULL;

	free(msg);
	return waiting;
}

/* How many files a run with -W 2 made: the last one is the ring's higher file_seq. */
static uint32_t files_of_ring_of_2(const char *out)
{
	char path[600];
	uint32_t nfiles = 0;

	for (int i = 0; i < 2; i++) {
		struct file_info fi;
		snprintf(path, sizeof(path), "%s%d", out, i);
		read_one(path, &fi);
		if (fi.file_seq + 1 > nfiles)
			nfiles = fi.file_seq + 1;
		aat_recs_free(&fi.recs);
	}
	return nfiles;
}

/*
 * -W 2 -z with a -z slower than the files come: a ring name is reused only
 * after the command on its previous file has exited, so every finished file
 * is shipped once, with its own content. The shipper holds at the gate
 * until aa-capture is seen waiting for it, or (the fault) has started more
 * commands than the ring has names.
 */
Test(capture_rotate, ring_waits_for_post_command_so_every_file_ships_once)
{
	struct aat_recs in = { 0 };
	char *raw = aat_path(dir, "in.raw"), *out = aat_path(dir, "ring");
	char *errf = aat_path(dir, "err.txt"), *started = aat_path(dir, "started");
	char *done = aat_path(dir, "done"), *script = make_shipper();
	int st = 0, exited = 0;

	cap_mix(&in, 6000, 8, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	pid_t pid = cap_spawn((const char *[]){ "-r", raw, "-w", out, "-C", "0.1", "-W", "2", "-z",
						script, NULL },
			      -1, errf);
	for (int waited = 0;; waited += 20) {
		cr_assert_lt(waited, 60000, "neither waiting nor reusing after 60 s");
		if (waitpid(pid, &st, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		if (ring_is_waiting(errf) || lines_in(started) > 2)
			break;
		cap_sleep_ms(20);
	}
	open_gate();
	int rc = exited ? (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)) : cap_wait(pid);
	cr_expect_eq(rc, 0, "exit %d", rc);

	uint32_t nfiles = files_of_ring_of_2(out);
	cr_assert_geq(nfiles, 6, "the ring went round several times (%u files)", nfiles);
	size_t copies = expect_each_file_shipped_once(nfiles, &in);
	cr_expect_eq(copies, nfiles, "%zu copies shipped of %u files", copies, nfiles);
	cr_expect_eq(lines_in(done), nfiles);
	char *msg = cap_slurp(errf), want[128];
	snprintf(want, sizeof(want), "-z ran on %u files: %u ok, 0 failed, 0 still running", nfiles,
		 nfiles);
	cr_expect(strstr(msg, want), "statistics say %s: %s", want, msg);
	free(msg);
	aat_recs_free(&in);
	free(raw);
	free(out);
	free(errf);
	free(started);
	free(done);
	free(script);
}

/*
 * Ctrl-C at a terminal signals the whole foreground process group: the -z
 * commands in flight are in groups of their own, so they all finish, and
 * aa-capture waits for them before it exits 0.
 */
Test(capture_rotate, sigint_to_the_job_lets_post_commands_finish)
{
	struct aat_recs in = { 0 };
	char *out = aat_path(dir, "job.pcapng"), *errf = aat_path(dir, "err.txt");
	char *started = aat_path(dir, "started"), *done = aat_path(dir, "done");
	char *script = make_shipper();
	char names[64][512];
	int p[2];

	cap_mix(&in, 3000, 14, NULL);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn_job((const char *[]){ "-q", "-r", "-", "-w", out, "-C", "0.05", "-z",
						    script, NULL },
				  p[0], errf, 1);
	close(p[0]);
	cap_write_raw(p[1], &in, 0, in.n);
	for (int waited = 0; lines_in(started) < 2; waited += 20) {
		cr_assert_lt(waited, 60000, "two -z commands did not start within 60 s");
		cap_sleep_ms(20);
	}
	cr_assert_eq(kill(-pid, SIGINT), 0, "SIGINT to the job's process group");
	open_gate();
	close(p[1]);
	cr_expect_eq(cap_wait(pid), 0);

	size_t n = numbered_names("job.pcapng", names, 64);
	cr_expect_geq(lines_in(started), 2);
	cr_expect_eq(lines_in(done), lines_in(started), "every -z command finished");
	cr_expect_eq(lines_in(done), n, "one per file");
	cr_expect_eq(expect_each_file_shipped_once((uint32_t)n, NULL), n);
	aat_recs_free(&in);
	free(out);
	free(errf);
	free(started);
	free(done);
	free(script);
}

/* A -z that cannot run (no shell: "gzip -9" is one program name) is refused
 * before anything is captured: one line, the usage line, exit 2, no file. */
Test(capture_rotate, post_command_that_cannot_run_is_refused_at_start)
{
	char *raw = aat_path(dir, "in.raw"), *out = aat_path(dir, "z.pcapng");
	char *errf = aat_path(dir, "err.txt");
	const char *bad[] = { "gzip -9", dir, "/nonexistent/ship", "" };
	struct aat_recs in = { 0 };

	cap_mix(&in, 50, 3, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = cap_run(NULL, errf, (const char *[]){ "-r", raw, "-w", out, "-C", "1", "-z",
							       bad[i], NULL });
		cr_expect_eq(rc, 2, "-z '%s': exit %d", bad[i], rc);
		char *msg = cap_slurp(errf);
		cr_expect_eq(lines_in(errf), 2, "one line and the usage line: %s", msg);
		cr_expect(strncmp(msg, "aa-capture: -z ", 15) == 0, "%s", msg);
		cr_expect(strstr(msg, "\nusage: aa-capture"), "%s", msg);
		free(msg);
		cr_expect_eq(access(out, F_OK), -1, "-z '%s': nothing captured", bad[i]);
	}
	cr_assert_eq(cap_run(NULL, errf, (const char *[]){ "-r", raw, "-w", out, "-z", "gzip -9",
							   NULL }), 2);
	char *msg = cap_slurp(errf);
	cr_expect(strstr(msg, "no shell"), "the message says why 'gzip -9' is not found: %s", msg);
	free(msg);
	aat_recs_free(&in);
	free(raw);
	free(out);
	free(errf);
}

/* A -z command that fails on one file: counted in the statistics, and the
 * capture exits 5 (every file written, one not handled). */
Test(capture_rotate, post_command_failing_at_run_time_exits_5_and_is_counted)
{
	struct aat_recs in = { 0 };
	char *raw = aat_path(dir, "in.raw"), *out = aat_path(dir, "f.pcapng");
	char *errf = aat_path(dir, "err.txt"), *script = aat_path(dir, "fail1.sh");
	const char body[] = "#!/bin/sh\ncase \"$1\" in *1) exit 3;; esac\nexit 0\n";
	char names[64][512], want[700];

	cap_mix(&in, 3000, 2, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	write_script(script, body);
	int rc = cap_run(NULL, errf, (const char *[]){ "-r", raw, "-w", out, "-C", "0.3", "-z",
						       script, NULL });
	cr_expect_eq(rc, 5, "exit %d", rc);
	size_t n = numbered_names("f.pcapng", names, 64);
	cr_assert_geq(n, 2);
	char *msg = cap_slurp(errf);
	snprintf(want, sizeof(want), "-z command on %s (pid", names[1]);
	cr_expect(strstr(msg, want) && strstr(msg, "exited with status 3"), "%s", msg);
	snprintf(want, sizeof(want), "-z ran on %zu files: %zu ok, 1 failed, 0 still running", n,
		 n - 1);
	cr_expect(strstr(msg, want), "statistics say %s: %s", want, msg);
	free(msg);
	/* The same with a command that succeeds: exit 0. */
	cr_expect_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", raw, "-w", out, "-C", "0.3",
							   "-z", "true", NULL }), 0);
	aat_recs_free(&in);
	free(raw);
	free(out);
	free(errf);
	free(script);
}

/*
 * A SIGINT that comes while the input still has records is the one that
 * stops the capture, even when the input ends before aa-capture has looked
 * at its signals (the rest of a batch of 4096 records is drained first): it
 * must not count as the second one that gives up waiting for -z. Here it
 * comes while the ring waits for the shipper; the input, 3000 records from
 * a file, ends in that same batch.
 */
Test(capture_rotate, sigint_before_the_input_ends_still_waits_for_post_commands)
{
	struct aat_recs in = { 0 };
	char *raw = aat_path(dir, "in.raw"), *out = aat_path(dir, "ring");
	char *errf = aat_path(dir, "err.txt"), *done = aat_path(dir, "done");
	char *script = make_shipper();

	cap_mix(&in, 3000, 15, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	pid_t pid = cap_spawn_job((const char *[]){ "-r", raw, "-w", out, "-C", "0.05", "-W", "2",
						    "-z", script, NULL },
				  -1, errf, 1);
	for (int waited = 0;; waited += 20) {
		cr_assert_lt(waited, 60000, "the ring did not wait for -z within 60 s");
		if (ring_is_waiting(errf))
			break;
		cap_sleep_ms(20);
	}
	cr_assert_eq(kill(-pid, SIGINT), 0);
	open_gate();
	cr_expect_eq(cap_wait(pid), 0);
	char *msg = cap_slurp(errf);
	cr_expect_null(strstr(msg, "not waiting"), "%s", msg);
	cr_expect(strstr(msg, "0 failed, 0 still running"), "%s", msg);
	free(msg);

	uint32_t nfiles = files_of_ring_of_2(out);
	cr_assert_geq(nfiles, 4, "%u files", nfiles);
	cr_expect_eq(expect_each_file_shipped_once(nfiles, &in), nfiles);
	cr_expect_eq(lines_in(done), nfiles);
	aat_recs_free(&in);
	free(raw);
	free(out);
	free(errf);
	free(done);
	free(script);
}

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
