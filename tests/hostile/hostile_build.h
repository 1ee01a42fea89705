/* SPDX-License-Identifier: MIT */
/*
 * Building hostile capture files for tests/hostile/: a file put together
 * block by block with the library's own block and chunk encoders where a
 * part must be right, and by hand where it must lie; and reading one in a
 * child process whose allocations are watched, so that a reader that would
 * allocate without bound fails the test instead of the machine.
 * Included by the test files of this folder only (static inline, no object).
 */
#ifndef AAT_HOSTILE_BUILD_H
#define AAT_HOSTILE_BUILD_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "capfile.h"
#include "capio.h"
#include "chunk.h"
#include "files.h"
#include "memcap.h"
#include "meta_codec.h"
#include "pcapng.h"
#include "xxh64.h"

#define HB_WRITTEN_NS 1764106200000000000ull

/* Each test's private directory and the file it writes there. */
static char *hb_dir, *hb_path;

static inline void hb_setup(void)
{
	hb_dir = aat_tmpdir();
	cr_assert_not_null(hb_dir);
	hb_path = aat_path(hb_dir, "f.pcapng");
}

static inline void hb_teardown(void)
{
	free(hb_path);
	aat_tmpdir_remove(hb_dir);
}

/* build/aa-replay, for the suites that run it on the file they built. */
static char *hb_prog;

static inline void hb_setup_cli(void)
{
	hb_setup();
	hb_prog = aat_build_path("aa-replay");
}

static inline void hb_teardown_cli(void)
{
	free(hb_prog);
	hb_teardown();
}

/* A file being built in memory. */
struct hb {
	uint8_t *p;
	size_t len, cap;
	uint64_t records; /* in its RECORDS chunks so far: the next one's first_record */
};

/* The first_record of a chunk of this kind added now (FORMAT.md: 0 but in RECORDS chunks). */
static inline uint64_t hb_first_record(struct hb *f, uint8_t kind, uint32_t records)
{
	uint64_t first = kind == AA_CHUNK_RECORDS ? f->records : 0;
	if (kind == AA_CHUNK_RECORDS)
		f->records += records;
	return first;
}

static inline void hb_put(struct hb *f, const void *data, size_t n)
{
	if (f->len + n > f->cap) {
		f->cap = (f->len + n) * 2 + 4096;
		f->p = realloc(f->p, f->cap);
		cr_assert_not_null(f->p);
	}
	if (n)
		memcpy(f->p + f->len, data, n);
	f->len += n;
}

/* Writes the built file to hb_path and starts a new one. */
static inline void hb_save(struct hb *f)
{
	cr_assert_eq(aat_write_file(hb_path, f->p, f->len), 0);
	free(f->p);
	memset(f, 0, sizeof(*f));
}

static inline void hb_shb(struct hb *f)
{
	uint8_t b[AA_SMALL_BLOCK_MAX];
	struct aa_shb_info info = {"x86_64", "Linux 6.18", "aa-hostile"};
	f->records = 0; /* a new section: its record stream starts again */
	hb_put(f, b, aa_pcapng_shb(b, &info));
}

static inline void hb_idb(struct hb *f)
{
	uint8_t b[AA_SMALL_BLOCK_MAX];
	hb_put(f, b, aa_pcapng_idb(b, AA_LINKTYPE, AA_SNAPLEN, "EVENTS", NULL));
}

/* A good chunk of this kind and content, through aa_chunk_encode. Returns its block's offset. */
static inline size_t hb_chunk(struct hb *f, uint8_t kind, uint32_t index, uint32_t records,
			      const void *raw, size_t raw_len)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	cr_assert_not_null(c);
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	uint8_t *block = malloc(AA_BLOCK_MAX);
	cr_assert_not_null(block);
	struct aa_chunk_hdr h = {.kind = kind, .index = index, .records = records,
				 .first_record = hb_first_record(f, kind, records),
				 .raw_len = (uint32_t)raw_len, .written_ns = HB_WRITTEN_NS};
	long n = aa_chunk_encode(c, &h, raw, block);
	cr_assert_gt(n, 0, "aa_chunk_encode: %ld", n);
	size_t at = f->len;
	hb_put(f, block, (size_t)n);
	free(block);
	ZSTD_freeCCtx(c);
	return at;
}

/* A META chunk (index 0) for these fields. */
static inline void hb_meta_of(struct hb *f, const struct aa_file_meta *m)
{
	uint8_t buf[8192]; /* room for the BTF of the record structs */
	size_t len;
	cr_assert_eq(aa_meta_encode(m, buf, sizeof(buf), &len), 0);
	hb_chunk(f, AA_CHUNK_META, 0, 0, buf, len);
}

static inline void hb_meta(struct hb *f)
{
	struct aa_file_meta m = {.writer = "aa-hostile", .writer_version = "0", .hostname = "h",
				 .kernel = "6.18", .arch = "x86_64", .source = "test",
				 .schema = "exit 16\n", .mono_to_wall = 1000, .level = 1,
				 .flush_ms = 1000};
	hb_meta_of(f, &m);
}

/* SHB, IDB, META: the start of a good file. */
static inline void hb_head(struct hb *f)
{
	hb_shb(f);
	hb_idb(f);
	hb_meta(f);
}

/* An END chunk that matches a file of no records (head_len: its SHB and IDB), so that nothing else is wrong. */
static inline void hb_empty_end(struct hb *f, uint32_t index, size_t head_len)
{
	struct aa_end_body e = {0};
	struct aa_xxh64 x;
	aa_xxh64_init(&x, 0);
	e.digest = aa_xxh64_digest(&x);
	e.blocks_crc = (uint32_t)crc32(0, f->p, (uInt)head_len);
	hb_chunk(f, AA_CHUNK_END, index, 0, &e, sizeof(e));
}

/* Frames records of the given lengths (bytes 0x41 + record number) into raw; returns its length. */
static inline size_t hb_frames(uint8_t *raw, const uint32_t *lens, size_t n)
{
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		aa_put32(raw + pos, lens[i]);
		aa_put32(raw + pos + 4, 0);
		memset(raw + pos + 8, 0x41 + (int)i, lens[i]);
		size_t padded = (lens[i] + 7u) & ~7u;
		memset(raw + pos + 8 + lens[i], 0, padded - lens[i]);
		pos += 8 + padded;
	}
	return pos;
}

/* The crc32 a chunk header at c must carry for its stored bytes. */
static inline uint32_t hb_crc(const uint8_t *c, size_t stored_len)
{
	uLong crc = crc32(0L, c, AA_CH_CRC);
	return (uint32_t)crc32(crc, c + AA_CHUNK_HEADER_SIZE, (uInt)stored_len);
}

/*
 * A chunk written by hand: any header values (raw_len and stored_len as
 * given, lies included) and these stored bytes, in a well-formed EPB with
 * a right crc32. Returns its block's offset.
 */
static inline size_t hb_raw_chunk(struct hb *f, uint8_t kind, uint32_t index, uint32_t records,
				  uint32_t raw_len, uint32_t stored_len, const void *stored,
				  size_t n)
{
	size_t data_len = AA_CHUNK_HEADER_SIZE + n, padded = (data_len + 3) & ~(size_t)3;
	uint8_t *b = calloc(1, AA_EPB_HEAD + padded + 4);
	cr_assert_not_null(b);
	aa_pcapng_epb_frame(b, HB_WRITTEN_NS, (uint32_t)data_len);
	uint8_t *c = b + AA_EPB_HEAD;
	uint16_t hlen = AA_CHUNK_HEADER_SIZE;
	aa_put32(c + AA_CH_MAGIC, AA_CHUNK_MAGIC);
	c[AA_CH_VERSION] = AA_CHUNK_VERSION;
	c[AA_CH_KIND] = kind;
	memcpy(c + AA_CH_HEADER_LEN, &hlen, 2);
	aa_put32(c + AA_CH_INDEX, index);
	aa_put32(c + AA_CH_RECORDS, records);
	aa_put64(c + AA_CH_FIRST_RECORD, hb_first_record(f, kind, records));
	aa_put32(c + AA_CH_RAW_LEN, raw_len);
	aa_put32(c + AA_CH_STORED_LEN, stored_len);
	aa_put64(c + AA_CH_WRITTEN_NS, HB_WRITTEN_NS);
	memcpy(c + AA_CHUNK_HEADER_SIZE, stored, n);
	aa_put32(c + AA_CH_CRC, hb_crc(c, n));
	size_t at = f->len;
	hb_put(f, b, AA_EPB_HEAD + padded + 4);
	free(b);
	return at;
}

/* After editing a chunk's header in a file: makes its crc32 right again. */
static inline void hb_refix_crc(uint8_t *file, size_t block_off)
{
	uint8_t *c = file + block_off + AA_EPB_HEAD;
	uint32_t cap = aa_get32(file + block_off + 20);
	aa_put32(c + AA_CH_CRC, hb_crc(c, cap - AA_CHUNK_HEADER_SIZE));
}

/* How a read in a watched child ended. */
struct hb_result {
	int rc;            /* aat_read_capture's: 0 or the AA_E_* */
	int code;          /* the error's code */
	int64_t offset;    /* and byte offset */
	int64_t chunk;     /* and chunk number */
	uint64_t records;  /* records delivered */
	uint64_t damaged;
	size_t max_alloc;  /* largest single allocation (sanitizer builds), else 0 */
};

/* The most memory a reader may ask for at once: one block and one chunk, with room. */
#define HB_ALLOC_BOUND (4u << 20)

#if defined(__SANITIZE_ADDRESS__)
int __sanitizer_install_malloc_and_free_hooks(void (*)(const volatile void *, size_t),
					      void (*)(const volatile void *));
static size_t hb_max_alloc;
static inline void hb_on_malloc(const volatile void *p, size_t size)
{
	(void)p;
	if (size > hb_max_alloc)
		hb_max_alloc = size;
}
static inline void hb_on_free(const volatile void *p)
{
	(void)p;
}
static inline void hb_watch(void)
{
	__sanitizer_install_malloc_and_free_hooks(hb_on_malloc, hb_on_free);
}
#else
static size_t hb_max_alloc;
/* No hooks without a sanitizer: the address space itself is capped a little
 * above what the process uses now, so an allocation out of bound fails. */
static inline void hb_watch(void)
{
	if (aat_cap_memory(64u * 1024 * 1024) != 0)
		_exit(91);
}
#endif

/* In a child: standard input becomes a pipe that another child fills with path's bytes. */
static inline void hb_stdin_from_pipe(const char *path)
{
	int p[2];
	uint8_t *data;
	size_t n;
	if (aat_read_file(path, &data, &n) != 0 || pipe(p) != 0)
		_exit(93);
	pid_t feeder = fork();
	if (feeder < 0)
		_exit(94);
	if (feeder == 0) {
		close(p[0]);
		for (size_t done = 0; done < n;) {
			ssize_t k = write(p[1], data + done, n - done);
			if (k <= 0)
				_exit(0); /* the reader stopped early */
			done += (size_t)k;
		}
		_exit(0);
	}
	free(data);
	close(p[1]);
	if (dup2(p[0], STDIN_FILENO) < 0)
		_exit(95);
	close(p[0]);
}

/*
 * Reads path to the end (aat_read_capture) in a child with its allocations
 * watched; as_stream: as "-", from a pipe, where nothing can be read twice.
 */
static inline struct hb_result hb_read_watched_as(const char *path, int skip_damaged, int as_stream)
{
	struct hb_result res;
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		if (as_stream) {
			hb_stdin_from_pipe(path);
			path = "-";
		}
		struct aa_replay_opts o = {.skip_damaged = skip_damaged};
		struct aat_recs recs = {0};
		struct aa_source_stats st;
		struct aa_error_info err;
		hb_watch();
		memset(&res, 0, sizeof(res));
		res.rc = aat_read_capture(path, &o, &recs, &st, &err);
		res.code = err.code;
		res.offset = err.offset;
		res.chunk = err.chunk;
		res.records = recs.n;
		res.damaged = st.damaged;
		res.max_alloc = hb_max_alloc;
		_exit(write(fds[1], &res, sizeof(res)) == sizeof(res) ? 0 : 92);
	}
	close(fds[1]);
	ssize_t k = read(fds[0], &res, sizeof(res));
	close(fds[0]);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && k == sizeof(res),
		  "%s: the reading child died (status 0x%x)", path, st);
	cr_assert_leq(res.max_alloc, HB_ALLOC_BOUND, "%s: an allocation of %zu bytes", path,
		      res.max_alloc);
	return res;
}

static inline struct hb_result hb_read_watched(const char *path, int skip_damaged)
{
	return hb_read_watched_as(path, skip_damaged, 0);
}

#endif
