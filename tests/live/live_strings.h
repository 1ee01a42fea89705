/* SPDX-License-Identifier: MIT */
/*
 * Live-test helpers for string records (header only, after live_capture.h):
 * the string of one kind that completes a record, put back together from
 * its pieces, each checked to come before that record.
 */
#ifndef AA_LIVE_STRINGS_H
#define AA_LIVE_STRINGS_H

#include "live_capture.h"

struct live_string {
	uint8_t *data;     /* total_len bytes and a NUL (malloc'd); NULL when there is no such string */
	uint32_t total_len;
	uint32_t orig_len;
	uint8_t flags;
	uint32_t pieces;
};

/*
 * The string of `kind` completing record `at` (whose pid, tid and
 * timestamp_ns are given: the exec record has no tid, its pid is its tid):
 * every piece with those, seq 0 up to the last, once each, all before `at`
 * and all agreeing on total_len, orig_len and flags. Aborts the test when
 * a piece is missing, repeated or disagrees.
 */
static inline struct live_string live_string_of(const struct live_run *run, size_t at, uint32_t pid, uint32_t tid,
						uint64_t ts, uint8_t kind)
{
	struct live_string s = { 0 };
	uint8_t *seen = NULL;
	uint32_t npieces = 0;

	LIVE_FOREACH(run, i, ev) {
		const struct aa_string_event *e = ev.string;
		uint32_t len;

		if (ev.type != AA_TYPE_STRING || e->pid != pid || e->tid != tid || e->timestamp_ns != ts ||
		    e->kind != kind)
			continue;
		cr_assert_lt(i, at, "string piece %zu comes after the record %zu it completes", i, at);
		if (!s.data) {
			s.total_len = e->total_len;
			s.orig_len = e->orig_len;
			s.flags = e->flags;
			npieces = s.total_len ? (s.total_len + AA_STRING_PIECE_MAX - 1) / AA_STRING_PIECE_MAX : 1;
			s.data = calloc(1, s.total_len + 1);
			seen = calloc(npieces, 1);
			cr_assert(s.data && seen);
		}
		cr_assert(e->total_len == s.total_len && e->orig_len == s.orig_len && e->flags == s.flags,
			  "piece %u disagrees: total %u/%u orig %u/%u flags %u/%u", e->seq, e->total_len, s.total_len,
			  e->orig_len, s.orig_len, e->flags, s.flags);
		cr_assert_lt(e->seq, npieces, "piece %u of %u", e->seq, npieces);
		cr_assert_eq(seen[e->seq], 0, "piece %u twice", e->seq);
		seen[e->seq] = 1;
		s.pieces++;
		len = aa_string_piece_len(e);
		memcpy(s.data + (size_t)e->seq * AA_STRING_PIECE_MAX, e->data, len);
		for (uint32_t k = len; k < AA_STRING_PIECE_MAX; k++)
			cr_assert_eq(e->data[k], 0, "piece %u: byte %u past its end is not NUL", e->seq, k);
	}
	if (s.data)
		cr_assert_eq(s.pieces, npieces, "%u pieces of %u", s.pieces, npieces);
	free(seen);
	return s;
}

/* The tid and timestamp of a record that string records can complete. */
static inline void live_completed_id(const struct aa_event *ev, uint32_t *pid, uint32_t *tid, uint64_t *ts)
{
	switch (ev->type) {
	case AA_TYPE_FILE:
		*pid = ev->file->pid, *tid = ev->file->tid, *ts = ev->file->timestamp_ns;
		return;
	case AA_TYPE_FILEOP:
		*pid = ev->fileop->pid, *tid = ev->fileop->tid, *ts = ev->fileop->timestamp_ns;
		return;
	case AA_TYPE_TLS: case AA_TYPE_EXEC: case AA_TYPE_EXIT: case AA_TYPE_TASK:
	case AA_TYPE_STRING: case AA_TYPE_TLS_CONN: case AA_TYPE_NET: case AA_TYPE_UNKNOWN:
		break;
	}
	cr_assert_fail("record of type %s: not one a string completes here", aa_type_name(ev->type));
}

/*
 * The string of `kind` that completes record i, found by that record's pid,
 * tid and timestamp (live_string_of): 1 and *out set, or 0 when there is none.
 */
static inline int live_string_at(const struct live_run *run, size_t i, uint8_t kind, struct live_string *out)
{
	struct aa_event rec = live_event(run, i);
	uint32_t pid, tid;
	uint64_t ts;

	live_completed_id(&rec, &pid, &tid, &ts);
	*out = live_string_of(run, i, pid, tid, ts, kind);
	return out->data != NULL;
}

/* Byte for byte, saying where the first difference is. */
static inline void live_assert_same(const uint8_t *got, const void *want, size_t len)
{
	const uint8_t *w = want;

	for (size_t k = 0; k < len; k++)
		cr_assert_eq(got[k], w[k], "byte %zu of %zu: 0x%02x, expected 0x%02x", k, len, got[k], w[k]);
}

static inline void live_string_free(struct live_string *s)
{
	free(s->data);
	s->data = NULL;
}

/* The first task record of `kind` for pid (after record `from`), or -1. */
static inline long live_find_task(const struct live_run *run, size_t from, uint32_t pid, uint8_t kind)
{
	LIVE_FOREACH(run, i, ev)
		if (i >= from && ev.type == AA_TYPE_TASK && ev.task->pid == pid && ev.task->kind == kind)
			return (long)i;
	return -1;
}

/* The first fileop record of this syscall from pid (0: any) whose path
 * field is path (NULL: any), or -1. */
static inline long live_find_fileop(const struct live_run *run, uint32_t pid, uint32_t syscall, const char *path)
{
	LIVE_FOREACH(run, i, ev)
		if (ev.type == AA_TYPE_FILEOP && ev.fileop->syscall == syscall && (!pid || ev.fileop->pid == pid) &&
		    (!path || !strcmp((const char *)ev.fileop->path, path)))
			return (long)i;
	return -1;
}

/* How many records of this type the run holds. */
static inline size_t live_count_type(const struct live_run *run, enum aa_type type)
{
	size_t n = 0;

	LIVE_FOREACH(run, i, ev)
		n += ev.type == type;
	return n;
}

#endif /* AA_LIVE_STRINGS_H */
