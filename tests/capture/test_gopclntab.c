/* SPDX-License-Identifier: MIT */
/*
 * capture/gopclntab.c: functions found in Go function tables of each layout
 * (built here as Go's linker lays them out), and hostile tables (cut short
 * anywhere, bytes changed at random, counts and offsets out of range)
 * refused or read without reading outside the bytes given (ASan build).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "gopclntab.h"

static const char *const want[] = { "crypto/tls.(*Conn).Write", "crypto/tls.(*Conn).Read" };

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * A table of magic with three functions: main.main at text+0x100, Write at
 * text+0x200 (0x80 long), Read at text+0x300 (end of text at 0x400).
 * Returns its size.
 */
static size_t make_table(uint8_t *t, uint32_t magic, uint64_t text)
{
	static const char names[] = "main.main\0crypto/tls.(*Conn).Write\0crypto/tls.(*Conn).Read";
	static const uint32_t nameoff[3] = { 0, 10, 35 };
	static const uint64_t entry[4] = { 0x100, 0x200, 0x280, 0x400 };
	int v116 = magic == 0xfffffffa;
	unsigned field = v116 ? 8 : 4, words = v116 ? 7 : 8;
	size_t hdr = 8 + 8 * words, functab = hdr + sizeof(names), funcs = (2 * 3 + 1) * field, at;

	memset(t, 0, 4096);
	put(t, magic, 4);
	t[6] = 1;
	t[7] = 8;
	put(t + 8, 3, 8);                                   /* nfunc */
	if (!v116)
		put(t + 8 + 2 * 8, text, 8);                /* textStart */
	put(t + 8 + (v116 ? 2 : 3) * 8, hdr, 8);            /* funcnametab */
	put(t + 8 + (v116 ? 6 : 7) * 8, functab, 8);        /* functab / funcdata */
	memcpy(t + hdr, names, sizeof(names));
	at = funcs; /* the _func records follow the functab */
	for (int i = 0; i < 4; i++) {
		uint64_t e = v116 ? text + entry[i] : entry[i];

		put(t + functab + 2 * i * field, e, field);
		if (i == 3)
			break;
		put(t + functab + (2 * i + 1) * field, at, field);
		put(t + functab + at, e, field);
		put(t + functab + at + field, nameoff[i], 4);
		at += field + 4 + 36; /* (the rest of a _func: not read) */
	}
	return functab + at;
}

static void check_found(uint32_t magic, enum aa_gopclntab_version v)
{
	uint8_t t[4096];
	size_t n = make_table(t, magic, 0x401000);
	struct aa_gofunc out[2];

	/* (1.18 on: .text's address wins over the header's) */
	cr_assert_eq(aa_gopclntab_find(t, n, 0x401000, want, 2, out), v);
	cr_assert_eq(out[0].entry, 0x401200);
	cr_assert_eq(out[0].end, 0x401280);
	cr_assert_eq(out[1].entry, 0x401280);
	cr_assert_eq(out[1].end, 0x401400);
}

Test(gopclntab, go118_and_go120_tables)
{
	check_found(0xfffffff0, AA_GOPCLNTAB_118);
	check_found(0xfffffff1, AA_GOPCLNTAB_120);
}

Test(gopclntab, go116_table_of_addresses)
{
	check_found(0xfffffffa, AA_GOPCLNTAB_116);
}

Test(gopclntab, text_start_from_the_header_when_no_section)
{
	uint8_t t[4096];
	size_t n = make_table(t, 0xfffffff0, 0x500000);
	struct aa_gofunc out[2];

	cr_assert_eq(aa_gopclntab_find(t, n, 0, want, 2, out), AA_GOPCLNTAB_118);
	cr_assert_eq(out[0].entry, 0x500200);
}

Test(gopclntab, unknown_layouts_refused)
{
	uint8_t t[4096];
	size_t n = make_table(t, 0xfffffffb, 0); /* Go 1.2 to 1.15: stack ABI, not read */
	struct aa_gofunc out[2] = { { 1, 2 }, { 3, 4 } };

	cr_assert_eq(aa_gopclntab_find(t, n, 0, want, 2, out), AA_GOPCLNTAB_UNKNOWN);
	cr_assert_eq(out[0].entry, 0, "out is zeroed when nothing is found");
	n = make_table(t, 0xfffffff0, 0);
	t[7] = 5; /* pointer size */
	cr_assert_eq(aa_gopclntab_find(t, n, 0, want, 2, out), AA_GOPCLNTAB_UNKNOWN);
	n = make_table(t, 0xfffffff0, 0);
	put(t + 8, 1ull << 62, 8); /* nfunc far past the end */
	cr_assert_eq(aa_gopclntab_find(t, n, 0, want, 2, out), AA_GOPCLNTAB_UNKNOWN);
	n = make_table(t, 0xfffffff0, 0);
	put(t + 8 + 7 * 8, UINT64_MAX - 3, 8); /* functab offset wrapping around */
	cr_assert_eq(aa_gopclntab_find(t, n, 0, want, 2, out), AA_GOPCLNTAB_UNKNOWN);
}

/* Every length, and random bytes changed: no read outside (ASan), and a
 * function found is always one the table holds or ranges it says. */
Test(gopclntab, cut_short_and_mutated_tables)
{
	static const uint32_t magics[] = { 0xfffffff0, 0xfffffff1, 0xfffffffa };
	struct aa_gofunc out[2];
	uint8_t t[4096];
	unsigned seed = 12345;

	for (size_t m = 0; m < 3; m++) {
		size_t n = make_table(t, magics[m], 0x401000);

		for (size_t len = 0; len <= n; len++) {
			/* an exact-size copy: ASan sees a read past its end */
			uint8_t *cut = malloc(len ? len : 1);

			memcpy(cut, t, len);
			aa_gopclntab_find(cut, len, 0x401000, want, 2, out);
			if (len < n)
				cr_assert(out[1].entry == 0 || out[1].entry == 0x401280);
			free(cut);
		}
		for (int round = 0; round < 20000; round++) {
			uint8_t *mut = malloc(n);

			make_table(t, magics[m], 0x401000);
			memcpy(mut, t, n);
			for (int k = 0; k < 1 + round % 4; k++) {
				seed = seed * 1103515245u + 12345u;
				mut[(seed >> 8) % n] = (uint8_t)(seed >> 24);
			}
			aa_gopclntab_find(mut, n, 0x401000, want, 2, out);
			for (int i = 0; i < 2; i++)
				cr_assert(out[i].entry == 0 || out[i].end > out[i].entry);
			free(mut);
		}
	}
}
