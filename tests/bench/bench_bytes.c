/* SPDX-License-Identifier: MIT */
/*
 * bench_bytes: bytes on disk (issue 12, goal 3), part of `make bench-core`.
 *
 *   bench_bytes [--mb N] [--runs R] [--dir DIR]
 *
 * For each mix of records, as a raw stream ([u32 length][record], what
 * `aa-replay export --raw` writes): the capture file the writer makes at
 * level 3 (RECORDS chunks transformed, FORMAT.md 3.1), beside one zstd
 * frame of the whole raw stream at -3 and at -19 (libzstd in process); the
 * writer's time beside zstd -3's (median of R runs, default 5); and the
 * decoding of the file's chunks (aa_chunk_decompress) beside plain zstd
 * frames of the same chunks (what the files before the transform held).
 * The mixes: the committed live fixture (tests/fixtures/live.pcapng, its
 * 708 records once: its times are of 10 x R runs, at most 64), the soak's load (one
 * process opening missing files flat out, 50 execs of /bin/true a second:
 * tests/reliability/soak.sh), a TLS-heavy agent (an LLM API over TLS: a
 * request of a system prompt and a new message written, the answer read as
 * small server-sent events, each call with its tls_conn record)
 * and bench_core's session mix (random words: the least to gain).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "blocks.h"
#include "capfile.h"
#include "chunk.h"
#include "events.h"
#include "files.h"
#include "pcapng.h"
#include "recs.h"
#include "rng.h"
#include "session.h"
#include "writer.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_bytes: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the mixes ---- */

static void soak_mix(struct aat_recs *out, double mb)
{
	struct aat_rng r;
	aat_rng_seed(&r, 12);
	uint64_t ts = 5000000000ull;
	uint32_t gen = 31337, next = 40000, marker = 0;
	while (out->used < mb * 1e6) {
		struct aa_file_event f;
		memset(&f, 0, sizeof(f));
		f.pid = f.tid = gen;
		ts += aat_between(&r, 30000, 70000); /* 20000 a second, paced */
		f.timestamp_ns = ts;
		f.syscall = AA_SYS_OPENAT;
		f.flags = 0x80000;
		f.return_code = -2;
		f.duration_ns = aat_between(&r, 1800, 6000);
		snprintf((char *)f.path, sizeof(f.path), "/tmp/aa-soak.Xq3vT9/soak-marker-%u", marker++);
		aat_recs_add(out, &f, sizeof(f));
		if (marker % 400)
			continue;
		/* fork, exec /bin/true, exit: the records a real capture gives */
		uint32_t pid = next++;
		struct aa_task_event t;
		memset(&t, 0, sizeof(t));
		t.timestamp_ns = ts += aat_between(&r, 20000, 60000);
		t.pid = t.tid = t.ns_pid = pid;
		t.ppid = gen;
		t.kind = AA_TASK_FORK;
		t.start_ns = ts;
		t.cgroup_id = 7785;
		t.pidns_ino = 4026531836u;
		strcpy((char *)t.comm, "python3");
		strcpy((char *)t.cgroup, "session-3.scope");
		aat_recs_add(out, &t, sizeof(t));
		t.timestamp_ns = ts += aat_between(&r, 100000, 300000);
		t.kind = AA_TASK_EXEC;
		memset(t.comm, 0, sizeof(t.comm));
		strcpy((char *)t.comm, "true");
		aat_recs_add(out, &t, sizeof(t));
		struct aa_string_event s;
		memset(&s, 0, sizeof(s));
		s.timestamp_ns = ts;
		s.pid = s.tid = pid;
		s.total_len = s.orig_len = 10;
		s.kind = AA_STRING_ARGV;
		memcpy(s.data, "/bin/true", 10);
		aat_recs_add(out, &s, sizeof(s));
		struct aa_exec_event e;
		memset(&e, 0, sizeof(e));
		e.timestamp_ns = ts;
		e.pid = pid;
		e.ppid = gen;
		strcpy((char *)e.filename, "/bin/true");
		strcpy((char *)e.args, "/bin/true");
		aat_recs_add(out, &e, sizeof(e));
		t.timestamp_ns = ts += aat_between(&r, 300000, 900000);
		t.kind = AA_TASK_EXIT;
		aat_recs_add(out, &t, sizeof(t));
		struct aa_exit_event x = {.timestamp_ns = ts, .pid = pid, .exit_code = 0};
		aat_recs_add(out, &x, sizeof(x));
	}
}

static const char *const words[] = {
	"the", "file", "function", "returns", "error", "test", "build", "fix", "line",
	"value", "path", "read", "write", "config", "parser", "should", "we", "can",
	"change", "result", "src/main.c", "make", "run", "check", "output", "is", "a",
};

/* Appends n words to text (at most cap bytes). */
static size_t add_words(struct aat_rng *r, char *text, size_t at, size_t cap, int n)
{
	for (int i = 0; i < n && at + 16 < cap; i++) {
		const char *w = words[aat_below(r, sizeof(words) / sizeof(words[0]))];
		at += (size_t)snprintf(text + at, cap - at, "%s%s", i ? " " : "", w);
	}
	return at;
}

static void tls_call(struct aat_recs *out, uint64_t ts, uint32_t pid, uint8_t dir,
		     const char *data, uint32_t len, uint64_t conn)
{
	struct aa_tls_conn_event c;
	memset(&c, 0, sizeof(c));
	c.timestamp_ns = ts;
	c.pid = c.tid = pid;
	c.conn = conn;
	c.fd = 5;
	c.family = 2;
	c.lib = AA_TLS_LIB_OPENSSL;
	c.direction = dir;
	c.local_addr[0] = 10, c.local_addr[3] = 7;
	c.peer_addr[0] = 104, c.peer_addr[1] = 18, c.peer_addr[3] = 32;
	c.local_port = 51234;
	c.peer_port = 443;
	c.data_len = len;
	c.ssl = 0x55d1c2a3b4c0ull;
	aat_recs_add(out, &c, sizeof(c));
	for (uint32_t seq = 0; seq * AA_TLS_PAYLOAD_MAX < len || seq == 0; seq++) {
		static struct aa_tls_event e;
		memset(&e, 0, sizeof(e));
		e.timestamp_ns = ts;
		e.pid = pid;
		e.tid = pid;
		e.data_len = len;
		e.seq = seq;
		e.direction = dir;
		uint32_t piece = len - seq * AA_TLS_PAYLOAD_MAX;
		if (piece > AA_TLS_PAYLOAD_MAX)
			piece = AA_TLS_PAYLOAD_MAX;
		memcpy(e.payload, data + seq * AA_TLS_PAYLOAD_MAX, piece);
		aat_recs_add(out, &e, sizeof(e));
	}
}

static void tls_mix(struct aat_recs *out, double mb)
{
	struct aat_rng r;
	aat_rng_seed(&r, 13);
	static char msg[4096], req[8192], ev[512];
	uint64_t ts = 9000000000ull, conn = 918273;
	uint32_t pid = 2201;
	while (out->used < mb * 1e6) {
		if (aat_below(&r, 8) == 0)
			conn++; /* a new connection */
		size_t m = add_words(&r, msg, 0, sizeof(msg), (int)aat_between(&r, 5, 300));
		int n = snprintf(req, sizeof(req),
				 "POST /v1/messages HTTP/1.1\r\nHost: api.example.com\r\n"
				 "content-type: application/json\r\nanthropic-version: 2023-06-01\r\n"
				 "content-length: %zu\r\n\r\n{\"model\":\"aa-test\",\"stream\":true,"
				 "\"max_tokens\":1024,\"system\":\"You are a coding agent. Use the tools "
				 "to read and change files; run the tests before you answer.\",\"messages\":"
				 "[{\"role\":\"user\",\"content\":\"%s\"}]}",
				 m + 220, msg);
		tls_call(out, ts += aat_between(&r, 200000, 2000000), pid, AA_TLS_WRITE, req,
			 (uint32_t)n, conn);
		n = snprintf(req, sizeof(req), "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
				 "request-id: req_%016llx\r\n\r\n",
				 (unsigned long long)aat_rand(&r));
		tls_call(out, ts += aat_between(&r, 100000000, 400000000), pid, AA_TLS_READ, req,
			 (uint32_t)n, conn);
		for (int k = (int)aat_between(&r, 10, 60); k > 0; k--) {
			size_t at = (size_t)snprintf(ev, sizeof(ev),
						     "event: content_block_delta\ndata: {\"type\":"
						     "\"content_block_delta\",\"index\":0,\"delta\":"
						     "{\"type\":\"text_delta\",\"text\":\"");
			at = add_words(&r, ev, at, sizeof(ev) - 8, (int)aat_between(&r, 1, 4));
			at += (size_t)snprintf(ev + at, sizeof(ev) - at, "\"}}\n\n");
			tls_call(out, ts += aat_between(&r, 5000000, 40000000), pid, AA_TLS_READ, ev,
				 (uint32_t)at, conn);
		}
	}
}

static void session_mix(struct aat_recs *out, double mb)
{
	struct aat_session s;
	aat_session_init(&s, 1, 1000000000ull);
	static uint8_t buf[AAT_GEN_MAX];
	while (out->used < mb * 1e6)
		aat_recs_add(out, buf, aat_session_next(&s, buf));
}

/* The live fixture's records, as they are. */
static void live_mix(struct aat_recs *out, const char *raw_path)
{
	uint8_t *s;
	size_t n;
	if (aat_read_file(raw_path, &s, &n) != 0)
		die(raw_path);
	for (size_t p = 0; p + 4 <= n; p += 4 + aa_get32(s + p))
		aat_recs_add(out, s + p + 4, aa_get32(s + p));
	free(s);
}

/* ---- the measures ---- */

static uint8_t *raw_stream(const struct aat_recs *l, size_t *n)
{
	uint8_t *s = malloc(l->used + 4 * l->n);
	if (!s)
		die("memory");
	size_t at = 0;
	for (size_t i = 0; i < l->n; i++) {
		aa_put32(s + at, l->len[i]);
		memcpy(s + at + 4, aat_recs_at(l, i), l->len[i]);
		at += 4 + l->len[i];
	}
	*n = at;
	return s;
}

static size_t zstd_size(const uint8_t *s, size_t n, int level, int runs, double *secs)
{
	size_t bound = ZSTD_compressBound(n);
	uint8_t *z = malloc(bound);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	double t[64];
	size_t zn = 0;
	for (int i = 0; i < runs; i++) {
		double t0 = now();
		zn = ZSTD_compress2(c, z, bound, s, n);
		t[i] = now() - t0;
	}
	if (ZSTD_isError(zn))
		die("zstd");
	if (secs)
		*secs = median(t, runs);
	ZSTD_freeCCtx(c);
	free(z);
	return zn;
}

static size_t write_file(const struct aat_recs *l, const char *path, int runs, double *secs)
{
	double t[64];
	for (int i = 0; i < runs; i++) {
		unlink(path);
		double t0 = now();
		struct aa_writer *w;
		struct aa_writer_opts wo = {.level = 3, .source = "bench"};
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			die(path);
		int rc = aa_writer_open(&w, fd, path, &wo);
		for (size_t k = 0; rc == 0 && k < l->n; k++)
			rc = aa_writer_add(w, aat_recs_at(l, k), l->len[k]);
		if (rc == 0)
			rc = aa_writer_close(w);
		t[i] = now() - t0;
		if (rc != 0) {
			fprintf(stderr, "bench_bytes: writer: %d\n", rc);
			exit(1);
		}
	}
	*secs = median(t, runs);
	uint8_t *f;
	size_t n;
	if (aat_read_file(path, &f, &n) != 0)
		die(path);
	free(f);
	return n;
}

/* Decoding every RECORDS chunk of the file, and the same chunks as plain
 * zstd frames (the encoding before): median times. */
static void decode_times(const char *path, int runs, double *xform, double *plain)
{
	uint8_t *f;
	size_t n;
	if (aat_read_file(path, &f, &n) != 0)
		die(path);
	struct aat_block *b;
	long nb = aat_blocks(f, n, &b);
	struct aa_chunk_hdr *h = calloc((size_t)nb, sizeof(*h));
	const uint8_t **st = calloc((size_t)nb, sizeof(*st));
	uint8_t **pf = calloc((size_t)nb, sizeof(*pf));
	size_t *pl = calloc((size_t)nb, sizeof(*pl));
	uint8_t *out = malloc(AA_CHUNK_RAW_MAX);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	char detail[64];
	for (long i = 0; i < nb; i++) {
		if (b[i].kind != AA_CHUNK_RECORDS)
			continue;
		uint64_t ts = (uint64_t)aa_get32(f + b[i].off + 12) << 32 | aa_get32(f + b[i].off + 16);
		if (aa_chunk_check(f + b[i].data_off, b[i].data_len, ts, &h[i], &st[i], detail) ||
		    aa_chunk_decompress(d, &h[i], st[i], out, detail))
			die(detail);
		pf[i] = malloc(ZSTD_compressBound(h[i].raw_len));
		pl[i] = ZSTD_compress2(c, pf[i], ZSTD_compressBound(h[i].raw_len), out, h[i].raw_len);
	}
	double tx[64], tp[64];
	for (int k = 0; k < runs; k++) {
		double t0 = now();
		for (long i = 0; i < nb; i++)
			if (pf[i] && aa_chunk_decompress(d, &h[i], st[i], out, detail))
				die(detail);
		double t1 = now();
		for (long i = 0; i < nb; i++)
			if (pf[i] && ZSTD_isError(ZSTD_decompressDCtx(d, out, AA_CHUNK_RAW_MAX, pf[i], pl[i])))
				die("zstd -d");
		tx[k] = t1 - t0;
		tp[k] = now() - t1;
	}
	*xform = median(tx, runs);
	*plain = median(tp, runs);
	for (long i = 0; i < nb; i++)
		free(pf[i]);
	free(pf), free(pl), free(h), free(st), free(out), free(b), free(f);
	ZSTD_freeCCtx(c);
	ZSTD_freeDCtx(d);
}

static void measure(const char *name, const struct aat_recs *l, const char *dir, int runs)
{
	size_t n;
	uint8_t *s = raw_stream(l, &n);
	double tz3, tw, tdx, tdp;
	size_t z3 = zstd_size(s, n, 3, runs, &tz3);
	size_t z19 = zstd_size(s, n, 19, 1, NULL);
	char *path = aat_path(dir, "bench_bytes.pcapng");
	size_t fsz = write_file(l, path, runs, &tw);
	decode_times(path, runs, &tdx, &tdp);
	unlink(path);
	free(path);
	double mb = (double)n / 1e6;
	printf("%-8s %6.1f MB %8zu recs | file %8zu  zstd -3 %8zu  -19 %8zu | file/zstd-3 %.3f  "
	       "file/zstd-19 %.3f | write %6.1f MB/s, zstd -3 %6.1f MB/s: %.2fx | chunk decode "
	       "%6.0f MB/s, plain %6.0f MB/s: %.2fx\n",
	       name, mb, l->n, fsz, z3, z19, (double)fsz / (double)z3, (double)fsz / (double)z19,
	       mb / tw, mb / tz3, tz3 / tw, mb / tdx, mb / tdp, tdp / tdx);
	fflush(stdout);
	free(s);
}

int main(int argc, char **argv)
{
	double mb = 8;
	int runs = 5;
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	const char *build = getenv("AA_BUILD") ? getenv("AA_BUILD") : "build";
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mb"))
			mb = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
	}
	if (runs < 1 || runs > 64 || mb <= 0) {
		fprintf(stderr, "usage: bench_bytes [--mb N] [--runs 1..64] [--dir DIR]\n");
		return 2;
	}
	printf("bytes on disk: the writer (level 3, RECORDS chunks transformed) beside one zstd\n"
	       "frame of the raw stream; times are medians of %d runs (zstd -19: size only)\n",
	       runs);
	/* the live fixture's records, from aa-replay export --raw */
	char raw_path[4096], cmd[8300];
	snprintf(raw_path, sizeof(raw_path), "%s/bench_bytes_live.%d.raw", dir, (int)getpid());
	snprintf(cmd, sizeof(cmd), "%s/aa-replay export --raw tests/fixtures/live.pcapng %s",
		 build, raw_path);
	struct aat_recs l = {0};
	if (system(cmd) == 0) {
		live_mix(&l, raw_path);
		measure("live", &l, dir, runs * 10 > 64 ? 64 : runs * 10);
	} else {
		fprintf(stderr, "bench_bytes: %s failed: live mix skipped\n", cmd);
	}
	unlink(raw_path);
	aat_recs_clear(&l);
	soak_mix(&l, mb);
	measure("soak", &l, dir, runs);
	aat_recs_clear(&l);
	tls_mix(&l, mb);
	measure("tls", &l, dir, runs);
	aat_recs_clear(&l);
	session_mix(&l, mb);
	measure("session", &l, dir, runs);
	aat_recs_free(&l);
	return 0;
}
