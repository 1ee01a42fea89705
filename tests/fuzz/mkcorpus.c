/* SPDX-License-Identifier: MIT */
/*
 * Writes the fuzzers' seed corpora (committed under tests/fuzz/corpus/):
 * small real capture files, from the writer and from `aa-capture -r`, for
 * the file target; their chunks, as packet data and as decoded content, for
 * the chunk target; single records for the parser target; the BTF of the
 * record structs for the btf target, and a META whose strings would drive
 * a terminal or close a C comment for the chunk target. The byte in
 * front of chunk and parser seeds selects the entry's mode (entries.h).
 * Usage: mkcorpus DIR (with AA_BUILD naming the build directory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "events_btf.h"
#include "files.h"
#include "gen.h"
#include "meta_codec.h"
#include "session.h"

static const char *out;

static void put(const char *target, const char *name, uint8_t mode, const void *data, size_t len)
{
	char path[512];
	uint8_t *buf = malloc(len + 1);
	if (!buf)
		abort();
	snprintf(path, sizeof(path), "%s/%s/%s", out, target, name);
	size_t n = 0;
	if (strcmp(target, "file") != 0 && strcmp(target, "btf") != 0)
		buf[n++] = mode;
	memcpy(buf + n, data, len);
	if (aat_write_file(path, buf, n + len) != 0) {
		perror(path);
		exit(2);
	}
	free(buf);
}

static void session_recs(struct aat_recs *l, uint64_t seed, size_t n)
{
	struct aat_session s;
	uint8_t rec[AAT_GEN_MAX];
	aat_session_init(&s, seed, 5000000000ull);
	for (size_t i = 0; i < n; i++)
		aat_recs_add(l, rec, aat_session_next(&s, rec));
}

/* Writes recs as a capture file into tmp and returns its bytes. */
static uint8_t *capture(const char *tmp, const struct aat_recs *l, size_t chunk_max,
			size_t flush_every, size_t *size)
{
	char *p = aat_path(tmp, "c.pcapng");
	struct aa_writer_opts wo = {.chunk_raw_max = chunk_max, .level = 3};
	uint8_t *f;
	if (aat_write_capture(p, l, 0, l->n, &wo, flush_every, NULL) != 0 ||
	    aat_read_file(p, &f, size) != 0) {
		fprintf(stderr, "mkcorpus: cannot write a capture file\n");
		exit(2);
	}
	free(p);
	return f;
}

/* Each chunk of a file as a chunk seed: its packet data, and its decoded content. */
static void chunk_seeds(const char *stem, const uint8_t *f, size_t size)
{
	struct aat_block *b;
	long n = aat_blocks(f, size, &b);
	for (long i = 0; i < n; i++) {
		if (!b[i].kind)
			continue;
		char name[128];
		snprintf(name, sizeof(name), "%s-%ld-packet", stem, i);
		put("chunk", name, 0x06, f + b[i].data_off, b[i].data_len);
		uint8_t *raw;
		size_t len;
		if (aat_chunk_decode(f, &b[i], &raw, &len) != 0)
			continue;
		uint8_t *v = malloc(len + 4);
		aat_put_le32(v, b[i].records);
		memcpy(v + 4, raw, len);
		snprintf(name, sizeof(name), "%s-%ld-content", stem, i);
		put("chunk", name, (uint8_t)(1 | (b[i].kind - 1) << 1), v, len + 4);
		free(v);
		free(raw);
	}
	free(b);
}

static void file_seed(const char *name, const uint8_t *f, size_t size)
{
	put("file", name, 0, f, size);
	chunk_seeds(name, f, size);
}

/* A views seed: records as `aa-replay export` frames them. */
static void views_seed(const char *tmp, const char *name, const struct aat_recs *l)
{
	char *p = aat_path(tmp, "v.raw");
	uint8_t *d;
	size_t n;
	aat_recs_write_raw(l, p);
	if (aat_read_file(p, &d, &n) != 0)
		abort();
	put("views", name, 1, d, n);
	free(d);
	free(p);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR\n");
		return 2;
	}
	out = argv[1];
	char *tmp = aat_tmpdir();
	struct aat_recs l = {0};
	struct aat_rng r;
	size_t size, size2;

	/* a session-like file in several small chunks, and one cut inside a block */
	session_recs(&l, 1, 24);
	uint8_t *f = capture(tmp, &l, 2048, 6, &size);
	file_seed("session", f, size);
	put("file", "session-cut", 0, f, size - size / 5);

	/* every kind of record: invalid ones and unknown sizes too */
	aat_recs_clear(&l);
	aat_rng_seed(&r, 2);
	uint64_t ts = 1000;
	aat_gen_mix(&r, 30, 300, &ts, &l, NULL);
	uint8_t *g = capture(tmp, &l, 1024, 5, &size2);
	file_seed("mix", g, size2);

	/* two files concatenated: two sections */
	uint8_t *cat = malloc(size + size2);
	memcpy(cat, f, size);
	memcpy(cat + size, g, size2);
	put("file", "concat", 0, cat, size + size2);
	free(cat);
	free(f);
	free(g);

	/* no records at all */
	aat_recs_clear(&l);
	f = capture(tmp, &l, 0, 0, &size);
	file_seed("empty", f, size);
	free(f);

	/* through aa-capture -r from a raw stream */
	aat_recs_clear(&l);
	session_recs(&l, 3, 12);
	char *raw = aat_path(tmp, "s.raw"), *cap = aat_path(tmp, "r.pcapng");
	char *prog = aat_build_path("aa-capture"), cmd[1024];
	aat_recs_write_raw(&l, raw);
	snprintf(cmd, sizeof(cmd), "%s -q -r %s -w %s", prog, raw, cap);
	if (aat_run(cmd, NULL, 0) != 0 || aat_read_file(cap, &f, &size) != 0) {
		fprintf(stderr, "mkcorpus: %s failed\n", cmd);
		return 2;
	}
	file_seed("aa-capture-r", f, size);
	free(f);

	/* the views: a session's processes, files and TLS, and the mix */
	aat_recs_clear(&l);
	session_recs(&l, 4, 120);
	views_seed(tmp, "session", &l);
	aat_recs_clear(&l);
	aat_gen_mix(&r, 200, 300, &ts, &l, NULL);
	views_seed(tmp, "mix", &l);

	/* single records: each type valid and invalid, unknown sizes, misaligned */
	uint8_t rec[AAT_GEN_MAX];
	const char *tn[] = {"tls", "file", "exec", "exit"};
	for (int t = 0; t < 4; t++) {
		char name[64];
		size_t len = aat_gen_valid(&r, (enum aa_type)t, 123456789, rec);
		snprintf(name, sizeof(name), "%s", tn[t]);
		put("parse", name, 0, rec, len);
		snprintf(name, sizeof(name), "%s-misaligned", tn[t]);
		put("parse", name, (uint8_t)((t + 1) | 3 << 3), rec, len / 2);
		if (t == AA_TYPE_EXIT)
			continue;
		int err = aat_gen_invalid(&r, (enum aa_type)t, 99, rec);
		snprintf(name, sizeof(name), "%s-invalid%d", tn[t], -err);
		put("parse", name, 0, rec, len);
	}
	aat_fill(&r, rec, 40);
	put("parse", "unknown-40", 0, rec, 40);
	put("parse", "empty", 0, rec, 0);

	/* the BTF the writer embeds; and a META of hostile strings, as chunk content */
	uint32_t btf_len;
	const uint8_t *btf = aa_events_btf(&btf_len);
	put("btf", "events", 0, btf, btf_len);
	struct aa_file_meta m = {.writer = "aa\x1b[2J", .writer_version = "0\x9b",
				 .hostname = "h\nIntact:         yes", .kernel = "6.18\x1b]0;t\x07",
				 .arch = "x86_64", .source = "raw:\xe2\x80\xae*/",
				 .schema = "exit 16\n*/ #include <x> /*\n", .mono_to_wall = 1000,
				 .level = 1, .btf = btf, .btf_len = btf_len};
	uint8_t meta[4 + 4096];
	size_t mlen;
	if (aa_meta_encode(&m, meta + 4, sizeof(meta) - 4, &mlen) != 0)
		abort();
	aat_put_le32(meta, 0);
	put("chunk", "meta-escapes-content", (uint8_t)(1 | (AA_CHUNK_META - 1) << 1), meta, mlen + 4);

	aat_recs_free(&l);
	free(raw);
	free(cap);
	free(prog);
	aat_tmpdir_remove(tmp);
	return 0;
}
