/* SPDX-License-Identifier: MIT */
/*
 * bench_core: the core issue's speed figures, measured in one run on the
 * same bytes.
 *
 *   bench_core [--mb N] [--level L] [--runs R] [--dir DIR]
 *
 * Generates N MB (default 200) of a session-like raw stream (gen_session's
 * mix), then, each R times (default 3) keeping the best:
 *   1. write a capture file through the writer, in process, and
 *      `zstd -q -L -c` on the same raw stream bytes;
 *   2. replay that file in a fresh process (open, decode, parse, dispatch to
 *      callbacks that read each event), and `zstd -q -d -c` of zstd's output;
 * and prints both speeds, their ratio against the goals (writer >= 0.8 of
 * zstd, replay >= 0.7 of zstd -d), records/s, MB/s (of the raw stream) and
 * the replaying process's peak memory. Files go to DIR (default /dev/shm
 * when it exists, so that the disk does not decide the result).
 *
 * The replay runs with reading threads 0 (the caller's thread alone), 1
 * and 2 (aa_replay_opts.threads), interleaved with zstd -d; each replay's
 * CPU time (user + system, all its threads) is printed beside its wall time.
 *
 *   bench_core --replay FILE THREADS   (internal: the timed replay, in its own process)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "aa_replay.h"
#include "benchrun.h"
#include "files.h"
#include "recs.h"
#include "session.h"
#include "writer.h"


static double min2(double a, double b)
{
	return a < b ? a : b;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_core: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* What the callbacks read, so that the compiler cannot skip the reading. */
struct touch {
	uint64_t sum, events;
};

static int on_tls(void *u, const struct aa_record *r)
{
	struct touch *t = u;
	const struct aa_tls_event *e = r->ev.tls;
	t->sum += e->pid + e->data_len + e->payload[0] + r->time_ns;
	t->events++;
	return 0;
}

static int on_file(void *u, const struct aa_record *r)
{
	struct touch *t = u;
	const struct aa_file_event *e = r->ev.file;
	t->sum += e->pid + e->syscall + (uint64_t)e->return_code + e->path[1] + r->time_ns;
	t->events++;
	return 0;
}

static int on_exec(void *u, const struct aa_record *r)
{
	struct touch *t = u;
	t->sum += r->ev.exec->pid + r->ev.exec->ppid + r->ev.exec->args[0] + r->time_ns;
	t->events++;
	return 0;
}

static int on_exit_(void *u, const struct aa_record *r)
{
	struct touch *t = u;
	t->sum += r->ev.exit->pid + (uint64_t)r->ev.exit->exit_code + r->time_ns;
	t->events++;
	return 0;
}

static int on_unknown(void *u, const struct aa_record *r)
{
	struct touch *t = u;
	t->sum += r->ev.len;
	t->events++;
	return 0;
}

/* The timed replay, in a process of its own so that its peak memory is its own. */
static int replay_main(const char *path, unsigned threads)
{
	struct aa_replay_opts opts = {.threads = threads};
	struct touch t = {0};
	/* The evidence records are touched as unknown ones are: by length. */
	struct aa_callbacks cb = {.on_tls = on_tls, .on_file = on_file, .on_exec = on_exec,
				  .on_exit = on_exit_, .on_task = on_unknown, .on_string = on_unknown,
				  .on_tls_conn = on_unknown, .on_fileop = on_unknown, .on_net = on_unknown,
				  .on_unknown = on_unknown};
	double t0 = aat_now();
	aa_source *src;
	struct aa_error_info err;
	if (aa_open_offline(&src, &path, 1, &opts, &err) != 0) {
		fprintf(stderr, "bench_core: %s: %s\n", path, err.detail);
		return 1;
	}
	int rc = aa_dispatch(src, &cb, &t);
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	aa_close(src);
	double secs = aat_now() - t0;
	if (rc != 0 || !st.intact) {
		fprintf(stderr, "bench_core: replay of %s: %s\n", path, aa_error_name(rc));
		return 1;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("%.6f %llu %ld %.6f %llu\n", secs, (unsigned long long)t.events, ru.ru_maxrss, cpu,
	       (unsigned long long)t.sum);
	return 0;
}

/* libzstd in this process on the whole stream at once: compression and
 * decompression with no I/O at all, the strictest reference. */
static void libzstd_times(const char *raw_path, int level, int runs, double *c, double *d)
{
	uint8_t *raw;
	size_t n;
	if (aat_read_file(raw_path, &raw, &n) != 0)
		die(raw_path);
	size_t bound = ZSTD_compressBound(n);
	uint8_t *z = malloc(bound), *back = malloc(n);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	if (!z || !back || !cctx || !dctx)
		die("memory");
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	*c = *d = 1e9;
	for (int i = 0; i < runs; i++) {
		double t0 = aat_now();
		size_t zn = ZSTD_compress2(cctx, z, bound, raw, n);
		double t1 = aat_now();
		size_t bn = ZSTD_decompressDCtx(dctx, back, n, z, zn);
		double t2 = aat_now();
		if (ZSTD_isError(zn) || bn != n) {
			fprintf(stderr, "bench_core: libzstd failed\n");
			exit(1);
		}
		*c = min2(*c, t1 - t0);
		*d = min2(*d, t2 - t1);
	}
	ZSTD_freeCCtx(cctx);
	ZSTD_freeDCtx(dctx);
	free(z);
	free(back);
	free(raw);
}

/* Runs our own --replay in a fresh process and reads its report. */
static double run_replay(const char *self, const char *path, unsigned threads,
			 unsigned long long *events, long *maxrss_kb, double *cpu)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "'%s' --replay '%s' %u", self, path, threads);
	char out[256];
	if (aat_run(cmd, out, sizeof(out)) != 0) {
		fprintf(stderr, "bench_core: the replay failed\n");
		exit(1);
	}
	double secs;
	if (sscanf(out, "%lf %llu %ld %lf", &secs, events, maxrss_kb, cpu) != 4) {
		fprintf(stderr, "bench_core: the replay said: %s\n", out);
		exit(1);
	}
	return secs;
}

static double write_capture(const struct aat_recs *recs, const char *path, int level)
{
	struct aa_writer_opts wo = {.level = level, .source = "bench"};
	return aat_write_timed("bench_core", recs, path, &wo);
}

static long long file_size(const char *path)
{
	return aat_file_size("bench_core", path);
}

int main(int argc, char **argv)
{
	double mb = 200;
	int level = 3, runs = 3;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	if (argc == 4 && !strcmp(argv[1], "--replay"))
		return replay_main(argv[2], (unsigned)atoi(argv[3]));
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mb"))
			mb = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--level"))
			level = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--dir"))
			base = argv[i + 1];
		else {
			fprintf(stderr, "usage: bench_core [--mb N] [--level L] [--runs R] [--dir DIR]\n");
			return 2;
		}
	}
	if (argc % 2 == 0 || mb <= 0 || runs < 1) {
		fprintf(stderr, "usage: bench_core [--mb N] [--level L] [--runs R] [--dir DIR]\n");
		return 2;
	}
	if (base)
		setenv("TMPDIR", base, 1);
	char *dir = aat_tmpdir();
	if (!dir)
		die("temporary directory");
	char *raw = aat_path(dir, "stream.raw"), *cap = aat_path(dir, "stream.pcapng");
	char *zst = aat_path(dir, "stream.raw.zst");

	/* The input: a session-like mix, as records in memory and as a raw stream file. */
	struct aat_session s;
	aat_session_init(&s, 1, 1000000000ull);
	struct aat_recs recs = {0};
	uint64_t want = (uint64_t)(mb * 1e6), stream = 0, by_type[AA_TYPE_COUNT] = {0};
	static uint8_t buf[AAT_GEN_MAX];
	while (stream < want) {
		size_t len = aat_session_next(&s, buf);
		aat_recs_add(&recs, buf, len);
		stream += 4 + len;
		by_type[len == AA_TLS_EVENT_SIZE ? AA_TYPE_TLS : len == AA_FILE_EVENT_SIZE ? AA_TYPE_FILE :
			len == AA_EXEC_EVENT_SIZE ? AA_TYPE_EXEC : AA_TYPE_EXIT]++;
	}
	if (aat_recs_write_raw(&recs, raw) != 0)
		die(raw);
	double smb = (double)stream / 1e6;
	printf("input: %zu records, %.1f MB raw stream (%s): file %.1f%%, exec %.1f%%, exit %.1f%%, tls %.1f%% of records\n",
	       recs.n, smb, dir, 100.0 * by_type[AA_TYPE_FILE] / recs.n,
	       100.0 * by_type[AA_TYPE_EXEC] / recs.n, 100.0 * by_type[AA_TYPE_EXIT] / recs.n,
	       100.0 * by_type[AA_TYPE_TLS] / recs.n);
	printf("zstd level %d, best of %d runs\n\n", level, runs);
	fflush(stdout);

	char lvl[16];
	snprintf(lvl, sizeof(lvl), "-%d", level);
	char *zc[] = {"zstd", "-q", lvl, "-c", raw, NULL};
	char *zd[] = {"zstd", "-q", "-d", "-T1", "-c", zst, NULL};
	double w = 1e9, zw = 1e9, zr = 1e9;
	/* the replay with these reading threads */
	static const unsigned rt[] = {0, 1, 2};
	enum { NRT = sizeof(rt) / sizeof(rt[0]) };
	double rw[NRT], rc[NRT];
	long rss[NRT] = {0};
	unsigned long long events = 0;
	for (int i = 0; i < runs; i++) {
		w = min2(w, write_capture(&recs, cap, level));
		zw = min2(zw, aat_run_timed("bench_core", zc, zst, NULL));
	}
	for (int t = 0; t < NRT; t++)
		rw[t] = rc[t] = 1e9;
	for (int i = 0; i < runs; i++) {
		for (int t = 0; t < NRT; t++) {
			long this_rss;
			double cpu;
			rw[t] = min2(rw[t], run_replay(argv[0], cap, rt[t], &events, &this_rss, &cpu));
			rc[t] = min2(rc[t], cpu);
			if (this_rss > rss[t])
				rss[t] = this_rss;
		}
		zr = min2(zr, aat_run_timed("bench_core", zd, NULL, NULL));
	}
	double r = rw[0];
	/* The same writing through the program, reading the raw stream file. */
	double capture_secs = 0;
	char *capture = aat_build_path("aa-capture"), *cap2 = aat_path(dir, "capture.pcapng");
	if (access(capture, X_OK) == 0) {
		char *cc[] = {capture, "-q", "--level", lvl + 1, "-r", raw, "-w", cap2, NULL};
		capture_secs = 1e9;
		for (int i = 0; i < runs; i++)
			capture_secs = min2(capture_secs, aat_run_timed("bench_core", cc, NULL, NULL));
	}
	free(capture);
	free(cap2);
	if (events != recs.n) {
		fprintf(stderr, "bench_core: the replay saw %llu records of %zu\n", events, recs.n);
		return 1;
	}
	double lc, ld;
	libzstd_times(raw, level, runs, &lc, &ld);
	long long cap_size = file_size(cap), zst_size = file_size(zst);
	double wr = zw / w, rr = zr / r;
	printf("write   aa writer   %7.3f s %9.0f records/s %8.1f MB/s   file %6.1f MB (%.2fx)\n", w,
	       recs.n / w, smb / w, cap_size / 1e6, (double)stream / cap_size);
	printf("        zstd %-6s %7.3f s %9.0f records/s %8.1f MB/s   file %6.1f MB (%.2fx)\n", lvl, zw,
	       recs.n / zw, smb / zw, zst_size / 1e6, (double)stream / zst_size);
	printf("        ratio %.2f (goal >= 0.80): %s\n", wr, wr >= 0.8 ? "met" : "MISSED");
	printf("        (libzstd in process, one frame, no I/O: %.3f s, %.1f MB/s; ratio %.2f)\n", lc,
	       smb / lc, lc / w);
	if (capture_secs > 0)
		printf("        (aa-capture -r on the raw stream file: %.3f s, %.1f MB/s)\n", capture_secs,
		       smb / capture_secs);
	printf("\n");
	for (int t = 0; t < NRT; t++)
		printf("%s aa replay T%u %7.3f s %9.0f records/s %8.1f MB/s  ratio %.2f  CPU %.3f s"
		       "  peak memory %ld KiB\n", t ? "       " : "replay ", rt[t], rw[t],
		       recs.n / rw[t], smb / rw[t], zr / rw[t], rc[t], rss[t]);
	printf("        zstd -d -T1  %7.3f s %9.0f records/s %8.1f MB/s\n", zr, recs.n / zr, smb / zr);
	printf("        (T: aa_replay_opts.threads, workers beside the caller's thread)\n");
	printf("        ratio %.2f (goal >= 0.70): %s\n", rr, rr >= 0.7 ? "met" : "MISSED");
	printf("        (libzstd in process, one frame, no I/O: %.3f s, %.1f MB/s; ratio %.2f)\n", ld,
	       smb / ld, ld / r);

	aat_recs_free(&recs);
	free(raw);
	free(cap);
	free(zst);
	aat_tmpdir_remove(dir);
	return 0;
}
