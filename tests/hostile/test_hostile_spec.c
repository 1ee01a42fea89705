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

/* A record's own time stamp as FORMAT.md places it: at 0, at 8 in the 296-byte file
 * record, none in a record of a length not listed. */
static uint64_t rec_ts(const uint8_t *r, uint32_t len)
{
	if (len == 296)
		return aa_get64(r + 8);
	return len == 4128 || len == 792 || len == 16 ? aa_get64(r) : 0;
}

/* A RECORDS chunk of these n records, framed by hand. */
static size_t recs_chunk(struct hb *f, struct totals *t, uint32_t index, const uint8_t *const *recs,
			 const uint32_t *lens, uint32_t n)
{
	uint8_t *raw = malloc(AA_CHUNK_RAW_MAX);
	size_t pos = 0;
	cr_assert_not_null(raw);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = lens[i], padded = (len + 7u) & ~7u;
		cr_assert_leq(pos + 8 + padded, AA_CHUNK_RAW_MAX);
		aa_put32(raw + pos, len);
		aa_put32(raw + pos + 4, 0);
		memcpy(raw + pos + 8, recs[i], len);
		memset(raw + pos + 8 + len, 0, padded - len);
		pos += 8 + padded;
		aa_xxh64_update(&t->digest, &len, 4);
		aa_xxh64_update(&t->digest, recs[i], len);
		uint64_t ts = rec_ts(recs[i], len);
		if (ts && (!t->first_ts || ts < t->first_ts))
			t->first_ts = ts;
		if (ts > t->last_ts)
			t->last_ts = ts;
		t->bytes_raw += len;
	}
	t->records += n;
	t->chunks++;
	size_t at = hb_chunk(f, AA_CHUNK_RECORDS, index, n, raw, pos);
	free(raw);
	return at;
}

/* A RECORDS chunk of n exit records with these time stamps (pid = 100 + i). */
static size_t exit_chunk(struct hb *f, struct totals *t, uint32_t index, const uint64_t *ts,
			 uint32_t n)
{
	uint8_t rec[8][16];
	const uint8_t *recs[8];
	uint32_t lens[8];
	cr_assert_leq(n, 8);
	for (uint32_t i = 0; i < n; i++) {
		exit_rec(rec[i], ts[i], 100 + i);
		recs[i] = rec[i];
		lens[i] = 16;
	}
	return recs_chunk(f, t, index, recs, lens, n);
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
static void reserved_set(struct aa_end_body *e) { e->reserved = 1; }

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
	end_file(reserved_set);
	struct hb_result r = hb_read_watched(hb_path, 0);
	cr_expect_eq(r.rc, AA_E_CHUNK, "reserved: %s", aa_error_name(r.rc));
	cr_expect_eq(r.chunk, 3);
	r = hb_read_watched(hb_path, 1);
	cr_expect_eq(r.damaged, 1, "reserved: only that, the END was there");
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

/* FORMAT.md's invalid records, each written at its documented offsets. */
struct invalid_case {
	uint32_t len;
	int error; /* the AA_E_* FORMAT.md names, 0: valid */
	uint32_t at[3], val[3]; /* u32 fields set (at 0: none) */
	uint32_t fill_at, fill_len; /* bytes set to 'x' (no NUL) */
};

static const struct invalid_case cases[] = {
	{4128, 0, {16, 20, 24}, {0, 0, 0}, 0, 0},            /* tls: empty call, piece 0 */
	{4128, 0, {16, 20, 24}, {5000, 1, 1}, 0, 0},         /* piece 1 of 5000 bytes, read */
	{4128, AA_REC_DIRECTION, {24}, {2}, 0, 0},             /* direction 2 */
	{4128, AA_REC_DIRECTION, {16, 20, 24}, {0, 3, 7}, 0, 0}, /* direction is checked first */
	{4128, AA_REC_TLS_SEQ, {16, 20}, {0, 1}, 0, 0},        /* empty call, piece 1 */
	{4128, AA_REC_TLS_SEQ, {16, 20}, {4096, 1}, 0, 0},     /* piece 1 starts at 4096 of 4096 */
	{4128, AA_REC_TLS_SEQ, {16, 20}, {10, 0x100000}, 0, 0}, /* far past data_len */
	{296, 0, {16}, {4}, 40, 255},                        /* rename, path of 255 bytes + NUL */
	{296, AA_REC_SYSCALL, {16}, {5}, 0, 0},                /* syscall 5 */
	{296, AA_REC_SYSCALL, {16}, {5}, 40, 256},             /* syscall is checked first */
	{296, AA_REC_STRING, {16}, {1}, 40, 256},              /* path without NUL */
	{792, 0, {0}, {0}, 24, 255},                         /* exec: filename of 255 bytes */
	{792, AA_REC_STRING, {0}, {0}, 24, 256},               /* filename without NUL */
	{792, AA_REC_STRING, {0}, {0}, 280, 512},              /* args without NUL */
	{16, 0, {8, 12}, {0xFFFFFFFFu, 0x80000000u}, 0, 0},  /* exit: never invalid */
	{17, 0, {0}, {0}, 0, 17},                            /* a length not listed: unknown */
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

Test(hostile_spec, invalid_records_are_what_format_md_lists)
{
	static uint8_t bytes[NCASES][4128];
	const uint8_t *recs[NCASES];
	uint32_t lens[NCASES];
	uint64_t invalid = 0;
	for (size_t i = 0; i < NCASES; i++) {
		memset(bytes[i], 0, sizeof(bytes[i]));
		aa_put64(bytes[i] + (cases[i].len == 296 ? 8 : 0), 1000 + i); /* time stamp */
		for (int k = 0; k < 3; k++)
			if (cases[i].at[k])
				aa_put32(bytes[i] + cases[i].at[k], cases[i].val[k]);
		memset(bytes[i] + cases[i].fill_at, 'x', cases[i].fill_len);
		recs[i] = bytes[i];
		lens[i] = cases[i].len;
		invalid += cases[i].error != 0;
	}
	struct hb f = {0};
	struct totals t;
	totals_start(&f, &t);
	recs_chunk(&f, &t, 1, recs, lens, NCASES);
	end_chunk(&f, &t, 2, NULL);
	hb_save(&f);

	aa_source *src;
	struct aa_error_info err;
	const char *path = hb_path;
	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, &err), 0);
	const struct aa_record *rec;
	size_t n = 0;
	int rc;
	while ((rc = aa_next(src, &rec)) == 1) {
		cr_assert_lt(n, NCASES);
		cr_expect_eq(rec->ev.error, cases[n].error, "record %zu (%u bytes): %s, want %s", n,
			     cases[n].len, aa_error_name(rec->ev.error), aa_error_name(cases[n].error));
		cr_expect_eq(rec->ev.len, cases[n].len);
		n++;
	}
	cr_expect_eq(rc, 0, "%s", aa_error_name(rc));
	cr_expect_eq(n, NCASES, "every record handed out, invalid or not");
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_expect_eq(st.invalid, invalid);
	cr_expect_eq(st.intact, 1, "invalid records are not damage");
	cr_expect_eq(st.by_type[AA_TYPE_TLS], 7, "invalid records count in their type");
	cr_expect_eq(st.by_type[AA_TYPE_UNKNOWN], 1);
	aa_close(src);
}

/* The wall times aa_next gives the records of a file whose META has this offset. */
static void wall_times(int64_t mono_to_wall, const uint8_t *const *recs, const uint32_t *lens,
		       uint32_t n, uint64_t *out)
{
	struct aa_file_meta m = {.writer = "aa-hostile", .mono_to_wall = mono_to_wall};
	struct hb f = {0};
	struct totals t;
	totals_start_meta(&f, &t, &m);
	recs_chunk(&f, &t, 1, recs, lens, n);
	end_chunk(&f, &t, 2, NULL);
	hb_save(&f);
	aa_source *src;
	const char *path = hb_path;
	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0);
	const struct aa_record *rec;
	uint32_t i = 0;
	int rc;
	while ((rc = aa_next(src, &rec)) == 1 && i < n)
		out[i++] = rec->time_ns;
	cr_expect_eq(rc, 0, "%s", aa_error_name(rc));
	cr_expect_eq(i, n);
	aa_close(src);
}

Test(hostile_spec, wall_time_is_clamped_not_wrapped)
{
	uint8_t a[16], b[16], c[296], u[17] = {0};
	exit_rec(a, UINT64_MAX - 5, 1);
	exit_rec(b, 5, 2);
	memset(c, 0, sizeof(c));
	aa_put64(c + 8, 1000); /* the file record's time stamp is at 8 */
	const uint8_t *recs[4] = {a, b, c, u};
	const uint32_t lens[4] = {16, 16, 296, 17};
	uint64_t t[4];

	wall_times(INT64_MAX, recs, lens, 4, t);
	cr_expect_eq(t[0], UINT64_MAX, "over 2^64 - 1: %" PRIu64, t[0]);
	cr_expect_eq(t[1], 5 + (uint64_t)INT64_MAX);
	cr_expect_eq(t[3], HB_WRITTEN_NS, "a record of no known type: its chunk's written_ns");
	wall_times(INT64_MIN, recs, lens, 4, t);
	cr_expect_eq(t[0], UINT64_MAX - 5 - (uint64_t)INT64_MAX - 1);
	cr_expect_eq(t[1], 0, "below 0: %" PRIu64, t[1]);
	wall_times(-100, recs, lens, 4, t);
	cr_expect_eq(t[2], 900);
}

Test(hostile_spec, no_meta_tag_is_required)
{
	struct hb f = {0};
	struct totals t = {0};
	hb_shb(&f);
	hb_idb(&f);
	t.head_len = f.len;
	aa_xxh64_init(&t.digest, 0);
	hb_chunk(&f, AA_CHUNK_META, 0, 0, "", 0); /* no entries at all */
	exit_chunk(&f, &t, 1, ts3, 3);
	end_chunk(&f, &t, 2, NULL);
	hb_save(&f);
	aa_source *src;
	const char *path = hb_path;
	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0);
	const struct aa_file_meta *m = aa_source_meta(src);
	cr_assert_not_null(m);
	cr_expect(m->writer == NULL && m->hostname == NULL && m->mono_to_wall == 0 && m->file_seq == 0);
	const struct aa_record *rec;
	cr_assert_eq(aa_next(src, &rec), 1);
	cr_expect_eq(rec->time_ns, ts3[0], "no mono_to_wall: the offset is 0");
	while (aa_next(src, &rec) == 1)
		;
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_expect_eq(st.intact, 1);
	cr_expect_eq(st.records, 3);
	aa_close(src);
}

/*
 * How info counts: chunk 1 holds two good records and then a bad frame,
 * chunk 2 fails its crc, chunk 3 is good, then 8 bytes that are no block.
 */
Test(hostile_spec, info_counts_chunks_damage_and_stored_bytes)
{
	struct hb f = {0};
	struct totals t;
	totals_start(&f, &t);
	uint8_t raw[128];
	const uint32_t two[2] = {16, 16};
	size_t len = hb_frames(raw, two, 2);
	memset(raw + len, 0, 16);
	aa_put32(raw + len, 9); /* 9 bytes announced, 8 there */
	hb_chunk(&f, AA_CHUNK_RECORDS, 1, 3, raw, len + 16);
	size_t bad = exit_chunk(&f, &t, 2, ts3, 3);
	f.p[bad + AA_EPB_HEAD + AA_CHUNK_HEADER_SIZE] ^= 1;
	exit_chunk(&f, &t, 3, ts3, 1);
	hb_put(&f, "garbage!", 8);
	size_t size = f.len;
	hb_save(&f);

	struct aa_replay_opts o = {.skip_damaged = 1};
	struct aat_recs back = {0};
	struct aa_source_stats st;
	cr_assert_eq(aat_read_capture(hb_path, &o, &back, &st, NULL), 0);
	cr_expect_eq(st.records, 3, "the records before the bad frame, and chunk 3's");
	cr_expect_eq(st.chunks, 2, "record chunks decoded: 1 (up to its bad frame) and 3");
	cr_expect_eq(st.damaged, 3, "each problem reported: frame, crc, the 8 bytes: %" PRIu64,
		     st.damaged);
	cr_expect_eq(st.bytes_stored, size, "every byte of the file: %" PRIu64, st.bytes_stored);
	aat_recs_free(&back);
}
