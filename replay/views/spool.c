/* SPDX-License-Identifier: MIT */
/* Temporary files of the views (spool.h). */
#include "spool.h"

#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

FILE *view_spool(const char *prefix, char **buf)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	FILE *f = NULL;
	int fd, e;

	*buf = NULL;
	if (!dir || !*dir)
		dir = "/tmp";
	if (!(path = malloc(strlen(dir) + strlen(prefix) + sizeof("/.XXXXXX"))))
		return NULL;
	sprintf(path, "%s/%s.XXXXXX", dir, prefix);
	if ((fd = mkstemp(path)) >= 0) {
		unlink(path);
		if (!(f = fdopen(fd, "w+"))) {
			e = errno;
			close(fd);
			errno = e;
		} else {
			/* one thread writes it, then one reads it: no lock per write */
			__fsetlocking(f, FSETLOCKING_BYCALLER);
		}
		if (f && (*buf = malloc(VIEW_SPOOL_BUF))) {
			/* written in long runs and read back with pread: stdio's
			 * buffer of a block made a write call every 4 KiB (glibc
			 * takes no size without a buffer) */
			setvbuf(f, *buf, _IOFBF, VIEW_SPOOL_BUF);
		}
	}
	free(path);
	return f;
}

void view_spool_close(FILE *f, char *buf)
{
	if (f)
		fclose(f);
	free(buf); /* after: fclose writes from it */
}

/* Bytes still in f's stdio buffer go to the file before it is read with pread. */
static int flushed(FILE *f)
{
	return __fpending(f) ? fflush(f) : 0;
}

int view_spool_read(FILE *f, void *buf, size_t n, uint64_t off)
{
	if (flushed(f))
		return -1;
	for (size_t got = 0; got < n;) {
		ssize_t r = pread(fileno(f), (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!r)
				errno = EIO;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

int view_cache_read(struct view_cache *c, FILE *f, void *buf, size_t n, uint64_t off)
{
	if (!n)
		return 0; /* (buf may be NULL) */
	if (c->buf && off >= c->off && off + n <= c->off + c->len) {
		memcpy(buf, c->buf + (off - c->off), n);
		return 0;
	}
	if (n > VIEW_CACHE_BLOCK / 2 || (!c->buf && !(c->buf = malloc(VIEW_CACHE_BLOCK))))
		return view_spool_read(f, buf, n, off);
	if (flushed(f))
		return -1;
	/* the block from a little before off: a walk goes both ways */
	uint64_t at = off > VIEW_CACHE_BLOCK / 4 ? off - VIEW_CACHE_BLOCK / 4 : 0;
	ssize_t r;
	c->len = 0;
	do
		r = pread(fileno(f), c->buf, VIEW_CACHE_BLOCK, (off_t)at);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	c->off = at;
	c->len = (size_t)r;
	if (off + n > at + c->len) {
		errno = EIO;
		return -1;
	}
	memcpy(buf, c->buf + (off - at), n);
	return 0;
}

void view_cache_free(struct view_cache *c)
{
	free(c->buf);
	c->buf = NULL;
	c->len = 0;
}
