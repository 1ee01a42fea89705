/* SPDX-License-Identifier: MIT */
/*
 * The stream source (aa_nats.h): the file source (offline.c) reading each
 * session through a reader fed with its chunk messages (nats_stream.c), so
 * every check and digest of a file applies. This layer adds what only a
 * stream has: messages that are not a chunk of their session, reported as
 * damage like the file source's own; and seeking by --since/--until
 * (nats_seek.c), whose left-out chunks the file source sees as gaps that
 * are not reported. So the file source always reads past damage, handing
 * it here, and this layer stops (skip_damaged 0) or reports it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aa_nats.h"
#include "nats_stream.h"
#include "offline_input.h"
#include "source.h"

#define MAX_NOTES 16

/* The sessions and the one being read: the inner file source's input. */
struct input {
	struct aa_nats *n;
	struct aa_nats_session *sessions;
	size_t count;
	struct aa_nats_cursor *cur;
	struct aa_nats_msg m;
	size_t pos;
	int have;
	struct nats_src *owner;
	uint64_t since, until; /* the window the cursors seek to (0: no bound) */
	char io_why[256]; /* why the last read failed */
};

struct nats_src {
	aa_source base;
	aa_source *inner;
	struct input *in; /* owned by inner */
	int skip_damaged;
	void (*on_damage)(void *user, const struct aa_error_info *err);
	void (*on_read)(void *user);
	void *user;
	uint64_t own_damaged;
	uint64_t expected; /* the file source's damage that the seeking made: not reported */
	int failed;        /* the file source stopped with an error */
	/* damage found since the last report: bad messages, and the file
	 * source's when it stops reading (no skip_damaged) */
	struct aa_error_info notes[MAX_NOTES];
	int nnotes;
	uint64_t notes_lost;
	/* a record (or end) held back while a note stopped reading */
	int holding;
	int held_rc;
	struct aa_record *held;
};

int aa_is_nats_url(const char *text)
{
	return text && (!strncmp(text, "nats://", 7) || !strncmp(text, "tls://", 6));
}

static void note(struct nats_src *ns, const struct aa_error_info *e)
{
	if (ns->nnotes == MAX_NOTES)
		ns->notes_lost++;
	else
		ns->notes[ns->nnotes++] = *e;
}

/* The file source's damage: the seeking's own left out, else reported at
 * once (skip_damaged) or noted to stop the next aa_next with. */
static void on_inner_damage(void *user, const struct aa_error_info *err)
{
	struct nats_src *ns = user;

	if (aa_nats_cursor_expected(ns->in->cur, err->code, err->chunk)) {
		ns->expected++;
		return;
	}
	if (!ns->skip_damaged)
		note(ns, err);
	else if (ns->on_damage)
		ns->on_damage(ns->user, err);
}

static void on_inner_read(void *user)
{
	struct nats_src *ns = user;

	if (ns->on_read)
		ns->on_read(ns->user);
}

static void on_bad(void *user, const struct aa_nats_session *s, uint64_t seq, int64_t chunk,
		   const char *why)
{
	struct input *in = user;
	struct nats_src *ns = in->owner;
	struct aa_error_info e = { .code = AA_E_CHUNK, .path = s->name, .offset = -1, .chunk = chunk };

	ns->own_damaged++;
	snprintf(e.detail, sizeof(e.detail), "stream message %llu is not a chunk of this session: %s",
		 (unsigned long long)seq, why);
	note(ns, &e);
}

static long read_msgs(void *user, void *buf, size_t n)
{
	struct input *in = user;

	while (!in->have || in->pos == in->m.len) {
		int rc = aa_nats_cursor_next(in->cur, &in->m, on_bad, in, in->io_why,
					     sizeof(in->io_why));
		if (rc == 0)
			return 0;
		if (rc < 0) {
			errno = EIO;
			return -1;
		}
		in->have = 1;
		in->pos = 0;
	}
	size_t k = in->m.len - in->pos < n ? in->m.len - in->pos : n;
	memcpy(buf, in->m.bytes + in->pos, k);
	in->pos += k;
	return (long)k;
}

static int input_open(void *user, size_t i, struct aa_reader **r, struct aa_read_error *e)
{
	struct input *in = user;
	char why[256];

	aa_nats_cursor_close(in->cur);
	in->cur = NULL;
	in->have = 0;
	int rc = aa_nats_cursor_open(in->n, &in->sessions[i], in->since, in->until, &in->cur, why,
				     sizeof(why));
	if (rc == 0)
		rc = aa_reader_open_fn(r, read_msgs, in, e);
	else
		*e = (struct aa_read_error){ .code = rc, .sys_errno = EIO, .offset = -1, .chunk = -1 };
	if (rc && e->detail[0] == 0)
		snprintf(e->detail, sizeof(e->detail), "%.*s", (int)sizeof(e->detail) - 1, why);
	return rc;
}

static void input_destroy(void *user)
{
	struct input *in = user;

	aa_nats_cursor_close(in->cur);
	aa_nats_close(in->n);
	free(in->sessions);
	free(in);
}

static const struct aa_offline_input input_ops = {
	.open = input_open,
	.destroy = input_destroy,
};

/* The inner source's counts are the stream's, with this layer's damage. */
static void sync_stats(struct nats_src *ns)
{
	const struct aa_source_stats *i = &ns->inner->stats;
	struct aa_source_stats *s = &ns->base.stats;

	s->dropped = i->dropped;
	memcpy(s->drops, i->drops, sizeof(s->drops));
	s->chunks = i->chunks;
	s->damaged = i->damaged - ns->expected + ns->own_damaged;
	s->bytes_stored = i->bytes_stored;
	s->files = i->files;
	s->files_closed = i->files_closed;
	s->intact = (i->intact || (i->damaged == ns->expected && !ns->failed)) && ns->own_damaged == 0;
}

/* Reports the bad messages found: 0 to go on, or the code that stops. */
static int report_notes(struct nats_src *ns)
{
	int n = ns->nnotes;

	ns->nnotes = 0;
	ns->notes_lost = 0;
	for (int i = 0; i < n; i++) {
		if (!ns->skip_damaged) {
			ns->base.err = ns->notes[i];
			sync_stats(ns);
			return ns->notes[i].code;
		}
		if (ns->on_damage)
			ns->on_damage(ns->user, &ns->notes[i]);
	}
	sync_stats(ns);
	return 0;
}

static int nats_next(aa_source *src, struct aa_record **out)
{
	struct nats_src *ns = (struct nats_src *)src;
	struct aa_record *rec = NULL;
	int rc;

	if (ns->holding) {
		ns->holding = 0;
		rc = ns->held_rc;
		rec = ns->held;
	} else {
		rc = ns->inner->ops->next(ns->inner, &rec);
		sync_stats(ns);
		int stop = report_notes(ns);
		if (stop) {
			ns->holding = 1;
			ns->held_rc = rc;
			ns->held = rec;
			return stop;
		}
	}
	if (rc < 0) {
		ns->failed = 1;
		ns->base.err = ns->inner->err;
		if (rc == AA_E_IO && ns->in->io_why[0])
			snprintf(ns->base.err.detail, sizeof(ns->base.err.detail), "%.*s",
				 (int)sizeof(ns->base.err.detail) - 1, ns->in->io_why);
		return rc;
	}
	if (rc == 1)
		*out = rec;
	return rc;
}

static const struct aa_file_meta *nats_meta(const aa_source *src)
{
	const struct nats_src *ns = (const struct nats_src *)src;
	return ns->inner->ops->meta(ns->inner);
}

static void nats_destroy(aa_source *src)
{
	struct nats_src *ns = (struct nats_src *)src;

	aa_close(ns->inner);
	free(ns);
}

static const struct aa_source_ops nats_ops = {
	.next = nats_next,
	.meta = nats_meta,
	.destroy = nats_destroy,
};

int aa_nats_source_stats(aa_source *src, struct aa_nats_stats *st)
{
	AA_SOURCE_REQUIRE(src, &nats_ops, "a stream source (aa_open_nats)", AA_E_INVAL);
	aa_nats_get_stats(((struct nats_src *)src)->in->n, st);
	return 0;
}

static int open_fail(struct aa_error_info *err, int code, const char *why)
{
	return aa_error_set(err, code, code == AA_E_IO ? EIO : 0, NULL, "%s", why);
}

int aa_open_nats(aa_source **src, const char *url, const struct aa_nats_opts *nopts,
		 const struct aa_replay_opts *opts, struct aa_error_info *err)
{
	struct nats_src *ns = calloc(1, sizeof(*ns));
	struct input *in = calloc(1, sizeof(*in));
	const char **names = NULL;
	char why[512];
	int rc;

	*src = NULL;
	if (!ns || !in || aa_source_init(&ns->base, &nats_ops, opts ? &opts->filter : NULL) != 0) {
		free(ns);
		free(in);
		return open_fail(err, AA_E_NOMEM, "out of memory");
	}
	in->owner = ns;
	ns->in = in;
	if ((rc = aa_nats_connect(&in->n, url, nopts, why, sizeof(why))) != 0 ||
	    (rc = aa_nats_sessions(in->n, nopts, &in->sessions, &in->count, why, sizeof(why))) != 0)
		goto fail;
	if (in->count == 0) {
		snprintf(why, sizeof(why), "%s: no session%s%s%s%s in the stream", url,
			 nopts && nopts->host ? " of host " : "", nopts && nopts->host ? nopts->host : "",
			 nopts && nopts->session ? " with id " : "",
			 nopts && nopts->session ? nopts->session : "");
		rc = AA_E_INVAL;
		goto fail;
	}
	/* --since/--until: sessions whose META and END put all their records
	 * outside the window are not read (one stays: an empty read, as of a file) */
	if (opts && (opts->filter.since_ns || opts->filter.until_ns)) {
		size_t k = 0;
		for (size_t i = 0; i < in->count; i++)
			if (aa_nats_session_in_time(&in->sessions[i], opts->filter.since_ns,
						    opts->filter.until_ns))
				in->sessions[k++] = in->sessions[i];
		in->count = k ? k : 1;
	}
	if (!(names = calloc(in->count, sizeof(*names)))) {
		rc = AA_E_NOMEM;
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < in->count; i++)
		names[i] = in->sessions[i].name;
	struct aa_replay_opts io = { .skip_damaged = 1, .on_damage = on_inner_damage,
				     .on_read = on_inner_read, .user = ns };
	if (opts) {
		in->since = opts->filter.since_ns;
		in->until = opts->filter.until_ns;
		ns->on_read = opts->on_read;
		ns->skip_damaged = opts->skip_damaged;
		ns->on_damage = opts->on_damage;
		ns->user = opts->user;
		ns->base.ordered = opts->ordered;
		ns->base.fold = opts->fold;
		ns->base.max_processes = opts->max_processes;
	}
	rc = aa_open_offline_input(&ns->inner, names, in->count, &input_ops, in, &io, err);
	in = NULL; /* the inner source's now, freed with it even when the open failed */
	free(names);
	if (rc) {
		if (err && err->path) /* a session's name, freed with the source: the URL stays */
			err->path = url;
		free((void *)ns->base.filter.pids);
		free(ns);
		return rc;
	}
	sync_stats(ns); /* a bad message met while opening is reported by the first aa_next */
	*src = &ns->base;
	return 0;
fail:
	if (in)
		input_destroy(in);
	free((void *)ns->base.filter.pids);
	free(ns);
	return open_fail(err, rc, why);
}
