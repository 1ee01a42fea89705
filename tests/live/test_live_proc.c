/* SPDX-License-Identifier: MIT */
/* Live capture of processes: real argv, exit codes (signals as 128+N), a
 * burst of execs kept whole, the capture never recording itself, and the
 * one-line error without privilege. Needs root; skipped otherwise. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>

#include "live_strings.h"
#include "files.h"

Test(live_proc, exec_argv_ppid_uid_and_exit_code, .timeout = 30)
{
	struct aa_live_opts o = { 0 };
	struct live_run run;
	long i;

	live_require_root();
	/* "; true" keeps bash from exec'ing the command in its own process. */
	live_run_script(&run, "/bin/sh -c 'exit 7' zero one 'two  words' \"\"; true", &o, -1);
	cr_assert_eq(WEXITSTATUS(run.status), 0);

	i = live_find_exec(&run, "/bin/sh -c exit 7 zero one two  words ");
	cr_assert_geq(i, 0, "no exec record with the real argv (NULs as single spaces)");
	{
		struct aa_event ev = live_event(&run, (size_t)i);

		cr_assert_str_eq((const char *)ev.exec->filename, "/bin/sh");
		cr_assert_eq(ev.exec->ppid, (uint32_t)run.pid, "ppid %u, expected the script's bash %d",
			     ev.exec->ppid, run.pid);
		cr_assert_eq(ev.exec->uid, 0);
		cr_assert_eq(ev.exec->_pad, 0);
		cr_assert_neq(ev.exec->pid, (uint32_t)run.pid);
		cr_assert_eq(live_exit_code(&run, ev.exec->pid), 7);
	}
	/* The script's own exec (bash, from our fork) and its exit 0. */
	i = live_find_exec(&run, "bash -c /bin/sh -c 'exit 7' zero one 'two  words' \"\"; true");
	cr_assert_geq(i, 0);
	cr_assert_eq(live_event(&run, (size_t)i).exec->pid, (uint32_t)run.pid);
	cr_assert_eq(live_event(&run, (size_t)i).exec->ppid, (uint32_t)getpid());
	cr_assert_eq(live_exit_code(&run, (uint32_t)run.pid), 0);
	cr_assert_eq(run.drops[0] + run.drops[1] + run.drops[2] + run.drops[3], 0);
	live_run_free(&run);
}

Test(live_proc, argv_cut_at_511_bytes, .timeout = 30)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_EXEC) | AA_TYPE_BIT(AA_TYPE_EXIT) |
					    AA_TYPE_BIT(AA_TYPE_STRING) };
	char script[1200], expect[600];
	struct live_run run;
	long found = -1;

	live_require_root();
	/* /bin/echo + 100 args of "abcdefghi": far over 511 bytes. */
	strcpy(script, "/bin/echo");
	for (int k = 0; k < 100; k++)
		strcat(script, " abcdefghi");
	strcat(script, " >/dev/null; true");
	live_run_script(&run, script, &o, -1);
	snprintf(expect, sizeof(expect), "%.*s", 511, script);
	LIVE_FOREACH(&run, i, ev)
		if (ev.type == AA_TYPE_EXEC && !strcmp((const char *)ev.exec->filename, "/bin/echo"))
			found = (long)i;
	cr_assert_geq(found, 0);
	{
		struct aa_event ev = live_event(&run, (size_t)found);
		struct live_string argv = live_string_of(&run, (size_t)found, ev.exec->pid, ev.exec->pid,
							 ev.exec->timestamp_ns, AA_STRING_ARGV);

		cr_assert_eq(strlen((const char *)ev.exec->args), 511);
		cr_assert_eq(memcmp(ev.exec->args, expect, 511), 0, "args: %.80s...", ev.exec->args);
		/* The string records before it have the argv whole: 10 + 100 * 10 bytes. */
		cr_assert_not_null(argv.data);
		cr_assert_eq(argv.total_len, 1010);
		cr_assert_eq(argv.flags, 0);
		live_string_free(&argv);
	}
	/* --events exec,exit,string: no file or task records at all; strings complete the execs. */
	LIVE_FOREACH(&run, i, ev)
		cr_assert(ev.type == AA_TYPE_EXEC || ev.type == AA_TYPE_EXIT || ev.type == AA_TYPE_STRING,
			  "record %zu of type %s", i, aa_type_name(ev.type));
	live_run_free(&run);
}

Test(live_proc, death_by_signal_is_128_plus_signal, .timeout = 30)
{
	struct aa_live_opts o = { 0 };
	struct live_run run;
	long k9, term;

	live_require_root();
	live_run_script(&run, "/bin/sh -c 'kill -9 $$' kill9; /bin/sh -c 'kill -TERM $$' term; "
			      "/bin/sh -c 'exit 300' wrap; exit 5", &o, -1);
	cr_assert_eq(WEXITSTATUS(run.status), 5);
	k9 = live_find_exec(&run, "/bin/sh -c kill -9 $$ kill9");
	term = live_find_exec(&run, "/bin/sh -c kill -TERM $$ term");
	cr_assert(k9 >= 0 && term >= 0);
	cr_assert_eq(live_exit_code(&run, live_event(&run, (size_t)k9).exec->pid), 128 + 9);
	cr_assert_eq(live_exit_code(&run, live_event(&run, (size_t)term).exec->pid), 128 + 15);
	/* exit 300 is 300 & 0xff = 44, as the shell sees it. */
	cr_assert_eq(live_exit_code(&run,
				    live_event(&run, (size_t)live_find_exec(&run, "/bin/sh -c exit 300 wrap")).exec->pid),
		     44);
	cr_assert_eq(live_exit_code(&run, (uint32_t)run.pid), 5);
	live_run_free(&run);
}

static void *thread_sleeps(void *arg)
{
	(void)arg;
	usleep(200 * 1000);
	return NULL;
}

static void *thread_exits(void *arg)
{
	(void)arg;
	usleep(20 * 1000);
	_exit(9); /* exit_group: the whole process goes, with this code */
}

/* Main thread blocked in join, three threads, one of them calls exit(9). */
static int threaded_exit(void)
{
	pthread_t t[3];

	pthread_create(&t[0], NULL, thread_sleeps, NULL);
	pthread_create(&t[1], NULL, thread_sleeps, NULL);
	pthread_create(&t[2], NULL, thread_exits, NULL);
	pthread_join(t[0], NULL);
	return 1;
}

/* A multi-threaded process gives one exit record, with the group's code. */
Test(live_proc, one_exit_per_process_not_per_thread, .timeout = 30)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct live_run run;
	int exits = 0;

	live_require_root();
	live_run(&run, NULL, threaded_exit, &o, -1);
	cr_assert(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 9);
	LIVE_FOREACH(&run, j, ev)
		exits += ev.type == AA_TYPE_EXIT && ev.exit->pid == (uint32_t)run.pid;
	cr_assert_eq(exits, 1);
	cr_assert_eq(live_exit_code(&run, (uint32_t)run.pid), 9);
	live_run_free(&run);
}

Test(live_proc, burst_of_300_execs_captured_whole, .timeout = 60)
{
	struct aa_live_opts o = { 0 };
	struct live_run run;
	int execs = 0, exits = 0;

	live_require_root();
	live_run_script(&run, "for i in $(seq 300); do /bin/true burst $i; done", &o, -1);
	LIVE_FOREACH(&run, i, ev) {
		if (ev.type == AA_TYPE_EXEC && !strncmp((const char *)ev.exec->args, "/bin/true burst ", 16)) {
			execs++;
			cr_assert_eq(live_exit_code(&run, ev.exec->pid), 0);
			exits++;
		}
	}
	cr_assert_eq(execs, 300);
	cr_assert_eq(exits, 300);
	cr_assert_eq(run.drops[AA_DROP_EXEC], 0);
	cr_assert_eq(run.drops[AA_DROP_EXIT], 0);
	cr_assert_eq(run.drops[AA_DROP_FILE], 0);
	live_run_free(&run);
}

/* Everything on the machine is captured (no --pid), but never the capture's
 * own file I/O, while a child doing the same is seen. */
Test(live_proc, capture_never_records_itself, .timeout = 30)
{
	struct aa_live_opts o = { .timeout_ms = 100, .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct aa_error_info err;
	char *dir = aat_tmpdir(), *mine, *childs;
	int rc, self = 0, child_seen = 0, child_done = 0;
	uint64_t deadline;
	aa_source *src;
	pid_t child;

	live_require_root();
	cr_assert_not_null(dir);
	mine = aat_path(dir, "self.txt");
	childs = aat_path(dir, "child.txt");
	rc = aa_open_live(&src, &o, &err);
	cr_assert_eq(rc, 0, "aa_open_live: %s", err.detail);
	cr_assert_eq(aat_write_file(mine, "self", 4), 0);
	child = fork();
	if (child == 0)
		_exit(aat_write_file(childs, "child", 5) ? 1 : 0);
	waitpid(child, NULL, 0);
	cr_assert_eq(aat_write_file(mine, "again", 5), 0);
	deadline = aa_clock_ns(CLOCK_MONOTONIC) + LIVE_DEADLINE_NS;
	while (!child_done && aa_clock_ns(CLOCK_MONOTONIC) < deadline) {
		const struct aa_record *rec;

		rc = aa_next(src, &rec);
		if (rc == AA_E_AGAIN)
			continue;
		cr_assert_eq(rc, 1);
		if (rec->ev.type == AA_TYPE_FILE) {
			self += rec->ev.file->pid == (uint32_t)getpid();
			self += !strcmp((const char *)rec->ev.file->path, mine);
			child_seen += rec->ev.file->pid == (uint32_t)child &&
				      !strcmp((const char *)rec->ev.file->path, childs);
		}
		if (rec->ev.type == AA_TYPE_EXIT) {
			self += rec->ev.exit->pid == (uint32_t)getpid();
			child_done = rec->ev.exit->pid == (uint32_t)child;
		}
	}
	aa_close(src);
	cr_assert(child_done, "the child's exit never came");
	cr_assert_geq(child_seen, 2, "the child's openat and write were not both seen");
	cr_assert_eq(self, 0, "%d records of the capture process itself", self);
	free(mine);
	free(childs);
	aat_tmpdir_remove(dir);
}

Test(live_proc, without_root_one_line_says_so, .timeout = 30)
{
	pid_t child;
	int status;

	live_require_root();
	child = fork();
	if (child == 0) {
		struct aa_live_opts o = { 0 };
		struct aa_error_info err;
		aa_source *src;
		int rc;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		rc = aa_open_live(&src, &o, &err);
		_exit(rc == AA_E_PERM && err.code == AA_E_PERM && strstr(err.detail, "root") &&
			      !strchr(err.detail, '\n') ? 0 : 1);
	}
	waitpid(child, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "expected AA_E_PERM naming root");
}

Test(live_proc, bad_ring_size_is_refused, .timeout = 30)
{
	struct aa_live_opts o = { .ring_bytes = 3 << 20 };
	struct aa_error_info err;
	aa_source *src;

	live_require_root();
	cr_assert_eq(aa_open_live(&src, &o, &err), AA_E_INVAL);
	cr_assert_null(src);
	cr_assert(strstr(err.detail, "power of two"), "%s", err.detail);
}

/* Idle, one open, idle, a burst of 2000 opens, idle: then exit. */
static int opens_with_pauses(void)
{
	int fd;

	usleep(200 * 1000);
	fd = open("/etc/hostname", O_RDONLY);
	close(fd);
	usleep(200 * 1000);
	for (int i = 0; i < 2000; i++) {
		fd = open("/etc/hostname", O_RDONLY);
		close(fd);
	}
	usleep(300 * 1000);
	return 0;
}

/* The reader is not woken for every record (bpf/common.bpf.h), yet a
 * caller polling aa_live_fd() sees each record soon: a lone one after a
 * pause, and the tail of a burst. */
Test(live_proc, records_reach_a_poller_within_100ms, .timeout = 30)
{
	struct aa_live_opts o = { .timeout_ms = 0, .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct live_child c;
	uint64_t max_lag = 0, deadline;
	int opens = 0, done = 0, rc;

	live_require_root();
	live_spawn(&c, live_body_fn, (void *)opens_with_pauses, &o);
	live_go(&c);
	deadline = aa_clock_ns(CLOCK_MONOTONIC) + LIVE_DEADLINE_NS;
	while (!done && aa_clock_ns(CLOCK_MONOTONIC) < deadline) {
		struct pollfd p = { .fd = aa_live_fd(c.src), .events = POLLIN };
		const struct aa_record *rec;

		cr_assert_geq(poll(&p, 1, 1000), 0);
		while (!done && (rc = aa_next(c.src, &rec)) == 1) {
			uint64_t now = aa_clock_ns(CLOCK_MONOTONIC), lag = now - rec->ev.mono_ns;

			if (rec->ev.type == AA_TYPE_FILE && rec->ev.file->syscall == AA_SYS_OPENAT &&
			    !strcmp((const char *)rec->ev.file->path, "/etc/hostname")) {
				opens++;
				max_lag = lag > max_lag ? lag : max_lag;
			}
			done = rec->ev.type == AA_TYPE_EXIT && rec->ev.exit->pid == c.pid32;
		}
		cr_assert(done || rc == AA_E_AGAIN, "aa_next: %d", rc);
	}
	aa_close(c.src);
	waitpid(c.pid, NULL, 0);
	cr_assert_eq(opens, 2001);
	cr_assert_lt(max_lag, 100 * 1000000ull, "a record waited %llu ms", (unsigned long long)(max_lag / 1000000));
	cr_log_info("longest wait of a record: %.1f ms", max_lag / 1e6);
}

Test(live_proc, comm_filter_keeps_only_that_command, .timeout = 30)
{
	struct aa_live_opts o = { .comm = "true" };
	struct live_run run;
	int trues = 0;

	live_require_root();
	/* The script ends as true itself (exec), so its exit record is kept
	 * and ends the run. */
	live_run_script(&run, "/bin/true comm-a; /bin/echo comm-b >/dev/null; /bin/true comm-c; exec /bin/true comm-end",
			&o, -1);
	LIVE_FOREACH(&run, i, ev) {
		if (ev.type == AA_TYPE_EXEC) {
			cr_assert(!strncmp((const char *)ev.exec->args, "/bin/true comm-", 15), "exec of %s",
				  ev.exec->args);
			trues++;
		}
	}
	cr_assert_eq(trues, 3);
	cr_assert_eq(live_event(&run, (size_t)live_find_exec(&run, "/bin/true comm-end")).exec->pid,
		     (uint32_t)run.pid);
	live_run_free(&run);
}

/* A child that forks before it is released: the grandchild, born before
 * the capture started, writes `path` once released. */
static int fork_early(void *path, int go_fd)
{
	pid_t kid = fork();

	if (kid == 0)
		_exit(live_wait_go(go_fd) == 0 && aat_write_file(path, "older", 5) == 0 ? 0 : 1);
	close(go_fd);
	waitpid(kid, NULL, 0);
	return 0;
}

/* --pid follows descendants that were born before the capture started
 * (from /proc), not only those forked later (the fork program). */
Test(live_proc, pid_follows_descendants_born_before_the_capture, .timeout = 30)
{
	struct aa_live_opts o = { .timeout_ms = 100, .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	char *dir = aat_tmpdir(), *path;
	struct live_child c;
	int seen = 0, done = 0, rc;
	pid_t grandchild = 0;
	uint64_t deadline;

	live_require_root();
	cr_assert_not_null(dir);
	path = aat_path(dir, "older.txt");
	/* live_spawn forks, then opens the source: the grandchild is older. */
	live_spawn(&c, fork_early, path, &o);
	live_go(&c);
	deadline = aa_clock_ns(CLOCK_MONOTONIC) + LIVE_DEADLINE_NS;
	while (!done && aa_clock_ns(CLOCK_MONOTONIC) < deadline) {
		const struct aa_record *rec;

		rc = aa_next(c.src, &rec);
		if (rc == AA_E_AGAIN)
			continue;
		cr_assert_eq(rc, 1);
		if (rec->ev.type == AA_TYPE_FILE && rec->ev.file->syscall == AA_SYS_WRITE &&
		    !strcmp((const char *)rec->ev.file->path, path)) {
			seen++;
			grandchild = (pid_t)rec->ev.file->pid;
		}
		done = rec->ev.type == AA_TYPE_EXIT && rec->ev.exit->pid == c.pid32;
	}
	aa_close(c.src);
	waitpid(c.pid, NULL, 0);
	cr_assert(done);
	cr_assert_eq(seen, 1, "the older grandchild's write was not followed");
	cr_assert_neq(grandchild, c.pid);
	free(path);
	aat_tmpdir_remove(dir);
}

static int opens_2000(void)
{
	for (int i = 0; i < 2000; i++)
		close(open("/etc/hostname", O_RDONLY));
	return 0;
}

/* A ring far too small for a burst that nobody reads: every record is
 * either delivered or counted as dropped, none lost silently. */
Test(live_proc, a_full_ring_counts_every_lost_record, .timeout = 30)
{
	struct aa_live_opts o = { .ring_bytes = 16384, .timeout_ms = 200, .events = AA_TYPE_BIT(AA_TYPE_FILE) };
	struct live_child c;
	uint64_t drops[AA_DROP_SLOTS];
	int opens = 0, rc;

	live_require_root();
	live_spawn(&c, live_body_fn, (void *)opens_2000, &o);
	live_go(&c);
	waitpid(c.pid, NULL, 0); /* all 2000 done before the first read */
	for (;;) {
		const struct aa_record *rec;

		rc = aa_next(c.src, &rec);
		if (rc != 1)
			break;
		opens += rec->ev.type == AA_TYPE_FILE && rec->ev.file->syscall == AA_SYS_OPENAT;
	}
	cr_assert_eq(rc, AA_E_AGAIN);
	aa_live_drops(c.src, drops);
	aa_close(c.src);
	cr_assert_gt(drops[AA_DROP_FILE], 0, "a 16 KiB ring held 2000 records?");
	cr_assert_eq(opens + drops[AA_DROP_FILE], 2000, "%d delivered + %llu dropped", opens,
		     (unsigned long long)drops[AA_DROP_FILE]);
}
