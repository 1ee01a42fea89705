/* SPDX-License-Identifier: MIT */
/* Fuzz entry: the chunk decoder and framed-record iteration (see entries.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "aa_error.h"
#include "capfile.h"
#include "chunk.h"
#include "entries.h"
#include "meta_codec.h"
#include "pcapng.h"

#define WRITTEN_NS 1764106200123456789ull

static ZSTD_DCtx *dctx(void)
{
	static ZSTD_DCtx *d;
	if (!d)
		d = ZSTD_createDCtx();
	if (!d)
		abort();
	return d;
}

static void check_and_decode(uint8_t flags, const uint8_t *in, size_t len)
{
	/* A copy of exactly len bytes: a read past the packet is caught. */
	uint8_t *data = malloc(len ? len : 1);
	if (!data)
		abort();
	memcpy(data, in, len);
	if ((flags & 2) && len >= AA_CHUNK_HEADER_SIZE) {
		uLong crc = crc32(0L, data, AA_CH_CRC);
		crc = crc32(crc, data + AA_CHUNK_HEADER_SIZE, len - AA_CHUNK_HEADER_SIZE);
		aa_put32(data + AA_CH_CRC, (uint32_t)crc);
	}
	uint64_t ts = (flags & 4) && len >= AA_CH_WRITTEN_NS + 8 ? aa_get64(data + AA_CH_WRITTEN_NS)
							       : WRITTEN_NS;
	struct aa_chunk_hdr h;
	const uint8_t *stored = NULL;
	char detail[64];
	int rc = aa_chunk_check(data, len, ts, &h, &stored, detail);
	if (rc) {
		if ((rc != AA_E_CHUNK && rc != AA_E_CHECKSUM) || !memchr(detail, 0, sizeof(detail)))
			abort();
		free(data);
		return;
	}
	/* What a passed check promises. */
	if (stored != data + AA_CHUNK_HEADER_SIZE || h.stored_len != len - AA_CHUNK_HEADER_SIZE ||
	    h.raw_len > AA_CHUNK_RAW_MAX || h.kind < AA_CHUNK_RECORDS || h.kind > AA_CHUNK_END ||
	    h.written_ns != ts)
		abort();
	uint8_t *out = malloc(AA_CHUNK_RAW_MAX);
	if (!out)
		abort();
	rc = aa_chunk_decompress(dctx(), &h, stored, out, detail);
	if (rc != 0 && rc != AA_E_ZSTD)
		abort();
	if (rc == 0) { /* exactly raw_len bytes, the same as zstd alone decodes */
		uint8_t *again = malloc(h.raw_len + 1);
		if (!again)
			abort();
		size_t n = ZSTD_decompress(again, h.raw_len + 1, stored, h.stored_len);
		if (ZSTD_isError(n) || n != h.raw_len || memcmp(again, out, n) != 0)
			abort();
		free(again);
	}
	free(out);
	free(data);
}

/* Appends one block; blocks are at most AA_BLOCK_MAX bytes. */
static void put(uint8_t *file, size_t *len, const void *block, size_t n)
{
	memcpy(file + *len, block, n);
	*len += n;
}

static size_t encode(uint8_t *block, uint8_t kind, uint32_t index, uint32_t records,
		     const void *raw, size_t raw_len)
{
	static ZSTD_CCtx *c;
	if (!c) {
		c = ZSTD_createCCtx();
		if (!c)
			abort();
		ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
		ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	}
	struct aa_chunk_hdr h = {.kind = kind, .index = index, .records = records,
				 .raw_len = (uint32_t)raw_len, .written_ns = WRITTEN_NS};
	long n = aa_chunk_encode(c, &h, raw, block);
	if (n <= 0)
		abort();
	return (size_t)n;
}

int aaf_chunk_file(uint8_t kind, int with_meta, uint32_t records, const uint8_t *raw, size_t raw_len,
		   char path[64])
{
	uint8_t *file = malloc(2 * AA_SMALL_BLOCK_MAX + 2 * AA_BLOCK_MAX);
	uint8_t *block = malloc(AA_BLOCK_MAX);
	if (!file || !block)
		abort();
	size_t len = 0;
	struct aa_shb_info info = {"x86_64", "Linux 6.18", "aa-fuzz"};
	put(file, &len, block, aa_pcapng_shb(block, &info));
	put(file, &len, block, aa_pcapng_idb(block, AA_LINKTYPE, AA_SNAPLEN, "EVENTS", NULL));
	if (with_meta) {
		struct aa_file_meta m = {.writer = "aa-fuzz", .writer_version = "0", .hostname = "h",
					 .kernel = "6.18", .arch = "x86_64", .source = "fuzz",
					 .schema = "exit 16\n", .mono_to_wall = 1000, .level = 1};
		uint8_t meta[512];
		size_t mlen;
		if (aa_meta_encode(&m, meta, sizeof(meta), &mlen))
			abort();
		put(file, &len, block, encode(block, AA_CHUNK_META, 0, 0, meta, mlen));
	}
	if (raw_len > AA_CHUNK_RAW_MAX)
		raw_len = AA_CHUNK_RAW_MAX;
	put(file, &len, block, encode(block, kind, with_meta, records, raw, raw_len));
	free(block);
	int fd = aaf_memfile(file, len, path);
	if (fd < 0)
		abort();
	free(file);
	return fd;
}

static void in_a_file(uint8_t flags, uint32_t records, const uint8_t *raw, size_t raw_len)
{
	uint8_t kind = 1 + ((flags >> 1) & 3);
	char path[64];
	int fd = aaf_chunk_file(kind, !(flags & 8) && kind != AA_CHUNK_META, records, raw, raw_len, path);
	const char *one[1] = {path};
	aaf_read_paths(one, 1, 0, NULL);
	aaf_read_paths(one, 1, 1, NULL);
	close(fd);
}

int aaf_chunk(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!(data[0] & 1))
		check_and_decode(data[0], data + 1, size - 1);
	else if (size >= 5)
		in_a_file(data[0], aa_get32(data + 1), data + 5, size - 5);
	return 0;
}
