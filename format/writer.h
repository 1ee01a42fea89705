/* SPDX-License-Identifier: MIT */
/*
 * The capture file writer: records in, a pcapng capture file out. Records
 * are framed into chunks; a chunk is compressed and written as one block
 * when it is full or when its oldest record has waited flush_ms, in the
 * calling thread or by threads of its own (aa_writer_opts.threads). A file
 * cut at any byte reads up to its last complete chunk.
 */
#ifndef AA_WRITER_H
#define AA_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "aa_error.h"
#include "events.h"
#include "meta.h"

#ifdef __cplusplus
extern "C" {
#endif

struct aa_writer;

/*
 * One finished chunk as it left the writer (aa_writer_opts.sink): the
 * exact bytes written to the file for it, the pcapng blocks that came just
 * before it and carry no chunk (SHB and IDB before META, an ISB before
 * STATS) followed by its Enhanced Packet Block. Concatenated in order,
 * the chunks of a file are the file, byte for byte.
 */
struct aa_writer_chunk {
	uint8_t kind;          /* AA_CHUNK_META 2, RECORDS 1, STATS 3, END 4 (FORMAT.md 3) */
	uint32_t index;        /* chunk number in the file, from 0 */
	uint32_t file_seq;     /* the file's place in its rotated set */
	const uint8_t *session; /* 16 bytes */
	uint32_t records;      /* records in a RECORDS chunk */
	const uint8_t *bytes;  /* valid during the call only */
	size_t len;
};

struct aa_writer_opts {
	int level;              /* zstd level; 0 means the default, 3 */
	unsigned flush_ms;      /* close a chunk at least this often; 0 means 1000 */
	unsigned stats_ms;      /* write drop counters at least this often; 0 means 10000 */
	const char *writer;     /* program name for META, "aa-capture" if NULL */
	const char *source;     /* META source, e.g. "ringbuf:EVENTS" or "raw:-" */
	uint32_t file_seq;      /* place in a rotated set */
	const uint8_t *session; /* 16 bytes shared by a rotated set; NULL: random */
	int64_t mono_to_wall;   /* 0: measured now */
	size_t chunk_raw_max;   /* 0 means AA_CHUNK_RAW_MAX; smaller for tests */
	uint64_t reorder_ns;    /* META reorder window; 0: flush_ms + AA_REORDER_MARGIN_NS */
	uint32_t format_version; /* META format_version; 0: AA_FORMAT_VERSION */
	/* The capturing machine as META names it; NULL: this machine. Set when
	 * copying records captured elsewhere (aa-replay recover and filter). */
	const char *hostname;
	const char *kernel;
	const char *arch;
	/* A merged file (format 3, FORMAT.md section 7): the META of each of
	 * its nsources sources (at most AA_SOURCES_MAX: 256), given to one
	 * interface and one META chunk each, in this order; the writer name,
	 * version and source above replace theirs (a NULL source keeps each
	 * one's). Records are then added with aa_writer_add_from(). 0: one
	 * source, described by the fields above. */
	uint32_t nsources;
	const struct aa_file_meta *sources;
	/* Called with each chunk once it is written whole to the file (not after
	 * a failed write), from the thread calling the writer; it must copy what
	 * it keeps. NULL: none. */
	void (*sink)(void *user, const struct aa_writer_chunk *chunk);
	void *sink_user;
	/* Compression threads (1..64), as zstd -T#: chunks are compressed by
	 * that many workers and written in order by one more thread, while the
	 * caller goes on adding records (it waits only when 2 * threads + 2
	 * chunks of 256 KiB are all in flight). The file is byte for byte the
	 * one written without threads. A chunk is then written some time after
	 * aa_writer_flush() or aa_writer_add() closed it: aa_writer_get_info()
	 * counts it once it is; aa_writer_close() waits for all. An error met by
	 * a thread is returned by the next call. 0: everything in the calling
	 * thread, each chunk written before the call that closed it returns. */
	unsigned threads;
};

/* What the writer has done so far, for status lines and rotation. */
struct aa_writer_info {
	uint64_t records;      /* records added */
	uint64_t bytes_raw;    /* their bytes */
	uint64_t bytes_file;   /* bytes written to the file */
	uint64_t chunks;       /* record chunks written */
	uint64_t digest;       /* stream digest so far (of records already added) */
	const uint8_t *session; /* 16 bytes, owned by the writer: valid until aa_writer_close */
};

/*
 * Starts a capture file on fd, which the writer owns from now on (closed by
 * aa_writer_close, also on failure). Writes the header blocks and the META
 * chunk at once. path is only for messages. Returns 0 or AA_E_*.
 */
AA_MUST_CHECK int aa_writer_open(struct aa_writer **w, int fd, const char *path,
		   const struct aa_writer_opts *opts);

/* Appends one record (1..AA_RECORD_MAX bytes): AA_E_INVAL for 0 bytes,
 * AA_E_TOO_BIG over the limit, AA_E_IO. */
AA_MUST_CHECK int aa_writer_add(struct aa_writer *w, const void *rec, size_t len);
/* aa_writer_add of a record of source `source` (0 .. nsources-1) of a
 * merged file; AA_E_INVAL for another source. */
AA_MUST_CHECK int aa_writer_add_from(struct aa_writer *w, uint32_t source, const void *rec,
				     size_t len);

/* Sets the drop counters (cumulative, per enum aa_drop_slot); written in the next stats. */
void aa_writer_set_drops(struct aa_writer *w, const uint64_t drops[AA_DROP_SLOTS]);

/*
 * Closes the current chunk if its oldest record is older than flush_ms, and
 * writes stats when due. Call it from the event loop at least as often as
 * aa_writer_timeout_ms() says. Returns 0 or AA_E_IO.
 */
int aa_writer_tick(struct aa_writer *w);
/* Milliseconds until the next tick is due (-1: nothing pending). */
int aa_writer_timeout_ms(const struct aa_writer *w);

/* Writes the current chunk now (used before rotation and on demand). */
int aa_writer_flush(struct aa_writer *w);

void aa_writer_get_info(const struct aa_writer *w, struct aa_writer_info *info);

/*
 * Writes what is pending, the final stats and the END chunk, syncs and
 * closes the file, and frees w. Returns the first error the writer met
 * (errno is that error's), or 0. After an I/O error the file is cut back to
 * its last whole block, so it still reads up to there.
 */
int aa_writer_close(struct aa_writer *w);
/* aa_writer_close that also fills info (when not NULL) with what the file
 * ended with: bytes_file then counts the final blocks too, or only what was
 * left after an error cut the file back. */
int aa_writer_finish(struct aa_writer *w, struct aa_writer_info *info);

/* The errno of the last AA_E_IO; 0 if none. */
int aa_writer_errno(const struct aa_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* AA_WRITER_H */
