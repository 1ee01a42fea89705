/* SPDX-License-Identifier: MIT */
/*
 * Hostile files through the command line: `aa-replay verify` exits 2 for a
 * file that is not a capture file or cannot be read, 1 for a damaged one,
 * and says why in exactly one line on stderr naming the file and, where
 * there is one, the byte offset.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"

static char *dir, *good, *bad, *prog;
static uint8_t *file;
static size_t size;
static struct aat_block *blocks;
static long nblocks;

static void setup(void)
{
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
	good = aat_path(dir, "good.pcapng");
	bad = aat_path(dir, "bad file.pcapng"); /* a space, as names have */
	prog = aat_build_path("aa-replay");
	struct aat_recs recs = {0};
	aat_mix(9, 30, 600, &recs, NULL);
	struct aa_writer_opts wo = {.chunk_raw_max = 2048};
	cr_assert_eq(aat_write_capture(good, &recs, 0, recs.n, &wo, 5, NULL), 0);
	aat_recs_free(&recs);
	cr_assert_eq(aat_read_file(good, &file, &size), 0);
	nblocks = aat_blocks(file, size, &blocks);
	cr_assert_gt(nblocks, 6);
}

static void teardown(void)
{
	free(blocks);
	free(file);
	free(good);
	free(bad);
	free(prog);
	aat_tmpdir_remove(dir);
}

TestSuite(hostile_cli, .init = setup, .fini = teardown);

/* Runs verify on path; returns its exit status with its stderr in err. */
static int verify(const char *path, char *err, size_t size)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' verify -q '%s' 2>&1 >/dev/null", prog, path);
	return aat_run(cmd, err, size);
}

/* One line, naming the file and (offset >= 0) "offset N". */
static void expect_one_line(const char *err, const char *path, long long offset)
{
	const char *nl = strchr(err, '\n');
	cr_expect(nl && nl[1] == 0, "not one line: [%s]", err);
	cr_expect(strstr(err, path) != NULL, "file not named: [%s]", err);
	if (offset >= 0) {
		char at[48];
		snprintf(at, sizeof(at), "offset %lld:", offset);
		cr_expect(strstr(err, at) != NULL, "no \"%s\" in [%s]", at, err);
	}
}

Test(hostile_cli, intact_file_is_silent)
{
	char err[1024];
	cr_expect_eq(verify(good, err, sizeof(err)), 0);
	cr_expect_str_empty(err);
}

Test(hostile_cli, not_a_capture_file_exits_2)
{
	char err[1024];
	const char *text = "just some text\n";
	const uint8_t pcap[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
	struct {
		const void *data;
		size_t n;
	} cases[] = {{"", 0}, {text, strlen(text)}, {pcap, sizeof(pcap)}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(aat_write_file(bad, cases[i].data, cases[i].n), 0);
		cr_expect_eq(verify(bad, err, sizeof(err)), 2, "case %zu", i);
		expect_one_line(err, bad, 0);
	}
}

Test(hostile_cli, unreadable_exits_2)
{
	char err[1024];
	char *missing = aat_path(dir, "missing.pcapng");
	cr_expect_eq(verify(missing, err, sizeof(err)), 2);
	expect_one_line(err, missing, -1);
	cr_expect_eq(verify(dir, err, sizeof(err)), 2, "a directory");
	expect_one_line(err, dir, -1);
	free(missing);
}

/* The first RECORDS chunk after the first two. */
static long third_records_chunk(void)
{
	long seen = 0;
	for (long i = 0; i < nblocks; i++)
		if (blocks[i].kind == AA_CHUNK_RECORDS && ++seen == 3)
			return i;
	cr_assert_fail("no third records chunk");
	return -1;
}

Test(hostile_cli, damaged_chunk_exits_1)
{
	char err[1024];
	long v = third_records_chunk();
	uint8_t *f = malloc(size);
	memcpy(f, file, size);
	f[blocks[v].data_off + AA_CHUNK_HEADER_SIZE + 2] ^= 0x10;
	cr_assert_eq(aat_write_file(bad, f, size), 0);
	cr_expect_eq(verify(bad, err, sizeof(err)), 1);
	expect_one_line(err, bad, (long long)blocks[v].off);
	free(f);
}

Test(hostile_cli, impossible_block_length_exits_1)
{
	char err[1024];
	long v = third_records_chunk();
	uint8_t *f = malloc(size);
	memcpy(f, file, size);
	aat_put_le32(f + blocks[v].off + 4, 0xFFFFFFFCu);
	cr_assert_eq(aat_write_file(bad, f, size), 0);
	cr_expect_eq(verify(bad, err, sizeof(err)), 1);
	free(f);
	/* one line: the chunk found after the lost block is not reported again (B6) */
	expect_one_line(err, bad, (long long)blocks[v].off);
}

Test(hostile_cli, cut_inside_a_block_exits_1)
{
	char err[1024];
	long v = third_records_chunk();
	cr_assert_eq(aat_write_file(bad, file, blocks[v].off + blocks[v].len / 2), 0);
	cr_expect_eq(verify(bad, err, sizeof(err)), 1);
	expect_one_line(err, bad, (long long)blocks[v].off);
}
