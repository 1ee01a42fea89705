/* SPDX-License-Identifier: MIT */
/* Go's function table read for named functions' code (gopclntab.h). */
#include "gopclntab.h"

#include <string.h>

/* Little-endian words, read only where the caller checked they fit. */
static uint64_t le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = bytes; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* The word of `bytes` at off, or fails when it is not all inside. */
static int word_at(const uint8_t *data, size_t size, uint64_t off, unsigned bytes, uint64_t *v)
{
	if (off > size || size - off < bytes)
		return -1;
	*v = le(data + off, bytes);
	return 0;
}

/* Whether the NUL-terminated name at off in data is name. */
static int name_is(const uint8_t *data, size_t size, uint64_t off, const char *name)
{
	size_t len = strlen(name);

	return off < size && size - off > len && !memcmp(data + off, name, len) && data[off + len] == 0;
}

struct layout {
	unsigned ptr;       /* pointer size: 4 or 8 */
	unsigned field;     /* size of a functab field: 4 (1.18 on) or ptr (1.16) */
	uint64_t nfunc;
	uint64_t text;      /* added to a functab entry */
	uint64_t funcnames; /* offsets of funcnametab and of functab (= the _func data) */
	uint64_t functab;
};

/* The header: magic, two zero bytes, instruction quantum, pointer size, then words. */
static enum aa_gopclntab_version header(const uint8_t *data, size_t size, uint64_t text, struct layout *l)
{
	enum aa_gopclntab_version v;
	uint64_t magic, start = 0;
	unsigned names_word, functab_word;

	if (size < 16 || data[4] || data[5] || (data[6] != 1 && data[6] != 2 && data[6] != 4) ||
	    (data[7] != 4 && data[7] != 8))
		return AA_GOPCLNTAB_UNKNOWN;
	magic = le(data, 4);
	l->ptr = data[7];
	if (magic == 0xfffffff0 || magic == 0xfffffff1) {
		v = magic == 0xfffffff0 ? AA_GOPCLNTAB_118 : AA_GOPCLNTAB_120;
		l->field = 4;
		names_word = 3;
		functab_word = 7;
		/* (the table's text start may be unrelocated: .text's own address first) */
		if (word_at(data, size, 8 + 2 * l->ptr, l->ptr, &start))
			return AA_GOPCLNTAB_UNKNOWN;
		l->text = text ? text : start;
	} else if (magic == 0xfffffffa) {
		v = AA_GOPCLNTAB_116;
		l->field = l->ptr;
		names_word = 2;
		functab_word = 6;
		l->text = 0; /* entries are addresses */
	} else {
		return AA_GOPCLNTAB_UNKNOWN;
	}
	if (word_at(data, size, 8, l->ptr, &l->nfunc) ||
	    word_at(data, size, 8 + names_word * l->ptr, l->ptr, &l->funcnames) ||
	    word_at(data, size, 8 + functab_word * l->ptr, l->ptr, &l->functab))
		return AA_GOPCLNTAB_UNKNOWN;
	/* the functab (2 * nfunc + 1 fields) must fit */
	if (l->functab > size || l->nfunc > (size - l->functab) / l->field / 2 ||
	    (2 * l->nfunc + 1) * l->field > size - l->functab)
		return AA_GOPCLNTAB_UNKNOWN;
	return v;
}

enum aa_gopclntab_version aa_gopclntab_find(const uint8_t *data, size_t size, uint64_t text,
					    const char *const *names, size_t n, struct aa_gofunc *out)
{
	struct layout l;
	enum aa_gopclntab_version v;
	size_t left = n;

	memset(out, 0, n * sizeof(*out));
	v = header(data, size, text, &l);
	if (v == AA_GOPCLNTAB_UNKNOWN)
		return v;
	for (uint64_t i = 0; i < l.nfunc && left; i++) {
		const uint8_t *f = data + l.functab + 2 * i * l.field; /* inside: checked by header() */
		uint64_t entry = le(f, l.field), funcoff = le(f + l.field, l.field);
		uint64_t end = le(f + 2 * l.field, l.field), nameoff;

		/* _func: entry (a field), then nameoff (int32) into funcnametab */
		if (funcoff > size - l.functab ||
		    word_at(data, size, l.functab + funcoff + l.field, 4, &nameoff))
			return AA_GOPCLNTAB_UNKNOWN;
		if (nameoff >= 0x80000000u || l.funcnames > size)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (out[k].entry || !name_is(data, size, l.funcnames + nameoff, names[k]))
				continue;
			if (end > entry && l.text + entry >= l.text) {
				out[k].entry = l.text + entry;
				out[k].end = l.text + end;
				left--;
			}
			break;
		}
	}
	return v;
}
