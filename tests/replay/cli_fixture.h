/* SPDX-License-Identifier: MIT */
/*
 * Shared by the aa-replay tests (header only: tests.mk builds each test_*.c
 * alone). A capture file written through the real writer: five known
 * records, one of each kind with fields to check, amid a random mix of all
 * types, invalid records and unknown sizes; and running build/aa-replay on
 * it with its exit status, stdout and stderr.
 */
#ifndef AAT_CLI_FIXTURE_H
#define AAT_CLI_FIXTURE_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"
#include "recs.h"

/* Wall clock = monotonic + this: record time stamp 0 is 2026-11-25T21:30:01Z. */
#define FX_MONO_TO_WALL INT64_C(1795642201000000000)
#define FX_KNOWN 5          /* known records, at index FX_KNOWN_AT.. */
#define FX_KNOWN_AT 100
#define FX_PID_EXEC 900001u /* pids no generated record has (checked) */
#define FX_PID_FILE 900002u
#define FX_PID_TLS 900004u

struct fx {
	char *dir;
	char *path;       /* the capture file */
	char *replay;     /* build/aa-replay */
	struct aat_recs recs;
	struct aat_mix_counts counts;
	uint64_t digest;  /* the writer's stream digest */
	uint64_t first_ts, last_ts; /* smallest and largest monotonic time stamps */
};

static inline void fx_known(struct aat_recs *out, uint64_t ts)
{
	struct aa_exec_event ex = { .timestamp_ns = ts, .pid = FX_PID_EXEC, .ppid = 1, .uid = 1000 };
	struct aa_file_event fi = { .pid = FX_PID_FILE, .tid = FX_PID_FILE + 1, .timestamp_ns = ts + 1,
				    .syscall = AA_SYS_RENAME, .flags = 0x241, .return_code = -13,
				    .duration_ns = 1500 };
	static struct aa_tls_event tl = { .pid = FX_PID_TLS, .tid = FX_PID_TLS, .data_len = 10,
					  .seq = 0, .direction = AA_TLS_WRITE };
	struct aa_exit_event xe = { .timestamp_ns = ts + 3, .pid = FX_PID_EXEC, .exit_code = 137 };
	const uint8_t unk[7] = { 1, 2, 3, 4, 5, 6, 7 };

	strcpy((char *)ex.filename, "/usr/bin/printf");
	strcpy((char *)ex.args, "printf %s \"hi\"");
	strcpy((char *)fi.path, "/tmp/a b\tc");
	tl.timestamp_ns = ts + 2;
	memcpy(tl.payload, "hello\nworld", 11); /* the 11th byte is past data_len */
	aat_recs_add(out, &ex, sizeof(ex));
	aat_recs_add(out, &fi, sizeof(fi));
	aat_recs_add(out, &tl, sizeof(tl));
	aat_recs_add(out, &xe, sizeof(xe));
	aat_recs_add(out, unk, sizeof(unk));
}

/* Counts the known records as the parser does. */
static inline void fx_count_known(struct aat_mix_counts *c)
{
	c->by_type[AA_TYPE_EXEC]++;
	c->by_type[AA_TYPE_FILE]++;
	c->by_type[AA_TYPE_TLS]++;
	c->by_type[AA_TYPE_EXIT]++;
	c->by_type[AA_TYPE_UNKNOWN]++;
}

/* A fixture with its directory and the program, and no file yet. */
static inline void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->dir = aat_tmpdir();
	cr_assert_not_null(f->dir);
	f->path = aat_path(f->dir, "cap.pcapng");
	char *rel = aat_build_path("aa-replay");
	f->replay = realpath(rel, NULL); /* commands run in f->dir */
	cr_assert_not_null(f->replay, "%s is not built", rel);
	free(rel);
}

/*
 * n records (n > FX_KNOWN_AT + FX_KNOWN), the known ones at FX_KNOWN_AT,
 * written in chunks of at most chunk_raw bytes, flushed every flush_every
 * records (0: only when full).
 */
static inline void fx_make(struct fx *f, uint64_t seed, size_t n, size_t chunk_raw,
			   size_t flush_every)
{
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .chunk_raw_max = chunk_raw,
				    .source = "test", .hostname = "capture-host",
				    .kernel = "5.15.0-test", .arch = "aarch64" };
	struct aat_rng r;
	uint64_t ts = 1000;

	fx_init(f);
	aat_rng_seed(&r, seed);
	f->first_ts = ts;
	aat_gen_mix(&r, FX_KNOWN_AT, 6000, &ts, &f->recs, &f->counts);
	fx_known(&f->recs, ts);
	fx_count_known(&f->counts);
	ts += 10;
	aat_gen_mix(&r, n - FX_KNOWN_AT - FX_KNOWN, 6000, &ts, &f->recs, &f->counts);
	f->last_ts = 0;
	for (size_t i = 0; i < f->recs.n; i++) {
		uint64_t t = aa_record_mono_ns(aat_recs_at(&f->recs, i), f->recs.len[i]);
		uint32_t pid;
		struct aa_event ev;

		if (t > f->last_ts)
			f->last_ts = t;
		aa_parse(aat_recs_at(&f->recs, i), f->recs.len[i], &ev);
		if ((i < FX_KNOWN_AT || i >= FX_KNOWN_AT + FX_KNOWN) && aa_event_pid(&ev, &pid))
			cr_assert(pid < FX_PID_EXEC || pid > FX_PID_TLS, "seed gives a known pid");
	}
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &o, flush_every, &f->digest), 0);
}

/* f->recs as they are (a test's own records) written to f->path. */
static inline void fx_write(struct fx *f)
{
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };

	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &o, 0, NULL), 0);
}

/* f's capture file opened for reading with opts (NULL: the defaults). */
static inline aa_source *fx_open(struct fx *f, const struct aa_replay_opts *opts)
{
	aa_source *src;
	const char *paths[] = { f->path };

	cr_assert_eq(aa_open_offline(&src, paths, 1, opts, NULL), 0);
	return src;
}

/* Peak RSS in KiB of `aa-replay CMD ARG cap.pcapng` on f, its output thrown away. */
static inline long fx_peak_kib(struct fx *f, const char *cmd, const char *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (chdir(f->dir) != 0 || !freopen("/dev/null", "w", stdout))
			_exit(126);
		/* Under make SAN=1, ASan keeps up to 256 MiB of freed blocks in
		 * quarantine, which would count as held memory here. */
		const char *asan = getenv("ASAN_OPTIONS");
		char opts[512];
		snprintf(opts, sizeof(opts), "%s%squarantine_size_mb=1", asan ? asan : "",
			 asan && *asan ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		execl(f->replay, "aa-replay", cmd, arg, "cap.pcapng", (char *)NULL);
		_exit(127);
	}
	int st;
	struct rusage ru;
	cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	return ru.ru_maxrss;
}

static inline void fx_free(struct fx *f)
{
	aat_recs_free(&f->recs);
	aat_tmpdir_remove(f->dir);
	free(f->path);
	free(f->replay);
}

/*
 * Runs "aa-replay ARGS" (a printf format; the shell sees it) in the
 * fixture's directory; stdout into out (size bytes), stderr into err.
 * Returns the exit status.
 */
static inline int fx_run(struct fx *f, char *out, size_t size, char *err, size_t esize,
			 const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static inline int fx_run(struct fx *f, char *out, size_t size, char *err, size_t esize,
			 const char *fmt, ...)
{
	char args[2048], cmd[4096];
	char *errpath = aat_path(f->dir, "stderr");
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s 2>'%s'", f->dir, f->replay, args, errpath);
	rc = aat_run(cmd, out, size);
	if (err) {
		uint8_t *data;
		size_t n = 0;

		err[0] = 0;
		if (aat_read_file(errpath, &data, &n) == 0) {
			n = n < esize - 1 ? n : esize - 1;
			memcpy(err, data, n);
			err[n] = 0;
			free(data);
		}
	}
	free(errpath);
	return rc;
}

/* The number after "\"key\":" in a JSON text, or ~0 when the key is not there. */
static inline uint64_t fx_json_u64(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtoull(p + strlen(pat), NULL, 10) : ~0ull;
}

/* As fx_json_u64, looking only in the line json starts (JSON Lines): a
 * search over the whole rest of a long output per line is quadratic, and
 * ASan's strstr measures the whole rest each time. */
static inline uint64_t fx_json_line_u64(const char *json, const char *key)
{
	const char *end = strchr(json, '\n');
	size_t len = end ? (size_t)(end - json) : strlen(json);
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = memmem(json, len, pat, strlen(pat));
	return p ? strtoull(p + strlen(pat), NULL, 10) : ~0ull;
}

/*
 * Chunk i (from 0) of the record chunks of f's file, found by the tests'
 * own block walk; *file gets the file's bytes (free it).
 */
static inline struct aat_block fx_record_chunk(const struct fx *f, int i, uint8_t **file,
					       size_t *size)
{
	struct aat_block *b, found;
	long n;

	cr_assert_eq(aat_read_file(f->path, file, size), 0);
	n = aat_blocks(*file, *size, &b);
	for (long k = 0; k < n; k++) {
		if (b[k].kind == AA_CHUNK_RECORDS && i-- == 0) {
			found = b[k];
			free(b);
			return found;
		}
	}
	cr_assert_fail("no such record chunk");
	return found;
}

/* Whether s starts with prefix. */
static inline int fx_starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The number of lines in s. */
static inline size_t fx_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#endif
