/* SPDX-License-Identifier: MIT */
/* Capture files for tests, through the real writer and the real replay
 * library: write a list of records, read one back into a list. */
#ifndef AAT_CAPIO_H
#define AAT_CAPIO_H

#include <stddef.h>
#include <stdint.h>

#include "aa_replay.h"
#include "recs.h"
#include "writer.h"

/*
 * Writes recs[from..to) to a new file at path through aa_writer_open/add/
 * close with opts (NULL: defaults), calling aa_writer_flush after every
 * flush_every records (0: never). *digest (if not NULL) gets the writer's
 * stream digest before close. Returns 0 or the first AA_E_* met.
 */
int aat_write_capture(const char *path, const struct aat_recs *recs, size_t from, size_t to,
		      const struct aa_writer_opts *opts, size_t flush_every, uint64_t *digest);

/*
 * Opens path, reads every record with aa_next into out (appended) and
 * returns how reading ended: 0 at a clean end, the AA_E_* of aa_next, or
 * the AA_E_* of aa_open_offline. stats (if not NULL) is filled from the
 * source when it opened, else zeroed; err (if not NULL) gets the error.
 */
int aat_read_capture(const char *path, const struct aa_replay_opts *opts, struct aat_recs *out,
		     struct aa_source_stats *stats, struct aa_error_info *err);

/*
 * Copies the capture file in (its records in capture order) to a new file
 * out as if host had captured it: META host name host, a session of its
 * own, the same clock offset moved by shift_ns (wall time of every record
 * plus shift_ns), the same format version, kernel and arch. For tests of
 * files of several hosts made from one real recording: the same pids on
 * two hosts. Returns 0 or the first AA_E_* met.
 */
int aat_rehost(const char *in, const char *out, const char *host, int64_t shift_ns);

#endif
