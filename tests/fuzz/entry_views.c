/* SPDX-License-Identifier: MIT */
/* Fuzz entry: the process tree and the diff over crafted records (see entries.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aa_diff.h"
#include "aa_tree.h"
#include "capfile.h"
#include "entries.h"
#include "pcapng.h"

/* The export's framing ([u32 length][record]) as a chunk's (length, zero,
 * record, zeros to 8): the chunk's size in *len, its records returned. */
static uint32_t frame(const uint8_t *in, size_t n, uint8_t *out, size_t *len)
{
	uint32_t records = 0;
	size_t o = 0;

	for (size_t i = 0; n - i >= 4;) {
		uint32_t l = aa_get32(in + i);
		if (l > n - i - 4 || o + AA_FRAME_HEADER + l + 8 > AA_CHUNK_RAW_MAX)
			break;
		aa_put32(out + o, l);
		aa_put32(out + o + 4, 0);
		memcpy(out + o + AA_FRAME_HEADER, in + i + 4, l);
		o += AA_FRAME_HEADER + l;
		while (o % 8)
			out[o++] = 0;
		i += 4 + l;
		records++;
	}
	*len = o;
	return records;
}

static aa_source *open_path(const char *path)
{
	const char *one[1] = {path};
	aa_source *src;

	return aa_open_offline(&src, one, 1, NULL, NULL) ? NULL : src;
}

/* The walk: every node once, under its parent, as the parent's list says. */
static void walk(aa_tree *t)
{
	struct aa_tree_stats st;
	uint32_t seen = 0, *next = calloc(1024, sizeof(*next)); /* per depth: the child index due */

	if (!next)
		abort();
	aa_tree_get_stats(t, &st);
	for (const struct aa_tree_node *n = aa_tree_walk(t, NULL, NULL); n; n = aa_tree_walk(t, NULL, n)) {
		seen++;
		REQUIRE(seen <= st.nodes);
		REQUIRE(n->id >= 1 && n->id <= st.nodes);
		if (n->parent) {
			REQUIRE(n->depth == n->parent->depth + 1);
			if (n->depth < 1024) {
				uint32_t i = next[n->depth]++;
				REQUIRE(i < n->parent->nchildren && n->parent->children[i] == n->id);
				REQUIRE(n->last == (i + 1 == n->parent->nchildren));
			}
		} else {
			REQUIRE(n->depth == 0);
		}
		if (n->depth + 1 < 1024)
			next[n->depth + 1] = 0;
		REQUIRE(!n->proc.argv.data || n->proc.argv.len <= AA_RECORD_MAX);
	}
	REQUIRE(aa_tree_walk_error(t) == 0);
	REQUIRE(seen == st.nodes);
	free(next);
}

int aaf_views(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t *raw = malloc(AA_CHUNK_RAW_MAX);
	if (!raw)
		abort();
	size_t len;
	uint32_t records = frame(data + 1, size - 1, raw, &len);
	char path[64];
	int fd = aaf_chunk_file(AA_CHUNK_RECORDS, 1, records, raw, len, path);
	free(raw);

	aa_source *src = open_path(path);
	aa_tree *t = NULL;
	if (src && aa_tree_build(&t, src, NULL) >= 0 && t) {
		walk(t);
		uint32_t pids[2] = {data[0], 0x10000u + data[0]};
		REQUIRE(aa_tree_print_text(aaf_devnull(), t, NULL, 0) >= 0);
		REQUIRE(aa_tree_print_json(aaf_devnull(), t, pids, data[0] & 1 ? 2 : 1) >= 0);
	}
	aa_tree_free(t);
	aa_close(src);

	/* the diff's text, and the file against itself */
	struct aa_error_info err;
	if ((src = open_path(path))) {
		REQUIRE(aa_diff_describe(src, NULL, aaf_devnull(), &err) <= 0);
		aa_close(src);
	}
	const char *one[1] = {path};
	struct aa_diff_result res;
	REQUIRE(aa_diff_files(one, 1, one, 1, NULL, &res, &err) != 1);
	close(fd);
	return 0;
}
