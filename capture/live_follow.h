/* SPDX-License-Identifier: MIT */
/*
 * The processes --pid follows: the given ones and every descendant they
 * already have when the capture starts (the BPF fork program adds the ones
 * born later).
 */
#ifndef AA_LIVE_FOLLOW_H
#define AA_LIVE_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

/*
 * The given pids plus their living descendants, from /proc. Returns a
 * malloc'd array and its length in *n, or NULL when out of memory.
 */
uint32_t *aa_follow_closure(const uint32_t *pids, size_t npids, size_t *n);

#endif /* AA_LIVE_FOLLOW_H */
