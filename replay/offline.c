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
#include "offline.h"
#include "offline_ahead.h"
#include "offline_input.h"
#include "offline_int.h"
#include "origin.h"
#include "pcapng.h"

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
int offline_damage(struct offline *o, int code, int64_t offset, int64_t chunk, const char *detail)
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
	/* read ahead: the reader's error as it was at that block */
	const struct aa_read_error *e = o->item ? &o->item->err : aa_reader_error(o->rd);
	int rc = offline_damage(o, code, e->offset, e->chunk, e->detail);
	o->base.err.sys_errno = e->sys_errno;
	return rc;
}

void offline_free_sources(struct file_state *f)
{
	for (uint32_t i = 0; f->more && i + 1 < f->nsrc; i++)
		free(f->more[i].buf);
	free(f->more);
	f->more = NULL;
}

static void reset_file(struct offline *o)
{
	offline_free_sources(&o->f);
	free(o->f.meta_buf);
	memset(&o->f, 0, sizeof(o->f));
	aa_xxh64_init(&o->f.digest, 0);
	o->raw = NULL;
}

static void close_file(struct offline *o)
{
	o->done_bytes += offline_read_offset(o);
	offline_ahead_stop(o);
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
		rc = offline_damage(o, AA_E_UNCLOSED, (int64_t)offline_read_offset(o), -1,
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
	int rc = o->input ? o->input->open(o->input_user, o->cur, &o->rd, &e)
			  : aa_reader_open(&o->rd, cur_path(o), &e);

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
	offline_ahead_start(o);
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
		*rc = offline_damage(o, AA_E_SEQUENCE, c->offset, c->h.index, d);
	}
	return 1;
}

/*
 * A buffer to decode the next RECORDS chunk into: one no record is held
 * of any more (the current one, mostly), else a new one. Emptied buffers
 * past a few spare are freed.
 */
struct chunk_buf *offline_free_buf(struct offline *o)
{
	struct chunk_buf *found = NULL, **pp = &o->bufs;
	int spare = 0;

	if (o->buf && !o->buf->pin.refs && !o->buf->busy)
		return o->buf;
	while (*pp) {
		struct chunk_buf *b = *pp;
		if (b->pin.refs || b->busy || (!found && (found = b)) || ++spare <= 2) {
			pp = &b->next;
			continue;
		}
		*pp = b->next;
		free(b->data);
		free(b);
	}
	if (found)
		return found;
	struct chunk_buf *b = calloc(1, sizeof(*b));
	if (!b || !(b->data = malloc(AA_CHUNK_RAW_MAX))) {
		free(b);
		return NULL;
	}
	b->pin.size = AA_CHUNK_RAW_MAX;
	b->next = o->bufs;
	o->bufs = b;
	return b;
}

static void free_bufs(struct offline *o)
{
	while (o->bufs) {
		struct chunk_buf *b = o->bufs;
		o->bufs = b->next;
		free(b->data);
		free(b);
	}
}

/* A chunk read ahead, decoded by a worker as decode() below would have. */
static int decoded(struct offline *o, const struct aa_chunk_view *c, const uint8_t **raw)
{
	const struct ahead_item *it = o->item;

	if (it->dec_rc == AA_E_NOMEM && !it->tag)
		return aa_source_fail(&o->base, AA_E_NOMEM, cur_path(o), c->offset, c->h.index,
				      "out of memory for a chunk");
	if (it->dec_rc) {
		int rc = offline_damage(o, AA_E_ZSTD, c->offset, c->h.index, it->detail);
		o->base.err.sys_errno = 0;
		return rc;
	}
	if (c->h.kind == AA_CHUNK_RECORDS)
		o->buf = it->tag;
	*raw = it->out;
	return 0;
}

/* Decodes c: a RECORDS chunk into a buffer of its own (o->buf), others
 * into the reader's. */
static int decode(struct offline *o, const struct aa_chunk_view *c, const uint8_t **raw)
{
	struct chunk_buf *b;

	if (o->item)
		return decoded(o, c, raw);
	if (c->h.kind == AA_CHUNK_META || c->h.kind == AA_CHUNK_STATS || c->h.kind == AA_CHUNK_END)
		return aa_reader_decode(o->rd, c, raw) != 0 ? reader_damage(o, AA_E_ZSTD) : 0;
	if (!(b = offline_free_buf(o)))
		return aa_source_fail(&o->base, AA_E_NOMEM, cur_path(o), c->offset, c->h.index,
				      "out of memory for a chunk");
	if (aa_reader_decode_to(o->rd, c, b->data) != 0)
		return reader_damage(o, AA_E_ZSTD);
	o->buf = b;
	*raw = b->data;
	return 0;
}

/* A checked chunk from the reader: decoded and taken by kind. */
static int take_chunk(struct offline *o, const struct aa_chunk_view *c, int seq_reported)
{
	const uint8_t *raw = NULL;
	int rc;

	if ((rc = decode(o, c, &raw)) != 0 || !raw)
		return rc;
	o->base.stats.bytes_stored = o->done_bytes + offline_read_offset(o);
	switch (c->h.kind) {
	case AA_CHUNK_META:
		return offline_take_meta(o, c, raw);
	case AA_CHUNK_STATS:
		return offline_take_stats(o, c, raw);
	case AA_CHUNK_END:
		return offline_take_end(o, c, raw);
	default:
		break;
	}
	if (!o->f.have_meta && !o->f.damaged &&
	    (rc = offline_damage(o, AA_E_META, c->offset, c->h.index, "records before any metadata")) != 0)
		return rc;
	if (repeats_records(o, c, seq_reported, &rc))
		return rc;
	o->raw = raw;
	o->raw_len = c->h.raw_len;
	o->pos = 0;
	o->chunk = c->h;
	o->chunk_offset = c->offset;
	o->seen = 0;
	o->dig_ahead = offline_ahead_digest(o);
	o->f.chunks++;
	o->base.stats.chunks++;
	return 0;
}

static int framing(struct offline *o, const char *what)
{
	char d[128];

	snprintf(d, sizeof(d), "record %u at byte %zu of the chunk: %s", o->seen, o->pos, what);
	o->raw = NULL; /* the rest of this chunk cannot be trusted */
	return offline_damage(o, AA_E_FRAMING, o->chunk_offset, o->chunk.index, d);
}

/* rec's origin: its source's in a merged file, else the file's. */
static void set_origin(struct offline *o, struct aa_record *rec, uint32_t sid)
{
	struct aa_origin *g;

	rec->origin = !o->f.have_meta ? UINT32_MAX : sid ? o->f.more[sid - 1].origin : o->f.origin;
	/* an origin, once there, stays where it is: looked up once a run */
	if (o->origin_g && o->origin_of == rec->origin) {
		g = o->origin_g;
	} else if ((g = aa_origins_get(o->origins, rec->origin))) {
		o->origin_g = g;
		o->origin_of = rec->origin;
	}
	rec->host = g ? g->host : "";
	rec->session = g ? g->session : NULL;
	aa_origin_count_record(g, rec);
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
	size_t framed;
	const char *bad = offline_frame_body(p, left, len, &framed);
	if (bad)
		return framing(o, bad);
	if (o->seen >= o->chunk.records)
		return framing(o, "more records than the chunk header says");

	struct aa_record *rec = &o->rec;
	const uint8_t *bytes = p + AA_FRAME_HEADER;
	const struct aa_file_meta *m = sid ? &o->f.more[sid - 1].meta : &o->f.meta;
	aa_parse_copy(bytes, len, &rec->ev, &o->copy);
	rec->time_ns = rec->ev.type == AA_TYPE_UNKNOWN || !o->f.have_meta
			       ? o->chunk.written_ns
			       : aa_wall_ns(rec->ev.mono_ns, m->mono_to_wall);
	set_origin(o, rec, sid);
	rec->index = o->base_index + o->chunk.first_record + o->seen;
	rec->path = cur_path(o);
	rec->chunk = o->chunk.index;

	if (!o->dig_ahead) { /* the export stream: [u32 length][bytes] */
		aa_xxh64_update(&o->f.digest, p, 4);
		aa_xxh64_update(&o->f.digest, bytes, len);
	}
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
		o->item = NULL;
		if (o->pending) {
			o->pending = 0;
			rc = o->pending_rc;
			c = o->pending_c;
		} else {
			if (o->on_read)
				o->on_read(o->user);
			rc = o->ahead_on ? offline_ahead_next(o, &c) : aa_reader_next(o->rd, &c);
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

static struct aa_pin *offline_pin(aa_source *src)
{
	struct offline *o = (struct offline *)src;
	return o->buf && o->raw == o->buf->data ? &o->buf->pin : NULL;
}

static void offline_destroy(aa_source *src)
{
	struct offline *o = (struct offline *)src;

	offline_ahead_stop(o);
	ahead_free(o->ahead);
	aa_reader_close(o->rd);
	free_bufs(o);
	offline_free_sources(&o->f);
	if (o->own_origins)
		aa_origins_free(o->origins);
	free(o->f.meta_buf);
	for (size_t i = 0; i < o->npaths; i++)
		free(o->paths[i]);
	free(o->paths);
	if (o->input && o->input->destroy)
		o->input->destroy(o->input_user);
	free(o);
}

static const struct aa_source_ops offline_ops = {
	.next = offline_next,
	.meta = offline_meta,
	.destroy = offline_destroy,
	.origins = offline_origins,
	.pin = offline_pin,
};

static int open_files(aa_source **src, const char *const *paths, size_t npaths,
		      const struct aa_replay_opts *opts, struct aa_origins *shared,
		      const struct aa_offline_input *input, void *input_user,
		      struct aa_error_info *err);

int aa_open_offline_input(aa_source **src, const char *const *paths, size_t npaths,
			  const struct aa_offline_input *input, void *input_user,
			  const struct aa_replay_opts *opts, struct aa_error_info *err)
{
	return open_files(src, paths, npaths, opts, NULL, input, input_user, err);
}

int aa_open_files(aa_source **src, const char *const *paths, size_t npaths,
		  const struct aa_replay_opts *opts, struct aa_origins *shared,
		  struct aa_error_info *err)
{
	return open_files(src, paths, npaths, opts, shared, NULL, NULL, err);
}

static int open_files(aa_source **src, const char *const *paths, size_t npaths,
		      const struct aa_replay_opts *opts, struct aa_origins *shared,
		      const struct aa_offline_input *input, void *input_user,
		      struct aa_error_info *err)
{
	struct offline *o = calloc(1, sizeof(*o));
	int rc = AA_E_NOMEM;

	*src = NULL;
	if (!o && input && input->destroy)
		input->destroy(input_user);
	if (!o)
		goto out;
	o->input = input;
	o->input_user = input_user;
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
		o->threads = opts->threads;
	}
	rc = npaths ? 0 : AA_E_INVAL;
	if (rc)
		aa_source_fail(&o->base, rc, NULL, -1, -1, "no file to read");
	else if (o->follow && (npaths != 1 || !strcmp(paths[0], "-")))
		/* a stream waits for its writer by itself */
		rc = aa_source_fail(&o->base, AA_E_INVAL, NULL, -1, -1,
				    "only one file, not a stream, can be followed");
	/* Open the first file now, so that its META is there before any read. */
	while (!rc && !o->rd && o->cur < o->npaths) {
		rc = open_next_file(o);
		if (!rc) {
			struct aa_chunk_view c;
			int r = aa_reader_next(o->rd, &c);
			const uint8_t *raw;
			if (r == AA_READ_CHUNK && c.h.kind == AA_CHUNK_META &&
			    aa_reader_decode(o->rd, &c, &raw) == 0) {
				rc = offline_take_meta(o, &c, raw);
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
