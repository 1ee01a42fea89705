/* SPDX-License-Identifier: MIT */
/*
 * The record-aware chunk transform (format/xform.c, xform_decode.c;
 * FORMAT.md 3.1): every chunk it takes comes back byte for byte, through
 * aa_xform_* and through aa_chunk_encode / aa_chunk_check /
 * aa_chunk_decompress; what it cannot carry exactly is stored plain;
 * transformed bytes that lie are refused with a reason, never read out of
 * bounds (run under ASan too).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "aa_error.h"
#include "capfile.h"
#include "chunk.h"
#include "events.h"
#include "files.h"
#include "pcapng.h"
#include "rng.h"
#include "session.h"
#include "xform.h"
#include "xxh64.h"

/* A chunk being built: framed records. */
struct chunk {
	uint8_t *raw;
	uint32_t len, records;
};

static void add(struct chunk *c, const void *rec, uint32_t len, uint32_t src)
{
	uint32_t framed = AA_FRAME_HEADER + ((len + 7u) & ~7u);
	cr_assert_leq(c->len + framed, AA_CHUNK_RAW_MAX);
	aa_put32(c->raw + c->len, len);
	aa_put32(c->raw + c->len + 4, src);
	memset(c->raw + c->len + AA_FRAME_HEADER, 0, framed - AA_FRAME_HEADER);
	if (len)
		memcpy(c->raw + c->len + AA_FRAME_HEADER, rec, len);
	c->len += framed;
	c->records++;
}

static struct chunk new_chunk(void)
{
	struct chunk c = {.raw = calloc(1, AA_CHUNK_RAW_MAX)};
	cr_assert_not_null(c.raw);
	return c;
}

/* encode, decode into a buffer full of 0xA5: must give exactly the input. */
static long roundtrip(const struct chunk *c)
{
	uint8_t *x = malloc(AA_XFORM_MAX), *back = malloc(AA_CHUNK_RAW_MAX);
	char detail[64] = "";
	long n = aa_xform_encode(c->raw, c->len, c->records, x);
	cr_assert_geq(n, 0, "encode refused a well-framed chunk");
	memset(back, 0xA5, AA_CHUNK_RAW_MAX);
	/* an exact-size copy, so that a read past the end is caught by ASan */
	uint8_t *xc = malloc(n ? (size_t)n : 1);
	memcpy(xc, x, (size_t)n);
	cr_assert_eq(aa_xform_decode(xc, (size_t)n, c->records, c->len, back, detail), 0, "%s",
		     detail);
	cr_assert_eq(memcmp(back, c->raw, c->len), 0, "decoded records differ");
	free(xc);
	free(x);
	free(back);
	return n;
}

static const uint32_t sizes[] = {
#define AA_X_SIZE(name, NAME, bytes) bytes,
	AA_RECORD_TYPES(AA_X_SIZE)
#undef AA_X_SIZE
};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* Every byte of every type random (no trailing zero anywhere): a byte the
 * layouts do not cover, or cover twice wrongly, shows. */
Test(xform, every_type_every_byte_random)
{
	struct aat_rng r;
	aat_rng_seed(&r, 1);
	struct chunk c = new_chunk();
	uint8_t rec[4128];
	for (int round = 0; round < 20; round++) /* 16 of a type, and some */
		for (size_t t = 0; t < NSIZES; t++) {
			aat_fill(&r, rec, sizes[t]);
			for (uint32_t k = 0; k < sizes[t]; k++)
				rec[k] |= 1;
			add(&c, rec, sizes[t], 0);
		}
	roundtrip(&c);
	free(c.raw);
}

/* Strings of every length (0, 1, full, zeros inside, bytes after a NUL),
 * time stamps going back and wrapping, tid below pid, source words. */
static struct chunk odd_chunk(uint64_t seed)
{
	struct aat_rng r;
	aat_rng_seed(&r, seed);
	struct chunk c = new_chunk();
	uint8_t rec[4128];
	for (int i = 0; i < 300; i++) {
		uint32_t size = sizes[aat_below(&r, NSIZES)];
		memset(rec, 0, sizeof(rec));
		aat_fill(&r, rec, 32);
		uint32_t fill = aat_below(&r, 4) == 0 ? size : aat_below(&r, size + 1);
		aat_fill(&r, rec + 16, fill > 16 ? fill - 16 : 0);
		if (fill > 40 && aat_below(&r, 2))
			memset(rec + fill / 2, 0, fill / 4); /* zeros inside a string */
		if (i % 7 == 0)
			aa_put64(rec, UINT64_MAX - (uint64_t)i); /* far back, then wraps */
		add(&c, rec, size, aat_below(&r, 5) == 0 ? aat_below(&r, 4) + 1 : 0);
	}
	return c;
}

Test(xform, strings_time_stamps_and_sources)
{
	struct chunk c = odd_chunk(2);
	roundtrip(&c);
	free(c.raw);
}

/* The same path again at each distance: 1, 2, 255 (the farthest a
 * reference reaches), 256 and 300 (stored again). */
Test(xform, repeated_strings_at_every_distance)
{
	struct chunk c = new_chunk();
	struct aa_file_event e;
	uint32_t back[] = {1, 2, 255, 256, 300};
	uint32_t n = 0;
	for (size_t k = 0; k < sizeof(back) / sizeof(back[0]); k++) {
		/* marker k, then back[k] - 1 other records of the type, then marker k again */
		for (int twice = 0; twice < 2; twice++) {
			memset(&e, 0, sizeof(e));
			e.pid = 100;
			e.timestamp_ns = n;
			snprintf((char *)e.path, sizeof(e.path), "/home/agent/marker-%zu", k);
			add(&c, &e, sizeof(e), 0);
			n++;
			for (uint32_t j = 0; !twice && j + 1 < back[k]; j++, n++) {
				memset(&e, 0, sizeof(e));
				e.timestamp_ns = n;
				snprintf((char *)e.path, sizeof(e.path), "/tmp/other-%u", n);
				add(&c, &e, sizeof(e), 0);
			}
		}
	}
	/* the same bytes in another field of another type are not confused */
	struct aa_fileop_event o;
	memset(&o, 0, sizeof(o));
	snprintf((char *)o.path, sizeof(o.path), "/home/agent/marker-0");
	add(&c, &o, sizeof(o), 0);
	roundtrip(&c);
	free(c.raw);
}

/*
 * Every type in a random order, unknown records among them, source words;
 * the string fields cut from a few texts, so that most are references back
 * past other types' records (and to references); time stamps going back
 * and forth from one record to the next whatever their types. The decoder
 * does some of its work in the chunk's order (frames, time stamps) and some
 * in each type's (fields, references): a step in the wrong one shows here.
 * Beside it the same records with the texts' bytes made random, which no
 * reference can stand for: the first is smaller by the strings referenced.
 */
Test(xform, references_and_time_stamps_across_types)
{
	static const char *texts[] = {"/usr/lib/x86_64-linux-gnu/libssl.so.3",
				      "/tmp/aa-session/listing.txt", "python3"};
	static const uint32_t unknown[] = {20, 33, 100};
	struct aat_rng r;
	aat_rng_seed(&r, 6);
	struct chunk c = new_chunk(), u = new_chunk();
	static uint8_t rec[4128];
	uint64_t ts = 1u << 20, text_bytes = 0;
	while (c.len + AA_FRAME_HEADER + sizeof(rec) <= AA_CHUNK_RAW_MAX) {
		uint32_t src = aat_below(&r, 4) == 0 ? aat_below(&r, 3) + 1 : 0;
		if (aat_below(&r, 8) == 0) {
			uint32_t size = unknown[aat_below(&r, 3)];
			aat_fill(&r, rec, size);
			add(&c, rec, size, src);
			add(&u, rec, size, src);
			continue;
		}
		uint32_t size = sizes[aat_below(&r, NSIZES)];
		const char *text = texts[aat_below(&r, 3)];
		uint32_t len = (uint32_t)strlen(text), fill = size - 16 < 200 ? size - 16 : 200;
		memset(rec, 0, size);
		for (uint32_t k = 0; k < fill; k++)
			rec[16 + k] = (uint8_t)text[k % len];
		text_bytes += fill;
		aat_fill(&r, rec + 4, 12); /* pid and tid (time and pid in a file record) */
		ts += aat_below(&r, 3000);
		ts -= aat_below(&r, 2000);
		aa_put64(rec, ts);
		add(&c, rec, size, src);
		aat_fill(&r, rec + 16, fill);
		for (uint32_t k = 0; k < fill; k++)
			rec[16 + k] |= 1;
		add(&u, rec, size, src);
	}
	cr_assert_gt(c.records, 200);
	long n = roundtrip(&c), n_random = roundtrip(&u);
	cr_assert_gt((uint64_t)(n_random - n), text_bytes / 2,
		     "%ld transformed bytes, %ld with random texts, for %llu bytes of texts", n,
		     n_random, (unsigned long long)text_bytes);
	free(c.raw);
	free(u.raw);
}

/* net records (the last type's columns come last) with empty strings and
 * nothing else: the transformed bytes end with the last field's column,
 * which the decoder reads 16 values at a time as far as it may (an exact
 * copy under ASan: never past the end), for every count up to 40. */
Test(xform, last_column_at_the_end)
{
	struct aat_rng r;
	aat_rng_seed(&r, 7);
	for (int count = 1; count <= 40; count++) {
		struct chunk c = new_chunk();
		for (int i = 0; i < count; i++) {
			struct aa_net_event e;
			aat_fill(&r, &e, sizeof(e));
			memset(e.unix_path, 0, sizeof(e.unix_path));
			add(&c, &e, sizeof(e), 0);
		}
		roundtrip(&c);
		free(c.raw);
	}
}

/* Unknown sizes (around the known ones, 0 bytes, odd) pass through whole. */
Test(xform, unknown_sizes_and_empty_records)
{
	struct aat_rng r;
	aat_rng_seed(&r, 3);
	struct chunk c = new_chunk();
	uint8_t rec[5000];
	uint32_t odd[] = {0, 1, 7, 8, 9, 15, 17, 24, 79, 81, 295, 297, 4127, 4129, 5000};
	for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
		aat_fill(&r, rec, odd[k]);
		add(&c, rec, odd[k], k % 3 ? 0 : 7);
		aat_fill(&r, rec, 16);
		add(&c, rec, 16, 0); /* an exit between them */
	}
	roundtrip(&c);
	free(c.raw);
}

/* The largest record a chunk holds, alone; and a chunk of no records. */
Test(xform, largest_record_and_empty_chunk)
{
	struct aat_rng r;
	aat_rng_seed(&r, 4);
	struct chunk c = new_chunk();
	uint8_t *rec = malloc(AA_RECORD_MAX);
	aat_fill(&r, rec, AA_RECORD_MAX);
	add(&c, rec, AA_RECORD_MAX, 0);
	cr_assert_eq(c.len, AA_CHUNK_RAW_MAX);
	roundtrip(&c);
	struct chunk empty = new_chunk();
	cr_assert_eq(roundtrip(&empty), 0);
	free(rec);
	free(c.raw);
	free(empty.raw);
}

/* A chunk the transform cannot carry exactly is left to be stored plain. */
Test(xform, refuses_what_it_cannot_carry)
{
	struct chunk c = new_chunk();
	uint8_t rec[16] = {1, 2, 3};
	add(&c, rec, 3, 0);
	uint8_t *x = malloc(AA_XFORM_MAX);
	c.raw[AA_FRAME_HEADER + 5] = 9; /* a padding byte not zero */
	cr_assert_eq(aa_xform_encode(c.raw, c.len, c.records, x), -1);
	c.raw[AA_FRAME_HEADER + 5] = 0;
	cr_assert_eq(aa_xform_encode(c.raw, c.len, c.records + 1, x), -1); /* count lies */
	cr_assert_eq(aa_xform_encode(c.raw, c.len - 8, c.records, x), -1); /* cut */
	cr_assert_geq(aa_xform_encode(c.raw, c.len, c.records, x), 0);
	free(x);
	free(c.raw);
}

/* n records of every type in turn, random in their first head bytes. */
static struct chunk mixed_chunk(uint64_t seed, int n, uint32_t head)
{
	struct chunk c = new_chunk();
	struct aat_rng r;
	aat_rng_seed(&r, seed);
	static uint8_t rec[4128];
	for (int i = 0; i < n; i++) {
		uint32_t size = sizes[i % NSIZES];
		memset(rec, 0, sizeof(rec));
		aat_fill(&r, rec, size < head ? size : head);
		add(&c, rec, size, 0);
	}
	return c;
}

/* A damaged transformed chunk: every change of one byte, a cut, a byte
 * more, a lying count or length, is refused or gives framed records of
 * exactly the length asked for; never a read or write out of bounds. */
Test(xform, damaged_transformed_bytes)
{
	struct chunk c = mixed_chunk(5, 60, 64);
	uint8_t *x = malloc(AA_XFORM_MAX), *out = malloc(AA_CHUNK_RAW_MAX);
	uint8_t *again = malloc(AA_XFORM_MAX);
	long n = aa_xform_encode(c.raw, c.len, c.records, x);
	cr_assert_gt(n, 0);
	char detail[64];
	int refused = 0;
	for (long at = 0; at < n; at++) {
		for (int v = 0; v < 3; v++) {
			uint8_t *y = malloc((size_t)n);
			memcpy(y, x, (size_t)n);
			y[at] ^= (uint8_t)(v == 0 ? 0x80 : v == 1 ? 0x01 : 0xff);
			if (aa_xform_decode(y, (size_t)n, c.records, c.len, out, detail) != 0)
				refused++;
			else /* what decodes is well framed: encode takes it */
				cr_assert_geq(aa_xform_encode(out, c.len, c.records, again), 0);
			free(y);
		}
	}
	cr_assert_gt(refused, 0);
	cr_assert_neq(aa_xform_decode(x, (size_t)n - 1, c.records, c.len, out, detail), 0);
	cr_assert_neq(aa_xform_decode(x, (size_t)n, c.records + 1, c.len, out, detail), 0);
	cr_assert_neq(aa_xform_decode(x, (size_t)n, c.records - 1, c.len, out, detail), 0);
	cr_assert_neq(aa_xform_decode(x, (size_t)n, c.records, c.len + 8, out, detail), 0);
	cr_assert_neq(aa_xform_decode(x, (size_t)n, 0xFFFFFFFFu, c.len, out, detail), 0);
	cr_assert_neq(aa_xform_decode(x, (size_t)n, c.records, AA_CHUNK_RAW_MAX + 8, out, detail), 0);
	free(again);
	free(x);
	free(out);
	free(c.raw);
}

/* Through the chunk: RECORDS chunks are stored transformed (version 2,
 * encoding 1) and come back exact; META and the others stay plain. */
Test(xform, chunk_encode_check_decompress)
{
	struct chunk c = mixed_chunk(6, 200, 100);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	uint8_t *block = malloc(AA_BLOCK_MAX), *out = malloc(AA_CHUNK_RAW_MAX);
	for (int kind = AA_CHUNK_RECORDS; kind <= AA_CHUNK_META; kind++) {
		struct aa_chunk_hdr h = {.kind = (uint8_t)kind, .index = 1, .records = c.records,
					 .raw_len = c.len, .written_ns = 77};
		long bl = aa_chunk_encode(cc, &h, c.raw, block);
		cr_assert_gt(bl, 0);
		const uint8_t *data = block + AA_EPB_HEAD;
		uint8_t want = kind == AA_CHUNK_RECORDS ? AA_ENC_XFORM : AA_ENC_PLAIN;
		cr_assert_eq(h.encoding, want);
		cr_assert_eq(data[AA_CH_VERSION], want ? 2 : 1);
		cr_assert_eq(aa_get32(data + AA_CH_RESERVED), want);
		struct aa_chunk_hdr g;
		const uint8_t *stored;
		char detail[64];
		cr_assert_eq(aa_chunk_check(data, AA_CHUNK_HEADER_SIZE + h.stored_len, 77, &g, &stored,
					    detail), 0, "%s", detail);
		cr_assert_eq(g.encoding, want);
		memset(out, 0xA5, AA_CHUNK_RAW_MAX);
		cr_assert_eq(aa_chunk_decompress(dc, &g, stored, out, detail), 0, "%s", detail);
		cr_assert_eq(memcmp(out, c.raw, c.len), 0);
	}
	ZSTD_freeCCtx(cc);
	ZSTD_freeDCtx(dc);
	free(block);
	free(out);
	free(c.raw);
}

/* One caller's scratch for every chunk, left dirty between them (a larger
 * chunk first, then smaller ones over its leftovers): the blocks are byte
 * for byte those of a scratch of their own, and decode exactly. */
Test(xform, reused_scratch_gives_the_same_bytes)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	uint8_t *scratch = malloc(AA_XFORM_MAX), *out = malloc(AA_CHUNK_RAW_MAX);
	uint8_t *own = malloc(AA_BLOCK_MAX), *shared = malloc(AA_BLOCK_MAX);
	static const int counts[] = {200, 60, 10};
	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct chunk c = mixed_chunk(40 + i, counts[i], 100);
		struct aa_chunk_hdr h = {.kind = AA_CHUNK_RECORDS, .index = i, .records = c.records,
					 .raw_len = c.len, .written_ns = 99};
		struct aa_chunk_hdr hs = h;
		long bl = aa_chunk_encode(cc, &h, c.raw, own);
		long bs = aa_chunk_encode_scratch(cc, &hs, c.raw, shared, scratch);
		cr_assert_gt(bl, 0);
		cr_assert_eq(h.encoding, AA_ENC_XFORM);
		cr_assert_eq(bs, bl, "chunk %u: %ld bytes with the shared scratch, %ld without", i,
			     bs, bl);
		cr_assert_eq(memcmp(own, shared, (size_t)bl), 0, "chunk %u", i);
		struct aa_chunk_hdr g;
		const uint8_t *stored;
		char detail[64];
		cr_assert_eq(aa_chunk_check(shared + AA_EPB_HEAD, AA_CHUNK_HEADER_SIZE + hs.stored_len,
					    99, &g, &stored, detail), 0, "%s", detail);
		memset(out, 0xA5, AA_CHUNK_RAW_MAX);
		cr_assert_eq(aa_chunk_decompress_scratch(dc, &g, stored, out, scratch, detail), 0,
			     "%s", detail);
		cr_assert_eq(memcmp(out, c.raw, c.len), 0, "chunk %u", i);
		free(c.raw);
	}
	ZSTD_freeCCtx(cc);
	ZSTD_freeDCtx(dc);
	free(scratch);
	free(out);
	free(own);
	free(shared);
}

/* Two file records with one path: the second refers 1 back. Made to refer
 * 2 back (before the first record of its type), it is refused. */
Test(xform, reference_before_the_first_record)
{
	struct chunk c = new_chunk();
	struct aa_file_event e;
	memset(&e, 0, sizeof(e));
	strcpy((char *)e.path, "/etc/passwd");
	add(&c, &e, sizeof(e), 0);
	add(&c, &e, sizeof(e), 0);
	uint8_t *x = malloc(AA_XFORM_MAX), *out = malloc(AA_CHUNK_RAW_MAX);
	long n = aa_xform_encode(c.raw, c.len, c.records, x);
	/* type codes 2; pid 8, tid 8, time 16, syscall 8, flags 8, return 16,
	 * duration 16: the path column at 82, two planes of two bytes */
	const size_t col = 2 + 8 + 8 + 16 + 8 + 8 + 16 + 16;
	cr_assert_eq(x[col], 11);
	cr_assert_eq(x[col + 1], 1);
	cr_assert_eq(x[col + 3], 0x80);
	cr_assert_eq(n, (long)col + 4 + 11); /* the path stored once */
	char detail[64];
	cr_assert_eq(aa_xform_decode(x, (size_t)n, 2, c.len, out, detail), 0, "%s", detail);
	x[col + 1] = 2;
	cr_assert_neq(aa_xform_decode(x, (size_t)n, 2, c.len, out, detail), 0);
	cr_assert_str_eq(detail, "string reference 2 back at record 1 of its type");
	x[col + 1] = 0;
	cr_assert_neq(aa_xform_decode(x, (size_t)n, 2, c.len, out, detail), 0);
	free(x);
	free(out);
	free(c.raw);
}

/* The transformed bytes are the ones the encoder of libaa 0.2.0 made (a
 * file written faster must be the same file): the digest of the
 * transforms of session-like chunks, mixed and odd ones. */
Test(xform, transformed_bytes_as_they_were)
{
	uint8_t *x = malloc(AA_XFORM_MAX);
	static uint8_t rec[AAT_GEN_MAX];
	struct chunk cs[8];
	size_t n = 0;
	for (uint64_t seed = 1; seed <= 3; seed++) { /* a chunk of a session each, full */
		struct aat_session s;
		aat_session_init(&s, seed, 1000000000ull);
		struct chunk c = new_chunk();
		for (;;) {
			size_t len = aat_session_next(&s, rec);
			if (c.len + AA_FRAME_HEADER + ((len + 7) & ~(size_t)7) > AA_CHUNK_RAW_MAX)
				break;
			add(&c, rec, (uint32_t)len, 0);
		}
		cs[n++] = c;
	}
	cs[n++] = mixed_chunk(40, 200, 100);
	cs[n++] = mixed_chunk(5, 60, 4128);
	cs[n++] = odd_chunk(2);
	cs[n++] = odd_chunk(9);
	struct aat_rng r; /* sizes no layout has, between known ones */
	aat_rng_seed(&r, 3);
	struct chunk u = new_chunk();
	for (uint32_t k = 1; k < 300; k += 7) {
		aat_fill(&r, rec, k);
		add(&u, rec, k, 0);
		aat_fill(&r, rec, 16);
		add(&u, rec, 16, 0);
	}
	cs[n++] = u;
	struct aa_xxh64 d;
	aa_xxh64_init(&d, 0);
	for (size_t i = 0; i < n; i++) {
		long len = aa_xform_encode(cs[i].raw, cs[i].len, cs[i].records, x);
		cr_assert_gt(len, 0, "chunk %zu", i);
		uint64_t l = (uint64_t)len;
		aa_xxh64_update(&d, &l, sizeof(l));
		aa_xxh64_update(&d, x, (size_t)len);
		free(cs[i].raw);
	}
	uint64_t got = aa_xxh64_digest(&d);
	cr_expect_eq(got, 0x36c4b5f15aa48bebull, "digest of the transformed chunks: 0x%016llx",
		     (unsigned long long)got);
	free(x);
}
