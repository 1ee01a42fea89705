/* SPDX-License-Identifier: MIT */
/*
 * The raw-stream source: records from a plain length-framed stream, each
 * `[u32 little-endian length][bytes]` (what `aa-replay export --raw` writes),
 * behind the same aa_source interface as capture files and the live ring
 * buffer (aa_replay.h). Every record goes through aa_parse, as live.
 *
 * The stream is read in large blocks into one bounded buffer, never one read
 * per record. A stream that ends inside a record gives AA_E_TRUNCATED with
 * the record's byte offset; a length of 0 gives AA_E_FRAMING and a length
 * over AA_RECORD_MAX gives AA_E_TOO_BIG, both with the offset. Every record
 * before the bad one is delivered first. A stream that starts as a pcapng
 * file does (a capture file, not its export) gives AA_E_INVAL.
 *
 * Records carry monotonic time stamps from wherever they were made; their
 * wall-clock time is computed with this machine's offset, measured at open.
 */
#ifndef AA_RAW_H
#define AA_RAW_H

#include "aa_replay.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Opens the stream at path ("-" is standard input, which is read but never
 * closed). filter may be NULL. Returns 0 or AA_E_IO / AA_E_NOMEM, with err
 * (if not NULL) saying why; on error *src is NULL. aa_next() then waits for
 * data for ever, like a blocking read, until aa_raw_set_timeout().
 */
AA_MUST_CHECK int aa_open_raw(aa_source **src, const char *path, const struct aa_filter *filter,
		struct aa_error_info *err);

/*
 * The calls below are for a raw-stream source only: on any other source
 * they refuse, setting aa_source_error() to AA_E_INVAL ("aa_raw_fd: not a
 * raw-stream source"), and return AA_E_INVAL, 0, or do nothing.
 */

/*
 * How long aa_next() waits for more bytes when no whole record is buffered:
 * -1 for ever (the default), 0 not at all, else milliseconds; when the time
 * is up it returns AA_E_AGAIN and the next call goes on where it stopped.
 * For a pipe or terminal whose writer is slow, so that a caller can still
 * keep its own clock (flush a chunk, refresh a status line).
 */
void aa_raw_set_timeout(aa_source *src, int timeout_ms);

/* The descriptor read from (owned by the source): polls readable when more bytes may be waiting. */
int aa_raw_fd(aa_source *src);

/* The offset added to a record's monotonic time stamp for rec->time_ns. */
int64_t aa_raw_mono_to_wall(aa_source *src);

/* Bytes of the stream consumed so far (whole records and their lengths). */
uint64_t aa_raw_offset(aa_source *src);

#ifdef __cplusplus
}
#endif

#endif /* AA_RAW_H */
