/* SPDX-License-Identifier: MIT */
/*
 * The raw-stream source (aa_raw.h): `[u32 le length][bytes]` records read in
 * blocks into one bounded buffer and parsed with aa_parse.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aa_raw.h"
#include "capfile.h"
#include "clock.h"
#include "source.h"
#include "take.h"

/* Holds the largest record and its length, plus room to read ahead in blocks. */
#define RAW_BUF_SIZE (1024u * 1024u)
#define RAW_LEN_SIZE 4u
_Static_assert(RAW_BUF_SIZE >= 2 * (RAW_LEN_SIZE + AA_RECORD_MAX), "buffer holds a record");

struct raw_source {
	aa_source base; /* first: the common layer's handle */
	int fd;
	int owns_fd;
	int eof;
	int failed;         /* the sticky AA_E_* once the stream went wrong */
	int timeout_ms;
	char *path;
	uint8_t *buf;
	size_t start, end;  /* unread bytes are buf[start..end) */
	uint64_t offset;    /* stream offset of buf[start] */
	uint64_t index;     /* records delivered so far */
	int64_t mono_to_wall;
	struct aa_record rec;
	union aa_record_copy copy; /* rec's typed view: records sit unaligned after their length */
};

static struct raw_source *raw_of(aa_source *src)
{
	return (struct raw_source *)src;
}

static int64_t monotonic_ms(void)
{
	return (int64_t)(aa_clock_ns(CLOCK_MONOTONIC) / 1000000u);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Records the stream's error (sticky: every later call returns it too). */
static int fail(struct raw_source *rs, int code, int sys_errno, uint64_t offset,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(struct raw_source *rs, int code, int sys_errno, uint64_t offset,
		const char *fmt, ...)
{
	char detail[sizeof(rs->base.err.detail)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	aa_source_fail(&rs->base, code, rs->path, (int64_t)offset, -1, "%s", detail);
	rs->base.err.sys_errno = sys_errno;
	rs->failed = code;
	return code;
}

/*
 * Waits until fd may be read, at most until deadline (monotonic ms; -1: no
 * limit). Returns 1 when readable, 0 on timeout, or AA_E_IO.
 */
static int wait_readable(struct raw_source *rs, int64_t deadline)
{
	for (;;) {
		int wait = -1;

		if (deadline >= 0) {
			int64_t left = deadline - monotonic_ms();
			wait = left > 0 ? (int)left : 0;
		}
		struct pollfd pfd = { .fd = rs->fd, .events = POLLIN };
		int n = poll(&pfd, 1, wait);
		if (n > 0)
			return 1; /* readable, hung up or in error: read() tells which */
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return fail(rs, AA_E_IO, errno, rs->offset, "poll: %s", strerror(errno));
	}
}

/* One read() into the free end of the buffer: >0 bytes, 0 at the end, or AA_E_IO. */
static int fill(struct raw_source *rs)
{
	if (rs->start > 0 && rs->start == rs->end) {
		rs->start = rs->end = 0;
	} else if (rs->start > 0 && RAW_BUF_SIZE - rs->end < RAW_LEN_SIZE + AA_RECORD_MAX) {
		/* Keep room for a whole record behind the partial one. */
		memmove(rs->buf, rs->buf + rs->start, rs->end - rs->start);
		rs->end -= rs->start;
		rs->start = 0;
	}
	for (;;) {
		ssize_t n = read(rs->fd, rs->buf + rs->end, RAW_BUF_SIZE - rs->end);
		if (n > 0) {
			rs->end += (size_t)n;
			return 1;
		}
		if (n == 0) {
			rs->eof = 1;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return AA_E_AGAIN; /* a non-blocking descriptor with nothing yet */
		return fail(rs, AA_E_IO, errno, rs->offset + (rs->end - rs->start),
			    "read: %s", strerror(errno));
	}
}

/*
 * Checks the record at buf[start]: 1 when it is whole in the buffer (*len
 * set), 0 when more bytes are needed, or AA_E_FRAMING / AA_E_TOO_BIG.
 */
static int whole_record(struct raw_source *rs, uint32_t *len)
{
	size_t have = rs->end - rs->start;

	if (have < RAW_LEN_SIZE)
		return 0;
	*len = get_le32(rs->buf + rs->start);
	/* A capture file given where its export is wanted: its first block's
	 * type would read as a length of 168627466 bytes. */
	if (rs->offset == 0 && *len == AA_PCAPNG_SHB)
		return fail(rs, AA_E_INVAL, 0, rs->offset,
			    "a pcapng capture file, not a raw record stream");
	if (*len == 0)
		return fail(rs, AA_E_FRAMING, 0, rs->offset, "record of length 0");
	if (*len > AA_RECORD_MAX)
		return fail(rs, AA_E_TOO_BIG, 0, rs->offset,
			    "record length %u is over the limit of %u bytes",
			    *len, (unsigned)AA_RECORD_MAX);
	return have >= RAW_LEN_SIZE + (size_t)*len;
}

/*
 * The next record's bytes, whole in the buffer, and consumed: 1 (*bytes,
 * *len set; valid until the next call), 0 at the end, or AA_E_*. The clock
 * is read only when about to wait: a record already buffered (the usual
 * case) costs no clock read.
 */
static int raw_frame(struct raw_source *rs, const uint8_t **bytes, uint32_t *len)
{
	int64_t deadline = -2; /* not computed yet */
	int r;

	if (rs->failed)
		return rs->failed;
	while ((r = whole_record(rs, len)) == 0) {
		if (rs->eof) {
			size_t have = rs->end - rs->start;
			if (have == 0)
				return 0;
			if (have < RAW_LEN_SIZE)
				return fail(rs, AA_E_TRUNCATED, 0, rs->offset,
					    "stream ends inside a record's length (%zu of 4 bytes)",
					    have);
			return fail(rs, AA_E_TRUNCATED, 0, rs->offset,
				    "stream ends inside a record (%zu of %u bytes)",
				    have - RAW_LEN_SIZE, *len);
		}
		if (deadline == -2)
			deadline = rs->timeout_ms >= 0 ? monotonic_ms() + rs->timeout_ms : -1;
		/* Poll first, so that a timeout holds even for a pipe. */
		r = wait_readable(rs, deadline);
		if (r < 0)
			return r;
		if (r == 0)
			return AA_E_AGAIN;
		r = fill(rs);
		if (r < 0 && r != AA_E_AGAIN)
			return r;
	}
	if (r < 0)
		return r;
	*bytes = rs->buf + rs->start + RAW_LEN_SIZE;
	rs->start += RAW_LEN_SIZE + *len;
	rs->offset += RAW_LEN_SIZE + *len;
	return 1;
}

static int raw_next(aa_source *src, struct aa_record **out)
{
	struct raw_source *rs = raw_of(src);
	const uint8_t *bytes;
	uint32_t len = 0;
	int r = raw_frame(rs, &bytes, &len);

	if (r != 1)
		return r;
	struct aa_record *rec = &rs->rec;
	aa_parse_copy(bytes, len, &rec->ev, &rs->copy);
	rec->time_ns = rec->ev.type == AA_TYPE_UNKNOWN
			       ? aa_clock_ns(CLOCK_REALTIME)
			       : aa_wall_ns(rec->ev.mono_ns, rs->mono_to_wall);
	rec->path = rs->path;
	rec->chunk = 0;
	rec->index = rs->index++;
	*out = rec;
	return 1;
}

static const struct aa_file_meta *raw_meta(const aa_source *src)
{
	(void)src;
	return NULL; /* a raw stream says nothing of itself */
}

static void raw_destroy(aa_source *src)
{
	struct raw_source *rs = raw_of(src);

	if (rs->owns_fd && rs->fd >= 0)
		close(rs->fd);
	free(rs->buf);
	free(rs->path);
	free(rs);
}

static const struct aa_source_ops raw_ops = {
	.next = raw_next,
	.meta = raw_meta,
	.destroy = raw_destroy,
};

static int open_failed(struct aa_error_info *err, int code, int sys_errno,
		       const char *path, const char *what)
{
	return aa_error_set(err, code, sys_errno, path, "%s%s%s", what,
			    sys_errno ? ": " : "", sys_errno ? strerror(sys_errno) : "");
}

int aa_open_raw(aa_source **src, const char *path, const struct aa_filter *filter,
		struct aa_error_info *err)
{
	struct raw_source *rs;

	*src = NULL;
	if (!path)
		return open_failed(err, AA_E_INVAL, 0, path, "no path");
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return open_failed(err, AA_E_NOMEM, ENOMEM, path, "out of memory");
	rs->fd = -1;
	/* First, so that aa_close() can undo everything below. */
	int r = aa_source_init(&rs->base, &raw_ops, filter);
	rs->path = strdup(path);
	rs->buf = malloc(RAW_BUF_SIZE);
	if (r != 0 || !rs->path || !rs->buf) {
		aa_close(&rs->base);
		return open_failed(err, AA_E_NOMEM, ENOMEM, path, "out of memory");
	}
	if (strcmp(path, "-") == 0) {
		rs->fd = STDIN_FILENO;
	} else {
		rs->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (rs->fd < 0) {
			int e = errno;
			aa_close(&rs->base);
			return open_failed(err, AA_E_IO, e, path, "cannot open");
		}
		rs->owns_fd = 1;
		struct stat st;
		if (fstat(rs->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			aa_close(&rs->base);
			return open_failed(err, AA_E_IO, EISDIR, path, "cannot read");
		}
		posix_fadvise(rs->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	rs->timeout_ms = -1;
	rs->mono_to_wall = aa_mono_to_wall();
	*src = &rs->base;
	return 0;
}

void aa_raw_set_timeout(aa_source *src, int timeout_ms)
{
	AA_SOURCE_REQUIRE(src, &raw_ops, "a raw-stream source", );
	raw_of(src)->timeout_ms = timeout_ms < 0 ? -1 : timeout_ms;
}

int aa_raw_fd(aa_source *src)
{
	AA_SOURCE_REQUIRE(src, &raw_ops, "a raw-stream source", AA_E_INVAL);
	return raw_of(src)->fd;
}

int64_t aa_raw_mono_to_wall(aa_source *src)
{
	AA_SOURCE_REQUIRE(src, &raw_ops, "a raw-stream source", 0);
	return raw_of(src)->mono_to_wall;
}

uint64_t aa_raw_offset(aa_source *src)
{
	AA_SOURCE_REQUIRE(src, &raw_ops, "a raw-stream source", 0);
	return raw_of(src)->offset;
}

int aa_raw_take(aa_source *src, const void **rec, uint32_t *len)
{
	AA_SOURCE_REQUIRE(src, &raw_ops, "a raw-stream source", AA_E_INVAL);
	const uint8_t *bytes;
	int r = raw_frame(raw_of(src), &bytes, len);

	if (r == 1)
		*rec = bytes;
	return r;
}
