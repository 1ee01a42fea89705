/* SPDX-License-Identifier: MIT */
/*
 * The common half of every source (see source.h): filtering, counting and
 * dispatch, so that a file source and a live source behave the same.
 */
#include "source.h"

#include "evidence.h"
#include "order.h"
#include "proctab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aa_source_init(aa_source *src, const struct aa_source_ops *ops, const struct aa_filter *filter)
{
	memset(src, 0, sizeof(*src));
	src->ops = ops;
	src->err.offset = src->err.chunk = -1;
	src->stats.intact = 1;
	if (filter) {
		src->filter = *filter;
		src->filter.pids = NULL;
		if (filter->npids) {
			uint32_t *pids = malloc(filter->npids * sizeof(*pids));
			if (!pids)
				return AA_E_NOMEM;
			memcpy(pids, filter->pids, filter->npids * sizeof(*pids));
			src->filter.pids = pids;
		}
	}
	return 0;
}

/* Counts a record in src->stats (type, bytes, time range). */
static void count(aa_source *src, const struct aa_record *rec)
{
	struct aa_source_stats *s = &src->stats;

	s->records++;
	s->by_type[rec->ev.type]++;
	s->invalid += rec->ev.error != 0;
	s->bytes_raw += rec->ev.len;
	if (!s->first_ns || rec->time_ns < s->first_ns)
		s->first_ns = rec->time_ns;
	if (rec->time_ns > s->last_ns)
		s->last_ns = rec->time_ns;
}

int aa_error_set(struct aa_error_info *err, int code, int sys_errno, const char *path,
		 const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	memset(err, 0, sizeof(*err));
	err->code = code;
	err->sys_errno = sys_errno;
	err->path = path;
	err->offset = err->chunk = -1;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return code;
}

int aa_source_is(aa_source *src, const struct aa_source_ops *ops, const char *fn, const char *what)
{
	if (src && src->ops == ops)
		return 1;
	if (src)
		aa_source_fail(src, AA_E_INVAL, NULL, -1, -1, "%s: not %s", fn, what);
	return 0;
}

int aa_source_fail(aa_source *src, int code, const char *path, int64_t offset, int64_t chunk,
		   const char *fmt, ...)
{
	va_list ap;

	src->err.code = code;
	src->err.path = path;
	src->err.offset = offset;
	src->err.chunk = chunk;
	va_start(ap, fmt);
	vsnprintf(src->err.detail, sizeof(src->err.detail), fmt, ap);
	va_end(ap);
	return code;
}

static int passes(const struct aa_filter *f, const struct aa_record *rec)
{
	if (f->types && !(f->types & AA_TYPE_BIT(rec->ev.type)))
		return 0;
	if (f->since_ns && rec->time_ns < f->since_ns)
		return 0;
	if (f->until_ns && rec->time_ns >= f->until_ns)
		return 0;
	if (f->npids) {
		uint32_t pid;
		if (!aa_event_pid(&rec->ev, &pid))
			return 0;
		for (size_t i = 0; i < f->npids; i++)
			if (f->pids[i] == pid)
				return 1;
		return 0;
	}
	return 1;
}

/* s as a string src keeps until aa_close: one copy of each distinct one,
 * at most AA_SOURCE_ARCHS ("" past that, or without memory). */
static const char *keep_arch(aa_source *src, const char *s)
{
	uint32_t i;

	for (i = 0; i < src->narchs; i++)
		if (!strcmp(src->archs[i], s))
			return src->archs[i];
	if (i == AA_SOURCE_ARCHS || !(src->archs[i] = strdup(s)))
		return "";
	return src->archs[src->narchs++];
}

/*
 * rec's aa_record.arch: its origin's META arch (a copy that lives as long
 * as src); for a source of files that has no origins of its own (NATS),
 * the META being read, kept in src since that META goes with its file;
 * NULL when no META is known (live, raw).
 */
static const char *record_arch(aa_source *src, const struct aa_record *rec)
{
	const struct aa_origin *g;
	const struct aa_file_meta *m;

	if (src->arch_of && src->arch_origin == rec->origin)
		return src->arch_of;
	if ((g = aa_source_origin(src, rec->origin))) {
		src->arch_origin = rec->origin;
		src->arch_of = g->meta->arch ? g->meta->arch : "";
		return src->arch_of;
	}
	if (!(m = aa_source_meta(src)))
		return NULL;
	return keep_arch(src, m->arch ? m->arch : "");
}

/* A record just read from the source: its arch set, counted. */
static void took(aa_source *src, struct aa_record *rec)
{
	rec->arch = record_arch(src, rec);
	count(src, rec);
}

/*
 * A record the filter leaves out whose type nothing delivered takes
 * evidence from: dropped before time order and the evidence stage, which
 * would otherwise do most of their work for it (file records are most of
 * a recording; a view of TLS conversations wants a few percent of it).
 * Records that feed the process table or join others (task, exec, exit,
 * tls_conn, argv and exe strings) always go on, so that what is delivered
 * is the same with or without this. A path string and its file or fileop
 * record complete each other: a file or fileop record goes only when
 * strings are left out too (a delivered path string is folded into it),
 * and a path string when file, fileop and string records all are.
 */
static int unneeded(const struct aa_filter *f, const struct aa_record *rec)
{
	const unsigned strings = AA_TYPE_BIT(AA_TYPE_STRING),
		       paths = AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_FILEOP) | strings;

	if (!f->types || rec->ev.error || (f->types & AA_TYPE_BIT(rec->ev.type)))
		return 0;
	/* a type added later goes on until it is known to feed nothing */
	if (rec->ev.type == AA_TYPE_NET)
		return 1;
	if (rec->ev.type == AA_TYPE_FILE || rec->ev.type == AA_TYPE_FILEOP)
		return !(f->types & strings);
	return rec->ev.type == AA_TYPE_STRING && !(f->types & paths) &&
	       (rec->ev.string->kind == AA_STRING_PATH || rec->ev.string->kind == AA_STRING_NEW_PATH);
}

/*
 * The next record of the stream, counted, before any filter: in capture
 * order, or in time order through src->order.
 */
static int next_raw(aa_source *src, struct aa_record **out)
{
	struct aa_record *rec;
	int rc;

	if (!src->ordered) {
		while ((rc = src->ops->next(src, &rec)) == 1) {
			took(src, rec);
			if (!unneeded(&src->filter, rec)) {
				*out = rec;
				break;
			}
		}
		return rc;
	}
	if (!src->order && !(src->order = aa_order_new(aa_meta_reorder_ns(aa_source_meta(src)))))
		return aa_source_fail(src, AA_E_NOMEM, NULL, -1, -1, "out of memory for time order");
	while (!(*out = aa_order_pop(src->order, src->order_end))) {
		if (src->order_end)
			return src->order_rc;
		rc = src->ops->next(src, &rec);
		if (rc != 1) {
			src->order_end = 1;
			src->order_rc = rc;
		} else {
			took(src, rec);
			if (unneeded(&src->filter, rec))
				continue;
			struct aa_pin *pin = src->ops->pin ? src->ops->pin(src) : NULL;
			if (aa_order_push(src->order, rec, pin) != 0)
				return aa_source_fail(src, AA_E_NOMEM, NULL, -1, -1, "out of memory for time order");
		}
	}
	return 1;
}

/*
 * Every record (but those unneeded() drops) goes through the evidence
 * stage (joins, process table) in the order it is delivered in, and only
 * then through the filter, so that a filtered-out exec still names its
 * process.
 */
int aa_next(aa_source *src, const struct aa_record **out)
{
	if (!src->evidence && !(src->evidence = aa_evidence_new(src->fold, src->max_processes)))
		return aa_source_fail(src, AA_E_NOMEM, NULL, -1, -1, "out of memory for the process table");
	for (;;) {
		const struct aa_record *rec = aa_evidence_pop(src->evidence);
		if (rec) {
			if (!passes(&src->filter, rec))
				continue;
			src->stats.delivered++;
			if (src->ordered) {
				src->stats.late += rec->time_ns < src->order_last_ns;
				if (rec->time_ns > src->order_last_ns)
					src->order_last_ns = rec->time_ns;
			}
			*out = rec;
			return 1;
		}
		if (src->ending) {
			src->ending = 0;
			return src->end_rc;
		}
		struct aa_record *r;
		int rc = next_raw(src, &r);
		if (rc == 1) {
			if (aa_evidence_push(src->evidence, r) != 0)
				return aa_source_fail(src, AA_E_NOMEM, NULL, -1, -1,
						      "out of memory for the process table");
			continue;
		}
		/* held records go out before the end or error, except while a
		 * live source only has nothing yet */
		if (rc != AA_E_AGAIN)
			aa_evidence_end(src->evidence);
		src->ending = 1;
		src->end_rc = rc;
	}
}

const struct aa_process *aa_process_at(const aa_source *src, uint32_t pid, uint64_t time_ns)
{
	return aa_process_at_origin(src, 0, pid, time_ns);
}

const struct aa_process *aa_process_at_origin(const aa_source *src, uint32_t origin, uint32_t pid,
					      uint64_t time_ns)
{
	return src->evidence ? aa_proctab_at(aa_evidence_procs(src->evidence), origin, pid, time_ns)
			     : NULL;
}

const struct aa_process *aa_process_next(const aa_source *src, const struct aa_process *prev)
{
	return src->evidence ? aa_proctab_next(aa_evidence_procs(src->evidence), prev) : NULL;
}

int aa_dispatch(aa_source *src, const struct aa_callbacks *cb, void *user)
{
	const struct aa_record *rec;
	int rc;

	while ((rc = aa_next(src, &rec)) == 1) {
		aa_record_cb fn = cb->on_unknown;
		if (!rec->ev.error)
			switch (rec->ev.type) {
#define X(name, NAME, size) case AA_TYPE_##NAME: fn = cb->on_##name; break;
			AA_RECORD_TYPES(X)
#undef X
			case AA_TYPE_UNKNOWN: break;
			}
		if (fn && (rc = fn(user, rec)) != 0)
			/* its own code: a callback's -1 is no AA_E_* value */
			return aa_source_fail(src, AA_E_STOPPED, NULL, -1, -1,
					      "the %s callback returned %d",
					      rec->ev.error ? "unknown" : aa_type_name(rec->ev.type), rc);
	}
	return rc;
}

const struct aa_error_info *aa_source_error(const aa_source *src)
{
	return &src->err;
}

void aa_source_get_stats(const aa_source *src, struct aa_source_stats *stats)
{
	*stats = src->stats;
}

const struct aa_file_meta *aa_source_meta(const aa_source *src)
{
	return src->ops->meta ? src->ops->meta(src) : NULL;
}

void aa_close(aa_source *src)
{
	if (!src)
		return;
	free((void *)src->filter.pids);
	aa_order_free(src->order);
	aa_evidence_free(src->evidence);
	for (uint32_t i = 0; i < src->narchs; i++)
		free(src->archs[i]);
	src->ops->destroy(src);
}

void aa_error_format(const struct aa_error_info *err, char *buf, size_t size)
{
	int n = 0;

	if (size == 0)
		return;
	buf[0] = 0;
#define ADD(...)                                                                   \
	do {                                                                       \
		if (n >= 0 && (size_t)n < size)                                    \
			n += snprintf(buf + n, size - (size_t)n, __VA_ARGS__);     \
	} while (0)
	if (err->path)
		ADD("%s: ", err->path);
	if (err->offset >= 0)
		ADD("offset %lld: ", (long long)err->offset);
	if (err->chunk >= 0)
		ADD("chunk %lld: ", (long long)err->chunk);
	/* An I/O error's detail names the system's reason ("cannot open: No
	 * such file or directory"): "input/output error" in front says nothing. */
	if (err->code == AA_E_IO && err->detail[0])
		ADD("%s", err->detail);
	else
		ADD("%s", aa_strerror(err->code));
	if (err->detail[0] && err->code != AA_E_IO)
		/* "not an aa capture file (pcapng from Text2pcap ...)": one verdict */
		ADD(err->code == AA_E_FOREIGN ? " (%s)" : ": %s", err->detail);
#undef ADD
}
