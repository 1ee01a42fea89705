/* SPDX-License-Identifier: MIT */
/*
 * A damaged file read as a stream (standard input from a pipe, a FIFO) must
 * give what reading it by path gives: the same records, the same damage
 * lines, the same verdict, for cat, verify, info and recover. A pipe cannot
 * seek back, so the reader searches its bounded window forward as it does a
 * file.
 */
#include "cli_fixture.h"

/* How the input reaches aa-replay. */
enum way { BY_PATH, BY_PIPE, BY_FIFO, WAYS };
static const char *const way_name[WAYS] = { "path", "pipe", "fifo" };

/* Reads dir/name whole (a NUL after it); free it. */
static char *slurp(const struct fx *f, const char *name, size_t *n)
{
	char *path = aat_path(f->dir, name);
	uint8_t *data;
	size_t len;

	cr_assert_eq(aat_read_file(path, &data, &len), 0, "%s", path);
	free(path);
	data = realloc(data, len + 1);
	data[len] = 0;
	if (n)
		*n = len;
	return (char *)data;
}

/*
 * Runs "aa-replay CMD IN [OUT]" with IN one way; stdout, stderr and the
 * status go to files suffixed with the way's name, where the input's name
 * is then written IN (it is "-" from a pipe). OUT, when wanted, is
 * out.<way>, and its records are exported to rec.<way>. A reader that
 * would wait for ever (opening a FIFO again) is stopped: status 124.
 */
static void run_way(const struct fx *f, enum way w, const char *cmd, int out)
{
	const char *in = w == BY_PATH ? "cap.pcapng" : w == BY_PIPE ? "-" : "in.fifo";
	const char *n = way_name[w];
	char feed[256] = "", line[4096], outarg[64] = "";

	if (w == BY_PIPE)
		snprintf(feed, sizeof(feed), "cat cap.pcapng | ");
	if (w == BY_FIFO)
		snprintf(feed, sizeof(feed), "rm -f in.fifo && mkfifo in.fifo && { cat cap.pcapng >in.fifo & } && ");
	if (out)
		snprintf(outarg, sizeof(outarg), " out.%s", n);
	snprintf(line, sizeof(line),
		 "cd '%s' && rm -f out.%s && %stimeout 120 '%s' %s %s%s >s.%s 2>e.%s; echo $? >rc.%s; "
		 "sed -i -e 's/cap\\.pcapng/IN/g' -e 's/in\\.fifo/IN/g' -e 's/ -: / IN: /g' "
		 "-e 's/^-: /IN: /' -e 's/\\[\"-\"\\]/[\"IN\"]/' -e 's/\\bout\\.%s\\b/OUT/g' s.%s e.%s",
		 f->dir, n, feed, f->replay, cmd, in, outarg, n, n, n, n, n, n);
	cr_assert_eq(aat_run(line, NULL, 0), 0, "%s", line);
	if (out) {
		snprintf(line, sizeof(line), "cd '%s' && '%s' export --raw out.%s rec.%s 2>/dev/null; true",
			 f->dir, f->replay, n, n);
		cr_assert_eq(aat_run(line, NULL, 0), 0);
	}
}

/* Runs cmd every way; the path's status is want, and every way says and gives the same. */
static void same_every_way(const struct fx *f, const char *cmd, int want, int out)
{
	static const char *const kept[] = { "rc", "s", "e", "rec" };

	for (int w = 0; w < WAYS; w++)
		run_way(f, w, cmd, out);
	char *rc = slurp(f, "rc.path", NULL);
	cr_expect_eq(atoi(rc), want, "%s by path: status %s", cmd, rc);
	free(rc);
	for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
		char name[32];
		size_t n0, n;

		if (!strcmp(kept[k], "rec") && !out)
			continue;
		snprintf(name, sizeof(name), "%s.path", kept[k]);
		char *by_path = slurp(f, name, &n0);
		for (int w = BY_PIPE; w < WAYS; w++) {
			snprintf(name, sizeof(name), "%s.%s", kept[k], way_name[w]);
			char *other = slurp(f, name, &n);
			cr_expect(n == n0 && !memcmp(other, by_path, n),
				  "%s: %s by %s differs from by path:\n--- path:\n%.2000s\n--- %s:\n%.2000s",
				  cmd, kept[k], way_name[w], by_path, way_name[w], other);
			free(other);
		}
		free(by_path);
	}
}

/* Every command over the file as it now is (info last: its s.* stay); want: the status by path. */
static void every_command(const struct fx *f, int want)
{
	same_every_way(f, "cat --json --capture-order --skip-damaged", want, 0); /* a stream is not held back for time order */
	same_every_way(f, "recover", want, 1);
	same_every_way(f, "verify", want, 0);
	same_every_way(f, "info --json --skip-damaged", want, 0);
}

/* The file of f with edit applied to its blocks. */
static void damage(struct fx *f, void (*edit)(uint8_t *file, size_t *size, const struct aat_block *b, long n))
{
	uint8_t *file;
	size_t size;
	struct aat_block *b;

	cr_assert_eq(aat_read_file(f->path, &file, &size), 0);
	long n = aat_blocks(file, size, &b);
	cr_assert_gt(n, 12);
	edit(file, &size, b, n);
	cr_assert_eq(aat_write_file(f->path, file, size), 0);
	free(b);
	free(file);
}

/* The k-th block holding a chunk of this kind. */
static const struct aat_block *nth(const struct aat_block *b, long n, int kind, int k)
{
	for (long i = 0; i < n; i++)
		if (b[i].kind == kind && k-- == 0)
			return &b[i];
	cr_assert_fail("no such chunk");
	return NULL;
}

static void break_meta(uint8_t *file, size_t *size, const struct aat_block *b, long n)
{
	(void)size;
	const struct aat_block *m = nth(b, n, AA_CHUNK_META, 0);
	file[m->data_off + m->data_len - 3] ^= 0x55;
}

static void break_lengths(uint8_t *file, size_t *size, const struct aat_block *b, long n)
{
	(void)size;
	/* one impossible, one over the limit, one into the next block, one trailing */
	aat_put_le32(file + nth(b, n, AA_CHUNK_RECORDS, 2)->off + 4, 13);
	aat_put_le32(file + nth(b, n, AA_CHUNK_RECORDS, 5)->off + 4, 0xFFFFFFF0u);
	const struct aat_block *c = nth(b, n, AA_CHUNK_RECORDS, 8);
	aat_put_le32(file + c->off + 4, (uint32_t)c->len + 8);
	c = nth(b, n, AA_CHUNK_RECORDS, 11);
	aat_put_le32(file + c->off + c->len - 4, 0);
}

/* A run of zeros over several blocks, as a lost disk sector leaves, then a cut tail. */
static void zero_and_cut(uint8_t *file, size_t *size, const struct aat_block *b, long n)
{
	const struct aat_block *c = nth(b, n, AA_CHUNK_RECORDS, 3);
	memset(file + c->off + 100, 0, 3 * c->len);
	*size -= b[n - 2].len / 2 + b[n - 1].len;
}

/* A file of n records in chunks of at most chunk_raw bytes, damaged by edit, read every way. */
static void damaged_reads_the_same(struct fx *f, uint64_t seed, size_t n, size_t chunk_raw,
				   void (*edit)(uint8_t *, size_t *, const struct aat_block *, long),
				   int want)
{
	fx_make(f, seed, n, chunk_raw, 0);
	if (edit)
		damage(f, edit);
	every_command(f, want);
}

/* The records info counted, read one way (every_command runs info last). */
static uint64_t records_read(const struct fx *f, enum way w)
{
	char name[16];

	snprintf(name, sizeof(name), "s.%s", way_name[w]);
	char *s = slurp(f, name, NULL);
	uint64_t n = fx_json_u64(s, "records");
	cr_expect(strstr(s, "\"intact\":false"), "%s", s);
	free(s);
	return n;
}

Test(cli_stream, damaged_metadata_reads_the_same)
{
	struct fx f;

	damaged_reads_the_same(&f, 81, 3000, 16384, break_meta, 1);
	/* and that is every record: only the META was lost */
	cr_expect_eq(records_read(&f, BY_PIPE), 3000);
	fx_free(&f);
}

Test(cli_stream, broken_block_lengths_read_the_same)
{
	struct fx f;

	damaged_reads_the_same(&f, 82, 3000, 16384, break_lengths, 1);
	/* the search found the chunks after each broken block: most records are read */
	uint64_t n = records_read(&f, BY_FIFO);
	cr_expect(n > 2500 && n < 3000, "%llu records", (unsigned long long)n);
	fx_free(&f);
}

Test(cli_stream, zeroed_blocks_and_a_cut_tail_read_the_same)
{
	struct fx f;

	damaged_reads_the_same(&f, 83, 3000, 16384, zero_and_cut, 1);
	fx_free(&f);
}

/* Blocks near the 256 KiB limit: a broken one is larger than half the window. */
Test(cli_stream, large_blocks_read_the_same)
{
	struct fx f;

	damaged_reads_the_same(&f, 84, 4000, 0, break_lengths, 1);
	fx_free(&f);
}

Test(cli_stream, intact_file_reads_the_same)
{
	struct fx f;

	damaged_reads_the_same(&f, 85, 1000, 16384, NULL, 0);
	fx_free(&f);
}
