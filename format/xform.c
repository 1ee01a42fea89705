/* SPDX-License-Identifier: MIT */
/* The record-aware chunk transform (see xform.h; the bytes: FORMAT.md 3.1). */
#include "xform.h"

#include <stdio.h>
#include <string.h>

#include "xform_int.h"

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
