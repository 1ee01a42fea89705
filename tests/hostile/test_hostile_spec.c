/* SPDX-License-Identifier: MIT */
/*
 * FORMAT.md's rules, each in a file built by hand from what FORMAT.md says
 * (records written byte by byte at its offsets, END totals computed as it
 * defines them), read with the verdict FORMAT.md gives: intact, or this
 * AA_E_* with these records handed out and these counts.
 */
#include <inttypes.h>

#include "hostile_build.h"

TestSuite(hostile_spec, .init = hb_setup, .fini = hb_teardown);

/* An exit record (16 bytes): timestamp_ns at 0, pid at 8, exit code at 12. */
static void exit_rec(uint8_t *r, uint64_t ts, uint32_t pid)
{
	memset(r, 0, 16);
	aa_put64(r, ts);
	aa_put32(r + 8, pid);
}

/* What a file's END must say, kept while its chunks are built. */
struct totals {
	size_t head_len; /* SHB and IDB: what blocks_crc covers here */
	uint64_t records, chunks, bytes_raw, first_ts, last_ts, dropped;
	struct aa_xxh64 digest;
};

/* SHB, IDB and META (m; NULL: hb_meta's). */
static void totals_start_meta(struct hb *f, struct totals *t, const struct aa_file_meta *m)
{
	memset(t, 0, sizeof(*t));
	hb_shb(f);
	hb_idb(f);
	t->head_len = f->len;
	if (m)
		hb_meta_of(f, m);
	else
		hb_meta(f);
	aa_xxh64_init(&t->digest, 0);
}

static void totals_start(struct hb *f, struct totals *t)
{
	totals_start_meta(f, t, NULL);
}

/* A RECORDS chunk of n exit records with these time stamps (pid = 100 + i). */
static size_t exit_chunk(struct hb *f, struct totals *t, uint32_t index, const uint64_t *ts,
			 uint32_t n)
{
	uint8_t raw[1024], rec[16];
	size_t pos = 0;
	cr_assert_leq(n * 24u, sizeof(raw));
	for (uint32_t i = 0; i < n; i++) {
		exit_rec(rec, ts[i], 100 + i);
		aa_put32(raw + pos, 16);
		aa_put32(raw + pos + 4, 0);
		memcpy(raw + pos + 8, rec, 16);
		pos += 24;
		uint32_t len = 16;
		aa_xxh64_update(&t->digest, &len, 4);
		aa_xxh64_update(&t->digest, rec, 16);
		if (ts[i] && (!t->first_ts || ts[i] < t->first_ts))
			t->first_ts = ts[i];
		if (ts[i] > t->last_ts)
			t->last_ts = ts[i];
	}
	t->records += n;
	t->chunks++;
	t->bytes_raw += 16ull * n;
	return hb_chunk(f, AA_CHUNK_RECORDS, index, n, raw, pos);
}

/* A STATS chunk of the four seed types' drops (exit: all of them). */
static void stats_chunk(struct hb *f, struct totals *t, uint32_t index, uint64_t dropped)
{
	uint64_t body[3 + 4] = {HB_WRITTEN_NS, t->records + dropped, dropped, 0, 0, 0, dropped};
	t->dropped = dropped;
	hb_chunk(f, AA_CHUNK_STATS, index, 0, body, sizeof(body));
}

/* The END chunk; edit (if not NULL) changes a field of it first. */
static void end_chunk(struct hb *f, const struct totals *t, uint32_t index,
		      void (*edit)(struct aa_end_body *))
{
	struct aa_xxh64 x = t->digest;
	struct aa_end_body e = {.records = t->records, .chunks = t->chunks,
				.bytes_raw = t->bytes_raw, .digest = aa_xxh64_digest(&x),
				.first_ts = t->first_ts, .last_ts = t->last_ts,
				.dropped = t->dropped, .ended_ns = HB_WRITTEN_NS,
				.blocks_crc = (uint32_t)crc32(0, f->p, (uInt)t->head_len)};
	if (edit)
		edit(&e);
	hb_chunk(f, AA_CHUNK_END, index, 0, &e, sizeof(e));
}

static const uint64_t ts3[3] = {5000, 0, 3000}; /* a record with no time stamp is left out */

/* head, 3 records, STATS of 7 dropped, END (edited): saved to hb_path. */
static void end_file(void (*edit)(struct aa_end_body *))
{
	struct hb f = {0};
	struct totals t;
	totals_start(&f, &t);
	exit_chunk(&f, &t, 1, ts3, 3);
	stats_chunk(&f, &t, 2, 7);
	end_chunk(&f, &t, 3, edit);
	hb_save(&f);
}

static void first_ts_later(struct aa_end_body *e) { e->first_ts += 1; }
static void first_ts_zero_counted(struct aa_end_body *e) { e->first_ts = 0; }
static void last_ts_earlier(struct aa_end_body *e) { e->last_ts -= 1; }
static void dropped_other(struct aa_end_body *e) { e->dropped = 6; }

Test(hostile_spec, end_totals_as_format_md_defines_them_are_intact)
{
	end_file(NULL);
	struct hb_result r = hb_read_watched(hb_path, 0);
	cr_expect_eq(r.rc, 0, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.records, 3);
	cr_expect_eq(r.damaged, 0);
}

Test(hostile_spec, end_time_stamps_or_dropped_differ)
{
	static void (*const edits[])(struct aa_end_body *) = {first_ts_later, first_ts_zero_counted,
							      last_ts_earlier, dropped_other};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		end_file(edits[i]);
		struct hb_result r = hb_read_watched(hb_path, 0);
		cr_expect_eq(r.rc, AA_E_DIGEST, "edit %zu: %s", i, aa_error_name(r.rc));
		cr_expect_eq(r.chunk, 3, "edit %zu", i);
		cr_expect_eq(r.records, 3, "edit %zu", i);
	}
}

/* A good closed file of one record chunk, then `after` (n bytes). */
static void file_then(const void *after, size_t n)
{
	struct hb f = {0};
	struct totals t;
	totals_start(&f, &t);
	exit_chunk(&f, &t, 1, ts3, 3);
	end_chunk(&f, &t, 2, NULL);
	hb_put(&f, after, n);
	hb_save(&f);
}

static size_t other_block(uint8_t *b, uint32_t type, uint32_t len)
{
	memset(b, 0, len);
	aa_put32(b, type);
	aa_put32(b + 4, len);
	aa_put32(b + len - 4, len);
	return len;
}

static void expect_after_end(const char *what, size_t end_len)
{
	struct hb_result r = hb_read_watched(hb_path, 0);
	cr_expect_eq(r.rc, AA_E_SEQUENCE, "%s: %s", what, aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)end_len, "%s: offset %" PRId64, what, r.offset);
	cr_expect_eq(r.records, 3, "%s", what);
	r = hb_read_watched(hb_path, 1);
	cr_expect_eq(r.rc, 0, "%s, skipping: %s", what, aa_error_name(r.rc));
	cr_expect_eq(r.damaged, 1, "%s, skipping", what);
	cr_expect_eq(r.records, 3, "%s, skipping", what);
}

Test(hostile_spec, nothing_but_a_new_section_follows_end)
{
	file_then(NULL, 0);
	size_t end_len;
	{
		uint8_t *d;
		cr_assert_eq(aat_read_file(hb_path, &d, &end_len), 0);
		free(d);
	}
	uint8_t *b = calloc(1, 20u << 20);
	cr_assert_not_null(b);
	file_then(b, other_block(b, 0x0BADu, 16)); /* a block of a type pcapng does not define */
	expect_after_end("unknown block", end_len);
	file_then(b, other_block(b, AA_PCAPNG_ISB, 24));
	expect_after_end("statistics block", end_len);
	file_then(b, other_block(b, 0x0BADu, 1u << 20)); /* over a chunk block, skipped unread */
	expect_after_end("1 MiB block", end_len);
	free(b);

	/* a chunk after END: its records are not read */
	struct hb f = {0};
	struct totals t;
	totals_start(&f, &t);
	exit_chunk(&f, &t, 1, ts3, 3);
	end_chunk(&f, &t, 2, NULL);
	exit_chunk(&f, &t, 3, ts3, 3);
	hb_save(&f);
	expect_after_end("record chunk", end_len);

	/* the control: a whole second file after it (cat a b) is intact; it is
	 * from another capture session (a file without one has session 0) */
	totals_start(&f, &t);
	exit_chunk(&f, &t, 1, ts3, 3);
	end_chunk(&f, &t, 2, NULL);
	struct hb second = f;
	memset(&f, 0, sizeof(f));
	struct aa_file_meta m = {.writer = "aa-hostile", .session = {1}};
	totals_start_meta(&f, &t, &m);
	exit_chunk(&f, &t, 1, ts3, 2);
	end_chunk(&f, &t, 2, NULL);
	hb_put(&second, f.p, f.len);
	free(f.p);
	hb_save(&second);
	struct hb_result r = hb_read_watched(hb_path, 0);
	cr_expect_eq(r.rc, 0, "two sections: %s", aa_error_name(r.rc));
	cr_expect_eq(r.records, 5);
}

/* A copy of the block at [at, at + n) of f, appended, its chunk number set to index (crc made right). */
static void copy_block(struct hb *f, size_t at, size_t n, uint32_t index)
{
	uint8_t *b = malloc(n);
	memcpy(b, f->p + at, n);
	aa_put32(b + AA_EPB_HEAD + AA_CH_INDEX, index);
	hb_refix_crc(b, 0);
	hb_put(f, b, n);
	free(b);
}

/* head, chunk 1 (2 records), [a chunk of 1 record], a copy of chunk 1 (renumbered: as
 * the chunk due), then the chunk due (1 record); no END. */
static struct hb_result repeated(int renumber, int later, int skip)
{
	static const uint64_t ts[2] = {10, 20}, ts_last[1] = {30};
	struct hb f = {0};
	struct totals t;
	totals_start(&f, &t);
	size_t at = exit_chunk(&f, &t, 1, ts, 2), n = f.len - at;
	uint32_t index = 2;
	if (later)
		exit_chunk(&f, &t, index++, ts_last, 1);
	copy_block(&f, at, n, renumber ? index : 1);
	index += renumber;
	exit_chunk(&f, &t, index, ts_last, 1);
	hb_save(&f);
	return hb_read_watched(hb_path, skip);
}

Test(hostile_spec, a_repeated_chunk_is_damage_and_read_once)
{
	for (int renumber = 0; renumber <= 1; renumber++) {
		for (int later = 0; later <= 1; later++) {
			struct hb_result r = repeated(renumber, later, 0);
			cr_expect_eq(r.rc, AA_E_SEQUENCE, "renumber %d later %d: %s", renumber, later,
				     aa_error_name(r.rc));
			cr_expect_eq(r.chunk, renumber ? 2 + later : 1, "renumber %d later %d: chunk %" PRId64,
				     renumber, later, r.chunk);
			cr_expect_eq(r.records, 2 + later, "renumber %d later %d: %" PRIu64 " records",
				     renumber, later, r.records);
			r = repeated(renumber, later, 1);
			cr_expect_eq(r.rc, 0, "renumber %d later %d, skipping: %s", renumber, later,
				     aa_error_name(r.rc));
			/* each record once: 2, the later 1, the last 1 */
			cr_expect_eq(r.records, 3 + later, "renumber %d later %d, skipping: %" PRIu64,
				     renumber, later, r.records);
			/* the repeat, and no END: the chunk after the repeat is the one due */
			cr_expect_eq(r.damaged, 2, "renumber %d later %d: %" PRIu64 " damaged",
				     renumber, later, r.damaged);
		}
	}
}

Test(hostile_spec, epb_padding_must_be_zero)
{
	struct hb f = {0};
	struct totals t;
	totals_start(&f, &t);
	uint8_t raw[64];
	size_t at = 0, start = f.len;
	uint32_t caplen = 0;
	for (uint32_t len = 16; len < 48 && caplen % 4 == 0; len++) {
		f.len = start;
		f.records = 0;
		at = hb_chunk(&f, AA_CHUNK_RECORDS, 1, 1, raw, hb_frames(raw, &len, 1));
		caplen = aa_get32(f.p + at + 20);
	}
	cr_assert_neq(caplen % 4, 0, "no chunk that ends unaligned");
	f.p[at + AA_EPB_HEAD + caplen] = 1;
	hb_save(&f);
	struct hb_result r = hb_read_watched(hb_path, 0);
	cr_expect_eq(r.rc, AA_E_CHUNK, "%s", aa_error_name(r.rc));
	cr_expect_eq(r.offset, (int64_t)at);
}
