/* SPDX-License-Identifier: MIT */
/*
 * The lines of each process while the text of what happened is made
 * (diff_build.h): each line once (a set of 64-bit hashes, dropped when the
 * process ends and made again from its lines in the rare case that one
 * more comes: a TLS message decoded late), buffered and then spooled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff_build.h"
#include "xxh64.h"

uint64_t diff_hash(const char *s, size_t len)
{
	uint64_t v = aa_xxh64(s, len, 0);

	return v ? v : 1;
}

void diff_io_failed(struct build *b)
{
	if (!b->io)
		b->io = errno ? errno : EIO;
}

/* The head of the line at p ([u32 length][u64 diff_hash]): its length. */
static uint32_t line_head(const uint8_t *p, uint64_t *hash)
{
	uint32_t len;

	memcpy(&len, p, 4);
	memcpy(hash, p + 4, 8);
	return len;
}

/* Where line s[0..len) (diff_hash h) is in the spool: written there
 * unless the same line was, as most are (a library opened by process
 * after process, the same request again); ~0 when the write failed. */
static uint64_t spool_line(struct build *b, const uint8_t *s, uint32_t len, uint64_t h)
{
	struct spooled *k = b->in_spool ? &b->in_spool[(h ^ h >> 32) & (SPOOLED_SEEN - 1)] : NULL;
	uint64_t off = b->spooled;

	if (k && k->hash == h && k->len == len) /* 64-bit hashes: the same line (as the diff takes it) */
		return k->off;
	if (fwrite(s, 1, len, b->spool) != len)
		return ~0ull;
	b->spooled += len;
	if (k)
		*k = (struct spooled){ h, off, len };
	return off;
}

/* Moves p's buffered lines to the spool: their bytes to b->spool (the
 * text's lines file to be), their heads to b->heads. */
static void proc_spill(struct build *b, struct diff_proc *p)
{
	struct chunk *c;
	size_t n = 0;

	if (!p->len)
		return;
	if ((!b->spool && !(b->spool = view_spool("aa-diff", &b->spool_buf))) ||
	    (!b->heads && !(b->heads = view_spool("aa-diff", &b->heads_buf)))) {
		diff_io_failed(b);
		return;
	}
	if (!(c = realloc(p->chunks, (p->nchunks + 1) * sizeof(*c)))) {
		b->nomem = 1;
		return;
	}
	p->chunks = c;
	c[p->nchunks] = (struct chunk){ b->heads_len, 0 };
	for (size_t i = 0; i + PROC_LINE_HEAD <= p->len; n++) {
		uint8_t head[SPOOL_HEAD];
		uint64_t h, off;
		uint32_t len = line_head(p->buf + i, &h);
		memcpy(head, p->buf + i, PROC_LINE_HEAD);
		if ((off = spool_line(b, p->buf + i + PROC_LINE_HEAD, len, h)) == ~0ull ||
		    (memcpy(head + PROC_LINE_HEAD, &off, 8), fwrite(head, 1, SPOOL_HEAD, b->heads) != SPOOL_HEAD)) {
			diff_io_failed(b);
			return;
		}
		i += PROC_LINE_HEAD + (size_t)len;
	}
	c[p->nchunks++].n = n;
	b->heads_len += n * SPOOL_HEAD;
	p->len = 0;
}

/* Calls fn with each line of p in order: 0, or non-zero when one failed. */
int diff_proc_lines(struct build *b, const struct diff_proc *p, diff_line_fn *fn, void *arg)
{
	uint8_t *mem = NULL;

	for (size_t c = 0; c < p->nchunks && !b->nomem && !b->io; c++) {
		/* spooled lines: only their heads come back, their bytes stay in the spool */
		size_t n = p->chunks[c].n * SPOOL_HEAD;
		uint8_t *m = realloc(mem, n ? n : 1);
		if (!m) {
			b->nomem = 1;
			break;
		}
		mem = m;
		if (view_cache_read(&b->heads_cache, b->heads, mem, n, p->chunks[c].heads)) {
			diff_io_failed(b);
			break;
		}
		for (size_t i = 0; i < n; i += SPOOL_HEAD) {
			uint64_t h, at;
			uint32_t len = line_head(mem + i, &h);
			memcpy(&at, mem + i + PROC_LINE_HEAD, 8);
			fn(b, arg, NULL, len, h, (int64_t)at);
		}
	}
	/* then the lines still in memory */
	for (size_t i = 0; i + PROC_LINE_HEAD <= p->len && !b->nomem && !b->io;) {
		uint64_t h;
		uint32_t len = line_head(p->buf + i, &h);
		fn(b, arg, (const char *)p->buf + i + PROC_LINE_HEAD, len, h, -1);
		i += PROC_LINE_HEAD + (size_t)len;
	}
	free(mem);
	return b->nomem || b->io;
}

/* Puts hash h into p's set: 1 when new, 0 when there, -1 when out of memory. */
static int set_put(struct diff_proc *p, uint64_t h)
{
	if (p->n * 2 >= p->setcap) {
		size_t cap = p->setcap ? p->setcap * 2 : 16;
		while (p->n * 2 >= cap)
			cap *= 2;
		uint64_t *set = calloc(cap, sizeof(*set));
		if (!set)
			return -1;
		for (size_t i = 0; i < p->setcap; i++)
			for (size_t j = p->set[i] & (cap - 1); p->set[i]; j = (j + 1) & (cap - 1))
				if (!set[j]) {
					set[j] = p->set[i];
					break;
				}
		free(p->set);
		p->set = set;
		p->setcap = cap;
	}
	size_t j = h & (p->setcap - 1);
	for (; p->set[j]; j = (j + 1) & (p->setcap - 1))
		if (p->set[j] == h)
			return 0; /* 64-bit hashes: a line seen before */
	p->set[j] = h;
	return 1;
}

static void set_line(struct build *b, void *arg, const char *s, size_t len, uint64_t hash, int64_t at)
{
	struct diff_proc *p = arg;

	(void)s, (void)len, (void)at;
	if (set_put(p, hash) < 0)
		b->nomem = 1;
}

/* A process ended: its lines go to the spool, its set goes. */
void diff_proc_end(struct build *b, struct diff_proc *p)
{
	proc_spill(b, p);
	if (p->cap > b->spare_cap) { /* kept for the next process: processes come and go by the thousand */
		free(b->spare);
		b->spare = p->buf;
		b->spare_cap = p->cap;
	} else {
		free(p->buf);
	}
	p->buf = NULL;
	p->cap = 0;
	free(p->set);
	p->set = NULL;
	p->setcap = 0;
	p->ended = 1;
}

/* Adds line s[0..len) (its diff_hash h) to p, unless p has it. */
void diff_proc_add_line(struct build *b, struct diff_proc *p, const char *s, size_t len, uint64_t h)
{
	if (b->io || b->nomem)
		return;
	if (!p->set && p->n && diff_proc_lines(b, p, set_line, p)) /* ended, and one more line */
		return;
	int put = set_put(p, h);
	if (put <= 0) {
		b->nomem |= put < 0;
		if (p->ended)
			diff_proc_end(b, p);
		return;
	}
	if (p->len + PROC_LINE_HEAD + len > PROC_BUF)
		proc_spill(b, p);
	if (!p->buf && b->spare) {
		p->buf = b->spare;
		p->cap = b->spare_cap;
		b->spare = NULL;
		b->spare_cap = 0;
	}
	if (p->len + PROC_LINE_HEAD + len > p->cap) {
		size_t cap = p->cap ? p->cap : 256;
		while (cap < p->len + PROC_LINE_HEAD + len)
			cap *= 2;
		uint8_t *nb = realloc(p->buf, cap);
		if (!nb) {
			b->nomem = 1;
			return;
		}
		p->buf = nb;
		p->cap = cap;
	}
	uint32_t len32 = (uint32_t)len;
	memcpy(p->buf + p->len, &len32, 4);
	memcpy(p->buf + p->len + 4, &h, 8);
	memcpy(p->buf + p->len + PROC_LINE_HEAD, s, len);
	p->len += PROC_LINE_HEAD + len;
	p->n++;
	p->fp = diff_fold(p->fp, h);
	if (p->ended) /* back to the spool, the set dropped again */
		diff_proc_end(b, p);
}

/* Adds the line made in b->ms to p, unless p has it. */
void diff_proc_add(struct build *b, struct diff_proc *p)
{
	if (fflush(b->ms) || b->nomem) {
		b->nomem = 1;
		return;
	}
	diff_proc_add_line(b, p, b->buf, b->len, diff_hash(b->buf, b->len));
}

/* A summary's head: [u64 lines][u64 fingerprint][u64 chunks], then each
 * chunk as [u64 heads][u64 lines]. */
#define SUMMARY_HEAD 24

uint64_t diff_proc_put_away(struct build *b, struct diff_proc *p)
{
	if (!p->ended)
		diff_proc_end(b, p); /* (its heads first) */
	if (b->nomem || b->io || !p->n)
		return 0;
	uint64_t at = b->heads_len, head[3] = { p->n, p->fp, p->nchunks };
	int bad = fwrite(head, sizeof(head), 1, b->heads) != 1;
	for (size_t i = 0; !bad && i < p->nchunks; i++) {
		uint64_t c[2] = { p->chunks[i].heads, p->chunks[i].n };
		bad = fwrite(c, sizeof(c), 1, b->heads) != 1;
	}
	if (bad) {
		diff_io_failed(b);
		return 0;
	}
	b->heads_len += SUMMARY_HEAD + p->nchunks * 16;
	return at + 1;
}

int diff_proc_back(struct build *b, uint64_t tag, struct diff_proc *p)
{
	uint64_t head[3];

	p->n = 0;
	p->nchunks = 0;
	if (!tag)
		return 0;
	if (view_cache_read(&b->heads_cache, b->heads, head, sizeof(head), tag - 1))
		goto io;
	if (head[2] > p->chunks_cap) {
		struct chunk *c = realloc(p->chunks, head[2] * sizeof(*c));
		if (!c) {
			b->nomem = 1;
			return -1;
		}
		p->chunks = c;
		p->chunks_cap = head[2];
	}
	for (uint64_t i = 0; i < head[2]; i++) {
		uint64_t c[2];
		if (view_cache_read(&b->heads_cache, b->heads, c, sizeof(c), tag - 1 + SUMMARY_HEAD + i * sizeof(c)))
			goto io;
		p->chunks[i] = (struct chunk){ c[0], c[1] }; /* (struct chunk has a size_t: not read whole) */
	}
	p->n = head[0];
	p->fp = head[1];
	p->nchunks = head[2];
	return 0;
io:
	diff_io_failed(b);
	return -1;
}

void diff_proc_clear(struct diff_proc *p)
{
	free(p->buf);
	free(p->chunks);
	free(p->set);
}

void diff_proc_free(struct diff_proc *p)
{
	if (p)
		diff_proc_clear(p);
	free(p);
}
