/* SPDX-License-Identifier: MIT */
/*
 * META chunk content to and from struct aa_file_meta. Private to the
 * library (the writer and the file source): a program reading files gets
 * the decoded META from aa_source_meta().
 */
#ifndef AA_META_CODEC_H
#define AA_META_CODEC_H

#include "meta.h"

/* Encodes m as META entries (NULL strings are left out). Returns 0 or AA_E_INVAL if cap is too small. */
int aa_meta_encode(const struct aa_file_meta *m, uint8_t *buf, size_t cap, size_t *len);

/*
 * Decodes META entries from buf, which must outlive m (strings point into
 * it). Unknown tags are skipped. Returns 0 or AA_E_META.
 */
int aa_meta_decode(const uint8_t *buf, size_t len, struct aa_file_meta *m);

#endif /* AA_META_CODEC_H */
