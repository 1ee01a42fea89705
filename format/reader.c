/* SPDX-License-Identifier: MIT */
/* Reading capture files block by block (see reader.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "aa_error.h"
#include "capfile.h"
#include "pcapng.h"
#include "reader_int.h"
#include "xform.h"

int reader_fail(struct aa_reader *r, int code, int64_t offset, int64_t chunk, const char *fmt, ...)
{
	va_list ap;

	r->err.code = code;
	/* A bad block found by searching may have had a false length too. */
	if (code == AA_E_BLOCK || code == AA_E_TRUNCATED || (r->resyncing && code != AA_E_SEQUENCE))
		r->lost = 1;
	r->err.sys_errno = code == AA_E_IO ? errno : 0;
	r->err.offset = offset;
	r->err.chunk = chunk;
	va_start(ap, fmt);
	vsnprintf(r->err.detail, sizeof(r->err.detail), fmt, ap);
	va_end(ap);
	return code;
}

/* One read(2) (or the caller's read function), again after a signal. */
static ssize_t read_once(struct aa_reader *r, uint8_t *p, size_t n)
{
	ssize_t k;

	do
		k = r->read_fn ? r->read_fn(r->read_user, p, n) : read(r->fd, p, n);
	while (k < 0 && errno == EINTR);
	return k;
}

/*
 * Bytes [at, at + n) of the input (n <= WINDOW, at >= win_off), dropping
 * what comes before at; *got says how many are there, fewer than n only at
 * the end of the input. NULL on a read error (errno set).
 */
static const uint8_t *window(struct aa_reader *r, int64_t at, size_t n, size_t *got)
{
	uint64_t drop = (uint64_t)(at - r->win_off);

	if (drop >= r->win_len) {
		/* past what is held (a skipped block): read the gap and forget it */
		uint64_t gap = drop - r->win_len;

		r->win_start = r->win_len = 0;
		while (gap > 0) {
			ssize_t k = read_once(r, r->win, gap < WINDOW ? (size_t)gap : WINDOW);
			if (k < 0)
				return NULL;
			if (k == 0)
				break;
			gap -= (uint64_t)k;
		}
		r->win_off = at - (int64_t)gap; /* at the end of the input if it came first */
	} else {
		r->win_start += drop;
		r->win_len -= drop;
		r->win_off = at;
	}
	if (r->win_start + n > WINDOW) {
		/* no room after what is held: move it to the front (once a window's worth) */
		memmove(r->win, r->win + r->win_start, r->win_len);
		r->win_start = 0;
	}
	while (r->win_len < n && r->win_off == at) {
		size_t end = r->win_start + r->win_len;
		ssize_t k = read_once(r, r->win + end, WINDOW - end);
		if (k < 0)
			return NULL;
		if (k == 0 && r->follow && !r->ended && !r->stopped) {
			/* a file still being written: what is missing may come */
			if (reader_follow_wait(r, (uint64_t)at + r->win_len) != 0)
				return NULL;
			continue;
		}
		if (k == 0)
			break;
		r->win_len += (size_t)k;
	}
	*got = r->win_off == at ? (r->win_len < n ? r->win_len : n) : 0;
	return r->win + r->win_start;
}

/* An open that could not allocate: err still says so. */
static int open_nomem(struct aa_reader *r, struct aa_read_error *err)
{
	aa_reader_close(r);
	if (err)
		*err = (struct aa_read_error){.code = AA_E_NOMEM, .sys_errno = ENOMEM,
					      .offset = -1, .chunk = -1,
					      .detail = "out of memory for the read buffers"};
	return AA_E_NOMEM;
}

int aa_reader_open_fn(struct aa_reader **rp, aa_reader_read_fn fn, void *user,
		      struct aa_read_error *err)
{
	struct aa_reader *r = calloc(1, sizeof(*r));

	*rp = NULL;
	if (!r)
		return open_nomem(NULL, err);
	r->fd = -1;
	r->read_fn = fn;
	r->read_user = user;
	r->win = malloc(WINDOW);
	r->raw = malloc(AA_CHUNK_RAW_MAX);
	r->dctx = ZSTD_createDCtx();
	if (!r->win || !r->raw || !r->dctx)
		return open_nomem(r, err);
	r->err.offset = r->err.chunk = -1;
	*rp = r;
	return 0;
}

int aa_reader_open(struct aa_reader **rp, const char *path, struct aa_read_error *err)
{
	struct aa_reader *r = calloc(1, sizeof(*r));

	*rp = NULL;
	if (!r)
		return open_nomem(NULL, err);
	r->fd = -1;
	r->ifd = -1;
	r->win = malloc(WINDOW);
	r->raw = malloc(AA_CHUNK_RAW_MAX);
	r->dctx = ZSTD_createDCtx();
	if (!r->win || !r->raw || !r->dctx)
		return open_nomem(r, err);
	if (strcmp(path, "-") == 0) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		r->own_fd = 1;
	}
	if (r->fd < 0) {
		int rc = reader_fail(r, AA_E_IO, -1, -1, "cannot open: %s", strerror(errno));
		if (err)
			*err = r->err;
		aa_reader_close(r);
		return rc;
	}
	/* Seeking back is only for a file read from its start, where offsets are positions. */
	r->seekable = lseek(r->fd, 0, SEEK_CUR) == 0;
	posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r->err.offset = r->err.chunk = -1;
	*rp = r;
	return 0;
}

/* Keeps shb_userappl, every byte outside printable ASCII as '?': it goes into messages. */
static void shb_opt(void *ctx, uint16_t code, const uint8_t *val, uint16_t len)
{
	char *appl = ctx;
	size_t n = len < 95 ? len : 95;

	if (code != AA_OPT_SHB_USERAPPL)
		return;
	for (size_t i = 0; i < n; i++)
		appl[i] = val[i] >= 0x20 && val[i] < 0x7f ? (char)val[i] : '?';
	appl[n] = 0;
}

static int check_shb(struct aa_reader *r, const uint8_t *b, uint32_t len, int64_t at)
{
	uint32_t magic = aa_get32(b + 8);
	uint16_t major;

	if (magic == __builtin_bswap32(AA_PCAPNG_BYTE_ORDER_MAGIC))
		return reader_fail(r, AA_E_ENDIAN, at, -1, "big-endian section");
	if (magic != AA_PCAPNG_BYTE_ORDER_MAGIC || len < 28)
		return reader_fail(r, AA_E_NOT_PCAPNG, at, -1, "section header without byte-order magic");
	memcpy(&major, b + 12, 2);
	if (major != 1)
		return reader_fail(r, AA_E_NOT_PCAPNG, at, -1, "pcapng major version %u", major);
	char appl[96] = "";
	if (aa_pcapng_options(b + 24, len - 28, shb_opt, appl) != 0)
		return reader_fail(r, AA_E_BLOCK, at, -1, "malformed section header options");
	if (!r->have_shb)
		memcpy(r->shb_appl, appl, sizeof(appl));
	r->have_shb = 1;
	r->have_idb = 0;
	r->nidb = 0;
	r->section_chunk = 0;
	r->ended = 0;
	r->expect_index = 0;
	r->blocks_crc = (uint32_t)crc32(0, b, len);
	return 0;
}

struct idb_opts {
	int tsresol;
};

static void idb_opt(void *ctx, uint16_t code, const uint8_t *val, uint16_t len)
{
	struct idb_opts *o = ctx;
	if (code == AA_OPT_IF_TSRESOL && len == 1)
		o->tsresol = val[0];
}

/*
 * An interface this toolkit does not write, at the start of a file that
 * another program says it wrote: not damage but another kind of file, said
 * once. A file whose SHB names an aa writer ("aa-capture 0.1.0") has a
 * damaged IDB instead, and is read on.
 */
static int foreign(struct aa_reader *r, int rc)
{
	if (r->had_chunk || !strncmp(r->shb_appl, "aa-", 3))
		return rc;
	return reader_fail(r, AA_E_FOREIGN, -1, -1, "pcapng from %s",
		    r->shb_appl[0] ? r->shb_appl : "unknown writer");
}

static int check_idb(struct aa_reader *r, const uint8_t *b, uint32_t len, int64_t at)
{
	uint16_t linktype;
	struct idb_opts o = {6}; /* pcapng's default: microseconds */

	/* a merged file has one interface per source, all before its first chunk */
	if (r->have_idb && (r->section_chunk || r->nidb >= AA_SOURCES_MAX))
		return reader_fail(r, AA_E_INTERFACE, at, -1, "a second interface: not written by this toolkit");
	if (len < 20)
		return reader_fail(r, AA_E_BLOCK, at, -1, "interface block too short");
	memcpy(&linktype, b + 8, 2);
	if (linktype < AA_LINKTYPE_USER0 || linktype > AA_LINKTYPE_USER0 + 15)
		return foreign(r, reader_fail(r, AA_E_INTERFACE, at, -1, "link type %u is not LINKTYPE_USER0..15",
				       linktype));
	if (aa_pcapng_options(b + 16, len - 20, idb_opt, &o) != 0)
		return reader_fail(r, AA_E_BLOCK, at, -1, "malformed interface options");
	if (o.tsresol != 9)
		return foreign(r, reader_fail(r, AA_E_INTERFACE, at, -1,
				       "time stamp resolution %d, not nanoseconds", o.tsresol));
	r->have_idb = 1;
	r->nidb++;
	return 0;
}

static void isb_opt(void *ctx, uint16_t code, const uint8_t *val, uint16_t len)
{
	struct aa_reader *r = ctx;
	if (len != 8)
		return;
	if (code == AA_OPT_ISB_IFRECV)
		r->isb_recv = aa_get64(val);
	else if (code == AA_OPT_ISB_IFDROP)
		r->isb_drop = aa_get64(val);
}

/* An EPB as a chunk: its frame, then the chunk inside, then its place in order. */
static int check_epb(struct aa_reader *r, const uint8_t *b, uint32_t len, int64_t at,
		     struct aa_chunk_view *c)
{
	char detail[64];

	if (!r->have_idb)
		return reader_fail(r, AA_E_INTERFACE, at, -1, "packet block before any interface block");
	if (len < AA_EPB_HEAD + 4)
		return reader_fail(r, AA_E_BLOCK, at, -1, "packet block too short");
	uint32_t caplen = aa_get32(b + 20), origlen = aa_get32(b + 24);
	uint32_t padded = (caplen + 3u) & ~3u;
	r->section_chunk = 1;
	if (aa_get32(b + 8) >= r->nidb)
		return reader_fail(r, AA_E_CHUNK, at, -1, "packet on interface %u", aa_get32(b + 8));
	if (caplen != origlen || caplen > len - AA_EPB_HEAD - 4 ||
	    AA_EPB_HEAD + padded + 4 != len)
		return reader_fail(r, AA_E_CHUNK, at, -1, "packet lengths %u/%u do not fill a block of %u",
			    caplen, origlen, len);
	for (uint32_t i = caplen; i < padded; i++)
		if (b[AA_EPB_HEAD + i])
			return reader_fail(r, AA_E_CHUNK, at, -1, "non-zero padding");
	uint64_t ts = ((uint64_t)aa_get32(b + 12) << 32) | aa_get32(b + 16);
	int rc = aa_chunk_check(b + AA_EPB_HEAD, caplen, ts, &c->h, &c->stored, detail);
	if (rc) {
		/* Its own number cannot be trusted; it most likely was the one due,
		 * so count it as that and the next good chunk follows on. A first
		 * packet that is no chunk, in a file another program wrote (one of
		 * USER0..15 of its own: aa-replay export --pcapng), is that file's
		 * kind, said once. */
		return foreign(r, reader_fail(r, rc, at, r->expect_index++, "%s", detail));
	}
	c->offset = at;
	c->block_len = len;
	c->iface = aa_get32(b + 8);
	r->resyncing = 0;
	r->had_chunk = 1;
	r->ended = c->h.kind == AA_CHUNK_END;
	if (c->h.index != r->expect_index) {
		uint32_t expected = r->expect_index;
		/* Found by resync just past one lost block: that block was the chunk
		 * due, already reported; only a longer gap is news. */
		int one_lost = r->resynced && c->h.index == expected + 1;
		r->resynced = 0;
		/* so that reading can go on from here; a number already passed
		 * (a repeated chunk) does not move back what is due */
		if (c->h.index > expected)
			r->expect_index = c->h.index + 1;
		if (one_lost)
			return AA_READ_CHUNK;
		return reader_fail(r, AA_E_SEQUENCE, at, c->h.index, "chunk %u where chunk %u was due",
			    c->h.index, expected);
	}
	r->resynced = 0;
	r->expect_index++;
	return AA_READ_CHUNK;
}

/* window() returned NULL: a read error, or a followed file cut or replaced. */
static int read_failed(struct aa_reader *r, int64_t at)
{
	if (r->follow_code)
		return reader_fail(r, r->follow_code, at, -1, "%s", r->follow_msg);
	return reader_fail(r, AA_E_IO, at, -1, "read: %s", strerror(errno));
}

/* Skips a large non-chunk block without holding it: only its trailing length is read. */
static int skip_block(struct aa_reader *r, uint32_t len, int64_t at)
{
	size_t got;
	const uint8_t *tail = window(r, at + len - 4, 4, &got);

	if (!tail)
		return read_failed(r, at);
	if (got < 4)
		return reader_fail(r, AA_E_TRUNCATED, at, -1, "file ends inside a block");
	if (aa_get32(tail) != len)
		return reader_fail(r, AA_E_BLOCK, at, -1, "trailing block length differs");
	r->offset += len;
	return 0;
}

/* END is the last block of its section: whatever follows it but a new section was added. */
static int after_end(struct aa_reader *r, struct aa_chunk_view *c, uint32_t type, int64_t at)
{
	c->stored = NULL;
	return reader_fail(r, AA_E_SEQUENCE, at, -1, "a block of type 0x%x after the END chunk", type);
}

int aa_reader_next(struct aa_reader *r, struct aa_chunk_view *c)
{
	if (r->lost)
		return r->err.code;
	for (;;) {
		int64_t at = r->offset;
		size_t k;
		/* 12 bytes: a section header's byte order says how to read its length */
		const uint8_t *b = window(r, at, 12, &k);

		if (!b)
			return read_failed(r, at);
		if (r->stopped && k < 12 && r->have_shb)
			return AA_READ_END; /* the follower stops where it stands */
		if (k == 0 && r->have_shb)
			return AA_READ_END;
		if (k < 8 && r->have_shb)
			return reader_fail(r, AA_E_TRUNCATED, at, -1, "file ends inside a block header");
		uint32_t type = k >= 8 ? aa_get32(b) : 0, len = k >= 8 ? aa_get32(b + 4) : 0;
		if (!r->have_shb && type != AA_PCAPNG_SHB)
			return reader_fail(r, AA_E_NOT_PCAPNG, 0, -1,
				    type == 0xa1b2c3d4 || type == 0xa1b23c4d || type == 0xd4c3b2a1
					    ? "a classic pcap file, not pcapng"
					    : "no pcapng section header at the start");
		if (type == AA_PCAPNG_SHB) {
			if (k == 12 && aa_get32(b + 8) == __builtin_bswap32(AA_PCAPNG_BYTE_ORDER_MAGIC))
				return reader_fail(r, AA_E_ENDIAN, at, -1, "big-endian section");
			if (k < 12)
				return reader_fail(r, r->have_shb ? AA_E_TRUNCATED : AA_E_NOT_PCAPNG, at, -1,
					    "file ends inside a section header");
		}
		if (len < 12 || len % 4 != 0)
			return reader_fail(r, AA_E_BLOCK, at, -1, "block length %u is impossible", len);
		if (len > AA_BLOCK_MAX) {
			/* not in blocks_crc: this toolkit never writes one, so END cannot match */
			if (type == AA_PCAPNG_EPB || type == AA_PCAPNG_SHB || len > OTHER_BLOCK_MAX)
				return reader_fail(r, AA_E_BLOCK, at, -1, "block length %u over the limit", len);
			int rc = skip_block(r, len, at);
			if (rc)
				return rc;
			if (r->ended)
				return after_end(r, c, type, at);
			continue;
		}
		if (!(b = window(r, at, len, &k)))
			return read_failed(r, at);
		if (r->stopped && k < len)
			return AA_READ_END;
		if (k < len)
			return reader_fail(r, AA_E_TRUNCATED, at, -1, "file ends inside a block of %u bytes",
				    len);
		if (aa_get32(b + len - 4) != len)
			return reader_fail(r, AA_E_BLOCK, at, -1, "trailing block length %u differs from %u",
				    aa_get32(b + len - 4), len);
		r->offset += len;
		if (r->ended && type != AA_PCAPNG_SHB)
			return after_end(r, c, type, at);
		if (type != AA_PCAPNG_EPB && type != AA_PCAPNG_SHB)
			r->blocks_crc = (uint32_t)crc32(r->blocks_crc, b, len);

		int rc = 0;
		switch (type) {
		case AA_PCAPNG_SHB: {
			int first = !r->have_shb;
			rc = check_shb(r, b, len, at);
			if (!rc && !first)
				return AA_READ_SECTION;
			break;
		}
		case AA_PCAPNG_IDB:
			rc = check_idb(r, b, len, at);
			break;
		case AA_PCAPNG_ISB:
			if (len < 24 || aa_pcapng_options(b + 20, len - 24, isb_opt, r) != 0)
				rc = reader_fail(r, AA_E_BLOCK, at, -1, "malformed statistics block");
			break;
		case AA_PCAPNG_EPB:
			return check_epb(r, b, len, at, c);
		default: /* blocks other tools add: pcapng says skip them */
			break;
		}
		if (rc)
			return rc;
	}
}

int aa_reader_decode_to(struct aa_reader *r, const struct aa_chunk_view *c, uint8_t *out)
{
	char detail[64];

	if (c->h.encoding == AA_ENC_XFORM && !r->xbuf)
		r->xbuf = malloc(AA_XFORM_MAX); /* NULL: the chunk takes its own */
	int rc = aa_chunk_decompress_scratch(r->dctx, &c->h, c->stored, out, r->xbuf, detail);

	return rc ? reader_fail(r, rc, c->offset, c->h.index, "%s", detail) : 0;
}

int aa_reader_decode(struct aa_reader *r, const struct aa_chunk_view *c, const uint8_t **raw)
{
	int rc = aa_reader_decode_to(r, c, r->raw);

	if (!rc)
		*raw = r->raw;
	return rc;
}

/* A block start that looks like a chunk: EPB type, sane length, chunk magic. */
static int looks_like_chunk(const uint8_t *p)
{
	uint32_t len = aa_get32(p + 4);
	return aa_get32(p) == AA_PCAPNG_EPB && len % 4 == 0 && len <= AA_BLOCK_MAX &&
	       len >= AA_EPB_HEAD + AA_CHUNK_HEADER_SIZE + 4 &&
	       aa_get32(p + AA_EPB_HEAD) == AA_CHUNK_MAGIC;
}

int aa_reader_resync(struct aa_reader *r)
{
	const size_t need = AA_EPB_HEAD + 4;
	int64_t from = (r->err.offset >= 0 ? r->err.offset : r->offset) + 4;
	size_t got;

	if (from < r->win_off) {
		/* The block was longer than the window (a skipped one): a file is
		 * searched from where it began, a stream from what is still held. */
		if (r->seekable && lseek(r->fd, from, SEEK_SET) == from) {
			r->win_off = from;
			r->win_start = r->win_len = 0;
		} else {
			from = (r->win_off + 3) & ~(int64_t)3; /* blocks start at multiples of 4 */
		}
	}
	for (;;) {
		const uint8_t *p = window(r, from, WINDOW, &got);

		if (!p || got < need)
			break;
		for (size_t i = 0; i + need <= got; i += 4) {
			if (looks_like_chunk(p + i)) {
				r->offset = from + (int64_t)i;
				r->lost = 0;
				r->resyncing = 1;
				r->resynced = 1;
				return 1;
			}
		}
		/* on from the first place not looked at: no candidate straddles windows */
		from += (int64_t)((got - need) / 4 + 1) * 4;
	}
	/* nothing more: stand at the end */
	r->offset = r->win_off + (int64_t)r->win_len;
	return 0;
}

uint32_t aa_reader_interfaces(const struct aa_reader *r)
{
	return r->nidb;
}

int aa_reader_lost(const struct aa_reader *r)
{
	return r->lost;
}

uint32_t aa_reader_blocks_crc(const struct aa_reader *r)
{
	return r->blocks_crc;
}

const struct aa_read_error *aa_reader_error(const struct aa_reader *r)
{
	return &r->err;
}

uint64_t aa_reader_offset(const struct aa_reader *r)
{
	return (uint64_t)r->offset;
}

void aa_reader_isb(const struct aa_reader *r, uint64_t *recv, uint64_t *drop)
{
	*recv = r->isb_recv;
	*drop = r->isb_drop;
}

void aa_reader_close(struct aa_reader *r)
{
	if (!r)
		return;
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	if (r->ifd >= 0)
		close(r->ifd);
	free(r->follow_path);
	ZSTD_freeDCtx(r->dctx);
	free(r->xbuf);
	free(r->win);
	free(r->raw);
	free(r);
}
