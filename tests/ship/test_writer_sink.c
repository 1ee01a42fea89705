/* SPDX-License-Identifier: MIT */
/*
 * The writer's sink (aa_writer_opts.sink), what aa-capture --ship sends:
 * one call per chunk, numbered 0, 1, 2 ... across META, RECORDS, STATS and
 * END, with the file's session and file_seq, and the bytes of all the calls
 * together are the file, byte for byte (SHB and IDB go with META, an ISB
 * with each STATS). A failed write sends nothing.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile.h"
#include "files.h"
#include "gen.h"
#include "recs.h"
#include "tmpsuite.h"
#include "writer.h"

AAT_TMPDIR_SUITE(sink);

struct got {
	uint8_t *bytes;
	size_t len;
	int calls;
	uint8_t kinds[64];
	uint32_t index[64];
	uint32_t file_seq;
	uint8_t session[16];
	uint64_t records;
};

static void collect(void *user, const struct aa_writer_chunk *c)
{
	struct got *g = user;

	g->bytes = realloc(g->bytes, g->len + c->len);
	cr_assert_not_null(g->bytes);
	memcpy(g->bytes + g->len, c->bytes, c->len);
	g->len += c->len;
	if (g->calls < 64) {
		g->kinds[g->calls] = c->kind;
		g->index[g->calls] = c->index;
	}
	g->calls++;
	g->file_seq = c->file_seq;
	memcpy(g->session, c->session, 16);
	g->records += c->records;
}

Test(sink, chunks_make_the_file)
{
	char *path = aat_path(dir, "s.pcapng");
	struct aat_recs recs = { 0 };
	struct got g = { 0 };
	uint8_t session[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct aa_writer_opts wo = { .sink = collect, .sink_user = &g, .file_seq = 7,
				     .session = session, .chunk_raw_max = 8192 };
	struct aa_writer *w;
	uint64_t drops[AA_DROP_SLOTS] = { 0 };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	cr_assert_geq(fd, 0);
	cr_assert_eq(aa_writer_open(&w, fd, path, &wo), 0);
	cr_assert_eq(g.calls, 1, "META goes out with the header blocks at open");
	aat_mix(42, 400, 2000, &recs, NULL);
	for (size_t i = 0; i < recs.n; i++)
		cr_assert_eq(aa_writer_add(w, aat_recs_at(&recs, i), recs.len[i]), 0);
	drops[AA_DROP_EXEC] = 3;
	aa_writer_set_drops(w, drops);
	cr_assert_eq(aa_writer_finish(w, NULL), 0);

	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	cr_assert_eq(g.len, size, "the sink got %zu bytes, the file holds %zu", g.len, size);
	cr_assert(memcmp(g.bytes, file, size) == 0, "the sink's bytes are not the file's");
	cr_assert_gt(g.calls, 4, "several RECORDS chunks (8 KiB each)");
	cr_assert_eq(g.kinds[0], AA_CHUNK_META);
	cr_assert_eq(g.kinds[g.calls - 1], AA_CHUNK_END);
	cr_assert_eq(g.kinds[g.calls - 2], AA_CHUNK_STATS);
	for (int i = 0; i < g.calls && i < 64; i++)
		cr_assert_eq(g.index[i], (uint32_t)i, "call %d carries chunk %u", i, g.index[i]);
	for (int i = 1; i < g.calls - 2 && i < 64; i++)
		cr_assert_eq(g.kinds[i], AA_CHUNK_RECORDS);
	cr_assert_eq(g.records, recs.n);
	cr_assert_eq(g.file_seq, 7);
	cr_assert(memcmp(g.session, session, 16) == 0);
	/* the META call starts with the SHB, the STATS call with its ISB */
	cr_assert_eq(aat_le32(g.bytes), AA_PCAPNG_SHB);
	free(file);
	free(g.bytes);
	aat_recs_free(&recs);
	free(path);
}

Test(sink, nothing_after_a_failed_write)
{
	struct got g = { 0 };
	struct aa_writer_opts wo = { .sink = collect, .sink_user = &g };
	struct aa_writer *w;
	int fds[2];
	uint8_t rec[AA_EXIT_EVENT_SIZE] = { 0 };

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(aa_writer_open(&w, fds[1], "pipe", &wo), 0);
	cr_assert_eq(g.calls, 1);
	close(fds[0]); /* the reader is gone: the next write fails (SIGPIPE ignored) */
	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(aa_writer_add(w, rec, sizeof(rec)), 0);
	cr_assert_neq(aa_writer_flush(w), 0);
	cr_assert_eq(g.calls, 1, "a chunk that was not written went to the sink");
	aa_writer_close(w);
	free(g.bytes);
}
