/* SPDX-License-Identifier: MIT */
/* Fuzz entry: the record-aware chunk transform, both ways (see entries.h). */
#include <stdlib.h>
#include <string.h>

#include "capfile.h"
#include "entries.h"
#include "pcapng.h"
#include "xform.h"

/* A copy of exactly len bytes, so that a read past the input is caught. */
static uint8_t *copy(const uint8_t *in, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	if (!p)
		abort();
	memcpy(p, in, len);
	return p;
}

/* raw (framed records) through encode; when it takes them, decode gives them back. */
static void roundtrip(const uint8_t *raw, uint32_t raw_len, uint32_t records)
{
	uint8_t *x = malloc(AA_XFORM_MAX), *back = malloc(AA_CHUNK_RAW_MAX);
	char detail[64];
	if (!x || !back)
		abort();
	long n = aa_xform_encode(raw, raw_len, records, x);
	if (n >= 0) {
		uint8_t *xc = copy(x, (size_t)n);
		REQUIRE(aa_xform_decode(xc, (size_t)n, records, raw_len, back, detail) == 0);
		REQUIRE(memcmp(back, raw, raw_len) == 0);
		free(xc);
	}
	free(x);
	free(back);
}

int aaf_xform(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	uint32_t records = aa_get32(data + 1) % 4096;
	const uint8_t *body = data + 5;
	size_t len = size - 5;
	if (len > AA_CHUNK_RAW_MAX)
		return 0;
	if (data[0] & 1) {
		/* framed records, their count from the frames when bit 1 is set */
		if (data[0] & 2) {
			records = 0;
			for (size_t p = 0; p <= len && len - p >= AA_FRAME_HEADER; records++) {
				uint32_t l = aa_get32(body + p);
				if (l > len - p - AA_FRAME_HEADER)
					break;
				p += AA_FRAME_HEADER + ((l + 7u) & ~7u);
			}
		}
		uint8_t *raw = copy(body, len);
		roundtrip(raw, (uint32_t)len, records);
		free(raw);
		return 0;
	}
	/* transformed bytes from anywhere: decode refuses them or gives framed
	 * records of exactly raw_len, which encode (if it takes them) keeps */
	uint32_t raw_len = aa_get32(body) % (AA_CHUNK_RAW_MAX + 1);
	uint8_t *x = copy(body + 4, len - 4);
	uint8_t *out = malloc(AA_CHUNK_RAW_MAX);
	char detail[64];
	if (!out)
		abort();
	if (aa_xform_decode(x, len - 4, records, raw_len, out, detail) == 0) {
		uint8_t *raw = copy(out, raw_len);
		roundtrip(raw, raw_len, records);
		free(raw);
	}
	free(out);
	free(x);
	return 0;
}
