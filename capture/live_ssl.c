/* SPDX-License-Identifier: MIT */
/*
 * Reading the dynamic linker's cache (glibc's "new" format, alone or after
 * the old one): a header, fixed-size entries, and a string table the
 * entries point into by offsets from the header.
 */
#include "live_ssl.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define NEW_HEADER_SIZE 48 /* magic+version 20, nlibs, len_strings, flags+pad, ext offset, unused[3] */
#define NEW_ENTRY_SIZE 24  /* flags, key, value, osversion, hwcap(8) */
#define OLD_ENTRY_SIZE 12  /* flags, key, value */

#define FLAG_TYPE_MASK 0x00ff
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_ARCH_MASK 0xff00
#define FLAG_X8664_LIB64 0x0300

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* A string of the cache at offset off from base, or NULL when it runs out. */
static const char *cache_str(const uint8_t *base, size_t avail, uint32_t off)
{
	if (off >= avail || !memchr(base + off, 0, avail - off))
		return NULL;
	return (const char *)base + off;
}

static int entry_wanted(int32_t flags, const char *key)
{
	static const char *const prefixes[] = { "libssl.so.", "libgnutls.so." };
	static const char *const names[] = { "libssl3.so", "libnspr4.so" }; /* NSS, NSPR */

	if ((flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6)
		return 0;
#if defined(__x86_64__)
	if ((flags & FLAG_ARCH_MASK) != FLAG_X8664_LIB64)
		return 0;
#endif
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (!strncmp(key, prefixes[i], n) && isdigit((unsigned char)key[n]))
			return 1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(key, names[i]))
			return 1;
	return 0;
}

/* The same file under another name (a symlink) counts once. */
static int seen(char **paths, size_t n, const char *path)
{
	struct stat a, b;

	if (stat(path, &a))
		return 1; /* not there: skip it */
	for (size_t i = 0; i < n; i++)
		if (!stat(paths[i], &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return 1;
	return 0;
}

static size_t scan(const uint8_t *cache, size_t size, char **paths, size_t max)
{
	const uint8_t *hdr = cache;
	size_t avail = size, n = 0;
	uint32_t nlibs;

	if (size >= sizeof(OLD_MAGIC) - 1 + 4 && !memcmp(cache, OLD_MAGIC, sizeof(OLD_MAGIC) - 1)) {
		/* Old format first: skip its entries; the new header follows, 8-aligned. */
		uint64_t skip = sizeof(OLD_MAGIC) - 1 + 4 +
				(uint64_t)get32(cache + sizeof(OLD_MAGIC) - 1) * OLD_ENTRY_SIZE;

		skip = (skip + 7) & ~7ull;
		if (skip >= size)
			return 0;
		hdr = cache + skip;
		avail = size - skip;
	}
	if (avail < NEW_HEADER_SIZE || memcmp(hdr, NEW_MAGIC, sizeof(NEW_MAGIC) - 1))
		return 0;
	nlibs = get32(hdr + 20);
	if ((uint64_t)nlibs * NEW_ENTRY_SIZE > avail - NEW_HEADER_SIZE)
		return 0;
	for (uint32_t i = 0; i < nlibs && n < max; i++) {
		const uint8_t *e = hdr + NEW_HEADER_SIZE + (size_t)i * NEW_ENTRY_SIZE;
		const char *key = cache_str(hdr, avail, get32(e + 4));
		const char *value = cache_str(hdr, avail, get32(e + 8));

		if (!key || !value || !entry_wanted((int32_t)get32(e), key) || seen(paths, n, value))
			continue;
		paths[n] = strdup(value);
		if (paths[n])
			n++;
	}
	return n;
}

size_t aa_tls_system_libs(const char *cache_path, char **paths, size_t max)
{
	struct stat st;
	size_t n = 0;
	void *map;
	int fd = open(cache_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (!fstat(fd, &st) && st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map != MAP_FAILED) {
			n = scan(map, (size_t)st.st_size, paths, max);
			munmap(map, (size_t)st.st_size);
		}
	}
	close(fd);
	return n;
}
