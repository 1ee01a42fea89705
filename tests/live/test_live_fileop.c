/* SPDX-License-Identifier: MIT */
/* Live capture of the file syscalls beyond the seed's five: each in a
 * fileop record under its own name, with the fd, offset, flags, mode and
 * return value the program used and got (raw syscall(2), where libc would
 * pick another syscall); open() is no longer recorded as openat; --events
 * file and --events fileop each record only their own. Needs root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "files.h"
#include "live_capture.h"
#include "live_strings.h"

enum { R_OPEN, R_PWRITE64, R_PREAD64, R_WRITEV, R_READV, R_PWRITEV, R_PREADV, R_PWRITEV2, R_PREADV2,
       R_CREAT, R_OPENAT2, R_MKDIR, R_MKDIRAT, R_RMDIR, R_OPEN_MISSING, R_RMDIR_FULL, R_DIRFD,
       R_PIPE_WRITEV, R_COUNT };

/* The workload's paths (set before the fork) and what each call returned
 * (shared with the child): the value, or -errno. */
static char *dir, *p_open, *p_creat, *p_made, *p_missing;
static long *got;

/* Arguments to syscall(2) are longs: an int in its place leaves the
 * register's upper half undefined (a -1 offset would not be -1). */
static long ret(long r)
{
	return r < 0 ? -errno : r;
}

static int fileops(void)
{
	struct open_how how = { .flags = O_WRONLY | O_CREAT | O_CLOEXEC, .mode = 0620 };
	char a[] = "abc", b[] = "defg", in[16];
	struct iovec out2[2] = { { a, 3 }, { b, 4 } }, in1[1] = { { in, sizeof(in) } };
	int fd, pipefd[2];

	got[R_DIRFD] = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	got[R_OPEN] = fd = (int)ret(syscall(SYS_open, p_open, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
	got[R_PWRITE64] = ret(syscall(SYS_pwrite64, fd, "0123456789", 10L, 100L));
	got[R_PREAD64] = ret(syscall(SYS_pread64, fd, in, 5L, 102L));
	got[R_WRITEV] = ret(syscall(SYS_writev, fd, out2, 2L));
	lseek(fd, 0, SEEK_SET);
	got[R_READV] = ret(syscall(SYS_readv, fd, in1, 1L));
	got[R_PWRITEV] = ret(syscall(SYS_pwritev, fd, out2, 2L, 200L, 0L));
	got[R_PREADV] = ret(syscall(SYS_preadv, fd, in1, 1L, 7L, 0L));
	got[R_PWRITEV2] = ret(syscall(SYS_pwritev2, fd, out2, 1L, 300L, 0L, (long)RWF_DSYNC));
	got[R_PREADV2] = ret(syscall(SYS_preadv2, fd, in1, 1L, -1L, 0L, (long)RWF_HIPRI));
	close(fd);
	got[R_CREAT] = fd = (int)ret(syscall(SYS_creat, p_creat, 0604));
	close(fd);
	got[R_OPENAT2] = ret(syscall(SYS_openat2, (int)got[R_DIRFD], "o2.txt", &how, sizeof(how)));
	got[R_MKDIR] = ret(syscall(SYS_mkdir, p_made, 0751));
	got[R_MKDIRAT] = ret(syscall(SYS_mkdirat, (int)got[R_DIRFD], "sub", 0705));
	got[R_RMDIR] = ret(syscall(SYS_rmdir, p_made));
	got[R_OPEN_MISSING] = ret(syscall(SYS_open, p_missing, O_RDONLY));
	got[R_RMDIR_FULL] = ret(syscall(SYS_rmdir, dir));
	/* A pipe is not a regular file: not recorded by default. */
	if (pipe(pipefd) == 0)
		got[R_PIPE_WRITEV] = ret(syscall(SYS_writev, pipefd[1], out2, 2L));
	return 0;
}

static void setup(void)
{
	got = mmap(NULL, R_COUNT * sizeof(*got), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(got, MAP_FAILED);
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
	p_open = aat_path(dir, "open.txt");
	p_creat = aat_path(dir, "creat.txt");
	p_made = aat_path(dir, "made");
	p_missing = aat_path(dir, "missing");
}

static void teardown(void)
{
	munmap(got, R_COUNT * sizeof(*got));
	free(p_open);
	free(p_creat);
	free(p_made);
	free(p_missing);
	aat_tmpdir_remove(dir);
}

/* The fileop record of `name` (its own name, as aa_syscall_name gives it),
 * the n-th (0 first) of the workload's, checked against what it did. */
static const struct aa_fileop_event *op(const struct live_run *run, const char *name, int n)
{
	LIVE_FOREACH(run, i, ev) {
		if (ev.type != AA_TYPE_FILEOP || ev.fileop->pid != (uint32_t)run->pid ||
		    strcmp(aa_syscall_name(ev.fileop->syscall), name) || n--)
			continue;
		cr_assert_eq(ev.fileop->tid, ev.fileop->pid);
		cr_assert_gt(ev.fileop->duration_ns, 0);
		cr_assert_eq(ev.fileop->marks, 0);
		return (const struct aa_fileop_event *)aat_recs_at(&run->recs, i);
	}
	cr_assert_fail("no %s record", name);
	return NULL;
}

static void expect_op(const struct aa_fileop_event *e, long ret, int fd, int64_t offset, uint32_t flags,
		      uint32_t mode, const char *path)
{
	const char *name = aa_syscall_name(e->syscall);

	cr_assert_eq(e->return_code, ret, "%s: return %lld, not %ld", name, (long long)e->return_code, ret);
	cr_assert_eq(e->fd, fd, "%s: fd %d, not %d", name, e->fd, fd);
	cr_assert_eq(e->offset, offset, "%s: offset %lld, not %lld", name, (long long)e->offset, (long long)offset);
	cr_assert_eq(e->flags, flags, "%s: flags %#x, not %#x", name, e->flags, flags);
	cr_assert_eq(e->mode, mode, "%s: mode %#o, not %#o", name, e->mode, mode);
	cr_assert_str_eq((const char *)e->path, path, "%s", name);
}

/* The file's f_flags as the kernel keeps them: O_LARGEFILE added on 64-bit
 * (the kernel's 0100000; glibc's O_LARGEFILE is 0 there). */
#define RW_FILE (O_RDWR | 0100000)

Test(live_fileop, every_syscall_under_its_own_name, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_FILEOP) |
					    AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct live_run run;
	int fd, dfd;

	live_require_root();
	live_run(&run, NULL, fileops, &o, -1);
	cr_assert_eq(WEXITSTATUS(run.status), 0);
	fd = (int)got[R_OPEN];
	dfd = (int)got[R_DIRFD];
	cr_assert_geq(fd, 0);
	cr_assert_geq(dfd, 0);

	expect_op(op(&run, "open", 0), fd, -1, -1, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640, p_open);
	expect_op(op(&run, "pwrite64", 0), got[R_PWRITE64], fd, 100, RW_FILE, 0, p_open);
	expect_op(op(&run, "pread64", 0), got[R_PREAD64], fd, 102, RW_FILE, 0, p_open);
	expect_op(op(&run, "writev", 0), got[R_WRITEV], fd, -1, RW_FILE, 0, p_open);
	expect_op(op(&run, "readv", 0), got[R_READV], fd, -1, RW_FILE, 0, p_open);
	expect_op(op(&run, "pwritev", 0), got[R_PWRITEV], fd, 200, RW_FILE, 0, p_open);
	expect_op(op(&run, "preadv", 0), got[R_PREADV], fd, 7, RW_FILE, 0, p_open);
	expect_op(op(&run, "pwritev2", 0), got[R_PWRITEV2], fd, 300, RWF_DSYNC, 0, p_open);
	expect_op(op(&run, "preadv2", 0), got[R_PREADV2], fd, -1, RWF_HIPRI, 0, p_open);
	cr_assert_eq(got[R_PWRITE64], 10);
	cr_assert_eq(got[R_PREAD64], 5);
	cr_assert_eq(got[R_WRITEV], 7);
	cr_assert_eq(got[R_PWRITEV], 7);

	/* creat: what it means, O_CREAT | O_WRONLY | O_TRUNC. */
	expect_op(op(&run, "creat", 0), got[R_CREAT], -1, -1, O_CREAT | O_WRONLY | O_TRUNC, 0604, p_creat);
	expect_op(op(&run, "openat2", 0), got[R_OPENAT2], dfd, -1, O_WRONLY | O_CREAT | O_CLOEXEC, 0620, "o2.txt");
	cr_assert_geq(got[R_OPENAT2], 0);
	expect_op(op(&run, "mkdir", 0), 0, -1, -1, 0, 0751, p_made);
	expect_op(op(&run, "mkdirat", 0), 0, dfd, -1, 0, 0705, "sub");
	cr_assert_eq(got[R_MKDIR], 0);
	cr_assert_eq(got[R_MKDIRAT], 0);
	expect_op(op(&run, "rmdir", 0), 0, -1, -1, 0, 0, p_made);
	cr_assert_eq(got[R_RMDIR], 0);

	/* Failures: -errno, as the program saw. */
	cr_assert_eq(got[R_OPEN_MISSING], -ENOENT);
	expect_op(op(&run, "open", 1), -ENOENT, -1, -1, O_RDONLY, 0, p_missing);
	cr_assert_eq(got[R_RMDIR_FULL], -ENOTEMPTY);
	expect_op(op(&run, "rmdir", 1), -ENOTEMPTY, -1, -1, 0, 0, dir);

	/* open() is itself, no longer an openat file record. */
	cr_assert_eq(live_find_file(&run, 0, AA_SYS_OPENAT, p_open), -1);
	/* writev on a pipe: not a regular file, not recorded by default. */
	cr_assert_eq(got[R_PIPE_WRITEV], 7);
	LIVE_FOREACH(&run, i, ev)
		cr_assert(!(ev.type == AA_TYPE_FILEOP && ev.fileop->syscall == AA_SYS_WRITEV && ev.fileop->return_code == 7 &&
			    !strncmp((const char *)ev.fileop->path, "pipe:", 5)), "writev on a pipe recorded");
	cr_assert_eq(run.drops[AA_DROP_FILEOP], 0);
	live_run_free(&run);
}

/* --events file: the seed's records only, no fileop (nor open, which is one). */
Test(live_fileop, events_file_records_no_fileop, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct live_run run;

	live_require_root();
	live_run(&run, NULL, fileops, &o, -1);
	cr_assert_eq(WEXITSTATUS(run.status), 0);
	cr_assert_eq(live_count_type(&run, AA_TYPE_FILEOP), 0);
	cr_assert_geq(live_find_file(&run, (uint32_t)run.pid, AA_SYS_OPENAT, dir), 0, "the openat of the dirfd");
	cr_assert_eq(live_find_file(&run, 0, AA_SYS_OPENAT, p_open), -1);
	live_run_free(&run);
}

/* --events fileop: no file records. */
Test(live_fileop, events_fileop_records_no_file, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_FILEOP) | AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct live_run run;

	live_require_root();
	live_run(&run, NULL, fileops, &o, -1);
	cr_assert_eq(WEXITSTATUS(run.status), 0);
	cr_assert_eq(live_count_type(&run, AA_TYPE_FILE), 0);
	expect_op(op(&run, "pread64", 0), got[R_PREAD64], (int)got[R_OPEN], 102, RW_FILE, 0, p_open);
	live_run_free(&run);
}
