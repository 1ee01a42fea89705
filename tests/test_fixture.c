/* SPDX-License-Identifier: MIT */
/*
 * The committed fixtures (tests/fixtures/NAME.pcapng with NAME.golden)
 * replay to their golden values: counts per type, the exact fields of
 * chosen records, the stream digest stored in the END chunk (decoded here
 * independently of the library) and an intact file.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "golden.h"

#define MAX_LINES 256

struct golden {
	char *key[MAX_LINES], *value[MAX_LINES]; /* "key<TAB>value" lines */
	size_t n;
	char *record[MAX_LINES]; /* "record<TAB>..." lines */
	uint64_t record_index[MAX_LINES];
	size_t nrecords;
};

static void load_golden(const char *path, struct golden *g)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s: cannot open", path);
	memset(g, 0, sizeof(*g));
	char line[2048];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		cr_assert_not_null(tab, "%s: line without a tab: %s", path, line);
		if (!strncmp(line, "record\t", 7)) {
			cr_assert_lt(g->nrecords, MAX_LINES);
			g->record_index[g->nrecords] = strtoull(line + 7, NULL, 10);
			g->record[g->nrecords++] = strdup(line);
		} else {
			cr_assert_lt(g->n, MAX_LINES);
			*tab = 0;
			g->key[g->n] = strdup(line);
			g->value[g->n++] = strdup(tab + 1);
		}
	}
	fclose(f);
}

static const char *golden_value(const struct golden *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->key[i], key))
			return g->value[i];
	return NULL;
}

static uint64_t golden_number(const struct golden *g, const char *key, const char *path)
{
	const char *v = golden_value(g, key);
	cr_assert_not_null(v, "%s: no %s", path, key);
	return strtoull(v, NULL, 0);
}

static void free_golden(struct golden *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->key[i]);
		free(g->value[i]);
	}
	for (size_t i = 0; i < g->nrecords; i++)
		free(g->record[i]);
}

/* The END chunk's digest, read by walking the blocks (not through the library). */
static uint64_t end_digest(const char *path)
{
	uint8_t *file, *body;
	size_t size, len;
	struct aat_block *b;
	cr_assert_eq(aat_read_file(path, &file, &size), 0, "%s: cannot read", path);
	long nb = aat_blocks(file, size, &b);
	cr_assert_gt(nb, 0);
	cr_assert_eq(b[nb - 1].kind, AA_CHUNK_END, "%s: the last block is not the END chunk", path);
	cr_assert_eq(aat_chunk_decode(file, &b[nb - 1], &body, &len), 0);
	cr_assert_eq(len, sizeof(struct aa_end_body));
	struct aa_end_body end;
	memcpy(&end, body, sizeof(end));
	free(body);
	free(b);
	free(file);
	return end.digest;
}

static void check_fixture(const char *golden_path)
{
	char path[4096];
	size_t stem = strlen(golden_path) - strlen(".golden");
	snprintf(path, sizeof(path), "%.*s.pcapng", (int)stem, golden_path);
	struct golden g;
	load_golden(golden_path, &g);

	aa_source *src;
	struct aa_error_info err;
	const char *p = path;
	int rc = aa_open_offline(&src, &p, 1, NULL, &err);
	cr_assert_eq(rc, 0, "%s: %s: %s", path, aa_error_name(rc), err.detail);
	const char *writer = golden_value(&g, "writer");
	if (writer)
		cr_expect_str_eq(aa_source_meta(src)->writer, writer, "%s", path);

	const struct aa_record *rec;
	size_t next = 0, matched = 0;
	while ((rc = aa_next(src, &rec)) == 1) {
		if (next >= g.nrecords || rec->index != g.record_index[next])
			continue;
		char line[2048];
		aat_golden_line(&rec->ev, rec->index, line, sizeof(line));
		cr_expect_str_eq(line, g.record[next], "%s: record %" PRIu64, path, rec->index);
		matched++;
		next++;
	}
	cr_assert_eq(rc, 0, "%s: %s", path, aa_error_name(rc));
	cr_expect_eq(matched, g.nrecords, "%s: %zu of %zu golden records found", path, matched,
		     g.nrecords);

	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_expect_eq(st.intact, 1, "%s: not intact", path);
	cr_expect_eq(st.records, golden_number(&g, "records", path), "%s", path);
	for (int t = 0; t < AA_TYPE_COUNT; t++) {
		/* A golden file older than a type has no line for it: none of that type. */
		const char *name = aa_type_name((enum aa_type)t);
		uint64_t want = golden_value(&g, name) ? golden_number(&g, name, path) : 0;
		cr_expect_eq(st.by_type[t], want, "%s: %s: %" PRIu64, path, name, st.by_type[t]);
	}
	cr_expect_eq(st.invalid, golden_number(&g, "invalid", path), "%s", path);
	cr_expect_eq(st.bytes_raw, golden_number(&g, "bytes_raw", path), "%s", path);
	const char *digest = golden_value(&g, "digest");
	cr_assert_not_null(digest);
	cr_expect_eq(end_digest(path), strtoull(digest, NULL, 16), "%s: END digest", path);
	aa_close(src);
	free_golden(&g);
}

Test(fixture, generated_is_there)
{
	FILE *f = fopen("tests/fixtures/generated.golden", "r");
	cr_assert_not_null(f, "tests/fixtures/generated.golden is missing (run from the repository root)");
	fclose(f);
}

Test(fixture, every_fixture_matches_its_golden)
{
	glob_t gl;
	cr_assert_eq(glob("tests/fixtures/*.golden", 0, NULL, &gl), 0, "no golden files");
	for (size_t i = 0; i < gl.gl_pathc; i++)
		check_fixture(gl.gl_pathv[i]);
	globfree(&gl);
}
