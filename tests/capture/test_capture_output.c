/* SPDX-License-Identifier: MIT */
/*
 * aa-capture's output files and command line: mode 0600 whatever the umask,
 * no writing through symbolic links, no clobbering what is not ours, a file
 * of ours replaced whole, and every wrong flag an exit 2 with the usage line.
 */
#include <pwd.h>

#include "cap_test.h"

static char *raw;
static struct aat_recs in;

static void setup(void)
{
	cap_setup();
	raw = aat_path(dir, "in.raw");
	cap_mix(&in, 500, 77, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
}

static void teardown(void)
{
	aat_recs_free(&in);
	free(raw);
	cap_teardown();
}

TestSuite(capture_output, .init = setup, .fini = teardown, .timeout = 60);

/* Runs aa-capture -q -r in.raw -w out; the exit status, stderr in *msg (free it). */
static int capture_to(const char *out, char **msg)
{
	char *errf = aat_path(dir, "err.txt");
	int rc = cap_run(NULL, errf, (const char *[]){ "-q", "-r", raw, "-w", out, NULL });

	*msg = cap_slurp(errf);
	free(errf);
	return rc;
}

static void expect_reads_back(const char *path)
{
	struct aat_recs out = { 0 };

	cr_expect_eq(aat_read_capture(path, NULL, &out, NULL, NULL), 0, "%s reads", path);
	cr_expect_eq(aat_recs_diff(&out, &in), -1, "%s holds the records", path);
	aat_recs_free(&out);
}

Test(capture_output, mode_0600_even_with_umask_000)
{
	char *bin = cap_bin(), *out = aat_path(dir, "o.pcapng");
	char cmd[2048];
	struct stat st;

	snprintf(cmd, sizeof(cmd), "umask 000 && '%s' -q -r '%s' -w '%s'", bin, raw, out);
	cr_assert_eq(aat_run(cmd, NULL, 0), 0);
	cr_assert_eq(stat(out, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	expect_reads_back(out);
	free(bin);
	free(out);
}

Test(capture_output, refuses_a_symlink_and_writes_nothing_through_it)
{
	char *target = aat_path(dir, "target"), *link = aat_path(dir, "link.pcapng");
	char *dangling = aat_path(dir, "dangling.pcapng"), *msg;
	struct stat st;

	cr_assert_eq(aat_write_file(target, "precious", 8), 0);
	cr_assert_eq(symlink(target, link), 0);
	cr_expect_eq(capture_to(link, &msg), 3);
	cr_expect(strstr(msg, "link.pcapng") && strstr(msg, "symbolic link"), "message: %s", msg);
	free(msg);
	char *kept = cap_slurp(target);
	cr_expect_str_eq(kept, "precious", "the link's target is untouched");
	free(kept);
	cr_expect_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link is still a link");

	/* A link to nowhere: O_CREAT would create its target. */
	char *nowhere = aat_path(dir, "nowhere");
	cr_assert_eq(symlink(nowhere, dangling), 0);
	cr_expect_eq(capture_to(dangling, &msg), 3);
	cr_expect_eq(access(nowhere, F_OK), -1, "nothing created at the link's target");
	free(msg);
	free(nowhere);
	free(target);
	free(link);
	free(dangling);
}

Test(capture_output, refuses_what_is_not_a_regular_file)
{
	char *sub = aat_path(dir, "sub.pcapng"), *fifo = aat_path(dir, "fifo.pcapng"), *msg;

	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_expect_eq(capture_to(sub, &msg), 3);
	cr_expect(strstr(msg, "not a regular file"), "message: %s", msg);
	free(msg);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_expect_eq(capture_to(fifo, &msg), 3, "a fifo is refused, not opened (which would block)");
	free(msg);
	free(sub);
	free(fifo);
}

Test(capture_output, replaces_a_file_of_ours_whole)
{
	char *out = aat_path(dir, "old.pcapng"), *msg;
	struct stat st;
	uint8_t junk[100000];

	memset(junk, 'j', sizeof(junk)); /* longer than the capture: no tail may remain */
	cr_assert_eq(aat_write_file(out, junk, sizeof(junk)), 0);
	cr_assert_eq(chmod(out, 0644), 0);
	cr_expect_eq(capture_to(out, &msg), 0, "message: %s", msg);
	free(msg);
	cr_assert_eq(stat(out, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);
	expect_reads_back(out);

	/* No temporary file is left beside it. */
	char cmd[1024], count[32];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^\\.old'", dir);
	aat_run(cmd, count, sizeof(count));
	cr_expect_eq(atoi(count), 0, "temporary files left: %s", count);
	free(out);
}

Test(capture_output, never_clobbers_another_users_file)
{
	struct passwd *nobody = getpwnam("nobody");
	char *out = aat_path(dir, "theirs.pcapng"), *msg;

	if (geteuid() != 0 || !nobody)
		cr_skip_test("needs root (to make a file owned by nobody)");
	cr_assert_eq(aat_write_file(out, "theirs", 6), 0);
	cr_assert_eq(chown(out, nobody->pw_uid, nobody->pw_gid), 0);
	cr_expect_eq(capture_to(out, &msg), 3);
	cr_expect(strstr(msg, "belongs to uid"), "message: %s", msg);
	free(msg);
	char *kept = cap_slurp(out);
	cr_expect_str_eq(kept, "theirs");
	free(kept);
	free(out);
}

Test(capture_output, default_name_is_a_time_stamp)
{
	char cmd[2048], name[256];
	char *bin = cap_bin();

	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' -q -r in.raw && ls aa-*.pcapng", dir, bin);
	cr_assert_eq(aat_run(cmd, name, sizeof(name)), 0);
	/* aa-YYYYmmdd-HHMMSS.pcapng */
	cr_expect_eq(strlen(name), strlen("aa-20261125-213001.pcapng\n"), "name: %s", name);
	name[strcspn(name, "\n")] = 0;
	char *path = aat_path(dir, name);
	expect_reads_back(path);
	free(path);
	free(bin);
}

Test(capture_output, wrong_flags_exit_2_with_the_usage_line)
{
	static const char *const cases[][6] = {
		{ "-x" },
		{ "-c", "0" },
		{ "-c" },
		{ "-c", "12abc" },
		{ "--level", "99" },
		{ "--flush-ms", "0" },
		{ "-W", "3" },
		{ "-C", "-1" },
		{ "-G", "0" },
		{ "--json" },
		{ "--events", "tls,bogus" },
		{ "--ring-size", "1000" },
		{ "--pid", "abc" },
		{ "-Z", "no-such-user-here" },
		{ "-r", "in.raw", "--comm", "curl" },
		{ "-w", "-", "--print" },
		{ "-w", "-", "-C", "1" },
		{ "stray-argument" },
	};
	char *errf = aat_path(dir, "err.txt");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cap_run(NULL, errf, (const char *const *)cases[i]);
		char *msg = cap_slurp(errf);
		cr_expect_eq(rc, 2, "%s %s: exit %d", cases[i][0], cases[i][1] ? cases[i][1] : "", rc);
		cr_expect(strstr(msg, "usage: aa-capture"), "%s: usage line in: %s", cases[i][0], msg);
		cr_expect(strncmp(msg, "aa-capture: ", 12) == 0, "%s: one line naming the program: %s",
			  cases[i][0], msg);
		free(msg);
	}
	free(errf);
}

/* --argv-max: 1 byte up to 16 MiB, anything else refused in one line. */
Test(capture_output, argv_max_out_of_range_is_a_usage_error)
{
	static const char *const cases[][2] = {
		{ "0", "--argv-max 0: not a number of bytes from 1 to 16777216" },
		{ "16777217", "--argv-max 16777217: not a number of bytes from 1 to 16777216" },
		{ "128k", "--argv-max 128k: not a number of bytes from 1 to 16777216" },
		{ "-5", "--argv-max -5: not a number of bytes from 1 to 16777216" },
	};
	char *errf = aat_path(dir, "err.txt");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cap_run(NULL, errf, (const char *[]){ "--argv-max", cases[i][0], NULL });
		char *msg = cap_slurp(errf);

		cr_expect_eq(rc, 2, "--argv-max %s: exit %d", cases[i][0], rc);
		cr_expect(strncmp(msg, "aa-capture: ", 12) == 0 && strstr(msg, cases[i][1]), "%s", msg);
		free(msg);
	}
	/* A live-only setting: not with -r. */
	int rc = cap_run(NULL, errf, (const char *[]){ "-r", "in.raw", "--argv-max", "4096", NULL });
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 2);
	cr_expect(strstr(msg, "--argv-max applies to live capture"), "%s", msg);
	free(msg);
	free(errf);
}

Test(capture_output, help_lists_the_exit_codes)
{
	char cmd[1024], out[16384];
	char *bin = cap_bin();

	snprintf(cmd, sizeof(cmd), "'%s' --help", bin);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0);
	cr_expect(strstr(out, "Exit status") && strstr(out, "4 missing privilege"), "%s", out);
	snprintf(cmd, sizeof(cmd), "'%s' --version", bin);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0);
	cr_expect(strncmp(out, "aa-capture ", 11) == 0, "%s", out);
	free(bin);
}

Test(capture_output, input_that_cannot_be_opened_exits_2)
{
	char *msg, *errf = aat_path(dir, "err.txt"), *out = aat_path(dir, "x.pcapng");

	int rc = cap_run(NULL, errf, (const char *[]){ "-r", "/nonexistent/raw", "-w", out, NULL });
	msg = cap_slurp(errf);
	cr_expect_eq(rc, 2);
	cr_expect(strstr(msg, "/nonexistent/raw: cannot open: No such file or directory"), "message: %s", msg);
	cr_expect_eq(access(out, F_OK), -1, "no output file made");
	free(msg);
	free(errf);
	free(out);
}

/* The status line needs a terminal: script(1) gives aa-capture one. */
Test(capture_output, status_line_only_on_a_terminal_and_not_with_q)
{
	char *bin = cap_bin(), *out = aat_path(dir, "s.pcapng"), *errf = aat_path(dir, "err.txt");
	char cmd[2048], text[16384];

	if (aat_run("command -v script > /dev/null", NULL, 0) != 0)
		cr_skip_test("no script(1) (util-linux) to make a terminal");
	snprintf(cmd, sizeof(cmd),
		 "script -qec \"sleep 2.6 | '%s' -r - -w '%s' --duration 2.3\" /dev/null", bin, out);
	cr_assert_eq(aat_run(cmd, text, sizeof(text)), 0);
	cr_expect(strstr(text, "\rtls 0/s  file 0/s  exec 0/s  exit 0/s  | 0.0 MB written  ratio"),
		  "a status line, redrawn in place: %s", text);
	cr_expect(strstr(text, "drops 0"), "%s", text);
	cr_expect(strstr(text, "aa-capture: 0 records written"), "statistics at exit: %s", text);

	snprintf(cmd, sizeof(cmd),
		 "script -qec \"sleep 1.5 | '%s' -q -r - -w '%s' --duration 1.2\" /dev/null", bin, out);
	cr_assert_eq(aat_run(cmd, text, sizeof(text)), 0);
	cr_expect_eq(strlen(text), 0, "-q: nothing at all: %s", text);

	/* Not a terminal: statistics at exit, but no status line. */
	cr_assert_eq(cap_run(raw, errf, (const char *[]){ "-r", "-", "-w", out, NULL }), 0);
	char *msg = cap_slurp(errf);
	cr_expect(!strchr(msg, '\r'), "%s", msg);
	cr_expect(strstr(msg, "aa-capture: 500 records written"), "%s", msg);
	free(msg);
	free(bin);
	free(out);
	free(errf);
}

/* Live capture without privilege: one line saying what is missing, exit 4,
 * no file. As root, the program runs as nobody through setpriv(1). */
Test(capture_output, live_without_privilege_exits_4)
{
	char *bin = cap_bin(), *out = aat_path(dir, "live.pcapng"), *errf = aat_path(dir, "err.txt");
	char cmd[2048];

	if (geteuid() == 0 && aat_run("command -v setpriv > /dev/null", NULL, 0) != 0)
		cr_skip_test("root, and no setpriv(1) to run as nobody");
	cr_assert_eq(chmod(dir, 0777), 0);
	snprintf(cmd, sizeof(cmd), "%s'%s' -w '%s' --duration 1 2> '%s'",
		 geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "", bin, out,
		 errf);
	cr_expect_eq(aat_run(cmd, NULL, 0), 4);
	char *msg = cap_slurp(errf);
	cr_expect(strstr(msg, "aa-capture: ") == msg && strstr(msg, "root"), "message: %s", msg);
	cr_expect_eq(access(out, F_OK), -1, "no file made");
	free(msg);
	free(bin);
	free(out);
	free(errf);
}

/* The output's directory deleted under a running capture: everything is
 * gone with it, so it must end in exit 3 and one line saying so, never in
 * "N bytes written" and exit 0. */
Test(capture_output, deleted_directory_exits_3)
{
	char *sub = aat_path(dir, "sub"), *out = aat_path(sub, "x.pcapng");
	char *errf = aat_path(dir, "err.txt"), cmd[1024];
	struct aat_recs got = { 0 };
	int p[2];

	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", out, "--flush-ms", "50", NULL },
			      p[0], errf);
	close(p[0]);
	cap_write_raw(p[1], &in, 0, 100);
	cap_wait_records(out, 100, 10000, &got); /* a first chunk is in the file */
	cr_expect_eq(got.n, 100);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", sub);
	cr_assert_eq(aat_run(cmd, NULL, 0), 0);
	close(p[1]); /* the input ends: the file is closed, and found gone */

	cr_expect_eq(cap_wait(pid), 3);
	char *msg = cap_slurp(errf);
	cr_expect(strstr(msg, "x.pcapng: the file was deleted") && strstr(msg, "records are lost"),
		  "message: %s", msg);
	cr_expect_eq(strchr(msg, '\n') - msg + 1, (long)strlen(msg), "one line: %s", msg);
	free(msg);
	aat_recs_free(&got);
	free(sub);
	free(out);
	free(errf);
}
