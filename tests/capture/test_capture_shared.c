/* SPDX-License-Identifier: MIT */
/*
 * aa-capture beside other users and other captures: a directory where
 * anyone may replace files is refused before anything is written, a sticky
 * one (like /tmp) gets a warning, and a second aa-capture with the same -w
 * pattern, rotated names included, is refused while the first one runs.
 */
#include <dirent.h>

#include "cap_test.h"

static char *raw;
static struct aat_recs in;

static void setup(void)
{
	cap_setup();
	raw = aat_path(dir, "in.raw");
	cap_mix(&in, 300, 13, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
}

static void teardown(void)
{
	aat_recs_free(&in);
	free(raw);
	cap_teardown();
}

TestSuite(capture_shared, .init = setup, .fini = teardown, .timeout = 60);

/* Entries of path, dot files included. */
static size_t entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d, "%s: %s", path, strerror(errno));
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* A directory dir/name with exactly this mode (the umask may not take bits). */
static char *make_dir(const char *name, mode_t mode)
{
	char *path = aat_path(dir, name);

	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

static void expect_one_line(const char *msg)
{
	cr_expect(*msg && strchr(msg, '\n') - msg + 1 == (long)strlen(msg), "one line: %s", msg);
}

Test(capture_shared, world_writable_directory_without_sticky_bit_is_refused)
{
	char *pub = make_dir("pub", 0777), *out = aat_path(pub, "x.pcapng");
	char *errf = aat_path(dir, "err.txt");

	int rc = cap_run(NULL, errf, (const char *[]){ "-q", "-r", raw, "-w", out, NULL });
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 3, "exit %d: %s", rc, msg);
	cr_expect(strstr(msg, "pub: any user may replace files in this directory") &&
		  strstr(msg, "directory owned by the capture user"), "why and what to do: %s", msg);
	expect_one_line(msg);
	cr_expect_eq(entries(pub), 0, "nothing written there, not even a lock file");
	free(msg);
	free(pub);
	free(out);
	free(errf);
}

Test(capture_shared, sticky_world_writable_directory_warns_and_works)
{
	char *tmp = make_dir("tmp", 01777), *out = aat_path(tmp, "x.pcapng");
	char *errf = aat_path(dir, "err.txt");
	struct aat_recs got = { 0 };

	int rc = cap_run(NULL, errf, (const char *[]){ "-q", "-r", raw, "-w", out, NULL });
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 0, "exit %d: %s", rc, msg);
	cr_expect(strncmp(msg, "aa-capture: warning: ", 21) == 0 && strstr(msg, "tmp: any user may"),
		  "a warning: %s", msg);
	expect_one_line(msg);
	cr_expect_eq(aat_read_capture(out, NULL, &got, NULL, NULL), 0);
	cr_expect_eq(aat_recs_diff(&got, &in), -1, "every record written");
	cr_expect_eq(entries(tmp), 1, "the file alone: the lock is gone with its capture");
	free(msg);
	aat_recs_free(&got);
	free(tmp);
	free(out);
	free(errf);
}

/* A second aa-capture -r, args after "-w PATTERN": exit status, stderr in *msg. */
static int second_capture(const char *pattern, const char *const *more, char **msg)
{
	const char *args[16] = { "-q", "-r", raw, "-w", pattern };
	size_t n = 5;
	char *errf = aat_path(dir, "err2.txt");

	while (*more && n < 15)
		args[n++] = *more++;
	args[n] = NULL;
	int rc = cap_run(NULL, errf, args);
	*msg = cap_slurp(errf);
	free(errf);
	return rc;
}

Test(capture_shared, second_capture_with_the_same_pattern_is_refused)
{
	char *out = aat_path(dir, "ring.pcapng"), *file0 = aat_path(dir, "ring.pcapng0");
	char *file1 = aat_path(dir, "ring.pcapng1"), *errf = aat_path(dir, "err.txt"), *msg;
	char pid_text[32];
	struct aat_recs got = { 0 };
	int p[2];

	/* The first one rotates through ring.pcapng0 and 1 (-C 10 kB, -W 2) from a pipe kept open. */
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", out, "-C", "0.01", "-W", "2",
						"--flush-ms", "20", NULL },
			      p[0], errf);
	close(p[0]);
	for (size_t i = 0; i < in.n && access(file1, F_OK) != 0; i += 10) {
		cap_write_raw(p[1], &in, i, i + 10);
		cap_sleep_ms(50);
	}
	for (int waited = 0; access(file1, F_OK) != 0; waited += 20) {
		cr_assert_lt(waited, 10000, "no second file after every record and 10 s");
		cap_sleep_ms(20);
	}
	struct stat before, after;
	cr_assert_eq(stat(file0, &before), 0);

	/* Same pattern and rotation: its first name (ring.pcapng0) is not open in the
	 * first capture any more, so only the pattern's lock can stop it. */
	int rc = second_capture(out, (const char *[]){ "-C", "0.01", "-W", "2", NULL }, &msg);
	snprintf(pid_text, sizeof(pid_text), "(pid %d)", (int)pid);
	cr_expect_eq(rc, 3, "exit %d: %s", rc, msg);
	cr_expect(strstr(msg, "another aa-capture") && strstr(msg, pid_text) &&
		  strstr(msg, "not starting a second one"), "message: %s", msg);
	expect_one_line(msg);
	free(msg);
	/* The same pattern without rotation is the same files: refused too. */
	cr_expect_eq(second_capture(out, (const char *[]){ NULL }, &msg), 3, "%s", msg);
	free(msg);
	cr_assert_eq(stat(file0, &after), 0);
	cr_expect(before.st_ino == after.st_ino && before.st_size == after.st_size,
		  "the first capture's file is untouched");
	cr_expect_eq(access(out, F_OK), -1, "no file of the second one");

	close(p[1]);
	cr_expect_eq(cap_wait(pid), 0);
	char *first = cap_slurp(errf);
	cr_expect_str_eq(first, "", "the first capture saw nothing wrong");
	free(first);
	cr_expect_eq(aat_read_capture(file1, NULL, &got, NULL, NULL), 0);

	/* Once the first has ended, the pattern is free again. */
	cr_expect_eq(second_capture(out, (const char *[]){ NULL }, &msg), 0, "%s", msg);
	free(msg);
	cr_expect_eq(entries(dir), 6, "in.raw, err.txt, err2.txt and three captures: no lock left");
	aat_recs_free(&got);
	free(out);
	free(file0);
	free(file1);
	free(errf);
}
