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
	aaf_read_paths(one, 1, 0);
	aaf_read_paths(set, 2, 1); /* a set of two: the second repeats file_seq */
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
