/* SPDX-License-Identifier: MIT */
/*
 * The file source's META, STATS and END chunks (offline_int.h): what a
 * file is (and, merged, each of its sources), its drop counters, and its
 * totals and digest checked against what was read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile.h"
#include "meta_codec.h"
#include "offline_int.h"
#include "origin.h"

/* A merged file's META of source iface > 0 (format 3: chunk iface). */
static int take_source_meta(struct offline *o, const struct aa_chunk_view *c, uint8_t *buf,
			    const struct aa_file_meta *meta)
{
	struct file_src *s;

	if (!o->f.have_meta || !o->f.merged || c->iface >= o->f.nsrc) {
		free(buf);
		return offline_damage(o, AA_E_META, c->offset, c->h.index,
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

	offline_free_sources(&o->f);
	o->f.merged = 1;
	o->f.nsrc = n ? n : 1;
	if (o->f.nsrc > 1 && !(o->f.more = calloc(o->f.nsrc - 1, sizeof(*o->f.more))))
		return aa_source_fail(&o->base, AA_E_NOMEM, cur_path(o), c->offset, c->h.index,
				      "metadata");
	return 0;
}

int offline_take_meta(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw)
{
	struct aa_file_meta meta;
	uint8_t *buf;
	char d[128];
	int rc;

	/* The META in use stays as it is until a good one replaces it: its strings point into it. */
	if (c->h.index != c->iface) {
		snprintf(d, sizeof(d), "a metadata chunk that is not chunk %u", c->iface);
		return offline_damage(o, AA_E_META, c->offset, c->h.index, d);
	}
	if (!(buf = malloc(c->h.raw_len ? c->h.raw_len : 1)))
		return aa_source_fail(&o->base, AA_E_NOMEM, cur_path(o), c->offset, c->h.index,
				      "metadata");
	memcpy(buf, raw, c->h.raw_len);
	if (aa_meta_decode(buf, c->h.raw_len, &meta) != 0) {
		free(buf);
		return offline_damage(o, AA_E_META, c->offset, c->h.index, "metadata chunk does not decode");
	}
	if (aa_meta_format_version(&meta) > AA_FORMAT_VERSION_MAX) {
		free(buf);
		snprintf(d, sizeof(d), "format version %u: newer than this reader, which reads up to %u",
			 aa_meta_format_version(&meta), AA_FORMAT_VERSION_MAX);
		o->f.refused = 1;
		return offline_damage(o, AA_E_META, c->offset, c->h.index, d);
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
		return offline_damage(o, AA_E_SET, c->offset, c->h.index, d);
	}
	return 0;
}

int offline_take_stats(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw)
{
	struct aa_stats_body b = {0};
	uint32_t len = c->h.raw_len;

	if (len < AA_STATS_HEAD + 8 * AA_STATS_MIN_SLOTS || (len - AA_STATS_HEAD) % 8 != 0 ||
	    len > AA_STATS_HEAD + 8 * AA_STATS_MAX_SLOTS)
		return offline_damage(o, AA_E_CHUNK, c->offset, c->h.index, "stats chunk of the wrong size");
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

int offline_take_end(struct offline *o, const struct aa_chunk_view *c, const uint8_t *raw)
{
	struct aa_end_body b;
	struct file_state *f = &o->f;
	char d[160];

	if (c->h.raw_len != sizeof(b))
		return offline_damage(o, AA_E_CHUNK, c->offset, c->h.index, "END chunk of the wrong size");
	memcpy(&b, raw, sizeof(b));
	f->ended = 1;
	if (b.reserved != 0)
		return offline_damage(o, AA_E_CHUNK, c->offset, c->h.index, "END chunk's reserved field not zero");
	if (f->damaged)
		return 0; /* already reported: the totals cannot match */
	uint64_t digest = aa_xxh64_digest(&f->digest);
	if (b.blocks_crc != aa_reader_blocks_crc(o->rd)) {
		snprintf(d, sizeof(d), "the section, interface or statistics blocks were altered");
		return offline_damage(o, AA_E_DIGEST, c->offset, c->h.index, d);
	}
	if (b.records != f->records || b.chunks != f->chunks || b.bytes_raw != f->bytes_raw ||
	    b.digest != digest) {
		snprintf(d, sizeof(d),
			 "END says %llu records in %llu chunks, digest %016llx; read %llu in %llu, digest %016llx",
			 (unsigned long long)b.records, (unsigned long long)b.chunks,
			 (unsigned long long)b.digest, (unsigned long long)f->records,
			 (unsigned long long)f->chunks, (unsigned long long)digest);
		return offline_damage(o, AA_E_DIGEST, c->offset, c->h.index, d);
	}
	if (b.first_ts != f->first_ts || b.last_ts != f->last_ts || b.dropped != f->dropped) {
		snprintf(d, sizeof(d),
			 "END says time stamps %llu..%llu, %llu dropped; read %llu..%llu, %llu dropped",
			 (unsigned long long)b.first_ts, (unsigned long long)b.last_ts,
			 (unsigned long long)b.dropped, (unsigned long long)f->first_ts,
			 (unsigned long long)f->last_ts, (unsigned long long)f->dropped);
		return offline_damage(o, AA_E_DIGEST, c->offset, c->h.index, d);
	}
	return 0;
}
