/* SPDX-License-Identifier: MIT */
/*
 * The capture file writer (see writer.h). Every block goes out in one
 * write() as soon as it is built (with threads: as soon as it is
 * compressed, writer_pool.h), so a crash loses at most the chunks being
 * gathered and compressed; after a failed write the file is cut back to its
 * last whole block.
 */
#include "writer.h"
#include "writer_count.h"
#include "writer_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile.h"
#include "chunk.h"
#include "clock.h"
#include "parse.h"
#include "pcapng.h"
#include "writer_pool.h"
#include "xform.h"
#include "xxh64.h"

/* With threads and a sink: how often aa_writer_tick is wanted while chunks
 * are being compressed and written, to pass them on. */
#define SINK_POLL_MS 2

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

/* The sink's call for a chunk whose EPB is epb, bytes[0..len) ending with it. */
static void call_sink(struct aa_writer *w, const uint8_t *epb, const uint8_t *bytes, size_t len)
{
	const uint8_t *data = epb + AA_EPB_HEAD;
	struct aa_writer_chunk c = {
		.kind = data[AA_CH_KIND],
		.index = aa_get32(data + AA_CH_INDEX),
		.file_seq = w->file_seq,
		.session = w->session,
		.records = aa_get32(data + AA_CH_RECORDS),
		.bytes = bytes,
		.len = len,
	};
	w->sink(w->sink_user, &c);
}

/* A chunk goes to the sink with the blocks without a chunk written before it. */
static void to_sink(struct aa_writer *w, const uint8_t *buf, size_t len)
{
	memcpy(w->sink_buf + w->sink_len, buf, len);
	w->sink_len += len;
	if (aa_get32(buf) != AA_PCAPNG_EPB)
		return; /* SHB, IDB, ISB: at most two, each under AA_SMALL_BLOCK_MAX */
	size_t n = w->sink_len;
	w->sink_len = 0;
	call_sink(w, buf, w->sink_buf, n);
}

/* A job of the pool, written: its pre blocks and EPB are one piece. */
static void job_to_sink(void *user, const struct wp_job *j)
{
	call_sink(user, j->buf + WP_PRE, j->buf + WP_PRE - j->pre_len,
		  j->pre_len + (size_t)j->len);
}

static void (*pool_sink(const struct aa_writer *w))(void *, const struct wp_job *)
{
	return w->sink ? job_to_sink : NULL;
}

/* The pool's first error becomes the writer's. */
static int pool_error(struct aa_writer *w)
{
	int e, sys_errno = 0;

	if (w->pool && !w->err && (e = wp_error(w->pool, &sys_errno)) != 0) {
		w->err = e;
		w->sys_errno = sys_errno;
	}
	return w->err;
}

/* A free job of the pool, or NULL after an error (in w->err). */
static struct wp_job *pool_job(struct aa_writer *w)
{
	struct wp_job *j = wp_acquire(w->pool, pool_sink(w), w);

	if (!j)
		pool_error(w);
	return j;
}

int wr_write_block(struct aa_writer *w, const uint8_t *buf, size_t len)
{
	int e;

	if (w->err)
		return w->err;
	if ((e = wp_write_all(w->fd, buf, len)) != 0)
		return fail_io(w, e);
	w->good_end += (off_t)len;
	w->bytes_file += len;
	if (aa_get32(buf) != AA_PCAPNG_EPB)
		w->blocks_crc = (uint32_t)crc32(w->blocks_crc, buf, (uInt)len);
	if (w->sink)
		to_sink(w, buf, len);
	return 0;
}

/* With threads: j (raw filled) sealed as the next chunk, after the
 * blocks pre[0..pre_len) that carry none. */
static int seal_job(struct aa_writer *w, struct wp_job *j, const struct aa_chunk_hdr *h,
		    uint32_t iface, const uint8_t *pre, size_t pre_len)
{
	j->h = *h;
	j->h.index = w->next_index++;
	j->h.written_ns = aa_clock_ns(CLOCK_REALTIME);
	j->iface = iface;
	j->pre_len = pre_len;
	if (pre_len) {
		memcpy(j->buf + WP_PRE - pre_len, pre, pre_len);
		w->blocks_crc = (uint32_t)crc32(w->blocks_crc, pre, (uInt)pre_len);
	}
	wp_seal(w->pool, j);
	return 0;
}

/* Encodes raw as the next chunk of the given kind and writes it, on
 * interface iface, after the blocks pre[0..pre_len) that carry no chunk. */
static int write_chunk_after(struct aa_writer *w, struct aa_chunk_hdr *h, const void *raw,
			     uint32_t iface, const uint8_t *pre, size_t pre_len)
{
	if (w->err || pool_error(w))
		return w->err;
	if (w->pool) {
		struct wp_job *j = pool_job(w);
		if (!j)
			return w->err;
		memcpy(j->raw, raw, h->raw_len);
		return seal_job(w, j, h, iface, pre, pre_len);
	}
	if (pre_len) {
		int rc = wr_write_block(w, pre, pre_len);
		if (rc)
			return rc;
	}
	h->index = w->next_index;
	h->written_ns = aa_clock_ns(CLOCK_REALTIME);
	if (h->kind == AA_CHUNK_RECORDS && !w->xbuf)
		w->xbuf = malloc(AA_XFORM_MAX); /* NULL: the chunk takes its own */
	long len = aa_chunk_encode_scratch(w->cctx, h, raw, w->block, w->xbuf);
	if (len < 0)
		return w->err = (int)len;
	aa_put32(w->block + 8, iface); /* the EPB's interface id: not under the chunk's crc */
	w->next_index++;
	return wr_write_block(w, w->block, (size_t)len);
}

int wr_write_chunk_on(struct aa_writer *w, struct aa_chunk_hdr *h, const void *raw,
		      uint32_t iface)
{
	return write_chunk_after(w, h, raw, iface, NULL, 0);
}

static int write_chunk(struct aa_writer *w, struct aa_chunk_hdr *h, const void *raw)
{
	return wr_write_chunk_on(w, h, raw, 0);
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
	if (w->raw_max > AA_CHUNK_RAW_MAX || w->raw_max < 1024 || o->threads > WP_THREADS_MAX) {
		rc = AA_E_INVAL;
		goto fail;
	}
	w->path = strdup(path ? path : "");
	w->raw = w->gather = malloc(AA_CHUNK_RAW_MAX);
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

	if (o->nsources > AA_SOURCES_MAX || (o->nsources && !o->sources)) {
		rc = AA_E_INVAL;
		goto fail;
	}
	w->nsources = o->nsources;
	rc = wr_write_start(w, o);
	/* the blocks above are written here; the pool takes the rest */
	if (!rc && o->threads)
		rc = wp_start(&w->pool, o->threads, o->level ? o->level : 3, fd, w->good_end);
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
	int rc;

	if (w->err || pool_error(w))
		return w->err;
	if (w->chunk.records == 0)
		return 0;
	w->chunk.kind = AA_CHUNK_RECORDS;
	w->chunk.raw_len = (uint32_t)w->raw_len;
	if (w->pool) {
		rc = seal_job(w, w->cur, &w->chunk, 0, NULL, 0);
		w->cur = NULL;
	} else {
		rc = write_chunk(w, &w->chunk, w->raw);
	}
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
	return aa_writer_add_from(w, 0, rec, len);
}

/* aa_writer_add_from, and where the record's copy in the chunk is. */
static int add_record(struct aa_writer *w, uint32_t source, const void *rec, size_t len,
		      const void **copy)
{
	if (w->err || pool_error(w))
		return w->err;
	if (source && source >= w->nsources)
		return AA_E_INVAL;
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
		if (w->pool) {
			if (!(w->cur = pool_job(w)))
				return w->err;
			w->gather = w->cur->raw;
		}
		w->chunk_since = aa_clock_ns(CLOCK_MONOTONIC);
		w->chunk.first_record = w->records;
	}
	uint8_t *p = w->gather + w->raw_len;
	aa_put32(p, len32);
	aa_put32(p + 4, source); /* 0 but in a merged file */
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
	*copy = p + AA_FRAME_HEADER;
	return 0;
}

int aa_writer_add_from(struct aa_writer *w, uint32_t source, const void *rec, size_t len)
{
	const void *copy;

	return add_record(w, source, rec, len, &copy);
}

int aa_writer_add_at(struct aa_writer *w, const void *rec, size_t len, const void **copy)
{
	return add_record(w, 0, rec, len, copy);
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
	size_t isb_len = aa_pcapng_isb(isb, now, w->start_ns, body.received, dropped, w->records);
	struct aa_chunk_hdr h = {.kind = AA_CHUNK_STATS, .raw_len = sizeof(body)};
	return write_chunk_after(w, &h, &body, 0, isb, isb_len);
}

int aa_writer_tick(struct aa_writer *w)
{
	uint64_t now = aa_clock_ns(CLOCK_MONOTONIC);
	int rc = 0;

	if (w->pool) /* the sink has what was written since */
		wp_reap(w->pool, pool_sink(w), w);
	if (pool_error(w))
		return w->err;
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
	int ms = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
	/* the sink has each chunk soon after it is written, as without threads */
	if (w->pool && w->sink && ms > SINK_POLL_MS && wp_in_flight(w->pool))
		ms = SINK_POLL_MS;
	return ms;
}

void aa_writer_get_info(const struct aa_writer *w, struct aa_writer_info *info)
{
	info->records = w->records;
	info->bytes_raw = w->bytes_raw;
	info->bytes_file = w->bytes_file + (w->pool ? wp_bytes_written(w->pool) : 0);
	info->chunks = w->pool ? wp_records_chunks(w->pool) : w->chunks;
	info->digest = aa_xxh64_digest(&w->digest);
	info->session = w->session;
}

uint64_t aa_writer_chunk_count(const struct aa_writer *w)
{
	return w->pool ? wp_records_chunks(w->pool) : w->chunks;
}

uint64_t aa_writer_chunks_sealed(const struct aa_writer *w)
{
	return w->chunks;
}

int aa_writer_reached(struct aa_writer *w, uint64_t bytes)
{
	if (bytes <= w->bytes_file)
		return 1;
	return w->pool ? wp_reached(w->pool, bytes - w->bytes_file) : 0;
}

int aa_writer_settle(struct aa_writer *w)
{
	int rc = aa_writer_flush(w);

	if (!rc && w->pool) {
		wp_drain(w->pool, pool_sink(w), w);
		rc = pool_error(w);
	}
	return rc;
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
	if (!w->err)
		(void)(aa_writer_flush(w) == 0 && write_stats(w) == 0 && write_end(w) == 0);
	if (w->pool) { /* everything sealed is written, or dropped after an error */
		wp_drain(w->pool, pool_sink(w), w);
		pool_error(w);
		w->good_end = wp_good_end(w->pool);
	}
	/* fsync fails with EINVAL on pipes and terminals: nothing to sync there */
	if (!w->err && fsync(w->fd) != 0 && errno != EINVAL && errno != EROFS)
		fail_io(w, errno);
	if (info) {
		aa_writer_get_info(w, info);
		info->session = NULL; /* it pointed into w, freed below */
	}
	if (w->pool)
		wp_stop(w->pool);
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
	free(w->xbuf);
	free(w->sink_buf);
	free(w->path);
	free(w);
	return rc;
}
