/* SPDX-License-Identifier: MIT */
/* Live capture of exact argv and file names (string records): item for
 * item and byte for byte, cut at the limit with the real length, long exec
 * file names whole, and failed execs with their errno, file name and argv.
 * Needs root; skipped otherwise. */
#include <errno.h>
#include <sys/stat.h>

#include "live_strings.h"
#include "files.h"

/* The argv the child execs (built before the fork, which copies it). */
static char *g_argv[4096];
static char g_flat[256 << 10]; /* the same, each item followed by its NUL */
static size_t g_flat_len;
static const char *g_path = "/bin/true";
static const char *g_path2;

static void argv_reset(void)
{
	for (size_t i = 0; g_argv[i]; i++)
		free(g_argv[i]);
	memset(g_argv, 0, sizeof(g_argv));
	g_flat_len = 0;
}

static void argv_add(const char *item, size_t len)
{
	size_t n = 0;

	while (g_argv[n])
		n++;
	cr_assert_lt(n + 1, sizeof(g_argv) / sizeof(g_argv[0]));
	cr_assert_leq(g_flat_len + len + 1, sizeof(g_flat));
	g_argv[n] = malloc(len + 1);
	memcpy(g_argv[n], item, len);
	g_argv[n][len] = 0;
	memcpy(g_flat + g_flat_len, item, len);
	g_flat[g_flat_len + len] = 0;
	g_flat_len += len + 1;
}

/* Items of 199 letters (200 bytes with the NUL) up to total bytes, the
 * last one sized to make total exactly. */
static void argv_fill_to(size_t total, char letter)
{
	char item[256];

	memset(item, letter, sizeof(item));
	while (g_flat_len + 200 < total)
		argv_add(item, 199);
	cr_assert_geq(total - g_flat_len, 1);
	argv_add(item, total - g_flat_len - 1);
	cr_assert_eq(g_flat_len, total);
}

static int exec_argv(void)
{
	execv(g_path, g_argv);
	return 127;
}

/* The exec record of run.pid (the child itself execs), and its argv. */
static long child_exec(const struct live_run *run, struct live_string *argv)
{
	LIVE_FOREACH(run, i, ev) {
		if (ev.type == AA_TYPE_EXEC && ev.exec->pid == (uint32_t)run->pid) {
			*argv = live_string_of(run, i, ev.exec->pid, ev.exec->pid, ev.exec->timestamp_ns, AA_STRING_ARGV);
			return (long)i;
		}
	}
	cr_assert_fail("no exec record of the child %d", run->pid);
	return -1;
}

Test(live_argv, thousand_items_long_spaces_and_bytes_not_utf8_whole_in_128k, .timeout = 60)
{
	static const char odd[] = "\xff\xfe bytes \x80\xc3(not utf-8)\x01\x7f";
	struct aa_live_opts o = { 0 };
	struct live_string argv;
	struct live_run run;
	char big[3000];
	long at, task;

	live_require_root();
	argv_reset();
	argv_add("true", 4);
	argv_add("with  two spaces ", 17);
	argv_add(odd, sizeof(odd) - 1);
	argv_add("", 0); /* an empty item is a lone NUL */
	memset(big, 'B', sizeof(big));
	big[1500] = ' ';
	argv_add(big, sizeof(big));
	for (int i = 0; i < 1000; i++) {
		char item[16];

		argv_add(item, (size_t)snprintf(item, sizeof(item), "i%d", i));
	}
	argv_fill_to(128 << 10, 'x');
	live_run(&run, NULL, exec_argv, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0);

	at = child_exec(&run, &argv);
	cr_assert_not_null(argv.data, "no argv string records");
	cr_assert_eq(argv.total_len, 128 << 10);
	cr_assert_eq(argv.orig_len, 128 << 10);
	cr_assert_eq(argv.flags, 0, "128 KiB is within the default limit: not truncated");
	live_assert_same(argv.data, g_flat, g_flat_len);
	/* Item for item too: the NULs are where the items end. */
	{
		size_t off = 0;

		for (size_t k = 0; g_argv[k]; k++) {
			cr_assert_str_eq((const char *)argv.data + off, g_argv[k], "item %zu", k);
			off += strlen(g_argv[k]) + 1;
		}
		cr_assert_eq(off, argv.total_len);
	}
	/* The seed record still has its 511 bytes, NULs as spaces. */
	cr_assert_eq(strncmp((const char *)live_event(&run, (size_t)at).exec->args, "true with  two spaces  ", 23), 0);
	/* The task record comes first, with the same time stamp. */
	task = live_find_task(&run, 0, (uint32_t)run.pid, AA_TASK_EXEC);
	cr_assert(task >= 0 && task < at);
	cr_assert_eq(live_event(&run, (size_t)task).task->timestamp_ns, live_event(&run, (size_t)at).exec->timestamp_ns);
	cr_assert_eq(run.drops[AA_DROP_STRING], 0);
	live_string_free(&argv);
	argv_reset();
	live_run_free(&run);
}

static void argv_200k(unsigned argv_max, uint32_t want_total)
{
	struct aa_live_opts o = { .argv_max = argv_max };
	struct live_string argv;
	struct live_run run;

	live_require_root();
	argv_reset();
	argv_add("true", 4);
	argv_fill_to(200 << 10, 'y');
	live_run(&run, NULL, exec_argv, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0);
	child_exec(&run, &argv);
	cr_assert_not_null(argv.data);
	cr_assert_eq(argv.total_len, want_total);
	cr_assert_eq(argv.orig_len, 200 << 10);
	cr_assert_eq(argv.flags, want_total < (200 << 10) ? AA_STRING_TRUNCATED : 0);
	live_assert_same(argv.data, g_flat, want_total);
	live_string_free(&argv);
	argv_reset();
	live_run_free(&run);
}

Test(live_argv, argv_of_200k_cut_at_the_default_128k_with_its_length, .timeout = 60)
{
	argv_200k(0, 128 << 10);
}

Test(live_argv, argv_of_200k_whole_with_a_256k_limit, .timeout = 60)
{
	argv_200k(256 << 10, 200 << 10);
}

Test(live_argv, exec_file_name_of_300_bytes_whole, .timeout = 60)
{
	struct aa_live_opts o = { 0 };
	char *dir = aat_tmpdir(), path[512], comp[256];
	struct live_string name = { 0 };
	struct live_run run;
	size_t len;

	live_require_root();
	cr_assert_not_null(dir);
	/* dir/ddd.../ddd.../true: a link to /bin/true 300 bytes long by name. */
	memset(comp, 'd', sizeof(comp));
	comp[sizeof(comp) - 1] = 0;
	snprintf(path, sizeof(path), "%s/%.119s", dir, comp);
	cr_assert_eq(mkdir(path, 0700), 0);
	len = strlen(path);
	cr_assert(len < 297 - 1 && 297 - len <= 255);
	snprintf(path + len, sizeof(path) - len, "/%.*s", (int)(297 - len), comp);
	cr_assert_eq(mkdir(path, 0700), 0);
	strcat(path, "/t");
	cr_assert_eq(strlen(path), 300);
	cr_assert_eq(symlink("/bin/true", path), 0);
	g_path = path;
	argv_reset();
	argv_add("t", 1);
	live_run(&run, NULL, exec_argv, &o, -1);
	g_path = "/bin/true";
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0);
	LIVE_FOREACH(&run, i, ev) {
		if (ev.type == AA_TYPE_EXEC && ev.exec->pid == (uint32_t)run.pid) {
			cr_assert_eq(strncmp((const char *)ev.exec->filename, path, AA_PATH_MAX - 1), 0);
			cr_assert_eq(strlen((const char *)ev.exec->filename), AA_PATH_MAX - 1);
			name = live_string_of(&run, i, ev.exec->pid, ev.exec->pid, ev.exec->timestamp_ns,
					      AA_STRING_FILENAME);
		}
	}
	cr_assert_not_null(name.data, "no file name string record");
	cr_assert_eq(name.total_len, 300);
	cr_assert_eq(name.orig_len, 300);
	cr_assert_eq(name.flags, 0);
	cr_assert_eq(memcmp(name.data, path, 300), 0);
	live_string_free(&name);
	argv_reset();
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

/* A short file name fits the exec record: no string record for it. */
Test(live_argv, short_exec_file_name_has_no_string_record, .timeout = 60)
{
	struct aa_live_opts o = { 0 };
	struct live_run run;
	int names = 0;

	live_require_root();
	live_run_script(&run, "/bin/true; true", &o, -1);
	LIVE_FOREACH(&run, i, ev)
		names += ev.type == AA_TYPE_STRING && ev.string->kind == AA_STRING_FILENAME;
	cr_assert_eq(names, 0);
	live_run_free(&run);
}

/* Two execs that fail (ENOENT, then EACCES), then an exit 0. */
static int exec_fails(void)
{
	execv("/nonexistent-aa/dir/prog", g_argv);
	if (errno != ENOENT)
		return 1;
	execv(g_path2, g_argv);
	return errno == EACCES ? 0 : 2;
}

static void check_failed(const struct live_run *run, size_t from, const char *path, int err, long *at)
{
	struct live_string name, argv;
	long i = live_find_task(run, from, (uint32_t)run->pid, AA_TASK_EXEC_FAILED);
	struct aa_event ev;

	cr_assert_geq(i, 0, "no failed exec record for %s", path);
	ev = live_event(run, (size_t)i);
	cr_assert_eq(ev.task->error, err, "%s: error %d, expected %d", path, ev.task->error, err);
	cr_assert_eq(ev.task->tid, (uint32_t)run->pid);
	cr_assert_eq(ev.task->exit_status, 0);
	name = live_string_of(run, (size_t)i, ev.task->pid, ev.task->tid, ev.task->timestamp_ns, AA_STRING_FILENAME);
	argv = live_string_of(run, (size_t)i, ev.task->pid, ev.task->tid, ev.task->timestamp_ns, AA_STRING_ARGV);
	cr_assert_not_null(name.data);
	cr_assert_eq(name.total_len, strlen(path));
	cr_assert_eq(name.flags, 0);
	cr_assert_eq(memcmp(name.data, path, name.total_len), 0);
	cr_assert_not_null(argv.data);
	cr_assert_eq(argv.total_len, g_flat_len);
	cr_assert_eq(argv.orig_len, g_flat_len);
	cr_assert_eq(argv.flags, 0);
	live_assert_same(argv.data, g_flat, g_flat_len);
	live_string_free(&name);
	live_string_free(&argv);
	*at = i;
}

Test(live_argv, failed_execs_with_errno_file_name_and_argv, .timeout = 60)
{
	struct aa_live_opts o = { 0 };
	char *dir = aat_tmpdir(), *plain;
	struct live_run run;
	long first, second;
	char big[2500];

	live_require_root();
	cr_assert_not_null(dir);
	plain = aat_path(dir, "not-executable");
	cr_assert_eq(aat_write_file(plain, "#!/bin/sh\n", 10), 0);
	cr_assert_eq(chmod(plain, 0644), 0);
	g_path2 = plain;
	argv_reset();
	argv_add("prog", 4);
	argv_add("a b", 3);
	argv_add("\xff\xfe", 2);
	memset(big, 'z', sizeof(big)); /* over two pieces */
	argv_add(big, sizeof(big));
	live_run(&run, NULL, exec_fails, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0, "the execs did not fail as planned");
	check_failed(&run, 0, "/nonexistent-aa/dir/prog", ENOENT, &first);
	check_failed(&run, (size_t)first + 1, plain, EACCES, &second);
	/* Nor did the failures make exec records. */
	LIVE_FOREACH(&run, i, ev)
		cr_assert(ev.type != AA_TYPE_EXEC || ev.exec->pid != (uint32_t)run.pid, "exec record of a failed exec");
	argv_reset();
	free(plain);
	live_run_free(&run);
	aat_tmpdir_remove(dir);
}

static int exec_missing(void)
{
	execv("/nonexistent-aa/prog", g_argv);
	return errno == ENOENT ? 0 : 1;
}

/* The argv of a failed exec is read from the caller's array: cut at the
 * limit too, with its real length. */
Test(live_argv, failed_exec_argv_of_200k_cut_at_128k_with_its_length, .timeout = 60)
{
	struct aa_live_opts o = { 0 };
	struct live_string argv;
	struct live_run run;
	long i;

	live_require_root();
	argv_reset();
	argv_add("prog", 4);
	argv_fill_to(200 << 10, 'w');
	live_run(&run, NULL, exec_missing, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0);
	i = live_find_task(&run, 0, (uint32_t)run.pid, AA_TASK_EXEC_FAILED);
	cr_assert_geq(i, 0);
	argv = live_string_of(&run, (size_t)i, (uint32_t)run.pid, (uint32_t)run.pid,
			      live_event(&run, (size_t)i).task->timestamp_ns, AA_STRING_ARGV);
	cr_assert_not_null(argv.data);
	cr_assert_eq(argv.total_len, 128 << 10);
	cr_assert_eq(argv.orig_len, 200 << 10);
	cr_assert_eq(argv.flags, AA_STRING_TRUNCATED);
	live_assert_same(argv.data, g_flat, 128 << 10);
	live_string_free(&argv);
	argv_reset();
	live_run_free(&run);
}
