/* SPDX-License-Identifier: MIT */
/*
 * Reading ahead on threads (aa_replay_opts.threads) changes nothing a
 * reader sees: with 1, 2, 3 and 8 workers every record (its bytes, index,
 * time, chunk, origin, folding), every error and damage report (code,
 * offset, chunk, text), the end and the stats are those of 0 threads, in
 * capture and in time order, with and without skip_damaged: on the
 * committed recordings, a rotated set, and files damaged in the middle
 * (a flipped bit, a frame that does not decode behind a right crc32, a
 * lost block structure, a chunk missing or repeated) or cut short.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "aa_replay.h"
#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "chunk.h"
#include "files.h"
#include "gen.h"
#include "pcapng.h"
#include "tmpsuite.h"
#include "xxh64.h"

AAT_TMPDIR_SUITE(read_threads);

static const unsigned threads[] = {1, 2, 3, 8};

static void on_damage(void *user, const struct aa_error_info *err)
{
	char b[512];

	aa_error_format(err, b, sizeof(b));
	fprintf(user, "damage %d errno %d: %s\n", err->code, err->sys_errno, b);
}

static void put_stats(FILE *f, const struct aa_source_stats *s)
{
	fprintf(f, "stats records %llu invalid %llu delivered %llu late %llu dropped %llu",
		(unsigned long long)s->records, (unsigned long long)s->invalid,
		(unsigned long long)s->delivered, (unsigned long long)s->late,
		(unsigned long long)s->dropped);
	for (int i = 0; i < AA_TYPE_COUNT; i++)
		fprintf(f, " t%d %llu", i, (unsigned long long)s->by_type[i]);
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		fprintf(f, " d%d %llu", i, (unsigned long long)s->drops[i]);
	fprintf(f, " chunks %llu damaged %llu raw %llu stored %llu first %llu last %llu"
		   " files %u closed %u intact %d\n",
		(unsigned long long)s->chunks, (unsigned long long)s->damaged,
		(unsigned long long)s->bytes_raw, (unsigned long long)s->bytes_stored,
		(unsigned long long)s->first_ns, (unsigned long long)s->last_ns, s->files,
		s->files_closed, s->intact);
}

/*
 * Everything a reader of paths sees, as text: each record, each error (and
 * the reading goes on after it, as a caller may), each damage report, how
 * it ended, the stats.
 */
static char *trace(const char *const *paths, size_t n, unsigned nthreads, int skip, int ordered)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct aa_replay_opts o = {.skip_damaged = skip, .on_damage = on_damage, .user = f,
				   .ordered = ordered, .fold = ordered, .threads = nthreads};
	struct aa_error_info err;
	aa_source *src;
	char b[512];

	cr_assert_not_null(f);
	int rc = aa_open_offline(&src, paths, n, &o, &err);
	if (rc) {
		aa_error_format(&err, b, sizeof(b));
		fprintf(f, "open %d: %s\n", rc, b);
		fclose(f);
		return buf;
	}
	const struct aa_record *rec;
	for (int errors = 0; errors < 100;) {
		rc = aa_next(src, &rec);
		if (rc == 0)
			break;
		if (rc < 0) {
			const struct aa_error_info *e = aa_source_error(src);
			aa_error_format(e, b, sizeof(b));
			fprintf(f, "error %d errno %d: %s\n", rc, e->sys_errno, b);
			errors++;
			continue;
		}
		struct aa_xxh64 h;
		aa_xxh64_init(&h, 0);
		aa_xxh64_update(&h, rec->ev.raw, rec->ev.len);
		fprintf(f, "%llu %u %u %llu %s %u %u %s %d %016llx\n",
			(unsigned long long)rec->index, rec->ev.type, rec->ev.error,
			(unsigned long long)rec->time_ns, rec->path, rec->chunk, rec->origin,
			rec->host, rec->folded, (unsigned long long)aa_xxh64_digest(&h));
	}
	fprintf(f, "end %d\n", rc);
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	put_stats(f, &st);
	aa_close(src);
	fclose(f);
	return buf;
}

/* Each thread count reads paths as 0 threads do; returns the 0 threads' trace. */
static char *same_with_threads(const char *const *paths, size_t n, int skip, int ordered)
{
	char *want = trace(paths, n, 0, skip, ordered);

	for (size_t i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		char *got = trace(paths, n, threads[i], skip, ordered);
		if (strcmp(got, want)) {
			/* the first line that differs, for the report */
			size_t at = 0;
			while (got[at] == want[at])
				at++;
			while (at > 0 && want[at - 1] != '\n')
				at--;
			cr_assert_fail("%s (skip %d, ordered %d): with %u threads:\n%.300s\nwithout:\n%.300s",
				       paths[0], skip, ordered, threads[i], got + at, want + at);
		}
		free(got);
	}
	return want;
}

/* All four ways: capture and time order, stopping at damage or skipping it. */
static char *same_every_way(const char *const *paths, size_t n)
{
	char *want = NULL;

	for (int skip = 0; skip < 2; skip++)
		for (int ordered = 0; ordered < 2; ordered++) {
			free(want);
			want = same_with_threads(paths, n, skip, ordered);
		}
	return want; /* skipping, in time order */
}

Test(read_threads, recordings)
{
	const char *fixtures[] = {
		"tests/fixtures/live.pcapng",
		"tests/fixtures/session/session-a.pcapng",
		"tests/fixtures/session/session-b.pcapng",
		"tests/fixtures/session/session-changed.pcapng",
	};
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		char *t = same_every_way(&fixtures[i], 1);
		cr_assert(strstr(t, "intact 1"), "%s is not read whole: %.200s", fixtures[i], t);
		free(t);
	}
	/* several hosts' files, merged by time: each group reads ahead */
	free(same_every_way(fixtures + 1, 3));
}

/* ~1200 records of up to 1500 bytes in chunks of at most 4 KiB: hundreds of chunks. */
static char *write_many(const char *name, struct aat_recs *recs, size_t from, size_t to,
			const struct aa_writer_opts *base)
{
	char *path = aat_path(dir, name);
	struct aa_writer_opts wo = base ? *base : (struct aa_writer_opts){0};

	wo.chunk_raw_max = 4096;
	cr_assert_eq(aat_write_capture(path, recs, from, to, &wo, 0, NULL), 0);
	return path;
}

Test(read_threads, rotated_set)
{
	static const uint8_t session[16] = "threads-set-0001";
	struct aat_recs recs = {0};
	char *paths[3];

	aat_mix(77, 1200, 1500, &recs, NULL);
	for (int i = 0; i < 3; i++) {
		char name[32];
		struct aa_writer_opts wo = {.session = session, .file_seq = (uint32_t)i};
		snprintf(name, sizeof(name), "set%d.pcapng", i);
		paths[i] = write_many(name, &recs, (size_t)i * 400, (size_t)(i + 1) * 400, &wo);
	}
	char *t = same_every_way((const char *const *)paths, 3);
	cr_assert(strstr(t, "records 1200 ") && strstr(t, "files 3 closed 3 intact 1"), "%.300s", t);
	free(t);
	/* one missing from the middle: the set's gap reported alike */
	const char *gap[2] = {paths[0], paths[2]};
	t = same_every_way(gap, 2);
	cr_assert(strstr(t, "intact 0"), "%.300s", t);
	free(t);
	for (int i = 0; i < 3; i++)
		free(paths[i]);
	aat_recs_free(&recs);
}

/* A file of many chunks, as bytes, with its blocks; the middle RECORDS chunk's block. */
struct damaged {
	char *path;
	uint8_t *file;
	size_t size;
	struct aat_block *blocks;
	long nblocks, mid;
};

static void make_file(struct damaged *d, struct aat_recs *recs)
{
	d->path = write_many("whole.pcapng", recs, 0, recs->n, NULL);
	cr_assert_eq(aat_read_file(d->path, &d->file, &d->size), 0);
	d->nblocks = aat_blocks(d->file, d->size, &d->blocks);
	long nrec = 0;
	for (long i = 0; i < d->nblocks; i++)
		nrec += d->blocks[i].kind == AA_CHUNK_RECORDS;
	cr_assert_gt(nrec, 40, "only %ld record chunks", nrec);
	for (long i = 0, seen = 0; i < d->nblocks; i++)
		if (d->blocks[i].kind == AA_CHUNK_RECORDS && ++seen == nrec / 2)
			d->mid = i;
}

/* data[0..size) written as name, then read every way: the reports must be there. */
static void check_variant(const char *name, const uint8_t *data, size_t size, const char *expect)
{
	char *path = aat_path(dir, name);

	cr_assert_eq(aat_write_file(path, data, size), 0);
	char *t = same_every_way((const char *const *)&path, 1);
	cr_assert(strstr(t, "damage ") && strstr(t, expect), "%s: no '%s' in %.600s", name, expect, t);
	cr_assert(strstr(t, "intact 0"), "%s: %.300s", name, t);
	free(t);
	free(path);
}

Test(read_threads, damaged_in_the_middle)
{
	struct aat_recs recs = {0};
	struct damaged d = {0};

	aat_mix(4242, 1200, 1500, &recs, NULL);
	make_file(&d, &recs);
	const struct aat_block *m = &d.blocks[d.mid];
	uint8_t *copy = malloc(d.size);
	cr_assert_not_null(copy);

	/* a bit flipped in the frame: crc32 mismatch (the reader's check) */
	memcpy(copy, d.file, d.size);
	copy[m->data_off + AA_CHUNK_HEADER_SIZE + 9] ^= 0x10;
	check_variant("flipped.pcapng", copy, d.size, "crc32 mismatch");

	/* the frame changed and crc32 made right: only a worker's decoding sees it */
	memcpy(copy, d.file, d.size);
	copy[m->data_off + m->data_len - 5] ^= 0x5a;
	uint32_t stored = m->data_len - AA_CHUNK_HEADER_SIZE;
	uLong crc = crc32(0L, copy + m->data_off, AA_CH_CRC);
	crc = crc32(crc, copy + m->data_off + AA_CHUNK_HEADER_SIZE, stored);
	aa_put32(copy + m->data_off + AA_CH_CRC, (uint32_t)crc);
	check_variant("undecodable.pcapng", copy, d.size, "zstd");

	/* a block length broken: the structure is lost, found again after it */
	memcpy(copy, d.file, d.size);
	aa_put32(copy + m->off + 4, 0x7ffffff0);
	check_variant("lost.pcapng", copy, d.size, "block length");

	/* the middle chunk missing: the next one comes out of turn */
	memcpy(copy, d.file, m->off);
	memcpy(copy + m->off, d.file + m->off + m->len, d.size - m->off - m->len);
	check_variant("missing.pcapng", copy, d.size - m->len, "was due");

	/* the middle chunk twice: its records are not handed out again */
	uint8_t *twice = malloc(d.size + m->len);
	cr_assert_not_null(twice);
	memcpy(twice, d.file, m->off + m->len);
	memcpy(twice + m->off + m->len, d.file + m->off, d.size - m->off);
	check_variant("twice.pcapng", twice, d.size + m->len, "was due");
	free(twice);

	/* cut inside the middle block: what came before, then the cut */
	check_variant("cut.pcapng", d.file, m->off + m->len / 2, "file ends inside a block");
	/* cut at its end: no END chunk */
	check_variant("unclosed.pcapng", d.file, m->off + m->len, "no END chunk");

	free(copy);
	free(d.blocks);
	free(d.file);
	free(d.path);
	aat_recs_free(&recs);
}

/* A chunk's decoded bytes. */
static uint8_t *decoded(const struct damaged *d, const struct aat_block *b, size_t *len)
{
	uint8_t *raw;

	cr_assert_eq(aat_chunk_decode(d->file, b, &raw, len), 0);
	return raw;
}

/*
 * d's file with block b's chunk encoded again from raw, its header as it
 * was but for records (a good crc32 and zstd checksum: the file is then
 * wrong only in what raw says), written as name and read every way.
 */
static void check_encoded(const char *name, const struct damaged *d, const struct aat_block *b,
			  const uint8_t *raw, size_t raw_len, uint32_t records, const char *expect)
{
	const uint8_t *data = d->file + b->data_off, *stored;
	struct aa_chunk_hdr h;
	char detail[64];

	cr_assert_eq(aa_chunk_check(data, b->data_len, aa_get64(data + AA_CH_WRITTEN_NS), &h,
				    &stored, detail), 0, "%s", detail);
	h.raw_len = (uint32_t)raw_len;
	h.records = records;
	ZSTD_CCtx *c = ZSTD_createCCtx();
	uint8_t *block = malloc(AA_BLOCK_MAX), *file = malloc(d->size + AA_BLOCK_MAX);
	cr_assert(c && block && file);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	long n = aa_chunk_encode(c, &h, raw, block);
	cr_assert_gt(n, 0, "aa_chunk_encode: %ld", n);
	size_t after = b->off + b->len;
	memcpy(file, d->file, b->off);
	memcpy(file + b->off, block, (size_t)n);
	memcpy(file + b->off + n, d->file + after, d->size - after);
	check_variant(name, file, d->size - b->len + (size_t)n, expect);
	free(file);
	free(block);
	ZSTD_freeCCtx(c);
}

/* The offset of frame i of a decoded RECORDS chunk. */
static size_t frame_at(const uint8_t *raw, size_t i)
{
	size_t pos = 0;

	while (i--)
		pos += AA_FRAME_HEADER + ((aa_get32(raw + pos) + 7u) & ~7u);
	return pos;
}

/*
 * The stream digest, folded in by the workers when threads read ahead,
 * covers the records handed out as without threads: END's verdict and
 * its message are the same when a record is changed (only the digest
 * differs), when END's digest lies, and when a chunk's framing breaks
 * partway (the records before the break count).
 */
Test(read_threads, digest_checked_alike)
{
	struct aat_recs recs = {0};
	struct damaged d = {0};
	size_t len;

	aat_mix(99, 1200, 1500, &recs, NULL);
	make_file(&d, &recs);
	const struct aat_block *m = &d.blocks[d.mid], *end = &d.blocks[d.nblocks - 1];
	while (end > d.blocks && end->kind != AA_CHUNK_END)
		end--;
	cr_assert_eq(end->kind, AA_CHUNK_END);

	/* one byte of a record changed */
	uint8_t *raw = decoded(&d, m, &len);
	size_t f = frame_at(raw, 1);
	raw[f + AA_FRAME_HEADER + aa_get32(raw + f) - 1] ^= 0x01;
	check_encoded("record.pcapng", &d, m, raw, len, m->records, "END says");
	free(raw);

	/* END's digest lies */
	raw = decoded(&d, end, &len);
	cr_assert_eq(len, sizeof(struct aa_end_body));
	raw[offsetof(struct aa_end_body, digest)] ^= 0x01;
	check_encoded("end.pcapng", &d, end, raw, len, 0, "END says");
	free(raw);

	/* padding that is not zero in the middle of a chunk: a record's length
	 * one short, its last byte (not zero) is then padding */
	raw = decoded(&d, m, &len);
	size_t i = 2;
	for (; i < m->records; i++) {
		f = frame_at(raw, i);
		if (raw[f + AA_FRAME_HEADER + aa_get32(raw + f) - 1])
			break;
	}
	cr_assert_lt(i, m->records, "no record ending in a byte that is not zero");
	aa_put32(raw + f, aa_get32(raw + f) - 1);
	check_encoded("padding.pcapng", &d, m, raw, len, m->records, "non-zero padding");
	free(raw);

	/* a frame naming a source in a file that is not merged */
	raw = decoded(&d, m, &len);
	aa_put32(raw + frame_at(raw, 2) + 4, 1);
	check_encoded("source.pcapng", &d, m, raw, len, m->records, "non-zero reserved field");
	free(raw);

	/* more frames than the header says: those it says are handed out */
	raw = decoded(&d, m, &len);
	check_encoded("more.pcapng", &d, m, raw, len, m->records - 1, "more records than");
	free(raw);

	free(d.blocks);
	free(d.file);
	free(d.path);
	aat_recs_free(&recs);
}

/* A merged file (format 3: frames name their source): its digest, left to
 * the caller's thread from the first frame of another source on, checked
 * as without threads. */
Test(read_threads, merged_file)
{
	static const uint8_t sa[16] = "threads-host-a01", sb[16] = "threads-host-b01";
	struct aat_recs recs = {0};
	struct aa_writer_opts a = {.hostname = "alpha", .session = sa, .mono_to_wall = 1000},
			      b = {.hostname = "beta", .session = sb, .mono_to_wall = 2000};

	aat_mix(31, 800, 1500, &recs, NULL);
	char *pa = write_many("host-a.pcapng", &recs, 0, 400, &a);
	char *pb = write_many("host-b.pcapng", &recs, 400, 800, &b);
	char *pm = aat_path(dir, "merged.pcapng"), *prog = aat_build_path("aa-replay"), cmd[4096];
	snprintf(cmd, sizeof(cmd), "'%s' merge '%s' '%s' '%s'", prog, pm, pa, pb);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	char *t = same_every_way((const char *const *)&pm, 1);
	cr_assert(strstr(t, "records 800 ") && strstr(t, "intact 1"), "%.300s", t);
	free(t);
	free(prog);
	free(pm);
	free(pb);
	free(pa);
	aat_recs_free(&recs);
}

static int count_tasks(void)
{
	DIR *dd = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(dd);
	while ((e = readdir(dd)))
		n += e->d_name[0] != '.';
	closedir(dd);
	return n;
}

/* The workers are really there (a file), and not for a pipe, which is read
 * in the caller's thread so that a slow writer holds nothing back. */
Test(read_threads, workers_for_files_only)
{
	struct aat_recs recs = {0};
	aat_mix(5, 200, 1500, &recs, NULL);
	char *path = write_many("w.pcapng", &recs, 0, recs.n, NULL);
	struct aa_replay_opts o = {.threads = 3};
	aa_source *src;
	const struct aa_record *rec;
	int before = count_tasks();

	cr_assert_eq(aa_open_offline(&src, (const char *const *)&path, 1, &o, NULL), 0);
	cr_assert_eq(aa_next(src, &rec), 1);
	cr_expect_eq(count_tasks(), before + 3);
	aa_close(src);
	cr_expect_eq(count_tasks(), before);

	/* standard input from a pipe: read by the caller's thread, all of it */
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	pid_t child = fork();
	cr_assert_neq(child, -1);
	if (child == 0) {
		uint8_t *file;
		size_t size;
		close(fd[0]);
		_exit(aat_read_file(path, &file, &size) != 0 ||
		      write(fd[1], file, size) != (ssize_t)size);
	}
	close(fd[1]);
	cr_assert_neq(dup2(fd[0], STDIN_FILENO), -1);
	close(fd[0]);
	const char *stdin_path = "-";
	size_t n = 0;
	cr_assert_eq(aa_open_offline(&src, &stdin_path, 1, &o, NULL), 0);
	while (aa_next(src, &rec) == 1) {
		cr_expect_eq(count_tasks(), before);
		n++;
	}
	cr_expect_eq(n, recs.n);
	aa_close(src);
	int status;
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_expect_eq(status, 0);
	free(path);
	aat_recs_free(&recs);
}
