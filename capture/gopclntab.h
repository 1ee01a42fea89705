/* SPDX-License-Identifier: MIT */
/*
 * Go's function table (.gopclntab) read without Go's help: where named
 * functions start and end, for a stripped Go binary (go build
 * -ldflags='-s -w' drops .symtab but keeps this table, which the runtime
 * needs for its stack traces). The layouts of Go 1.16 to today are read:
 * header magic 0xfffffffa (1.16, 1.17), 0xfffffff0 (1.18, 1.19),
 * 0xfffffff1 (1.20 on), little-endian only. The table is untrusted:
 * every offset is checked against its size.
 */
#ifndef AA_GOPCLNTAB_H
#define AA_GOPCLNTAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The table's layout, from its magic. */
enum aa_gopclntab_version {
	AA_GOPCLNTAB_UNKNOWN = 0,
	AA_GOPCLNTAB_116 = 116, /* Go 1.16 and 1.17 */
	AA_GOPCLNTAB_118 = 118, /* Go 1.18 and 1.19 */
	AA_GOPCLNTAB_120 = 120, /* Go 1.20 and later */
};

/* A function's code: [entry, end) as virtual addresses; both 0 when not found. */
struct aa_gofunc {
	uint64_t entry, end;
};

/*
 * Looks up names[0..n) in the table data[0..size) (the section's bytes).
 * text is the address of the .text section (the table's own text start is
 * used when it is 0). out[i] is names[i]'s code range, zeroed when not
 * there. Returns the table's version, or AA_GOPCLNTAB_UNKNOWN (nothing
 * found) when data is not a table of a known layout or is damaged where
 * it was read.
 */
enum aa_gopclntab_version aa_gopclntab_find(const uint8_t *data, size_t size, uint64_t text,
					    const char *const *names, size_t n, struct aa_gofunc *out);

#ifdef __cplusplus
}
#endif

#endif /* AA_GOPCLNTAB_H */
