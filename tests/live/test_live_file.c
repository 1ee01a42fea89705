/* SPDX-License-Identifier: MIT */
/* Live capture of file I/O: a shell redirection, a read, a rename, an
 * unlink, an open failing with ENOENT, and read/write through fds that came
 * from dup2, from the parent, and from before the capture started, each
 * with its exact path, return code and a duration. Needs root. */
#include <errno.h>
#include <fcntl.h>

#include "live_capture.h"
#include "files.h"

struct file_case {
	struct live_run run;
	char *dir;
};

static char *in_dir(const char *dir, const char *name)
{
	return aat_path(dir, name);
}

/* The file record at index i, asserting it exists. */
static struct aa_event file_at(const struct live_run *run, long i, const char *what)
{
	cr_assert_geq(i, 0, "no %s record", what);
	return live_event(run, (size_t)i);
}

Test(live_file, redirect_read_rename_unlink_enoent, .timeout = 30)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_EXEC) |
					    AA_TYPE_BIT(AA_TYPE_EXIT) };
	char *dir, *a, *b, *missing, script[1024];
	struct live_run run;
	struct aa_event ev;
	uint32_t cat_pid = 0, mv_pid = 0, rm_pid = 0, cat2_pid = 0;

	live_require_root();
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
	a = in_dir(dir, "a.txt");
	b = in_dir(dir, "b.txt");
	missing = in_dir(dir, "missing.txt");
	snprintf(script, sizeof(script),
		 "echo hello > %s; cat %s > /dev/null; mv %s %s; rm %s; cat %s 2>/dev/null; exit 0",
		 a, a, a, b, b, missing);
	live_run_script(&run, script, &o, -1);
	LIVE_FOREACH(&run, i, e) {
		if (e.type != AA_TYPE_EXEC)
			continue;
		if (!strncmp((const char *)e.exec->args, "cat ", 4))
			*(cat_pid ? &cat2_pid : &cat_pid) = e.exec->pid;
		if (!strncmp((const char *)e.exec->args, "mv ", 3))
			mv_pid = e.exec->pid;
		if (!strncmp((const char *)e.exec->args, "rm ", 3))
			rm_pid = e.exec->pid;
	}
	cr_assert(cat_pid && cat2_pid && mv_pid && rm_pid, "execs of cat, mv, rm missing");

	/* echo hello > a.txt: bash opens it, then writes 6 bytes. */
	ev = file_at(&run, live_find_file(&run, (uint32_t)run.pid, AA_SYS_OPENAT, a), "redirection openat");
	cr_assert_geq(ev.file->return_code, 0);
	cr_assert_eq(ev.file->flags & (O_WRONLY | O_CREAT | O_TRUNC), O_WRONLY | O_CREAT | O_TRUNC);
	cr_assert_gt(ev.file->duration_ns, 0);
	cr_assert_neq(ev.file->tid, 0);
	ev = file_at(&run, live_find_file(&run, (uint32_t)run.pid, AA_SYS_WRITE, a), "redirection write");
	cr_assert_eq(ev.file->return_code, 6);
	cr_assert_eq(ev.file->flags & O_ACCMODE, O_WRONLY);
	cr_assert_gt(ev.file->duration_ns, 0);

	/* cat a.txt: opened read-only, 6 bytes read, then 0 at the end. */
	ev = file_at(&run, live_find_file(&run, cat_pid, AA_SYS_OPENAT, a), "cat openat");
	cr_assert_geq(ev.file->return_code, 0);
	cr_assert_eq(ev.file->flags & O_ACCMODE, O_RDONLY);
	ev = file_at(&run, live_find_file(&run, cat_pid, AA_SYS_READ, a), "cat read");
	cr_assert_eq(ev.file->return_code, 6);
	cr_assert_gt(ev.file->duration_ns, 0);

	/* mv: the old path, then after its NUL the new one. */
	ev = file_at(&run, live_find_file(&run, mv_pid, AA_SYS_RENAME, a), "rename");
	cr_assert_eq(ev.file->return_code, 0);
	cr_assert_str_eq((const char *)ev.file->path + strlen(a) + 1, b);
	cr_assert_eq(ev.file->path[AA_PATH_MAX - 1], 0);
	cr_assert_gt(ev.file->duration_ns, 0);

	ev = file_at(&run, live_find_file(&run, rm_pid, AA_SYS_UNLINK, b), "unlink");
	cr_assert_eq(ev.file->return_code, 0);
	cr_assert_gt(ev.file->duration_ns, 0);

	ev = file_at(&run, live_find_file(&run, cat2_pid, AA_SYS_OPENAT, missing), "failed openat");
	cr_assert_eq(ev.file->return_code, -ENOENT);
	cr_assert_eq(live_exit_code(&run, cat2_pid), 1);

	/* The write to /dev/null (not a regular file) is not recorded by default. */
	cr_assert_eq(live_find_file(&run, 0, AA_SYS_WRITE, "/dev/null"), -1);
	live_run_free(&run);
	free(a);
	free(b);
	free(missing);
	aat_tmpdir_remove(dir);
}

/* The path of a read or write comes from the file table: right for a dup2'd
 * fd, an fd inherited from the parent, and one opened before the capture. */
Test(live_file, fd_paths_from_the_file_table, .timeout = 30)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_EXEC) |
					    AA_TYPE_BIT(AA_TYPE_EXIT) };
	char *dir, *dup, *pre, script[1024];
	struct live_run run;
	struct aa_event ev;
	uint32_t cat_pid = 0, head_pid = 0;
	int prefd;

	live_require_root();
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
	dup = in_dir(dir, "dup.txt");
	pre = in_dir(dir, "pre.txt");
	cr_assert_eq(aat_write_file(pre, "opened before the capture\n", 26), 0);
	prefd = open(pre, O_RDONLY | O_CLOEXEC); /* fd 9 of the script, from before aa_open_live */
	cr_assert_geq(prefd, 0);
	/* fd 7 opened by bash, written through fd 1 after dup2(7, 1) in a
	 * subshell; then cat reads its stdin, dup2'd from fd 7 reopened. */
	snprintf(script, sizeof(script),
		 "exec 7>%s; (echo through-dup2 >&7); exec 7<%s; cat <&7 >/dev/null; head -c 5 <&9 >/dev/null; exit 0",
		 dup, dup);
	live_run_script(&run, script, &o, prefd);
	close(prefd);
	LIVE_FOREACH(&run, i, e) {
		if (e.type == AA_TYPE_EXEC && !strcmp((const char *)e.exec->args, "cat"))
			cat_pid = e.exec->pid;
		if (e.type == AA_TYPE_EXEC && !strcmp((const char *)e.exec->args, "head -c 5"))
			head_pid = e.exec->pid;
	}
	cr_assert(cat_pid && head_pid);

	/* The subshell (a fork of bash: no exec) writes fd 1 = dup of 7. */
	ev = file_at(&run, live_find_file(&run, 0, AA_SYS_WRITE, dup), "write through dup2");
	cr_assert_eq(ev.file->return_code, 13);
	cr_assert_neq(ev.file->pid, (uint32_t)run.pid, "the write is the subshell's");
	/* cat reads fd 0 (its stdin, dup2'd from bash's fd 7). */
	ev = file_at(&run, live_find_file(&run, cat_pid, AA_SYS_READ, dup), "read through dup2");
	cr_assert_eq(ev.file->return_code, 13);
	/* head reads fd 0, a dup of fd 9, opened by this process before the capture. */
	ev = file_at(&run, live_find_file(&run, head_pid, AA_SYS_READ, pre), "read of a pre-capture fd");
	cr_assert_eq(ev.file->return_code, 5);
	live_run_free(&run);
	free(dup);
	free(pre);
	aat_tmpdir_remove(dir);
}

/* all_files: read and write on a pipe are recorded too. */
Test(live_file, all_files_records_pipes, .timeout = 30)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_EXIT), .all_files = 1 };
	struct live_run run;
	int pipe_writes = 0;

	live_require_root();
	live_run_script(&run, "echo to-a-pipe | cat >/dev/null; exit 0", &o, -1);
	LIVE_FOREACH(&run, i, e)
		pipe_writes += e.type == AA_TYPE_FILE && e.file->syscall == AA_SYS_WRITE &&
			       e.file->return_code == 10 && !strncmp((const char *)e.file->path, "pipe:", 5);
	cr_assert_geq(pipe_writes, 1, "no write of 10 bytes to a pipe recorded with all_files");
	live_run_free(&run);
}
