/* SPDX-License-Identifier: MIT */
/*
 * Hostile headers: option values that run past their block or are missing
 * in the SHB, IDB and ISB; interfaces that are not ours (time stamp
 * resolution, link type, a second one, none before a packet); files that are
 * not pcapng at all; a META chunk missing, malformed or undecodable; and a
 * rotated set given out of order. Each gives its own AA_E_*.
 */
#include "hostile_build.h"

#include "gen.h"
#include "xxh64.h"

TestSuite(hostile_headers, .init = hb_setup, .fini = hb_teardown);

/* A pcapng block of this type around body (a multiple of 4 bytes). Returns its offset. */
static size_t block(struct hb *f, uint32_t type, const void *body, size_t n)
{
	uint8_t head[8];
	uint32_t len = (uint32_t)(n + 12);
	size_t at = f->len;
	aa_put32(head, type);
	aa_put32(head + 4, len);
	hb_put(f, head, 8);
	hb_put(f, body, n);
	hb_put(f, &len, 4);
	return at;
}

/* Appends one option whose length field says len_field, with n value bytes and padding. */
static size_t opt(uint8_t *p, uint16_t code, uint16_t len_field, const void *val, size_t n)
{
	memcpy(p, &code, 2);
	memcpy(p + 2, &len_field, 2);
	if (n)
		memcpy(p + 4, val, n);
	size_t padded = (n + 3) & ~(size_t)3;
	memset(p + 4 + n, 0, padded - n);
	return 4 + padded;
}

static size_t end_opt(uint8_t *p)
{
	memset(p, 0, 4);
	return 4;
}

/* An IDB with this link type and these options (already encoded). */
static size_t idb_with(struct hb *f, uint16_t linktype, const uint8_t *opts, size_t n)
{
	uint8_t b[256];
	uint16_t zero = 0;
	uint32_t snap = AA_SNAPLEN;
	memcpy(b, &linktype, 2);
	memcpy(b + 2, &zero, 2);
	memcpy(b + 4, &snap, 4);
	memcpy(b + 8, opts, n);
	return block(f, AA_PCAPNG_IDB, b, 8 + n);
}

static size_t idb_tsresol(struct hb *f, uint16_t linktype, uint8_t tsresol)
{
	uint8_t o[32];
	size_t n = opt(o, AA_OPT_IF_TSRESOL, 1, &tsresol, 1);
	n += end_opt(o + n);
	return idb_with(f, linktype, o, n);
}

/* Three records in chunk 1 after the META chunk. */
static void records(struct hb *f)
{
	uint8_t raw[64];
	const uint32_t lens[3] = {1, 2, 3};
	hb_chunk(f, AA_CHUNK_RECORDS, 1, 3, raw, hb_frames(raw, lens, 3));
}

static int read_all(int skip, uint64_t *n, struct aa_error_info *err)
{
	struct aat_recs back = {0};
	struct aa_replay_opts o = {.skip_damaged = skip};
	int rc = aat_read_capture(hb_path, &o, &back, NULL, err);
	*n = back.n;
	aat_recs_free(&back);
	return rc;
}

/* Reading stops with code at offset, after `before` records. */
static void expect(int code, int64_t offset, uint64_t before, const char *what)
{
	uint64_t n;
	struct aa_error_info err;
	int rc = read_all(0, &n, &err);
	cr_expect_eq(rc, code, "%s: %s, want %s", what, aa_error_name(rc), aa_error_name(code));
	cr_expect_eq(err.code, code, "%s", what);
	cr_expect_eq(err.offset, offset, "%s: offset %lld, want %lld", what, (long long)err.offset,
		     (long long)offset);
	cr_expect_eq(n, before, "%s: %llu records", what, (unsigned long long)n);
}

/* --- Section Header Block ---------------------------------------------- */

static size_t shb_with(struct hb *f, uint32_t magic, uint16_t major, const uint8_t *opts,
		       size_t n)
{
	uint8_t b[256];
	uint16_t minor = 0;
	aa_put32(b, magic);
	memcpy(b + 4, &major, 2);
	memcpy(b + 6, &minor, 2);
	aa_put64(b + 8, UINT64_MAX);
	if (n)
		memcpy(b + 16, opts, n);
	return block(f, AA_PCAPNG_SHB, b, 16 + n);
}

/* B3 (fixed in 8b38db1): the SHB's options were not checked at all. */
Test(hostile_headers, shb_option_value_past_the_block)
{
	uint8_t o[32];
	size_t n = opt(o, AA_OPT_SHB_USERAPPL, 0xFFFF, "aa", 2);
	struct hb f = {0};
	shb_with(&f, AA_PCAPNG_BYTE_ORDER_MAGIC, 1, o, n);
	hb_idb(&f);
	hb_meta(&f);
	records(&f);
	hb_save(&f);
	uint64_t got;
	struct aa_error_info err;
	int rc = read_all(0, &got, &err);
	cr_expect_eq(rc, AA_E_BLOCK, "%s", aa_error_name(rc));
	cr_expect_eq(err.offset, 0);
	cr_expect_eq(got, 0);
}

Test(hostile_headers, shb_not_little_endian_or_not_version_1)
{
	struct hb f = {0};
	/* the byte-order magic swapped (and the lengths not) */
	shb_with(&f, __builtin_bswap32(AA_PCAPNG_BYTE_ORDER_MAGIC), 1, NULL, 0);
	hb_idb(&f);
	hb_save(&f);
	expect(AA_E_ENDIAN, 0, 0, "swapped byte-order magic");

	shb_with(&f, AA_PCAPNG_BYTE_ORDER_MAGIC, 2, NULL, 0);
	hb_idb(&f);
	hb_save(&f);
	expect(AA_E_NOT_PCAPNG, 0, 0, "major version 2");

	shb_with(&f, 0x12345678, 1, NULL, 0);
	hb_idb(&f);
	hb_save(&f);
	expect(AA_E_NOT_PCAPNG, 0, 0, "no byte-order magic");
}

/* --- Interface Description Block ---------------------------------------- */

Test(hostile_headers, idb_option_value_past_the_block)
{
	uint8_t o[32];
	uint8_t nine = 9;
	size_t n = opt(o, AA_OPT_IF_TSRESOL, 0xFFFF, &nine, 1);
	struct hb f = {0};
	hb_shb(&f);
	size_t at = idb_with(&f, AA_LINKTYPE, o, n);
	hb_meta(&f);
	hb_save(&f);
	expect(AA_E_BLOCK, (int64_t)at, 0, "if_tsresol of 65535 bytes");
}

Test(hostile_headers, idb_option_list_cut_inside_an_option)
{
	uint8_t o[32];
	uint8_t nine = 9;
	size_t n = opt(o, AA_OPT_IF_TSRESOL, 1, &nine, 1);
	o[n++] = 2; /* two bytes of a next option header, then the block ends */
	o[n++] = 0;
	o[n++] = 0;
	o[n++] = 0;
	aa_put32(o + n - 4, 0x00080002u); /* if_name, 8 bytes: none follow */
	struct hb f = {0};
	hb_shb(&f);
	size_t at = idb_with(&f, AA_LINKTYPE, o, n);
	hb_meta(&f);
	hb_save(&f);
	expect(AA_E_BLOCK, (int64_t)at, 0, "option header without its value");
}

Test(hostile_headers, idb_time_stamps_not_in_nanoseconds)
{
	const struct {
		int present;
		uint8_t v;
		const char *what;
	} cases[] = {{0, 0, "no if_tsresol (microseconds)"},
		     {1, 6, "if_tsresol 6 (microseconds)"},
		     {1, 0x89, "if_tsresol 0x89 (2^-9 s)"},
		     {1, 10, "if_tsresol 10"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hb f = {0};
		hb_shb(&f);
		size_t at = cases[i].present ? idb_tsresol(&f, AA_LINKTYPE, cases[i].v)
					     : idb_with(&f, AA_LINKTYPE, (const uint8_t *)"\0\0\0", 4);
		hb_meta(&f);
		records(&f);
		hb_save(&f);
		expect(AA_E_INTERFACE, (int64_t)at, 0, cases[i].what);
	}
	/* a time stamp resolution option without its value byte counts as none */
	uint8_t o[16];
	size_t n = opt(o, AA_OPT_IF_TSRESOL, 0, NULL, 0);
	n += end_opt(o + n);
	struct hb f = {0};
	hb_shb(&f);
	size_t at = idb_with(&f, AA_LINKTYPE, o, n);
	hb_meta(&f);
	hb_save(&f);
	expect(AA_E_INTERFACE, (int64_t)at, 0, "if_tsresol without a value");
}

Test(hostile_headers, idb_link_type_not_user)
{
	const uint16_t bad[] = {0, 1, 146, 163, 0xFFFF};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hb f = {0};
		hb_shb(&f);
		size_t at = idb_tsresol(&f, bad[i], 9);
		hb_meta(&f);
		records(&f);
		hb_save(&f);
		char what[32];
		snprintf(what, sizeof(what), "link type %u", bad[i]);
		expect(AA_E_INTERFACE, (int64_t)at, 0, what);
	}
	/* the control: USER0 and USER15 both read */
	const uint16_t good[] = {147, 162};
	for (size_t i = 0; i < 2; i++) {
		struct hb f = {0};
		hb_shb(&f);
		idb_tsresol(&f, good[i], 9);
		hb_meta(&f);
		records(&f);
		int64_t end = (int64_t)f.len;
		hb_save(&f);
		expect(AA_E_UNCLOSED, end, 3, "USER0/USER15");
	}
}

Test(hostile_headers, idb_too_short_or_twice)
{
	struct hb f = {0};
	hb_shb(&f);
	uint8_t body[4] = {147, 0, 0, 0};
	size_t at = block(&f, AA_PCAPNG_IDB, body, 4);
	hb_save(&f);
	expect(AA_E_BLOCK, (int64_t)at, 0, "interface block of 16 bytes");

	hb_shb(&f);
	hb_idb(&f);
	hb_meta(&f);
	at = f.len;
	hb_idb(&f);
	records(&f);
	hb_save(&f);
	expect(AA_E_INTERFACE, (int64_t)at, 0, "a second interface");
}

Test(hostile_headers, packet_before_any_interface)
{
	struct hb f = {0};
	hb_shb(&f);
	size_t at = f.len;
	hb_meta(&f);
	hb_idb(&f);
	hb_save(&f);
	expect(AA_E_INTERFACE, (int64_t)at, 0, "packet block first");
}

/* --- Interface Statistics Block ------------------------------------------ */

static size_t isb_with(struct hb *f, const uint8_t *opts, size_t n)
{
	uint8_t b[256] = {0};
	memcpy(b + 12, opts, n);
	return block(f, AA_PCAPNG_ISB, b, 12 + n);
}

Test(hostile_headers, isb_option_value_past_the_block)
{
	uint8_t o[32];
	uint64_t v = 7;
	size_t n = opt(o, AA_OPT_ISB_IFDROP, 0xFFF0, &v, 8);
	struct hb f = {0};
	hb_head(&f);
	size_t at = isb_with(&f, o, n);
	records(&f);
	hb_save(&f);
	expect(AA_E_BLOCK, (int64_t)at, 0, "isb_ifdrop of 65520 bytes");

	hb_head(&f);
	uint8_t body[8] = {0};
	at = block(&f, AA_PCAPNG_ISB, body, 8);
	records(&f);
	hb_save(&f);
	expect(AA_E_BLOCK, (int64_t)at, 0, "statistics block of 20 bytes");
}

Test(hostile_headers, isb_option_values_missing_or_short)
{
	/* counters of the wrong size are not counters: ignored, the records read */
	uint8_t o[64];
	uint32_t four = 5;
	size_t n = opt(o, AA_OPT_ISB_IFRECV, 4, &four, 4);
	n += opt(o + n, AA_OPT_ISB_IFDROP, 0, NULL, 0);
	n += end_opt(o + n);
	struct hb f = {0};
	hb_head(&f);
	isb_with(&f, o, n);
	records(&f);
	int64_t end = (int64_t)f.len;
	hb_save(&f);
	expect(AA_E_UNCLOSED, end, 3, "short and empty counters");
}

/* --- Not pcapng at all ---------------------------------------------------- */

static void expect_open_fails(const void *data, size_t n, int code, const char *what)
{
	cr_assert_eq(aat_write_file(hb_path, data, n), 0);
	aa_source *src;
	struct aa_error_info err;
	const char *p = hb_path;
	int rc = aa_open_offline(&src, &p, 1, NULL, &err);
	cr_expect_eq(rc, code, "%s: %s, want %s", what, aa_error_name(rc), aa_error_name(code));
	cr_expect_null(rc ? NULL : src, "%s", what);
	cr_expect_eq(err.code, code, "%s", what);
	cr_expect_eq(err.offset, 0, "%s", what);
	if (rc == 0)
		aa_close(src);
}

Test(hostile_headers, not_pcapng_at_all)
{
	expect_open_fails("", 0, AA_E_NOT_PCAPNG, "empty file");
	expect_open_fails("\x0a\x0d\x0d\x0a", 4, AA_E_NOT_PCAPNG, "four bytes of a section header");

	uint8_t pcap[40] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0}; /* classic pcap, little-endian */
	aa_put32(pcap + 16, 65535);
	aa_put32(pcap + 20, 1);
	expect_open_fails(pcap, sizeof(pcap), AA_E_NOT_PCAPNG, "classic pcap");
	pcap[0] = 0xa1, pcap[1] = 0xb2, pcap[2] = 0xc3, pcap[3] = 0xd4;
	expect_open_fails(pcap, sizeof(pcap), AA_E_NOT_PCAPNG, "classic pcap, big-endian");

	const char *text = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\nnot a capture file\n";
	expect_open_fails(text, strlen(text), AA_E_NOT_PCAPNG, "a text file");

	struct aat_rng r;
	uint8_t rnd[4096];
	aat_rng_seed(&r, 77);
	for (int i = 0; i < 20; i++) {
		aat_fill(&r, rnd, sizeof(rnd));
		if (aa_get32(rnd) == AA_PCAPNG_SHB)
			continue;
		expect_open_fails(rnd, 1 + aat_below(&r, sizeof(rnd)), AA_E_NOT_PCAPNG,
				  "random bytes");
	}

}

/* B5 (fixed in 8b38db1): it opened, then failed as AA_E_BLOCK. */
Test(hostile_headers, big_endian_file)
{
	/* a whole big-endian section as a big-endian machine writes it: its
	 * lengths are byte-swapped too */
	uint8_t be[28] = {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0,
			  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28};
	cr_assert_eq(aat_write_file(hb_path, be, sizeof(be)), 0);
	aa_source *src;
	struct aa_error_info err;
	const char *p = hb_path;
	int rc = aa_open_offline(&src, &p, 1, NULL, &err);
	if (rc == 0)
		aa_close(src);
	cr_expect_eq(rc, AA_E_ENDIAN, "%s", aa_error_name(rc));
	cr_expect_eq(err.offset, 0);
}

/* --- META ------------------------------------------------------------------ */

Test(hostile_headers, meta_missing)
{
	struct hb f = {0};
	hb_shb(&f);
	hb_idb(&f);
	uint8_t raw[64];
	const uint32_t lens[2] = {16, 3};
	size_t at = hb_chunk(&f, AA_CHUNK_RECORDS, 0, 2, raw, hb_frames(raw, lens, 2));
	hb_save(&f);
	expect(AA_E_META, (int64_t)at, 0, "records chunk first");
}

/* A file whose META chunk holds these bytes, then three records. */
static void meta_bytes(const uint8_t *meta, size_t n, size_t *at)
{
	struct hb f = {0};
	hb_shb(&f);
	hb_idb(&f);
	*at = hb_chunk(&f, AA_CHUNK_META, 0, 0, meta, n);
	records(&f);
	hb_save(&f);
}

Test(hostile_headers, meta_malformed)
{
	uint8_t m[64] = {0};
	size_t at;
	/* an entry whose length runs past the chunk */
	m[0] = AA_META_HOSTNAME;
	aa_put32(m + 4, 1000);
	memcpy(m + 8, "host", 5);
	meta_bytes(m, 16, &at);
	expect(AA_E_META, (int64_t)at, 0, "entry past the chunk");
	/* a string without its NUL */
	aa_put32(m + 4, 4);
	memcpy(m + 8, "host", 4);
	meta_bytes(m, 12, &at);
	expect(AA_E_META, (int64_t)at, 0, "string without NUL");
	/* a fixed-size value of the wrong size */
	m[0] = AA_META_FILE_SEQ;
	aa_put32(m + 4, 2);
	meta_bytes(m, 12, &at);
	expect(AA_E_META, (int64_t)at, 0, "file_seq of 2 bytes");
	m[0] = AA_META_MONO_TO_WALL;
	aa_put32(m + 4, 0);
	meta_bytes(m, 8, &at);
	expect(AA_E_META, (int64_t)at, 0, "mono_to_wall without a value");
	/* an entry header cut short */
	meta_bytes(m, 6, &at);
	expect(AA_E_META, (int64_t)at, 0, "6 bytes");
}

Test(hostile_headers, meta_again_later)
{
	struct hb f = {0};
	hb_head(&f);
	records(&f);
	uint8_t m[16] = {AA_META_ARCH, 0, 0, 0, 2, 0, 0, 0, 'x', 0};
	size_t at = hb_chunk(&f, AA_CHUNK_META, 2, 0, m, 12);
	hb_save(&f);
	expect(AA_E_META, (int64_t)at, 3, "a second META chunk");
}

/* The first META stays readable after a stray META chunk was refused (B7,
 * fixed in 82aea00: refusing it freed the buffer the first one's strings
 * pointed into). Read in a child, so that a sanitizer's report or a crash
 * is a failure with a message, not the end of the test binary. */
Test(hostile_headers, meta_stays_readable_after_a_stray_meta)
{
	struct hb f = {0};
	hb_head(&f);
	records(&f);
	uint8_t m[16] = {AA_META_ARCH, 0, 0, 0, 2, 0, 0, 0, 'x', 0};
	hb_chunk(&f, AA_CHUNK_META, 2, 0, m, 12);
	records(&f); /* chunk 3 */
	hb_save(&f);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		aa_source *src;
		const char *p = hb_path;
		const struct aa_record *r;
		if (aa_open_offline(&src, &p, 1, NULL, NULL) != 0)
			_exit(2);
		int rc, metas = 0;
		while ((rc = aa_next(src, &r)) != 0)
			metas += rc == AA_E_META;
		const struct aa_file_meta *meta = aa_source_meta(src);
		_exit(metas == 1 && meta && strcmp(meta->writer, "aa-hostile") == 0 &&
				      strcmp(meta->hostname, "h") == 0
			      ? 0
			      : 3);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "status 0x%x: after a stray META chunk, aa_source_meta() no longer gives the "
		  "first META's strings (B7)", st);
}

/* B4 (fixed in 8b38db1): such a file read as intact. */
Test(hostile_headers, meta_chunk_that_does_not_decode)
{
	/* a META chunk with a right crc32 over a frame that does not decode */
	struct hb f = {0};
	hb_shb(&f);
	hb_idb(&f);
	size_t head = f.len;
	uint8_t junk[32];
	memset(junk, 0x5a, sizeof(junk));
	size_t at = hb_raw_chunk(&f, AA_CHUNK_META, 0, 0, 24, sizeof(junk), junk, sizeof(junk));
	hb_empty_end(&f, 1, head);
	hb_save(&f);
	uint64_t n;
	struct aa_error_info err;
	int rc = read_all(0, &n, &err);
	cr_expect_eq(rc, AA_E_ZSTD, "%s", aa_error_name(rc));
	cr_expect_eq(err.offset, (int64_t)at);
}

Test(hostile_headers, good_empty_file_control)
{
	/* the control for the test above: the same file with a good META is intact */
	struct hb f = {0};
	hb_shb(&f);
	hb_idb(&f);
	size_t head = f.len;
	hb_meta(&f);
	hb_empty_end(&f, 1, head);
	hb_save(&f);
	uint64_t n;
	struct aa_error_info err;
	cr_expect_eq(read_all(0, &n, &err), 0, "%s", aa_error_name(err.code));
}

/* --- A rotated set ---------------------------------------------------------- */

Test(hostile_headers, rotated_set_out_of_order)
{
	static const uint8_t session[16] = "0123456789abcdef";
	char *p[3];
	struct aat_recs recs = {0};
	uint8_t rec[16] = {0};
	for (int i = 0; i < 6; i++) {
		rec[0] = (uint8_t)i;
		aat_recs_add(&recs, rec, 9);
	}
	for (uint32_t i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "set%u", i);
		p[i] = aat_path(hb_dir, name);
		struct aa_writer_opts wo = {.session = session, .file_seq = i};
		cr_assert_eq(aat_write_capture(p[i], &recs, 2 * i, 2 * i + 2, &wo, 0, NULL), 0);
	}
	const struct {
		int order[3];
		size_t n;
		int code;
		uint64_t records; /* read before the error */
		int bad;          /* which given file the error names */
	} cases[] = {
		{{0, 1, 2}, 3, 0, 6, -1},
		{{1, 2}, 2, 0, 4, -1}, /* a set may be given from a later file on */
		{{0, 2, 1}, 3, AA_E_SET, 2, 1},
		{{0, 2}, 2, AA_E_SET, 2, 1},
		{{1, 0}, 2, AA_E_SET, 2, 1},
		{{0, 0}, 2, AA_E_SET, 2, 1},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const char *paths[3];
		for (size_t i = 0; i < cases[c].n; i++)
			paths[i] = p[cases[c].order[i]];
		aa_source *src;
		struct aa_error_info err;
		cr_assert_eq(aa_open_offline(&src, paths, cases[c].n, NULL, &err), 0);
		const struct aa_record *r;
		uint64_t n = 0;
		int rc;
		while ((rc = aa_next(src, &r)) == 1)
			n++;
		cr_expect_eq(rc, cases[c].code, "case %zu: %s", c, aa_error_name(rc));
		cr_expect_eq(n, cases[c].records, "case %zu: %llu records", c, (unsigned long long)n);
		if (cases[c].bad >= 0)
			cr_expect_str_eq(aa_source_error(src)->path, paths[cases[c].bad], "case %zu", c);
		aa_close(src);
	}
	for (int i = 0; i < 3; i++)
		free(p[i]);
	aat_recs_free(&recs);
}
