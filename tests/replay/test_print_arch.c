/* SPDX-License-Identifier: MIT */
/*
 * Open flags read by the capturing machine's numbers: arm64 numbers
 * O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE otherwise than x86-64
 * (arch/arm64/include/uapi/asm/fcntl.h against asm-generic/fcntl.h), so a
 * record names its machine (aa_record.arch, its origin's META arch) and
 * `aa-replay cat` (text and JSON) names its flags by that machine's table:
 * in a file of one machine, in files of two read together, and in a merged
 * file holding both.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "aa_print.h"
#include "capio.h"
#include "evid.h"
#include "files.h"
#include "print_enc.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(print_arch);

#define WALL0 INT64_C(1795642201000000000) /* 2026-11-25T21:30:01Z at monotonic 0 */
#define TS 5000000ull

Test(print_arch, open_flags_by_the_machine_named)
{
	static const struct {
		const char *arch;
		uint32_t syscall, flags;
		const char *want;
	} cases[] = {
		{ "aarch64", AA_SYS_OPENAT, 040000, "O_RDONLY|O_DIRECTORY" },
		{ "aarch64", AA_SYS_OPENAT, 0100000, "O_RDONLY|O_NOFOLLOW" },
		{ "aarch64", AA_SYS_OPENAT, 0200001, "O_WRONLY|O_DIRECT" },
		{ "aarch64", AA_SYS_READ, 0400002, "O_RDWR|O_LARGEFILE" },
		{ "aarch64", AA_SYS_OPENAT, 020040002, "O_RDWR|O_TMPFILE" },
		/* x86's O_TMPFILE bits on arm64: O_DIRECT and __O_TMPFILE alone */
		{ "aarch64", AA_SYS_OPENAT, 020200002, "O_RDWR|O_DIRECT|0x400000" },
		{ "aarch64", AA_SYS_PREAD64, 0100000 | 02000000 | 0100 | 1,
		  "O_WRONLY|O_CREAT|O_NOFOLLOW|O_CLOEXEC" },
		{ "aarch64", AA_SYS_RENAME, 1, "RENAME_NOREPLACE" }, /* not open flags: the same */
		{ "armv7l", AA_SYS_OPENAT, 040000, "O_RDONLY|O_DIRECTORY" },
		{ "x86_64", AA_SYS_OPENAT, 040000, "O_RDONLY|O_DIRECT" },
		{ "x86_64", AA_SYS_OPENAT, 0200000, "O_RDONLY|O_DIRECTORY" },
		{ "x86_64", AA_SYS_OPENAT, 020200002, "O_RDWR|O_TMPFILE" },
		{ "", AA_SYS_OPENAT, 0400000, "O_RDONLY|O_NOFOLLOW" }, /* none named: asm-generic */
		{ "riscv64", AA_SYS_OPENAT, 0100000, "O_RDONLY|O_LARGEFILE" },
	};
	char buf[AA_FLAGS_BUF];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(aa_flags_names_arch(buf, cases[i].arch, cases[i].syscall, cases[i].flags),
				 cases[i].want, "%s flags %#o", cases[i].arch, cases[i].flags);
	/* this machine's numbers, for code that tests <fcntl.h>'s O_* */
	/* (glibc's O_LARGEFILE is 0 on a 64-bit machine: its bit written out) */
#if defined(__aarch64__) || defined(__arm__)
	cr_expect_eq(aa_open_flags_here("aarch64", 040000 | 0400000 | 0101), 040000 | 0400000 | 0101);
	cr_expect_eq(aa_open_flags_here("x86_64", 0200000 | 0100000 | 02000000), 040000 | 0400000 | 02000000);
#else
	cr_expect_eq(aa_open_flags_here("aarch64", 040000 | 0400000 | 0101), 0200000 | 0100000 | 0101);
	cr_expect_eq(aa_open_flags_here("x86_64", 0200000 | 0100000 | 02000000), 0200000 | 0100000 | 02000000);
#endif
	cr_expect_eq(aa_open_flags_here("aarch64", 0200000 | 0100000), O_DIRECT | O_NOFOLLOW);
	cr_expect_eq(aa_open_flags_here("x86_64", 0200000 | 0400000), O_DIRECTORY | O_NOFOLLOW);
	cr_expect_eq(aa_open_flags_here(NULL, 0123456), 0123456);
	/* NULL: this machine's (a live record) */
#if defined(__aarch64__) || defined(__arm__)
	cr_expect_str_eq(aa_flags_names_arch(buf, NULL, AA_SYS_OPENAT, 040000), "O_RDONLY|O_DIRECTORY");
#else
	cr_expect_str_eq(aa_flags_names_arch(buf, NULL, AA_SYS_OPENAT, 040000), "O_RDONLY|O_DIRECT");
#endif
}

/*
 * The records of one machine: a path string of pid 10 waits for its openat
 * (so that pid 20's openat, behind it, waits too: a copy of the record is
 * what comes out), then pid 10's openat, then a fileop pread64 of pid 20
 * on a file whose f_flags hold O_LARGEFILE's bit as arm64 numbers it.
 * write_machine: pid 20's flags are 040000 (arm64's O_DIRECTORY).
 */
static void write_machine_dir(const char *name, const char *host, const char *arch, uint8_t sess,
			      uint32_t dir_flags)
{
	uint8_t session[16] = { sess, 0x5a };
	struct aa_writer_opts o = { .mono_to_wall = WALL0, .hostname = host, .session = session,
				    .source = "test", .kernel = "6.1.0-test", .arch = arch };
	struct aa_file_event held = { .pid = 20, .tid = 20, .timestamp_ns = TS,
				      .syscall = AA_SYS_OPENAT, .flags = dir_flags, .return_code = 3 };
	struct aa_file_event mine = { .pid = 10, .tid = 10, .timestamp_ns = TS,
				      .syscall = AA_SYS_OPENAT, .flags = 0100000 | 02000000 | 0100 | 1,
				      .return_code = 4 };
	struct aa_fileop_event op = { .pid = 20, .tid = 20, .timestamp_ns = TS + 1000,
				      .syscall = AA_SYS_PREAD64, .flags = 0400002, .return_code = 9,
				      .offset = 0, .fd = 3 };
	struct aat_recs recs = { 0 };
	char *path = aat_path(dir, name);

	strcpy((char *)held.path, "/srv/dir");
	strcpy((char *)mine.path, "/srv/out");
	strcpy((char *)op.path, "/srv/data");
	aat_add_string(&recs, TS, 10, 10, AA_STRING_PATH, "/srv/out", 8, 8, 0);
	aat_recs_add(&recs, &held, sizeof(held));
	aat_recs_add(&recs, &mine, sizeof(mine));
	aat_recs_add(&recs, &op, sizeof(op));
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &o, 0, NULL), 0);
	aat_recs_free(&recs);
	free(path);
}

static void write_machine(const char *name, const char *host, const char *arch, uint8_t sess)
{
	write_machine_dir(name, host, arch, sess, 040000);
}

/* What aa-replay prints of the three records, by arm64's numbers or x86's. */
static const char *const arm_names[] = { "O_RDONLY|O_DIRECTORY", "O_WRONLY|O_CREAT|O_NOFOLLOW|O_CLOEXEC",
					 "O_RDWR|O_LARGEFILE" };
static const char *const x86_names[] = { "O_RDONLY|O_DIRECT", "O_WRONLY|O_CREAT|O_LARGEFILE|O_CLOEXEC",
					 "O_RDWR|O_NOFOLLOW" };

/* The line of out holding path, NUL-terminated in line. */
static void line_with(const char *out, const char *host, const char *path, char *line, size_t size)
{
	const char *p = out;

	for (;;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len < size) {
			memcpy(line, p, len);
			line[len] = 0;
			if (strstr(line, path) && (!host || strstr(line, host)))
				return;
		}
		cr_assert(end, "no line of %s with %s in:\n%s", host ? host : "the file", path, out);
		p = end + 1;
	}
}

/* Every record of host (NULL: the only one) in cat's output out names its
 * flags as names[] says: text (flags=...) or JSON ("flags_names":"..."). */
static void expect_names(const char *out, const char *host, const char *const names[3], int json)
{
	static const char *const paths[] = { "\"/srv/dir\"", "\"/srv/out\"", "\"/srv/data\"" };
	char line[2048], want[256];

	for (int i = 0; i < 3; i++) {
		line_with(out, host, paths[i], line, sizeof(line));
		snprintf(want, sizeof(want), json ? "\"flags_names\":\"%s\"" : " flags=%s ", names[i]);
		cr_expect(strstr(line, want), "%s: want %s in: %s", host ? host : "file", want, line);
	}
}

#define replay(out, ...) aat_replay_in(dir, out, sizeof(out), __VA_ARGS__)

Test(print_arch, a_file_of_arm64_and_one_of_x86)
{
	char out[16384];

	write_machine("arm.pcapng", "pi", "aarch64", 1);
	write_machine("x86.pcapng", "pc", "x86_64", 2);
	cr_assert_eq(replay(out, "cat arm.pcapng"), 0, "%s", out);
	expect_names(out, NULL, arm_names, 0);
	cr_assert_eq(replay(out, "cat --json arm.pcapng"), 0, "%s", out);
	expect_names(out, NULL, arm_names, 1);
	cr_assert_eq(replay(out, "cat x86.pcapng"), 0, "%s", out);
	expect_names(out, NULL, x86_names, 0);
	cr_assert_eq(replay(out, "cat --json x86.pcapng"), 0, "%s", out);
	expect_names(out, NULL, x86_names, 1);
	/* the pair read as one stream: each record by its own machine */
	cr_assert_eq(replay(out, "cat arm.pcapng x86.pcapng"), 0, "%s", out);
	expect_names(out, "pi ", arm_names, 0);
	expect_names(out, "pc ", x86_names, 0);
}

Test(print_arch, a_merged_file_of_both)
{
	char out[16384];

	write_machine("arm.pcapng", "pi", "aarch64", 1);
	write_machine("x86.pcapng", "pc", "x86_64", 2);
	cr_assert_eq(replay(out, "merge m.pcapng x86.pcapng arm.pcapng && \"$R\" cat m.pcapng"), 0,
		     "%s", out);
	expect_names(out, "pi ", arm_names, 0);
	expect_names(out, "pc ", x86_names, 0);
	cr_assert_eq(replay(out, "cat --json m.pcapng"), 0, "%s", out);
	expect_names(out, "\"host\":\"pi\"", arm_names, 1);
	expect_names(out, "\"host\":\"pc\"", x86_names, 1);
}

/* The library's record says it: arch from the origin's META, the
 * printers read it (a record of no META: this machine's numbers). */
Test(print_arch, the_record_names_its_machine)
{
	const char *paths[1];
	struct aa_replay_opts opts = { .fold = 1, .ordered = 1 };
	aa_source *src;
	const struct aa_record *rec;
	char *p;
	int n = 0, folded = 0;

	write_machine("arm.pcapng", "pi", "aarch64", 1);
	paths[0] = p = aat_path(dir, "arm.pcapng");
	cr_assert_eq(aa_open_offline(&src, paths, 1, &opts, NULL), 0);
	while (aa_next(src, &rec) == 1) {
		cr_assert_not_null(rec->arch);
		cr_expect_str_eq(rec->arch, "aarch64", "record %llu", (unsigned long long)rec->index);
		n++;
		folded += rec->folded;
	}
	cr_expect_eq(n, 4);
	cr_expect_eq(folded, 1); /* the string, in its openat */
	aa_close(src);
	free(p);
}

/* diff's "what happened" reads each file's open flags by its machine: the
 * same job on arm64 and on x86-64 opens the same directory. */
Test(print_arch, diff_reads_each_machine_by_its_numbers)
{
	char out[16384];

	write_machine_dir("arm.pcapng", "pi", "aarch64", 1, 040000);
	write_machine_dir("x86.pcapng", "pc", "x86_64", 2, 0200000);
	cr_assert_eq(replay(out, "diff --show arm.pcapng"), 0, "%s", out);
	cr_expect(strstr(out, "open \"/srv/dir\" O_RDONLY|O_DIRECTORY\n"), "%s", out);
	cr_assert_eq(replay(out, "diff --show x86.pcapng"), 0, "%s", out);
	cr_expect(strstr(out, "open \"/srv/dir\" O_RDONLY|O_DIRECTORY\n"), "%s", out);
	cr_expect_eq(replay(out, "diff arm.pcapng x86.pcapng"), 0, "%s", out);
}
