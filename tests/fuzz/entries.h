/* SPDX-License-Identifier: MIT */
/*
 * The fuzz entry points: one function per target, taking arbitrary bytes.
 * libFuzzer calls them from fuzz_main.c (built with clang and sanitizers);
 * tests/hostile/test_regress.c calls the very same functions on every kept
 * regression input under the normal test build. Each returns 0; a broken
 * invariant aborts, so it is a crash to both.
 */
#ifndef AAF_ENTRIES_H
#define AAF_ENTRIES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "aa_replay.h"
#include "meta.h"

/* Aborts, saying which, when an invariant does not hold. */
#define REQUIRE(cond)                                                                      \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* The file reader on a whole file: opened as a path, read to the end with
 * aa_next without skip_damaged, then as a set of two (the file twice) with
 * skip_damaged through aa_dispatch and a filter taken from the file's last
 * bytes; and all again with every chunk's crc32 made right so that the
 * checks behind it are reached. */
int aaf_file(const uint8_t *data, size_t size);

/*
 * The chunk decoder. data[0] chooses:
 *   even: data[1..] is an EPB's packet data for aa_chunk_check and then
 *         aa_chunk_decompress; bit 1 makes its crc32 right first, bit 2
 *         passes the header's own written_ns as the block time stamp;
 *   odd:  data[1..4] a record count and data[5..] a chunk's decoded content,
 *         of kind 1 + (data[0] >> 1 & 3), put into a real file (after a good
 *         META chunk unless bit 3 is set) and read with aa_next, which walks
 *         the framed records.
 */
int aaf_chunk(const uint8_t *data, size_t size);

/*
 * The record-aware chunk transform (format/xform.h). data[1..4] is a record
 * count (mod 4096). data[0] odd: data[5..] framed records (bit 1: the count
 * taken from the frames), encoded and, when encode takes them, decoded back
 * to exactly the same bytes. data[0] even: data[5..8] a raw length and
 * data[9..] transformed bytes, decoded; what decodes goes round again.
 */
int aaf_xform(const uint8_t *data, size_t size);

/*
 * The size-dispatch parser. data[0] chooses: bits 0-2, a known size to
 * cut or pad data[1..] to (0: its own length, 1..4 tls/file/exec/exit);
 * bits 3-5 the record's misalignment. The record ends exactly at the end of
 * its allocation, so reading one byte past it is caught.
 */
int aaf_parse(const uint8_t *data, size_t size);

/*
 * A BTF blob: aa_btf_check on it, then the schema printer (check, and
 * libbpf's btf_dump when the check passes) as `aa-replay schema` runs it,
 * through aaf_print_meta. That the printer succeeds on whatever the check
 * lets through is an invariant: libbpf is never given a blob it fails on.
 */
int aaf_btf(const uint8_t *data, size_t size);

/*
 * The views over crafted records: data[1..] framed raw records ([u32
 * length][record], as `aa-replay export` writes them) in a real file, then
 * the process tree (built, walked, printed as text and JSON, with the
 * pids data[0] picks), the diff's text of it, and the file against itself,
 * which must be alike. The walk must give every node once, each under its
 * parent, its children as its parent's list says.
 */
int aaf_views(const uint8_t *data, size_t size);

/* Shared by the entries (entry_read.c). */

/* /dev/null, open for writing: what the printers print goes nowhere, but
 * every byte is still formatted. */
FILE *aaf_devnull(void);

/* Reads every field of a record, formats it with both printers, checks what must hold. */
void aaf_touch_record(const struct aa_record *rec);

/* Writes bytes to an anonymous in-memory file; *path names it. Returns its fd or -1. */
int aaf_memfile(const uint8_t *data, size_t size, char path[64]);

/* A capture file in memory (aaf_memfile) of one chunk of kind (AA_CHUNK_*)
 * holding raw[0..raw_len) (cut to AA_CHUNK_RAW_MAX) and saying it holds
 * records, after a good META chunk when with_meta: its fd; *path names it
 * (entry_chunk.c). */
int aaf_chunk_file(uint8_t kind, int with_meta, uint32_t records, const uint8_t *raw, size_t raw_len,
		   char path[64]);

/* Opens paths with aa_open_offline and reads every record to the end, going
 * on after each error (a file holds a bounded number of them), touching
 * everything: with aa_next when filter is NULL, else with aa_dispatch and
 * that filter, checking that each record delivered passes it (and, for
 * the same path given twice, that the second delivers what the first did). Returns 0 or
 * the error of aa_open_offline. */
int aaf_read_paths(const char *const *paths, size_t n, int skip_damaged,
		   const struct aa_filter *filter);

/*
 * Prints every META string as info prints it (escaped text, JSON) and the
 * schema as `aa-replay schema` prints it, checking that nothing a terminal
 * acts on comes out, that no C comment is closed from inside, that the
 * JSON is valid, and that BTF the check passes prints (entry_btf.c).
 */
void aaf_print_meta(const struct aa_file_meta *m);

#endif
