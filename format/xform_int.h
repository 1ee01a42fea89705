/* SPDX-License-Identifier: MIT */
/*
 * What both directions of the record-aware transform (xform.c encodes,
 * xform_decode.c decodes) share: each type's layout of fields, and where
 * the columns lie in the transformed bytes. Internal to libaa. The layouts
 * are here, not extern, so that the walks over them unroll with the type a
 * constant.
 */
#ifndef AA_XFORM_INT_H
#define AA_XFORM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "capfile.h"
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

/* A string field's column holds u16 lengths, as two planes (see xform.c). */
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

/* Where each column starts, from the counts: the same walk both ways. */
struct plan {
	uint32_t count[NTYPES];
	uint32_t n_unknown, n_source;
	size_t lens, sources;            /* the unknown records' lengths, the source words */
	size_t col[NTYPES][FIELDS_MAX];  /* each field's column */
	size_t str[NTYPES][FIELDS_MAX];  /* each string field's bytes */
	size_t unknown;                  /* the unknown records' bytes */
};

static inline size_t width(const struct field *f)
{
	return f->kind == F_STR ? 2 : f->size;
}

/* Lays the columns after the type codes; returns where they end. */
static inline size_t plan_columns(struct plan *pl, uint32_t records)
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
static inline size_t plan_strings(struct plan *pl, size_t off,
				  const size_t sums[NTYPES][FIELDS_MAX], size_t unknown_bytes)
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

#endif /* AA_XFORM_INT_H */
