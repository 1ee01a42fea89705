/* SPDX-License-Identifier: MIT */
/*
 * The capture file writer (see writer.h). Every block goes out in one
 * write() as soon as it is built, so a crash loses at most the chunk being
 * gathered; after a failed write the file is cut back to its last whole
 * block.
 */
#include "writer.h"
#include "writer_count.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile.h"
#include "chunk.h"
#include "clock.h"
#include "events_btf.h"
#include "meta_codec.h"
#include "parse.h"
#include "pcapng.h"
#include "xxh64.h"

#ifndef AA_VERSION
#define AA_VERSION "0.0.0"
#endif

struct aa_writer {
	int fd;
	char *path;
	int err;       /* first error met; sticky */
	int sys_errno;
	off_t good_end; /* end of the last whole block written */
	ZSTD_CCtx *cctx;
	unsigned flush_ms, stats_ms;
	size_t raw_max;

	/* the chunk being gathered */
	uint8_t *raw;
	size_t raw_len;
	struct aa_chunk_hdr chunk;
	uint64_t chunk_since; /* monotonic ns of its first record */

	uint8_t *block; /* AA_BLOCK_MAX bytes */
	uint32_t next_index;
	uint64_t start_ns;
	uint64_t last_stats; /* monotonic ns */
	uint64_t drops[AA_DROP_SLOTS];

	/* the whole file */
	uint64_t records, bytes_raw, bytes_file, chunks, first_ts, last_ts;
	struct aa_xxh64 digest;
	uint32_t blocks_crc; /* of the blocks that carry no chunk: SHB, IDB, ISBs */
	uint8_t session[16];
	/* aa_writer_opts.sink, and the blocks without a chunk written since its last call */
	void (*sink)(void *user, const struct aa_writer_chunk *chunk);
	void *sink_user;
	uint32_t file_seq;
	uint8_t *sink_buf; /* AA_BLOCK_MAX + 2 * AA_SMALL_BLOCK_MAX bytes */
	size_t sink_len;
};

static int fail_io(struct aa_writer *w, int err)
{
	if (!w->err) {
		w->err = AA_E_IO;
		w->sys_errno = err;
		/* Keep what was whole; ENOSPC may have left half a block. */
		if (ftruncate(w->fd, w->good_end) != 0) {
			/* nothing more to save (or a pipe): the reader stops at the half block */
		}
		errno = err; /* the write's, not ftruncate's EINVAL on a pipe */
	}
	return w->err;
}

/* A chunk goes to the sink with the blocks without a chunk written before it. */
static void to_sink(struct aa_writer *w, const uint8_t *buf, size_t len)
{
	memcpy(w->sink_buf + w->sink_len, buf, len);
	w->sink_len += len;
	if (aa_get32(buf) != AA_PCAPNG_EPB)
		return; /* SHB, IDB, ISB: at most two, each under AA_SMALL_BLOCK_MAX */
	const uint8_t *data = buf + AA_EPB_HEAD;
	struct aa_writer_chunk c = {
		.kind = data[AA_CH_KIND],
		.index = aa_get32(data + AA_CH_INDEX),
		.file_seq = w->file_seq,
		.session = w->session,
		.records = aa_get32(data + AA_CH_RECORDS),
		.bytes = w->sink_buf,
		.len = w->sink_len,
	};
	w->sink_len = 0;
	w->sink(w->sink_user, &c);
}

static int write_block(struct aa_writer *w, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	if (w->err)
		return w->err;
	while (done < len) {
		ssize_t n = write(w->fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail_io(w, n < 0 ? errno : ENOSPC);
		done += (size_t)n;
	}
	w->good_end += (off_t)len;
	w->bytes_file += len;
	if (aa_get32(buf) != AA_PCAPNG_EPB)
		w->blocks_crc = (uint32_t)crc32(w->blocks_crc, buf, (uInt)len);
	if (w->sink)
		to_sink(w, buf, len);
	return 0;
}

/* Encodes raw as the next chunk of the given kind and writes it. */
static int write_chunk(struct aa_writer *w, struct aa_chunk_hdr *h, const void *raw)
{
	if (w->err)
		return w->err;
	h->index = w->next_index;
	h->written_ns = aa_clock_ns(CLOCK_REALTIME);
	long len = aa_chunk_encode(w->cctx, h, raw, w->block);
	if (len < 0)
		return w->err = (int)len;
	w->next_index++;
	return write_block(w, w->block, (size_t)len);
}

static int write_meta(struct aa_writer *w, const struct aa_writer_opts *o, int64_t mono_to_wall)
{
	struct utsname u;
	char host[256] = "";
	/* "tls 4128\nfile 296\n...": one line "name size" per type */
#define X(name, NAME, size) #name " " #size "\n"
	static const char schema[] = AA_RECORD_TYPES(X);
#undef X
	struct aa_file_meta m = {0};
	size_t len;

	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	gethostname(host, sizeof(host) - 1);
	m.writer = o->writer ? o->writer : "aa-capture";
	m.writer_version = AA_VERSION;
	m.hostname = o->hostname ? o->hostname : host;
	m.kernel = o->kernel ? o->kernel : u.release;
	m.arch = o->arch ? o->arch : u.machine;
	m.source = o->source;
	m.schema = schema;
	m.mono_to_wall = mono_to_wall;
	m.start_ns = w->start_ns;
	memcpy(m.session, w->session, 16);
	m.file_seq = o->file_seq;
	m.level = o->level ? o->level : 3;
	m.flush_ms = w->flush_ms;
	m.reorder_ns = o->reorder_ns ? o->reorder_ns : aa_meta_reorder_ns(&m);
	m.format_version = o->format_version ? o->format_version : AA_FORMAT_VERSION;
	m.btf = aa_events_btf(&m.btf_len);

	if (aa_meta_encode(&m, w->raw, AA_CHUNK_RAW_MAX, &len) != 0) /* not bound by chunk_raw_max */
		return w->err = AA_E_INVAL;
	struct aa_chunk_hdr h = {.kind = AA_CHUNK_META, .raw_len = (uint32_t)len};
	return write_chunk(w, &h, w->raw);
}

static int write_headers(struct aa_writer *w, const char *writer)
{
	struct utsname u;
	char os[160], appl[96];
	uint8_t buf[AA_SMALL_BLOCK_MAX];

	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	snprintf(appl, sizeof(appl), "%s %s", writer ? writer : "aa-capture", AA_VERSION);
	struct aa_shb_info shb = {.hardware = u.machine, .os = os, .userappl = appl};
	int rc = write_block(w, buf, aa_pcapng_shb(buf, &shb));
	if (rc)
		return rc;
	return write_block(w, buf,
			   aa_pcapng_idb(buf, AA_LINKTYPE, AA_SNAPLEN, "EVENTS",
					 "eBPF ring-buffer records in zstd chunks (aa capture file)"));
}

int aa_writer_open(struct aa_writer **wp, int fd, const char *path,
		   const struct aa_writer_opts *opts)
{
	static const struct aa_writer_opts defaults;
	const struct aa_writer_opts *o = opts ? opts : &defaults;
	struct aa_writer *w = calloc(1, sizeof(*w));
	int rc = AA_E_NOMEM;

	*wp = NULL;
	if (!w) {
		close(fd);
		return AA_E_NOMEM;
	}
	w->fd = fd;
	w->good_end = lseek(fd, 0, SEEK_CUR);
	if (w->good_end < 0)
		w->good_end = 0;
	w->flush_ms = o->flush_ms ? o->flush_ms : 1000;
	w->stats_ms = o->stats_ms ? o->stats_ms : 10000;
	w->raw_max = o->chunk_raw_max ? o->chunk_raw_max : AA_CHUNK_RAW_MAX;
	if (w->raw_max > AA_CHUNK_RAW_MAX || w->raw_max < 1024) {
		rc = AA_E_INVAL;
		goto fail;
	}
	w->path = strdup(path ? path : "");
	w->raw = malloc(AA_CHUNK_RAW_MAX);
	w->block = malloc(AA_BLOCK_MAX);
	w->cctx = ZSTD_createCCtx();
	if (!w->path || !w->raw || !w->block || !w->cctx)
		goto fail;
	if (o->sink) {
		w->sink = o->sink;
		w->sink_user = o->sink_user;
		w->file_seq = o->file_seq;
		if (!(w->sink_buf = malloc(AA_BLOCK_MAX + 2 * AA_SMALL_BLOCK_MAX)))
			goto fail;
	}
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
						o->level ? o->level : 3)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1))) {
		rc = AA_E_INVAL;
		goto fail;
	}
	if (o->session)
		memcpy(w->session, o->session, 16);
	else if (getrandom(w->session, 16, 0) != 16)
		for (int i = 0; i < 16; i++) /* no entropy source: time is unique enough here */
			w->session[i] = (uint8_t)(aa_clock_ns(CLOCK_REALTIME) >> (i % 8 * 8));
	aa_xxh64_init(&w->digest, 0);
	w->start_ns = aa_clock_ns(CLOCK_REALTIME);
	w->last_stats = aa_clock_ns(CLOCK_MONOTONIC);

	rc = write_headers(w, o->writer);
	if (!rc)
		rc = write_meta(w, o, o->mono_to_wall ? o->mono_to_wall : aa_mono_to_wall());
	if (rc)
		goto fail;
	*wp = w;
	return 0;
fail:
	{
		/* the cleanup (ftruncate, close) may change errno: keep the write's */
		int saved = w->err == AA_E_IO ? w->sys_errno : errno;
		if (!w->err)
			w->err = rc; /* close must not write anything more */
		aa_writer_close(w);
		errno = saved;
	}
	return rc;
}

int aa_writer_flush(struct aa_writer *w)
{
	if (w->err)
		return w->err;
	if (w->chunk.records == 0)
		return 0;
	w->chunk.kind = AA_CHUNK_RECORDS;
	w->chunk.raw_len = (uint32_t)w->raw_len;
	int rc = write_chunk(w, &w->chunk, w->raw);
	if (rc)
		return rc;
	w->chunks++;
	w->raw_len = 0;
	memset(&w->chunk, 0, sizeof(w->chunk));
	w->chunk.first_record = w->records;
	return 0;
}

int aa_writer_add(struct aa_writer *w, const void *rec, size_t len)
{
	if (w->err)
		return w->err;
	/* A 0-byte record cannot go through `aa-capture -r` (its length 0 is
	 * the raw stream's framing error): none is written. */
	if (len == 0)
		return AA_E_INVAL;
	/* Checked before len is rounded up, which could wrap round to 0. */
	if (len > w->raw_max - AA_FRAME_HEADER)
		return AA_E_TOO_BIG;
	size_t framed = AA_FRAME_HEADER + ((len + 7) & ~(size_t)7);
	uint32_t len32 = (uint32_t)len;

	if (framed > w->raw_max)
		return AA_E_TOO_BIG;
	if (w->raw_len + framed > w->raw_max) {
		int rc = aa_writer_flush(w);
		if (rc)
			return rc;
	}
	if (w->chunk.records == 0) {
		w->chunk_since = aa_clock_ns(CLOCK_MONOTONIC);
		w->chunk.first_record = w->records;
	}
	uint8_t *p = w->raw + w->raw_len;
	aa_put32(p, len32);
	aa_put32(p + 4, 0);
	memcpy(p + AA_FRAME_HEADER, rec, len);
	memset(p + AA_FRAME_HEADER + len, 0, framed - AA_FRAME_HEADER - len);
	w->raw_len += framed;

	uint64_t ts = aa_record_mono_ns(rec, len);
	if (ts) {
		if (!w->chunk.first_ts || ts < w->chunk.first_ts)
			w->chunk.first_ts = ts;
		if (ts > w->chunk.last_ts)
			w->chunk.last_ts = ts;
		if (!w->first_ts || ts < w->first_ts)
			w->first_ts = ts;
		if (ts > w->last_ts)
			w->last_ts = ts;
	}
	w->chunk.records++;
	w->records++;
	w->bytes_raw += len;
	/* the digest is of the export --raw stream: [u32 length][bytes] per record */
	aa_xxh64_update(&w->digest, &len32, 4);
	aa_xxh64_update(&w->digest, rec, len);
	return 0;
}

void aa_writer_set_drops(struct aa_writer *w, const uint64_t drops[AA_DROP_SLOTS])
{
	memcpy(w->drops, drops, sizeof(w->drops));
}

static uint64_t total_drops(const struct aa_writer *w)
{
	uint64_t sum = 0;
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		sum += w->drops[i];
	return sum;
}

/* An ISB for pcapng readers and a STATS chunk with the per-type detail. */
static int write_stats(struct aa_writer *w)
{
	uint8_t isb[AA_SMALL_BLOCK_MAX];
	uint64_t now = aa_clock_ns(CLOCK_REALTIME), dropped = total_drops(w);
	struct aa_stats_body body = {
		.written_ns = now, .received = w->records + dropped, .dropped = dropped};

	memcpy(body.drops, w->drops, sizeof(body.drops));
	w->last_stats = aa_clock_ns(CLOCK_MONOTONIC);
	int rc = write_block(w, isb, aa_pcapng_isb(isb, now, w->start_ns, body.received, dropped,
						   w->records));
	if (rc)
		return rc;
	struct aa_chunk_hdr h = {.kind = AA_CHUNK_STATS, .raw_len = sizeof(body)};
	return write_chunk(w, &h, &body);
}

int aa_writer_tick(struct aa_writer *w)
{
	uint64_t now = aa_clock_ns(CLOCK_MONOTONIC);
	int rc = 0;

	if (w->chunk.records && now - w->chunk_since >= (uint64_t)w->flush_ms * 1000000ull)
		rc = aa_writer_flush(w);
	if (!rc && now - w->last_stats >= (uint64_t)w->stats_ms * 1000000ull)
		rc = write_stats(w);
	return rc ? rc : w->err;
}

int aa_writer_timeout_ms(const struct aa_writer *w)
{
	uint64_t now = aa_clock_ns(CLOCK_MONOTONIC);
	uint64_t due = w->last_stats + (uint64_t)w->stats_ms * 1000000ull;

	if (w->chunk.records) {
		uint64_t flush_due = w->chunk_since + (uint64_t)w->flush_ms * 1000000ull;
		if (flush_due < due)
			due = flush_due;
	}
	return due <= now ? 0 : (int)((due - now + 999999) / 1000000);
}

void aa_writer_get_info(const struct aa_writer *w, struct aa_writer_info *info)
{
	info->records = w->records;
	info->bytes_raw = w->bytes_raw;
	info->bytes_file = w->bytes_file;
	info->chunks = w->chunks;
	info->digest = aa_xxh64_digest(&w->digest);
	info->session = w->session;
}

uint64_t aa_writer_chunk_count(const struct aa_writer *w)
{
	return w->chunks;
}

int aa_writer_errno(const struct aa_writer *w)
{
	return w->err == AA_E_IO ? w->sys_errno : 0;
}

static int write_end(struct aa_writer *w)
{
	struct aa_end_body body = {
		.records = w->records,
		.chunks = w->chunks,
		.bytes_raw = w->bytes_raw,
		.digest = aa_xxh64_digest(&w->digest),
		.first_ts = w->first_ts,
		.last_ts = w->last_ts,
		.dropped = total_drops(w),
		.ended_ns = aa_clock_ns(CLOCK_REALTIME),
		.blocks_crc = w->blocks_crc,
	};
	struct aa_chunk_hdr h = {.kind = AA_CHUNK_END, .raw_len = sizeof(body)};
	return write_chunk(w, &h, &body);
}

int aa_writer_close(struct aa_writer *w)
{
	return aa_writer_finish(w, NULL);
}

int aa_writer_finish(struct aa_writer *w, struct aa_writer_info *info)
{
	int rc;

	if (!w)
		return AA_E_INVAL;
	/* fsync fails with EINVAL on pipes and terminals: nothing to sync there */
	if (!w->err && aa_writer_flush(w) == 0 && write_stats(w) == 0 && write_end(w) == 0 &&
	    fsync(w->fd) != 0 && errno != EINVAL && errno != EROFS)
		fail_io(w, errno);
	if (info) {
		aa_writer_get_info(w, info);
		info->session = NULL; /* it pointed into w, freed below */
	}
	if (close(w->fd) != 0 && !w->err && errno != EINTR) {
		w->err = AA_E_IO;
		w->sys_errno = errno;
	}
	rc = w->err;
	if (rc == AA_E_IO)
		errno = w->sys_errno;
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	free(w->block);
	free(w->sink_buf);
	free(w->path);
	free(w);
	return rc;
}
