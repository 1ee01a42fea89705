/* SPDX-License-Identifier: MIT */
/*
 * Crash safety and damage detection on a small file of several chunks: a
 * copy cut at every byte reads exactly the records of its complete chunks
 * and then says why it stopped; a flipped bit anywhere in a chunk's block is
 * detected, and no damaged record is ever delivered.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"

static char *dir, *orig_path, *cut_path;
static struct aat_recs recs;
static uint8_t *file;
static size_t size;
static struct aat_block *blocks;
static long nblocks;

/* ~40 records in chunks of at most 2 KiB, flushed every 6 records: a few KiB, 8+ chunks. */
static void setup(void)
{
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
	orig_path = aat_path(dir, "orig.pcapng");
	cut_path = aat_path(dir, "cut.pcapng");
	memset(&recs, 0, sizeof(recs));
	aat_mix(31337, 40, 800, &recs, NULL);
	struct aa_writer_opts wo = {.chunk_raw_max = 2048};
	cr_assert_eq(aat_write_capture(orig_path, &recs, 0, recs.n, &wo, 6, NULL), 0);
	cr_assert_eq(aat_read_file(orig_path, &file, &size), 0);
	nblocks = aat_blocks(file, size, &blocks);
	cr_assert_gt(nblocks, 0);
	cr_assert_eq(blocks[nblocks - 1].off + blocks[nblocks - 1].len, size);
}

static void teardown(void)
{
	free(blocks);
	free(file);
	aat_recs_free(&recs);
	free(orig_path);
	free(cut_path);
	aat_tmpdir_remove(dir);
}

TestSuite(damage, .init = setup, .fini = teardown);

/* The records of the record chunks that end within the first len bytes. */
static size_t records_within(size_t len)
{
	size_t n = 0;
	for (long i = 0; i < nblocks; i++)
		if (blocks[i].kind == AA_CHUNK_RECORDS && blocks[i].off + blocks[i].len <= len)
			n += blocks[i].records;
	return n;
}

static int at_block_boundary(size_t len)
{
	for (long i = 0; i < nblocks; i++)
		if (blocks[i].off + blocks[i].len == len)
			return 1;
	return 0;
}

/* Reads path; checks that what came out is a prefix of recs. Returns how reading ended. */
static int read_prefix(const char *path, size_t *got, struct aa_source_stats *st)
{
	struct aat_recs back = {0};
	int rc = aat_read_capture(path, NULL, &back, st, NULL);
	for (size_t i = 0; i < back.n; i++) {
		cr_assert_lt(i, recs.n, "more records than were written");
		cr_assert(back.len[i] == recs.len[i] &&
				  memcmp(aat_recs_at(&back, i), aat_recs_at(&recs, i), recs.len[i]) == 0,
			  "record %zu delivered damaged", i);
	}
	*got = back.n;
	aat_recs_free(&back);
	return rc;
}

Test(damage, the_file_has_several_chunks)
{
	size_t chunks = 0;
	for (long i = 0; i < nblocks; i++)
		chunks += blocks[i].kind == AA_CHUNK_RECORDS;
	cr_expect_geq(chunks, 7, "%zu record chunks", chunks);
	cr_expect_leq(size, 32768, "%zu bytes", size);
	size_t got;
	struct aa_source_stats st;
	cr_assert_eq(read_prefix(orig_path, &got, &st), 0);
	cr_expect_eq(got, recs.n);
	cr_expect_eq(st.intact, 1);
}

Test(damage, cut_at_every_byte, .timeout = 300)
{
	size_t meta_end = 0; /* the file is usable once its META chunk is whole */
	for (long i = 0; i < nblocks && !meta_end; i++)
		if (blocks[i].kind == AA_CHUNK_META)
			meta_end = blocks[i].off + blocks[i].len;
	cr_assert_gt(meta_end, 0);
	/* One copy, cut shorter and shorter: cheaper than writing each prefix. */
	cr_assert_eq(aat_write_file(cut_path, file, size), 0);
	int fd = open(cut_path, O_WRONLY);
	cr_assert_geq(fd, 0);
	for (size_t n = size; n-- > 0;) {
		size_t len = n;
		cr_assert_eq(ftruncate(fd, (off_t)len), 0);
		size_t got;
		struct aa_source_stats st;
		int rc = read_prefix(cut_path, &got, &st);
		cr_assert_eq(got, records_within(len), "cut at %zu: %zu records, want %zu", len, got,
			     records_within(len));
		cr_assert_eq(st.intact, 0, "cut at %zu of %zu: intact", len, size);
		if (len < meta_end) {
			cr_assert_lt(rc, 0, "cut at %zu: no error", len);
			continue;
		}
		int want = at_block_boundary(len) ? AA_E_UNCLOSED : AA_E_TRUNCATED;
		cr_assert_eq(rc, want, "cut at %zu: %s, want %s", len, aa_error_name(rc),
			     aa_error_name(want));
	}
	close(fd);
}

/* Every bit 0 and bit 7 of every byte of every chunk block (records, META, stats, END). */
Test(damage, flipped_byte_in_any_chunk_block, .timeout = 300)
{
	static const uint8_t masks[] = {0x01, 0x80};
	size_t tried = 0;
	/* One copy, each byte flipped in place and put back. */
	cr_assert_eq(aat_write_file(cut_path, file, size), 0);
	int fd = open(cut_path, O_WRONLY);
	cr_assert_geq(fd, 0);
	for (long b = 0; b < nblocks; b++) {
		if (!blocks[b].kind)
			continue;
		for (size_t p = blocks[b].off; p < blocks[b].off + blocks[b].len; p++)
			for (int m = 0; m < 2; m++) {
				uint8_t flipped = file[p] ^ masks[m];
				cr_assert_eq(pwrite(fd, &flipped, 1, (off_t)p), 1);
				size_t got;
				struct aa_source_stats st;
				int rc = read_prefix(cut_path, &got, &st);
				cr_assert(rc < 0 || st.intact == 0,
					  "byte %zu (block %ld, chunk kind %d, +%zu) ^ 0x%02x: not detected",
					  p, b, blocks[b].kind, p - blocks[b].off, masks[m]);
				cr_assert_eq(pwrite(fd, &file[p], 1, (off_t)p), 1);
				tried++;
			}
	}
	close(fd);
	cr_expect_gt(tried, 4000);
}

/* A damaged chunk is reported with the file, its block's offset and its number. */
Test(damage, error_says_where)
{
	for (long b = 0; b < nblocks; b++) {
		if (blocks[b].kind != AA_CHUNK_RECORDS)
			continue;
		size_t p = blocks[b].data_off + AA_CHUNK_HEADER_SIZE + 3; /* inside the zstd frame */
		file[p] ^= 0x10;
		cr_assert_eq(aat_write_file(cut_path, file, size), 0);
		file[p] ^= 0x10;
		struct aat_recs back = {0};
		struct aa_source_stats st;
		struct aa_error_info err;
		int rc = aat_read_capture(cut_path, NULL, &back, &st, &err);
		cr_expect_eq(rc, AA_E_CHECKSUM, "chunk %u: %s", blocks[b].index, aa_error_name(rc));
		cr_expect_eq(err.code, rc);
		cr_expect_eq(back.n, blocks[b].first_record, "the records before the damage are read");
		cr_expect_eq(err.offset, (int64_t)blocks[b].off, "chunk %u: offset %lld, want %zu",
			     blocks[b].index, (long long)err.offset, blocks[b].off);
		cr_expect_eq(err.chunk, blocks[b].index);
		cr_assert_not_null(err.path);
		cr_expect_str_eq(err.path, cut_path);
		char line[512], want[64];
		aa_error_format(&err, line, sizeof(line));
		snprintf(want, sizeof(want), "offset %zu", blocks[b].off);
		cr_expect(strstr(line, cut_path) && strstr(line, want), "%s", line);
		snprintf(want, sizeof(want), "chunk %u", blocks[b].index);
		cr_expect(strstr(line, want), "%s", line);
		aat_recs_free(&back);
	}
}

struct damage_log {
	int calls;
	struct aa_error_info first;
};

static void on_damage(void *user, const struct aa_error_info *err)
{
	struct damage_log *d = user;
	if (d->calls++ == 0)
		d->first = *err;
}

/* skip_damaged: every other chunk's records come, the damaged one is reported once. */
Test(damage, skip_damaged_chunk)
{
	for (long b = 0; b < nblocks; b++) {
		if (blocks[b].kind != AA_CHUNK_RECORDS)
			continue;
		size_t p = blocks[b].data_off + AA_CHUNK_HEADER_SIZE + 5;
		file[p] ^= 0x04;
		cr_assert_eq(aat_write_file(cut_path, file, size), 0);
		file[p] ^= 0x04;
		struct damage_log log = {0};
		struct aa_replay_opts opts = {.skip_damaged = 1, .on_damage = on_damage, .user = &log};
		struct aat_recs back = {0}, want = {0};
		struct aa_source_stats st;
		int rc = aat_read_capture(cut_path, &opts, &back, &st, NULL);
		cr_expect_eq(rc, 0, "chunk %u: %s", blocks[b].index, aa_error_name(rc));
		for (size_t i = 0; i < recs.n; i++)
			if (i < blocks[b].first_record || i >= blocks[b].first_record + blocks[b].records)
				aat_recs_add(&want, aat_recs_at(&recs, i), recs.len[i]);
		cr_expect_eq(aat_recs_diff(&want, &back), -1, "chunk %u skipped: %zu records, want %zu",
			     blocks[b].index, back.n, want.n);
		cr_expect_eq(log.calls, 1, "chunk %u: on_damage called %d times", blocks[b].index,
			     log.calls);
		cr_expect_eq(log.first.code, AA_E_CHECKSUM);
		cr_expect_eq(log.first.chunk, blocks[b].index);
		cr_expect_eq(log.first.offset, (int64_t)blocks[b].off);
		cr_expect_eq(st.damaged, 1);
		cr_expect_eq(st.intact, 0);
		aat_recs_free(&back);
		aat_recs_free(&want);
	}
}
