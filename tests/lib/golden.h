/* SPDX-License-Identifier: MIT */
/*
 * Golden files: what a committed fixture capture holds, as text lines of
 * "key<TAB>value" (records, tls, file, exec, exit, unknown, invalid,
 * bytes_raw, digest, writer) and "record<TAB>INDEX<TAB>TYPE<TAB>field=value..."
 * with the exact fields of chosen records. '#' starts a comment line.
 */
#ifndef AAT_GOLDEN_H
#define AAT_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* Formats a record's golden line (without newline) into buf. */
void aat_golden_line(const struct aa_event *ev, uint64_t index, char *buf, size_t size);

#endif
