/* SPDX-License-Identifier: MIT */
/*
 * Hostile chunk contents: zstd frames that would expand far beyond a chunk
 * (refused before any allocation), frames without a content size, with
 * bytes after them, cut short or with a wrong checksum; records of every
 * size a chunk can hold; and frames of records that do not fit together.
 */
#include <inttypes.h>

#include "hostile_build.h"

TestSuite(hostile_chunks, .init = hb_setup, .fini = hb_teardown);

/*
 * A genuine zstd frame of RLE blocks that decodes to `content` bytes of 'A'
 * and declares `declared` bytes (no content size field when declared is 0):
 * a few bytes per 128 KiB, so 1 GiB fits easily in one chunk.
 */
static size_t rle_frame(uint8_t *out, uint64_t content, uint64_t declared)
{
	size_t n = 0;
	aa_put32(out, 0xFD2FB528u);
	n += 4;
	if (declared) {
		out[n++] = 0xC0 | 0x20; /* 8-byte content size, single segment */
		aa_put64(out + n, declared);
		n += 8;
	} else {
		out[n++] = 0x00; /* no content size */
		out[n++] = 7 << 3; /* window 2^(10+7) = 128 KiB */
	}
	while (content) {
		uint32_t s = content < (128u << 10) ? (uint32_t)content : 128u << 10;
		content -= s;
		uint32_t h = s << 3 | 1u << 1 | (content == 0); /* RLE block, last? */
		out[n++] = (uint8_t)h;
		out[n++] = (uint8_t)(h >> 8);
		out[n++] = (uint8_t)(h >> 16);
		out[n++] = 'A';
	}
	return n;
}

#define GIB (1ull << 30)

Test(hostile_chunks, bomb_frame_is_what_it_claims)
{
	uint8_t *frame = malloc(64 << 10);
	size_t n = rle_frame(frame, GIB, GIB);
	cr_assert_lt(n, AA_CHUNK_STORED_MAX);
	cr_assert_eq(ZSTD_getFrameContentSize(frame, n), GIB);
	cr_assert_eq(ZSTD_findFrameCompressedSize(frame, n), n);
	/* and the construction really decodes: the same at 4 MiB */
	n = rle_frame(frame, 4u << 20, 4u << 20);
	uint8_t *out = malloc(4u << 20);
	cr_assert_eq(ZSTD_decompress(out, 4u << 20, frame, n), 4u << 20);
	cr_assert(out[0] == 'A' && out[(4u << 20) - 1] == 'A');
	free(out);
	free(frame);
}

/* A file whose second chunk is this zstd frame under this header. */
static struct hb_result read_frame(const uint8_t *frame, size_t n, uint32_t raw_len,
				   size_t *chunk_off)
{
	struct hb f = {0};
	hb_head(&f);
	*chunk_off = hb_raw_chunk(&f, AA_CHUNK_RECORDS, 1, 1, raw_len, (uint32_t)n, frame, n);
	hb_save(&f);
	return hb_read_watched(hb_path, 0);
}

Test(hostile_chunks, frame_declaring_1_gib_in_a_small_chunk)
{
	uint8_t *frame = malloc(64 << 10);
	size_t n = rle_frame(frame, GIB, GIB), at;
	struct hb_result r = read_frame(frame, n, 1000, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)at);
	cr_expect_eq(r.chunk, 1);
	free(frame);
}

Test(hostile_chunks, chunk_declaring_1_gib)
{
	uint8_t *frame = malloc(64 << 10);
	size_t n = rle_frame(frame, GIB, GIB), at;
	struct hb_result r = read_frame(frame, n, (uint32_t)GIB, &at);
	cr_expect_eq(r.rc, AA_E_CHUNK, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)at);
	free(frame);
}

Test(hostile_chunks, frame_longer_than_it_declares)
{
	/* declares exactly the chunk's raw_len, then goes on for another MiB */
	uint8_t *frame = malloc(64 << 10);
	size_t n = rle_frame(frame, AA_CHUNK_RAW_MAX + (1u << 20), AA_CHUNK_RAW_MAX), at;
	struct hb_result r = read_frame(frame, n, AA_CHUNK_RAW_MAX, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)at);
	cr_expect_eq(r.records, 0);
	free(frame);
}

/* A real frame of one framed 8-byte record, compressed by zstd with these settings. */
static size_t real_frame(uint8_t *out, size_t cap, int content_size, int checksum)
{
	uint8_t raw[16];
	const uint32_t len = 8;
	size_t raw_len = hb_frames(raw, &len, 1);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum);
	ZSTD_outBuffer o = {out, cap, 0};
	ZSTD_inBuffer in = {raw, raw_len, 0};
	cr_assert_eq(ZSTD_compressStream2(c, &o, &in, ZSTD_e_end), 0);
	ZSTD_freeCCtx(c);
	return o.pos;
}

Test(hostile_chunks, frame_without_content_size)
{
	uint8_t frame[256];
	size_t n = real_frame(frame, sizeof(frame), 0, 1), at;
	cr_assert_eq(ZSTD_getFrameContentSize(frame, n), ZSTD_CONTENTSIZE_UNKNOWN);
	struct hb_result r = read_frame(frame, n, 16, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)at);

	n = rle_frame(frame, 64, 0);
	r = read_frame(frame, n, 64, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "%s", aa_error_name(r.rc));
}

Test(hostile_chunks, frame_without_content_checksum)
{
	/* FORMAT.md requires zstd's checksum: without it a changed stored byte could pass */
	uint8_t frame[256];
	size_t n = real_frame(frame, sizeof(frame), 1, 0), at;
	cr_assert_eq(frame[4] & 0x04, 0, "a frame without the checksum flag");
	struct hb_result r = read_frame(frame, n, 16, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)at);
	cr_expect_eq(r.chunk, 1);
	cr_expect_eq(r.records, 0);
	r = hb_read_watched(hb_path, 1);
	cr_expect_eq(r.damaged, 2, "the chunk, then no END");
}

Test(hostile_chunks, frame_with_content_size_decodes)
{
	/* the control: the same frame with its content size is a good chunk */
	uint8_t frame[256];
	size_t n = real_frame(frame, sizeof(frame), 1, 1), at;
	struct hb_result r = read_frame(frame, n, 16, &at);
	cr_expect_eq(r.rc, AA_E_UNCLOSED, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.records, 1);
}

Test(hostile_chunks, bytes_after_the_frame)
{
	uint8_t frame[512];
	size_t n = real_frame(frame, sizeof(frame), 1, 1), at;
	memset(frame + n, 0, 8); /* padding inside the chunk */
	struct hb_result r = read_frame(frame, n + 8, 16, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "%s", aa_error_name(r.rc));
	memcpy(frame + n, frame, n); /* a second frame */
	r = read_frame(frame, 2 * n, 16, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "%s", aa_error_name(r.rc));
	r = read_frame(frame, 2 * n, 32, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "two frames declaring 32 together: %s", aa_error_name(r.rc));
}

Test(hostile_chunks, frame_cut_short)
{
	uint8_t frame[256];
	size_t n = real_frame(frame, sizeof(frame), 1, 1), at;
	for (size_t cut = 1; cut < n; cut++) {
		struct hb_result r = read_frame(frame, cut, 16, &at);
		cr_expect_eq(r.rc, AA_E_ZSTD, "cut at %zu: %s", cut, aa_error_name(r.rc));
		cr_expect_eq(r.records, 0);
	}
}

Test(hostile_chunks, frame_checksum_wrong)
{
	uint8_t frame[256];
	size_t n = real_frame(frame, sizeof(frame), 1, 1), at;
	frame[n - 1] ^= 0x40; /* zstd's content checksum, the last 4 bytes */
	struct hb_result r = read_frame(frame, n, 16, &at);
	cr_expect_eq(r.rc, AA_E_ZSTD, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.records, 0);
}

/* Records of any size: empty, tiny, unaligned, and the largest a chunk holds. */
Test(hostile_chunks, records_of_any_size_in_crafted_chunks)
{
	static const uint32_t lens[] = {0, 1, 7, 8, 9, 15, 16, 17};
	const size_t nl = sizeof(lens) / sizeof(lens[0]);
	uint8_t *raw = malloc(AA_CHUNK_RAW_MAX);
	struct hb f = {0};
	hb_head(&f);
	hb_chunk(&f, AA_CHUNK_RECORDS, 1, nl, raw, hb_frames(raw, lens, nl));
	const uint32_t big = AA_RECORD_MAX;
	size_t n = hb_frames(raw, &big, 1);
	cr_assert_eq(n, AA_CHUNK_RAW_MAX);
	hb_chunk(&f, AA_CHUNK_RECORDS, 2, 1, raw, n);
	hb_save(&f);

	struct aat_recs back = {0};
	struct aa_error_info err;
	int rc = aat_read_capture(hb_path, NULL, &back, NULL, &err);
	cr_expect_eq(rc, AA_E_UNCLOSED, "%s", aa_error_name(rc));
	cr_assert_eq(back.n, nl + 1);
	for (size_t i = 0; i <= nl; i++) {
		uint32_t want = i < nl ? lens[i] : big;
		uint8_t fill = (uint8_t)(0x41 + (i < nl ? i : 0));
		cr_assert_eq(back.len[i], want, "record %zu: %u bytes", i, back.len[i]);
		const uint8_t *p = aat_recs_at(&back, i);
		for (uint32_t k = 0; k < want; k++)
			cr_assert_eq(p[k], fill, "record %zu byte %u", i, k);
	}
	aat_recs_free(&back);
	free(raw);
}

Test(hostile_chunks, records_of_any_size_through_the_writer)
{
	struct aat_recs recs = {0}, back = {0};
	uint8_t *big = malloc(AA_RECORD_MAX + 1);
	memset(big, 0x5a, AA_RECORD_MAX + 1);
	aat_recs_add(&recs, big, 1);
	aat_recs_add(&recs, big, 2);
	aat_recs_add(&recs, big, AA_RECORD_MAX);
	aat_recs_add(&recs, big, 1);
	cr_assert_eq(aat_write_capture(hb_path, &recs, 0, recs.n, NULL, 0, NULL), 0);
	struct aa_source_stats st;
	cr_assert_eq(aat_read_capture(hb_path, NULL, &back, &st, NULL), 0);
	cr_expect_eq(aat_recs_diff(&recs, &back), -1);
	cr_expect_eq(st.intact, 1);
	cr_expect_eq(st.by_type[AA_TYPE_UNKNOWN], 4);

	/* a 0-byte record is refused by the writer (FORMAT.md: none is written;
	 * a reader still takes one, as records_of_any_size_in_crafted_chunks shows) */
	aat_recs_clear(&recs);
	aat_recs_add(&recs, big, 0);
	cr_expect_eq(aat_write_capture(hb_path, &recs, 0, recs.n, NULL, 0, NULL), AA_E_INVAL);

	/* one byte more than a chunk can hold is refused by the writer */
	aat_recs_clear(&recs);
	aat_recs_add(&recs, big, AA_RECORD_MAX + 1);
	cr_expect_eq(aat_write_capture(hb_path, &recs, 0, recs.n, NULL, 0, NULL), AA_E_TOO_BIG);
	aat_recs_free(&recs);
	aat_recs_free(&back);
	free(big);
}

/* A chunk with one good 5-byte record and then a bad frame, then a good chunk of two. */
static void bad_frame_file(const uint8_t *frame, size_t n)
{
	uint8_t raw[256];
	const uint32_t five = 5, two[2] = {3, 4};
	size_t len = hb_frames(raw, &five, 1);
	memcpy(raw + len, frame, n);
	struct hb f = {0};
	hb_head(&f);
	hb_chunk(&f, AA_CHUNK_RECORDS, 1, 2, raw, len + n);
	len = hb_frames(raw, two, 2);
	hb_chunk(&f, AA_CHUNK_RECORDS, 2, 2, raw, len);
	hb_save(&f);
}

static void expect_framing(const char *what)
{
	struct hb_result r = hb_read_watched(hb_path, 0);
	cr_expect_eq(r.rc, AA_E_FRAMING, "%s: %s", what, aa_error_name(r.rc));
	cr_expect_eq(r.chunk, 1, "%s", what);
	cr_expect_eq(r.records, 1, "%s: %llu records", what, (unsigned long long)r.records);
	r = hb_read_watched(hb_path, 1);
	cr_expect_eq(r.rc, 0, "%s", what);
	cr_expect_eq(r.records, 3, "%s, skipping: %llu records", what,
		     (unsigned long long)r.records);
	cr_expect_eq(r.damaged, 2, "%s: framing and no END", what); /* then the missing END */
}

Test(hostile_chunks, frame_length_past_the_chunk)
{
	uint8_t fr[16] = {0};
	aa_put32(fr, 9); /* 9 bytes announced, 8 present */
	bad_frame_file(fr, 16);
	expect_framing("9 of 8");
	aa_put32(fr, 0xFFFFFFFFu);
	bad_frame_file(fr, 16);
	expect_framing("0xFFFFFFFF");
	aa_put32(fr, AA_RECORD_MAX + 1);
	bad_frame_file(fr, 16);
	expect_framing("AA_RECORD_MAX + 1");
}

Test(hostile_chunks, frame_fields_not_zero)
{
	uint8_t fr[16] = {0};
	aa_put32(fr, 4);
	aa_put32(fr + 4, 1); /* reserved */
	bad_frame_file(fr, 16);
	expect_framing("reserved");
	aa_put32(fr + 4, 0);
	fr[8 + 5] = 1; /* padding after a 4-byte record */
	bad_frame_file(fr, 16);
	expect_framing("padding");
}

Test(hostile_chunks, frame_header_cut_short)
{
	uint8_t fr[4] = {0};
	bad_frame_file(fr, 4);
	expect_framing("4 bytes left");
}

/* The watch itself: a 1 GiB allocation in a watched child is seen (or fails). */
Test(hostile_chunks, the_allocation_watch_catches_1_gib)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		hb_watch();
		void *volatile p = malloc(GIB);
		size_t seen[2] = {p != NULL, hb_max_alloc};
		free(p);
		_exit(write(fds[1], seen, sizeof(seen)) == sizeof(seen) ? 0 : 1);
	}
	size_t seen[2];
	cr_assert_eq(read(fds[0], seen, sizeof(seen)), (ssize_t)sizeof(seen));
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	cr_expect(seen[0] == 0 || seen[1] >= GIB, "allocated %zu, seen %zu", seen[0], seen[1]);
}

/* A file with one record and then a STATS chunk of `slots` drop counters (1, 2, 3 ...) and `extra` bytes more. */
static struct aa_source_stats stats_file(uint32_t slots, uint32_t extra, int *rc)
{
	uint64_t body[3 + AA_STATS_MAX_SLOTS + 2] = {HB_WRITTEN_NS, 0, 0};
	for (uint32_t i = 0; i < slots; i++) {
		body[3 + i] = i + 1;
		body[2] += i + 1;
	}
	body[1] = 1 + body[2];
	uint8_t raw[64];
	const uint32_t len = 16;
	struct hb f = {0};
	hb_head(&f);
	hb_chunk(&f, AA_CHUNK_RECORDS, 1, 1, raw, hb_frames(raw, &len, 1));
	hb_chunk(&f, AA_CHUNK_STATS, 2, 0, body, AA_STATS_HEAD + 8 * slots + extra);
	hb_save(&f);
	struct aa_source_stats st;
	struct aat_recs back = {0};
	*rc = aat_read_capture(hb_path, NULL, &back, &st, NULL);
	aat_recs_free(&back);
	return st;
}

Test(hostile_chunks, stats_of_a_newer_writer_with_more_types)
{
	int rc;
	struct aa_source_stats st = stats_file(AA_DROP_SLOTS + 3, 0, &rc);
	cr_expect_eq(rc, AA_E_UNCLOSED, "%s", aa_error_name(rc));
	/* the slots this reader knows, and every drop in the total */
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		cr_expect_eq(st.drops[i], (uint64_t)i + 1, "slot %d: %" PRIu64, i, st.drops[i]);
	uint64_t n = AA_DROP_SLOTS + 3;
	cr_expect_eq(st.dropped, n * (n + 1) / 2);

	st = stats_file(AA_STATS_MAX_SLOTS, 0, &rc);
	cr_expect_eq(rc, AA_E_UNCLOSED, "%s", aa_error_name(rc));
	cr_expect_eq(st.drops[AA_DROP_EXIT], AA_DROP_EXIT + 1);
}

Test(hostile_chunks, stats_of_a_size_no_writer_makes)
{
	static const uint32_t bad[][2] = {
		{AA_STATS_MIN_SLOTS - 1, 0}, {AA_STATS_MIN_SLOTS, 4}, {AA_STATS_MAX_SLOTS + 1, 0}, {0, 0}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;
		struct aa_source_stats st = stats_file(bad[i][0], bad[i][1], &rc);
		cr_expect_eq(rc, AA_E_CHUNK, "%u slots + %u: %s", bad[i][0], bad[i][1],
			     aa_error_name(rc));
		(void)st;
	}
}
