/* SPDX-License-Identifier: MIT */
/*
 * Printing records: one readable line (in the spirit of `tshark -r`) or one
 * JSON Lines object per record. Used by `aa-replay cat` on files and by
 * `aa-capture --print` live, so a record reads the same in both.
 *
 * Both printers write to a buffered FILE and allocate nothing; they never
 * read outside the record, print every byte in a safe escaped form, and
 * return 0, or AA_E_IO (errno set) once the stream has an error.
 */
#ifndef AA_PRINT_H
#define AA_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aa_replay.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Room for "2026-11-25T21:30:01.123456789Z" and its NUL. */
#define AA_TIME_BUF 32

/*
 * Wall-clock nanoseconds since the epoch as RFC 3339 in UTC with nine
 * fraction digits ("2026-11-25T21:30:01.123456789Z"). Returns buf.
 */
char *aa_format_time(char buf[AA_TIME_BUF], uint64_t wall_ns);

/*
 * One line: time, type, then the type's fields, e.g.
 *   2026-11-25T21:30:01.123456789Z file pid=7 tid=7 openat "/etc/hosts" flags=O_RDONLY|O_CLOEXEC ret=3 dur=8.1us
 * A file record's flags are names for its syscall (open flags, AT_REMOVEDIR,
 * RENAME_*) by the numbers of the machine rec->arch names, bits without a
 * name as hex at the end. Strings are quoted with
 * C-like escapes; a TLS piece shows a short
 * preview; an unknown record its size and first bytes in hex; an invalid
 * one (ev.error set) "invalid=AA_E_..." after its type.
 */
int aa_print_text(FILE *out, const struct aa_record *rec);

/*
 * One JSON object and a newline: "type", "time" (RFC 3339), "time_ns",
 * "index", then the layout's fields by their names ("syscall" and
 * "direction" as names when valid; a file record's "flags" number and beside
 * it "flags_names", the text printer's names as one string), strings as JSON strings, a TLS piece's
 * valid bytes as "payload" (text) and "payload_b64"; an unknown record as
 * "size" and "raw_b64"; an invalid one with "error": "AA_E_...".
 */
int aa_print_json(FILE *out, const struct aa_record *rec);

#ifdef __cplusplus
}
#endif

#endif /* AA_PRINT_H */
