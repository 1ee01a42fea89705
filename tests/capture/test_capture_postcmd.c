/* SPDX-License-Identifier: MIT */
/*
 * aa-capture's -z commands under stress: each finished file shipped once
 * even when the -W ring comes round faster than the command (the ring
 * waits), out of reach of the job's Ctrl-C (a process group of their own),
 * a command that cannot run refused at start, failures counted and exit 5.
 */
#include <dirent.h>

#include "cap_test.h"

TestSuite(capture_postcmd, .init = cap_setup, .fini = cap_teardown, .timeout = 120);

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
	cap_write_script(script, body);
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
	struct cap_file_info *by_seq = calloc(nfiles, sizeof(*by_seq));
	struct aat_recs all = { 0 };
	struct dirent *e;
	size_t copies = 0;
	DIR *d = opendir(ship);

	cr_assert(d && by_seq);
	while ((e = readdir(d))) {
		char path[1024];
		struct cap_file_info fi;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", ship, e->d_name);
		cap_read_one(path, &fi);
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
		struct cap_file_info fi;
		snprintf(path, sizeof(path), "%s%d", out, i);
		cap_read_one(path, &fi);
		if (fi.file_seq + 1 > nfiles)
			nfiles = fi.file_seq + 1;
		aat_recs_free(&fi.recs);
	}
	return nfiles;
}

/* The files of one test, in dir: its input, its output (or the ring's
 * names), aa-capture's stderr, the shipper's notes and its -z command. */
struct job {
	struct aat_recs in;
	char *raw, *out, *errf, *started, *done, *script;
};

/* in.raw, out_name, err.txt, started, done, and make_shipper()'s script
 * when shipper (else none yet). */
static void job_make(struct job *j, const char *out_name, int shipper)
{
	*j = (struct job){ .raw = aat_path(dir, "in.raw"), .out = aat_path(dir, out_name),
			   .errf = aat_path(dir, "err.txt"), .started = aat_path(dir, "started"),
			   .done = aat_path(dir, "done"), .script = shipper ? make_shipper() : NULL };
}

static void job_free(struct job *j)
{
	char *paths[] = { j->raw, j->out, j->errf, j->started, j->done, j->script };

	aat_recs_free(&j->in);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		free(paths[i]);
}

/*
 * -W 2 -z with a -z slower than the files come: a ring name is reused only
 * after the command on its previous file has exited, so every finished file
 * is shipped once, with its own content. The shipper holds at the gate
 * until aa-capture is seen waiting for it, or (the fault) has started more
 * commands than the ring has names.
 */
Test(capture_postcmd, ring_waits_for_post_command_so_every_file_ships_once)
{
	struct job j;
	int st = 0, exited = 0;

	job_make(&j, "ring", 1);

	cap_mix(&j.in, 6000, 8, NULL);
	cr_assert_eq(aat_recs_write_raw(&j.in, j.raw), 0);
	pid_t pid = cap_spawn((const char *[]){ "-r", j.raw, "-w", j.out, "-C", "0.1", "-W", "2", "-z",
						j.script, NULL },
			      -1, j.errf);
	for (int waited = 0;; waited += 20) {
		cr_assert_lt(waited, 60000, "neither waiting nor reusing after 60 s");
		if (waitpid(pid, &st, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		if (ring_is_waiting(j.errf) || lines_in(j.started) > 2)
			break;
		cap_sleep_ms(20);
	}
	open_gate();
	int rc = exited ? (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)) : cap_wait(pid);
	cr_expect_eq(rc, 0, "exit %d", rc);

	uint32_t nfiles = files_of_ring_of_2(j.out);
	cr_assert_geq(nfiles, 6, "the ring went round several times (%u files)", nfiles);
	size_t copies = expect_each_file_shipped_once(nfiles, &j.in);
	cr_expect_eq(copies, nfiles, "%zu copies shipped of %u files", copies, nfiles);
	cr_expect_eq(lines_in(j.done), nfiles);
	char *msg = cap_slurp(j.errf), want[128];
	snprintf(want, sizeof(want), "-z ran on %u files: %u ok, 0 failed, 0 still running", nfiles,
		 nfiles);
	cr_expect(strstr(msg, want), "statistics say %s: %s", want, msg);
	free(msg);
	job_free(&j);
}

/*
 * Ctrl-C at a terminal signals the whole foreground process group: the -z
 * commands in flight are in groups of their own, so they all finish, and
 * aa-capture waits for them before it exits 0.
 */
Test(capture_postcmd, sigint_to_the_job_lets_post_commands_finish)
{
	struct job j;
	char names[64][512];
	int p[2];

	job_make(&j, "job.pcapng", 1);
	cap_mix(&j.in, 3000, 14, NULL);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn_job((const char *[]){ "-q", "-r", "-", "-w", j.out, "-C", "0.05", "-z",
						    j.script, NULL },
				  p[0], j.errf, 1);
	close(p[0]);
	cap_write_raw(p[1], &j.in, 0, j.in.n);
	for (int waited = 0; lines_in(j.started) < 2; waited += 20) {
		cr_assert_lt(waited, 60000, "two -z commands did not start within 60 s");
		cap_sleep_ms(20);
	}
	cr_assert_eq(kill(-pid, SIGINT), 0, "SIGINT to the job's process group");
	open_gate();
	close(p[1]);
	cr_expect_eq(cap_wait(pid), 0);

	size_t n = cap_numbered_names("job.pcapng", names, 64);
	cr_expect_geq(lines_in(j.started), 2);
	cr_expect_eq(lines_in(j.done), lines_in(j.started), "every -z command finished");
	cr_expect_eq(lines_in(j.done), n, "one per file");
	cr_expect_eq(expect_each_file_shipped_once((uint32_t)n, NULL), n);
	job_free(&j);
}

/* A -z that cannot run (no shell: "gzip -9" is one program name) is refused
 * before anything is captured: one line, the usage line, exit 2, no file. */
Test(capture_postcmd, post_command_that_cannot_run_is_refused_at_start)
{
	const char *bad[] = { "gzip -9", dir, "/nonexistent/ship", "" };
	struct job j;

	job_make(&j, "z.pcapng", 0);
	cap_mix(&j.in, 50, 3, NULL);
	cr_assert_eq(aat_recs_write_raw(&j.in, j.raw), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = cap_run(NULL, j.errf, (const char *[]){ "-r", j.raw, "-w", j.out, "-C", "1", "-z",
							       bad[i], NULL });
		cr_expect_eq(rc, 2, "-z '%s': exit %d", bad[i], rc);
		char *msg = cap_slurp(j.errf);
		cr_expect_eq(lines_in(j.errf), 2, "one line and the usage line: %s", msg);
		cr_expect(strncmp(msg, "aa-capture: -z ", 15) == 0, "%s", msg);
		cr_expect(strstr(msg, "\nusage: aa-capture"), "%s", msg);
		free(msg);
		cr_expect_eq(access(j.out, F_OK), -1, "-z '%s': nothing captured", bad[i]);
	}
	cr_assert_eq(cap_run(NULL, j.errf, (const char *[]){ "-r", j.raw, "-w", j.out, "-z", "gzip -9",
							   NULL }), 2);
	char *msg = cap_slurp(j.errf);
	cr_expect(strstr(msg, "no shell"), "the message says why 'gzip -9' is not found: %s", msg);
	free(msg);
	job_free(&j);
}

/* A -z command that fails on one file: counted in the statistics, and the
 * capture exits 5 (every file written, one not handled). */
Test(capture_postcmd, post_command_failing_at_run_time_exits_5_and_is_counted)
{
	const char body[] = "#!/bin/sh\ncase \"$1\" in *1) exit 3;; esac\nexit 0\n";
	char names[64][512], want[700];
	struct job j;

	job_make(&j, "f.pcapng", 0);
	j.script = aat_path(dir, "fail1.sh");
	cap_mix(&j.in, 3000, 2, NULL);
	cr_assert_eq(aat_recs_write_raw(&j.in, j.raw), 0);
	cap_write_script(j.script, body);
	int rc = cap_run(NULL, j.errf, (const char *[]){ "-r", j.raw, "-w", j.out, "-C", "0.3", "-z",
						       j.script, NULL });
	cr_expect_eq(rc, 5, "exit %d", rc);
	size_t n = cap_numbered_names("f.pcapng", names, 64);
	cr_assert_geq(n, 2);
	char *msg = cap_slurp(j.errf);
	snprintf(want, sizeof(want), "-z command on %s (pid", names[1]);
	cr_expect(strstr(msg, want) && strstr(msg, "exited with status 3"), "%s", msg);
	snprintf(want, sizeof(want), "-z ran on %zu files: %zu ok, 1 failed, 0 still running", n,
		 n - 1);
	cr_expect(strstr(msg, want), "statistics say %s: %s", want, msg);
	free(msg);
	/* The same with a command that succeeds: exit 0. */
	cr_expect_eq(cap_run(NULL, NULL, (const char *[]){ "-q", "-r", j.raw, "-w", j.out, "-C", "0.3",
							   "-z", "true", NULL }), 0);
	job_free(&j);
}

/*
 * A SIGINT that comes while the input still has records is the one that
 * stops the capture, even when the input ends before aa-capture has looked
 * at its signals (the rest of a batch of 4096 records is drained first): it
 * must not count as the second one that gives up waiting for -z. Here it
 * comes while the ring waits for the shipper; the input, 3000 records from
 * a file, ends in that same batch.
 */
Test(capture_postcmd, sigint_before_the_input_ends_still_waits_for_post_commands)
{
	struct job j;

	job_make(&j, "ring", 1);
	cap_mix(&j.in, 3000, 15, NULL);
	cr_assert_eq(aat_recs_write_raw(&j.in, j.raw), 0);
	pid_t pid = cap_spawn_job((const char *[]){ "-r", j.raw, "-w", j.out, "-C", "0.05", "-W", "2",
						    "-z", j.script, NULL },
				  -1, j.errf, 1);
	for (int waited = 0;; waited += 20) {
		cr_assert_lt(waited, 60000, "the ring did not wait for -z within 60 s");
		if (ring_is_waiting(j.errf))
			break;
		cap_sleep_ms(20);
	}
	cr_assert_eq(kill(-pid, SIGINT), 0);
	open_gate();
	cr_expect_eq(cap_wait(pid), 0);
	char *msg = cap_slurp(j.errf);
	cr_expect_null(strstr(msg, "not waiting"), "%s", msg);
	cr_expect(strstr(msg, "0 failed, 0 still running"), "%s", msg);
	free(msg);

	uint32_t nfiles = files_of_ring_of_2(j.out);
	cr_assert_geq(nfiles, 4, "%u files", nfiles);
	cr_expect_eq(expect_each_file_shipped_once(nfiles, &j.in), nfiles);
	cr_expect_eq(lines_in(j.done), nfiles);
	job_free(&j);
}
