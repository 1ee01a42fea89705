/* SPDX-License-Identifier: MIT */
/*
 * The file source: capture files read one after the other, every record
 * handed out in order, every chunk checked, and each file's END totals and
 * stream digest recomputed and compared.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile.h"
#include "clock.h"
#include "meta_codec.h"
#include "offline.h"
#include "origin.h"
#include "pcapng.h"
#include "reader.h"
#include "source.h"
#include "xxh64.h"

/* A merged file's source other than the first: its META and origin. */
struct file_src {
	struct aa_file_meta meta;
	uint8_t *buf;
	uint32_t origin;
	int have;
};

/* What one file (or one section of a concatenated file) has shown so far. */
struct file_state {
	struct aa_file_meta meta; /* source 0's: the file's */
	uint8_t *meta_buf;
	int have_meta;
	uint32_t origin;  /* of source 0 */
	int merged;       /* format 3: frames name their source, of nsrc */
	uint32_t nsrc;
	struct file_src *more; /* sources 1 .. nsrc-1 */
	int refused;      /* a format this reader does not know: read no further */
	int ended;   /* its END chunk was read */
	int damaged; /* something was skipped: totals cannot match */
	uint64_t records, chunks, bytes_raw;
	uint64_t last_first;        /* first_record of the last RECORDS chunk taken with records */
	int have_first;
	uint64_t first_ts, last_ts; /* of the records' own time stamps, 0 if none, as END has them */
	uint64_t dropped;           /* the last STATS chunk's, 0 before one */
	struct aa_xxh64 digest;
};

struct offline {
	aa_source base;
	char **paths;
	size_t npaths, cur;
	int skip_damaged;
	void (*on_damage)(void *user, const struct aa_error_info *err);
	void (*on_read)(void *user);
	void *user;
	int follow;
	int (*stop)(void *user);
	struct aa_origins *origins;
	int own_origins;

	struct aa_reader *rd;
	/* what the reader gave at open when it was not a good META: taken by
	 * the first aa_next, as a stream cannot be read again */
	int pending;
	int pending_rc;
	struct aa_chunk_view pending_c;
	struct file_state f;
	uint64_t done_bytes;  /* file bytes of the files already read */
	uint64_t base_index;  /* stream index of the current file's first record */

	/* the chunk being handed out */
	const uint8_t *raw;
	size_t raw_len, pos;
	struct aa_chunk_hdr chunk;
	int64_t chunk_offset; /* of its block in the file */
	uint32_t seen;

	/* a rotated set: same session, file_seq counting up */
	uint8_t prev_session[16];
	int have_prev;
	uint32_t prev_seq;
	/* drop counters are cumulative per capture session */
	uint64_t dropped_done, drops_done[AA_DROP_SLOTS], dropped_cur, drops_cur[AA_DROP_SLOTS];

	struct aa_record rec;
};

static const char *cur_path(const struct offline *o)
{
	return o->paths[o->cur];
}

/* The origins of the file being read are no longer intact. */
static void mark_damaged(struct offline *o)
{
	struct aa_origin *g;

	if (o->f.have_meta && (g = aa_origins_get(o->origins, o->f.origin)))
		g->intact = 0;
	for (uint32_t i = 0; o->f.more && i + 1 < o->f.nsrc; i++)
		if (o->f.more[i].have && (g = aa_origins_get(o->origins, o->f.more[i].origin)))
			g->intact = 0;
}

/*
 * Something is wrong in the data: recorded in the error and the stats; then
 * either reading goes on past it (skip_damaged: 0 returned) or the code is.
 */
static int damage(struct offline *o, int code, int64_t offset, int64_t chunk, const char *detail)
{
	aa_source_fail(&o->base, code, cur_path(o), offset, chunk, "%s", detail);
	o->base.stats.intact = 0;
	o->base.stats.damaged++;
	o->f.damaged = 1;
	mark_damaged(o);
	if (!o->skip_damaged)
		return code;
	if (o->on_damage)
		o->on_damage(o->user, &o->base.err);
	return 0;
}

static int reader_damage(struct offline *o, int code)
{
	const struct aa_read_error *e = aa_reader_error(o->rd);
	int rc = damage(o, code, e->offset, e->chunk, e->detail);
	o->base.err.sys_errno = e->sys_errno;
	return rc;
}

static void free_sources(struct file_state *f)
{
	for (uint32_t i = 0; f->more && i + 1 < f->nsrc; i++)
		free(f->more[i].buf);
	free(f->more);
	f->more = NULL;
}

static void reset_file(struct offline *o)
{
	free_sources(&o->f);
	free(o->f.meta_buf);
	memset(&o->f, 0, sizeof(o->f));
	aa_xxh64_init(&o->f.digest, 0);
	o->raw = NULL;
}

static void close_file(struct offline *o)
{
	o->done_bytes += aa_reader_offset(o->rd);
	o->base.stats.bytes_stored = o->done_bytes;
	o->base_index += o->f.records;
	aa_reader_close(o->rd);
	o->rd = NULL;
	o->cur++;
}

/* The end of a file or section: it must have had its END chunk. */
static int end_of_section(struct offline *o)
{
	int rc = 0;

	if (!o->f.ended)
		rc = damage(o, AA_E_UNCLOSED, (int64_t)aa_reader_offset(o->rd), -1,
			    "the last whole block ends here, with no END chunk after it");
	else
		o->base.stats.files_closed++;
	o->base_index += o->f.records;
	o->f.records = 0; /* counted into base_index once */
	return rc;
}

static int open_next_file(struct offline *o)
{
	struct aa_read_error e;
	int rc = aa_reader_open(&o->rd, cur_path(o), &e);

	if (!rc && o->follow && (rc = aa_reader_follow(o->rd, cur_path(o), o->stop, o->user)) != 0) {
		e = *aa_reader_error(o->rd);
		aa_reader_close(o->rd);
		o->rd = NULL;
	}
	if (rc) {
		aa_source_fail(&o->base, rc, cur_path(o), -1, -1, "%s", e.detail);
		o->base.err.sys_errno = e.sys_errno;
		o->base.stats.intact = 0;
		return rc; /* an unreadable file is not damage to skip: the caller must know */
	}
	o->base.stats.files++;
	reset_file(o);
	return 0;
}

/* A merged file's META of source iface > 0 (format 3: chunk iface). */
static int take_source_meta(struct offline *o, const struct aa_chunk_view *c, uint8_t *buf,
			    const struct aa_file_meta *meta)
{
	struct file_src *s;

	if (!o->f.have_meta || !o->f.merged || c->iface >= o->f.nsrc) {
		free(buf);
		return damage(o, AA_E_META, c->offset, c->h.index,
			      "a metadata chunk for a second source in a file of one source");
	}
	s = &o->f.more[c->iface - 1];
	if (aa_origins_find(o->origins, meta, buf, c->h.raw_len, &s->origin) != 0) {
		free(buf);
		return aa_source_fail(&o->base, AA_E_NOMEM, cur_path(o), c->offset, c->h.index,
				      "metadata");
	}
	free(s->buf);
	s->buf = buf;
	s->meta = *meta;
	s->have = 1;
	aa_origins_get(o->origins, s->origin)->files++;
	return 0;
}

/* A merged file (format 3): room for the META of each of its sources. */
static int take_sources(struct offline *o, const struct aa_chunk_view *c)
{
	uint32_t n = aa_reader_interfaces(o->rd);

	free_sources(&o->f);
	o->f.merged = 1;
	o->f.nsrc = n ? n : 1;
	if (o->f.nsrc > 1 && !(o->f.more = calloc(o->f.nsrc - 1, sizeof(*o->f.more))))
		return aa_source_fail(&o->base, AA_E_NOMEM, cur_path(o), c->offset, c->h.index,
				      "metadata");
	return 0;
}

static int take_meta(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw)
{
	struct aa_file_meta meta;
	uint8_t *buf;
	char d[128];
	int rc;

	/* The META in use stays as it is until a good one replaces it: its strings point into it. */
	if (c->h.index != c->iface) {
		snprintf(d, sizeof(d), "a metadata chunk that is not chunk %u", c->iface);
		return damage(o, AA_E_META, c->offset, c->h.index, d);
	}
	if (!(buf = malloc(c->h.raw_len ? c->h.raw_len : 1)))
		return aa_source_fail(&o->base, AA_E_NOMEM, cur_path(o), c->offset, c->h.index,
				      "metadata");
	memcpy(buf, raw, c->h.raw_len);
	if (aa_meta_decode(buf, c->h.raw_len, &meta) != 0) {
		free(buf);
		return damage(o, AA_E_META, c->offset, c->h.index, "metadata chunk does not decode");
	}
	if (aa_meta_format_version(&meta) > AA_FORMAT_VERSION_MAX) {
		free(buf);
		snprintf(d, sizeof(d), "format version %u: newer than this reader, which reads up to %u",
			 aa_meta_format_version(&meta), AA_FORMAT_VERSION_MAX);
		o->f.refused = 1;
		return damage(o, AA_E_META, c->offset, c->h.index, d);
	}
	if (c->iface)
		return take_source_meta(o, c, buf, &meta);
	uint32_t origin;
	if (aa_origins_find(o->origins, &meta, buf, c->h.raw_len, &origin) != 0) {
		free(buf);
		return aa_source_fail(&o->base, AA_E_NOMEM, cur_path(o), c->offset, c->h.index,
				      "metadata");
	}
	free(o->f.meta_buf);
	o->f.meta_buf = buf;
	o->f.meta = meta;
	o->f.have_meta = 1;
	o->f.origin = origin;
	aa_origins_get(o->origins, origin)->files++;
	if (aa_meta_format_version(&meta) >= AA_FORMAT_VERSION_MERGED &&
	    (rc = take_sources(o, c)) != 0)
		return rc;

	/* Drop counters restart with each capture session. */
	const struct aa_file_meta *m = &o->f.meta;
	int same = o->have_prev && memcmp(o->prev_session, m->session, 16) == 0;
	if (!same) {
		o->dropped_done += o->dropped_cur;
		for (int i = 0; i < AA_DROP_SLOTS; i++)
			o->drops_done[i] += o->drops_cur[i];
		o->dropped_cur = 0;
		memset(o->drops_cur, 0, sizeof(o->drops_cur));
	}
	/* a merged file is a set of its own */
	int out_of_order = same && !o->f.merged && m->file_seq != o->prev_seq + 1;
	uint32_t prev = o->prev_seq;
	memcpy(o->prev_session, m->session, 16);
	o->prev_seq = m->file_seq;
	o->have_prev = 1;
	if (out_of_order) {
		snprintf(d, sizeof(d), "file %u of its set follows file %u: one is missing or out of order",
			 m->file_seq, prev);
		return damage(o, AA_E_SET, c->offset, c->h.index, d);
	}
	return 0;
}

static int take_stats(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw)
{
	struct aa_stats_body b = {0};
	uint32_t len = c->h.raw_len;

	if (len < AA_STATS_HEAD + 8 * AA_STATS_MIN_SLOTS || (len - AA_STATS_HEAD) % 8 != 0 ||
	    len > AA_STATS_HEAD + 8 * AA_STATS_MAX_SLOTS)
		return damage(o, AA_E_CHUNK, c->offset, c->h.index, "stats chunk of the wrong size");
	/* a newer writer's extra slots are types this reader does not know */
	memcpy(&b, raw, len < sizeof(b) ? len : sizeof(b));
	o->dropped_cur = b.dropped;
	o->f.dropped = b.dropped;
	memcpy(o->drops_cur, b.drops, sizeof(o->drops_cur));
	o->base.stats.dropped = o->dropped_done + o->dropped_cur;
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		o->base.stats.drops[i] = o->drops_done[i] + o->drops_cur[i];
	return 0;
}

static int take_end(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw)
{
	struct aa_end_body b;
	struct file_state *f = &o->f;
	char d[160];

	if (c->h.raw_len != sizeof(b))
		return damage(o, AA_E_CHUNK, c->offset, c->h.index, "END chunk of the wrong size");
	memcpy(&b, raw, sizeof(b));
	f->ended = 1;
	if (b.reserved != 0)
		return damage(o, AA_E_CHUNK, c->offset, c->h.index, "END chunk's reserved field not zero");
	if (f->damaged)
		return 0; /* already reported: the totals cannot match */
	uint64_t digest = aa_xxh64_digest(&f->digest);
	if (b.blocks_crc != aa_reader_blocks_crc(o->rd)) {
		snprintf(d, sizeof(d), "the section, interface or statistics blocks were altered");
		return damage(o, AA_E_DIGEST, c->offset, c->h.index, d);
	}
	if (b.records != f->records || b.chunks != f->chunks || b.bytes_raw != f->bytes_raw ||
	    b.digest != digest) {
		snprintf(d, sizeof(d),
			 "END says %llu records in %llu chunks, digest %016llx; read %llu in %llu, digest %016llx",
			 (unsigned long long)b.records, (unsigned long long)b.chunks,
			 (unsigned long long)b.digest, (unsigned long long)f->records,
			 (unsigned long long)f->chunks, (unsigned long long)digest);
		return damage(o, AA_E_DIGEST, c->offset, c->h.index, d);
	}
	if (b.first_ts != f->first_ts || b.last_ts != f->last_ts || b.dropped != f->dropped) {
		snprintf(d, sizeof(d),
			 "END says time stamps %llu..%llu, %llu dropped; read %llu..%llu, %llu dropped",
			 (unsigned long long)b.first_ts, (unsigned long long)b.last_ts,
			 (unsigned long long)b.dropped, (unsigned long long)f->first_ts,
			 (unsigned long long)f->last_ts, (unsigned long long)f->dropped);
		return damage(o, AA_E_DIGEST, c->offset, c->h.index, d);
	}
	return 0;
}

/*
 * A RECORDS chunk whose first record is not past the first record of the
 * last one taken holds records already handed out (a copied block): none
 * are handed out again. Reported unless its number was (seq_reported).
 * Only the start counts: a damaged chunk's record count may lie.
 */
static int repeats_records(struct offline *o, const struct aa_chunk_view *c, int seq_reported,
			   int *rc)
{
	char d[96];

	*rc = 0;
	if (c->h.records == 0)
		return 0; /* nothing to hand out twice */
	if (!o->f.have_first || c->h.first_record > o->f.last_first) {
		o->f.last_first = c->h.first_record;
		o->f.have_first = 1;
		return 0;
	}
	if (!seq_reported) {
		snprintf(d, sizeof(d), "chunk %u repeats records from %llu on, already read",
			 c->h.index, (unsigned long long)c->h.first_record);
		*rc = damage(o, AA_E_SEQUENCE, c->offset, c->h.index, d);
	}
	return 1;
}

/* A checked chunk from the reader: decoded and taken by kind. */
static int take_chunk(struct offline *o, const struct aa_chunk_view *c, int seq_reported)
{
	const uint8_t *raw;
	int rc;

	if (aa_reader_decode(o->rd, c, &raw) != 0)
		return reader_damage(o, AA_E_ZSTD);
	o->base.stats.bytes_stored = o->done_bytes + aa_reader_offset(o->rd);
	switch (c->h.kind) {
	case AA_CHUNK_META:
		return take_meta(o, c, raw);
	case AA_CHUNK_STATS:
		return take_stats(o, c, raw);
	case AA_CHUNK_END:
		return take_end(o, c, raw);
	default:
		break;
	}
	if (!o->f.have_meta && !o->f.damaged &&
	    (rc = damage(o, AA_E_META, c->offset, c->h.index, "records before any metadata")) != 0)
		return rc;
	if (repeats_records(o, c, seq_reported, &rc))
		return rc;
	o->raw = raw;
	o->raw_len = c->h.raw_len;
	o->pos = 0;
	o->chunk = c->h;
	o->chunk_offset = c->offset;
	o->seen = 0;
	o->f.chunks++;
	o->base.stats.chunks++;
	return 0;
}

static int framing(struct offline *o, const char *what)
{
	char d[128];

	snprintf(d, sizeof(d), "record %u at byte %zu of the chunk: %s", o->seen, o->pos, what);
	o->raw = NULL; /* the rest of this chunk cannot be trusted */
	return damage(o, AA_E_FRAMING, o->chunk_offset, o->chunk.index, d);
}

/* rec's origin: its source's in a merged file, else the file's. */
static void set_origin(struct offline *o, struct aa_record *rec, uint32_t sid)
{
	const struct aa_origin *g;

	rec->origin = !o->f.have_meta ? UINT32_MAX : sid ? o->f.more[sid - 1].origin : o->f.origin;
	g = aa_origins_get(o->origins, rec->origin);
	rec->host = g ? g->host : "";
	rec->session = g ? g->session : NULL;
	aa_origins_count_record(o->origins, rec);
}

/* The next framed record of the current chunk: 1, or a framing error. */
static int next_frame(struct offline *o, struct aa_record **out)
{
	const uint8_t *p = o->raw + o->pos;
	size_t left = o->raw_len - o->pos;

	if (left < AA_FRAME_HEADER)
		return framing(o, "frame header cut short");
	uint32_t len = aa_get32(p), sid = aa_get32(p + 4);
	if (sid != 0 && !o->f.merged)
		return framing(o, "non-zero reserved field");
	if (sid != 0 && (sid >= o->f.nsrc || !o->f.more[sid - 1].have))
		return framing(o, "a record of a source the file does not describe");
	/* len first: rounded up, a length near 4 GiB wraps a 32-bit size_t. */
	if (len > left - AA_FRAME_HEADER)
		return framing(o, "length past the end of the chunk");
	size_t framed = AA_FRAME_HEADER + (((size_t)len + 7) & ~(size_t)7);
	if (framed > left)
		return framing(o, "length past the end of the chunk");
	for (size_t i = AA_FRAME_HEADER + len; i < framed; i++)
		if (p[i])
			return framing(o, "non-zero padding");
	if (o->seen >= o->chunk.records)
		return framing(o, "more records than the chunk header says");

	struct aa_record *rec = &o->rec;
	const uint8_t *bytes = p + AA_FRAME_HEADER;
	const struct aa_file_meta *m = sid ? &o->f.more[sid - 1].meta : &o->f.meta;
	aa_parse(bytes, len, &rec->ev);
	rec->time_ns = rec->ev.type == AA_TYPE_UNKNOWN || !o->f.have_meta
			       ? o->chunk.written_ns
			       : aa_wall_ns(rec->ev.mono_ns, m->mono_to_wall);
	set_origin(o, rec, sid);
	rec->index = o->base_index + o->chunk.first_record + o->seen;
	rec->path = cur_path(o);
	rec->chunk = o->chunk.index;

	aa_xxh64_update(&o->f.digest, p, 4); /* the export stream: [u32 length][bytes] */
	aa_xxh64_update(&o->f.digest, bytes, len);
	/* as the writer keeps END's: a record with no time stamp of its own (0) is left out */
	if (rec->ev.mono_ns) {
		if (!o->f.first_ts || rec->ev.mono_ns < o->f.first_ts)
			o->f.first_ts = rec->ev.mono_ns;
		if (rec->ev.mono_ns > o->f.last_ts)
			o->f.last_ts = rec->ev.mono_ns;
	}
	o->f.records++;
	o->f.bytes_raw += len;
	o->seen++;
	o->pos += framed;
	*out = rec;
	return 1;
}

static int offline_next(aa_source *src, struct aa_record **out)
{
	struct offline *o = (struct offline *)src;
	struct aa_chunk_view c;
	int rc;

	for (;;) {
		int seq_reported = 0;

		if (o->raw && o->pos < o->raw_len) {
			rc = next_frame(o, out);
			if (rc)
				return rc;
			continue;
		}
		if (o->raw) {
			o->raw = NULL;
			if (o->seen != o->chunk.records && (rc = framing(o, "fewer records than the chunk header says")))
				return rc;
		}
		if (!o->rd) {
			if (o->cur >= o->npaths)
				return 0;
			if ((rc = open_next_file(o)) != 0) {
				o->cur++; /* a later call goes on with the next file */
				return rc;
			}
		}
		if (o->pending) {
			o->pending = 0;
			rc = o->pending_rc;
			c = o->pending_c;
		} else {
			if (o->on_read)
				o->on_read(o->user);
			rc = aa_reader_next(o->rd, &c);
		}
		if (rc == AA_READ_END && aa_reader_stopped(o->rd)) {
			/* the follower was told to stop: a clean end, not a cut file */
			close_file(o);
			o->cur = o->npaths;
			return 0;
		}
		if (rc == AA_READ_END || rc == AA_READ_SECTION) {
			int end_rc = end_of_section(o);
			if (rc == AA_READ_END)
				close_file(o); /* its META stays readable until the next file */
			else
				reset_file(o);
			if (end_rc)
				return end_rc;
			continue;
		}
		if (rc == AA_E_SEQUENCE) {
			if ((rc = reader_damage(o, rc)) != 0)
				return rc;
			if (!c.stored)
				continue; /* a block after END: nothing to take */
			seq_reported = 1;
		} else if (rc < 0) {
			int fatal = rc == AA_E_NOT_PCAPNG || rc == AA_E_ENDIAN || rc == AA_E_IO ||
				    rc == AA_E_NOMEM || rc == AA_E_FOREIGN ||
				    aa_reader_follow_failed(o->rd);
			rc = reader_damage(o, rc);
			/* Reported once: the rest of this file is not read, or read past the damage. */
			if (fatal || (aa_reader_lost(o->rd) && !aa_reader_resync(o->rd)))
				close_file(o);
			if (rc)
				return rc;
			continue;
		}
		rc = take_chunk(o, &c, seq_reported);
		if (o->f.refused) {
			o->f.refused = 0;
			close_file(o); /* reported: nothing of it can be read right */
		}
		if (rc)
			return rc;
	}
}

static const struct aa_file_meta *offline_meta(const aa_source *src)
{
	const struct offline *o = (const struct offline *)src;
	return o->f.have_meta ? &o->f.meta : NULL;
}

static struct aa_origins *offline_origins(const aa_source *src)
{
	return ((const struct offline *)src)->origins;
}

static void offline_destroy(aa_source *src)
{
	struct offline *o = (struct offline *)src;

	aa_reader_close(o->rd);
	free_sources(&o->f);
	if (o->own_origins)
		aa_origins_free(o->origins);
	free(o->f.meta_buf);
	for (size_t i = 0; i < o->npaths; i++)
		free(o->paths[i]);
	free(o->paths);
	free(o);
}

static const struct aa_source_ops offline_ops = {
	.next = offline_next,
	.meta = offline_meta,
	.destroy = offline_destroy,
	.origins = offline_origins,
};

int aa_open_files(aa_source **src, const char *const *paths, size_t npaths,
		  const struct aa_replay_opts *opts, struct aa_origins *shared,
		  struct aa_error_info *err)
{
	struct offline *o = calloc(1, sizeof(*o));
	int rc = AA_E_NOMEM;

	*src = NULL;
	if (!o)
		goto out;
	if ((rc = aa_source_init(&o->base, &offline_ops, opts ? &opts->filter : NULL)) != 0)
		goto out;
	rc = AA_E_NOMEM;
	o->origins = shared;
	if (!shared && !(o->own_origins = 1, o->origins = aa_origins_new()))
		goto out;
	o->paths = calloc(npaths ? npaths : 1, sizeof(char *));
	if (!o->paths)
		goto out;
	o->npaths = npaths;
	for (size_t i = 0; i < npaths; i++)
		if (!(o->paths[i] = strdup(paths[i])))
			goto out;
	if (opts) {
		o->skip_damaged = opts->skip_damaged;
		o->on_damage = opts->on_damage;
		o->on_read = opts->on_read;
		o->user = opts->user;
		o->base.ordered = opts->ordered;
		o->base.fold = opts->fold;
		o->base.max_processes = opts->max_processes;
		o->follow = opts->follow;
		o->stop = opts->stop;
	}
	rc = npaths ? 0 : AA_E_INVAL;
	if (rc)
		aa_source_fail(&o->base, rc, NULL, -1, -1, "no file to read");
	else if (o->follow && npaths != 1)
		rc = aa_source_fail(&o->base, AA_E_INVAL, NULL, -1, -1, "only one file can be followed");
	/* Open the first file now, so that its META is there before any read. */
	while (!rc && !o->rd && o->cur < o->npaths) {
		rc = open_next_file(o);
		if (!rc) {
			struct aa_chunk_view c;
			int r = aa_reader_next(o->rd, &c);
			const uint8_t *raw;
			if (r == AA_READ_CHUNK && c.h.kind == AA_CHUNK_META &&
			    aa_reader_decode(o->rd, &c, &raw) == 0) {
				rc = take_meta(o, &c, raw);
			} else if (r == AA_E_NOT_PCAPNG || r == AA_E_ENDIAN || r == AA_E_IO ||
				   r == AA_E_FOREIGN) {
				const struct aa_read_error *e = aa_reader_error(o->rd);
				rc = aa_source_fail(&o->base, r, paths[0], e->offset, -1, "%s", e->detail);
			} else {
				/* anything else is taken, and reported, by aa_next */
				o->pending = 1;
				o->pending_rc = r;
				o->pending_c = c;
			}
		}
	}
out:
	if (rc && (!o || o->base.err.code != rc)) {
		/* an allocation failed before any source error was set */
		aa_error_set(err, rc, ENOMEM, NULL, "out of memory opening %zu files", npaths);
	} else if (err && o) {
		*err = o->base.err;
		if (err->path) /* ours is freed below: point at the caller's name */
			err->path = paths[o->cur < npaths ? o->cur : 0];
	}
	if (rc) {
		if (o)
			aa_close(&o->base);
		return rc;
	}
	*src = &o->base;
	return 0;
}
