/* SPDX-License-Identifier: MIT */
/*
 * What a capture file says of itself: its META chunk, decoded. Strings are
 * NUL-terminated and point into storage owned by whoever decoded them (for
 * aa_source_meta(), the source: see there how long they live).
 */
#ifndef AA_META_H
#define AA_META_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aa_file_meta {
	const char *writer;         /* "aa-capture" */
	const char *writer_version;
	const char *hostname;
	const char *kernel;         /* uname -r of the capturing machine */
	const char *arch;
	const char *source;         /* "ringbuf:EVENTS", "raw:PATH", ... */
	const char *schema;         /* "name size\n" per record type */
	int64_t mono_to_wall;       /* wall-clock ns = monotonic ns + this */
	uint64_t start_ns;          /* wall clock when the file was opened */
	uint8_t session[16];        /* the same for every file of a rotated set */
	uint32_t file_seq;          /* place in the rotated set, from 0 */
	int32_t level;              /* zstd level */
	uint32_t flush_ms;
	uint64_t reorder_ns;        /* see aa_meta_reorder_ns(); 0 if absent */
	uint32_t format_version;    /* see aa_meta_format_version(); 0 if absent */
	const uint8_t *btf;         /* raw BTF of the record structs, NULL if absent */
	uint32_t btf_len;
};

/*
 * Records reach the ring in the order their syscalls end but carry the time
 * they began, and wait there until drained: a file says how far back in
 * time a record may come, and readers that give time order hold records
 * that long. aa-capture writes its flush interval plus this margin.
 */
#define AA_REORDER_MARGIN_NS 250000000ull

/* m's reorder window; for a file without one (or m NULL), its flush
 * interval (1000 ms if unknown) plus AA_REORDER_MARGIN_NS. */
uint64_t aa_meta_reorder_ns(const struct aa_file_meta *m);

/*
 * What the records of a file may hold: 1, the four seed types (a path or
 * file name of 255 bytes may have been cut); 2 (AA_FORMAT_VERSION), the
 * evidence records too (task, string, tls_conn, fileop, net), a string
 * record carrying what does not fit.
 */
#define AA_FORMAT_VERSION 2
/*
 * 3: a merged file (aa-replay merge): the records of several sources
 * (hosts, or sessions of one host) in time order, one interface and one
 * META chunk per source, each record's frame naming its source. Readers
 * refuse a file of a version above AA_FORMAT_VERSION_MAX.
 */
#define AA_FORMAT_VERSION_MERGED 3
#define AA_FORMAT_VERSION_MAX 3

/* m's format version: its META format_version, 1 when absent (or m NULL). */
uint32_t aa_meta_format_version(const struct aa_file_meta *m);

#ifdef __cplusplus
}
#endif

#endif /* AA_META_H */
