/* SPDX-License-Identifier: MIT */
/*
 * repeat_session: a long recording made of one real one. Reads a raw record
 * stream ([u32 little-endian length][bytes] per record, `aa-replay export
 * --raw` of a recorded session) and writes it again and again until BYTES
 * of records are out, each copy moved on in time and given pids, threads
 * and connection ids of its own, so that the copies are distinct sessions
 * one after another: what views read in a day of an agent's recordings.
 *
 *   repeat_session --bytes N < session.raw > long.raw
 *   repeat_session --copies N < session.raw > long.raw
 *
 * --bytes: whole copies until at least N bytes are out; --copies: N copies
 * (two recordings of one job repeated alike, whatever their sizes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "parse.h"

/* Far enough apart that no two copies share a pid or a connection. */
#define PID_STEP 100000u
#define CONN_STEP 1000000u

static void die(const char *what)
{
	fprintf(stderr, "repeat_session: %s\n", what);
	exit(2);
}

/* Moves one record into copy k: time on by shift, ids on by k steps. */
static void move_record(uint8_t *r, size_t len, uint64_t shift, uint32_t k)
{
	struct aa_event ev;
	uint32_t dp = k * PID_STEP;
	uint64_t dc = (uint64_t)k * CONN_STEP;

	if (aa_parse(r, len, &ev) != 0)
		return;
#define ID(p) ((p) = (p) ? (p) + dp : 0)
	switch (ev.type) {
	case AA_TYPE_TLS: { struct aa_tls_event *e = (void *)r; e->timestamp_ns += shift; ID(e->pid); ID(e->tid); break; }
	case AA_TYPE_FILE: { struct aa_file_event *e = (void *)r; e->timestamp_ns += shift; ID(e->pid); ID(e->tid); break; }
	case AA_TYPE_EXEC: { struct aa_exec_event *e = (void *)r; e->timestamp_ns += shift; ID(e->pid); ID(e->ppid); break; }
	case AA_TYPE_EXIT: { struct aa_exit_event *e = (void *)r; e->timestamp_ns += shift; ID(e->pid); break; }
	case AA_TYPE_TASK: {
		struct aa_task_event *e = (void *)r;
		e->timestamp_ns += shift;
		e->start_ns += e->start_ns ? shift : 0;
		ID(e->pid); ID(e->tid); ID(e->ppid);
		break;
	}
	case AA_TYPE_STRING: { struct aa_string_event *e = (void *)r; e->timestamp_ns += shift; ID(e->pid); ID(e->tid); break; }
	case AA_TYPE_TLS_CONN: {
		struct aa_tls_conn_event *e = (void *)r;
		e->timestamp_ns += shift;
		ID(e->pid); ID(e->tid);
		e->conn += e->conn ? dc : 0;
		e->ssl += e->ssl ? dc : 0;
		break;
	}
	case AA_TYPE_FILEOP: { struct aa_fileop_event *e = (void *)r; e->timestamp_ns += shift; ID(e->pid); ID(e->tid); break; }
	case AA_TYPE_NET: {
		struct aa_net_event *e = (void *)r;
		e->timestamp_ns += shift;
		ID(e->pid); ID(e->tid);
		e->conn += e->conn ? dc : 0;
		break;
	}
	case AA_TYPE_UNKNOWN:
		break;
	}
#undef ID
}

int main(int argc, char **argv)
{
	unsigned long long want = 0;
	int copies = argc == 3 && !strcmp(argv[1], "--copies");
	if (argc == 3 && (copies || !strcmp(argv[1], "--bytes"))) {
		char *end;
		errno = 0;
		want = strtoull(argv[2], &end, 0);
		if (errno || end == argv[2] || *end || argv[2][0] == '-')
			want = 0;
	}
	if (!want)
		die("usage: repeat_session --bytes N | --copies N < session.raw > long.raw");

	size_t cap = 1 << 20, n = 0;
	uint8_t *in = malloc(cap);
	for (size_t got; in && (got = fread(in + n, 1, cap - n, stdin)) > 0;) {
		n += got;
		if (n == cap)
			in = realloc(in, cap *= 2);
	}
	if (!in || ferror(stdin) || n == 0)
		die("no raw record stream on standard input");

	/* The session's span: each copy starts just after the one before. */
	uint64_t first = UINT64_MAX, last = 0;
	for (size_t off = 0; off + 4 <= n;) {
		uint32_t len = aat_le32(in + off);
		if (len > n - off - 4)
			die("the stream ends inside a record");
		uint64_t t = aa_record_mono_ns(in + off + 4, len);
		if (t) {
			first = t < first ? t : first;
			last = t > last ? t : last;
		}
		off += 4 + (size_t)len;
	}
	uint64_t span = last >= first && first != UINT64_MAX ? last - first + 1000000 : 1000000;

	static uint64_t rec_words[(AA_TLS_PAYLOAD_MAX + 4096) / 8];
	uint8_t *rec = (uint8_t *)rec_words, *copy = malloc(n);
	if (!copy)
		die("out of memory");
	unsigned long long out = 0;
	for (uint32_t k = 0; copies ? k < want : out < want; k++) {
		memcpy(copy, in, n);
		for (size_t off = 0; off < n;) {
			uint32_t len = aat_le32(copy + off);
			/* Records sit unaligned after their length: moved in an aligned copy. */
			if (len <= sizeof(rec_words)) {
				memcpy(rec, copy + off + 4, len);
				move_record(rec, len, (uint64_t)k * span, k);
				memcpy(copy + off + 4, rec, len);
			}
			off += 4 + (size_t)len;
		}
		if (fwrite(copy, 1, n, stdout) != n)
			die("cannot write the stream");
		out += n;
	}
	free(copy);
	free(in);
	return fflush(stdout) == 0 ? 0 : 2;
}
