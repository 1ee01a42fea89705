/* SPDX-License-Identifier: MIT */
/* The record-aware chunk transform (see xform.h; the bytes: FORMAT.md 3.1). */
#include "xform.h"

#include <stdio.h>
#include <string.h>

#include "events.h"
#include "pcapng.h"

/* How a field is stored in its column. */
enum fkind {
	F_RAW, /* its bytes as they are */
	F_TS,  /* u64: minus the previous known record's time stamp in the chunk */
	F_TID, /* u32: minus the record's pid (the u32 at offset rel) */
	F_STR, /* u16 length without trailing zero bytes; those bytes in the string area */
};

struct field {
	uint16_t off, size;
	uint8_t kind;
	uint8_t rel;
};

#define FIELDS_MAX 20
#define NTYPES (AA_TYPE_COUNT - 1)
#define CODE_UNKNOWN 0x7f /* a record of a size with no layout: kept whole */
#define CODE_SOURCE 0x80  /* the frame's source word is not 0: it is in the sources */

/* The fields of each type, in order, tiling the record exactly (tests check
 * the tiling). A type without a table here is carried as unknown. */
static const struct field layouts[NTYPES][FIELDS_MAX] = {
	[AA_TYPE_TLS] = {{0, 8, F_TS, 0}, {8, 4, F_RAW, 0}, {12, 4, F_TID, 8}, {16, 4, F_RAW, 0},
			 {20, 4, F_RAW, 0}, {24, 8, F_RAW, 0}, {32, 4096, F_STR, 0}},
	[AA_TYPE_FILE] = {{0, 4, F_RAW, 0}, {4, 4, F_TID, 0}, {8, 8, F_TS, 0}, {16, 4, F_RAW, 0},
			  {20, 4, F_RAW, 0}, {24, 8, F_RAW, 0}, {32, 8, F_RAW, 0},
			  {40, 256, F_STR, 0}},
	[AA_TYPE_EXEC] = {{0, 8, F_TS, 0}, {8, 4, F_RAW, 0}, {12, 4, F_RAW, 0}, {16, 8, F_RAW, 0},
			  {24, 256, F_STR, 0}, {280, 512, F_STR, 0}},
	[AA_TYPE_EXIT] = {{0, 8, F_TS, 0}, {8, 4, F_RAW, 0}, {12, 4, F_RAW, 0}},
	[AA_TYPE_TASK] = {{0, 8, F_TS, 0}, {8, 4, F_RAW, 0}, {12, 4, F_TID, 8}, {16, 4, F_RAW, 0},
			  {20, 4, F_RAW, 0}, {24, 4, F_RAW, 0}, {28, 4, F_RAW, 0},
			  {32, 4, F_RAW, 0}, {36, 4, F_TID, 8}, {40, 8, F_RAW, 0},
			  {48, 8, F_RAW, 0}, {56, 4, F_RAW, 0}, {60, 4, F_RAW, 0},
			  {64, 16, F_STR, 0}, {80, 96, F_STR, 0}},
	[AA_TYPE_STRING] = {{0, 8, F_TS, 0}, {8, 4, F_RAW, 0}, {12, 4, F_TID, 8},
			    {16, 4, F_RAW, 0}, {20, 4, F_RAW, 0}, {24, 4, F_RAW, 0},
			    {28, 4, F_RAW, 0}, {32, 1024, F_STR, 0}},
	[AA_TYPE_TLS_CONN] = {{0, 8, F_TS, 0}, {8, 4, F_RAW, 0}, {12, 4, F_TID, 8},
			      {16, 8, F_RAW, 0}, {24, 4, F_RAW, 0}, {28, 4, F_RAW, 0},
			      {32, 16, F_RAW, 0}, {48, 16, F_RAW, 0}, {64, 4, F_RAW, 0},
			      {68, 4, F_RAW, 0}, {72, 8, F_RAW, 0}},
	[AA_TYPE_FILEOP] = {{0, 8, F_TS, 0}, {8, 4, F_RAW, 0}, {12, 4, F_TID, 8},
			    {16, 4, F_RAW, 0}, {20, 4, F_RAW, 0}, {24, 8, F_RAW, 0},
			    {32, 8, F_RAW, 0}, {40, 8, F_RAW, 0}, {48, 4, F_RAW, 0},
			    {52, 4, F_RAW, 0}, {56, 8, F_RAW, 0}, {64, 256, F_STR, 0}},
	[AA_TYPE_NET] = {{0, 8, F_TS, 0}, {8, 4, F_RAW, 0}, {12, 4, F_TID, 8}, {16, 8, F_RAW, 0},
			 {24, 8, F_RAW, 0}, {32, 8, F_RAW, 0}, {40, 4, F_RAW, 0},
			 {44, 4, F_RAW, 0}, {48, 16, F_RAW, 0}, {64, 16, F_RAW, 0},
			 {80, 8, F_RAW, 0}, {88, 108, F_STR, 0}, {196, 4, F_RAW, 0}},
};

/* The type of a record of length len with a layout here, or CODE_UNKNOWN. */
static unsigned type_of(uint32_t len)
{
	switch (len) {
#define AA_X_CASE(name, NAME, bytes) \
	case bytes:                  \
		return layouts[AA_TYPE_##NAME][0].size ? AA_TYPE_##NAME : CODE_UNKNOWN;
		AA_RECORD_TYPES(AA_X_CASE)
#undef AA_X_CASE
	default:
		return CODE_UNKNOWN;
	}
}

static const uint32_t type_size[NTYPES] = {
#define AA_X_SIZE(name, NAME, bytes) [AA_TYPE_##NAME] = bytes,
	AA_RECORD_TYPES(AA_X_SIZE)
#undef AA_X_SIZE
};

static inline uint32_t pad8(uint32_t n)
{
	return (n + 7u) & ~7u;
}

static inline uint64_t get64(const uint8_t *p)
{
	return aa_get64(p);
}

/* Length of p[0..n) without its trailing zero bytes: 64 bytes at a time
 * over the zeros that pad a short path or payload, then 8, then the last
 * non-zero byte of the word found (the format's words are little-endian,
 * as the host's: its last byte is the word's most significant). */
static uint32_t trimmed(const uint8_t *p, uint32_t n)
{
	while (n >= 64) {
		uint64_t w[8];
		memcpy(w, p + n - 64, 64);
		if (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7])
			break;
		n -= 64;
	}
	while (n >= 8) {
		uint64_t w = get64(p + n - 8);
		if (w)
			return n - (uint32_t)__builtin_clzll(w) / 8;
		n -= 8;
	}
	while (n && !p[n - 1])
		n--;
	return n;
}

/*
 * A column of count values of w bytes is stored as w planes: byte k of
 * value j at k * count + j, so that the bytes that rarely change (the high
 * ones of a small number) make long runs.
 */
static inline void put_planes(uint8_t *col, uint32_t count, uint32_t j, const uint8_t *v,
			      unsigned w)
{
#pragma GCC unroll 16
	for (unsigned k = 0; k < w; k++)
		col[(size_t)k * count + j] = v[k];
}

static inline void get_planes(uint8_t *v, const uint8_t *col, uint32_t count, uint32_t j,
			      unsigned w)
{
	for (unsigned k = 0; k < w; k++)
		v[k] = col[(size_t)k * count + j];
}

static inline uint32_t get_u16(const uint8_t *col, uint32_t count, uint32_t j)
{
	return col[j] | (uint32_t)col[count + j] << 8;
}

/*
 * A string equal to one of a recent record of its type (the same field) is
 * stored as a reference: STR_REF | d, the record d back among its type's.
 */
#define STR_REF 0x8000u
#define REF_BACK_MAX 255u
#define DEDUP_MAX 1024u /* fields longer (TLS payloads) are not looked up */
#define SEEN_SLOTS 4096u

struct seen {
	uint32_t at_n; /* offset of the field in the raw chunk, and << SEEN_AT_BITS its
			  length without trailing zero bytes */
	uint16_t j;    /* ordinal of its record among its type's, + 1 (0: empty) */
	uint16_t tf;   /* type * FIELDS_MAX + field */
};
#define SEEN_AT_BITS 18
_Static_assert(AA_CHUNK_RAW_MAX <= 1u << SEEN_AT_BITS && DEDUP_MAX < 1u << (32 - SEEN_AT_BITS),
	       "an offset and a length fit in at_n");

static uint32_t hash_bytes(const uint8_t *p, uint32_t n, uint32_t tf)
{
	uint64_t h = 0x9E3779B97F4A7C15ull * (tf + 1) ^ n;
	uint32_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	return (uint32_t)(h * 0xc4ceb9fe1a85ec53ull >> 52); /* 12 bits: SEEN_SLOTS */
}

/* How far back (1 … REF_BACK_MAX records of its type) the same field held
 * the same bytes, or 0; remembers this one. n is its length without its
 * trailing zeros: two fields are equal if their n and first n bytes are. */
static uint32_t seen_before(struct seen *seen, const uint8_t *raw, uint32_t at, uint32_t n,
			    uint32_t tf, uint32_t j)
{
	struct seen *e = &seen[hash_bytes(raw + at, n, tf)];
	uint32_t d = 0;
	if (e->j && e->tf == tf && j + 1 - e->j <= REF_BACK_MAX && e->at_n >> SEEN_AT_BITS == n &&
	    memcmp(raw + (e->at_n & ((1u << SEEN_AT_BITS) - 1)), raw + at, n) == 0)
		d = j + 1 - e->j;
	e->at_n = at | n << SEEN_AT_BITS;
	e->j = (uint16_t)(j + 1);
	e->tf = (uint16_t)tf;
	return d;
}

/* Where each column starts, from the counts: the same walk both ways. */
struct plan {
	uint32_t count[NTYPES];
	uint32_t n_unknown, n_source;
	size_t lens, sources;            /* the unknown records' lengths, the source words */
	size_t col[NTYPES][FIELDS_MAX];  /* each field's column */
	size_t str[NTYPES][FIELDS_MAX];  /* each string field's bytes */
	size_t unknown;                  /* the unknown records' bytes */
};

static size_t width(const struct field *f)
{
	return f->kind == F_STR ? 2 : f->size;
}

/* Lays the columns after the type codes; returns where they end. */
static size_t plan_columns(struct plan *pl, uint32_t records)
{
	size_t off = records;
	pl->lens = off;
	off += 4 * (size_t)pl->n_unknown;
	pl->sources = off;
	off += 4 * (size_t)pl->n_source;
	for (unsigned t = 0; t < NTYPES; t++)
		for (const struct field *f = layouts[t]; f < layouts[t] + FIELDS_MAX && f->size; f++) {
			pl->col[t][f - layouts[t]] = off;
			off += (size_t)pl->count[t] * width(f);
		}
	return off;
}

/* Lays the string areas and the unknown bytes after off, given each string
 * field's total (sums[t][f]); returns where they end. */
static size_t plan_strings(struct plan *pl, size_t off, const size_t sums[NTYPES][FIELDS_MAX],
			   size_t unknown_bytes)
{
	for (unsigned t = 0; t < NTYPES; t++)
		for (unsigned f = 0; f < FIELDS_MAX && layouts[t][f].size; f++)
			if (layouts[t][f].kind == F_STR) {
				pl->str[t][f] = off;
				off += sums[t][f];
			}
	pl->unknown = off;
	return off + unknown_bytes;
}

/*
 * The fields of record r, the j-th of its type t, into their columns (pass
 * 2 of the encoding). Inlined for each type with t a constant, so that the
 * walk of its layout unrolls into straight code.
 */
static inline __attribute__((always_inline)) void
to_columns(const unsigned t, const uint8_t *raw, const uint8_t *r, uint32_t j, uint8_t *out,
	   const struct plan *pl, struct seen *seen, uint64_t *prev_ts,
	   size_t sums[NTYPES][FIELDS_MAX])
{
#pragma GCC unroll 20
	for (unsigned f = 0; f < FIELDS_MAX; f++) {
		const struct field *fd = &layouts[t][f];
		if (!fd->size)
			break;
		uint8_t v[16];
		const uint8_t *val = v;
		switch (fd->kind) {
		case F_RAW:
			val = r + fd->off;
			break;
		case F_TS: {
			uint64_t ts = get64(r + fd->off);
			aa_put64(v, ts - *prev_ts);
			*prev_ts = ts;
			break;
		}
		case F_TID:
			aa_put32(v, aa_get32(r + fd->off) - aa_get32(r + fd->rel));
			break;
		case F_STR: {
			uint32_t n = trimmed(r + fd->off, fd->size);
			uint32_t d = fd->size <= DEDUP_MAX ?
				     seen_before(seen, raw, (uint32_t)(r + fd->off - raw), n,
						 t * FIELDS_MAX + f, j) : 0;
			uint32_t code = d ? STR_REF | d : n;
			v[0] = (uint8_t)code;
			v[1] = (uint8_t)(code >> 8);
			if (!d)
				sums[t][f] += n;
			break;
		}
		}
		put_planes(out + pl->col[t][f], pl->count[t], j, val, (unsigned)width(fd));
	}
}

long aa_xform_encode(const uint8_t *raw, uint32_t raw_len, uint32_t records, uint8_t *out)
{
	struct plan pl;
	size_t sums[NTYPES][FIELDS_MAX];
	size_t unknown_bytes = 0;
	uint32_t p = 0;

	if (records > AA_XFORM_MAX)
		return -1;
	memset(&pl, 0, sizeof(pl));
	memset(sums, 0, sizeof(sums));
	/* 1: check the framing, write the type codes, count. */
	for (uint32_t i = 0; i < records; i++) {
		if (raw_len - p < AA_FRAME_HEADER)
			return -1;
		uint32_t len = aa_get32(raw + p), src = aa_get32(raw + p + 4);
		if (len > raw_len - p - AA_FRAME_HEADER || pad8(len) > raw_len - p - AA_FRAME_HEADER)
			return -1;
		for (uint32_t k = len; k < pad8(len); k++)
			if (raw[p + AA_FRAME_HEADER + k])
				return -1;
		unsigned t = type_of(len);
		out[i] = (uint8_t)(t | (src ? CODE_SOURCE : 0));
		if (t == CODE_UNKNOWN) {
			pl.n_unknown++;
			unknown_bytes += len;
		} else {
			pl.count[t]++;
		}
		pl.n_source += src != 0;
		p += AA_FRAME_HEADER + pad8(len);
	}
	if (p != raw_len)
		return -1;
	size_t end = plan_columns(&pl, records);
	if (end > AA_XFORM_MAX)
		return -1;

	/* 2: the columns. */
	struct seen seen[SEEN_SLOTS];
	memset(seen, 0, sizeof(seen));
	uint32_t at[NTYPES] = {0}, nu = 0, ns = 0;
	uint64_t prev_ts = 0;
	p = 0;
	for (uint32_t i = 0; i < records; i++) {
		uint32_t len = aa_get32(raw + p), src = aa_get32(raw + p + 4);
		const uint8_t *r = raw + p + AA_FRAME_HEADER;
		unsigned t = out[i] & CODE_UNKNOWN;
		if (src)
			aa_put32(out + pl.sources + 4 * (size_t)ns++, src);
		p += AA_FRAME_HEADER + pad8(len);
		if (t == CODE_UNKNOWN) {
			aa_put32(out + pl.lens + 4 * (size_t)nu++, len);
			continue;
		}
		uint32_t j = at[t]++;
		switch (t) {
#define AA_X_COLUMNS(name, NAME, bytes)                                                \
	case AA_TYPE_##NAME:                                                           \
		to_columns(AA_TYPE_##NAME, raw, r, j, out, &pl, seen, &prev_ts, sums); \
		break;
			AA_RECORD_TYPES(AA_X_COLUMNS)
#undef AA_X_COLUMNS
		}
	}
	end = plan_strings(&pl, end, sums, unknown_bytes);
	if (end > AA_XFORM_MAX)
		return -1;

	/* 3: the strings and the unknown records' bytes. */
	size_t sat[NTYPES][FIELDS_MAX];
	memcpy(sat, pl.str, sizeof(sat));
	size_t uat = pl.unknown;
	memset(at, 0, sizeof(at));
	p = 0;
	for (uint32_t i = 0; i < records; i++) {
		uint32_t len = aa_get32(raw + p);
		const uint8_t *r = raw + p + AA_FRAME_HEADER;
		unsigned t = out[i] & CODE_UNKNOWN;
		p += AA_FRAME_HEADER + pad8(len);
		if (t == CODE_UNKNOWN) {
			memcpy(out + uat, r, len);
			uat += len;
			continue;
		}
		uint32_t j = at[t]++;
		for (unsigned f = 0; f < FIELDS_MAX && layouts[t][f].size; f++) {
			const struct field *fd = &layouts[t][f];
			if (fd->kind != F_STR)
				continue;
			uint32_t n = get_u16(out + pl.col[t][f], pl.count[t], j);
			if (n & STR_REF)
				continue;
			memcpy(out + sat[t][f], r + fd->off, n);
			sat[t][f] += n;
		}
	}
	return (long)end;
}

/*
 * Decoding goes by column, not by record: going record by record read a
 * byte from every plane of every field of the record's type at once, more
 * streams than the prefetcher follows. So first each record's frame is
 * written and its place noted (frames), then each field of each type is
 * filled in its records' slots, plane after plane read in order
 * (from_columns), and last what depends on the records' order across types,
 * the time stamps, is summed in chunk order (sum_time_stamps).
 */

/* The most records of known types a chunk holds: exit's are the smallest. */
#define AA_X_SMALLEST(name, NAME, bytes) \
	_Static_assert(bytes >= AA_EXIT_EVENT_SIZE, #name " records are smaller than exit's");
AA_RECORD_TYPES(AA_X_SMALLEST)
#undef AA_X_SMALLEST
#define POS_MAX (AA_CHUNK_RAW_MAX / (AA_FRAME_HEADER + AA_EXIT_EVENT_SIZE))
/* A frame's place in the chunk, a multiple of 8, is kept / 8 in 16 bits. */
_Static_assert(AA_CHUNK_RAW_MAX / 8 <= UINT16_MAX, "a frame's place / 8 fits in 16 bits");

static inline uint8_t *record_at(uint8_t *out, uint16_t pos)
{
	return out + (size_t)pos * 8 + AA_FRAME_HEADER;
}

/* In chunk order: each record's frame (length, source word, zero padding)
 * and an unknown record's bytes; pos gets where each record of a known
 * type lies, those of type 0 first, then of type 1, ... */
static void frames(const uint8_t *x, uint32_t records, const struct plan *pl, uint8_t *out,
		   uint16_t *pos)
{
	uint16_t *next[NTYPES];
	for (unsigned t = 0, first = 0; t < NTYPES; first += pl->count[t], t++)
		next[t] = pos + first;
	size_t uat = pl->unknown, o = 0;
	uint32_t nu = 0, ns = 0;
	for (uint32_t i = 0; i < records; i++) {
		unsigned t = x[i] & CODE_UNKNOWN;
		uint32_t src = x[i] & CODE_SOURCE ? aa_get32(x + pl->sources + 4 * (size_t)ns++) : 0;
		uint32_t len = t == CODE_UNKNOWN ? aa_get32(x + pl->lens + 4 * (size_t)nu++) :
						   type_size[t];
		uint8_t *r = out + o + AA_FRAME_HEADER;
		aa_put32(out + o, len);
		aa_put32(out + o + 4, src);
		memset(r + len, 0, pad8(len) - len);
		if (t == CODE_UNKNOWN) {
			memcpy(r, x + uat, len);
			uat += len;
		} else {
			*next[t]++ = (uint16_t)(o / 8);
		}
		o += AA_FRAME_HEADER + pad8(len);
	}
}

/*
 * The values of records j ... j + 15 of a column of w bytes (1, 2, 4, 8 or
 * 16), one after the other in v: the w rows of 16 bytes read from the planes
 * transposed by log2(w) rounds of interleaving row m with row m + w / 2
 * (the byte interleave of SSE2's punpcklbw or NEON's zip), 16 values in a
 * few instructions where a byte at a time took two per byte.
 */
typedef uint8_t bytes16 __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) void values16(bytes16 *v, const uint8_t *col,
							   uint32_t count, uint32_t j,
							   const unsigned w)
{
	for (unsigned k = 0; k < w; k++)
		memcpy(&v[k], col + (size_t)k * count + j, 16);
	for (unsigned round = 1; round < w; round *= 2) {
		bytes16 t[16];
		for (unsigned m = 0; m < w / 2; m++) {
			t[2 * m] = __builtin_shufflevector(v[m], v[m + w / 2], 0, 16, 1, 17, 2, 18,
							   3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
			t[2 * m + 1] = __builtin_shufflevector(v[m], v[m + w / 2], 8, 24, 9, 25, 10,
							       26, 11, 27, 12, 28, 13, 29, 14, 30,
							       15, 31);
		}
		memcpy(v, t, w * sizeof(t[0]));
	}
}

/*
 * dst[0..size) = src[0..n) and zeros after (n <= size), in 16-byte moves:
 * size is a constant where this is inlined, and a short path in a field of
 * hundreds of bytes took a call to memcpy and one to memset. With over,
 * src may be read on to a multiple of 16 bytes (the bytes past n are masked).
 */
static inline __attribute__((always_inline)) void put_field(uint8_t *dst, const uint8_t *src,
							    uint32_t n, const uint32_t size,
							    int over)
{
	if (!over) {
		memcpy(dst, src, n);
		memset(dst + n, 0, size - n);
		return;
	}
	const uint32_t whole = size & ~15u;
	const bytes16 index = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	const bytes16 zero = {0};
	uint32_t k = 0;
	for (; k + 16 <= n; k += 16)
		memcpy(dst + k, src + k, 16);
	if (k < n) {
		bytes16 b;
		memcpy(&b, src + k, 16);
		b &= (bytes16)(index < (uint8_t)(n - k));
		if (k < whole)
			memcpy(dst + k, &b, 16);
		else
			memcpy(dst + whole, &b, size % 16);
		k += 16;
	}
	for (; k < whole; k += 16)
		memcpy(dst + k, &zero, 16);
	if (size % 16 && k == whole)
		memcpy(dst + whole, &zero, size % 16);
}

/* String field f of type t in its records, in their order: a reference
 * copies the field of a record before, already in place. */
static inline __attribute__((always_inline)) void
strings_from(const unsigned t, const unsigned f, const uint8_t *x, size_t x_len,
	     const struct plan *pl, const uint16_t *pos, uint8_t *out)
{
	const struct field *fd = &layouts[t][f];
	const uint8_t *col = x + pl->col[t][f];
	size_t at = pl->str[t][f];
	for (uint32_t j = 0; j < pl->count[t]; j++) {
		uint8_t *v = record_at(out, pos[j]) + fd->off;
		uint32_t n = get_u16(col, pl->count[t], j);
		if (n & STR_REF) {
			put_field(v, record_at(out, pos[j - (n & ~STR_REF)]) + fd->off, fd->size,
				  fd->size, fd->size % 16 == 0);
			continue;
		}
		put_field(v, x + at, n, fd->size, x_len - at >= ((n + 15u) & ~15u));
		at += n;
	}
}

/*
 * The fields of type t's records (at pos) from their columns, a field at a
 * time. A time stamp is left as its difference (sum_time_stamps adds them);
 * a thread id is made whole in a second round, once the field it is
 * relative to is in place. Inlined with t a constant, as to_columns.
 */
static inline __attribute__((always_inline)) void
from_columns(const unsigned t, const uint8_t *x, size_t x_len, const struct plan *pl,
	     const uint16_t *pos, uint8_t *out)
{
	const uint32_t count = pl->count[t];
	for (unsigned round = 0; round < 2; round++) {
#pragma GCC unroll 20
		for (unsigned f = 0; f < FIELDS_MAX; f++) {
			const struct field *fd = &layouts[t][f];
			if (!fd->size)
				break;
			if ((fd->kind == F_TID) != round)
				continue;
			if (fd->kind == F_STR) {
				strings_from(t, f, x, x_len, pl, pos, out);
				continue;
			}
			const uint8_t *col = x + pl->col[t][f];
			const unsigned w = fd->size;
			uint32_t j = 0;
			for (; j + 16 <= count; j += 16) {
				bytes16 v[16];
				values16(v, col, count, j, w);
				for (unsigned i = 0; i < 16; i++)
					memcpy(record_at(out, pos[j + i]) + fd->off,
					       (const uint8_t *)v + i * w, w);
			}
			for (; j < count; j++)
				get_planes(record_at(out, pos[j]) + fd->off, col, count, j, w);
			if (fd->kind == F_TID)
				for (j = 0; j < count; j++) {
					uint8_t *r = record_at(out, pos[j]);
					aa_put32(r + fd->off,
						 aa_get32(r + fd->off) + aa_get32(r + fd->rel));
				}
		}
	}
}

/* The time stamps of type t's record r: the previous one's plus its difference. */
static inline __attribute__((always_inline)) void add_time_stamps(const unsigned t, uint8_t *r,
								  uint64_t *prev_ts)
{
#pragma GCC unroll 20
	for (unsigned f = 0; f < FIELDS_MAX; f++) {
		const struct field *fd = &layouts[t][f];
		if (!fd->size)
			break;
		if (fd->kind == F_TS) {
			*prev_ts += get64(r + fd->off);
			aa_put64(r + fd->off, *prev_ts);
		}
	}
}

/* In chunk order, across types: each time stamp from the one before. */
static void sum_time_stamps(const uint8_t *x, uint32_t records, uint8_t *out)
{
	uint64_t prev_ts = 0;
	size_t o = 0;
	for (uint32_t i = 0; i < records; i++) {
		uint8_t *r = out + o + AA_FRAME_HEADER;
		o += AA_FRAME_HEADER + pad8(aa_get32(out + o));
		switch (x[i] & CODE_UNKNOWN) {
#define AA_X_TS(name, NAME, bytes)                               \
	case AA_TYPE_##NAME:                                     \
		add_time_stamps(AA_TYPE_##NAME, r, &prev_ts);    \
		break;
			AA_RECORD_TYPES(AA_X_TS)
#undef AA_X_TS
		}
	}
}

#define FAIL(...)                                  \
	do {                                       \
		snprintf(detail, 64, __VA_ARGS__); \
		return -1;                         \
	} while (0)

int aa_xform_decode(const uint8_t *x, size_t x_len, uint32_t records, uint32_t raw_len,
		    uint8_t *out, char *detail)
{
	struct plan pl;
	size_t sums[NTYPES][FIELDS_MAX];
	uint64_t framed = 0;

	if (raw_len > AA_CHUNK_RAW_MAX || x_len < records)
		FAIL("transformed chunk of %zu bytes for %u records", x_len, records);
	memset(&pl, 0, sizeof(pl));
	memset(sums, 0, sizeof(sums));
	for (uint32_t i = 0; i < records; i++) {
		unsigned t = x[i] & CODE_UNKNOWN;
		if (t != CODE_UNKNOWN && (t >= NTYPES || !layouts[t][0].size))
			FAIL("record %u: unknown type code %u", i, t);
		if (t == CODE_UNKNOWN)
			pl.n_unknown++;
		else
			pl.count[t]++;
		pl.n_source += (x[i] & CODE_SOURCE) != 0;
	}
	size_t end = plan_columns(&pl, records);
	if (end > x_len)
		FAIL("columns end past the %zu bytes", x_len);
	size_t unknown_bytes = 0;
	for (uint32_t u = 0; u < pl.n_unknown; u++) {
		uint32_t len = aa_get32(x + pl.lens + 4 * (size_t)u);
		if (len > AA_RECORD_MAX)
			FAIL("unknown record of %u bytes", len);
		unknown_bytes += len;
		framed += AA_FRAME_HEADER + pad8(len);
	}
	for (unsigned t = 0; t < NTYPES; t++) {
		framed += (uint64_t)pl.count[t] * (AA_FRAME_HEADER + pad8(type_size[t]));
		for (unsigned f = 0; f < FIELDS_MAX && layouts[t][f].size; f++) {
			if (layouts[t][f].kind != F_STR)
				continue;
			for (uint32_t j = 0; j < pl.count[t]; j++) {
				uint32_t n = get_u16(x + pl.col[t][f], pl.count[t], j);
				if (n & STR_REF) {
					uint32_t d = n & ~STR_REF;
					if (d == 0 || d > REF_BACK_MAX || d > j ||
					    layouts[t][f].size > DEDUP_MAX)
						FAIL("string reference %u back at record %u of its type", d, j);
					continue;
				}
				if (n > layouts[t][f].size)
					FAIL("string of %u bytes in a field of %u", n,
					     layouts[t][f].size);
				sums[t][f] += n;
			}
		}
	}
	if (framed != raw_len)
		FAIL("records make %llu bytes, chunk says %u", (unsigned long long)framed, raw_len);
	end = plan_strings(&pl, end, sums, unknown_bytes);
	if (end != x_len)
		FAIL("transformed content is %zu bytes, its columns make %zu", x_len, end);

	/* Every length is good now: rebuild the records. */
	uint16_t pos[POS_MAX];
	frames(x, records, &pl, out, pos);
	for (unsigned t = 0, first = 0; t < NTYPES; first += pl.count[t], t++) {
		switch (t) {
#define AA_X_FIELDS(name, NAME, bytes)                                          \
	case AA_TYPE_##NAME:                                                    \
		from_columns(AA_TYPE_##NAME, x, x_len, &pl, pos + first, out);       \
		break;
			AA_RECORD_TYPES(AA_X_FIELDS)
#undef AA_X_FIELDS
		}
	}
	sum_time_stamps(x, records, out);
	return 0;
}
