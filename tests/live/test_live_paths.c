/* SPDX-License-Identifier: MIT */
/* Live capture of long paths: whatever does not fit a record's 256 bytes
 * comes whole, byte for byte, in string records before the record (an
 * openat of 400 bytes, a rename of two of 300, an unlink of 300, a read and
 * a write through an fd of a file 4000 bytes and 80 directories deep); a
 * path past PATH_MAX keeps its end, marked cut with its real length; a
 * write to an unlinked file says so; a short path has no string record.
 * Needs root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "files.h"
#include "live_capture.h"
#include "live_deep.h"
#include "live_strings.h"

/* What the workload is given (set before the fork: paths under dir) and
 * what it got back (shared with the child). teardown frees them. */
static char *dir;
static struct deep_path deep_a, deep_b, mid_a, mid_b;
static char *short_path;
static struct {
	long ret[8];
} *got;

static void setup(void)
{
	got = mmap(NULL, sizeof(*got), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(got, MAP_FAILED);
}

static void teardown(void)
{
	struct deep_path *made[] = { &deep_a, &deep_b, &mid_a, &mid_b };

	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (made[i]->path) {
			deep_path_free(made[i]);
			*made[i] = (struct deep_path){ 0 };
		}
	free(short_path);
	short_path = NULL;
	if (dir)
		deep_tree_remove(dir);
	dir = NULL;
	munmap(got, sizeof(*got));
}

/* Skips without root; else the test's directory, dir. */
static void start(void)
{
	live_require_root();
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
}

/* The paths open_long_and_short opens: deep_a of 400 bytes (a file),
 * mid_a of 255 and mid_b of 256 (none), short_path (a file). */
static void make_open_paths(void)
{
	deep_path_make(&deep_a, dir, 400, 100, 'f');
	deep_path_make(&mid_a, dir, 255, 100, 'e'); /* the most the field holds */
	deep_path_make(&mid_b, dir, 256, 100, 'g'); /* one more */
	cr_assert_eq(aat_write_file(deep_a.path, "x", 1), 0);
	short_path = aat_path(dir, "short");
	cr_assert_eq(aat_write_file(short_path, "x", 1), 0);
}

#define EVENTS_FILES (AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_FILEOP) | AA_TYPE_BIT(AA_TYPE_STRING) | \
		      AA_TYPE_BIT(AA_TYPE_EXIT))

/* The record at index i, asserting it exists. */
static struct aa_event rec_at(const struct live_run *run, long i, const char *what)
{
	cr_assert_geq(i, 0, "no %s record", what);
	return live_event(run, (size_t)i);
}

/* The string of kind completing record i is exactly `want`, whole. */
static void expect_whole(const struct live_run *run, long i, uint8_t kind, const char *want, uint8_t flags)
{
	struct live_string s;

	cr_assert(live_string_at(run, (size_t)i, kind, &s), "no %s string before record %ld",
		  aa_string_kind_name(kind), i);
	cr_assert_eq(s.total_len, strlen(want), "%s: %u bytes recorded, the path has %zu", aa_string_kind_name(kind),
		     s.total_len, strlen(want));
	cr_assert_eq(s.orig_len, s.total_len);
	cr_assert_eq(s.flags, flags);
	cr_assert_eq(memcmp(s.data, want, s.total_len), 0, "%s: not the path byte for byte", aa_string_kind_name(kind));
	live_string_free(&s);
}

/* A record's path field holds the first 255 bytes of the path. */
static void expect_head(const uint8_t *field, const char *path)
{
	cr_assert_eq(strnlen((const char *)field, AA_PATH_MAX), AA_PATH_MAX - 1);
	cr_assert_eq(memcmp(field, path, AA_PATH_MAX - 1), 0);
}

static int open_long_and_short(void)
{
	got->ret[0] = syscall(SYS_openat, AT_FDCWD, deep_a.path, O_RDONLY | O_CLOEXEC);
	got->ret[1] = syscall(SYS_openat, AT_FDCWD, short_path, O_RDONLY | O_CLOEXEC);
	got->ret[2] = syscall(SYS_openat, AT_FDCWD, mid_a.path, O_RDONLY | O_CLOEXEC);
	got->ret[3] = syscall(SYS_openat, AT_FDCWD, mid_b.path, O_RDONLY | O_CLOEXEC);
	return 0;
}

/* The workload's first file record of this syscall, or -1. */
static long first_file(const struct live_run *run, uint32_t syscall)
{
	LIVE_FOREACH(run, k, e)
		if (e.type == AA_TYPE_FILE && e.file->syscall == syscall && e.file->pid == (uint32_t)run->pid)
			return (long)k;
	return -1;
}

/* The openat record of the workload whose path field starts as path does, or -1. */
static long find_openat(const struct live_run *run, const char *path)
{
	LIVE_FOREACH(run, k, e)
		if (e.type == AA_TYPE_FILE && e.file->syscall == AA_SYS_OPENAT && e.file->pid == (uint32_t)run->pid &&
		    !strncmp((const char *)e.file->path, path, AA_PATH_MAX - 1))
			return (long)k;
	return -1;
}

Test(live_paths, openat_of_a_400_byte_path_comes_whole, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = EVENTS_FILES };
	struct live_run run;
	struct live_string s;
	struct aa_event ev;
	long i;

	start();
	make_open_paths();
	live_run(&run, NULL, open_long_and_short, &o, -1);
	cr_assert_geq(got->ret[0], 0);

	i = find_openat(&run, deep_a.path);
	ev = rec_at(&run, i, "openat of the long path");
	cr_assert_eq(ev.file->return_code, got->ret[0]);
	expect_head(ev.file->path, deep_a.path);
	expect_whole(&run, i, AA_STRING_PATH, deep_a.path, 0);
	cr_assert(!live_string_at(&run, (size_t)i, AA_STRING_NEW_PATH, &s));

	/* The common case: a path that fits has no string record. */
	i = live_find_file(&run, (uint32_t)run.pid, AA_SYS_OPENAT, short_path);
	ev = rec_at(&run, i, "openat of the short path");
	cr_assert_eq(ev.file->return_code, got->ret[1]);
	cr_assert(!live_string_at(&run, (size_t)i, AA_STRING_PATH, &s), "a short path came as a string too");

	/* 255 bytes fit the field whole; 256 do not (both fail: ENOENT). */
	i = find_openat(&run, mid_a.path);
	ev = rec_at(&run, i, "openat of 255 bytes");
	cr_assert_eq(ev.file->return_code, -ENOENT);
	cr_assert_eq(got->ret[2], -1);
	cr_assert_str_eq((const char *)ev.file->path, mid_a.path);
	cr_assert(!live_string_at(&run, (size_t)i, AA_STRING_PATH, &s), "255 bytes came as a string too");
	i = find_openat(&run, mid_b.path);
	ev = rec_at(&run, i, "openat of 256 bytes");
	cr_assert_eq(ev.file->return_code, -ENOENT);
	expect_head(ev.file->path, mid_b.path);
	expect_whole(&run, i, AA_STRING_PATH, mid_b.path, 0);
	live_run_free(&run);
}

/* Without string in --events: the records as the seed had them, no string record. */
Test(live_paths, without_string_records_a_long_path_is_cut, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_FILEOP) |
					    AA_TYPE_BIT(AA_TYPE_EXIT) };
	struct live_run run;
	struct aa_event ev;

	start();
	make_open_paths();
	live_run(&run, NULL, open_long_and_short, &o, -1);
	cr_assert_eq(live_count_type(&run, AA_TYPE_STRING), 0);
	ev = rec_at(&run, find_openat(&run, deep_a.path), "openat of the long path");
	cr_assert_eq(ev.file->return_code, got->ret[0]);
	expect_head(ev.file->path, deep_a.path);
	ev = rec_at(&run, find_openat(&run, mid_b.path), "openat of 256 bytes");
	expect_head(ev.file->path, mid_b.path);
	live_run_free(&run);
}

static int rename_and_unlink(void)
{
	got->ret[0] = syscall(SYS_rename, deep_a.path, deep_b.path);
	got->ret[1] = syscall(SYS_unlink, deep_b.path);
	got->ret[2] = syscall(SYS_renameat2, AT_FDCWD, mid_a.path, AT_FDCWD, mid_b.path, (long)RENAME_NOREPLACE);
	return 0;
}

Test(live_paths, rename_and_unlink_of_300_byte_paths_come_whole, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = EVENTS_FILES };
	struct live_run run;
	struct aa_event ev;
	long i;

	start();
	deep_path_make(&deep_a, dir, 300, 120, 'o');
	deep_path_make(&deep_b, dir, 300, 120, 'n');
	deep_path_make(&mid_a, dir, 150, 120, 'O');
	deep_path_make(&mid_b, dir, 150, 120, 'N');
	cr_assert_eq(aat_write_file(deep_a.path, "x", 1), 0);
	cr_assert_eq(aat_write_file(mid_a.path, "x", 1), 0);
	live_run(&run, NULL, rename_and_unlink, &o, -1);
	cr_assert_eq(got->ret[0], 0);
	cr_assert_eq(got->ret[1], 0);
	cr_assert_eq(got->ret[2], 0);

	/* rename: "old\0new" cannot fit; the record keeps the old path's
	 * head, the strings hold both whole. */
	i = first_file(&run, AA_SYS_RENAME);
	ev = rec_at(&run, i, "rename");
	cr_assert_eq(ev.file->return_code, 0);
	expect_head(ev.file->path, deep_a.path);
	expect_whole(&run, i, AA_STRING_PATH, deep_a.path, 0);
	expect_whole(&run, i, AA_STRING_NEW_PATH, deep_b.path, 0);

	i = first_file(&run, AA_SYS_UNLINK);
	ev = rec_at(&run, i, "unlink");
	cr_assert_eq(ev.file->return_code, 0);
	expect_head(ev.file->path, deep_b.path);
	expect_whole(&run, i, AA_STRING_PATH, deep_b.path, 0);

	/* Two of 150 bytes: each fits, "old\0new" does not: the record has
	 * the old path whole, its NUL, as much of the new as fits; the
	 * strings have both whole. */
	i = live_find_file(&run, (uint32_t)run.pid, AA_SYS_RENAME, mid_a.path);
	ev = rec_at(&run, i, "renameat2");
	cr_assert_eq(ev.file->return_code, 0);
	cr_assert_eq(ev.file->flags, RENAME_NOREPLACE);
	cr_assert_eq(memcmp(ev.file->path + 151, mid_b.path, AA_PATH_MAX - 152), 0);
	cr_assert_eq(ev.file->path[AA_PATH_MAX - 1], 0);
	expect_whole(&run, i, AA_STRING_PATH, mid_a.path, 0);
	expect_whole(&run, i, AA_STRING_NEW_PATH, mid_b.path, 0);
	live_run_free(&run);
}

/* Through an fd opened relative to its directory: the program never
 * passes the long path, the kernel's dentries give it. */
static int write_read_deep(void)
{
	char buf[8];
	int fd = openat(deep_a.dirfd, deep_a.name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return 1;
	got->ret[0] = syscall(SYS_write, fd, "deep!", 5L);
	got->ret[1] = syscall(SYS_pread64, fd, buf, 4L, 1L);
	lseek(fd, 0, SEEK_SET);
	got->ret[2] = syscall(SYS_read, fd, buf, sizeof(buf));
	close(fd);
	return 0;
}

Test(live_paths, read_write_through_an_fd_of_a_4000_byte_path, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = EVENTS_FILES };
	struct live_run run;
	struct aa_event ev;
	int writes = 0, reads = 0;
	long i;

	start();
	deep_path_make(&deep_a, dir, 4000, 49, 'f'); /* 80 directories: deeper than the old 32 */
	live_run(&run, NULL, write_read_deep, &o, -1);
	cr_assert_eq(WEXITSTATUS(run.status), 0);

	LIVE_FOREACH(&run, k, e)
		if (e.type == AA_TYPE_FILE && e.file->pid == (uint32_t)run.pid &&
		    (e.file->syscall == AA_SYS_WRITE || e.file->syscall == AA_SYS_READ)) {
			int w = e.file->syscall == AA_SYS_WRITE;

			cr_assert_eq(e.file->return_code, got->ret[w ? 0 : 2]);
			expect_head(e.file->path, deep_a.path);
			expect_whole(&run, (long)k, AA_STRING_PATH, deep_a.path, 0);
			*(w ? &writes : &reads) += 1;
		}
	cr_assert_eq(writes, 1);
	cr_assert_eq(reads, 1);
	i = live_find_fileop(&run, (uint32_t)run.pid, AA_SYS_PREAD64, NULL);
	ev = rec_at(&run, i, "pread64");
	cr_assert_eq(ev.fileop->return_code, got->ret[1]);
	expect_head(ev.fileop->path, deep_a.path);
	expect_whole(&run, i, AA_STRING_PATH, deep_a.path, 0);
	live_run_free(&run);
}

static int write_past_path_max(void)
{
	int fd = openat(deep_a.dirfd, deep_a.name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return 1;
	got->ret[0] = syscall(SYS_write, fd, "far", 3L);
	close(fd);
	return 0;
}

/* Past PATH_MAX the walk keeps the end: the directories nearest the file
 * that fit in 4095 bytes, whole names only, with the real length. */
Test(live_paths, a_path_past_path_max_keeps_its_end_marked_cut, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = EVENTS_FILES };
	struct live_run run;
	struct live_string s;
	const char *tail;
	size_t len = 5000;
	long i;

	start();
	deep_path_make(&deep_a, dir, len, 49, 'f');
	tail = deep_a.path;
	while (strlen(tail) > 4095)
		tail = strchr(tail + 1, '/');
	live_run(&run, NULL, write_past_path_max, &o, -1);
	cr_assert_eq(WEXITSTATUS(run.status), 0);
	i = first_file(&run, AA_SYS_WRITE);
	cr_assert_geq(i, 0, "no write recorded");
	cr_assert(live_string_at(&run, (size_t)i, AA_STRING_PATH, &s));
	cr_assert_eq(s.flags, AA_STRING_TRUNCATED);
	cr_assert_eq(s.orig_len, len);
	cr_assert_str_eq((const char *)s.data, tail);
	expect_head(live_event(&run, (size_t)i).file->path, tail);
	live_string_free(&s);
	live_run_free(&run);
}

static int write_unlink_write(void)
{
	int fd = open(short_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return 1;
	got->ret[0] = syscall(SYS_write, fd, "a", 1L);
	got->ret[1] = syscall(SYS_unlink, short_path);
	got->ret[2] = syscall(SYS_write, fd, "bb", 2L);
	got->ret[3] = syscall(SYS_pwrite64, fd, "ccc", 3L, 5L);
	close(fd);
	return 0;
}

/* A write after unlink: the file record has a PATH string marked
 * unlinked (short as the path is), the fileop record its mark. */
Test(live_paths, a_write_after_unlink_is_marked, .timeout = 30, .init = setup, .fini = teardown)
{
	struct aa_live_opts o = { .events = EVENTS_FILES };
	struct live_run run;
	struct live_string s;
	struct aa_event ev;
	char *path;
	long first = -1, second = -1, i;

	start();
	path = short_path = aat_path(dir, "gone.txt");
	live_run(&run, NULL, write_unlink_write, &o, -1);
	cr_assert_eq(WEXITSTATUS(run.status), 0);
	cr_assert_eq(got->ret[1], 0);
	LIVE_FOREACH(&run, k, e)
		if (e.type == AA_TYPE_FILE && e.file->syscall == AA_SYS_WRITE && e.file->pid == (uint32_t)run.pid)
			*(first < 0 ? &first : &second) = (long)k;
	ev = rec_at(&run, first, "write before the unlink");
	cr_assert_eq(ev.file->return_code, 1);
	cr_assert_str_eq((const char *)ev.file->path, path);
	cr_assert(!live_string_at(&run, (size_t)first, AA_STRING_PATH, &s), "a linked file marked");

	ev = rec_at(&run, second, "write after the unlink");
	cr_assert_eq(ev.file->return_code, got->ret[2]);
	cr_assert_str_eq((const char *)ev.file->path, path);
	expect_whole(&run, second, AA_STRING_PATH, path, AA_STRING_UNLINKED);

	i = live_find_fileop(&run, (uint32_t)run.pid, AA_SYS_PWRITE64, path);
	ev = rec_at(&run, i, "pwrite64 after the unlink");
	cr_assert_eq(ev.fileop->return_code, got->ret[3]);
	cr_assert_eq(ev.fileop->marks, AA_MARK_UNLINKED);
	live_run_free(&run);
}
