/* SPDX-License-Identifier: MIT */
/*
 * Live-test helpers for string records (header only): a string completes
 * the next record of the same pid, tid and timestamp_ns and comes before it
 * (format/events.h); here its pieces are put back together by seq, every
 * piece checked against the others, so a test compares the whole string.
 */
#ifndef AA_LIVE_STRINGS_H
#define AA_LIVE_STRINGS_H

#include "live_capture.h"

/* A string put together from its pieces; data is NUL-terminated (free it). */
struct live_string {
	char *data;
	uint32_t len;      /* total_len */
	uint32_t orig_len;
	uint8_t flags;
	uint32_t pieces;
};

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
 * The string of `kind` that completes record i: its pieces (string records
 * of the record's pid, tid and timestamp before it, up to the previous
 * record they could complete) in one buffer. 0 when there is none; the
 * test fails when pieces are missing, repeated or disagree.
 */
static inline int live_string_of(const struct live_run *run, size_t i, uint8_t kind, struct live_string *out)
{
	struct aa_event rec = live_event(run, i);
	uint32_t pid, tid, have = 0;
	uint64_t ts;
	uint8_t *seen = NULL;

	memset(out, 0, sizeof(*out));
	live_completed_id(&rec, &pid, &tid, &ts);
	for (size_t j = i; j-- > 0;) {
		struct aa_event ev = live_event(run, j);
		const struct aa_string_event *s = ev.string;
		uint32_t n, npieces;

		if (ev.type != AA_TYPE_STRING) {
			uint32_t p2, t2;
			uint64_t ts2;

			if (ev.type != AA_TYPE_FILE && ev.type != AA_TYPE_FILEOP)
				continue;
			live_completed_id(&ev, &p2, &t2, &ts2);
			if (t2 == tid)
				break; /* strings before this one are its own */
			continue;
		}
		if (s->pid != pid || s->tid != tid || s->timestamp_ns != ts || s->kind != kind)
			continue;
		npieces = s->total_len ? (s->total_len + AA_STRING_PIECE_MAX - 1) / AA_STRING_PIECE_MAX : 1;
		if (!out->data) {
			out->data = calloc(1, (size_t)s->total_len + 1);
			seen = calloc(npieces, 1);
			cr_assert(out->data && seen);
			out->len = s->total_len;
			out->orig_len = s->orig_len;
			out->flags = s->flags;
			out->pieces = npieces;
		}
		cr_assert_eq(s->total_len, out->len, "pieces disagree on total_len");
		cr_assert_eq(s->orig_len, out->orig_len, "pieces disagree on orig_len");
		cr_assert_eq(s->flags, out->flags, "pieces disagree on flags");
		cr_assert_lt(s->seq, npieces);
		cr_assert(!seen[s->seq], "piece %u twice", s->seq);
		seen[s->seq] = 1;
		have++;
		n = aa_string_piece_len(s);
		memcpy(out->data + (size_t)s->seq * AA_STRING_PIECE_MAX, s->data, n);
		for (uint32_t k = n; k < AA_STRING_PIECE_MAX; k++)
			cr_assert_eq(s->data[k], 0, "piece %u: byte %u past its end not NUL", s->seq, k);
	}
	free(seen);
	if (!out->data)
		return 0;
	cr_assert_eq(have, out->pieces, "%u of %u pieces", have, out->pieces);
	return 1;
}

static inline void live_string_free(struct live_string *s)
{
	free(s->data);
	s->data = NULL;
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
