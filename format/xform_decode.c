/* SPDX-License-Identifier: MIT */
/* The record-aware chunk transform undone (see xform.h; the bytes: FORMAT.md 3.1). */
#include "xform.h"

#include <stdio.h>
#include <string.h>

#include "xform_int.h"

/* Value j of a column of w-byte values, stored as w planes (see xform.c). */
static inline void get_planes(uint8_t *v, const uint8_t *col, uint32_t count, uint32_t j,
			      unsigned w)
{
	for (unsigned k = 0; k < w; k++)
		v[k] = col[(size_t)k * count + j];
}

/*
 * Decoding goes a field at a time, not a record at a time: first each
 * record's frame is written and its place noted (frames); then each field
 * of each type is filled in its records, 16 values at a time from the
 * field's planes (from_columns); last, what depends on the records' order
 * across types, the time stamps, is summed in chunk order
 * (sum_time_stamps). Record by record, each value was gathered a byte from
 * each plane, and each string copied and padded by two calls.
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
		if (len % 8)
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
 * A whole field, or zeros of ZERO_CALL bytes or more (the unused rest of a
 * TLS buffer, most of a recording's bytes), go to memcpy and memset: the C
 * library's moves are wider than 16 bytes where the CPU has them (size
 * being a constant, a smaller field has no such branch).
 */
#define ZERO_CALL 256
static inline __attribute__((always_inline)) void put_field(uint8_t *dst, const uint8_t *src,
							    uint32_t n, const uint32_t size,
							    int over)
{
	if (!over) {
		memcpy(dst, src, n);
		memset(dst + n, 0, size - n);
		return;
	}
	if (n == size) {
		memcpy(dst, src, size);
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
	if (size >= ZERO_CALL && k < size && size - k >= ZERO_CALL) {
		memset(dst + k, 0, size - k);
		return;
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
 * relative to is in place. Inlined with t a constant, as xform.c's to_columns.
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
			/* The last values fewer than 16 too, when the bytes after
			 * the last plane can be read (the next column's): those
			 * after the values are not stored. */
			for (; j + 16 <= count ||
			       (j < count && x_len - pl->col[t][f] >= (size_t)(w - 1) * count + j + 16);
			     j += 16) {
				bytes16 v[16];
				values16(v, col, count, j, w);
				unsigned n = count - j < 16 ? count - j : 16;
				for (unsigned i = 0; i < n; i++)
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
