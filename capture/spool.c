/* SPDX-License-Identifier: MIT */
/*
 * The shipper's queue (spool.h). A spool file is "AASPOOL1\n", the subject
 * and the message id each on a line, then the chunk's bytes; it is written
 * under a temporary name, fsynced and renamed to
 * NNNNNNNNNNNNNNNN-SESSION-FILE-CHUNK.chunk (its place in the queue, then
 * its message id), so a file with such a name is whole.
 */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPOOL_MAGIC "AASPOOL1\n"
#define KEEP_EXTRA (1u << 20)
#define NAME_MAX_LEN 128

struct entry {
	struct entry *next;
	uint64_t seq;
	char name[NAME_MAX_LEN]; /* on disk: the file's name in the directory */
	size_t len;      /* chunk bytes */
	uint8_t *mem;    /* in-memory spool: "subject\nmsgid\n" then the bytes */
	size_t mem_len;
};

struct spool {
	char *dir;       /* NULL: in memory */
	int dir_fd;
	uint64_t max_bytes, bytes, count, found, next_seq;
	struct entry *head, *tail;
	uint8_t *buf;    /* the oldest, as peek read it */
	size_t buf_cap;
};

static void path_of(const struct spool *s, const struct entry *e, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", s->dir, e->name);
}

static void push(struct spool *s, struct entry *e)
{
	if (s->tail)
		s->tail->next = e;
	else
		s->head = e;
	s->tail = e;
	s->bytes += e->len;
	s->count++;
}

/* Entries sorted by seq: insertion into the list (a restart finds few files). */
static void insert_sorted(struct spool *s, struct entry *e)
{
	struct entry **pp = &s->head;

	while (*pp && (*pp)->seq < e->seq)
		pp = &(*pp)->next;
	e->next = *pp;
	*pp = e;
	if (!e->next)
		s->tail = e;
	s->bytes += e->len;
	s->count++;
}

/* Reads the header of a spool file: the length of its chunk, or -1. */
static long header_len(FILE *f, long size, char *subject, size_t sn, char *msg_id, size_t mn)
{
	char magic[sizeof(SPOOL_MAGIC)];

	if (!fgets(magic, sizeof(magic), f) || strcmp(magic, SPOOL_MAGIC) != 0)
		return -1;
	if (!fgets(subject, (int)sn, f) || !fgets(msg_id, (int)mn, f))
		return -1;
	size_t a = strlen(subject), b = strlen(msg_id);
	if (!a || subject[a - 1] != '\n' || !b || msg_id[b - 1] != '\n')
		return -1;
	subject[a - 1] = msg_id[b - 1] = 0;
	long at = ftell(f);
	return at < 0 || at > size ? -1 : size - at;
}

static int scan(struct spool *s, char *why, size_t why_len)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;

	if (!d) {
		snprintf(why, why_len, "%s: %s", s->dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char *end, path[4400], subject[160], msg_id[80];
		unsigned long long seq = strtoull(de->d_name, &end, 10);
		size_t nlen = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.' && !strncmp(de->d_name, ".tmp-", 5)) {
			unlinkat(s->dir_fd, de->d_name, 0); /* never renamed: not whole */
			continue;
		}
		if (end - de->d_name != 16 || *end != '-' || nlen < 6 || nlen >= NAME_MAX_LEN ||
		    strcmp(de->d_name + nlen - 6, ".chunk") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->dir, de->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		long len = fstat(fileno(f), &st) == 0
				   ? header_len(f, (long)st.st_size, subject, sizeof(subject), msg_id,
						sizeof(msg_id))
				   : -1;
		fclose(f);
		if (len <= 0) {
			fprintf(stderr, "aa-capture: %s: not a spool file: left alone\n", path);
			continue;
		}
		struct entry *e = calloc(1, sizeof(*e));
		if (!e) {
			closedir(d);
			snprintf(why, why_len, "out of memory");
			return -1;
		}
		e->seq = seq;
		e->len = (size_t)len;
		memcpy(e->name, de->d_name, nlen + 1);
		insert_sorted(s, e);
		s->found++;
		if (seq >= s->next_seq)
			s->next_seq = seq + 1;
	}
	closedir(d);
	return 0;
}

int spool_open(struct spool **sp, const char *dir, uint64_t max_bytes, char *why, size_t why_len)
{
	struct spool *s = calloc(1, sizeof(*s));

	*sp = NULL;
	if (!s) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	s->dir_fd = -1;
	s->max_bytes = max_bytes;
	if (dir) {
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			snprintf(why, why_len, "%s: cannot create: %s", dir, strerror(errno));
			spool_close(s);
			return -1;
		}
		s->dir = strdup(dir);
		s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (!s->dir || s->dir_fd < 0) {
			snprintf(why, why_len, "%s: %s", dir, s->dir ? strerror(errno) : "out of memory");
			spool_close(s);
			return -1;
		}
		if (scan(s, why, why_len) != 0) {
			spool_close(s);
			return -1;
		}
	}
	*sp = s;
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t k = write(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static int put_file(struct spool *s, struct entry *e, const char *subject, const char *msg_id,
		    const uint8_t *bytes, size_t len)
{
	char tmp[64];
	int fd, saved;

	snprintf(tmp, sizeof(tmp), ".tmp-%016llu", (unsigned long long)e->seq);
	snprintf(e->name, sizeof(e->name), "%016llu-%.80s.chunk", (unsigned long long)e->seq,
		 msg_id);
	fd = openat(s->dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, SPOOL_MAGIC, strlen(SPOOL_MAGIC)) != 0 ||
	    write_all(fd, subject, strlen(subject)) != 0 || write_all(fd, "\n", 1) != 0 ||
	    write_all(fd, msg_id, strlen(msg_id)) != 0 || write_all(fd, "\n", 1) != 0 ||
	    write_all(fd, bytes, len) != 0 || fsync(fd) != 0)
		goto fail;
	close(fd);
	if (renameat(s->dir_fd, tmp, s->dir_fd, e->name) != 0) {
		saved = errno;
		unlinkat(s->dir_fd, tmp, 0);
		errno = saved;
		return -1;
	}
	fsync(s->dir_fd); /* the name too survives a crash */
	return 0;
fail:
	saved = errno ? errno : EIO;
	close(fd);
	unlinkat(s->dir_fd, tmp, 0);
	errno = saved;
	return -1;
}

int spool_put(struct spool *s, const char *subject, const char *msg_id, const uint8_t *bytes,
	      size_t len, int keep)
{
	uint64_t limit = s->max_bytes + (keep ? KEEP_EXTRA : 0);

	if (s->max_bytes && s->bytes + len > limit)
		return 1;
	struct entry *e = calloc(1, sizeof(*e));
	if (!e)
		return -1;
	e->seq = s->next_seq++;
	e->len = len;
	if (s->dir) {
		if (put_file(s, e, subject, msg_id, bytes, len) != 0) {
			free(e);
			return -1;
		}
	} else {
		size_t a = strlen(subject), b = strlen(msg_id);
		e->mem_len = a + 1 + b + 1 + len;
		if (!(e->mem = malloc(e->mem_len))) {
			free(e);
			return -1;
		}
		memcpy(e->mem, subject, a);
		e->mem[a] = '\n';
		memcpy(e->mem + a + 1, msg_id, b);
		e->mem[a + 1 + b] = '\n';
		memcpy(e->mem + a + b + 2, bytes, len);
	}
	push(s, e);
	return 0;
}

static int grow(struct spool *s, size_t n)
{
	if (n <= s->buf_cap)
		return 0;
	uint8_t *b = realloc(s->buf, n);
	if (!b)
		return -1;
	s->buf = b;
	s->buf_cap = n;
	return 0;
}

static int peek_file(struct spool *s, struct entry *e, struct spool_item *it)
{
	char path[4400];
	struct stat st;
	long len;
	int ok = 0;

	path_of(s, e, path, sizeof(path));
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	len = fstat(fileno(f), &st) == 0 ? header_len(f, (long)st.st_size, it->subject,
						      sizeof(it->subject), it->msg_id,
						      sizeof(it->msg_id))
					 : -1;
	if (len > 0 && (size_t)len == e->len && grow(s, e->len) == 0 &&
	    fread(s->buf, 1, e->len, f) == e->len)
		ok = 1;
	fclose(f);
	if (!ok) {
		errno = errno ? errno : EINVAL;
		return -1;
	}
	it->bytes = s->buf;
	it->len = e->len;
	return 1;
}

int spool_peek(struct spool *s, struct spool_item *it)
{
	struct entry *e = s->head;

	if (!e)
		return 0;
	if (!s->dir) {
		const uint8_t *p = e->mem, *nl1 = memchr(p, '\n', e->mem_len);
		const uint8_t *nl2 = memchr(nl1 + 1, '\n', e->mem_len - (size_t)(nl1 + 1 - p));
		snprintf(it->subject, sizeof(it->subject), "%.*s", (int)(nl1 - p), (const char *)p);
		snprintf(it->msg_id, sizeof(it->msg_id), "%.*s", (int)(nl2 - nl1 - 1),
			 (const char *)nl1 + 1);
		it->bytes = (uint8_t *)nl2 + 1;
		it->len = e->len;
		return 1;
	}
	int rc = peek_file(s, e, it);
	if (rc < 0) {
		int saved = errno;
		spool_pop(s); /* cannot be sent: not stuck on it forever */
		errno = saved;
	}
	return rc;
}

void spool_pop(struct spool *s)
{
	struct entry *e = s->head;

	if (!e)
		return;
	if (s->dir)
		unlinkat(s->dir_fd, e->name, 0);
	s->head = e->next;
	if (!s->head)
		s->tail = NULL;
	s->bytes -= e->len;
	s->count--;
	free(e->mem);
	free(e);
}

uint64_t spool_bytes(const struct spool *s)
{
	return s->bytes;
}

uint64_t spool_count(const struct spool *s)
{
	return s->count;
}

uint64_t spool_found(const struct spool *s)
{
	return s->found;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	while (s->head) {
		struct entry *e = s->head;
		s->head = e->next;
		free(e->mem);
		free(e);
	}
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	free(s->dir);
	free(s->buf);
	free(s);
}
