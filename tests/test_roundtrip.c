/* SPDX-License-Identifier: MIT */
/*
 * Round trips through the real writer and the real replay library: random
 * records of every known size, invalid ones and unknown sizes, written for
 * many chunk sizes and read back byte for byte and in order, by aa_next and
 * by aa_dispatch; the stream digest checked against xxhsum.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"
#include "tmpsuite.h"

#define MONO_TO_WALL 1700000000000000000ll /* fixed, so wall-clock times are known */

AAT_TMPDIR_SUITE(roundtrip);

/* Writes recs with this chunk size, reads them back and compares everything. */
static void round_trip(const struct aat_recs *recs, const struct aat_mix_counts *want,
		       size_t chunk_raw_max)
{
	char *path = aat_path(dir, "rt.pcapng");
	struct aa_writer_opts wo = {.chunk_raw_max = chunk_raw_max, .mono_to_wall = MONO_TO_WALL};
	int wrc = aat_write_capture(path, recs, 0, recs->n, &wo, 0, NULL);
	cr_assert_eq(wrc, 0, "chunk %zu: writing failed with %s", chunk_raw_max, aa_error_name(wrc));

	struct aat_recs back = {0};
	struct aa_source_stats st;
	struct aa_error_info err;
	int rc = aat_read_capture(path, NULL, &back, &st, &err);
	cr_assert_eq(rc, 0, "chunk %zu: reading ended with %s: %s", chunk_raw_max,
		     aa_error_name(rc), err.detail);
	long diff = aat_recs_diff(recs, &back);
	cr_assert_eq(diff, -1, "chunk %zu: record %ld differs (wrote %zu, read %zu)", chunk_raw_max,
		     diff, recs->n, back.n);
	cr_expect_eq(st.records, recs->n);
	cr_expect_eq(st.delivered, recs->n);
	cr_expect_eq(st.bytes_raw, recs->used);
	cr_expect_eq(st.intact, 1, "chunk %zu: not intact", chunk_raw_max);
	cr_expect_eq(st.files, 1);
	cr_expect_eq(st.files_closed, 1);
	cr_expect_eq(st.damaged, 0);
	if (want) {
		for (int t = 0; t < AA_TYPE_COUNT; t++)
			cr_expect_eq(st.by_type[t], want->by_type[t], "%s: %" PRIu64 ", want %" PRIu64,
				     aa_type_name((enum aa_type)t), st.by_type[t], want->by_type[t]);
		cr_expect_eq(st.invalid, want->invalid);
	}

	/* The file itself: every record chunk within the chunk size, every block within 256 KiB. */
	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	cr_expect_eq(st.bytes_stored, size);
	struct aat_block *b;
	long nb = aat_blocks(file, size, &b);
	uint64_t chunks = 0, in_chunks = 0;
	size_t limit = chunk_raw_max ? chunk_raw_max : AA_CHUNK_RAW_MAX;
	for (long i = 0; i < nb; i++) {
		cr_expect_leq(b[i].len, AA_BLOCK_MAX);
		if (b[i].kind != AA_CHUNK_RECORDS)
			continue;
		chunks++;
		in_chunks += b[i].records;
		cr_expect_leq(aat_le32(file + b[i].data_off + AA_CH_RAW_LEN), limit);
	}
	cr_expect_eq(b[nb - 1].off + b[nb - 1].len, size, "the walk covers the whole file");
	cr_expect_eq(chunks, st.chunks);
	cr_expect_eq(in_chunks, recs->n);
	free(b);
	free(file);
	aat_recs_free(&back);
	free(path);
}

Test(roundtrip, every_chunk_size)
{
	static const size_t sizes[] = {2048, 4096, 4144, 8192, 65536, 200000, 0};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct aat_recs recs = {0};
		struct aat_mix_counts want = {0};
		size_t cap = sizes[i] ? sizes[i] : AA_CHUNK_RAW_MAX;
		aat_mix(1000 + i, 3000, cap - AA_FRAME_HEADER < 8000 ? cap - AA_FRAME_HEADER : 8000,
			&recs, &want);
		round_trip(&recs, &want, sizes[i]);
		aat_recs_free(&recs);
	}
}

/* The smallest chunk size the writer takes: the META chunk (with its BTF)
 * must still be written, since chunk_raw_max bounds record chunks. */
Test(roundtrip, smallest_chunk_size)
{
	struct aat_recs recs = {0};
	struct aat_mix_counts want = {0};
	aat_mix(1024, 500, 1024 - AA_FRAME_HEADER, &recs, &want);
	round_trip(&recs, &want, 1024);
	aat_recs_free(&recs);
}

Test(roundtrip, largest_records)
{
	struct aat_rng r;
	aat_rng_seed(&r, 7);
	struct aat_recs recs = {0};
	uint64_t ts = 1;
	static uint8_t big[AA_RECORD_MAX];
	static const size_t lens[] = {AA_RECORD_MAX, AA_RECORD_MAX - 1, AA_RECORD_MAX - 7,
				      AA_RECORD_MAX - 8, 100000, 65537};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		aat_fill(&r, big, lens[i]);
		aat_recs_add(&recs, big, lens[i]);
		aat_gen_mix(&r, 3, 8000, &ts, &recs, NULL);
	}
	round_trip(&recs, NULL, 0);
	aat_recs_free(&recs);
}

/* One byte too many for the chunk is refused, and the writer goes on. */
Test(roundtrip, too_big_refused)
{
	char *path = aat_path(dir, "big.pcapng");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	struct aa_writer *w;
	struct aa_writer_opts wo = {.chunk_raw_max = 4096};
	cr_assert_eq(aa_writer_open(&w, fd, path, &wo), 0);
	static uint8_t rec[AA_RECORD_MAX + 1];
	memset(rec, 0x42, sizeof(rec));
	cr_expect_eq(aa_writer_add(w, rec, 4096 - AA_FRAME_HEADER + 1), AA_E_TOO_BIG);
	cr_expect_eq(aa_writer_add(w, rec, AA_TLS_EVENT_SIZE), AA_E_TOO_BIG, "a TLS record needs 4136");
	cr_expect_eq(aa_writer_add(w, rec, 4096 - AA_FRAME_HEADER), 0);
	cr_expect_eq(aa_writer_add(w, rec, 16), 0);
	cr_assert_eq(aa_writer_close(w), 0);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_eq(aa_writer_open(&w, fd, path, NULL), 0);
	cr_expect_eq(aa_writer_add(w, rec, AA_RECORD_MAX + 1), AA_E_TOO_BIG);
	cr_expect_eq(aa_writer_add(w, rec, AA_RECORD_MAX), 0);
	cr_assert_eq(aa_writer_close(w), 0);

	struct aat_recs back = {0};
	struct aa_source_stats st;
	cr_assert_eq(aat_read_capture(path, NULL, &back, &st, NULL), 0);
	cr_expect_eq(back.n, 1);
	cr_expect_eq(back.len[0], AA_RECORD_MAX);
	cr_expect_eq(st.intact, 1);
	aat_recs_free(&back);
	free(path);
}

Test(roundtrip, bad_chunk_size_refused)
{
	char *path = aat_path(dir, "x.pcapng");
	static const size_t bad[] = {1, 1023, AA_CHUNK_RAW_MAX + 1};
	for (size_t i = 0; i < 3; i++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		struct aa_writer *w = (void *)1;
		struct aa_writer_opts wo = {.chunk_raw_max = bad[i]};
		cr_expect_eq(aa_writer_open(&w, fd, path, &wo), AA_E_INVAL, "chunk_raw_max %zu", bad[i]);
		cr_expect_null(w);
	}
	free(path);
}

/* What the callbacks saw, in one list with the callback's type. */
struct seen {
	struct aat_recs recs;
	int *cb_type;
	size_t n, cap;
	size_t stop_after; /* return 7 from the callback after this many; 0: never */
	uint64_t last_index;
	int order_ok;
};

static int note(struct seen *s, int cb, const struct aa_record *rec)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->cb_type = realloc(s->cb_type, s->cap * sizeof(int));
	}
	if (s->n && rec->index <= s->last_index)
		s->order_ok = 0;
	s->last_index = rec->index;
	s->cb_type[s->n++] = cb;
	aat_recs_add(&s->recs, rec->ev.raw, rec->ev.len);
	return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

static int on_tls(void *u, const struct aa_record *r) { return note(u, AA_TYPE_TLS, r); }
static int on_file(void *u, const struct aa_record *r) { return note(u, AA_TYPE_FILE, r); }
static int on_exec(void *u, const struct aa_record *r) { return note(u, AA_TYPE_EXEC, r); }
static int on_exit_(void *u, const struct aa_record *r) { return note(u, AA_TYPE_EXIT, r); }
static int on_task(void *u, const struct aa_record *r) { return note(u, AA_TYPE_TASK, r); }
static int on_string(void *u, const struct aa_record *r) { return note(u, AA_TYPE_STRING, r); }
static int on_tls_conn(void *u, const struct aa_record *r) { return note(u, AA_TYPE_TLS_CONN, r); }
static int on_fileop(void *u, const struct aa_record *r) { return note(u, AA_TYPE_FILEOP, r); }
static int on_net(void *u, const struct aa_record *r) { return note(u, AA_TYPE_NET, r); }
static int on_unknown(void *u, const struct aa_record *r) { return note(u, AA_TYPE_UNKNOWN, r); }

static int dispatch(const char *path, const struct aa_callbacks *cb, struct seen *s)
{
	aa_source *src;
	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0);
	s->order_ok = 1;
	int rc = aa_dispatch(src, cb, s);
	aa_close(src);
	return rc;
}

Test(roundtrip, dispatch_matches_next)
{
	struct aat_recs recs = {0};
	aat_mix(99, 2000, 8000, &recs, NULL);
	char *path = aat_path(dir, "d.pcapng");
	struct aa_writer_opts wo = {.chunk_raw_max = 16384};
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &wo, 0, NULL), 0);

	struct aa_callbacks all = {on_tls, on_file, on_exec, on_exit_, on_task, on_string,
				   on_tls_conn, on_fileop, on_net, on_unknown};
	struct seen s = {0};
	cr_assert_eq(dispatch(path, &all, &s), 0);
	cr_assert_eq(aat_recs_diff(&recs, &s.recs), -1, "dispatch delivers every record in order");
	cr_expect(s.order_ok);
	for (size_t i = 0; i < recs.n; i++) {
		struct aa_event ev;
		aa_parse(aat_recs_at(&recs, i), recs.len[i], &ev);
		int want = ev.error ? AA_TYPE_UNKNOWN : (int)ev.type;
		cr_expect_eq(s.cb_type[i], want, "record %zu (size %u, %s) went to callback %d", i,
			     recs.len[i], aa_error_name(ev.error), s.cb_type[i]);
	}

	/* NULL callbacks skip their type; the rest still come in order. */
	struct aa_callbacks some = {.on_file = on_file, .on_exit = on_exit_};
	struct seen s2 = {0};
	cr_assert_eq(dispatch(path, &some, &s2), 0);
	size_t j = 0;
	for (size_t i = 0; i < recs.n; i++)
		if (s.cb_type[i] == AA_TYPE_FILE || s.cb_type[i] == AA_TYPE_EXIT) {
			cr_assert_lt(j, s2.recs.n);
			cr_assert_eq(s2.recs.len[j], recs.len[i]);
			cr_assert_eq(memcmp(aat_recs_at(&s2.recs, j), aat_recs_at(&recs, i), recs.len[i]), 0);
			j++;
		}
	cr_expect_eq(j, s2.recs.n);

	/* A non-zero return stops at once, with its own code. */
	struct seen s3 = {.stop_after = 10};
	cr_expect_eq(dispatch(path, &all, &s3), AA_E_STOPPED);
	cr_expect_eq(s3.n, 10);

	aat_recs_free(&s.recs);
	aat_recs_free(&s2.recs);
	aat_recs_free(&s3.recs);
	free(s.cb_type);
	free(s2.cb_type);
	free(s3.cb_type);
	aat_recs_free(&recs);
	free(path);
}

/* XXH64 of a file by xxhsum, the reference implementation. */
static uint64_t xxhsum64(const char *file)
{
	char cmd[512], out[256];
	snprintf(cmd, sizeof(cmd), "xxhsum -H1 '%s'", file);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0, "xxhsum failed (make deps installs xxhash)");
	return strtoull(out, NULL, 16);
}

Test(roundtrip, digest_is_xxh64_of_export_stream)
{
	struct aat_recs recs = {0};
	aat_mix(4242, 1500, 8000, &recs, NULL);
	char *path = aat_path(dir, "dg.pcapng"), *raw = aat_path(dir, "dg.raw");
	uint64_t writer_digest;
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, NULL, 0, &writer_digest), 0);
	cr_assert_eq(aat_recs_write_raw(&recs, raw), 0);
	uint64_t want = xxhsum64(raw);
	cr_expect_eq(writer_digest, want, "writer %016" PRIx64 ", xxhsum %016" PRIx64, writer_digest,
		     want);

	/* The END chunk, decoded independently of the library, stores the same. */
	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	struct aat_block *b;
	long nb = aat_blocks(file, size, &b);
	cr_assert_gt(nb, 0);
	cr_assert_eq(b[nb - 1].kind, AA_CHUNK_END, "the last block is the END chunk");
	uint8_t *body;
	size_t len;
	cr_assert_eq(aat_chunk_decode(file, &b[nb - 1], &body, &len), 0);
	cr_assert_eq(len, sizeof(struct aa_end_body));
	struct aa_end_body end;
	memcpy(&end, body, sizeof(end));
	cr_expect_eq(end.digest, want);
	cr_expect_eq(end.records, recs.n);
	cr_expect_eq(end.bytes_raw, recs.used);

	/* Replay recomputes it: intact. The empty stream's digest is XXH64 of nothing. */
	struct aat_recs back = {0};
	struct aa_source_stats st;
	cr_assert_eq(aat_read_capture(path, NULL, &back, &st, NULL), 0);
	cr_expect_eq(st.intact, 1);

	struct aat_recs none = {0};
	cr_assert_eq(aat_write_capture(path, &none, 0, 0, NULL, 0, &writer_digest), 0);
	cr_expect_eq(writer_digest, 0xef46db3751d8e999ull, "XXH64 of the empty stream");
	free(body);
	free(b);
	free(file);
	aat_recs_free(&back);
	aat_recs_free(&recs);
	free(path);
	free(raw);
}

Test(roundtrip, empty_file)
{
	char *path = aat_path(dir, "empty.pcapng");
	struct aat_recs none = {0}, back = {0};
	cr_assert_eq(aat_write_capture(path, &none, 0, 0, NULL, 0, NULL), 0);
	struct aa_source_stats st;
	cr_expect_eq(aat_read_capture(path, NULL, &back, &st, NULL), 0);
	cr_expect_eq(back.n, 0);
	cr_expect_eq(st.records, 0);
	cr_expect_eq(st.chunks, 0);
	cr_expect_eq(st.intact, 1);
	cr_expect_eq(st.files_closed, 1);
	free(path);
}

/* Two replays of one file: the same records, indexes, times and chunks. */
Test(roundtrip, deterministic)
{
	struct aat_recs recs = {0};
	aat_mix(5, 2500, 6000, &recs, NULL);
	char *path = aat_path(dir, "det.pcapng");
	struct aa_writer_opts wo = {.chunk_raw_max = 32768, .mono_to_wall = MONO_TO_WALL};
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &wo, 100, NULL), 0);

	aa_source *a, *b;
	cr_assert_eq(aa_open_offline(&a, (const char *const *)&path, 1, NULL, NULL), 0);
	cr_assert_eq(aa_open_offline(&b, (const char *const *)&path, 1, NULL, NULL), 0);
	const struct aa_record *ra, *rb;
	size_t n = 0;
	for (;;) {
		int ca = aa_next(a, &ra), cb = aa_next(b, &rb);
		cr_assert_eq(ca, cb);
		if (ca != 1)
			break;
		cr_assert_eq(ra->ev.len, recs.len[n]);
		cr_assert_eq(memcmp(ra->ev.raw, aat_recs_at(&recs, n), ra->ev.len), 0);
		cr_assert_eq(ra->ev.len, rb->ev.len);
		cr_assert_eq(memcmp(ra->ev.raw, rb->ev.raw, ra->ev.len), 0);
		cr_assert_eq(ra->index, n);
		cr_assert_eq(rb->index, n);
		cr_assert_eq(ra->time_ns, rb->time_ns);
		cr_assert_eq(ra->chunk, rb->chunk);
		cr_assert_eq(ra->ev.type, rb->ev.type);
		cr_assert_eq(ra->ev.error, rb->ev.error);
		if (ra->ev.type != AA_TYPE_UNKNOWN)
			cr_assert_eq(ra->time_ns, ra->ev.mono_ns + MONO_TO_WALL,
				     "wall time is the record's time stamp plus the file's offset");
		n++;
	}
	cr_expect_eq(n, recs.n);
	aa_close(a);
	aa_close(b);
	aat_recs_free(&recs);
	free(path);
}

Test(roundtrip, meta_describes_the_file)
{
	char *path = aat_path(dir, "meta.pcapng");
	static const uint8_t session[16] = "0123456789abcdef";
	struct aa_writer_opts wo = {.level = 7, .flush_ms = 250, .writer = "aa-test",
				    .source = "raw:test", .file_seq = 3, .session = session,
				    .mono_to_wall = MONO_TO_WALL};
	struct aat_recs none = {0};
	cr_assert_eq(aat_write_capture(path, &none, 0, 0, &wo, 0, NULL), 0);
	aa_source *src;
	cr_assert_eq(aa_open_offline(&src, (const char *const *)&path, 1, NULL, NULL), 0);
	const struct aa_record *rec;
	cr_expect_eq(aa_next(src, &rec), 0);
	const struct aa_file_meta *m = aa_source_meta(src);
	cr_assert_not_null(m);
	cr_expect_str_eq(m->writer, "aa-test");
	cr_expect_str_eq(m->source, "raw:test");
	cr_expect_eq(m->level, 7);
	cr_expect_eq(m->flush_ms, 250);
	cr_expect_eq(m->file_seq, 3);
	cr_expect_eq(memcmp(m->session, session, 16), 0);
	cr_expect_eq(m->mono_to_wall, MONO_TO_WALL);
	cr_expect_not_null(m->hostname);
	cr_expect_not_null(m->kernel);
	cr_expect_not_null(strstr(m->schema, "tls 4128"), "schema: %s", m->schema);
	cr_expect_not_null(strstr(m->schema, "file 296"));
	cr_expect_not_null(strstr(m->schema, "exec 792"));
	cr_expect_not_null(strstr(m->schema, "exit 16"));
	cr_expect_gt(m->btf_len, 0, "the record structs' BTF is embedded");
	aa_close(src);
	free(path);
}
