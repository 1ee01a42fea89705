/* SPDX-License-Identifier: MIT */
/*
 * The record-aware transform of a RECORDS chunk (chunk encoding 1, FORMAT.md
 * section 3.1): the framed records rewritten so that zstd finds more to
 * share. Records of one type are split into their fields, each field's
 * values stored together (a column per field and type); time stamps become
 * differences from the record before; a thread id becomes its difference
 * from the pid; strings and payloads lose their trailing zero bytes and
 * keep a length. Records of a size no layout has are kept whole. Both
 * directions are pure functions of their bytes: no state, no allocation.
 */
#ifndef AA_XFORM_H
#define AA_XFORM_H

#include <stddef.h>
#include <stdint.h>

#include "capfile.h"

/* The most bytes a transformed chunk may hold (so zstd's bound still fits a block). */
#define AA_XFORM_MAX AA_CHUNK_RAW_MAX

/*
 * Transforms the framed records raw[0..raw_len) (records of them) into
 * out (AA_XFORM_MAX bytes). Returns the transformed length, or -1 when the
 * chunk is not one the transform can carry exactly (a framing error, a
 * non-zero padding byte) or would not fit in AA_XFORM_MAX: the caller then
 * stores it plain.
 */
long aa_xform_encode(const uint8_t *raw, uint32_t raw_len, uint32_t records, uint8_t *out);

/*
 * Undoes aa_xform_encode: x[0..x_len) back into exactly raw_len bytes of
 * framed records at out (AA_CHUNK_RAW_MAX bytes). Every length is checked
 * before it is used. Returns 0, or -1 with detail (64 bytes) saying what is
 * wrong.
 */
int aa_xform_decode(const uint8_t *x, size_t x_len, uint32_t records, uint32_t raw_len,
		    uint8_t *out, char *detail);

#endif /* AA_XFORM_H */
