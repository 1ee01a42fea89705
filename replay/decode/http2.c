/* SPDX-License-Identifier: MIT */
/*
 * HTTP/2 (RFC 9113): frames of each direction, header blocks decoded by
 * libnghttp2's HPACK inflater (one per direction, kept for the whole
 * connection, its table size following the peer's SETTINGS), a message per
 * stream and direction from HEADERS to END_STREAM. DATA payloads stream
 * through; other frames are gathered whole (at most H2_MAX_FRAME).
 */
#include <stdlib.h>
#include <string.h>
#include <nghttp2/nghttp2.h>

#include "decode.h"

#define H2_MAX_FRAME (1u << 20)  /* a non-DATA frame, or a header block, we gather */
#define H2_MAX_STREAMS 128        /* open streams kept per direction (nghttpd's default is 100) */

enum { F_DATA = 0, F_HEADERS = 1, F_PRIORITY = 2, F_RST = 3, F_SETTINGS = 4, F_PUSH = 5,
       F_PING = 6, F_GOAWAY = 7, F_WINDOW = 8, F_CONT = 9 };
#define FL_END_STREAM 0x1
#define FL_END_HEADERS 0x4
#define FL_PADDED 0x8
#define FL_PRIORITY 0x20

struct h2_stream {
	int32_t id;
	int used;
	uint64_t last;   /* use order, for reuse of the oldest */
	struct dec_msg *msg; /* allocated at first use, kept for the slot's next streams */
};

struct h2_dir {
	uint8_t fh[9];
	size_t fh_len;
	uint32_t flen;       /* payload length of the current frame */
	uint8_t ftype, fflags;
	int32_t fstream;
	uint32_t fgot;       /* payload bytes seen */
	uint8_t pad;         /* DATA: padding length */
	struct dec_buf frame; /* a non-DATA payload being gathered */
	struct dec_buf block; /* a header block across CONTINUATION frames */
	int32_t block_stream; /* its stream (the promised one for PUSH_PROMISE) */
	int block_end_stream, block_push;
	uint64_t block_time;
	nghttp2_hd_inflater *hd;
	int hd_broken, broken, preface_skip;
	struct h2_stream *streams; /* grown as streams open at once, to H2_MAX_STREAMS */
	int nstreams, cap;         /* slots ever used, slots allocated */
	uint64_t uses;
};

struct dec_h2 {
	struct h2_dir dir[2];
};

int dec_h2_looks_like(const uint8_t *p, size_t n)
{
	if (n < 9)
		return 0;
	uint32_t len = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	uint8_t type = p[3];
	uint32_t sid = ((uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8]) & 0x7fffffff;

	if (type > F_CONT || len > 16777215)
		return 0;
	if (type == F_SETTINGS)
		return sid == 0 && len % 6 == 0;
	if (type == F_WINDOW)
		return len == 4;
	if (type == F_PING)
		return sid == 0 && len == 8;
	return (type == F_HEADERS || type == F_DATA) && sid != 0 && len + 9 <= n + 16384;
}

struct dec_h2 *dec_h2_new(void)
{
	struct dec_h2 *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (nghttp2_hd_inflate_new(&h->dir[i].hd)) {
			dec_h2_free(h);
			return NULL;
		}
	return h;
}

static struct h2_stream *stream(struct h2_dir *d, int32_t id, int create)
{
	struct h2_stream *free_one = NULL, *oldest = NULL;

	for (int i = 0; i < d->nstreams; i++) {
		struct h2_stream *st = &d->streams[i];
		if (st->used && st->id == id) {
			st->last = ++d->uses;
			return st;
		}
		if (!st->used && !free_one)
			free_one = st;
		if (st->used && (!oldest || st->last < oldest->last))
			oldest = st;
	}
	if (!create)
		return NULL;
	if (!free_one && d->nstreams < H2_MAX_STREAMS) { /* the slot never used yet */
		if (d->nstreams == d->cap) {
			int cap = d->cap ? d->cap * 2 : 4;
			struct h2_stream *a = realloc(d->streams, (size_t)cap * sizeof(*a));
			if (!a)
				return NULL;
			d->streams = a;
			d->cap = cap;
		}
		free_one = &d->streams[d->nstreams++];
		memset(free_one, 0, sizeof(*free_one));
	}
	if (!free_one)
		free_one = oldest; /* more open streams than we keep: the oldest is dropped */
	if (!free_one->msg && !(free_one->msg = calloc(1, sizeof(*free_one->msg))))
		return NULL;
	free_one->used = 1;
	free_one->id = id;
	free_one->last = ++d->uses;
	return free_one;
}

static void stream_end(struct h2_stream *st, const struct dec_sink *s, int incomplete)
{
	dec_msg_end(st->msg, s, incomplete);
	st->used = 0;
}

static void broken(struct h2_dir *d, const struct dec_sink *s, unsigned dir, uint64_t t,
		   const char *why)
{
	dec_note(s, AA_FOLLOW_PROTO_H2, dir, t, 0,
		 "HTTP/2 not understood (%s): the rest of this direction is shown as sent", why);
	d->broken = 1;
}

/* A whole header block: HPACK-decoded into its stream's message. */
static void header_block(struct h2_dir *d, const struct dec_sink *s, unsigned dir)
{
	struct h2_stream *st = stream(d, d->block_stream, 1);
	if (!st)
		return dec_note(s, AA_FOLLOW_PROTO_H2, dir, d->block_time, d->block_stream, "out of memory");
	const uint8_t *in = d->block.p;
	size_t left = d->block.len;
	int trailers = st->msg->m.kind == AA_FOLLOW_HTTP && st->msg->m.stream_id == d->block_stream &&
		       st->msg->nhdr && !d->block_push;

	if (!trailers)
		dec_msg_start(st->msg, AA_FOLLOW_PROTO_H2, dir, d->block_time, d->block_stream);
	if (d->hd_broken) {
		dec_note(s, AA_FOLLOW_PROTO_H2, dir, d->block_time, d->block_stream,
			 "header block not decoded (the HPACK state is lost)");
	} else {
		for (;;) {
			nghttp2_nv nv;
			int flags = 0;
			ssize_t rv = nghttp2_hd_inflate_hd2(d->hd, &nv, &flags, in, left, 1);
			if (rv < 0) {
				d->hd_broken = 1;
				dec_note(s, AA_FOLLOW_PROTO_H2, dir, d->block_time, d->block_stream,
					 "HPACK error (%s)%s: header blocks of this direction are not decoded from here on",
					 nghttp2_strerror((int)rv),
					 d->preface_skip ? "" : ", as the connection's start was not recorded");
				break;
			}
			in += rv;
			left -= (size_t)rv;
			if (flags & NGHTTP2_HD_INFLATE_EMIT)
				dec_msg_header(st->msg, nv.name, nv.namelen, nv.value, nv.valuelen);
			if (flags & NGHTTP2_HD_INFLATE_FINAL) {
				nghttp2_hd_inflate_end_headers(d->hd);
				break;
			}
			if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0)
				break;
		}
	}
	if (!trailers) {
		size_t len;
		const uint8_t *v = dec_msg_get(st->msg, ":status", &len);
		/* neither a :status nor a :method when the block did not decode: not known */
		st->msg->m.is_request = !v && dec_msg_get(st->msg, ":method", &len);
		st->msg->m.status = 0;
		for (size_t i = 0; v && i < len && v[i] >= '0' && v[i] <= '9' && i < 3; i++)
			st->msg->m.status = st->msg->m.status * 10 + (v[i] - '0');
		if (st->msg->m.status >= 100 && st->msg->m.status < 200) {
			stream_end(st, s, 0); /* an interim response */
			return;
		}
		dec_msg_head_done(st->msg, s);
	}
	if (d->block_end_stream || d->block_push)
		stream_end(st, s, 0);
}

/* Payload bytes p[0..n) of a DATA frame (padding included); 0, or -1 when it is invalid. */
static int data_bytes(struct h2_dir *d, const struct dec_sink *s, unsigned dir, uint64_t t,
		      const uint8_t *p, size_t n)
{
	struct h2_stream *st = stream(d, d->fstream, 0);

	if (!st && n) {
		/* a stream whose HEADERS came before the recording (or were dropped) */
		if (!(st = stream(d, d->fstream, 1)))
			return 0; /* out of memory: the bytes are not kept */
		dec_msg_start(st->msg, AA_FOLLOW_PROTO_H2, dir, t, d->fstream);
		dec_note(s, AA_FOLLOW_PROTO_H2, dir, t, d->fstream,
			 "DATA of a stream whose headers were not seen: body shown as sent");
	}
	while (n) {
		int padded = (d->fflags & FL_PADDED) != 0;
		size_t k;
		if (padded && d->fgot == 0) {
			d->pad = *p;
			if (d->pad >= d->flen)
				return -1;
			p++, n--, d->fgot++;
			continue;
		}
		uint32_t data_end = d->flen - (padded ? d->pad : 0);
		if (d->fgot < data_end) {
			k = data_end - d->fgot < n ? data_end - d->fgot : n;
			dec_msg_body(st->msg, s, t, p, k);
		} else {
			k = n; /* padding */
		}
		p += k, n -= k, d->fgot += (uint32_t)k;
	}
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A whole non-DATA frame. */
static void frame(struct dec_h2 *h, struct h2_dir *d, const struct dec_sink *s, unsigned dir, uint64_t t)
{
	const uint8_t *p = d->frame.p;
	size_t n = d->frame.len;

	if (d->ftype == F_CONT) {
		if (!d->block.len && !d->block_stream)
			return broken(d, s, dir, t, "CONTINUATION without HEADERS");
		dec_buf_add(&d->block, p, n, H2_MAX_FRAME);
	} else if (d->ftype == F_HEADERS || d->ftype == F_PUSH) {
		size_t off = 0, pad = 0;
		if (d->fflags & FL_PADDED) {
			if (n < 1)
				return broken(d, s, dir, t, "short padded frame");
			pad = p[0];
			off = 1;
		}
		d->block_push = d->ftype == F_PUSH;
		d->block_stream = d->fstream;
		if (d->ftype == F_PUSH) {
			if (n < off + 4)
				return broken(d, s, dir, t, "short PUSH_PROMISE");
			d->block_stream = (int32_t)(be32(p + off) & 0x7fffffff);
			off += 4;
		} else if (d->fflags & FL_PRIORITY) {
			off += 5;
		}
		if (off + pad > n)
			return broken(d, s, dir, t, "padding longer than the frame");
		d->block.len = 0;
		d->block_time = t;
		d->block_end_stream = d->ftype == F_HEADERS && (d->fflags & FL_END_STREAM);
		dec_buf_add(&d->block, p + off, n - off - pad, H2_MAX_FRAME);
	} else if (d->ftype == F_SETTINGS && !(d->fflags & 1)) {
		/* our table size limit is what the other side's encoder may use */
		for (size_t i = 0; i + 6 <= n; i += 6)
			if (((unsigned)p[i] << 8 | p[i + 1]) == 1)
				nghttp2_hd_inflate_change_table_size(h->dir[!dir].hd, be32(p + i + 2));
		return;
	} else if (d->ftype == F_RST) {
		struct h2_stream *st = stream(d, d->fstream, 0);
		if (st)
			stream_end(st, s, 1);
		return;
	} else {
		return;
	}
	if ((d->ftype == F_CONT || d->ftype == F_HEADERS || d->ftype == F_PUSH) &&
	    (d->fflags & FL_END_HEADERS)) {
		header_block(d, s, dir);
		d->block.len = 0;
		d->block_stream = 0;
	}
}

uint64_t dec_h2_open_since(const struct dec_h2 *h)
{
	uint64_t t = UINT64_MAX;

	for (unsigned i = 0; i < 2; i++) {
		const struct h2_dir *d = &h->dir[i];
		if (d->block_stream && d->block_time < t)
			t = d->block_time; /* a header block awaiting its CONTINUATION */
		for (int k = 0; k < d->nstreams; k++) {
			const struct h2_stream *st = &d->streams[k];
			uint64_t m = st->used && st->msg ? dec_msg_open_since(st->msg) : UINT64_MAX;
			if (m < t)
				t = m;
		}
	}
	return t;
}

void dec_h2_feed(struct dec_h2 *h, const struct dec_sink *s, unsigned dir, uint64_t t,
		 const uint8_t *p, size_t n)
{
	struct h2_dir *d = &h->dir[dir & 1];

	while (n && d->preface_skip < DEC_H2_PREFACE_LEN && d->fh_len == 0 &&
	       (d->preface_skip > 0 || *p == 'P')) {
		if (*p != (uint8_t)DEC_H2_PREFACE[d->preface_skip])
			return broken(d, s, dir, t, "bad connection preface");
		d->preface_skip++;
		p++, n--;
		if (d->preface_skip == DEC_H2_PREFACE_LEN) /* both directions know the start */
			h->dir[0].preface_skip = h->dir[1].preface_skip = DEC_H2_PREFACE_LEN + 1;
	}
	while (n && !d->broken) {
		if (d->fh_len < 9) {
			size_t k = 9 - d->fh_len < n ? 9 - d->fh_len : n;
			memcpy(d->fh + d->fh_len, p, k);
			d->fh_len += k, p += k, n -= k;
			if (d->fh_len < 9)
				return;
			d->flen = (uint32_t)d->fh[0] << 16 | (uint32_t)d->fh[1] << 8 | d->fh[2];
			d->ftype = d->fh[3];
			d->fflags = d->fh[4];
			d->fstream = (int32_t)(be32(d->fh + 5) & 0x7fffffff);
			d->fgot = 0;
			d->frame.len = 0;
			if (d->ftype != F_DATA && d->flen > H2_MAX_FRAME)
				return broken(d, s, dir, t, "frame too long");
			if (d->ftype > F_CONT && d->flen > H2_MAX_FRAME)
				return broken(d, s, dir, t, "frame of unknown type too long");
			if (d->block_stream && d->ftype != F_CONT)
				return broken(d, s, dir, t, "header block not continued");
			if (d->ftype == F_DATA && d->fstream == 0)
				return broken(d, s, dir, t, "DATA on stream 0");
		}
		size_t k = d->flen - d->fgot < n ? d->flen - d->fgot : n;
		if (d->ftype == F_DATA) {
			if (data_bytes(d, s, dir, t, p, k))
				return broken(d, s, dir, t, "padding longer than the frame");
		} else {
			dec_buf_add(&d->frame, p, k, H2_MAX_FRAME);
			d->fgot += (uint32_t)k;
		}
		p += k, n -= k;
		if (d->fgot == d->flen) {
			if (d->ftype == F_DATA) {
				if ((d->fflags & FL_PADDED) && d->flen == 0)
					return broken(d, s, dir, t, "padded DATA without its pad length");
				struct h2_stream *st = stream(d, d->fstream, 0);
				if (st && (d->fflags & FL_END_STREAM))
					stream_end(st, s, 0);
			} else {
				frame(h, d, s, dir, t);
			}
			d->fh_len = 0;
		}
	}
	if (n && d->broken) {
		struct aa_follow_msg m = { .kind = AA_FOLLOW_OTHER, .proto = AA_FOLLOW_PROTO_H2,
					   .direction = dir, .time_ns = t, .body = { p, n }, .raw_len = n };
		s->emit(s->user, &m);
	}
}

void dec_h2_end(struct dec_h2 *h, const struct dec_sink *s)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < h->dir[i].nstreams; j++)
			if (h->dir[i].streams[j].used)
				stream_end(&h->dir[i].streams[j], s, 1);
}

void dec_h2_free(struct dec_h2 *h)
{
	if (!h)
		return;
	for (int i = 0; i < 2; i++) {
		struct h2_dir *d = &h->dir[i];
		if (d->hd)
			nghttp2_hd_inflate_del(d->hd);
		dec_buf_free(&d->frame);
		dec_buf_free(&d->block);
		for (int j = 0; j < d->nstreams; j++)
			if (d->streams[j].msg) {
				dec_msg_free(d->streams[j].msg);
				free(d->streams[j].msg);
			}
		free(d->streams);
	}
	free(h);
}
