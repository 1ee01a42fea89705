/* SPDX-License-Identifier: MIT */
/* Content encodings undone (gzip and deflate with zlib, br with libbrotlidec),
 * streaming, the output bounded: past the cap input is only counted, so a
 * small body that inflates without end costs nothing. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <brotli/decode.h>

#include "decode.h"

static int token_is(const uint8_t *v, size_t len, const char *t)
{
	size_t n = strlen(t);
	return len == n && !strncasecmp((const char *)v, t, n);
}

enum dec_enc dec_content_kind(const uint8_t *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (!len || token_is(v, len, "identity"))
		return DEC_ENC_NONE;
	if (token_is(v, len, "gzip") || token_is(v, len, "x-gzip"))
		return DEC_ENC_GZIP;
	if (token_is(v, len, "deflate"))
		return DEC_ENC_DEFLATE;
	if (token_is(v, len, "br"))
		return DEC_ENC_BR;
	return DEC_ENC_UNKNOWN;
}

static int zlib_start(struct dec_content *c, int window_bits)
{
	z_stream *z = calloc(1, sizeof(*z));

	if (!z || inflateInit2(z, window_bits) != Z_OK) {
		free(z);
		return -1;
	}
	c->state = z;
	return 0;
}

void dec_content_init(struct dec_content *c, enum dec_enc enc)
{
	memset(c, 0, sizeof(*c));
	c->enc = enc;
	if (enc == DEC_ENC_GZIP || enc == DEC_ENC_DEFLATE) {
		/* 32: a gzip or zlib header, found from the bytes */
		if (zlib_start(c, 15 + 32))
			c->failed = 1, c->error = "out of memory";
	} else if (enc == DEC_ENC_BR) {
		c->state = BrotliDecoderCreateInstance(NULL, NULL, NULL);
		if (!c->state)
			c->failed = 1, c->error = "out of memory";
	}
}

static void zlib_free(struct dec_content *c)
{
	if (c->state && (c->enc == DEC_ENC_GZIP || c->enc == DEC_ENC_DEFLATE)) {
		inflateEnd(c->state);
		free(c->state);
	}
}

/* Output through a bounded stack buffer; past max only counted. */
static int zlib_feed(struct dec_content *c, const uint8_t *p, size_t n, struct dec_buf *out,
		     size_t max, int *cut)
{
	z_stream *z = c->state;
	uint8_t tmp[16384];

	z->next_in = (Bytef *)p;
	z->avail_in = (uInt)n;
	while (!c->done) {
		if (out->len >= max) {
			*cut = 1;
			return 0;
		}
		z->next_out = tmp;
		z->avail_out = sizeof(tmp);
		int rc = inflate(z, Z_NO_FLUSH);
		size_t got = sizeof(tmp) - z->avail_out;
		if (dec_buf_add(out, tmp, got, max) < got)
			*cut = 1;
		if (rc == Z_STREAM_END) {
			/* gzip allows members one after the other */
			if (c->enc == DEC_ENC_GZIP && z->avail_in) {
				inflateReset(z);
				continue;
			}
			c->done = 1;
		} else if (rc == Z_DATA_ERROR && c->enc == DEC_ENC_DEFLATE && !c->raw_deflate_tried &&
			   z->total_out == 0 && c->in_total == 0) {
			/* "deflate" sent without its zlib wrapper, as some servers do */
			c->raw_deflate_tried = 1;
			inflateEnd(z);
			free(z);
			c->state = NULL;
			if (zlib_start(c, -15))
				return c->failed = 1, c->error = "out of memory", -1;
			return zlib_feed(c, p, n, out, max, cut);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			c->failed = 1;
			c->error = c->enc == DEC_ENC_GZIP ? "gzip data damaged" : "deflate data damaged";
			return -1;
		} else if (z->avail_out != 0 || (rc == Z_BUF_ERROR && got == 0)) {
			break; /* all input taken and no output left inside zlib */
		}
	}
	c->in_total += n;
	return 0;
}

static int br_feed(struct dec_content *c, const uint8_t *p, size_t n, struct dec_buf *out,
		   size_t max, int *cut)
{
	size_t avail_in = n;
	const uint8_t *next_in = p;
	uint8_t tmp[16384];

	for (;;) {
		if (out->len >= max) {
			*cut = 1;
			return 0;
		}
		size_t avail_out = sizeof(tmp);
		uint8_t *next_out = tmp;
		BrotliDecoderResult r = BrotliDecoderDecompressStream(c->state, &avail_in, &next_in,
								      &avail_out, &next_out, NULL);
		size_t got = sizeof(tmp) - avail_out;
		if (dec_buf_add(out, tmp, got, max) < got)
			*cut = 1;
		if (r == BROTLI_DECODER_RESULT_SUCCESS) {
			c->done = 1;
			return 0;
		}
		if (r == BROTLI_DECODER_RESULT_ERROR) {
			c->failed = 1;
			c->error = "brotli data damaged";
			return -1;
		}
		if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
			return 0;
	}
}

int dec_content_feed(struct dec_content *c, const uint8_t *p, size_t n, struct dec_buf *out,
		     size_t max, int *cut)
{
	if (c->failed)
		return -1;
	if (c->done || !n)
		return 0;
	switch (c->enc) {
	case DEC_ENC_GZIP:
	case DEC_ENC_DEFLATE:
		return zlib_feed(c, p, n, out, max, cut);
	case DEC_ENC_BR:
		return br_feed(c, p, n, out, max, cut);
	case DEC_ENC_NONE:
	case DEC_ENC_UNKNOWN:
		break;
	}
	if (dec_buf_add(out, p, n, max) < n)
		*cut = 1;
	return 0;
}

void dec_content_free(struct dec_content *c)
{
	if (c->enc == DEC_ENC_BR && c->state)
		BrotliDecoderDestroyInstance(c->state);
	else
		zlib_free(c);
	c->state = NULL;
}
