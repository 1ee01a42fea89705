/* SPDX-License-Identifier: MIT */
/*
 * The BTF of the four record structs, made at build time from events.h by
 * clang, so that a capture file can carry its own record schema.
 */
#ifndef AA_EVENTS_BTF_H
#define AA_EVENTS_BTF_H

#include <stdint.h>

/* The raw BTF blob and its length; NULL and 0 if the build had none. */
const uint8_t *aa_events_btf(uint32_t *len);

#endif /* AA_EVENTS_BTF_H */
