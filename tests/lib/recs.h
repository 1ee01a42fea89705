/* SPDX-License-Identifier: MIT */
/* A list of records held in memory, in order: what a test writes and what
 * it reads back, compared byte for byte. */
#ifndef AAT_RECS_H
#define AAT_RECS_H

#include <stddef.h>
#include <stdint.h>

struct aat_recs {
	uint8_t *data; /* the records' bytes, each from an 8-byte boundary (aa_parse) */
	size_t used;   /* record bytes in all (padding not counted) */
	size_t end, cap; /* of data */
	size_t *off;   /* record i is data[off[i] .. off[i]+len[i]) */
	uint32_t *len;
	size_t n, ncap;
};

/* Appends a copy of one record; aborts when out of memory. */
void aat_recs_add(struct aat_recs *l, const void *rec, size_t len);
const uint8_t *aat_recs_at(const struct aat_recs *l, size_t i);
void aat_recs_clear(struct aat_recs *l);
void aat_recs_free(struct aat_recs *l);
/* The index of the first record that differs (in length or bytes), or -1
 * when both lists are equal. A missing record counts as a difference. */
long aat_recs_diff(const struct aat_recs *a, const struct aat_recs *b);
/* Writes the list as a raw stream: [u32 little-endian length][bytes] each. */
int aat_recs_write_raw(const struct aat_recs *l, const char *path);

#endif
