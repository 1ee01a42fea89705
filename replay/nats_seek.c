/* SPDX-License-Identifier: MIT */
/*
 * Seeking inside a session of a stream by --since/--until (nats_int.h), so
 * that a window of a long session does not fetch and decompress it whole.
 *
 * A chunk's records lie in wall-clock time within its header's
 * first_ts..last_ts (monotonic; FORMAT.md section 2) plus its META's
 * mono_to_wall, but for records of unknown type: their time is the chunk's
 * written_ns, which does not go back from chunk to chunk (and may be far
 * from the records' times: aa-capture -r of an old stream). Records reach
 * the capture out of time order by at most the reorder window R (META's
 * reorder_ns): a record may come after one up to R later than itself,
 * never more. Hence, in capture order:
 *  - every timed record before a chunk K is at most R later than K's first
 *    one, so when first_wall(K) + R < since, and K was written before since
 *    or the META at or after until (the unknown records), nothing before K
 *    is in the window: reading may start at K. The start is found by a binary search
 *    over the session's stream sequences, each probe one direct get of the
 *    first session message at or after a sequence, checked (CRC) but not
 *    decompressed; any K the test holds for is a right start, so the search
 *    needs no strict order of the chunks' times, it finds a late one.
 *    We search by sequence, not by JetStream's start time: a message's
 *    store time is when the server took it, which for a chunk sent from
 *    the spool after an outage is long after its records.
 *  - every timed record after a chunk K is at least first_wall(K) - R, so
 *    once first_wall(K) >= until + R (and K was written at or after until)
 *    nothing later is in the window: reading stops there.
 *  - a RECORDS chunk whose timed span and written_ns both lie outside the
 *    window is left out without decompressing it.
 * A chunk that never came is told from one left out here: the gap before
 * a chunk handed out is the seeking's own only when every chunk since the
 * last one handed out was fetched and left out (or passed by the start);
 * the chunk after one that never came is handed out whatever its span, so
 * that the reader reports the gap, as it would reading the whole file.
 * The records delivered are then exactly those of reading the whole
 * session with the same window (tests/ship/test_ship_seek.sh), except for
 * records of a known type with time stamp 0, which aa-capture never
 * writes (a chunk's span leaves them out). Only a session of one file is
 * sought (each file has a clock of its own); the META always comes first.
 */
#include <string.h>

#include "aa_error.h"
#include "capfile.h"
#include "clock.h"
#include "nats_int.h"

/* Where the records of a checked RECORDS chunk of s lie in wall-clock time. */
struct span {
	uint64_t first_wall, last_wall; /* its timed records (when timed) */
	uint64_t written;               /* its unknown records */
	int timed;
};

/* 0 with *sp, or -1: not a RECORDS chunk of file 0 that passes its checks. */
static int span_of(const struct aa_nats_session *s, natsMsg *msg, struct span *sp)
{
	struct aa_chunk_hdr h;
	const uint8_t *stored;
	const char *file = NULL;

	if (nats_chunk_of(msg, &h, &stored) != 0 || h.kind != AA_CHUNK_RECORDS)
		return -1;
	/* shipped chunks carry their file's number: another file, another clock */
	if (natsMsgHeader_Get(msg, AA_SHIP_HDR_FILE_SEQ, &file) == NATS_OK && file &&
	    strcmp(file, "0") != 0)
		return -1;
	memset(sp, 0, sizeof(*sp));
	sp->written = h.written_ns;
	if (h.first_ts && h.last_ts >= h.first_ts) {
		sp->timed = 1;
		sp->first_wall = aa_wall_ns(h.first_ts, s->mono_to_wall);
		sp->last_wall = aa_wall_ns(h.last_ts, s->mono_to_wall);
	}
	return 0;
}

/* 1 when t is in [since, until) (0: no bound). */
static int in_window(uint64_t t, uint64_t since, uint64_t until)
{
	return (!since || t >= since) && (!until || t < until);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* 1 when reading may start at this chunk: nothing before it is in the window. */
static int may_start_at(const struct aa_nats_cursor *c, natsMsg *msg)
{
	const struct aa_nats_session *s = c->s;
	struct span sp;

	return span_of(s, msg, &sp) == 0 && sp.timed &&
	       add_sat(sp.first_wall, s->reorder_ns) < c->since &&
	       (sp.written < c->since || (c->until && s->first_ns >= c->until));
}

/* The last sequence of s the binary search finds reading may start at, or 0. */
static uint64_t find_start(struct aa_nats_cursor *c)
{
	const struct aa_nats_session *s = c->s;
	uint64_t lo = s->first_seq + 1, hi = s->last_seq, best = 0;

	while (lo <= hi) {
		uint64_t mid = lo + (hi - lo) / 2, seq;
		natsMsg *m = NULL;

		if (nats_direct_get(c->n, s, mid, &m) != NATS_OK)
			break; /* searched as far as the server answers: start at the best so far */
		c->n->stats.probes++;
		seq = natsMsg_GetSequence(m);
		if (seq > hi || seq < mid) {
			hi = mid - 1; /* no message of s from mid to hi */
		} else if (may_start_at(c, m)) {
			best = seq;
			lo = seq + 1;
		} else {
			hi = mid - 1;
		}
		natsMsg_Destroy(m);
	}
	return best;
}

void nats_seek_setup(struct aa_nats_cursor *c, uint64_t since, uint64_t until, uint64_t *start)
{
	const struct aa_nats_session *s = c->s;

	*start = 0;
	/* the clock comes from the META, fetched by direct get: the stream allows it */
	if (!s->have_clock || !s->one_file || !s->first_seq || !s->last_seq)
		return;
	c->seek = 1;
	c->since = since;
	c->until = until;
	/* no chunk can be a start when the unknown records' times (written_ns,
	 * from the META's on) may all be in the window: no search then */
	int may = since && (s->first_ns < since || (until && s->first_ns >= until));
	uint64_t from = may ? find_start(c) : 0;
	if (!from || nats_direct_get(c->n, s, s->first_seq, &c->head) != NATS_OK ||
	    natsMsg_GetSequence(c->head) != s->first_seq) {
		natsMsg_Destroy(c->head); /* read from the start after all */
		c->head = NULL;
		return;
	}
	*start = from;
	c->skipped = 1; /* the chunks between the META and from */
	c->leap = 1;
}

enum nats_seek_verdict nats_seek_judge(struct aa_nats_cursor *c, natsMsg *msg,
				       const struct aa_nats_msg *m)
{
	const struct aa_nats_session *s = c->s;
	struct span sp;

	/* a chunk that never came (not one left out here) is a gap to report */
	c->follows = !c->have_seen || m->index == c->seen_index + 1 || (c->leap && m->kind != AA_CHUNK_META);
	if (m->kind != AA_CHUNK_META)
		c->leap = 0;
	c->have_seen = 1;
	c->seen_index = m->index;
	if (m->file_seq != 0) { /* a file the session did not have when it was listed */
		c->seek = 0;
		return NATS_TAKE;
	}
	/* META, STATS and END, a chunk that fails its checks, and one after a
	 * chunk that never came (it may have held records of the window) are
	 * read: the reader says what is wrong */
	if (m->kind != AA_CHUNK_RECORDS || !c->follows || span_of(s, msg, &sp) != 0)
		return NATS_TAKE;
	if (c->until && sp.timed && sp.first_wall >= add_sat(c->until, s->reorder_ns) &&
	    sp.written >= c->until)
		return NATS_STOP;
	if (!in_window(sp.written, c->since, c->until) &&
	    (!sp.timed || (c->since && sp.last_wall < c->since) ||
	     (c->until && sp.first_wall >= c->until)))
		return NATS_LEAVE;
	return NATS_TAKE;
}

void nats_seek_handed_out(struct aa_nats_cursor *c, const struct aa_nats_msg *m)
{
	if (!c->have_out) { /* the META: the chunks the start left out come after it */
		c->have_out = 1;
		c->out_index = m->index;
		return;
	}
	if (c->skipped && c->follows && m->index != c->out_index + 1) {
		if (c->gap_count == NATS_GAPS) { /* the reader is far behind: forget the oldest */
			c->gap_first = (c->gap_first + 1) % NATS_GAPS;
			c->gap_count--;
		}
		c->gaps[(c->gap_first + c->gap_count++) % NATS_GAPS] = m->index;
	}
	c->skipped = 0;
	c->out_index = m->index;
}

int aa_nats_cursor_expected(struct aa_nats_cursor *c, int code, int64_t chunk)
{
	if (!c)
		return 0;
	if (code == AA_E_UNCLOSED)
		return c->cut;
	if (code != AA_E_SEQUENCE)
		return 0;
	/* the reader finds the gaps in the order they were handed out */
	while (c->gap_count) {
		uint32_t g = c->gaps[c->gap_first];
		if (chunk >= 0 && (uint64_t)chunk < g)
			return 0;
		c->gap_first = (c->gap_first + 1) % NATS_GAPS;
		c->gap_count--;
		if (chunk == g)
			return 1;
	}
	return 0;
}
