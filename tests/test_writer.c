/* SPDX-License-Identifier: MIT */
/*
 * The writer over time: a chunk is written once its oldest record has
 * waited flush_ms (and is readable at once by another reader), drop
 * counters go out every stats_ms in an ISB and a STATS chunk, and the
 * writer's own counters match the file.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(writer);

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static struct aa_writer *open_writer(const char *path, const struct aa_writer_opts *wo)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	struct aa_writer *w;
	cr_assert_eq(aa_writer_open(&w, fd, path, wo), 0);
	return w;
}

/* Records readable now from a file still being written, and how reading ended. */
static size_t readable(const char *path, int *rc)
{
	struct aat_recs back = {0};
	*rc = aat_read_capture(path, NULL, &back, NULL, NULL);
	size_t n = back.n;
	aat_recs_free(&back);
	return n;
}

static off_t size_of(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	return st.st_size;
}

Test(writer, flush_ms_writes_a_waiting_chunk)
{
	char *path = aat_path(dir, "f.pcapng");
	struct aa_writer_opts wo = {.flush_ms = 100};
	struct aa_writer *w = open_writer(path, &wo);
	struct aat_rng r;
	aat_rng_seed(&r, 3);
	uint8_t rec[AAT_GEN_MAX];
	int rc;

	int t = aa_writer_timeout_ms(w);
	cr_expect(t == -1 || t > 100, "nothing pending: timeout %d", t);
	long t0 = now_ms();
	for (int i = 0; i < 3; i++)
		cr_assert_eq(aa_writer_add(w, rec, aat_gen_valid(&r, AA_TYPE_FILE, 1 + i, rec)), 0);
	t = aa_writer_timeout_ms(w);
	cr_expect(t >= 0 && t <= 100, "a record waits: timeout %d ms", t);
	cr_assert_eq(aa_writer_tick(w), 0);
	if (now_ms() - t0 < 90) { /* unless this machine is too slow to tell */
		cr_expect_eq(readable(path, &rc), 0, "too early: nothing written yet");
		cr_expect_eq(rc, AA_E_UNCLOSED);
	}

	sleep_ms(120);
	cr_expect_eq(aa_writer_timeout_ms(w), 0, "the chunk is due");
	cr_assert_eq(aa_writer_tick(w), 0);
	struct aa_writer_info info;
	aa_writer_get_info(w, &info);
	cr_expect_eq(info.chunks, 1);
	cr_expect_eq(info.records, 3);
	cr_expect_eq(info.bytes_raw, 3 * AA_FILE_EVENT_SIZE);
	cr_expect_eq((off_t)info.bytes_file, size_of(path), "bytes_file is what is on disk");
	cr_expect_eq(readable(path, &rc), 3, "the chunk is readable while the file is open");
	cr_expect_eq(rc, AA_E_UNCLOSED);

	cr_assert_eq(aa_writer_add(w, rec, aat_gen_valid(&r, AA_TYPE_EXIT, 9, rec)), 0);
	cr_assert_eq(aa_writer_close(w), 0);
	cr_expect_eq(readable(path, &rc), 4);
	cr_expect_eq(rc, 0);
	free(path);
}

/* The options of the last ISB, by code (ifrecv 4, ifdrop 5, usrdeliv 7). */
static uint64_t isb_option(const uint8_t *file, const struct aat_block *b, uint16_t code)
{
	size_t p = b->off + 20, end = b->off + b->len - 4;
	while (p + 4 <= end) {
		uint16_t c = aat_le16(file + p), len = aat_le16(file + p + 2);
		if (c == 0)
			break;
		if (c == code && len == 8)
			return aat_le64(file + p + 4);
		p += 4 + ((len + 3u) & ~3u);
	}
	cr_assert_fail("ISB option %u missing", code);
	return 0;
}

Test(writer, drop_counters_in_isb_and_stats)
{
	char *path = aat_path(dir, "s.pcapng");
	struct aa_writer_opts wo = {.stats_ms = 50};
	struct aa_writer *w = open_writer(path, &wo);
	struct aat_rng r;
	aat_rng_seed(&r, 4);
	uint8_t rec[AAT_GEN_MAX];
	for (int i = 0; i < 5; i++)
		cr_assert_eq(aa_writer_add(w, rec, aat_gen_valid(&r, AA_TYPE_EXEC, 1 + i, rec)), 0);
	const uint64_t first[AA_DROP_SLOTS] = {1, 0, 0, 0}, last[AA_DROP_SLOTS] = {1, 2, 3, 4};
	aa_writer_set_drops(w, first);
	sleep_ms(60);
	cr_assert_eq(aa_writer_tick(w), 0);
	aa_writer_set_drops(w, last);
	cr_assert_eq(aa_writer_close(w), 0);

	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	struct aat_block *b;
	long nb = aat_blocks(file, size, &b), isbs = 0, stats = 0, last_isb = -1;
	for (long i = 0; i < nb; i++) {
		if (b[i].type == AA_PCAPNG_ISB) {
			isbs++;
			last_isb = i;
			cr_expect(i + 1 < nb && b[i + 1].kind == AA_CHUNK_STATS,
				  "an ISB is followed by a STATS chunk");
		}
		stats += b[i].kind == AA_CHUNK_STATS;
	}
	cr_expect_eq(isbs, 2, "one by the tick, one at close");
	cr_expect_eq(stats, 2);
	cr_assert_geq(last_isb, 0);
	cr_expect_eq(isb_option(file, &b[last_isb], 4), 5 + 10, "isb_ifrecv: written + dropped");
	cr_expect_eq(isb_option(file, &b[last_isb], 5), 10, "isb_ifdrop");
	cr_expect_eq(isb_option(file, &b[last_isb], 7), 5, "isb_usrdeliv");

	struct aat_recs back = {0};
	struct aa_source_stats st;
	cr_assert_eq(aat_read_capture(path, NULL, &back, &st, NULL), 0);
	cr_expect_eq(st.dropped, 10);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(st.drops[i], last[i], "drops[%d]", i);
	cr_expect_eq(back.n, 5);
	aat_recs_free(&back);
	free(b);
	free(file);
	free(path);
}

/* A rotated set: one session, files numbered 0, 1, 2, read as one stream. */
Test(writer, rotated_set_reads_as_one_stream)
{
	struct aat_recs recs = {0};
	aat_mix(8, 900, 8000, &recs, NULL);
	static const uint8_t session[16] = "rotated-set-0001";
	char *paths[3];
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "set%d.pcapng", i);
		paths[i] = aat_path(dir, name);
		struct aa_writer_opts wo = {.session = session, .file_seq = (uint32_t)i};
		cr_assert_eq(aat_write_capture(paths[i], &recs, i * 300, (i + 1) * 300, &wo, 0, NULL), 0);
	}
	aa_source *src;
	cr_assert_eq(aa_open_offline(&src, (const char *const *)paths, 3, NULL, NULL), 0);
	const struct aa_record *rec;
	size_t n = 0;
	int rc;
	while ((rc = aa_next(src, &rec)) == 1) {
		cr_assert_lt(n, recs.n);
		cr_assert_eq(rec->index, n);
		cr_assert_eq(rec->ev.len, recs.len[n]);
		cr_assert_eq(memcmp(rec->ev.raw, aat_recs_at(&recs, n), recs.len[n]), 0);
		cr_assert_str_eq(rec->path, paths[n / 300]);
		n++;
	}
	cr_expect_eq(rc, 0);
	cr_expect_eq(n, recs.n);
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_expect_eq(st.files, 3);
	cr_expect_eq(st.files_closed, 3);
	cr_expect_eq(st.intact, 1);
	aa_close(src);

	/* A file missing from the middle of the set is reported. */
	const char *gap[2] = {paths[0], paths[2]};
	cr_assert_eq(aa_open_offline(&src, gap, 2, NULL, NULL), 0);
	while ((rc = aa_next(src, &rec)) == 1)
		;
	cr_expect_eq(rc, AA_E_SET, "got %s", aa_error_name(rc));
	aa_close(src);
	for (int i = 0; i < 3; i++)
		free(paths[i]);
	aat_recs_free(&recs);
}

/*
 * A 0-byte record is refused (it could not go through export --raw and
 * aa-capture -r back), and a length near SIZE_MAX is too big rather than
 * rounded up round to a small frame; the file goes on intact.
 */
Test(writer, refuses_empty_and_wrapping_lengths)
{
	char *path = aat_path(dir, "w.pcapng");
	struct aa_writer *w = open_writer(path, NULL);
	struct aa_writer_info info;
	static uint8_t rec[64];
	struct aat_recs back = { 0 };
	struct aa_source_stats st;

	cr_expect_eq(aa_writer_add(w, rec, 0), AA_E_INVAL);
	cr_expect_eq(aa_writer_add(w, rec, SIZE_MAX - 3), AA_E_TOO_BIG);
	cr_expect_eq(aa_writer_add(w, rec, SIZE_MAX), AA_E_TOO_BIG);
	cr_expect_eq(aa_writer_add(w, rec, (size_t)AA_RECORD_MAX + 1), AA_E_TOO_BIG);
	cr_expect_eq(aa_writer_add(w, rec, 16), 0, "the writer goes on after a refused record");
	cr_assert_eq(aa_writer_finish(w, &info), 0);
	cr_expect_eq(info.records, 1);
	cr_expect_eq(aat_read_capture(path, NULL, &back, &st, NULL), 0);
	cr_expect_eq(back.n, 1);
	cr_expect_eq(back.n ? back.len[0] : 0, 16);
	cr_expect(st.intact);
	aat_recs_free(&back);
	free(path);
}
