/* SPDX-License-Identifier: MIT */
/*
 * What aa-capture asks the writer on every record, without what
 * aa_writer_get_info() also computes (the stream digest). Private to the
 * toolkit: not installed, not exported.
 */
#ifndef AA_WRITER_COUNT_H
#define AA_WRITER_COUNT_H

#include <stdint.h>

#include "writer.h"

/* RECORDS chunks written to the file so far. */
uint64_t aa_writer_chunk_count(const struct aa_writer *w);

#endif /* AA_WRITER_COUNT_H */
