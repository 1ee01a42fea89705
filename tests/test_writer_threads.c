/* SPDX-License-Identifier: MIT */
/*
 * The writer with compression threads (aa_writer_opts.threads): the file is
 * the one written without threads, chunk for chunk and byte for byte but
 * for the wall-clock times; a failed write or a failed compression leaves
 * every chunk before it whole and is reported with its cause; the sink sees
 * the file in order.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"
#include "pcapng.h"
#include "capsame.h"
#include "tmpsuite.h"
#include "writer_pool.h"

AAT_TMPDIR_SUITE(writer_threads);

static const uint8_t session[16] = "threads-session!";

static struct aa_writer_opts opts(unsigned threads, size_t raw_max)
{
	struct aa_writer_opts o = {.threads = threads, .chunk_raw_max = raw_max,
				   .session = session, .mono_to_wall = 1000, .source = "raw:test",
				   .flush_ms = 3600000, .stats_ms = 3600000};
	return o;
}

/* One file per thread count, each compared with the one written without threads. */
static void same_as_without_threads(size_t n, size_t raw_max, size_t flush_every, int level)
{
	struct aat_recs recs = {0};
	aat_mix(11, n, 6000, &recs, NULL);
	char *base = aat_path(dir, "t0.pcapng");
	struct aa_writer_opts o = opts(0, raw_max);
	o.level = level;
	uint64_t d0, d;
	cr_assert_eq(aat_write_capture(base, &recs, 0, recs.n, &o, flush_every, &d0), 0);
	static const unsigned counts[] = {1, 2, 3, 8};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "t%u.pcapng", counts[i]);
		char *path = aat_path(dir, name);
		o.threads = counts[i];
		cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &o, flush_every, &d), 0);
		cr_expect_eq(d, d0, "%u threads: the same stream digest", counts[i]);
		char why[200];
		long chunks = aat_same_capture(base, path, why, sizeof(why));
		cr_expect_geq(chunks, 0, "%u threads: %s", counts[i], why);
		if (raw_max < 65536)
			cr_expect_gt(chunks, 20, "many chunks in flight at once");
		struct aat_recs back = {0};
		struct aa_source_stats st;
		cr_expect_eq(aat_read_capture(path, NULL, &back, &st, NULL), 0);
		cr_expect_eq(aat_recs_diff(&back, &recs), -1, "every record back, in order");
		cr_expect_eq(st.intact, 1);
		aat_recs_free(&back);
		free(path);
	}
	aat_recs_free(&recs);
	free(base);
}

Test(writer_threads, small_chunks_same_file)
{
	same_as_without_threads(6000, 8192, 0, 0);
}

Test(writer_threads, flushes_and_level_1_same_file)
{
	same_as_without_threads(5000, 0, 333, 1);
}

Test(writer_threads, full_chunks_same_file)
{
	same_as_without_threads(20000, 0, 0, 0);
}

/* The sink gets each chunk once written, in order: together they are the file. */
struct sink_copy {
	uint8_t *bytes;
	size_t len;
	uint32_t next_index;
	int out_of_order;
};

static void copy_sink(void *user, const struct aa_writer_chunk *c)
{
	struct sink_copy *s = user;
	s->out_of_order |= c->index != s->next_index++;
	s->bytes = realloc(s->bytes, s->len + c->len);
	cr_assert_not_null(s->bytes);
	memcpy(s->bytes + s->len, c->bytes, c->len);
	s->len += c->len;
}

Test(writer_threads, sink_sees_the_file_in_order)
{
	struct aat_recs recs = {0};
	aat_mix(5, 4000, 3000, &recs, NULL);
	char *path = aat_path(dir, "sink.pcapng");
	struct sink_copy s = {0};
	struct aa_writer_opts o = opts(2, 4096);
	o.stats_ms = 1; /* a stats block (ISB and chunk) now and then */
	o.sink = copy_sink;
	o.sink_user = &s;
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &o, 97, NULL), 0);
	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	cr_expect_eq(s.out_of_order, 0);
	cr_expect_eq(s.len, size);
	cr_expect(s.len == size && memcmp(s.bytes, file, size) == 0, "the chunks are the file");
	free(file);
	free(s.bytes);
	free(path);
	aat_recs_free(&recs);
}

/* A worker's compression fails on one chunk: the chunks before it are in
 * the file, whole; the error comes back from the writer's next calls. */
static long fail_on_index_7(ZSTD_CCtx *cctx, struct aa_chunk_hdr *h, const void *raw,
			    uint8_t *block, uint8_t *scratch)
{
	return h->index == 7 ? AA_E_ZSTD : aa_chunk_encode_scratch(cctx, h, raw, block, scratch);
}

Test(writer_threads, worker_failure_keeps_earlier_chunks)
{
	struct aat_recs recs = {0};
	aat_mix(3, 3000, 2000, &recs, NULL);
	char *path = aat_path(dir, "fail.pcapng");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	struct aa_writer_opts o = opts(2, 4096);
	struct aa_writer *w;
	wp_encode = fail_on_index_7;
	cr_assert_eq(aa_writer_open(&w, fd, path, &o), 0);
	int rc = 0;
	size_t i;
	for (i = 0; i < recs.n && rc == 0; i++)
		rc = aa_writer_add(w, aat_recs_at(&recs, i), recs.len[i]);
	cr_expect_eq(rc, AA_E_ZSTD, "an add after the failure says it: %s", aa_error_name(rc));
	cr_expect_lt(i, recs.n, "the writer stopped taking records");
	cr_expect_eq(aa_writer_close(w), AA_E_ZSTD);
	wp_encode = aa_chunk_encode_scratch;

	/* META is chunk 0: RECORDS chunks 1..6 are whole, nothing after them */
	uint8_t *file;
	size_t size;
	struct aat_block *b;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	long nb = aat_blocks(file, size, &b);
	cr_assert_gt(nb, 0);
	cr_expect_eq(b[nb - 1].off + b[nb - 1].len, size, "the file ends with a whole block");
	cr_expect_eq(b[nb - 1].kind, AA_CHUNK_RECORDS);
	cr_expect_eq(b[nb - 1].index, 6, "the last chunk is the one before the failed one");
	struct aat_recs back = {0};
	struct aa_source_stats st;
	aat_read_capture(path, NULL, &back, &st, NULL);
	cr_expect_eq(back.n, b[nb - 1].first_record + b[nb - 1].records);
	cr_expect_eq(st.intact, 0, "no END: the file says it was cut");
	aat_recs_free(&back);
	free(b);
	free(file);
	free(path);
	aat_recs_free(&recs);
}

/* A write fails (the file size limit, EFBIG): the error and its errno come
 * back; the file is cut back to its last whole block and reads to there. */
Test(writer_threads, write_error_keeps_whole_blocks_and_errno)
{
	struct aat_recs recs = {0};
	aat_mix(9, 8000, 4000, &recs, NULL);
	char *path = aat_path(dir, "big.pcapng");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {.rlim_cur = 300000, .rlim_max = RLIM_INFINITY};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	struct aa_writer_opts o = opts(3, 16384);
	struct aa_writer *w;
	cr_assert_eq(aa_writer_open(&w, fd, path, &o), 0);
	int rc = 0;
	for (size_t i = 0; i < recs.n && rc == 0; i++)
		rc = aa_writer_add(w, aat_recs_at(&recs, i), recs.len[i]);
	cr_expect_eq(rc, AA_E_IO, "%s", aa_error_name(rc));
	cr_expect_eq(aa_writer_errno(w), EFBIG);
	struct aa_writer_info info;
	errno = 0;
	cr_expect_eq(aa_writer_finish(w, &info), AA_E_IO);
	cr_expect_eq(errno, EFBIG, "close says the write's errno: %s", strerror(errno));
	rl.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);

	uint8_t *file;
	size_t size;
	struct aat_block *b;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	cr_expect_leq(size, 300000);
	cr_expect_eq(info.bytes_file, size, "the writer counts what the file holds");
	long nb = aat_blocks(file, size, &b);
	cr_assert_gt(nb, 2);
	cr_expect_eq(b[nb - 1].off + b[nb - 1].len, size, "cut back to a whole block");
	struct aat_recs back = {0};
	aat_read_capture(path, NULL, &back, NULL, NULL);
	cr_expect_eq(back.n, b[nb - 1].first_record + b[nb - 1].records);
	cr_expect_eq(aat_recs_diff(&back, &recs), (long)back.n, "the records kept are the first ones");
	aat_recs_free(&back);
	free(b);
	free(file);
	free(path);
	aat_recs_free(&recs);
}

Test(writer_threads, thread_count_out_of_range)
{
	char *path = aat_path(dir, "x.pcapng");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct aa_writer_opts o = opts(65, 0);
	struct aa_writer *w;
	cr_expect_eq(aa_writer_open(&w, fd, path, &o), AA_E_INVAL);
	struct stat st;
	cr_expect_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_size, 0, "refused before anything is written");
	free(path);
}
