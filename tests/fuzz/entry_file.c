/* SPDX-License-Identifier: MIT */
/* Fuzz entry: the file reader on whole files (see entries.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile.h"
#include "entries.h"
#include "pcapng.h"

/*
 * Makes the crc32 of every chunk that the pcapng block walk finds right, so
 * that mutations reach the checks behind it (kinds, sizes, zstd, framing).
 * Returns how many it changed.
 */
static int fix_crcs(uint8_t *f, size_t size)
{
	int fixed = 0;
	size_t off = 0;

	while (size - off >= 12) {
		uint32_t type = aa_get32(f + off), len = aa_get32(f + off + 4);
		if (len < 12 || len % 4 || len > size - off)
			break;
		if (type == AA_PCAPNG_EPB && len >= AA_EPB_HEAD + 4) {
			uint32_t cap = aa_get32(f + off + 20);
			uint8_t *c = f + off + AA_EPB_HEAD;
			if (cap >= AA_CHUNK_HEADER_SIZE && cap <= len - AA_EPB_HEAD - 4) {
				uint32_t stored = cap - AA_CHUNK_HEADER_SIZE;
				uLong crc = crc32(0L, c, AA_CH_CRC);
				crc = crc32(crc, c + AA_CHUNK_HEADER_SIZE, stored);
				if (aa_get32(c + AA_CH_CRC) != (uint32_t)crc) {
					aa_put32(c + AA_CH_CRC, (uint32_t)crc);
					fixed++;
				}
			}
		}
		off += len;
	}
	return fixed;
}

static void read_file(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = aaf_memfile(data, size, path);
	if (fd < 0)
		abort();
	const char *one[1] = {path}, *set[2] = {path, path};
	aaf_read_paths(one, 1, 0, NULL);
	/* a set of two (the second repeats file_seq), with a filter */
	uint8_t t[8] = {0};
	memcpy(t, data + (size > 8 ? size - 8 : 0), size < 8 ? size : 8);
	uint32_t pid = aa_get32(t + 4);
	struct aa_filter f = {.types = t[0] & AA_TYPE_ALL,
			      .pids = &pid,
			      .npids = t[1] & 1,
			      .since_ns = t[2] & 1 ? 1764100000000000000ull + t[3] * 1000000000ull : 0,
			      .until_ns = t[2] & 2 ? 1764100000000000000ull + t[4] * 10000000000ull : 0};
	aaf_read_paths(set, 2, 1, &f);
	close(fd);
}

int aaf_file(const uint8_t *data, size_t size)
{
	read_file(data, size);
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (fix_crcs(copy, size))
		read_file(copy, size);
	free(copy);
	return 0;
}
