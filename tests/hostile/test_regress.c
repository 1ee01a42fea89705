/* SPDX-License-Identifier: MIT */
/*
 * Every input the fuzzers ever broke something with, kept in
 * tests/fuzz/regress/<target>/, replayed through the very entry point that
 * found it (tests/fuzz/entries.h), each in a child process: a crash, an
 * abort on a broken invariant or a sanitizer report (with make SAN=1) fails.
 * An input of a bug whose fix has not landed yet is listed below and skips
 * with the bug's name while it still fails; once fixed it simply passes.
 * A target's directory without a single input fails: it checked nothing.
 * AA_REGRESS_DIR names another tree than tests/fuzz/regress.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../fuzz/entries.h"
#include "files.h"

/* Found, reported with a fix, not yet fixed in the library. */
static const struct {
	const char *input; /* <target>/<name> */
	const char *bug;
} pending[] = {
	{NULL, NULL}, /* none pending: B1 and B7 are fixed */
};

static const char *pending_bug(const char *input)
{
	for (size_t i = 0; i < sizeof(pending) / sizeof(pending[0]); i++)
		if (pending[i].input && strcmp(pending[i].input, input) == 0)
			return pending[i].bug;
	return NULL;
}

/* Runs entry on the file in a child; returns its wait status. */
static int run_child(int (*entry)(const uint8_t *, size_t), const char *path)
{
	uint8_t *data;
	size_t size;
	cr_assert_eq(aat_read_file(path, &data, &size), 0, "%s: cannot read", path);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(entry(data, size));
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	free(data);
	return st;
}

static void replay_all(const char *target, int (*entry)(const uint8_t *, size_t))
{
	char dir[256], input[512], skips[2048] = "";
	const char *top = getenv("AA_REGRESS_DIR"); /* another tree, for the test of this test */
	snprintf(dir, sizeof(dir), "%s/%s", top && *top ? top : "tests/fuzz/regress", target);
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s: cannot open", dir);
	size_t ran = 0, failed = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[768];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(input, sizeof(input), "%s/%s", target, e->d_name);
		int st = run_child(entry, path);
		int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		const char *bug = pending_bug(input);
		ran++;
		if (ok)
			continue;
		if (bug) {
			size_t used = strlen(skips);
			snprintf(skips + used, sizeof(skips) - used, "%s%s still fails: %s",
				 used ? "; " : "", input, bug);
			continue;
		}
		failed++;
		cr_log_error("%s: %s %d", input, WIFSIGNALED(st) ? "killed by signal" : "exit",
			     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
	closedir(d);
	/* An empty or misplaced directory would pass having checked nothing. */
	cr_assert_gt(ran, 0, "%s holds no input: nothing was replayed", dir);
	cr_assert_eq(failed, 0, "%zu of %zu inputs of %s fail", failed, ran, target);
	if (skips[0])
		cr_skip_test("%s", skips);
}

Test(regress, file_reader)
{
	replay_all("file", aaf_file);
}

Test(regress, chunk_decoder)
{
	replay_all("chunk", aaf_chunk);
}

Test(regress, parser)
{
	replay_all("parse", aaf_parse);
}

Test(regress, xform)
{
	replay_all("xform", aaf_xform);
}

Test(regress, btf)
{
	replay_all("btf", aaf_btf);
}

Test(regress, views)
{
	replay_all("views", aaf_views);
}
