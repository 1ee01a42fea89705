/* SPDX-License-Identifier: MIT */
/*
 * Files of several hosts or sessions as one stream (aa_open_offline): the
 * files are grouped by the (host, session) of their META, each group read
 * as a rotated set by its own file source, and the groups merged by wall
 * time, k-way: the record of the earliest time among the groups' next
 * ones goes out first. Memory is one chunk per group, and with time order
 * each group's window.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capfile.h"
#include "meta_codec.h"
#include "offline.h"
#include "order.h"
#include "origin.h"
#include "reader.h"
#include "source.h"

struct group {
	aa_source *src;
	struct aa_order *order; /* time order within the group (ordered) */
	int end;                /* its source has ended: the order flushes */
	struct aa_record *head; /* its next record, NULL when one must be read */
	int done;
};

struct merged {
	aa_source base;
	struct aa_origins *origins;
	struct group *g;
	uint32_t ng;
	int ordered;
	uint64_t index;   /* records handed out: the next one's place in the stream */
	uint64_t last_ns; /* time of the record handed out last */
};

/* Reads group g's next record into g->head: 1, 0 (the group ended) or AA_E_*. */
static int fill(struct merged *m, struct group *g)
{
	struct aa_record *r;
	int rc;

	if (!m->ordered) {
		rc = g->src->ops->next(g->src, &r);
		if (rc == 1)
			g->head = r;
		return rc;
	}
	for (;;) {
		if ((g->head = aa_order_pop(g->order, g->end)) != NULL)
			return 1;
		if (g->end)
			return 0;
		rc = g->src->ops->next(g->src, &r);
		if (rc == 0)
			g->end = 1;
		else if (rc < 0)
			return rc; /* a later call goes on, as the group's source does */
		else if (aa_order_push(g->order, r, g->src->ops->pin ? g->src->ops->pin(g->src) : NULL) != 0)
			return AA_E_NOMEM;
	}
}

/* The base's counters that the groups' sources keep: their sums. */
static void sum_stats(struct merged *m)
{
	struct aa_source_stats *s = &m->base.stats;

	s->dropped = s->chunks = s->damaged = s->bytes_stored = 0;
	s->files = s->files_closed = 0;
	memset(s->drops, 0, sizeof(s->drops));
	s->intact = 1;
	for (uint32_t i = 0; i < m->ng; i++) {
		const struct aa_source_stats *t = &m->g[i].src->stats;
		s->dropped += t->dropped;
		for (int k = 0; k < AA_DROP_SLOTS; k++)
			s->drops[k] += t->drops[k];
		s->chunks += t->chunks;
		s->damaged += t->damaged;
		s->bytes_stored += t->bytes_stored;
		s->files += t->files;
		s->files_closed += t->files_closed;
		s->intact &= t->intact;
	}
}

static int merged_next(aa_source *src, struct aa_record **out)
{
	struct merged *m = (struct merged *)src;
	struct group *best = NULL;

	for (uint32_t i = 0; i < m->ng; i++) {
		struct group *g = &m->g[i];
		if (!g->done && !g->head) {
			int rc = fill(m, g);
			sum_stats(m);
			if (rc < 0) {
				if (rc == AA_E_NOMEM)
					return aa_source_fail(src, rc, NULL, -1, -1,
							      "out of memory for time order");
				src->err = g->src->err;
				return rc;
			}
			g->done = rc == 0;
		}
		/* ties go to the group given first */
		if (g->head && (!best || g->head->time_ns < best->head->time_ns))
			best = g;
	}
	sum_stats(m);
	if (!best)
		return 0;
	*out = best->head;
	best->head = NULL; /* valid until this group is read again: the next call */
	(*out)->index = m->index++;
	if (m->ordered) {
		src->stats.late += (*out)->time_ns < m->last_ns;
		if ((*out)->time_ns > m->last_ns)
			m->last_ns = (*out)->time_ns;
	}
	return 1;
}

static const struct aa_file_meta *merged_meta(const aa_source *src)
{
	const struct merged *m = (const struct merged *)src;
	return m->g[0].src->ops->meta(m->g[0].src);
}

static struct aa_origins *merged_origins(const aa_source *src)
{
	return ((const struct merged *)src)->origins;
}

static void merged_destroy(aa_source *src)
{
	struct merged *m = (struct merged *)src;

	for (uint32_t i = 0; m->g && i < m->ng; i++) {
		aa_order_free(m->g[i].order);
		aa_close(m->g[i].src);
	}
	free(m->g);
	aa_origins_free(m->origins);
	free(m);
}

static const struct aa_source_ops merged_ops = {
	.next = merged_next,
	.meta = merged_meta,
	.destroy = merged_destroy,
	.origins = merged_origins,
};

int aa_open_merged(aa_source **src, const char *const *paths, size_t npaths,
		   const uint32_t *group, uint32_t ngroups, const struct aa_replay_opts *opts,
		   struct aa_error_info *err)
{
	struct merged *m = calloc(1, sizeof(*m));
	const char **gp = calloc(npaths, sizeof(*gp));
	struct aa_replay_opts sub = {0};
	int rc = AA_E_NOMEM;

	*src = NULL;
	if (!m || !gp || aa_source_init(&m->base, &merged_ops, opts ? &opts->filter : NULL) != 0 ||
	    !(m->origins = aa_origins_new()) || !(m->g = calloc(ngroups, sizeof(*m->g)))) {
		free(gp);
		if (m)
			merged_destroy(&m->base);
		return aa_error_set(err, AA_E_NOMEM, 0, NULL, "out of memory opening %zu files", npaths);
	}
	/* the groups read and report; filter, evidence and fold are the stream's */
	if (opts) {
		sub.skip_damaged = opts->skip_damaged;
		sub.on_damage = opts->on_damage;
		sub.on_read = opts->on_read;
		sub.user = opts->user;
		m->ordered = opts->ordered;
		m->base.fold = opts->fold;
		m->base.max_processes = opts->max_processes;
	}
	for (uint32_t i = 0; i < ngroups; i++) {
		size_t n = 0;
		for (size_t k = 0; k < npaths; k++)
			if (group[k] == i)
				gp[n++] = paths[k];
		struct group *g = &m->g[i];
		if ((rc = aa_open_files(&g->src, gp, n, &sub, m->origins, err)) != 0)
			break;
		m->ng = i + 1;
		if (m->ordered && !(g->order = aa_order_new(
					    aa_meta_reorder_ns(g->src->ops->meta(g->src))))) {
			rc = aa_error_set(err, AA_E_NOMEM, 0, NULL, "out of memory for time order");
			break;
		}
	}
	free(gp);
	if (rc) {
		if (err && err->path) /* the group's copy is freed below: name the caller's */
			for (size_t k = 0; k < npaths; k++)
				if (!strcmp(paths[k], err->path))
					err->path = paths[k];
		merged_destroy(&m->base);
		return rc;
	}
	sum_stats(m);
	*src = &m->base;
	return 0;
}

/*
 * The (host, session) of the file at path from its first chunk, or 0 when
 * it has none to read (unreadable, damaged, no META): then it stays with
 * the file before it, as a file of the same set would.
 */
static int peek(const char *path, char **host, uint8_t session[16])
{
	struct aa_reader *r;
	struct aa_read_error e;
	struct aa_chunk_view c;
	struct aa_file_meta meta;
	const uint8_t *raw;
	int ok = 0;

	if (aa_reader_open(&r, path, &e) != 0)
		return 0;
	if (aa_reader_next(r, &c) == AA_READ_CHUNK && c.h.kind == AA_CHUNK_META &&
	    aa_reader_decode(r, &c, &raw) == 0 && aa_meta_decode(raw, c.h.raw_len, &meta) == 0 &&
	    (*host = strdup(meta.hostname ? meta.hostname : "")) != NULL) {
		memcpy(session, meta.session, 16);
		ok = 1;
	}
	aa_reader_close(r);
	return ok;
}

/*
 * Which group each file is in: groups of one (host, session), in the
 * order their first files are given. Returns the number of groups, 0 when
 * out of memory.
 */
static uint32_t group_files(const char *const *paths, size_t n, uint32_t *group)
{
	char **host = calloc(n, sizeof(*host));
	uint8_t (*sess)[16] = calloc(n, 16);
	uint32_t ng = 0;

	if (!host || !sess) {
		free(host);
		free(sess);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!peek(paths[i], &host[i], sess[i])) {
			group[i] = i ? group[i - 1] : ng++;
			continue;
		}
		size_t k;
		for (k = 0; k < i; k++)
			if (host[k] && !strcmp(host[k], host[i]) && !memcmp(sess[k], sess[i], 16))
				break;
		group[i] = k < i ? group[k] : ng++;
	}
	for (size_t i = 0; i < n; i++)
		free(host[i]);
	free(host);
	free(sess);
	return ng;
}

int aa_open_offline(aa_source **src, const char *const *paths, size_t npaths,
		    const struct aa_replay_opts *opts, struct aa_error_info *err)
{
	struct stat st;
	uint32_t *group, ng;
	int rc;

	/* one file, or streams (read once: not looked at twice), or one set:
	 * read in the order given */
	if (npaths < 2 || (opts && opts->follow))
		return aa_open_files(src, paths, npaths, opts, NULL, err);
	for (size_t i = 0; i < npaths; i++)
		if (!strcmp(paths[i], "-") || (stat(paths[i], &st) == 0 && !S_ISREG(st.st_mode)))
			return aa_open_files(src, paths, npaths, opts, NULL, err);
	if (!(group = calloc(npaths, sizeof(*group)))) {
		*src = NULL;
		return aa_error_set(err, AA_E_NOMEM, ENOMEM, NULL, "out of memory opening %zu files",
				    npaths);
	}
	ng = group_files(paths, npaths, group);
	if (ng == 1)
		rc = aa_open_files(src, paths, npaths, opts, NULL, err);
	else if (ng)
		rc = aa_open_merged(src, paths, npaths, group, ng, opts, err);
	else
		rc = aa_error_set(err, AA_E_NOMEM, ENOMEM, NULL, "out of memory opening %zu files",
				  npaths);
	if (!ng)
		*src = NULL;
	free(group);
	return rc;
}
