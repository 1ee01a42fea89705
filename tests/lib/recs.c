/* SPDX-License-Identifier: MIT */
#include "recs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	p = realloc(p, c * elem);
	if (!p) {
		fprintf(stderr, "aat_recs: out of memory\n");
		abort();
	}
	*cap = c;
	return p;
}

void aat_recs_add(struct aat_recs *l, const void *rec, size_t len)
{
	if (l->n + 1 > l->ncap) {
		size_t cap = l->ncap;
		l->off = grow(l->off, &cap, l->n + 1, sizeof(*l->off));
		l->len = grow(l->len, &l->ncap, l->n + 1, sizeof(*l->len));
	}
	l->data = grow(l->data, &l->cap, l->end + len + 8, 1);
	if (len)
		memcpy(l->data + l->end, rec, len);
	l->off[l->n] = l->end;
	l->len[l->n] = (uint32_t)len;
	l->used += len;
	/* each record starts 8-byte aligned, as in a chunk: aa_parse wants it */
	l->end += (len + 7) & ~(size_t)7;
	l->n++;
}

const uint8_t *aat_recs_at(const struct aat_recs *l, size_t i)
{
	return l->data + l->off[i];
}

void aat_recs_clear(struct aat_recs *l)
{
	l->used = l->end = 0;
	l->n = 0;
}

void aat_recs_free(struct aat_recs *l)
{
	free(l->data);
	free(l->off);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

long aat_recs_diff(const struct aat_recs *a, const struct aat_recs *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++)
		if (a->len[i] != b->len[i] ||
		    memcmp(aat_recs_at(a, i), aat_recs_at(b, i), a->len[i]) != 0)
			return (long)i;
	return a->n == b->n ? -1 : (long)n;
}

int aat_recs_write_raw(const struct aat_recs *l, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		uint8_t hdr[4];
		aat_put_le32(hdr, l->len[i]);
		if (fwrite(hdr, 4, 1, f) != 1 ||
		    (l->len[i] && fwrite(aat_recs_at(l, i), l->len[i], 1, f) != 1)) {
			fclose(f);
			return -1;
		}
	}
	return fclose(f) == 0 ? 0 : -1;
}
