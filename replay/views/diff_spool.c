/* SPDX-License-Identifier: MIT */
/*
 * The spooled "what happened" text (diff_impl.h): lines and their index
 * in temporary files, read back by entry, so that comparing two long
 * recordings takes disk, not memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff_impl.h"

/* splitmix64's finalizer: a bijection that mixes every bit into every other */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t diff_text_hash(uint64_t line_hash, uint32_t indent)
{
	/* equal only for equal pairs (but 2^-64) */
	uint64_t z = mix(line_hash ^ ((uint64_t)indent + 1) * 0x9e3779b97f4a7c15ull);

	return z ? z : 1;
}

uint64_t diff_fold(uint64_t fp, uint64_t h)
{
	return mix(fp ^ h) + 0x9e3779b97f4a7c15ull;
}

int diff_text_entry_add(struct diff_text *t, uint64_t off, uint32_t len, uint32_t indent, uint64_t line_hash,
			uint64_t proc)
{
	struct diff_entry e = { .hash = diff_text_hash(line_hash, indent), .off = off, .proc = proc,
				.len = len + indent, .indent = indent };

	if ((!t->index && !(t->index = view_spool("aa-diff", &t->index_buf))) || fwrite(&e, sizeof(e), 1, t->index) != 1)
		return AA_E_IO;
	t->n++;
	return 0;
}

int diff_text_append(struct diff_text *t, uint32_t indent, const char *s, size_t len, uint64_t line_hash,
		     uint64_t proc)
{
	uint64_t off = t->bytes;

	if ((!t->lines && !(t->lines = view_spool("aa-diff", &t->lines_buf))) || fwrite(s, 1, len, t->lines) != len)
		return AA_E_IO;
	t->bytes += len;
	return diff_text_entry_add(t, off, (uint32_t)len, indent, line_hash, proc);
}

int diff_text_add_indented(struct diff_text *t, uint32_t indent, const char *s, size_t len, uint64_t proc)
{
	return diff_text_append(t, indent, s, len, diff_hash(s, len), proc);
}

int diff_text_done(struct diff_text *t)
{
	if ((t->lines && fflush(t->lines)) || (t->index && fflush(t->index)))
		return AA_E_IO;
	return 0;
}

int diff_text_entry(struct diff_text *t, uint64_t i, struct diff_entry *e)
{
	if (i >= t->n)
		return AA_E_INVAL;
	if (i < t->cache_first || i >= t->cache_first + t->cache_n) {
		/* the block around i: reading backwards finds it as well as forwards */
		uint64_t first = i / DIFF_CACHE * DIFF_CACHE;
		size_t n = t->n - first < DIFF_CACHE ? (size_t)(t->n - first) : DIFF_CACHE;
		if (!t->cache && !(t->cache = malloc(DIFF_CACHE * sizeof(*t->cache))))
			return AA_E_NOMEM;
		t->cache_n = 0;
		if (view_spool_read(t->index, t->cache, n * sizeof(*t->cache), first * sizeof(*t->cache)))
			return AA_E_IO;
		t->cache_first = first;
		t->cache_n = n;
	}
	*e = t->cache[i - t->cache_first];
	return 0;
}

const char *diff_text_line(struct diff_text *t, const struct diff_entry *e)
{
	if (e->indent > e->len)
		return NULL;
	if ((size_t)e->len + 1 > t->line_cap) {
		char *l = realloc(t->line, (size_t)e->len + 1);
		if (!l)
			return NULL;
		t->line = l;
		t->line_cap = (size_t)e->len + 1;
	}
	memset(t->line, ' ', e->indent);
	if (e->len > e->indent && view_spool_read(t->lines, t->line + e->indent, e->len - e->indent, e->off))
		return NULL;
	t->line[e->len] = 0;
	return t->line;
}

void diff_text_spool_free(struct diff_text *t)
{
	view_spool_close(t->lines, t->lines_buf);
	view_spool_close(t->index, t->index_buf);
	free(t->cache);
	free(t->line);
	memset(t, 0, sizeof(*t));
}
