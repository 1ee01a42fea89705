/* SPDX-License-Identifier: MIT */
/*
 * Hostile block structure: lengths that point past the end, trailing
 * lengths that differ, impossible lengths, huge blocks of other types, and
 * chunk headers that lie about their sizes with a crc32 made right so the
 * lie gets past it. Each must give its own AA_E_* at the block's offset,
 * deliver only the good records before it, and allocate nothing out of
 * bound; with skip_damaged, reading finds every later good chunk.
 */
#include "hostile_build.h"

#include "blocks.h"
#include "gen.h"

static struct aat_recs recs;
static uint8_t *orig;
static size_t size;
static struct aat_block *blocks;
static long nblocks;
static long victim; /* a RECORDS chunk block in the middle of the file */

/* ~40 records in chunks of at most 2 KiB: 8+ record chunks. */
static void setup(void)
{
	hb_setup();
	memset(&recs, 0, sizeof(recs));
	aat_mix(4242, 40, 700, &recs, NULL);
	struct aa_writer_opts wo = {.chunk_raw_max = 2048};
	cr_assert_eq(aat_write_capture(hb_path, &recs, 0, recs.n, &wo, 5, NULL), 0);
	cr_assert_eq(aat_read_file(hb_path, &orig, &size), 0);
	nblocks = aat_blocks(orig, size, &blocks);
	long rec_chunks = 0;
	victim = -1;
	for (long i = 0; i < nblocks; i++)
		if (blocks[i].kind == AA_CHUNK_RECORDS && ++rec_chunks == 3)
			victim = i;
	cr_assert_gt(victim, 0);
	cr_assert_geq(rec_chunks, 6);
}

static void teardown(void)
{
	free(blocks);
	free(orig);
	aat_recs_free(&recs);
	hb_teardown();
}

TestSuite(hostile_blocks, .init = setup, .fini = teardown);

/* Records in the record chunks before block i. */
static uint64_t records_before(long i)
{
	uint64_t n = 0;
	for (long k = 0; k < i; k++)
		if (blocks[k].kind == AA_CHUNK_RECORDS)
			n += blocks[k].records;
	return n;
}

/* Writes a copy of the file changed by edit (at the victim block), reads it. */
static struct hb_result read_edited(void (*edit)(uint8_t *f, const struct aat_block *b, uint32_t v),
				    uint32_t v, int skip)
{
	uint8_t *f = malloc(size);
	memcpy(f, orig, size);
	edit(f, &blocks[victim], v);
	cr_assert_eq(aat_write_file(hb_path, f, size), 0);
	free(f);
	return hb_read_watched(hb_path, skip);
}

/* The file as read_edited left it, read again from a pipe: the same as by path. */
static void expect_same_from_a_pipe(const struct hb_result *by_path, uint32_t v, int skip)
{
	struct hb_result r = hb_read_watched_as(hb_path, skip, 1);
	cr_expect_eq(r.rc, by_path->rc, "value 0x%x, pipe: %s, by path %s", v, aa_error_name(r.rc),
		     aa_error_name(by_path->rc));
	cr_expect_eq(r.records, by_path->records, "value 0x%x, pipe: %llu records, by path %llu", v,
		     (unsigned long long)r.records, (unsigned long long)by_path->records);
	cr_expect_eq(r.damaged, by_path->damaged, "value 0x%x, pipe: %llu damaged, by path %llu", v,
		     (unsigned long long)r.damaged, (unsigned long long)by_path->damaged);
	cr_expect_eq(r.offset, by_path->offset, "value 0x%x, pipe: offset %lld", v,
		     (long long)r.offset);
}

/* Stops at the victim with code; with skip_damaged, every other chunk's records are read,
 * from a pipe as from the file. */
static void expect_stop(void (*edit)(uint8_t *, const struct aat_block *, uint32_t), uint32_t v,
			int code)
{
	struct hb_result r = read_edited(edit, v, 0);
	cr_expect_eq(r.rc, code, "value 0x%x: %s, want %s", v, aa_error_name(r.rc),
		     aa_error_name(code));
	cr_expect_eq(r.offset, (int64_t)blocks[victim].off, "value 0x%x: offset %lld", v,
		     (long long)r.offset);
	cr_expect_eq(r.records, records_before(victim), "value 0x%x: %llu records", v,
		     (unsigned long long)r.records);
	expect_same_from_a_pipe(&r, v, 0);
	r = read_edited(edit, v, 1);
	cr_expect_eq(r.rc, 0, "value 0x%x, skipping: %s", v, aa_error_name(r.rc));
	cr_expect_eq(r.records, recs.n - blocks[victim].records, "value 0x%x, skipping: %llu records",
		     v, (unsigned long long)r.records);
	cr_expect_geq(r.damaged, 1);
	expect_same_from_a_pipe(&r, v, 1);
}

static void set_len(uint8_t *f, const struct aat_block *b, uint32_t v)
{
	aat_put_le32(f + b->off + 4, v);
}

static void set_trailing_len(uint8_t *f, const struct aat_block *b, uint32_t v)
{
	aat_put_le32(f + b->off + b->len - 4, v);
}

Test(hostile_blocks, length_past_the_end_of_the_file)
{
	uint32_t past = (uint32_t)((size - blocks[victim].off + 4 + 3) & ~(size_t)3);
	expect_stop(set_len, past, AA_E_TRUNCATED);
}

Test(hostile_blocks, length_of_the_last_block_past_the_end)
{
	long last = nblocks - 1;
	uint8_t *f = malloc(size);
	memcpy(f, orig, size);
	aat_put_le32(f + blocks[last].off + 4, (uint32_t)blocks[last].len + 4);
	cr_assert_eq(aat_write_file(hb_path, f, size), 0);
	free(f);
	struct hb_result r = hb_read_watched(hb_path, 0);
	cr_expect_eq(r.rc, AA_E_TRUNCATED, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)blocks[last].off);
	cr_expect_eq(r.records, recs.n);
}

Test(hostile_blocks, length_into_the_next_block)
{
	/* the trailing length is then read from inside the next block */
	expect_stop(set_len, (uint32_t)blocks[victim].len + 8, AA_E_BLOCK);
}

Test(hostile_blocks, trailing_length_differs)
{
	expect_stop(set_trailing_len, (uint32_t)blocks[victim].len + 4, AA_E_BLOCK);
	expect_stop(set_trailing_len, 0, AA_E_BLOCK);
}

Test(hostile_blocks, impossible_lengths)
{
	const uint32_t lens[] = {0, 4, 8, 13, 0xFFFFFFFCu, 0x80000000u, AA_BLOCK_MAX + 4};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		expect_stop(set_len, lens[i], AA_E_BLOCK);
}

Test(hostile_blocks, section_header_length_impossible)
{
	const uint32_t lens[] = {0, 4, 8, 0xFFFFFFFCu};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *f = malloc(size);
		memcpy(f, orig, size);
		aat_put_le32(f + 4, lens[i]);
		cr_assert_eq(aat_write_file(hb_path, f, size), 0);
		free(f);
		struct hb_result r = hb_read_watched(hb_path, 0);
		cr_expect_eq(r.rc, AA_E_BLOCK, "0x%x: %s", lens[i], aa_error_name(r.rc));
		cr_expect_eq(r.offset, 0);
		cr_expect_eq(r.records, 0);
	}
}

/* A block of a type this toolkit does not write, appended after END. */
static struct hb_result with_foreign_block(uint32_t len, size_t present)
{
	uint8_t *f = calloc(1, size + 8 + present);
	memcpy(f, orig, size);
	aat_put_le32(f + size, 0x00000BADu);
	aat_put_le32(f + size + 4, len);
	cr_assert_eq(aat_write_file(hb_path, f, size + 8 + present), 0);
	free(f);
	return hb_read_watched(hb_path, 0);
}

Test(hostile_blocks, foreign_block_past_the_end)
{
	struct hb_result r = with_foreign_block(1u << 20, 1000);
	cr_expect_eq(r.rc, AA_E_TRUNCATED, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)size);
	cr_expect_eq(r.records, recs.n);
}

Test(hostile_blocks, foreign_block_over_16_mib)
{
	struct hb_result r = with_foreign_block(0xFFFFFFF0u, 64);
	cr_expect_eq(r.rc, AA_E_BLOCK, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)size);
	r = with_foreign_block((16u << 20) + 4, 64);
	cr_expect_eq(r.rc, AA_E_BLOCK, "%s", aa_error_name(r.rc));
}

/* Header edits with the crc32 made right again, so that the lie is what gets caught. */
static uint32_t lie_field;

static void add_to_field(uint8_t *f, const struct aat_block *b, uint32_t delta)
{
	uint8_t *c = f + b->data_off;
	aat_put_le32(c + lie_field, aat_le32(c + lie_field) + delta);
	hb_refix_crc(f, b->off);
}

static void lie(uint32_t field, int32_t delta, int code)
{
	lie_field = field;
	expect_stop(add_to_field, (uint32_t)delta, code);
}

Test(hostile_blocks, stored_length_lies)
{
	lie(AA_CH_STORED_LEN, 4, AA_E_CHUNK);
	lie(AA_CH_STORED_LEN, -4, AA_E_CHUNK);
	lie(AA_CH_STORED_LEN, -(int32_t)blocks[victim].data_len, AA_E_CHUNK);
}

Test(hostile_blocks, raw_length_lies)
{
	/* smaller or larger than the frame's own content size: refused before decoding */
	lie(AA_CH_RAW_LEN, -8, AA_E_ZSTD);
	lie(AA_CH_RAW_LEN, 8, AA_E_ZSTD);
	/* over what any chunk may hold */
	lie(AA_CH_RAW_LEN, AA_CHUNK_RAW_MAX, AA_E_CHUNK);
	lie(AA_CH_RAW_LEN, 0x7FFFFFF0, AA_E_CHUNK);
}

/* A transformed chunk (encoding 1, every RECORDS chunk the writer makes)
 * takes its record count as part of its layout: a count that lies makes the
 * transformed records not undo, so the whole chunk is damaged and none of
 * its records are handed out (a plain chunk's framing keeps those before
 * the point where the count and the frames disagree). */
Test(hostile_blocks, record_count_lies)
{
	cr_assert_eq(orig[blocks[victim].data_off + AA_CH_ENCODING], AA_ENC_XFORM);
	for (int32_t delta = -1; delta <= 1; delta += 2) {
		lie_field = AA_CH_RECORDS;
		struct hb_result r = read_edited(add_to_field, (uint32_t)delta, 0);
		cr_assert_eq(r.rc, AA_E_ZSTD, "%+d: %s", delta, aa_error_name(r.rc));
		cr_assert_eq(r.chunk, (int64_t)blocks[victim].index);
		cr_assert_eq(r.records, records_before(victim), "%+d: %llu records", delta,
			     (unsigned long long)r.records);
		cr_assert_eq(r.offset, (int64_t)blocks[victim].off); /* B2 */
		r = read_edited(add_to_field, (uint32_t)delta, 1);
		cr_assert_eq(r.rc, 0);
		cr_assert_eq(r.records, recs.n - blocks[victim].records);
		cr_assert_eq(r.damaged, 1);
	}
}

static void set_byte(uint8_t *f, const struct aat_block *b, uint32_t at_v)
{
	f[b->data_off + (at_v >> 8)] = (uint8_t)at_v;
	hb_refix_crc(f, b->off);
}

Test(hostile_blocks, chunk_header_fields_wrong)
{
	expect_stop(set_byte, AA_CH_VERSION << 8 | 3, AA_E_CHUNK);
	/* a transformed chunk called plain (version 1): byte 56 is then reserved */
	expect_stop(set_byte, AA_CH_VERSION << 8 | 1, AA_E_CHUNK);
	expect_stop(set_byte, AA_CH_KIND << 8 | 0, AA_E_CHUNK);
	expect_stop(set_byte, AA_CH_KIND << 8 | 5, AA_E_CHUNK);
	expect_stop(set_byte, AA_CH_HEADER_LEN << 8 | 32, AA_E_CHUNK);
	expect_stop(set_byte, AA_CH_ENCODING << 8 | 2, AA_E_CHUNK);
	expect_stop(set_byte, (AA_CH_ENCODING + 1) << 8 | 1, AA_E_CHUNK);
	expect_stop(set_byte, (AA_CH_ENCODING + 3) << 8 | 0x80, AA_E_CHUNK);
	expect_stop(set_byte, AA_CH_MAGIC << 8 | 'X', AA_E_CHUNK);
}

static void set_epb_field(uint8_t *f, const struct aat_block *b, uint32_t at_v)
{
	f[b->off + (at_v >> 8)] ^= (uint8_t)at_v;
}

Test(hostile_blocks, packet_fields_wrong)
{
	expect_stop(set_epb_field, 8 << 8 | 1, AA_E_CHUNK);  /* interface 1 */
	expect_stop(set_epb_field, 16 << 8 | 1, AA_E_CHUNK); /* time stamp is not written_ns */
	expect_stop(set_epb_field, 24 << 8 | 4, AA_E_CHUNK); /* original length differs */
}

Test(hostile_blocks, chunk_crc_wrong)
{
	expect_stop(set_epb_field, (AA_EPB_HEAD + AA_CH_CRC) << 8 | 0x80, AA_E_CHECKSUM);
	expect_stop(set_epb_field, (AA_EPB_HEAD + AA_CHUNK_HEADER_SIZE + 3) << 8 | 0x01,
		    AA_E_CHECKSUM);
}

Test(hostile_blocks, chunk_number_skips)
{
	/* the chunk that follows a gap is itself good: reported, then its records are read */
	lie_field = AA_CH_INDEX;
	struct hb_result r = read_edited(add_to_field, 1, 0);
	cr_expect_eq(r.rc, AA_E_SEQUENCE, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)blocks[victim].off);
	r = read_edited(add_to_field, 1, 1);
	cr_expect_eq(r.rc, 0);
	cr_expect_eq(r.records, recs.n);
	cr_expect_geq(r.damaged, 1);
}
